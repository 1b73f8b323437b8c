"""Rank sensitivity: how each unit's index rank moves when the method changes.

A composite index is a stack of choices (where 0 sits, what 100 means, how
values are censored and averaged). If a municipality is 40th with one
defensible choice and 90th with another, its rank says more about the method
than about the municipality. :func:`rank_sensitivity` scores the same data
with several variants and puts the ranks side by side.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from fn17.errors import InvalidInputError
from fn17.scoring._schema import GoalMap
from fn17.scoring._score import score_table

#: The default variants: name → keyword arguments of :func:`score_table`.
DEFAULT_VARIANTS: Final[dict[str, dict[str, Any]]] = {
    "sdsn_p2.5": {"method": "sdsn", "lower_bound": "p2.5"},
    "sdsn_min": {"method": "sdsn", "lower_bound": "min"},
    "u4ssc": {"method": "u4ssc", "lower_bound": "p2.5"},
    "oecd": {"method": "oecd", "lower_bound": "p2.5"},
}
_ALLOWED = {"method", "lower_bound"}


def rank_sensitivity(
    values: pd.DataFrame,
    bounds: pd.DataFrame,
    goal_map: GoalMap,
    *,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    missing_threshold: float = 0.2,
    period: int | None = None,
    spread_threshold: int = 10,
) -> pd.DataFrame:
    """Index and rank of every unit under each variant, with the spread of its ranks.

    ``variants`` maps a name to ``score_table`` options (``method``,
    ``lower_bound``); the default compares SDSN with a 2.5th-percentile lower
    bound, SDSN with the minimum as lower bound, U4SSC-style achievement
    (clipped to 0–100, averaged like SDSN) and OECD distance. Any
    ``lower_bound`` column in ``bounds`` is ignored so that each variant's
    rule applies (pass ``lower_bound="given"`` in a variant to use it).

    Returns one row per unit: ``index_<name>`` and ``rank_<name>`` for each
    variant, ``rank_best``, ``rank_worst``, ``rank_spread`` (worst − best,
    NA if a variant gives no rank) and ``sensitive`` (spread ≥
    ``spread_threshold`` places; SDSN warns that differences of two or three
    places are not meaningful, while ten may be).
    """
    chosen = dict(DEFAULT_VARIANTS if variants is None else variants)
    if not chosen:
        raise InvalidInputError(
            "rank_sensitivity trenger minst én metodevariant.",
            message_en="rank_sensitivity needs at least one method variant.",
        )
    for name, options in chosen.items():
        extra = set(options) - _ALLOWED
        if extra:
            raise InvalidInputError(
                f"Varianten «{name}» har ukjente valg: {', '.join(sorted(extra))}; bruk method og lower_bound.",
                message_en=f"Variant '{name}' has unknown options: {', '.join(sorted(extra))}; "
                "use method and lower_bound.",
            )
    free_bounds = bounds.drop(columns=["lower_bound"], errors="ignore")
    out: pd.DataFrame | None = None
    rank_cols: list[str] = []
    for name, options in chosen.items():
        use_bounds = bounds if options.get("lower_bound") == "given" else free_bounds
        result = score_table(
            values, use_bounds, goal_map, missing_threshold=missing_threshold, period=period, **dict(options)
        )
        part = result.index[["unit", "index", "rank"]].rename(
            columns={"index": f"index_{name}", "rank": f"rank_{name}"}
        )
        out = part if out is None else out.merge(part, on="unit", how="outer")
        rank_cols.append(f"rank_{name}")
    assert out is not None
    ranks = out[rank_cols].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    complete = ~np.isnan(ranks).any(axis=1)
    best = np.where(complete, np.nanmin(np.where(complete[:, None], ranks, 0.0), axis=1), np.nan)
    worst = np.where(complete, np.nanmax(np.where(complete[:, None], ranks, 0.0), axis=1), np.nan)
    out["rank_best"] = pd.Series(np.round(best), index=out.index).astype("Int64")
    out["rank_worst"] = pd.Series(np.round(worst), index=out.index).astype("Int64")
    out["rank_spread"] = out["rank_worst"] - out["rank_best"]
    out["sensitive"] = (out["rank_spread"] >= spread_threshold).fillna(False).astype(bool)
    first = rank_cols[0]
    return out.sort_values([first, "unit"], kind="stable", na_position="last").reset_index(drop=True)
