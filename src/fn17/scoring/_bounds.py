"""Resolve the bounds of each indicator: lower bound, worst value, midpoint, end value.

The lower bound (the value that scores 0) is either given in the bounds table
or computed across the units being scored, by default as the 2.5th percentile
of the distribution on the *bad* side (SDSN, Lafortune et al. 2018): the 2.5th
percentile when higher is better, the 97.5th when lower is better. Working on
``y = sign × value`` turns both into the 2.5th percentile of ``y``, one
vectorised ``groupby(...).quantile`` for all indicators at once.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from fn17.errors import InvalidInputError

log = logging.getLogger(__name__)

_PERCENTILE = re.compile(r"^p(\d+(?:\.\d+)?)$")


def parse_lower_bound(spec: str) -> float | None:
    """``"p2.5"`` → 0.025, ``"min"`` → 0.0, ``"given"`` → None (must be in the table)."""
    text = spec.strip().lower()
    if text == "min":
        return 0.0
    if text == "given":
        return None
    match = _PERCENTILE.match(text)
    if match:
        pct = float(match.group(1))
        if 0.0 <= pct < 50.0:
            return pct / 100.0
    raise InvalidInputError(
        f"Nedre grense «{spec}» er ukjent; bruk for eksempel p2.5 (2,5-persentilen), p5, min eller given.",
        message_en=f"Lower bound '{spec}' is unknown; use e.g. p2.5 (2.5th percentile), p5, min or given.",
        details={"lower_bound": spec},
    )


def resolve_bounds(values: pd.DataFrame, bounds: pd.DataFrame, lower_bound: str = "p2.5") -> pd.DataFrame:
    """Return ``bounds`` with the lower bound filled in and helper columns added.

    ``values`` holds one row per (unit, indicator) with ``value`` and, if
    flagged, ``quality``; only values of quality ``ok`` (or unflagged) set the
    percentile bound and the worst value, so that a few small-number outliers
    cannot stretch the scale for everyone.

    Added columns: ``lower_bound_source`` (``given``/``p2.5``/``min``…),
    ``worst`` (worst value observed), ``midpoint`` (yellow/orange boundary),
    ``end_value`` (``target`` if given, else ``optimum``), ``n_units``.
    """
    q = parse_lower_bound(lower_bound)
    out = bounds.copy()
    usable = values["value"].notna()
    if "quality" in values.columns:
        usable &= values["quality"].isin(["ok"]) | values["quality"].isna()
    v = values.loc[usable, ["indicator", "value"]].merge(out[["indicator", "sign"]], on="indicator", how="inner")
    v["y"] = v["value"] * v["sign"]
    grouped = v.groupby("indicator", sort=False)["y"]
    worst_y = grouped.min()
    n_units = grouped.size()
    given = out["lower_bound"].notna()
    out["lower_bound_source"] = np.where(given, "given", lower_bound.strip().lower())
    if q is None:
        if not given.all():
            ind = out.loc[~given, "indicator"].iloc[0]
            raise InvalidInputError(
                f"Indikator {ind} mangler nedre grense, og lower_bound='given' krever at alle har en.",
                message_en=f"Indicator {ind} has no lower bound, and lower_bound='given' requires one for all.",
                hint="Fyll inn lower_bound, eller bruk lower_bound='p2.5' for å beregne den.",
                hint_en="Fill in lower_bound, or use lower_bound='p2.5' to compute it.",
            )
    else:
        qy = worst_y if q == 0.0 else grouped.quantile(q)
        computed = out["indicator"].map(qy) * out["sign"]
        out["lower_bound"] = out["lower_bound"].where(given, computed)
    out["worst"] = out["indicator"].map(worst_y) * out["sign"]
    out["n_units"] = out["indicator"].map(n_units).fillna(0).astype(np.int64)
    out["midpoint"] = (out["green"] + out["red"]) / 2.0
    out["end_value"] = out["target"].where(out["target"].notna(), out["optimum"])
    _check_given(out)
    degenerate = out["lower_bound"].notna() & (out["sign"] * out["lower_bound"] >= out["sign"] * out["optimum"])
    if degenerate.any():
        log.warning(
            "lower bound not worse than optimum for %d indicator(s) (%s); their values score 100 at or "
            "beyond the optimum and 0 otherwise",
            int(degenerate.sum()),
            ", ".join(map(str, out.loc[degenerate, "indicator"].head(5))),
        )
    return out


def _check_given(b: pd.DataFrame) -> None:
    given = b["lower_bound_source"] == "given"
    bad = given & (b["sign"] * b["lower_bound"] >= b["sign"] * b["optimum"])
    if bad.any():
        row = b[bad].iloc[0]
        raise InvalidInputError(
            f"Indikator {row['indicator']}: nedre grense ({row['lower_bound']}) er ikke dårligere enn "
            f"optimum ({row['optimum']}).",
            message_en=(
                f"Indicator {row['indicator']}: the lower bound ({row['lower_bound']}) is not worse than the "
                f"optimum ({row['optimum']})."
            ),
            hint="Nedre grense er verdien som gir 0 poeng; den må ligge på den dårlige siden av optimum.",
            hint_en="The lower bound is the value that scores 0; it must lie on the bad side of the optimum.",
            details={"indicator": str(row["indicator"])},
        )
