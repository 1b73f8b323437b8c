"""The municipality's own figures in the web app: a template to fill in, and an upload that is
checked in full and written all or nothing (``fn17.sources.owndata`` does the work).

Only the region's editors (and administrators) may upload, and only figures for regions they
edit: a row for another region is reported as a problem and nothing is written. Uploads are
kept per region (``own:{code}:{file name}``), so a new upload of the same file for the same
region replaces the earlier one and never another region's."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from fn17.actions import catalogue
from fn17.actions.actor import Actor
from fn17.actions.permissions import require_edit
from fn17.config import Lang
from fn17.errors import InvalidInputError
from fn17.sources.owndata import MAX_UPLOAD_BYTES, UploadResult, import_upload, write_template
from fn17.store.tables import import_log
from fn17.workspace import Workspace

log = logging.getLogger(__name__)
ENTITY = "own_data"
SAFE_NAME = "".join(chr(c) for c in range(128) if chr(c).isalnum()) + "-_. æøåÆØÅ"


@dataclass(frozen=True)
class IndicatorChoice:
    id: str
    name: str
    unit: str


@dataclass(frozen=True)
class PastUpload:
    id: int
    file: str
    user: str | None
    at: datetime
    rows: int
    status: str


@dataclass(frozen=True)
class OwnDataPage:
    code: str
    name: str
    can_edit: bool
    indicators: list[IndicatorChoice]
    periods: list[str]
    uploads: list[PastUpload]
    max_mb: int
    result: UploadResult | None = None
    error: str | None = None
    problems: list[dict[str, object]] = field(default_factory=list)

    def table(self) -> tuple[list[str], list[list[object]]]:
        return ["id", "file", "user", "at", "rows", "status"], [
            [u.id, u.file, u.user, u.at.isoformat(), u.rows, u.status] for u in self.uploads]


def _scope(code: str) -> str:
    """The import-log source prefix of the region's uploads (``upload:own:{code}:{file}``)."""
    return f"upload:own:{code}:"


def _indicators(lang: Lang) -> list[IndicatorChoice]:
    """FN17's own indicators, whether or not the store has data for them yet."""
    from fn17.frameworks.fn17set import load_fn17_set

    return [IndicatorChoice(i.id, getattr(i.name, lang), i.unit.en if lang == "en" else i.unit.nb)
            for i in load_fn17_set().indicators]


def _uploads(ws: Workspace, code: str) -> list[PastUpload]:
    q = (select(import_log.c.id, import_log.c.source, import_log.c.user_name, import_log.c.started_at, import_log.c.rows,
                import_log.c.status)
         .where(import_log.c.source.like(f"{_scope(code)}%")).order_by(import_log.c.id.desc()).limit(50))
    with ws.engine.connect() as conn:
        rows = conn.execute(q).all()
    return [PastUpload(r.id, r.source[len(_scope(code)):], r.user_name, r.started_at, int(r.rows or 0), r.status) for r in rows]


def own_data_page(ws: Workspace, actor: Actor, code: str, lang: Lang = "nb", *, result: UploadResult | None = None,
                  error: str | None = None, problems: list[dict[str, object]] | None = None) -> OwnDataPage:
    """The page: template form, upload form (editors), and the region's earlier uploads."""
    with ws.engine.connect() as conn:
        region = catalogue.region(conn, code)
    this_year = date.today().year
    return OwnDataPage(
        code=region.code, name=region.name, can_edit=actor.can_edit(region.code), indicators=_indicators(lang),
        periods=[str(y) for y in range(this_year - 3, this_year)], uploads=_uploads(ws, region.code),
        max_mb=MAX_UPLOAD_BYTES // 1024 // 1024, result=result, error=error, problems=list(problems or []),
    )


def template_bytes(ws: Workspace, code: str, indicators: list[str], periods: list[str]) -> bytes:
    """An Excel template for the region: one row per indicator and period, values to fill in."""
    with ws.engine.connect() as conn:
        region = catalogue.region(conn, code)
    if not indicators:
        raise InvalidInputError("Velg minst én indikator for malen.", message_en="Choose at least one indicator for the template.")
    if not periods:
        raise InvalidInputError("Oppgi minst ett år for malen, f.eks. 2024.", message_en="Give at least one year for the template, e.g. 2024.")
    with tempfile.TemporaryDirectory(prefix="fn17-template-") as tmp:
        path = write_template(ws, Path(tmp) / "mal.xlsx", indicators, [region.code], periods)
        return path.read_bytes()


def upload(ws: Workspace, actor: Actor, code: str, filename: str, data: bytes) -> UploadResult:
    """Check and write an uploaded CSV or Excel file for ``code``; all or nothing."""
    with ws.engine.connect() as conn:
        region = catalogue.region(conn, code)
    require_edit(ws.engine, actor, region.code, ENTITY)
    name = "".join(c for c in Path(filename or "").name if c in SAFE_NAME).strip(" .") or "opplasting.xlsx"
    with tempfile.TemporaryDirectory(prefix="fn17-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        result = import_upload(ws, path, user=actor.username or "?", scope=region.code, may_write=actor.can_edit)
    log.info("own data for %s uploaded by %s: %d values", region.code, actor.username, result.rows)
    return result


__all__ = ["ENTITY", "IndicatorChoice", "OwnDataPage", "PastUpload", "own_data_page", "template_bytes", "upload"]
