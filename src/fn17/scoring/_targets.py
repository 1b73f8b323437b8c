"""Target-based methods: U4SSC target achievement and OECD distance to 2030 end values.

U4SSC (ITU/UNECE KPIs for smart sustainable cities): achievement toward a
target, ``100 × (value − baseline)/(target − baseline)``, reported in four
bands, each worth points: 95+ % of target (4), 66–95 % (3), 33–66 % (2),
0–33 % (1). A category's result is its points over the maximum points of
the KPIs reported, read on the same bands.

OECD ("A Territorial Approach to the SDGs", 2020): each indicator normalised
0–100 with 100 at the 2030 end value and 0 at the worst unit, censored; the
distance is ``100 − score``; a goal's distance is the mean over its indicators.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from fn17.errors import InvalidInputError
from fn17.scoring._bounds import resolve_bounds
from fn17.scoring._labels import band_texts, check_lang
from fn17.scoring._methods import achievement, resolved_baseline
from fn17.scoring._schema import (
    GoalMap,
    check_known,
    latest_values,
    prepare_bounds,
    prepare_goal_map,
    prepare_values,
    require_columns,
)
from fn17.scoring._score import ScoreResult, _with_quality, score_table

BAND_EDGES = (95.0, 66.0, 33.0)
BAND_CODES = np.array(["0-33", "33-66", "66-95", "95+"], dtype=object)


def u4ssc_band(percent: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Band code and points (1–4) for percentages of target; NA where the percentage is NaN."""
    p = percent.to_numpy(dtype=np.float64, na_value=np.nan)
    points = np.select([p >= BAND_EDGES[0], p >= BAND_EDGES[1], p >= BAND_EDGES[2]], [4, 3, 2], 1)
    has = ~np.isnan(p)
    bands = np.where(has, BAND_CODES[points - 1], None)
    return (
        pd.Series(bands, index=percent.index, dtype=object, name="band"),
        pd.Series(np.where(has, points, np.nan), index=percent.index, name="points").astype("Int64"),
    )


def _baselines(frame: pd.DataFrame, values: pd.DataFrame, baselines: pd.DataFrame | int | None) -> pd.Series:
    if baselines is None:
        return frame["baseline"]
    if isinstance(baselines, int):
        if "period" not in values.columns:
            raise InvalidInputError(
                f"baselines={baselines} (et år) krever kolonnen period i verdiene.",
                message_en=f"baselines={baselines} (a year) needs a period column in the values.",
            )
        table = values.loc[values["period"] == baselines, ["unit", "indicator", "value"]].rename(
            columns={"value": "baseline"}
        )
    else:
        require_columns(baselines, "baselines", ("unit", "indicator", "baseline"))
        table = baselines[["unit", "indicator", "baseline"]]
    table = table.drop_duplicates(["unit", "indicator"], keep="last")
    merged = frame[["unit", "indicator"]].merge(table, on=["unit", "indicator"], how="left")
    own = pd.Series(pd.to_numeric(merged["baseline"], errors="coerce").to_numpy(dtype=np.float64), index=frame.index)
    return own.where(own.notna(), frame["baseline"])


def achievement_table(
    values: pd.DataFrame,
    bounds: pd.DataFrame,
    *,
    baselines: pd.DataFrame | int | None = None,
    period: int | None = None,
    lower_bound: str = "p2.5",
    lang: str = "nb",
) -> pd.DataFrame:
    """U4SSC target achievement per (unit, indicator), with band, points and label.

    The target is the bounds' ``target`` where given, else the ``optimum``.
    The baseline is, in order: the unit's own (``baselines`` table with
    ``unit``, ``indicator``, ``baseline``, or a year whose values serve as
    baselines), the bounds' ``baseline`` column, else 0 when higher is better
    (U4SSC's plain "% of target") and the lower bound (worst 2.5 % of units by
    default) when lower is better, where a share of the target from zero has no
    meaning. Achievement is not censored here: above 100 means beyond the
    target, below 0 means worse than the baseline.
    """
    check_lang(lang)
    v = _with_quality(prepare_values(values))
    b = prepare_bounds(bounds)
    check_known(v, b)
    latest = latest_values(v, period)
    resolved = resolve_bounds(latest, b, lower_bound)
    cols = [c for c in ("unit", "indicator", "period", "value", "quality") if c in latest.columns]
    frame = latest[cols].merge(resolved, on="indicator", how="inner")
    frame["baseline"] = _baselines(frame, v, baselines)
    base = resolved_baseline(frame)
    same = frame["end_value"] == base
    if same.any():
        ind = frame.loc[same, "indicator"].iloc[0]
        raise InvalidInputError(
            f"Indikator {ind}: målet er lik utgangsnivået ({base[same].iloc[0]}), så måloppnåelse er udefinert.",
            message_en=f"Indicator {ind}: the target equals the baseline ({base[same].iloc[0]}); "
            "achievement is undefined.",
            hint="Velg et annet utgangsnivå (baseline) eller mål (target).",
            hint_en="Choose another baseline or target.",
        )
    out = frame[cols].copy()
    out["baseline"] = base
    out["target"] = frame["end_value"]
    out["achievement"] = achievement(
        frame["value"].to_numpy(dtype=np.float64),
        base.to_numpy(dtype=np.float64),
        frame["end_value"].to_numpy(dtype=np.float64),
    )
    if "quality" in out.columns:
        out["achievement"] = out["achievement"].where(out["quality"].isin(["ok", "small"]))
    out["band"], out["points"] = u4ssc_band(out["achievement"])
    out["label"] = band_texts(out["band"], lang)
    return out.sort_values(["unit", "indicator"], kind="stable").reset_index(drop=True)


def achievement_summary(achievements: pd.DataFrame, groups: GoalMap, *, lang: str = "nb") -> pd.DataFrame:
    """U4SSC category score: points of the KPIs reported over their maximum (4 each), as a band.

    ``achievements`` is the output of :func:`achievement_table` (or any table
    with ``unit``, ``indicator``, ``points``); ``groups`` maps indicator →
    category (DataFrame ``indicator``, ``goal`` or a dict). KPIs without
    points (not reported, no benchmark) are left out, as U4SSC does.
    """
    check_lang(lang)
    require_columns(achievements, "achievements", ("unit", "indicator", "points"))
    gm = prepare_goal_map(groups, table="groups")
    rows = achievements.loc[achievements["points"].notna(), ["unit", "indicator", "points"]]
    rows = rows.merge(gm, on="indicator", how="inner").astype({"points": np.int64})
    g = rows.groupby(["unit", "goal"], sort=True).agg(n_reported=("points", "size"), points=("points", "sum"))
    g["max_points"] = 4 * g["n_reported"]
    g["percent"] = 100.0 * g["points"] / g["max_points"]
    out = g.reset_index()
    out["band"], _ = u4ssc_band(out["percent"])
    out["label"] = band_texts(out["band"], lang)
    return out.rename(columns={"goal": "group"})


def distance_table(
    values: pd.DataFrame,
    bounds: pd.DataFrame,
    goal_map: GoalMap,
    *,
    missing_threshold: float = 0.2,
    period: int | None = None,
    lang: str = "nb",
) -> ScoreResult:
    """OECD-style distance to the 2030 end values, for indicators, goals and the index.

    A :class:`ScoreResult` from ``score_table(method="oecd")`` whose tables
    also carry ``distance`` = 100 − score (``indicators``, ``goals``) and
    100 − index (``index``). The end value is ``target`` where given, else the
    ``optimum``.
    """
    result = score_table(
        values, bounds, goal_map, method="oecd", missing_threshold=missing_threshold, period=period, lang=lang
    )
    ind = result.indicators.assign(distance=100.0 - result.indicators["score"])
    goals = result.goals.assign(distance=100.0 - result.goals["score"])
    index = result.index.assign(distance=100.0 - result.index["index"])
    return replace(result, indicators=ind, goals=goals, index=index)
