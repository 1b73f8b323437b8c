"""Repository functions over the store: imports, indicators and observations.

Writing is bulk and all-or-nothing. A caller opens one transaction for one import
(``with engine.begin() as conn``), calls :func:`start_import`, writes with
:func:`write_observations` and closes with :func:`finish_import`; when anything
fails — or the process is killed, even with ``kill -9`` — the transaction is never
committed and the database is as it was. A failed import is then recorded on its own
with :func:`record_failed_import`.

Observations are upserted on their cell key (indicator, region, period, breakdown,
source): writing a cell again replaces its value, status and provenance.
Rows are sent with the driver's ``executemany`` in chunks (SQLite's C loop, psycopg's
pipelined batches), not one statement a row through the ORM.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from fn17.errors import InvalidInputError, NotFoundError
from fn17.store.tables import import_log, indicators, observations

log = logging.getLogger(__name__)

CHUNK = 20_000
STATUSES = ("ok", "suppressed", "missing", "zero", "provisional", "imputed")
#: the observation columns FN17 writes and reads, in this order
OBS_COLUMNS = (
    "indicator_id",
    "region_code",
    "period",
    "breakdown",
    "value",
    "status",
    "source",
    "source_table",
    "query",
    "retrieved_at",
    "import_id",
    "original_region_code",
    "harmonisation",
)
_KEY = ("indicator_id", "region_code", "period", "breakdown", "source")
_UPDATED = tuple(c for c in OBS_COLUMNS if c not in _KEY)


def _now() -> datetime:
    return datetime.now(UTC)


# --- the import log ---------------------------------------------------------------------------


def start_import(conn: Connection, source: str, *, origin: str | None = None, user: str | None = None) -> int:
    """Open an import_log entry (status ``running``) inside the caller's transaction; returns its id."""
    result = conn.execute(
        insert(import_log)
        .values(started_at=_now(), source=source, origin=origin, user_name=user, status="running", rows=0, summary={})
        .returning(import_log.c.id)
    )
    return int(result.scalar_one())


def finish_import(
    conn: Connection,
    import_id: int,
    *,
    rows: int,
    summary: Mapping[str, Any] | None = None,
    status: str = "ok",
    message: str | None = None,
) -> None:
    """Close the import_log entry: status, row count and the per-dataset summary."""
    result = conn.execute(
        update(import_log)
        .where(import_log.c.id == import_id)
        .values(finished_at=_now(), status=status, rows=rows, summary=dict(summary or {}), message=message)
    )
    if result.rowcount != 1:
        raise NotFoundError(
            f"Importen {import_id} finnes ikke i importloggen.",
            message_en=f"Import {import_id} is not in the import log.",
        )


def record_failed_import(
    engine: Engine, source: str, *, origin: str | None, user: str | None, message: str, summary: Mapping[str, Any] | None = None
) -> int:
    """Log an import that failed, in its own transaction (the import's own was rolled back)."""
    with engine.begin() as conn:
        now = _now()
        result = conn.execute(
            insert(import_log)
            .values(
                started_at=now, finished_at=now, source=source, origin=origin, user_name=user, status="failed",
                rows=0, message=message[:4000], summary=dict(summary or {}),
            )
            .returning(import_log.c.id)
        )
        return int(result.scalar_one())


def replace_previous(conn: Connection, source: str, import_id: int) -> int:
    """Delete the observations written by earlier imports logged under ``source`` (a recipe,
    an upload): a re-import replaces what the same import brought in before. Returns the count."""
    earlier = select(import_log.c.id).where(import_log.c.source == source, import_log.c.id != import_id)
    result = conn.execute(delete(observations).where(observations.c.import_id.in_(earlier)))
    return int(result.rowcount or 0)


def imports(engine: Engine, limit: int = 50) -> pd.DataFrame:
    """The newest entries of the import log."""
    stmt = select(import_log).order_by(import_log.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in import_log.columns])


# --- indicators -------------------------------------------------------------------------------

_IND_COLUMNS = ("id", "framework_id", "name_nb", "name_nn", "name_en", "definition", "unit", "direction", "source", "attrs")


def upsert_indicators(conn: Connection, defs: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update indicator definitions (``id``, ``framework_id``, ``name_nb`` required)."""
    rows: list[dict[str, Any]] = []
    for d in defs:
        missing = [k for k in ("id", "framework_id", "name_nb") if not d.get(k)]
        if missing:
            raise InvalidInputError(
                f"Indikatordefinisjonen {d.get('id')!r} mangler {', '.join(missing)}.",
                message_en=f"The indicator definition {d.get('id')!r} lacks {', '.join(missing)}.",
            )
        row = {k: d.get(k) for k in _IND_COLUMNS}
        row["attrs"] = dict(d.get("attrs") or {})
        rows.append(row)
    if not rows:
        return 0
    stmt = _dialect_insert(conn, indicators)
    stmt = stmt.on_conflict_do_update(
        index_elements=[indicators.c.id],
        set_={k: getattr(stmt.excluded, k) for k in _IND_COLUMNS if k != "id"},
    )
    conn.execute(stmt, rows)
    return len(rows)


def ensure_indicators(conn: Connection, defs: Iterable[Mapping[str, Any]]) -> int:
    """Insert indicator definitions that are not in the store yet; existing ones are left as they are."""
    rows = [{k: d.get(k) for k in _IND_COLUMNS} | {"attrs": dict(d.get("attrs") or {})} for d in defs]
    if not rows:
        return 0
    stmt = _dialect_insert(conn, indicators).on_conflict_do_nothing(index_elements=[indicators.c.id])
    conn.execute(stmt, rows)
    return len(rows)


def known_indicators(conn: Connection) -> dict[str, str | None]:
    """Indicator id → unit, for validation."""
    return {r.id: r.unit for r in conn.execute(select(indicators.c.id, indicators.c.unit))}


def _dialect_insert(conn: Connection, table: Any) -> Any:
    name = conn.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise InvalidInputError(
        f"Databasetypen {name!r} støttes ikke; bruk SQLite eller PostgreSQL.",
        message_en=f"The database kind {name!r} is not supported; use SQLite or PostgreSQL.",
    )


# --- observations -----------------------------------------------------------------------------


def _upsert_sql(conn: Connection) -> str:
    cols = ", ".join(OBS_COLUMNS)
    key = ", ".join(_KEY)
    sets = ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    if conn.dialect.name not in ("sqlite", "postgresql"):
        _dialect_insert(conn, observations)  # raises with the message
    marks = ", ".join([mark] * len(OBS_COLUMNS))
    return f"INSERT INTO observations ({cols}) VALUES ({marks}) ON CONFLICT ({key}) DO UPDATE SET {sets}"


def _bind_datetime(conn: Connection, value: datetime | None) -> Any:
    if value is None or pd.isna(value):
        return None
    if value.tzinfo is None:
        raise InvalidInputError(
            "retrieved_at må ha tidssone.", message_en="retrieved_at must be timezone-aware."
        )
    value = pd.Timestamp(value).to_pydatetime().astimezone(UTC)
    type_ = observations.c.retrieved_at.type.dialect_impl(conn.dialect)
    processor = type_.bind_processor(conn.dialect)
    return processor(value) if processor is not None else value


def _frame_from_records(records: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    if isinstance(records, pd.DataFrame):
        return records
    return pd.DataFrame.from_records(list(records))


def write_observations(
    conn: Connection,
    import_id: int | None,
    records: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    chunk: int = CHUNK,
) -> int:
    """Upsert observation records; returns the number of rows sent.

    ``records``: a DataFrame or mappings with the canonical observation fields
    (indicator_id, region_code, period, breakdown, value, status, source, and
    optionally source_table, query, retrieved_at, original_region_code, harmonisation).
    Runs inside the caller's transaction.
    """
    frame = _frame_from_records(records)
    if frame.empty:
        return 0
    missing = [c for c in ("indicator_id", "region_code", "period", "value", "source") if c not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"Observasjonene mangler kolonnene {', '.join(missing)}.",
            message_en=f"The observations lack the columns {', '.join(missing)}.",
        )
    n = len(frame)
    columns: dict[str, Sequence[Any]] = {}
    for col in OBS_COLUMNS:
        if col == "import_id":
            columns[col] = [import_id] * n
        elif col == "retrieved_at":
            if col in frame.columns:
                bound: dict[Any, Any] = {}
                out: list[Any] = []
                for v in frame[col].tolist():
                    if v not in bound:
                        bound[v] = _bind_datetime(conn, v if isinstance(v, datetime) else None)
                    out.append(bound[v])
                columns[col] = out
            else:
                columns[col] = [None] * n
        elif col == "value":
            values = pd.to_numeric(frame["value"], errors="raise").astype("float64")
            columns[col] = [None if v != v else v for v in values.tolist()]  # NaN → NULL
        elif col in frame.columns:
            series = frame[col]
            if isinstance(series.dtype, pd.CategoricalDtype):
                series = series.astype(object)
            if col in ("breakdown",):
                series = series.fillna("")
            elif col == "status":
                series = series.fillna("ok")
            columns[col] = [None if (isinstance(v, float) and v != v) else v for v in series.tolist()]
        elif col == "breakdown":
            columns[col] = [""] * n
        elif col == "status":
            columns[col] = ["ok"] * n
        else:
            columns[col] = [None] * n
    bad = set(columns["status"]) - set(STATUSES)
    if bad:
        raise InvalidInputError(
            f"Ukjent status {sorted(map(str, bad))}; bruk {', '.join(STATUSES)}.",
            message_en=f"Unknown status {sorted(map(str, bad))}; use {', '.join(STATUSES)}.",
        )
    rows = list(zip(*(columns[c] for c in OBS_COLUMNS), strict=True))
    sql = _upsert_sql(conn)
    rebuild = _bulk_on_sqlite(conn, n)
    if rebuild:  # SQLite: build the two look-up indexes once after a bulk write (still one transaction)
        for index in rebuild:
            index.drop(conn)
    for start in range(0, n, chunk):
        conn.exec_driver_sql(sql, rows[start : start + chunk])
    for index in rebuild:
        index.create(conn)
    log.debug("wrote %d observations (import %s)", n, import_id)
    return n


BULK_ROWS = 50_000


def _bulk_on_sqlite(conn: Connection, n: int) -> list[Any]:
    """The non-unique indexes of ``observations`` to rebuild after writing ``n`` rows: on SQLite,
    when the write is large and at least as large as the table, building them once is faster than
    updating them row by row. The unique cell index stays (the upsert needs it). DDL in SQLite is
    transactional, so a failure or a kill still leaves the database as it was."""
    if conn.dialect.name != "sqlite" or n < BULK_ROWS:
        return []
    existing = int(conn.execute(select(func.count()).select_from(observations)).scalar_one())
    if n < existing:
        return []
    return sorted((ix for ix in observations.indexes if not ix.unique), key=lambda ix: str(ix.name))


def delete_observations(conn: Connection, *, source: str) -> int:
    """Delete every observation of one source; returns the count."""
    result = conn.execute(delete(observations).where(observations.c.source == source))
    return int(result.rowcount or 0)


# --- reading ----------------------------------------------------------------------------------


def _match(column: Any, value: str | Sequence[str] | None) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return column == value
    return column.in_(list(value))


def read_observations(
    engine: Engine | Connection,
    source: str | Sequence[str] | None = None,
    indicator: str | Sequence[str] | None = None,
    region: str | Sequence[str] | None = None,
    period: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Stored observations as a DataFrame, one row per cell, sorted by indicator, region, period, breakdown.

    Each filter takes one value or a list; None means all.
    """
    conds = [
        c
        for c in (
            _match(observations.c.source, source),
            _match(observations.c.indicator_id, indicator),
            _match(observations.c.region_code, region),
            _match(observations.c.period, period),
        )
        if c is not None
    ]
    stmt = select(*(observations.c[c] for c in OBS_COLUMNS))
    if conds:
        stmt = stmt.where(and_(*conds))
    stmt = stmt.order_by(
        observations.c.indicator_id, observations.c.region_code, observations.c.period, observations.c.breakdown
    )
    if isinstance(engine, Connection):
        rows = engine.execute(stmt).all()
    else:
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
    frame = pd.DataFrame.from_records(rows, columns=list(OBS_COLUMNS))
    frame["value"] = frame["value"].astype("float64")
    return frame


def count_observations(engine: Engine, source: str | None = None) -> int:
    stmt = select(func.count()).select_from(observations)
    if source is not None:
        stmt = stmt.where(observations.c.source == source)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def observation_sources(engine: Engine) -> pd.DataFrame:
    """Per source: cells, indicators, regions and the period range."""
    stmt = (
        select(
            observations.c.source,
            func.count().label("cells"),
            func.count(func.distinct(observations.c.indicator_id)).label("indicators"),
            func.count(func.distinct(observations.c.region_code)).label("regions"),
            func.min(observations.c.period).label("first_period"),
            func.max(observations.c.period).label("last_period"),
        )
        .group_by(observations.c.source)
        .order_by(observations.c.source)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame.from_records(rows, columns=["source", "cells", "indicators", "regions", "first_period", "last_period"])


__all__ = [
    "STATUSES",
    "count_observations",
    "delete_observations",
    "ensure_indicators",
    "finish_import",
    "imports",
    "known_indicators",
    "observation_sources",
    "read_observations",
    "record_failed_import",
    "replace_previous",
    "start_import",
    "upsert_indicators",
    "write_observations",
]
