"""The public view for citizens and schools: ``/innbygger`` (pick a municipality) and
``/innbygger/{kode}`` (its page in plain language)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from fn17.services import public
from fn17.web.render import render, request_lang, split_format
from fn17.workspace import Workspace

router = APIRouter()


def _ws(request: Request) -> Workspace:
    ws: Workspace = request.app.state.ws
    return ws


def _pick(request: Request, fmt: str, q: str) -> Response:
    lang = request_lang(request)
    page = public.pick(_ws(request), q, lang)
    if fmt == "html" and len(page.hits) == 1:
        return RedirectResponse(page.hits[0].href, status_code=303)
    return render(request, "public_pick.html", page, fmt, title="For innbyggere" if lang != "en" else "For residents")


@router.get("/innbygger", summary="Public view: pick your municipality")
def pick(request: Request, q: str = Query("", max_length=100)) -> Response:
    return _pick(request, "html", q)


@router.get("/innbygger.{fmt}", include_in_schema=False)
def pick_twin(request: Request, fmt: str, q: str = Query("", max_length=100)) -> Response:
    return _pick(request, fmt if fmt in ("json", "csv") else "html", q)


@router.get("/innbygger/{key}", summary="Public view of a municipality in plain language")
def municipality(request: Request, key: str) -> Response:
    code, fmt = split_format(key)
    lang = request_lang(request)
    page = public.public_page(_ws(request), code, lang)
    return render(request, "public_municipality.html", page, fmt, title=page.name)
