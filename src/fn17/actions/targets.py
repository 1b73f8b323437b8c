"""Local targets (lokale mål): a region's own goals, linked to SDG targets, to indicators
with a target value (usually for 2030), and to the plan where they were adopted.

A published local target writes its indicator values into the store's ``targets`` table
as ``kind="local"`` rows for the region, beside the national defaults (never over them),
so the scoring measures the region against its own ambition. A draft writes nothing
there: drafts are private and must not change any public number. Each indicator can
carry one local target value per region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from fn17.actions import forms, records
from fn17.actions.actor import Actor
from fn17.actions.catalogue import goals_of_targets, indicator_refs, sdg_targets, target_sort_key
from fn17.actions.catalogue import region as region_facts
from fn17.actions.permissions import require_edit
from fn17.config import Lang
from fn17.store.actions_tables import local_target_indicators, local_targets, measure_local_targets
from fn17.store.tables import targets

KIND = records.Kind("local_target", "det lokale målet", "the local target", "title")
MAX_INDICATOR_ROWS = 20
REFERENCE_PREFIX = "local_target:"
TARGET_YEAR_MIN = 2024


@dataclass(frozen=True)
class IndicatorGoal:
    indicator_id: str
    target_value: float
    target_year: int


@dataclass(frozen=True)
class LocalTargetInput:
    title: str
    description: str
    sdg_targets: tuple[str, ...]
    plan_name: str
    plan_reference: str
    adopted_year: int | None
    published: bool
    indicators: tuple[IndicatorGoal, ...]
    version: int | None = None


@dataclass(frozen=True)
class LocalTarget:
    id: int
    region_code: str
    title: str
    description: str
    sdg_targets: list[str]
    goals: list[int]
    plan_name: str
    plan_reference: str
    adopted_year: int | None
    published: bool
    indicators: list[IndicatorGoal]
    version: int
    updated_by: str
    measure_ids: list[int] = field(default_factory=list)


def indicator_rows(raw: forms.Raw) -> list[dict[str, Any]]:
    """Indicator links from ``raw["indicators"]`` (a list of dicts) or from numbered form fields
    ``indicator_id_1``, ``target_value_1``, ``target_year_1``, …; blank rows are skipped."""
    given = raw.get("indicators")
    rows: list[dict[str, Any]] = []
    if isinstance(given, list | tuple):
        rows = [dict(r) for r in given if isinstance(r, Mapping)]
    for n in range(1, MAX_INDICATOR_ROWS + 1):
        ind = forms.first(raw, f"indicator_id_{n}")
        value = forms.first(raw, f"target_value_{n}")
        if (ind is None or not str(ind).strip()) and (value is None or not str(value).strip()):
            continue
        rows.append({"indicator_id": ind, "target_value": value, "target_year": forms.first(raw, f"target_year_{n}"), "_row": n})
    return rows


def parse(conn: Connection, raw: forms.Raw, region_code: str, record_id: int | None, lang: Lang = "nb") -> LocalTargetInput:
    """Validate a local target from a form, a file row or the command line; raise with every problem found."""
    p = forms.Problems("Det lokale målet", "The local target")
    title = forms.text(raw, "title", p, ("Tittel", "Title"), required=True, max_len=300)
    description = forms.text(raw, "description", p, ("Beskrivelse", "Description"), max_len=5000)
    plan_name = forms.text(raw, "plan_name", p, ("Plan", "Plan"), max_len=300)
    plan_reference = forms.text(raw, "plan_reference", p, ("Plasseringen i planen", "Place in the plan"), max_len=500)
    adopted = forms.year(raw, "adopted_year", p, ("Vedtaksår", "Year adopted"))
    published = forms.flag(raw, "published", p, ("Publisert", "Published"))
    version = forms.version(raw, p)
    known = sdg_targets(conn, lang)
    codes: list[str] = []
    for code in forms.many(raw, "sdg_targets"):
        c = code.strip().rstrip(".").lower()
        if c not in known:
            p.add("sdg_targets", f"«{code}» er ikke et SDG-delmål; skriv delmål som 12.3 eller 11.a",
                  f"“{code}” is not an SDG target; write targets as 12.3 or 11.a")
        elif c not in codes:
            codes.append(c)
    if not codes and not p.for_field("sdg_targets"):
        p.add("sdg_targets", "velg minst ett SDG-delmål som målet bidrar til (f.eks. 12.5)",
              "choose at least one SDG target the goal serves (e.g. 12.5)")
    goals = _parse_indicators(conn, raw, region_code, record_id, p, lang)
    p.raise_if_any()
    return LocalTargetInput(title=title, description=description, sdg_targets=tuple(sorted(codes, key=target_sort_key)),
                            plan_name=plan_name, plan_reference=plan_reference, adopted_year=adopted, published=published,
                            indicators=tuple(goals), version=version)


def _parse_indicators(conn: Connection, raw: forms.Raw, region_code: str, record_id: int | None, p: forms.Problems, lang: Lang) -> list[IndicatorGoal]:
    rows = indicator_rows(raw)
    refs = indicator_refs(conn, lang, [str(r.get("indicator_id") or "").strip() for r in rows])
    taken = _taken_indicators(conn, region_code, record_id)
    out: list[IndicatorGoal] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=1):
        n = row.get("_row", i)
        sub = {"indicator_id": row.get("indicator_id"), "target_value": row.get("target_value"), "target_year": row.get("target_year")}
        ind = str(sub["indicator_id"] or "").strip()
        fld = f"indicator_id_{n}"
        if not ind:
            p.add(fld, f"indikatorrad {n} har en målverdi, men ingen indikator", f"indicator row {n} has a target value but no indicator")
            continue
        ref = refs.get(ind)
        if ref is None:
            p.add(fld, f"indikatoren «{ind}» finnes ikke i indikatorkatalogen", f"the indicator “{ind}” is not in the indicator catalogue")
            continue
        if ref.direction not in ("higher", "lower"):
            p.add(fld, f"«{ref.name}» ({ind}) er en kontekstindikator uten retning og kan ikke ha en målverdi",
                  f"“{ref.name}” ({ind}) is a context indicator without a direction and cannot have a target value")
            continue
        if ind in seen:
            p.add(fld, f"indikatoren {ind} står to ganger", f"the indicator {ind} is listed twice")
            continue
        seen.add(ind)
        if ind in taken:
            other_id, other_title = taken[ind]
            p.add(fld, f"indikatoren {ind} har allerede en lokal målverdi i «{other_title}» (nummer {other_id}); "
                  "en indikator kan ha én lokal målverdi per region",
                  f"the indicator {ind} already has a local target value in “{other_title}” (number {other_id}); "
                  "an indicator can have one local target value per region")
            continue
        value = forms.number(sub, "target_value", p, (f"Målverdi i rad {n}", f"Target value in row {n}"))
        if value is None:
            if not p.for_field("target_value"):
                p.add(f"target_value_{n}", f"oppgi målverdien for {ind} i rad {n}", f"give the target value for {ind} in row {n}")
            continue
        year = forms.year(sub, "target_year", p, (f"Målår i rad {n}", f"Target year in row {n}")) or 2030
        if year < TARGET_YEAR_MIN:
            p.add(f"target_year_{n}", f"målåret i rad {n} må være {TARGET_YEAR_MIN} eller senere", f"the target year in row {n} must be {TARGET_YEAR_MIN} or later")
        out.append(IndicatorGoal(ind, value, year))
    return out


def _taken_indicators(conn: Connection, region_code: str, record_id: int | None) -> dict[str, tuple[int, str]]:
    q = (select(local_target_indicators.c.indicator_id, local_targets.c.id, local_targets.c.title)
         .join(local_targets, local_targets.c.id == local_target_indicators.c.local_target_id)
         .where(local_targets.c.region_code == region_code))
    if record_id is not None:
        q = q.where(local_targets.c.id != record_id)
    return {r.indicator_id: (r.id, r.title) for r in conn.execute(q)}


def _values(data: LocalTargetInput) -> dict[str, Any]:
    return {"title": data.title, "description": data.description, "sdg_targets": list(data.sdg_targets),
            "plan_name": data.plan_name, "plan_reference": data.plan_reference, "adopted_year": data.adopted_year,
            "published": data.published}


def _links(conn: Connection, record_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(local_target_indicators).where(local_target_indicators.c.local_target_id == record_id)
                        .order_by(local_target_indicators.c.indicator_id)).mappings()
    return [{"indicator_id": r["indicator_id"], "target_value": r["target_value"], "target_year": r["target_year"]} for r in rows]


def _scoring_rows(conn: Connection, region_code: str, record_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(targets).where(targets.c.region_code == region_code, targets.c.kind == "local",
                                              targets.c.reference == f"{REFERENCE_PREFIX}{record_id}")
                        .order_by(targets.c.indicator_id)).mappings()
    return [{"indicator_id": r["indicator_id"], "target_value": r["target_value"], "target_year": r["target_year"]} for r in rows]


def _write_links(conn: Connection, region_code: str, record_id: int, data: LocalTargetInput) -> None:
    conn.execute(delete(local_target_indicators).where(local_target_indicators.c.local_target_id == record_id))
    conn.execute(delete(targets).where(targets.c.region_code == region_code, targets.c.kind == "local",
                                       targets.c.reference == f"{REFERENCE_PREFIX}{record_id}"))
    if data.indicators:
        conn.execute(insert(local_target_indicators), [
            {"local_target_id": record_id, "indicator_id": g.indicator_id, "target_value": g.target_value, "target_year": g.target_year}
            for g in data.indicators
        ])
    if data.published and data.indicators:
        # a local row for this indicator from outside the register (e.g. an import) gives way to the adopted target
        conn.execute(delete(targets).where(targets.c.region_code == region_code, targets.c.kind == "local",
                                           targets.c.indicator_id.in_([g.indicator_id for g in data.indicators])))
        conn.execute(insert(targets), [
            {"indicator_id": g.indicator_id, "region_code": region_code, "kind": "local", "target_value": g.target_value,
             "target_year": g.target_year, "provenance": "local_target", "reference": f"{REFERENCE_PREFIX}{record_id}",
             "active": True}
            for g in data.indicators
        ])


def save(engine: Engine, actor: Actor, region_code: str, raw: forms.Raw, record_id: int | None = None, lang: Lang = "nb") -> int:
    """Create (``record_id=None``) or update a local target from raw input; returns its id."""
    require_edit(engine, actor, region_code, KIND.entity, record_id)
    with engine.begin() as conn:
        region_facts(conn, region_code)
        data = parse(conn, raw, region_code, record_id, lang)

        def links(target_id: int) -> dict[str, Any]:
            _write_links(conn, region_code, target_id, data)
            return {"indicators": _links(conn, target_id), "scoring_targets": _scoring_rows(conn, region_code, target_id)}

        if record_id is None:
            return records.create(conn, local_targets, KIND, actor, region_code, _values(data), links=links)
        version = _require_version(data.version)
        before = {"indicators": _links(conn, record_id), "scoring_targets": _scoring_rows(conn, region_code, record_id)}
        records.change(conn, local_targets, KIND, actor, region_code, record_id, version, _values(data),
                       before_extra=before, links=links)
        return record_id


def _require_version(version: int | None) -> int:
    if version is None:
        p = forms.Problems("Endringen", "The change")
        p.add("version", "skjemaet mangler versjonsnummeret; last siden på nytt", "the form lacks the version number; reload the page")
        p.raise_if_any()
    assert version is not None
    return version


def delete_target(engine: Engine, actor: Actor, region_code: str, record_id: int, version: int) -> None:
    require_edit(engine, actor, region_code, KIND.entity, record_id)
    with engine.begin() as conn:
        extra = {"indicators": _links(conn, record_id), "scoring_targets": _scoring_rows(conn, region_code, record_id)}
        conn.execute(delete(targets).where(targets.c.region_code == region_code, targets.c.kind == "local",
                                           targets.c.reference == f"{REFERENCE_PREFIX}{record_id}"))
        records.remove(conn, local_targets, KIND, actor, region_code, record_id, version, before_extra=extra)


def _load(conn: Connection, rows: list[dict[str, Any]]) -> list[LocalTarget]:
    ids = [r["id"] for r in rows]
    links: dict[int, list[IndicatorGoal]] = {i: [] for i in ids}
    measures: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for r in conn.execute(select(local_target_indicators).where(local_target_indicators.c.local_target_id.in_(ids))
                              .order_by(local_target_indicators.c.indicator_id)).mappings():
            links[r["local_target_id"]].append(IndicatorGoal(r["indicator_id"], r["target_value"], r["target_year"]))
        for r in conn.execute(select(measure_local_targets).where(measure_local_targets.c.local_target_id.in_(ids))).mappings():
            measures[r["local_target_id"]].append(r["measure_id"])
    return [
        LocalTarget(id=r["id"], region_code=r["region_code"], title=r["title"], description=r["description"],
                    sdg_targets=list(r["sdg_targets"] or []), goals=sorted(goals_of_targets(r["sdg_targets"] or [])),
                    plan_name=r["plan_name"], plan_reference=r["plan_reference"], adopted_year=r["adopted_year"],
                    published=r["published"], indicators=links[r["id"]], version=r["version"], updated_by=r["updated_by"],
                    measure_ids=sorted(measures[r["id"]]))
        for r in rows
    ]


def list_targets(engine: Engine, actor: Actor, region_code: str) -> list[LocalTarget]:
    """The region's local targets; drafts only for those who may see them."""
    q = select(local_targets).where(local_targets.c.region_code == region_code).order_by(local_targets.c.id)
    if not actor.can_read_private(region_code):
        q = q.where(local_targets.c.published.is_(True))
    with engine.connect() as conn:
        return _load(conn, [dict(r) for r in conn.execute(q).mappings()])


def get_target(engine: Engine, actor: Actor, region_code: str, record_id: int) -> LocalTarget:
    with engine.connect() as conn:
        return _load(conn, [records.fetch_visible(conn, local_targets, KIND, actor, record_id, region_code)])[0]


__all__ = [
    "KIND",
    "IndicatorGoal",
    "LocalTarget",
    "LocalTargetInput",
    "delete_target",
    "get_target",
    "indicator_rows",
    "list_targets",
    "parse",
    "save",
]
