"""The municipality's own data: template, validation (every problem with file, sheet, row
and column; nothing written), and an all-or-nothing upload logged with who and from what."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, func, select

from fn17.config import get_settings
from fn17.errors import ImportValidationError, InvalidInputError, NotFoundError
from fn17.sources.owndata import MAX_UPLOAD_BYTES, import_upload, validate_upload, write_template
from fn17.store import repo
from fn17.store.tables import import_log, observations
from fn17.workspace import Workspace

INDICATORS = [
    {"id": "egen:sykkelvei_km", "framework_id": "own", "name_nb": "Sykkelvei", "unit": "km"},
    {"id": "egen:andel_fornybar", "framework_id": "own", "name_nb": "Andel fornybar energi", "unit": "prosent"},
]


@pytest.fixture
def ws(engine: Engine) -> Workspace:
    with engine.begin() as conn:
        repo.upsert_indicators(conn, INDICATORS)
    return Workspace(settings=get_settings(), engine=engine)


def _template(ws: Workspace, tmp_path: Path) -> Path:
    return write_template(ws, tmp_path / "mal.xlsx", ["egen:sykkelvei_km", "egen:andel_fornybar"], ["1508", "0301"], ["2023", "2024"])


def _fill(path: Path, values: dict[tuple[int, str], object]) -> Path:
    wb = openpyxl.load_workbook(path)
    sheet = wb["Data"]
    for (row, col), value in values.items():
        sheet[f"{col}{row}"] = value
    wb.save(path)
    return path


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(observations)).scalar_one())


def test_template_has_readme_lists_and_one_row_per_cell(ws: Workspace, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_template(ws, tmp_path))
    assert wb.sheetnames == ["README", "Data", "Lister"]
    data = wb["Data"]
    rows = list(data.iter_rows(values_only=True))
    assert rows[0][:7] == ("indikator", "indikatornavn", "region", "regionnavn", "periode", "verdi", "enhet")
    assert len(rows) == 1 + 2 * 2 * 2
    assert rows[1][:7] == ("egen:sykkelvei_km", "Sykkelvei", "1508", "Ålesund", "2023", None, "km")
    formulas = sorted(dv.formula1 for dv in data.data_validations.dataValidation if dv.type == "list")
    assert formulas == ["=Lister!$A$1:$A$2", "=Lister!$B$1:$B$2"]
    assert "Fyll inn tallene" in str(wb["README"]["A3"].value)


def test_template_refuses_unknown_indicator_and_old_region(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="egen:finnes_ikke"):
        write_template(ws, tmp_path / "x.xlsx", ["egen:finnes_ikke"], ["0301"], ["2024"])
    with pytest.raises(InvalidInputError, match="1508 Ålesund"):
        write_template(ws, tmp_path / "x.xlsx", ["egen:sykkelvei_km"], ["1507"], ["2024"])


def test_round_trip_writes_all_and_logs_who_and_what(ws: Workspace, tmp_path: Path) -> None:
    path = _fill(_template(ws, tmp_path), {(2, "F"): 12.5, (3, "F"): "13,5", (5, "F"): 40})
    result = import_upload(ws, path, user="kari.nordmann")
    assert (result.rows, result.skipped_empty, result.source) == (3, 5, "own:mal")
    frame = repo.read_observations(ws.engine, source="own:mal")
    assert sorted(zip(frame["indicator_id"], frame["region_code"], frame["period"], frame["value"], strict=True)) == [
        ("egen:sykkelvei_km", "0301", "2024", 40.0), ("egen:sykkelvei_km", "1508", "2023", 12.5),
        ("egen:sykkelvei_km", "1508", "2024", 13.5)]
    assert frame["query"].iloc[0].startswith("upload mal.xlsx (Data row")
    with ws.engine.connect() as conn:
        log = conn.execute(select(import_log).where(import_log.c.id == result.import_id)).mappings().one()
    assert log["user_name"] == "kari.nordmann" and log["origin"] == str(path) and log["status"] == "ok"
    assert log["started_at"] is not None and log["finished_at"] is not None
    again = import_upload(ws, _fill(path, {(3, "F"): None}), user="ola")  # a new upload replaces the old one
    assert again.rows == 2 and _count(ws.engine) == 2


def test_every_problem_is_reported_and_nothing_written(ws: Workspace, tmp_path: Path) -> None:
    path = _fill(_template(ws, tmp_path), {
        (2, "F"): "tolv",                # not a number
        (3, "A"): "egen:ukjent", (3, "F"): 1,   # unknown indicator
        (4, "C"): "1507", (4, "F"): 2,   # a code that ended in 2023 ... used for 2024? row 4 is 2023: fine
        (5, "C"): "9999", (5, "F"): 3,   # unknown region
        (6, "E"): "2099", (6, "F"): 4,   # a year in the future
        (7, "G"): "mil", (7, "F"): 5,    # unit mismatch
        (8, "A"): "egen:sykkelvei_km", (8, "C"): "1508", (8, "E"): "2023", (8, "F"): 6,  # duplicate of row 2
    })
    with pytest.raises(ImportValidationError) as err:
        import_upload(ws, path, user="kari")
    problems = {(p["row"], p["column"]): p["message"] for p in err.value.problems}
    assert problems[(2, "F")] == "«tolv» er ikke et tall"
    assert problems[(3, "A")] == "ukjent indikator «egen:ukjent»"
    assert "9999" in problems[(5, "C")]
    assert problems[(6, "E")].startswith("periode «2099»")
    assert problems[(7, "G")].startswith("enheten «mil» passer ikke")
    assert problems[(8, "A")] == "samme indikator, region og periode som rad 2"
    assert (4, "C") not in problems  # 1507 was valid in 2023
    assert all(p["file"] == "mal.xlsx" and p["sheet"] == "Data" for p in err.value.problems)
    assert _count(ws.engine) == 0


def test_old_code_for_a_later_year_names_the_successors(ws: Workspace, tmp_path: Path) -> None:
    path = _fill(_template(ws, tmp_path), {(2, "C"): "1507", (2, "E"): "2024", (2, "F"): 1})
    with pytest.raises(ImportValidationError) as err:
        validate_upload(ws, path)
    message = err.value.problems[0]["message"]
    assert "1507" in message and "1508 Ålesund" in message and "1580 Haram" in message


def test_formulas_merged_cells_and_wrong_sheet(ws: Workspace, tmp_path: Path) -> None:
    path = _template(ws, tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Data"]["F2"] = "=1+1"
    wb["Data"].merge_cells("H3:I3")
    wb.save(path)
    with pytest.raises(ImportValidationError) as err:
        validate_upload(ws, path)
    messages = [(p["row"], p["column"], p["message"]) for p in err.value.problems]
    assert (2, "F", "cellen F2 har en formel (=1+1); lim inn verdien") in messages
    assert any(col == "H3:I3" and "sammenslåtte" in msg for _, col, msg in messages)
    wb = openpyxl.load_workbook(path)
    wb["Data"].title = "Ark1"
    wb.save(path)
    with pytest.raises(ImportValidationError, match="Ark1"):
        validate_upload(ws, path)


def test_oversize_is_refused_without_reading(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "stor.csv"
    with path.open("wb") as fh:  # a sparse file: 60 MB on paper, nothing on disk
        fh.truncate(MAX_UPLOAD_BYTES + 10 * 1024 * 1024)
    with pytest.raises(ImportValidationError, match="grensen er 50 MB"):
        validate_upload(ws, path)


def test_csv_upload_and_wrong_type(ws: Workspace, tmp_path: Path) -> None:
    csv_path = tmp_path / "tall.csv"
    csv_path.write_text("indikator;region;periode;verdi;enhet\negen:andel_fornybar;301;2024;55,5;prosent\n", encoding="latin-1")
    result = import_upload(ws, csv_path, user="kari")
    assert result.rows == 1
    assert repo.read_observations(ws.engine, source="own:tall")["region_code"].tolist() == ["0301"]
    other = tmp_path / "tall.pdf"
    other.write_bytes(b"%PDF-1.4")
    with pytest.raises(ImportValidationError, match="pdf"):
        validate_upload(ws, other)
    empty = tmp_path / "tom.csv"
    empty.write_text("indikator;region;periode;verdi\n", encoding="utf-8")
    with pytest.raises(ImportValidationError, match="ingen verdier"):
        validate_upload(ws, empty)


def test_u4ssc_layout_round_trip(ws: Workspace, tmp_path: Path) -> None:
    path = write_template(ws, tmp_path / "u4ssc.xlsx", ["EC: ICT: ICT: 1C", "EN: EN: AQ: 1C"], ["1508"], ["2024"], layout="u4ssc")
    wb = openpyxl.load_workbook(path)
    sheet = wb["Data collection"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["KPI code", "KPI", "Dimension"]
    assert sheet["A2"].value == "EC: ICT: ICT: 1C" and sheet["G2"].value == "% of households"
    sheet["J2"] = 97.5
    wb.save(path)
    result = import_upload(ws, path, user="kari")
    frame = repo.read_observations(ws.engine, source="own:u4ssc")
    assert result.rows == 1 and frame["indicator_id"].tolist() == ["u4ssc:EC: ICT: ICT: 1C"]
    sheet["G2"] = "kWh"
    sheet["J2"] = 97.5
    wb.save(path)
    with pytest.raises(ImportValidationError, match="enheten «kWh»"):
        validate_upload(ws, path)


def test_fuzzed_uploads_give_problems_not_crashes(ws: Workspace, tmp_path: Path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    alphabet = st.sampled_from(list("indikator;region;periode;verdi;enhet\negen:sykkelvei_km,0301 2024 12,5 km\"=x"))

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(text=st.text(alphabet=alphabet, max_size=300))
    def check(text: str) -> None:
        path = tmp_path / "fuzz.csv"
        path.write_text("indikator;region;periode;verdi;enhet\n" + text, encoding="utf-8")
        try:
            checked = validate_upload(ws, path)
        except ImportValidationError as err:
            assert err.problems and all({"file", "sheet", "row", "column", "message"} <= set(p) for p in err.problems)
            return
        assert all(r.indicator_id == "egen:sykkelvei_km" and r.region_code == "0301" for r in checked.rows)

    check()
