"""The coverage report: which goals and targets a plan addresses, where, with evidence, and what it leaves out."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from fn17.plans._model import Section, SegmentedDocument
from fn17.plans.classify import Prediction
from fn17.plans.embedding import GoalInfo, TargetInfo
from fn17.plans.indicators import PlanGoal
from fn17.plans.lexicon import GOALS, target_sort_key

Status = Literal["broad", "some", "mentioned", "absent"]
TOP_PASSAGES = 3
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Finding:
    """A passage and what was found in it."""

    passage_id: str
    text: str
    page: int | None
    page_end: int | None
    section_id: int
    sdgs: tuple[int, ...]
    targets: tuple[str, ...]
    prediction: Prediction

    def to_dict(self, *, full_text: bool = True) -> dict[str, Any]:
        text = self.text if full_text or len(self.text) <= 300 else self.text[:297] + "…"
        return {
            "passage_id": self.passage_id,
            "text": text,
            "page": self.page,
            "page_end": self.page_end,
            "section_id": self.section_id,
            **self.prediction.to_dict(evidence=True),
        }


@dataclass(frozen=True)
class GoalCoverage:
    goal: int
    names: Mapping[str, str]
    status: Status
    passages: int
    share: float
    strength: float
    """Highest score of any passage for this goal (0–1)."""
    chapters: tuple[int, ...]
    """Chapter (top-level section) ids where the goal appears."""
    pages: tuple[int, ...]
    targets: tuple[tuple[str, int], ...]
    """Targets found for this goal and in how many passages."""
    top: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "names": dict(self.names),
            "status": self.status,
            "passages": self.passages,
            "share": round(self.share, 4),
            "strength": round(self.strength, 4),
            "chapters": list(self.chapters),
            "pages": list(self.pages),
            "targets": [{"target": t, "passages": n} for t, n in self.targets],
            "top_passages": [f.to_dict(full_text=False) for f in self.top],
        }


@dataclass(frozen=True)
class MissingTarget:
    code: str
    goal: int
    labels: Mapping[str, str]
    goal_addressed: bool

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.code, "goal": self.goal, "labels": dict(self.labels), "goal_addressed": self.goal_addressed}


@dataclass(frozen=True)
class Chapter:
    id: int
    title: str
    page: int | None
    passages: int


@dataclass(frozen=True)
class CoverageReport:
    document: Mapping[str, Any]
    method: Mapping[str, Any]
    goals: tuple[GoalCoverage, ...]
    chapters: tuple[Chapter, ...]
    sections: tuple[Section, ...]
    matrix: Mapping[int, Mapping[int, int]]
    """``matrix[goal][chapter_id]`` = passages in that chapter predicted for that goal."""
    missing_goals: tuple[int, ...]
    missing_targets: tuple[MissingTarget, ...]
    plan_goals: tuple[PlanGoal, ...]
    findings: tuple[Finding, ...]
    """Every passage with at least one goal."""
    indicators_connected: bool
    notices: tuple[Mapping[str, str], ...] = field(default=())

    def goal(self, number: int) -> GoalCoverage:
        return self.goals[number - 1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "document": dict(self.document),
            "method": dict(self.method),
            "notices": [dict(n) for n in self.notices],
            "goals": [g.to_dict() for g in self.goals],
            "chapters": [{"id": c.id, "title": c.title, "page": c.page, "passages": c.passages} for c in self.chapters],
            "sections": [
                {"id": s.id, "title": s.title, "level": s.level, "path": list(s.path), "page": s.page} for s in self.sections
            ],
            "matrix": {str(g): {str(c): n for c, n in row.items()} for g, row in self.matrix.items()},
            "missing_goals": list(self.missing_goals),
            "missing_targets": [m.to_dict() for m in self.missing_targets],
            "plan_goals": [p.to_dict() for p in self.plan_goals],
            "indicators_connected": self.indicators_connected,
            "findings": [f.to_dict() for f in self.findings],
        }


def _status(passages: int, share: float) -> Status:
    if passages == 0:
        return "absent"
    if passages >= 5 or (passages >= 3 and share >= 0.03):
        return "broad"
    if passages >= 2:
        return "some"
    return "mentioned"


def chapter_of(sections: Sequence[Section]) -> dict[int, int]:
    """Each section id → the id of its top-level ancestor (its chapter); the root is its own chapter."""
    top_level = min((s.level for s in sections if s.level > 0), default=1)
    result: dict[int, int] = {}
    current = 0
    for s in sections:
        if s.level == 0:
            result[s.id] = 0
            continue
        if s.level <= top_level:
            current = s.id
        result[s.id] = current
    return result


def build_report(
    doc: SegmentedDocument,
    predictions: Sequence[Prediction],
    goals: Mapping[int, GoalInfo],
    targets: Mapping[str, TargetInfo],
    plan_goals: Sequence[PlanGoal],
    *,
    document_info: Mapping[str, Any],
    method_info: Mapping[str, Any],
    high_relevance: Sequence[str] | None = None,
    indicators_connected: bool = False,
) -> CoverageReport:
    passages = doc.passages
    chapter = chapter_of(doc.sections)
    findings = [
        Finding(p.id, p.text, p.page, p.page_end, p.section_id, pred.sdgs, tuple(t.code for t in pred.targets), pred)
        for p, pred in zip(passages, predictions, strict=True)
        if pred.sdgs
    ]
    n = max(len(passages), 1)
    by_goal: dict[int, list[Finding]] = defaultdict(list)
    for f in findings:
        for g in f.sdgs:
            by_goal[g].append(f)
    matrix: dict[int, dict[int, int]] = {g: {} for g in GOALS}
    coverage: list[GoalCoverage] = []
    for g in GOALS:
        hits = by_goal.get(g, [])
        for f in hits:
            c = chapter[f.section_id]
            matrix[g][c] = matrix[g].get(c, 0) + 1
        target_counts = Counter(t for f in hits for t in f.targets if t.split(".")[0] == str(g))
        top = sorted(hits, key=lambda f: -f.prediction.scores[g])[:TOP_PASSAGES]
        coverage.append(
            GoalCoverage(
                goal=g,
                names=goals[g].names,
                status=_status(len(hits), len(hits) / n),
                passages=len(hits),
                share=len(hits) / n,
                strength=max((f.prediction.scores[g] for f in hits), default=0.0),
                chapters=tuple(sorted({chapter[f.section_id] for f in hits})),
                pages=tuple(sorted({f.page for f in hits if f.page is not None})),
                targets=tuple(sorted(target_counts.items(), key=lambda kv: target_sort_key(kv[0]))),
                top=tuple(top),
            )
        )
    found_targets = {t for f in findings for t in f.targets}
    wanted = list(high_relevance) if high_relevance is not None else [c for c, t in targets.items() if t.relevance == "high"]
    missing_targets = tuple(
        MissingTarget(code, targets[code].goal, targets[code].labels, bool(by_goal.get(targets[code].goal)))
        for code in sorted(wanted, key=target_sort_key)
        if code in targets and code not in found_targets
    )
    chapter_passages = Counter(chapter[p.section_id] for p in passages)
    chapters = tuple(
        Chapter(s.id, s.title, s.page, chapter_passages.get(s.id, 0))
        for s in doc.sections
        if chapter.get(s.id) == s.id and (chapter_passages.get(s.id, 0) or s.id != 0)
    )
    notices = tuple({"code": x.code, "nb": x.nb, "en": x.en} for x in doc.notices)
    return CoverageReport(
        document=dict(document_info),
        method=dict(method_info),
        goals=tuple(coverage),
        chapters=chapters,
        sections=doc.sections,
        matrix=matrix,
        missing_goals=tuple(g.goal for g in coverage if g.status == "absent"),
        missing_targets=missing_targets,
        plan_goals=tuple(plan_goals),
        findings=tuple(findings),
        indicators_connected=indicators_connected,
        notices=notices,
    )
