"""Next steps drawn from the region's own data in the store.

- goals with no indicator that has data for the region, each with up to three indicators
  to consider: first indicators in the store that other regions have data for (most
  regions first), then FN17's own indicator set (which FN17 can fetch), then KS's
  indicator taxonomy (best quality class first), then the goal's global SDG indicators;
- indicators scored red with no local target value;
- local targets without an indicator, or without a measure;
- measures without partners, and kinds of partner not yet involved.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, distinct, func, select

from fn17.actions.actor import Actor
from fn17.actions.assessment import NextStep, load_questionnaire
from fn17.actions.catalogue import goals, goals_of_targets, scored_indicator_refs, taxonomy_indicators
from fn17.actions.catalogue import region as region_facts
from fn17.actions.measures import list_measures
from fn17.actions.partners import list_partners
from fn17.actions.targets import list_targets
from fn17.config import Lang
from fn17.i18n import t
from fn17.store.tables import framework_items, observations

log = logging.getLogger(__name__)
MAX_GOAL_STEPS = 5
SUGGESTIONS = 3


def indicators_with_data(conn: Connection, region_code: str) -> set[str]:
    q = select(observations.c.indicator_id).distinct().where(observations.c.region_code == region_code,
                                                             observations.c.value.is_not(None))
    return set(conn.execute(q).scalars())


def _regions_with_data(conn: Connection) -> Counter[str]:
    q = (select(observations.c.indicator_id, func.count(distinct(observations.c.region_code)))
         .where(observations.c.value.is_not(None)).group_by(observations.c.indicator_id))
    return Counter({r[0]: int(r[1]) for r in conn.execute(q)})


def _global_indicators(conn: Connection, goal: int) -> list[str]:
    rows = conn.execute(select(framework_items.c.code).where(framework_items.c.framework_id == "sdg",
                                                             framework_items.c.kind == "indicator",
                                                             framework_items.c.code.like(f"{goal}.%"))).scalars().all()

    def key(code: str) -> tuple[int, ...]:
        return tuple(int(p) if p.isdigit() else 100 + ord(p[0]) for p in code.split("."))

    return sorted(rows, key=key)


def _fn17_set_for_goal(goal: int, lang: Lang) -> list[tuple[str, str]]:
    """(id, name) of FN17's own scored indicators for ``goal``: the ones FN17 knows how to fetch."""
    from fn17.frameworks.fn17set import load_fn17_set

    out = []
    for ind in load_fn17_set().indicators:
        if ind.direction != "context" and goal in goals_of_targets(ind.sdg_targets):
            out.append((ind.id, str(getattr(ind.name, lang, None) or ind.name.nb)))
    return out


def goal_gaps(conn: Connection, region_code: str, lang: Lang) -> list[tuple[int, str, list[str]]]:
    """(goal, goal name, up to three suggestions) for each goal with no scored indicator with data for the region.

    Context indicators (no direction) describe the region but measure no progress, so they
    neither count as data for a goal nor appear among the suggestions. Suggestions come, in
    this order, from indicators in the store that other regions have data for (most regions
    first), FN17's own indicator set, KS's indicator taxonomy and the global SDG indicators."""
    have = indicators_with_data(conn, region_code)
    refs = scored_indicator_refs(conn, lang)
    coverage = _regions_with_data(conn)
    out: list[tuple[int, str, list[str]]] = []
    for number, info in sorted(goals(conn, lang).items()):
        mine = [r for r in refs.values() if number in r.goals]
        if any(r.id in have for r in mine):
            continue
        ranked = sorted(mine, key=lambda r: (-coverage.get(r.id, 0), r.id))
        picked: dict[str, str] = {r.id: f"{r.name} ({r.id})" for r in ranked}
        for ind_id, name in _fn17_set_for_goal(number, lang):
            picked.setdefault(ind_id, f"{name} ({ind_id})")
        suggestions = list(picked.values())[:SUGGESTIONS]
        if len(suggestions) < SUGGESTIONS:
            ks = t("act.step.ks_indicator", lang)
            suggestions += [f"{i.title} ({ks} {i.code})" for i in taxonomy_indicators(conn, number)[: SUGGESTIONS - len(suggestions)]]
        if len(suggestions) < SUGGESTIONS:
            label = t("act.step.global_indicator", lang)
            suggestions += [f"{label} {c}" for c in _global_indicators(conn, number)[: SUGGESTIONS - len(suggestions)]]
        out.append((number, info.name, suggestions))
    return out


def data_steps(engine: Engine, actor: Actor, region_code: str, lang: Lang,
               red_indicators: Sequence[tuple[str, str]] = ()) -> list[NextStep]:
    """Next steps from the store: what the region's data and register are missing.

    ``red_indicators`` are (id, name) of the region's indicators scored red, from the
    scoring; those without a local target value get a step of their own."""
    with engine.connect() as conn:
        facts = region_facts(conn, region_code)
        gaps = goal_gaps(conn, region_code, lang)
    steps: list[NextStep] = []
    dim_data = t("act.dim.data", lang)
    dim_plan = t("act.dim.planning", lang)
    dim_partners = t("act.dim.partnerships", lang)
    indicators_url = load_questionnaire().capabilities["indicators"].url.format(code=region_code)
    targets_url = load_questionnaire().capabilities["local_targets"].url.format(code=region_code)
    measures_url = load_questionnaire().capabilities["measures"].url.format(code=region_code)
    partners_url = load_questionnaire().capabilities["partners"].url.format(code=region_code)
    label_ind = t("act.step.go_indicators", lang)
    label_targets = t("act.step.go_targets", lang)
    label_measures = t("act.step.go_measures", lang)
    label_partners = t("act.step.go_partners", lang)

    local = list_targets(engine, actor, region_code)
    if not local:
        steps.append(NextStep("data", dim_plan, t("act.step.no_targets", lang, region=facts.name), targets_url, label_targets))
    for lt in local:
        if not lt.indicators:
            steps.append(NextStep("data", dim_data, t("act.step.target_no_indicator", lang, title=lt.title), targets_url, label_targets))
        if not lt.measure_ids:
            steps.append(NextStep("data", dim_plan, t("act.step.target_no_measure", lang, title=lt.title), measures_url, label_measures))

    for number, name, suggestions in gaps[:MAX_GOAL_STEPS]:
        if suggestions:
            text = t("act.step.goal_gap", lang, goal=number, name=name, region=facts.name, n=_count_word(len(suggestions), lang),
                     suggestions="; ".join(suggestions))
        else:
            text = t("act.step.goal_gap_none", lang, goal=number, name=name, region=facts.name)
        steps.append(NextStep("data", dim_data, text, indicators_url, label_ind))
    if len(gaps) > MAX_GOAL_STEPS:
        rest = ", ".join(str(g) for g, _, _ in gaps[MAX_GOAL_STEPS:])
        steps.append(NextStep("data", dim_data, t("act.step.more_gaps", lang, n=len(gaps) - MAX_GOAL_STEPS, goals=rest),
                              indicators_url, label_ind))

    with_target = {g.indicator_id for lt in local for g in lt.indicators}
    red = [f"{name} ({ind})" for ind, name in red_indicators if ind not in with_target]
    if red:
        steps.append(NextStep("data", dim_data, t("act.step.red_no_target", lang, n=len(red), names="; ".join(red[:SUGGESTIONS])),
                              targets_url, label_targets))

    ms = list_measures(engine, actor, region_code, lang)
    alone = [m for m in ms if not m.partners]
    if alone:
        steps.append(NextStep("data", dim_partners, t("act.step.measures_alone", lang, n=len(alone), total=len(ms),
                                                      titles="; ".join(m.title for m in alone[:SUGGESTIONS])),
                              measures_url, label_measures))
    kinds = {p.kind for p in list_partners(engine, actor, region_code)}
    for kind in ("private", "voluntary", "research"):
        if kind not in kinds:
            steps.append(NextStep("data", dim_partners, t(f"act.step.no_partner.{kind}", lang), partners_url, label_partners))
    return steps


def _count_word(n: int, lang: Lang) -> str:
    words = {"nb": {1: "denne", 2: "disse to", 3: "disse tre"}, "nn": {1: "denne", 2: "desse to", 3: "desse tre"},
             "en": {1: "this one", 2: "these two", 3: "these three"}}
    return words[lang].get(n, str(n))


__all__ = ["data_steps", "goal_gaps", "indicators_with_data"]
