"""Interface language and Norwegian number and date formats.

The interface texts live in ``locales/{nb,nn,en}.yaml`` plus one ``<area>.{lang}.yaml``
per area (flat key → text maps, merged; a test keeps the three languages in step). Numbers are written as
Norwegians write them: ``12 345,6`` (a narrow no-break space between thousands,
decimal comma); dates ``26.11.2026``. English uses ``12,345.6`` and ``26 Nov 2026``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from fn17.config import LANGS, Lang
from fn17.errors import DataFileError

LOCALES = Path(__file__).parent / "locales"
NBSP = "\u00a0"
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _read_catalogue(path: Path) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"Språkfila {path.name} kan ikke leses: {exc}", message_en=f"Cannot read {path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"Språkfila {path.name} må være en tabell av nøkler og tekster.",
                            message_en=f"The language file {path.name} must be a map of keys to texts.")
    return {str(k): str(v) for k, v in data.items()}


def catalogue_files(lang: Lang) -> list[Path]:
    """``{lang}.yaml`` and each area's ``<area>.{lang}.yaml`` (e.g. ``web.nb.yaml``)."""
    return [LOCALES / f"{lang}.yaml", *sorted(LOCALES.glob(f"*.{lang}.yaml"))]


@cache
def catalogue(lang: Lang) -> dict[str, str]:
    """All texts of ``lang``: the main file merged with the area files; a key defined in two
    files is an error, so no area silently overrides another."""
    merged: dict[str, str] = {}
    for path in catalogue_files(lang):
        for key, text in _read_catalogue(path).items():
            if key in merged:
                raise DataFileError(f"Nøkkelen {key} står i flere språkfiler (også {path.name}).",
                                    message_en=f"The key {key} is defined in more than one language file (also {path.name}).")
            merged[key] = text
    return merged


def t(key: str, lang: Lang = "nb", /, **values: Any) -> str:
    """The text for ``key`` in ``lang`` (nynorsk, then bokmål as fallbacks), with ``{name}`` filled in."""
    for candidate in (lang, "nb"):
        text = catalogue(candidate).get(key)
        if text is not None:
            return text.format(**values) if values else text
    return key


def parse_lang(value: str | None, default: Lang = "nb") -> Lang:
    if value in LANGS:
        return value
    return default


def fmt_number(value: float | int | None, lang: Lang = "nb", decimals: int | None = None) -> str:
    """``12345.6`` → ``12 345,6`` (nb/nn) or ``12,345.6`` (en); missing → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() or abs(value) >= 1000 else (1 if abs(value) >= 10 else 2)
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text.replace("-", "−")
    return text.replace(",", NBSP).replace(".", ",").replace("-", "−")


def fmt_percent(value: float | None, lang: Lang = "nb", decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{fmt_number(value, lang, decimals)}{NBSP}%"


def fmt_date(value: date | datetime | None, lang: Lang = "nb") -> str:
    if value is None:
        return "–"
    if lang == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def fmt_datetime(value: datetime | None, lang: Lang = "nb") -> str:
    if value is None:
        return "–"
    return f"{fmt_date(value, lang)} {value.hour:02d}:{value.minute:02d}"


def template_helpers(lang: Lang) -> dict[str, Callable[..., str]]:
    """The text and format helpers templates call (``t``, ``num``, ``pct``, ``fdate``,
    ``fdatetime``), bound to ``lang``."""
    return {
        "t": lambda key, **kw: t(key, lang, **kw),
        "num": lambda v, d=None: fmt_number(v, lang, d),
        "pct": lambda v, d=1: fmt_percent(v, lang, d),
        "fdate": lambda v: fmt_date(v, lang),
        "fdatetime": lambda v: fmt_datetime(v, lang),
    }


__all__ = ["catalogue", "fmt_date", "fmt_datetime", "fmt_number", "fmt_percent", "parse_lang", "t", "template_helpers"]
