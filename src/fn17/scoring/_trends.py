"""Trends to 2030: observed annual change against the change needed to reach the target.

For each (unit, indicator) series since ``since`` (default 2015):

* observed rate ``b``: ordinary least-squares slope of value on year (units per
  year), over every year with a usable value;
* fitted start ``x̂₀ = ȳ + b (t₀ − t̄)`` at the first year ``t₀``;
* needed rate ``n = (target − x̂₀)/(T − t₀)``: the constant yearly change that
  takes the fitted start to the target by ``T`` (default 2030). When that is
  already ≤ 0 in the good direction while the latest value has not reached the
  target, the needed rate is taken from the latest value instead:
  ``(target − x_last)/(T − t_last)``;
* with ``d`` = +1 (higher is better) or −1, ``r = d·b`` and ``n = d·n``:

  ``on_track`` (↑) latest value at or beyond the target, or ``r ≥ n``;
  ``moderately_improving`` (↗) ``n/2 < r < n``;
  ``stagnating`` (→) ``0 ≤ r ≤ n/2``;
  ``decreasing`` (↓) ``r < 0``;
  ``insufficient_data`` (•) fewer than ``min_points`` years.

* projected year: the first whole year in which the fitted line reaches the
  target (``t₀ + (target − x̂₀)/b``, rounded up), when improving; the last year
  when the target is already reached; none when not improving or beyond
  ``horizon``.

``r ≥ n`` is the same statement as "the fitted line reaches the target by
``T``", so the class and the projected year always agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fn17.errors import InvalidInputError
from fn17.scoring._labels import check_lang, trend_arrows, trend_texts
from fn17.scoring._schema import prepare_bounds, prepare_values, require_columns
from fn17.scoring._small_numbers import flag_small_numbers

TREND_COLUMNS = [
    "unit", "indicator", "first_year", "last_year", "n_years", "last_value", "target", "target_source",
    "slope", "needed_slope", "ratio", "trend", "arrow", "label", "projected_year", "achieved", "n_small",
]


def _local_targets(keys: pd.DataFrame, targets: pd.DataFrame | None) -> pd.Series:
    if targets is None:
        return pd.Series(np.nan, index=keys.index)
    require_columns(targets, "targets", ("unit", "indicator", "target"))
    t = targets[["unit", "indicator", "target"]].drop_duplicates(["unit", "indicator"], keep="last")
    merged = keys[["unit", "indicator"]].merge(t, on=["unit", "indicator"], how="left")
    return pd.Series(pd.to_numeric(merged["target"], errors="coerce").to_numpy(dtype=np.float64), index=keys.index)


def trend_table(
    series: pd.DataFrame,
    bounds: pd.DataFrame,
    target_year: int = 2030,
    since: int = 2015,
    *,
    targets: pd.DataFrame | None = None,
    min_points: int = 3,
    horizon: int = 2100,
    lang: str = "nb",
) -> pd.DataFrame:
    """Classify every (unit, indicator) series as on track, moderately improving, stagnating or decreasing.

    ``series``: long table ``unit``, ``indicator``, ``period``, ``value``
    (optionally ``quality`` or ``status``/``numerator``/``denominator``;
    suppressed and missing years are skipped, small-number years are used and
    counted in ``n_small``). ``bounds``: as for :func:`score_table`; the target
    is the ``target`` column where given, else the ``optimum``. ``targets``:
    optional local targets (``unit``, ``indicator``, ``target``) that take
    precedence for their unit, beside the defaults, never over them.

    Returns one row per series with the columns of ``TREND_COLUMNS``.
    """
    check_lang(lang)
    if min_points < 2:
        raise InvalidInputError(
            f"En trend trenger minst 2 år; min_points={min_points} er for lite.",
            message_en=f"A trend needs at least 2 years; min_points={min_points} is too few.",
        )
    if target_year <= since:
        raise InvalidInputError(
            f"Målåret ({target_year}) må komme etter startåret ({since}).",
            message_en=f"The target year ({target_year}) must come after the start year ({since}).",
        )
    v = prepare_values(series, table="series")
    require_columns(v, "series", ("period",))
    if "quality" not in v.columns:
        v = flag_small_numbers(v) if {"status", "numerator", "denominator"} & set(v.columns) else v.assign(
            quality="ok"
        )
    b = prepare_bounds(bounds)
    unknown = sorted(map(str, set(v["indicator"]) - set(b["indicator"])))
    if unknown:
        raise InvalidInputError(
            f"Indikatoren {', '.join(unknown[:5])} har ingen rad i grensetabellen (bounds).",
            message_en=f"Indicator {', '.join(unknown[:5])} has no row in the bounds table.",
            hint="Legg til optimum og retning, eller filtrer indikatoren bort.",
            hint_en="Add an optimum and direction, or filter the indicator out.",
        )
    use = (v["period"] >= since) & v["value"].notna() & v["quality"].isin(["ok", "small"])
    v = v.loc[use, ["unit", "indicator", "period", "value", "quality"]].sort_values(
        ["unit", "indicator", "period"], kind="stable"
    )
    if v.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)

    grouped = v.groupby(["unit", "indicator"], sort=True)
    code = grouped.ngroup().to_numpy()
    keys = grouped.agg(
        first_year=("period", "min"),
        last_year=("period", "max"),
        n_years=("period", "size"),
        last_value=("value", "last"),
    ).reset_index()
    keys["n_small"] = (v["quality"] == "small").groupby(code).sum().to_numpy().astype(np.int64)

    t = (v["period"].to_numpy() - since).astype(np.float64)
    y = v["value"].to_numpy(dtype=np.float64)
    m = len(keys)
    n = np.bincount(code, minlength=m).astype(np.float64)
    st = np.bincount(code, weights=t, minlength=m)
    sy = np.bincount(code, weights=y, minlength=m)
    stt = np.bincount(code, weights=t * t, minlength=m)
    sty = np.bincount(code, weights=t * y, minlength=m)
    den = n * stt - st * st
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(den > 0, (n * sty - st * sy) / den, np.nan)
        tbar, ybar = st / n, sy / n
    t0 = keys["first_year"].to_numpy(dtype=np.float64)
    t_last = keys["last_year"].to_numpy(dtype=np.float64)
    x_last = keys["last_value"].to_numpy(dtype=np.float64)
    x0 = ybar + slope * ((t0 - since) - tbar)

    bnd = keys[["indicator"]].merge(b[["indicator", "sign", "optimum", "target"]], on="indicator", how="left")
    local = _local_targets(keys, targets).to_numpy()
    default_target = bnd["target"].to_numpy(dtype=np.float64)
    target = np.where(~np.isnan(local), local, np.where(~np.isnan(default_target), default_target,
                                                         bnd["optimum"].to_numpy(dtype=np.float64)))
    source = np.where(~np.isnan(local), "local", np.where(~np.isnan(default_target), "target", "optimum"))
    d = bnd["sign"].to_numpy(dtype=np.float64)

    rate = d * slope
    tol = 1e-9 * (np.abs(ybar) + 1.0)
    rate = np.where(np.abs(slope) <= tol, 0.0, rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = d * (target - x0) / (target_year - t0)
        from_latest = np.where(target_year > t_last, d * (target - x_last) / (target_year - t_last), np.inf)
    achieved = d * (x_last - target) >= 0
    needed = np.where((needed <= 0) & ~achieved, from_latest, needed)
    enough = n >= min_points
    trend = np.select(
        [~enough, achieved, rate < 0, rate >= needed, rate > needed / 2.0],
        ["insufficient_data", "on_track", "decreasing", "on_track", "moderately_improving"],
        "stagnating",
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = t0 + (target - x0) / slope
        ratio = np.where(needed > 0, rate / needed, np.nan)
    reach = np.maximum(np.ceil(reach - 1e-9), t_last + 1)
    projected = np.where(achieved, t_last, np.where((rate > 0) & (reach <= horizon), reach, np.nan))
    projected = np.where(enough | achieved, projected, np.nan)

    out = keys
    out["target"] = target
    out["target_source"] = source
    out["slope"] = np.where(enough, slope, np.nan)
    out["needed_slope"] = np.where(enough & np.isfinite(needed), d * needed, np.nan)
    out["ratio"] = np.where(enough, ratio, np.nan)
    out["trend"] = trend.astype(object)
    out["arrow"] = trend_arrows(out["trend"])
    out["label"] = trend_texts(out["trend"], lang)
    out["projected_year"] = pd.array(np.where(np.isnan(projected), None, projected), dtype="Int64")
    out["achieved"] = achieved
    return out[TREND_COLUMNS]
