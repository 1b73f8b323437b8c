"""Reports: the Voluntary Local Review (VLR) progress report as HTML and PDF."""

from fn17.reports.pdf import render_html, render_pdf
from fn17.reports.vlr import VlrReport, build_report

__all__ = ["VlrReport", "build_report", "render_html", "render_pdf"]
