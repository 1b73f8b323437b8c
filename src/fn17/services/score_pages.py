"""Page contexts of the region dashboards: the profile, a goal for a region, an indicator, and the
comparison of 2–5 regions. Each is a frozen dataclass the web renders as HTML, ``.json`` and
(tabular ones) ``.csv``; all numbers come from :mod:`fn17.services.scores`.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import quote

import pandas as pd
from markupsafe import Markup
from sqlalchemy import func, select

from fn17.config import Lang
from fn17.errors import Fn17Error, InvalidInputError, NotFoundError
from fn17.reports.charts import Line, histogram, lines
from fn17.services import regions as region_svc
from fn17.services.score_inputs import CODE_LENGTH, as_datetime, check_level, current_units, read_values
from fn17.services.scores import (
    GoalScore,
    IndicatorScore,
    MethodRank,
    RegionScores,
    rank_sensitivity,
    region_scores,
    resolve,
    score_all,
)
from fn17.store.tables import framework_items, indicators, observations
from fn17.workspace import Workspace

log = logging.getLogger(__name__)
MAX_COMPARE = 5
PEER_COLOUR, COUNTRY_COLOUR, REGION_COLOUR = "#8a4baf", "#4a5561", "#0b5cad"
WORDS: dict[str, dict[str, str]] = {
    "peers": {"nb": "Nærmeste naboer (median)", "nn": "Nærmaste naboar (median)", "en": "Nearest neighbours (median)"},
    "country": {"nb": "Hele landet (median)", "nn": "Heile landet (median)", "en": "Whole country (median)"},
    "target": {"nb": "Mål", "nn": "Mål", "en": "Target"},
    "series": {"nb": "{name}: {region}, naboer og landet", "nn": "{name}: {region}, naboar og landet",
               "en": "{name}: {region}, neighbours and the country"},
    "dist": {"nb": "{name}: fordeling over {n} regioner, {year}", "nn": "{name}: fordeling over {n} regionar, {year}",
             "en": "{name}: distribution over {n} regions, {year}"},
}


# --------------------------------------------------------------------------- profile
@dataclass(frozen=True)
class ProfilePage:
    info: region_svc.RegionInfo
    scores: RegionScores | None
    sensitivity: list[MethodRank] = field(default_factory=list)
    sensitivity_spread: int | None = None
    sensitive: bool = False

    @property
    def code(self) -> str:
        return self.info.code

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = ["region", "goal", "name", "score", "colour", "colour_label", "trend", "trend_label", "n_indicators"]
        if self.scores is None:
            return header, []
        return header, [[self.code, g.goal, g.name, g.score, g.colour or "", g.colour_label, g.trend or "", g.trend_label,
                         g.n_indicators] for g in self.scores.goals]


def profile(ws: Workspace, code: str, at: date | None = None, lang: Lang = "nb") -> ProfilePage:
    """The register facts and history of ``code`` and, for a region in force today, its dashboard."""
    try:
        info = region_svc.lookup(ws, code, at, lang)
    except NotFoundError:
        resolve(ws, code)  # raises with near matches
        raise
    if not info.is_current or (info.valid_to is not None and info.valid_to < date.today()):
        return ProfilePage(info=info, scores=None)
    result = region_scores(ws, info.code, lang)
    sens = rank_sensitivity(ws, info.code, lang) if result.index is not None else None
    return ProfilePage(info=info, scores=result, sensitivity=sens.ranks if sens else [],
                       sensitivity_spread=sens.spread if sens else None, sensitive=sens.sensitive if sens else False)


# --------------------------------------------------------------------------- one indicator's series
def _points(frame: pd.DataFrame) -> list[tuple[int, float]]:
    usable = frame[frame["value"].notna() & (frame["quality"] == "ok")]
    return [(int(p), float(v)) for p, v in zip(usable["period"], usable["value"], strict=True)]


def _median_points(frame: pd.DataFrame, units: list[str]) -> list[tuple[int, float]]:
    part = frame[frame["unit"].isin(units) & frame["value"].notna() & (frame["quality"] == "ok")]
    med = part.groupby("period")["value"].median()
    return [(int(str(p)), float(v)) for p, v in med.items()]


@dataclass(frozen=True)
class SeriesRow:
    year: int
    value: float | None
    peers_median: float | None
    country_median: float | None


def _series_rows(own: list[tuple[int, float]], peers: list[tuple[int, float]], country: list[tuple[int, float]]) -> list[SeriesRow]:
    o, p, c = dict(own), dict(peers), dict(country)
    return [SeriesRow(y, o.get(y), p.get(y), c.get(y)) for y in sorted(set(o) | set(p) | set(c))]


# --------------------------------------------------------------------------- goal for a region
@dataclass(frozen=True)
class GoalIndicator:
    score: IndicatorScore
    peer_values: list[Any]
    series: list[SeriesRow]
    _chart: str = ""

    @property
    def chart(self) -> Markup:
        return Markup(self._chart)


@dataclass(frozen=True)
class TargetRef:
    code: str
    title: str


@dataclass(frozen=True)
class GoalRegionPage:
    code: str
    name: str
    level: str
    goal: GoalScore
    description: str
    indicators: list[GoalIndicator]
    uncovered_targets: list[TargetRef]
    peer_groups: list[Any]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = ["region", "goal", "indicator", "name", "value", "unit", "year", "score", "colour", "trend", "target",
                  "target_source", "source", "source_table", "retrieved_at"]
        return header, [[self.code, self.goal.goal, i.score.id, i.score.name, i.score.value, i.score.unit, i.score.period,
                         i.score.score, i.score.colour or "", i.score.trend or "", i.score.target, i.score.target_source,
                         i.score.source, i.score.source_table, i.score.retrieved_at.isoformat() if i.score.retrieved_at else ""]
                        for i in self.indicators]


def _goal_number(goal: str) -> int:
    if not goal.isdigit() or not 1 <= int(goal) <= 17:
        raise NotFoundError(f"Mål «{goal}» finnes ikke; bærekraftsmålene er nummerert 1–17.",
                            message_en=f"Goal “{goal}” does not exist; the SDGs are numbered 1–17.",
                            hint="Velg et mål fra 1 til 17.", hint_en="Choose a goal from 1 to 17.")
    return int(goal)


def goal_page(ws: Workspace, code: str, goal: str, lang: Lang = "nb") -> GoalRegionPage:
    number = _goal_number(goal)
    result = region_scores(ws, code, lang)
    nat = score_all(ws, result.level, "sdsn", lang)
    values = nat.values
    near = result.peers.nearest_codes
    items: list[GoalIndicator] = []
    covered: set[str] = set()
    for ind in result.indicators:
        if number not in ind.goals:
            continue
        if ind.value is not None:
            covered |= set(nat.inputs.meta[ind.id].sdg_targets)
        series = values[values["indicator"] == ind.id]
        own = _points(series[series["unit"] == result.code])
        peers = _median_points(series, near)
        country = _median_points(series, list(nat.inputs.units))
        chart = lines([Line(result.name, own, REGION_COLOUR), Line(WORDS["peers"][lang], peers, PEER_COLOUR, dashed=True),
                       Line(WORDS["country"][lang], country, COUNTRY_COLOUR, dashed=True)],
                      WORDS["series"][lang].format(name=ind.name, region=result.name),
                      target=ind.target, target_year=2030, target_label=WORDS["target"][lang], lang=lang)
        items.append(GoalIndicator(score=ind, peer_values=result.peers.values_for(ind.id), series=_series_rows(own, peers, country),
                                   _chart=str(chart)))
    sdg = ws.sdg
    level: Literal["municipality", "county"] = "municipality" if result.level == "kommune" else "county"
    uncovered = [TargetRef(t.code, t.title(lang)) for t in sdg.targets
                 if t.goal == number and t.relevance(level) == "high" and t.code not in covered]
    goal_info = sdg.goal(number)
    return GoalRegionPage(code=result.code, name=result.name, level=result.level, goal=result.goal(number),
                          description=goal_info.description(lang), indicators=items, uncovered_targets=uncovered,
                          peer_groups=result.peers.groups)


# --------------------------------------------------------------------------- indicator
@dataclass(frozen=True)
class Threshold:
    which: str  # optimum, green, red, lower_bound, local
    value: float | None
    kind: str
    reference: str


@dataclass(frozen=True)
class DistributionRow:
    code: str
    name: str
    value: float
    rank: int


@dataclass(frozen=True)
class IndicatorPage:
    id: str
    name: str
    definition: str
    unit: str
    direction: str
    formula: str
    in_fn17_set: bool
    sources: list[dict[str, Any]]
    source: str
    source_table: str
    query: str
    retrieved_at: datetime | None
    region_code: str
    region_name: str
    level: str
    series: list[SeriesRow]
    peers: list[str]
    distribution_year: int | None
    distribution: list[DistributionRow]
    region_rank: int | None
    sdg_targets: list[TargetRef]
    ks: list[TargetRef]
    u4ssc: list[TargetRef]
    thresholds: list[Threshold]
    score: IndicatorScore | None
    _series_chart: str = ""
    _distribution_chart: str = ""

    @property
    def series_chart(self) -> Markup:
        return Markup(self._series_chart)

    @property
    def distribution_chart(self) -> Markup:
        return Markup(self._distribution_chart)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = ["indicator", "region", "name", "year", "value", "rank"]
        return header, [[self.id, d.code, d.name, self.distribution_year, d.value, d.rank] for d in self.distribution]


def _unknown_indicator(conn: Any, key: str) -> NotFoundError:
    rows = conn.execute(select(indicators.c.id, indicators.c.name_nb)).all()
    by_name = {str(n).lower(): str(i) for i, n in rows}
    ids = [str(i) for i, _ in rows]
    close = difflib.get_close_matches(key, ids, n=5, cutoff=0.5)
    close += [by_name[n] for n in difflib.get_close_matches(key.lower(), list(by_name), n=5, cutoff=0.5)]
    close += [i for i in ids if key.lower() in i.lower()]
    near = list(dict.fromkeys(close))[:5]
    tail_nb = f" Mente du {', '.join(near)}?" if near else ""
    tail_en = f" Did you mean {', '.join(near)}?" if near else ""
    return NotFoundError(f"Indikatoren «{key}» finnes ikke i databasen.{tail_nb}",
                         message_en=f"Indicator “{key}” is not in the database.{tail_en}",
                         hint="Se indikatorkatalogen (/katalog) for alle indikatorer.",
                         hint_en="See the indicator catalogue (/katalog) for every indicator.",
                         details={"indicator": key, "suggestions": [{"code": n, "label": n, "url": f"/indikator/{quote(n, safe='')}"}
                                                             for n in near]})


def _formula_text(ind: Any) -> str:
    f = ind.formula
    if f.operation == "value":
        text = f"{f.numerator}" + (f" × {f.scale:g}" if f.scale != 1 else "")
    elif f.operation == "ratio":
        text = f"{f.numerator} / {f.denominator} × {f.scale:g}"
    elif f.operation == "difference":
        text = f"({f.numerator} − {f.denominator}) × {f.scale:g}"
    else:
        text = f"change_pct({f.numerator}, {'lag ' + str(f.lag_years) if f.lag_years else 'base ' + str(f.base_year)})"
    return text + (f"; {f.rolling_years}-year average" if f.rolling_years > 1 else "")


def indicator_page(ws: Workspace, key: str, region: str | None = None, lang: Lang = "nb") -> IndicatorPage:
    from fn17.frameworks.fn17set import load_fn17_set
    from fn17.frameworks.u4ssc import load_u4ssc

    reg_obj = resolve(ws, region) if region else None
    level = check_level(reg_obj.kind) if reg_obj else "kommune"
    with ws.engine.connect() as conn:
        row = conn.execute(select(indicators).where(indicators.c.id == key)).mappings().first()
        fn17 = load_fn17_set()
        set_def = next((i for i in fn17.indicators if i.id == key), None)
        if row is None and set_def is None:
            raise _unknown_indicator(conn, key)
        units_map = current_units(ws, level)
        units = tuple(sorted(units_map))
        values = read_values(conn, [key], units, CODE_LENGTH[level])
        ks_codes = {str(c).rsplit("/", 1)[-1]: (str(c), str(t or c)) for c, t in conn.execute(
            select(framework_items.c.code, framework_items.c.title_nb).where(framework_items.c.framework_id == "ks",
                                                                              framework_items.c.kind == "indicator")).all()}
        last = conn.execute(select(observations.c.source, observations.c.source_table, observations.c.query,
                                   func.max(observations.c.retrieved_at))
                            .where(observations.c.indicator_id == key, observations.c.breakdown == "")
                            .group_by(observations.c.source, observations.c.source_table, observations.c.query)
                            .order_by(func.max(observations.c.retrieved_at).desc())).first()
    attrs: dict[str, Any] = dict(row["attrs"] or {}) if row is not None else {}
    if set_def is not None:
        name = set_def.name.nn if lang == "nn" else (set_def.name.en if lang == "en" else set_def.name.nb)
        definition = set_def.definition.en if lang == "en" else set_def.definition.nb
        unit = set_def.unit.en if lang == "en" else set_def.unit.nb
        direction, formula = str(set_def.direction), _formula_text(set_def)
        sdg_codes = list(set_def.sdg_targets)
        sources = [{"series": s.series, "provider": s.provider, "title": s.title, "table": s.table or "",
                    "query": {k: list(v) for k, v in s.value_codes.items()}, "url": s.url or ""} for s in set_def.sources]
        u4 = list(set_def.u4ssc)
        ks_ids = [str(k).rsplit("/", 1)[-1] for k in set_def.ks_ids]
    else:
        assert row is not None
        name = str(row.get(f"name_{lang}") or row["name_nb"])
        definition, unit = str(row["definition"] or ""), str(row["unit"] or "")
        direction, formula = str(row["direction"] or "context"), str(attrs.get("formula") or "")
        sdg_codes = [str(t) for t in attrs.get("sdg_targets") or []]
        sources, u4, ks_ids = [], [str(c) for c in attrs.get("u4ssc") or []], []
    sdg = ws.sdg
    targets_list: list[TargetRef] = []
    for c in sdg_codes:
        try:
            targets_list.append(TargetRef(c, sdg.target(c).title(lang)))
        except Fn17Error:
            targets_list.append(TargetRef(c, ""))
    ks = [TargetRef(ks_codes[k][0], ks_codes[k][1]) if k in ks_codes else TargetRef(k, "") for k in ks_ids]
    u4_list: list[TargetRef] = []
    if u4:
        frame = load_u4ssc()
        for c in u4:
            try:
                kpi = frame.kpi(c)
                u4_list.append(TargetRef(kpi.code, kpi.name_en if lang == "en" else kpi.name_nb))
            except Fn17Error:
                u4_list.append(TargetRef(c, ""))
    # series: the region, its nearest neighbours' median, the country's median
    score: IndicatorScore | None = None
    peers: list[str] = []
    own: list[tuple[int, float]] = []
    thresholds: list[Threshold] = []
    if reg_obj is not None:
        result = region_scores(ws, reg_obj.code, lang)
        score = next((i for i in result.indicators if i.id == key), None)
        peers = result.peers.nearest_codes
        own = _points(values[values["unit"] == reg_obj.code])
    meta = score_all(ws, level, "sdsn", lang).inputs.meta.get(key)
    if meta is not None:
        for which in ("optimum", "green", "red"):
            p = getattr(meta, which)
            if p is not None:
                thresholds.append(Threshold(which, p.value, p.kind, p.reference))
        thresholds.append(Threshold("lower_bound", score.lower_bound if score else None, meta.lower_bound_rule, ""))
    if score is not None and score.target_source == "local":
        thresholds.append(Threshold("local", score.target, "local", reg_obj.name if reg_obj else ""))
    peer_pts = _median_points(values, peers) if peers else []
    country = _median_points(values, list(units))
    region_name = reg_obj.name if reg_obj else ""
    series_chart = lines([Line(region_name, own, REGION_COLOUR), Line(WORDS["peers"][lang], peer_pts, PEER_COLOUR, dashed=True),
                          Line(WORDS["country"][lang], country, COUNTRY_COLOUR, dashed=True)] if reg_obj else
                         [Line(WORDS["country"][lang], country, COUNTRY_COLOUR)],
                         WORDS["series"][lang].format(name=name, region=region_name or "–"),
                         target=score.target if score else None, target_year=2030 if score else None,
                         target_label=WORDS["target"][lang], lang=lang)
    usable = values[values["value"].notna() & (values["quality"] == "ok")]
    year = int(usable["period"].max()) if not usable.empty else None
    dist_rows: list[DistributionRow] = []
    region_rank = None
    dist_chart = ""
    if year is not None:
        latest = usable[usable["period"] == year].sort_values("value", ascending=direction == "lower")
        ranks = latest["value"].rank(ascending=direction == "lower", method="min").astype(int)
        dist_rows = [DistributionRow(str(u), units_map.get(str(u), str(u)), float(v), int(r))
                     for u, v, r in zip(latest["unit"], latest["value"], ranks, strict=True)]
        mark = next((d for d in dist_rows if reg_obj is not None and d.code == reg_obj.code), None)
        region_rank = mark.rank if mark else None
        dist_chart = str(histogram([d.value for d in dist_rows], WORDS["dist"][lang].format(name=name, n=len(dist_rows), year=year),
                                   marked=mark.value if mark else None, marked_label=region_name, lang=lang))
    return IndicatorPage(
        id=key, name=name, definition=definition, unit=unit, direction=direction, formula=formula,
        in_fn17_set=set_def is not None, sources=sources, source=str(last[0]) if last else str(row["source"] if row else ""),
        source_table=str(last[1] or "") if last else "", query=str(last[2] or "") if last else "",
        retrieved_at=as_datetime(pd.Timestamp(last[3])) if last and last[3] is not None else None,
        region_code=reg_obj.code if reg_obj else "", region_name=region_name, level=level,
        series=_series_rows(own, peer_pts, country), peers=peers, distribution_year=year, distribution=dist_rows,
        region_rank=region_rank, sdg_targets=targets_list, ks=ks, u4ssc=u4_list, thresholds=thresholds, score=score,
        _series_chart=str(series_chart), _distribution_chart=dist_chart)


# --------------------------------------------------------------------------- compare
@dataclass(frozen=True)
class CompareRow:
    key: str  # goal number or indicator id
    name: str
    cells: list[Any]  # GoalScore | IndicatorScore | None, one per region


@dataclass(frozen=True)
class ComparePage:
    asked: list[str]
    regions: list[RegionScores]
    goals: list[CompareRow]
    indicators: list[CompareRow]
    message: str = ""
    message_en: str = ""

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = ["kind", "key", "name", *[r.code for r in self.regions]]
        rows: list[list[Any]] = [["index", "", "index", *[r.index for r in self.regions]]]
        rows += [["goal", g.key, g.name, *[c.score if c is not None else None for c in g.cells]] for g in self.goals]
        rows += [["indicator", i.key, i.name, *[c.value if c is not None else None for c in i.cells]] for i in self.indicators]
        return header, rows


def compare(ws: Workspace, codes: list[str], lang: Lang = "nb") -> ComparePage:
    """2–5 regions side by side across goals and indicators; fewer or more raise InvalidInputError."""
    asked = [c.strip() for c in codes if c and c.strip()]
    if not asked:
        return ComparePage(asked=[], regions=[], goals=[], indicators=[])
    if len(asked) < 2 or len(asked) > MAX_COMPARE:
        raise InvalidInputError(
            f"Velg mellom 2 og {MAX_COMPARE} kommuner eller fylker å sammenligne; du valgte {len(asked)}.",
            message_en=f"Choose between 2 and {MAX_COMPARE} municipalities or counties to compare; you chose {len(asked)}.",
            hint="Legg til eller fjern regioner i skjemaet.", hint_en="Add or remove regions in the form.",
            details={"asked": asked},
        )
    results: list[RegionScores] = []
    for c in asked:
        r = region_scores(ws, c, lang)
        if r.code not in [x.code for x in results]:
            results.append(r)
    goals = [CompareRow(str(n), results[0].goal(n).name, [r.goal(n) for r in results]) for n in range(1, 18)]
    ids: dict[str, str] = {}
    for r in results:
        for i in r.indicators:
            ids.setdefault(i.id, i.name)
    by = [{i.id: i for i in r.indicators} for r in results]
    inds = [CompareRow(i, n, [b.get(i) for b in by]) for i, n in ids.items()]
    return ComparePage(asked=asked, regions=results, goals=goals, indicators=inds)


__all__ = ["MAX_COMPARE", "ComparePage", "CompareRow", "DistributionRow", "GoalIndicator", "GoalRegionPage", "IndicatorPage",
           "ProfilePage", "SeriesRow", "TargetRef", "Threshold", "compare", "goal_page", "indicator_page", "profile"]
