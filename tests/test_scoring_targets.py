"""U4SSC target achievement, OECD distance and rank sensitivity, worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fn17.errors import InvalidInputError
from fn17.scoring import (
    achievement_summary,
    achievement_table,
    band_legend,
    distance_table,
    rank_sensitivity,
    u4ssc_band,
)


def test_achievement_formula_and_every_band() -> None:
    # baseline 20, target 60: achievement = 100 × (v − 20)/40
    bounds = pd.DataFrame({"indicator": ["k"], "optimum": [60.0], "direction": ["higher"], "baseline": [20.0]})
    values = pd.DataFrame({"unit": list("ABCDEF"), "indicator": "k", "value": [60.0, 58.0, 50.0, 35.0, 30.0, 10.0]})
    a = achievement_table(values, bounds).set_index("unit")
    assert a["achievement"].tolist() == pytest.approx([100.0, 95.0, 75.0, 37.5, 25.0, -25.0])
    assert a["band"].tolist() == ["95+", "95+", "66-95", "33-66", "0-33", "0-33"]
    assert a["points"].tolist() == [4, 4, 3, 2, 1, 1]
    assert a.loc["C", "label"] == "66–95 % av målet"
    en = achievement_table(values, bounds, lang="en").set_index("unit")
    assert en.loc["D", "label"] == "33–66 % of target" and en.loc["E", "label"] == "0–33 % of target"


def test_band_edges_are_inclusive_below() -> None:
    bands, points = u4ssc_band(pd.Series([95.0, 94.999, 66.0, 65.9, 33.0, 32.9, np.nan]))
    assert bands.tolist() == ["95+", "66-95", "66-95", "33-66", "33-66", "0-33", None]
    assert points.tolist() == [4, 3, 3, 2, 2, 1, pd.NA]
    assert band_legend("en")["label"].tolist() == [
        "95+ % of target",
        "66–95 % of target",
        "33–66 % of target",
        "0–33 % of target",
    ]


def test_u4ssc_factsheet_broadband_example() -> None:
    """U4SSC factsheet (Mashhad 2021): fixed broadband, 60 % of households = 100 % of target.

    Published ranges: 95+ % of target = more than 57.0 %; 66–95 % = 39.6–57.0 %;
    33–66 % = 19.8–39.6 %; less than 33 % = less than 19.8 %.
    """
    bounds = pd.DataFrame({"indicator": ["EC: ICT: ICT: 2C"], "optimum": [60.0], "direction": ["higher"]})
    values = pd.DataFrame(
        {"unit": list("ABCDEFG"), "indicator": "EC: ICT: ICT: 2C", "value": [75.0, 57.1, 56.9, 39.7, 39.5, 19.9, 19.7]}
    )
    a = achievement_table(values, bounds).set_index("unit")
    assert a.loc["A", "achievement"] == pytest.approx(125.0)  # plain "% of target": baseline 0
    assert a["band"].tolist() == ["95+", "95+", "66-95", "66-95", "33-66", "33-66", "0-33"]


def test_u4ssc_category_score_reproduces_the_published_example() -> None:
    """U4SSC verification reports (e.g. Kristiansund 2020): Education, 4 KPIs.

    Scores 1, 3, 4 and 1 pt give 9 of 16 = 56.25 %, reported as 33–66 % of target;
    if only 3 are reported with 3, 4 and 2 pts: 9 of 12 = 75 %, reported as 66–95 %.
    """
    kpis = ["E1", "E2", "E3", "E4"]
    first = pd.DataFrame({"unit": "city", "indicator": kpis, "points": [1, 3, 4, 1]})
    second = pd.DataFrame({"unit": "town", "indicator": kpis, "points": [3, 4, 2, pd.NA]}).astype({"points": "Int64"})
    summary = achievement_summary(pd.concat([first, second]), {k: "Education" for k in kpis}, lang="en")
    s = summary.set_index("unit")
    assert s.loc["city", "points"] == 9 and s.loc["city", "max_points"] == 16
    assert s.loc["city", "percent"] == pytest.approx(56.25) and s.loc["city", "band"] == "33-66"
    assert s.loc["town", "n_reported"] == 3 and s.loc["town", "max_points"] == 12
    assert s.loc["town", "percent"] == pytest.approx(75.0) and s.loc["town", "label"] == "66–95 % of target"


def test_baselines_from_a_table_or_a_year_and_lower_is_better() -> None:
    values = pd.DataFrame(
        {
            "unit": ["A", "A", "B", "B"],
            "indicator": "co2",
            "period": [2015, 2023, 2015, 2023],
            "value": [10.0, 7.0, 8.0, 8.0],
        }
    )
    bounds = pd.DataFrame({"indicator": ["co2"], "optimum": [0.0], "direction": ["lower"], "target": [5.0]})
    # each unit's own 2015 value as baseline, target 5: A (7 − 10)/(5 − 10) = 60 %; B (8 − 8)/(5 − 8) = 0 %
    a = achievement_table(values, bounds, baselines=2015).set_index("unit")
    assert a["achievement"].tolist() == pytest.approx([60.0, 0.0])
    assert a["target"].tolist() == [5.0, 5.0]
    table = pd.DataFrame({"unit": ["A"], "indicator": ["co2"], "baseline": [9.0]})
    b = achievement_table(values, bounds, baselines=table).set_index("unit")
    assert b.loc["A", "achievement"] == pytest.approx(50.0)  # (7 − 9)/(5 − 9)
    # B has no own baseline: lower is better, so the lower bound (worst 2.5 % of 2023 values) is used
    assert b.loc["B", "baseline"] == pytest.approx(np.percentile([7.0, 8.0], 97.5))
    with pytest.raises(InvalidInputError, match="lik utgangsnivået"):
        achievement_table(values.assign(value=5.0), bounds, baselines=2015)


def test_oecd_distance_to_end_values() -> None:
    # end value = target 80 where given (a), else the optimum (b); 0 at the worst unit
    bounds = pd.DataFrame(
        {"indicator": ["a", "b"], "optimum": [100.0, 0.0], "direction": ["higher", "lower"], "target": [80.0, None]}
    )
    values = pd.DataFrame(
        {"unit": ["P", "P", "Q", "Q", "R", "R"], "indicator": ["a", "b"] * 3, "value": [20, 10, 50, 5, 90, 40]}
    )
    r = distance_table(values, bounds, {"a": 1, "b": 2})
    ind = r.indicators.set_index(["unit", "indicator"])
    assert ind.loc[("Q", "a"), "score"] == pytest.approx(50.0)  # (50 − 20)/(80 − 20)
    assert ind.loc[("Q", "a"), "distance"] == pytest.approx(50.0)
    assert ind.loc[("R", "a"), "distance"] == 0.0  # beyond the end value
    assert ind.loc[("Q", "b"), "score"] == pytest.approx(87.5)  # (40 − 5)/(40 − 0)
    assert ind.loc[("R", "b"), "distance"] == 100.0  # the worst unit
    idx = r.index.set_index("unit")
    assert idx.loc["Q", "distance"] == pytest.approx(100 - (50 + 87.5) / 2)
    assert r.goals["distance"].notna().all()


def test_rank_sensitivity_shows_a_rank_that_moves() -> None:
    # a and b: higher is better, optimum 10. With the minimum as lower bound:
    #   a: 0 → scores U1 100, U2 90, U3 0, U4 50; b: 0 → U1 0, U2 30, U3 100, U4 50
    #   index U1 50, U2 60, U3 50, U4 50 → U2 first, the others tied second.
    # With the 40th percentile as lower bound: a 5.8, b 3.4 →
    #   a: U1 100, U2 76.19, U3 0, U4 0; b: U1 0, U2 0, U3 100, U4 24.24
    #   index U1 50, U2 38.10, U3 50, U4 12.12 → U1, U3 first, U2 third, U4 fourth.
    values = pd.DataFrame(
        {
            "unit": ["U1", "U2", "U3", "U4"] * 2,
            "indicator": ["a"] * 4 + ["b"] * 4,
            "value": [10.0, 9.0, 0.0, 5.0, 0.0, 3.0, 10.0, 5.0],
        }
    )
    bounds = pd.DataFrame({"indicator": ["a", "b"], "optimum": [10.0, 10.0], "direction": ["higher", "higher"]})
    out = rank_sensitivity(
        values,
        bounds,
        {"a": 1, "b": 2},
        variants={"min": {"method": "sdsn", "lower_bound": "min"}, "p40": {"method": "sdsn", "lower_bound": "p40"}},
        spread_threshold=2,
    ).set_index("unit")
    assert out["index_min"].to_dict() == pytest.approx({"U1": 50.0, "U2": 60.0, "U3": 50.0, "U4": 50.0})
    assert out.loc["U2", "index_p40"] == pytest.approx(100 * 3.2 / 4.2 / 2)
    assert out["rank_min"].to_dict() == {"U1": 2, "U2": 1, "U3": 2, "U4": 2}
    assert out["rank_p40"].to_dict() == {"U1": 1, "U2": 3, "U3": 1, "U4": 4}
    assert out.loc["U2", "rank_spread"] == 2 and out.loc["U2", "sensitive"]
    assert out.loc["U4", "rank_best"] == 2 and out.loc["U4", "rank_worst"] == 4
    assert not out.loc["U1", "sensitive"]


def test_rank_sensitivity_default_variants() -> None:
    rng = np.random.default_rng(7)
    units = [f"K{i}" for i in range(30)]
    values = pd.DataFrame(
        {"unit": units * 3, "indicator": ["a"] * 30 + ["b"] * 30 + ["c"] * 30, "value": rng.uniform(0, 100, 90)}
    )
    bounds = pd.DataFrame(
        {
            "indicator": ["a", "b", "c"],
            "optimum": [100.0, 0.0, 90.0],
            "direction": ["higher", "lower", "higher"],
            "lower_bound": [50.0, 50.0, 50.0],  # ignored: each variant applies its own rule
        }
    )
    out = rank_sensitivity(values, bounds, {"a": 1, "b": 1, "c": 2})
    for name in ("sdsn_p2.5", "sdsn_min", "u4ssc", "oecd"):
        assert out[f"rank_{name}"].notna().all()
        assert out[f"index_{name}"].between(0, 100).all()
    assert (out["rank_spread"] == out["rank_worst"] - out["rank_best"]).all()
    assert out["rank_sdsn_p2.5"].is_monotonic_increasing
    with pytest.raises(InvalidInputError, match="ukjente valg"):
        rank_sensitivity(values, bounds, {"a": 1}, variants={"x": {"method": "sdsn", "weights": 1}})
