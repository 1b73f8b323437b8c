"""Open data: what the API offers, where the numbers come from and under which terms, and the
bulk download of every observation of one region.

The download is streamed: rows are read from the store in batches (``yield_per``) and
written out as they come, so a large region never sits whole in memory. Each row keeps its
provenance: source, source table, query, retrieval time, and — for values carried across a
municipal reform — the original region code and the rule used.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import func, select

from fn17.config import Lang
from fn17.errors import InvalidInputError
from fn17.i18n import t
from fn17.services.status import imports
from fn17.store.tables import indicators, observations
from fn17.workspace import Workspace

COLUMNS = ("region_code", "indicator_id", "indicator_name", "period", "breakdown", "value", "unit", "status", "source",
           "source_table", "query", "retrieved_at", "original_code", "carry_rule")
BATCH = 5000

#: Publishers of the sources FN17 reads, with the terms they publish their data under.
#: "see_source" means: read the publisher's terms before re-publishing.
PUBLISHERS: dict[str, tuple[str, str, str]] = {
    # first word of the import's source or recipe id: (publisher, licence, address)
    "ssb": ("Statistisk sentralbyrå (SSB)", "CC BY 4.0", "https://www.ssb.no"),
    "fhi": ("Folkehelseinstituttet (FHI)", "see_source", "https://www.fhi.no"),
    "imdi": ("Integrerings- og mangfoldsdirektoratet (IMDi)", "see_source", "https://www.imdi.no"),
    "nav": ("NAV (via SSB)", "see_source", "https://www.nav.no"),
    "nve": ("NVE / Elhub", "see_source", "https://www.nve.no"),
    "valg": ("Valgdirektoratet", "see_source", "https://www.valg.no"),
    "telemark": ("Telemark fylkeskommune (SSB, Miljødirektoratet)", "see_source", "https://www.telemark.no"),
    "geo": ("Kartverket", "CC BY 4.0", "https://www.kartverket.no"),
    "taxonomy": ("KS (data.norge.no)", "see_source", "https://data.norge.no"),
}


@dataclass(frozen=True)
class Endpoint:
    path: str
    formats: str
    what: str


@dataclass(frozen=True)
class SourceRow:
    source: str
    publisher: str
    licence: str
    url: str
    last_import: datetime | None
    rows: int


@dataclass(frozen=True)
class OpenDataPage:
    endpoints: list[Endpoint]
    sources: list[SourceRow]
    example_code: str
    example_name: str

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return ["path", "formats", "description"], [[e.path, e.formats, e.what] for e in self.endpoints]


def _publisher(source: str) -> tuple[str, str, str]:
    kind, _, rest = source.partition(":")
    if kind == "recipe":
        kind = rest.split("-")[0]
    return PUBLISHERS.get(kind, (source, "see_source", ""))


def open_data_page(ws: Workspace, lang: Lang = "nb") -> OpenDataPage:
    """The API's page types and twins, and every source in the store with its terms and last import."""
    paths = [
        ("/", "html json csv", "explore.api_overview"),
        ("/region/{kode}", "html json", "explore.api_region"),
        ("/region/{kode}/mal/{n}", "html json csv", "explore.api_goal_region"),
        ("/indikator/{id}", "html json csv", "explore.api_indicator"),
        ("/sammenlign?r=…", "html json csv", "explore.api_compare"),
        ("/katalog", "html json csv", "explore.api_catalogue"),
        ("/katalog/{rammeverk}/{id}", "html json", "explore.api_catalogue_item"),
        ("/datastatus", "html json csv", "explore.api_status"),
        ("/datastatus/{id}", "html json csv", "explore.api_status_item"),
        ("/innbygger/{kode}", "html json csv", "explore.api_public"),
        ("/mal/{n}", "html json csv", "explore.api_goal"),
        ("/apne-data/{kode}.csv", "csv json", "explore.api_bulk"),
        ("/api/openapi.json", "json", "explore.api_openapi"),
    ]
    sources = []
    for imp in imports(ws):
        if imp.status != "ok":
            continue
        publisher, licence, url = _publisher(imp.source)
        sources.append(SourceRow(imp.source, publisher, t("explore.licence_see_source", lang) if licence == "see_source" else licence,
                                 url, imp.finished_at, imp.rows))
    return OpenDataPage(
        endpoints=[Endpoint(p, f, t(k, lang)) for p, f, k in paths], sources=sources,
        example_code="1508", example_name=ws.register.get("1508").name,
    )


def check_region(ws: Workspace, code: str) -> str:
    """A current municipality or county code, or an error that names the fix."""
    code = code.strip()
    if not code.isdigit() or len(code) not in (2, 4):
        raise InvalidInputError(
            f"«{code}» er ikke et kommunenummer (fire sifre) eller fylkesnummer (to sifre).",
            message_en=f"“{code}” is not a municipality number (four digits) or county number (two digits).",
            hint="Skriv f.eks. 1508 for Ålesund eller 15 for Møre og Romsdal.",
            hint_en="Write e.g. 1508 for Ålesund or 15 for Møre og Romsdal.",
        )
    ws.register.get(code, date.today())  # raises with the successor (old code) or near matches (unknown)
    return code


def _query(code: str) -> Any:
    o, i = observations.c, indicators.c
    return (
        select(o.region_code, o.indicator_id, i.name_nb, o.period, o.breakdown, o.value, i.unit, o.status, o.source,
               o.source_table, o.query, o.retrieved_at, o.original_region_code, o.harmonisation)
        .join(indicators, i.id == o.indicator_id)
        .where(o.region_code == code)
        .order_by(o.indicator_id, o.period, o.breakdown, o.source)
    )


def _rows(ws: Workspace, code: str) -> Iterator[tuple[Any, ...]]:
    with ws.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(_query(code))
        for partition in result.partitions():
            for row in partition:
                yield tuple(row)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


def count_rows(ws: Workspace, code: str) -> int:
    with ws.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(observations.c.region_code == code)).scalar_one())


def stream_csv(ws: Workspace, code: str) -> Iterator[str]:
    """The region's observations as CSV text, a batch of rows at a time."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for n, row in enumerate(_rows(ws, code), start=1):
        writer.writerow([_cell(v) for v in row])
        if n % BATCH == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def stream_json(ws: Workspace, code: str, lang: Lang) -> Iterator[bytes]:
    """The same as :func:`stream_csv`, as ``{"lang", "data": {"region", "columns", "observations": [...]}}``."""
    head = {"lang": lang, "data": {"region": code, "columns": list(COLUMNS)}}
    opening = orjson.dumps(head)[:-2] + b',"observations":['
    yield opening
    chunk: list[bytes] = []
    first = True
    for row in _rows(ws, code):
        record = dict(zip(COLUMNS, (v.isoformat() if isinstance(v, datetime) else v for v in row), strict=True))
        chunk.append(orjson.dumps(record))
        if len(chunk) >= BATCH:
            yield (b"" if first else b",") + b",".join(chunk)
            first = False
            chunk = []
    if chunk:
        yield (b"" if first else b",") + b",".join(chunk)
    yield b"]}}"
