"""Four-colour dashboards: indicator colours from thresholds, goal colours from the two worst.

Indicator colour, in "higher is better" space ``y = sign × value`` (a value
exactly on a threshold gets the better colour)::

    green   y ≥ green                        target achieved
    yellow  midpoint ≤ y < green             challenges remain
    orange  red ≤ y < midpoint               significant challenges
    red     y < red                          major challenges
    midpoint = (green + red) / 2

Goal colour (SDSN): each indicator is first placed on a continuous 0–4 scale
whose integers are the band edges (lower bound 0, red threshold 1, midpoint 2,
green threshold 3, optimum 4, linear in between, censored). The goal takes the
mean of its two lowest indicators on that scale (its only one, if it has one):
≥ 3 green, ≥ 2 yellow, ≥ 1 orange, else red, with the SDSN rule that a goal
is green only if both of those indicators are green (else it is yellow).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
COLOUR_CODES = np.array(["red", "orange", "yellow", "green"], dtype=object)


def _arr(s: pd.Series) -> FloatArray:
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(num / den, 0.0, 1.0)


def indicator_colours(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Colour code and 0–4 dashboard position of each row of ``frame``.

    ``frame`` needs ``value``, ``sign``, ``green``, ``red``, ``lower_bound``,
    ``optimum``. Rows without a value or without thresholds get no colour
    (None) and NaN position.
    """
    s = _arr(frame["sign"])
    y = s * _arr(frame["value"])
    g = s * _arr(frame["green"])
    r = s * _arr(frame["red"])
    lo = s * _arr(frame["lower_bound"])
    hi = s * _arr(frame["optimum"])
    mid = (g + r) / 2.0
    has = ~(np.isnan(y) | np.isnan(g) | np.isnan(r))
    with np.errstate(invalid="ignore"):
        is_green = y >= g
        is_yellow = ~is_green & (y >= mid)
        is_orange = ~is_green & ~is_yellow & (y >= r)
    band = np.select([is_green, is_yellow, is_orange], [3, 2, 1], 0)

    top = np.where(hi > g, _ratio(y - g, hi - g), 1.0)
    red_width = np.where(r > lo, r - lo, np.where(mid > r, mid - r, np.nan))
    bottom = np.where(np.isnan(red_width), 0.5, 1.0 - _ratio(r - y, red_width))
    position = np.select(
        [is_green, is_yellow, is_orange],
        [3.0 + top, 2.0 + _ratio(y - mid, g - mid), 1.0 + _ratio(y - r, mid - r)],
        bottom,
    )
    colours = np.where(has, COLOUR_CODES[band], None)
    position = np.where(has, position, np.nan)
    return (
        pd.Series(colours, index=frame.index, name="colour", dtype=object),
        pd.Series(position, index=frame.index, name="position", dtype=float),
    )


def goal_colours(rows: pd.DataFrame) -> pd.DataFrame:
    """Goal colour per (unit, goal) from the two worst indicators.

    ``rows`` has ``unit``, ``goal``, ``indicator``, ``position`` (0–4, NaN where
    there is no colour). Returns ``unit``, ``goal``, ``colour``,
    ``colour_position`` (mean of the two worst) and ``worst_indicators``
    (comma-separated, worst first).
    """
    coloured = rows.loc[rows["position"].notna(), ["unit", "goal", "indicator", "position"]]
    if coloured.empty:
        return pd.DataFrame(
            {
                "unit": pd.Series(dtype=object),
                "goal": pd.Series(dtype=object),
                "colour": pd.Series(dtype=object),
                "colour_position": pd.Series(dtype=float),
                "worst_indicators": pd.Series(dtype=object),
            }
        )
    ordered = coloured.sort_values(["unit", "goal", "position", "indicator"], kind="stable")
    nth = ordered.groupby(["unit", "goal"], sort=False).cumcount().to_numpy()
    two = ordered[nth < 2]
    agg = two.groupby(["unit", "goal"], sort=True).agg(
        colour_position=("position", "mean"),
        lowest=("position", "min"),
    )
    first = ordered[nth == 0].set_index(["unit", "goal"])["indicator"].astype(str)
    second = ordered[nth == 1].set_index(["unit", "goal"])["indicator"].astype(str)
    names = first.reindex(agg.index)
    agg["worst_indicators"] = names + ("," + second.reindex(agg.index)).fillna("")
    m = agg["colour_position"].to_numpy(dtype=np.float64)
    lowest = agg["lowest"].to_numpy(dtype=np.float64)
    band = np.select([(m >= 3.0) & (lowest >= 3.0), m >= 2.0, m >= 1.0], [3, 2, 1], 0)
    agg["colour"] = COLOUR_CODES[band]
    return agg.drop(columns="lowest").reset_index()[["unit", "goal", "colour", "colour_position", "worst_indicators"]]
