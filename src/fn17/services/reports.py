"""The progress report (VLR) for the web and the command line: the editors' page (their own
text per section, and the downloads) and the report itself as HTML or PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fn17.actions.actor import Actor
from fn17.actions.permissions import require_read_private
from fn17.config import Lang
from fn17.errors import InvalidInputError
from fn17.i18n import t
from fn17.reports.pdf import render_html, render_pdf
from fn17.reports.texts import SECTIONS, get_texts, save_texts
from fn17.reports.vlr import build_report
from fn17.services.actions import RegionHead, region_head
from fn17.workspace import Workspace

FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class SectionForm:
    id: str
    number: int
    title: str
    guide: str
    body: str
    version: int | None
    updated_by: str
    updated_at: datetime | None


@dataclass(frozen=True)
class ReportPage:
    region: RegionHead
    sections: list[SectionForm]
    problems: list[dict[str, Any]]
    error: str | None


def report_page(ws: Workspace, actor: Actor, code: str, lang: Lang = "nb", submitted: dict[str, Any] | None = None,
                problems: list[dict[str, Any]] | None = None, error: str | None = None) -> ReportPage:
    head = region_head(ws, actor, code)
    require_read_private(ws.engine, actor, head.code, "report")
    texts = get_texts(ws.engine, head.code)
    sections = []
    for n, s in enumerate(SECTIONS, start=1):
        body = texts[s].body
        if submitted is not None and f"text:{s}" in submitted:
            body = str(submitted[f"text:{s}"])
        sections.append(SectionForm(s, n, t(f"report.section.{s}", lang), t(f"report.guide.{s}", lang), body, texts[s].version,
                                    texts[s].updated_by, texts[s].updated_at))
    return ReportPage(head, sections, problems or [], error)


def save_report_texts(ws: Workspace, actor: Actor, code: str, raw: dict[str, Any]) -> int:
    return save_texts(ws.engine, actor, region_head(ws, actor, code).code, raw)


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    media_type: str
    filename: str


def vlr(ws: Workspace, actor: Actor, code: str, fmt: str = "pdf", lang: Lang = "nb", *, include_drafts: bool = False) -> ReportFile:
    """The VLR as a file: ``fmt`` is ``pdf`` or ``html``; ``lang`` nb, nn or en."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"Rapporten finnes som pdf eller html, ikke «{fmt}».",
                                message_en=f"The report comes as pdf or html, not “{fmt}”.")
    report = build_report(ws, actor, code, lang, include_drafts=include_drafts)
    stem = f"vlr-{report.region.code}-{report.generated_at.year}-{lang}"
    if fmt == "html":
        return ReportFile(render_html(report).encode("utf-8"), "text/html; charset=utf-8", f"{stem}.html")
    return ReportFile(render_pdf(report), "application/pdf", f"{stem}.pdf")


__all__ = ["FORMATS", "ReportFile", "ReportPage", "SectionForm", "report_page", "save_report_texts", "vlr"]
