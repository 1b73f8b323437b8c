"""Partners: the public bodies, businesses, voluntary organisations and research and
education institutions a region works with on its measures (e.g. members of the UN
Global Compact network in Norway).

``partners_for_goal`` answers "who works with us on goal 12?": the partners of every
measure that serves the goal, directly or through its local targets and indicators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, Engine, select

from fn17.actions import forms, records
from fn17.actions.actor import Actor
from fn17.actions.catalogue import region as region_facts
from fn17.actions.permissions import require_edit
from fn17.store.actions_tables import measure_partners, measures, partners

KIND = records.Kind("partner", "partneren", "the partner", "name")
PARTNER_KINDS: dict[str, tuple[str, ...]] = {
    "public": ("offentlig", "offentleg", "public", "kommune", "stat", "fylkeskommune"),
    "private": ("privat", "private", "næringsliv", "næringsliv/privat", "bedrift", "business"),
    "voluntary": ("frivillig", "voluntary", "frivillig organisasjon", "ideell", "sivilsamfunn"),
    "research": ("forskning", "research", "fou", "forskning og utdanning", "utdanning", "universitet"),
}
ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class PartnerInput:
    name: str
    kind: str
    org_number: str
    global_compact: bool
    website: str
    description: str
    published: bool
    version: int | None


@dataclass(frozen=True)
class MeasureRef:
    id: int
    title: str
    status: str
    published: bool


@dataclass(frozen=True)
class Partner:
    id: int
    region_code: str
    name: str
    kind: str
    org_number: str
    global_compact: bool
    website: str
    description: str
    published: bool
    version: int
    updated_by: str
    measures: list[MeasureRef] = field(default_factory=list)


def org_number_ok(number: str) -> bool:
    """A Norwegian organisation number: nine digits with a modulus-11 check digit."""
    if not re.fullmatch(r"\d{9}", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:8], ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(number[8])


def parse(conn: Connection, raw: forms.Raw, region_code: str, record_id: int | None) -> PartnerInput:
    p = forms.Problems("Partneren", "The partner")
    name = forms.text(raw, "name", p, ("Navn", "Name"), required=True, max_len=300)
    kind = forms.choice(raw, "kind", p, ("Type", "Type"), PARTNER_KINDS)
    org = re.sub(r"\s", "", forms.text(raw, "org_number", p, ("Organisasjonsnummer", "Organisation number"), max_len=20))
    if org and not org_number_ok(org):
        p.add("org_number", f"«{org}» er ikke et gyldig organisasjonsnummer (9 siffer med kontrollsiffer)",
              f"“{org}” is not a valid organisation number (9 digits with a check digit)")
    website = forms.text(raw, "website", p, ("Nettsted", "Website"), max_len=500)
    if website and not re.match(r"^https?://[^\s/]+\.[^\s]+$", website):
        p.add("website", f"nettstedet «{website}» må være en adresse som begynner med https://",
              f"the website “{website}” must be an address starting with https://")
    gc = forms.flag(raw, "global_compact", p, ("Med i UN Global Compact", "UN Global Compact member"))
    description = forms.text(raw, "description", p, ("Beskrivelse", "Description"), max_len=5000)
    published = forms.flag(raw, "published", p, ("Publisert", "Published"))
    version = forms.version(raw, p)
    if name:
        q = select(partners.c.id).where(partners.c.region_code == region_code, partners.c.name == name)
        if record_id is not None:
            q = q.where(partners.c.id != record_id)
        if conn.execute(q).scalar() is not None:
            p.add("name", f"det finnes allerede en partner som heter «{name}»", f"there is already a partner called “{name}”")
    p.raise_if_any()
    return PartnerInput(name=name, kind=kind, org_number=org, global_compact=gc, website=website, description=description,
                        published=published, version=version)


def _values(data: PartnerInput) -> dict[str, Any]:
    return {"name": data.name, "kind": data.kind, "org_number": data.org_number, "global_compact": data.global_compact,
            "website": data.website, "description": data.description, "published": data.published}


def unchanged(conn: Connection, region_code: str, record_id: int, data: PartnerInput) -> bool:
    """True when saving ``data`` would change nothing (so an import can skip the row)."""
    row = records.fetch(conn, partners, KIND, record_id, region_code)
    return all(row[k] == v for k, v in _values(data).items())


def save_in(conn: Connection, actor: Actor, region_code: str, data: PartnerInput, record_id: int | None) -> int:
    """Write a validated partner inside the caller's transaction (the caller checked the role)."""
    if record_id is None:
        return records.create(conn, partners, KIND, actor, region_code, _values(data))
    if data.version is None:
        p = forms.Problems("Partneren", "The partner")
        p.add("version", "skjemaet mangler versjonsnummeret; last siden på nytt", "the form lacks the version number; reload the page")
        p.raise_if_any()
    assert data.version is not None
    records.change(conn, partners, KIND, actor, region_code, record_id, data.version, _values(data))
    return record_id


def save(engine: Engine, actor: Actor, region_code: str, raw: forms.Raw, record_id: int | None = None) -> int:
    require_edit(engine, actor, region_code, KIND.entity, record_id)
    with engine.begin() as conn:
        region_facts(conn, region_code)
        return save_in(conn, actor, region_code, parse(conn, raw, region_code, record_id), record_id)


def delete_partner(engine: Engine, actor: Actor, region_code: str, record_id: int, version: int) -> None:
    require_edit(engine, actor, region_code, KIND.entity, record_id)
    with engine.begin() as conn:
        links = [dict(r) for r in conn.execute(select(measure_partners).where(measure_partners.c.partner_id == record_id)).mappings()]
        records.remove(conn, partners, KIND, actor, region_code, record_id, version, before_extra={"measures": links})


def _load(conn: Connection, rows: list[dict[str, Any]], actor: Actor, region_code: str) -> list[Partner]:
    ids = [r["id"] for r in rows]
    used: dict[int, list[MeasureRef]] = {i: [] for i in ids}
    if ids:
        q = (select(measure_partners.c.partner_id, measures.c.id, measures.c.title, measures.c.status, measures.c.published)
             .join(measures, measures.c.id == measure_partners.c.measure_id)
             .where(measure_partners.c.partner_id.in_(ids)).order_by(measures.c.id))
        if not actor.can_read_private(region_code):
            q = q.where(measures.c.published.is_(True))
        for r in conn.execute(q):
            used[r.partner_id].append(MeasureRef(r.id, r.title, r.status, r.published))
    return [
        Partner(id=r["id"], region_code=r["region_code"], name=r["name"], kind=r["kind"], org_number=r["org_number"],
                global_compact=r["global_compact"], website=r["website"], description=r["description"], published=r["published"],
                version=r["version"], updated_by=r["updated_by"], measures=used[r["id"]])
        for r in rows
    ]


def list_partners(engine: Engine, actor: Actor, region_code: str) -> list[Partner]:
    q = select(partners).where(partners.c.region_code == region_code).order_by(partners.c.name)
    if not actor.can_read_private(region_code):
        q = q.where(partners.c.published.is_(True))
    with engine.connect() as conn:
        return _load(conn, [dict(r) for r in conn.execute(q).mappings()], actor, region_code)


def get_partner(engine: Engine, actor: Actor, region_code: str, record_id: int) -> Partner:
    with engine.connect() as conn:
        row = records.fetch_visible(conn, partners, KIND, actor, record_id, region_code)
        return _load(conn, [row], actor, region_code)[0]


def partners_for_goal(engine: Engine, actor: Actor, region_code: str, goal: int) -> list[Partner]:
    """Who works with us on ``goal``: partners of the measures that serve it, each with those measures only."""
    from fn17.actions.measures import list_measures

    serving = [m for m in list_measures(engine, actor, region_code) if goal in m.goals]
    by_partner: dict[int, list[MeasureRef]] = {}
    for m in serving:
        for pr in m.partners:
            by_partner.setdefault(pr.id, []).append(MeasureRef(m.id, m.title, m.status, m.published))
    everyone = {p.id: p for p in list_partners(engine, actor, region_code)}
    out = [replace(everyone[pid], measures=refs) for pid, refs in by_partner.items() if pid in everyone]
    return sorted(out, key=lambda p: p.name.lower())


__all__ = [
    "KIND",
    "PARTNER_KINDS",
    "MeasureRef",
    "Partner",
    "PartnerInput",
    "delete_partner",
    "get_partner",
    "list_partners",
    "org_number_ok",
    "parse",
    "partners_for_goal",
    "save",
    "save_in",
    "unchanged",
]
