"""Scores computed straight from the store with ``fn17.scoring``, for when the dashboards'
service (``fn17.services.scores``) is not installed.

Bounds are the ``targets`` rows of kind ``default`` (region ``""``), completed from FN17's
own indicator set (optimum, green and red thresholds, lower-bound rule) for its
indicators; the region's published local targets (kind ``local``) steer the trends.
Every region of the same level (municipalities, or counties) is scored together, so the
2.5th-percentile lower bounds are the same as on a national dashboard.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from fn17.actions import catalogue
from fn17.config import Lang
from fn17.reports.scores import GoalScore, IndicatorScore, RegionScores, ScoresUnavailable
from fn17.scoring import COLOURS, TRENDS, score_table, trend_table
from fn17.store.tables import observations, targets
from fn17.workspace import Workspace

log = logging.getLogger(__name__)
YEAR = re.compile(r"^(\d{4})$")
QUALITY = {"ok": "ok", "provisional": "ok", "zero": "ok", "suppressed": "suppressed", "missing": "missing"}
TREND_ORDER = ("decreasing", "stagnating", "moderately_improving", "on_track")


def _bounds(conn: Connection, refs: dict[str, catalogue.IndicatorRef]) -> pd.DataFrame:
    from fn17.frameworks.fn17set import load_fn17_set

    rows: dict[str, dict[str, Any]] = {}
    for ind in load_fn17_set().indicators:
        if ind.id in refs and ind.targets is not None and ind.direction in ("higher", "lower"):
            lb = ind.targets.lower_bound
            rows[ind.id] = {"indicator": ind.id, "direction": ind.direction, "optimum": ind.targets.optimum.value,
                            "green": ind.targets.green.value, "red": ind.targets.red.value,
                            "lower_bound": lb.value if lb.rule == "fixed" else None}
    q = select(targets).where(targets.c.kind == "default", targets.c.region_code == "", targets.c.active.is_(True))
    for r in conn.execute(q).mappings():
        ref = refs.get(r["indicator_id"])
        if ref is None or r["optimum"] is None:
            continue
        rows[ref.id] = {"indicator": ref.id, "direction": ref.direction, "optimum": r["optimum"], "green": r["green"],
                        "red": r["red"], "lower_bound": r["lower_bound"], "target": r["target_value"]}
    return pd.DataFrame(list(rows.values()), columns=["indicator", "direction", "optimum", "green", "red", "lower_bound", "target"])


def _observations(conn: Connection, code: str, indicator_ids: list[str]) -> pd.DataFrame:
    q = (select(observations.c.region_code, observations.c.indicator_id, observations.c.period, observations.c.value,
                observations.c.status, observations.c.source, observations.c.source_table, observations.c.retrieved_at)
         .where(observations.c.breakdown == "", observations.c.indicator_id.in_(indicator_ids),
                func.length(observations.c.region_code) == len(code)))
    frame = pd.DataFrame(conn.execute(q).all(), columns=["unit", "indicator", "period", "value", "status", "source", "source_table",
                                                          "retrieved_at"])
    frame = frame[frame["period"].astype(str).str.match(YEAR)]
    frame = frame.assign(period=frame["period"].astype(int), quality=frame["status"].map(QUALITY).fillna("ok"))
    return frame.sort_values("retrieved_at", na_position="first").drop_duplicates(["unit", "indicator", "period"], keep="last")


def scores_from_store(ws: Workspace, code: str, lang: Lang = "nb") -> RegionScores:
    with ws.engine.connect() as conn:
        facts = catalogue.region(conn, code)
        refs = catalogue.scored_indicator_refs(conn, lang)
        bounds = _bounds(conn, refs)
        local = conn.execute(select(targets.c.indicator_id, targets.c.target_value).where(
            targets.c.kind == "local", targets.c.region_code == facts.code, targets.c.active.is_(True))).all()
        values = _observations(conn, facts.code, bounds["indicator"].tolist()) if not bounds.empty else pd.DataFrame()
    if values.empty or not (values["unit"] == facts.code).any():
        raise ScoresUnavailable(f"Ingen indikatorer med data og grenseverdier for {facts.code} {facts.name}.",
                                message_en=f"No indicators with data and bounds for {facts.code} {facts.name}.",
                                hint="Last inn data med `fn17 load` eller `fn17 fetch`.", hint_en="Load data with `fn17 load` or `fn17 fetch`.")
    goal_map = pd.DataFrame([(i, g) for i in bounds["indicator"] for g in sorted(refs[i].goals)], columns=["indicator", "goal"])
    bounds = bounds[bounds["indicator"].isin(goal_map["indicator"])].reset_index(drop=True)
    values = values[values["indicator"].isin(bounds["indicator"])]
    cols = ["unit", "indicator", "period", "value", "quality"]
    result = score_table(values[cols], bounds, goal_map, lang=lang)
    local_frame = pd.DataFrame([(facts.code, i, v) for i, v in local if v is not None], columns=["unit", "indicator", "target"])
    trends = trend_table(values[cols], bounds, targets=local_frame if not local_frame.empty else None, lang=lang)
    mine: dict[str, Any] = {str(r["indicator"]): r["trend"] for r in trends[trends["unit"] == facts.code].to_dict("records")}
    ind = _records(result.indicators[result.indicators["unit"] == facts.code])
    own = values[values["unit"] == facts.code].sort_values("period").drop_duplicates("indicator", keep="last")
    latest = {str(r["indicator"]): r for r in _records(own)}
    indicator_rows: list[IndicatorScore] = []
    for r in ind:
        i = str(r["indicator"])
        obs = latest.get(i, {})
        trend = _text(mine.get(i))
        colour = _text(r.get("colour"))
        indicator_rows.append(IndicatorScore(
            id=i, name=refs[i].name, unit=refs[i].unit, value=_number(r.get("value")),
            period=str(obs["period"]) if obs else "", score=_number(r.get("score")), colour=colour, trend=trend,
            source=str(obs.get("source") or ""), source_table=str(obs.get("source_table") or ""),
            retrieved_at=obs.get("retrieved_at") if obs else None, goals=tuple(sorted(refs[i].goals)),
            trend_label=TRENDS[trend][lang] if trend in TRENDS else "",
            colour_label=COLOURS[colour][lang] if colour in COLOURS else "",
        ))
    goal_rows: list[GoalScore] = []
    for g in result.goals[result.goals["unit"] == facts.code].to_dict("records"):
        number = int(g["goal"])
        trends_here = [x.trend for x in indicator_rows if number in x.goals and x.trend in TREND_ORDER]
        trend = _goal_trend([t for t in trends_here if t is not None])
        colour = _text(g.get("colour"))
        goal_rows.append(GoalScore(goal=number, score=_number(g.get("score")), colour=colour,
                                   colour_label=COLOURS[colour][lang] if colour in COLOURS else "", trend=trend,
                                   trend_label=TRENDS[trend][lang] if trend in TRENDS else ""))
    ix = _records(result.index[result.index["unit"] == facts.code])[0]
    index = _number(ix.get("index"))
    missing = _number(ix.get("share_missing"))
    coverage = None if missing is None else 1.0 - missing
    log.info("scored %s from the store: index %s, %d indicators", facts.code, index, len(indicator_rows))
    return RegionScores(index=index, coverage=coverage, goals=sorted(goal_rows, key=lambda g: g.goal), indicators=indicator_rows)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _number(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return str(value)


def _goal_trend(trends: list[str]) -> str | None:
    """The most common indicator trend of the goal; a tie goes to the worse one."""
    if not trends:
        return None
    counts = Counter(trends)
    return max(TREND_ORDER, key=lambda t: (counts.get(t, 0), -TREND_ORDER.index(t)))


__all__ = ["scores_from_store"]
