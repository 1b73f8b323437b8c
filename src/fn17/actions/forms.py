"""Server-side validation of form fields, Excel cells and command-line values.

A ``Problems`` collector gathers every problem in one pass (field, bokmål and English
message) and raises one ``InvalidInputError`` that lists them all, so a user fixes a form
in one round. Values are read as Norwegians write them: ``1 250 000``, ``12,5``, ``ja``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fn17.errors import InvalidInputError

Raw = Mapping[str, Any]
YEAR_MIN, YEAR_MAX = 1990, 2100
TRUE_WORDS = {"1", "true", "ja", "j", "yes", "y", "on", "x", "sann"}
FALSE_WORDS = {"0", "false", "nei", "n", "no", "off", "", "usann"}


@dataclass
class Problems:
    """Problems found in one form or one file row."""

    what_nb: str
    what_en: str
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, field_name: str, nb: str, en: str) -> None:
        self.items.append({"field": field_name, "message": nb, "message_en": en})

    def __bool__(self) -> bool:
        return bool(self.items)

    def for_field(self, name: str) -> list[dict[str, Any]]:
        return [p for p in self.items if p["field"] == name]

    def raise_if_any(self) -> None:
        if not self.items:
            return
        nb = "; ".join(p["message"] for p in self.items)
        en = "; ".join(p["message_en"] for p in self.items)
        raise InvalidInputError(
            f"{self.what_nb} ble ikke lagret: {nb}.",
            message_en=f"{self.what_en} was not saved: {en}.",
            hint="Rett feltene som er merket, og lagre igjen.",
            hint_en="Correct the fields marked, and save again.",
            details={"problems": self.items},
        )


def first(raw: Raw, name: str) -> Any:
    """One value of a field (forms may send lists)."""
    value = raw.get(name)
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def many(raw: Raw, name: str) -> list[str]:
    """All values of a multi-valued field, or a ``;``/``,``/newline separated text split up."""
    value = raw.get(name)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        items: list[str] = []
        for v in value:
            items.extend(many({name: v}, name))
        return items
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [part.strip() for part in re.split(r"[;,\n]", str(value)) if part.strip()]


def text(raw: Raw, name: str, problems: Problems, label: tuple[str, str], *, required: bool = False, max_len: int = 300) -> str:
    value = first(raw, name)
    s = "" if value is None else str(value).strip()
    if isinstance(value, float) and value.is_integer():
        s = str(int(value))
    if required and not s:
        problems.add(name, f"«{label[0]}» må fylles ut", f"“{label[1]}” is required")
    if len(s) > max_len:
        problems.add(name, f"«{label[0]}» kan være høyst {max_len} tegn (nå {len(s)})",
                     f"“{label[1]}” can be at most {max_len} characters (now {len(s)})")
        s = s[:max_len]
    return s


def number(raw: Raw, name: str, problems: Problems, label: tuple[str, str], *, minimum: float | None = None) -> float | None:
    """A decimal number written the Norwegian or the English way; blank is ``None``."""
    value = first(raw, name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.add(name, f"«{label[0]}» må være et tall", f"“{label[1]}” must be a number")
        return None
    if isinstance(value, int | float):
        result = float(value)
    else:
        s = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("−", "-")
        s = re.sub(r"(?i)(kr|nok|,-)$", "", s).strip()
        # "1.250,5" (Norwegian thousands and decimal) or "12,5"/"12.5"
        s = s.replace(".", "").replace(",", ".") if "," in s and "." in s else s.replace(",", ".")
        try:
            result = float(s)
        except ValueError:
            problems.add(name, f"«{label[0]}» må være et tall (fikk «{value}»)", f"“{label[1]}” must be a number (got “{value}”)")
            return None
    if math.isnan(result) or math.isinf(result):
        problems.add(name, f"«{label[0]}» må være et endelig tall", f"“{label[1]}” must be a finite number")
        return None
    if minimum is not None and result < minimum:
        problems.add(name, f"«{label[0]}» kan ikke være mindre enn {minimum:g}", f"“{label[1]}” cannot be less than {minimum:g}")
    return result


def year(raw: Raw, name: str, problems: Problems, label: tuple[str, str], *, required: bool = False) -> int | None:
    value = number(raw, name, problems, label)
    if value is None:
        if required and not problems.for_field(name):
            problems.add(name, f"«{label[0]}» må fylles ut", f"“{label[1]}” is required")
        return None
    if not value.is_integer() or not YEAR_MIN <= value <= YEAR_MAX:
        problems.add(name, f"«{label[0]}» må være et årstall mellom {YEAR_MIN} og {YEAR_MAX}",
                     f"“{label[1]}” must be a year between {YEAR_MIN} and {YEAR_MAX}")
        return None
    return int(value)


def flag(raw: Raw, name: str, problems: Problems, label: tuple[str, str]) -> bool:
    """A checkbox or a yes/no cell: ``ja``/``nei``, ``1``/``0``, ``x``/blank."""
    value = first(raw, name)
    if isinstance(value, bool):
        return value
    s = "" if value is None else str(value).strip().lower()
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    problems.add(name, f"«{label[0]}» må være ja eller nei (fikk «{value}»)", f"“{label[1]}” must be yes or no (got “{value}”)")
    return False


def choice(raw: Raw, name: str, problems: Problems, label: tuple[str, str], options: Mapping[str, Sequence[str]], default: str | None = None) -> str:
    """One of ``options`` (key → accepted spellings, e.g. ``"private": ["privat", "private"]``)."""
    value = first(raw, name)
    s = "" if value is None else str(value).strip().lower()
    if not s and default is not None:
        return default
    for key, spellings in options.items():
        if s == key or s in (w.lower() for w in spellings):
            return key
    allowed = ", ".join(spellings[0] for spellings in options.values())
    problems.add(name, f"«{label[0]}» må være en av: {allowed} (fikk «{value or ''}»)",
                 f"“{label[1]}” must be one of: {', '.join(options)} (got “{value or ''}”)")
    return default or next(iter(options))


def version(raw: Raw, problems: Problems) -> int | None:
    """The record version a form was built from (optimistic locking); ``None`` for a new record."""
    value = first(raw, "version")
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        v = int(str(value).strip())
    except ValueError:
        problems.add("version", "skjemaet mangler en gyldig versjon; last siden på nytt",
                     "the form lacks a valid version; reload the page")
        return None
    return v


__all__ = ["Problems", "Raw", "choice", "first", "flag", "many", "number", "text", "version", "year"]
