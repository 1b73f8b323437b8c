"""Data in and out, for the CLI, the web app and notebooks.

* :func:`import_recipe` brings one dataset in with its recipe (read, carry to today's
  regions, derive, write in one transaction) and returns a :class:`DatasetSummary`
  (rows, regions, periods, gaps);
* :func:`load_folder` brings in every dataset found in a folder — the ``../shared/data``
  layout, any folder of downloaded files, or a snapshot written by ``fn17 fetch`` — plus
  the KS indicator taxonomy when it is there;
* :func:`query` returns stored observations one row per cell, breakdowns as columns.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from fn17.errors import Fn17Error, NotFoundError
from fn17.sources.load import (
    DERIVED_SOURCE,
    POPULATION_ID,
    CarryRules,
    Harmoniser,
    PopulationContext,
    derive,
    find_gaps,
    read_recipe_files,
)
from fn17.sources.recipes import Recipe, load_recipes
from fn17.store import repo
from fn17.workspace import Workspace

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]



@dataclass
class DatasetSummary:
    """What one import did: rows read, observations written, coverage and gaps."""

    dataset: str
    title: str
    source: str
    files: list[str]
    rows_read: int = 0
    cells: int = 0
    written: int = 0
    derived: int = 0
    indicators: int = 0
    regions: int = 0
    periods: list[str] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    incomplete: list[dict[str, Any]] = field(default_factory=list)
    unknown_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown_labels: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    carried: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    import_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def indicator_rows(recipe: Recipe) -> list[dict[str, Any]]:
    return [
        {"id": i.id, "framework_id": recipe.framework or recipe.provider, "name_nb": i.name_nb, "name_en": i.name_en, "unit": i.unit,
         "definition": i.definition, "direction": i.direction, "source": recipe.source,
         "attrs": {"recipe": recipe.id, "carry": i.carry, "url": recipe.url}}
        for i in recipe.indicators
    ]


def fn17_indicator_row(ind: Any, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``indicators`` row of one indicator of FN17's set (an ``IndicatorDef``)."""
    return {"id": ind.id, "framework_id": "fn17", "name_nb": ind.name.nb, "name_nn": ind.name.nn, "name_en": ind.name.en,
            "unit": ind.unit.nb, "definition": ind.definition.nb,
            "direction": None if ind.direction == "context" else ind.direction, "source": "fn17", "attrs": attrs or {}}


def derived_indicator_rows(recipe: Recipe) -> list[dict[str, Any]]:
    """Definitions for derived series that are not raw series of the recipe: from FN17's set
    when the id is one of its indicators, else from the recipe."""
    raw_ids = {i.id for i in recipe.indicators}
    wanted = [d for d in recipe.derived if d.id not in raw_ids]
    if not wanted:
        return []
    try:
        from fn17.frameworks.fn17set import load_fn17_set

        fn17 = {i.id: i for i in load_fn17_set().indicators}
    except Fn17Error as exc:  # the set is optional here: the recipe's own names are used
        log.warning("FN17's indicator set could not be read (%s); derived series use the recipe's names", exc)
        fn17 = {}
    rows = []
    for d in wanted:
        ind = fn17.get(d.id)
        if ind is not None:
            rows.append(fn17_indicator_row(ind, {"derived_from": d.of, "op": d.op}))
        else:
            rows.append({"id": d.id, "framework_id": "fn17", "name_nb": d.name_nb or d.id, "name_en": d.name_en,
                         "unit": d.unit, "source": "fn17", "attrs": {"derived_from": d.of, "op": d.op}})
    return rows


def _retrieved_at(files: list[Path]) -> datetime:
    """When the files were downloaded, as far as FN17 can tell: the newest modification time."""
    newest = max(p.stat().st_mtime for p in files)
    return datetime.fromtimestamp(int(newest), UTC)


def import_recipe(
    engine: Any,
    register: Any,
    recipe: Recipe,
    folder: Any,
    *,
    user: str | None = None,
    population: PopulationContext | None = None,
    harmoniser: Harmoniser | None = None,
    progress: Progress | None = None,
) -> DatasetSummary:
    """Read ``recipe``'s files under ``folder``, carry them to today's regions, derive its
    series and write everything in one transaction (all or nothing). A re-import replaces
    what the recipe brought in before."""
    try:
        return _import_recipe(engine, register, recipe, Path(folder), user=user, population=population,
                              harmoniser=harmoniser, progress=progress)
    except Exception as exc:
        repo.record_failed_import(engine, f"recipe:{recipe.id}", origin=str(folder), user=user, message=str(exc))
        raise


def _import_recipe(
    engine: Any,
    register: Any,
    recipe: Recipe,
    folder: Path,
    *,
    user: str | None,
    population: PopulationContext | None,
    harmoniser: Harmoniser | None,
    progress: Progress | None,
) -> DatasetSummary:
    t0 = time.perf_counter()
    folder = Path(folder)
    files = recipe.find_files(folder)
    if not files:
        raise NotFoundError(
            f"Fant ingen filer for {recipe.id} ({', '.join(recipe.files)}) under {folder}.",
            message_en=f"Found no files for {recipe.id} ({', '.join(recipe.files)}) under {folder}.",
            hint="Sjekk mappen, eller last ned filene fra kilden.", hint_en="Check the folder, or download the files from the source.",
        )
    summary = DatasetSummary(dataset=recipe.id, title=recipe.title, source=recipe.source,
                             files=[str(p.relative_to(folder)) for p in files])
    if progress:
        progress(recipe.id, 0, 3)
    frame, results = read_recipe_files(recipe, files, register)
    summary.rows_read = sum(r.rows_read for r in results)
    summary.cells = len(frame)
    for r in results:
        for k, v in r.skipped.items():
            summary.skipped[k] = summary.skipped.get(k, 0) + v
        for k, v in r.unknown_labels.items():
            summary.unknown_labels[k] = summary.unknown_labels.get(k, 0) + v
        summary.problems += r.problems[:20]
    if recipe.population and population is not None:
        population.add_raw(frame)
    if progress:
        progress(recipe.id, 1, 3)
    harmoniser = harmoniser or Harmoniser(register)
    carried = harmoniser.carry(frame, recipe, population)
    for k, v in carried.dropped.items():
        summary.skipped[k] = summary.skipped.get(k, 0) + v
    summary.unknown_codes = carried.unknown
    summary.incomplete = carried.incomplete
    summary.carried = carried.carried_cells
    derived = derive(carried.frame, recipe, population)
    if recipe.population and population is not None:
        population.add_today(derived[derived["indicator_id"] == POPULATION_ID])
    summary.gaps = find_gaps(carried.frame, recipe, register, harmoniser.to)
    out = carried.frame
    summary.indicators = int(out["indicator_id"].nunique())
    summary.regions = int(out.loc[out["value"].notna(), "region_code"].nunique())
    summary.periods = sorted(map(str, out["period"].unique()))
    summary.derived = len(derived)
    stamp = _retrieved_at(files)
    raw = out.assign(source=recipe.source, source_table=recipe.source_table, retrieved_at=stamp,
                     query=f"recipe {recipe.id}" + (f": {summary.files[0]}" if len(summary.files) == 1 else ""))
    der = derived.assign(source=DERIVED_SOURCE, source_table=recipe.source_table, retrieved_at=stamp)
    records = pd.concat([raw, der], ignore_index=True) if len(der) else raw
    if progress:
        progress(recipe.id, 2, 3)
    _write(engine, summary, records, f"recipe:{recipe.id}", ", ".join(str(p) for p in files), user,
           indicator_rows(recipe), derived_indicator_rows(recipe), t0)
    if progress:
        progress(recipe.id, 3, 3)
    log.info("%s: %d observations (%d derived) in %.1f s", recipe.id, summary.written, summary.derived, summary.seconds)
    return summary


def _write(
    engine: Any,
    summary: DatasetSummary,
    records: pd.DataFrame,
    log_source: str,
    origin: str,
    user: str | None,
    indicators: list[dict[str, Any]],
    extra_indicators: list[dict[str, Any]],
    t0: float,
) -> None:
    """One transaction: log the import, define the indicators, replace what the same import
    wrote before, write the records. A failure is logged on its own and re-raised."""
    try:
        with engine.begin() as conn:
            import_id = repo.start_import(conn, log_source, origin=origin, user=user)
            repo.upsert_indicators(conn, indicators)
            repo.ensure_indicators(conn, extra_indicators)
            repo.replace_previous(conn, log_source, import_id)
            summary.written = repo.write_observations(conn, import_id, records)
            summary.import_id = import_id
            summary.seconds = round(time.perf_counter() - t0, 2)
            repo.finish_import(conn, import_id, rows=summary.written, summary=_jsonable(summary.to_dict()))
    except Exception as exc:
        if not log_source.startswith("recipe:"):  # a recipe's failure is logged by import_recipe
            repo.record_failed_import(engine, log_source, origin=origin, user=user, message=str(exc))
        raise


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value



def write_upload(
    ws: Workspace,
    records: list[dict[str, Any]],
    *,
    source: str,
    origin: str,
    user: str,
    extra_indicators: list[dict[str, Any]],
) -> int:
    """Write a validated upload in one transaction, logged with who, when and which file;
    replaces an earlier upload with the same source. Returns the import id."""
    log_source = f"upload:{source}"
    try:
        with ws.engine.begin() as conn:
            import_id = repo.start_import(conn, log_source, origin=origin, user=user)
            repo.ensure_indicators(conn, extra_indicators)
            repo.replace_previous(conn, log_source, import_id)
            n = repo.write_observations(conn, import_id, records)
            repo.finish_import(conn, import_id, rows=n, summary={"file": origin, "rows": n, "user": user})
    except Exception as exc:
        repo.record_failed_import(ws.engine, log_source, origin=origin, user=user, message=str(exc))
        raise
    return import_id


# --------------------------------------------------------------------------- snapshots


def _snapshot_rules(entries: list[Any]) -> CarryRules:
    """Carry rules for SSB series fetched for FN17's indicators: a series that an indicator
    reports as it is (``value``) in per cent or per population is a rate (mean); the rest are totals."""
    try:
        from fn17.frameworks.fn17set import load_fn17_set

        fn17 = {i.id: i for i in load_fn17_set().indicators}
    except Fn17Error:
        fn17 = {}
    rate = False
    for entry in entries:
        for ind_id in entry.indicators:
            ind = fn17.get(ind_id)
            if ind is not None and ind.formula.operation == "value" and any(
                w in ind.unit.nb.lower() for w in ("prosent", "per ", "andel", "promille")
            ):
                rate = True
    return CarryRules(methods={}, default="mean" if rate else "sum")


def load_snapshot(
    ws: Workspace,
    folder: Path,
    *,
    user: str | None = None,
    harmoniser: Harmoniser | None = None,
    progress: Progress | None = None,
) -> list[DatasetSummary]:
    """Rebuild the SSB series of a snapshot from ``fn17 fetch`` (offline), one import per table."""
    from fn17.sources.snapshot import read_manifest, read_snapshot, snapshot_records

    harmoniser = harmoniser or Harmoniser(ws.register)
    entries = read_manifest(folder)
    by_source: dict[str, list[pd.DataFrame]] = {}
    for entry, raw in read_snapshot(folder):
        by_source.setdefault(entry.source, []).append(snapshot_records(entry, raw))
    out = []
    for i, (source, frames) in enumerate(sorted(by_source.items())):
        t0 = time.perf_counter()
        if progress:
            progress(source, i, len(by_source))
        frame = pd.concat(frames, ignore_index=True)
        for col in ("indicator_id", "region_code", "period", "breakdown", "status"):
            frame[col] = frame[col].astype(str)
        frame = frame.drop_duplicates(["indicator_id", "region_code", "period", "breakdown"], keep="last")
        years = frame["period"].str.extract(r"^(\d{4})", expand=False).astype(float)
        frame = frame[years.notna()]
        frame["codes_at"] = [date(int(y), 1, 1) for y in years[years.notna()]]
        frame["region_kind"] = frame["region_code"].map(lambda c: {4: "kommune", 2: "fylke"}.get(len(c), "land"))
        frame["_label"] = frame["region_code"]
        mine = [e for e in entries if e.source == source]
        carried = harmoniser.carry(frame, _snapshot_rules(mine))
        summary = DatasetSummary(dataset=source, title=f"SSB {source}", source=source,
                                 files=sorted({e.file for e in mine}), rows_read=len(frame), cells=len(frame))
        summary.unknown_codes, summary.incomplete = carried.unknown, carried.incomplete
        summary.skipped, summary.carried = dict(carried.dropped), carried.carried_cells
        res = carried.frame
        summary.indicators = int(res["indicator_id"].nunique())
        summary.regions = int(res.loc[res["value"].notna(), "region_code"].nunique())
        summary.periods = sorted(map(str, res["period"].unique()))
        first = frame.iloc[0]
        records = res.assign(source=source, source_table=first["source_table"], query=first["query"],
                             retrieved_at=first["retrieved_at"])
        defs = [{"id": str(i), "framework_id": "ssb", "name_nb": str(i), "source": source, "attrs": {"snapshot": str(folder)}}
                for i in res["indicator_id"].unique()]
        _write(ws.engine, summary, records, f"snapshot:{source}", str(folder), user, [], defs, t0)
        out.append(summary)
    return out


# --------------------------------------------------------------------------- a folder


@dataclass
class LoadReport:
    folder: str
    datasets: list[DatasetSummary] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    taxonomy: dict[str, Any] | None = None
    geometries: dict[str, Any] | None = None
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(d.written for d in self.datasets)


def recipes_for(folder: Path, only: Sequence[str] | None = None) -> list[Recipe]:
    """The shipped recipes whose files are in ``folder``; population first (its totals weigh
    rates when municipalities merged)."""
    found = [r for r in load_recipes() if (not only or r.id in only) and r.find_files(folder)]
    return sorted(found, key=lambda r: (not r.population, r.id))


def taxonomy_folder(folder: Path) -> Path | None:
    for candidate in (folder / "ks-indicator-taxonomy" / "esg-indicator", folder / "esg-indicator", folder):
        if candidate.is_dir() and any(candidate.glob("*.ttl")):
            return candidate
    return None


def load_folder(
    ws: Workspace,
    folder: Path | str,
    *,
    only: Sequence[str] | None = None,
    user: str | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Bring in every dataset found in ``folder``: each file set a shipped recipe knows, a
    snapshot from ``fn17 fetch``, the KS indicator taxonomy (``ks-taxonomy``) and the map's
    boundary files in ``geo/`` (``geo``). One dataset failing does not
    stop the others; it is listed in ``failed`` with its message."""
    from fn17.sources.snapshot import is_snapshot

    t0 = time.perf_counter()
    root = Path(folder)
    if not root.is_dir():
        raise NotFoundError(f"Mappen {root} finnes ikke.", message_en=f"The folder {root} does not exist.",
                            hint="Oppgi mappen med datafilene, f.eks. ../shared/data.",
                            hint_en="Give the folder with the data files, e.g. ../shared/data.")
    report = LoadReport(folder=str(root))
    harmoniser = Harmoniser(ws.register)
    population = PopulationContext()
    if is_snapshot(root) and not only:
        report.datasets += load_snapshot(ws, root, user=user, harmoniser=harmoniser, progress=progress)
    recipes = recipes_for(root, only)
    for recipe in recipes:
        try:
            report.datasets.append(import_recipe(ws.engine, ws.register, recipe, root, user=user, population=population,
                                                 harmoniser=harmoniser, progress=progress))
        except Fn17Error as exc:
            log.warning("%s failed: %s", recipe.id, exc.message_en)
            report.failed.append({"dataset": recipe.id, "message": exc.message, "message_en": exc.message_en})
    tax = taxonomy_folder(root) if not only or "ks-taxonomy" in only else None
    if tax is not None:
        from fn17.sources.taxonomy import import_taxonomy

        if progress:
            progress("ks-taxonomy", 0, 1)
        try:
            report.taxonomy = import_taxonomy(ws.engine, tax).to_dict()
        except Fn17Error as exc:
            report.failed.append({"dataset": "ks-taxonomy", "message": exc.message, "message_en": exc.message_en})
        if progress:
            progress("ks-taxonomy", 1, 1)
    if (not only or "geo" in only) and (root / "geo").is_dir():
        from fn17.sources.geo import load_geometries

        if progress:
            progress("geo", 0, 1)
        try:
            report.geometries = load_geometries(ws, root, user=user).to_dict()
        except Fn17Error as exc:
            report.failed.append({"dataset": "geo", "message": exc.message, "message_en": exc.message_en})
        if progress:
            progress("geo", 1, 1)
    if not report.datasets and report.taxonomy is None and report.geometries is None and not report.failed:
        known = ", ".join(sorted({f for r in load_recipes() for f in r.files}))
        raise NotFoundError(
            f"Fant ingen datasett FN17 kjenner i {root}.",
            message_en=f"Found no dataset FN17 knows in {root}.",
            hint=f"FN17 ser etter {known}, et øyeblikksbilde (manifest.json) og KS-taksonomien (*.ttl).",
            hint_en=f"FN17 looks for {known}, a snapshot (manifest.json) and the KS taxonomy (*.ttl).",
        )
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


# --------------------------------------------------------------------------- looking at what came in


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    f = float(value)
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)


@dataclass
class QueryResult:
    """Stored cells, one row per cell, each breakdown dimension as a column."""

    frame: pd.DataFrame
    dims: list[str]

    HEAD: ClassVar[tuple[str, ...]] = ("indicator", "region", "period")
    TAIL: ClassVar[tuple[str, ...]] = ("value", "status", "source", "original_region_code", "harmonisation")

    def header(self) -> list[str]:
        return [*self.HEAD, *self.dims, *self.TAIL]

    def rows(self) -> list[list[str]]:
        f = self.frame
        cols = [f["indicator_id"], f["region_code"], f["period"], *(f[d] for d in self.dims),
                f["value"].map(_fmt), f["status"], f["source"], f["original_region_code"].fillna(""),
                f["harmonisation"].fillna("")]
        return [list(map(str, r)) for r in zip(*cols, strict=True)]

    def records(self) -> list[dict[str, Any]]:
        out = []
        for r in self.frame.itertuples(index=False):
            rec: dict[str, Any] = {"indicator": r.indicator_id, "region": r.region_code, "period": r.period}
            rec |= {d: getattr(r, d) for d in self.dims}
            raw: Any = r.value
            value = None if raw is None or raw != raw else float(raw)
            rec |= {"value": value, "status": r.status, "source": r.source, "original_region_code": r.original_region_code,
                    "harmonisation": r.harmonisation}
            out.append(rec)
        return out


def _split_breakdowns(breakdown: pd.Series) -> dict[str, pd.Series]:
    parsed = {b: dict(p.split("=", 1) for p in str(b).split(";") if "=" in p) for b in breakdown.unique()}
    dims = sorted({d for v in parsed.values() for d in v})
    return {d: breakdown.map({b: v.get(d, "") for b, v in parsed.items()}) for d in dims}


def query(
    ws: Workspace,
    *,
    source: str | Sequence[str] | None = None,
    indicator: str | Sequence[str] | None = None,
    region: str | Sequence[str] | None = None,
    period: str | Sequence[str] | None = None,
) -> QueryResult:
    """Stored observations matching the filters (None: all), breakdowns as columns."""
    frame = repo.read_observations(ws.engine, source=source, indicator=indicator, region=region, period=period)
    dims = _split_breakdowns(frame["breakdown"]) if len(frame) else {}
    reserved = set(QueryResult.HEAD) | set(QueryResult.TAIL)
    renamed = {d: (d if d not in reserved else f"{d}_") for d in dims}
    for d, series in dims.items():
        frame[renamed[d]] = series
    return QueryResult(frame=frame, dims=[renamed[d] for d in dims])


__all__ = [
    "DERIVED_SOURCE",
    "POPULATION_ID",
    "DatasetSummary",
    "LoadReport",
    "QueryResult",
    "import_recipe",
    "load_folder",
    "load_snapshot",
    "query",
    "recipes_for",
    "write_upload",
]
