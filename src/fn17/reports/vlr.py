"""The Voluntary Local Review (VLR): a progress report for a municipality or county, in bokmål
or nynorsk (English too), following the UN DESA guiding elements for VLRs:

 1. opening statement                      6. progress on goals and targets
 2. highlights                             7. means of implementation and partnerships
 3. introduction and local context         8. challenges and next steps
 4. methodology and process                9. statistical annex
 5. policy and enabling environment (the SDGs in plans and budget)

``build_report`` fills it from the store: region facts and context indicators, the scores
the dashboards show, local targets with their indicators and series, measures, partners,
the self-assessment, and the editors' own text per section. Unless ``include_drafts`` is
set, only published targets, measures and partners and completed self-assessments are
used, so a report can be shared without leaking drafts.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from markupsafe import Markup

from fn17.actions import assessment as self_assessment
from fn17.actions import catalogue, measures, nextsteps, partners, targets
from fn17.actions.actor import ANONYMOUS, Actor
from fn17.actions.permissions import require_read_private
from fn17.config import Lang
from fn17.i18n import fmt_number, t
from fn17.reports import charts
from fn17.reports.facts import Fact, context_facts, yearly_series
from fn17.reports.plans import PlanCoverage, plan_coverage
from fn17.reports.scores import RegionScores, ScoresUnavailable, load_scores
from fn17.reports.texts import SECTIONS, get_texts
from fn17.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GoalRow:
    number: int
    name: str
    short_name: str
    sdg_colour: str
    score: float | None
    colour: str | None
    colour_label: str
    trend_label: str
    local_targets: int
    measures: int
    budget_nok: float


@dataclass(frozen=True)
class TargetIndicatorRow:
    indicator_id: str
    name: str
    unit: str
    latest_value: float | None
    latest_period: str
    target_value: float
    target_year: int
    trend_label: str
    chart: Markup


@dataclass(frozen=True)
class LocalTargetRow:
    id: int
    title: str
    description: str
    sdg_targets: list[tuple[str, str]]
    plan_name: str
    plan_reference: str
    adopted_year: int | None
    published: bool
    indicators: list[TargetIndicatorRow]
    measures: list[str]


@dataclass(frozen=True)
class AnnexRow:
    indicator_id: str
    name: str
    unit: str
    value: float | None
    period: str
    score: float | None
    colour_label: str
    source: str
    source_table: str
    retrieved_at: datetime | None
    use: str  # scored, context


@dataclass(frozen=True)
class Section:
    id: str
    number: int
    title: str
    text: str

    @property
    def paragraphs(self) -> list[list[str]]:
        """The editor's text as paragraphs (split on blank lines) of lines."""
        blocks = [b.strip() for b in self.text.replace("\r\n", "\n").split("\n\n")]
        return [[line.strip() for line in b.split("\n")] for b in blocks if b]


@dataclass(frozen=True)
class VlrReport:
    lang: Lang
    region: catalogue.RegionFacts
    generated_at: datetime
    include_drafts: bool
    sections: list[Section]
    scores_available: bool
    scores_note: str
    index: float | None
    coverage: float | None
    goals: list[GoalRow]
    context: list[Fact]
    local_targets: list[LocalTargetRow]
    plans: list[tuple[str, int, str]]
    measures: list[measures.Measure]
    partners: list[partners.Partner]
    partner_kinds: dict[str, int]
    global_compact: int
    budget_total: float
    assessment: self_assessment.Profile | None
    highlights: list[str]
    challenges: list[str]
    steps: list[self_assessment.NextStep]
    annex: list[AnnexRow]
    charts: dict[str, Markup] = field(default_factory=dict)
    plan: PlanCoverage | None = None
    """The region's latest analysed plan (``/planer``), or None when none is stored."""

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)


def _scores(ws: Workspace, code: str, lang: Lang) -> tuple[RegionScores | None, str]:
    try:
        return load_scores(ws, code, lang), ""
    except ScoresUnavailable as exc:
        log.info("report for %s without scores: %s", code, exc.message_en)
        return None, exc.message_en if lang == "en" else exc.message


def build_report(ws: Workspace, actor: Actor, code: str, lang: Lang = "nb", *, include_drafts: bool = False,
                 now: datetime | None = None) -> VlrReport:
    """Everything the report shows, as one context; the caller renders it to HTML or PDF."""
    engine = ws.engine
    with engine.connect() as conn:
        facts = catalogue.region(conn, code)
        goal_info = catalogue.goals(conn, lang)
        sdg = catalogue.sdg_targets(conn, lang)
    require_read_private(engine, actor, facts.code, "report")
    viewer = actor if include_drafts else ANONYMOUS
    scores, scores_note = _scores(ws, facts.code, lang)
    lts = targets.list_targets(engine, viewer, facts.code)
    ms = measures.list_measures(engine, viewer, facts.code, lang)
    ps = partners.list_partners(engine, viewer, facts.code)
    profile = _assessment(ws, actor, facts.code, lang, include_drafts)
    texts = get_texts(engine, facts.code)

    goal_scores = {g.goal: g for g in (scores.goals if scores else [])}
    goals: list[GoalRow] = []
    for number, info in sorted(goal_info.items()):
        gs = goal_scores.get(number)
        serving = [m for m in ms if number in m.goals]
        goals.append(GoalRow(number, info.name, ws.sdg.goal(number).short_name(lang), info.colour, gs.score if gs else None, gs.colour if gs else None,
                             gs.colour_label if gs else "", gs.trend_label if gs else "",
                             sum(1 for lt in lts if number in lt.goals), len(serving), sum(m.budget_nok or 0.0 for m in serving)))

    local_rows = _local_target_rows(ws, facts.code, lts, ms, sdg, scores, lang)
    red = [(i.id, i.name) for i in scores.indicators if i.colour == "red"] if scores else []
    steps = nextsteps.data_steps(engine, viewer, facts.code, lang, red) + (profile.steps if profile else [])
    kinds = Counter(p.kind for p in ps)
    context = context_facts(engine, facts.code, lang)
    report = VlrReport(
        lang=lang, region=facts, generated_at=now or datetime.now(UTC), include_drafts=include_drafts,
        sections=[Section(s, n, t(f"report.section.{s}", lang), texts[s].body) for n, s in enumerate(SECTIONS, start=1)],
        scores_available=scores is not None, scores_note=scores_note, index=scores.index if scores else None,
        coverage=scores.coverage if scores else None, goals=goals, context=context,
        local_targets=local_rows, plans=_plans(lts), measures=ms, partners=ps,
        partner_kinds={k: kinds.get(k, 0) for k in partners.PARTNER_KINDS}, global_compact=sum(1 for p in ps if p.global_compact),
        budget_total=sum(m.budget_nok or 0.0 for m in ms), assessment=profile,
        highlights=[], challenges=_challenges(goals, scores, lang), steps=steps[:10], annex=_annex(scores, context),
        plan=plan_coverage(ws, facts.code, lang),
    )
    return replace(report, highlights=_highlights(report, lang), charts=_charts(report, lang))


def _assessment(ws: Workspace, actor: Actor, code: str, lang: Lang, include_drafts: bool) -> self_assessment.Profile | None:
    summaries = self_assessment.history(ws.engine, code)
    years = [h.year for h in summaries if h.completed or include_drafts]
    if not years:
        return None
    return self_assessment.profile(ws.engine, actor, code, years[-1], lang)


def _plans(lts: list[targets.LocalTarget]) -> list[tuple[str, int, str]]:
    by_plan: dict[str, list[targets.LocalTarget]] = {}
    for lt in lts:
        if lt.plan_name:
            by_plan.setdefault(lt.plan_name, []).append(lt)
    return [(name, len(items), ", ".join(sorted({str(i.adopted_year) for i in items if i.adopted_year})))
            for name, items in sorted(by_plan.items())]


def _local_target_rows(ws: Workspace, code: str, lts: list[targets.LocalTarget], ms: list[measures.Measure], sdg: dict[str, str],
                       scores: RegionScores | None, lang: Lang) -> list[LocalTargetRow]:
    ids = [g.indicator_id for lt in lts for g in lt.indicators]
    with ws.engine.connect() as conn:
        refs = catalogue.indicator_refs(conn, lang, ids)
    series = yearly_series(ws.engine, code, ids)
    scored = {i.id: i for i in (scores.indicators if scores else [])}
    rows: list[LocalTargetRow] = []
    for lt in lts:
        inds: list[TargetIndicatorRow] = []
        for g in lt.indicators:
            ref = refs.get(g.indicator_id)
            name = ref.name if ref else g.indicator_id
            unit = ref.unit if ref else ""
            points = series.get(g.indicator_id, [])
            sc = scored.get(g.indicator_id)
            latest = points[-1][1] if points else (sc.value if sc else None)
            period = str(points[-1][0]) if points else (sc.period if sc else "")
            chart = charts.series(points, name, target=g.target_value, target_year=g.target_year, lang=lang, unit=unit,
                                  target_label=t("report.chart.target", lang, year=g.target_year))
            inds.append(TargetIndicatorRow(g.indicator_id, name, unit, latest, period, g.target_value, g.target_year,
                                           sc.trend_label if sc else "", chart))
        rows.append(LocalTargetRow(lt.id, lt.title, lt.description, [(c, sdg.get(c, "")) for c in lt.sdg_targets], lt.plan_name,
                                   lt.plan_reference, lt.adopted_year, lt.published, inds,
                                   [m.title for m in ms if m.id in lt.measure_ids]))
    return rows


def _annex(scores: RegionScores | None, context: list[Fact]) -> list[AnnexRow]:
    rows = [AnnexRow(i.id, i.name, i.unit, i.value, i.period, i.score, i.colour_label, i.source, i.source_table, i.retrieved_at, "scored")
            for i in (scores.indicators if scores else [])]
    rows += [AnnexRow(f.indicator_id, f.name, f.unit, f.value, f.period, None, "", f.source, f.source_table, f.retrieved_at, "context")
             for f in context]
    return rows


def _highlights(r: VlrReport, lang: Lang) -> list[str]:
    out: list[str] = []
    if r.index is not None:
        out.append(t("report.hl.index", lang, name=r.region.name, index=fmt_number(r.index, lang, 1),
                     coverage=fmt_number(100 * (r.coverage or 0), lang, 0)))
    coloured = Counter(g.colour for g in r.goals if g.colour)
    if coloured:
        out.append(t("report.hl.colours", lang, green=coloured.get("green", 0), yellow=coloured.get("yellow", 0),
                     orange=coloured.get("orange", 0), red=coloured.get("red", 0)))
    n_ind = sum(len(lt.indicators) for lt in r.local_targets)
    n_sdg = len({c for lt in r.local_targets for c, _ in lt.sdg_targets})
    out.append(t("report.hl.targets", lang, n=len(r.local_targets), sdg=n_sdg, indicators=n_ind))
    out.append(t("report.hl.measures", lang, n=len(r.measures), budget=fmt_number(r.budget_total, lang, 0),
                 partners=len(r.partners), gc=r.global_compact))
    a = r.assessment
    if a is not None and a.overall is not None:
        change = "" if a.overall_change is None else t("report.hl.change", lang, change=("+" if a.overall_change >= 0 else "")
                                                        + fmt_number(a.overall_change, lang, 1), year=a.previous_year)
        out.append(t("report.hl.assessment", lang, year=a.year, stage=a.overall_stage, score=fmt_number(a.overall, lang, 0), change=change))
    return out


def _challenges(goals: list[GoalRow], scores: RegionScores | None, lang: Lang) -> list[str]:
    out: list[str] = []
    weak = [g for g in goals if g.colour in ("red", "orange")]
    for g in sorted(weak, key=lambda g: (g.score if g.score is not None else 0.0))[:5]:
        worst = [i for i in (scores.indicators if scores else []) if g.number in i.goals and i.colour in ("red", "orange")]
        names = ", ".join(i.name for i in worst[:3])
        out.append(t("report.ch.goal", lang, goal=g.number, name=g.name, score=fmt_number(g.score, lang, 0), label=g.colour_label,
                     worst=names or "–"))
    falling = [i for i in (scores.indicators if scores else []) if i.trend == "decreasing"]
    if falling:
        out.append(t("report.ch.decreasing", lang, n=len(falling), names=", ".join(i.name for i in falling[:5])))
    return out


def _charts(r: VlrReport, lang: Lang) -> dict[str, Markup]:
    out: dict[str, Markup] = {}
    if r.scores_available:
        out["goals"] = charts.bars(
            [charts.Bar(f"{g.number} {g.short_name}", g.score, g.sdg_colour, g.colour_label) for g in r.goals],
            t("report.chart.goals", lang, name=r.region.name), maximum=100, lang=lang, missing_text=t("report.no_data", lang))
    if r.assessment is not None:
        out["assessment"] = charts.bars(
            [charts.Bar(d.name, d.score, "#0b5cad", d.stage, d.previous) for d in r.assessment.dimensions],
            t("report.chart.assessment", lang, year=r.assessment.year), maximum=100, lang=lang, label_width=260,
            missing_text=t("report.no_data", lang))
    if r.measures:
        out["measures"] = charts.bars(
            [charts.Bar(f"{g.number} {g.short_name}", float(g.measures), g.sdg_colour) for g in r.goals if g.measures],
            t("report.chart.measures", lang), lang=lang)
    if r.partners:
        out["partners"] = charts.bars(
            [charts.Bar(t(f"act.kind.{k}", lang), float(n), "#0b5cad") for k, n in r.partner_kinds.items()],
            t("report.chart.partners", lang), lang=lang, label_width=200)
    return out


__all__ = ["AnnexRow", "GoalRow", "LocalTargetRow", "Section", "TargetIndicatorRow", "VlrReport", "build_report"]
