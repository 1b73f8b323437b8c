"""Measures (tiltak): what a region does, who is responsible, when, for how much, how far it
has come, which local targets and indicators it serves, and with which partners.

A measure's goals are those named directly (``sdg_goals``) together with the goals of its
local targets' SDG targets and of its indicators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from fn17.actions import forms, partners, records
from fn17.actions.actor import Actor
from fn17.actions.catalogue import goals_of_targets, indicator_refs
from fn17.actions.catalogue import region as region_facts
from fn17.actions.permissions import require_edit
from fn17.config import Lang
from fn17.errors import InvalidInputError
from fn17.store.actions_tables import (
    local_targets,
    measure_indicators,
    measure_local_targets,
    measure_partners,
    measures,
)
from fn17.store.actions_tables import partners as partners_table

KIND = records.Kind("measure", "tiltaket", "the measure", "title")
STATUSES: dict[str, tuple[str, ...]] = {
    "planned": ("planlagt", "planned", "ikke startet"),
    "ongoing": ("pågår", "i gang", "ongoing", "under arbeid"),
    "completed": ("fullført", "ferdig", "gjennomført", "completed", "done"),
    "stopped": ("avsluttet", "stanset", "avbrutt", "stopped", "cancelled"),
}


@dataclass(frozen=True)
class MeasureInput:
    title: str
    description: str
    responsible_unit: str
    start_year: int | None
    end_year: int | None
    budget_nok: float | None
    status: str
    sdg_goals: tuple[int, ...]
    published: bool
    local_target_ids: tuple[int, ...]
    indicator_ids: tuple[str, ...]
    partner_ids: tuple[int, ...]
    new_partner: partners.PartnerInput | None
    version: int | None


@dataclass(frozen=True)
class Ref:
    id: str
    label: str
    published: bool = True


@dataclass(frozen=True)
class PartnerRef:
    id: int
    name: str
    kind: str
    global_compact: bool


@dataclass(frozen=True)
class Measure:
    id: int
    region_code: str
    title: str
    description: str
    responsible_unit: str
    start_year: int | None
    end_year: int | None
    budget_nok: float | None
    status: str
    sdg_goals: list[int]
    goals: list[int]
    published: bool
    version: int
    updated_by: str
    local_targets: list[Ref] = field(default_factory=list)
    indicators: list[Ref] = field(default_factory=list)
    partners: list[PartnerRef] = field(default_factory=list)


def _ids(raw: forms.Raw, name: str, p: forms.Problems, label: tuple[str, str]) -> list[int]:
    out: list[int] = []
    for item in forms.many(raw, name):
        try:
            out.append(int(item))
        except ValueError:
            p.add(name, f"«{item}» i «{label[0]}» er ikke et nummer", f"“{item}” in “{label[1]}” is not a number")
    return list(dict.fromkeys(out))


def parse(conn: Connection, raw: forms.Raw, region_code: str, record_id: int | None, actor: Actor, lang: Lang = "nb") -> MeasureInput:
    """Validate a measure; links to local targets and partners must belong to the same region."""
    p = forms.Problems("Tiltaket", "The measure")
    title = forms.text(raw, "title", p, ("Tittel", "Title"), required=True, max_len=300)
    description = forms.text(raw, "description", p, ("Beskrivelse", "Description"), max_len=5000)
    unit = forms.text(raw, "responsible_unit", p, ("Ansvarlig enhet", "Responsible unit"), max_len=200)
    start = forms.year(raw, "start_year", p, ("Startår", "Start year"))
    end = forms.year(raw, "end_year", p, ("Sluttår", "End year"))
    if start is not None and end is not None and end < start:
        p.add("end_year", f"sluttåret {end} er før startåret {start}", f"the end year {end} is before the start year {start}")
    budget = forms.number(raw, "budget_nok", p, ("Budsjett (kr)", "Budget (NOK)"), minimum=0)
    status = forms.choice(raw, "status", p, ("Status", "Status"), STATUSES, default="planned")
    published = forms.flag(raw, "published", p, ("Publisert", "Published"))
    version = forms.version(raw, p)
    goals: list[int] = []
    for g in _ids(raw, "sdg_goals", p, ("Bærekraftsmål", "Goals")):
        if not 1 <= g <= 17:
            p.add("sdg_goals", f"bærekraftsmål {g} finnes ikke; bruk 1–17", f"goal {g} does not exist; use 1–17")
        elif g not in goals:
            goals.append(g)
    target_ids = _ids(raw, "local_target_ids", p, ("Lokale mål", "Local targets"))
    if target_ids:
        found = set(conn.execute(select(local_targets.c.id).where(local_targets.c.region_code == region_code,
                                                                  local_targets.c.id.in_(target_ids))).scalars())
        for t in target_ids:
            if t not in found:
                p.add("local_target_ids", f"lokalt mål nummer {t} finnes ikke for {region_code}",
                      f"local target number {t} does not exist for {region_code}")
    indicator_ids = list(dict.fromkeys(forms.many(raw, "indicator_ids")))
    if indicator_ids:
        known = indicator_refs(conn, lang, indicator_ids)
        for i in indicator_ids:
            if i not in known:
                p.add("indicator_ids", f"indikatoren «{i}» finnes ikke i indikatorkatalogen", f"the indicator “{i}” is not in the catalogue")
    partner_ids = _ids(raw, "partner_ids", p, ("Partnere", "Partners"))
    if partner_ids:
        found = set(conn.execute(select(partners_table.c.id).where(partners_table.c.region_code == region_code,
                                                                   partners_table.c.id.in_(partner_ids))).scalars())
        for pid in partner_ids:
            if pid not in found:
                p.add("partner_ids", f"partner nummer {pid} finnes ikke for {region_code}", f"partner number {pid} does not exist for {region_code}")
    new_partner = None
    if str(forms.first(raw, "new_partner_name") or "").strip():
        sub = {"name": forms.first(raw, "new_partner_name"), "kind": forms.first(raw, "new_partner_kind"),
               "global_compact": forms.first(raw, "new_partner_global_compact"), "published": published}
        try:
            new_partner = partners.parse(conn, sub, region_code, None)
        except InvalidInputError as err:
            for item in err.details.get("problems", []):
                p.add(f"new_partner_{item['field']}", f"ny partner: {item['message']}", f"new partner: {item['message_en']}")
    p.raise_if_any()
    return MeasureInput(title=title, description=description, responsible_unit=unit, start_year=start, end_year=end,
                        budget_nok=budget, status=status, sdg_goals=tuple(sorted(goals)), published=published,
                        local_target_ids=tuple(target_ids), indicator_ids=tuple(indicator_ids), partner_ids=tuple(partner_ids),
                        new_partner=new_partner, version=version)


def _values(data: MeasureInput) -> dict[str, Any]:
    return {"title": data.title, "description": data.description, "responsible_unit": data.responsible_unit,
            "start_year": data.start_year, "end_year": data.end_year, "budget_nok": data.budget_nok, "status": data.status,
            "sdg_goals": list(data.sdg_goals), "published": data.published}


def _links(conn: Connection, measure_id: int) -> dict[str, Any]:
    return {
        "local_target_ids": sorted(conn.execute(select(measure_local_targets.c.local_target_id)
                                                .where(measure_local_targets.c.measure_id == measure_id)).scalars()),
        "indicator_ids": sorted(conn.execute(select(measure_indicators.c.indicator_id)
                                             .where(measure_indicators.c.measure_id == measure_id)).scalars()),
        "partner_ids": sorted(conn.execute(select(measure_partners.c.partner_id)
                                           .where(measure_partners.c.measure_id == measure_id)).scalars()),
    }


def _write_links(conn: Connection, measure_id: int, data: MeasureInput, partner_ids: list[int]) -> dict[str, Any]:
    conn.execute(delete(measure_local_targets).where(measure_local_targets.c.measure_id == measure_id))
    conn.execute(delete(measure_indicators).where(measure_indicators.c.measure_id == measure_id))
    old_roles = {r.partner_id: r.role for r in conn.execute(select(measure_partners).where(measure_partners.c.measure_id == measure_id))}
    conn.execute(delete(measure_partners).where(measure_partners.c.measure_id == measure_id))
    if data.local_target_ids:
        conn.execute(insert(measure_local_targets), [{"measure_id": measure_id, "local_target_id": t} for t in data.local_target_ids])
    if data.indicator_ids:
        conn.execute(insert(measure_indicators), [{"measure_id": measure_id, "indicator_id": i} for i in data.indicator_ids])
    if partner_ids:
        conn.execute(insert(measure_partners), [{"measure_id": measure_id, "partner_id": pid, "role": old_roles.get(pid, "")}
                                                for pid in partner_ids])
    return _links(conn, measure_id)


def unchanged(conn: Connection, region_code: str, record_id: int, data: MeasureInput) -> bool:
    """True when saving ``data`` would change nothing (so an import can skip the row)."""
    row = records.fetch(conn, measures, KIND, record_id, region_code)
    if data.new_partner is not None or any(row[k] != v for k, v in _values(data).items()):
        return False
    links = _links(conn, record_id)
    return bool(links["local_target_ids"] == sorted(data.local_target_ids) and links["indicator_ids"] == sorted(data.indicator_ids)
            and links["partner_ids"] == sorted(data.partner_ids))


def save_in(conn: Connection, actor: Actor, region_code: str, data: MeasureInput, record_id: int | None) -> int:
    """Write a validated measure (and a new partner given with it) in the caller's transaction."""
    partner_ids = list(data.partner_ids)
    if data.new_partner is not None:
        partner_ids.append(partners.save_in(conn, actor, region_code, data.new_partner, None))

    def links(measure_id: int) -> dict[str, Any]:
        return _write_links(conn, measure_id, data, partner_ids)

    if record_id is None:
        return records.create(conn, measures, KIND, actor, region_code, _values(data), links=links)
    if data.version is None:
        p = forms.Problems("Tiltaket", "The measure")
        p.add("version", "skjemaet mangler versjonsnummeret; last siden på nytt", "the form lacks the version number; reload the page")
        p.raise_if_any()
    assert data.version is not None
    records.change(conn, measures, KIND, actor, region_code, record_id, data.version, _values(data),
                   before_extra=_links(conn, record_id), links=links)
    return record_id


def save(engine: Engine, actor: Actor, region_code: str, raw: forms.Raw, record_id: int | None = None, lang: Lang = "nb") -> int:
    """Create (``record_id=None``) or update a measure from raw input; returns its id."""
    require_edit(engine, actor, region_code, KIND.entity, record_id)
    with engine.begin() as conn:
        region_facts(conn, region_code)
        return save_in(conn, actor, region_code, parse(conn, raw, region_code, record_id, actor, lang), record_id)


def delete_measure(engine: Engine, actor: Actor, region_code: str, record_id: int, version: int) -> None:
    require_edit(engine, actor, region_code, KIND.entity, record_id)
    with engine.begin() as conn:
        records.remove(conn, measures, KIND, actor, region_code, record_id, version, before_extra=_links(conn, record_id))


def load(conn: Connection, rows: list[dict[str, Any]], actor: Actor, region_code: str, lang: Lang = "nb") -> list[Measure]:
    """Measures with their links; drafts among the links are left out for those who may not see them."""
    ids = [r["id"] for r in rows]
    private = actor.can_read_private(region_code)
    lts: dict[int, list[Ref]] = {i: [] for i in ids}
    inds: dict[int, list[str]] = {i: [] for i in ids}
    prs: dict[int, list[PartnerRef]] = {i: [] for i in ids}
    lt_goals: dict[int, set[int]] = {i: set() for i in ids}
    if ids:
        for lt in conn.execute(select(measure_local_targets.c.measure_id, local_targets.c.id, local_targets.c.title,
                                     local_targets.c.published, local_targets.c.sdg_targets)
                              .join(local_targets, local_targets.c.id == measure_local_targets.c.local_target_id)
                              .where(measure_local_targets.c.measure_id.in_(ids)).order_by(local_targets.c.id)):
            if lt.published or private:
                lts[lt.measure_id].append(Ref(str(lt.id), lt.title, lt.published))
                lt_goals[lt.measure_id] |= goals_of_targets(lt.sdg_targets or [])
        for mi in conn.execute(select(measure_indicators).where(measure_indicators.c.measure_id.in_(ids))
                              .order_by(measure_indicators.c.indicator_id)):
            inds[mi.measure_id].append(mi.indicator_id)
        for pr in conn.execute(select(measure_partners.c.measure_id, partners_table)
                              .join(partners_table, partners_table.c.id == measure_partners.c.partner_id)
                              .where(measure_partners.c.measure_id.in_(ids)).order_by(partners_table.c.name)):
            if pr.published or private:
                prs[pr.measure_id].append(PartnerRef(pr.id, pr.name, pr.kind, pr.global_compact))
    refs = indicator_refs(conn, lang, [i for v in inds.values() for i in v])
    out: list[Measure] = []
    for r in rows:
        ind_goals = {g for i in inds[r["id"]] if i in refs for g in refs[i].goals}
        direct = [int(g) for g in (r["sdg_goals"] or [])]
        out.append(Measure(
            id=r["id"], region_code=r["region_code"], title=r["title"], description=r["description"],
            responsible_unit=r["responsible_unit"], start_year=r["start_year"], end_year=r["end_year"],
            budget_nok=r["budget_nok"], status=r["status"], sdg_goals=direct,
            goals=sorted(set(direct) | lt_goals[r["id"]] | ind_goals), published=r["published"],
            version=r["version"], updated_by=r["updated_by"], local_targets=lts[r["id"]],
            indicators=[Ref(i, refs[i].name if i in refs else i) for i in inds[r["id"]]], partners=prs[r["id"]],
        ))
    return out


def list_measures(engine: Engine, actor: Actor, region_code: str, lang: Lang = "nb") -> list[Measure]:
    q = select(measures).where(measures.c.region_code == region_code).order_by(measures.c.id)
    if not actor.can_read_private(region_code):
        q = q.where(measures.c.published.is_(True))
    with engine.connect() as conn:
        return load(conn, [dict(r) for r in conn.execute(q).mappings()], actor, region_code, lang)


def get_measure(engine: Engine, actor: Actor, region_code: str, record_id: int, lang: Lang = "nb") -> Measure:
    with engine.connect() as conn:
        row = records.fetch_visible(conn, measures, KIND, actor, record_id, region_code)
        return load(conn, [row], actor, region_code, lang)[0]


__all__ = [
    "KIND",
    "STATUSES",
    "Measure",
    "MeasureInput",
    "PartnerRef",
    "Ref",
    "delete_measure",
    "get_measure",
    "list_measures",
    "load",
    "parse",
    "save",
    "save_in",
    "unchanged",
]
