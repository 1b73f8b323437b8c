"""Open data: ``/apne-data`` (the API, the twins, licences and sources) and the bulk download
``/apne-data/{kode}.csv`` / ``.json`` of every observation of a region, streamed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from fn17.errors import NotFoundError
from fn17.services import opendata
from fn17.web.render import render, request_lang, split_format
from fn17.workspace import Workspace

router = APIRouter()


def _ws(request: Request) -> Workspace:
    ws: Workspace = request.app.state.ws
    return ws


@router.get("/apne-data", summary="Open data: the API, the .json/.csv twins, licences and sources")
def open_data(request: Request) -> Response:
    lang = request_lang(request)
    return render(request, "opendata_index.html", opendata.open_data_page(_ws(request), lang),
                  title="Åpne data" if lang != "en" else "Open data")


@router.get("/apne-data.{fmt}", include_in_schema=False)
def open_data_twin(request: Request, fmt: str) -> Response:
    lang = request_lang(request)
    return render(request, "opendata_index.html", opendata.open_data_page(_ws(request), lang),
                  fmt if fmt in ("json", "csv") else "html")


@router.get("/apne-data/{key}", summary="Every observation of a region with its provenance (.csv or .json), streamed")
def bulk(request: Request, key: str) -> Response:
    code, fmt = split_format(key)
    ws = _ws(request)
    code = opendata.check_region(ws, code)
    if fmt == "html":
        raise NotFoundError(
            f"Last ned {code} som /apne-data/{code}.csv eller /apne-data/{code}.json.",
            message_en=f"Download {code} as /apne-data/{code}.csv or /apne-data/{code}.json.",
        )
    headers = {"Content-Disposition": f'attachment; filename="fn17-{code}.{fmt}"'}
    if fmt == "csv":
        return StreamingResponse(opendata.stream_csv(ws, code), media_type="text/csv; charset=utf-8", headers=headers)
    return StreamingResponse(opendata.stream_json(ws, code, request_lang(request)), media_type="application/json",
                             headers=headers)
