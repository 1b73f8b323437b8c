"""nearest_peers and the group helpers, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fn17.errors import InvalidInputError, NotFoundError
from fn17.scoring import compare_with_groups, group_summary, nearest_peers

# u: 0, 1, 0, 3 → mean 1, sd √(6/4); v: 0, 0, 2, 3 → mean 1.25, sd √(6.75/4)
STRUCTURAL = pd.DataFrame({"u": [0.0, 1.0, 0.0, 3.0], "v": [0.0, 0.0, 2.0, 3.0]}, index=["A", "B", "C", "D"])
SD_U, SD_V = math.sqrt(6 / 4), math.sqrt(6.75 / 4)


def test_standardised_euclidean_distance_by_hand() -> None:
    res = nearest_peers(STRUCTURAL, "A", k=2)
    assert res.peers["peer"].tolist() == ["B", "C"]
    assert res.peers["rank"].tolist() == [1, 2]
    assert res.peers["distance"].tolist() == pytest.approx([1 / SD_U, 2 / SD_V])
    assert res.peers.set_index("peer").loc["B", "u"] == 1.0  # raw values shown beside the distance
    expl = res.explanation.set_index(["peer", "variable"])
    assert expl.loc[("B", "u"), "share"] == pytest.approx(1.0)
    assert expl.loc[("B", "v"), "share"] == pytest.approx(0.0)
    assert expl.loc[("C", "v"), "z_difference"] == pytest.approx(2 / SD_V)
    assert expl.loc[("C", "v"), "unit_value"] == 0.0 and expl.loc[("C", "v"), "peer_value"] == 2.0
    std = res.standardisation.set_index("variable")
    assert std.loc["u", "mean"] == 1.0 and std.loc["u", "sd"] == pytest.approx(SD_U)
    everyone = nearest_peers(STRUCTURAL, "A", k=10)
    assert everyone.peers["peer"].tolist() == ["B", "C", "D"]
    assert everyone.peers["distance"].iloc[2] == pytest.approx(math.hypot(3 / SD_U, 3 / SD_V))


def test_weights_log_variables_candidates_and_missing_values() -> None:
    weighted = nearest_peers(STRUCTURAL, "A", k=1, weights={"u": 9.0})
    assert weighted.peers["peer"].tolist() == ["C"]  # u now counts 3 × in distance: B is 3/SD_U away
    pop = pd.DataFrame({"unit": ["small", "smaller", "city", "town"], "pop": [1000.0, 150.0, 700000.0, 5000.0]})
    raw = nearest_peers(pop, "small", k=1)
    logged = nearest_peers(pop, "small", k=1, log_variables=["pop"])
    assert raw.peers["peer"].tolist() == ["smaller"]
    assert logged.peers["peer"].tolist() == ["town"]  # log10: 3 vs 3.70 is closer than 3 vs 2.18
    assert logged.standardisation["log"].tolist() == [True]
    only = nearest_peers(STRUCTURAL, "A", k=5, candidates=["C", "D"])
    assert only.peers["peer"].tolist() == ["C", "D"]
    gaps = STRUCTURAL.assign(v=[0.0, np.nan, 2.0, 3.0])
    assert "B" not in nearest_peers(gaps, "A").peers["peer"].tolist()
    with pytest.raises(InvalidInputError, match="mangler verdi for v"):
        nearest_peers(gaps, "B")
    with pytest.raises(NotFoundError, match="9999"):
        nearest_peers(STRUCTURAL, "9999")
    with pytest.raises(InvalidInputError, match="log-transformeres"):
        nearest_peers(STRUCTURAL, "A", log_variables=["u"])
    with pytest.raises(InvalidInputError, match="mangler variabelen w"):
        nearest_peers(STRUCTURAL, "A", variables=["u", "w"])


VALUES = pd.DataFrame(
    {
        "unit": ["A", "B", "C", "D", "A", "B", "C", "D"],
        "indicator": ["x"] * 4 + ["y"] * 4,
        "value": [1.0, 2.0, 3.0, 10.0, 5.0, np.nan, 7.0, 9.0],
    }
)


def test_group_summary_and_comparison() -> None:
    groups = {"county": ["A", "B", "C"], "country": ["A", "B", "C", "D"]}
    s = group_summary(VALUES, groups).set_index(["group", "indicator"])
    assert s.loc[("county", "x"), "mean"] == 2.0 and s.loc[("county", "x"), "median"] == 2.0
    assert s.loc[("country", "x"), "mean"] == 4.0 and s.loc[("country", "x"), "median"] == 2.5
    assert s.loc[("county", "y"), "n"] == 2  # B's missing y is left out
    c = compare_with_groups(VALUES, "A", pd.DataFrame({"unit": ["A", "B", "C", "D"], "group": "all"}))
    row = c.set_index(["indicator", "group"]).loc[("x", "all")]
    assert row["unit_value"] == 1.0 and row["difference"] == pytest.approx(-3.0)
    with pytest.raises(NotFoundError, match="Z"):
        compare_with_groups(VALUES, "Z", groups)
