"""From long records to the store: carry old codes to today's regions, find the gaps,
derive FN17's basic series, and write one dataset in one transaction.

Carrying (``carry`` in the recipe, per indicator):

* ``sum`` (totals): a merged municipality gets the sum of its parts; a split one is shared
  by the register's weights. The result is left empty (status ``missing``) when a part that
  belonged to it at the time has no value, so no total is silently too small.
* ``mean`` (rates, shares): a merger takes the mean of its parts weighted by the recipe's
  ``weight`` indicator (e.g. eligible voters) or by population, unweighted only when neither
  is known (the rule says so); a split copies the rate to each successor.
* ``none``: only codes that are still valid are kept.

Each carried cell keeps its original code (when it came from one code) and the rule, e.g.
``sum: 1504×0.857+1523×0.857+…→1508`` or ``renumber: 0101→3101``.

Before 1.1.2017 (the register's horizon) a code that was in use on that date is taken to
be valid; codes that had gone before it are reported as unknown.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fn17.errors import ImportValidationError, InvalidInputError, NotFoundError
from fn17.sources._derive import compress_periods, derive, find_gaps
from fn17.sources.recipes import Recipe
from fn17.sources.tabular import LONG_COLUMNS, LongResult, read_table, to_long

log = logging.getLogger(__name__)

POPULATION_ID = "ssb:07459:Personer1"
DERIVED_SOURCE = "fn17"
_OK = ("ok", "zero", "provisional", "imputed")


@dataclass(frozen=True)
class CodeInfo:
    state: str  # valid, not_in_use, unknown
    day: date  # the structure day the code is read in
    successors: Mapping[str, float]


@dataclass
class CarryResult:
    frame: pd.DataFrame
    unknown: dict[str, dict[str, Any]] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    incomplete: list[dict[str, Any]] = field(default_factory=list)
    carried_cells: int = 0

    def drop(self, reason: str, n: int) -> None:
        if n:
            self.dropped[reason] = self.dropped.get(reason, 0) + int(n)


class PopulationContext:
    """Population totals seen during one load: by original code (weights for merged rates)
    and by today's code (denominators for per-capita series)."""

    def __init__(self) -> None:
        self.by_original: dict[tuple[str, int], float] = {}
        self.by_today: dict[tuple[str, str], float] = {}

    def add_raw(self, frame: pd.DataFrame) -> None:
        sub = frame[(frame["indicator_id"] == POPULATION_ID) & frame["status"].isin(_OK)]
        totals = sub.groupby([sub["region_code"].astype(str), sub["period"].astype(str)])["value"].sum()
        for key, v in totals.items():
            code, period = str(key[0]), str(key[1])  # type: ignore[index]
            if period.isdigit():
                self.by_original[(code, int(period))] = float(v)

    def add_today(self, totals: pd.DataFrame) -> None:
        for code, period, v in totals[["region_code", "period", "value"]].itertuples(index=False):
            self.by_today[(str(code), str(period))] = float(v)

    def weight(self, code: str, period: str) -> float | None:
        years = [int(y) for y in re.findall(r"\d{4}", period)]
        if not years:
            return None
        year = years[-1]
        for delta in (0, -1, 1, -2, 2, -3, 3):
            got = self.by_original.get((code, year + delta))
            if got is not None:
                return got
        return None


@dataclass(frozen=True)
class CarryRules:
    """How each indicator is carried: ``methods`` (sum, mean, none), the ``weights`` indicator of
    a mean, and whether region-years with nothing but zeros are codes not in use."""

    methods: Mapping[str, str]
    weights: Mapping[str, str | None] = field(default_factory=dict)
    default: str = "sum"
    drop_empty_groups: bool = False
    absent_zero: frozenset[str] = frozenset()

    @classmethod
    def of(cls, recipe: Recipe) -> CarryRules:
        return cls(
            methods={i.id: i.carry for i in recipe.indicators},
            weights={i.id: i.weight for i in recipe.indicators},
            drop_empty_groups=recipe.drop_empty_groups,
            absent_zero=frozenset(i.id for i in recipe.indicators if i.absent == "zero"),
        )


def _clamp(day: date, first: date, last: date | None) -> date:
    if day < first:
        return first
    if last is not None and day > last:
        return last
    return day


class Harmoniser:
    """Carries long records to the regions valid at ``to`` (today by default)."""

    def __init__(self, register: Any, to: date | None = None) -> None:
        from fn17.regions import HORIZON

        self.reg = register
        self.to = to or date.today()
        self.horizon = HORIZON
        self._info: dict[tuple[str, date], CodeInfo] = {}
        self._peers: dict[date, dict[str, dict[str, float]]] = {}

    def info(self, code: str, at: date) -> CodeInfo:
        key = (code, at)
        got = self._info.get(key)
        if got is not None:
            return got
        if code == "0":
            got = CodeInfo("valid", max(at, self.horizon), {"0": 1.0})
        else:
            try:
                versions = self.reg.versions(code)
                successors = dict(self.reg.successors(code, self.to))
            except (NotFoundError, InvalidInputError):
                got = CodeInfo("unknown", at, {})
            else:
                first, last = versions[0].valid_from, versions[-1].valid_to
                day = max(at, self.horizon) if versions[0].before_horizon else at
                valid = any(v.valid_at(day) for v in versions)
                got = CodeInfo("valid" if valid else "not_in_use", _clamp(day, first, last), successors)
        self._info[key] = got
        return got

    def successors(self, code: str) -> Mapping[str, float]:
        """Today's codes that ``code`` became, with shares."""
        if code == "0":
            return {"0": 1.0}
        return self.info(code, self.to).successors

    def peers(self, day: date) -> dict[str, dict[str, float]]:
        """Today's code → {code valid at ``day``: the share of it that went there}."""
        got = self._peers.get(day)
        if got is None:
            got = {}
            for region in [*self.reg.municipalities(day), *self.reg.counties(day)]:
                for target, w in self.reg.successors(region.code, self.to).items():
                    got.setdefault(target, {})[region.code] = w
            self._peers[day] = got
        return got

    def expected(self, target: str, day: date) -> dict[str, float]:
        if target == "0":
            return {"0": 1.0}
        return self.peers(day).get(target, {target: 1.0})

    def carry(
        self,
        frame: pd.DataFrame,
        recipe: Recipe | CarryRules,
        population: PopulationContext | None = None,
    ) -> CarryResult:
        """Carry ``frame`` (long records from :mod:`fn17.sources.tabular`, or JSON-stat records with
        ``codes_at`` added) to today's regions, by the recipe's rules."""
        rules = recipe if isinstance(recipe, CarryRules) else CarryRules.of(recipe)
        result = CarryResult(frame=frame.iloc[0:0])
        if frame.empty:
            return result
        cols = [
            "indicator_id",
            "region_code",
            "region_kind",
            "codes_at",
            "period",
            "breakdown",
            "value",
            "status",
            "_label",
        ]
        frame = frame[cols].astype(
            {
                c: "category"
                for c in ("indicator_id", "region_code", "region_kind", "period", "breakdown", "status", "_label")
            }
        )
        if rules.drop_empty_groups:
            nonzero = frame["value"].fillna(0) != 0
            keep = nonzero.groupby([frame["region_code"], frame["period"]], observed=True).transform("any")
            result.drop("region and period without any value (code not in use that year)", int((~keep).sum()))
            frame = frame[keep]
        pairs = frame[["region_code", "codes_at"]].drop_duplicates()
        rows = []
        for code, at in pairs.itertuples(index=False):
            inf = self.info(str(code), at)
            rows.append((code, at, inf.state, inf.day))
        states = pd.DataFrame(rows, columns=["region_code", "codes_at", "_state", "_day"])
        states["region_code"] = states["region_code"].astype(frame["region_code"].dtype)
        frame = frame.merge(states, on=["region_code", "codes_at"], how="left")
        unknown = frame["_state"] == "unknown"
        if unknown.any():
            for code, grp in frame[unknown].groupby("region_code", observed=True):
                result.unknown[str(code)] = {
                    "label": str(grp["_label"].iloc[0]),
                    "periods": sorted(map(str, grp["period"].unique())),
                    "cells": len(grp),
                }
            result.drop("codes not in the register", int(unknown.sum()))
            frame = frame[~unknown]
        stale = frame["_state"] == "not_in_use"
        empty_stale = stale & ~(frame["status"].isin(_OK) & (frame["value"].fillna(0) != 0))
        result.drop("empty cells for codes not in use that year", int(empty_stale.sum()))
        result.drop("values for codes not in use that year (carried anyway)", int((stale & ~empty_stale).sum()))
        frame = frame[~empty_stale]
        # expand each code to today's codes
        succ_rows = [
            (code, target, w)
            for code in frame["region_code"].unique()
            for target, w in sorted(self.successors(str(code)).items())
        ]
        succ = pd.DataFrame(succ_rows, columns=["region_code", "target", "factor"])
        codes = pd.CategoricalDtype(sorted(set(map(str, frame["region_code"].cat.categories)) | set(succ["target"])))
        frame = frame.assign(region_code=frame["region_code"].astype(str).astype(codes))
        succ = succ.astype({"region_code": codes, "target": codes})
        ex = frame.merge(succ, on="region_code", how="inner")
        ex["_method"] = ex["indicator_id"].map(lambda i: rules.methods.get(str(i), rules.default)).astype(object)
        # carry: none keeps a code that is unchanged or only renumbered, not merged or split ones
        targets = ex.loc[ex["_method"] == "none", ["target", "_day"]].drop_duplicates()
        many = {(str(t), d) for t, d in targets.itertuples(index=False) if len(self.expected(str(t), d)) > 1}
        none_rule = (ex["_method"] == "none") & (
            (ex["factor"] != 1.0)
            | pd.Series([(str(t), d) in many for t, d in zip(ex["target"], ex["_day"], strict=True)], index=ex.index)
        )
        result.drop("cells of merged or split regions for indicators that are not carried", int(none_rule.sum()))
        ex = ex[~none_rule]
        ex["_w"] = self._weights(ex, frame, rules, population)
        ex["_contrib"] = np.where(ex["_method"] == "mean", ex["value"], ex["value"] * ex["factor"])
        ex["_num"] = ex["value"] * ex["_w"]
        ex["_wlabel"] = ex["indicator_id"].map(lambda i: rules.weights.get(str(i)) or "population").astype(object)
        result.frame, result.incomplete, result.carried_cells = self._combine(ex, rules.absent_zero)
        return result

    def _weights(
        self, ex: pd.DataFrame, frame: pd.DataFrame, rules: CarryRules, population: PopulationContext | None
    ) -> pd.Series:
        w = pd.Series(np.nan, index=ex.index)
        for ind_id in map(str, ex.loc[ex["_method"] == "mean", "indicator_id"].unique()):
            mask = ex["indicator_id"] == ind_id
            weight = rules.weights.get(ind_id)
            if weight is not None:
                # the weight of the same breakdown (pupils of the same group), else the total
                base = frame[frame["indicator_id"] == weight]
                lookup = base.set_index(
                    [base["region_code"].astype(str), base["period"].astype(str), base["breakdown"].astype(str)]
                )["value"]
                lookup = lookup[~lookup.index.duplicated()]
                sub = ex.loc[mask]
                code, per = sub["region_code"].astype(str), sub["period"].astype(str)
                same = lookup.reindex(pd.MultiIndex.from_arrays([code, per, sub["breakdown"].astype(str)])).to_numpy()
                total = lookup.reindex(
                    pd.MultiIndex.from_arrays([code, per, pd.Series("", index=sub.index)])
                ).to_numpy()
                w[mask] = np.where(np.isnan(same), total, same)
            elif population is not None and population.by_original:
                cache: dict[tuple[str, str], float | None] = {}
                vals: list[float] = []
                for code, period in zip(ex.loc[mask, "region_code"], ex.loc[mask, "period"], strict=True):
                    k = (str(code), str(period))
                    if k not in cache:
                        cache[k] = population.weight(*k)
                    got = cache[k]
                    vals.append(np.nan if got is None else got)
                w[mask] = np.asarray(vals, dtype="float64")
        return w * ex["factor"]

    def _combine(self, ex: pd.DataFrame, absent_zero: frozenset[str]) -> tuple[pd.DataFrame, list[dict[str, Any]], int]:
        keys = ["indicator_id", "target", "period", "breakdown"]
        st = ex["status"]
        ex = ex.assign(
            _bad=st.isin(["missing", "suppressed"]),
            _supp=st == "suppressed",
            _prov=st == "provisional",
            _imp=st == "imputed",
            _zero=st == "zero",
            _wnan=ex["_w"].isna(),
        )
        g = ex.groupby(keys, sort=False, observed=True)
        agg = g.agg(
            n=("region_code", "size"),
            first_code=("region_code", "first"),
            first_factor=("factor", "first"),
            first_status=("status", "first"),
            first_value=("_contrib", "first"),
            region_kind=("region_kind", "first"),
            method=("_method", "first"),
            day=("_day", "first"),
            total=("_contrib", "sum"),
            num=("_num", "sum"),
            den=("_w", "sum"),
            plain_mean=("value", "mean"),
            bad=("_bad", "any"),
            supp=("_supp", "any"),
            prov=("_prov", "any"),
            imp=("_imp", "any"),
            allzero=("_zero", "all"),
            wnan=("_wnan", "any"),
            wlabel=("_wlabel", "first"),
        ).reset_index()
        exp_cache: dict[tuple[str, date], dict[str, float]] = {}

        def expected(t: str, d: date) -> dict[str, float]:
            if (t, d) not in exp_cache:
                exp_cache[(t, d)] = self.expected(t, d)
            return exp_cache[(t, d)]

        pairs = agg[["target", "day"]].drop_duplicates()
        pairs = pairs.assign(_nexp=[len(expected(str(t), d)) for t, d in pairs.itertuples(index=False)])
        n_expected = agg[["target", "day"]].merge(pairs, on=["target", "day"], how="left")["_nexp"].to_numpy()
        single = agg["n"].to_numpy() == 1
        incomplete = (agg["n"].to_numpy() < n_expected) & ~agg["indicator_id"].astype(str).isin(absent_zero).to_numpy()
        weighted = ~agg["wnan"].to_numpy() & (agg["den"].to_numpy() > 0)
        mean_value = np.where(weighted, agg["num"] / agg["den"].where(agg["den"] > 0, np.nan), agg["plain_mean"])
        merged_value = np.where(agg["method"] == "mean", mean_value, agg["total"])
        value = np.where(single, agg["first_value"], merged_value)
        status = np.where(
            single,
            agg["first_status"],
            np.where(
                agg["supp"],
                "suppressed",
                np.where(
                    agg["bad"],
                    "missing",
                    np.where(
                        agg["prov"],
                        "provisional",
                        np.where(agg["imp"], "imputed", np.where(agg["allzero"], "zero", "ok")),
                    ),
                ),
            ),
        )
        value = np.where(~single & agg["bad"].to_numpy(), np.nan, value)
        value = np.where(incomplete, np.nan, value)
        status = np.where(incomplete, "missing", status)
        combos = pd.DataFrame(
            {
                "target": agg["target"],
                "day": agg["day"],
                "method": agg["method"],
                "code": agg["first_code"],
                "factor": agg["first_factor"],
                "single": single,
                "wnan": agg["wnan"], "wlabel": agg["wlabel"],
            }
        )
        uniq = combos.drop_duplicates().copy()
        rule_list: list[str | None] = []
        orig_list: list[str | None] = []
        for t, d, m, code, factor, one, wn, wl in uniq.itertuples(index=False):
            if one:
                rule_list.append(_rule(str(m), {str(code): float(factor)}, str(t), ""))
                orig_list.append(None if code == t else str(code))
            else:
                rule_list.append(_rule(str(m), expected(str(t), d), str(t), "unweighted" if wn else f"weighted by {wl}"))
                orig_list.append(None)
        uniq["_rule"] = rule_list
        uniq["_orig"] = orig_list
        looked = combos.merge(uniq, on=list(combos.columns), how="left")
        rules = looked["_rule"].to_numpy()
        originals = looked["_orig"].to_numpy()
        out = pd.DataFrame(
            {
                "indicator_id": agg["indicator_id"],
                "region_code": agg["target"],
                "region_kind": agg["region_kind"],
                "period": agg["period"],
                "breakdown": agg["breakdown"],
                "value": value.astype("float64"),
                "status": status,
                "original_region_code": originals,
                "harmonisation": rules,
            }
        )
        inc_list: list[dict[str, Any]] = []
        if incomplete.any():
            bad = agg.loc[incomplete, [*keys, "day"]]
            sub = ex.merge(bad[keys], on=keys)
            present: dict[tuple[str, ...], set[str]] = {}
            for k1, k2, k3, k4, code in zip(
                sub["indicator_id"].astype(str),
                sub["target"].astype(str),
                sub["period"].astype(str),
                sub["breakdown"].astype(str),
                sub["region_code"].astype(str),
                strict=True,
            ):
                present.setdefault((k1, k2, k3, k4), set()).add(code)
            notes: list[str] = []
            missing_by: dict[tuple[str, str], set[str]] = {}
            for row in bad.itertuples(index=False):
                have = present.get((str(row.indicator_id), str(row.target), str(row.period), str(row.breakdown)), set())
                day: date = row.day  # type: ignore[assignment]
                miss = sorted(set(expected(str(row.target), day)) - have)
                notes.append(f"incomplete: {'+'.join(miss)} missing"[:200])
                missing_by.setdefault((str(row.target), str(row.period)), set()).update(miss)
            out.loc[incomplete, "harmonisation"] = notes
            inc_list = [{"region": t, "period": p, "missing": sorted(m)} for (t, p), m in sorted(missing_by.items())]
        carried = int((out["harmonisation"].notna()).sum())
        return out, inc_list, carried


def _fmt_factor(f: float) -> str:
    return f"{f:.4g}"


def _rule(method: str, sources: Mapping[str, float], target: str, weighting: str) -> str | None:
    """The harmonisation rule as stored: None when the cell kept its code."""
    if len(sources) == 1:
        ((src, f),) = sources.items()
        if src == target and f == 1.0:
            return None
        if f == 1.0:
            return f"renumber: {src}→{target}"
        if method == "mean":
            return f"copy: {src}→{target} (split, share {_fmt_factor(f)})"
        return f"split: {src}→{target} weight {_fmt_factor(f)}"
    parts = "+".join(s if f == 1.0 else f"{s}×{_fmt_factor(f)}" for s, f in sorted(sources.items()))
    head = "sum" if method == "sum" else f"mean ({weighting or 'weighted'})"  # mean (weighted by population)
    return f"{head}: {parts}→{target}"[:200]


# --------------------------------------------------------------------------- reading a recipe's files


_KEY = ["indicator_id", "region_code", "period", "breakdown"]


def resolve_duplicates(frame: pd.DataFrame, recipe: Recipe) -> pd.DataFrame:
    """Cells that occur more than once (rows repeated, or one file giving the same cell twice),
    handled per indicator as the recipe says: ``error``, ``sum``, ``first`` or ``same``
    (must be equal)."""
    dup = frame.duplicated(_KEY, keep=False)
    if not dup.any():
        return frame
    policies = {i.id: (i.duplicates or recipe.duplicates) for i in recipe.indicators}
    clean = frame[~dup]
    pieces = [clean]
    dups = frame[dup]
    for ind_id, group in dups.groupby("indicator_id", sort=False):
        policy = policies.get(str(ind_id), recipe.duplicates)
        if policy == "first":
            pieces.append(group.drop_duplicates(_KEY, keep="first"))
        elif policy == "same":
            spread = group.groupby(_KEY, sort=False)["value"].agg(lambda s: s.nunique(dropna=False))
            if (spread > 1).any():
                _raise_duplicates(group, ind_id, spread[spread > 1].index[0], "ulike verdier", "different values")
            pieces.append(group.drop_duplicates(_KEY, keep="first"))
        elif policy == "sum":
            ok = group["status"].isin(["ok", "zero"])
            summed = (
                group[ok]
                .groupby(_KEY, sort=False, as_index=False)
                .agg(
                    {
                        "value": "sum",
                        "region_kind": "first",
                        "codes_at": "first",
                        "status": "first",
                        "_file": "first",
                        "_row": "first",
                        "_column": "first",
                        "_label": "first",
                    }
                )
            )
            summed["status"] = "ok"
            rest = group[~ok].drop_duplicates(_KEY)
            rest = rest.merge(summed[_KEY], on=_KEY, how="left", indicator=True)
            rest = rest[rest["_merge"] == "left_only"].drop(columns="_merge")
            pieces += [summed, rest]
        else:
            key = group[group.duplicated(_KEY, keep=False)].iloc[0]
            _raise_duplicates(group, ind_id, tuple(key[k] for k in _KEY), "flere ganger", "more than once")
    return pd.concat(pieces, ignore_index=True)


def _raise_duplicates(group: pd.DataFrame, ind_id: Any, key: Any, nb: str, en: str) -> None:
    k = dict(zip(_KEY, key, strict=True))
    rows = group
    for col, v in k.items():
        rows = rows[rows[col] == v]
    problems = [
        {
            "file": r["_file"],
            "sheet": None,
            "row": int(r["_row"]),
            "column": str(r["_column"]),
            "message": f"cellen står {nb}",
            "message_en": f"the cell occurs {en}",
        }
        for _, r in rows.head(10).iterrows()
    ]
    raise ImportValidationError(
        f"{ind_id}, region {k['region_code']}, periode {k['period']}, {k['breakdown'] or 'uten inndeling'}: cellen står {nb} "
        f"(rad {', '.join(str(p['row']) for p in problems)}).",
        message_en=f"{ind_id}, region {k['region_code']}, period {k['period']}, {k['breakdown'] or 'no breakdown'}: "
        f"the cell occurs {en} (rows {', '.join(str(p['row']) for p in problems)}).",
        problems=problems,
        hint="Sett duplicates: sum, first eller same for indikatoren i oppskriften, eller rett filen.",
        hint_en="Set duplicates: sum, first or same for the indicator in the recipe, or fix the file.",
    )


def read_recipe_files(recipe: Recipe, files: Iterable[Path], register: Any) -> tuple[pd.DataFrame, list[LongResult]]:
    """Read every file of a recipe into one frame of long records (duplicates resolved)."""
    results = [to_long(read_table(path, recipe), recipe, register) for path in files]
    frames = [r.frame for r in results if not r.frame.empty]
    if not frames:
        return pd.DataFrame(columns=list(LONG_COLUMNS)), results
    frame = pd.concat(frames, ignore_index=True)
    return resolve_duplicates(frame, recipe), results


__all__ = [
    "DERIVED_SOURCE",
    "POPULATION_ID",
    "CarryResult",
    "CarryRules",
    "CodeInfo",
    "Harmoniser",
    "PopulationContext",
    "compress_periods",
    "derive",
    "find_gaps",
    "read_recipe_files",
    "resolve_duplicates",
]
