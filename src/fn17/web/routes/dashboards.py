"""Region dashboards: the profile ``/region/{kode}``, a goal for a region ``/region/{kode}/mal/{n}``,
an indicator ``/indikator/{id}?region=``, and the comparison ``/sammenlign?r=…&r=…``.

Each route parses its input, calls one function of :mod:`fn17.services.score_pages` and renders
the context as HTML, ``.json`` or ``.csv``."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from fn17.errors import InvalidInputError
from fn17.services import score_pages
from fn17.web.render import render, request_lang, split_format
from fn17.workspace import Workspace

router = APIRouter()


def _ws(request: Request) -> Workspace:
    ws: Workspace = request.app.state.ws
    return ws


@router.get("/region/{key}", summary="A municipality's or county's profile: 17-goal dashboard, index, peers, history")
def profile(request: Request, key: str, at: date | None = Query(None, description="Date (YYYY-MM-DD)")) -> Response:
    code, fmt = split_format(key)
    lang = request_lang(request)
    page = score_pages.profile(_ws(request), code, at, lang)
    return render(request, "dash_profile.html", page, fmt, title=f"{page.info.code} {page.info.name}")


@router.get("/region/{code}/mal/{key}", summary="One goal for a region: indicators, trends, targets, peers, series")
def goal(request: Request, code: str, key: str) -> Response:
    number, fmt = split_format(key)
    lang = request_lang(request)
    page = score_pages.goal_page(_ws(request), code, number, lang)
    return render(request, "dash_goal.html", page, fmt, title=f"{page.goal.goal}. {page.goal.name} – {page.name}")


@router.get("/indikator/{key}", summary="An indicator: definition, source, series for a region and its peers, distribution")
def indicator(request: Request, key: str, region: str | None = Query(None, max_length=10)) -> Response:
    ident, fmt = split_format(key)
    lang = request_lang(request)
    page = score_pages.indicator_page(_ws(request), ident, region or None, lang)
    return render(request, "dash_indicator.html", page, fmt, title=page.name)


def _compare(request: Request, fmt: str, r: list[str]) -> Response:
    lang = request_lang(request)
    title = "Compare" if lang == "en" else ("Samanlikn" if lang == "nn" else "Sammenlign")
    try:
        page = score_pages.compare(_ws(request), r, lang)
    except InvalidInputError as exc:
        if fmt != "html" or "asked" not in exc.details:
            raise
        empty = score_pages.ComparePage(asked=[c for c in r if c.strip()], regions=[], goals=[], indicators=[],
                                        message=exc.message, message_en=exc.message_en)
        return render(request, "dash_compare.html", empty, fmt, status=400, title=title)
    return render(request, "dash_compare.html", page, fmt, title=title)


@router.get("/sammenlign", summary="Compare 2–5 municipalities or counties across goals and indicators")
def compare(request: Request, r: list[str] = Query([], max_length=10)) -> Response:
    return _compare(request, "html", r)


@router.get("/sammenlign.{fmt}", include_in_schema=False)
def compare_twin(request: Request, fmt: str, r: list[str] = Query([], max_length=10)) -> Response:
    return _compare(request, fmt if fmt in ("json", "csv") else "html", r)
