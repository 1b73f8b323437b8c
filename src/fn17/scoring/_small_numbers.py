"""Small numbers: flag values the data cannot support, and pool years to rescue them.

Norway's municipalities run from about 200 inhabitants (Utsira) to 700,000
(Oslo). A rate from five events in a population of 40 is noise, and
statistical offices suppress cells to protect privacy. FN17 therefore:

* flags a value ``small`` when its denominator is below ``min_denominator``
  (default 50) or its numerator below ``min_numerator`` (default 5);
* flags it ``suppressed`` when the source withheld it (SSB's ``:``, or
  ``suppressed``/``prikket``) and removes the number; ``..``, ``...``, ``.``
  (SSB: missing, not yet available, not applicable) become ``missing``;
* offers multi-year averages (default three years), pooled over numerator and
  denominator where those are known, after which the flags are recomputed on
  the pooled counts;
* never ranks on a flagged value: :func:`fn17.scoring.score_table` shows its
  score and colour, but leaves it out of goal scores, the index and every rank
  ("ikke rangert: for lite tallgrunnlag").
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from fn17.errors import InvalidInputError
from fn17.scoring._schema import prepare_values, require_columns

SUPPRESSED_STATUSES: Final = frozenset({":", "suppressed", "prikket", "skjermet"})
MISSING_STATUSES: Final = frozenset({"..", "...", ".", "missing", "mangler"})
QUALITIES: Final = ("ok", "small", "suppressed", "missing")


def flag_small_numbers(
    values: pd.DataFrame,
    *,
    min_denominator: float = 50,
    min_numerator: float = 5,
) -> pd.DataFrame:
    """Return a copy of ``values`` with a ``quality`` column.

    ``quality`` is ``suppressed`` (status says withheld; ``value`` set to NaN),
    ``missing`` (no value, or a missing-data status), ``small`` (numerator <
    ``min_numerator`` or denominator < ``min_denominator``, where those columns
    exist) or ``ok``. Optional input columns: ``status``, ``numerator``,
    ``denominator``.
    """
    require_columns(values, "values", ("unit", "indicator", "value"))
    out = pd.DataFrame({c: values[c] for c in values.columns}, copy=False)  # new columns never touch the input
    value = pd.to_numeric(out["value"], errors="coerce").astype(float)
    n = len(out)
    suppressed = np.zeros(n, dtype=bool)
    missing_status = np.zeros(n, dtype=bool)
    if "status" in out.columns:
        # classify the few distinct status codes once, then broadcast by their integer codes
        codes, uniques = pd.factorize(out["status"], use_na_sentinel=True)
        cleaned = [str(u).strip().lower() for u in uniques]
        is_sup = np.array([c in SUPPRESSED_STATUSES for c in cleaned] + [False])
        is_mis = np.array([c in MISSING_STATUSES for c in cleaned] + [False])
        suppressed = is_sup[codes]  # the sentinel −1 picks the trailing False
        missing_status = is_mis[codes]
    small = np.zeros(n, dtype=bool)
    if "denominator" in out.columns:
        den = pd.to_numeric(out["denominator"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            small |= den < min_denominator
    if "numerator" in out.columns:
        num = pd.to_numeric(out["numerator"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            small |= num < min_numerator
    no_value = value.isna().to_numpy() | missing_status
    quality = np.select([suppressed, no_value, small], ["suppressed", "missing", "small"], "ok")
    out["quality"] = quality.astype(object)
    out["value"] = value.where(~(suppressed | missing_status))
    return out


def multi_year_average(
    values: pd.DataFrame,
    *,
    window: int = 3,
    min_periods: int | None = None,
    min_denominator: float = 50,
    min_numerator: float = 5,
) -> pd.DataFrame:
    """Rolling ``window``-year averages per (unit, indicator), labelled by their last year.

    With ``numerator`` and ``denominator`` columns the average is pooled: the
    denominator-weighted mean of the rates, which equals
    ``Σ numerator / Σ denominator`` on the indicator's own scale, and the
    numerator and denominator become the window sums, so the small-number
    flags are recomputed on the pooled counts. Without them it is the plain
    mean. Years that are suppressed or missing are skipped; a window needs
    ``min_periods`` usable years (default: all ``window``). The result has
    ``period_from`` beside ``period`` and a fresh ``quality``.
    """
    if window < 1:
        raise InvalidInputError(
            f"Vinduet for flerårig gjennomsnitt må være minst 1 år, ikke {window}.",
            message_en=f"The multi-year window must be at least 1 year, not {window}.",
        )
    need = window if min_periods is None else min_periods
    if not 1 <= need <= window:
        raise InvalidInputError(
            f"min_periods ({need}) må ligge mellom 1 og vinduet ({window}).",
            message_en=f"min_periods ({need}) must lie between 1 and the window ({window}).",
        )
    v = prepare_values(values)
    require_columns(v, "values", ("period",))
    if "quality" not in v.columns:
        v = flag_small_numbers(v, min_denominator=min_denominator, min_numerator=min_numerator)
    pooled = "numerator" in v.columns and "denominator" in v.columns
    usable = v["quality"].isin(["ok", "small"]) & v["value"].notna()
    keys = v[["unit", "indicator"]].drop_duplicates().reset_index(drop=True)
    key_index = pd.MultiIndex.from_frame(keys)
    series_id = key_index.get_indexer(pd.MultiIndex.from_frame(v[["unit", "indicator"]]))
    first, last = int(v["period"].min()), int(v["period"].max())
    n_years = last - first + 1
    col = (v["period"].to_numpy() - first).astype(np.int64)

    def grid(data: pd.Series) -> np.ndarray:
        out = np.zeros((len(keys), n_years), dtype=np.float64)
        arr = data.to_numpy(dtype=np.float64, na_value=np.nan)
        ok = usable.to_numpy() & ~np.isnan(arr)
        np.add.at(out, (series_id[ok], col[ok]), arr[ok])
        return out

    count = grid(pd.Series(np.ones(len(v))))
    grid_small = grid(pd.Series((v["quality"] == "small").to_numpy(dtype=np.float64)))
    if pooled:
        den = v["denominator"].astype(float)
        weights = grid(den.where(den.notna(), 0.0))
        weighted = grid(v["value"] * den)
        num_sum = grid(v["numerator"].astype(float))
    else:
        weighted = grid(v["value"])
        weights = count
        num_sum = np.zeros_like(count)

    if n_years < window:
        empty = ["unit", "indicator", "period_from", "period", "value", "n_years", "quality"]
        return pd.DataFrame(columns=empty)

    def rolling(a: np.ndarray) -> np.ndarray:
        c = np.cumsum(np.pad(a, ((0, 0), (1, 0))), axis=1)
        return np.asarray(c[:, window:] - c[:, :-window], dtype=np.float64)

    n_in = rolling(count)
    w_sum = rolling(weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        avg = rolling(weighted) / w_sum
    periods = np.arange(first + window - 1, last + 1)
    rows, cols_idx = np.nonzero(n_in >= need)
    out = keys.iloc[rows].reset_index(drop=True)
    out["period_from"] = periods[cols_idx] - window + 1
    out["period"] = periods[cols_idx]
    out["value"] = avg[rows, cols_idx]
    out["n_years"] = n_in[rows, cols_idx].astype(np.int64)
    if pooled:
        out["numerator"] = rolling(num_sum)[rows, cols_idx]
        out["denominator"] = w_sum[rows, cols_idx]
        out = flag_small_numbers(out, min_denominator=min_denominator, min_numerator=min_numerator)
    else:
        # Without counts a flag cannot be recomputed: a window that used a small value stays small.
        n_small = rolling(grid_small)[rows, cols_idx]
        missing = np.isnan(out["value"].to_numpy(dtype=np.float64))
        out["quality"] = np.select([missing, n_small > 0], ["missing", "small"], "ok").astype(object)
    return out.sort_values(["unit", "indicator", "period"], kind="stable").reset_index(drop=True)
