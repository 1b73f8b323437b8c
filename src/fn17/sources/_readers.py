"""Reading a file the way a recipe describes it: CSV, Excel, Parquet, JSON documents in a tar.

Private to :mod:`fn17.sources.tabular`, which re-exports :func:`read_table`, :class:`RawTable`,
:func:`decode` and :func:`sniff_separator`.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from fn17.errors import DataFileError, NotFoundError
from fn17.sources.recipes import Recipe

log = logging.getLogger(__name__)

MAX_HEADER_SCAN = 60
_SEPARATORS = (";", "\t", ",", "|")


@dataclass
class RawTable:
    """A file's cells as read: string (or, from Excel and Parquet, typed) columns, with
    ``_row`` holding each row's number in the file (1-based, as a spreadsheet shows it)."""

    frame: pd.DataFrame
    file: Path
    sheet: str | None = None
    encoding: str | None = None
    separator: str | None = None


def _fail(path: Path, nb: str, en: str, hint: str | None = None, hint_en: str | None = None) -> DataFileError:
    return DataFileError(
        f"{path.name}: {nb}", message_en=f"{path.name}: {en}", hint=hint, hint_en=hint_en, details={"file": str(path)}
    )


def decode(data: bytes, encoding: str, path: Path) -> tuple[str, str]:
    """Bytes → text. ``auto``: UTF-8 (with or without BOM) when it decodes, else ISO-8859-1,
    the encoding of SSB's CSV exports."""
    if encoding == "auto":
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise _fail(
            path,
            f"kan ikke leses som {encoding}: {exc}",
            f"cannot be read as {encoding}: {exc}",
            "Sett encoding: auto i oppskriften, eller riktig tegnsett.",
            "Set encoding: auto in the recipe, or the right encoding.",
        ) from exc


def sniff_separator(lines: list[str]) -> str:
    """The separator that splits the most lines into the same number (> 1) of fields."""
    best, best_score = ",", -1
    for sep in _SEPARATORS:
        counts = [len(row) for row in csv.reader(lines, delimiter=sep) if row]
        if not counts:
            continue
        modal = max(set(counts), key=counts.count)
        score = counts.count(modal) if modal > 1 else 0
        if score > best_score:
            best, best_score = sep, score
    return best


def _clean_header(values: Iterable[Any]) -> list[str]:
    names: list[str] = []
    for i, v in enumerate(values):
        text = "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip()
        if not text or text.startswith("Unnamed:"):
            text = f"col{i + 1}"
        while text in names:
            text += "_"
        names.append(text)
    return names


def _header_index(rows: list[list[Any]], recipe: Recipe, path: Path) -> int:
    """The 0-based index of the header row: given, or the first row holding every column the
    recipe names (or, for a wide table without named columns, two headers matching it)."""
    if recipe.header_row != "auto":
        return recipe.header_row - 1
    wanted = set(recipe.referenced_columns())
    wide = re.compile(recipe.wide.columns) if recipe.wide else None
    for i, row in enumerate(rows[:MAX_HEADER_SCAN]):
        cells = {("" if v is None else str(v)).strip() for v in row}
        if wanted and wanted <= cells:
            return i
        if not wanted and wide is not None and sum(1 for c in cells if wide.fullmatch(c)) >= 1:
            return i
    raise _fail(
        path,
        f"fant ingen overskriftsrad med kolonnene {', '.join(sorted(wanted))} blant de {MAX_HEADER_SCAN} første radene.",
        f"found no header row with the columns {', '.join(sorted(wanted))} in the first {MAX_HEADER_SCAN} rows.",
        "Sjekk at filen er den oppskriften gjelder, eller sett header_row.",
        "Check that the file is the one the recipe is for, or set header_row.",
    )


def _read_csv(path: Path, recipe: Recipe) -> RawTable:
    text, enc = decode(path.read_bytes(), recipe.encoding, path)
    head = text.splitlines()[: MAX_HEADER_SCAN + 5]
    sep = sniff_separator(head) if recipe.separator == "auto" else recipe.separator.replace("\\t", "\t")
    rows = list(csv.reader(head, delimiter=sep))
    idx = _header_index(rows, recipe, path)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            skiprows=idx,
            header=0,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise _fail(
            path,
            f"er ikke en lesbar CSV-fil (skilletegn {sep!r}): {exc}",
            f"is not a readable CSV file (separator {sep!r}): {exc}",
        ) from exc
    frame.columns = _clean_header(frame.columns)
    first = idx + 2 if recipe.first_data_row is None else recipe.first_data_row
    frame["_row"] = np.arange(len(frame)) + idx + 2
    if recipe.first_data_row is not None:
        frame = frame[frame["_row"] >= first]
    return RawTable(frame=frame, file=path, encoding=enc, separator=sep)


def _read_excel(path: Path, recipe: Recipe) -> RawTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise _fail(path, f"er ikke en lesbar Excel-fil: {exc}", f"is not a readable Excel file: {exc}") from exc
    try:
        if recipe.sheet is not None:
            if recipe.sheet not in wb.sheetnames:
                raise _fail(
                    path,
                    f"har ikke arket «{recipe.sheet}» (arkene er {', '.join(wb.sheetnames)}).",
                    f"has no sheet “{recipe.sheet}” (the sheets are {', '.join(wb.sheetnames)}).",
                )
            ws = wb[recipe.sheet]
        else:
            ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        title = ws.title
    finally:
        wb.close()
    idx = _header_index(rows, recipe, path)
    width = max((len(r) for r in rows[idx : idx + recipe.header_rows]), default=0)
    merged: list[Any] = [None] * width
    for r in rows[
        idx : idx + recipe.header_rows
    ]:  # a header over several rows: the lowest filled cell names the column
        for i, v in enumerate(r):
            if v is not None and str(v).strip():
                merged[i] = v
    names = _clean_header(merged)
    start = (recipe.first_data_row - 1) if recipe.first_data_row is not None else idx + recipe.header_rows
    body = [r + [None] * (len(names) - len(r)) for r in rows[start:]]
    frame = pd.DataFrame([r[: len(names)] for r in body], columns=names, dtype=object)
    frame["_row"] = np.arange(len(frame)) + start + 1
    return RawTable(frame=frame, file=path, sheet=title)


def _read_parquet(path: Path, recipe: Recipe) -> RawTable:
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise _fail(path, f"er ikke en lesbar Parquet-fil: {exc}", f"is not a readable Parquet file: {exc}") from exc
    for col in frame.columns:
        if frame[col].dtype == object and len(frame) and isinstance(frame[col].iloc[0], Decimal):
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame.columns = _clean_header(frame.columns)
    frame["_row"] = np.arange(len(frame)) + 1
    return RawTable(frame=frame, file=path)


def _dig(doc: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(doc, Mapping):
            doc = doc.get(part)
        else:
            return None
    return doc


def _read_json_tar(path: Path, recipe: Recipe) -> RawTable:
    spec = recipe.json_
    assert spec is not None  # checked by the recipe
    members = re.compile(spec.members)
    records: list[dict[str, Any]] = []
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if not member.isfile() or not members.search(member.name):
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                try:
                    doc = orjson.loads(handle.read())
                except orjson.JSONDecodeError as exc:
                    raise _fail(
                        path, f"{member.name} er ikke gyldig JSON: {exc}", f"{member.name} is not valid JSON: {exc}"
                    ) from exc
                base = {col: _dig(doc, p) for col, p in spec.fields.items()}
                base["_member"] = member.name
                items = _dig(doc, spec.explode) if spec.explode else None
                if spec.explode and isinstance(items, list) and items:
                    for item in items:
                        records.append(base | {col: _dig(item, p) for col, p in spec.item_fields.items()})
                else:
                    records.append(base | {col: None for col in spec.item_fields})
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise _fail(path, f"er ikke et lesbart tar-arkiv: {exc}", f"is not a readable tar archive: {exc}") from exc
    if not records:
        raise _fail(path, f"har ingen filer som passer {spec.members!r}.", f"has no members matching {spec.members!r}.")
    frame = pd.DataFrame.from_records(records)
    frame["_row"] = np.arange(len(frame)) + 1
    return RawTable(frame=frame, file=path)


def read_table(path: Path, recipe: Recipe) -> RawTable:
    """Read one file the way ``recipe`` describes."""
    if not path.is_file():
        raise NotFoundError(f"Filen {path} finnes ikke.", message_en=f"The file {path} does not exist.")
    readers = {"csv": _read_csv, "excel": _read_excel, "parquet": _read_parquet, "json-tar": _read_json_tar}
    table = readers[recipe.format](path, recipe)
    log.debug("read %s: %d rows, columns %s", path.name, len(table.frame), list(table.frame.columns))
    return table


__all__ = ["MAX_HEADER_SCAN", "RawTable", "decode", "read_table", "sniff_separator"]
