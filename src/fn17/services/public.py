"""The public view for citizens and schools: plain words first, the number after.

For each FN17 indicator with a number for the municipality, the latest value is placed among
all municipalities' values for the same year and described in words ("better than most
municipalities", "about like most", "worse than most"; for indicators where neither high
nor low is better: "higher than most" and so on). What the municipality is doing comes from
its PUBLISHED local targets and measures only; drafts are never shown here, whoever asks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from fn17.actions.actor import ANONYMOUS
from fn17.actions.measures import list_measures
from fn17.actions.targets import list_targets
from fn17.config import Lang
from fn17.errors import InvalidInputError, NotFoundError
from fn17.frameworks.fn17set import load_fn17_set
from fn17.i18n import fmt_number, t
from fn17.services.overview import find_regions, region_facts
from fn17.services.status import cached_by_version
from fn17.store.tables import observations
from fn17.workspace import Workspace

#: share of municipalities a value must beat to be "better than most"
MOST = 0.75


@dataclass(frozen=True)
class Choice:
    code: str
    name: str
    href: str


@dataclass(frozen=True)
class CountyGroup:
    code: str
    name: str
    municipalities: list[Choice]


@dataclass(frozen=True)
class PickPage:
    query: str
    hits: list[Choice]
    counties: list[CountyGroup]


@dataclass(frozen=True)
class GoalLine:
    number: int
    name: str
    line: str
    colour: str
    href: str


@dataclass(frozen=True)
class Finding:
    indicator_id: str
    name: str
    goal: int
    words: str
    verdict: str  # better, middle, worse, higher, lower, about
    symbol: str
    value_text: str
    period: str
    compared_with: int
    href: str


@dataclass(frozen=True)
class Doing:
    title: str
    description: str
    goals: list[int]
    status: str
    years: str


@dataclass(frozen=True)
class PublicPage:
    code: str
    name: str
    county_name: str | None
    population: float | None
    goals: list[GoalLine]
    findings: list[Finding]
    n_without_data: int
    targets: list[Doing]
    measures: list[Doing]
    profile_href: str
    data_href: str

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return (["indicator_id", "name", "goal", "verdict", "words", "value", "period", "compared_with"],
                [[f.indicator_id, f.name, f.goal, f.verdict, f.words, f.value_text, f.period, f.compared_with]
                 for f in self.findings])


def pick(ws: Workspace, query: str = "", lang: Lang = "nb") -> PickPage:
    """Every municipality by county, and the hits of a search by name or number (old or new)."""
    today = date.today()
    reg = ws.register
    hits: list[Choice] = []
    if query.strip():
        hits = [Choice(c, reg.get(c, today).name, f"/innbygger/{c}?lang={lang}") for c in find_regions(ws, query)
                if len(c) == 4][:20]
    by_county: dict[str, list[Choice]] = defaultdict(list)
    for m in reg.municipalities(today):
        by_county[m.county_code or ""].append(Choice(m.code, m.name, f"/innbygger/{m.code}?lang={lang}"))
    counties = [CountyGroup(c.code, c.name, sorted(by_county[c.code], key=lambda x: x.name))
                for c in reg.counties(today) if by_county.get(c.code)]
    return PickPage(query=query, hits=hits, counties=counties)


def _words(share_below: float, direction: str, lang: Lang) -> tuple[str, str, str]:
    """(verdict, words, symbol) for a value that lies above ``share_below`` of all municipalities."""
    high = share_below >= MOST
    low = share_below <= 1 - MOST
    if direction in ("higher", "lower"):
        good = high if direction == "higher" else low
        bad = low if direction == "higher" else high
        verdict = "better" if good else "worse" if bad else "middle"
    else:
        verdict = "higher" if high else "lower" if low else "about"
    symbol = {"better": "▲", "worse": "▼", "middle": "●", "higher": "↑", "lower": "↓", "about": "≈"}[verdict]
    return verdict, t(f"public.verdict_{verdict}", lang), symbol


def _latest_values(ws: Workspace, ids: list[str]) -> dict[str, dict[str, dict[str, float]]]:
    """indicator -> period -> region -> value, totals only, municipalities only; cached per data version."""
    result: dict[str, dict[str, dict[str, float]]] = cached_by_version(ws, "public-values", tuple(ids), lambda: _read_values(ws, ids))
    return result


def _read_values(ws: Workspace, ids: list[str]) -> dict[str, dict[str, dict[str, float]]]:
    o = observations.c
    query = (select(o.indicator_id, o.period, o.region_code, func.max(o.value))
             .where(o.indicator_id.in_(ids), o.breakdown == "", o.value.is_not(None), func.length(o.region_code) == 4)
             .group_by(o.indicator_id, o.period, o.region_code))
    out: dict[str, dict[str, dict[str, float]]] = {}
    with ws.engine.connect() as conn:
        for ind, per, code, value in conn.execute(query):
            out.setdefault(str(ind), {}).setdefault(str(per), {})[str(code)] = float(value)
    return out


def public_page(ws: Workspace, code: str, lang: Lang = "nb") -> PublicPage:
    """The plain-language page of municipality ``code`` (an old number leads to the new one)."""
    code = code.strip()
    if not (len(code) == 4 and code.isdigit()):
        raise InvalidInputError(
            f"«{code}» er ikke et kommunenummer; det har fire sifre, f.eks. 1508 for Ålesund.",
            message_en=f"“{code}” is not a municipality number; it has four digits, e.g. 1508 for Ålesund.",
        )
    facts = {f.code: f for f in region_facts(ws, "kommune")}
    if code not in facts:
        near = [c for c in find_regions(ws, code) if c in facts] or sorted(facts, key=lambda c: abs(int(c) - int(code)))[:5]
        names = ", ".join(f"{c} {facts[c].name}" for c in near if c in facts)
        raise NotFoundError(
            f"Kommunenummer {code} finnes ikke i dag." + (f" Mente du {names}?" if names else ""),
            message_en=f"Municipality number {code} does not exist today." + (f" Did you mean {names}?" if names else ""),
            hint="Velg kommunen din fra listen på /innbygger.", hint_en="Pick your municipality from the list at /innbygger.",
            details={"suggestions": [c for c in near if c in facts]},
        )
    me = facts[code]
    defs = load_fn17_set().indicators
    values = _latest_values(ws, [d.id for d in defs])
    findings: list[Finding] = []
    for d in defs:
        series = values.get(d.id)
        if not series:
            continue
        mine = [p for p in sorted(series) if code in series[p]]
        if not mine:
            continue
        period = mine[-1]
        others = series[period]
        if len(others) < 10:  # too few to say "most municipalities"
            continue
        value = others[code]
        below = sum(1 for v in others.values() if v < value) + 0.5 * (sum(1 for v in others.values() if v == value) - 1)
        share = below / (len(others) - 1)
        verdict, words, symbol = _words(share, d.direction, lang)
        unit = d.unit.en if lang == "en" else d.unit.nb
        goal = int(d.sdg_targets[0].split(".")[0])
        findings.append(Finding(d.id, getattr(d.name, lang), goal, words, verdict, symbol,
                                f"{fmt_number(value, lang, 1)} {unit}", period, len(others),
                                f"/indikator/{d.id}?region={code}&lang={lang}"))
    findings.sort(key=lambda f: (f.verdict in ("higher", "lower", "about"), f.goal, f.name))  # judged ones first
    goals = [GoalLine(g.number, g.short_name(lang), t(f"public.goal_{g.number}", lang), g.colour,
                      f"/mal/{g.number}?lang={lang}") for g in ws.sdg.goals]
    targets = [Doing(lt.title, lt.description, sorted(lt.goals), "", str(lt.adopted_year or ""))
               for lt in list_targets(ws.engine, ANONYMOUS, code) if lt.published]
    measures = [Doing(m.title, m.description, sorted(m.goals), t(f"public.status_{m.status}", lang),
                      "–".join(str(y) for y in (m.start_year, m.end_year) if y))
                for m in list_measures(ws.engine, ANONYMOUS, code, lang) if m.published]
    return PublicPage(
        code=code, name=me.name, county_name=me.county_name, population=me.population, goals=goals, findings=findings,
        n_without_data=len(defs) - len(findings), targets=targets, measures=measures,
        profile_href=f"/region/{code}?lang={lang}", data_href=f"/apne-data/{code}.csv",
    )

