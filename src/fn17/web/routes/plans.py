"""Plan analysis on the web: upload a plan, watch the analysis progress, read the report.

| route | what |
| --- | --- |
| ``GET /planer`` (``.json``, ``.csv``) | the upload form and the stored analyses (``?region=1508`` filters) |
| ``POST /planer`` | upload (multipart: ``file``, optional ``region``, ``title``; CSRF) → 303 to the job, or 202 JSON |
| ``GET /planer/jobb/{id}`` (``.json``) | progress: stage and percent; the page refreshes itself (no JavaScript needed) and goes on to the report when done |
| ``GET /planer/jobb/{id}/rapport`` (``.json``) | the report of a finished job (also an unstored one) |
| ``GET /planer/{id}`` (``.json``, ``.csv``) | a stored analysis |

Who may do what is decided in :mod:`fn17.services.plans`: anyone may analyse; storing under a
region needs the region's editor role.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from fn17.config import Lang
from fn17.errors import Fn17Error, NotFoundError
from fn17.plans import CoverageReport, render_html
from fn17.plans.limits import DEFAULT_LIMITS, MIB, too_large
from fn17.services import plans as svc
from fn17.web.render import render, request_lang, split_format
from fn17.web.routes.auth import checked_form, current_actor, page, wants_json, ws_of

router = APIRouter()
_jobs_lock = threading.Lock()
FORM_OVERHEAD = 64 * 1024
"""Room for the other form fields and the multipart boundaries on top of the file itself."""
REFRESH_S = 2


def jobs(request: Request) -> svc.PlanJobs:
    """The app's job queue, started on first use."""
    state = request.app.state
    with _jobs_lock:
        existing = getattr(state, "plan_jobs", None)
        if not isinstance(existing, svc.PlanJobs):
            existing = svc.PlanJobs(ws_of(request))
            state.plan_jobs = existing
    return existing


# --- contexts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlansPage:
    region_filter: str
    region_name: str | None
    analyses: list[svc.AnalysisSummary]
    max_mb: int
    max_pages: int
    extensions: list[str]
    logged_in: bool
    editor_of: list[str]
    form_region: str = ""
    form_title: str = ""
    error: str | None = None
    error_field: str | None = None

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return (["id", "region_code", "region_name", "title", "filename", "pages", "created_at", "goals_addressed", "goals_missing"],
                [[a.id, a.region_code or "", a.region_name or "", a.title, a.filename, a.pages or "", a.created_at.isoformat(),
                  " ".join(map(str, a.goals_addressed)), " ".join(map(str, a.goals_missing))] for a in self.analyses])


@dataclass(frozen=True)
class IndicatorLink:
    id: str
    name: str
    goals: list[int]
    url: str


@dataclass(frozen=True)
class ReportPage:
    title: str
    filename: str
    region_code: str | None
    region_name: str | None
    stored: bool
    analysis_id: int | None
    created_at: datetime | None
    created_by: str | None
    indicators: list[IndicatorLink]
    report: dict[str, Any]
    _html: Markup
    can_delete: bool = False  # the visitor edits the stored analysis's region

    def table(self) -> tuple[list[str], list[list[Any]]]:
        rows = [[g["goal"], g["names"].get("nb", ""), g["status"], g["passages"], g["share"], " ".join(map(str, g["pages"])),
                 " ".join(t["target"] for t in g["targets"])] for g in self.report["goals"]]
        return ["goal", "name", "status", "passages", "share", "pages", "targets"], rows


def _plans_page(request: Request, region: str = "", **form: Any) -> PlansPage:
    ws, actor = ws_of(request), current_actor(request)
    region = (region or "").strip()
    region_name = svc.resolve_region(ws, region).name if region else None
    return PlansPage(
        region_filter=region, region_name=region_name, analyses=svc.list_analyses(ws, region or None),
        max_mb=DEFAULT_LIMITS.max_bytes // MIB, max_pages=DEFAULT_LIMITS.max_pages, extensions=list(svc.EXTENSIONS),
        logged_in=actor.authenticated, editor_of=["*"] if actor.is_admin else sorted(actor.editor_of), **form,
    )


def _indicator_links(report: CoverageReport) -> list[IndicatorLink]:
    seen: dict[str, IndicatorLink] = {}
    goals: dict[str, set[int]] = {}
    for pg in report.plan_goals:
        for ind in pg.indicators:
            goals.setdefault(ind.id, set()).update(pg.sdgs)
            seen.setdefault(ind.id, IndicatorLink(ind.id, ind.name, [], f"/indikator/{ind.id}"))
    return [IndicatorLink(i.id, i.name, sorted(goals[i.id]), i.url) for i in sorted(seen.values(), key=lambda i: i.name)]


def _report_page(report: CoverageReport, lang: Lang, *, title: str, summary: svc.AnalysisSummary | None = None,
                 status: svc.JobStatus | None = None) -> ReportPage:
    html = Markup(render_html(report, lang, standalone=False))  # autoescaped by the plan report's own templates
    return ReportPage(
        title=title, filename=str(report.document["filename"]),
        region_code=summary.region_code if summary else (status.region_code if status else None),
        region_name=summary.region_name if summary else (status.region_name if status else None),
        stored=summary is not None, analysis_id=summary.id if summary else None,
        created_at=summary.created_at if summary else (status.created_at if status else None),
        created_by=summary.created_by if summary else None,
        indicators=_indicator_links(report), report=report.to_dict(), _html=html,
    )


# --- routes -----------------------------------------------------------------------------------


@router.get("/planer", summary="Plan analysis: the upload form and the stored analyses (?region= filters)")
def plans_index(request: Request, region: str = Query("", max_length=100)) -> Response:
    ctx = _plans_page(request, region)
    return page(request, "plans_index.html", ctx, title=ctx.region_name or "Planer")


@router.get("/planer.{fmt}", include_in_schema=False)
def plans_index_twin(request: Request, fmt: str, region: str = Query("", max_length=100)) -> Response:
    if fmt not in ("json", "csv"):
        raise NotFoundError(f"Fant ikke siden {request.url.path}.", message_en=f"Page {request.url.path} not found.")
    return page(request, "plans_index.html", _plans_page(request, region), fmt)


async def _read_upload(request: Request, body: dict[str, Any]) -> tuple[str, bytes]:
    upload = body.get("file")
    if not isinstance(upload, UploadFile):
        return "", b""
    limit = DEFAULT_LIMITS.max_bytes
    data = await upload.read(limit + 1)
    name = upload.filename or "dokument"
    await upload.close()
    if len(data) > limit:
        raise too_large(name, "filstørrelse (byte)", "file size (bytes)", len(data), limit)
    return name, data


@router.post("/planer", summary="Upload a plan to analyse (multipart: file, region, title, csrf)", status_code=303)
async def plans_upload(request: Request) -> Response:
    lang = request_lang(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > DEFAULT_LIMITS.max_bytes + FORM_OVERHEAD:
        err: Fn17Error = too_large("opplastingen", "størrelse (byte)", "upload size (bytes)", int(declared), DEFAULT_LIMITS.max_bytes)
        err.http_status = 413
        raise err
    body = await checked_form(request, svc.ENTITY)
    region, title = str(body.get("region", "") or ""), str(body.get("title", "") or "")
    ws, actor = ws_of(request), current_actor(request)
    try:
        filename, data = await _read_upload(request, body)
        upload = await run_in_threadpool(svc.check_upload, ws, actor, filename, data, region_code=region, title=title)
        job_id = jobs(request).submit(upload, actor)
    except Fn17Error as err:
        if wants_json(request) or err.http_status >= 500:
            raise
        field = str(err.details.get("field") or ("region" if "region" in err.details else "file"))
        ctx = _plans_page(request, "", form_region=region, form_title=title, error=err.text(lang), error_field=field)
        return page(request, "plans_index.html", ctx, status=err.http_status, title="Planer")
    if wants_json(request):
        return render(request, "plans_job.html", jobs(request).status(job_id, lang), "json", status=202)
    return RedirectResponse(f"/planer/jobb/{job_id}?lang={lang}", status_code=303)


@router.get("/planer/jobb/{key}", summary="Progress of an analysis (stage and percent); .json for polling")
def plans_job(request: Request, key: str) -> Response:
    job_id, fmt = split_format(key)
    lang = request_lang(request)
    status = jobs(request).status(job_id, lang)
    if fmt == "html" and status.state == "done" and status.report_url:
        return RedirectResponse(f"{status.report_url}?lang={lang}", status_code=303)
    if fmt == "csv":
        raise NotFoundError("Framdriften finnes som .json, ikke .csv.", message_en="Progress comes as .json, not .csv.")
    return page(request, "plans_job.html", status, fmt, title=status.filename)


@router.get("/planer/jobb/{job_id}/{key}", summary="The report of a finished analysis, stored or not")
def plans_job_report(request: Request, job_id: str, key: str) -> Response:
    name, fmt = split_format(key)
    if name != "rapport":
        raise NotFoundError(f"Fant ikke siden {request.url.path}.", message_en=f"Page {request.url.path} not found.")
    lang = request_lang(request)
    queue = jobs(request)
    status = queue.status(job_id, lang)
    report = queue.report(job_id)
    ctx = _report_page(report, lang, title=status.title, status=status)
    return page(request, "plans_report.html", ctx, fmt, title=ctx.title)


@router.get("/planer/{key}", summary="A stored plan analysis (.json, .csv)")
def plans_analysis(request: Request, key: str) -> Response:
    number, fmt = split_format(key)
    if not number.isdigit():
        raise NotFoundError(
            f"«{number}» er ikke nummeret på en plananalyse.",
            message_en=f"“{number}” is not the number of a plan analysis.",
            hint="Se listen over lagrede analyser på /planer.",
            hint_en="See the list of stored analyses at /planer.",
        )
    lang = request_lang(request)
    stored = svc.get_analysis(ws_of(request), int(number))
    ctx = _report_page(stored.report, lang, title=stored.summary.title, summary=stored.summary)
    code = stored.summary.region_code
    ctx = replace(ctx, can_delete=bool(code) and current_actor(request).can_edit(code or ""))
    return page(request, "plans_report.html", ctx, fmt, title=ctx.title)


@router.post("/planer/{analysis_id}/slett", summary="Delete a stored plan analysis (editors of its region)", status_code=303)
async def plans_delete(request: Request, analysis_id: int) -> Response:
    await checked_form(request, svc.ENTITY)
    code = await run_in_threadpool(svc.delete_analysis, ws_of(request), current_actor(request), analysis_id)
    lang = request_lang(request)
    if wants_json(request):
        return render(request, "plans_index.html", {"deleted": analysis_id, "region": code}, "json")
    return RedirectResponse(f"/planer?region={code}&lang={lang}", status_code=303)


__all__ = ["IndicatorLink", "PlansPage", "ReportPage", "jobs", "router"]
