"""Engines, migrations and the schema-version check.

SQLite is the embedded default (WAL, foreign keys on); PostgreSQL is the server
choice. ``migrate`` brings any database to the newest schema with Alembic;
``check_schema`` refuses a database that is newer than this FN17 or not yet
migrated, with a message that says what to do.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import NullPool

from fn17.errors import DatabaseVersionError, InvalidInputError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; the SQLite file's folder is created when missing."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidInputError(
            f"FN17_DATABASE_URL={url!r} er ikke en gyldig database-URL. "
            "Bruk f.eks. sqlite:///sti/fn17.sqlite eller postgresql+psycopg://bruker:passord@vert/db.",
            message_en=f"FN17_DATABASE_URL={url!r} is not a valid database URL. "
            "Use e.g. sqlite:///path/fn17.sqlite or postgresql+psycopg://user:password@host/db.",
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_alembic_config())


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> str:
    """Create or upgrade the schema to the newest revision; returns it.

    Each migration runs in one transaction, so a failure leaves the database as it was.
    """
    _refuse_newer(engine)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return head_revision()


def _refuse_newer(engine: Engine) -> None:
    try:
        rev = current_revision(engine)
    except OperationalError as exc:
        raise DatabaseVersionError(
            f"Får ikke åpnet databasen {engine.url.render_as_string(hide_password=True)}: {exc.orig}",
            message_en=f"Cannot open the database {engine.url.render_as_string(hide_password=True)}: {exc.orig}",
            hint="Sjekk FN17_DATABASE_URL og at databasen kjører.",
            hint_en="Check FN17_DATABASE_URL and that the database is running.",
        ) from exc
    if rev is not None and not _known(rev):
        raise DatabaseVersionError(
            f"Databasen har skjemaversjon {rev}, som er nyere enn denne FN17-versjonen kjenner.",
            message_en=f"The database has schema version {rev}, newer than this FN17 knows.",
            hint="Oppgrader FN17 (pip install -U fn17), eller bruk en annen database med FN17_DATABASE_URL.",
            hint_en="Upgrade FN17 (pip install -U fn17), or use another database with FN17_DATABASE_URL.",
            details={"revision": rev},
        )


def _known(rev: str) -> bool:
    try:
        return _script().get_revision(rev) is not None
    except Exception:  # alembic raises several types for unknown revisions
        return False


def check_schema(engine: Engine) -> None:
    """Raise unless the database is at this FN17's newest schema."""
    _refuse_newer(engine)
    rev = current_revision(engine)
    if rev != head_revision():
        raise DatabaseVersionError(
            "Databasen er ikke opprettet eller ikke oppdatert til denne FN17-versjonen.",
            message_en="The database has not been created or not been upgraded to this FN17 version.",
            hint="Kjør `fn17 init`.",
            hint_en="Run `fn17 init`.",
            details={"revision": rev, "expected": head_revision()},
        )
