"""``analyze_document``: the one call the CLI and the web app make to analyse a plan.

Nothing is written anywhere: the file is read from memory, and a failed analysis leaves nothing
behind. Long work reports progress through an optional callback ``progress(done, total, stage)``
with the stages ``extract``, ``segment``, ``classify`` and ``report``; an exception raised by the callback
(for example when a web client goes away) stops the analysis.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Literal

from fn17.errors import Fn17Error
from fn17.plans._lang import detect_language
from fn17.plans.calibration import Method
from fn17.plans.classify import SdgClassifier, default_classifier
from fn17.plans.coverage import CoverageReport, build_report
from fn17.plans.embedding import MODEL_ID, TargetInfo
from fn17.plans.extract import extract, read_source
from fn17.plans.indicators import IndicatorSource, find_plan_goals, resolve_catalogue, suggest_indicators
from fn17.plans.limits import DEFAULT_LIMITS, Deadline, Limits
from fn17.plans.segment import segment

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]


def target_catalogue(own: Mapping[str, TargetInfo]) -> dict[str, TargetInfo]:
    """All targets with municipal relevance and short titles from FN17's SDG framework
    (:mod:`fn17.frameworks.sdg`) when it loads, else the plan analysis's own list."""
    try:
        from fn17.frameworks.sdg import load_sdg

        framework = load_sdg()
    except (ImportError, Fn17Error) as exc:
        log.warning("SDG framework unavailable (%s); using the plan analysis's own target list", exc)
        return dict(own)
    out: dict[str, TargetInfo] = {}
    for target in framework.targets:
        level = target.relevance_municipal
        relevance: Literal["high", "medium", "low"] = "high" if level == "high" else "low" if level == "low" else "medium"
        labels = {lang: target.title(lang) for lang in ("nb", "nn", "en")}
        out[target.code] = TargetInfo(target.code, target.goal, relevance, labels)
    return out


def analyze_document(
    path_or_bytes: bytes | str | os.PathLike[str],
    filename: str | None = None,
    *,
    progress: ProgressCallback | None = None,
    indicators: IndicatorSource | None = None,
    high_relevance_targets: Sequence[str] | None = None,
    method: Method = "combined",
    embed_budget_s: float | None = None,
    limits: Limits = DEFAULT_LIMITS,
    classifier: SdgClassifier | None = None,
) -> CoverageReport:
    """Read a plan and report which SDGs and targets it addresses, where, and with what evidence.

    ``indicators`` is the catalogue to suggest indicators from (objects with ``id``, ``name``,
    ``goals`` and ``targets``, or a callable returning them). ``high_relevance_targets`` overrides
    FN17's own list of targets that matter most for municipalities. ``embed_budget_s`` bounds the
    time spent on the language model (the rest of the passages get the lexicon model).
    """
    started = time.perf_counter()
    data, name = read_source(path_or_bytes, filename, limits)
    deadline = Deadline(limits.max_seconds, name)
    report_progress = progress or (lambda done, total, stage: None)
    report_progress(0, 1, "extract")
    document = extract(data, name, limits=limits, deadline=deadline)
    report_progress(1, 1, "extract")
    report_progress(0, 1, "segment")
    segmented = segment(document, limits=limits)
    t_extract = time.perf_counter() - started
    report_progress(1, 1, "segment")

    clf = classifier or default_classifier()
    texts = [p.text for p in segmented.passages]
    total = len(texts)

    def classify_progress(done: int, _total: int, _stage: str) -> None:
        deadline.check("klassifisering")
        report_progress(done, total, "classify")

    report_progress(0, total, "classify")
    t0 = time.perf_counter()
    predictions = clf.predict(texts, method=method, budget_s=embed_budget_s, progress=classify_progress)
    t_classify = time.perf_counter() - t0
    report_progress(total, total, "classify")

    sections = segmented.sections
    rows = [(p.id, p.text, p.page, p.section_id, sections[p.section_id].title) for p in segmented.passages]
    plan_goals = find_plan_goals(
        rows, [p.sdgs for p in predictions], [tuple(t.code for t in p.targets) for p in predictions], clf.lexicon
    )
    catalogue = resolve_catalogue(indicators)
    if catalogue is not None:
        plan_goals = [replace(g, indicators=suggest_indicators(g, catalogue)) for g in plan_goals]
    prototypes = clf.prototypes
    embedded = sum(p.embedded for p in predictions)
    report = build_report(
        segmented,
        predictions,
        prototypes.goals,
        target_catalogue(prototypes.targets),
        plan_goals,
        document_info={
            "filename": name,
            "format": document.format,
            "title": document.title,
            "pages": document.n_pages,
            "page_numbers": document.page_mode,
            "language": detect_language(texts),
            "passages": total,
            "sections": len(sections) - 1,
            "characters": document.n_chars,
            "sha256": hashlib.sha256(data).hexdigest(),
        },
        method_info={
            "method": method,
            "model": MODEL_ID if method != "lexicon" else None,
            "lexicon_terms": len(clf.lexicon),
            "embedded_passages": embedded,
            "embed_budget_seconds": embed_budget_s,
            "calibration": dict(clf.calibration.trained_on),
            "seconds": {
                "extract": round(t_extract, 3),
                "classify": round(t_classify, 3),
                "total": round(time.perf_counter() - started, 3),
            },
        },
        high_relevance=high_relevance_targets,
        indicators_connected=catalogue is not None,
    )
    report_progress(1, 1, "report")
    log.info("analysed %s: %d passages, %d goals addressed, %.1f s", name, total,
             17 - len(report.missing_goals), time.perf_counter() - started)
    return report
