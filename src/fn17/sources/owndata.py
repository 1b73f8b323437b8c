"""The municipality's own figures: an Excel template to fill in, and an upload that is
checked in full before anything is written.

Two layouts:

* ``fn17``: sheet ``Data`` with one row per indicator, region and period (columns
  ``indikator``, ``region``, ``periode``, ``verdi``, ``enhet``, and the names for reading),
  a ``README`` sheet, and lists that Excel offers in the cells (data validation);
* ``u4ssc``: the U4SSC data-collection layout, sheet ``Data collection`` with one row per
  KPI (``KPI code``, ``KPI``, ``Dimension``, ``Sub-dimension``, ``Category``, ``Type``,
  ``Unit``, ``Municipality``, ``Year``, ``Value``, ``Data source``, ``Comments``); the
  values are stored as indicators ``u4ssc:<KPI code>``.

An upload (CSV or Excel) is refused when it is larger than :data:`MAX_UPLOAD_BYTES`
(before it is read), and otherwise checked row by row — unknown indicator or region, a
period that is not a year or lies in the future, a value that is not a number, a unit that
differs from the indicator's, the same cell twice, formulas, merged cells, the wrong sheet —
and every problem is reported with file, sheet, row and column in one
:class:`~fn17.errors.ImportValidationError`. Only a clean file is written, in one
transaction, logged with who uploaded it, when, and from which file.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fn17.errors import Fn17Error, ImportValidationError, InvalidInputError, NotFoundError
from fn17.workspace import Workspace

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_PROBLEMS = 200
FN17_SHEET = "Data"
U4SSC_SHEET = "Data collection"
FN17_COLUMNS = ["indikator", "indikatornavn", "region", "regionnavn", "periode", "verdi", "enhet", "kilde", "kommentar"]
U4SSC_COLUMNS = [
    "KPI code",
    "KPI",
    "Dimension",
    "Sub-dimension",
    "Category",
    "Type",
    "Unit",
    "Municipality",
    "Year",
    "Value",
    "Data source",
    "Comments",
]
_PERIOD = re.compile(r"^(\d{4})(?:K[1-4]|-(\d{4}))?$")


@dataclass
class UploadRow:
    indicator_id: str
    region_code: str
    period: str
    value: float
    unit: str | None
    row: int


@dataclass
class ValidatedUpload:
    file: str
    sheet: str | None
    layout: str
    rows: list[UploadRow] = field(default_factory=list)
    skipped_empty: int = 0


@dataclass
class UploadResult:
    file: str
    source: str
    rows: int
    import_id: int
    user: str
    skipped_empty: int


# --------------------------------------------------------------------------- template


def _u4ssc_kpis() -> list[Any]:
    from fn17.frameworks.u4ssc import load_u4ssc

    return list(load_u4ssc().kpis)


def u4ssc_indicator_rows() -> list[dict[str, Any]]:
    """Indicator definitions ``u4ssc:<code>`` for the 91 KPIs (for the store's indicators table)."""
    return [
        {
            "id": f"u4ssc:{k.code}",
            "framework_id": "u4ssc",
            "name_nb": k.name_nb,
            "name_en": k.name_en,
            "unit": k.unit_nb[:60],
            "direction": k.direction,
            "source": "own",  # the store keeps 60 characters
            "attrs": {"u4ssc": k.code, "unit_nb": k.unit_nb, "unit_en": k.unit_en, "type": k.type},
        }
        for k in _u4ssc_kpis()
    ]


def _indicator_info(ws: Workspace) -> dict[str, tuple[str, str | None]]:
    from sqlalchemy import select

    from fn17.store.tables import indicators

    with ws.engine.connect() as conn:
        rows = conn.execute(select(indicators.c.id, indicators.c.name_nb, indicators.c.unit)).all()
    info = {r.id: (r.name_nb, r.unit) for r in rows}
    for d in [*u4ssc_indicator_rows(), *fn17_set_indicator_rows()]:
        info.setdefault(d["id"], (d["name_nb"], d["unit"]))
    return info


def fn17_set_indicator_rows() -> list[dict[str, Any]]:
    """``indicators`` rows for FN17's own set, so its indicators can be filled in before any
    data for them has been loaded."""
    from fn17.frameworks.fn17set import load_fn17_set
    from fn17.services.data import fn17_indicator_row

    return [fn17_indicator_row(ind, {"entered_by": "municipality"}) for ind in load_fn17_set().indicators]


def _check_period(text: str) -> str | None:
    m = _PERIOD.match(text)
    if m is None:
        return "ikke en periode (skriv f.eks. 2024)"
    year = int(m.group(2) or m.group(1))
    if not 1900 <= int(m.group(1)) <= year <= date.today().year + 1:
        return f"året {year} er utenfor 1900–{date.today().year + 1}"
    return None


def write_template(
    ws: Workspace,
    path: Path,
    indicators: list[str],
    regions: list[str],
    periods: list[str],
    *,
    layout: str = "fn17",
) -> Path:
    """Write an Excel template for ``indicators`` × ``regions`` × ``periods`` (``layout``
    fn17), or the U4SSC collection sheet for ``regions`` and ``periods`` (``layout`` u4ssc;
    ``indicators`` may then name KPI codes, or be empty for all 91)."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    info = _indicator_info(ws)
    reg = ws.register
    names = {}
    for code in regions:
        names[code] = reg.get(code).name  # raises with what the code became
    for p in periods:
        problem = _check_period(p)
        if problem:
            raise InvalidInputError(
                f"Perioden «{p}»: {problem}.", message_en=f"The period “{p}” is not valid: use e.g. 2024."
            )
    wb = openpyxl.Workbook()
    readme = wb.active
    readme.title = "README"
    if layout == "u4ssc":
        kpis = _u4ssc_kpis()
        if indicators:
            wanted = {i.removeprefix("u4ssc:") for i in indicators}
            unknown = sorted(wanted - {k.code for k in kpis})
            if unknown:
                raise NotFoundError(
                    f"Ukjente U4SSC-koder: {', '.join(unknown)}.",
                    message_en=f"Unknown U4SSC codes: {', '.join(unknown)}.",
                    hint="Koder skrives som «EC: ICT: ICT: 1C».",
                    hint_en="Codes are written as “EC: ICT: ICT: 1C”.",
                )
            kpis = [k for k in kpis if k.code in wanted]
        sheet = wb.create_sheet(U4SSC_SHEET)
        sheet.append(U4SSC_COLUMNS)
        for code in regions:
            for p in periods:
                for k in kpis:
                    sheet.append(
                        [
                            k.code,
                            k.name_en,
                            k.dimension,
                            k.sub_dimension,
                            k.category,
                            k.type,
                            k.unit_en,
                            code,
                            p,
                            None,
                            None,
                            None,
                        ]
                    )
        value_col, unit_col = "J", "G"
    else:
        unknown = sorted(set(indicators) - set(info))
        if unknown:
            raise NotFoundError(
                f"Indikatorene {', '.join(unknown)} finnes ikke i FN17.",
                message_en=f"The indicators {', '.join(unknown)} do not exist in FN17.",
                hint="Se indikatorlisten (fn17 query, eller docs/indicators.md) for gyldige id-er.",
                hint_en="See the indicator list (fn17 query, or docs/indicators.md) for valid ids.",
            )
        sheet = wb.create_sheet(FN17_SHEET)
        sheet.append(FN17_COLUMNS)
        for ind in indicators:
            for code in regions:
                for p in periods:
                    sheet.append([ind, info[ind][0], code, names[code], p, None, info[ind][1], None, None])
        lists = wb.create_sheet("Lister")
        lists.sheet_state = "hidden"
        for i, ind in enumerate(sorted(set(indicators)), start=1):
            lists.cell(row=i, column=1, value=ind)
        for i, code in enumerate(sorted(regions), start=1):
            lists.cell(row=i, column=2, value=code)
        n = max(sheet.max_row, 2)
        dv_ind = DataValidation(type="list", formula1=f"=Lister!$A$1:$A${len(set(indicators))}", allow_blank=False)
        dv_reg = DataValidation(type="list", formula1=f"=Lister!$B$1:$B${len(regions)}", allow_blank=False)
        for dv, col in ((dv_ind, "A"), (dv_reg, "C")):
            dv.error = "Velg fra listen / choose from the list"
            sheet.add_data_validation(dv)
            dv.add(f"{col}2:{col}{n + 500}")
        value_col, unit_col = "F", "G"
    dv_val = DataValidation(
        type="decimal", operator="between", formula1="-1000000000000", formula2="1000000000000", allow_blank=True
    )
    dv_val.error = "Skriv et tall / write a number"
    sheet.add_data_validation(dv_val)
    dv_val.add(f"{value_col}2:{value_col}{max(sheet.max_row, 2) + 500}")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    _readme(readme, layout, sheet.title, value_col, unit_col)
    path = Path(path)
    wb.save(path)
    return path


def _readme(sheet: Any, layout: str, data_sheet: str, value_col: str, unit_col: str) -> None:
    lines = [
        "FN17 – mal for kommunens egne tall / template for the municipality's own figures",
        "",
        f"1. Fyll inn tallene i kolonne {value_col} på arket «{data_sheet}». Bruk desimalkomma eller -punktum, ingen formler.",
        f"   Fill in the figures in column {value_col} of the sheet “{data_sheet}”. Decimal comma or point; no formulas.",
        f"2. Ikke endre overskriftene, arknavnet eller enheten (kolonne {unit_col}); ikke slå sammen celler.",
        f"   Do not change the headers, the sheet name or the unit (column {unit_col}); do not merge cells.",
        "3. Tomme verdier hoppes over. Samme indikator, region og periode kan bare stå én gang.",
        "   Empty values are skipped. The same indicator, region and period may occur only once.",
        "4. Last opp filen i FN17 (fn17 data upload FIL --user NAVN). Filen sjekkes i sin helhet; ved feil skrives ingenting,",
        "   og hver feil vises med ark, rad og kolonne. / Upload the file; it is checked in full, nothing is written if",
        "   anything is wrong, and every problem is shown with sheet, row and column.",
        "",
        f"Oppsett / layout: {layout}",
    ]
    for line in lines:
        sheet.append([line])
    sheet.column_dimensions["A"].width = 120


# --------------------------------------------------------------------------- reading an upload


def _problem(file: str, sheet: str | None, row: int | None, column: str | None, nb: str, en: str) -> dict[str, Any]:
    return {"file": file, "sheet": sheet, "row": row, "column": column, "message": nb, "message_en": en}


def _refuse(file: str, problems: list[dict[str, Any]]) -> ImportValidationError:
    first = problems[0]
    where = ", ".join(
        str(x) for x in (first["sheet"], f"rad {first['row']}" if first["row"] else None, first["column"]) if x
    )
    at = f"{where}: " if where else ""
    n = len(problems)
    return ImportValidationError(
        f"{file}: {n} feil, ingenting er skrevet. {'Første' if n > 1 else 'Feilen'}: {at}{first['message']}.",
        message_en=f"{file}: {n} problem{'s' if n > 1 else ''}, nothing was written. "
        f"{'First' if n > 1 else 'The problem'}: {at}{first['message_en']}.",
        problems=problems[:MAX_PROBLEMS],
        hint="Rett feilene i filen og last den opp igjen.",
        hint_en="Fix the problems in the file and upload it again.",
    )


def _read_rows(path: Path, problems: list[dict[str, Any]]) -> tuple[str | None, list[str], list[tuple[int, list[Any]]]]:
    """The sheet name, the header and the data rows (with their row numbers) of an upload."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix == ".csv":
        from fn17.sources.tabular import decode, sniff_separator

        text, _ = decode(path.read_bytes(), "auto", path)
        lines = text.splitlines()
        sep = sniff_separator(lines[:20])
        lines_read = list(csv.reader(io.StringIO(text), delimiter=sep))
        if not lines_read:
            problems.append(_problem(name, None, None, None, "filen er tom", "the file is empty"))
            return None, [], []
        return None, [str(c).strip() for c in lines_read[0]], [(i + 2, list(r)) for i, r in enumerate(lines_read[1:])]
    if suffix not in (".xlsx", ".xlsm"):
        problems.append(
            _problem(
                name,
                None,
                None,
                None,
                f"filtypen {suffix or '(ingen)'} støttes ikke; bruk .xlsx eller .csv",
                f"the file type {suffix or '(none)'} is not supported; use .xlsx or .csv",
            )
        )
        return None, [], []
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        problems.append(
            _problem(name, None, None, None, f"ikke en lesbar Excel-fil ({exc})", f"not a readable Excel file ({exc})")
        )
        return None, [], []
    sheet_name = next((s for s in (FN17_SHEET, U4SSC_SHEET) if s in wb.sheetnames), None)
    if sheet_name is None:
        problems.append(
            _problem(
                name,
                ", ".join(wb.sheetnames),
                None,
                None,
                f"finner ikke arket «{FN17_SHEET}» eller «{U4SSC_SHEET}» (arkene er {', '.join(wb.sheetnames)})",
                f"cannot find the sheet “{FN17_SHEET}” or “{U4SSC_SHEET}” (the sheets are {', '.join(wb.sheetnames)})",
            )
        )
        return None, [], []
    sheet = wb[sheet_name]
    for rng in sheet.merged_cells.ranges:
        problems.append(
            _problem(
                name,
                sheet_name,
                rng.min_row,
                str(rng),
                f"sammenslåtte celler {rng}; del dem opp",
                f"merged cells {rng}; unmerge them",
            )
        )
    rows: list[tuple[int, list[Any]]] = []
    header: list[str] = []
    for r in sheet.iter_rows():
        values: list[Any] = []
        for cell in r:
            if cell.data_type == "f":
                problems.append(
                    _problem(
                        name,
                        sheet_name,
                        cell.row,
                        cell.column_letter,
                        f"cellen {cell.coordinate} har en formel ({cell.value}); lim inn verdien",
                        f"the cell {cell.coordinate} holds a formula ({cell.value}); paste the value",
                    )
                )
                values.append(None)
            else:
                values.append(cell.value)
        if not header:
            header = ["" if v is None else str(v).strip() for v in values]
        else:
            rows.append((r[0].row, values))
    return sheet_name, header, rows


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    text = re.sub(r"[\s\u00a0\u202f]", "", str(raw)).replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _unit_key(unit: str | None) -> str:
    return re.sub(r"\s+", " ", (unit or "").strip().casefold())


def validate_upload(ws: Workspace, path: Path, *, layout: str | None = None) -> ValidatedUpload:
    """Check an upload in full; raise ImportValidationError with every problem, or return the rows."""
    path = Path(path)
    name = path.name
    size = path.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise ImportValidationError(
            f"{name} er {size / 1e6:.0f} MB; grensen er {MAX_UPLOAD_BYTES // 1024 // 1024} MB. Filen er ikke lest.",
            message_en=f"{name} is {size / 1e6:.0f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB. The file was not read.",
            problems=[_problem(name, None, None, None, "filen er for stor", "the file is too large")],
            hint="Del filen opp, eller last opp bare tallene (ikke hele regnearket).",
            hint_en="Split the file, or upload only the figures (not the whole workbook).",
        )
    problems: list[dict[str, Any]] = []
    sheet, header, rows = _read_rows(path, problems)
    if not header:
        raise _refuse(name, problems or [_problem(name, sheet, None, None, "ingen overskriftsrad", "no header row")])
    lay = layout or ("u4ssc" if "KPI code" in header else "fn17")
    columns = U4SSC_COLUMNS if lay == "u4ssc" else FN17_COLUMNS
    need = (
        ["KPI code", "Municipality", "Year", "Value", "Unit"]
        if lay == "u4ssc"
        else ["indikator", "region", "periode", "verdi"]
    )
    missing = [c for c in need if c not in header]
    if missing:
        problems.append(
            _problem(
                name,
                sheet,
                1,
                ", ".join(missing),
                f"mangler kolonnene {', '.join(missing)} (malen har {', '.join(columns)})",
                f"lacks the columns {', '.join(missing)} (the template has {', '.join(columns)})",
            )
        )
        raise _refuse(name, problems)
    col = {c: header.index(c) for c in header if c}
    letters = {c: _letter(i) for c, i in col.items()}
    names = (
        {"ind": "KPI code", "reg": "Municipality", "per": "Year", "val": "Value", "unit": "Unit"}
        if lay == "u4ssc"
        else {"ind": "indikator", "reg": "region", "per": "periode", "val": "verdi", "unit": "enhet"}
    )
    info = _indicator_info(ws)
    reg = ws.register
    out = ValidatedUpload(file=name, sheet=sheet, layout=lay)
    seen: dict[tuple[str, str, str], int] = {}
    region_cache: dict[tuple[str, str], str | None] = {}

    def get(values: list[Any], key: str) -> Any:
        i = col.get(names[key])
        return values[i] if i is not None and i < len(values) else None

    for rownum, values in rows:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        raw_val = get(values, "val")
        if raw_val is None or str(raw_val).strip() == "":
            out.skipped_empty += 1
            continue

        def where(key: str, rownum: int = rownum) -> tuple[str, str | None, int, str]:
            return (name, sheet, rownum, letters.get(names[key], names[key]))

        ind = str(get(values, "ind") or "").strip()
        ind_id = f"u4ssc:{ind}" if lay == "u4ssc" and ind else ind
        if ind_id not in info:
            problems.append(_problem(*where("ind"), f"ukjent indikator «{ind}»", f"unknown indicator “{ind}”"))
        period = str(get(values, "per") or "").strip().removesuffix(".0")
        bad_period = _check_period(period)
        if bad_period:
            problems.append(
                _problem(
                    *where("per"),
                    f"periode «{period}»: {bad_period}",
                    f"period “{period}” is not valid (write e.g. 2024)",
                )
            )
        code = str(get(values, "reg") or "").strip().removesuffix(".0")
        if code.isdigit() and len(code) in (1, 3):
            code = code.zfill(len(code) + 1)
        key = (code, period)
        if key not in region_cache:
            region_cache[key] = _region_problem(reg, code, period if not bad_period else None)
        if region_cache[key]:
            msg = region_cache[key] or ""
            problems.append(_problem(*where("reg"), msg, msg))
        value = _number(raw_val)
        if value is None:
            problems.append(_problem(*where("val"), f"«{raw_val}» er ikke et tall", f"“{raw_val}” is not a number"))
        unit = get(values, "unit")
        unit_text = None if unit is None or str(unit).strip() == "" else str(unit).strip()
        own_unit = info.get(ind_id, ("", None))[1]
        expected_unit = (own_unit,) if lay != "u4ssc" and own_unit else (_u4ssc_unit(ind) if lay == "u4ssc" else None)
        if (
            unit_text is not None
            and expected_unit
            and _unit_key(unit_text) not in {_unit_key(u) for u in expected_unit}
        ):
            problems.append(
                _problem(
                    *where("unit"),
                    f"enheten «{unit_text}» passer ikke indikatoren ({' / '.join(expected_unit)})",
                    f"the unit “{unit_text}” does not match the indicator ({' / '.join(expected_unit)})",
                )
            )
        cell = (ind_id, code, period)
        if cell in seen:
            problems.append(
                _problem(
                    *where("ind"),
                    f"samme indikator, region og periode som rad {seen[cell]}",
                    f"the same indicator, region and period as row {seen[cell]}",
                )
            )
        else:
            seen[cell] = rownum
        if value is not None:
            out.rows.append(UploadRow(ind_id, code, period, value, unit_text, rownum))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise _refuse(name, problems)
    if not out.rows:
        raise _refuse(
            name, [_problem(name, sheet, None, names["val"], "ingen verdier er fylt inn", "no values are filled in")]
        )
    return out


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _u4ssc_unit(code: str) -> tuple[str, ...] | None:
    for k in _u4ssc_kpis():
        if k.code == code:
            return (k.unit_nb, k.unit_en)
    return None


def _region_problem(reg: Any, code: str, period: str | None) -> str | None:
    """None when ``code`` is a municipality or county valid today (or in the period); else the message."""
    if not code:
        return "regionen mangler"
    try:
        reg.get(code)
        return None
    except Fn17Error as today_exc:
        if period is not None:
            years = [int(y) for y in re.findall(r"\d{4}", period)]
            try:
                reg.get(code, date(years[-1], 12, 31))
            except Fn17Error:
                pass
            else:
                return None
        return today_exc.message + (f" {today_exc.hint}" if today_exc.hint else "")


# --------------------------------------------------------------------------- writing an upload


def import_upload(ws: Workspace, path: Path, *, user: str, layout: str | None = None, scope: str | None = None,
                  may_write: Callable[[str], bool] | None = None) -> UploadResult:
    """Validate ``path`` in full, then write its values in one transaction, logged with ``user``,
    the time and the file name. A new upload of the same file name (within the same ``scope``,
    e.g. the region it was uploaded for) replaces the earlier one. With ``may_write``, a row for
    a region the uploader may not write is a problem like any other, and nothing is written."""
    from fn17.services.data import write_upload

    if not user.strip():
        raise InvalidInputError("Oppgi hvem som laster opp.", message_en="Say who is uploading.")
    checked = validate_upload(ws, path, layout=layout)
    if may_write is not None:
        refused = [
            _problem(checked.file, checked.sheet, r.row, None,
                     f"du kan ikke legge inn tall for {r.region_code}; du er redaktør for andre regioner",
                     f"you may not enter figures for {r.region_code}; you edit other regions")
            for r in checked.rows if not may_write(r.region_code)
        ]
        if refused:
            raise _refuse(checked.file, refused)
    slug = re.sub(r"[^a-z0-9]+", "-", Path(checked.file).stem.casefold()).strip("-")[:80] or "upload"
    source = f"own:{scope}:{slug}" if scope else f"own:{slug}"
    now = datetime.now(UTC)
    records = [
        {
            "indicator_id": r.indicator_id,
            "region_code": r.region_code,
            "period": r.period,
            "breakdown": "",
            "value": r.value,
            "status": "ok",
            "source": source,
            "source_table": None,
            "query": f"upload {checked.file} ({checked.sheet or 'CSV'} row {r.row}) by {user}",
            "retrieved_at": now,
        }
        for r in checked.rows
    ]
    used = {r.indicator_id for r in checked.rows}
    defs = u4ssc_indicator_rows() if checked.layout == "u4ssc" else [d for d in fn17_set_indicator_rows() if d["id"] in used]
    import_id = write_upload(ws, records, source=source, origin=str(path), user=user, extra_indicators=defs)
    log.info("upload %s by %s: %d values", checked.file, user, len(records))
    return UploadResult(
        file=checked.file,
        source=source,
        rows=len(records),
        import_id=import_id,
        user=user,
        skipped_empty=checked.skipped_empty,
    )


__all__ = [
    "FN17_COLUMNS",
    "MAX_UPLOAD_BYTES",
    "U4SSC_COLUMNS",
    "UploadResult",
    "ValidatedUpload",
    "import_upload",
    "u4ssc_indicator_rows",
    "validate_upload",
    "write_template",
]
