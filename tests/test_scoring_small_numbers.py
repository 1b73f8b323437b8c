"""Small-number flags and multi-year (pooled) averages, worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fn17.errors import InvalidInputError
from fn17.scoring import flag_small_numbers, multi_year_average


def test_flags_from_counts_and_status() -> None:
    values = pd.DataFrame(
        {
            "unit": list("ABCDEF"),
            "indicator": "births_teen",
            "value": [4.0, 40.0, 12.0, 9.0, None, 7.0],
            "numerator": [4, 40, 12, 30, None, 7],
            "denominator": [100, 100, 49, 300, None, 100],
            "status": [None, None, None, ":", "..", "prikket"],
        }
    )
    out = flag_small_numbers(values)
    # A: numerator 4 < 5; C: denominator 49 < 50; D, F: suppressed; E: missing
    assert out["quality"].tolist() == ["small", "ok", "small", "suppressed", "missing", "suppressed"]
    assert out["value"].isna().tolist() == [False, False, False, True, True, True]
    loose = flag_small_numbers(values, min_numerator=3, min_denominator=40)
    assert loose["quality"].tolist()[:3] == ["ok", "ok", "ok"]


def test_pooled_three_year_average_rescues_a_small_municipality() -> None:
    # rates per 100: 2/30, 3/30, 4/40 → each year small; pooled 9/100 = 9.0, denominator 100: ok
    values = pd.DataFrame(
        {
            "unit": "Utsira",
            "indicator": "rate",
            "period": [2021, 2022, 2023],
            "numerator": [2, 3, 4],
            "denominator": [30, 30, 40],
        }
    )
    values["value"] = 100 * values["numerator"] / values["denominator"]
    assert (flag_small_numbers(values)["quality"] == "small").all()
    avg = multi_year_average(values)
    assert len(avg) == 1
    row = avg.iloc[0]
    assert (row["period_from"], row["period"], row["n_years"]) == (2021, 2023, 3)
    assert row["value"] == pytest.approx(9.0)
    assert row["numerator"] == 9 and row["denominator"] == 100
    assert row["quality"] == "ok"


def test_plain_rolling_mean_skips_gaps_and_keeps_small_flags() -> None:
    values = pd.DataFrame(
        {
            "unit": "K",
            "indicator": "share",
            "period": [2019, 2020, 2021, 2022, 2023],
            "value": [10.0, 20.0, 30.0, np.nan, 50.0],
            "quality": ["ok", "ok", "small", "missing", "ok"],
        }
    )
    strict = multi_year_average(values)
    assert strict["period"].tolist() == [2021]  # only 2019–2021 has three usable years
    assert strict["value"].tolist() == pytest.approx([20.0])
    assert strict["quality"].tolist() == ["small"]  # a small year in the window: still small
    loose = multi_year_average(values, min_periods=2).set_index("period")
    assert loose.loc[2023, "value"] == pytest.approx(40.0)  # 2021 and 2023
    assert loose.loc[2021, "value"] == pytest.approx(20.0)
    with pytest.raises(InvalidInputError, match="min_periods"):
        multi_year_average(values, min_periods=4)
