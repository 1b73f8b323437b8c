"""trend_table: every trend class, worked by hand, with projected years."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fn17.errors import InvalidInputError
from fn17.scoring import TREND_COLUMNS, trend_legend, trend_table

# h: higher is better, optimum 100; l: lower is better, optimum 0.
BOUNDS = pd.DataFrame({"indicator": ["h", "l"], "optimum": [100.0, 0.0], "direction": ["higher", "lower"]})


def _series(unit: str, indicator: str, start: int, values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"unit": unit, "indicator": indicator, "period": range(start, start + len(values)), "value": values}
    )


def _trend(frames: list[pd.DataFrame], **kw: object) -> pd.DataFrame:
    return trend_table(pd.concat(frames, ignore_index=True), BOUNDS, **kw).set_index("unit")  # type: ignore[arg-type]


def test_every_trend_class_by_hand() -> None:
    t = _trend(
        [
            # from 40 in 2015, 60 to go in 15 years: needed 4 a year
            _series("on_track", "h", 2015, [40, 44, 48, 52, 56, 60]),  # slope 4 ≥ 4
            _series("moderate", "h", 2015, [40, 43, 46, 49, 52, 55]),  # 2 < 3 < 4
            _series("half", "h", 2015, [40, 42, 44, 46, 48, 50]),  # 2 = half of 4: not "over half"
            _series("slow", "h", 2015, [40, 41, 42, 43, 44, 45]),  # 1 ≤ 2
            _series("flat", "h", 2015, [40, 40, 40, 40]),  # 0
            _series("falling", "h", 2015, [40, 38, 36, 34]),  # −2
            _series("reached", "h", 2015, [98, 99, 100, 101]),  # at/over the optimum
            _series("short", "h", 2022, [50, 60]),  # two years < min_points 3
        ]
    )
    assert t["trend"].to_dict() == {
        "falling": "decreasing",
        "flat": "stagnating",
        "half": "stagnating",
        "moderate": "moderately_improving",
        "on_track": "on_track",
        "reached": "on_track",
        "short": "insufficient_data",
        "slow": "stagnating",
    }
    assert t.loc["on_track", "slope"] == pytest.approx(4.0)
    assert t.loc["on_track", "needed_slope"] == pytest.approx(4.0)
    assert t.loc["moderate", "ratio"] == pytest.approx(0.75)
    # projected: 2015 + 60 / slope
    assert t.loc["on_track", "projected_year"] == 2030
    assert t.loc["moderate", "projected_year"] == 2035
    assert t.loc["slow", "projected_year"] == 2075
    assert pd.isna(t.loc["flat", "projected_year"]) and pd.isna(t.loc["falling", "projected_year"])
    assert t.loc["reached", "achieved"] and t.loc["reached", "projected_year"] == 2018
    assert pd.isna(t.loc["short", "projected_year"]) and np.isnan(t.loc["short", "slope"])
    assert t.loc["on_track", "arrow"] == "↑" and t.loc["moderate", "arrow"] == "↗"
    assert t.loc["flat", "arrow"] == "→" and t.loc["falling", "arrow"] == "↓" and t.loc["short", "arrow"] == "•"
    assert t.loc["falling", "label"] == "Går i feil retning"
    assert list(trend_table(_series("x", "h", 2015, [1, 2, 3]), BOUNDS).columns) == TREND_COLUMNS


def test_lower_is_better_and_projection_beyond_the_horizon() -> None:
    t = _trend(
        [
            _series("down", "l", 2015, [30, 28, 26, 24]),  # −2 a year, 30 to go in 15: needed −2 → on track
            _series("creep", "l", 2015, [30, 29.9, 29.8, 29.7]),  # −0.1 a year: reaches 0 in 2315
            _series("up", "l", 2015, [30, 31, 32, 33]),  # getting worse
        ],
        lang="en",
    )
    assert t.loc["down", "trend"] == "on_track" and t.loc["down", "projected_year"] == 2030
    assert t.loc["down", "needed_slope"] == pytest.approx(-2.0)
    assert t.loc["creep", "trend"] == "stagnating" and pd.isna(t.loc["creep", "projected_year"])
    assert t.loc["up", "trend"] == "decreasing" and t.loc["up", "label"] == "Decreasing"


def test_fitted_line_not_endpoints() -> None:
    # A noisy last year does not flip the class: OLS slope over 2015–2020 of 40, 44, 48, 52, 56, 52
    t = _trend([_series("noisy", "h", 2015, [40, 44, 48, 52, 56, 52])])
    x = np.arange(6)
    y = np.array([40, 44, 48, 52, 56, 52.0])
    b = np.polyfit(x, y, 1)[0]
    assert t.loc["noisy", "slope"] == pytest.approx(b)
    x0 = y.mean() - b * x.mean()
    assert t.loc["noisy", "needed_slope"] == pytest.approx((100 - x0) / 15)


def test_local_and_national_targets_take_precedence_over_the_optimum() -> None:
    series = _series("K", "h", 2015, [40, 41, 42, 43, 44, 45])
    bounds = BOUNDS.assign(target=[70.0, np.nan])
    # national target 70: needed (70 − 40)/15 = 2; slope 1 is exactly half, not over half → stagnating
    national = trend_table(series, bounds).iloc[0]
    assert national["target"] == 70.0 and national["target_source"] == "target"
    assert national["trend"] == "stagnating"
    # the municipality's own 2030 target 50: needed 10/15; slope 1 → on track, reached in 2025
    local = pd.DataFrame({"unit": ["K"], "indicator": ["h"], "target": [50.0]})
    mine = trend_table(series, bounds, targets=local).iloc[0]
    assert mine["target"] == 50.0 and mine["target_source"] == "local"
    assert mine["trend"] == "on_track" and mine["projected_year"] == 2025


def test_suppressed_years_are_skipped_and_small_years_counted() -> None:
    s = _series("K", "h", 2015, [40, 44, 999, 52, 56, 60])
    s["quality"] = ["ok", "small", "suppressed", "ok", "ok", "ok"]
    t = trend_table(s, BOUNDS).iloc[0]
    assert t["n_years"] == 5 and t["n_small"] == 1
    assert t["slope"] == pytest.approx(4.0)


def test_since_and_target_year() -> None:
    s = _series("K", "h", 2010, [0, 0, 0, 0, 0, 40, 44, 48, 52])
    t = trend_table(s, BOUNDS, since=2015).iloc[0]
    assert t["first_year"] == 2015 and t["slope"] == pytest.approx(4.0)
    later = trend_table(s, BOUNDS, since=2015, target_year=2035).iloc[0]
    assert later["needed_slope"] == pytest.approx(3.0)  # 60 in 20 years
    with pytest.raises(InvalidInputError, match="Målåret"):
        trend_table(s, BOUNDS, target_year=2010)
    with pytest.raises(InvalidInputError, match="minst 2 år"):
        trend_table(s, BOUNDS, min_points=1)


def test_trend_legend() -> None:
    legend = trend_legend("nn")
    assert legend["arrow"].tolist() == ["↑", "↗", "→", "↓", "•"]
    assert legend.set_index("trend").loc["moderately_improving", "label"] == "Moderat forbetring"
