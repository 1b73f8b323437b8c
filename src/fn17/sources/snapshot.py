"""Snapshots: the raw SSB responses FN17 fetched, with a manifest, so a database can be rebuilt offline.

A snapshot is a folder::

    manifest.json
    ssb/07459/data-<sha256[:16]>.json        raw JSON-stat2 response of one (part of a) query
    ssb/07459/metadata-<sha256[:16]>.json    the table's metadata when it was fetched

``manifest.json`` (written last, atomically, so an interrupted fetch never leaves a
manifest pointing at missing files) lists every file with its table, the exact query,
the URL (and POST body), when it was retrieved and its sha256::

    {"format": "fn17-snapshot", "version": 1, "created_at": "…", "fn17_version": "…",
     "entries": [{"file": "ssb/07459/data-….json", "kind": "pxweb-data", "source": "ssb:07459",
                  "table": "07459", "query": {…}, "part": 1, "parts": 3, "url": "…", "method": "GET",
                  "body": null, "retrieved_at": "…", "sha256": "…", "bytes": 123456,
                  "series": ["befolkning"], "indicators": ["folketilvekst"]}]}

Writing: :func:`fetch_snapshot` (used by ``fn17 fetch``) plans one query per SSB table from
FN17's indicator set (:func:`plan_from_indicator_set`), fetches it through
:class:`~fn17.sources.pxweb.PxWebClient` and writes the files with :class:`SnapshotWriter`.
Reading: :func:`read_snapshot` yields ``(entry, raw bytes)`` after checking each file's
sha256, and :func:`snapshot_records` turns one data entry into observation records.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from fn17 import __version__
from fn17.config import Settings
from fn17.errors import DataFileError, Fn17Error, InvalidInputError
from fn17.sources.http import HttpSource, SourceResponse, atomic_write
from fn17.sources.jsonstat import read_jsonstat, to_observations
from fn17.sources.pxweb import PxQuery, PxWebClient

logger = logging.getLogger(__name__)

__all__ = [
    "MANIFEST",
    "FetchSummary",
    "ManifestEntry",
    "SnapshotWriter",
    "TableRequest",
    "TableSummary",
    "fetch_snapshot",
    "is_snapshot",
    "plan_fetch",
    "plan_from_indicator_set",
    "read_manifest",
    "read_snapshot",
    "snapshot_records",
    "ssb_client",
]

MANIFEST = "manifest.json"
FORMAT = "fn17-snapshot"
VERSION = 1
DATA, METADATA = "pxweb-data", "pxweb-metadata"


# --------------------------------------------------------------------------- #
# the manifest                                                                 #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class ManifestEntry:
    file: str
    kind: str
    source: str
    table: str
    query: PxQuery
    part: int
    parts: int
    url: str
    method: str
    body: str | None
    retrieved_at: datetime
    sha256: str
    bytes: int
    series: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()

    @property
    def query_text(self) -> str:
        """What the store records as the observation's ``query``: the URL of a GET, the query of a POST."""
        return self.url if self.method == "GET" else f"{self.method} {self.url} {self.body or ''}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "kind": self.kind, "source": self.source, "table": self.table,
            "query": self.query.to_dict(), "part": self.part, "parts": self.parts, "url": self.url,
            "method": self.method, "body": self.body, "retrieved_at": self.retrieved_at.isoformat(),
            "sha256": self.sha256, "bytes": self.bytes, "series": list(self.series),
            "indicators": list(self.indicators),
        }  # fmt: skip

    @classmethod
    def from_dict(cls, raw: Any, where: str) -> ManifestEntry:
        def bad(what: str) -> DataFileError:
            return DataFileError(
                f"{where}: {what}.",
                message_en=f"{where}: {what}.",
                hint="Manifestet er skadet; hent øyeblikksbildet på nytt med fn17 fetch.",
                hint_en="The manifest is damaged; fetch the snapshot again with fn17 fetch.",
            )

        if not isinstance(raw, Mapping):
            raise bad("oppføringen er ikke et objekt")
        for key in ("file", "kind", "table", "query", "url", "method", "retrieved_at", "sha256"):
            if not raw.get(key):
                raise bad(f"feltet «{key}» mangler")
        try:
            retrieved = datetime.fromisoformat(str(raw["retrieved_at"]))
        except ValueError as exc:
            raise bad(f"retrieved_at {raw['retrieved_at']!r} er ikke et tidspunkt") from exc
        if retrieved.tzinfo is None:
            retrieved = retrieved.replace(tzinfo=UTC)
        return cls(
            file=str(raw["file"]),
            kind=str(raw["kind"]),
            source=str(raw.get("source") or f"ssb:{raw['table']}"),
            table=str(raw["table"]),
            query=PxQuery.from_dict(raw["query"]),
            part=int(raw.get("part", 1)),
            parts=int(raw.get("parts", 1)),
            url=str(raw["url"]),
            method=str(raw["method"]),
            body=raw.get("body"),
            retrieved_at=retrieved,
            sha256=str(raw["sha256"]),
            bytes=int(raw.get("bytes", 0)),
            series=tuple(raw.get("series") or ()),
            indicators=tuple(raw.get("indicators") or ()),
        )


def is_snapshot(directory: Path | str) -> bool:
    """True when ``directory`` holds an FN17 snapshot manifest."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        return False
    try:
        doc = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return False
    return isinstance(doc, dict) and doc.get("format") == FORMAT


def read_manifest(directory: Path | str) -> list[ManifestEntry]:
    """The manifest's entries; DataFileError naming the folder when it is not a snapshot or is damaged."""
    folder = Path(directory)
    path = folder / MANIFEST
    if not path.is_file():
        raise DataFileError(
            f"{folder} er ikke et FN17-øyeblikksbilde: {MANIFEST} mangler.",
            message_en=f"{folder} is not an FN17 snapshot: {MANIFEST} is missing.",
            hint="Lag et med fn17 fetch --to MAPPE.",
            hint_en="Make one with fn17 fetch --to FOLDER.",
            details={"directory": str(folder)},
        )
    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise DataFileError(
            f"{path} er ikke gyldig JSON ({exc.msg}).",
            message_en=f"{path} is not valid JSON ({exc.msg}).",
            hint="Hent øyeblikksbildet på nytt med fn17 fetch.",
            hint_en="Fetch the snapshot again with fn17 fetch.",
        ) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("entries"), list):
        raise DataFileError(
            f"{path} er ikke et FN17-manifest (format {FORMAT!r} med entries).",
            message_en=f"{path} is not an FN17 manifest (format {FORMAT!r} with entries).",
        )
    if int(doc.get("version", 0)) > VERSION:
        raise DataFileError(
            f"{path} er laget av en nyere FN17 (versjon {doc.get('version')}); oppdater FN17.",
            message_en=f"{path} was made by a newer FN17 (version {doc.get('version')}); upgrade FN17.",
        )
    return [ManifestEntry.from_dict(e, f"{path}, oppføring {i + 1}") for i, e in enumerate(doc["entries"])]


def _inside(folder: Path, name: str) -> Path:
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise DataFileError(
            f"Manifestet peker utenfor øyeblikksbildet: {name}.",
            message_en=f"The manifest points outside the snapshot: {name}.",
            details={"file": name},
        )
    return path


def read_snapshot(directory: Path | str, *, kinds: Collection[str] = (DATA,)) -> Iterator[tuple[ManifestEntry, bytes]]:
    """Each manifest entry of the given kinds with its raw bytes, checked against its sha256."""
    folder = Path(directory)
    for entry in read_manifest(folder):
        if entry.kind not in kinds:
            continue
        path = _inside(folder, entry.file)
        try:
            raw = path.read_bytes()
        except FileNotFoundError as exc:
            raise DataFileError(
                f"Øyeblikksbildet {folder} mangler filen {entry.file} (tabell {entry.table}).",
                message_en=f"The snapshot {folder} lacks the file {entry.file} (table {entry.table}).",
                hint="Hent øyeblikksbildet på nytt med fn17 fetch.",
                hint_en="Fetch the snapshot again with fn17 fetch.",
                details={"file": entry.file},
            ) from exc
        if sha256(raw).hexdigest() != entry.sha256:
            raise DataFileError(
                f"Filen {entry.file} i øyeblikksbildet {folder} er endret eller skadet (sha256 stemmer ikke).",
                message_en=f"The file {entry.file} in the snapshot {folder} has been changed or damaged (sha256 mismatch).",
                hint="Hent øyeblikksbildet på nytt med fn17 fetch.",
                hint_en="Fetch the snapshot again with fn17 fetch.",
                details={"file": entry.file, "expected": entry.sha256},
            )
        yield entry, raw


def snapshot_records(entry: ManifestEntry, raw: bytes) -> pd.DataFrame:
    """One data entry as canonical observation records (see :func:`fn17.sources.jsonstat.to_observations`)."""
    table = read_jsonstat(raw, source=f"{entry.file} (tabell {entry.table})")
    region = entry.query.region_dimension
    return to_observations(
        table,
        table_id=entry.table,
        source=entry.source,
        query=entry.query_text,
        retrieved_at=entry.retrieved_at,
        region_dimension=region if region in table.ids else None,
    )


# --------------------------------------------------------------------------- #
# writing                                                                      #
# --------------------------------------------------------------------------- #
class SnapshotWriter:
    """Writes response files as they arrive and the manifest once, at :meth:`close`."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        if self.directory.exists() and any(self.directory.iterdir()) and not is_snapshot(self.directory):
            raise InvalidInputError(
                f"{self.directory} finnes og er ikke tom, men er ikke et FN17-øyeblikksbilde; FN17 skriver ikke der.",
                message_en=f"{self.directory} exists and is not empty, but is not an FN17 snapshot; FN17 will not write there.",
                hint="Velg en ny eller tom mappe med --to.",
                hint_en="Choose a new or empty folder with --to.",
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        self.entries: list[ManifestEntry] = []

    def add(
        self,
        response: SourceResponse,
        *,
        kind: str,
        query: PxQuery,
        part: int = 1,
        parts: int = 1,
        series: Iterable[str] = (),
        indicators: Iterable[str] = (),
    ) -> ManifestEntry:
        digest = response.sha256
        name = f"ssb/{query.table}/{'data' if kind == DATA else 'metadata'}-{digest[:16]}.json"
        atomic_write(self.directory / name, response.content)
        entry = ManifestEntry(
            file=name, kind=kind, source=f"ssb:{query.table}", table=query.table, query=query, part=part,
            parts=parts, url=response.url, method=response.method,
            body=response.body.decode() if response.body else None, retrieved_at=response.retrieved_at,
            sha256=digest, bytes=len(response.content), series=tuple(series), indicators=tuple(indicators),
        )  # fmt: skip
        self.entries.append(entry)
        return entry

    def close(self) -> Path:
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "fn17_version": __version__,
            "entries": [e.to_dict() for e in self.entries],
        }
        path = self.directory / MANIFEST
        atomic_write(path, orjson.dumps(doc, option=orjson.OPT_INDENT_2))
        return path


# --------------------------------------------------------------------------- #
# fetching                                                                     #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class TableRequest:
    """One query FN17 sends for a table, and the series and indicators that need it."""

    query: PxQuery
    series: tuple[str, ...]
    indicators: tuple[str, ...]
    verified: bool = True

    @property
    def table(self) -> str:
        return self.query.table

    @property
    def by(self) -> tuple[str, ...]:
        skip = {self.query.region_dimension, "ContentsCode", "Tid"}
        return tuple(sorted(d for d in self.query.value_codes if d not in skip))


@dataclass
class TableSummary:
    table: str
    status: str = "ok"  # ok, failed
    by: tuple[str, ...] = ()  # the breakdown dimensions of the query, to tell a table's queries apart
    parts: int = 0
    cells: int = 0
    bytes: int = 0
    from_cache: int = 0
    periods: tuple[str, ...] = ()
    regions: int = 0
    message: str = ""
    message_en: str = ""

    @property
    def label(self) -> str:
        """``07459`` for a table's totals, ``07459:Alder,Kjonn`` for its query by age and sex."""
        return f"{self.table}:{','.join(self.by)}" if self.by else self.table

    def period_range(self) -> str:
        return f"{self.periods[0]}–{self.periods[-1]}" if self.periods else ""


@dataclass
class FetchSummary:
    directory: Path
    tables: list[TableSummary] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.status == "ok" for t in self.tables)

    @property
    def failed(self) -> list[TableSummary]:
        return [t for t in self.tables if t.status != "ok"]


def _union(values: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for codes in values:
        for c in codes:
            seen[c] = None
    return tuple(seen)


def plan_from_indicator_set(indicator_set: Any, *, tables: Collection[str] | None = None) -> list[TableRequest]:
    """One query per SSB table and dimension set that FN17's indicators need.

    Series of the same table that select the same dimensions are merged into one query with the
    union of their value codes (e.g. ``ContentsCode``), so each table costs as few requests as
    possible; a series that leaves a dimension out (SSB then sums it) stays its own query.
    """
    groups: dict[tuple[Any, ...], list[tuple[PxQuery, str, str, bool]]] = {}
    for ind in indicator_set.indicators:
        for src in ind.sources:
            if src.provider != "ssb" or src.table is None:
                continue
            if tables and src.table not in tables:
                continue
            query = PxQuery.from_source(src)
            key = (
                query.table,
                query.region_dimension,
                tuple(sorted(query.codelist.items())),
                tuple(sorted(query.output_values.items())),
                tuple(sorted(query.value_codes)),
            )
            groups.setdefault(key, []).append((query, src.series, ind.id, bool(src.verified)))
    plans = []
    for members in groups.values():
        first = members[0][0]
        dims = {d: _union(m[0].value_codes[d] for m in members) for d in first.value_codes}
        plans.append(
            TableRequest(
                query=PxQuery(first.table, dims, dict(first.codelist), dict(first.output_values),
                              first.region_dimension, first.lang),
                series=tuple(dict.fromkeys(m[1] for m in members)),
                indicators=tuple(dict.fromkeys(m[2] for m in members)),
                verified=all(m[3] for m in members),
            )
        )  # fmt: skip
    if tables:
        unknown = sorted(set(tables) - {p.table for p in plans})
        if unknown:
            raise InvalidInputError(
                f"Indikatorsettet bruker ikke SSB-tabell {', '.join(unknown)}.",
                message_en=f"The indicator set does not use SSB table {', '.join(unknown)}.",
                hint="Se docs/indicators.md for tabellene FN17 henter.",
                hint_en="See docs/indicators.md for the tables FN17 fetches.",
            )
    return sorted(plans, key=lambda p: (p.table, p.query.describe()))


def _fetch_one(client: PxWebClient, request: TableRequest, writer: SnapshotWriter, refresh: bool) -> TableSummary:
    summary = TableSummary(table=request.table, by=request.by)
    meta_query = PxQuery.create(request.table, {}, lang=request.query.lang)
    meta, meta_response = client.metadata_with_response(request.table, lang=request.query.lang, refresh=refresh)
    parts = client.fetch_parts(request.query, meta=meta, refresh=refresh)
    writer.add(meta_response, kind=METADATA, query=meta_query, series=request.series, indicators=request.indicators)
    periods: dict[str, None] = {}
    regions: set[str] = set()
    for i, part in enumerate(parts, start=1):
        writer.add(part.response, kind=DATA, query=part.query, part=i, parts=len(parts),
                   series=request.series, indicators=request.indicators)  # fmt: skip
        summary.parts += 1
        summary.cells += part.table.cells
        summary.bytes += len(part.response.content)
        summary.from_cache += int(part.response.from_cache)
        time_dim = part.table.role("time") or next((d for d in part.table.dimensions if d.id == "Tid"), None)
        if time_dim is not None:
            periods.update(dict.fromkeys(time_dim.codes))
        region_dim = part.table.role("geo")
        if region_dim is not None:
            regions.update(region_dim.codes)
    summary.periods = tuple(sorted(periods))
    summary.regions = len(regions)
    return summary


def fetch_snapshot(
    requests: Iterable[TableRequest],
    client: PxWebClient,
    directory: Path | str,
    *,
    refresh: bool = False,
    progress: Callable[[TableRequest, TableSummary], None] | None = None,
) -> FetchSummary:
    """Fetch every request into a snapshot folder; a table that fails is reported and the rest go on.

    The manifest lists what was fetched, so a partial snapshot is still a valid one.
    """
    writer = SnapshotWriter(directory)
    result = FetchSummary(directory=writer.directory)
    for request in requests:
        try:
            summary = _fetch_one(client, request, writer, refresh)
        except Fn17Error as exc:  # SourceError, OfflineError, a changed table, a bad saved query …
            summary = TableSummary(table=request.table, status="failed", by=request.by,
                                   message=exc.text("nb"), message_en=exc.text("en"))  # fmt: skip
            logger.warning("table %s failed: %s", request.table, exc.message_en)
        result.tables.append(summary)
        if progress is not None:
            progress(request, summary)
    writer.close()
    logger.info(
        "snapshot %s: %d tables, %d failed, %d cells",
        writer.directory,
        len(result.tables),
        len(result.failed),
        math.fsum(t.cells for t in result.tables),
    )
    return result


def ssb_client(settings: Settings | None = None, *, offline: bool | None = None, transport: Any = None) -> PxWebClient:
    """A PxWebApi client on FN17's HTTP layer: cache under ``settings.cache_dir``, offline from the settings."""
    extra: dict[str, Any] = {} if offline is None else {"offline": offline}
    return PxWebClient(HttpSource.from_settings(settings, transport=transport, **extra))


def plan_fetch(*, tables: Collection[str] | None = None, indicator_file: Path | None = None) -> list[TableRequest]:
    """The queries ``fn17 fetch`` sends: from FN17's indicator set (or another indicator file)."""
    from fn17.frameworks.fn17set import load_fn17_set

    return plan_from_indicator_set(load_fn17_set(indicator_file), tables=tables)
