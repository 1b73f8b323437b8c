"""The U4SSC key performance indicators (ITU/UNECE 2017) as FN17 data.

The 91 KPIs live in ``data/u4ssc_kpis.yaml``; :func:`load_u4ssc` reads and
validates them into a :class:`U4sscFramework`. Each KPI keeps its code exactly
as U4SSC writes it (``"EC: ICT: ICT: 1C"``): dimension, sub-dimension,
category, number and ``C`` (core) or ``A`` (advanced).

:func:`match_u4ssc_to_ks` links the KS indicator taxonomy's U4SSC entries to
the KPIs. KS splits several KPIs into one entry per data point (five air
pollutants, 3G/4G coverage, six waste treatment methods …), which is why KS
has 111 U4SSC entries for 91 KPIs, and writes a few codes differently. The
matcher links by normalised code, checks the name, and falls back to the name
when the code points at a KPI with another name.

This module also holds the two helpers every framework loader in FN17 uses:
:func:`read_yaml_document` and :func:`data_file_error_from_validation`.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fn17.errors import DataFileError, NotFoundError

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
U4SSC_DEFAULT_PATH = DATA_DIR / "u4ssc_kpis.yaml"

CODE_PATTERN = re.compile(r"^(EC|EN|SC): ([A-Z]+): ([A-Z]+): (\d+)([CA])$")

#: A code match is kept when the names are at least this similar.
CODE_NAME_AGREEMENT = 0.75
#: A name alone links a KS entry to a KPI only at this similarity or above.
NAME_ONLY_AGREEMENT = 0.9

__all__ = [
    "FieldProblem",
    "KsEntryLike",
    "KsU4sscLink",
    "U4sscCategory",
    "U4sscDimension",
    "U4sscFramework",
    "U4sscFrameworkInfo",
    "U4sscKpi",
    "U4sscKsMatch",
    "U4sscPart",
    "U4sscSubDimension",
    "data_file_error_from_validation",
    "load_u4ssc",
    "match_u4ssc_to_ks",
    "normalise_u4ssc_code",
    "read_yaml_document",
]


# --------------------------------------------------------------------------- #
# shared loader helpers                                                        #
# --------------------------------------------------------------------------- #
class FieldProblem(ValueError):
    """A validation problem in bokmål and English that names its field (and, for
    checks across entries, its entry). Raised inside pydantic validators."""

    def __init__(self, field: str | None, nb: str, en: str, *, entry: str | None = None) -> None:
        super().__init__(nb)
        self.field = field
        self.entry = entry
        self.message_nb = nb
        self.message_en = en


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml_document(path: Path, *, what_nb: str, what_en: str) -> dict[str, Any]:
    """Read a YAML file whose top level is a mapping; raise DataFileError otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataFileError(
            f"Fant ikke {what_nb}: {path}.",
            message_en=f"{what_en} not found: {path}.",
            hint="Kontroller stien, eller la den stå tom for å bruke FN17s egen fil.",
            hint_en="Check the path, or leave it out to use FN17's own file.",
            details={"file": str(path)},
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(
            f"Kunne ikke lese {what_nb} {path}: {exc}.",
            message_en=f"Could not read {what_en} {path}: {exc}.",
            hint="Filen må være UTF-8-kodet tekst.",
            hint_en="The file must be UTF-8 encoded text.",
            details={"file": str(path)},
        ) from exc
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # a safe loader: C if available, else pure Python
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (linje {mark.line + 1}, kolonne {mark.column + 1})" if mark is not None else ""
        where_en = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise DataFileError(
            f"{_cap(what_nb)} {path} er ikke gyldig YAML{where}.",
            message_en=f"{_cap(what_en)} {path} is not valid YAML{where_en}.",
            hint="Rett syntaksfeilen på linjen som er nevnt.",
            hint_en="Fix the syntax error on the line given.",
            details={"file": str(path), "line": mark.line + 1 if mark is not None else None},
        ) from exc
    if not isinstance(data, dict):
        raise DataFileError(
            f"{_cap(what_nb)} {path} må ha en nøkkel–verdi-tabell på toppnivå.",
            message_en=f"{_cap(what_en)} {path} must have a mapping at the top level.",
            details={"file": str(path)},
        )
    return data


def _entry_name(raw: Any, loc: Sequence[int | str]) -> tuple[str, str]:
    """Walk ``loc`` into the raw document: the entry is the outermost list item with an
    ``id`` or ``code``; the field is the rest of the path (``sources[x].table``)."""
    node: Any = raw
    entry = ""
    field_parts: list[str] = []
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            ident = None
            if isinstance(node, dict):
                ident = node.get("id") or node.get("code") or node.get("series")
            label = str(ident) if ident is not None else str(part + 1)
            if not entry:
                entry = label
                field_parts = []
            elif field_parts:
                field_parts[-1] += f"[{label}]"
            else:
                field_parts.append(f"[{label}]")
        elif isinstance(part, str) and isinstance(node, dict):
            node = node.get(part)
            field_parts.append(part)
        else:
            field_parts.append(str(part))
            node = None
    return entry, ".".join(field_parts)


def data_file_error_from_validation(
    exc: ValidationError, raw: Any, path: Path, *, what_nb: str, what_en: str
) -> DataFileError:
    """Turn a pydantic ValidationError into one DataFileError naming entry and field.

    Validators raise :class:`FieldProblem` to give the message in both languages and to
    name the field (and entry) themselves, for checks that span fields or entries.
    """
    problems: list[dict[str, Any]] = []
    for err in exc.errors():
        entry, field = _entry_name(raw, err["loc"])
        original = (err.get("ctx") or {}).get("error")
        if isinstance(original, FieldProblem):
            field = original.field if original.field is not None else field
            entry = original.entry or entry
            nb, en = original.message_nb, original.message_en
        else:
            nb = en = str(err["msg"]).removeprefix("Value error, ")
        problems.append({"entry": entry, "field": field, "message": nb, "message_en": en})
    first = problems[0]
    where_nb = f"oppføring {first['entry']}" if first["entry"] else "toppnivå"
    where_en = f"entry {first['entry']}" if first["entry"] else "top level"
    field_nb = f", felt {first['field']}" if first["field"] else ""
    field_en = f", field {first['field']}" if first["field"] else ""
    more_nb = f" (og {len(problems) - 1} feil til)" if len(problems) > 1 else ""
    more_en = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return DataFileError(
        f"{_cap(what_nb)} {path.name}: {where_nb}{field_nb}: {first['message']}{more_nb}.",
        message_en=f"{_cap(what_en)} {path.name}: {where_en}{field_en}: {first['message_en']}{more_en}.",
        hint="Rett verdien i filen; alle feilene står i details.problems.",
        hint_en="Correct the value in the file; every problem is listed in details.problems.",
        details={"file": str(path), "entry": first["entry"], "field": first["field"], "problems": problems},
    )


# --------------------------------------------------------------------------- #
# codes                                                                        #
# --------------------------------------------------------------------------- #
def normalise_u4ssc_code(code: str) -> str:
    """``"SC: EH: ED:1C"`` → ``"SC:EH:ED:1C"``: no whitespace, upper case."""
    return re.sub(r"\s+", "", code).upper()


def _norm_name(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-zæøå]+", " ", text.lower()).split())


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _norm_name(a), _norm_name(b)).ratio()


# --------------------------------------------------------------------------- #
# models                                                                       #
# --------------------------------------------------------------------------- #
class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class U4sscCategory(_Frozen):
    code: str = Field(pattern=r"^[A-Z]+$")
    name_en: str = Field(min_length=1)
    name_nb: str = Field(min_length=1)


class U4sscSubDimension(_Frozen):
    code: str = Field(pattern=r"^[A-Z]+$")
    name_en: str = Field(min_length=1)
    name_nb: str = Field(min_length=1)
    categories: tuple[U4sscCategory, ...] = Field(min_length=1)


class U4sscDimension(_Frozen):
    code: Literal["EC", "EN", "SC"]
    name_en: Literal["Economy", "Environment", "Society and Culture"]
    name_nb: str = Field(min_length=1)
    sub_dimensions: tuple[U4sscSubDimension, ...] = Field(min_length=1)


class U4sscPart(_Frozen):
    """One data point of a KPI that U4SSC reports in parts (e.g. PM2.5 of Air Pollution)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name_en: str = Field(min_length=1)
    name_nb: str = Field(min_length=1)


_SDG_TARGET = re.compile(r"^(?:[1-9]|1[0-7])\.(?:[1-9]\d?|[a-d])$")


class U4sscKpi(_Frozen):
    code: str
    name_en: str = Field(min_length=1)
    name_nb: str = Field(min_length=1)
    dimension: Literal["Economy", "Environment", "Society and Culture"]
    sub_dimension: str = Field(min_length=1)
    category: str = Field(min_length=1)
    type: Literal["core", "advanced"]
    unit_en: str = Field(min_length=1)
    unit_nb: str = Field(min_length=1)
    direction: Literal["higher", "lower"] | None = None
    sdg_goals: tuple[int, ...] = ()
    sdg_targets: tuple[str, ...] = ()
    parts: tuple[U4sscPart, ...] = ()
    code_note: str | None = None

    @field_validator("code")
    @classmethod
    def _code_syntax(cls, value: str) -> str:
        if not CODE_PATTERN.match(value):
            raise FieldProblem(
                "code",
                f"koden {value!r} følger ikke U4SSC-mønsteret 'EC: ICT: ICT: 1C' "
                "(dimensjon: underdimensjon: kategori: nummer + C/A)",
                f"the code {value!r} does not follow the U4SSC pattern 'EC: ICT: ICT: 1C' "
                "(dimension: sub-dimension: category: number + C/A)",
            )
        return value

    @field_validator("sdg_goals")
    @classmethod
    def _goals_range(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        bad = [g for g in value if not 1 <= g <= 17]
        if bad:
            raise FieldProblem("sdg_goals", f"SDG-mål må være 1–17, fikk {bad}", f"SDG goals must be 1–17, got {bad}")
        return value

    @field_validator("sdg_targets")
    @classmethod
    def _targets_syntax(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [t for t in value if not _SDG_TARGET.match(t)]
        if bad:
            raise FieldProblem(
                "sdg_targets",
                f"ugyldige SDG-delmål {bad}; skriv dem som '11.6' eller '16.b'",
                f"invalid SDG targets {bad}; write them as '11.6' or '16.b'",
            )
        return value

    @model_validator(mode="after")
    def _type_matches_code(self) -> U4sscKpi:
        suffix = self.code[-1]
        if (suffix == "C") != (self.type == "core"):
            raise FieldProblem(
                "type",
                f"type {self.type!r} stemmer ikke med koden {self.code!r} (C = core, A = advanced)",
                f"type {self.type!r} does not agree with the code {self.code!r} (C = core, A = advanced)",
            )
        for target in self.sdg_targets:
            if int(target.split(".")[0]) not in self.sdg_goals:
                raise FieldProblem(
                    "sdg_targets",
                    f"delmål {target} hører til et mål som mangler i sdg_goals",
                    f"target {target} belongs to a goal missing from sdg_goals",
                )
        ids = [p.id for p in self.parts]
        if len(ids) != len(set(ids)):
            raise FieldProblem("parts", f"parts har like id-er: {ids}", f"parts have duplicate ids: {ids}")
        return self

    @property
    def core(self) -> bool:
        return self.type == "core"

    @property
    def normalised_code(self) -> str:
        return normalise_u4ssc_code(self.code)

    @property
    def code_parts(self) -> tuple[str, str, str, int, str]:
        """(dimension code, sub-dimension code, category code, number, 'C' or 'A')."""
        m = CODE_PATTERN.match(self.code)
        if m is None:  # guarded by the validator; kept for the type checker
            raise ValueError(self.code)
        return m.group(1), m.group(2), m.group(3), int(m.group(4)), m.group(5)


class U4sscFrameworkInfo(_Frozen):
    id: Literal["u4ssc"]
    title_en: str
    title_nb: str
    publisher: str
    year: int
    url: str


class U4sscFramework(_Frozen):
    framework: U4sscFrameworkInfo
    dimensions: tuple[U4sscDimension, ...]
    kpis: tuple[U4sscKpi, ...]

    @model_validator(mode="after")
    def _consistent(self) -> U4sscFramework:
        codes = [k.code for k in self.kpis]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise FieldProblem(
                "code",
                f"KPI-koder brukt mer enn én gang: {dupes}",
                f"KPI codes used more than once: {dupes}",
                entry=dupes[0],
            )
        dims: dict[str, U4sscDimension] = {d.code: d for d in self.dimensions}
        numbers: dict[tuple[str, str, str], list[int]] = {}
        for kpi in self.kpis:
            dim_code, sub_code, cat_code, number, _ = kpi.code_parts
            dim = dims.get(dim_code)
            if dim is None or dim.name_en != kpi.dimension:
                raise FieldProblem(
                    "dimension",
                    f"dimensjonen {kpi.dimension!r} passer ikke med koden",
                    f"the dimension {kpi.dimension!r} does not fit the code",
                    entry=kpi.code,
                )
            sub = next((s for s in dim.sub_dimensions if s.code == sub_code), None)
            if sub is None or sub.name_en != kpi.sub_dimension:
                raise FieldProblem(
                    "sub_dimension",
                    f"underdimensjonen {kpi.sub_dimension!r} passer ikke med koden",
                    f"the sub-dimension {kpi.sub_dimension!r} does not fit the code",
                    entry=kpi.code,
                )
            cat = next((c for c in sub.categories if c.name_en == kpi.category), None)
            if cat is None:
                raise FieldProblem(
                    "category",
                    f"kategorien {kpi.category!r} finnes ikke under {sub.name_en}",
                    f"the category {kpi.category!r} does not exist under {sub.name_en}",
                    entry=kpi.code,
                )
            if cat.code != cat_code and not kpi.code_note:
                raise FieldProblem(
                    "code",
                    f"kategorikoden {cat_code} passer ikke med kategorien {cat.name_en} ({cat.code}); "
                    "skriv en code_note hvis U4SSC selv bruker denne koden",
                    f"the category code {cat_code} does not fit the category {cat.name_en} ({cat.code}); "
                    "add a code_note if U4SSC itself uses this code",
                    entry=kpi.code,
                )
            numbers.setdefault((dim_code, sub_code, cat_code), []).append(number)
        for key, nums in numbers.items():
            if sorted(nums) != list(range(1, len(nums) + 1)):
                raise FieldProblem(
                    "code",
                    f"KPI-numrene under {': '.join(key)} er ikke 1..{len(nums)}: {sorted(nums)}",
                    f"the KPI numbers under {': '.join(key)} are not 1..{len(nums)}: {sorted(nums)}",
                )
        return self

    def kpi(self, code: str) -> U4sscKpi:
        """The KPI with this code (whitespace and case do not matter)."""
        wanted = normalise_u4ssc_code(code)
        for kpi in self.kpis:
            if kpi.normalised_code == wanted:
                return kpi
        raise NotFoundError(
            f"U4SSC-KPI {code!r} finnes ikke.",
            message_en=f"U4SSC KPI {code!r} does not exist.",
            hint="Skriv koden som U4SSC gjør, f.eks. 'EC: ICT: ICT: 1C'.",
            hint_en="Write the code as U4SSC does, e.g. 'EC: ICT: ICT: 1C'.",
        )

    def codes(self) -> frozenset[str]:
        return frozenset(k.code for k in self.kpis)


def load_u4ssc(path: Path | str | None = None) -> U4sscFramework:
    """Load and validate the U4SSC KPIs; ``path=None`` reads FN17's own file.

    Raises :class:`DataFileError` naming the KPI and field when the file is bad.
    """
    file = Path(path) if path is not None else U4SSC_DEFAULT_PATH
    raw = read_yaml_document(file, what_nb="U4SSC-filen", what_en="the U4SSC file")
    try:
        framework = U4sscFramework.model_validate(raw)
    except ValidationError as exc:
        raise data_file_error_from_validation(exc, raw, file, what_nb="U4SSC-filen", what_en="the U4SSC file") from exc
    logger.debug("loaded %d U4SSC KPIs from %s", len(framework.kpis), file)
    return framework


# --------------------------------------------------------------------------- #
# matching against the KS taxonomy                                             #
# --------------------------------------------------------------------------- #
class KsEntryLike(Protocol):
    """What the matcher needs from a KS taxonomy entry."""

    @property
    def uri(self) -> str: ...

    @property
    def notation(self) -> str | None: ...

    @property
    def title(self) -> str: ...


MatchMethod = Literal["code", "code_name_differs", "name", "none"]


@dataclass(frozen=True)
class KsU4sscLink:
    """How one KS entry was linked to a U4SSC KPI (``kpi_code`` is None when it was not)."""

    ks_uri: str
    ks_notation: str | None
    ks_title: str
    kpi_code: str | None
    part_id: str | None
    method: MatchMethod
    note: str = ""


@dataclass(frozen=True)
class U4sscKsMatch:
    links: tuple[KsU4sscLink, ...]
    kpi_codes: frozenset[str]

    @property
    def matched(self) -> tuple[KsU4sscLink, ...]:
        return tuple(link for link in self.links if link.kpi_code is not None)

    @property
    def unmatched(self) -> tuple[KsU4sscLink, ...]:
        return tuple(link for link in self.links if link.kpi_code is None)

    @property
    def entry_match_rate(self) -> float:
        """Share of KS entries linked to a KPI (by code or name)."""
        return len(self.matched) / len(self.links) if self.links else 0.0

    @property
    def code_match_rate(self) -> float:
        """Share of KS entries whose normalised code and name both agree with a KPI."""
        if not self.links:
            return 0.0
        return sum(1 for link in self.links if link.method == "code") / len(self.links)

    @property
    def kpis_covered(self) -> frozenset[str]:
        return frozenset(link.kpi_code for link in self.matched if link.kpi_code is not None)

    @property
    def kpi_coverage_rate(self) -> float:
        """Share of the KPIs that at least one KS entry links to."""
        return len(self.kpis_covered) / len(self.kpi_codes) if self.kpi_codes else 0.0

    def links_for(self, kpi_code: str) -> tuple[KsU4sscLink, ...]:
        return tuple(link for link in self.links if link.kpi_code == kpi_code)


def _split_title(title: str) -> tuple[str, str | None]:
    """KS names parts as ``"Air Pollution - PM 2.5"``."""
    if " - " in title:
        base, part = title.split(" - ", 1)
        return base.strip(), part.strip()
    return title.strip(), None


def _find_part(kpi: U4sscKpi, part_title: str | None) -> str | None:
    if part_title is None or not kpi.parts:
        return None
    best = max(kpi.parts, key=lambda p: _similarity(part_title, p.name_en))
    return best.id if _similarity(part_title, best.name_en) >= CODE_NAME_AGREEMENT else None


def _best_by_name(kpis: Sequence[U4sscKpi], name: str) -> U4sscKpi | None:
    scored = sorted(((_similarity(name, k.name_en), k.code) for k in kpis), reverse=True)
    if not scored or scored[0][0] < NAME_ONLY_AGREEMENT:
        return None
    if len(scored) > 1 and scored[1][0] >= NAME_ONLY_AGREEMENT:
        return None  # ambiguous: two KPIs fit the name
    code = scored[0][1]
    return next(k for k in kpis if k.code == code)


def match_u4ssc_to_ks(kpis: U4sscFramework | Iterable[U4sscKpi], ks_entries: Iterable[KsEntryLike]) -> U4sscKsMatch:
    """Link KS taxonomy entries to U4SSC KPIs by normalised code, checked by name.

    For each entry: if its ``skos:notation``, without whitespace, is a KPI code and
    the entry's title (before any ``" - part"``) is close to the KPI's name, the link
    is ``"code"``. If the code points at a KPI with a different name, or at no KPI,
    a KPI whose name fits the title closely (≥ 0.9) is taken instead (``"name"``);
    with no such KPI a code match is kept as ``"code_name_differs"``. Parts
    (``"… - PM 2.5"``) are resolved to the KPI's ``parts``.
    """
    kpi_list = list(kpis.kpis) if isinstance(kpis, U4sscFramework) else list(kpis)
    by_code: Mapping[str, U4sscKpi] = {k.normalised_code: k for k in kpi_list}
    links: list[KsU4sscLink] = []
    for entry in ks_entries:
        base, part = _split_title(entry.title)
        notation = entry.notation
        code_kpi = by_code.get(normalise_u4ssc_code(notation)) if notation else None
        if code_kpi is not None and _similarity(base, code_kpi.name_en) >= CODE_NAME_AGREEMENT:
            links.append(
                KsU4sscLink(entry.uri, notation, entry.title, code_kpi.code, _find_part(code_kpi, part), "code")
            )
            continue
        name_kpi = _best_by_name(kpi_list, base)
        if name_kpi is not None:
            if code_kpi is not None:
                note = f"KS-koden {notation} er koden til {code_kpi.code} {code_kpi.name_en}; navnet passer {name_kpi.code}"
            elif notation:
                note = f"KS-koden {notation} finnes ikke hos U4SSC; navnet passer {name_kpi.code}"
            else:
                note = f"KS-oppføringen har ingen kode; navnet passer {name_kpi.code}"
            links.append(
                KsU4sscLink(entry.uri, notation, entry.title, name_kpi.code, _find_part(name_kpi, part), "name", note)
            )
            continue
        if code_kpi is not None:
            note = f"navnet {base!r} avviker fra {code_kpi.name_en!r}"
            links.append(
                KsU4sscLink(
                    entry.uri,
                    notation,
                    entry.title,
                    code_kpi.code,
                    _find_part(code_kpi, part),
                    "code_name_differs",
                    note,
                )
            )
            continue
        links.append(KsU4sscLink(entry.uri, notation, entry.title, None, None, "none", "ingen kode eller navn passer"))
    result = U4sscKsMatch(links=tuple(links), kpi_codes=frozenset(k.code for k in kpi_list))
    logger.info(
        "U4SSC↔KS: %d of %d entries linked (%d by code), %d of %d KPIs covered",
        len(result.matched),
        len(result.links),
        sum(1 for link in result.links if link.method == "code"),
        len(result.kpis_covered),
        len(result.kpi_codes),
    )
    return result
