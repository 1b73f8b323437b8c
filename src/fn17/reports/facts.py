"""Numbers the report reads straight from the store: the region's context indicators (its
local context) and the yearly series behind its local targets, each with its provenance."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, or_, select

from fn17.config import Lang
from fn17.store.tables import indicators, observations

YEAR = re.compile(r"^(\d{4})")


@dataclass(frozen=True)
class Fact:
    indicator_id: str
    name: str
    unit: str
    value: float
    period: str
    source: str
    source_table: str
    retrieved_at: datetime | None


def _name(row: dict[str, object], lang: Lang) -> str:
    return str(row.get(f"name_{lang}") or row.get("name_nb") or row.get("id"))


def context_facts(engine: Engine, region_code: str, lang: Lang) -> list[Fact]:
    """The latest value of each context indicator (no direction: describes, never scores) for the region."""
    q = (select(observations, indicators.c.name_nb, indicators.c.name_nn, indicators.c.name_en, indicators.c.unit)
         .join(indicators, indicators.c.id == observations.c.indicator_id)
         .where(observations.c.region_code == region_code, observations.c.breakdown == "", observations.c.value.is_not(None),
                or_(indicators.c.direction.is_(None), indicators.c.direction.not_in(("higher", "lower")))))
    latest: dict[str, Fact] = {}
    with engine.connect() as conn:
        for r in conn.execute(q).mappings():
            fact = Fact(r["indicator_id"], _name({**r, "id": r["indicator_id"]}, lang), str(r["unit"] or ""), float(r["value"]),
                        str(r["period"]), str(r["source"]), str(r["source_table"] or ""), r["retrieved_at"])
            old = latest.get(fact.indicator_id)
            if old is None or fact.period > old.period:
                latest[fact.indicator_id] = fact
    return sorted(latest.values(), key=lambda f: f.name)


def yearly_series(engine: Engine, region_code: str, indicator_ids: Iterable[str]) -> dict[str, list[tuple[int, float]]]:
    """Each indicator's values by year (whole-region rows; one value per year, the latest source wins)."""
    ids = sorted(set(indicator_ids))
    out: dict[str, dict[int, float]] = {i: {} for i in ids}
    if not ids:
        return {}
    q = (select(observations.c.indicator_id, observations.c.period, observations.c.value)
         .where(observations.c.region_code == region_code, observations.c.indicator_id.in_(ids),
                observations.c.breakdown == "", observations.c.value.is_not(None))
         .order_by(observations.c.retrieved_at))
    with engine.connect() as conn:
        for r in conn.execute(q):
            m = YEAR.match(str(r.period))
            if m:
                out[r.indicator_id][int(m.group(1))] = float(r.value)
    return {i: sorted(v.items()) for i, v in out.items()}


__all__ = ["Fact", "context_facts", "yearly_series"]
