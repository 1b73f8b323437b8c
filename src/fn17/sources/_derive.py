"""What a carried dataset lacks (gaps) and the series FN17 derives from it.

Private to :mod:`fn17.sources.load`, which re-exports :func:`find_gaps`, :func:`derive` and
:func:`compress_periods`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fn17.sources.recipes import DerivedDef, Recipe

if TYPE_CHECKING:
    from fn17.sources.load import PopulationContext

_OK = ("ok", "zero", "provisional", "imputed")


# --------------------------------------------------------------------------- gaps


def _year(period: str) -> int | None:
    m = re.match(r"(\d{4})", period)
    return int(m.group(1)) if m else None


def compress_periods(missing: list[str], all_periods: list[str]) -> str:
    """["2005", "2006", "2007", "2010"] within 2005…2021 → "2005–2007, 2010"."""
    order = {p: i for i, p in enumerate(all_periods)}
    runs: list[list[str]] = []
    for p in sorted(missing, key=lambda x: order.get(x, 0)):
        if runs and order.get(p, -9) == order.get(runs[-1][-1], -9) + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    dash = " … " if any("-" in p for p in missing) else "–"
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}{dash}{r[-1]}" for r in runs)


def find_gaps(carried: pd.DataFrame, recipe: Recipe, register: Any, to: date | None = None) -> list[dict[str, Any]]:
    """Today's municipalities with no value in some period of the dataset.

    Expected: every municipality (``coverage: national``), those of one county
    (``county:NN``), or those the dataset has in any period (``sample``)."""
    when = to or date.today()
    kommune = carried[carried["region_kind"] == "kommune"]
    if kommune.empty:
        return []
    ok = kommune[kommune["status"].isin(_OK) & kommune["value"].notna()]
    have: dict[str, set[str]] = {}
    for period, code in zip(ok["period"].astype(str), ok["region_code"].astype(str), strict=True):
        have.setdefault(period, set()).add(code)
    names = {m.code: m.name for m in register.municipalities(when)}
    if recipe.coverage == "national":
        expected = set(names)
    elif recipe.coverage.startswith("county:"):
        county = recipe.coverage.split(":", 1)[1]
        expected = {m.code for m in register.municipalities(when) if m.county_code == county}
    else:
        expected = set(map(str, kommune["region_code"].unique()))
    # a period with municipal figures for fewer than half of the expected municipalities is given
    # at another level (IMDi's single-year cohorts: counties and a few municipalities): not a gap
    periods = sorted(
        str(p) for p in carried["period"].unique() if len(have.get(str(p), set()) & expected) >= len(expected) / 2
    )
    gaps = []
    for code in sorted(expected):
        missing = [p for p in periods if code not in have.get(p, set())]
        if missing:
            gaps.append(
                {
                    "region": code,
                    "name": names.get(code, ""),
                    "periods": compress_periods(missing, periods),
                    "n_periods": len(missing),
                }
            )
    return gaps


# --------------------------------------------------------------------------- derived series


def _dim_code(breakdown: pd.Series, dim: str) -> pd.Series:
    pattern = re.compile(rf"(?:^|;){re.escape(dim)}=([^;]*)")
    codes = {}
    for b in breakdown.unique():
        m = pattern.search(str(b))
        codes[b] = m.group(1) if m else None
    return breakdown.map(codes).astype(object)


def _where(frame: pd.DataFrame, where: Mapping[str, str]) -> pd.DataFrame:
    """Cells whose ``dim`` is ``code`` for each item; a cell without the dimension is not broken
    down by it and matches too (IMDi leaves vreg_3 out for municipalities)."""
    for dim, code in where.items():
        got = _dim_code(frame["breakdown"], dim)
        frame = frame[(got == code) | got.isna()]
    return frame


def _sum_complete(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum per region and period; a group with a cell that is not a value is left out."""
    ok = frame["status"].isin(_OK) & frame["value"].notna()
    complete = ok.groupby([frame["region_code"], frame["period"]], observed=True).transform("all")
    sub = frame[complete]
    return sub.groupby(["region_code", "region_kind", "period"], as_index=False, observed=True).agg(
        value=("value", "sum")
    )


def derive(carried: pd.DataFrame, recipe: Recipe, population: PopulationContext | None) -> pd.DataFrame:
    """The recipe's ``derived`` series from carried cells (columns: indicator_id, region_code,
    region_kind, period, breakdown, value, status, query, original_region_code, harmonisation)."""
    out: list[pd.DataFrame] = []
    for d in recipe.derived:
        base = carried[carried["indicator_id"] == d.of]
        if base.empty:
            continue
        frame = _derive_one(d, base, population)
        if frame.empty:
            continue
        frame = frame.assign(
            indicator_id=d.id,
            breakdown="",
            status="ok",
            query=f"{d.op} of {d.of}" + (f" where {d.where}" if d.where else "") + f" (recipe {recipe.id})",
        )
        out.append(frame[np.isfinite(frame["value"])])
    if not out:
        return pd.DataFrame(
            columns=["indicator_id", "region_code", "region_kind", "period", "breakdown", "value", "status", "query",
                     "original_region_code", "harmonisation"]
        )
    return carry_provenance(pd.concat(out, ignore_index=True), carried)


def carry_provenance(derived: pd.DataFrame, carried: pd.DataFrame) -> pd.DataFrame:
    """Give each derived cell the carry rules of the cells it came from (same region and
    period): the original code when they all came from one, and their distinct rules joined
    with `` | ``; cells that all kept their code get none. So a series computed for 1580 Haram
    from 1507 Ålesund's figures says so, as the raw series does."""
    if "harmonisation" not in carried.columns or carried["harmonisation"].isna().all():
        return derived.assign(original_region_code=None, harmonisation=None)
    moved = carried[carried["harmonisation"].notna()]
    keys = ["region_code", "period"]

    def _join(values: pd.Series) -> str | None:
        distinct = sorted({str(v) for v in values.dropna()})
        return " | ".join(distinct) if distinct else None

    def _single(values: pd.Series) -> str | None:
        distinct = {str(v) for v in values.dropna()}
        return distinct.pop() if len(distinct) == 1 else None

    rules = moved.groupby(keys, observed=True).agg(
        harmonisation=("harmonisation", _join), original_region_code=("original_region_code", _single)
    ).reset_index()
    rules["period"] = rules["period"].astype(str)
    rules["region_code"] = rules["region_code"].astype(str)
    base = derived.assign(period=derived["period"].astype(str), region_code=derived["region_code"].astype(str))
    base = base.drop(columns=[c for c in ("harmonisation", "original_region_code") if c in base.columns])
    return base.merge(rules, on=keys, how="left")


def _derive_one(d: DerivedDef, base: pd.DataFrame, population: PopulationContext | None) -> pd.DataFrame:
    if d.op == "total":
        total = _sum_complete(base)
        total["value"] *= d.scale
        return total
    if d.op == "share":
        assert d.dim is not None and d.range is not None
        total = _sum_complete(base)
        dim_codes = _dim_code(base["breakdown"], d.dim)
        numeric = {c: (int(m.group(1)) if (m := re.match(r"(\d+)", str(c))) else np.nan) for c in dim_codes.unique()}
        codes = dim_codes.map(numeric).astype("float64")
        lo, hi = d.range
        inside = (codes >= lo) & ((codes <= hi) if hi is not None else True)
        part = _sum_complete(base[inside])
        merged = part.merge(total, on=["region_code", "region_kind", "period"], suffixes=("_part", "_total"))
        merged = merged[merged["value_total"] > 0]
        merged["value"] = merged["value_part"] / merged["value_total"] * 100 * d.scale
        return merged[["region_code", "region_kind", "period", "value"]]
    if d.op in ("select", "per_capita"):
        sel = _sum_complete(_where(base, d.where))
        sel["value"] *= d.scale
        if d.op == "select":
            return sel
        if population is None or not population.by_today:
            return sel.iloc[0:0]
        pop = pd.Series(
            [
                population.by_today.get((c, str(p)), np.nan)
                for c, p in zip(sel["region_code"], sel["period"], strict=True)
            ],
            index=sel.index,
            dtype="float64",
        )
        sel["value"] = sel["value"] / pop * d.per
        return sel[pop.notna() & (pop > 0)]
    # change_pct
    total = _sum_complete(base)
    total = total[total["period"].astype(str).str.fullmatch(r"\d{4}")]
    total["_y"] = total["period"].astype(int)
    prev = total.assign(_y=total["_y"] + d.lag)[["region_code", "_y", "value"]].rename(columns={"value": "_prev"})
    merged = total.merge(prev, on=["region_code", "_y"])
    merged = merged[merged["_prev"] > 0]
    merged["value"] = (merged["value"] / merged["_prev"] - 1) * 100 * d.scale
    return merged[["region_code", "region_kind", "period", "value"]]


__all__ = ["carry_provenance", "compress_periods", "derive", "find_gaps"]
