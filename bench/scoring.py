"""Benchmark: a full national recompute of FN17's scoring against merely reading the observations.

Generates data of real shape (357 municipalities and 15 counties × 70 indicators × 2015–2025, with
numerators and denominators from a realistic spread of population sizes, some suppressed cells and
some gaps), writes it to a real SQLite file in a temporary folder, and times:

* read:           reading every observation back from SQLite into a DataFrame (the baseline);
* full recompute: small-number flags, scores, goal scores, index, dashboard colours and ranks for
                  municipalities and for counties, and the trends of every series;
* one region:     one municipality's update (re-score against frozen bounds, re-rank everyone, its trends).

Run:  .venv/bin/python bench/scoring.py [--repeat 7] [--seed 17]
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from fn17.scoring import ScoreResult, flag_small_numbers, score_table, trend_table, update_units

N_MUNICIPALITIES = 357
N_COUNTIES = 15
N_INDICATORS = 70
YEARS = range(2015, 2026)


def make_units(rng: np.random.Generator) -> pd.DataFrame:
    """357 municipalities (four-digit codes) and 15 counties, with populations of Norwegian spread."""
    county_codes = [f"{c:02d}" for c in (3, 11, 15, 18, 31, 32, 33, 34, 39, 40, 42, 46, 50, 55, 56)]
    muni_county = rng.choice(county_codes, N_MUNICIPALITIES)
    muni_codes = [f"{c}{i:02d}" for i, c in enumerate(muni_county, start=1)]
    # log-normal around ~5,000 inhabitants, clipped to Utsira (~200) … Oslo (~700,000)
    pop = np.clip(np.exp(rng.normal(np.log(5_000), 1.25, N_MUNICIPALITIES)), 200, 710_000)
    munis = pd.DataFrame({"unit": muni_codes, "level": "municipality", "county": muni_county, "population": pop})
    county_pop = munis.groupby("county")["population"].sum()
    counties = pd.DataFrame(
        {"unit": county_codes, "level": "county", "county": county_codes, "population": county_pop[county_codes]}
    )
    return pd.concat([munis, counties], ignore_index=True)


def make_indicators(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """70 indicators over all 17 goals: rates per 1,000 (lower or higher is better) and shares."""
    ids = [f"fn17_{i:03d}" for i in range(1, N_INDICATORS + 1)]
    goals = np.concatenate([np.arange(1, 18), rng.integers(1, 18, N_INDICATORS - 17)])
    direction = np.where(rng.random(N_INDICATORS) < 0.6, "higher", "lower")
    centre = rng.uniform(20, 80, N_INDICATORS)
    spread = rng.uniform(5, 15, N_INDICATORS)
    sign = np.where(direction == "higher", 1.0, -1.0)
    optimum = centre + sign * 2.5 * spread
    bounds = pd.DataFrame(
        {
            "indicator": ids,
            "direction": direction,
            "optimum": optimum,
            "green": centre + sign * 1.2 * spread,
            "red": centre - sign * 0.8 * spread,
            "centre": centre,
            "spread": spread,
            "annual": rng.normal(0, 0.6, N_INDICATORS),
        }
    )
    goal_map = pd.DataFrame({"indicator": ids, "goal": goals})
    return bounds, goal_map


def make_observations(rng: np.random.Generator, units: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """Long observations: unit × indicator × year, value per 100 with numerator and denominator."""
    n_u, n_i, n_y = len(units), len(bounds), len(YEARS)
    years = np.array(list(YEARS))
    unit_effect = rng.normal(0, 1, (n_u, n_i, 1)) * bounds["spread"].to_numpy()[None, :, None]
    trend = bounds["annual"].to_numpy()[None, :, None] * (years - 2015)[None, None, :]
    trend = trend + rng.normal(0, 0.3, (n_u, n_i, 1)) * (years - 2015)[None, None, :]
    expected = np.clip(bounds["centre"].to_numpy()[None, :, None] + unit_effect + trend, 0.5, 99.5)
    # denominators: a share of the population (the age group or households the rate is about)
    share = rng.uniform(0.02, 0.6, n_i)[None, :, None]
    denominator = np.maximum(1, np.round(units["population"].to_numpy()[:, None, None] * share)) * np.ones((1, 1, n_y))
    numerator = rng.binomial(denominator.astype(np.int64), expected / 100.0).astype(np.float64)
    value = 100.0 * numerator / denominator
    frame = pd.DataFrame(
        {
            "unit": np.repeat(units["unit"].to_numpy(), n_i * n_y),
            "indicator": np.tile(np.repeat(bounds["indicator"].to_numpy(), n_y), n_u),
            "period": np.tile(years, n_u * n_i),
            "value": value.ravel(),
            "numerator": numerator.ravel(),
            "denominator": denominator.ravel(),
        }
    )
    status = np.full(len(frame), None, dtype=object)
    status[(frame["numerator"] < 3).to_numpy() & (rng.random(len(frame)) < 0.5)] = ":"  # suppressed small cells
    gaps = rng.random(len(frame)) < 0.03  # missing cells
    status[gaps] = ".."
    frame["status"] = status
    frame.loc[gaps | (status == ":"), ["value", "numerator", "denominator"]] = np.nan
    return frame


def write_store(path: Path, observations: pd.DataFrame) -> None:
    with sqlite3.connect(path) as conn:
        observations.rename(columns={"unit": "region"}).to_sql("observation", conn, index=False)
        conn.execute("CREATE INDEX ix_observation ON observation (indicator, region, period)")


def read_store(path: Path) -> pd.DataFrame:
    with sqlite3.connect(path) as conn:
        return pd.read_sql_query(
            "SELECT region AS unit, indicator, period, value, numerator, denominator, status FROM observation", conn
        )


def full_recompute(
    observations: pd.DataFrame, units: pd.DataFrame, bounds: pd.DataFrame, goal_map: pd.DataFrame
) -> tuple[ScoreResult, ScoreResult, pd.DataFrame]:
    flagged = flag_small_numbers(observations)
    is_county = flagged["unit"].isin(units.loc[units["level"] == "county", "unit"])
    munis = score_table(flagged[~is_county], bounds, goal_map)
    counties = score_table(flagged[is_county], bounds, goal_map)
    trends = trend_table(flagged, bounds, target_year=2030, since=2015)
    return munis, counties, trends


def one_region(
    result: ScoreResult, observations: pd.DataFrame, bounds: pd.DataFrame, unit: str
) -> tuple[ScoreResult, pd.DataFrame]:
    mine = flag_small_numbers(observations[observations["unit"] == unit])
    return update_units(result, mine), trend_table(mine, bounds, target_year=2030, since=2015)


def timed_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and best of ``repeat`` runs, in milliseconds (the best shows the cost without contention)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per measurement (median reported)")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    units = make_units(rng)
    bounds, goal_map = make_indicators(rng)
    observations = make_observations(rng, units, bounds)
    score_bounds = bounds[["indicator", "direction", "optimum", "green", "red"]]

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "fn17-bench.sqlite"
        write_store(db, observations)
        size_mb = db.stat().st_size / 1e6
        stored = read_store(db)
        print(
            f"data: {units['level'].eq('municipality').sum()} municipalities + {units['level'].eq('county').sum()} "
            f"counties × {len(bounds)} indicators × {len(YEARS)} years = {len(stored):,} observations "
            f"(SQLite file {size_mb:.1f} MB)"
        )
        read_ms, read_best = timed_ms(lambda: read_store(db), args.repeat)

    munis, counties, trends = full_recompute(stored, units, score_bounds, goal_map)
    full_ms, full_best = timed_ms(lambda: full_recompute(stored, units, score_bounds, goal_map), args.repeat)
    some_unit = str(units.loc[units["level"] == "municipality", "unit"].iloc[len(units) // 3])
    one_ms, one_best = timed_ms(lambda: one_region(munis, stored, score_bounds, some_unit), args.repeat)

    flagged = munis.indicators["quality"].value_counts().to_dict()
    print(
        f"results: {len(munis.indicators):,} municipal indicator scores ({flagged}), "
        f"{len(munis.goals):,} goal scores, {munis.index['index'].notna().sum()} municipalities with an index, "
        f"{len(counties.index)} counties, {len(trends):,} trends "
        f"({trends['trend'].value_counts().to_dict()})"
    )
    n = args.repeat
    print(f"read observations from SQLite (median of {n}): {read_ms:8.1f} ms   (best {read_best:7.1f} ms)")
    print(f"full national recompute      (median of {n}): {full_ms:8.1f} ms   (best {full_best:7.1f} ms)")
    print(f"one municipality's update    (median of {n}): {one_ms:8.1f} ms   (best {one_best:7.1f} ms)")
    print(
        f"full recompute: {full_ms:.0f} ms; one region: {one_ms:.0f} ms; recompute/read ratio: {full_ms / read_ms:.1f}x"
    )


if __name__ == "__main__":
    main()
