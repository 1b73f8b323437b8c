"""A fast JSON-stat 2.0 reader: bytes → :class:`JsonStatTable` → canonical observation records.

JSON-stat stores a cube as a flat ``value`` array in row-major order over the
dimensions in ``id`` (the last dimension varies fastest). FN17 never walks the
cube cell by cell in Python: each dimension's category position per cell is one
``numpy`` ``repeat``/``tile`` of ``arange(size)`` (the unravelled stride index),
and every text column is a ``pandas.Categorical`` built from those integer codes,
so half a million cells cost little more than parsing the JSON itself
(``bench/jsonstat.py`` measures it against ``pyjstat`` and bare ``orjson.loads``).

Handled: ``value`` as a list or as a sparse ``{"index": value}`` object;
``status`` as one string for every cell, a list, or a sparse object;
``category.index`` as a list, an object, or absent (one category); missing
labels; the dimension roles ``time``, ``geo`` and ``metric``.

Status symbols (SSB's standard table symbols) become the store's statuses:

=========  ===============  =========================================
symbol     status           meaning
=========  ===============  =========================================
(none)     ``ok``           a value (``missing`` when the value is null)
``:``      ``suppressed``   hidden for confidentiality
``..``     ``missing``      figure not available
``...``    ``missing``      figure not yet available
``.``      ``missing``      not possible to give a figure (not applicable)
``-``      ``zero``         nil; the value becomes 0 when it is null
``*``      ``provisional``  provisional figure
=========  ===============  =========================================

Anything malformed raises :class:`~fn17.errors.DataFileError` naming the source
and the fault (the PxWeb client re-raises it as a :class:`~fn17.errors.SourceError`).
"""

from __future__ import annotations

import itertools
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from fn17.errors import DataFileError

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_CELLS",
    "OBSERVATION_COLUMNS",
    "STATUSES",
    "SYMBOL_STATUS",
    "Dimension",
    "JsonStatTable",
    "normalise_region_code",
    "read_dimension",
    "read_jsonstat",
    "read_roles",
    "to_observations",
]

#: The largest cube FN17 will materialise from one document (guards sparse documents with huge sizes).
MAX_CELLS = 20_000_000
#: The store's statuses, in the order of the categorical codes used below.
STATUSES: tuple[str, ...] = ("ok", "suppressed", "missing", "zero", "provisional")
_OK, _SUPPRESSED, _MISSING, _ZERO, _PROVISIONAL = range(5)
SYMBOL_STATUS: Mapping[str, str] = {
    ":": "suppressed",
    "..": "missing",
    "...": "missing",
    ".": "missing",
    "-": "zero",
    "*": "provisional",
}
_SYMBOL_CODE = {sym: STATUSES.index(status) for sym, status in SYMBOL_STATUS.items()}
OBSERVATION_COLUMNS: tuple[str, ...] = (
    "indicator_id", "region_code", "period", "breakdown", "value", "status", "source",
    "source_table", "query", "retrieved_at", "original_region_code", "harmonisation",
)  # fmt: skip
_REGION_PREFIX = re.compile(r"^[KFB]-(\d+)$")
_REGION_DIM_NAMES = ("Region", "KOKkommuneregion0000", "KOKfylkesregion0000", "KOKbydelsregion0000")


@dataclass(frozen=True)
class Dimension:
    """One dimension: its categories in position order, their labels, and its role."""

    id: str
    label: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    role: str | None = None

    @property
    def size(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class JsonStatTable:
    """A JSON-stat dataset held as arrays: ``values`` (float64, NaN for null) and sparse status symbols."""

    label: str
    updated: str | None
    dimensions: tuple[Dimension, ...]
    values: np.ndarray
    status_positions: np.ndarray  # int64 cell positions that carry a status symbol
    status_symbols: np.ndarray  # object array of symbols, aligned with status_positions
    source: str = "JSON-stat"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions)

    @property
    def size(self) -> tuple[int, ...]:
        return tuple(d.size for d in self.dimensions)

    @property
    def cells(self) -> int:
        return int(self.values.shape[0])

    def dimension(self, dim_id: str) -> Dimension:
        for dim in self.dimensions:
            if dim.id == dim_id:
                return dim
        raise DataFileError(
            f"{self.source}: dimensjonen {dim_id!r} finnes ikke; tabellen har {', '.join(self.ids)}.",
            message_en=f"{self.source}: there is no dimension {dim_id!r}; the table has {', '.join(self.ids)}.",
            details={"dimension": dim_id, "dimensions": list(self.ids)},
        )

    def role(self, role: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.role == role), None)

    def positions(self, dim_id: str) -> np.ndarray:
        """Each cell's category position in ``dim_id``: the unravelled stride index, vectorised."""
        k = self.ids.index(dim_id) if dim_id in self.ids else -1
        if k < 0:
            self.dimension(dim_id)  # raises with the message
        sizes = self.size
        inner = math.prod(sizes[k + 1 :])
        outer = math.prod(sizes[:k])
        dtype = np.int16 if sizes[k] < 2**15 else np.int32
        base = np.arange(sizes[k], dtype=dtype)
        return np.tile(np.repeat(base, inner), outer)

    def symbols(self) -> np.ndarray:
        """Dense object array of status symbols (None where a cell has none)."""
        dense = np.full(self.cells, None, dtype=object)
        dense[self.status_positions] = self.status_symbols
        return dense

    def status_codes(self) -> np.ndarray:
        """Each cell's store status as a code into :data:`STATUSES` (vectorised over distinct symbols)."""
        codes: np.ndarray = np.isnan(self.values).view(np.int8) * np.int8(_MISSING)
        if self.status_positions.size:
            which, uniques = pd.factorize(self.status_symbols)
            lookup = np.array([_SYMBOL_CODE.get(sym, -1) for sym in uniques], dtype=np.int8)
            unknown = [sym for sym, code in zip(uniques, lookup, strict=True) if code < 0]
            if unknown:
                logger.warning("%s: unknown status symbols %s kept as ok/missing", self.source, sorted(unknown))
            mapped = lookup[which]
            known = mapped >= 0
            codes[self.status_positions[known]] = mapped[known]
        return codes

    def to_frame(self, *, labels: bool = False) -> pd.DataFrame:
        """One row per cell: a categorical column per dimension (codes, or labels), ``value``, ``symbol``."""
        columns: dict[str, Any] = {}
        for dim in self.dimensions:
            cats = dim.labels if labels else dim.codes
            columns[dim.id] = _categorical(self.positions(dim.id), cats)
        columns["value"] = self.values
        columns["symbol"] = self.symbols()
        return pd.DataFrame(columns, copy=False)


# --------------------------------------------------------------------------- #
# reading                                                                      #
# --------------------------------------------------------------------------- #
def _fail(source: str, nb: str, en: str, **details: Any) -> DataFileError:
    return DataFileError(
        f"{source}: {nb}",
        message_en=f"{source}: {en}",
        hint="Dokumentet er ikke gyldig JSON-stat 2.0; hent det på nytt, eller meld fra om feilen til kilden.",
        hint_en="The document is not valid JSON-stat 2.0; fetch it again, or report the fault to the source.",
        details={"source": source, **details},
    )


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _read_dimension(source: str, dim_id: str, raw: Any, size: int) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        raise _fail(source, f"dimensjonen {dim_id!r} mangler eller er ikke et objekt.",
                    f"dimension {dim_id!r} is missing or not an object.", dimension=dim_id)  # fmt: skip
    category = raw.get("category")
    if not isinstance(category, Mapping):
        raise _fail(source, f"dimensjonen {dim_id!r} har ingen category.",
                    f"dimension {dim_id!r} has no category.", dimension=dim_id)  # fmt: skip
    index = category.get("index")
    label_map = category.get("label")
    if label_map is not None and not isinstance(label_map, Mapping):
        raise _fail(source, f"category.label i {dim_id!r} er ikke et objekt.",
                    f"category.label of {dim_id!r} is not an object.", dimension=dim_id)  # fmt: skip
    codes: list[str]
    if index is None:
        if not label_map:
            raise _fail(source, f"dimensjonen {dim_id!r} har verken category.index eller category.label.",
                        f"dimension {dim_id!r} has neither category.index nor category.label.", dimension=dim_id)  # fmt: skip
        codes = [str(k) for k in label_map]
    elif isinstance(index, list):
        if not all(isinstance(c, str) for c in index):
            raise _fail(source, f"category.index i {dim_id!r} inneholder noe annet enn tekst.",
                        f"category.index of {dim_id!r} holds something other than strings.", dimension=dim_id)  # fmt: skip
        codes = index
    elif isinstance(index, Mapping):
        slots: list[str | None] = [None] * len(index)
        for code, pos in index.items():
            p = _as_int(pos)
            if p is None or not 0 <= p < len(slots) or slots[p] is not None:
                raise _fail(source, f"category.index i {dim_id!r} har en ugyldig eller dobbel posisjon ({code!r}: {pos!r}).",
                            f"category.index of {dim_id!r} has an invalid or repeated position ({code!r}: {pos!r}).",
                            dimension=dim_id)  # fmt: skip
            slots[p] = str(code)
        codes = [c for c in slots if c is not None]
    else:
        raise _fail(source, f"category.index i {dim_id!r} er verken liste eller objekt.",
                    f"category.index of {dim_id!r} is neither a list nor an object.", dimension=dim_id)  # fmt: skip
    if len(codes) != size:
        raise _fail(source, f"dimensjonen {dim_id!r} har {len(codes)} kategorier, men size sier {size}.",
                    f"dimension {dim_id!r} has {len(codes)} categories, but size says {size}.",
                    dimension=dim_id, categories=len(codes), size=size)  # fmt: skip
    if len(set(codes)) != len(codes):
        raise _fail(source, f"dimensjonen {dim_id!r} har samme kategori flere ganger.",
                    f"dimension {dim_id!r} repeats a category.", dimension=dim_id)  # fmt: skip
    labels = label_map or {}
    label_tuple = tuple(str(labels.get(c, c)) for c in codes)
    dim_label = raw.get("label")
    return (str(dim_label) if dim_label is not None else dim_id), tuple(codes), label_tuple


def read_dimension(
    raw: Any, dim_id: str, size: int, *, role: str | None = None, source: str = "JSON-stat"
) -> Dimension:
    """One JSON-stat dimension object (``{"label", "category": {"index", "label"}}``) as a :class:`Dimension`."""
    label, codes, labels = _read_dimension(source, dim_id, raw, size)
    return Dimension(dim_id, label, codes, labels, role)


def read_roles(doc: Mapping[str, Any]) -> dict[str, str]:
    """``{"time": ["Tid"], "geo": ["Region"]}`` turned round: dimension id → role."""
    roles: dict[str, str] = {}
    role_doc = doc.get("role")
    if isinstance(role_doc, Mapping):
        for role, members in role_doc.items():
            if isinstance(members, list):
                for m in members:
                    if isinstance(m, str):
                        roles.setdefault(m, str(role))
    return roles


def _read_values(source: str, raw: Any, cells: int, sizes: Sequence[int]) -> np.ndarray:
    shape = " × ".join(str(s) for s in sizes) or "1"
    if isinstance(raw, list):
        if len(raw) != cells:
            raise _fail(source, f"tabellen har {len(raw)} verdier, men dimensjonene gir {cells} celler ({shape}).",
                        f"the table has {len(raw)} values, but the dimensions make {cells} cells ({shape}).",
                        values=len(raw), cells=cells)  # fmt: skip
        try:
            return _floats(raw)
        except (ValueError, TypeError, OverflowError) as exc:
            bad = next((i for i, v in enumerate(raw) if not _numberish(v)), None)
            raise _fail(source, f"verdi nummer {bad} ({raw[bad]!r}) er ikke et tall." if bad is not None
                        else "verdiene kan ikke leses som tall.",
                        f"value number {bad} ({raw[bad]!r}) is not a number." if bad is not None
                        else "the values cannot be read as numbers.", position=bad) from exc  # fmt: skip
    if isinstance(raw, Mapping):
        values = np.full(cells, np.nan)
        if not raw:
            return values
        try:
            pos = _cell_numbers(list(raw))
            vals = _floats(list(raw.values()))
        except (ValueError, TypeError, OverflowError) as exc:
            raise _fail(source, "value-objektet har nøkler som ikke er cellenumre, eller verdier som ikke er tall.",
                        "the value object has keys that are not cell numbers, or values that are not numbers.") from exc  # fmt: skip
        if vals.ndim != 1 or pos.min() < 0 or pos.max() >= cells:
            raise _fail(source, f"value-objektet peker utenfor tabellens {cells} celler.",
                        f"the value object points outside the table's {cells} cells.", cells=cells)  # fmt: skip
        values[pos] = vals
        return values
    raise _fail(source, "value mangler eller er verken liste eller objekt.",
                "value is missing or neither a list nor an object.")  # fmt: skip


def _floats(raw: list[Any]) -> np.ndarray:
    """A list of numbers and nulls as float64 (NaN for null): Arrow's converter, numpy's as the fallback."""
    try:
        return np.asarray(pa.array(raw, type=pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        values = np.array(raw, dtype=np.float64)  # accepts numeric strings; raises on anything else
    if values.ndim != 1:
        raise ValueError("nested lists")
    return values


def _cell_numbers(keys: list[str]) -> np.ndarray:
    """Sparse-object keys ("12") as int64 cell numbers; raises ValueError on anything else."""
    try:
        return np.asarray(pa.array(keys, type=pa.string()).cast(pa.int64()).to_numpy(), dtype=np.int64)
    except (pa.ArrowException, TypeError):
        return np.fromiter(map(int, keys), dtype=np.int64, count=len(keys))


def _numberish(v: Any) -> bool:
    if v is None or (isinstance(v, int | float) and not isinstance(v, bool)):
        return True
    if isinstance(v, str):
        try:
            float(v)
        except ValueError:
            return False
        return True
    return False


def _read_status(source: str, raw: Any, cells: int) -> tuple[np.ndarray, np.ndarray]:
    empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=object))
    if raw is None:
        return empty
    if isinstance(raw, str):
        if not raw or cells == 0:
            return empty
        return np.arange(cells, dtype=np.int64), np.full(cells, raw, dtype=object)
    if isinstance(raw, list):
        if len(raw) == 1 and cells != 1:
            return _read_status(source, raw[0], cells)
        if len(raw) != cells:
            raise _fail(source, f"status har {len(raw)} elementer, men tabellen har {cells} celler.",
                        f"status has {len(raw)} entries, but the table has {cells} cells.")  # fmt: skip
        pos_list = [i for i, s in enumerate(raw) if s]
        syms = [raw[i] for i in pos_list]
        if not all(isinstance(s, str) for s in syms):
            raise _fail(source, "status inneholder noe annet enn tekst.", "status holds something other than strings.")
        return np.array(pos_list, dtype=np.int64), np.array(syms, dtype=object)
    if isinstance(raw, Mapping):
        if not raw:
            return empty
        bad = _fail(source, f"status-objektet har nøkler utenfor tabellens {cells} celler eller symboler som ikke er tekst.",
                    f"the status object has keys outside the table's {cells} cells or symbols that are not strings.")  # fmt: skip
        try:
            positions = _cell_numbers(list(raw))
            distinct = set(raw.values())
        except (ValueError, TypeError, OverflowError) as exc:
            raise bad from exc
        if (
            positions.min() < 0
            or positions.max() >= cells
            or not all(isinstance(s, str) or s is None for s in distinct)
        ):
            raise bad
        symbols = np.array(list(raw.values()), dtype=object)
        if "" in distinct or None in distinct:  # no symbol: skip
            keep = np.array([bool(s) for s in symbols], dtype=bool)
            positions, symbols = positions[keep], symbols[keep]
        return positions, symbols
    raise _fail(
        source, "status er verken tekst, liste eller objekt.", "status is neither a string, a list nor an object."
    )


def read_jsonstat(data: bytes | str | Mapping[str, Any], *, source: str = "JSON-stat") -> JsonStatTable:
    """Read one JSON-stat 2.0 dataset; ``source`` names it in error messages (e.g. ``"SSB-tabell 07459"``)."""
    if isinstance(data, bytes | str):
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise _fail(source, f"ikke gyldig JSON ({exc.msg}, tegn {exc.pos}).",
                        f"not valid JSON ({exc.msg}, character {exc.pos}).", position=exc.pos) from exc  # fmt: skip
    else:
        doc = data
    if not isinstance(doc, Mapping):
        raise _fail(source, "dokumentet er ikke et JSON-objekt.", "the document is not a JSON object.")
    klass = doc.get("class")
    if klass in ("collection", "bundle") or (klass is None and "dimension" not in doc and "id" not in doc):
        raise _fail(source, "dokumentet er en samling eller JSON-stat 1; FN17 leser ett JSON-stat 2.0-datasett.",
                    "the document is a collection or JSON-stat 1; FN17 reads one JSON-stat 2.0 dataset.")  # fmt: skip
    ids, sizes, dims = doc.get("id"), doc.get("size"), doc.get("dimension")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise _fail(source, "id mangler eller er ikke en liste med dimensjonsnavn.",
                    "id is missing or not a list of dimension names.")  # fmt: skip
    if len(set(ids)) != len(ids):
        raise _fail(source, f"id nevner samme dimensjon flere ganger: {ids}.", f"id names a dimension twice: {ids}.")
    if (
        not isinstance(sizes, list)
        or len(sizes) != len(ids)
        or any(_as_int(s) is None or isinstance(s, str) for s in sizes)
    ):
        raise _fail(source, f"size må være en liste med {len(ids)} heltall, én per dimensjon.",
                    f"size must be a list of {len(ids)} integers, one per dimension.")  # fmt: skip
    if not isinstance(dims, Mapping):
        raise _fail(source, "dimension mangler.", "dimension is missing.")
    size_ints = [int(s) for s in sizes]
    cells = math.prod(size_ints)
    if cells > MAX_CELLS:
        raise _fail(source, f"tabellen har {cells} celler; FN17 leser høyst {MAX_CELLS} fra ett dokument.",
                    f"the table has {cells} cells; FN17 reads at most {MAX_CELLS} from one document.", cells=cells)  # fmt: skip
    roles = read_roles(doc)
    dimensions = [
        read_dimension(dims.get(dim_id), dim_id, size, role=roles.get(dim_id), source=source)
        for dim_id, size in zip(ids, size_ints, strict=True)
    ]
    values = _read_values(source, doc.get("value"), cells, size_ints)
    positions, symbols = _read_status(source, doc.get("status"), cells)
    updated = doc.get("updated")
    return JsonStatTable(
        label=str(doc.get("label") or ""),
        updated=str(updated) if updated is not None else None,
        dimensions=tuple(dimensions),
        values=values,
        status_positions=positions,
        status_symbols=symbols,
        source=source,
    )


# --------------------------------------------------------------------------- #
# observations                                                                 #
# --------------------------------------------------------------------------- #
def normalise_region_code(code: str) -> str:
    """SSB's aggregated region codes to plain codes: ``K-3101`` → ``3101``, ``F-03`` → ``03``."""
    m = _REGION_PREFIX.match(code)
    return m.group(1) if m else code


def _from_codes(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical[Any]:
    """A categorical from integer codes (−1 = missing) and distinct categories, without copying text."""
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(categories)))


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical[Any]:
    if len(set(categories)) != len(categories):  # e.g. two source codes normalised to the same code
        uniq = list(dict.fromkeys(categories))
        where = {c: i for i, c in enumerate(uniq)}
        lookup = np.array([where[c] for c in categories], dtype=np.int32)
        return _from_codes(lookup[codes], uniq)
    return _from_codes(codes, categories)


def _constant(value: str | None, n: int) -> pd.Categorical[Any]:
    if value is None:
        return _from_codes(np.full(n, -1, dtype=np.int8), [])
    return _from_codes(np.zeros(n, dtype=np.int8), [value])


def _pick(table: JsonStatTable, explicit: str | None, role: str, names: Sequence[str]) -> Dimension | None:
    if explicit is not None:
        return table.dimension(explicit)
    found = table.role(role)
    if found is not None:
        return found
    return next((d for d in table.dimensions if d.id in names), None)


def to_observations(
    table: JsonStatTable,
    *,
    table_id: str,
    source: str | None = None,
    indicator_prefix: str | None = None,
    query: str = "",
    retrieved_at: datetime | None = None,
    region_dimension: str | None = None,
    time_dimension: str | None = None,
    metric_dimension: str | None = None,
    include_labels: bool = False,
) -> pd.DataFrame:
    """The table as canonical observation records (columns :data:`OBSERVATION_COLUMNS`), one row per cell.

    ``indicator_id`` is ``"{prefix}:{metric code}"`` (``"ssb:07459:Personer1"``); regions are
    normalised (``K-3101`` → ``3101``) but not yet carried across reforms: the loader does that and
    fills ``original_region_code`` and ``harmonisation``. A table without a region dimension is
    national (``"0"``). Every other dimension goes into ``breakdown`` (``"Alder=005;Kjonn=2"``).
    ``include_labels=True`` adds ``region_label``.
    """
    n = table.cells
    prefix = indicator_prefix or f"ssb:{table_id}"
    source = source or f"ssb:{table_id}"
    time_dim = _pick(table, time_dimension, "time", ("Tid",))
    if time_dim is None:
        raise _fail(table.source, f"fant ingen tidsdimensjon blant {', '.join(table.ids)}.",
                    f"found no time dimension among {', '.join(table.ids)}.", dimensions=list(table.ids))  # fmt: skip
    region_dim = _pick(table, region_dimension, "geo", _REGION_DIM_NAMES)
    metric_dim = _pick(table, metric_dimension, "metric", ("ContentsCode",))
    used = {time_dim.id} | {d.id for d in (region_dim, metric_dim) if d is not None}

    if metric_dim is not None:
        indicator = _categorical(table.positions(metric_dim.id), [f"{prefix}:{c}" for c in metric_dim.codes])
    else:
        indicator = _constant(prefix, n)
    if region_dim is not None:
        region_pos = table.positions(region_dim.id)
        region = _categorical(region_pos, [normalise_region_code(c) for c in region_dim.codes])
    else:
        region = _constant("0", n)

    extra = sorted((d for d in table.dimensions if d.id not in used), key=lambda d: d.id)
    if extra:
        combined = table.positions(extra[0].id)
        if len(extra) > 1:
            combined = combined.astype(np.int32 if math.prod(d.size for d in extra) < 2**31 else np.int64)
            for dim in extra[1:]:
                combined *= dim.size
                combined += table.positions(dim.id)
        labels = [";".join(parts) for parts in itertools.product(*([f"{d.id}={c}" for c in d.codes] for d in extra))]
        breakdown = _categorical(combined, labels)  # codes holding ';' or '=' could collide
    else:
        breakdown = _constant("", n)

    status = table.status_codes()
    values = table.values
    zero_fill = (status == _ZERO) & np.isnan(values)
    if zero_fill.any():
        values = values.copy()
        values[zero_fill] = 0.0
    stamp = pd.Timestamp(retrieved_at) if retrieved_at is not None else None
    if stamp is not None:
        stamp = (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")).as_unit("ns")
    ticks = np.full(n, stamp.value if stamp is not None else np.iinfo(np.int64).min, dtype=np.int64)
    retrieved = pd.DatetimeIndex(ticks.view("datetime64[ns]"), tz="UTC")
    columns: dict[str, Any] = {
        "indicator_id": indicator,
        "region_code": region,
        "period": _categorical(table.positions(time_dim.id), time_dim.codes),
        "breakdown": breakdown,
        "value": values,
        "status": _from_codes(status, STATUSES),
        "source": _constant(source, n),
        "source_table": _constant(table_id, n),
        "query": _constant(query, n),
        "retrieved_at": retrieved,
        "original_region_code": _constant(None, n),
        "harmonisation": _constant(None, n),
    }
    if include_labels and region_dim is not None:
        columns["region_label"] = _categorical(region_pos, region_dim.labels)
    return pd.DataFrame(columns, copy=False)
