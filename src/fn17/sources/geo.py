"""Municipal and county boundaries (GeoJSON) into the ``geometries`` table, as SVG path data.

The boundary files are ``geo/Kommuner-S.geojson`` (357 municipalities, 2024) and
``geo/Fylker-S.geojson`` (15 counties), in longitude/latitude (WGS 84, no ``crs`` member).
Each feature carries its code in ``kommunenummer`` / ``fylkesnummer``.

Projection (kept simple on purpose): an equirectangular projection whose x axis is shrunk
by cos(65°), the cosine of a latitude in the middle of Norway, so shapes keep their
proportions there::

    x = (lon − 4.5°) · cos(65°) · 75        y = (71.3° − lat) · 75

One map unit is about 1.48 km north–south. The whole country fits in roughly
850 × 1000 units; x grows east, y grows south, as SVG wants.

Simplification: Douglas–Peucker (our own, vectorised with NumPy: each step measures all
points of a span at once) with a tolerance of :data:`TOLERANCE` map units, then rounding to
whole units and dropping repeated points. Rings that shrink below three points or an
area of :data:`MIN_AREA` square units (small islands) are left out, but every region
keeps its largest ring. Neighbours are simplified one at a time, so shared borders can
show hairline gaps at high zoom; at the national scale they are not visible.

An import is all or nothing: the rows of one level are replaced in one transaction and
the import is logged in ``import_log`` (source ``geo:kommune`` / ``geo:fylke``).
Codes must be current codes of the register; an old code that was only renumbered is
carried to its new number; anything else stops the import with the list of problems.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import orjson
from numpy.typing import NDArray
from sqlalchemy import delete, insert, select

from fn17.errors import Fn17Error, ImportValidationError, InvalidInputError, NotFoundError
from fn17.store import repo
from fn17.store.web_tables import geometries
from fn17.workspace import Workspace

log = logging.getLogger(__name__)

Level = Literal["kommune", "fylke"]
LEVELS: tuple[Level, ...] = ("kommune", "fylke")
FILES: dict[Level, str] = {"kommune": "Kommuner-S.geojson", "fylke": "Fylker-S.geojson"}
CODE_PROPERTY: dict[Level, str] = {"kommune": "kommunenummer", "fylke": "fylkesnummer"}
NAME_PROPERTY: dict[Level, str] = {"kommune": "kommunenavn", "fylke": "fylkesnavn"}
VALID_YEAR = 2024

LON0 = 4.5
LAT0 = 71.3
SCALE = 75.0
COS_LAT = math.cos(math.radians(65.0))
TOLERANCE = 0.9
MIN_AREA = 1.5

Points = NDArray[np.float64]


@dataclass(frozen=True)
class Geometry:
    """One region's outline on the national map."""

    region_code: str
    level: str
    name: str
    valid_year: int
    svg_path: str
    min_x: float
    min_y: float
    max_x: float
    max_y: float


@dataclass
class LevelSummary:
    level: str
    source: str
    regions: int = 0
    points_read: int = 0
    points_written: int = 0
    rings_dropped: int = 0
    path_bytes: int = 0
    renumbered: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    import_id: int = 0
    seconds: float = 0.0


@dataclass
class GeometryReport:
    """What :func:`load_geometries` did, per level."""

    folder: str
    levels: list[LevelSummary] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "levels": [asdict(s) for s in self.levels]}


# --------------------------------------------------------------------------- geometry


def project(lonlat: Points) -> Points:
    """Longitude/latitude (n × 2) to map units (n × 2); see the module docstring."""
    out = np.empty_like(lonlat, dtype=np.float64)
    out[:, 0] = (lonlat[:, 0] - LON0) * COS_LAT * SCALE
    out[:, 1] = (LAT0 - lonlat[:, 1]) * SCALE
    return out


def _distances(points: Points, a: Points, b: Points) -> Points:
    """Distance of each point to the segment a–b (to a itself when a == b)."""
    ab = b - a
    length2 = float(ab @ ab)
    rel = points - a
    if length2 == 0.0:
        return np.asarray(np.hypot(rel[:, 0], rel[:, 1]), dtype=np.float64)
    t = np.clip((rel @ ab) / length2, 0.0, 1.0)
    nearest = np.outer(t, ab)
    diff = rel - nearest
    return np.asarray(np.hypot(diff[:, 0], diff[:, 1]), dtype=np.float64)


def douglas_peucker(points: Points, tolerance: float) -> Points:
    """Keep the points of a polyline (n × 2) that matter at ``tolerance``: the first and last
    always, and recursively the farthest point of each span while it lies farther than
    ``tolerance`` from the span's chord. Iterative (no recursion limit); each span's
    distances are computed in one NumPy step."""
    n = len(points)
    if n < 3:
        return points.copy()
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        inner = points[first + 1 : last]
        dist = _distances(inner, points[first], points[last])
        i = int(np.argmax(dist))
        if dist[i] > tolerance:
            split = first + 1 + i
            keep[split] = True
            stack.append((first, split))
            stack.append((split, last))
    return points[keep]


def ring_area(ring: Points) -> float:
    """Absolute area of a closed ring (shoelace formula)."""
    x, y = ring[:, 0], ring[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)


def simplify_ring(ring: Points, tolerance: float = TOLERANCE, decimals: int = 0) -> Points:
    """A closed ring simplified and rounded to ``decimals`` (whole map units by default),
    without its closing point. Split at the point farthest from the start so both halves
    have a real chord."""
    if len(ring) > 1 and np.array_equal(ring[0], ring[-1]):
        ring = ring[:-1]
    if len(ring) < 3:
        return np.empty((0, 2))
    far = int(np.argmax(np.hypot(*(ring - ring[0]).T)))
    first = douglas_peucker(ring[: far + 1], tolerance)
    second = douglas_peucker(np.vstack([ring[far:], ring[:1]]), tolerance)
    kept = np.round(np.vstack([first, second[1:-1]]), decimals)
    changed = np.concatenate([[True], np.any(kept[1:] != kept[:-1], axis=1)])
    kept = kept[changed]
    if len(kept) > 1 and np.array_equal(kept[0], kept[-1]):
        kept = kept[:-1]
    return np.asarray(kept, dtype=np.float64)


def path_data(rings: list[Points]) -> str:
    """Compact SVG path data: one absolute move per ring, then relative whole-unit lines."""
    parts: list[str] = []
    for ring in rings:
        start = ring[0]
        steps = np.round(np.diff(ring, axis=0), 1)
        text = " ".join(f"{_num(dx)} {_num(dy)}" for dx, dy in steps.tolist())
        parts.append(f"M{_num(start[0])} {_num(start[1])}l{text}z".replace(" -", "-"))
    return "".join(parts)


def _num(value: float) -> str:
    """Whole numbers without a decimal point, others with one decimal."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon" and isinstance(coords, list):
        return [coords]
    if kind == "MultiPolygon" and isinstance(coords, list):
        return list(coords)
    raise ValueError(f"geometry type {kind!r}")


def outline(geometry: dict[str, Any], tolerance: float = TOLERANCE) -> tuple[list[Points], int, int]:
    """The simplified rings of a (Multi)Polygon in map units, the number of points read
    and the number of rings dropped."""
    projected: list[Points] = []
    read = 0
    for polygon in _polygons(geometry):
        for ring in polygon:
            lonlat = np.asarray(ring, dtype=np.float64)
            if lonlat.ndim != 2 or lonlat.shape[1] < 2 or len(lonlat) < 3:
                raise ValueError("a ring is not a list of at least three [lon, lat] pairs")
            read += len(lonlat)
            projected.append(project(lonlat[:, :2]))
    if not projected:
        raise ValueError("no rings")
    rings = [simplify_ring(p, tolerance) for p in projected]
    areas = [ring_area(r) if len(r) >= 3 else 0.0 for r in rings]
    largest = int(np.argmax([ring_area(p) for p in projected]))
    if areas[largest] == 0.0:
        # a very small region (a few islands): keep its largest ring at a tenth of a unit
        rings[largest] = simplify_ring(projected[largest], tolerance / 10, decimals=1)
        if len(rings[largest]) < 3:
            raise ValueError("no ring with an area")
    kept = [r for i, r in enumerate(rings) if i == largest or (len(r) >= 3 and areas[i] >= MIN_AREA)]
    return kept, read, len(rings) - len(kept)


# --------------------------------------------------------------------------- reading a file


def find_file(folder: Path, level: Level) -> Path:
    """The boundary file of ``level`` in ``folder`` or its ``geo/`` subfolder."""
    for candidate in (folder / "geo" / FILES[level], folder / FILES[level]):
        if candidate.is_file():
            return candidate
    raise NotFoundError(
        f"Fant ikke grensefilen {FILES[level]} i {folder} eller {folder / 'geo'}.",
        message_en=f"Could not find the boundary file {FILES[level]} in {folder} or {folder / 'geo'}.",
        hint="Oppgi datamappen, f.eks. ../shared/data, som har geo/Kommuner-S.geojson og geo/Fylker-S.geojson.",
        hint_en="Give the data folder, e.g. ../shared/data, which has geo/Kommuner-S.geojson and geo/Fylker-S.geojson.",
        details={"folder": str(folder), "file": FILES[level]},
    )


def _problem(path: Path, feature: int | None, message: str) -> dict[str, Any]:
    return {"file": path.name, "sheet": None, "row": feature, "column": None, "message": message}


def read_file(ws: Workspace, path: Path, level: Level, at: date | None = None) -> tuple[list[Geometry], LevelSummary]:
    """Read, check, project and simplify one boundary file; nothing is written."""
    summary = LevelSummary(level=level, source=path.name)
    try:
        doc = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ImportValidationError(
            f"{path.name} er ikke en lesbar GeoJSON-fil: {exc}.",
            message_en=f"{path.name} is not a readable GeoJSON file: {exc}.",
            hint="Last ned filen på nytt.", hint_en="Download the file again.",
            problems=[_problem(path, None, str(exc))],
        ) from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise ImportValidationError(
            f"{path.name} er ikke en FeatureCollection (mangler «features»).",
            message_en=f"{path.name} is not a FeatureCollection (no “features”).",
            problems=[_problem(path, None, "no features")],
        )
    reg = ws.register
    when = at or date.today()
    current = {r.code for r in (reg.municipalities(when) if level == "kommune" else reg.counties(when))}
    problems: list[dict[str, Any]] = []
    out: dict[str, Geometry] = {}
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        raw = str(props.get(CODE_PROPERTY[level]) or props.get("id") or "").strip()
        if not raw:
            problems.append(_problem(path, i, f"mangler {CODE_PROPERTY[level]}"))
            continue
        code = raw
        if code not in current:
            successors = [c for c in reg.current_codes(code, when)] if _known(ws, code) else []
            if len(successors) == 1 and successors[0] in current:
                summary.renumbered[raw] = successors[0]
                code = successors[0]
            else:
                hint = f"; nå {', '.join(successors)}" if successors else ""
                problems.append(_problem(path, i, f"{raw} er ikke en gjeldende {level}{hint}"))
                continue
        if code in out:
            problems.append(_problem(path, i, f"{code} finnes to ganger"))
            continue
        try:
            rings, read, dropped = outline(feature.get("geometry") or {})
        except ValueError as exc:
            problems.append(_problem(path, i, f"{raw}: ugyldig geometri ({exc})"))
            continue
        summary.points_read += read
        summary.rings_dropped += dropped
        summary.points_written += sum(len(r) for r in rings)
        stacked = np.vstack(rings)
        name = reg.get(code, when).name
        svg = path_data(rings)
        summary.path_bytes += len(svg.encode())
        out[code] = Geometry(code, level, name, VALID_YEAR, svg, float(stacked[:, 0].min()), float(stacked[:, 1].min()),
                             float(stacked[:, 0].max()), float(stacked[:, 1].max()))
    if problems:
        raise ImportValidationError(
            f"{path.name}: {len(problems)} problem(er); ingenting er skrevet. Første: {problems[0]['message']}.",
            message_en=f"{path.name}: {len(problems)} problem(s); nothing was written. First: {problems[0]['message']}.",
            hint="Bruk grensefilene for 2024-inndelingen (357 kommuner, 15 fylker).",
            hint_en="Use the boundary files for the 2024 structure (357 municipalities, 15 counties).",
            problems=problems,
        )
    summary.regions = len(out)
    summary.missing = sorted(current - set(out))
    return [out[c] for c in sorted(out)], summary


def _known(ws: Workspace, code: str) -> bool:
    try:
        ws.register.versions(code)
    except (NotFoundError, InvalidInputError):
        return False
    return True


# --------------------------------------------------------------------------- the store


def _retrieved_at(path: Path) -> datetime:
    return datetime.fromtimestamp(int(path.stat().st_mtime), UTC)


def write_level(ws: Workspace, level: Level, rows: list[Geometry], summary: LevelSummary, path: Path,
                user: str | None = None) -> None:
    """Replace the rows of ``level`` with ``rows`` in one transaction, logged in ``import_log``."""
    stamp = _retrieved_at(path)
    source = f"geo:{level}"
    try:
        with ws.engine.begin() as conn:
            import_id = repo.start_import(conn, source, origin=str(path), user=user)
            conn.execute(delete(geometries).where(geometries.c.level == level))
            conn.execute(insert(geometries), [{**asdict(g), "source": path.name, "retrieved_at": stamp} for g in rows])
            summary.import_id = import_id
            repo.finish_import(conn, import_id, rows=len(rows), summary=asdict(summary))
    except Exception as exc:
        repo.record_failed_import(ws.engine, source, origin=str(path), user=user, message=str(exc))
        raise


def load_geometries(ws: Workspace, folder: Path | str, *, levels: tuple[Level, ...] = LEVELS,
                    user: str | None = None) -> GeometryReport:
    """Read the boundary files in ``folder`` (or ``folder/geo``) and replace the map's
    geometries, level by level. Each level is all or nothing."""
    root = Path(folder)
    report = GeometryReport(folder=str(root))
    for level in levels:
        t0 = time.perf_counter()
        path = find_file(root, level)
        try:
            rows, summary = read_file(ws, path, level)
        except Fn17Error as exc:
            repo.record_failed_import(ws.engine, f"geo:{level}", origin=str(path), user=user, message=exc.message)
            raise
        write_level(ws, level, rows, summary, path, user)
        summary.seconds = round(time.perf_counter() - t0, 3)
        log.info("geo %s: %d regions, %d → %d points, %.1f KB of path data", level, summary.regions,
                 summary.points_read, summary.points_written, summary.path_bytes / 1024)
        report.levels.append(summary)
    return report


def read_geometries(ws: Workspace, level: str) -> list[Geometry]:
    """The stored outlines of ``level`` (``kommune`` or ``fylke``), by code; empty when none were loaded."""
    if level not in LEVELS:
        raise InvalidInputError(
            f"Ukjent kartnivå «{level}»; bruk kommune eller fylke.",
            message_en=f"Unknown map level “{level}”; use kommune or fylke.",
        )
    g = geometries.c
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(g.region_code, g.level, g.name, g.valid_year, g.svg_path, g.min_x, g.min_y, g.max_x, g.max_y)
            .where(g.level == level).order_by(g.region_code)
        ).all()
    return [Geometry(*row) for row in rows]


__all__ = [
    "Geometry",
    "GeometryReport",
    "LevelSummary",
    "douglas_peucker",
    "load_geometries",
    "path_data",
    "project",
    "read_file",
    "read_geometries",
    "simplify_ring",
]
