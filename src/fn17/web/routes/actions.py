"""The action register on the web: local targets, measures, partners, the self-assessment and
the audit log of a region, under ``/region/{code}/…``.

Lists and records are public when published; drafts, the self-assessment and the log need a
role for the region. Every POST carries a CSRF token and goes to one service call; bad input
re-renders the form with the problems (400), a concurrent edit with the conflict (409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from fn17.actions.actor import Actor
from fn17.config import Lang
from fn17.errors import ConflictError, InvalidInputError, NotFoundError
from fn17.services import actions as svc
from fn17.web.render import render, request_lang, split_format
from fn17.web.routes.auth import checked_form, current_actor, lang_suffix, page, redirect, wants_json, ws_of
from fn17.workspace import Workspace

router = APIRouter()
TWINS = ("html", "json", "csv")

FormBuilder = Callable[..., Any]
Saver = Callable[..., int]


def _fmt(fmt: str) -> str:
    if fmt not in TWINS:
        raise NotFoundError(f"Formatet .{fmt} finnes ikke her; bruk .json eller .csv.", message_en=f"No .{fmt} format here; use .json or .csv.")
    return fmt


def _id(key: str) -> tuple[int, str]:
    stem, fmt = split_format(key)
    if not stem.isdigit():
        raise NotFoundError(f"«{stem}» er ikke et nummer.", message_en=f"“{stem}” is not a number.")
    return int(stem), fmt


def _ctx(request: Request) -> tuple[Workspace, Actor, Lang]:
    return ws_of(request), current_actor(request), request_lang(request)


async def _save(request: Request, code: str, entity: str, record_id: int | None, save: Saver, form: FormBuilder,
                template: str, back: str) -> Response:
    """POST flow shared by the edit forms: CSRF → one service call → redirect, or the form again with the problems."""
    body = await checked_form(request, entity, code)
    ws, actor, lang = _ctx(request)
    try:
        new_id = await run_in_threadpool(save, ws, actor, code, body, record_id)
    except (InvalidInputError, ConflictError) as err:
        if wants_json(request):
            raise
        ctx = await run_in_threadpool(form, ws, actor, code, record_id, lang, body, err.details.get("problems", []), err.text(lang))
        return page(request, template, ctx, status=err.http_status)
    if wants_json(request):
        return render(request, template, {"id": new_id, "saved": True}, "json", status=201 if record_id is None else 200)
    return redirect(f"{back}?melding=lagret&{lang_suffix(request)}#rad-{new_id}")


async def _delete(request: Request, code: str, entity: str, record_id: int, remove: Callable[..., None], back: str) -> Response:
    body = await checked_form(request, entity, code)
    ws, actor, _lang = _ctx(request)
    await run_in_threadpool(remove, ws, actor, code, record_id, body)
    if wants_json(request):
        return render(request, "error.html", {"id": record_id, "deleted": True}, "json")
    return redirect(f"{back}?melding=slettet&{lang_suffix(request)}")


# --- overview ---------------------------------------------------------------------------------


@router.get("/region/{code}/handling", summary="A region's local targets, measures and partners at a glance")
def overview(request: Request, code: str) -> Response:
    ws, actor, lang = _ctx(request)
    ctx = svc.overview(ws, actor, code, lang)
    return page(request, "act_overview.html", ctx, title=ctx.region.name)


@router.get("/region/{code}/handling.{fmt}", include_in_schema=False)
def overview_twin(request: Request, code: str, fmt: str) -> Response:
    ws, actor, lang = _ctx(request)
    return page(request, "act_overview.html", svc.overview(ws, actor, code, lang), _fmt(fmt))


# --- local targets ----------------------------------------------------------------------------


@router.get("/region/{code}/lokale-mal", summary="Local targets (drafts only for the region's roles)")
def targets(request: Request, code: str) -> Response:
    ws, actor, lang = _ctx(request)
    ctx = svc.targets_page(ws, actor, code, lang)
    return page(request, "act_targets.html", ctx, title=ctx.region.name)


@router.get("/region/{code}/lokale-mal.{fmt}", include_in_schema=False)
def targets_twin(request: Request, code: str, fmt: str) -> Response:
    ws, actor, lang = _ctx(request)
    return page(request, "act_targets.html", svc.targets_page(ws, actor, code, lang), _fmt(fmt))


@router.get("/region/{code}/lokale-mal/ny", summary="Form for a new local target (editors)")
def target_new(request: Request, code: str) -> Response:
    ws, actor, lang = _ctx(request)
    return page(request, "act_target_form.html", svc.target_form(ws, actor, code, None, lang))


@router.post("/region/{code}/lokale-mal", summary="Create a local target (editors)")
async def target_create(request: Request, code: str) -> Response:
    return await _save(request, code, "local_target", None, _save_target, svc.target_form, "act_target_form.html",
                       f"/region/{code}/lokale-mal")


def _save_target(ws: Workspace, actor: Actor, code: str, body: dict[str, Any], record_id: int | None) -> int:
    return svc.save_target(ws, actor, code, body, record_id)


@router.get("/region/{code}/lokale-mal/{key}", summary="A local target (editors get the edit form)")
def target(request: Request, code: str, key: str) -> Response:
    record_id, fmt = _id(key)
    ws, actor, lang = _ctx(request)
    if fmt == "html" and actor.can_edit(code):
        return page(request, "act_target_form.html", svc.target_form(ws, actor, code, record_id, lang))
    ctx = svc.targets_page(ws, actor, code, lang)
    item = next((lt for lt in ctx.items if lt.id == record_id), None)
    if item is None:
        raise NotFoundError(f"Fant ikke det lokale målet nummer {record_id} for {code}.",
                            message_en=f"Cannot find local target number {record_id} for {code}.")
    return page(request, "act_targets.html", item if fmt == "json" else ctx, _fmt(fmt))


@router.post("/region/{code}/lokale-mal/{record_id}", summary="Update a local target (editors; optimistic locking)")
async def target_update(request: Request, code: str, record_id: int) -> Response:
    return await _save(request, code, "local_target", record_id, _save_target, svc.target_form, "act_target_form.html",
                       f"/region/{code}/lokale-mal")


@router.post("/region/{code}/lokale-mal/{record_id}/slett", summary="Delete a local target (editors)")
async def target_delete(request: Request, code: str, record_id: int) -> Response:
    return await _delete(request, code, "local_target", record_id, svc.delete_target, f"/region/{code}/lokale-mal")


# --- measures ---------------------------------------------------------------------------------


@router.get("/region/{code}/tiltak", summary="Measures (tiltak); ?mal=12 for those serving goal 12")
def measure_list(request: Request, code: str, mal: int | None = Query(None, ge=1, le=17)) -> Response:
    ws, actor, lang = _ctx(request)
    ctx = svc.measures_page(ws, actor, code, lang, mal)
    return page(request, "act_measures.html", ctx, title=ctx.region.name)


@router.get("/region/{code}/tiltak.xlsx", summary="Measures and partners as an Excel workbook")
def measures_excel(request: Request, code: str) -> Response:
    ws, actor, lang = _ctx(request)
    data = svc.export_excel(ws, actor, code, lang)
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="tiltak-{code}.xlsx"'})


@router.get("/region/{code}/tiltak.{fmt}", include_in_schema=False)
def measures_twin(request: Request, code: str, fmt: str, mal: int | None = Query(None, ge=1, le=17)) -> Response:
    ws, actor, lang = _ctx(request)
    return page(request, "act_measures.html", svc.measures_page(ws, actor, code, lang, mal), _fmt(fmt))


@router.post("/region/{code}/tiltak/import", summary="Import measures and partners from Excel (editors; all or nothing)")
async def measures_import(request: Request, code: str) -> Response:
    body = await checked_form(request, "import", code)
    ws, actor, lang = _ctx(request)
    upload = body.get("file")
    if upload is None or isinstance(upload, str | list):
        raise InvalidInputError("Velg en Excel-fil (.xlsx) å laste opp.", message_en="Choose an Excel file (.xlsx) to upload.")
    data = await upload.read()
    name = str(getattr(upload, "filename", "") or "tiltak.xlsx")
    summary = await run_in_threadpool(svc.import_excel, ws, actor, code, data, name, lang)
    if wants_json(request):
        return render(request, "error.html", summary, "json")
    return redirect(f"/region/{code}/tiltak?melding=importert&{lang_suffix(request)}")


@router.get("/region/{code}/tiltak/ny", summary="Form for a new measure (editors)")
def measure_new(request: Request, code: str) -> Response:
    ws, actor, lang = _ctx(request)
    return page(request, "act_measure_form.html", svc.measure_form(ws, actor, code, None, lang))


def _save_measure(ws: Workspace, actor: Actor, code: str, body: dict[str, Any], record_id: int | None) -> int:
    return svc.save_measure(ws, actor, code, body, record_id)


@router.post("/region/{code}/tiltak", summary="Create a measure (editors)")
async def measure_create(request: Request, code: str) -> Response:
    return await _save(request, code, "measure", None, _save_measure, svc.measure_form, "act_measure_form.html", f"/region/{code}/tiltak")


@router.get("/region/{code}/tiltak/{key}", summary="A measure (editors get the edit form)")
def measure(request: Request, code: str, key: str) -> Response:
    record_id, fmt = _id(key)
    ws, actor, lang = _ctx(request)
    if fmt == "html" and actor.can_edit(code):
        return page(request, "act_measure_form.html", svc.measure_form(ws, actor, code, record_id, lang))
    item = svc.measure_page(ws, actor, code, record_id, lang)
    ctx = svc.measures_page(ws, actor, code, lang)
    return page(request, "act_measures.html", item if fmt == "json" else ctx, _fmt(fmt))


@router.post("/region/{code}/tiltak/{record_id}", summary="Update a measure (editors; optimistic locking)")
async def measure_update(request: Request, code: str, record_id: int) -> Response:
    return await _save(request, code, "measure", record_id, _save_measure, svc.measure_form, "act_measure_form.html",
                       f"/region/{code}/tiltak")


@router.post("/region/{code}/tiltak/{record_id}/slett", summary="Delete a measure (editors)")
async def measure_delete(request: Request, code: str, record_id: int) -> Response:
    return await _delete(request, code, "measure", record_id, svc.delete_measure, f"/region/{code}/tiltak")


# --- partners ---------------------------------------------------------------------------------


@router.get("/region/{code}/partnere", summary="Partners; ?mal=12 answers “who works with us on goal 12?”")
def partner_list(request: Request, code: str, mal: int | None = Query(None, ge=1, le=17)) -> Response:
    ws, actor, lang = _ctx(request)
    ctx = svc.partners_page(ws, actor, code, lang, mal)
    return page(request, "act_partners.html", ctx, title=ctx.region.name)


@router.get("/region/{code}/partnere.{fmt}", include_in_schema=False)
def partners_twin(request: Request, code: str, fmt: str, mal: int | None = Query(None, ge=1, le=17)) -> Response:
    ws, actor, lang = _ctx(request)
    return page(request, "act_partners.html", svc.partners_page(ws, actor, code, lang, mal), _fmt(fmt))


@router.get("/region/{code}/partnere/ny", summary="Form for a new partner (editors)")
def partner_new(request: Request, code: str) -> Response:
    ws, actor, lang = _ctx(request)
    return page(request, "act_partner_form.html", svc.partner_form(ws, actor, code, None, lang))


def _save_partner(ws: Workspace, actor: Actor, code: str, body: dict[str, Any], record_id: int | None) -> int:
    return svc.save_partner(ws, actor, code, body, record_id)


@router.post("/region/{code}/partnere", summary="Create a partner (editors)")
async def partner_create(request: Request, code: str) -> Response:
    return await _save(request, code, "partner", None, _save_partner, svc.partner_form, "act_partner_form.html", f"/region/{code}/partnere")


@router.get("/region/{code}/partnere/{key}", summary="A partner (editors get the edit form)")
def partner(request: Request, code: str, key: str) -> Response:
    record_id, fmt = _id(key)
    ws, actor, lang = _ctx(request)
    if fmt == "html" and actor.can_edit(code):
        return page(request, "act_partner_form.html", svc.partner_form(ws, actor, code, record_id, lang))
    ctx = svc.partners_page(ws, actor, code, lang)
    item = next((p for p in ctx.items if p.id == record_id), None)
    if item is None:
        raise NotFoundError(f"Fant ikke partner nummer {record_id} for {code}.", message_en=f"Cannot find partner number {record_id} for {code}.")
    return page(request, "act_partners.html", item if fmt == "json" else ctx, _fmt(fmt))


@router.post("/region/{code}/partnere/{record_id}", summary="Update a partner (editors; optimistic locking)")
async def partner_update(request: Request, code: str, record_id: int) -> Response:
    return await _save(request, code, "partner", record_id, _save_partner, svc.partner_form, "act_partner_form.html",
                       f"/region/{code}/partnere")


@router.post("/region/{code}/partnere/{record_id}/slett", summary="Delete a partner (editors)")
async def partner_delete(request: Request, code: str, record_id: int) -> Response:
    return await _delete(request, code, "partner", record_id, svc.delete_partner, f"/region/{code}/partnere")


# --- self-assessment --------------------------------------------------------------------------


@router.get("/region/{code}/egenvurdering", summary="The self-assessment: profile, change since last year, next steps")
def assessment(request: Request, code: str, ar: int | None = Query(None, ge=2015, le=2100)) -> Response:
    ws, actor, lang = _ctx(request)
    ctx = svc.assessment_profile(ws, actor, code, ar, lang)
    return page(request, "act_assessment.html", ctx, title=ctx.region.name)


@router.get("/region/{code}/egenvurdering.{fmt}", include_in_schema=False)
def assessment_twin(request: Request, code: str, fmt: str, ar: int | None = Query(None, ge=2015, le=2100)) -> Response:
    ws, actor, lang = _ctx(request)
    return page(request, "act_assessment.html", svc.assessment_profile(ws, actor, code, ar, lang), _fmt(fmt))


@router.get("/region/{code}/egenvurdering/{year}", summary="The questionnaire for one year (editors)")
def assessment_edit(request: Request, code: str, year: int) -> Response:
    ws, actor, lang = _ctx(request)
    return page(request, "act_assessment_form.html", svc.assessment_form(ws, actor, code, year, lang))


def _assessment_form(ws: Workspace, actor: Actor, code: str, year: int | None, lang: Lang, body: dict[str, Any],
                     problems: list[dict[str, Any]], error: str) -> svc.AssessmentForm:
    assert year is not None
    return svc.assessment_form(ws, actor, code, year, lang, body, problems, error)


def _save_assessment(ws: Workspace, actor: Actor, code: str, body: dict[str, Any], year: int | None) -> int:
    assert year is not None
    return svc.save_assessment(ws, actor, code, year, body)


@router.post("/region/{code}/egenvurdering/{year}", summary="Save or complete a year's self-assessment (editors)")
async def assessment_save(request: Request, code: str, year: int) -> Response:
    return await _save(request, code, "assessment", year, _save_assessment, _assessment_form, "act_assessment_form.html",
                       f"/region/{code}/egenvurdering")


# --- audit log --------------------------------------------------------------------------------


@router.get("/region/{code}/logg", summary="The region's audit log (the region's roles)")
def audit_log(request: Request, code: str) -> Response:
    ws, actor, _lang = _ctx(request)
    ctx = svc.audit_page(ws, actor, code)
    return page(request, "act_audit.html", ctx, title=ctx.region.name)


@router.get("/region/{code}/logg.{fmt}", include_in_schema=False)
def audit_twin(request: Request, code: str, fmt: str) -> Response:
    ws, actor, _lang = _ctx(request)
    return page(request, "act_audit.html", svc.audit_page(ws, actor, code), _fmt(fmt))


__all__ = ["router"]
