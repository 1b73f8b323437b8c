"""Front page, goal pages, search, and language switching (region profiles: ``routes/dashboards.py``)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from fn17.services import frameworks as fw_svc
from fn17.services import regions as region_svc
from fn17.web.render import render, request_lang, split_format
from fn17.workspace import Workspace

router = APIRouter()


def _ws(request: Request) -> Workspace:
    ws: Workspace = request.app.state.ws
    return ws


@router.get("/mal", summary="The SDG framework: the 17 goals")
def goals(request: Request) -> Response:
    lang = request_lang(request)
    return render(request, "home.html", fw_svc.home(_ws(request), lang), title="FN17")


@router.get("/mal.{fmt}", include_in_schema=False)
def goals_twin(request: Request, fmt: str) -> Response:
    lang = request_lang(request)
    return render(request, "home.html", fw_svc.home(_ws(request), lang), fmt if fmt in ("json", "csv") else "html")


@router.get("/mal/{key}", summary="A goal with its targets and their municipal relevance")
def goal(request: Request, key: str) -> Response:
    number, fmt = split_format(key)
    lang = request_lang(request)
    page = fw_svc.goal_page(_ws(request), number, lang)
    return render(request, "goal.html", page, fmt, title=f"{page.goal.number}. {page.goal.name}")


@router.get("/sok", summary="Find a municipality or county by name or number, old or new")
def search(request: Request, q: str = Query("", max_length=100)) -> Response:
    lang = request_lang(request)
    page = region_svc.search_page(_ws(request), q, lang)
    fmt = "json" if "application/json" in request.headers.get("accept", "") else "html"
    return render(request, "search.html", page, fmt, title=q)


@router.get("/sok.{fmt}", include_in_schema=False)
def search_twin(request: Request, fmt: str, q: str = Query("", max_length=100)) -> Response:
    lang = request_lang(request)
    return render(request, "search.html", region_svc.search_page(_ws(request), q, lang), fmt)


@router.get("/api/health", summary="Liveness and schema version")
def health(request: Request) -> dict[str, str]:
    from fn17.store import current_revision

    return {"status": "ok", "schema": current_revision(_ws(request).engine) or ""}

