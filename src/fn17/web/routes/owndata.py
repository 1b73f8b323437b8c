"""The municipality's own figures: ``/region/{code}/egne-data`` (template and upload)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from fn17.errors import ImportValidationError, InvalidInputError
from fn17.services import own_data as svc
from fn17.sources.owndata import MAX_UPLOAD_BYTES
from fn17.web.render import request_lang
from fn17.web.routes.auth import checked_form, current_actor, page, wants_json, ws_of

router = APIRouter()
TEMPLATE = "owndata_region.html"


@router.get("/region/{code}/egne-data", summary="The region's own figures: a template to fill in and the upload (editors)")
def own_data(request: Request, code: str) -> Response:
    ctx = svc.own_data_page(ws_of(request), current_actor(request), code, request_lang(request))
    return page(request, TEMPLATE, ctx, title=ctx.name)


@router.get("/region/{code}/egne-data.{fmt}", include_in_schema=False)
def own_data_twin(request: Request, code: str, fmt: str) -> Response:
    ctx = svc.own_data_page(ws_of(request), current_actor(request), code, request_lang(request))
    return page(request, TEMPLATE, ctx, fmt if fmt in ("json", "csv") else "html")


@router.get("/region/{code}/egne-data/mal.xlsx", summary="An Excel template for the region (?indikator=…&periode=…)")
def own_data_template(request: Request, code: str, indikator: list[str] = Query([]), periode: list[str] = Query([])) -> Response:
    periods = [p for text in periode for p in re.split(r"[,;\s]+", text) if p]  # "2022, 2023" or repeated
    data = svc.template_bytes(ws_of(request), code, indikator, periods)
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="fn17-mal-{code}.xlsx"'})


@router.post("/region/{code}/egne-data", summary="Upload own figures (CSV or Excel; editors; all or nothing)")
async def own_data_upload(request: Request, code: str) -> Response:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + 64 * 1024:
        raise InvalidInputError(f"Filen er større enn {MAX_UPLOAD_BYTES // 1024 // 1024} MB og er ikke lest.",
                                message_en=f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB and was not read.")
    body = await checked_form(request, svc.ENTITY, code)
    ws, actor, lang = ws_of(request), current_actor(request), request_lang(request)
    upload = body.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInputError("Velg en CSV- eller Excel-fil å laste opp.", message_en="Choose a CSV or Excel file to upload.")
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    await upload.close()
    try:
        result = await run_in_threadpool(svc.upload, ws, actor, code, upload.filename, data)
    except ImportValidationError as err:
        if wants_json(request):
            raise
        ctx = svc.own_data_page(ws, actor, code, lang, error=err.text(lang), problems=err.problems)
        return page(request, TEMPLATE, ctx, status=err.http_status, title=ctx.name)
    ctx = svc.own_data_page(ws, actor, code, lang, result=result)
    return page(request, TEMPLATE, ctx, "json" if wants_json(request) else "html", title=ctx.name)
