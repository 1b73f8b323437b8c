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
  target (``t₀ + (target − x̂₀)/b``, rounded up; from ``x_last`` at
  ``t_last`` when the needed rate was taken from the latest value), when
  improving; the last year when the target is already reached; none when not
  improving or beyond ``horizon``.

``r ≥ n`` is the same statement as "the fitted line reaches the target by
``T``", so the class and the projected year always agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fn17.errors import InvalidInputError
from fn17.scoring._labels import check_lang, trend_arrows, trend_texts
from fn17.scoring._schema import (
    SERIES_KEY,
    check_known,
    prepare_bounds,
    prepare_values,
    require_columns,
)
from fn17.scoring._small_numbers import flag_small_numbers

TREND_COLUMNS = [
    "unit",
    "indicator",
    "first_year",
    "last_year",
    "n_years",
    "last_value",
    "target",
    "target_source",
    "slope",
    "needed_slope",
    "ratio",
    "trend",
    "arrow",
    "label",
    "projected_year",
    "achieved",
    "n_small",
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
        v = flag_small_numbers(v) if {"status", "numerator", "denominator"} & set(v.columns) else v.assign(quality="ok")
    b = prepare_bounds(bounds)
    check_known(v, b, "series")
    quality = v["quality"].to_numpy()
    value = v["value"].to_numpy(dtype=np.float64)
    period = v["period"].to_numpy()
    use = (period >= since) & ~np.isnan(value) & ((quality == "ok") | (quality == "small"))
    if not use.any():
        return pd.DataFrame(columns=TREND_COLUMNS)
    rows = np.flatnonzero(use)

    # Sort by (series, year) with integer keys, then every statistic is a bincount or a gather.
    codes = v[SERIES_KEY].to_numpy()[rows]
    order = rows[np.lexsort((period[rows], codes))]  # positions in v, sorted by series then year
    sorted_codes = v[SERIES_KEY].to_numpy()[order]
    starts = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    ends = np.r_[sorted_codes[1:] != sorted_codes[:-1], True]
    group = np.cumsum(starts) - 1
    m = int(group[-1]) + 1
    first_idx, last_idx = np.flatnonzero(starts), np.flatnonzero(ends)
    period_s = period[order]
    y = value[order]
    t = (period_s - since).astype(np.float64)
    keys = pd.DataFrame(
        {
            "unit": v["unit"].to_numpy()[order[first_idx]],
            "indicator": v["indicator"].to_numpy()[order[first_idx]],
            "first_year": period_s[first_idx],
            "last_year": period_s[last_idx],
            "n_years": np.bincount(group, minlength=m),
            "last_value": y[last_idx],
        }
    )
    small = (quality[order] == "small").astype(np.float64)
    keys["n_small"] = np.bincount(group, weights=small, minlength=m).astype(np.int64)

    n = keys["n_years"].to_numpy().astype(np.float64)
    st = np.bincount(group, weights=t, minlength=m)
    sy = np.bincount(group, weights=y, minlength=m)
    stt = np.bincount(group, weights=t * t, minlength=m)
    sty = np.bincount(group, weights=t * y, minlength=m)
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
    target = np.where(
        ~np.isnan(local),
        local,
        np.where(~np.isnan(default_target), default_target, bnd["optimum"].to_numpy(dtype=np.float64)),
    )
    source = np.where(~np.isnan(local), "local", np.where(~np.isnan(default_target), "target", "optimum"))
    d = bnd["sign"].to_numpy(dtype=np.float64)

    rate = d * slope
    tol = 1e-9 * (np.abs(ybar) + 1.0)
    rate = np.where(np.abs(slope) <= tol, 0.0, rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = d * (target - x0) / (target_year - t0)
        from_latest = np.where(target_year > t_last, d * (target - x_last) / (target_year - t_last), np.inf)
    achieved = d * (x_last - target) >= 0
    use_latest = (needed <= 0) & ~achieved
    needed = np.where(use_latest, from_latest, needed)
    enough = n >= min_points
    slack = 1e-9 * np.abs(needed)  # equal rates computed two ways may differ in the last bits
    with np.errstate(invalid="ignore"):
        trend = np.select(
            [~enough, achieved, rate < 0, rate >= needed - slack, rate > needed / 2.0 + slack],
            ["insufficient_data", "on_track", "decreasing", "on_track", "moderately_improving"],
            "stagnating",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        # from the same anchor as the needed rate, so that class and projected year agree
        reach = np.where(use_latest, t_last + (target - x_last) / slope, t0 + (target - x0) / slope)
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
    out["projected_year"] = pd.Series(projected, index=out.index).astype("Int64")
    out["achieved"] = achieved
    return out[TREND_COLUMNS].sort_values(["unit", "indicator"], kind="stable").reset_index(drop=True)
