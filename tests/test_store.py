"""The store on SQLite and PostgreSQL: migrations, the schema-version check, and bad URLs."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, insert, inspect, select, text

from fn17.errors import DatabaseVersionError, InvalidInputError
from fn17.store import check_schema, current_revision, head_revision, make_engine, migrate
from fn17.store.tables import import_log, indicators, observations


def test_migrate_creates_every_table(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert {"frameworks", "framework_items", "regions", "region_changes", "indicators", "observations", "targets", "import_log"} <= names
    assert current_revision(engine) == head_revision()
    check_schema(engine)


def test_migrate_is_idempotent(engine: Engine) -> None:
    assert migrate(engine) == head_revision()
    assert migrate(engine) == head_revision()


def test_observation_round_trip_and_unique_cell(engine: Engine) -> None:
    from datetime import UTC, datetime

    with engine.begin() as conn:
        conn.execute(insert(indicators).values(id="ssb:07459:pop", framework_id="ssb", name_nb="Folkemengde", attrs={}))
        log_id = conn.execute(
            insert(import_log).values(started_at=datetime.now(UTC), source="test", status="ok", rows=1, summary={})
        ).inserted_primary_key[0]
        conn.execute(
            insert(observations).values(
                indicator_id="ssb:07459:pop", region_code="0301", period="2023", breakdown="", value=709037.0,
                status="ok", source="ssb:07459", source_table="07459", query="Region=0301", import_id=log_id,
                retrieved_at=datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
            )
        )
    with engine.connect() as conn:
        row = conn.execute(select(observations.c.value, observations.c.retrieved_at)).one()
    assert row.value == 709037.0
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            insert(observations).values(indicator_id="ssb:07459:pop", region_code="0301", period="2023", breakdown="",
                                        value=1.0, status="ok", source="ssb:07459")
        )
    with engine.connect() as conn:  # the failed transaction left nothing behind
        assert conn.execute(select(observations.c.value)).scalars().all() == [709037.0]


def test_newer_database_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(DatabaseVersionError) as info:
        check_schema(engine)
    assert "9999_from_the_future" in info.value.message
    assert "Oppgrader FN17" in (info.value.hint or "")
    with pytest.raises(DatabaseVersionError):
        migrate(engine)
    with engine.connect() as conn:  # nothing was changed
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999_from_the_future"


def test_unmigrated_database_says_run_init(db_url: str) -> None:
    eng = make_engine(db_url)
    with pytest.raises(DatabaseVersionError) as info:
        check_schema(eng)
    assert "fn17 init" in info.value.text("nb")
    assert "fn17 init" in info.value.text("en")


def test_bad_database_url() -> None:
    with pytest.raises(InvalidInputError) as info:
        make_engine("this is not a url")
    assert "FN17_DATABASE_URL" in info.value.message
