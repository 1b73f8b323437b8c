"""Read a coverage report back from its JSON form (:meth:`CoverageReport.to_dict`).

The web app stores a finished analysis as JSON (table ``plan_analyses``) and shows it again
later with :func:`~fn17.plans.render.render_html`; the progress report (VLR) reads the
region's latest analysis. ``report_from_dict(report.to_dict()).to_dict() == report.to_dict()``.

What JSON does not keep, and how it comes back: a lexicon phrase's own weight and targets
(weight 0, no targets), and which lexicon pattern belonged to which phrase (each phrase of a
goal carries all of that goal's patterns). Nothing the report shows depends on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from fn17.errors import DataFileError
from fn17.plans._model import Section
from fn17.plans.classify import GoalEvidence, Prediction, TargetEvidence
from fn17.plans.coverage import SCHEMA_VERSION, Chapter, CoverageReport, Finding, GoalCoverage, MissingTarget, Status
from fn17.plans.features import Phrase
from fn17.plans.indicators import PlanGoal, SuggestedIndicator

STATUSES: tuple[Status, ...] = ("broad", "some", "mentioned", "absent")


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _evidence(raw: Mapping[str, Any]) -> GoalEvidence:
    patterns = tuple(str(p) for p in raw.get("lexicon_patterns", ()))
    phrases = tuple(Phrase(str(text), 0.0, patterns, ()) for text in raw.get("terms", ()))
    return GoalEvidence(
        goal=int(raw["goal"]),
        score=float(raw["score"]),
        predicted=bool(raw["predicted"]),
        lexicon_score=float(raw["lexicon_score"]),
        phrases=phrases,
        similarity=_float_or_none(raw.get("similarity")),
        nearest_prototype=None if raw.get("nearest_prototype") is None else str(raw["nearest_prototype"]),
    )


def _target(raw: Mapping[str, Any]) -> TargetEvidence:
    return TargetEvidence(
        code=str(raw["target"]),
        score=float(raw["score"]),
        terms=tuple(str(t) for t in raw.get("terms", ())),
        similarity=_float_or_none(raw.get("similarity")),
        source=str(raw["source"]),
    )


def _finding(raw: Mapping[str, Any]) -> Finding:
    evidence = {int(e["goal"]): _evidence(e) for e in raw.get("evidence", ())}
    targets = tuple(_target(t) for t in raw.get("targets", ()))
    prediction = Prediction(
        sdgs=tuple(int(g) for g in raw["sdgs"]),
        scores={int(g): float(s) for g, s in raw["scores"].items()},
        evidence=evidence,
        targets=targets,
        method=str(raw.get("method", "")),
        embedded=bool(raw.get("embedded", False)),
    )
    return Finding(
        passage_id=str(raw["passage_id"]),
        text=str(raw["text"]),
        page=_int_or_none(raw.get("page")),
        page_end=_int_or_none(raw.get("page_end")),
        section_id=int(raw["section_id"]),
        sdgs=prediction.sdgs,
        targets=tuple(t.code for t in targets),
        prediction=prediction,
    )


def _status(value: Any) -> Status:
    for status in STATUSES:
        if status == value:
            return status
    raise KeyError(f"unknown coverage status {value!r}")


def _goal(raw: Mapping[str, Any], findings: Mapping[str, Finding]) -> GoalCoverage:
    return GoalCoverage(
        goal=int(raw["goal"]),
        names={str(k): str(v) for k, v in raw["names"].items()},
        status=_status(raw["status"]),
        passages=int(raw["passages"]),
        share=float(raw["share"]),
        strength=float(raw["strength"]),
        chapters=tuple(int(c) for c in raw["chapters"]),
        pages=tuple(int(p) for p in raw["pages"]),
        targets=tuple((str(t["target"]), int(t["passages"])) for t in raw["targets"]),
        top=tuple(findings[str(p["passage_id"])] for p in raw["top_passages"]),
    )


def _plan_goal(raw: Mapping[str, Any]) -> PlanGoal:
    return PlanGoal(
        text=str(raw["text"]),
        passage_id=str(raw["passage_id"]),
        page=_int_or_none(raw.get("page")),
        section_id=int(raw["section_id"]),
        sdgs=tuple(int(g) for g in raw["sdgs"]),
        targets=tuple(str(t) for t in raw["targets"]),
        indicators=tuple(
            SuggestedIndicator(
                id=str(i["id"]),
                name=str(i["name"]),
                score=float(i["score"]),
                matched_targets=tuple(str(t) for t in i["matched_targets"]),
                matched_goals=tuple(int(g) for g in i["matched_goals"]),
            )
            for i in raw.get("indicators", ())
        ),
    )


def _sections(raw: Sequence[Mapping[str, Any]]) -> tuple[Section, ...]:
    return tuple(
        Section(int(s["id"]), str(s["title"]), int(s["level"]), tuple(str(p) for p in s["path"]), _int_or_none(s.get("page")))
        for s in raw
    )


def report_from_dict(data: Mapping[str, Any]) -> CoverageReport:
    """The :class:`CoverageReport` that ``to_dict`` wrote; a damaged or foreign document raises
    :class:`~fn17.errors.DataFileError`."""
    version = data.get("schema_version") if isinstance(data, Mapping) else None
    if version != SCHEMA_VERSION:
        raise DataFileError(
            f"Den lagrede plananalysen har skjemaversjon {version!r}; denne FN17 leser versjon {SCHEMA_VERSION}.",
            message_en=f"The stored plan analysis has schema version {version!r}; this FN17 reads version {SCHEMA_VERSION}.",
            hint="Analyser planen på nytt på /planer.",
            hint_en="Analyse the plan again at /planer.",
            details={"schema_version": version},
        )
    try:
        findings = tuple(_finding(f) for f in data["findings"])
        by_id = {f.passage_id: f for f in findings}
        goals = tuple(_goal(g, by_id) for g in data["goals"])
        report = CoverageReport(
            document=dict(data["document"]),
            method=dict(data["method"]),
            goals=goals,
            chapters=tuple(Chapter(int(c["id"]), str(c["title"]), _int_or_none(c.get("page")), int(c["passages"]))
                           for c in data["chapters"]),
            sections=_sections(data["sections"]),
            matrix={int(g): {int(c): int(n) for c, n in row.items()} for g, row in data["matrix"].items()},
            missing_goals=tuple(int(g) for g in data["missing_goals"]),
            missing_targets=tuple(
                MissingTarget(str(m["target"]), int(m["goal"]), {str(k): str(v) for k, v in m["labels"].items()},
                              bool(m["goal_addressed"]))
                for m in data["missing_targets"]
            ),
            plan_goals=tuple(_plan_goal(p) for p in data["plan_goals"]),
            findings=findings,
            indicators_connected=bool(data["indicators_connected"]),
            notices=tuple(cast(Mapping[str, str], {str(k): str(v) for k, v in n.items()}) for n in data.get("notices", ())),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataFileError(
            f"Den lagrede plananalysen kan ikke leses: {exc!r}.",
            message_en=f"The stored plan analysis cannot be read: {exc!r}.",
            hint="Analyser planen på nytt på /planer.",
            hint_en="Analyse the plan again at /planer.",
        ) from exc
    if len(report.goals) != 17:
        raise DataFileError(
            f"Den lagrede plananalysen har {len(report.goals)} mål, ikke 17.",
            message_en=f"The stored plan analysis has {len(report.goals)} goals, not 17.",
        )
    return report


__all__ = ["report_from_dict"]
