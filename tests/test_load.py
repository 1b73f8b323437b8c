"""``fn17 load`` and ``fn17 query`` end to end on real files, snapshots, failures, and an
import killed with SIGKILL in the middle of ``fn17 load``."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from fn17.cli import Ctx
from fn17.config import get_settings
from fn17.errors import NotFoundError
from fn17.services.data import load_folder, query
from fn17.sources.data_commands import load
from fn17.sources.data_commands import query as query_cmd
from fn17.store import make_engine, repo
from fn17.workspace import Workspace, open_workspace


def _copy(shared: Path, dest: Path, *rels: str) -> Path:
    for rel in rels:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / rel, target)
    return dest


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("FN17_DATABASE_URL", url)
    return url


def test_load_and_query_on_the_command_line(shared_data: Path, tmp_path: Path, sqlite_env: str) -> None:
    data = _copy(shared_data, tmp_path / "data", "ssb/07459-population-by-age-2023.csv",
                 "valg/kommunestyrevalg-2019/2019-09-15_partifordeling_2_ko_2019.csv")
    runner = CliRunner()
    result = runner.invoke(load, [str(data)], obj=Ctx("nb"), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "ssb-07459-2023: 39\u00a0627 rader (1\u00a0785 avledet), 357 regioner, 1 perioder (2023)" in result.stdout
    assert "valg-kommunestyre-2019:" in result.stdout and "I alt:" in result.stdout
    out = runner.invoke(query_cmd, ["--source", "ssb:07459", "--period", "2023", "--format", "csv"], obj=Ctx("nb"),
                        catch_exceptions=False)
    assert out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["indicator", "region", "period", "Alder", "value", "status", "source", "original_region_code",
                             "harmonisation"]
    assert len(rows) == 357 * 106
    assert sum(float(r["value"]) for r in rows) == pytest.approx(5_488_984, abs=1e-6)
    assert len({r["region"] for r in rows}) == 357
    assert sum(float(r["value"]) for r in rows if r["region"] == "0301") == 709_037
    haram = next(r for r in rows if r["region"] == "1580" and r["Alder"] == "000")
    assert haram["original_region_code"] == "1507" and haram["harmonisation"] == "split: 1507→1580 weight 0.143"
    js = runner.invoke(query_cmd, ["--indicator", "befolkning_andel_80_pluss", "--region", "0301", "--format", "json"],
                       obj=Ctx("en"), catch_exceptions=False)
    record = json.loads(js.stdout)[0]
    oslo_80 = sum(float(r["value"]) for r in rows if r["region"] == "0301" and int(r["Alder"].rstrip("+")) >= 80)
    assert record["source"] == "fn17" and record["period"] == "2023"
    assert record["value"] == pytest.approx(oslo_80 / 709_037 * 100)
    table = runner.invoke(query_cmd, ["--source", "valg:kommunestyre", "--region", "0301", "--indicator",
                                      "valg:kommunestyre:mandater"], obj=Ctx("nb"), catch_exceptions=False)
    assert "parti" in table.stdout.splitlines()[0] and "FRP" in table.stdout


def test_reload_replaces_and_summary_is_logged(shared_data: Path, tmp_path: Path, sqlite_env: str) -> None:
    data = _copy(shared_data, tmp_path / "data", "ssb/kindergarten/ssb-barnehager-2015-2023-alder-1-2-aar.xlsm")
    ws = open_workspace(get_settings(), create=True)
    first = load_folder(ws, data)
    second = load_folder(ws, data)
    assert first.datasets[0].written == second.datasets[0].written
    assert repo.count_observations(ws.engine) == second.datasets[0].written  # replaced, not doubled
    summary = repo.imports(ws.engine).iloc[0]["summary"]
    assert {g["region"] for g in summary["gaps"]} == {"1151", "3907", "4629"}
    assert set(summary["unknown_codes"]) == {"0706", "0719", "0720"}
    derived = query(ws, indicator="barnehagedekning_1_2_aar", region="3101", period="2019").frame
    assert derived["value"].tolist() == [84.1]  # 0101 Halden (-2019), carried to 3101


def test_a_broken_dataset_does_not_stop_the_others(shared_data: Path, tmp_path: Path, sqlite_env: str) -> None:
    data = _copy(shared_data, tmp_path / "data", "ssb/07459-population-by-age-2023.csv")
    (data / "nve").mkdir()
    (data / "nve" / "yearly_aggregated_elhub_data.parquet").write_bytes(b"PAR1 this is not parquet")
    ws = open_workspace(get_settings(), create=True)
    report = load_folder(ws, data)
    assert [d.dataset for d in report.datasets] == ["ssb-07459-2023"]
    assert report.failed[0]["dataset"] == "nve-elhub" and "Parquet" in report.failed[0]["message"]
    log = repo.imports(ws.engine)
    assert "failed" in set(log["status"])
    with pytest.raises(NotFoundError, match="Fant ingen datasett"):
        load_folder(ws, tmp_path / "empty" if (tmp_path / "empty").mkdir() is None else tmp_path)


def _jsonstat() -> bytes:
    return orjson.dumps({
        "version": "2.0", "class": "dataset", "label": "07459", "id": ["Region", "Alder", "ContentsCode", "Tid"],
        "size": [2, 1, 1, 1], "role": {"geo": ["Region"], "time": ["Tid"], "metric": ["ContentsCode"]},
        "dimension": {
            "Region": {"category": {"index": {"K-1507": 0, "0301": 1}, "label": {"K-1507": "Ålesund", "0301": "Oslo"}}},
            "Alder": {"category": {"index": {"000": 0}}}, "ContentsCode": {"category": {"index": {"Personer1": 0}}},
            "Tid": {"category": {"index": {"2023": 0}}}},
        "value": [1000, 8151],
    })


def test_snapshot_is_loaded_offline_and_carried(tmp_path: Path, engine: Engine) -> None:
    from fn17.sources.http import SourceResponse
    from fn17.sources.pxweb import PxQuery
    from fn17.sources.snapshot import SnapshotWriter

    content = _jsonstat()
    writer = SnapshotWriter(tmp_path / "snap")
    query_ = PxQuery(table="07459", value_codes={"Region": ("*",), "Alder": ("000",), "ContentsCode": ("Personer1",),
                                                 "Tid": ("2023",)}, region_dimension="Region")
    writer.add(SourceResponse(method="GET", url="https://data.ssb.no/api/pxwebapi/v2/tables/07459/data", body=None,
                              content=content, content_type="application/json", status=200,
                              retrieved_at=datetime(2025, 1, 2, tzinfo=UTC), from_cache=False),
               kind="pxweb-data", query=query_, series=["befolkning"], indicators=["folketilvekst"])
    writer.close()
    ws = Workspace(settings=get_settings(), engine=engine)
    report = load_folder(ws, tmp_path / "snap")
    assert [d.dataset for d in report.datasets] == ["ssb:07459"]
    frame = repo.read_observations(engine, source="ssb:07459").set_index("region_code")
    assert frame.loc["0301", "value"] == 8151
    assert frame.loc["1580", "value"] == pytest.approx(143.0)
    assert frame.loc["1580", "harmonisation"] == "split: 1507→1580 weight 0.143"
    assert frame.loc["0301", "query"].startswith("https://data.ssb.no/api/pxwebapi/v2/tables/07459/data")


KILL_LOAD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from fn17.config import get_settings
    from fn17.services.data import load_folder
    from fn17.store import repo
    from fn17.workspace import open_workspace

    marker = Path(sys.argv[2])
    real_finish = repo.finish_import

    def stall(conn, import_id, **kw):  # every observation is written, nothing committed yet
        marker.write_text(str(import_id))
        time.sleep(120)
        real_finish(conn, import_id, **kw)

    repo.finish_import = stall
    ws = open_workspace(get_settings(), create=True)
    load_folder(ws, Path(sys.argv[1]))
    """
)


def test_kill_9_during_fn17_load(shared_data: Path, tmp_path: Path, sqlite_env: str) -> None:
    data = _copy(shared_data, tmp_path / "data", "ssb/07459-population-by-age-2023.csv")
    ws = open_workspace(get_settings(), create=True)
    load_folder(ws, data)  # a first, complete load
    before = repo.read_observations(ws.engine)
    log_before = repo.imports(ws.engine)
    ws.close()
    script = tmp_path / "kill_load.py"
    script.write_text(KILL_LOAD)
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, str(script), str(data), str(marker)], env=os.environ.copy())
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert proc.poll() is None, "fn17 load ended before it was stopped"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    engine = make_engine(sqlite_env)
    after = repo.read_observations(engine)
    assert len(after) == len(before) == 39_627
    assert after["import_id"].tolist() == before["import_id"].tolist()  # the old import's rows, not the killed one's
    assert repo.imports(engine)["id"].tolist() == log_before["id"].tolist()


def test_population_2023_on_each_database(shared_data: Path, engine: Engine) -> None:
    """The done-when check on SQLite and PostgreSQL: 5,488,984 over the municipalities, Oslo 709,037."""
    from fn17.services.data import import_recipe
    from fn17.sources.recipes import get_recipe

    ws = Workspace(settings=get_settings(), engine=engine)
    summary = import_recipe(engine, ws.register, get_recipe("ssb-07459-2023"), shared_data, user="test")
    assert summary.written == 39_627 and summary.gaps == []
    cells = query(ws, source="ssb:07459", period="2023").frame
    assert cells["value"].sum() == pytest.approx(5_488_984, abs=1e-6)
    assert cells.loc[cells["region_code"] == "0301", "value"].sum() == 709_037
    assert cells["region_code"].nunique() == 357
    assert repo.imports(engine).iloc[0]["summary"]["written"] == 39_627


def test_derived_series_keep_the_carry_rule(shared_data: Path, sqlite_env: str) -> None:
    """Kindergarten coverage for 1580 Haram before 2024 is 1507 Ålesund's rate copied over the
    split: the derived FN17 series says so, as the raw series does; 3101 Halden is renumbered."""
    ws = open_workspace(get_settings(), create=True)
    from fn17.services.setup import initialise

    initialise(ws)
    report = load_folder(ws, shared_data, only=["ssb-07459-2023", "ssb-13502-barnehage"])
    assert report.failed == []
    cells = query(ws, indicator="barnehagedekning_1_2_aar", region=["1580", "3101", "0301"]).frame
    haram = cells[(cells["region_code"] == "1580") & (cells["period"] == "2022")].iloc[0]
    assert haram["original_region_code"] == "1507"
    assert haram["harmonisation"].startswith("copy: 1507→1580")
    halden = cells[(cells["region_code"] == "3101") & (cells["period"] == "2023")].iloc[0]
    assert halden["harmonisation"] == "renumber: 3001→3101" and halden["original_region_code"] == "3001"
    oslo = cells[cells["region_code"] == "0301"]
    assert oslo["harmonisation"].isna().all() and oslo["original_region_code"].isna().all()
