"""Shared fixtures for the action register's tests (imported by tests/test_actions*.py,
test_auth.py and test_report*.py as ``store_fixture`` and ``people_fixture``; the tests ask
for them as ``store`` and ``people``).

``store``: a real store (SQLite or PostgreSQL, from conftest's ``engine``) with what
``fn17 init`` writes (the SDG framework and the region register), FN17's own indicator
set from its data file, and a small readable set of observations written here:

| indicator | region | years | values |
| --- | --- | --- | --- |
| husholdningsavfall_per_innbygger (12.5, lower) | 1508 Ålesund | 2019–2023 | 420 410 405 398 391 |
| husholdningsavfall_per_innbygger | 0301 Oslo | 2021–2023 | 350 345 340 |
| materialgjenvinning_andel (12.5, higher) | 1508 | 2021–2023 | 38.5 40.1 41.0 |
| fullfort_videregaende (4.1, higher) | 1508 | 2021–2023 | 79.0 80.5 81.2 |
| drikkevann_ecoli (6.1, higher) | 0301 | 2023 | 99.8 |
| befolkningstetthet (context) | 1508 | 2023 | 104.2 |
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, insert

from fn17.actions import auth
from fn17.actions.actor import Actor, command_line_actor
from fn17.config import get_settings
from fn17.frameworks.fn17set import load_fn17_set
from fn17.services.setup import initialise
from fn17.store.tables import import_log, indicators, observations
from fn17.workspace import Workspace

RETRIEVED = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "korrekt hest batteri stift"
OBSERVATIONS = [
    ("husholdningsavfall_per_innbygger", "1508", {2019: 420.0, 2020: 410.0, 2021: 405.0, 2022: 398.0, 2023: 391.0}, "12313"),
    ("husholdningsavfall_per_innbygger", "0301", {2021: 350.0, 2022: 345.0, 2023: 340.0}, "12313"),
    ("materialgjenvinning_andel", "1508", {2021: 38.5, 2022: 40.1, 2023: 41.0}, "12313"),
    ("fullfort_videregaende", "1508", {2021: 79.0, 2022: 80.5, 2023: 81.2}, "12971"),
    ("drikkevann_ecoli", "0301", {2023: 99.8}, "vannverk"),
    ("befolkningstetthet", "1508", {2023: 104.2}, "11342"),
]


def load_indicator_set(engine: Engine) -> int:
    """FN17's indicator set into ``indicators`` (attrs carry the SDG targets)."""
    rows = []
    for ind in load_fn17_set().indicators:
        rows.append({
            "id": ind.id, "framework_id": "fn17", "name_nb": ind.name.nb, "name_nn": ind.name.nn, "name_en": ind.name.en,
            "definition": None, "unit": ind.unit.nb, "direction": None if ind.direction == "context" else ind.direction,
            "source": "ssb", "attrs": {},  # as the importers write it: the SDG targets come from the set itself
        })
    with engine.begin() as conn:
        conn.execute(insert(indicators), rows)
    return len(rows)


def load_observations(engine: Engine) -> int:
    with engine.begin() as conn:
        import_id = conn.execute(insert(import_log).values(started_at=RETRIEVED, finished_at=RETRIEVED, source="test",
                                                           status="ok", rows=0, summary={}).returning(import_log.c.id)).scalar_one()
        rows = [
            {"indicator_id": ind, "region_code": region, "period": str(year), "breakdown": "", "value": value, "status": "ok",
             "source": "ssb", "source_table": table, "query": None, "retrieved_at": RETRIEVED, "import_id": import_id}
            for ind, region, series, table in OBSERVATIONS for year, value in series.items()
        ]
        conn.execute(insert(observations), rows)
    return len(rows)


@pytest.fixture(name="store")
def store_fixture(engine: Engine, db_url: str) -> Iterator[Workspace]:
    """A workspace on a migrated store with the framework, the register, the indicator set and a few observations."""
    ws = Workspace(settings=get_settings(database_url=db_url, secret_key="test-secret-key-for-fn17"), engine=engine)
    initialise(ws)
    load_indicator_set(engine)
    load_observations(engine)
    yield ws


@dataclass(frozen=True)
class People:
    admin: Actor
    editor: Actor  # editor for 1508 Ålesund
    other_editor: Actor  # editor for 0301 Oslo
    viewer: Actor  # viewer for 1508


def make_people(engine: Engine) -> People:
    cli = command_line_actor()
    for name in ("admin", "redaktor", "oslo", "leser"):
        auth.create_user(engine, cli, name, PASSWORD, name.capitalize())
    auth.grant_role(engine, cli, "admin", "administrator")
    auth.grant_role(engine, cli, "redaktor", "editor", "1508")
    auth.grant_role(engine, cli, "oslo", "editor", "0301")
    auth.grant_role(engine, cli, "leser", "viewer", "1508")
    ids = {u.username: u.id for u in auth.list_users(engine)}
    return People(*(auth.actor_for(engine, ids[n]) for n in ("admin", "redaktor", "oslo", "leser")))


@pytest.fixture(name="people")
def people_fixture(store: Workspace) -> People:
    return make_people(store.engine)
