"""Carry a time series across municipal and county reforms to the regions valid at one date.

A value for an old code is given to the code(s) it became:

* merged codes are summed (``rule_for_merge="sum"``, for totals such as population or kroner) or
  averaged with population weights (``"weighted_mean"``, for rates; pass ``population``);
* a split code is shared by the weights in ``data/changes.csv`` (``rule_for_split="weighted"``,
  for totals), copied whole to every successor (``"copy"``, for rates), or given whole to the
  successor with the largest share (``"largest"``).

Every output names its original codes, the factors used and the rule, and says whether a region
that belonged to it at the time has no value (``complete=False``, ``missing``).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from fn17.errors import InvalidInputError
from fn17.regions.models import CarriedValue

if TYPE_CHECKING:
    from fn17.regions.register import Register

SPLIT_RULES = ("weighted", "copy", "largest")
MERGE_RULES = ("sum", "weighted_mean")
_YEAR = re.compile(r"^(\d{4})")


@dataclass(frozen=True, slots=True)
class _Part:
    source: str
    value: float
    factor: float  # share of the source's value (split weight, 1.0, or 0/1 for "largest")
    weight: float  # share of the source's population that went to the target
    split: bool
    weight_sources: frozenset[str]


def _structure_day(reg: Register, code: str, period: str, to: date) -> date:
    """The day whose municipal structure a value for (code, period) is taken to be in."""
    versions = reg.versions(code)
    first, last_end = versions[0].valid_from, versions[-1].valid_to
    day = to if last_end is None or last_end > to else last_end
    m = _YEAR.match(period)
    if m:
        end_of_year = date(int(m.group(1)), 12, 31)
        if end_of_year < day:
            day = max(end_of_year, first)
    return day


def _check_rules(rule_for_split: str, rule_for_merge: str, population: object) -> None:
    if rule_for_split not in SPLIT_RULES:
        raise InvalidInputError(
            f"rule_for_split «{rule_for_split}» finnes ikke; bruk {', '.join(SPLIT_RULES)}.",
            message_en=f"rule_for_split “{rule_for_split}” does not exist; use {', '.join(SPLIT_RULES)}.",
            hint="«weighted» for summer (folketall, kroner), «copy» for andeler og rater.",
            hint_en="“weighted” for totals (population, kroner), “copy” for shares and rates.",
            details={"rule_for_split": rule_for_split},
        )
    if rule_for_merge not in MERGE_RULES:
        raise InvalidInputError(
            f"rule_for_merge «{rule_for_merge}» finnes ikke; bruk {', '.join(MERGE_RULES)}.",
            message_en=f"rule_for_merge “{rule_for_merge}” does not exist; use {', '.join(MERGE_RULES)}.",
            hint="«sum» for summer, «weighted_mean» for andeler og rater (med population).",
            hint_en="“sum” for totals, “weighted_mean” for shares and rates (with population).",
            details={"rule_for_merge": rule_for_merge},
        )
    if rule_for_merge == "weighted_mean" and population is None:
        raise InvalidInputError(
            "rule_for_merge=«weighted_mean» trenger folketall: gi population={(kode, periode): innbyggere}.",
            message_en="rule_for_merge=“weighted_mean” needs populations: pass population={(code, period): inhabitants}.",
            details={"rule_for_merge": rule_for_merge},
        )


def _number(value: object, key: tuple[str, str], what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(
            f"{what} for {key[0]} {key[1]} er ikke et tall: {value!r}.",
            message_en=f"The {'value' if what == 'Verdien' else 'population'} for {key[0]} {key[1]} is not a number: {value!r}.",
            details={"code": key[0], "period": key[1]},
        )
    number = float(value)
    return None if math.isnan(number) else number


def carry_series(
    reg: Register,
    values: Mapping[tuple[str, str], float],
    to: date,
    *,
    rule_for_split: str = "weighted",
    rule_for_merge: str = "sum",
    population: Mapping[tuple[str, str], float] | None = None,
) -> list[CarriedValue]:
    """Carry ``values`` keyed by (code, period) to the regions valid at ``to``; one
    :class:`CarriedValue` per (new code, period), sorted. Missing values (None, NaN) are left out
    and reported as ``missing`` where they make a merged total incomplete."""
    _check_rules(rule_for_split, rule_for_merge, population)
    when = reg._when(to)
    parts: dict[tuple[str, str], list[_Part]] = defaultdict(list)
    present: dict[str, set[str]] = defaultdict(set)  # period -> source codes with a value
    days: dict[tuple[str, str], date] = {}
    for key, raw in values.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InvalidInputError(
                f"Nøkkelen {key!r} skal være (kode, periode), f.eks. ('0301', '2023').",
                message_en=f"The key {key!r} must be (code, period), e.g. ('0301', '2023').",
                details={"key": repr(key)},
            )
        code, period = reg._code(str(key[0])), str(key[1])
        value = _number(raw, (code, period), "Verdien")
        if value is None:
            continue
        resolved = reg._resolve(code, when)
        split = len(resolved) > 1
        if split and rule_for_split == "largest":
            top = max(resolved, key=lambda r: (r[1], r[0]))
            chosen = [(top[0], 1.0, 1.0, top[2])]
        else:
            chosen = [(c, 1.0 if rule_for_split == "copy" else w, w, s) for c, w, s in resolved]
        present[period].add(code)
        days[(code, period)] = _structure_day(reg, code, period, when)
        for target, factor, weight, srcs in chosen:
            parts[(target, period)].append(_Part(code, value, factor, weight, split, srcs))

    peers_cache: dict[date, dict[str, set[str]]] = {}

    def peers(day: date) -> dict[str, set[str]]:
        got = peers_cache.get(day)
        if got is None:
            got = defaultdict(set)
            for c in reg._valid_codes(day):
                for target, _, _ in reg._resolve(c, when):
                    got[target].add(c)
            peers_cache[day] = got
        return got

    out: list[CarriedValue] = []
    for (target, period), items in sorted(parts.items()):
        expected: set[str] = set()
        for p in items:
            expected |= peers(days[(p.source, period)]).get(target, set())
        sources = sorted({p.source for p in items})
        missing = sorted(expected - present[period])
        merged = len(expected | set(sources)) > 1
        if rule_for_merge == "weighted_mean" and population is not None:
            num = den = 0.0
            for p in items:
                pop = _number(population.get((p.source, period)), (p.source, period), "Folketallet")
                if pop is None:
                    raise InvalidInputError(
                        f"Folketall mangler for {p.source} {period}; det trengs for et vektet snitt.",
                        message_en=f"The population of {p.source} in {period} is missing; a weighted mean needs it.",
                        hint="Gi folketall for alle koder og perioder i serien, eller bruk rule_for_merge=«sum».",
                        hint_en="Give populations for every code and period in the series, or use rule_for_merge=“sum”.",
                        details={"code": p.source, "period": period},
                    )
                share = p.factor if rule_for_split == "largest" else p.weight
                num += p.value * pop * share
                den += pop * share
            value = num / den if den else math.nan
        else:
            value = sum(p.value * p.factor for p in items)
        rules: set[str] = set()
        for p in items:
            if p.split:
                rules.add(f"split:{rule_for_split}")
            elif merged:
                rules.add(f"merged:{rule_for_merge}")
            elif p.source == target:
                rules.add("unchanged")
            else:
                rules.add("renumbered")
        if merged and any(p.split for p in items):
            rules.add(f"merged:{rule_for_merge}")
        out.append(CarriedValue(
            code=target,
            period=period,
            value=value,
            rule="+".join(sorted(rules)),
            sources=tuple(sources),
            factors=tuple((p.source, round(p.factor, 6)) for p in sorted(items, key=lambda p: p.source)),
            complete=not missing,
            missing=tuple(missing),
            weight_sources=tuple(sorted({s for p in items for s in p.weight_sources})),
        ))
    return out

