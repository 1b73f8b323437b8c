"""What the scoring service reads from the store: bounds, the indicator → goal map, values and
local targets, for every current region of one level, plus a cheap data version for the cache.

Bounds are FN17's own indicator set (optimum, green and red thresholds with provenance, the
lower-bound rule) for the indicators of the set that are in the store, overridden by the
store's ``targets`` rows of kind ``default`` (region ``""``). Local 2030 targets (kind
``local``) are read beside them, never over them: they steer the trends and the target shown.

Which indicators are scored: those with a direction (higher or lower is better), bounds,
at least one SDG goal, and values for at least one region of the level. An indicator that
has bounds but no values at this level is "not loaded" (listed, never counted as missing
for every region).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Connection, func, select

from fn17.actions import catalogue
from fn17.config import Lang
from fn17.errors import InvalidInputError
from fn17.store.actions_tables import local_targets
from fn17.store.tables import import_log, indicators, observations, targets
from fn17.workspace import Workspace

log = logging.getLogger(__name__)

Level = Literal["kommune", "fylke"]
LEVELS: tuple[Level, ...] = ("kommune", "fylke")
CODE_LENGTH: dict[str, int] = {"kommune": 4, "fylke": 2}
YEAR = re.compile(r"^(\d{4})$")
YEAR_RANGE = re.compile(r"^(\d{4})-(\d{4})$")
#: observation status → scoring quality
QUALITY = {"ok": "ok", "provisional": "ok", "zero": "ok", "suppressed": "suppressed", "missing": "missing"}
VALUE_COLUMNS = ["unit", "indicator", "period", "value", "quality", "status", "multi_year", "period_label", "source",
                 "source_table", "query", "retrieved_at", "carried_from"]


@dataclass(frozen=True)
class Provenance:
    """Where a threshold comes from: its kind (sdg_target, national_target, …) and reference text."""

    value: float | None
    kind: str
    reference: str


@dataclass(frozen=True)
class IndicatorMeta:
    id: str
    name: str
    unit: str
    direction: str
    goals: tuple[int, ...]
    sdg_targets: tuple[str, ...]
    source: str
    in_fn17_set: bool
    levels: tuple[str, ...] = ("kommune", "fylke")
    provisional: bool = False
    optimum: Provenance | None = None
    green: Provenance | None = None
    red: Provenance | None = None
    lower_bound_rule: str = "p2.5"


@dataclass(frozen=True, eq=False)
class ScoreInputs:
    level: Level
    units: tuple[str, ...]
    names: dict[str, str]
    meta: dict[str, IndicatorMeta]
    bounds: pd.DataFrame
    goal_map: pd.DataFrame
    values: pd.DataFrame
    local_targets: pd.DataFrame
    not_loaded: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def check_level(level: str) -> Level:
    if level not in LEVELS:
        raise InvalidInputError(
            f"Nivået «{level}» finnes ikke; bruk kommune eller fylke.",
            message_en=f"Level “{level}” does not exist; use kommune (municipalities) or fylke (counties).",
        )
    return "kommune" if level == "kommune" else "fylke"


def data_version(conn: Connection) -> str:
    """A cheap fingerprint of what the scores depend on: imports, observations, targets, local targets."""
    parts = [
        conn.execute(select(func.max(import_log.c.id), func.count(import_log.c.id))).one(),
        conn.execute(select(func.max(observations.c.id))).one(),
        conn.execute(select(func.count(targets.c.id), func.max(targets.c.id), func.sum(targets.c.target_value),
                            func.sum(targets.c.optimum))).one(),
        conn.execute(select(func.count(indicators.c.id))).one(),
        conn.execute(select(func.count(local_targets.c.id), func.max(local_targets.c.updated_at))).one(),
    ]
    return "|".join(",".join("" if v is None else str(v) for v in row) for row in parts)


def _text_of(texts: Any, lang: Lang) -> str:
    return str(getattr(texts, lang, None) or getattr(texts, "nb", ""))


def _set_meta(lang: Lang) -> dict[str, Any]:
    from fn17.frameworks.fn17set import load_fn17_set

    s = load_fn17_set()
    return {"set": s, "by_id": {i.id: i for i in s.indicators}}


def _provenance(threshold: Any, references: dict[str, Any], lang: Lang) -> Provenance:
    ref = references.get(threshold.ref)
    text = (ref.en if lang == "en" else ref.nb) if ref is not None else threshold.ref
    return Provenance(value=float(threshold.value), kind=str(threshold.kind), reference=str(text))


def _meta_and_bounds(conn: Connection, level: Level, lang: Lang) -> tuple[dict[str, IndicatorMeta], pd.DataFrame]:
    refs = catalogue.scored_indicator_refs(conn, lang)
    fn17 = _set_meta(lang)
    by_id: dict[str, Any] = fn17["by_id"]
    references = dict(fn17["set"].references)
    meta: dict[str, IndicatorMeta] = {}
    rows: dict[str, dict[str, Any]] = {}
    for ref in refs.values():
        ind = by_id.get(ref.id)
        direction = str(ref.direction)
        goals = tuple(sorted(ref.goals))
        if ind is not None and level not in ind.levels:
            continue
        m = IndicatorMeta(id=ref.id, name=ref.name, unit=ref.unit, direction=direction, goals=goals,
                          sdg_targets=ref.sdg_targets, source=ref.source, in_fn17_set=ind is not None)
        if ind is not None and ind.targets is not None and ind.direction in ("higher", "lower"):
            tg = ind.targets
            m = IndicatorMeta(
                **{**m.__dict__, "name": _text_of(ind.name, lang), "unit": _text_of(ind.unit, "en" if lang == "en" else "nb"),
                   "levels": tuple(ind.levels), "provisional": tg.provisional,
                   "optimum": _provenance(tg.optimum, references, lang), "green": _provenance(tg.green, references, lang),
                   "red": _provenance(tg.red, references, lang), "lower_bound_rule": tg.lower_bound.rule})
            rows[ref.id] = {"indicator": ref.id, "direction": ind.direction, "optimum": tg.optimum.value,
                            "green": tg.green.value, "red": tg.red.value,
                            "lower_bound": tg.lower_bound.value if tg.lower_bound.rule == "fixed" else None, "target": None}
        meta[ref.id] = m
    q = select(targets).where(targets.c.kind == "default", targets.c.region_code == "", targets.c.active.is_(True))
    for r in conn.execute(q).mappings():
        m0 = meta.get(r["indicator_id"])
        if m0 is None or r["optimum"] is None:
            continue
        rows[m0.id] = {"indicator": m0.id, "direction": m0.direction, "optimum": r["optimum"], "green": r["green"],
                       "red": r["red"], "lower_bound": r["lower_bound"], "target": r["target_value"]}
        kind = str(r["provenance"] or "default")
        ref_text = str(r["reference"] or "")
        meta[m0.id] = IndicatorMeta(**{**m0.__dict__, "optimum": Provenance(r["optimum"], kind, ref_text),
                                       "green": Provenance(r["green"], kind, ref_text) if r["green"] is not None else None,
                                       "red": Provenance(r["red"], kind, ref_text) if r["red"] is not None else None,
                                       "lower_bound_rule": "fixed" if r["lower_bound"] is not None else "p2.5"})
    rows = {k: v for k, v in rows.items() if meta[k].goals}
    bounds = pd.DataFrame(list(rows.values()),
                          columns=["indicator", "direction", "optimum", "green", "red", "lower_bound", "target"])
    for col in ("optimum", "green", "red", "lower_bound", "target"):
        bounds[col] = pd.to_numeric(bounds[col], errors="coerce")
    return meta, bounds


def read_values(conn: Connection, indicator_ids: list[str], units: tuple[str, ...], code_length: int) -> pd.DataFrame:
    """Yearly values (``breakdown == ""``) of the indicators for the units; one row per (unit, indicator, year).

    A multi-year period ("2014-2018", FHI's five-year averages) counts for its last year and is
    flagged ``multi_year``; a plain year wins over a range ending that year; of two sources for
    the same cell the one retrieved last wins."""
    if not indicator_ids:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    q = (select(observations.c.region_code, observations.c.indicator_id, observations.c.period, observations.c.value,
                observations.c.status, observations.c.source, observations.c.source_table, observations.c.query,
                observations.c.retrieved_at, observations.c.original_region_code)
         .where(observations.c.breakdown == "", observations.c.indicator_id.in_(indicator_ids),
                func.length(observations.c.region_code) == code_length))
    raw = pd.DataFrame(conn.execute(q).all(), columns=["unit", "indicator", "period_label", "value", "status", "source",
                                                        "source_table", "query", "retrieved_at", "original"])
    raw = raw[raw["unit"].isin(units)]
    raw["carried_from"] = raw["original"].where(raw["original"].notna() & (raw["original"] != raw["unit"]), "")
    label = raw["period_label"].astype(str)
    plain = label.str.extract(YEAR)[0]
    ranged = label.str.extract(YEAR_RANGE)[1]
    year = pd.to_numeric(plain.fillna(ranged), errors="coerce")
    frame = raw.assign(period=year, multi_year=plain.isna() & ranged.notna())
    frame = frame[frame["period"].notna()].copy()
    frame["period"] = frame["period"].astype(int)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["quality"] = frame["status"].map(QUALITY).fillna("ok")
    frame["retrieved_at"] = pd.to_datetime(frame["retrieved_at"], errors="coerce", utc=True)
    frame = frame.sort_values(["multi_year", "retrieved_at"], ascending=[False, True], na_position="first")
    frame = frame.drop_duplicates(["unit", "indicator", "period"], keep="last")
    return frame[VALUE_COLUMNS].sort_values(["unit", "indicator", "period"]).reset_index(drop=True)


def current_units(ws: Workspace, level: Level, today: date | None = None) -> dict[str, str]:
    """Code → name of every region of the level in force today."""
    reg = ws.register
    regions = reg.municipalities(today) if level == "kommune" else reg.counties(today)
    return {r.code: r.name for r in regions}


def read_inputs(ws: Workspace, level: Level, lang: Lang) -> ScoreInputs:
    names = current_units(ws, level)
    units = tuple(sorted(names))
    with ws.engine.connect() as conn:
        meta, bounds = _meta_and_bounds(conn, level, lang)
        values = read_values(conn, bounds["indicator"].tolist(), units, CODE_LENGTH[level])
        lt = conn.execute(select(targets.c.region_code, targets.c.indicator_id, targets.c.target_value, targets.c.target_year)
                          .where(targets.c.kind == "local", targets.c.active.is_(True),
                                 targets.c.target_value.is_not(None))).all()
    local = pd.DataFrame(lt, columns=["unit", "indicator", "target", "target_year"])
    local = local[local["unit"].isin(units) & local["indicator"].isin(bounds["indicator"])]
    with_data = set(values.loc[values["value"].notna(), "indicator"])
    not_loaded = tuple(sorted(set(bounds["indicator"]) - with_data))
    bounds = bounds[bounds["indicator"].isin(with_data)].reset_index(drop=True)
    values = values[values["indicator"].isin(with_data)].reset_index(drop=True)
    goal_map = pd.DataFrame([(i, g) for i in bounds["indicator"] for g in meta[i].goals], columns=["indicator", "goal"])
    log.debug("score inputs %s: %d units, %d indicators, %d values", level, len(units), len(bounds), len(values))
    return ScoreInputs(level=level, units=units, names=names, meta=meta, bounds=bounds, goal_map=goal_map, values=values,
                       local_targets=local.reset_index(drop=True), not_loaded=not_loaded)


def as_float(value: Any) -> float | None:
    """A frame cell as a float; None when it is missing (None, NA, NaT, NaN) or not a number."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def as_datetime(value: Any) -> datetime | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    return None


__all__ = ["CODE_LENGTH", "LEVELS", "IndicatorMeta", "Level", "Provenance", "ScoreInputs", "as_datetime", "as_float", "check_level",
           "current_units", "data_version", "read_inputs", "read_values"]
