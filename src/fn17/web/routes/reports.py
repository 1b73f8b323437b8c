"""The progress report (VLR) on the web: editors write their own text per section, and the
region's roles download the report as HTML or PDF in bokmål or nynorsk (``?lang=nn``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from fn17.errors import ConflictError, InvalidInputError, NotFoundError
from fn17.services import reports as svc
from fn17.web.render import render, request_lang
from fn17.web.routes.auth import checked_form, current_actor, lang_suffix, page, redirect, wants_json, ws_of

router = APIRouter()


@router.get("/region/{code}/rapport", summary="The progress report: the editors' texts and the downloads")
def report(request: Request, code: str) -> Response:
    ctx = svc.report_page(ws_of(request), current_actor(request), code, request_lang(request))
    return page(request, "act_report.html", ctx, title=ctx.region.name)


@router.get("/region/{code}/rapport.json", include_in_schema=False)
def report_json(request: Request, code: str) -> Response:
    return page(request, "act_report.html", svc.report_page(ws_of(request), current_actor(request), code, request_lang(request)), "json")


@router.post("/region/{code}/rapport/tekster", summary="Save the editors' text per section (editors; optimistic locking)")
async def save_texts(request: Request, code: str) -> Response:
    body = await checked_form(request, "report_text", code)
    ws, actor, lang = ws_of(request), current_actor(request), request_lang(request)
    try:
        changed = await run_in_threadpool(svc.save_report_texts, ws, actor, code, body)
    except (InvalidInputError, ConflictError) as err:
        if wants_json(request):
            raise
        problems: list[dict[str, Any]] = err.details.get("problems", [])
        ctx = await run_in_threadpool(svc.report_page, ws, actor, code, lang, body, problems, err.text(lang))
        return page(request, "act_report.html", ctx, status=err.http_status)
    if wants_json(request):
        return render(request, "act_report.html", {"changed": changed}, "json")
    return redirect(f"/region/{code}/rapport?melding=lagret&{lang_suffix(request)}")


@router.get("/region/{code}/rapport/vlr.{fmt}", summary="Download the VLR (pdf or html); ?lang=nn for nynorsk, ?utkast=1 with drafts")
async def download(request: Request, code: str, fmt: str, utkast: bool = Query(False)) -> Response:
    if fmt not in svc.FORMATS:
        raise NotFoundError(f"Rapporten finnes som .pdf eller .html, ikke .{fmt}.", message_en=f"The report comes as .pdf or .html, not .{fmt}.")
    ws, actor, lang = ws_of(request), current_actor(request), request_lang(request)
    file = await run_in_threadpool(lambda: svc.vlr(ws, actor, code, fmt, lang, include_drafts=utkast))
    disposition = "attachment" if fmt == "pdf" else "inline"
    return Response(file.content, media_type=file.media_type, headers={"Content-Disposition": f'{disposition}; filename="{file.filename}"'})


__all__ = ["router"]
