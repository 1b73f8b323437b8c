"""The scoring service (``fn17.services.scores``) on a small store with values worked by hand,
and on the store loaded from ../shared/data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, insert

from fn17.errors import InvalidInputError, NotFoundError
from fn17.reports.scores import load_scores
from fn17.services import scores
from fn17.store.tables import indicators, observations, targets
from fn17.workspace import Workspace
from webtools import open_store

NOW = datetime(2025, 3, 1, tzinfo=UTC)

# Two indicators with fixed bounds, so every score can be worked by hand:
#   hand:a  higher is better, lower bound 0, optimum 100, green 80, red 40   (goal 4, via target 4.1)
#   hand:b  lower is better,  lower bound 50, optimum 0,  green 10, red 30   (goal 1, via target 1.2)
VALUES = {
    # unit: {indicator: {year: value}}
    "1508": {"hand:a": {2019: 70.0, 2020: 75.0, 2021: 80.0, 2022: 85.0, 2023: 90.0}, "hand:b": {2023: 20.0}},
    "0301": {"hand:a": {2023: 50.0}, "hand:b": {2022: 5.0}},
    "4601": {"hand:a": {2023: 70.0}},  # b missing: 50 % missing > 20 %, so no index
}


@pytest.fixture
def hand_ws(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_store(tmp_path / "hand.sqlite")
    with ws.engine.begin() as conn:
        conn.execute(insert(indicators), [
            {"id": "hand:a", "framework_id": "test", "name_nb": "Indikator A", "unit": "prosent", "direction": "higher",
             "source": "test", "attrs": {"sdg_targets": ["4.1"]}},
            {"id": "hand:b", "framework_id": "test", "name_nb": "Indikator B", "unit": "prosent", "direction": "lower",
             "source": "test", "attrs": {"sdg_targets": ["1.2"]}},
            {"id": "hand:context", "framework_id": "test", "name_nb": "Kontekst", "unit": "personer", "direction": None,
             "source": "test", "attrs": {}},
        ])
        conn.execute(insert(targets), [
            {"indicator_id": "hand:a", "region_code": "", "kind": "default", "optimum": 100.0, "green": 80.0, "red": 40.0,
             "lower_bound": 0.0, "provenance": "technical_optimum", "reference": "test", "active": True},
            {"indicator_id": "hand:b", "region_code": "", "kind": "default", "optimum": 0.0, "green": 10.0, "red": 30.0,
             "lower_bound": 50.0, "provenance": "leave_no_one_behind", "reference": "test", "active": True},
        ])
        rows = [{"indicator_id": ind, "region_code": unit, "period": str(year), "breakdown": "", "value": value, "status": "ok",
                 "source": "test", "source_table": "99999", "query": f"test {ind}", "retrieved_at": NOW}
                for unit, series in VALUES.items() for ind, years in series.items() for year, value in years.items()]
        # a suppressed cell and a county value, which the municipal scores must ignore
        rows.append({"indicator_id": "hand:b", "region_code": "4601", "period": "2023", "breakdown": "", "value": None,
                     "status": "suppressed", "source": "test", "source_table": "99999", "query": "", "retrieved_at": NOW})
        rows.append({"indicator_id": "hand:a", "region_code": "46", "period": "2023", "breakdown": "", "value": 10.0,
                     "status": "ok", "source": "test", "source_table": "99999", "query": "", "retrieved_at": NOW})
        conn.execute(insert(observations), rows)
    scores.invalidate()
    try:
        yield ws
    finally:
        scores.invalidate(ws)
        ws.engine.dispose()


def test_national_tables_worked_by_hand(hand_ws: Workspace) -> None:
    nat = scores.score_all(hand_ws, "kommune")
    assert nat.n_regions == 357 and set(nat.indicators["indicator"]) == {"hand:a", "hand:b"}
    ind = nat.indicators.set_index(["unit", "indicator"])
    # SDSN: 100 × (x − lower)/(optimum − lower), inverted where lower is better
    assert ind.loc[("1508", "hand:a"), "score"] == pytest.approx(90.0)
    assert ind.loc[("1508", "hand:b"), "score"] == pytest.approx(100 * (20 - 50) / (0 - 50))  # 60
    assert ind.loc[("0301", "hand:a"), "score"] == pytest.approx(50.0)
    assert ind.loc[("0301", "hand:b"), "score"] == pytest.approx(90.0)
    assert ind.loc[("0301", "hand:b"), "period"] == 2022
    # colours: a=90 ≥ green 80; b=20 is on the midpoint of 10 and 30 (yellow); a=50 between red 40 and midpoint 60
    assert ind.loc[("1508", "hand:a"), "colour"] == "green"
    assert ind.loc[("1508", "hand:b"), "colour"] == "yellow"
    assert ind.loc[("0301", "hand:a"), "colour"] == "orange"
    assert ind.loc[("4601", "hand:b"), "quality"] == "suppressed"
    index = nat.index.set_index("unit")
    assert index.loc["1508", "index"] == pytest.approx((90 + 60) / 2)
    assert index.loc["0301", "index"] == pytest.approx((50 + 90) / 2)
    assert index.loc["1508", "rank"] == 1 and index.loc["0301", "rank"] == 2
    assert pd_isna(index.loc["4601", "index"]) and index.loc["4601", "share_missing"] == pytest.approx(0.5)
    assert pd_isna(index.loc["1804", "index"]) and index.loc["1804", "coverage"] == pytest.approx(0.0)
    goals = nat.goals.set_index(["unit", "goal"])
    assert goals.loc[("1508", 4), "score"] == pytest.approx(90.0) and goals.loc[("1508", 1), "score"] == pytest.approx(60.0)
    assert goals.loc[("1508", 4), "colour"] == "green" and goals.loc[("1508", 1), "colour"] == "yellow"
    # trend: slope 5 a year from 70 in 2019; needed (100 − 70)/(2030 − 2019) ≈ 2.7 → on track, reaches 100 in 2025
    assert ind.loc[("1508", "hand:a"), "trend"] == "on_track"
    assert ind.loc[("1508", "hand:a"), "projected_year"] == 2025
    assert goals.loc[("1508", 4), "trend"] == "on_track"
    assert ind.loc[("0301", "hand:a"), "trend"] == "insufficient_data"


def pd_isna(value: object) -> bool:
    return value is None or value != value


def test_region_scores_worked_by_hand(hand_ws: Workspace) -> None:
    r = scores.region_scores(hand_ws, "1508", "en")
    assert (r.code, r.name, r.level) == ("1508", "Ålesund", "kommune")
    assert r.index == pytest.approx(75.0) and r.coverage == pytest.approx(1.0)
    assert (r.rank, r.n_ranked, r.n_regions) == (1, 2, 357)
    assert len(r.goals) == 17 and r.goal(4).colour_hex.upper() == "#C5192D"
    g4 = r.goal(4)
    assert (g4.score, g4.colour, g4.symbol, g4.trend, g4.trend_symbol, g4.n_indicators) == (
        pytest.approx(90.0), "green", "✔", "on_track", "↑", 1)
    assert g4.colour_label == "Target achieved" and g4.trend_label == "On track or target achieved"
    assert r.goal(2).score is None and r.goal(2).colour is None
    a = next(i for i in r.indicators if i.id == "hand:a")
    assert (a.value, a.period, a.target, a.target_source, a.source_table, a.query) == (90.0, "2023", 100.0, "default", "99999",
                                                                                        "test hand:a")
    assert a.retrieved_at == NOW and a.goals == (4,) and a.rank == 1
    assert [i.id for i in r.strongest] == ["hand:a"] and [i.id for i in r.weakest] == ["hand:b"]
    missing = {m.goal for m in r.missing_goals}
    assert missing == set(range(1, 18)) - {1, 4}
    # the report reads the same numbers
    report = load_scores(hand_ws, "1508", "nb")
    assert report.index == pytest.approx(75.0)
    assert {g.goal: g.score for g in report.goals if g.score is not None} == {1: pytest.approx(60.0), 4: pytest.approx(90.0)}


def test_no_index_when_more_than_a_fifth_is_missing(hand_ws: Workspace) -> None:
    r = scores.region_scores(hand_ws, "4601", "nb")
    assert r.index is None and r.rank is None and r.coverage == pytest.approx(0.5)
    assert r.index_note == "missing_data"
    b = next(i for i in r.indicators if i.id == "hand:b")
    assert b.value is None and "suppressed" in b.flags and b.flag_labels


def test_local_target_recomputes_the_cached_scores(hand_ws: Workspace) -> None:
    first = scores.score_all(hand_ws)
    assert scores.score_all(hand_ws) is first  # cached
    with hand_ws.engine.begin() as conn:
        conn.execute(insert(targets).values(indicator_id="hand:a", region_code="1508", kind="local", target_value=150.0,
                                            target_year=2030, active=True))
    r = scores.region_scores(hand_ws, "1508")
    a = next(i for i in r.indicators if i.id == "hand:a")
    # the local target, beside the default: needed (150 − 70)/11 ≈ 7.3 a year, observed 5: over half → moderately improving
    assert (a.target, a.target_source, a.trend) == (150.0, "local", "moderately_improving")
    assert a.optimum == 100.0 and a.score == pytest.approx(90.0)  # the score still uses the default bounds
    assert scores.score_all(hand_ws) is not first
    with hand_ws.engine.begin() as conn:
        conn.execute(delete(targets).where(targets.c.kind == "local"))
    a = next(i for i in scores.region_scores(hand_ws, "1508").indicators if i.id == "hand:a")
    assert (a.target, a.trend) == (100.0, "on_track")


def test_methods_and_rank_sensitivity(hand_ws: Workspace) -> None:
    oecd = scores.score_all(hand_ws, method="oecd").indicators.set_index(["unit", "indicator"])
    # OECD: between the worst unit observed (a: 50) and the 2030 end value (100)
    assert oecd.loc[("1508", "hand:a"), "score"] == pytest.approx(100 * (90 - 50) / (100 - 50))
    u4 = scores.score_all(hand_ws, method="u4ssc").indicators.set_index(["unit", "indicator"])
    # U4SSC: 100 × (value − baseline)/(target − baseline), baseline 0 when higher is better
    assert u4.loc[("0301", "hand:a"), "score"] == pytest.approx(50.0)
    sens = scores.rank_sensitivity(hand_ws, "1508")
    assert {m.method for m in sens.ranks} >= {"sdsn_p2.5", "u4ssc", "oecd"}
    assert all(m.rank is not None for m in sens.ranks) and sens.spread is not None
    with pytest.raises(NotFoundError, match="metoden"):
        scores.score_all(hand_ws, method="nope")


def test_counties_are_scored_on_their_own(hand_ws: Workspace) -> None:
    nat = scores.score_all(hand_ws, "fylke")
    assert nat.n_regions == 15
    row = nat.indicators[(nat.indicators["unit"] == "46") & (nat.indicators["indicator"] == "hand:a")].iloc[0]
    assert row["value"] == 10.0 and row["score"] == pytest.approx(10.0)
    with pytest.raises(InvalidInputError):
        scores.score_all(hand_ws, "land")  # type: ignore[arg-type]


def test_old_and_unknown_codes(hand_ws: Workspace) -> None:
    assert scores.region_scores(hand_ws, "1201").code == "4601"  # Bergen's old number has one successor
    with pytest.raises(InvalidInputError) as split:
        scores.region_scores(hand_ws, "1507")
    assert "1508" in split.value.message and "1580" in split.value.message
    with pytest.raises(NotFoundError) as unknown:
        scores.region_scores(hand_ws, "1599")
    assert "1508 Ålesund" in unknown.value.message and "1508" in [s["code"] for s in unknown.value.details["suggestions"]]


# --------------------------------------------------------------------------- the real loaded store
def test_real_store_scores_and_peers(web_ws: Workspace) -> None:
    nat = scores.score_all(web_ws, "kommune")
    assert nat.n_regions == 357 and nat.n_ranked > 300
    assert {"barnehagedekning_1_2_aar", "vedvarende_lavinntekt"} <= set(nat.indicators["indicator"])
    assert nat.indicators["score"].dropna().between(0, 100).all()
    r = scores.region_scores(web_ws, "1508", "nb")
    assert r.index is not None and 0 <= r.index <= 100 and r.rank is not None
    kinder = next(i for i in r.indicators if i.id == "barnehagedekning_1_2_aar")
    assert kinder.value == pytest.approx(90.2) and kinder.period == "2023" and kinder.source_table == "13502"
    assert kinder.trend in {"on_track", "moderately_improving", "stagnating", "decreasing"}
    # peers: county, size class, nearest neighbours (with reasons), the country; the KOSTRA group as far as it is known
    kinds = [g.kind for g in r.peers.groups]
    assert {"county", "size", "nearest", "country"} <= set(kinds)
    county = next(g for g in r.peers.groups if g.kind == "county")
    assert "1580" in county.codes and len(county.codes) == 27
    assert len(r.peers.nearest) == 8 and all(p.reasons for p in r.peers.nearest) and "1508" not in r.peers.nearest_codes
    assert "folketall" in r.peers.variables
    country = next(v for v in r.peers.values_for("barnehagedekning_1_2_aar") if v.group == "country")
    assert country.n > 300 and country.unit_value == pytest.approx(90.2)
    assert r.missing_goals and all(m.advice for m in r.missing_goals)
    # the report shows the same numbers as the service
    report = load_scores(web_ws, "1508", "nb")
    assert report.index == pytest.approx(r.index)
    county_scores = scores.region_scores(web_ws, "15", "en")
    assert county_scores.level == "fylke" and county_scores.n_regions == 15
