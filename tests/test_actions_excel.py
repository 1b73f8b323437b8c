"""Measures and partners to and from Excel: the export's shape, and imports that are validated
cell by cell and written all or nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from fn17.actions import excel, measures, partners
from fn17.actions.actor import ANONYMOUS
from fn17.errors import ImportValidationError
from fn17.services import actions as svc
from fn17.workspace import Workspace
from test_actions_support import People, people_fixture, store_fixture  # noqa: F401  (fixtures)


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_export_has_both_sheets_and_hides_drafts_from_the_public(store: Workspace, people: People) -> None:
    pid = svc.save_partner(store, people.editor, "1508", {"name": "Tafjord Kraft", "kind": "privat", "global_compact": "ja",
                                                          "org_number": "923934138", "published": "ja"}, None)
    svc.save_measure(store, people.editor, "1508", {"title": "Solceller på skolene", "budget_nok": "750000", "status": "pågår",
                                                    "sdg_goals": ["7", "13"], "partner_ids": [str(pid)], "published": "ja",
                                                    "indicator_ids": "elbil_andel"}, None)
    svc.save_measure(store, people.editor, "1508", {"title": "Utkast"}, None)
    wb = load_workbook(io.BytesIO(excel.export_workbook(store.engine, people.editor, "1508")))
    assert wb.sheetnames == ["Tiltak", "Partnere"]
    rows = list(wb["Tiltak"].iter_rows(values_only=True))
    assert rows[0] == tuple(c.header for c in excel.MEASURE_COLUMNS)
    assert rows[1][1:] == ("Solceller på skolene", None, None, None, None, 750000, "pågår", "7, 13", None, "elbil_andel", "Tafjord Kraft", "ja", 1)
    assert len(rows) == 3
    partner_rows = list(wb["Partnere"].iter_rows(values_only=True))
    assert partner_rows[1][1:] == ("Tafjord Kraft", "privat", "923934138", "ja", None, None, "ja", 1)
    assert wb["Tiltak"].data_validations.dataValidation  # status and published as drop-down lists
    public = load_workbook(io.BytesIO(excel.export_workbook(store.engine, ANONYMOUS, "1508")))
    assert [r[1] for r in public["Tiltak"].iter_rows(min_row=2, values_only=True)] == ["Solceller på skolene"]


def test_import_with_english_headers_creates_and_links(store: Workspace, people: People) -> None:
    tid = svc.save_target(store, people.editor, "1508", {"title": "Mindre avfall", "sdg_targets": "12.5"}, None)
    data = workbook({
        "Partners": [["Name", "Type", "Global Compact", "Published"],
                     ["Ålesund Frivilligsentral", "voluntary", "no", "yes"],
                     ["Sparebanken Møre", "private", "yes", "yes"]],
        "Measures": [["Title", "Budget", "Status", "Goals", "Local targets", "Partners", "Published"],
                     ["Bruktmarked", "12,5", "ongoing", "12", "Mindre avfall", "Ålesund Frivilligsentral; Sparebanken Møre", "yes"],
                     [None, None, None, None, None, None, None],
                     ["Reparasjonskafé", 40000, "planned", 12.0, tid, "Ålesund Frivilligsentral", "no"]],
    })
    summary = excel.import_workbook(store.engine, people.editor, "1508", data, "tiltak.xlsx")
    assert summary == excel.ImportSummary(created_measures=2, updated_measures=0, created_partners=2, updated_partners=0, unchanged=0)
    ms = measures.list_measures(store.engine, people.editor, "1508")
    assert [(m.title, m.budget_nok, m.status, m.published) for m in ms] == [("Bruktmarked", 12.5, "ongoing", True),
                                                                             ("Reparasjonskafé", 40000.0, "planned", False)]
    assert [r.label for r in ms[0].local_targets] == ["Mindre avfall"] and [r.id for r in ms[1].local_targets] == [str(tid)]
    assert [p.name for p in partners.partners_for_goal(store.engine, people.editor, "1508", 12)] == [
        "Sparebanken Møre", "Ålesund Frivilligsentral"]


def test_import_reports_every_problem_with_sheet_row_and_column_and_writes_nothing(store: Workspace, people: People) -> None:
    oslo = svc.save_measure(store, people.other_editor, "0301", {"title": "Oslos tiltak"}, None)
    data = workbook({
        "Tiltak": [["ID", "Tittel", "Sluttår", "Startår", "Partnere", "Versjon"],
                   [None, "Godt tiltak", 2026, 2025, None, None],
                   [None, "Feil årstall", 2024, 2025, "Ukjent AS", None],
                   [oslo, "Kapret", None, None, None, 1]],
        "Partnere": [["Navn", "Type"], ["Lag og foreninger", "hobby"]],
    })
    with pytest.raises(ImportValidationError) as info:
        excel.import_workbook(store.engine, people.editor, "1508", data, "tiltak.xlsx")
    err = info.value
    assert err.http_status == 422 and "Ingenting er lagret" in err.message and "Nothing was saved" in err.message_en
    got = {(p["sheet"], p["row"], p["column"]) for p in err.problems}
    assert got == {("Partnere", 2, "Type (B)"), ("Tiltak", 3, "Sluttår (C)"), ("Tiltak", 3, "Partnere (E)"), ("Tiltak", 4, "ID (A)")}
    messages = [p["message"] for p in info.value.problems]
    assert "partneren «Ukjent AS» finnes ikke; legg den til i arket Partnere" in messages
    assert measures.list_measures(store.engine, people.admin, "1508") == []


def test_import_updates_by_id_with_optimistic_locking(store: Workspace, people: People) -> None:
    mid = svc.save_measure(store, people.editor, "1508", {"title": "Sykkelparkering", "budget_nok": "100000"}, None)
    exported = excel.export_workbook(store.engine, people.editor, "1508")
    wb = load_workbook(io.BytesIO(exported))
    wb["Tiltak"]["G2"] = 150000
    buf = io.BytesIO()
    wb.save(buf)
    svc.save_measure(store, people.admin, "1508", {"title": "Sykkelparkering ved stasjonen", "version": "1"}, mid)
    with pytest.raises(ImportValidationError) as info:
        excel.import_workbook(store.engine, people.editor, "1508", buf.getvalue(), "tiltak.xlsx")
    (problem,) = info.value.problems
    assert (problem["row"], problem["column"]) == (2, "Versjon (N)") and "ble endret av admin" in problem["message"]
    assert measures.get_measure(store.engine, people.admin, "1508", mid).budget_nok is None

    fresh = load_workbook(io.BytesIO(excel.export_workbook(store.engine, people.editor, "1508")))
    fresh["Tiltak"]["G2"] = 150000
    buf = io.BytesIO()
    fresh.save(buf)
    summary = excel.import_workbook(store.engine, people.editor, "1508", buf.getvalue(), "tiltak.xlsx")
    assert (summary.updated_measures, summary.unchanged) == (1, 0)
    m = measures.get_measure(store.engine, people.admin, "1508", mid)
    assert (m.title, m.budget_nok, m.version) == ("Sykkelparkering ved stasjonen", 150000.0, 3)


def test_files_that_are_not_workbooks_or_lack_the_sheets(store: Workspace, people: People) -> None:
    with pytest.raises(ImportValidationError) as info:
        excel.import_workbook(store.engine, people.editor, "1508", b"PK\x03\x04 not really", "tiltak.xlsx")
    assert "ikke en Excel-arbeidsbok" in info.value.message
    with pytest.raises(ImportValidationError) as info:
        excel.import_workbook(store.engine, people.editor, "1508", workbook({"Ark1": [["a"]]}), "x.xlsx")
    assert "verken arket «Tiltak» eller «Partnere»" in info.value.message
    with pytest.raises(ImportValidationError) as info:
        excel.import_workbook(store.engine, people.editor, "1508", workbook({"Tiltak": [["Budsjett"], [5]]}), "x.xlsx")
    assert info.value.problems[0]["message"] == "kolonnen «Tittel» mangler i overskriftsraden"
