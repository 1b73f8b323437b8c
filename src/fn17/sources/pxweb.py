"""SSB's statistics bank through PxWebApi v2 (``https://data.ssb.no/api/pxwebapi/v2/``), in JSON-stat2.

Endpoints used (all through one :class:`~fn17.sources.http.HttpSource`, so paced to
SSB's 30 queries a minute, retried, cached and available offline):

* ``GET tables?query=…`` — table search (:meth:`PxWebClient.search_tables`);
* ``GET tables/{id}/metadata?outputFormat=json-stat2`` — variables, values, roles,
  elimination and code lists (:meth:`PxWebClient.metadata`);
* ``GET codelists/{id}`` — the values of a code list such as ``agg_KommSummer``;
* ``GET tables/{id}/data?valueCodes[dim]=…&codelist[dim]=…&outputValues[dim]=…``
  (``POST`` with a ``selection`` body when the address would be longer than about
  2,000 characters) — the data (:meth:`PxWebClient.fetch_parts`, :meth:`PxWebClient.fetch`).

A :class:`PxQuery` is a saved query. Before fetching, FN17 compares it with the
table's current metadata and stops with a message naming the dimension when the
table has changed (a dimension gone, a new one that must be chosen, a value code
gone). It then counts the cells the query selects (expanding ``*``, ``?``,
``top()``, ``bottom()``, ``range()``, ``from()`` and ``to()`` against the metadata)
and splits a query above SSB's 800,000-cell limit by region first, then by time,
into parts that are fetched one by one and merged.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from fn17.errors import DataFileError, InvalidInputError, SourceError
from fn17.sources.http import HttpSource, SourceResponse
from fn17.sources.jsonstat import JsonStatTable, read_dimension, read_jsonstat, read_roles, to_observations

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_CELLS",
    "PXWEB_BASE",
    "CodelistRef",
    "PxPart",
    "PxQuery",
    "PxWebClient",
    "TableInfo",
    "TableMetadata",
    "TableSearchPage",
    "Variable",
    "expand_selection",
    "parse_metadata",
]

PXWEB_BASE = "https://data.ssb.no/api/pxwebapi/v2/"
#: SSB's limit on cells per query (``maxDataCells`` in the API's ``config``).
MAX_CELLS = 800_000
#: Longer GET addresses are sent as POST with a ``selection`` body instead.
MAX_URL_LENGTH = 2000
_TABLE_ID = re.compile(r"^[0-9A-Za-z]{3,20}$")
_EXPRESSION = re.compile(r"^\s*(top|bottom|range|from|to)\s*\((.*)\)\s*$", re.IGNORECASE)
_REGION_NAMES = ("Region", "KOKkommuneregion0000", "KOKfylkesregion0000")


# --------------------------------------------------------------------------- #
# the saved query                                                              #
# --------------------------------------------------------------------------- #
def join_value_codes(codes: Iterable[str]) -> str:
    """A ``valueCodes`` list for PxWebApi v2: codes joined by commas, an expression with a comma
    of its own (``range(000,005)``) wrapped in brackets so it stays one item."""
    return ",".join(f"[{c}]" if "," in c and not c.startswith("[") else c for c in codes)


@dataclass(frozen=True)
class PxQuery:
    """A PxWebApi v2 data query: value codes (codes or selection expressions) per dimension,
    optional code lists and output values per dimension, and the language."""

    table: str
    value_codes: Mapping[str, tuple[str, ...]]
    codelist: Mapping[str, str] = field(default_factory=dict)
    output_values: Mapping[str, str] = field(default_factory=dict)
    region_dimension: str | None = None
    lang: str = "no"

    def __post_init__(self) -> None:
        t = self.table
        if not _TABLE_ID.match(t):
            raise InvalidInputError(f"Tabellnummeret {t!r} er ugyldig; SSB-tabeller har fem sifre, f.eks. 07459.",
                                    message_en=f"The table number {t!r} is invalid; SSB tables have five digits, e.g. 07459.")  # fmt: skip
        for dim in (d for d, codes in self.value_codes.items() if not codes):
            raise InvalidInputError(f"Spørringen mot tabell {t} velger ingen verdier i dimensjonen «{dim}».",
                                    message_en=f"The query on table {t} selects no values in the dimension '{dim}'.",
                                    hint="Velg minst én verdikode, eller * for alle.",
                                    hint_en="Select at least one value code, or * for all.")  # fmt: skip
        for dim in (d for d in (*self.codelist, *self.output_values) if d not in self.value_codes):
            raise InvalidInputError(f"Spørringen mot tabell {t} gir kodeliste/utdata for «{dim}», men velger ingen verdier der.",
                                    message_en=f"The query on table {t} gives a code list/output for '{dim}' but selects no values there.")  # fmt: skip

    @classmethod
    def create(
        cls,
        table: str,
        value_codes: Mapping[str, str | Sequence[str]],
        *,
        codelist: Mapping[str, str] | None = None,
        output_values: Mapping[str, str] | None = None,
        region_dimension: str | None = None,
        lang: str = "no",
    ) -> PxQuery:
        codes = {dim: (v,) if isinstance(v, str) else tuple(v) for dim, v in value_codes.items()}
        return cls(table, codes, dict(codelist or {}), dict(output_values or {}), region_dimension, lang)

    @classmethod
    def from_source(cls, source: Any, *, regions: Sequence[str] = ("*",), lang: str = "no") -> PxQuery:
        """From a :class:`fn17.frameworks.fn17set.SourceQuery` of the FN17 indicator set."""
        if getattr(source, "provider", None) != "ssb" or getattr(source, "table", None) is None:
            raise InvalidInputError(
                f"Serien {getattr(source, 'series', '?')} har ingen SSB-tabell å hente.",
                message_en=f"Series {getattr(source, 'series', '?')} has no SSB table to fetch.",
            )
        value_codes: dict[str, Sequence[str]] = dict(source.value_codes)
        if source.region_dimension:
            value_codes.setdefault(source.region_dimension, tuple(regions))
        return cls.create(source.table, value_codes, codelist=dict(source.codelist),
                          region_dimension=source.region_dimension, lang=lang)  # fmt: skip

    def with_values(self, dim: str, codes: Sequence[str]) -> PxQuery:
        return replace(self, value_codes={**self.value_codes, dim: tuple(codes)})

    def params(self) -> list[tuple[str, str]]:
        """Query parameters for ``GET tables/{id}/data``; items with a comma are bracketed."""
        out = [("lang", self.lang), ("outputFormat", "json-stat2")]
        for dim, codes in self.value_codes.items():
            out.append((f"valueCodes[{dim}]", join_value_codes(codes)))
        out += [(f"codelist[{dim}]", cl) for dim, cl in self.codelist.items()]
        out += [(f"outputValues[{dim}]", ov) for dim, ov in self.output_values.items()]
        return out

    def post_params(self) -> list[tuple[str, str]]:
        out = [("lang", self.lang), ("outputFormat", "json-stat2")]
        return out + [(f"outputValues[{dim}]", ov) for dim, ov in self.output_values.items()]

    def post_body(self) -> dict[str, Any]:
        selection: list[dict[str, Any]] = []
        for dim, codes in self.value_codes.items():
            item: dict[str, Any] = {"variableCode": dim, "valueCodes": [c.strip("[]") for c in codes]}
            if dim in self.codelist:
                item["codelist"] = self.codelist[dim]
            selection.append(item)
        return {"selection": selection}

    def describe(self) -> str:
        """A short text for messages and the store's ``query`` column."""
        dims = "; ".join(f"{d}={','.join(c)}" for d, c in self.value_codes.items())
        extra = "".join(f"; codelist[{d}]={c}" for d, c in self.codelist.items())
        extra += "".join(f"; outputValues[{d}]={o}" for d, o in self.output_values.items())
        return f"{self.table}: {dims}{extra}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "value_codes": {d: list(c) for d, c in self.value_codes.items()},
            "codelist": dict(self.codelist),
            "output_values": dict(self.output_values),
            "region_dimension": self.region_dimension,
            "lang": self.lang,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PxQuery:
        try:
            return cls.create(
                str(data["table"]),
                {str(d): tuple(str(x) for x in c) for d, c in data["value_codes"].items()},
                codelist=data.get("codelist") or {},
                output_values=data.get("output_values") or {},
                region_dimension=data.get("region_dimension"),
                lang=str(data.get("lang", "no")),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise DataFileError(
                f"En lagret PxWeb-spørring mangler felt eller har feil form: {exc}.",
                message_en=f"A saved PxWeb query lacks a field or has the wrong shape: {exc}.",
                details={"query": dict(data) if isinstance(data, Mapping) else str(data)},
            ) from exc


def _split_args(text: str) -> list[str]:
    return [a.strip() for a in text.split(",")] if text.strip() else []


def expand_selection(items: Iterable[str], values: Sequence[str], *, time: bool = False, what: str = "") -> list[str]:
    """The codes a selection picks from ``values`` (in metadata order): codes, ``*``/``?`` wildcards,
    ``top(n[,offset])``, ``bottom(n[,offset])``, ``range(a,b)``, ``from(a)``, ``to(b)``.

    For the time dimension ``top`` picks the newest periods, as PxWebApi does. Codes that are not
    in ``values`` are kept (the dimension check reports them).
    """
    position = {v: i for i, v in enumerate(values)}
    chosen: dict[str, None] = {}

    def bad(item: str) -> InvalidInputError:
        return InvalidInputError(
            f"Utvalget {item!r}{what} forstås ikke eller peker på koder som ikke finnes.",
            message_en=f"The selection {item!r}{what} is not understood or names codes that do not exist.",
            hint="Bruk koder, * og ?, eller top(n), bottom(n), range(a,b), from(a), to(b).",
            hint_en="Use codes, * and ?, or top(n), bottom(n), range(a,b), from(a), to(b).",
        )

    for raw in items:
        item = raw.strip()
        if item.startswith("[") and item.endswith("]"):
            item = item[1:-1]
        m = _EXPRESSION.match(item)
        picked: Sequence[str]
        if m:
            name, args = m.group(1).lower(), _split_args(m.group(2))
            if name in ("top", "bottom"):
                if not 1 <= len(args) <= 2 or not all(a.isdigit() for a in args):
                    raise bad(raw)
                n, offset = int(args[0]), int(args[1]) if len(args) == 2 else 0
                newest_first = list(reversed(values)) if time else list(values)
                ordered = newest_first if name == "top" else newest_first[::-1]
                picked = ordered[offset : offset + n]
            elif name == "range":
                if len(args) != 2 or args[0] not in position or args[1] not in position:
                    raise bad(raw)
                lo, hi = sorted((position[args[0]], position[args[1]]))
                picked = values[lo : hi + 1]
            else:
                if len(args) != 1 or args[0] not in position:
                    raise bad(raw)
                picked = values[position[args[0]] :] if name == "from" else values[: position[args[0]] + 1]
        elif "*" in item or "?" in item:
            pattern = re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in item))
            picked = [v for v in values if pattern.fullmatch(v)]
        else:
            picked = [item]
        for code in picked:
            chosen[code] = None
    return list(chosen)


def _is_explicit(items: Iterable[str]) -> bool:
    return not any(("*" in i or "?" in i or _EXPRESSION.match(i.strip("[]"))) for i in items)


# --------------------------------------------------------------------------- #
# metadata                                                                     #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class CodelistRef:
    id: str
    label: str
    type: str


@dataclass(frozen=True)
class Variable:
    code: str
    label: str
    values: tuple[str, ...]
    value_labels: tuple[str, ...]
    role: str | None
    elimination: bool
    codelists: tuple[CodelistRef, ...] = ()


@dataclass(frozen=True)
class TableMetadata:
    table_id: str
    label: str
    updated: str | None
    variables: tuple[Variable, ...]
    notes: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.variables)

    def variable(self, code: str) -> Variable | None:
        return next((v for v in self.variables if v.code == code), None)

    def region_variable(self, hint: str | None = None) -> Variable | None:
        if hint is not None and self.variable(hint) is not None:
            return self.variable(hint)
        geo = next((v for v in self.variables if v.role == "geo"), None)
        return geo or next((v for v in self.variables if v.code in _REGION_NAMES), None)

    def time_variable(self) -> Variable | None:
        found = next((v for v in self.variables if v.role == "time"), None)
        return found or self.variable("Tid")


@dataclass(frozen=True)
class TableInfo:
    id: str
    label: str
    updated: str | None
    first_period: str | None
    last_period: str | None
    variable_names: tuple[str, ...]
    discontinued: bool


@dataclass(frozen=True)
class TableSearchPage:
    tables: tuple[TableInfo, ...]
    page_number: int
    page_size: int
    total: int
    total_pages: int


def _table_info(raw: Mapping[str, Any]) -> TableInfo:
    return TableInfo(
        id=str(raw.get("id", "")),
        label=str(raw.get("label", "")),
        updated=raw.get("updated"),
        first_period=raw.get("firstPeriod"),
        last_period=raw.get("lastPeriod"),
        variable_names=tuple(str(v) for v in raw.get("variableNames") or ()),
        discontinued=bool(raw.get("discontinued") or False),
    )


def _bad_payload(what: str, what_en: str, url: str) -> SourceError:
    return SourceError(
        f"SSB svarte med noe uventet for {what} ({url}).",
        message_en=f"SSB answered with something unexpected for {what_en} ({url}).",
        hint="PxWebApi kan ha endret format; prøv igjen senere, og meld fra hvis det gjentar seg.",
        hint_en="PxWebApi may have changed its format; try again later and report it if it persists.",
        details={"url": url},
    )


def parse_metadata(table_id: str, doc: Any, url: str = "") -> TableMetadata:
    """The JSON-stat2 metadata document of a table as :class:`TableMetadata`."""
    source = f"SSB-tabell {table_id} (metadata)"
    if (
        not isinstance(doc, Mapping)
        or not isinstance(doc.get("id"), list)
        or not isinstance(doc.get("dimension"), Mapping)
    ):
        raise _bad_payload(f"metadata til tabell {table_id}", f"the metadata of table {table_id}", url)
    roles = read_roles(doc)
    variables = []
    raw_sizes = doc.get("size")
    sizes: list[Any] = raw_sizes if isinstance(raw_sizes, list) else [None] * len(doc["id"])
    try:
        for dim_id, size in zip(doc["id"], sizes, strict=True):
            raw = doc["dimension"].get(dim_id)
            category = raw.get("category") if isinstance(raw, Mapping) else None
            index = category.get("index") if isinstance(category, Mapping) else None
            label_map = category.get("label") if isinstance(category, Mapping) else None
            n = size if isinstance(size, int) else len(index or label_map or ())
            dim = read_dimension(raw, str(dim_id), n, role=roles.get(dim_id), source=source)
            ext = raw.get("extension") if isinstance(raw, Mapping) else None
            ext = ext if isinstance(ext, Mapping) else {}
            lists = ext.get("codeLists") or ext.get("codelists") or ()
            refs = tuple(
                CodelistRef(str(c.get("id", "")), str(c.get("label", "")), str(c.get("type", "")))
                for c in lists
                if isinstance(c, Mapping)
            )
            variables.append(
                Variable(dim.id, dim.label, dim.codes, dim.labels, dim.role, bool(ext.get("elimination", False)), refs)
            )
    except (DataFileError, ValueError, AttributeError) as exc:
        raise _bad_payload(f"metadata til tabell {table_id}", f"the metadata of table {table_id}", url) from exc
    notes = tuple(str(n) for n in doc.get("note") or () if isinstance(n, str))
    return TableMetadata(table_id, str(doc.get("label", "")), doc.get("updated"), tuple(variables), notes)


# --------------------------------------------------------------------------- #
# the client                                                                   #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class PxPart:
    """One fetched part of a (possibly split) query: the part's query, the response, and its table."""

    query: PxQuery
    response: SourceResponse
    table: JsonStatTable


def _changed(table_id: str, dim: str, nb: str, en: str, **details: Any) -> SourceError:
    return SourceError(
        f"Tabell {table_id} har endret seg: {nb}",
        message_en=f"Table {table_id} has changed: {en}",
        hint="Oppdater spørringen (value_codes i indikatorfilen) etter tabellens metadata på ssb.no/statbank.",
        hint_en="Update the query (value_codes in the indicator file) from the table's metadata at ssb.no/statbank.",
        details={"table": table_id, "dimension": dim, **details},
    )


class PxWebClient:
    """SSB's PxWebApi v2: search, metadata, code lists, and data with splitting and change checks."""

    def __init__(
        self,
        http: HttpSource,
        *,
        base_url: str = PXWEB_BASE,
        max_cells: int = MAX_CELLS,
        max_url_length: int = MAX_URL_LENGTH,
    ) -> None:
        self.http = http
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.max_cells = max_cells
        self.max_url_length = max_url_length
        self._codelists: dict[tuple[str, str], tuple[str, ...]] = {}

    # -- discovery ----------------------------------------------------------------------------
    def search_tables(
        self,
        query: str | None = None,
        *,
        past_days: int | None = None,
        include_discontinued: bool = False,
        page_size: int = 100,
        page_number: int = 1,
        lang: str = "no",
    ) -> TableSearchPage:
        params = [("lang", lang), ("pageSize", str(page_size)), ("pageNumber", str(page_number))]
        if query:
            params.append(("query", query))
        if past_days is not None:
            params.append(("pastDays", str(past_days)))
        if include_discontinued:
            params.append(("includeDiscontinued", "true"))
        url = self.base_url + "tables"
        doc = self.http.get(url, params=params).json()
        if not isinstance(doc, Mapping) or not isinstance(doc.get("tables"), list):
            raise _bad_payload("tabellsøket", "the table search", url)
        raw_page = doc.get("page")
        page: Mapping[str, Any] = raw_page if isinstance(raw_page, Mapping) else {}
        tables = tuple(_table_info(t) for t in doc["tables"] if isinstance(t, Mapping))
        return TableSearchPage(
            tables=tables,
            page_number=int(page.get("pageNumber", page_number)),
            page_size=int(page.get("pageSize", page_size)),
            total=int(page.get("totalElements", len(tables))),
            total_pages=int(page.get("totalPages", 1)),
        )

    def table_info(self, table_id: str, *, lang: str = "no") -> TableInfo:
        url = f"{self.base_url}tables/{table_id}"
        doc = self.http.get(url, params=[("lang", lang)]).json()
        if not isinstance(doc, Mapping):
            raise _bad_payload(f"tabell {table_id}", f"table {table_id}", url)
        return _table_info(doc)

    def metadata(self, table_id: str, *, lang: str = "no", refresh: bool = False) -> TableMetadata:
        return self.metadata_with_response(table_id, lang=lang, refresh=refresh)[0]

    def metadata_with_response(
        self, table_id: str, *, lang: str = "no", refresh: bool = False
    ) -> tuple[TableMetadata, SourceResponse]:
        """The table's metadata and the raw response it came from (kept in snapshots)."""
        url = f"{self.base_url}tables/{table_id}/metadata"
        response = self.http.get(url, params=[("lang", lang), ("outputFormat", "json-stat2")], refresh=refresh)
        return parse_metadata(table_id, response.json(), response.url), response

    def codelist_values(self, codelist_id: str, *, lang: str = "no") -> tuple[str, ...]:
        """The value codes of a code list (``agg_KommSummer`` → ``K-3101``, …), cached for the session."""
        key = (codelist_id, lang)
        if key not in self._codelists:
            url = f"{self.base_url}codelists/{codelist_id}"
            doc = self.http.get(url, params=[("lang", lang)]).json()
            values = doc.get("values") if isinstance(doc, Mapping) else None
            if not isinstance(values, list):
                raise _bad_payload(f"kodelisten {codelist_id}", f"the code list {codelist_id}", url)
            self._codelists[key] = tuple(str(v["code"]) for v in values if isinstance(v, Mapping) and "code" in v)
        return self._codelists[key]

    # -- checks and planning ------------------------------------------------------------------
    def check(self, query: PxQuery, meta: TableMetadata) -> None:
        """Stop with a message naming the dimension when the table no longer fits the saved query."""
        t = query.table
        for dim in query.value_codes:
            if meta.variable(dim) is None:
                raise _changed(t, dim, f"dimensjonen «{dim}» finnes ikke lenger; tabellen har nå {', '.join(meta.codes)}.",
                               f"the dimension '{dim}' is gone; the table now has {', '.join(meta.codes)}.",
                               dimensions=list(meta.codes))  # fmt: skip
        for var in meta.variables:
            if var.code not in query.value_codes and not var.elimination:
                raise _changed(t, var.code, f"den har fått dimensjonen «{var.code}» ({var.label}), som må velges, men spørringen velger den ikke.",
                               f"it has a new dimension '{var.code}' ({var.label}) that must be selected, and the query does not select it.",
                               dimensions=list(meta.codes))  # fmt: skip
        for dim, codes in query.value_codes.items():
            found = meta.variable(dim)
            assert found is not None  # checked above
            var = found
            if dim in query.codelist:
                listed = {c.id for c in var.codelists}
                if listed and query.codelist[dim] not in listed:
                    raise _changed(t, dim, f"kodelisten «{query.codelist[dim]}» finnes ikke lenger for «{dim}»; tilgjengelige: {', '.join(sorted(listed))}.",
                                   f"the code list '{query.codelist[dim]}' no longer exists for '{dim}'; available: {', '.join(sorted(listed))}.",
                                   codelist=query.codelist[dim])  # fmt: skip
                continue
            known = set(var.values)
            missing = [c for c in codes if _is_explicit([c]) and c.strip("[]") not in known]
            if missing:
                raise _changed(t, dim, f"verdien(e) {', '.join(missing)} i dimensjonen «{dim}» finnes ikke lenger.",
                               f"the value(s) {', '.join(missing)} of the dimension '{dim}' no longer exist.",
                               values=missing)  # fmt: skip

    def _expanded(self, query: PxQuery, meta: TableMetadata) -> dict[str, list[str]]:
        """Per selected dimension, the codes the selection picks (run :meth:`check` first)."""
        time_var = meta.time_variable()
        out: dict[str, list[str]] = {}
        for dim, items in query.value_codes.items():
            what = f" i dimensjonen «{dim}» i tabell {query.table}"
            if dim in query.codelist and not _is_explicit(items):
                try:
                    values: Sequence[str] = self.codelist_values(query.codelist[dim], lang=query.lang)
                except SourceError as exc:
                    logger.warning(
                        "cannot list code list %s (%s); counting with the table's values",
                        query.codelist[dim],
                        exc.message_en,
                    )
                    var = meta.variable(dim)
                    out[dim] = expand_selection(items, var.values if var is not None else (), what=what)
                    continue
            elif dim in query.codelist:
                out[dim] = [i.strip("[]") for i in items]
                continue
            else:
                var = meta.variable(dim)
                values = var.values if var is not None else ()
            out[dim] = expand_selection(items, values, time=time_var is not None and dim == time_var.code, what=what)
        return out

    def count_cells(self, query: PxQuery, meta: TableMetadata) -> int:
        return math.prod(len(v) for v in self._expanded(query, meta).values())

    def plan(self, query: PxQuery, meta: TableMetadata) -> list[PxQuery]:
        """The query split into parts of at most ``max_cells`` cells: by region first, then by time."""
        expanded = self._expanded(query, meta)
        cells = math.prod(len(v) for v in expanded.values())
        if cells == 0:
            empty = next(d for d, v in expanded.items() if not v)
            raise InvalidInputError(
                f"Spørringen mot tabell {query.table} velger ingen verdier i dimensjonen «{empty}».",
                message_en=f"The query on table {query.table} selects no values in the dimension '{empty}'.",
            )
        if cells <= self.max_cells:
            return [query]
        region = meta.region_variable(query.region_dimension)
        time_var = meta.time_variable()
        order = [v.code for v in (region, time_var) if v is not None and v.code in expanded]
        order += sorted((d for d in expanded if d not in order), key=lambda d: -len(expanded[d]))
        parts = self._split(query, expanded, order, cells)
        logger.info("table %s: %d cells split into %d queries", query.table, cells, len(parts))
        return parts

    def _split(self, query: PxQuery, expanded: dict[str, list[str]], order: list[str], cells: int) -> list[PxQuery]:
        if cells <= self.max_cells:
            return [query]
        dim = next((d for d in order if len(expanded[d]) > 1), None)
        if dim is None:
            raise SourceError(
                f"Tabell {query.table}: spørringen kan ikke deles under {self.max_cells} celler.",
                message_en=f"Table {query.table}: the query cannot be split below {self.max_cells} cells.",
            )
        codes = expanded[dim]
        rest = cells // len(codes)
        chunk = max(1, self.max_cells // rest)
        parts: list[PxQuery] = []
        for i in range(0, len(codes), chunk):
            sub = codes[i : i + chunk]
            parts += self._split(query.with_values(dim, sub), {**expanded, dim: sub}, order, rest * len(sub))
        return parts

    # -- data ---------------------------------------------------------------------------------
    def _request_part(self, part: PxQuery, *, refresh: bool) -> SourceResponse:
        url = f"{self.base_url}tables/{part.table}/data"
        if len(self.http.build_url(url, part.params())) <= self.max_url_length:
            return self.http.get(url, params=part.params(), refresh=refresh)
        return self.http.post(url, params=part.post_params(), json_body=part.post_body(), refresh=refresh)

    def fetch_parts(self, query: PxQuery, *, meta: TableMetadata | None = None, refresh: bool = False) -> list[PxPart]:
        """Check the query against the table, split it, fetch every part and read it as JSON-stat."""
        meta = meta or self.metadata(query.table, lang=query.lang)
        self.check(query, meta)
        out = []
        for part in self.plan(query, meta):
            response = self._request_part(part, refresh=refresh)
            out.append(PxPart(part, response, self.read_part(part, response.json(), meta)))
        return out

    def read_part(self, part: PxQuery, doc: Any, meta: TableMetadata | None = None) -> JsonStatTable:
        """Read one response as JSON-stat; a malformed one or one with unexpected dimensions is a SourceError."""
        try:
            table = read_jsonstat(doc, source=f"SSB-tabell {part.table}")
        except DataFileError as exc:
            raise SourceError(exc.message, message_en=exc.message_en, hint=exc.hint, hint_en=exc.hint_en,
                              details=exc.details) from exc  # fmt: skip
        for dim in part.value_codes:
            if dim not in table.ids:
                raise _changed(part.table, dim, f"svaret mangler dimensjonen «{dim}»; det har {', '.join(table.ids)}.",
                               f"the response lacks the dimension '{dim}'; it has {', '.join(table.ids)}.",
                               dimensions=list(table.ids))  # fmt: skip
        if meta is not None:
            for dim in table.ids:
                if meta.variable(dim) is None:
                    raise _changed(part.table, dim, f"svaret har en ukjent dimensjon «{dim}».",
                                   f"the response has an unknown dimension '{dim}'.", dimensions=list(table.ids))  # fmt: skip
        return table

    def fetch(self, query: PxQuery, *, refresh: bool = False) -> pd.DataFrame:
        """The query's data as canonical observation records, every part merged."""
        frames = [
            to_observations(
                p.table,
                table_id=query.table,
                query=p.response.query_text,
                retrieved_at=p.response.retrieved_at,
                region_dimension=query.region_dimension if query.region_dimension in p.table.ids else None,
            )
            for p in self.fetch_parts(query, refresh=refresh)
        ]
        if len(frames) == 1:
            return frames[0]
        merged = pd.concat(frames, ignore_index=True)
        for col in ("indicator_id", "region_code", "period", "breakdown", "status", "source", "source_table"):
            merged[col] = merged[col].astype("category")
        return merged
