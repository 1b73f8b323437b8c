"""The progress report as HTML (standalone, printable) and as PDF (WeasyPrint)."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from fn17.i18n import template_helpers
from fn17.reports.vlr import VlrReport

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def render_html(report: VlrReport) -> str:
    lang = report.lang
    return _env().get_template("vlr.html").render(r=report, lang=lang, **template_helpers(lang))


def render_pdf(report: VlrReport) -> bytes:
    """The report as a PDF document (A4, page numbers, table of contents with page references)."""
    from weasyprint import HTML

    html = render_html(report)
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    log.info("rendered the VLR for %s: %d bytes", report.region.code, len(pdf))
    return bytes(pdf)


__all__ = ["render_html", "render_pdf"]
