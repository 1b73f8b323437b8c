"""What the action register needs to know from the store: regions, SDG goals and targets,
indicators and which goals they measure.

Everything is read from the store's tables (``regions``, ``framework_items``,
``indicators``), so the register works with whatever ``fn17 init`` and the importers
wrote. An indicator's SDG targets come from ``indicators.attrs["sdg_targets"]`` (a list
of target codes such as ``"6.1"``) when the importer wrote them, else from FN17's own
indicator set (``fn17.frameworks.fn17set``) for the indicators that belong to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from fn17.config import Lang
from fn17.errors import InvalidInputError, NotFoundError
from fn17.store.tables import framework_items, indicators, region_changes, regions

REGION_CODE = re.compile(r"^\d{2}(\d{2})?$")
TARGET_CODE = re.compile(r"^(\d{1,2})\.(\d{1,2}|[a-z])$")


@dataclass(frozen=True)
class RegionFacts:
    code: str
    name: str
    kind: str  # kommune, fylke
    county_code: str | None
    county_name: str | None
    valid_from: date


@dataclass(frozen=True)
class GoalInfo:
    number: int
    name: str
    colour: str


@dataclass(frozen=True)
class IndicatorRef:
    id: str
    name: str
    unit: str
    direction: str | None
    source: str
    sdg_targets: tuple[str, ...]

    @property
    def goals(self) -> frozenset[int]:
        return goals_of_targets(self.sdg_targets)


def goals_of_targets(codes: Iterable[str]) -> frozenset[int]:
    out: set[int] = set()
    for code in codes:
        m = TARGET_CODE.match(str(code))
        if m:
            out.add(int(m.group(1)))
    return frozenset(out)


def _current(today: date) -> Any:
    return or_(regions.c.valid_to.is_(None), regions.c.valid_to >= today)


def region(conn: Connection, code: str, today: date | None = None) -> RegionFacts:
    """The municipality or county ``code`` as it is today; old or unknown codes raise with the fix."""
    code = (code or "").strip()
    today = today or date.today()
    if not REGION_CODE.match(code):
        raise InvalidInputError(
            f"«{code}» er ikke et kommunenummer (4 siffer) eller fylkesnummer (2 siffer).",
            message_en=f"“{code}” is not a municipality number (4 digits) or county number (2 digits).",
            hint="Skriv f.eks. 1508 for Ålesund eller 15 for Møre og Romsdal.",
            hint_en="Write e.g. 1508 for Ålesund or 15 for Møre og Romsdal.",
        )
    row = conn.execute(
        select(regions).where(regions.c.code == code, _current(today)).order_by(regions.c.valid_from.desc())
    ).mappings().first()
    if row is None:
        old = conn.execute(select(regions).where(regions.c.code == code).order_by(regions.c.valid_from.desc())).mappings().first()
        if old is None:
            raise NotFoundError(
                f"Region {code} finnes ikke i FN17s kommuneregister.",
                message_en=f"Region {code} is not in FN17's register of municipalities and counties.",
                hint="Sjekk nummeret, eller kjør `fn17 init` om registeret ikke er lastet.",
                hint_en="Check the number, or run `fn17 init` if the register has not been loaded.",
            )
        successors = _successors(conn, code)
        names = ", ".join(f"{c} {n}" for c, n in successors) or "det nye nummeret"
        names_en = ", ".join(f"{c} {n}" for c, n in successors) or "the new number"
        ended = old["valid_to"].strftime("%d.%m.%Y") if old["valid_to"] else ""
        raise InvalidInputError(
            f"{old['kind'].capitalize()}nummer {code} ({old['name']}) gjelder ikke etter {ended}; bruk {names}.",
            message_en=f"Code {code} ({old['name']}) is not valid after {ended}; use {names_en}.",
            details={"code": code, "successors": [c for c, _ in successors]},
        )
    county_code = row["county_code"]
    county_name = None
    if county_code and county_code != code:
        county = conn.execute(
            select(regions.c.name).where(regions.c.code == county_code, _current(today))
        ).scalar()
        county_name = county
    return RegionFacts(code=row["code"], name=row["name"], kind=row["kind"], county_code=county_code,
                       county_name=county_name, valid_from=row["valid_from"])


def _successors(conn: Connection, code: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for change in conn.execute(select(region_changes).order_by(region_changes.c.date)).mappings():
        if code in [str(c) for c in change["from_codes"]]:
            for to in change["to_codes"]:
                name = conn.execute(select(regions.c.name).where(regions.c.code == str(to)).order_by(regions.c.valid_from.desc())).scalar()
                if name and (str(to), name) not in out:
                    out.append((str(to), str(name)))
    return out


def _title(row: Mapping[str, Any], lang: Lang) -> str:
    for key in (f"title_{lang}", "title_nb", "title_en"):
        value = row.get(key)
        if value:
            return str(value)
    return str(row["code"])


def goals(conn: Connection, lang: Lang) -> dict[int, GoalInfo]:
    rows = conn.execute(
        select(framework_items).where(framework_items.c.framework_id == "sdg", framework_items.c.kind == "goal")
    ).mappings().all()
    out = {int(r["code"]): GoalInfo(int(r["code"]), _title(dict(r), lang), str((r["attrs"] or {}).get("colour", "#555555"))) for r in rows}
    if not out:
        raise NotFoundError(
            "FN-rammeverket er ikke lastet inn i databasen.",
            message_en="The UN framework has not been loaded into the database.",
            hint="Kjør `fn17 init`.",
            hint_en="Run `fn17 init`.",
        )
    return out


def sdg_targets(conn: Connection, lang: Lang) -> dict[str, str]:
    """Target code → short title, in goal and target order."""
    rows = conn.execute(
        select(framework_items.c.code, framework_items.c.title_nb, framework_items.c.title_nn, framework_items.c.title_en)
        .where(framework_items.c.framework_id == "sdg", framework_items.c.kind == "target")
    ).mappings().all()
    items = {r["code"]: _title({**r}, lang) for r in rows}
    return dict(sorted(items.items(), key=lambda kv: target_sort_key(kv[0])))


def target_sort_key(code: str) -> tuple[int, int, str]:
    m = TARGET_CODE.match(code)
    if not m:
        return (99, 99, code)
    rest = m.group(2)
    return (int(m.group(1)), int(rest) if rest.isdigit() else 100, rest)


@lru_cache(maxsize=1)
def _fn17_targets() -> dict[str, tuple[str, ...]]:
    """SDG targets of FN17's own indicators, from the shipped indicator set."""
    from fn17.frameworks.fn17set import load_fn17_set

    return {ind.id: tuple(ind.sdg_targets) for ind in load_fn17_set().indicators}


def _ref(row: Mapping[str, Any], lang: Lang) -> IndicatorRef:
    attrs = row["attrs"] or {}
    name = row.get(f"name_{lang}") or row["name_nb"]
    given = attrs.get("sdg_targets") or ()
    codes = tuple(str(t) for t in given) if given else _fn17_targets().get(str(row["id"]), ())
    return IndicatorRef(id=row["id"], name=str(name), unit=str(row["unit"] or ""), direction=row["direction"],
                        source=str(row["source"] or ""), sdg_targets=codes)


def indicator_refs(conn: Connection, lang: Lang, ids: Iterable[str] | None = None) -> dict[str, IndicatorRef]:
    q = select(indicators).order_by(indicators.c.id)
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        q = q.where(indicators.c.id.in_(wanted))
    return {r["id"]: _ref(dict(r), lang) for r in conn.execute(q).mappings()}


def scored_indicator_refs(conn: Connection, lang: Lang) -> dict[str, IndicatorRef]:
    """Indicators that can carry a target (a direction: higher or lower is better)."""
    q = select(indicators).where(and_(indicators.c.direction.is_not(None), indicators.c.direction.in_(("higher", "lower"))))
    return {r["id"]: _ref(dict(r), lang) for r in conn.execute(q.order_by(indicators.c.id)).mappings()}


@dataclass(frozen=True)
class TaxonomyIndicator:
    code: str
    title: str
    quality_class: int | None


def taxonomy_indicators(conn: Connection, goal: int) -> list[TaxonomyIndicator]:
    """KS's indicator taxonomy (framework ``ks``, when loaded) for one goal, best quality class first."""
    rows = conn.execute(select(framework_items.c.code, framework_items.c.title_nb, framework_items.c.attrs)
                        .where(framework_items.c.framework_id == "ks", framework_items.c.kind == "indicator")).all()
    out: list[TaxonomyIndicator] = []
    for code, title, attrs in rows:
        a = attrs or {}
        if str(goal) in [str(g) for g in a.get("goals") or []]:
            quality = a.get("quality_class")
            out.append(TaxonomyIndicator(str(code), str(title or code), int(quality) if quality is not None else None))
    return sorted(out, key=lambda i: (i.quality_class if i.quality_class is not None else 9, i.title))


__all__ = [
    "GoalInfo",
    "IndicatorRef",
    "RegionFacts",
    "goals",
    "goals_of_targets",
    "indicator_refs",
    "region",
    "scored_indicator_refs",
    "sdg_targets",
    "target_sort_key",
    "taxonomy_indicators",
]
