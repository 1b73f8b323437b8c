"""The generic tabular importer: one reader for CSV, Excel, Parquet and JSON-in-tar files,
driven by a :class:`~fn17.sources.recipes.Recipe`.

:func:`read_table` reads a file as the recipe describes it (encoding and separator
sniffed when ``auto``, the header row found by the column names the recipe uses) into
a frame of raw cells; :func:`to_long` maps that frame to long observation records:
indicator, region code (with its kind and the date of the structure it belongs to),
period, breakdown, value and status. Carrying old codes to today's municipalities is
the loader's job (:mod:`fn17.sources.load`).

Every cell keeps the file row and column it came from, so a problem can be reported
as file, sheet, row and column.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from fn17.errors import DataFileError, ImportValidationError
from fn17.sources._readers import RawTable, _fail, decode, read_table, sniff_separator
from fn17.sources.recipes import Recipe

log = logging.getLogger(__name__)

#: the columns of the long records ``to_long`` returns, in order
LONG_COLUMNS = (
    "indicator_id",
    "region_code",
    "region_kind",
    "codes_at",
    "period",
    "breakdown",
    "value",
    "status",
    "_file",
    "_row",
    "_column",
    "_label",
)
MAX_BAD_SHARE = 0.05  # more unreadable values than this and the file is refused
_LABEL = re.compile(r"^(?:[KkFf]-)?(\d{4}|\d{2})(?:\s+(.*?))?\s*$")
_PERIOD = re.compile(r"(\d{4})(?:\s*[-_–]\s*(\d{4})|([KMUH]\d{1,2}))?")
_PAREN = re.compile(r"\s*\(([^)]*)\)\s*$")
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


# --------------------------------------------------------------------------- region names


def fold_name(text: str) -> str:
    """A name as compared: NFC, case-folded, dashes and spaces collapsed ("Deatnu - Tana" = "deatnu-tana")."""
    text = unicodedata.normalize("NFC", text).casefold().replace("–", "-")
    text = re.sub(r"\s*-\s*", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def _compact(text: str) -> str:
    return re.sub(r"[\s\-]+", "", fold_name(text))


class NameIndex:
    """Municipality and county names valid at one date → codes, for files with names only.

    A name matches the official name, the Norwegian name alone, each parallel Sami or Kven
    name, and the same written without spaces and dashes ("Guovdageaidnu Kautokeino",
    "UnjárgaNesseby"). A county in brackets picks between namesakes ("Våler (Østfold)").
    """

    def __init__(self, register: Any, at: date) -> None:
        self.at = at
        self._keys: dict[str, set[tuple[str, str]]] = {}
        counties = {c.code: c for c in register.counties(at)}
        self._county_names = {
            code: {fold_name(c.name), fold_name(c.name_nb), *(fold_name(n) for n in c.other_names.values())}
            for code, c in counties.items()
        }
        for region in [*register.municipalities(at), *counties.values()]:
            names = {region.name, region.name_nb, *region.other_names.values(), *region.name.split(" - ")}
            for n in names:
                for key in (fold_name(n), _compact(n)):
                    self._keys.setdefault(key, set()).add((region.code, region.kind))
        self._county_of = {m.code: m.county_code for m in register.municipalities(at)}

    def lookup(self, name: str) -> list[str]:
        """The codes whose names match ``name`` (municipalities before counties); empty when none."""
        hint = None
        m = _PAREN.search(name)
        base = name
        if m:
            hint, base = fold_name(m.group(1)), name[: m.start()]
        found = self._keys.get(fold_name(base)) or self._keys.get(_compact(base)) or set()
        if not found:
            # "Guovdageaidnu Kautokeino", "Porsanger Porsángu Porsanki": the parts that are names
            parts = [p for p in re.split(r"\s+", base.strip()) if p]
            hits = [h for h in (self._keys.get(fold_name(p), set()) for p in parts) if h]
            found = set.intersection(*hits) if len(parts) > 1 and hits else set()
        if hint is not None and len(found) > 1:
            narrowed = {
                (c, k)
                for c, k in found
                if k == "kommune" and hint in self._county_names.get(self._county_of.get(c) or "", set())
            }
            found = narrowed or found
        kommuner = sorted(c for c, k in found if k == "kommune")
        fylker = sorted(c for c, k in found if k == "fylke")
        return kommuner + fylker


# --------------------------------------------------------------------------- long records


@dataclass
class LongResult:
    """Long records of one file and what was left out, and why."""

    frame: pd.DataFrame
    rows_read: int
    skipped: dict[str, int] = field(default_factory=dict)
    unknown_labels: dict[str, int] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)

    def skip(self, reason: str, n: int) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + int(n)


def _text(series: pd.Series) -> pd.Series:
    """A column as stripped text (None → "")."""
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=False) == "string":
        stripped: pd.Series = series.str.strip()
        return stripped
    if series.dtype == object:
        mapped: pd.Series = series.map(
            lambda v: (
                ""
                if v is None or (isinstance(v, float) and v != v)
                else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip()
            )
        )
        return mapped
    if pd.api.types.is_datetime64_any_dtype(series):
        dates: pd.Series = series.dt.strftime("%Y-%m-%d").fillna("")
        return dates
    if pd.api.types.is_float_dtype(series):
        return series.map(lambda v: "" if v != v else (str(int(v)) if float(v).is_integer() else str(v)))
    return series.astype(str).str.strip()


def _column(frame: pd.DataFrame, name: str, table: RawTable) -> pd.Series:
    if name not in frame.columns:
        cols = ", ".join(c for c in frame.columns if c != "_row")
        raise _fail(
            table.file,
            f"mangler kolonnen «{name}» (kolonnene er {cols}).",
            f"lacks the column “{name}” (the columns are {cols}).",
            "Sjekk at oppskriften passer filen.",
            "Check that the recipe fits the file.",
        )
    return frame[name]


def parse_period(raw: Any) -> str | None:
    """``2013`` → ``2013``; ``2011_2013``/``2002-2006`` → ``2011-2013``; ``2023K1``; a date → its year."""
    if isinstance(raw, datetime | date | pd.Timestamp):
        return str(raw.year)
    text = str(raw).strip()
    m = _PERIOD.search(text)
    if m is None:
        return None
    if m.group(2):
        return f"{m.group(1)}-{m.group(2)}"
    if m.group(3):
        return f"{m.group(1)}{m.group(3)}"
    return m.group(1)


def _structure_date(period: str, recipe: Recipe) -> date:
    at = recipe.region.codes_at
    if isinstance(at, date):
        return at
    years = [int(y) for y in re.findall(r"\d{4}", period)]
    return date(years[-1] if at == "period_end" else years[0], 1, 1)


def _code_kind(code: str) -> str:
    return {4: "kommune", 2: "fylke"}.get(len(code), "land")


def parse_region(raw: str, recipe: Recipe) -> str | None:
    """A region cell → its code ("0301", "03", "0"), or None when the format does not fit."""
    spec = recipe.region
    if raw in spec.map:
        return spec.map[raw]
    text = raw.strip()
    if spec.format == "label":
        m = _LABEL.match(text)
        return m.group(1) if m else None
    if spec.format == "pattern":
        assert spec.pattern is not None
        m = re.search(spec.pattern, text)
        text = m.group(1) if m else ""
    if spec.format in ("code", "integer", "pattern"):
        if text.endswith(".0"):
            text = text[:-2]
        if not text.isdigit() or len(text) > 4:
            return None
        if spec.format == "integer" or len(text) == 3:
            return text.zfill(4)
        return text.zfill(2) if len(text) == 1 else text
    return None


def _template(
    frame: pd.DataFrame,
    template: str,
    key: pd.Series | None,
    table: RawTable,
    texted: set[str] | frozenset[str] = frozenset(),
) -> pd.Series:
    pieces = _TEMPLATE.split(template)
    out = pd.Series(np.full(len(frame), "", dtype=object), index=frame.index)
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            out = out + piece
        elif piece == "key":
            assert key is not None
            out = out + key.astype(str)
        else:
            col = _column(frame, piece, table)
            out = out + (col if piece in texted else _text(col))
    return out


def _breakdown_codes(values: pd.Series, spec: Any) -> pd.Series:
    uniq = {}
    empty = set(spec.empty)
    pattern = re.compile(spec.pattern) if spec.pattern else None
    for v in values.unique():
        raw = str(v)
        if raw in empty:
            uniq[v] = ""
            continue
        code = spec.map.get(raw)
        if code is None:
            code = raw
            if pattern is not None:
                m = pattern.search(raw)
                code = m.group(1) if m else raw
            if spec.pad and code.isdigit():
                code = code.zfill(spec.pad)
        uniq[v] = code
    return values.map(uniq)


def _parse_values(raw: pd.Series, recipe: Recipe) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Cells → (value, status, unreadable). Status symbols (``..``, ``:``, ``-`` …) give the
    status; ``-`` (nil) gives 0; a decimal comma and spaces in numbers are understood."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype("float64")
        status = pd.Series(np.where(values.isna(), "missing", "ok"), index=raw.index, dtype=object)
        return values, status, pd.Series(False, index=raw.index)
    values = pd.to_numeric(raw, errors="coerce").astype("float64")
    status = pd.Series("ok", index=raw.index, dtype=object)
    bad = pd.Series(False, index=raw.index)
    rest = values.isna()
    if recipe.decimal == ",":
        rest |= raw.map(lambda v: isinstance(v, str) and "," in v)
    if rest.any():
        text = _text(raw[rest])
        symbols = text.map(recipe.status_symbols)
        cleaned = text[symbols.isna()].str.replace(r"[\s\u00a0\u202f]", "", regex=True)
        if recipe.thousands:
            cleaned = cleaned.str.replace(recipe.thousands, "", regex=False)
        if recipe.decimal == ",":
            cleaned = cleaned.str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(cleaned, errors="coerce").astype("float64")
        values.loc[numbers.index] = numbers
        sym = symbols.dropna()
        status.loc[sym.index] = sym.astype(object)
        values.loc[sym.index] = np.where(sym == "zero", 0.0, np.nan)
        unreadable = numbers.index[numbers.isna()]
        bad.loc[unreadable] = True
        status.loc[unreadable] = "missing"
    return values, status, bad


def _problem(table: RawTable, row: Any, column: str, message: str, message_en: str) -> dict[str, Any]:
    return {
        "file": table.file.name,
        "sheet": table.sheet,
        "row": int(row),
        "column": column,
        "message": message,
        "message_en": message_en,
    }


def _region_codes(long: pd.DataFrame, recipe: Recipe, register: Any, result: LongResult) -> tuple[pd.Series, pd.Series]:
    """Each row's region code (None when left out or not recognised) and the date of the
    structure it belongs to (today's for a name found only among today's regions)."""
    spec = recipe.region
    skip = [re.compile(p) for p in spec.skip]
    labels = long["_label"]
    uniq_labels = labels.unique()
    silent_labels = {lb for lb in uniq_labels if lb == "" or any(p.search(str(lb)) for p in skip)}
    silent = labels.isin(silent_labels)
    codes_at = long["_codes_at"]
    if spec.format == "name":
        from fn17.regions import HORIZON

        indexes: dict[date, NameIndex] = {}

        def index_at(at: date) -> NameIndex:
            at = max(at, HORIZON)
            if at not in indexes:
                indexes[at] = NameIndex(register, at)
            return indexes[at]

        today = date.today()
        lookup: dict[tuple[str, date], tuple[str | None, date]] = {}
        county_of: dict[tuple[str, date], tuple[str | None, date]] = {}
        for label, at in long.loc[~silent, ["_label", "_codes_at"]].drop_duplicates().itertuples(index=False):
            if label in spec.map:
                lookup[(label, at)] = (spec.map[label], at)
                continue
            found, when = index_at(at).lookup(label), at
            if not found and spec.names_fallback_today:
                found, when = index_at(today).lookup(label), today
            kommuner = [c for c in found if len(c) == 4]
            fylker = [c for c in found if len(c) == 2]
            lookup[(label, at)] = (found[0] if found and len(kommuner) <= 1 else None, when)
            if spec.county_first and len(kommuner) == 1 and len(fylker) == 1:
                county_of[(label, at)] = (fylker[0], when)
        in_first = pd.Series(False, index=long.index)
        if spec.county_first:
            grp = long.groupby("_label", observed=True)["_block"]
            in_first = (long["_block"] == grp.transform("min")) & (grp.transform("nunique") > 1)
        keys = pd.DataFrame({"lb": labels, "at": codes_at, "first": in_first})
        combos = keys.drop_duplicates()
        found_for: list[tuple[str | None, date]] = [
            county_of[(lb, at)] if first and (lb, at) in county_of else lookup.get((lb, at), (None, at))
            for lb, at, first in combos.itertuples(index=False)
        ]
        combos = combos.assign(_code=pd.Series([f[0] for f in found_for], index=combos.index, dtype=object),
                               _at=pd.Series([f[1] for f in found_for], index=combos.index, dtype=object))
        merged = keys.merge(combos, on=["lb", "at", "first"], how="left")
        codes = pd.Series(merged["_code"].to_numpy(), index=long.index, dtype=object)
        codes_at = pd.Series(merged["_at"].to_numpy(), index=long.index, dtype=object)
    else:
        uniq = {lb: (None if lb in silent_labels else parse_region(str(lb), recipe)) for lb in uniq_labels}
        codes = labels.map(uniq)
    result.skip("regions left out by the recipe", int(silent.sum()))
    unknown = codes.isna() & ~silent
    if unknown.any():
        # a row with no value at all under an unrecognised label is a note or a blank line
        values = long.loc[unknown, "_value"]
        empty = values.map(lambda v: v is None or (isinstance(v, float) and v != v) or str(v).strip() == "")
        all_empty = empty.groupby(labels[unknown]).transform("all")
        notes = pd.Series(False, index=long.index)
        notes.loc[all_empty.index] = all_empty.to_numpy()
        result.skip("notes and rows without values", int(notes.sum()))
        unknown &= ~notes
        for label, n in labels[unknown].value_counts().items():
            result.unknown_labels[str(label)] = result.unknown_labels.get(str(label), 0) + int(n)
    return codes, codes_at


def _breakdown_strings(parts: dict[str, pd.Series], keep: Iterable[str] | None, index: pd.Index) -> pd.Series:
    out = pd.Series(np.full(len(index), "", dtype=object), index=index)
    for dim in sorted(parts):
        if keep is not None and dim not in keep:
            continue
        code = parts[dim]
        piece = np.where(code != "", dim + "=" + code.astype(str), "")
        sep = np.where((out != "") & (piece != ""), ";", "")
        out = out + sep + piece
    return out


def to_long(table: RawTable, recipe: Recipe, register: Any) -> LongResult:
    """Map a file's cells to long records: columns indicator_id, region_code, region_kind,
    codes_at (the date of the structure the code belongs to), period, breakdown, value,
    status, and _file/_row/_column/_label for messages. Rows the recipe leaves out are
    counted in ``skipped``; region labels that are not codes or known names in
    ``unknown_labels``; unreadable values in ``problems`` (more than 5 % refuses the file)."""
    frame = table.frame.copy()
    result = LongResult(frame=pd.DataFrame(), rows_read=len(frame))
    first_region = recipe.region.source_columns[0]
    if first_region in frame.columns:  # a block starts where the region cell is filled in (before fill_down)
        frame["_block"] = (_text(frame[first_region]) != "").cumsum()
    else:
        frame["_block"] = 0
    for col in recipe.fill_down:
        s = _column(frame, col, table)
        frame[col] = s.where(_text(s) != "").ffill()
    for col, allowed in recipe.filters.keep.items():
        mask = _text(_column(frame, col, table)).isin(allowed)
        result.skip(f"{col} not in {list(allowed)}", int((~mask).sum()))
        frame = frame[mask]
    for col, refused in recipe.filters.drop.items():
        mask = _text(_column(frame, col, table)).isin(refused)
        result.skip(f"{col} in {list(refused)}", int(mask.sum()))
        frame = frame[~mask]
    spec = recipe.region
    label = pd.Series(np.full(len(frame), "", dtype=object), index=frame.index)
    for col in reversed(spec.source_columns):
        text = _text(_column(frame, col, table))
        label = text.where(~text.isin(spec.empty), label)
    frame = frame.assign(_label=label)
    texted: set[str] = set()
    for col in recipe.referenced_columns():
        if col in frame.columns and col != recipe.value and not (recipe.period and col == recipe.period.column):
            frame[col] = _text(frame[col])
            texted.add(col)
    if recipe.wide is not None:
        wide = re.compile(recipe.wide.columns)
        wide_cols = [c for c in frame.columns if c not in ("_row", "_label") and wide.fullmatch(c)]
        if not wide_cols:
            raise _fail(
                table.file,
                f"har ingen kolonner som passer {recipe.wide.columns!r}.",
                f"has no columns matching {recipe.wide.columns!r}.",
            )
        keys = {}
        for c in wide_cols:
            m = wide.fullmatch(c)
            assert m is not None
            key = m.group(1) if m.groups() else c
            keys[c] = recipe.wide.key_map.get(key, key)
        ids = [
            c for c in dict.fromkeys([*recipe.referenced_columns(), "_row", "_label", "_block"]) if c in frame.columns
        ]
        long = frame[ids + wide_cols].melt(id_vars=ids, value_vars=wide_cols, var_name="_column", value_name="_value")
        long["_key"] = long["_column"].map(keys)
    else:
        assert recipe.value is not None
        long = frame.assign(_value=_column(frame, recipe.value, table), _column=recipe.value)
        long["_key"] = None
    long = long.reset_index(drop=True)
    # period
    if recipe.wide is not None and recipe.wide.key == "period":
        raw_period = long["_key"]
        period_col = "(header)"
    else:
        assert recipe.period is not None
        if recipe.period.value is not None:
            raw_period = pd.Series([recipe.period.value] * len(long), index=long.index, dtype=object)
        else:
            raw_period = _column(long, recipe.period.column or "", table)
        period_col = recipe.period.column or "(period)"
    uniq_p = {p: parse_period(p) for p in raw_period.unique()}
    period = raw_period.map(uniq_p)
    bad_period = period.isna()
    for row, raw in zip(long.loc[bad_period, "_row"].head(20), raw_period[bad_period].head(20), strict=True):
        result.problems.append(
            _problem(table, row, period_col, f"perioden «{raw}» forstås ikke", f"cannot read the period “{raw}”")
        )
    result.skip("unreadable period", int(bad_period.sum()))
    long = long[~bad_period].assign(period=period[~bad_period])
    dates = {p: _structure_date(p, recipe) for p in long["period"].unique()}
    long["_codes_at"] = long["period"].map(dates)
    # region
    codes, codes_at = _region_codes(long, recipe, register, result)
    keep = codes.notna()
    long = long[keep].assign(region_code=codes[keep], _codes_at=codes_at[keep])
    long["region_kind"] = long["region_code"].map({c: _code_kind(c) for c in long["region_code"].unique()})
    level_ok = long["region_kind"].isin(spec.levels)
    result.skip("regions at other levels", int((~level_ok).sum()))
    long = long[level_ok]
    # indicator
    long["indicator_id"] = _template(long, recipe.indicator, long["_key"], table, texted)
    defined = {i.id for i in recipe.indicators}
    undefined = sorted(set(long["indicator_id"].unique()) - defined)
    if undefined:
        raise DataFileError(
            f"{table.file.name}: oppskriften {recipe.id} definerer ikke indikatorene {', '.join(undefined[:10])}.",
            message_en=f"{table.file.name}: the recipe {recipe.id} does not define the indicators {', '.join(undefined[:10])}.",
            hint="Legg dem til under indicators, eller filtrer radene bort med filters.drop.",
            hint_en="Add them under indicators, or drop the rows with filters.drop.",
            details={"undefined": undefined},
        )
    # breakdowns
    parts: dict[str, pd.Series] = {}
    for dim, bspec in recipe.breakdowns.items():
        if bspec.column == "key":
            raw_codes = long["_key"].astype(str)
        else:
            source_col = _column(long, bspec.column, table)
            raw_codes = source_col if bspec.column in texted else _text(source_col)
        parts[dim] = _breakdown_codes(raw_codes, bspec)
    breakdown = pd.Series(np.full(len(long), "", dtype=object), index=long.index)
    for ind in recipe.indicators:
        mask = long["indicator_id"] == ind.id
        if mask.any():
            sub = {d: s[mask] for d, s in parts.items()}
            breakdown[mask] = _breakdown_strings(sub, ind.breakdowns, long.index[mask])
    long["breakdown"] = breakdown
    # value and status
    values, status, bad = _parse_values(long["_value"], recipe)
    if recipe.status_column:
        flag = _text(_column(long, recipe.status_column, table)).map(recipe.status_map)
        status = status.where(flag.isna() | (status != "ok"), flag)
    scale = long["indicator_id"].map({i.id: i.scale for i in recipe.indicators})
    long["value"] = values * scale
    long["status"] = status
    n_bad = int(bad.sum())
    if n_bad:
        for row, col, raw in zip(
            long.loc[bad, "_row"].head(20),
            long.loc[bad, "_column"].head(20),
            long.loc[bad, "_value"].head(20),
            strict=True,
        ):
            result.problems.append(
                _problem(table, row, str(col), f"«{raw}» er ikke et tall", f"“{raw}” is not a number")
            )
        result.skip("unreadable value", n_bad)
        if n_bad > MAX_BAD_SHARE * max(len(long), 1):
            raise ImportValidationError(
                f"{table.file.name}: {n_bad} av {len(long)} verdier er ikke tall; filen passer ikke oppskriften {recipe.id}.",
                message_en=f"{table.file.name}: {n_bad} of {len(long)} values are not numbers; the file does not fit the recipe {recipe.id}.",
                problems=result.problems,
                hint="Sjekk desimaltegn, skilletegn og kolonner i oppskriften.",
                hint_en="Check the decimal mark, separator and columns in the recipe.",
            )
        long = long[~bad]
    long["_file"] = table.file.name
    result.frame = long.rename(columns={"_codes_at": "codes_at"})[list(LONG_COLUMNS)].reset_index(drop=True)
    return result


__all__ = [
    "LONG_COLUMNS",
    "LongResult",
    "NameIndex",
    "RawTable",
    "decode",
    "fold_name",
    "parse_period",
    "parse_region",
    "read_table",
    "sniff_separator",
    "to_long",
]
