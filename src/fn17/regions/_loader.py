"""Read and validate the register's data files (``data/*.csv``, UTF-8).

Every problem is a DataFileError that names the file, the row (as a spreadsheet shows it: the
header is row 1) and what is wrong. Nothing is half-loaded.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType

from fn17.errors import DataFileError
from fn17.regions.models import (
    CHANGE_KINDS,
    HORIZON,
    NAME_LANGS,
    REGION_KINDS,
    SPLIT_KINDS,
    TRANSITION_KINDS,
    Change,
    KostraGroup,
    Region,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

REGION_COLUMNS = ("code", "kind", "name", "name_nb", "name_sme", "name_smj", "name_sma", "name_fkv",
                  "county", "valid_from", "valid_to", "source")
CHANGE_COLUMNS = ("date", "kind", "from_codes", "to_codes", "weights", "source", "note", "note_en")
SOURCE_COLUMNS = ("id", "title", "publisher", "as_of", "note")
KOSTRA_COLUMNS = ("code", "group", "source")
GROUP_COLUMNS = ("group", "population", "bound_costs", "free_income", "municipalities",
                 "description_nb", "description_en")

_CODE_RE = {"kommune": re.compile(r"^\d{4}$"), "fylke": re.compile(r"^\d{2}$")}
_ANY_CODE = re.compile(r"^(\d{2}|\d{4})$")
WEIGHT_TOLERANCE = 0.001
#: KOSTRA's grouping per 2020 covers the 2020–2023 municipalities and, renumbered, those of 2024.
KOSTRA_2020_LAST_DAY = date(2023, 12, 31)


@dataclass(frozen=True)
class RegisterData:
    """Everything the data files say, validated."""

    regions: tuple[Region, ...]
    changes: tuple[Change, ...]
    sources: dict[str, str]
    kostra: dict[str, str | None]
    kostra_sources: dict[str, str]
    kostra_groups: tuple[KostraGroup, ...]
    directory: Path


class _Problem(Exception):
    """A row-level problem, in bokmål and English; turned into a DataFileError with the file and row."""

    def __init__(self, nb: str, en: str) -> None:
        super().__init__(nb)
        self.nb = nb
        self.en = en


def _fail(path: Path, row: int | None, problem_nb: str, problem_en: str | None = None) -> DataFileError:
    where_nb = f"{path.name}, rad {row}" if row is not None else path.name
    where_en = f"{path.name}, row {row}" if row is not None else path.name
    return DataFileError(
        f"Regiondatafilen {where_nb}: {problem_nb}",
        message_en=f"Region data file {where_en}: {problem_en or problem_nb}",
        hint="Rett filen (UTF-8, kommaseparert) eller installer FN17 på nytt.",
        hint_en="Correct the file (UTF-8, comma-separated) or reinstall FN17.",
        details={"file": str(path), "row": row, "problem": problem_en or problem_nb},
    )


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise _fail(path, None, "filen mangler.", "the file is missing.")
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header = tuple(reader.fieldnames or ())
            if header != columns:
                raise _fail(path, 1, f"kolonnene skal være {', '.join(columns)}; fant {', '.join(header)}.",
                            f"the columns must be {', '.join(columns)}; found {', '.join(header)}.")
            for i, row in enumerate(reader, start=2):
                if None in row or any(v is None for v in row.values()):
                    raise _fail(path, i, "feil antall felt.", "wrong number of fields.")
                yield i, {k: v.strip() for k, v in row.items()}
    except UnicodeDecodeError as exc:
        raise _fail(path, None, f"ikke gyldig UTF-8 ({exc.reason}).", f"not valid UTF-8 ({exc.reason}).") from exc


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _Problem(f"{what} «{text}» er ikke en dato (ÅÅÅÅ-MM-DD).", f"{what} «{text}» is not a date (YYYY-MM-DD).") from exc


def _codes(text: str, what: str) -> tuple[str, ...]:
    codes = tuple(text.split())
    if not codes:
        raise _Problem(f"{what} er tom.", f"{what} is empty.")
    for c in codes:
        if not _ANY_CODE.match(c):
            raise _Problem(f"{what}: «{c}» er ikke et kommunenummer (4 sifre) eller fylkesnummer (2 sifre).",
                           f"{what}: «{c}» is not a municipality (4 digits) or county (2 digits) number.")
    return codes


def _weights(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in text.split():
        code, sep, value = part.partition(":")
        try:
            w = float(value)
        except ValueError as exc:
            raise _Problem(f"vekten «{part}» skal skrives KODE:ANDEL, f.eks. 1580:0.143.",
                           f"the weight «{part}» must be written CODE:SHARE, e.g. 1580:0.143.") from exc
        if not sep or not _ANY_CODE.match(code) or not math.isfinite(w) or not 0 < w <= 1:
            raise _Problem(f"vekten «{part}» skal skrives KODE:ANDEL med 0 < ANDEL ≤ 1.",
                           f"the weight «{part}» must be written CODE:SHARE with 0 < SHARE ≤ 1.")
        out[code] = w
    return out


def _read_sources(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, row in _rows(path, SOURCE_COLUMNS):
        if not row["id"] or not row["title"]:
            raise _fail(path, i, "id og title må fylles ut.", "id and title are required.")
        if row["id"] in out:
            raise _fail(path, i, f"kilden {row['id']} står to ganger.", f"source {row['id']} appears twice.")
        out[row["id"]] = row["title"]
    return out


def _read_regions(path: Path, sources: dict[str, str]) -> list[Region]:
    out: list[Region] = []
    for i, row in _rows(path, REGION_COLUMNS):
        try:
            kind = row["kind"]
            if kind not in REGION_KINDS:
                raise _Problem(f"kind «{kind}» skal være kommune eller fylke.", f"kind «{kind}» must be kommune or fylke.")
            code = row["code"]
            if not _CODE_RE[kind].match(code):
                n = "4" if kind == "kommune" else "2"
                raise _Problem(f"koden «{code}» passer ikke til {kind} ({n} sifre).", f"the code «{code}» does not fit {kind} ({n} digits).")
            if not row["name"] or not row["name_nb"]:
                raise _Problem("name og name_nb må fylles ut.", "name and name_nb are required.")
            before = row["valid_from"] == ""
            valid_from = HORIZON if before else _date(row["valid_from"], "valid_from")
            valid_to = _date(row["valid_to"], "valid_to") if row["valid_to"] else None
            if valid_to is not None and valid_to < valid_from:
                raise _Problem("valid_to er før valid_from.", "valid_to is before valid_from.")
            county = row["county"] or None
            if kind == "kommune" and (county is None or county != code[:2]):
                raise _Problem(f"county skal være de to første sifrene i kommunenummeret ({code[:2]}).",
                               f"county must be the first two digits of the municipality number ({code[:2]}).")
            if kind == "fylke" and county is not None:
                raise _Problem("et fylke har ikke county.", "a county has no county.")
            if row["source"] not in sources:
                raise _Problem(f"kilden «{row['source']}» står ikke i sources.csv.", f"source «{row['source']}» is not in sources.csv.")
            others = {lang: row[f"name_{lang}"] for lang in NAME_LANGS if row[f"name_{lang}"]}
            for lang, other in others.items():
                if other not in row["name"]:
                    raise _Problem(f"name_{lang} «{other}» er ikke en del av name «{row['name']}».",
                                   f"name_{lang} «{other}» is not part of name «{row['name']}».")
            if row["name_nb"] not in row["name"]:
                raise _Problem(f"name_nb «{row['name_nb']}» er ikke en del av name «{row['name']}».",
                               f"name_nb «{row['name_nb']}» is not part of name «{row['name']}».")
        except _Problem as exc:
            raise _fail(path, i, exc.nb, exc.en) from exc
        out.append(Region(
            code=code, name=row["name"], kind=kind, county_code=county,
            valid_from=valid_from, valid_to=valid_to, name_nb=row["name_nb"],
            other_names=MappingProxyType(others), before_horizon=before, source=row["source"],
        ))
    return out


def _read_changes(path: Path, sources: dict[str, str]) -> list[tuple[int, Change]]:
    out: list[tuple[int, Change]] = []
    for i, row in _rows(path, CHANGE_COLUMNS):
        try:
            when = _date(row["date"], "date")
            kind = row["kind"]
            if kind not in CHANGE_KINDS:
                raise _Problem(f"kind «{kind}» skal være en av {', '.join(CHANGE_KINDS)}.", f"kind «{kind}» must be one of {', '.join(CHANGE_KINDS)}.")
            from_codes = _codes(row["from_codes"], "from_codes")
            to_codes = _codes(row["to_codes"], "to_codes")
            weights = _weights(row["weights"])
            if kind in SPLIT_KINDS or kind == "boundary":
                if len(from_codes) != 1:
                    raise _Problem(f"en {kind} har nøyaktig én from_code.", f"a {kind} has exactly one from_code.")
                if set(weights) != set(to_codes):
                    raise _Problem("weights skal ha én vekt for hver kode i to_codes.", "weights must give one weight for each code in to_codes.")
                if kind in SPLIT_KINDS and abs(sum(weights.values()) - 1) > WEIGHT_TOLERANCE:
                    total = sum(weights.values())
                    raise _Problem(f"vektene summerer til {total:.4f}, ikke 1.", f"the weights sum to {total:.4f}, not 1.")
            elif weights:
                raise _Problem(f"en {kind} har ikke weights.", f"a {kind} has no weights.")
            if kind in ("merger", "renumber", "county_merge") and len(to_codes) != 1:
                raise _Problem(f"en {kind} har nøyaktig én to_code.", f"a {kind} has exactly one to_code.")
            if kind == "rename" and from_codes != to_codes:
                raise _Problem("en rename har samme kode i from_codes og to_codes.", "a rename has the same code in from_codes and to_codes.")
            if row["source"] not in sources:
                raise _Problem(f"kilden «{row['source']}» står ikke i sources.csv.", f"source «{row['source']}» is not in sources.csv.")
            if not row["note"] or not row["note_en"]:
                raise _Problem("note og note_en må fylles ut.", "note and note_en are required.")
        except _Problem as exc:
            raise _fail(path, i, exc.nb, exc.en) from exc
        out.append((i, Change(
            date=when, kind=kind, from_codes=from_codes, to_codes=to_codes,
            weights=MappingProxyType(weights), source=row["source"], note=row["note"], note_en=row["note_en"],
        )))
    return out


def _check_versions(path: Path, regions: list[Region]) -> dict[str, list[Region]]:
    by_code: dict[str, list[Region]] = defaultdict(list)
    for r in regions:
        by_code[r.code].append(r)
    for code, versions in by_code.items():
        versions.sort(key=lambda r: r.valid_from)
        if len({v.kind for v in versions}) > 1:
            raise _fail(path, None, f"koden {code} er både kommune og fylke.", f"code {code} is both kommune and fylke.")
        for a, b in itertools.pairwise(versions):
            if a.valid_to is None or a.valid_to + timedelta(days=1) != b.valid_from:
                raise _fail(path, None, f"periodene for {code} henger ikke sammen ({a.valid_to} → {b.valid_from}).",
                            f"the periods of {code} do not follow each other ({a.valid_to} → {b.valid_from}).")
    return by_code


def _check_changes(path: Path, changes: list[tuple[int, Change]], by_code: dict[str, list[Region]]) -> None:
    def valid(code: str, at: date) -> bool:
        return any(v.valid_at(at) for v in by_code.get(code, ()))

    outgoing: dict[str, list[Change]] = defaultdict(list)
    for i, ch in changes:
        before = ch.date - timedelta(days=1)
        for c in ch.from_codes:
            if c not in by_code:
                raise _fail(path, i, f"from_code {c} finnes ikke i regions.csv.", f"from_code {c} is not in regions.csv.")
            if not valid(c, before):
                raise _fail(path, i, f"{c} gjaldt ikke dagen før endringen ({before}).",
                            f"{c} was not valid the day before the change ({before}).")
        for c in ch.to_codes:
            if c not in by_code:
                raise _fail(path, i, f"to_code {c} finnes ikke i regions.csv.", f"to_code {c} is not in regions.csv.")
            if not valid(c, ch.date):
                raise _fail(path, i, f"{c} gjelder ikke på endringsdatoen ({ch.date}).",
                            f"{c} is not valid on the date of the change ({ch.date}).")
        if ch.kind in TRANSITION_KINDS:
            for c in ch.from_codes:
                if not valid(c, ch.date):
                    outgoing[c].append(ch)
    # every code that ends is carried somewhere, by exactly one split or one merger/renumber
    for code, versions in by_code.items():
        end = versions[-1].valid_to
        if end is None:
            continue
        day = end + timedelta(days=1)
        here = [ch for ch in outgoing.get(code, []) if ch.date == day]
        splits = [ch for ch in here if ch.kind in SPLIT_KINDS]
        others = [ch for ch in here if ch.kind not in SPLIT_KINDS]
        if not here:
            raise _fail(path, None, f"{code} slutter {end}, men ingen endring {day} sier hva den ble.",
                        f"{code} ends on {end}, but no change on {day} says what it became.")
        if len(splits) > 1 or (not splits and len(others) > 1):
            raise _fail(path, None, f"{code} har flere overganger {day}; den skal ha én.",
                        f"{code} has more than one transition on {day}; it must have one.")


def _read_kostra(path: Path, groups_path: Path, sources: dict[str, str], by_code: dict[str, list[Region]]
                 ) -> tuple[dict[str, str | None], dict[str, str], tuple[KostraGroup, ...]]:
    groups: list[KostraGroup] = []
    for i, row in _rows(groups_path, GROUP_COLUMNS):
        try:
            n = int(row["municipalities"])
        except ValueError as exc:
            raise _fail(groups_path, i, "municipalities skal være et heltall.", "municipalities must be an integer.") from exc
        groups.append(KostraGroup(row["group"], row["population"], row["bound_costs"], row["free_income"], n,
                                  row["description_nb"], row["description_en"]))
    known = {g.group for g in groups}
    kostra: dict[str, str | None] = {}
    ksources: dict[str, str] = {}
    for i, row in _rows(path, KOSTRA_COLUMNS):
        code, group = row["code"], row["group"]
        versions = by_code.get(code)
        if not versions or versions[0].kind != "kommune" or not (
            versions[-1].valid_to is None or versions[-1].valid_to >= KOSTRA_2020_LAST_DAY
        ):
            raise _fail(path, i, f"{code} er ikke en kommune i KOSTRA-grupperingen per 2020 (2020–).",
                        f"{code} is not a municipality of the KOSTRA grouping per 2020 (2020–).")
        if code in kostra:
            raise _fail(path, i, f"{code} står to ganger.", f"{code} appears twice.")
        if group == "unknown":
            kostra[code] = None
            continue
        if group not in known:
            raise _fail(path, i, f"gruppe «{group}» finnes ikke i {groups_path.name}.",
                        f"group «{group}» is not in {groups_path.name}.")
        if row["source"] not in sources:
            raise _fail(path, i, f"kilden «{row['source']}» står ikke i sources.csv.",
                        f"source «{row['source']}» is not in sources.csv.")
        kostra[code] = group
        ksources[code] = row["source"]
    current = {c for c, versions in by_code.items() if versions[0].kind == "kommune" and versions[-1].valid_to is None}
    if current - set(kostra):
        absent = ", ".join(sorted(current - set(kostra))[:5])
        raise _fail(path, None, f"gjeldende kommuner mangler (skriv unknown når gruppen ikke er kjent): {absent}.",
                    f"current municipalities are missing (write unknown where the group is not known): {absent}.")
    return kostra, ksources, tuple(groups)


def read_register_data(directory: Path) -> RegisterData:
    """Read every data file in ``directory`` and check that they agree with each other."""
    sources = _read_sources(directory / "sources.csv")
    regions_path = directory / "regions.csv"
    regions = _read_regions(regions_path, sources)
    by_code = _check_versions(regions_path, regions)
    changes_path = directory / "changes.csv"
    changes = _read_changes(changes_path, sources)
    _check_changes(changes_path, changes, by_code)
    kostra, ksources, groups = _read_kostra(directory / "kostra.csv", directory / "kostra_groups.csv", sources, by_code)
    return RegisterData(
        regions=tuple(r for versions in by_code.values() for r in versions),
        changes=tuple(sorted((ch for _, ch in changes), key=lambda c: c.date)),
        sources=sources,
        kostra=kostra,
        kostra_sources=ksources,
        kostra_groups=groups,
        directory=directory,
    )
