"""The national overview (``/``), the indicator catalogue (``/katalog``) and the data status
(``/datastatus``), each with its ``.json`` and ``.csv`` twins."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from fn17.errors import InvalidInputError
from fn17.services import catalogue_browser, overview, status
from fn17.web.render import render, request_lang, split_format
from fn17.workspace import Workspace

router = APIRouter()


def _ws(request: Request) -> Workspace:
    ws: Workspace = request.app.state.ws
    return ws


def _int(value: str | None, name: str) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidInputError(f"{name} skal være et heltall, ikke «{value}».",
                                message_en=f"{name} must be a whole number, not “{value}”.") from exc


def _opt(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _overview(request: Request, fmt: str, niva: str, mal: str | None, indikator: str | None, periode: str | None,
              sorter: str, fylke: str | None, kostra: str | None, storrelse: str | None, q: str) -> Response:
    ws = _ws(request)
    lang = request_lang(request)
    codes = None
    if q.strip():
        codes = overview.find_regions(ws, q)
        if len(codes) == 1 and fmt == "html":
            return RedirectResponse(f"/region/{codes[0]}?lang={lang}", status_code=303)
    page = overview.overview(
        ws, level=niva, goal=_int(mal, "mal"), indicator=_opt(indikator), period=_opt(periode), sort=sorter,
        county=_opt(fylke), kostra=_opt(kostra), size=_opt(storrelse), query=q, codes=codes, lang=lang,
    )
    return render(request, "explore_overview.html", page, fmt, title="Oversikt" if lang != "en" else "Overview")


_NIVA = Query("kommune", description="kommune or fylke")
_MAL = Query(None, description="Colour by this goal's score (1–17)")
_IND = Query(None, description="Colour by this indicator's value (its id)")
_PER = Query(None, description="Period of the indicator (default: the latest well-covered one)")
_SORT = Query("kode", description="navn, kode, verdi, folketall or fylke; prefix - for descending")
_FYLKE = Query(None, description="Only municipalities of this county (two digits)")
_KOSTRA = Query(None, description="Only this KOSTRA group (1–17 or ukjent)")
_SIZE = Query(None, description="small, medium or large")
_Q = Query("", max_length=100, description="Find a municipality by name or number, old or new")


@router.get("/", summary="National overview: map and table of all municipalities or counties")
def front(request: Request, niva: str = _NIVA, mal: str | None = _MAL, indikator: str | None = _IND,
          periode: str | None = _PER, sorter: str = _SORT, fylke: str | None = _FYLKE, kostra: str | None = _KOSTRA,
          storrelse: str | None = _SIZE, q: str = _Q) -> Response:
    return _overview(request, "html", niva, mal, indikator, periode, sorter, fylke, kostra, storrelse, q)


@router.get("/oversikt.{fmt}", summary="The national overview as JSON or CSV")
@router.get("/index.{fmt}", include_in_schema=False)
def front_twin(request: Request, fmt: str, niva: str = _NIVA, mal: str | None = _MAL, indikator: str | None = _IND,
               periode: str | None = _PER, sorter: str = _SORT, fylke: str | None = _FYLKE,
               kostra: str | None = _KOSTRA, storrelse: str | None = _SIZE, q: str = _Q) -> Response:
    return _overview(request, fmt if fmt in ("json", "csv") else "html", niva, mal, indikator, periode, sorter, fylke,
                     kostra, storrelse, q)


@router.get("/oversikt", include_in_schema=False)
def overview_alias(request: Request) -> Response:
    query = request.url.query
    return RedirectResponse("/" + (f"?{query}" if query else ""), status_code=307)


# --------------------------------------------------------------------------- catalogue


def _catalogue(request: Request, fmt: str, q: str, rammeverk: str | None, mal: str | None, delmal: str | None,
               kvalitet: str | None, niva: str | None, sett: str | None, data: str | None, side: str | None) -> Response:
    lang = request_lang(request)
    page = catalogue_browser.browse(
        _ws(request), query=q, framework=_opt(rammeverk), goal=_int(mal, "mal"), target=_opt(delmal),
        quality=_int(kvalitet, "kvalitet"), level=_opt(niva), set_id=_opt(sett), with_data=(data or "") in ("1", "ja", "true"),
        page=_int(side, "side") or 1, lang=lang,
    )
    return render(request, "explore_catalogue.html", page, fmt, title="Indikatorkatalog" if lang != "en" else "Indicator catalogue")


@router.get("/katalog", summary="Indicator catalogue: KS taxonomy, U4SSC, UN global indicators and FN17's set")
def catalogue(request: Request, q: str = Query("", max_length=200), rammeverk: str | None = Query(None),
              mal: str | None = Query(None), delmal: str | None = Query(None), kvalitet: str | None = Query(None),
              niva: str | None = Query(None), sett: str | None = Query(None), data: str | None = Query(None),
              side: str | None = Query(None)) -> Response:
    return _catalogue(request, "html", q, rammeverk, mal, delmal, kvalitet, niva, sett, data, side)


@router.get("/katalog.{fmt}", summary="The catalogue as JSON or CSV (same filters)")
def catalogue_twin(request: Request, fmt: str, q: str = Query("", max_length=200), rammeverk: str | None = Query(None),
                   mal: str | None = Query(None), delmal: str | None = Query(None), kvalitet: str | None = Query(None),
                   niva: str | None = Query(None), sett: str | None = Query(None), data: str | None = Query(None),
                   side: str | None = Query(None)) -> Response:
    return _catalogue(request, fmt if fmt in ("json", "csv") else "html", q, rammeverk, mal, delmal, kvalitet, niva,
                      sett, data, side)


@router.get("/katalog/{framework}/{key:path}", summary="One catalogue item with its SDG targets and equivalents")
def catalogue_item(request: Request, framework: str, key: str) -> Response:
    item_id, fmt = split_format(key)
    lang = request_lang(request)
    page = catalogue_browser.item_page(_ws(request), framework, item_id, lang)
    return render(request, "explore_catalogue_item.html", page, fmt, title=page.title)


# --------------------------------------------------------------------------- data status


def _status(request: Request, fmt: str, niva: str, q: str, rammeverk: str | None) -> Response:
    lang = request_lang(request)
    page = status.data_status(_ws(request), level=niva, query=q, framework=_opt(rammeverk), lang=lang)
    return render(request, "explore_status.html", page, fmt, title="Datastatus" if lang != "en" else "Data status")


@router.get("/datastatus", summary="Which indicators have data for which years and regions")
def data_status(request: Request, niva: str = Query("kommune"), q: str = Query("", max_length=100),
                rammeverk: str | None = Query(None)) -> Response:
    return _status(request, "html", niva, q, rammeverk)


@router.get("/datastatus.{fmt}", summary="The data status as JSON or CSV")
def data_status_twin(request: Request, fmt: str, niva: str = Query("kommune"), q: str = Query("", max_length=100),
                     rammeverk: str | None = Query(None)) -> Response:
    return _status(request, fmt if fmt in ("json", "csv") else "html", niva, q, rammeverk)


@router.get("/datastatus/{key}", summary="One indicator: the regions missing, suppressed or provisional per period")
def data_status_item(request: Request, key: str, niva: str = Query("kommune")) -> Response:
    indicator_id, fmt = split_format(key)
    lang = request_lang(request)
    page = status.status_detail(_ws(request), indicator_id, level=niva, lang=lang)
    return render(request, "explore_status_item.html", page, fmt, title=page.name)
