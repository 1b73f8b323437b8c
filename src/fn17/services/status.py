"""Data status: which indicators have data for which years and regions, what is missing or
suppressed, and when each source was last fetched. Also the small look-ups the overview and
the public view share: which indicators have numbers at a level, their names, and one
indicator's values for a period.

Everything is aggregated in SQL (one grouped query over ``observations``) and cached in
memory per store and data version (the newest ``import_log`` entry), so the page is fast on
the full store of about 1.1 million observations.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import and_, case, func, literal_column, select

from fn17.config import Lang
from fn17.errors import InvalidInputError, NotFoundError
from fn17.frameworks.fn17set import load_fn17_set
from fn17.store.tables import import_log, indicators, observations
from fn17.workspace import Workspace

log = logging.getLogger(__name__)
LEVEL_LENGTH = {"kommune": 4, "fylke": 2}
_cache: dict[tuple[str, str, Any], Any] = {}
_lock = threading.Lock()
T = TypeVar("T")


# --------------------------------------------------------------------------- cache


def data_version(ws: Workspace) -> str:
    """A stamp that changes whenever an import finishes: the newest import's id and time."""
    with ws.engine.connect() as conn:
        row = conn.execute(select(func.max(import_log.c.id), func.max(import_log.c.finished_at), func.count())).one()
    return f"{row[0]}:{row[1]}:{row[2]}"


def cached_by_version(ws: Workspace, name: str, key: Any, build: Callable[[], T]) -> T:
    """``build()``'s result, kept in memory per store, name and key until the data version changes."""
    stamp = (str(ws.engine.url), name, key)
    version = data_version(ws)
    with _lock:
        hit = _cache.get(stamp)
        if hit is not None and hit[0] == version:
            return cast(T, hit[1])
    value = build()
    with _lock:
        _cache[stamp] = (version, value)
    return value


# --------------------------------------------------------------------------- shared look-ups


@dataclass(frozen=True)
class IndicatorOption:
    value: str
    label: str
    regions: int


def _names(ws: Workspace) -> dict[str, dict[str, str | None]]:
    def build() -> dict[str, dict[str, str | None]]:
        i = indicators.c
        with ws.engine.connect() as conn:
            rows = conn.execute(select(i.id, i.framework_id, i.name_nb, i.name_nn, i.name_en, i.unit, i.source, i.direction)).all()
        out: dict[str, dict[str, str | None]] = {
            r.id: {"framework": r.framework_id, "nb": r.name_nb, "nn": r.name_nn, "en": r.name_en, "unit_nb": r.unit,
                   "unit_en": None, "source": r.source, "direction": r.direction} for r in rows}
        for d in load_fn17_set().indicators:
            entry = out.setdefault(d.id, {"framework": "fn17", "source": None, "direction": d.direction})
            entry.update({"nb": d.name.nb, "nn": d.name.nn, "en": d.name.en, "unit_nb": d.unit.nb, "unit_en": d.unit.en})
        return out

    result: dict[str, dict[str, str | None]] = cached_by_version(ws, "names", None, build)
    return result


def indicator_name(ws: Workspace, indicator_id: str, lang: Lang) -> tuple[str, str]:
    """The indicator's name and unit in ``lang`` (bokmål where no translation exists)."""
    entry = _names(ws).get(indicator_id)
    if entry is None:
        raise NotFoundError(
            f"Indikatoren «{indicator_id}» finnes ikke i databasen.",
            message_en=f"The indicator “{indicator_id}” is not in the store.",
            hint="Se listen over indikatorer med data under /datastatus.",
            hint_en="See the list of indicators with data at /datastatus.",
            details={"indicator": indicator_id},
        )
    name = entry.get(lang) or entry.get("nb") or indicator_id
    unit = (entry.get("unit_en") if lang == "en" else None) or entry.get("unit_nb") or ""
    return str(name), str(unit)


def indicator_options(ws: Workspace, level: str, lang: Lang) -> list[IndicatorOption]:
    """Indicators with at least one total value (no breakdown) at ``level``: FN17's own set
    first, then the raw series, each by the number of regions with data."""
    length = LEVEL_LENGTH[level]

    def build() -> list[tuple[str, int]]:
        o = observations.c
        query = (
            select(o.indicator_id, func.count(func.distinct(o.region_code)))
            .where(o.breakdown == "", o.value.is_not(None), func.length(o.region_code) == length)
            .group_by(o.indicator_id)
        )
        with ws.engine.connect() as conn:
            return [(str(a), int(b)) for a, b in conn.execute(query)]

    counts: list[tuple[str, int]] = cached_by_version(ws, "options", level, build)
    names = _names(ws)
    options = [IndicatorOption(i, indicator_name(ws, i, lang)[0], n) for i, n in counts if i in names]
    return sorted(options, key=lambda o: (names[o.value].get("framework") != "fn17",
                                          names[o.value].get("direction") not in ("higher", "lower"), -o.regions, o.label))


@dataclass(frozen=True)
class Cell:
    value: float | None
    status: str


@dataclass(frozen=True)
class ValueTable:
    indicator: str
    period: str | None
    periods: list[str]
    cells: dict[str, Cell]


def value_table(ws: Workspace, indicator_id: str, codes: list[str], period: str | None = None) -> ValueTable:
    """Total values of ``indicator_id`` for ``codes`` in one period: ``period`` if given,
    else the latest period in which at least half as many regions have a value as in the
    best-covered period (so one early-reporting region does not empty the map)."""
    o = observations.c
    query = (
        select(o.region_code, o.period, o.value, o.status)
        .where(o.indicator_id == indicator_id, o.breakdown == "", o.region_code.in_(codes))
    )
    with ws.engine.connect() as conn:
        rows = conn.execute(query).all()
    by_period: dict[str, dict[str, Cell]] = defaultdict(dict)
    for code, per, value, status in rows:
        cell = by_period[per].get(code)
        if cell is None or (cell.value is None and value is not None):
            by_period[per][code] = Cell(None if value is None else float(value), str(status))
    periods = sorted(by_period)
    if not periods:
        return ValueTable(indicator_id, None, [], {})
    if period is not None and period not in by_period:
        raise InvalidInputError(
            f"{indicator_id} har ingen tall for perioden {period}; velg en av {', '.join(periods)}.",
            message_en=f"{indicator_id} has no numbers for the period {period}; choose one of {', '.join(periods)}.",
            details={"periods": periods},
        )
    if period is None:
        filled = {p: sum(1 for c in by_period[p].values() if c.value is not None) for p in periods}
        best = max(filled.values())
        period = [p for p in periods if filled[p] * 2 >= best][-1]
    return ValueTable(indicator_id, period, periods, by_period[period])


# --------------------------------------------------------------------------- the status page


@dataclass(frozen=True)
class PeriodCount:
    period: str
    regions: int
    missing: int
    suppressed: int
    provisional: int


@dataclass(frozen=True)
class StatusRow:
    indicator_id: str
    name: str
    framework: str
    unit: str
    first_period: str
    last_period: str
    n_periods: int
    regions_latest: int
    missing_latest: int
    suppressed: int
    provisional: int
    missing_cells: int
    rows: int
    source: str
    source_table: str
    retrieved_at: datetime | None
    href: str
    periods: list[PeriodCount] = field(default_factory=list)


@dataclass(frozen=True)
class ImportRow:
    source: str
    status: str
    rows: int
    finished_at: datetime | None
    origin: str
    message: str


@dataclass(frozen=True)
class MissingIndicator:
    indicator_id: str
    name: str
    source_tables: str


@dataclass(frozen=True)
class StatusPage:
    level: str
    n_regions: int
    observations: int
    query: str
    framework: str | None
    rows: list[StatusRow]
    imports: list[ImportRow]
    fn17_total: int
    fn17_with_data: int
    fn17_missing: list[MissingIndicator]
    computed_seconds: float

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = ["indicator_id", "name", "framework", "unit", "first_period", "last_period", "periods",
                  "regions_latest", "missing_latest", "suppressed", "provisional", "missing_cells", "rows",
                  "source", "source_table", "retrieved_at"]
        return header, [[r.indicator_id, r.name, r.framework, r.unit, r.first_period, r.last_period, r.n_periods,
                         r.regions_latest, r.missing_latest, r.suppressed, r.provisional, r.missing_cells, r.rows,
                         r.source, r.source_table, r.retrieved_at.isoformat() if r.retrieved_at else ""] for r in self.rows]


def _aggregate(ws: Workspace, length: int) -> list[tuple[Any, ...]]:
    """One row per (indicator, period): regions with a value, suppressed, provisional and
    missing cells, rows, newest retrieval, first source and source table. Cells are first
    collapsed per region (the unique index's order), then counted per period."""
    o = observations.c
    cell = (
        select(
            o.indicator_id, o.period, o.region_code,
            func.max(case((o.value.is_not(None), 1), else_=0)).label("has"),
            func.max(case((o.status == "suppressed", 1), else_=0)).label("sup"),
            func.max(case((o.status == "provisional", 1), else_=0)).label("prov"),
            func.max(case((o.status == "missing", 1), else_=0)).label("miss"),
            func.count().label("n"),
            func.max(o.retrieved_at).label("retrieved"),
            func.min(o.source).label("source"),
            func.min(o.source_table).label("source_table"),
        )
        .where(func.length(o.region_code) == length)
        .group_by(o.indicator_id, o.region_code, o.period)
        .subquery()
    )
    c = cell.c
    query = select(
        c.indicator_id, c.period, func.sum(c.has), func.sum(c.sup), func.sum(c.prov),
        func.sum(case((and_(c.miss == 1, c.has == 0), 1), else_=0)), func.sum(c.n), func.max(c.retrieved),
        func.min(c.source), func.min(c.source_table),
    ).group_by(c.indicator_id, c.period)
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def data_status(ws: Workspace, *, level: str = "kommune", query: str = "", framework: str | None = None,
                lang: Lang = "nb") -> StatusPage:
    """The data status of every indicator with observations at ``level``."""
    import time

    if level not in LEVEL_LENGTH:
        raise InvalidInputError(f"Ukjent nivå «{level}»; bruk kommune eller fylke.",
                                message_en=f"Unknown level “{level}”; use kommune or fylke.")
    t0 = time.perf_counter()
    aggregated: list[tuple[Any, ...]] = cached_by_version(ws, "status", level, lambda: _aggregate(ws, LEVEL_LENGTH[level]))
    today = date.today()
    n_regions = len(ws.register.municipalities(today) if level == "kommune" else ws.register.counties(today))
    names = _names(ws)
    per: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in aggregated:
        per[str(row[0])].append(row)
    rows: list[StatusRow] = []
    needle = query.strip().casefold()
    for ind, items in per.items():
        items.sort(key=lambda r: str(r[1]))
        entry = names.get(ind, {})
        name, unit = indicator_name(ws, ind, lang) if ind in names else (ind, "")
        fw = str(entry.get("framework") or "")
        if framework and fw != framework:
            continue
        if needle and needle not in ind.casefold() and needle not in name.casefold():
            continue
        periods = [PeriodCount(str(r[1]), int(r[2] or 0), max(0, n_regions - int(r[2] or 0)), int(r[3] or 0), int(r[4] or 0))
                   for r in items]
        with_data = [p for p in periods if p.regions]
        latest = with_data[-1] if with_data else periods[-1]
        retrieved = [d for d in (_as_datetime(r[7]) for r in items) if d is not None]
        rows.append(StatusRow(
            indicator_id=ind, name=name, framework=fw, unit=unit,
            first_period=(with_data or periods)[0].period, last_period=latest.period, n_periods=len(with_data),
            regions_latest=latest.regions, missing_latest=latest.missing,
            suppressed=sum(int(r[3] or 0) for r in items), provisional=sum(int(r[4] or 0) for r in items),
            missing_cells=sum(int(r[5] or 0) for r in items), rows=sum(int(r[6] or 0) for r in items),
            source=str(items[0][8] or ""), source_table=str(items[0][9] or ""),
            retrieved_at=max(retrieved) if retrieved else None,
            href=f"/datastatus/{ind}?lang={lang}", periods=periods,
        ))
    rows.sort(key=lambda r: (r.framework != "fn17", r.name.casefold()))
    fn17_set = load_fn17_set().indicators
    have = {r.indicator_id for r in rows} if not (needle or framework) else set(per)
    missing = [MissingIndicator(d.id, getattr(d.name, lang), ", ".join(s.table or s.provider for s in d.sources))
               for d in fn17_set if d.id not in have]
    return StatusPage(
        level=level, n_regions=n_regions, observations=sum(r.rows for r in rows), query=query, framework=framework,
        rows=rows, imports=imports(ws), fn17_total=len(fn17_set), fn17_with_data=len(fn17_set) - len(missing),
        fn17_missing=missing, computed_seconds=round(time.perf_counter() - t0, 3),
    )


def imports(ws: Workspace) -> list[ImportRow]:
    """The latest import of each source (dataset, taxonomy, boundaries, uploads)."""
    il = import_log.c
    latest = select(il.source, func.max(il.id).label("id")).group_by(il.source).subquery()
    query = (select(il.source, il.status, il.rows, il.finished_at, il.origin, il.message)
             .join(latest, latest.c.id == il.id).order_by(il.source))
    with ws.engine.connect() as conn:
        return [ImportRow(str(r[0]), str(r[1]), int(r[2] or 0), _as_datetime(r[3]), str(r[4] or ""), str(r[5] or ""))
                for r in conn.execute(query)]


# --------------------------------------------------------------------------- one indicator


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str


@dataclass(frozen=True)
class PeriodDetail:
    period: str
    regions: int
    missing: list[RegionRef]
    suppressed: list[RegionRef]
    provisional: list[RegionRef]


@dataclass(frozen=True)
class StatusDetail:
    indicator_id: str
    name: str
    unit: str
    level: str
    n_regions: int
    periods: list[PeriodDetail]
    indicator_href: str | None

    def table(self) -> tuple[list[str], list[list[Any]]]:
        rows: list[list[Any]] = []
        for p in self.periods:
            rows += [[p.period, r.code, r.name, "missing"] for r in p.missing]
            rows += [[p.period, r.code, r.name, "suppressed"] for r in p.suppressed]
            rows += [[p.period, r.code, r.name, "provisional"] for r in p.provisional]
        return ["period", "region_code", "region_name", "state"], rows


def status_detail(ws: Workspace, indicator_id: str, *, level: str = "kommune", lang: Lang = "nb") -> StatusDetail:
    """Per period: the current regions without a value, and those suppressed or provisional."""
    if level not in LEVEL_LENGTH:
        raise InvalidInputError(f"Ukjent nivå «{level}»; bruk kommune eller fylke.",
                                message_en=f"Unknown level “{level}”; use kommune or fylke.")
    names = _names(ws)
    if indicator_id not in names:
        from difflib import get_close_matches

        near = get_close_matches(indicator_id, list(names), n=5, cutoff=0.5)
        raise NotFoundError(
            f"Indikatoren «{indicator_id}» finnes ikke i databasen."
            + (f" Mente du {', '.join(near)}?" if near else ""),
            message_en=f"The indicator “{indicator_id}” is not in the store." + (f" Did you mean {', '.join(near)}?" if near else ""),
            hint="Se alle indikatorer med data under /datastatus.", hint_en="See every indicator with data at /datastatus.",
            details={"suggestions": near},
        )
    o = observations.c
    has = func.max(case((o.value.is_not(None), 1), else_=0))
    query = (
        select(o.period, o.region_code, has, func.max(literal_column("status = 'suppressed'")),
               func.max(literal_column("status = 'provisional'")))
        .where(o.indicator_id == indicator_id, func.length(o.region_code) == LEVEL_LENGTH[level])
        .group_by(o.period, o.region_code)
    )
    with ws.engine.connect() as conn:
        rows = conn.execute(query).all()
    today = date.today()
    units = ws.register.municipalities(today) if level == "kommune" else ws.register.counties(today)
    by_period: dict[str, dict[str, tuple[bool, bool, bool]]] = defaultdict(dict)
    for per, code, h, sup, prov in rows:
        by_period[str(per)][str(code)] = (bool(h), bool(sup), bool(prov))
    periods: list[PeriodDetail] = []
    for per in sorted(by_period, reverse=True):
        cells = by_period[per]
        periods.append(PeriodDetail(
            period=per, regions=sum(1 for v in cells.values() if v[0]),
            missing=[RegionRef(u.code, u.name) for u in units if not cells.get(u.code, (False, False, False))[0]],
            suppressed=[RegionRef(u.code, u.name) for u in units if cells.get(u.code, (False, False, False))[1]],
            provisional=[RegionRef(u.code, u.name) for u in units if cells.get(u.code, (False, False, False))[2]],
        ))
    name, unit = indicator_name(ws, indicator_id, lang)
    is_fn17 = names[indicator_id].get("framework") == "fn17"
    return StatusDetail(indicator_id, name, unit, level, len(units), periods,
                        f"/indikator/{indicator_id}?lang={lang}" if is_fn17 else None)

