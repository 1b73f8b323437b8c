"""One page, three shapes: every route builds a typed context object and hands it here.

``/mal/3`` renders HTML, ``/mal/3.json`` the same context as JSON, and tabular pages
``/…/x.csv`` their table as CSV. The language comes from ``?lang=``, then the
``fn17_lang`` cookie, then the default (bokmål).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from fn17 import __version__
from fn17.config import LANGS, Lang
from fn17.errors import NotFoundError
from fn17.i18n import fmt_date, fmt_datetime, fmt_number, fmt_percent, parse_lang, template_helpers

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = ("html", "json", "csv")


class Tabular(Protocol):
    """A context that also has a table (for its ``.csv`` twin)."""

    def table(self) -> tuple[Sequence[str], Sequence[Sequence[Any]]]: ...


def split_format(key: str) -> tuple[str, str]:
    """``"3.json"`` → ``("3", "json")``; ``"3"`` → ``("3", "html")``. Dotted keys such as
    target codes (``"3.4"``) keep their dot unless the suffix is a known format."""
    stem, dot, suffix = key.rpartition(".")
    if dot and suffix in FORMATS:
        return stem, suffix
    return key, "html"


def request_lang(request: Request) -> Lang:
    default: Lang = getattr(request.app.state, "default_lang", "nb")
    query = request.query_params.get("lang")
    if query in LANGS:
        return parse_lang(query)
    return parse_lang(request.cookies.get("fn17_lang"), default)


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    return value


def _lang_url(request: Request, lang: str) -> str:
    params = dict(request.query_params)
    params["lang"] = lang
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{request.url.path}?{query}"


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ink(hex_colour: str) -> str:
    """Black or white text, whichever has the higher WCAG contrast on ``hex_colour``."""
    lum = _luminance(hex_colour)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / 0.05
    return "#ffffff" if on_white >= on_black else "#111111"


def make_env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(version=__version__, LANGS=LANGS)
    env.filters.update(ink=ink, num=fmt_number, pct=fmt_percent, date=fmt_date, datetime=fmt_datetime)
    return env


def render(request: Request, template: str, context: Any, fmt: str = "html", *, status: int = 200, title: str = "") -> Response:
    lang = request_lang(request)
    if fmt == "json":
        body = orjson.dumps({"lang": lang, "data": jsonable(context)}, option=orjson.OPT_NON_STR_KEYS)
        return Response(body, media_type="application/json", status_code=status)
    if fmt == "csv":
        if not hasattr(context, "table"):
            raise NotFoundError(
                "Denne siden har ingen tabell å laste ned som CSV; bruk .json.",
                message_en="This page has no table to download as CSV; use .json.",
            )
        header, rows = context.table()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8", status_code=status)
    env: Environment = request.app.state.jinja
    html = env.get_template(template).render(
        c=context,
        lang=lang,
        **template_helpers(lang),
        lang_url=lambda code: _lang_url(request, code),
        path=request.url.path,
        json_url=f"{request.url.path.rstrip('/') or '/index'}.json",
        title=title,
        request=request,
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("fn17_lang", lang, max_age=31536000, samesite="lax")
    return response
