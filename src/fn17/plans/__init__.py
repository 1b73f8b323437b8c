"""Plan analysis: read a plan, find which SDGs and targets it addresses, where, and with what evidence.

    from fn17.plans import analyze_document, render_html
    report = analyze_document("kommuneplan.pdf")
    report.to_dict()            # JSON-ready
    render_html(report, "nb")   # self-contained HTML

Pipeline: :mod:`~fn17.plans.extract` (PDF, DOCX, HTML, Markdown, text) → :mod:`~fn17.plans.segment`
→ :mod:`~fn17.plans.classify` (lexicon + multilingual embeddings + calibration) →
:mod:`~fn17.plans.coverage` → :mod:`~fn17.plans.render`.
"""

from __future__ import annotations

from fn17.plans._model import Block, ExtractedDocument, Notice, Passage, Section, SegmentedDocument
from fn17.plans.calibration import METHODS, Method
from fn17.plans.classify import GoalEvidence, Prediction, SdgClassifier, TargetEvidence, classify_texts
from fn17.plans.coverage import CoverageReport, GoalCoverage
from fn17.plans.evaluate import LabelledText, Score, evaluate, load_labelled
from fn17.plans.extract import extract
from fn17.plans.indicators import CatalogueIndicator, IndicatorLike, PlanGoal, SuggestedIndicator
from fn17.plans.limits import Limits
from fn17.plans.render import render_html, render_json, render_table
from fn17.plans.segment import segment
from fn17.plans.serialize import report_from_dict
from fn17.plans.service import analyze_document

__all__ = [
    "METHODS",
    "Block",
    "CatalogueIndicator",
    "CoverageReport",
    "ExtractedDocument",
    "GoalCoverage",
    "GoalEvidence",
    "IndicatorLike",
    "LabelledText",
    "Limits",
    "Method",
    "Notice",
    "Passage",
    "PlanGoal",
    "Prediction",
    "Score",
    "SdgClassifier",
    "Section",
    "SegmentedDocument",
    "SuggestedIndicator",
    "TargetEvidence",
    "analyze_document",
    "classify_texts",
    "evaluate",
    "extract",
    "load_labelled",
    "render_html",
    "render_json",
    "render_table",
    "report_from_dict",
    "segment",
]
