"""``score_table``: indicator scores, goal scores, the index, dashboards and ranks, for any units.

The whole computation is column arithmetic on one long table (units ×
indicators) plus a handful of ``groupby`` aggregations: no loop over units.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from fn17.errors import InvalidInputError, NotFoundError
from fn17.scoring._bounds import resolve_bounds
from fn17.scoring._dashboard import goal_colours, indicator_colours
from fn17.scoring._labels import check_lang, colour_symbols, colour_texts, note_texts
from fn17.scoring._methods import apply_method, get_method
from fn17.scoring._schema import (
    GoalMap,
    check_coverage,
    latest_values,
    prepare_bounds,
    prepare_goal_map,
    prepare_values,
)
from fn17.scoring._small_numbers import flag_small_numbers

log = logging.getLogger(__name__)

_QUALITY_NOTE = {"ok": "ok", "small": "small_numbers", "suppressed": "suppressed", "missing": "missing"}


@dataclass(frozen=True)
class ScoreResult:
    """What :func:`score_table` returns. All tables are long pandas DataFrames.

    ``indicators``: one row per (unit, indicator): ``value``, ``quality``,
    ``score`` (0–100), ``colour`` (green/yellow/orange/red or None),
    ``symbol``, ``colour_label``, ``rank`` (per indicator; NA where the value
    cannot be ranked), ``note``, ``note_label``; ``period`` when the input had one.

    ``goals``: one row per (unit, goal): ``score`` (mean of its usable
    indicator scores), ``n_indicators`` (used), ``n_expected``, ``colour``,
    ``symbol``, ``colour_label``, ``colour_position`` (0–4, mean of the two
    worst), ``worst_indicators``.

    ``index``: one row per unit: ``index`` (mean of goal scores; NaN when no
    index), ``n_indicators``, ``n_missing``, ``n_small``, ``share_missing``,
    ``rank``, ``note``, ``note_label``.

    ``bounds``: the resolved bounds (lower bound actually used, its source,
    worst value, midpoint, end value), frozen for :func:`update_units`.
    """

    indicators: pd.DataFrame
    goals: pd.DataFrame
    index: pd.DataFrame
    bounds: pd.DataFrame
    goal_map: pd.DataFrame
    method: str
    lower_bound: str
    missing_threshold: float
    period: int | None
    lang: str

    def dashboard(self, unit: object) -> pd.DataFrame:
        """The goal dashboard of one unit: goal, score, colour, symbol, label, worst indicators."""
        rows = self.goals[self.goals["unit"] == unit]
        if rows.empty:
            raise NotFoundError(
                f"Enheten {unit} finnes ikke i resultatet.",
                message_en=f"Unit {unit} is not in the result.",
                hint="Sjekk koden (f.eks. kommunenummer med fire sifre, som tekst: '0301').",
                hint_en="Check the code (e.g. a four-digit municipality number, as text: '0301').",
            )
        cols = ["goal", "score", "colour", "symbol", "colour_label", "worst_indicators", "n_indicators"]
        return rows[cols].reset_index(drop=True)


def _check_threshold(missing_threshold: float) -> None:
    if not 0.0 <= missing_threshold < 1.0:
        raise InvalidInputError(
            f"missing_threshold må ligge mellom 0 og 1 (en andel), ikke {missing_threshold}.",
            message_en=f"missing_threshold must lie between 0 and 1 (a share), not {missing_threshold}.",
        )


def _with_quality(values: pd.DataFrame) -> pd.DataFrame:
    if "quality" in values.columns:
        bad = ~values["quality"].isin(["ok", "small", "suppressed", "missing"])
        if bad.any():
            raise InvalidInputError(
                f"Ukjent kvalitetsflagg «{values.loc[bad, 'quality'].iloc[0]}»; bruk ok, small, suppressed "
                "eller missing.",
                message_en=(
                    f"Unknown quality flag '{values.loc[bad, 'quality'].iloc[0]}'; use ok, small, suppressed "
                    "or missing."
                ),
            )
        return values
    if {"status", "numerator", "denominator"} & set(values.columns):
        return flag_small_numbers(values)
    return values


def _grid(latest: pd.DataFrame, bounds: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """Every unit × every mapped indicator, with its value (NaN if absent) and bounds."""
    units = np.asarray(pd.unique(latest["unit"]), dtype=object)
    with contextlib.suppress(TypeError):  # codes of mixed types keep their order of appearance
        units = np.sort(units)
    indicators = bounds.loc[bounds["indicator"].isin(goals["indicator"]), "indicator"].to_numpy()
    grid = pd.MultiIndex.from_product([units, indicators], names=["unit", "indicator"]).to_frame(index=False)
    cols = [c for c in ("unit", "indicator", "period", "value", "quality") if c in latest.columns]
    frame = grid.merge(latest[cols], on=["unit", "indicator"], how="left")
    if "quality" not in frame.columns:
        frame["quality"] = "ok"
    frame["quality"] = frame["quality"].where(frame["value"].notna() | (frame["quality"] == "suppressed"), "missing")
    frame["quality"] = frame["quality"].fillna("missing")
    return frame.merge(bounds, on="indicator", how="left")


def _unit_tables(
    latest: pd.DataFrame, bounds: pd.DataFrame, goals: pd.DataFrame, method: str, missing_threshold: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    frame = _grid(latest, bounds, goals)
    frame["score"] = apply_method(method, frame)
    frame["colour"], frame["position"] = indicator_colours(frame)
    usable = (frame["quality"] == "ok") & frame["score"].notna()
    frame["note"] = frame["quality"].map(_QUALITY_NOTE)
    keep = ("unit", "indicator", "period", "value", "quality", "score", "colour", "note")
    indicators = frame[[c for c in keep if c in frame.columns]].copy()
    indicators["_usable"] = usable

    long = frame[["unit", "indicator", "score", "position"]].assign(
        score=frame["score"].where(usable), position=frame["position"].where(usable)
    )
    long = long.merge(goals, on="indicator", how="inner")
    g = long.groupby(["unit", "goal"], sort=True).agg(
        score=("score", "mean"), n_indicators=("score", "count"), n_expected=("indicator", "size")
    )
    colours = goal_colours(long)
    goal_table = g.reset_index().merge(colours, on=["unit", "goal"], how="left")

    counts = pd.DataFrame(
        {
            "unit": frame["unit"],
            "n_missing": frame["quality"].isin(["missing", "suppressed"]).astype(np.int64),
            "n_small": (frame["quality"] == "small").astype(np.int64),
            "n_indicators": np.ones(len(frame), dtype=np.int64),
        }
    )
    per_unit = counts.groupby("unit", sort=True).sum()
    per_unit["share_missing"] = per_unit["n_missing"] / per_unit["n_indicators"]
    share_unusable = (per_unit["n_missing"] + per_unit["n_small"]) / per_unit["n_indicators"]
    eps = 1e-12
    per_unit["note"] = np.select(
        [per_unit["share_missing"] > missing_threshold + eps, share_unusable > missing_threshold + eps],
        ["missing_data", "small_numbers"],
        "ok",
    )
    mean_goal = goal_table.groupby("unit", sort=True)["score"].mean()
    per_unit["index"] = mean_goal.reindex(per_unit.index).where(per_unit["note"] == "ok")
    index_table = per_unit.reset_index()[
        ["unit", "index", "n_indicators", "n_missing", "n_small", "share_missing", "note"]
    ]
    return indicators, goal_table, index_table


def _finish(
    indicators: pd.DataFrame, goals: pd.DataFrame, index: pd.DataFrame, lang: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Add ranks (over all units) and labels."""
    ind = indicators.copy()
    ranked = ind["score"].where(ind["_usable"])
    ind["rank"] = ranked.groupby(ind["indicator"]).rank(ascending=False, method="min").astype("Int64")
    ind["symbol"] = colour_symbols(ind["colour"])
    ind["colour_label"] = colour_texts(ind["colour"], lang)
    ind["note_label"] = note_texts(ind["note"], lang)
    order = [
        "unit",
        "indicator",
        "period",
        "value",
        "quality",
        "score",
        "colour",
        "symbol",
        "colour_label",
        "rank",
        "note",
        "note_label",
    ]
    ind = ind[[c for c in order if c in ind.columns]]

    gl = goals.copy()
    gl["symbol"] = colour_symbols(gl["colour"])
    gl["colour_label"] = colour_texts(gl["colour"], lang)
    gl = gl[
        [
            "unit",
            "goal",
            "score",
            "n_indicators",
            "n_expected",
            "colour",
            "symbol",
            "colour_label",
            "colour_position",
            "worst_indicators",
        ]
    ]

    ix = index.copy()
    ix["rank"] = ix["index"].rank(ascending=False, method="min").astype("Int64")
    ix["note_label"] = note_texts(ix["note"], lang)
    ix = ix[["unit", "index", "rank", "n_indicators", "n_missing", "n_small", "share_missing", "note", "note_label"]]
    return ind.reset_index(drop=True), gl.reset_index(drop=True), ix.reset_index(drop=True)


def score_table(
    values: pd.DataFrame,
    bounds: pd.DataFrame,
    goal_map: GoalMap,
    *,
    method: str = "sdsn",
    missing_threshold: float = 0.2,
    lower_bound: str = "p2.5",
    period: int | None = None,
    lang: str = "nb",
) -> ScoreResult:
    """Score any set of units on any indicator set, SDSN style (or another registered method).

    ``values``: long table ``unit``, ``indicator``, ``value`` and optionally
    ``period`` (the given ``period``, else each series' latest year with a
    value, is scored), ``quality`` or ``status``/``numerator``/``denominator``
    (flagged with :func:`flag_small_numbers` when ``quality`` is absent).

    ``bounds``: one row per indicator: ``indicator``, ``optimum``,
    ``direction`` (``higher``/``lower``), optionally ``lower_bound``,
    ``green``, ``red``, ``target`` (2030 end value), ``baseline``.

    ``goal_map``: DataFrame (``indicator``, ``goal``) or dict indicator → goal.

    ``lower_bound``: rule for indicators whose bounds row has no lower bound:
    ``"p2.5"`` (2.5th percentile on the bad side, across the units scored),
    any ``"pX"``, ``"min"`` (worst unit) or ``"given"`` (must be in the table).

    A unit gets no index (and no rank) when more than ``missing_threshold`` of
    the indicators are missing; values flagged ``small``/``suppressed`` are
    shown but enter no goal score, index or rank.
    """
    check_lang(lang)
    get_method(method)
    _check_threshold(missing_threshold)
    v = _with_quality(prepare_values(values))
    b = prepare_bounds(bounds)
    gm = prepare_goal_map(goal_map)
    latest = latest_values(v, period)
    check_coverage(latest, b, gm)
    resolved = resolve_bounds(latest, b, lower_bound)
    ind, goals, idx = _unit_tables(latest, resolved, gm, method, missing_threshold)
    ind, goals, idx = _finish(ind, goals, idx, lang)
    log.debug("scored %d units × %d indicators with %s", idx.shape[0], resolved.shape[0], method)
    return ScoreResult(
        indicators=ind,
        goals=goals,
        index=idx,
        bounds=resolved,
        goal_map=gm,
        method=method,
        lower_bound=lower_bound,
        missing_threshold=missing_threshold,
        period=period,
        lang=lang,
    )


def update_units(result: ScoreResult, values: pd.DataFrame) -> ScoreResult:
    """Re-score the units in ``values`` against the frozen bounds of ``result``; re-rank everyone.

    For a municipality that has loaded new data: its scores, goals, colours
    and index are recomputed with the lower bounds of the last full run (a
    percentile bound moves only with a full :func:`score_table`), and all
    ranks are recomputed so they stay consistent. ``values`` must hold *all*
    the observations of each unit it names: the unit's old rows are replaced,
    so an indicator left out counts as missing.
    """
    v = _with_quality(prepare_values(values))
    latest = latest_values(v, result.period)
    check_coverage(latest, result.bounds, result.goal_map)
    ind_new, goals_new, idx_new = _unit_tables(
        latest, result.bounds, result.goal_map, result.method, result.missing_threshold
    )
    changed = set(pd.unique(latest["unit"]))
    old_ind = result.indicators[~result.indicators["unit"].isin(changed)]
    old_ind = old_ind.assign(_usable=(old_ind["quality"] == "ok") & old_ind["score"].notna())
    ind = pd.concat([old_ind.drop(columns=["rank", "symbol", "colour_label", "note_label"]), ind_new])
    goals = pd.concat(
        [result.goals[~result.goals["unit"].isin(changed)].drop(columns=["symbol", "colour_label"]), goals_new]
    )
    idx = pd.concat([result.index[~result.index["unit"].isin(changed)].drop(columns=["rank", "note_label"]), idx_new])
    ind = ind.sort_values(["unit", "indicator"], kind="stable")
    goals = goals.sort_values(["unit", "goal"], kind="stable")
    idx = idx.sort_values("unit", kind="stable")
    ind, goals, idx = _finish(ind, goals, idx, result.lang)
    return replace(result, indicators=ind, goals=goals, index=idx)
