"""Property tests: scores stay in 0–100, a better value never lowers a score or worsens a colour."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from fn17.scoring import score_table, trend_table

COLOUR_RANK = {"red": 0, "orange": 1, "yellow": 2, "green": 3}
finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
PROFILE = settings(max_examples=40, deadline=None)


@st.composite
def scenario(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    n = draw(st.integers(min_value=2, max_value=25))
    direction = draw(st.sampled_from(["higher", "lower"]))
    values = draw(st.lists(finite, min_size=n, max_size=n))
    optimum = draw(finite)
    a, b = sorted(draw(st.lists(finite, min_size=2, max_size=2)))
    green, red = (b, a) if direction == "higher" else (a, b)
    bound_rule = draw(st.sampled_from(["p2.5", "min", "p10"]))
    vals = pd.DataFrame({"unit": [f"u{i}" for i in range(n)], "indicator": "k", "value": values})
    bounds = pd.DataFrame(
        {"indicator": ["k"], "optimum": [optimum], "direction": [direction], "green": [green], "red": [red]}
    )
    return vals, bounds, bound_rule


@PROFILE
@given(scenario())
def test_scores_stay_within_0_and_100(case: tuple[pd.DataFrame, pd.DataFrame, str]) -> None:
    values, bounds, rule = case
    for method in ("sdsn", "u4ssc", "oecd"):
        r = score_table(values, bounds, {"k": 1}, lower_bound=rule, method=method)
        for table, col in ((r.indicators, "score"), (r.goals, "score"), (r.index, "index")):
            s = table[col].dropna()
            assert ((s >= 0.0) & (s <= 100.0)).all(), (method, col, s.tolist())


@PROFILE
@given(scenario(), st.integers(min_value=0, max_value=24), st.floats(min_value=0.001, max_value=1e4))
def test_a_better_value_never_lowers_its_score_or_colour(
    case: tuple[pd.DataFrame, pd.DataFrame, str], pick: int, step: float
) -> None:
    values, bounds, rule = case
    i = pick % len(values)
    sign = 1.0 if bounds.loc[0, "direction"] == "higher" else -1.0
    better = values.copy()
    better.loc[i, "value"] = values.loc[i, "value"] + sign * step
    unit = values.loc[i, "unit"]
    for method in ("sdsn", "oecd"):
        before = score_table(values, bounds, {"k": 1}, lower_bound=rule, method=method).indicators
        after = score_table(better, bounds, {"k": 1}, lower_bound=rule, method=method).indicators
        b_row = before[before["unit"] == unit].iloc[0]
        a_row = after[after["unit"] == unit].iloc[0]
        assert a_row["score"] >= b_row["score"] - 1e-9, (method, b_row["score"], a_row["score"])
        assert COLOUR_RANK[a_row["colour"]] >= COLOUR_RANK[b_row["colour"]]


@PROFILE
@given(
    st.lists(finite, min_size=2, max_size=8),
    st.integers(min_value=0, max_value=7),
    st.floats(min_value=0.001, max_value=1e4),
)
def test_a_better_value_never_lowers_its_goal_score_or_index_with_given_bounds(
    vals: list[float], pick: int, step: float
) -> None:
    # three indicators, two goals, fixed bounds
    indicators = ["a", "b", "c"]
    bounds = pd.DataFrame(
        {
            "indicator": indicators,
            "optimum": [100.0, 0.0, 50.0],
            "direction": ["higher", "lower", "higher"],
            "lower_bound": [0.0, 100.0, -50.0],
        }
    )
    units = [f"u{j}" for j in range(len(vals))]
    values = pd.DataFrame(
        [(u, ind, v + k) for u, v in zip(units, vals, strict=True) for k, ind in enumerate(indicators)],
        columns=["unit", "indicator", "value"],
    )
    row = pick % len(values)
    sign = -1.0 if values.loc[row, "indicator"] == "b" else 1.0
    better = values.copy()
    better.loc[row, "value"] += sign * step
    gm = {"a": 1, "b": 1, "c": 2}
    r0 = score_table(values, bounds, gm, lower_bound="given")
    r1 = score_table(better, bounds, gm, lower_bound="given")
    unit = values.loc[row, "unit"]
    g0 = r0.goals[r0.goals["unit"] == unit]["score"].to_numpy()
    g1 = r1.goals[r1.goals["unit"] == unit]["score"].to_numpy()
    assert (g1 >= g0 - 1e-9).all()
    i0 = r0.index.set_index("unit").loc[unit, "index"]
    i1 = r1.index.set_index("unit").loc[unit, "index"]
    assert i1 >= i0 - 1e-9


@PROFILE
@given(
    st.lists(st.floats(min_value=0, max_value=200, allow_nan=False), min_size=3, max_size=11),
    st.sampled_from(["higher", "lower"]),
)
def test_trend_class_agrees_with_the_projected_year(series: list[float], direction: str) -> None:
    frame = pd.DataFrame({"unit": "K", "indicator": "k", "period": range(2015, 2015 + len(series)), "value": series})
    bounds = pd.DataFrame({"indicator": ["k"], "optimum": [100.0], "direction": [direction]})
    t = trend_table(frame, bounds).iloc[0]
    if t["achieved"]:
        assert t["trend"] == "on_track"
    elif t["trend"] == "on_track":
        assert not pd.isna(t["projected_year"]) and t["projected_year"] <= 2030
    elif t["trend"] in ("moderately_improving", "stagnating") and not pd.isna(t["projected_year"]):
        assert t["projected_year"] > 2030
    if t["trend"] == "decreasing":
        assert pd.isna(t["projected_year"])
        assert np.sign(t["slope"]) == (-1 if direction == "higher" else 1)
