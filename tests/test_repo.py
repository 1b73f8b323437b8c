"""The store's repository functions on real databases (SQLite and PostgreSQL), and the
all-or-nothing import: a process killed with SIGKILL in the middle of an import leaves the
database as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from fn17.errors import InvalidInputError
from fn17.store import make_engine, migrate, repo
from fn17.store.tables import import_log, indicators, observations

STAMP = datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
IND = {"id": "ssb:07459:Personer1", "framework_id": "ssb", "name_nb": "Folkemengde", "unit": "personer"}


def _cells(n_regions: int = 3, value: float = 1.0) -> pd.DataFrame:
    rows = []
    for r in range(n_regions):
        for age in ("000", "001"):
            rows.append({"indicator_id": IND["id"], "region_code": f"{3101 + r}", "period": "2023",
                         "breakdown": f"Alder={age}", "value": value + r, "status": "ok", "source": "ssb:07459",
                         "source_table": "07459", "query": "test", "retrieved_at": STAMP})
    return pd.DataFrame(rows)


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(observations)).scalar_one())


def test_write_read_and_log(engine: Engine) -> None:
    with engine.begin() as conn:
        repo.upsert_indicators(conn, [IND])
        iid = repo.start_import(conn, "recipe:test", origin="a.csv", user="kari")
        n = repo.write_observations(conn, iid, _cells())
        repo.finish_import(conn, iid, rows=n, summary={"gaps": []})
    assert n == 6
    frame = repo.read_observations(engine, source="ssb:07459", region="3101")
    assert list(frame["breakdown"]) == ["Alder=000", "Alder=001"]
    assert list(frame["value"]) == [1.0, 1.0]
    assert frame["retrieved_at"].iloc[0].to_pydatetime().astimezone(UTC) == STAMP
    assert repo.read_observations(engine, region=["3102", "3103"], period="2023")["value"].sum() == 2 * 2 + 2 * 3
    log = repo.imports(engine)
    assert log.iloc[0]["status"] == "ok" and log.iloc[0]["user_name"] == "kari" and log.iloc[0]["rows"] == 6


def test_upsert_replaces_cell_and_provenance(engine: Engine) -> None:
    with engine.begin() as conn:
        repo.upsert_indicators(conn, [IND])
        first = repo.start_import(conn, "recipe:test")
        repo.write_observations(conn, first, _cells(value=1.0))
    changed = _cells(value=10.0).assign(harmonisation="renumber: 3001→3101", original_region_code="3001")
    with engine.begin() as conn:
        second = repo.start_import(conn, "recipe:test")
        repo.write_observations(conn, second, changed.iloc[:2], chunk=1)
    frame = repo.read_observations(engine, region="3101")
    assert list(frame["value"]) == [10.0, 10.0]
    assert set(frame["import_id"]) == {second}
    assert set(frame["harmonisation"]) == {"renumber: 3001→3101"}
    assert _count(engine) == 6  # the other cells were left alone


def test_replace_previous_removes_what_the_same_import_wrote(engine: Engine) -> None:
    with engine.begin() as conn:
        repo.upsert_indicators(conn, [IND])
        a = repo.start_import(conn, "recipe:a")
        repo.write_observations(conn, a, _cells(n_regions=3))
        b = repo.start_import(conn, "recipe:b")
        repo.write_observations(conn, b, _cells(n_regions=1).assign(source="other"))
    with engine.begin() as conn:
        again = repo.start_import(conn, "recipe:a")
        assert repo.replace_previous(conn, "recipe:a", again) == 6
        repo.write_observations(conn, again, _cells(n_regions=1))
    assert _count(engine) == 2 + 2


def test_missing_values_and_categoricals(engine: Engine) -> None:
    cells = _cells(n_regions=1)
    cells.loc[0, "value"] = float("nan")
    cells.loc[0, "status"] = "suppressed"
    cells["region_code"] = cells["region_code"].astype("category")
    with engine.begin() as conn:
        repo.upsert_indicators(conn, [IND])
        repo.write_observations(conn, None, cells)
    frame = repo.read_observations(engine)
    assert frame["value"].isna().sum() == 1
    assert list(frame["status"]) == ["suppressed", "ok"]


def test_bad_status_and_naive_time_are_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        repo.upsert_indicators(conn, [IND])
        with pytest.raises(InvalidInputError, match="status"):
            repo.write_observations(conn, None, _cells().assign(status="weird"))
        with pytest.raises(InvalidInputError, match="tidssone"):
            repo.write_observations(conn, None, _cells().assign(retrieved_at=datetime(2024, 1, 1)))


def test_failed_transaction_leaves_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        repo.upsert_indicators(conn, [IND])
        iid = repo.start_import(conn, "recipe:x")
        repo.write_observations(conn, iid, _cells())
        raise RuntimeError("disk on fire")
    assert _count(engine) == 0
    repo.record_failed_import(engine, "recipe:x", origin="x.csv", user=None, message="disk on fire")
    with engine.connect() as conn:
        statuses = [r.status for r in conn.execute(select(import_log.c.status))]
        assert conn.execute(select(func.count()).select_from(indicators)).scalar_one() == 0
    assert statuses == ["failed"]


def test_ensure_indicators_keeps_existing(engine: Engine) -> None:
    with engine.begin() as conn:
        repo.upsert_indicators(conn, [IND])
        repo.ensure_indicators(conn, [IND | {"name_nb": "Annet navn"}, {"id": "ny", "framework_id": "fn17", "name_nb": "Ny"}])
        names = dict(conn.execute(select(indicators.c.id, indicators.c.name_nb)).all())
    assert names == {IND["id"]: "Folkemengde", "ny": "Ny"}


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import pandas as pd
    from datetime import datetime, UTC
    from fn17.store import make_engine, repo

    engine = make_engine(sys.argv[1])
    marker = Path(sys.argv[2])
    rows = [{"indicator_id": "ssb:07459:Personer1", "region_code": f"{r:04d}", "period": str(p),
             "breakdown": f"Alder={a:03d}", "value": 1.0, "status": "ok", "source": "ssb:07459",
             "retrieved_at": datetime(2024, 1, 1, tzinfo=UTC)}
            for r in range(100, 300) for p in range(2000, 2010) for a in range(20)]
    frame = pd.DataFrame(rows)
    with engine.begin() as conn:
        iid = repo.start_import(conn, "recipe:killed", origin="big.csv", user="test")
        repo.write_observations(conn, iid, frame.iloc[:20000])
        marker.write_text("half")   # half written: the parent kills us now
        time.sleep(60)
        repo.write_observations(conn, iid, frame.iloc[20000:])
        repo.finish_import(conn, iid, rows=len(frame))
    """
)


def test_kill_9_mid_import_leaves_database_as_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fn17.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        repo.upsert_indicators(conn, [IND])
        iid = repo.start_import(conn, "recipe:before")
        repo.write_observations(conn, iid, _cells())
        repo.finish_import(conn, iid, rows=6)
    before = repo.read_observations(engine)
    script = tmp_path / "killme.py"
    script.write_text(KILL_SCRIPT)
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, str(script), url, str(marker)], env=os.environ.copy())
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the importer died before it was half way"
            assert time.monotonic() < deadline, "the importer never got half way"
            time.sleep(0.1)
        assert (tmp_path / "fn17.sqlite-wal").stat().st_size > 0  # the half import is on disk, uncommitted
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    reopened = make_engine(url)
    after = repo.read_observations(reopened)
    pd.testing.assert_frame_equal(before, after)
    log = repo.imports(reopened)
    assert list(log["source"]) == ["recipe:before"]  # the killed import left no trace, not even "running"


def test_bulk_write_keeps_the_indexes(engine: Engine) -> None:
    from sqlalchemy import inspect

    n = repo.BULK_ROWS + 10
    big = pd.DataFrame({"indicator_id": IND["id"], "region_code": [f"{i % 400:04d}" for i in range(n)],
                        "period": [str(2000 + i // 400) for i in range(n)], "breakdown": "", "value": 1.0, "status": "ok",
                        "source": "ssb:07459"})
    with engine.begin() as conn:
        repo.upsert_indicators(conn, [IND])
        assert repo.write_observations(conn, None, big) == n
    names = {ix["name"] for ix in inspect(engine).get_indexes("observations")}
    assert {"ix_obs_region_indicator", "ix_obs_source"} <= names
    assert len(repo.read_observations(engine, region="0007")) == len(big[big["region_code"] == "0007"])
