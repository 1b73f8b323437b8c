"""Page contexts for the action register: local targets, measures, partners, the
self-assessment and the audit log. The web routes and the CLI call these and nothing else.

Each function takes the workspace, the acting user and the region, and returns one typed
context (a dataclass; lists with a ``table()`` for their ``.csv`` twin). Writes go through
``fn17.actions`` and raise ``Fn17Error`` subclasses: 401/403 for missing roles (logged),
400 with per-field problems for bad input, 409 for a concurrent edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from markupsafe import Markup

from fn17.actions import assessment, audit, catalogue, excel, measures, nextsteps, partners, targets
from fn17.actions.actor import Actor
from fn17.actions.permissions import require_edit, require_read_private
from fn17.config import Lang
from fn17.errors import InvalidInputError
from fn17.i18n import t
from fn17.reports.charts import Bar, bars
from fn17.workspace import Workspace


@dataclass(frozen=True)
class RegionHead:
    code: str
    name: str
    kind: str
    county_name: str | None
    can_edit: bool
    can_read_private: bool


def region_head(ws: Workspace, actor: Actor, code: str) -> RegionHead:
    with ws.engine.connect() as conn:
        facts = catalogue.region(conn, code)
    return RegionHead(facts.code, facts.name, facts.kind, facts.county_name, actor.can_edit(facts.code), actor.can_read_private(facts.code))


# --- overview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalActivity:
    number: int
    name: str
    colour: str
    local_targets: int
    measures: int
    partners: int
    budget_nok: float


@dataclass(frozen=True)
class Overview:
    region: RegionHead
    n_local_targets: int
    n_measures: int
    n_partners: int
    budget_nok: float
    by_status: dict[str, int]
    goals: list[GoalActivity]
    assessment_year: int | None
    assessment_overall: float | None
    assessment_stage: str | None

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return (["goal", "name", "local_targets", "measures", "partners", "budget_nok"],
                [[g.number, g.name, g.local_targets, g.measures, g.partners, g.budget_nok] for g in self.goals])


def overview(ws: Workspace, actor: Actor, code: str, lang: Lang = "nb") -> Overview:
    head = region_head(ws, actor, code)
    lts = targets.list_targets(ws.engine, actor, head.code)
    ms = measures.list_measures(ws.engine, actor, head.code, lang)
    ps = partners.list_partners(ws.engine, actor, head.code)
    with ws.engine.connect() as conn:
        goal_info = catalogue.goals(conn, lang)
    rows: list[GoalActivity] = []
    for number, info in sorted(goal_info.items()):
        serving = [m for m in ms if number in m.goals]
        rows.append(GoalActivity(
            number=number, name=info.name, colour=info.colour,
            local_targets=sum(1 for lt in lts if number in lt.goals), measures=len(serving),
            partners=len({p.id for m in serving for p in m.partners}),
            budget_nok=sum(m.budget_nok or 0.0 for m in serving),
        ))
    by_status = {s: sum(1 for m in ms if m.status == s) for s in measures.STATUSES}
    year = overall = stage = None
    if head.can_read_private:
        prof = assessment.profile(ws.engine, actor, head.code, None, lang)
        if prof.year is not None:
            year, overall, stage = prof.year, prof.overall, prof.overall_stage
    return Overview(head, len(lts), len(ms), len(ps), sum(m.budget_nok or 0.0 for m in ms), by_status, rows, year, overall, stage)


# --- local targets --------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetsPage:
    region: RegionHead
    items: list[targets.LocalTarget]
    sdg_titles: dict[str, str]
    indicator_names: dict[str, str]
    indicator_units: dict[str, str]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        rows = []
        for lt in self.items:
            rows.append([lt.id, lt.title, "; ".join(lt.sdg_targets), lt.plan_name, lt.adopted_year,
                         "; ".join(f"{g.indicator_id}={g.target_value}@{g.target_year}" for g in lt.indicators),
                         "ja" if lt.published else "nei"])
        return ["id", "title", "sdg_targets", "plan", "adopted_year", "indicators", "published"], rows


def targets_page(ws: Workspace, actor: Actor, code: str, lang: Lang = "nb") -> TargetsPage:
    head = region_head(ws, actor, code)
    items = targets.list_targets(ws.engine, actor, head.code)
    with ws.engine.connect() as conn:
        sdg = catalogue.sdg_targets(conn, lang)
        refs = catalogue.indicator_refs(conn, lang, [g.indicator_id for lt in items for g in lt.indicators])
    return TargetsPage(head, items, sdg, {k: v.name for k, v in refs.items()}, {k: v.unit for k, v in refs.items()})


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class FormPage:
    """An edit form: the record (if any), the values to show, problems from the last try and the choices."""

    region: RegionHead
    record_id: int | None
    values: dict[str, Any]
    problems: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    choices: dict[str, list[Option]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def problem(self, name: str, lang: Lang = "nb") -> str:
        key = "message_en" if lang == "en" else "message"
        return "; ".join(str(p[key]) for p in self.problems if p["field"] == name)


def _indicator_options(ws: Workspace, lang: Lang) -> list[Option]:
    with ws.engine.connect() as conn:
        refs = catalogue.scored_indicator_refs(conn, lang)
    return [Option(r.id, f"{r.name} ({r.unit})" if r.unit else r.name) for r in refs.values()]


def target_form(ws: Workspace, actor: Actor, code: str, record_id: int | None, lang: Lang = "nb",
                submitted: dict[str, Any] | None = None, problems: Sequence[dict[str, Any]] = (), error: str | None = None) -> FormPage:
    head = region_head(ws, actor, code)
    require_edit(ws.engine, actor, head.code, targets.KIND.entity, record_id)
    if submitted is not None:
        values = dict(submitted)
    elif record_id is not None:
        lt = targets.get_target(ws.engine, actor, head.code, record_id)
        values = {"title": lt.title, "description": lt.description, "sdg_targets": ", ".join(lt.sdg_targets),
                  "plan_name": lt.plan_name, "plan_reference": lt.plan_reference, "adopted_year": lt.adopted_year or "",
                  "published": lt.published, "version": lt.version}
        for n, g in enumerate(lt.indicators, start=1):
            values[f"indicator_id_{n}"] = g.indicator_id
            values[f"target_value_{n}"] = g.target_value
            values[f"target_year_{n}"] = g.target_year
    else:
        values = {"published": False}
    n_rows = max([3] + [int(k.rsplit("_", 1)[1]) + 1 for k in values if k.startswith("indicator_id_") and values[k]])
    with ws.engine.connect() as conn:
        sdg = catalogue.sdg_targets(conn, lang)
    return FormPage(head, record_id, values, list(problems), error,
                    {"sdg_targets": [Option(c, t) for c, t in sdg.items()], "indicators": _indicator_options(ws, lang)},
                    {"indicator_rows": min(n_rows, targets.MAX_INDICATOR_ROWS)})


def save_target(ws: Workspace, actor: Actor, code: str, raw: dict[str, Any], record_id: int | None, lang: Lang = "nb") -> int:
    return targets.save(ws.engine, actor, code, raw, record_id, lang)


def delete_target(ws: Workspace, actor: Actor, code: str, record_id: int, raw: dict[str, Any]) -> None:
    targets.delete_target(ws.engine, actor, code, record_id, _version(raw))


def _version(raw: dict[str, Any]) -> int:
    value = raw.get("version")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(str(value))
    except ValueError as exc:
        raise InvalidInputError("Skjemaet mangler versjonsnummeret; last siden på nytt.",
                                message_en="The form lacks the version number; reload the page.") from exc


# --- measures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasuresPage:
    region: RegionHead
    items: list[measures.Measure]
    goal: int | None
    goal_name: str | None
    budget_nok: float

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return (["id", "title", "responsible_unit", "start_year", "end_year", "budget_nok", "status", "goals", "local_targets",
                 "indicators", "partners", "published"],
                [[m.id, m.title, m.responsible_unit, m.start_year, m.end_year, m.budget_nok, m.status,
                  " ".join(str(g) for g in m.goals), "; ".join(r.label for r in m.local_targets),
                  "; ".join(r.id for r in m.indicators), "; ".join(p.name for p in m.partners), "ja" if m.published else "nei"]
                 for m in self.items])


def _goal_name(ws: Workspace, goal: int | None, lang: Lang) -> str | None:
    if goal is None:
        return None
    with ws.engine.connect() as conn:
        info = catalogue.goals(conn, lang)
    if goal not in info:
        raise InvalidInputError(f"Bærekraftsmål {goal} finnes ikke; bruk 1–17.", message_en=f"Goal {goal} does not exist; use 1–17.")
    return info[goal].name


def measures_page(ws: Workspace, actor: Actor, code: str, lang: Lang = "nb", goal: int | None = None) -> MeasuresPage:
    head = region_head(ws, actor, code)
    name = _goal_name(ws, goal, lang)
    items = [m for m in measures.list_measures(ws.engine, actor, head.code, lang) if goal is None or goal in m.goals]
    return MeasuresPage(head, items, goal, name, sum(m.budget_nok or 0.0 for m in items))


def measure_form(ws: Workspace, actor: Actor, code: str, record_id: int | None, lang: Lang = "nb",
                 submitted: dict[str, Any] | None = None, problems: Sequence[dict[str, Any]] = (), error: str | None = None) -> FormPage:
    head = region_head(ws, actor, code)
    require_edit(ws.engine, actor, head.code, measures.KIND.entity, record_id)
    if submitted is not None:
        values = dict(submitted)
    elif record_id is not None:
        m = measures.get_measure(ws.engine, actor, head.code, record_id, lang)
        values = {"title": m.title, "description": m.description, "responsible_unit": m.responsible_unit,
                  "start_year": m.start_year or "", "end_year": m.end_year or "", "budget_nok": "" if m.budget_nok is None else m.budget_nok,
                  "status": m.status, "sdg_goals": [str(g) for g in m.sdg_goals], "published": m.published,
                  "local_target_ids": [r.id for r in m.local_targets], "indicator_ids": ", ".join(r.id for r in m.indicators),
                  "partner_ids": [str(p.id) for p in m.partners], "version": m.version}
    else:
        values = {"status": "planned", "published": False}
    with ws.engine.connect() as conn:
        goal_info = catalogue.goals(conn, lang)
    lts = targets.list_targets(ws.engine, actor, head.code)
    ps = partners.list_partners(ws.engine, actor, head.code)
    return FormPage(head, record_id, values, list(problems), error, {
        "goals": [Option(str(n), f"{n} {g.name}") for n, g in sorted(goal_info.items())],
        "local_targets": [Option(str(lt.id), lt.title) for lt in lts],
        "partners": [Option(str(p.id), p.name) for p in ps],
        "indicators": _indicator_options(ws, lang),
        "statuses": [Option(s, s) for s in measures.STATUSES],
        "kinds": [Option(k, k) for k in partners.PARTNER_KINDS],
    })


def save_measure(ws: Workspace, actor: Actor, code: str, raw: dict[str, Any], record_id: int | None, lang: Lang = "nb") -> int:
    return measures.save(ws.engine, actor, code, raw, record_id, lang)


def delete_measure(ws: Workspace, actor: Actor, code: str, record_id: int, raw: dict[str, Any]) -> None:
    measures.delete_measure(ws.engine, actor, code, record_id, _version(raw))


def measure_page(ws: Workspace, actor: Actor, code: str, record_id: int, lang: Lang = "nb") -> measures.Measure:
    head = region_head(ws, actor, code)
    return measures.get_measure(ws.engine, actor, head.code, record_id, lang)


def export_excel(ws: Workspace, actor: Actor, code: str, lang: Lang = "nb") -> bytes:
    return excel.export_workbook(ws.engine, actor, region_head(ws, actor, code).code, lang)


def import_excel(ws: Workspace, actor: Actor, code: str, data: bytes, filename: str, lang: Lang = "nb") -> excel.ImportSummary:
    return excel.import_workbook(ws.engine, actor, code, data, filename, lang)


# --- partners -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnersPage:
    region: RegionHead
    items: list[partners.Partner]
    goal: int | None
    goal_name: str | None
    goals: list[Option]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return (["id", "name", "kind", "org_number", "global_compact", "website", "measures", "published"],
                [[p.id, p.name, p.kind, p.org_number, "ja" if p.global_compact else "nei", p.website,
                  "; ".join(m.title for m in p.measures), "ja" if p.published else "nei"] for p in self.items])


def partners_page(ws: Workspace, actor: Actor, code: str, lang: Lang = "nb", goal: int | None = None) -> PartnersPage:
    """All partners, or with ``goal``: who works with the region on that goal."""
    head = region_head(ws, actor, code)
    name = _goal_name(ws, goal, lang)
    items = (partners.partners_for_goal(ws.engine, actor, head.code, goal) if goal is not None
             else partners.list_partners(ws.engine, actor, head.code))
    with ws.engine.connect() as conn:
        goal_info = catalogue.goals(conn, lang)
    return PartnersPage(head, items, goal, name, [Option(str(n), f"{n} {g.name}") for n, g in sorted(goal_info.items())])


def partner_form(ws: Workspace, actor: Actor, code: str, record_id: int | None, lang: Lang = "nb",
                 submitted: dict[str, Any] | None = None, problems: Sequence[dict[str, Any]] = (), error: str | None = None) -> FormPage:
    head = region_head(ws, actor, code)
    require_edit(ws.engine, actor, head.code, partners.KIND.entity, record_id)
    if submitted is not None:
        values = dict(submitted)
    elif record_id is not None:
        p = partners.get_partner(ws.engine, actor, head.code, record_id)
        values = {"name": p.name, "kind": p.kind, "org_number": p.org_number, "global_compact": p.global_compact,
                  "website": p.website, "description": p.description, "published": p.published, "version": p.version}
    else:
        values = {"kind": "private", "published": False}
    return FormPage(head, record_id, values, list(problems), error, {"kinds": [Option(k, k) for k in partners.PARTNER_KINDS]})


def save_partner(ws: Workspace, actor: Actor, code: str, raw: dict[str, Any], record_id: int | None) -> int:
    return partners.save(ws.engine, actor, code, raw, record_id)


def delete_partner(ws: Workspace, actor: Actor, code: str, record_id: int, raw: dict[str, Any]) -> None:
    partners.delete_partner(ws.engine, actor, code, record_id, _version(raw))


# --- self-assessment ------------------------------------------------------------------------


def red_indicators(ws: Workspace, code: str, lang: Lang) -> list[tuple[str, str]]:
    """(id, name) of the region's indicators scored red, for the next steps."""
    from fn17.reports.scores import load_scores

    scores = load_scores(ws, code, lang)
    return [(i.id, i.name) for i in scores.indicators if i.colour == "red"]


@dataclass(frozen=True)
class AssessmentPage:
    region: RegionHead
    profile: assessment.Profile
    lang: Lang

    @property
    def this_year(self) -> int:
        return date.today().year

    @property
    def chart(self) -> Markup:
        """The profile as bars, last completed year as a dashed marker."""
        return bars([Bar(d.name, d.score, "#0b5cad", d.stage, d.previous) for d in self.profile.dimensions],
                    t("report.chart.assessment", self.lang, year=self.profile.year or ""), maximum=100, lang=self.lang,
                    label_width=260, missing_text=t("report.no_data", self.lang))

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return (["dimension", "score", "stage", "previous", "change"],
                [[d.id, d.score, d.stage, d.previous, d.change] for d in self.profile.dimensions])


def assessment_profile(ws: Workspace, actor: Actor, code: str, year: int | None = None, lang: Lang = "nb") -> AssessmentPage:
    """The profile with next steps from the answers and from the region's own data."""
    head = region_head(ws, actor, code)
    prof = assessment.profile(ws.engine, actor, head.code, year, lang)
    steps = nextsteps.data_steps(ws.engine, actor, head.code, lang, red_indicators(ws, head.code, lang))
    return AssessmentPage(head, replace(prof, steps=steps + prof.steps), lang)


@dataclass(frozen=True)
class AssessmentForm:
    region: RegionHead
    year: int
    version: int | None
    completed: bool
    dimensions: list[assessment.DimensionScore]
    scale: list[tuple[int, str]]
    values: dict[str, Any]
    problems: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def assessment_form(ws: Workspace, actor: Actor, code: str, year: int, lang: Lang = "nb", submitted: dict[str, Any] | None = None,
                    problems: Sequence[dict[str, Any]] = (), error: str | None = None) -> AssessmentForm:
    head = region_head(ws, actor, code)
    require_edit(ws.engine, actor, head.code, assessment.KIND.entity, year)
    prof = assessment.profile(ws.engine, actor, head.code, year, lang)
    exists = prof.year == year and prof.version is not None
    values: dict[str, Any] = {}
    if submitted is not None:
        values = dict(submitted)
    elif exists:
        for d in prof.dimensions:
            for q in d.questions:
                if q.answer is not None:
                    values[f"q:{q.id}"] = str(q.answer)
                if q.note:
                    values[f"note:{q.id}"] = q.note
        values["version"] = prof.version
    else:
        last = next((h for h in reversed(prof.history) if h.year < year), None)
        if last is not None:  # start from last year's answers, so only the changes need entering
            previous = assessment.profile(ws.engine, actor, head.code, last.year, lang)
            for d in previous.dimensions:
                for q in d.questions:
                    if q.answer is not None:
                        values[f"q:{q.id}"] = str(q.answer)
    return AssessmentForm(head, year, prof.version if exists else None, bool(exists and prof.completed), prof.dimensions,
                          prof.scale, values, list(problems), error)


def save_assessment(ws: Workspace, actor: Actor, code: str, year: int, raw: dict[str, Any]) -> int:
    return assessment.save(ws.engine, actor, code, year, raw)


# --- audit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditPage:
    region: RegionHead
    entries: list[audit.AuditEntry]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return (["id", "at", "user", "action", "entity", "entity_id", "summary", "changed"],
                [[e.id, e.at.isoformat(), e.username, e.action, e.entity, e.entity_id, e.summary, " ".join(e.changed_fields)]
                 for e in self.entries])


def audit_page(ws: Workspace, actor: Actor, code: str, limit: int = 200) -> AuditPage:
    head = region_head(ws, actor, code)
    require_read_private(ws.engine, actor, head.code, "audit")
    return AuditPage(head, audit.entries(ws.engine, region_code=head.code, limit=limit))


__all__ = [
    "AssessmentForm",
    "AssessmentPage",
    "AuditPage",
    "FormPage",
    "GoalActivity",
    "MeasuresPage",
    "Option",
    "Overview",
    "PartnersPage",
    "RegionHead",
    "TargetsPage",
    "assessment_form",
    "assessment_profile",
    "audit_page",
    "delete_measure",
    "delete_partner",
    "delete_target",
    "export_excel",
    "import_excel",
    "measure_form",
    "measure_page",
    "measures_page",
    "overview",
    "partner_form",
    "partners_page",
    "red_indicators",
    "region_head",
    "save_assessment",
    "save_measure",
    "save_partner",
    "save_target",
    "target_form",
    "targets_page",
]
