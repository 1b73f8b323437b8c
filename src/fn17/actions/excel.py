"""Measures and partners to and from Excel (.xlsx).

The workbook has two sheets, ``Tiltak`` (measures) and ``Partnere`` (partners), with one
header row; English headers are accepted too. A row with an ``ID`` updates that record
(its ``Versjon`` must still be current), a row without one creates a record. Partners are
read first, so measures can name partners from the same file.

Import is all-or-nothing: every row is validated, and when any cell is wrong nothing is
written and ``ImportValidationError.problems`` lists each problem with its sheet, row,
column and message.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Connection, Engine, select

from fn17.actions import measures, partners
from fn17.actions.actor import Actor
from fn17.actions.audit import record
from fn17.actions.catalogue import region as region_facts
from fn17.actions.permissions import require_edit
from fn17.config import Lang
from fn17.errors import ConflictError, ImportValidationError, InvalidInputError
from fn17.store.actions_tables import local_targets
from fn17.store.actions_tables import measures as measures_table
from fn17.store.actions_tables import partners as partners_table

log = logging.getLogger(__name__)
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
STATUS_WORDS = {"planned": "planlagt", "ongoing": "pågår", "completed": "fullført", "stopped": "avsluttet"}
KIND_WORDS = {"public": "offentlig", "private": "privat", "voluntary": "frivillig", "research": "forskning"}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    aliases: tuple[str, ...]
    width: int = 16


MEASURE_SHEET = ("Tiltak", ("tiltak", "measures"))
PARTNER_SHEET = ("Partnere", ("partnere", "partnarar", "partners"))
MEASURE_COLUMNS = (
    Column("id", "ID", ("id", "nr", "nummer"), 6),
    Column("title", "Tittel", ("tittel", "title", "navn", "tiltak"), 40),
    Column("description", "Beskrivelse", ("beskrivelse", "description", "skildring"), 50),
    Column("responsible_unit", "Ansvarlig enhet", ("ansvarlig enhet", "ansvarleg eining", "ansvarlig", "responsible unit"), 24),
    Column("start_year", "Startår", ("startår", "start", "start year"), 9),
    Column("end_year", "Sluttår", ("sluttår", "slutt", "end year"), 9),
    Column("budget_nok", "Budsjett (kr)", ("budsjett (kr)", "budsjett", "budget", "budget (nok)"), 14),
    Column("status", "Status", ("status",), 12),
    Column("sdg_goals", "Bærekraftsmål", ("bærekraftsmål", "berekraftsmål", "mål", "sdg", "goals", "sdg goals"), 14),
    Column("local_target_ids", "Lokale mål (ID)", ("lokale mål (id)", "lokale mål", "local targets"), 14),
    Column("indicator_ids", "Indikatorer", ("indikatorer", "indikatorar", "indicators"), 24),
    Column("partner_names", "Partnere", ("partnere", "partnarar", "partners"), 30),
    Column("published", "Publisert", ("publisert", "published"), 10),
    Column("version", "Versjon", ("versjon", "version"), 8),
)
PARTNER_COLUMNS = (
    Column("id", "ID", ("id", "nr", "nummer"), 6),
    Column("name", "Navn", ("navn", "namn", "name"), 36),
    Column("kind", "Type", ("type", "kind", "sektor"), 12),
    Column("org_number", "Organisasjonsnummer", ("organisasjonsnummer", "org.nr.", "orgnr", "organisation number"), 18),
    Column("global_compact", "UN Global Compact", ("un global compact", "global compact"), 12),
    Column("website", "Nettsted", ("nettsted", "nettstad", "website"), 30),
    Column("description", "Beskrivelse", ("beskrivelse", "skildring", "description"), 40),
    Column("published", "Publisert", ("publisert", "published"), 10),
    Column("version", "Versjon", ("versjon", "version"), 8),
)


# --- export ---------------------------------------------------------------------------------


def _sheet(wb: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], lists: dict[str, str]) -> None:
    ws = wb.create_sheet(title)
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF4")
    for row in rows:
        ws.append(list(row))
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
        if c.field in lists:
            dv = DataValidation(type="list", formula1=f'"{lists[c.field]}"', allow_blank=True)
            dv.error = "Velg en verdi fra lista"
            ws.add_data_validation(dv)
            dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}{MAX_ROWS + 1}")
    ws.freeze_panes = "B2"


def export_workbook(engine: Engine, actor: Actor, region_code: str, lang: Lang = "nb") -> bytes:
    """The region's measures and partners (drafts only for those who may see them) as .xlsx bytes."""
    with engine.connect() as conn:
        region_facts(conn, region_code)
    ms = measures.list_measures(engine, actor, region_code, lang)
    ps = partners.list_partners(engine, actor, region_code)
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    yes_no = {True: "ja", False: "nei"}
    _sheet(wb, MEASURE_SHEET[0], MEASURE_COLUMNS, (
        [m.id, m.title, m.description, m.responsible_unit, m.start_year, m.end_year, m.budget_nok, STATUS_WORDS[m.status],
         ", ".join(str(g) for g in m.sdg_goals), "; ".join(r.id for r in m.local_targets), "; ".join(r.id for r in m.indicators),
         "; ".join(p.name for p in m.partners), yes_no[m.published], m.version]
        for m in ms
    ), {"status": ",".join(STATUS_WORDS.values()), "published": "ja,nei"})
    _sheet(wb, PARTNER_SHEET[0], PARTNER_COLUMNS, (
        [p.id, p.name, KIND_WORDS[p.kind], p.org_number, yes_no[p.global_compact], p.website, p.description,
         yes_no[p.published], p.version]
        for p in ps
    ), {"kind": ",".join(KIND_WORDS.values()), "global_compact": "ja,nei", "published": "ja,nei"})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    created_measures: int
    updated_measures: int
    created_partners: int
    updated_partners: int
    unchanged: int


def _norm(text: Any) -> str:
    return " ".join(str(text or "").strip().lower().split())


def _read(data: bytes, filename: str) -> Any:
    if len(data) > MAX_BYTES:
        raise ImportValidationError(
            f"Fila {filename} er for stor ({len(data) // 1024} kB); grensen er {MAX_BYTES // 1024 // 1024} MB.",
            message_en=f"The file {filename} is too large ({len(data) // 1024} kB); the limit is {MAX_BYTES // 1024 // 1024} MB.",
            problems=[{"file": filename, "sheet": None, "row": None, "column": None, "message": "for stor", "message_en": "too large"}],
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportValidationError(
            f"Fila {filename} er ikke en Excel-arbeidsbok (.xlsx) som kan leses: {exc}.",
            message_en=f"The file {filename} is not a readable Excel workbook (.xlsx): {exc}.",
            hint="Lagre fila som .xlsx i Excel eller LibreOffice, eller last ned malen med «Eksporter til Excel».",
            hint_en="Save the file as .xlsx in Excel or LibreOffice, or download the template with “Export to Excel”.",
            problems=[{"file": filename, "sheet": None, "row": None, "column": None,
                       "message": "ikke en .xlsx-fil", "message_en": "not an .xlsx file"}],
        ) from exc


def _find_sheet(wb: Any, names: tuple[str, tuple[str, ...]]) -> Any:
    for ws in wb.worksheets:
        if _norm(ws.title) in names[1]:
            return ws
    return None


@dataclass
class _Sheet:
    title: str
    columns: dict[str, tuple[int, Column]]  # field -> (column index, column)
    rows: list[tuple[int, dict[str, Any]]]  # (excel row number, field -> value)


def _table(ws: Any, columns: Sequence[Column], required: Sequence[str], filename: str, problems: list[dict[str, Any]]) -> _Sheet:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    found: dict[str, tuple[int, Column]] = {}
    for idx, cell in enumerate(header):
        for c in columns:
            if _norm(cell) in c.aliases or _norm(cell) == _norm(c.header):
                found.setdefault(c.field, (idx, c))
    for f in required:
        if f not in found:
            col = next(c for c in columns if c.field == f)
            problems.append({"file": filename, "sheet": ws.title, "row": 1, "column": col.header,
                             "message": f"kolonnen «{col.header}» mangler i overskriftsraden",
                             "message_en": f"the column “{col.header}” is missing from the header row"})
    out: list[tuple[int, dict[str, Any]]] = []
    for n, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(out) >= MAX_ROWS:
            problems.append({"file": filename, "sheet": ws.title, "row": n, "column": None,
                             "message": f"arket har flere enn {MAX_ROWS} rader", "message_en": f"the sheet has more than {MAX_ROWS} rows"})
            break
        out.append((n, {f: (values[i] if i < len(values) else None) for f, (i, _) in found.items()}))
    return _Sheet(ws.title, found, out)


def _problem(sheet: _Sheet, filename: str, row: int, field: str, nb: str, en: str) -> dict[str, Any]:
    base = field.split(":")[0]
    alias = {"partner_ids": "partner_names", "new_partner_name": "partner_names"}.get(base, base)
    col = sheet.columns.get(alias)
    return {"file": filename, "sheet": sheet.title, "row": row,
            "column": f"{col[1].header} ({get_column_letter(col[0] + 1)})" if col else None,
            "message": nb, "message_en": en}


def _row_id(sheet: _Sheet, filename: str, n: int, raw: dict[str, Any], problems: list[dict[str, Any]]) -> int | None:
    value = raw.get("id")
    if value is None or str(value).strip() == "":
        return None
    try:
        return int(float(str(value).strip()))
    except ValueError:
        problems.append(_problem(sheet, filename, n, "id", f"ID «{value}» er ikke et nummer", f"ID “{value}” is not a number"))
        return None


def _save_rows(conn: Connection, actor: Actor, region_code: str, sheet: _Sheet, filename: str, problems: list[dict[str, Any]],
               parse_row: Any, save_row: Any, same: Any, table: Any) -> tuple[int, int, int]:
    """Validate every row, then (when no sheet had a problem) write them; returns (created, updated, unchanged)."""
    created = updated = kept = 0
    parsed: list[tuple[int, int | None, Any]] = []
    for n, raw in sheet.rows:
        record_id = _row_id(sheet, filename, n, raw, problems)
        if record_id is not None:
            exists = conn.execute(select(table.c.id).where(table.c.id == record_id, table.c.region_code == region_code)).scalar()
            if exists is None:
                problems.append(_problem(sheet, filename, n, "id", f"ID {record_id} finnes ikke for {region_code}; la ID stå tom for å opprette",
                                         f"ID {record_id} does not exist for {region_code}; leave ID empty to create"))
                continue
            if raw.get("version") in (None, ""):
                problems.append(_problem(sheet, filename, n, "version", "rader med ID må ha versjonen fra eksporten",
                                         "rows with an ID need the version from the export"))
                continue
        try:
            parsed.append((n, record_id, parse_row(raw, record_id)))
        except InvalidInputError as err:
            for item in err.details.get("problems", []):
                problems.append(_problem(sheet, filename, n, item["field"], item["message"], item["message_en"]))
    if problems:
        return 0, 0, 0
    for n, record_id, data in parsed:
        if record_id is not None and same(data, record_id):
            kept += 1
            continue
        try:
            save_row(data, record_id)
        except ConflictError as err:
            problems.append(_problem(sheet, filename, n, "version", err.message, err.message_en))
            continue
        if record_id is None:
            created += 1
        else:
            updated += 1
    return created, updated, kept


def import_workbook(engine: Engine, actor: Actor, region_code: str, data: bytes, filename: str = "tiltak.xlsx",
                    lang: Lang = "nb") -> ImportSummary:
    """Read measures and partners from an .xlsx workbook into the region, all or nothing."""
    require_edit(engine, actor, region_code, "import", None)
    wb = _read(data, filename)
    problems: list[dict[str, Any]] = []
    m_ws, p_ws = _find_sheet(wb, MEASURE_SHEET), _find_sheet(wb, PARTNER_SHEET)
    if m_ws is None and p_ws is None:
        raise ImportValidationError(
            f"Fila {filename} har verken arket «Tiltak» eller «Partnere».",
            message_en=f"The file {filename} has neither a “Tiltak” (measures) nor a “Partnere” (partners) sheet.",
            hint="Last ned malen med «Eksporter til Excel» og fyll den ut.",
            hint_en="Download the template with “Export to Excel” and fill it in.",
            problems=[{"file": filename, "sheet": None, "row": None, "column": None,
                       "message": "mangler arkene Tiltak og Partnere", "message_en": "lacks the sheets Tiltak and Partnere"}],
        )
    p_sheet = _table(p_ws, PARTNER_COLUMNS, ("name", "kind"), filename, problems) if p_ws is not None else None
    m_sheet = _table(m_ws, MEASURE_COLUMNS, ("title",), filename, problems) if m_ws is not None else None
    with engine.begin() as conn:
        region_facts(conn, region_code)
        cp = up = cm = um = kp = km = 0
        if p_sheet is not None and not problems:
            cp, up, kp = _save_rows(
                conn, actor, region_code, p_sheet, filename, problems,
                lambda raw, rid: partners.parse(conn, raw, region_code, rid),
                lambda d, rid: partners.save_in(conn, actor, region_code, d, rid),
                lambda d, rid: partners.unchanged(conn, region_code, rid, d), partners_table)
        if m_sheet is not None:
            names = {_norm(r.name): r.id for r in conn.execute(select(partners_table.c.id, partners_table.c.name)
                                                                .where(partners_table.c.region_code == region_code))}
            pending = {_norm(raw.get("name")) for _, raw in (p_sheet.rows if p_sheet else [])}
            titles = {_norm(r.title): r.id for r in conn.execute(select(local_targets.c.id, local_targets.c.title)
                                                                  .where(local_targets.c.region_code == region_code))}

            def parse_measure(raw: dict[str, Any], rid: int | None) -> measures.MeasureInput:
                converted, unknown = _measure_raw(raw, names, pending, titles)
                extra = [{"field": "partner_ids", "message": f"partneren «{u}» finnes ikke; legg den til i arket Partnere",
                          "message_en": f"the partner “{u}” does not exist; add it to the Partnere sheet"} for u in unknown]
                try:
                    data = measures.parse(conn, converted, region_code, rid, actor, lang)
                except InvalidInputError as err:
                    err.details["problems"] = extra + list(err.details.get("problems", []))
                    raise
                if extra:
                    raise InvalidInputError("ukjente partnere", message_en="unknown partners", details={"problems": extra})
                return data


            cm, um, km = _save_rows(conn, actor, region_code, m_sheet, filename, problems, parse_measure,
                                    lambda d, rid: measures.save_in(conn, actor, region_code, d, rid),
                                    lambda d, rid: measures.unchanged(conn, region_code, rid, d), measures_table)
        if problems:
            raise ImportValidationError(
                f"Fila {filename} ble ikke lest inn: {len(problems)} feil. Ingenting er lagret.",
                message_en=f"The file {filename} was not imported: {len(problems)} problems. Nothing was saved.",
                hint="Rett cellene som er listet, og last opp fila på nytt.",
                hint_en="Correct the cells listed, and upload the file again.",
                problems=problems,
            )
        summary = ImportSummary(cm, um, cp, up, kp + km)
        record(conn, actor, "import", "excel", None, region_code, after={"file": filename, **summary.__dict__},
               summary=f"{filename}: {cm + um} tiltak, {cp + up} partnere")
    log.info("imported %s into %s: %s", filename, region_code, summary)
    return summary


def _measure_raw(raw: dict[str, Any], names: dict[str, int], pending: set[str], titles: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
    """Turn partner names and local target titles into ids; returns the row and the partner names not found."""
    out = dict(raw)
    ids: list[str] = []
    unknown: list[str] = []
    for name in _split(raw.get("partner_names")):
        if _norm(name) in names:
            ids.append(str(names[_norm(name)]))
        elif _norm(name) not in pending:
            unknown.append(name)
    out["partner_ids"] = ids
    targets: list[str] = []
    for item in _split(raw.get("local_target_ids")):
        cleaned = item[:-2] if item.endswith(".0") else item
        targets.append(cleaned if cleaned.isdigit() else str(titles.get(_norm(item), item)))
    out["local_target_ids"] = targets
    return out, unknown


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [p.strip() for p in str(value).replace("\n", ";").split(";") if p.strip()]


__all__ = ["MEASURE_COLUMNS", "PARTNER_COLUMNS", "ImportSummary", "export_workbook", "import_workbook"]
