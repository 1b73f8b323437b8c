"""The one place FN17 computes scores from the store: the web dashboards, ``fn17 score``, the
progress report (``fn17.reports.scores.load_scores``) and notebooks all read these results.

``score_all(ws, level, method)`` scores every current region of one level together with
``fn17.scoring.score_table`` and ``trend_table`` (vectorised; no loop per region), so the
2.5th-percentile lower bounds and the ranks are national. The result is cached in process
memory per (database, level, method, language), keyed on a cheap data version (imports,
observations, targets, local targets): a new import or a new local target recomputes it.
``region_scores(ws, code)`` reads one region out of that result with names, targets and
sources, its peers and why they were chosen, and the goals that have no data yet.

Rules and sources: ``docs/scoring.md``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from fn17.config import LANGS, Lang
from fn17.errors import InvalidInputError, NotFoundError
from fn17.regions.models import Region
from fn17.scoring import COLOURS, TRENDS, get_method, score_table, trend_table
from fn17.scoring import rank_sensitivity as _rank_sensitivity
from fn17.services.peers import PeerSet, build_peers, read_structural
from fn17.services.score_inputs import (
    IndicatorMeta,
    Level,
    ScoreInputs,
    as_datetime,
    as_float,
    check_level,
    data_version,
    read_inputs,
)
from fn17.workspace import Workspace

log = logging.getLogger(__name__)

METHOD_NAMES = ("sdsn", "u4ssc", "oecd")
TREND_ORDER = ("decreasing", "stagnating", "moderately_improving", "on_track")
OLD_AFTER_YEARS = 5
#: what each indicator flag means, for readers
FLAG_TEXT: dict[str, dict[str, str]] = {
    "missing": {"nb": "mangler verdi", "nn": "manglar verdi", "en": "no value"},
    "suppressed": {"nb": "skjermet (små tall)", "nn": "skjerma (små tal)", "en": "suppressed (small numbers)"},
    "small": {"nb": "små tall: ikke rangert", "nn": "små tal: ikkje rangert", "en": "small numbers: not ranked"},
    "provisional": {"nb": "foreløpig tall", "nn": "førebels tal", "en": "provisional figure"},
    "multi_year": {"nb": "flerårssnitt", "nn": "fleirårssnitt", "en": "multi-year average"},
    "old": {"nb": "eldre enn 5 år", "nn": "eldre enn 5 år", "en": "older than 5 years"},
    "carried": {"nb": "overført fra tidligere kommunenummer", "nn": "overført frå tidlegare kommunenummer",
                "en": "carried over from an earlier municipality number"},
    "provisional_thresholds": {"nb": "foreløpige terskler", "nn": "førebelse tersklar", "en": "provisional thresholds"},
}
N_EXTREMES = 3


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class NationalScores:
    """Every current region of one level, scored together. All tables are long DataFrames.

    ``indicators``: unit, indicator, goals, period, value, quality, score, colour, symbol,
    colour_label, rank, note, trend, trend_arrow, trend_label, projected_year, target,
    target_source, multi_year, status, source, source_table, query, retrieved_at.
    ``goals``: unit, goal, score, n_indicators, n_expected, colour, symbol, colour_label, trend,
    trend_arrow, trend_label. ``index``: unit, name, index, rank, n_indicators, n_missing,
    n_small, share_missing, coverage, note, note_label. ``bounds``: the resolved bounds.
    """

    level: Level
    method: str
    lang: Lang
    indicators: pd.DataFrame
    goals: pd.DataFrame
    index: pd.DataFrame
    bounds: pd.DataFrame
    trends: pd.DataFrame
    values: pd.DataFrame
    goal_map: pd.DataFrame
    structural: pd.DataFrame
    inputs: ScoreInputs
    computed_at: datetime
    data_version: str
    seconds: float

    @property
    def n_regions(self) -> int:
        return len(self.inputs.units)

    @property
    def n_ranked(self) -> int:
        return int(self.index["rank"].notna().sum()) if not self.index.empty else 0


@dataclass(frozen=True)
class GoalScore:
    goal: int
    name: str
    colour_hex: str  # the goal's official SDG colour
    score: float | None
    colour: str | None  # green, yellow, orange, red (dashboard), None when not assessed
    colour_label: str
    symbol: str
    trend: str | None
    trend_label: str
    trend_symbol: str
    n_indicators: int
    n_expected: int = 0


@dataclass(frozen=True)
class IndicatorScore:
    id: str
    name: str
    unit: str
    value: float | None
    period: str
    score: float | None
    colour: str | None
    colour_label: str
    symbol: str
    trend: str | None
    trend_label: str
    trend_symbol: str
    target: float | None
    target_source: str  # local, default
    optimum: float | None
    direction: str
    goals: tuple[int, ...]
    source: str
    source_table: str
    query: str
    retrieved_at: datetime | None
    flags: tuple[str, ...] = ()
    flag_labels: tuple[str, ...] = ()
    rank: int | None = None
    projected_year: int | None = None
    green: float | None = None
    red: float | None = None
    lower_bound: float | None = None


@dataclass(frozen=True)
class MissingGoal:
    goal: int
    name: str
    colour_hex: str
    reason: str  # no_indicator (FN17 has none), not_loaded (none in the store), no_value (none for the region)
    indicators: tuple[tuple[str, str], ...]  # FN17 indicators for the goal: (id, name)
    tables: tuple[str, ...]  # SSB tables that hold them
    advice: str


@dataclass(frozen=True)
class RegionScores:
    code: str
    name: str
    level: Level
    method: str
    index: float | None
    coverage: float | None  # share of the scored indicators with a usable value, 0–1
    rank: int | None
    n_regions: int
    n_ranked: int
    index_note: str  # ok, missing_data, small_numbers
    index_note_label: str
    goals: list[GoalScore]
    indicators: list[IndicatorScore] = field(default_factory=list)
    peers: PeerSet = field(default_factory=PeerSet)
    strongest: list[IndicatorScore] = field(default_factory=list)
    weakest: list[IndicatorScore] = field(default_factory=list)
    missing_goals: list[MissingGoal] = field(default_factory=list)
    not_loaded: list[str] = field(default_factory=list)
    asked_code: str = ""
    data_version: str = ""
    computed_at: datetime | None = None

    @property
    def has_data(self) -> bool:
        return any(i.value is not None for i in self.indicators)

    def goal(self, number: int) -> GoalScore:
        for g in self.goals:
            if g.goal == number:
                return g
        raise NotFoundError(f"Mål {number} finnes ikke; bruk 1–17.", message_en=f"Goal {number} does not exist; use 1–17.")

    def goals_frame(self) -> pd.DataFrame:
        return pd.DataFrame([g.__dict__ for g in self.goals])

    def indicators_frame(self) -> pd.DataFrame:
        return pd.DataFrame([i.__dict__ for i in self.indicators])


@dataclass(frozen=True)
class MethodRank:
    method: str
    index: float | None
    rank: int | None


@dataclass(frozen=True, eq=False)
class RankSensitivity:
    code: str
    name: str
    level: Level
    n_regions: int
    ranks: list[MethodRank]
    spread: int | None
    sensitive: bool
    table: pd.DataFrame  # every region: index_<variant>, rank_<variant>, rank_best, rank_worst, rank_spread, sensitive


# --------------------------------------------------------------------------- cache
_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str, str, str], NationalScores] = {}
_SENSITIVITY: dict[tuple[str, str, str, str], pd.DataFrame] = {}
# one region's dashboard, per data version: the profile page is the busiest page (bench/web.py)
_REGIONS: OrderedDict[tuple[str, ...], RegionScores] = OrderedDict()
_MAX_REGIONS = 512


def _db_key(ws: Workspace) -> str:
    return f"{id(ws.engine)}:{ws.engine.url}"


def invalidate(ws: Workspace | None = None) -> None:
    """Forget cached scores (of one workspace's database, or all)."""
    with _LOCK:
        if ws is None:
            _CACHE.clear()
            _SENSITIVITY.clear()
            _REGIONS.clear()
            return
        key = _db_key(ws)
        for k in [k for k in _CACHE if k[0] == key]:
            del _CACHE[k]
        for k in [k for k in _SENSITIVITY if k[0] == key]:
            del _SENSITIVITY[k]
        for r in [r for r in _REGIONS if r[0] == key]:
            del _REGIONS[r]


def _check(method: str, lang: str) -> Lang:
    get_method(method)
    if lang not in LANGS:
        raise InvalidInputError(f"Språket «{lang}» finnes ikke; bruk nb, nn eller en.",
                                message_en=f"Language “{lang}” does not exist; use nb, nn or en.")
    return "nn" if lang == "nn" else ("en" if lang == "en" else "nb")


def score_all(ws: Workspace, level: Literal["kommune", "fylke"] = "kommune", method: str = "sdsn",
              lang: Lang = "nb") -> NationalScores:
    """Every current region of ``level`` scored together with ``method`` (sdsn, u4ssc, oecd); cached."""
    lvl = check_level(level)
    language = _check(method, lang)
    with ws.engine.connect() as conn:
        version = data_version(conn)
    key = (_db_key(ws), lvl, method, language)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit.data_version == version:
            return hit
    result = _compute(ws, lvl, method, language, version)
    with _LOCK:
        _CACHE[key] = result
    return result


def _padded(values: pd.DataFrame, units: tuple[str, ...], indicator: str) -> pd.DataFrame:
    """Give every unit at least one row, so that a region without any value is scored as missing."""
    absent = sorted(set(units) - set(values["unit"]))
    if not absent:
        return values
    year = int(values["period"].max()) if not values.empty else date.today().year
    pad = pd.DataFrame({"unit": absent, "indicator": indicator, "period": year, "value": np.nan, "quality": "missing"})
    return pd.concat([values, pad], ignore_index=True)


def _empty(inputs: ScoreInputs, level: Level, method: str, lang: Lang, version: str, structural: pd.DataFrame) -> NationalScores:
    index = pd.DataFrame({"unit": list(inputs.units), "name": [inputs.names[u] for u in inputs.units], "index": np.nan,
                          "rank": pd.array([pd.NA] * len(inputs.units), dtype="Int64"), "n_indicators": 0, "n_missing": 0,
                          "n_small": 0, "share_missing": np.nan, "coverage": np.nan, "note": "missing_data",
                          "note_label": ""})
    cols_i = ["unit", "indicator", "goals", "period", "value", "quality", "score", "colour", "symbol", "colour_label", "rank",
              "trend", "trend_arrow", "trend_label", "target", "target_source", "source", "source_table", "query",
              "retrieved_at"]
    cols_g = ["unit", "goal", "score", "n_indicators", "n_expected", "colour", "symbol", "colour_label", "trend",
              "trend_arrow", "trend_label"]
    return NationalScores(level, method, lang, pd.DataFrame(columns=cols_i), pd.DataFrame(columns=cols_g), index,
                          inputs.bounds, pd.DataFrame(), inputs.values, inputs.goal_map, structural, inputs,
                          datetime.now(UTC), version, 0.0)


def _compute(ws: Workspace, level: Level, method: str, lang: Lang, version: str) -> NationalScores:
    started = time.perf_counter()
    inputs = read_inputs(ws, level, lang)
    with ws.engine.connect() as conn:
        structural = read_structural(conn, inputs.units, level)
    if inputs.bounds.empty:
        log.info("nothing to score for %s: no indicator with bounds and values", level)
        return _empty(inputs, level, method, lang, version, structural)
    cols = ["unit", "indicator", "period", "value", "quality"]
    values = _padded(inputs.values[cols], inputs.units, str(inputs.bounds["indicator"].iloc[0]))
    result = score_table(values, inputs.bounds, inputs.goal_map, method=method, lang=lang)
    local = inputs.local_targets[["unit", "indicator", "target"]]
    trends = trend_table(inputs.values[cols], inputs.bounds, targets=local if not local.empty else None, lang=lang)

    ind = result.indicators.merge(
        trends[["unit", "indicator", "trend", "arrow", "label", "projected_year", "target", "target_source"]]
        .rename(columns={"arrow": "trend_arrow", "label": "trend_label"}), on=["unit", "indicator"], how="left")
    src = inputs.values[["unit", "indicator", "period", "status", "multi_year", "source", "source_table", "query",
                         "retrieved_at", "carried_from"]]
    ind = ind.merge(src, on=["unit", "indicator", "period"], how="left")
    # the target shown: the region's local target, else the default 2030 value, else the optimum
    default_target = inputs.bounds.set_index("indicator")["target"].fillna(inputs.bounds.set_index("indicator")["optimum"])
    lt = local.rename(columns={"target": "local_target"})
    ind = ind.drop(columns=["target", "target_source"]).merge(lt, on=["unit", "indicator"], how="left")
    ind["target"] = ind["local_target"].astype(float).fillna(ind["indicator"].map(default_target).astype(float))
    ind["target_source"] = np.where(ind["local_target"].notna(), "local", "default")
    ind = ind.drop(columns=["local_target"])
    ind["goals"] = ind["indicator"].map({k: m.goals for k, m in inputs.meta.items()})
    # a value with no trend row (no usable year since 2015) has too few years for a trend
    no_trend = ind["trend"].isna() & ind["value"].notna()
    ind.loc[no_trend, "trend"] = "insufficient_data"
    ind.loc[no_trend, "trend_arrow"] = TRENDS["insufficient_data"]["arrow"]
    ind.loc[no_trend, "trend_label"] = TRENDS["insufficient_data"][lang]

    goals = _goal_trends(result.goals, ind, lang)
    index = result.index.copy()
    index.insert(1, "name", index["unit"].map(inputs.names))
    index["coverage"] = 1.0 - index["share_missing"]
    seconds = time.perf_counter() - started
    log.info("scored %d %s regions × %d indicators with %s in %.3f s", len(inputs.units), level, len(inputs.bounds),
             method, seconds)
    return NationalScores(level=level, method=method, lang=lang, indicators=ind, goals=goals, index=index,
                          bounds=result.bounds, trends=trends, values=inputs.values, goal_map=inputs.goal_map,
                          structural=structural, inputs=inputs, computed_at=datetime.now(UTC), data_version=version,
                          seconds=seconds)


def _goal_trends(goals: pd.DataFrame, ind: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """A goal's trend: the most common trend of its indicators; a tie goes to the worse one."""
    order = {t: i for i, t in enumerate(TREND_ORDER)}
    long = ind[["unit", "indicator", "trend"]].merge(
        pd.DataFrame([(i, g) for i, gs in ind.drop_duplicates("indicator")[["indicator", "goals"]].itertuples(index=False)
                      for g in gs], columns=["indicator", "goal"]), on="indicator")
    long = long[long["trend"].isin(TREND_ORDER)]
    counts = long.groupby(["unit", "goal", "trend"]).size().rename("n").reset_index()
    counts["order"] = counts["trend"].map(order)
    best = counts.sort_values(["unit", "goal", "n", "order"], ascending=[True, True, False, True]).drop_duplicates(["unit", "goal"])
    out = goals.merge(best[["unit", "goal", "trend"]], on=["unit", "goal"], how="left")
    out["trend_arrow"] = out["trend"].map(lambda t: TRENDS[t]["arrow"] if isinstance(t, str) else "")
    out["trend_label"] = out["trend"].map(lambda t: TRENDS[t][lang] if isinstance(t, str) else "")
    return out


# --------------------------------------------------------------------------- one region
def resolve(ws: Workspace, key: str) -> Region:
    """The region in force today for ``key``; an old code with one successor answers for it.

    An old code that was split raises InvalidInputError naming the successors; an unknown code
    raises NotFoundError with near matches."""
    reg = ws.register
    code = (key or "").strip()
    try:
        return reg.get(code)
    except InvalidInputError:
        successors = reg.current_codes(code)
        if len(successors) == 1:
            return reg.get(successors[0])
        raise
    except NotFoundError as exc:
        hits = near_matches(ws, code)
        near = ", ".join(f"{h.code} {h.name}" for h in hits)
        raise NotFoundError(
            f"Fant ingen kommune eller fylke med nummer «{code}»." + (f" Mente du {near}?" if near else ""),
            message_en=f"No municipality or county has the number “{code}”." + (f" Did you mean {near}?" if near else ""),
            hint="Søk på navnet i søkefeltet, eller bruk et firesifret kommunenummer (f.eks. 1508) eller et tosifret fylkesnummer.",
            hint_en="Search for the name in the search box, or use a four-digit municipality number (e.g. 1508) or a "
                    "two-digit county number.",
            details={"code": code, "suggestions": [{"code": h.code, "label": f"{h.code} {h.name}", "url": f"/region/{h.code}"}
                                                   for h in hits]},
        ) from exc


def near_matches(ws: Workspace, text: str, limit: int = 5) -> list[Region]:
    """Regions in force today whose name or number looks like ``text`` (for "did you mean")."""
    reg = ws.register
    today = date.today()
    hits = [r for r in reg.search(text, limit=20) if r.valid_at(today)] if text.strip() else []
    if not hits and text[:2].isdigit():
        hits = [r for r in (*reg.counties(), *reg.municipalities()) if r.code.startswith(text[:2])]
    return hits[:limit]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _i(value: Any) -> int | None:
    f = as_float(value)
    return None if f is None else int(f)


def _s(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)


def _flags(row: dict[str, Any], meta: IndicatorMeta, this_year: int) -> tuple[str, ...]:
    flags: list[str] = []
    quality = _s(row.get("quality")) or "missing"
    if quality != "ok":
        flags.append(quality)
    if _s(row.get("status")) == "provisional":
        flags.append("provisional")
    if bool(row.get("multi_year")) is True:
        flags.append("multi_year")
    if _s(row.get("carried_from")):
        flags.append("carried")
    period = _i(row.get("period"))
    if period is not None and as_float(row.get("value")) is not None and this_year - period > OLD_AFTER_YEARS:
        flags.append("old")
    if meta.provisional:
        flags.append("provisional_thresholds")
    return tuple(flags)


def _indicator(row: dict[str, Any], meta: IndicatorMeta, bounds: dict[str, dict[str, Any]], lang: Lang) -> IndicatorScore:
    colour = _s(row.get("colour"))
    trend = _s(row.get("trend"))
    b = bounds.get(meta.id, {})
    value = as_float(row.get("value"))
    flags = _flags(row, meta, date.today().year)
    return IndicatorScore(
        id=meta.id, name=meta.name, unit=meta.unit, value=value,
        period=str(_i(row.get("period")) or "") if value is not None or _s(row.get("quality")) == "suppressed" else "",
        score=as_float(row.get("score")), colour=colour,
        colour_label=COLOURS[colour][lang] if colour in COLOURS else "",
        symbol=COLOURS[colour]["symbol"] if colour in COLOURS else "",
        trend=trend if trend in TRENDS else None, trend_label=TRENDS[trend][lang] if trend in TRENDS else "",
        trend_symbol=TRENDS[trend]["arrow"] if trend in TRENDS else "",
        target=as_float(row.get("target")), target_source=_s(row.get("target_source")) or "default",
        optimum=as_float(b.get("optimum")), direction=meta.direction, goals=tuple(meta.goals),
        source=_s(row.get("source")) or meta.source, source_table=_s(row.get("source_table")) or "",
        query=_s(row.get("query")) or "", retrieved_at=as_datetime(row.get("retrieved_at")),
        flags=flags, flag_labels=tuple(FLAG_TEXT[f][lang] for f in flags if f in FLAG_TEXT), rank=_i(row.get("rank")), projected_year=_i(row.get("projected_year")),
        green=as_float(b.get("green")), red=as_float(b.get("red")), lower_bound=as_float(b.get("lower_bound")),
    )


ADVICE: dict[str, dict[str, str]] = {
    "no_indicator": {"nb": "FN17s indikatorsett har ingen indikator for dette målet ennå; legg inn egne data (Excel/CSV).",
                     "nn": "Indikatorsettet til FN17 har ingen indikator for dette målet enno; legg inn eigne data (Excel/CSV).",
                     "en": "FN17's indicator set has no indicator for this goal yet; upload your own data (Excel/CSV)."},
    "not_loaded": {"nb": "Ingen av indikatorene er lastet inn. Hent dem fra SSB med `fn17 fetch{t}` når du er på nett, "
                         "eller last opp egne data.",
                   "nn": "Ingen av indikatorane er lasta inn. Hent dei frå SSB med `fn17 fetch{t}` når du er på nett, "
                         "eller last opp eigne data.",
                   "en": "None of the indicators is loaded. Fetch them from SSB with `fn17 fetch{t}` when online, "
                         "or upload your own data."},
    "no_value": {"nb": "Indikatorene er lastet inn, men har ingen brukbar verdi for denne regionen (mangler eller er skjermet).",
                 "nn": "Indikatorane er lasta inn, men har ingen brukbar verdi for denne regionen (manglar eller er skjerma).",
                 "en": "The indicators are loaded but have no usable value for this region (missing or suppressed)."},
}


def _missing_goals(ws: Workspace, goals: list[GoalScore], inputs: ScoreInputs, level: Level, lang: Lang) -> list[MissingGoal]:
    from fn17.frameworks.fn17set import load_fn17_set

    fn17 = load_fn17_set()
    scored = set(inputs.bounds["indicator"])
    out: list[MissingGoal] = []
    for g in goals:
        if g.n_indicators > 0:
            continue
        defs = [i for i in fn17.for_goal(g.goal) if i.direction in ("higher", "lower") and level in i.levels]
        names = tuple((i.id, i.name.nn if lang == "nn" else (i.name.en if lang == "en" else i.name.nb)) for i in defs)
        tables = tuple(sorted({s.table for i in defs for s in i.sources if s.table}))
        if not defs:
            reason = "no_indicator"
        elif any(i.id in scored for i in defs) or any(g.goal in inputs.meta[i].goals for i in scored):
            reason = "no_value"
        else:
            reason = "not_loaded"
        table_text = (" --table " + " --table ".join(tables[:3])) if tables else ""
        out.append(MissingGoal(g.goal, g.name, g.colour_hex, reason, names, tables, ADVICE[reason][lang].format(t=table_text)))
    return out


def region_scores(ws: Workspace, code: str, lang: Lang = "nb", method: str = "sdsn") -> RegionScores:
    """One region's dashboard: goals, index, indicators with targets and sources, peers, gaps."""
    region = resolve(ws, code)
    level = check_level(region.kind)
    nat = score_all(ws, level, method, lang)
    key = (_db_key(ws), region.code, code, lang, method, nat.data_version)
    with _LOCK:
        hit = _REGIONS.get(key)
        if hit is not None:
            _REGIONS.move_to_end(key)
            return hit
    result = _region_scores(ws, region, level, nat, code, lang, method)
    with _LOCK:
        _REGIONS[key] = result
        while len(_REGIONS) > _MAX_REGIONS:
            _REGIONS.popitem(last=False)
    return result


def _region_scores(ws: Workspace, region: Any, level: Level, nat: NationalScores, code: str, lang: Lang,
                   method: str) -> RegionScores:
    unit = region.code
    inputs = nat.inputs
    bounds = {str(r["indicator"]): r for r in _records(nat.bounds)}
    rows = _records(nat.indicators[nat.indicators["unit"] == unit])
    indicators = sorted((_indicator(r, inputs.meta[str(r["indicator"])], bounds, lang) for r in rows),
                        key=lambda i: (min(i.goals) if i.goals else 99, i.name))
    goal_rows = {int(r["goal"]): r for r in _records(nat.goals[nat.goals["unit"] == unit])}
    goals: list[GoalScore] = []
    for sdg_goal in ws.sdg.goals:
        r = goal_rows.get(sdg_goal.number, {})
        colour = _s(r.get("colour"))
        trend = _s(r.get("trend"))
        goals.append(GoalScore(
            goal=sdg_goal.number, name=sdg_goal.short_name(lang), colour_hex=sdg_goal.colour, score=as_float(r.get("score")),
            colour=colour if colour in COLOURS else None, colour_label=COLOURS[colour][lang] if colour in COLOURS else "",
            symbol=COLOURS[colour]["symbol"] if colour in COLOURS else "",
            trend=trend if trend in TRENDS else None, trend_label=TRENDS[trend][lang] if trend in TRENDS else "",
            trend_symbol=TRENDS[trend]["arrow"] if trend in TRENDS else "",
            n_indicators=_i(r.get("n_indicators")) or 0, n_expected=_i(r.get("n_expected")) or 0))
    ix = nat.index[nat.index["unit"] == unit]
    ixr: dict[str, Any] = _records(ix)[0] if not ix.empty else {}
    usable = [i for i in indicators if i.score is not None and "missing" not in i.flags and "suppressed" not in i.flags]
    by_score = sorted(usable, key=lambda i: (-(i.score or 0.0), i.name))
    n_strong = min(N_EXTREMES, (len(by_score) + 1) // 2)  # the two lists never share an indicator
    strongest = by_score[:n_strong]
    weakest = list(reversed(by_score[n_strong:]))[:N_EXTREMES]
    peers = build_peers(ws, unit, level, nat.structural, nat.values, inputs.names, lang)
    return RegionScores(
        code=unit, name=region.name, level=level, method=method, index=as_float(ixr.get("index")),
        coverage=as_float(ixr.get("coverage")), rank=_i(ixr.get("rank")), n_regions=nat.n_regions, n_ranked=nat.n_ranked,
        index_note=_s(ixr.get("note")) or "missing_data", index_note_label=_s(ixr.get("note_label")) or "",
        goals=goals, indicators=indicators, peers=peers, strongest=strongest, weakest=weakest,
        missing_goals=_missing_goals(ws, goals, inputs, level, lang), not_loaded=list(inputs.not_loaded),
        asked_code=code, data_version=nat.data_version, computed_at=nat.computed_at,
    )


def rank_sensitivity(ws: Workspace, code: str, lang: Lang = "nb") -> RankSensitivity:
    """How the region's index rank moves between methods (SDSN with two lower-bound rules, U4SSC, OECD)."""
    region = resolve(ws, code)
    level = check_level(region.kind)
    nat = score_all(ws, level, "sdsn", lang)
    key = (_db_key(ws), level, "sensitivity", nat.data_version)
    with _LOCK:
        cached = _SENSITIVITY.get(key)
    if cached is not None:
        table = cached
    elif nat.inputs.bounds.empty:
        table = pd.DataFrame(columns=["unit"])
    else:
        cols = ["unit", "indicator", "period", "value", "quality"]
        values = _padded(nat.inputs.values[cols], nat.inputs.units, str(nat.inputs.bounds["indicator"].iloc[0]))
        table = _rank_sensitivity(values, nat.inputs.bounds, nat.inputs.goal_map)
    with _LOCK:
        _SENSITIVITY[key] = table
    mine = _records(table[table["unit"] == region.code])
    row: dict[str, Any] = mine[0] if mine else {}
    names = [c[len("rank_"):] for c in table.columns if c.startswith("rank_") and c not in ("rank_best", "rank_worst", "rank_spread")]
    ranks = [MethodRank(n, as_float(row.get(f"index_{n}")), _i(row.get(f"rank_{n}"))) for n in names]
    return RankSensitivity(code=region.code, name=region.name, level=level, n_regions=nat.n_regions, ranks=ranks,
                           spread=_i(row.get("rank_spread")), sensitive=bool(row.get("sensitive", False)), table=table)


__all__ = [
    "FLAG_TEXT",
    "METHOD_NAMES",
    "GoalScore",
    "IndicatorScore",
    "MethodRank",
    "MissingGoal",
    "NationalScores",
    "RankSensitivity",
    "RegionScores",
    "invalidate",
    "near_matches",
    "rank_sensitivity",
    "region_scores",
    "resolve",
    "score_all",
]
