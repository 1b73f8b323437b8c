"""Snapshots: ``fn17 fetch`` planning from the real indicator set, fetching (split, cached, offline),
the manifest and its checks, records from a snapshot, and those records in the real store."""

from __future__ import annotations

import random
from pathlib import Path

import httpx
import orjson
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from fake_clock import FakeClock
from fn17.config import get_settings
from fn17.errors import DataFileError, InvalidInputError, SourceError
from fn17.frameworks.fn17set import load_fn17_set
from fn17.sources.fetch_commands import fetch, format_summary
from fn17.sources.http import HttpSource, ResponseCache, RetryPolicy, make_client
from fn17.sources.pxweb import PxWebClient
from fn17.sources.snapshot import (
    MANIFEST,
    SnapshotWriter,
    TableRequest,
    fetch_snapshot,
    is_snapshot,
    plan_from_indicator_set,
    read_manifest,
    read_snapshot,
    snapshot_records,
)
from fn17.store import repo
from test_pxweb import AGES, REGIONS, FakePxWeb, population, table_07459


def client(server: FakePxWeb, cache_root: Path | None = None, *, max_cells: int = 800_000) -> PxWebClient:
    http = HttpSource(
        make_client(transport=httpx.MockTransport(server)),
        cache=ResponseCache(cache_root) if cache_root is not None else None,
        clock=FakeClock(),
        retry=RetryPolicy(attempts=2),
        rng=random.Random(5),
    )
    return PxWebClient(http, max_cells=max_cells)


def plan_07459() -> list[TableRequest]:
    """07459's two queries from the real indicator set: by sex and age first, then the totals."""
    return sorted(plan_from_indicator_set(load_fn17_set(), tables=["07459"]), key=lambda p: -len(p.query.value_codes))


# --- planning ------------------------------------------------------------------------------------


def test_plan_merges_series_that_select_the_same_dimensions() -> None:
    plan = plan_07459()
    assert [sorted(p.query.value_codes) for p in plan] == [
        ["Alder", "ContentsCode", "Kjonn", "Region", "Tid"],
        ["ContentsCode", "Region", "Tid"],  # totals: Alder and Kjonn left to SSB to sum
    ]
    by_age, totals = plan
    assert by_age.query.value_codes["Alder"] == ("range(000,005)", "range(006,015)", "from(067)", "from(080)")
    assert by_age.query.value_codes["Region"] == ("*",) and by_age.query.region_dimension == "Region"
    assert "befolkning_andel_0_5" in by_age.indicators and "befolkning_0_5" in by_age.series
    assert "folketilvekst" in totals.indicators and totals.series == ("befolkning",)
    with pytest.raises(InvalidInputError, match="bruker ikke SSB-tabell 99999"):
        plan_from_indicator_set(load_fn17_set(), tables=["07459", "99999"])


def test_the_whole_indicator_set_plans_one_query_per_table_and_dimension_set() -> None:
    plan = plan_from_indicator_set(load_fn17_set())
    tables = {p.table for p in plan}
    assert {"07459", "13502", "09429"} <= tables
    keys = [(p.table, tuple(sorted(p.query.value_codes))) for p in plan]
    assert len(keys) == len(set(keys))


# --- fetching and reading ---------------------------------------------------------------------------


def test_fetch_writes_a_snapshot_that_reads_back_into_records(tmp_path: Path) -> None:
    server = FakePxWeb(table_07459(), max_cells=5_000)
    summary = fetch_snapshot(plan_07459(), client(server, max_cells=5_000), tmp_path / "snap")
    assert summary.ok, [t.message for t in summary.failed]
    by_age, totals = summary.tables
    cells_by_age = 20 * 2 * 55 * 10  # regions × sexes × ages 0–15 and 67–105 × 2015–2024
    assert by_age.cells == cells_by_age and by_age.parts > 1 and max(server.data_cells) <= 5_000
    assert totals.cells == 20 * 10 and totals.parts == 1
    assert by_age.periods[0] == "2015" and by_age.period_range() == "2015–2024" and by_age.regions == 20

    assert is_snapshot(tmp_path / "snap")
    entries = read_manifest(tmp_path / "snap")
    assert {e.kind for e in entries} == {"pxweb-data", "pxweb-metadata"}
    data = list(read_snapshot(tmp_path / "snap"))
    assert len(data) == by_age.parts + totals.parts
    for entry, raw in data:
        assert entry.table == "07459" and entry.source == "ssb:07459" and entry.method == "GET"
        assert entry.url.startswith("https://data.ssb.no/api/pxwebapi/v2/tables/07459/data?")
        assert entry.retrieved_at.tzinfo is not None and entry.bytes == len(raw)
    frames = [snapshot_records(e, raw) for e, raw in data]
    total_rows = sum(len(f) for f in frames)
    assert total_rows == cells_by_age + 20 * 10
    oslo = next(f for f in frames if "" in set(f["breakdown"]))
    row = oslo[(oslo["region_code"] == "0301") & (oslo["period"] == "2023")].iloc[0]
    expected = sum(
        population({"Region": "0301", "Kjonn": k, "Alder": a, "Tid": "2023"}) or 0 for k in "12" for a in AGES
    )
    assert row["value"] == expected and row["query"].startswith("https://data.ssb.no/")
    assert oslo[(oslo["region_code"] == "5001") & (oslo["period"] == "2024")]["status"].tolist() == ["missing"]


def test_snapshot_records_go_into_the_store(tmp_path: Path, engine: Engine) -> None:
    server = FakePxWeb(table_07459())
    fetch_snapshot(plan_07459()[1:], client(server), tmp_path / "snap")
    ((entry, raw),) = list(read_snapshot(tmp_path / "snap"))
    frame = snapshot_records(entry, raw)
    with engine.begin() as conn:
        repo.ensure_indicators(
            conn, [{"id": i, "framework_id": "ssb", "name_nb": i} for i in frame["indicator_id"].unique()]
        )
        import_id = repo.start_import(conn, "ssb:07459", origin=str(tmp_path / "snap"))
        assert repo.write_observations(conn, import_id, frame) == len(REGIONS) * 10
    stored = repo.read_observations(engine, source="ssb:07459", region="0301", period="2023")
    assert len(stored) == 1
    got = stored.iloc[0]
    expected = sum(
        population({"Region": "0301", "Kjonn": k, "Alder": a, "Tid": "2023"}) or 0 for k in "12" for a in AGES
    )
    assert got["value"] == expected and got["status"] == "ok" and got["breakdown"] == ""
    assert got["query"] == entry.url and got["source_table"] == "07459"
    assert got["retrieved_at"] is not None


def test_offline_fetch_reports_every_missing_request(tmp_path: Path) -> None:
    server = FakePxWeb(table_07459())
    c = client(server, tmp_path / "cache")
    c.http.offline = True
    summary = fetch_snapshot(plan_07459(), c, tmp_path / "snap")
    assert not summary.ok and len(summary.failed) == 2 and server.requests == []
    assert (
        "Frakoblet modus: GET https://data.ssb.no/api/pxwebapi/v2/tables/07459/metadata?lang=no&outputFormat=json-stat2"
        in summary.failed[0].message
    )
    lines = format_summary(summary)
    assert lines[0].split() == ["tabell", "status", "deler", "celler", "regioner", "perioder", "fra", "buffer", "byte"]
    assert lines[2].split()[:2] == ["07459:Alder,Kjonn", "failed"]
    assert read_manifest(tmp_path / "snap") == []  # a valid, empty snapshot


def test_second_fetch_is_served_from_the_cache(tmp_path: Path) -> None:
    server = FakePxWeb(table_07459())
    fetch_snapshot(plan_07459(), client(server, tmp_path / "cache"), tmp_path / "one")
    sent = len(server.requests)
    summary = fetch_snapshot(plan_07459(), client(server, tmp_path / "cache"), tmp_path / "two")
    assert len(server.requests) == sent
    assert all(t.from_cache == t.parts for t in summary.tables)
    one = {e.sha256 for e in read_manifest(tmp_path / "one")}
    two = {e.sha256 for e in read_manifest(tmp_path / "two")}
    assert one == two


# --- the CLI command --------------------------------------------------------------------------------


def test_fetch_command_offline_from_the_cache_then_without_it(tmp_path: Path) -> None:
    settings = get_settings()  # FN17_HOME is a fresh folder for this test; FN17_OFFLINE=1
    assert settings.offline
    server = FakePxWeb(table_07459())
    warm = client(server, settings.cache_dir / "http")
    fetch_snapshot(plan_07459(), warm, tmp_path / "warm")

    runner = CliRunner()
    result = runner.invoke(fetch, ["--table", "07459", "--to", str(tmp_path / "snap")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["tabell", "status", "deler"]
    assert [ln.split()[:3] for ln in lines[2:4]] == [["07459", "ok", "1"], ["07459:Alder,Kjonn", "ok", "1"]]
    assert lines[-1] == f"Øyeblikksbilde: {tmp_path / 'snap'}"
    assert len(list(read_snapshot(tmp_path / "snap"))) == 2

    cold = runner.invoke(fetch, ["--table", "07459", "--to", str(tmp_path / "cold"), "--refresh"],
                         env={"FN17_CACHE_DIR": str(tmp_path / "empty-cache")})  # fmt: skip
    assert isinstance(cold.exception, SourceError)
    assert cold.exception.exit_code == 6 and cold.exception.details["failed"] == ["07459", "07459"]
    assert (
        "07459:Alder,Kjonn: Frakoblet modus: GET https://data.ssb.no/api/pxwebapi/v2/tables/07459/metadata"
        in cold.output
    )


def test_fetch_command_refuses_an_unknown_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(fetch, ["--table", "12345", "--to", str(tmp_path / "x")])
    assert isinstance(result.exception, InvalidInputError)
    assert "12345" in result.exception.message


# --- damaged snapshots -------------------------------------------------------------------------------


@pytest.fixture
def snapshot_dir(tmp_path: Path) -> Path:
    fetch_snapshot(plan_07459()[1:], client(FakePxWeb(table_07459())), tmp_path / "snap")
    return tmp_path / "snap"


def test_a_changed_file_is_detected(snapshot_dir: Path) -> None:
    entry = next(e for e in read_manifest(snapshot_dir) if e.kind == "pxweb-data")
    path = snapshot_dir / entry.file
    path.write_bytes(path.read_bytes().replace(b'"value":[', b'"value":[1,'))
    with pytest.raises(DataFileError) as info:
        list(read_snapshot(snapshot_dir))
    assert f"Filen {entry.file} i øyeblikksbildet" in info.value.message and "sha256" in info.value.message


def test_a_missing_file_is_named(snapshot_dir: Path) -> None:
    entry = next(e for e in read_manifest(snapshot_dir) if e.kind == "pxweb-data")
    (snapshot_dir / entry.file).unlink()
    with pytest.raises(DataFileError, match=f"mangler filen {entry.file} \\(tabell 07459\\)"):
        list(read_snapshot(snapshot_dir))


def test_a_manifest_pointing_outside_is_refused(snapshot_dir: Path) -> None:
    doc = orjson.loads((snapshot_dir / MANIFEST).read_bytes())
    doc["entries"][1]["file"] = "../../etc/passwd"
    (snapshot_dir / MANIFEST).write_bytes(orjson.dumps(doc))
    with pytest.raises(DataFileError, match="peker utenfor"):
        list(read_snapshot(snapshot_dir))


def test_a_damaged_manifest_entry_names_the_field(snapshot_dir: Path) -> None:
    doc = orjson.loads((snapshot_dir / MANIFEST).read_bytes())
    del doc["entries"][0]["sha256"]
    (snapshot_dir / MANIFEST).write_bytes(orjson.dumps(doc))
    with pytest.raises(DataFileError, match="oppføring 1: feltet «sha256» mangler"):
        read_manifest(snapshot_dir)


def test_not_a_snapshot(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"er ikke et FN17-øyeblikksbilde: manifest\.json mangler"):
        list(read_snapshot(tmp_path))
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InvalidInputError, match="FN17 skriver ikke der"):
        SnapshotWriter(tmp_path)


def test_an_interrupted_fetch_leaves_no_manifest(tmp_path: Path) -> None:
    server = FakePxWeb(table_07459())
    c = client(server)
    writer = SnapshotWriter(tmp_path / "snap")
    meta, response = c.metadata_with_response("07459")
    writer.add(response, kind="pxweb-metadata", query=plan_07459()[1].query)
    # the process dies here: close() never runs
    assert not is_snapshot(tmp_path / "snap")
    with pytest.raises(DataFileError):
        read_manifest(tmp_path / "snap")
    assert meta.table_id == "07459"


def test_a_malformed_file_in_a_snapshot_is_a_data_file_error(snapshot_dir: Path) -> None:
    entry = next(e for e in read_manifest(snapshot_dir) if e.kind == "pxweb-data")
    with pytest.raises(DataFileError, match=f"{entry.file} \\(tabell 07459\\): tabellen har 2 verdier"):
        snapshot_records(entry, orjson.dumps({"version": "2.0", "class": "dataset", "id": ["Tid"], "size": [3],
                                              "dimension": {"Tid": {"category": {"index": ["1", "2", "3"]}}},
                                              "value": [1, 2]}))  # fmt: skip
