"""score_table, SDSN style: values worked by hand, and one published set of bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fn17.errors import InvalidInputError, NotFoundError
from fn17.scoring import (
    METHODS,
    ScoreResult,
    colour_legend,
    get_method,
    register_method,
    score_table,
    update_units,
)


def _bounds(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "optimum", "direction", "lower_bound", "green", "red"])


def _row(result: ScoreResult, unit: str, indicator: str) -> pd.Series:
    t = result.indicators
    return t[(t["unit"] == unit) & (t["indicator"] == indicator)].iloc[0]


# x: higher is better, 0 at 20, 100 at 100; y: lower is better, 0 at 40, 100 at 0.
BOUNDS = _bounds([("x", 100, "higher", 20, 80, 50), ("y", 0, "lower", 40, 5, 20)])
VALUES = pd.DataFrame(
    {
        "unit": ["A", "A", "B", "B", "C", "C"],
        "indicator": ["x", "y", "x", "y", "x", "y"],
        "value": [60, 10, 110, -5, 10, 50],
    }
)


def test_normalisation_censoring_and_inversion_by_hand() -> None:
    r = score_table(VALUES, BOUNDS, {"x": 1, "y": 2})
    # (60 − 20)/(100 − 20) = 0.5; lower is better: (40 − 10)/(40 − 0) = 0.75
    assert _row(r, "A", "x")["score"] == pytest.approx(50.0)
    assert _row(r, "A", "y")["score"] == pytest.approx(75.0)
    # beyond the optimum: censored at 100 (110 > 100; −5 < 0 when lower is better)
    assert _row(r, "B", "x")["score"] == 100.0
    assert _row(r, "B", "y")["score"] == 100.0
    # beyond the lower bound: censored at 0
    assert _row(r, "C", "x")["score"] == 0.0
    assert _row(r, "C", "y")["score"] == 0.0


def test_indicator_colours_use_the_midpoint_between_green_and_red() -> None:
    r = score_table(VALUES, BOUNDS, {"x": 1, "y": 2})
    # x: red 50, midpoint 65, green 80 → 60 is orange; y: green 5, midpoint 12.5, red 20 → 10 is yellow
    assert _row(r, "A", "x")["colour"] == "orange"
    assert _row(r, "A", "y")["colour"] == "yellow"
    assert _row(r, "B", "x")["colour"] == "green"
    assert _row(r, "C", "y")["colour"] == "red"
    assert r.bounds.set_index("indicator").loc["x", "midpoint"] == 65.0
    assert r.bounds.set_index("indicator").loc["y", "midpoint"] == 12.5


def test_a_value_on_a_threshold_gets_the_better_colour() -> None:
    values = pd.DataFrame({"unit": ["P", "Q", "R"], "indicator": "x", "value": [80.0, 65.0, 50.0]})
    r = score_table(values, BOUNDS, {"x": 1})
    assert [_row(r, u, "x")["colour"] for u in "PQR"] == ["green", "yellow", "orange"]


def test_colour_symbols_and_labels_in_three_languages() -> None:
    nb = score_table(VALUES, BOUNDS, {"x": 1, "y": 2}, lang="nb")
    nn = score_table(VALUES, BOUNDS, {"x": 1, "y": 2}, lang="nn")
    en = score_table(VALUES, BOUNDS, {"x": 1, "y": 2}, lang="en")
    assert (_row(nb, "B", "x")["symbol"], _row(nb, "B", "x")["colour_label"]) == ("✔", "Mål nådd")
    assert (_row(nb, "A", "y")["symbol"], _row(nb, "A", "y")["colour_label"]) == ("!", "Utfordringer gjenstår")
    assert (_row(nn, "A", "y")["symbol"], _row(nn, "A", "y")["colour_label"]) == ("!", "Utfordringar står att")
    assert (_row(en, "A", "x")["symbol"], _row(en, "A", "x")["colour_label"]) == ("!!", "Significant challenges")
    assert (_row(en, "C", "x")["symbol"], _row(en, "C", "x")["colour_label"]) == ("✖", "Major challenges")
    legend = colour_legend("en")
    assert legend["colour"].tolist()[:4] == ["green", "yellow", "orange", "red"]
    assert legend["symbol"].tolist() == ["✔", "!", "!!", "✖", "–"]
    with pytest.raises(InvalidInputError, match="nb, nn eller en"):
        colour_legend("de")


# Goal colour from the two worst indicators. p, q, s: higher is better, 0 at 0, 100 at 100,
# red 40, midpoint 60, green 80. Dashboard position: 3 + (v − 80)/20 when green, 2 + (v − 60)/20
# when yellow, 1 + (v − 40)/20 when orange, 1 − (40 − v)/40 when red.
GOAL_BOUNDS = _bounds([(i, 100, "higher", 0, 80, 40) for i in ("p", "q", "s")])


@pytest.mark.parametrize(
    ("p", "q", "s", "colour", "position", "worst"),
    [
        # two worst q (3.5) and s (2.75): mean 3.125 ≥ 3, but s is yellow → not green
        (100, 90, 75, "yellow", 3.125, "s,q"),
        # two worst green (3.25, 3.75): mean 3.5 → green
        (100, 95, 85, "green", 3.5, "s,q"),
        # one red (10 → 0.25) beside greens (4.0): mean 2.125 → yellow
        (100, 100, 10, "yellow", 2.125, "s,p"),
        # 30 → 0.75 and 45 → 1.25: mean 1.0 → orange
        (100, 45, 30, "orange", 1.0, "s,q"),
        # 0 → 0 and 45 → 1.25: mean 0.625 → red
        (100, 45, 0, "red", 0.625, "s,q"),
    ],
)
def test_goal_colour_from_its_two_worst_indicators(
    p: float, q: float, s: float, colour: str, position: float, worst: str
) -> None:
    values = pd.DataFrame({"unit": "U", "indicator": ["p", "q", "s"], "value": [p, q, s]})
    r = score_table(values, GOAL_BOUNDS, {"p": 7, "q": 7, "s": 7})
    goal = r.goals.iloc[0]
    assert goal["colour"] == colour
    assert goal["colour_position"] == pytest.approx(position)
    assert goal["worst_indicators"] == worst
    assert goal["score"] == pytest.approx((p + q + s) / 3)


def test_a_goal_with_one_indicator_takes_its_colour() -> None:
    values = pd.DataFrame({"unit": "U", "indicator": ["p"], "value": [70.0]})
    r = score_table(values, GOAL_BOUNDS, {"p": 3})
    assert r.goals.iloc[0]["colour"] == "yellow"
    assert r.goals.iloc[0]["colour_position"] == pytest.approx(2.5)


# Index: goals G1 = {a, b}, G2 = {c}, G3 = {d, e}; every indicator 0 at 0, 100 at 100, so score = value.
INDEX_BOUNDS = _bounds([(i, 100, "higher", 0, None, None) for i in "abcde"])
INDEX_MAP = {"a": "G1", "b": "G1", "c": "G2", "d": "G3", "e": "G3"}


def _index_values(rows: dict[str, dict[str, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(u, i, v) for u, vals in rows.items() for i, v in vals.items() if v is not None],
        columns=["unit", "indicator", "value"],
    )


def test_goal_scores_index_missing_data_and_the_20_percent_rule() -> None:
    values = _index_values(
        {
            "U1": {"a": 80, "b": 60, "c": 50, "d": 90, "e": 30},  # goals 70, 50, 60 → index 60
            "U2": {"b": 40, "c": 100, "d": 70, "e": 70},  # a missing (1/5 = 20 %): goals 40, 100, 70 → 70
            "U3": {"c": 100, "d": 100, "e": 100},  # a, b missing (2/5 = 40 %) → no index
        }
    )
    r = score_table(values, INDEX_BOUNDS, INDEX_MAP)
    goals = r.goals.set_index(["unit", "goal"])["score"]
    assert goals[("U1", "G1")] == pytest.approx(70.0)
    assert goals[("U2", "G1")] == pytest.approx(40.0)
    assert np.isnan(goals[("U3", "G1")])
    index = r.index.set_index("unit")
    assert index.loc["U1", "index"] == pytest.approx(60.0)
    assert index.loc["U2", "index"] == pytest.approx(70.0)
    assert np.isnan(index.loc["U3", "index"])
    assert index.loc["U2", "share_missing"] == pytest.approx(0.2)
    assert index.loc["U3", "note"] == "missing_data"
    assert "mer enn 20 %" in index.loc["U3", "note_label"]
    assert index["rank"].tolist() == [2, 1, pd.NA]
    # A stricter threshold takes U2's index away too.
    strict = score_table(values, INDEX_BOUNDS, INDEX_MAP, missing_threshold=0.1).index.set_index("unit")
    assert np.isnan(strict.loc["U2", "index"]) and strict.loc["U2", "note"] == "missing_data"


def test_small_numbers_are_shown_but_never_ranked() -> None:
    values = _index_values(
        {
            "U1": {"a": 80, "b": 60, "c": 50, "d": 90, "e": 30},
            "U2": {"a": 90, "b": 90, "c": 90, "d": 90, "e": 90},
        }
    )
    values["quality"] = "ok"
    values.loc[(values["unit"] == "U2") & (values["indicator"] == "e"), "quality"] = "small"
    r = score_table(values, INDEX_BOUNDS, INDEX_MAP)
    e = _row(r, "U2", "e")
    assert e["score"] == 90.0 and pd.isna(e["rank"])
    assert e["note_label"] == "ikke rangert: for lite tallgrunnlag"
    assert _row(r, "U1", "e")["rank"] == 1  # the only rankable value of e
    # e enters no goal: G3 of U2 is d alone
    g3 = r.goals.set_index(["unit", "goal"]).loc[("U2", "G3")]
    assert g3["n_indicators"] == 1 and g3["n_expected"] == 2
    # one flagged of five (20 %) still gives an index; two do not
    assert r.index.set_index("unit").loc["U2", "rank"] == 1
    values.loc[(values["unit"] == "U2") & (values["indicator"] == "d"), "quality"] = "small"
    r2 = score_table(values, INDEX_BOUNDS, INDEX_MAP).index.set_index("unit")
    assert r2.loc["U2", "note"] == "small_numbers" and pd.isna(r2.loc["U2", "rank"])
    assert r2.loc["U2", "note_label"] == "ikke rangert: for lite tallgrunnlag"


def test_status_and_counts_are_flagged_automatically() -> None:
    values = pd.DataFrame(
        {
            "unit": ["U1", "U2", "U3"],
            "indicator": "a",
            "value": [50.0, 60.0, 70.0],
            "numerator": [50, 3, 70],
            "denominator": [100, 5, 100],
            "status": [None, None, ":"],
        }
    )
    r = score_table(values, INDEX_BOUNDS, {"a": 1}, missing_threshold=0.5)
    t = r.indicators.set_index("unit")
    assert t["quality"].tolist() == ["ok", "small", "suppressed"]
    assert np.isnan(t.loc["U3", "value"])  # a suppressed number is removed, not scored
    assert t["rank"].tolist() == [1, pd.NA, pd.NA]


def test_percentile_lower_bound_is_the_bad_tail_and_matches_numpy() -> None:
    units = [f"K{i:02d}" for i in range(41)]
    values = pd.DataFrame(
        {"unit": units * 2, "indicator": ["hi"] * 41 + ["lo"] * 41, "value": list(range(41)) * 2}
    ).astype({"value": float})
    bounds = pd.DataFrame({"indicator": ["hi", "lo"], "optimum": [40.0, 0.0], "direction": ["higher", "lower"]})
    r = score_table(values, bounds, {"hi": 1, "lo": 1})
    b = r.bounds.set_index("indicator")
    assert b.loc["hi", "lower_bound"] == pytest.approx(np.percentile(np.arange(41), 2.5))  # 1.0
    assert b.loc["lo", "lower_bound"] == pytest.approx(np.percentile(np.arange(41), 97.5))  # 39.0
    assert b.loc["hi", "lower_bound_source"] == "p2.5"
    assert _row(r, "K20", "hi")["score"] == pytest.approx(100 * (20 - 1) / (40 - 1))
    assert _row(r, "K20", "lo")["score"] == pytest.approx(100 * (39 - 20) / (39 - 0))
    assert _row(r, "K00", "hi")["score"] == 0.0  # below the bound: censored
    rmin = score_table(values, bounds, {"hi": 1, "lo": 1}, lower_bound="min")
    assert rmin.bounds.set_index("indicator")["lower_bound"].tolist() == [0.0, 40.0]
    with pytest.raises(InvalidInputError, match=r"p2\.5"):
        score_table(values, bounds, {"hi": 1, "lo": 1}, lower_bound="q3")


def test_latest_period_is_scored_unless_one_is_chosen() -> None:
    values = pd.DataFrame(
        {
            "unit": ["A", "A", "A", "B"],
            "indicator": "x",
            "period": [2021, 2022, 2023, 2022],
            "value": [30.0, 40.0, None, 90.0],
        }
    )
    r = score_table(values, BOUNDS, {"x": 1})
    a = _row(r, "A", "x")
    assert a["period"] == 2022 and a["score"] == pytest.approx(25.0)  # 2023 has no value
    r21 = score_table(values, BOUNDS, {"x": 1}, period=2021)
    assert r21.indicators["unit"].tolist() == ["A"]
    assert _row(r21, "A", "x")["score"] == pytest.approx(12.5)


# The SDSN formula x' = (x − min)/(max − min) × 100 (Lafortune et al. 2018) applied with bounds
# published in SDSN's Sustainable Development Report 2025 codebook (optimum, green, red, lower bound).
SDR2025 = pd.DataFrame(
    [
        ("sdg1_oecdpov", "lower", 6.1, 10, 15, 17.7),  # Poverty rate after taxes and transfers (%)
        ("sdg1_wpc", "lower", 0, 2, 13, 72.6),  # Poverty headcount ratio at $2.15/day (%)
        ("sdg2_crlyld", "higher", 7, 2.5, 1.5, 0.2),  # Cereal yield (tonnes per hectare)
    ],
    columns=["indicator", "direction", "optimum", "green", "red", "lower_bound"],
)


def test_published_sdsn_bounds_worked_by_hand() -> None:
    values = pd.DataFrame(
        [
            ("X", "sdg1_oecdpov", 11.9),  # (17.7 − 11.9)/(17.7 − 6.1) = 5.8/11.6 = 0.5
            ("X", "sdg1_wpc", 36.3),  # (72.6 − 36.3)/72.6 = 0.5
            ("X", "sdg2_crlyld", 3.6),  # (3.6 − 0.2)/(7 − 0.2) = 3.4/6.8 = 0.5
            ("Y", "sdg1_oecdpov", 5.0),
            ("Y", "sdg1_wpc", 80.0),
            ("Y", "sdg2_crlyld", 2.0),
        ],
        columns=["unit", "indicator", "value"],
    )
    gm = {"sdg1_oecdpov": 1, "sdg1_wpc": 1, "sdg2_crlyld": 2}
    r = score_table(values, SDR2025, gm, lower_bound="given", lang="en")
    for ind in ("sdg1_oecdpov", "sdg1_wpc", "sdg2_crlyld"):
        assert _row(r, "X", ind)["score"] == pytest.approx(50.0)
    # poverty 11.9: between green 10 and the midpoint 12.5 → yellow; cereal 3.6 ≥ 2.5 → green
    assert _row(r, "X", "sdg1_oecdpov")["colour"] == "yellow"
    assert _row(r, "X", "sdg2_crlyld")["colour"] == "green"
    assert _row(r, "Y", "sdg1_oecdpov")["score"] == 100.0  # better than the optimum
    assert _row(r, "Y", "sdg1_wpc")["score"] == 0.0  # worse than the lower bound
    assert _row(r, "Y", "sdg2_crlyld")["colour"] == "yellow"  # midpoint 2.0 → yellow
    assert r.index.set_index("unit").loc["X", "index"] == pytest.approx(50.0)


def test_update_units_matches_a_full_recompute_when_bounds_are_given() -> None:
    values = _index_values(
        {
            "U1": {"a": 80, "b": 60, "c": 50, "d": 90, "e": 30},
            "U2": {"a": 40, "b": 40, "c": 100, "d": 70, "e": 70},
            "U3": {"a": 10, "b": 20, "c": 30, "d": 40, "e": 50},
        }
    )
    full = score_table(values, INDEX_BOUNDS, INDEX_MAP)
    new_u3 = _index_values({"U3": {"a": 100, "b": 100, "c": 100, "d": 100, "e": 95}})
    updated = update_units(full, new_u3)
    changed = pd.concat([values[values["unit"] != "U3"], new_u3], ignore_index=True)
    again = score_table(changed, INDEX_BOUNDS, INDEX_MAP)
    pd.testing.assert_frame_equal(updated.index, again.index)
    pd.testing.assert_frame_equal(updated.goals, again.goals)
    pd.testing.assert_frame_equal(updated.indicators, again.indicators)
    assert updated.index.set_index("unit").loc["U3", "rank"] == 1


def test_update_units_keeps_the_frozen_percentile_bound() -> None:
    values = pd.DataFrame({"unit": list("ABCDE"), "indicator": "x", "value": [0.0, 25.0, 50.0, 75.0, 100.0]})
    bounds = pd.DataFrame({"indicator": ["x"], "optimum": [100.0], "direction": ["higher"]})
    full = score_table(values, bounds, {"x": 1}, lower_bound="min")
    # A, the worst unit, improves to 60: a full recompute would move the bound to 25 (B);
    # the update keeps the bound of the full run (0), so A scores 60.
    updated = update_units(full, pd.DataFrame({"unit": ["A"], "indicator": ["x"], "value": [60.0]}))
    assert _row(updated, "A", "x")["score"] == pytest.approx(60.0)
    assert updated.bounds.equals(full.bounds)
    assert updated.index.set_index("unit")["rank"].to_dict() == {"A": 3, "B": 5, "C": 4, "D": 2, "E": 1}


def test_dashboard_of_one_unit_and_unknown_unit() -> None:
    r = score_table(VALUES, BOUNDS, {"x": 1, "y": 2})
    d = r.dashboard("A")
    assert d["goal"].tolist() == [1, 2]
    assert d["colour"].tolist() == ["orange", "yellow"]
    with pytest.raises(NotFoundError, match="9999"):
        r.dashboard("9999")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda v, b: (v.drop(columns="value"), b), "mangler kolonnen value"),
        (lambda v, b: (v, b.assign(direction=["up", "lower"])), "retningen «up» er ukjent"),
        (lambda v, b: (v.assign(indicator=["x", "z"] * 3), b), "Indikatoren z"),
        (lambda v, b: (v, b.assign(green=[40, 5])), "grønn terskel"),
        (lambda v, b: (v.assign(value=["1,5"] * 6), b), "«1,5» er ikke et tall"),
        (lambda v, b: (v, b.assign(lower_bound=[120, 40])), "nedre grense"),
    ],
)
def test_bad_input_names_the_object_and_the_fix(mutate: object, message: str) -> None:
    values, bounds = mutate(VALUES.copy(), BOUNDS.copy())  # type: ignore[operator]
    with pytest.raises(InvalidInputError, match=message) as info:
        score_table(values, bounds, {"x": 1, "y": 2})
    assert info.value.message_en != info.value.message


def test_method_registry_is_pluggable() -> None:
    assert set(METHODS) >= {"sdsn", "u4ssc", "oecd"}

    def percent_rank(frame: pd.DataFrame) -> pd.Series:
        y = frame["value"] * frame["sign"]
        return y.groupby(frame["indicator"]).rank(pct=True) * 100.0

    register_method("test_percent_rank", percent_rank, replace=True)
    r = score_table(VALUES, BOUNDS, {"x": 1, "y": 2}, method="test_percent_rank")
    assert _row(r, "B", "x")["score"] == 100.0
    assert _row(r, "C", "x")["score"] == pytest.approx(100 / 3)
    with pytest.raises(InvalidInputError, match="finnes allerede"):
        register_method("test_percent_rank", percent_rank)
    register_method("test_too_big", lambda f: f["value"] * 10.0, replace=True)
    with pytest.raises(InvalidInputError, match="utenfor 0–100"):
        score_table(VALUES, BOUNDS, {"x": 1, "y": 2}, method="test_too_big")
    with pytest.raises(NotFoundError, match="sdsn"):
        get_method("nope")


def test_inputs_are_never_modified() -> None:
    from fn17.scoring import achievement_table, flag_small_numbers, trend_table

    values = pd.DataFrame(
        {
            "unit": ["A", "A", "B", "B"],
            "indicator": "x",
            "period": [2022, 2023, 2022, 2023],
            "value": [30, 40, 50, 60],
            "numerator": [3, 4, 50, 60],
            "denominator": [10, 10, 100, 100],
            "status": [None, ":", None, None],
        }
    )
    bounds = BOUNDS.copy()
    before_values, before_bounds = values.copy(), bounds.copy()
    flag_small_numbers(values)
    score_table(values, bounds, {"x": 1, "y": 2})
    trend_table(values, bounds, min_points=2)
    achievement_table(values, bounds)
    pd.testing.assert_frame_equal(values, before_values)
    pd.testing.assert_frame_equal(bounds, before_bounds)


def test_duplicates_and_a_period_without_a_period_column_are_refused() -> None:
    twice = pd.DataFrame({"unit": ["A", "A"], "indicator": "x", "period": [2023, 2023], "value": [1.0, 2.0]})
    with pytest.raises(InvalidInputError, match="flere verdier for år 2023"):
        score_table(twice, BOUNDS, {"x": 1})
    with pytest.raises(InvalidInputError, match="ingen kolonne period"):
        score_table(VALUES, BOUNDS, {"x": 1, "y": 2}, period=2023)
