"""The KS indicator taxonomy for the SDGs (RDF Turtle, published on data.norge.no) into the store.

Each indicator set is one ``.ttl`` file (a ``skos:ConceptScheme``); each indicator an
``sdgo:Indicator`` with its title, set (``skos:inScheme``), SDG goals (``sdgo:hasGoal``)
and targets (``sdgo:isIndicatorOf``), quality class (``dqv:hasQualityMeasurement``),
geographic level (``dcterms:coverage``), evaluation level and people/planet/prosperity
(KS's own ``hasEvaluation`` and ``hasImpact``), source URL (``dcterms:source``) and, for
U4SSC, the KPI code (``skos:notation``; the UN and OECD sets use ``skos:notation`` for
their own indicator codes, kept as ``notation``). The small vocabularies beside the sets
(``quality``, ``Levelofgeography``, ``Evaluation``, ``triplebottomline``,
``developmentsector``) give the labels.

The published folder also holds each set a second time in a subfolder of the same name
(an older export); a file whose name matches a set file at the top is not read again.

Stored as framework ``ks``: one ``framework_items`` row per set (``kind: set``) and per
indicator (``kind: indicator``, parent: its set, everything else in ``attrs``).
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fn17.errors import DataFileError, NotFoundError

log = logging.getLogger(__name__)

FRAMEWORK_ID = "ks"
FRAMEWORK_NAME = "KS' indikatortaksonomi for bærekraftsmålene"
_SDG = "http://metadata.un.org/sdg/"
_SDGO = "http://metadata.un.org/sdg/ontology#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_DC = "http://purl.org/dc/"  # the files bind dct: to this (sic)
_KS = "https://metadata.ks.no/sdg-taxonomi/#"
_DQV = "http://www.w3.org/ns/dqv#"
_XKOS = "http://rdf-vocabulary.ddialliance.org/xkos#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VOCABULARIES = ("quality", "Levelofgeography", "Evaluation", "triplebottomline", "developmentsector")


@dataclass
class TaxonomyIndicator:
    code: str
    uri: str
    set: str
    title: str
    title_lang: str
    goals: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    quality_class: int | None = None
    geographic_level: list[str] = field(default_factory=list)
    evaluation: list[str] = field(default_factory=list)
    impact: list[str] = field(default_factory=list)
    source_url: str | None = None
    notation: str | None = None
    u4ssc: str | None = None
    periodicity: str | None = None
    sectors: list[str] = field(default_factory=list)
    kind: str | None = None
    related: list[str] = field(default_factory=list)


@dataclass
class TaxonomySet:
    code: str
    uri: str
    title: str
    modified: str | None
    indicators: int = 0


@dataclass
class Taxonomy:
    sets: list[TaxonomySet]
    indicators: list[TaxonomyIndicator]
    labels: dict[str, dict[str, str]]
    files: list[str]
    parse_seconds: float

    @property
    def version(self) -> str:
        dates = [s.modified for s in self.sets if s.modified]
        return max(dates) if dates else "unknown"


@dataclass
class TaxonomySummary:
    indicators: int
    sets: int
    per_set: dict[str, int]
    with_targets: int
    with_u4ssc_code: int
    version: str
    parse_seconds: float
    seconds: float
    files: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _local(uri: str) -> str:
    return re.split(r"[/#]", uri.rstrip("/#"))[-1]


def _set_code(scheme_uri: str) -> str:
    return _local(scheme_uri)


def _indicator_code(uri: str, scheme_uri: str) -> str:
    rest = uri[len(scheme_uri) :].lstrip("/#") if uri.startswith(scheme_uri) else _local(uri)
    return f"{_set_code(scheme_uri)}/{rest}"


def set_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """The indicator-set files at the top of ``folder`` and the vocabulary files in its
    subfolders (sets repeated in a subfolder of the same name are left out)."""
    top = sorted(p for p in folder.glob("*.ttl") if p.is_file())
    stems = {p.stem for p in top}
    vocab = sorted(
        p for p in folder.glob("*/*.ttl") if p.is_file() and p.stem not in stems and p.parent.name not in stems
    )
    return top, vocab


def parse_taxonomy(folder: Path) -> Taxonomy:
    """Parse every set and vocabulary file under ``folder``; DataFileError names a broken file."""
    import rdflib
    from rdflib.term import Literal, URIRef

    if not folder.is_dir():
        raise NotFoundError(f"Mappen {folder} finnes ikke.", message_en=f"The folder {folder} does not exist.")
    top, vocab = set_files(folder)
    if not top:
        raise NotFoundError(
            f"Fant ingen .ttl-filer i {folder}.",
            message_en=f"Found no .ttl files in {folder}.",
            hint="Pek på mappen esg-indicator i KS-taksonomien.",
            hint_en="Point at the esg-indicator folder of the KS taxonomy.",
        )
    t0 = time.perf_counter()
    graph = rdflib.Graph()
    for path in [*top, *vocab]:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise DataFileError(
                f"{path.name} er ikke gyldig RDF Turtle: {exc}",
                message_en=f"{path.name} is not valid RDF Turtle: {exc}",
                hint="Last ned filen på nytt fra data.norge.no.",
                hint_en="Download the file again from data.norge.no.",
                details={"file": str(path)},
            ) from exc
    parse_seconds = time.perf_counter() - t0
    props: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for subj, pred, obj in graph:
        if isinstance(subj, URIRef):
            props[str(subj)][str(pred)].append(obj)

    def labels_of(uri: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for lit in props.get(uri, {}).get(_SKOS + "prefLabel", []) + props.get(uri, {}).get(_DC + "title", []):
            if isinstance(lit, Literal):
                out.setdefault(lit.language or "", str(lit))
        return out

    sets: dict[str, TaxonomySet] = {}
    indicators: list[TaxonomyIndicator] = []
    labels: dict[str, dict[str, str]] = {}
    for subject, p in props.items():
        types = {str(t) for t in p.get(_RDF_TYPE, [])}
        if _SDGO + "Indicator" not in types:
            continue
        schemes = [str(x) for x in p.get(_SKOS + "inScheme", [])]
        if not schemes:
            continue
        scheme = schemes[0]
        if scheme not in sets:
            titles = labels_of(scheme)
            title = (
                titles.get("no")
                or titles.get("nb")
                or titles.get("")
                or titles.get("en")
                or _set_code(scheme).replace("-", " ").strip()
            )
            modified = [str(x) for x in props.get(scheme, {}).get(_DC + "modified", [])]
            sets[scheme] = TaxonomySet(
                code=_set_code(scheme), uri=scheme, title=title, modified=max(modified) if modified else None
            )
        sets[scheme].indicators += 1
        titles = {(lit.language or ""): str(lit) for lit in p.get(_DC + "title", []) if isinstance(lit, Literal)}
        lang = next((k for k in ("no", "nb", "en", "") if k in titles), "")
        quality = [_local(str(x)) for x in p.get(_DQV + "hasQualityMeasurement", [])]
        qmatch = re.search(r"(\d)", quality[0]) if quality else None
        for key in (_DCT + "coverage", _KS + "hasEvaluation", _KS + "hasImpact", _DCT + "subject"):
            for ref in p.get(key, []):
                labels.setdefault(_local(str(ref)), labels_of(str(ref)))
        notation = [str(x) for x in p.get(_SKOS + "notation", [])]
        sources = [str(x) for x in p.get(_DCT + "source", [])]
        periodicity = [str(x) for x in p.get(_DCT + "accrualPeriodicity", [])]
        kind = [str(x).strip() for x in p.get(_DCT + "type", [])]
        related = sorted({str(x) for key in ("related", "closeMatch", "relatedMatch") for x in p.get(_SKOS + key, [])})
        indicators.append(
            TaxonomyIndicator(
                code=_indicator_code(subject, scheme),
                uri=subject,
                set=_set_code(scheme),
                title=titles.get(lang, _local(subject)),
                title_lang=lang,
                goals=sorted({str(x).removeprefix(_SDG) for x in p.get(_SDGO + "hasGoal", [])}, key=_goal_order),
                targets=sorted(
                    {str(x).removeprefix(_SDG) for x in p.get(_SDGO + "isIndicatorOf", [])}, key=_goal_order
                ),
                quality_class=int(qmatch.group(1)) if qmatch else None,
                geographic_level=sorted(_local(str(x)) for x in p.get(_DCT + "coverage", [])),
                evaluation=sorted(_local(str(x)) for x in p.get(_KS + "hasEvaluation", [])),
                impact=sorted(_local(str(x)) for x in p.get(_KS + "hasImpact", [])),
                source_url=sources[0] if sources else None,
                notation=notation[0] if notation else None,
                u4ssc=notation[0] if notation and _set_code(scheme) == "U4SSC" else None,
                periodicity=periodicity[0] if periodicity else None,
                sectors=sorted(_local(str(x)) for x in p.get(_DCT + "subject", [])),
                kind=kind[0] if kind and kind[0] else None,
                related=related,
            )
        )
    codes = [i.code for i in indicators]
    if len(codes) != len(set(codes)):
        dupes = sorted({c for c in codes if codes.count(c) > 1})[:5]
        raise DataFileError(
            f"Taksonomien har samme indikatorkode flere ganger: {', '.join(dupes)}.",
            message_en=f"The taxonomy has the same indicator code more than once: {', '.join(dupes)}.",
        )
    indicators.sort(key=lambda i: i.code)
    return Taxonomy(
        sets=sorted(sets.values(), key=lambda s: s.code),
        indicators=indicators,
        labels=labels,
        files=[p.name for p in top],
        parse_seconds=round(parse_seconds, 3),
    )


def _goal_order(code: str) -> tuple[int, str]:
    head, _, rest = code.partition(".")
    return (int(head) if head.isdigit() else 99, rest.zfill(3))


def framework_rows(tax: Taxonomy) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for s in tax.sets:
        rows.append(
            {
                "framework_id": FRAMEWORK_ID,
                "code": s.code,
                "kind": "set",
                "parent_code": None,
                "title_nb": s.title,
                "title_en": None,
                "attrs": {"uri": s.uri, "modified": s.modified, "indicators": s.indicators},
            }
        )
    for i in tax.indicators:
        attrs = asdict(i)
        for k in ("code", "title"):
            attrs.pop(k)
        attrs["labels"] = {
            k: tax.labels.get(k, {}) for k in [*i.geographic_level, *i.evaluation, *i.impact] if tax.labels.get(k)
        }
        rows.append(
            {
                "framework_id": FRAMEWORK_ID,
                "code": i.code,
                "kind": "indicator",
                "parent_code": i.set,
                "title_nb": i.title,
                "title_en": i.title if i.title_lang == "en" else None,
                "attrs": attrs,
            }
        )
    return rows


def import_taxonomy(engine: Any, folder: Path, *, user: str | None = None) -> TaxonomySummary:
    """Parse the taxonomy in ``folder`` and replace framework ``ks`` in the store (one transaction)."""
    from sqlalchemy import delete, insert

    from fn17.store import repo
    from fn17.store.tables import framework_items, frameworks

    t0 = time.perf_counter()
    tax = parse_taxonomy(folder)
    rows = framework_rows(tax)
    per_set = {s.code: s.indicators for s in tax.sets}
    summary = TaxonomySummary(
        indicators=len(tax.indicators),
        sets=len(tax.sets),
        per_set=per_set,
        with_targets=sum(1 for i in tax.indicators if i.targets),
        with_u4ssc_code=sum(1 for i in tax.indicators if i.u4ssc),
        version=tax.version,
        parse_seconds=tax.parse_seconds,
        seconds=0.0,
        files=len(tax.files),
    )
    with engine.begin() as conn:
        import_id = repo.start_import(conn, "taxonomy:ks", origin=str(folder), user=user)
        conn.execute(delete(framework_items).where(framework_items.c.framework_id == FRAMEWORK_ID))
        conn.execute(delete(frameworks).where(frameworks.c.id == FRAMEWORK_ID))
        conn.execute(
            insert(frameworks).values(
                id=FRAMEWORK_ID, name=FRAMEWORK_NAME, version=tax.version, loaded_at=datetime.now(UTC)
            )
        )
        conn.execute(insert(framework_items), rows)
        summary.seconds = round(time.perf_counter() - t0, 3)
        repo.finish_import(conn, import_id, rows=len(rows), summary=summary.to_dict())
    log.info(
        "KS taxonomy: %d indicators in %d sets (parse %.2f s)", summary.indicators, summary.sets, summary.parse_seconds
    )
    return summary


__all__ = [
    "FRAMEWORK_ID",
    "Taxonomy",
    "TaxonomyIndicator",
    "TaxonomySet",
    "TaxonomySummary",
    "import_taxonomy",
    "parse_taxonomy",
    "set_files",
]
