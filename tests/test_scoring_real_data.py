"""The scoring library on real SSB data from ../shared/data (skips without it; fails in CI).

* table 13502: share of children aged 1–2 in kindergarten, 2015–2023 (values above 100 % occur in
  small municipalities: children attending from elsewhere), scored and trended;
* table 07459: population by age, 1 January 2023, as structural variables for peers.

The optimum and thresholds used for kindergarten coverage here are test assumptions, not FN17's targets.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fn17.scoring import nearest_peers, score_table, trend_table

KINDERGARTEN = Path("ssb/kindergarten/ssb-barnehager-2015-2023-alder-1-2-aar.xlsm")
POPULATION = Path("ssb/07459-population-by-age-2023.csv")
BOUNDS = pd.DataFrame(
    {"indicator": ["bhg_1_2"], "optimum": [100.0], "direction": ["higher"], "green": [90.0], "red": [75.0]}
)


def _kindergarten(shared_data: Path) -> pd.DataFrame:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(shared_data / KINDERGARTEN, read_only=True, data_only=True)
    rows = list(book["KOSandel120000"].iter_rows(values_only=True))
    years = [int(y) for y in rows[3][1:10]]
    records = []
    for row in rows[4:]:
        label = str(row[0] or "")
        if not re.match(r"^\d{4} ", label) or "(-" in label:  # skip notes and codes that ended before 2020
            continue
        for year, raw in zip(years, row[1:10], strict=True):
            records.append((label[:4], "bhg_1_2", year, raw))
    frame = pd.DataFrame(records, columns=["unit", "indicator", "period", "raw"])
    # SSB: "." not applicable (the code did not exist), ".." missing
    frame["value"] = pd.to_numeric(frame["raw"].where(~frame["raw"].isin([".", ".."])), errors="coerce")
    return frame.drop(columns="raw")


def _population(shared_data: Path) -> pd.DataFrame:
    raw = pd.read_csv(shared_data / POPULATION, sep=";", encoding="latin-1", skiprows=2)
    raw["unit"] = raw["region"].str.extract(r"^K-(\d{4}) ")[0]
    raw["age"] = raw["age"].str.extract(r"^(\d+)")[0].astype(int)
    persons = raw.groupby("unit")["Persons 2023"].sum()
    old = raw[raw["age"] >= 67].groupby("unit")["Persons 2023"].sum()
    young = raw[raw["age"] <= 19].groupby("unit")["Persons 2023"].sum()
    return pd.DataFrame({"population": persons, "share_67": 100 * old / persons, "share_0_19": 100 * young / persons})


def test_kindergarten_coverage_scored_across_all_municipalities(shared_data: Path) -> None:
    data = _kindergarten(shared_data)
    r = score_table(data, BOUNDS, {"bhg_1_2": 4}, period=2023)
    scored = r.indicators[r.indicators["value"].notna()]
    assert len(scored) == 355  # SSB has a 2023 value for 355 municipalities
    values = scored["value"].to_numpy()
    lower = r.bounds.loc[0, "lower_bound"]
    assert lower == pytest.approx(np.percentile(values, 2.5))
    assert scored["score"].between(0, 100).all()
    fjord = scored.set_index("unit").loc["1578"]  # 108.6 %: beyond the optimum, censored at 100
    assert fjord["value"] == pytest.approx(108.6) and fjord["score"] == 100.0
    assert scored.loc[scored["value"].idxmin(), "score"] == 0.0
    assert (scored["colour"] == "green").sum() == (values >= 90).sum()
    assert (scored["colour"] == "red").sum() == (values < 75).sum()
    ranked = r.index.dropna(subset=["index"])
    assert len(ranked) == 355 and ranked["rank"].min() == 1


def test_kindergarten_trends_since_2020(shared_data: Path) -> None:
    data = _kindergarten(shared_data)
    t = trend_table(data, BOUNDS, target_year=2030, since=2020)
    assert len(t) == 356
    assert set(t["trend"]) <= {"on_track", "moderately_improving", "stagnating", "decreasing", "insufficient_data"}
    halden = t.set_index("unit").loc["3001"]  # 83.6, 84.4, 87.4, 87.7 in 2020–2023
    x, y = np.arange(4.0), np.array([83.6, 84.4, 87.4, 87.7])
    slope, intercept = np.polyfit(x, y, 1)
    assert halden["slope"] == pytest.approx(slope)
    assert halden["needed_slope"] == pytest.approx((100 - intercept) / 10)
    assert halden["trend"] == "moderately_improving"  # 1.53 a year; (100 − 83.48)/10 = 1.65 needed


def test_peers_on_real_population_structure(shared_data: Path) -> None:
    structural = _population(shared_data)
    assert structural["population"].sum() == 5_488_984  # SSB's national total, 1 January 2023
    assert structural.loc["0301", "population"] == 709_037
    oslo = nearest_peers(structural, "0301", k=5, log_variables=["population"])
    assert oslo.peers["peer"].tolist()[:2] == ["4601", "5001"]  # Bergen, Trondheim
    utsira = nearest_peers(structural, "1151", k=5, log_variables=["population"])
    assert (utsira.peers["population"] < 1_000).all()
    why = utsira.explanation.groupby("peer")["share"].sum()
    assert why.to_numpy() == pytest.approx(np.ones(5))
