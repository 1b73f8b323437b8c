"""Plan analysis for the web app: check an upload, run the analysis as a background job with
progress, store a finished analysis under a region, list and read stored analyses.

The rule on who may do what:

* **Analysing is open to everyone.** Anyone may upload a plan and read its report. Without a
  region the report is kept in memory only, reachable by whoever has the job's unguessable
  link, and forgotten after :data:`JOB_TTL_S` (or when the server restarts); nothing is
  written to the database.
* **Storing an analysis under a region needs the editor role for that region** (or an
  administrator). Stored analyses are public: they are listed on ``/planer`` and the
  region's progress report (VLR) uses the latest one. A refused attempt is written to the
  audit log (401/403) and nothing is analysed; storing is audited like any other change.

Analyses run one at a time (:data:`MAX_WORKERS`) on a queue of at most :data:`MAX_QUEUED`
waiting jobs, so an upload cannot starve the two cores the web app shares. A failed analysis
stores nothing.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import Engine, delete, func, insert, select

from fn17.actions import audit, catalogue
from fn17.actions.actor import Actor
from fn17.actions.permissions import require_edit
from fn17.config import Lang
from fn17.errors import AuthenticationError, Fn17Error, InvalidInputError, NotFoundError, PermissionDeniedError
from fn17.plans import CatalogueIndicator, CoverageReport, analyze_document, report_from_dict
from fn17.plans.extract import detect_format, empty_file
from fn17.plans.limits import DEFAULT_EMBED_BUDGET_S, DEFAULT_LIMITS, Limits, too_large
from fn17.store.web_tables import plan_analyses
from fn17.workspace import Workspace

log = logging.getLogger(__name__)

MAX_WORKERS = 1
"""Analyses running at once (each uses a core while it classifies)."""
MAX_QUEUED = 8
"""Uploads waiting for a worker; more are refused with 503 until one finishes."""
JOB_TTL_S = 2 * 3600.0
"""How long a finished job (and an unstored report) is kept in memory."""
EMBED_BUDGET_S = DEFAULT_EMBED_BUDGET_S
"""Seconds of language model per analysis; the rest of the passages get the lexicon model
(the CLI's default too). A 100-page plan then takes well under a minute."""
EXTENSIONS = (".pdf", ".docx", ".html", ".htm", ".xhtml", ".md", ".markdown", ".txt", ".text")
ENTITY = "plan_analysis"

State = Literal["queued", "running", "done", "failed"]
STAGES = ("queued", "extract", "segment", "classify", "report", "store", "done", "failed")


class BusyError(Fn17Error):
    """Too many analyses are waiting; try again in a minute."""

    http_status = 503
    exit_code = 1
    code = "busy"


# --- checking an upload -----------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A checked upload, ready to analyse."""

    data: bytes = field(repr=False)
    filename: str
    title: str
    region: catalogue.RegionFacts | None


def _clean_name(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in name if ch.isprintable())[:300] or "dokument"


def check_upload(ws: Workspace, actor: Actor, filename: str, data: bytes, *, region_code: str = "", title: str = "",
                 limits: Limits = DEFAULT_LIMITS) -> Upload:
    """Refuse what cannot be analysed before any work starts: a missing, empty, oversized or
    unsupported file, an unknown or old region code, a title that is too long, and storing
    under a region without the editor role (logged). What only reading the file can tell
    (encrypted, scanned, damaged, zip bomb) fails the job with the same kind of message."""
    name = _clean_name(filename)
    if not filename and not data:
        raise InvalidInputError(
            "Velg en planfil å laste opp.",
            message_en="Choose a plan file to upload.",
            hint="PDF, DOCX, HTML, Markdown eller tekst.",
            hint_en="PDF, DOCX, HTML, Markdown or text.",
            details={"field": "file", "reason": "missing"},
        )
    if len(data) > limits.max_bytes:
        raise too_large(name, "filstørrelse (byte)", "file size (bytes)", len(data), limits.max_bytes)
    if not data.strip():
        raise empty_file(name)
    fmt = detect_format(data, name)  # images, .doc, RTF, OpenDocument … raise here
    if fmt in ("text", "markdown") and "." in name and not name.lower().endswith(EXTENSIONS):
        raise InvalidInputError(
            f"«{name}» er ikke en plan FN17 kan lese (PDF, DOCX, HTML, Markdown eller tekst).",
            message_en=f"'{name}' is not a plan FN17 can read (PDF, DOCX, HTML, Markdown or text).",
            hint="Lagre dokumentet som PDF eller DOCX og last det opp på nytt.",
            hint_en="Save the document as PDF or DOCX and upload it again.",
            details={"file": name, "reason": "unsupported_format"},
        )
    title = " ".join((title or "").split())
    if len(title) > 300:
        raise InvalidInputError(
            f"Tittelen er {len(title)} tegn; den kan være høyst 300.",
            message_en=f"The title is {len(title)} characters; it may be at most 300.",
            details={"field": "title", "reason": "too_long"},
        )
    region = None
    code = (region_code or "").strip()
    if code:
        region = resolve_region(ws, code)
        _require_store(ws.engine, actor, region.code)
    return Upload(data, name, title, region)


def resolve_region(ws: Workspace, text: str) -> catalogue.RegionFacts:
    """A municipality or county from its number or its name (``1508``, ``Ålesund``); an unknown
    one raises NotFoundError naming the nearest matches."""
    text = " ".join((text or "").split())
    with ws.engine.connect() as conn:
        if text.isdigit():
            return catalogue.region(conn, text)
        today = datetime.now(UTC).date()
        hits = [r for r in ws.register.search(text, limit=20) if r.valid_to is None or r.valid_to >= today]
        exact = [r for r in hits if r.name.casefold() == text.casefold()]
        if len(exact) == 1 or len(hits) == 1:
            return catalogue.region(conn, (exact or hits)[0].code)
    near = ", ".join(f"{r.code} {r.name}" for r in hits[:5])
    raise NotFoundError(
        f"Fant ingen entydig kommune eller fylke for «{text}».",
        message_en=f"No single municipality or county matches '{text}'.",
        hint=f"Mente du {near}? Skriv kommunenummeret." if near else "Skriv kommunenummeret (4 siffer) eller fylkesnummeret (2 siffer).",
        hint_en=f"Did you mean {near}? Give the municipality number." if near else "Give the municipality number (4 digits) or county number (2 digits).",
        details={"region": text, "suggestions": [r.code for r in hits[:5]]},
    )


def _require_store(engine: Engine, actor: Actor, code: str) -> None:
    """The editor rule for storing, with a hint that analysing without a region needs no role."""
    try:
        require_edit(engine, actor, code, ENTITY)
    except (AuthenticationError, PermissionDeniedError) as err:
        raise type(err)(
            err.message,
            message_en=err.message_en,
            hint=f"{err.hint} Eller la regionfeltet stå tomt: da får du rapporten uten at analysen lagres.",
            hint_en=f"{err.hint_en} Or leave the region empty: you get the report without the analysis being stored.",
            details={**err.details, "reason": "store_needs_editor"},
        ) from err


# --- the indicator catalogue the report suggests from -----------------------------------------


@lru_cache(maxsize=1)
def indicator_catalogue() -> tuple[CatalogueIndicator, ...]:
    """FN17's own indicator set, with the goals and targets each measures."""
    from fn17.frameworks.fn17set import load_fn17_set

    out = []
    for ind in load_fn17_set().indicators:
        targets = frozenset(str(t) for t in ind.sdg_targets)
        out.append(CatalogueIndicator(ind.id, ind.name.nb, catalogue.goals_of_targets(targets), targets))
    return tuple(out)


# --- stored analyses --------------------------------------------------------------------------


@dataclass(frozen=True)
class AnalysisSummary:
    id: int
    region_code: str | None
    region_name: str | None
    title: str
    filename: str
    lang: str
    pages: int | None
    created_at: datetime
    created_by: str | None
    goals_addressed: tuple[int, ...]
    goals_missing: tuple[int, ...]
    url: str


@dataclass(frozen=True)
class StoredAnalysis:
    summary: AnalysisSummary
    report: CoverageReport


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _region_names(engine: Engine, codes: Iterable[str | None]) -> dict[str, str]:
    names: dict[str, str] = {}
    with engine.connect() as conn:
        for code in {c for c in codes if c}:
            try:
                names[code] = catalogue.region(conn, code).name
            except Fn17Error:  # a code that has since been merged: show the code alone
                names[code] = code
    return names


def _summary(row: Mapping[str, Any], names: Mapping[str, str]) -> AnalysisSummary:
    report = row["report"] or {}
    missing = tuple(int(g) for g in report.get("missing_goals", ()))
    code = row["region_code"]
    return AnalysisSummary(
        id=int(row["id"]), region_code=code, region_name=names.get(code) if code else None, title=str(row["title"]),
        filename=str(row["filename"]), lang=str(row["lang"]), pages=int(row["pages"]) if row["pages"] else None,
        created_at=_aware(row["created_at"]), created_by=row["created_by"],
        goals_addressed=tuple(g for g in range(1, 18) if g not in missing), goals_missing=missing, url=f"/planer/{int(row['id'])}",
    )


def store_analysis(ws: Workspace, actor: Actor, region_code: str, report: CoverageReport, *, title: str = "") -> int:
    """Store a finished analysis under ``region_code`` (editors of the region); returns its id."""
    with ws.engine.connect() as conn:
        region = catalogue.region(conn, region_code)
    _require_store(ws.engine, actor, region.code)
    doc = report.document
    values = {
        "region_code": region.code,
        "title": (title or str(doc.get("title") or "") or str(doc["filename"]))[:300],
        "filename": str(doc["filename"])[:300],
        "sha256": str(doc["sha256"]),
        "lang": str(doc.get("language") or "")[:4],
        "pages": int(doc["pages"]) if doc.get("pages") else None,  # none: a format without pages (HTML, Markdown)
        "created_at": datetime.now(UTC),
        "created_by": (actor.username or None) and actor.username[:64],
        "report": report.to_dict(),
    }
    with ws.engine.begin() as conn:
        key = conn.execute(insert(plan_analyses).values(**values)).inserted_primary_key
        if key is None:
            raise Fn17Error("Databasen ga ingen id for den lagrede plananalysen.",
                            message_en="The database returned no id for the stored plan analysis.")
        new_id = int(key[0])
        audit.record(conn, actor, "create", ENTITY, new_id, region.code,
                     after={k: v for k, v in values.items() if k != "report"},
                     summary=f"plan analysis of {values['filename']} stored")
    log.info("stored plan analysis %d for %s (%s)", new_id, region.code, values["filename"])
    return new_id


def delete_analysis(ws: Workspace, actor: Actor, analysis_id: int) -> str:
    """Delete a stored analysis (editors of its region, administrators), audited with what was
    stored; returns the region code. The region's VLR then uses its previous analysis, if any."""
    with ws.engine.connect() as conn:
        row = conn.execute(select(plan_analyses).where(plan_analyses.c.id == analysis_id)).mappings().first()
    if row is None:
        raise _no_analysis(analysis_id)
    code = str(row["region_code"] or "")
    require_edit(ws.engine, actor, code, ENTITY)
    before = {k: v for k, v in dict(row).items() if k != "report"}
    with ws.engine.begin() as conn:
        conn.execute(delete(plan_analyses).where(plan_analyses.c.id == analysis_id))
        audit.record(conn, actor, "delete", ENTITY, analysis_id, code, before=before,
                     summary=f"plan analysis of {row['filename']} deleted")
    log.info("deleted plan analysis %d of %s", analysis_id, code)
    return code


def list_analyses(ws: Workspace, region_code: str | None = None, limit: int = 200) -> list[AnalysisSummary]:
    """Stored analyses, newest first; only the region's when ``region_code`` is given."""
    q = select(plan_analyses).order_by(plan_analyses.c.created_at.desc(), plan_analyses.c.id.desc()).limit(limit)
    if region_code:
        region = resolve_region(ws, region_code)
        q = q.where(plan_analyses.c.region_code == region.code)
    with ws.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    names = _region_names(ws.engine, (r["region_code"] for r in rows))
    return [_summary(r, names) for r in rows]


def count_analyses(ws: Workspace) -> int:
    with ws.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(plan_analyses)).scalar_one())


def _no_analysis(analysis_id: int) -> NotFoundError:
    return NotFoundError(
        f"Plananalyse {analysis_id} finnes ikke.",
        message_en=f"Plan analysis {analysis_id} does not exist.",
        hint="Se listen over lagrede analyser på /planer.",
        hint_en="See the list of stored analyses at /planer.",
        details={"id": analysis_id},
    )


def get_analysis(ws: Workspace, analysis_id: int) -> StoredAnalysis:
    with ws.engine.connect() as conn:
        row = conn.execute(select(plan_analyses).where(plan_analyses.c.id == analysis_id)).mappings().first()
    if row is None:
        raise _no_analysis(analysis_id)
    data = dict(row)
    names = _region_names(ws.engine, [data["region_code"]])
    return StoredAnalysis(_summary(data, names), report_from_dict(data["report"]))


def latest_analysis(ws: Workspace, region_code: str) -> StoredAnalysis | None:
    """The region's most recently stored analysis; ``None`` when it has none (not a failure)."""
    with ws.engine.connect() as conn:
        first = conn.execute(
            select(plan_analyses.c.id).where(plan_analyses.c.region_code == region_code)
            .order_by(plan_analyses.c.created_at.desc(), plan_analyses.c.id.desc()).limit(1)
        ).scalar()
    return None if first is None else get_analysis(ws, int(first))


# --- background jobs --------------------------------------------------------------------------


@dataclass
class _Job:
    id: str
    upload: Upload | None
    actor: Actor
    created_at: datetime
    state: State = "queued"
    stage: str = "queued"
    done: int = 0
    total: int = 1
    finished: float | None = None
    error: Fn17Error | None = None
    report: CoverageReport | None = None
    analysis_id: int | None = None
    filename: str = ""
    title: str = ""
    region_code: str | None = None
    region_name: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class JobError:
    code: str
    status: int
    message: str
    hint: str | None
    reason: str | None


@dataclass(frozen=True)
class JobStatus:
    """What the progress page and its ``.json`` twin show."""

    id: str
    state: State
    stage: str
    done: int
    total: int
    percent: int
    filename: str
    title: str
    region_code: str | None
    region_name: str | None
    stored: bool
    analysis_id: int | None
    report_url: str | None
    status_url: str
    error: JobError | None
    created_at: datetime
    seconds: float

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


def percent(stage: str, done: int, total: int) -> int:
    """Overall progress: reading 0–10 %, segmenting 10–15 %, classifying 15–95 %, the rest after."""
    frac = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
    spans = {"queued": (0, 0), "extract": (2, 10), "segment": (10, 15), "classify": (15, 95), "report": (95, 98),
             "store": (98, 99), "done": (100, 100)}
    lo, hi = spans.get(stage, (0, 0))
    return int(lo + (hi - lo) * frac)


class PlanJobs:
    """A bounded queue of plan analyses run by :data:`MAX_WORKERS` daemon threads."""

    def __init__(self, ws: Workspace, *, workers: int = MAX_WORKERS, max_queued: int = MAX_QUEUED,
                 ttl_s: float = JOB_TTL_S, embed_budget_s: float | None = EMBED_BUDGET_S, limits: Limits = DEFAULT_LIMITS) -> None:
        self.ws = ws
        self.max_queued = max_queued
        self.ttl_s = ttl_s
        self.embed_budget_s = embed_budget_s
        self.limits = limits
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._threads = [threading.Thread(target=self._work, name=f"fn17-plans-{i}", daemon=True) for i in range(workers)]
        for thread in self._threads:
            thread.start()

    # public -----------------------------------------------------------------------------------

    def submit(self, upload: Upload, actor: Actor) -> str:
        """Queue an analysis; returns the job id (also the secret part of its links)."""
        self._prune()
        with self._lock:
            waiting = sum(1 for j in self._jobs.values() if j.state == "queued")
            if waiting >= self.max_queued:
                raise BusyError(
                    f"{waiting} analyser venter allerede; prøv igjen om et minutt.",
                    message_en=f"{waiting} analyses are already waiting; try again in a minute.",
                    hint="Store planer tar opptil et minutt hver.",
                    hint_en="Large plans take up to a minute each.",
                )
            job = _Job(
                id=secrets.token_urlsafe(16), upload=upload, actor=actor, created_at=datetime.now(UTC),
                filename=upload.filename, title=upload.title or upload.filename,
                region_code=upload.region.code if upload.region else None,
                region_name=upload.region.name if upload.region else None,
            )
            self._jobs[job.id] = job
        self._queue.put(job)
        log.info("queued plan analysis %s (%s, %d bytes)", job.id[:6], upload.filename, len(upload.data))
        return job.id

    def status(self, job_id: str, lang: Lang = "nb") -> JobStatus:
        job = self._job(job_id)
        with self._lock:
            err = job.error
            error = None if err is None else JobError(
                err.code, err.http_status, err.message_en if lang == "en" else err.message,
                err.hint_en if lang == "en" else err.hint, err.details.get("reason"))
            report_url = None
            if job.state == "done":
                report_url = f"/planer/{job.analysis_id}" if job.analysis_id is not None else f"/planer/jobb/{job.id}/rapport"
            return JobStatus(
                id=job.id, state=job.state, stage=job.stage, done=job.done, total=job.total,
                percent=percent(job.stage, job.done, job.total), filename=job.filename, title=job.title,
                region_code=job.region_code, region_name=job.region_name, stored=job.analysis_id is not None,
                analysis_id=job.analysis_id, report_url=report_url, status_url=f"/planer/jobb/{job.id}",
                error=error, created_at=job.created_at, seconds=round(job.seconds, 2),
            )

    def report(self, job_id: str) -> CoverageReport:
        job = self._job(job_id)
        with self._lock:
            report = job.report
        if report is None:
            raise NotFoundError(
                "Analysen er ikke ferdig ennå.",
                message_en="The analysis has not finished yet.",
                hint=f"Følg framdriften på /planer/jobb/{job_id}.",
                hint_en=f"Follow its progress at /planer/jobb/{job_id}.",
            )
        return report

    def wait(self, job_id: str, timeout_s: float = 120.0) -> JobStatus:
        """Block until the job has finished (for the command line and tests)."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            status = self.status(job_id)
            if status.finished:
                return status
            time.sleep(0.05)
        return self.status(job_id)

    # internals --------------------------------------------------------------------------------

    def _job(self, job_id: str) -> _Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(
                "Fant ikke denne analysen. Analyser som ikke er lagret, blir slettet etter to timer.",
                message_en="This analysis was not found. Analyses that are not stored are deleted after two hours.",
                hint="Last opp planen på nytt på /planer.",
                hint_en="Upload the plan again at /planer.",
            )
        return job

    def _prune(self) -> None:
        now = time.monotonic()
        with self._lock:
            for key in [k for k, j in self._jobs.items() if j.finished is not None and now - j.finished > self.ttl_s]:
                del self._jobs[key]

    def _set(self, job: _Job, **values: Any) -> None:
        with self._lock:
            for key, value in values.items():
                setattr(job, key, value)

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            try:
                self._run(job)
            finally:
                self._queue.task_done()

    def _run(self, job: _Job) -> None:
        upload = job.upload
        assert upload is not None
        started = time.perf_counter()
        self._set(job, state="running", stage="extract")

        def progress(done: int, total: int, stage: str) -> None:
            self._set(job, stage=stage, done=done, total=max(total, 1), seconds=time.perf_counter() - started)

        try:
            report = analyze_document(upload.data, upload.filename, progress=progress, indicators=indicator_catalogue,
                                      embed_budget_s=self.embed_budget_s, limits=self.limits)
            analysis_id = None
            if upload.region is not None:
                self._set(job, stage="store", done=0, total=1)
                analysis_id = store_analysis(self.ws, job.actor, upload.region.code, report, title=upload.title)
            title = upload.title or str(report.document.get("title") or "") or upload.filename
            self._set(job, state="done", stage="done", done=1, total=1, report=report, analysis_id=analysis_id, title=title)
        except Fn17Error as err:
            log.info("plan analysis %s failed: %s", job.id[:6], err.message_en)
            self._set(job, state="failed", stage="failed", error=err)
        except Exception as exc:  # an unexpected bug must not leave the job "running" for ever
            log.exception("plan analysis %s failed unexpectedly", job.id[:6])
            self._set(job, state="failed", stage="failed", error=Fn17Error(
                f"Analysen av «{upload.filename}» stoppet på grunn av en feil i FN17 ({type(exc).__name__}).",
                message_en=f"Analysing '{upload.filename}' stopped because of an error in FN17 ({type(exc).__name__}).",
                hint="Prøv igjen; om det skjer igjen, meld feilen med filen vedlagt.",
                hint_en="Try again; if it happens again, report the bug with the file attached.",
                details={"reason": "internal"},
            ))
        finally:
            # drop the file from memory as soon as it has been read
            self._set(job, upload=None, finished=time.monotonic(), seconds=time.perf_counter() - started)


__all__ = [
    "EMBED_BUDGET_S",
    "EXTENSIONS",
    "JOB_TTL_S",
    "MAX_QUEUED",
    "MAX_WORKERS",
    "AnalysisSummary",
    "BusyError",
    "JobError",
    "JobStatus",
    "PlanJobs",
    "StoredAnalysis",
    "Upload",
    "check_upload",
    "count_analyses",
    "delete_analysis",
    "get_analysis",
    "indicator_catalogue",
    "latest_analysis",
    "list_analyses",
    "percent",
    "resolve_region",
    "store_analysis",
]
