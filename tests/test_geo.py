"""The boundary importer: our Douglas–Peucker, the projection and path data, and the real
boundary files of ../shared/data (357 municipalities, 15 counties) into a real store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from fn17.errors import ImportValidationError, NotFoundError
from fn17.sources.geo import (
    douglas_peucker,
    load_geometries,
    path_data,
    project,
    read_file,
    read_geometries,
    simplify_ring,
)
from fn17.store.tables import import_log
from fn17.store.web_tables import geometries
from fn17.workspace import Workspace
from webtools import open_store


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return open_store(tmp_path / "geo.sqlite")


# --------------------------------------------------------------------------- pure geometry


def test_douglas_peucker_drops_points_on_a_line_and_keeps_a_spike() -> None:
    line = np.array([[0, 0], [1, 0.01], [2, -0.01], [3, 0], [4, 5], [5, 0], [6, 0]], dtype=float)
    kept = douglas_peucker(line, tolerance=0.5)
    assert kept.tolist() == [[0, 0], [3, 0], [4, 5], [5, 0], [6, 0]]
    assert douglas_peucker(line, tolerance=10).tolist() == [[0, 0], [6, 0]]


def test_douglas_peucker_keeps_every_point_at_zero_tolerance() -> None:
    rng = np.random.default_rng(7)
    zigzag = np.cumsum(rng.normal(size=(200, 2)), axis=0)
    assert len(douglas_peucker(zigzag, 0.0)) > 150
    assert len(douglas_peucker(zigzag, 3.0)) < 100


def test_simplify_ring_is_closed_without_repeats() -> None:
    square = np.array([[0, 0], [10, 0], [10, 0.2], [10, 10], [0, 10], [0, 0]], dtype=float)
    ring = simplify_ring(square, tolerance=1)
    assert ring.tolist() == [[0, 0], [10, 0], [10, 10], [0, 10]]


def test_path_data_is_relative_and_compact() -> None:
    ring = np.array([[10, 20], [13, 20], [13, 16], [10, 16]], dtype=float)
    assert path_data([ring]) == "M10 20l3 0 0-4-3 0z"
    assert path_data([np.array([[1.5, 2.0], [2.0, 2.5], [1.5, 3.0]])]) == "M1.5 2l0.5 0.5-0.5 0.5z"


def test_projection_puts_north_up_and_keeps_proportions_at_65_degrees() -> None:
    pts = project(np.array([[10.0, 65.0], [11.0, 65.0], [10.0, 66.0]]))
    east = pts[1] - pts[0]
    north = pts[2] - pts[0]
    assert north[1] < 0 and east[0] > 0  # y grows southwards
    # one degree of longitude at 65° is cos(65°) of a degree of latitude on the ground
    assert abs(east[0] / -north[1] - np.cos(np.radians(65))) < 1e-9


# --------------------------------------------------------------------------- the real files


def test_real_files_cover_the_register(ws: Workspace, shared_data: Path) -> None:
    mun, msum = read_file(ws, shared_data / "geo" / "Kommuner-S.geojson", "kommune")
    cty, csum = read_file(ws, shared_data / "geo" / "Fylker-S.geojson", "fylke")
    assert len(mun) == 357 and len(cty) == 15
    assert {g.region_code for g in mun} == {r.code for r in ws.register.municipalities()}
    assert {g.region_code for g in cty} == {r.code for r in ws.register.counties()}
    assert msum.missing == [] and csum.missing == []
    assert msum.points_written < msum.points_read
    oslo = next(g for g in mun if g.region_code == "0301")
    assert oslo.name == ws.register.get("0301").name
    assert re.fullmatch(r"(M[-\d. ]+l[-\d. ]+z)+", oslo.svg_path)
    # every outline lies inside the national frame and has an area
    assert all(0 <= g.min_x < g.max_x <= 900 and 0 <= g.min_y < g.max_y <= 1050 for g in mun)
    total_kb = (msum.path_bytes) / 1024
    print(f"\nmunicipal path data: {total_kb:.1f} KB, {msum.points_read} → {msum.points_written} points")
    assert total_kb < 80


def test_load_replaces_each_level_and_logs(ws: Workspace, shared_data: Path) -> None:
    report = load_geometries(ws, shared_data)
    assert [(s.level, s.regions) for s in report.levels] == [("kommune", 357), ("fylke", 15)]
    load_geometries(ws, shared_data / "geo", levels=("fylke",))
    with ws.engine.connect() as conn:
        counts = dict(conn.execute(select(geometries.c.level, func.count()).group_by(geometries.c.level)).all())
        logged = conn.execute(select(import_log.c.source, import_log.c.status, import_log.c.rows)
                              .where(import_log.c.source.like("geo:%")).order_by(import_log.c.id)).all()
    assert counts == {"kommune": 357, "fylke": 15}
    assert [tuple(r) for r in logged] == [("geo:kommune", "ok", 357), ("geo:fylke", "ok", 15), ("geo:fylke", "ok", 15)]
    assert len(read_geometries(ws, "fylke")) == 15


def test_a_bad_file_writes_nothing(ws: Workspace, shared_data: Path, tmp_path: Path) -> None:
    load_geometries(ws, shared_data)
    before = {g.region_code: g.svg_path for g in read_geometries(ws, "kommune")}
    doc = json.loads((shared_data / "geo" / "Kommuner-S.geojson").read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["kommunenummer"] = "9999"
    doc["features"][1]["geometry"] = {"type": "Point", "coordinates": [10.0, 60.0]}
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "Kommuner-S.geojson").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportValidationError) as err:
        load_geometries(ws, folder, levels=("kommune",))
    messages = [p["message"] for p in err.value.problems]
    assert any("9999" in m for m in messages) and any("Point" in m for m in messages)
    assert {g.region_code: g.svg_path for g in read_geometries(ws, "kommune")} == before
    with ws.engine.connect() as conn:
        last = conn.execute(select(import_log.c.status).order_by(import_log.c.id.desc())).scalar()
    assert last == "failed"


def test_an_old_renumbered_code_is_carried_and_a_missing_file_is_named(ws: Workspace, shared_data: Path,
                                                                        tmp_path: Path) -> None:
    doc = json.loads((shared_data / "geo" / "Kommuner-S.geojson").read_text(encoding="utf-8"))
    halden = next(f for f in doc["features"] if f["properties"]["kommunenummer"] == "3101")
    halden["properties"]["kommunenummer"] = "3001"  # Halden's number until 2024
    doc["features"] = [halden]
    path = tmp_path / "Kommuner-S.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    rows, summary = read_file(ws, path, "kommune")
    assert [g.region_code for g in rows] == ["3101"]
    assert summary.renumbered == {"3001": "3101"}
    assert len(summary.missing) == 356
    with pytest.raises(NotFoundError, match=r"Fylker-S\.geojson"):
        load_geometries(ws, tmp_path)
