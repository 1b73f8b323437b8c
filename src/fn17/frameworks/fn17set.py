"""FN17's municipal indicator set: indicators that exist for every municipality.

The set lives in ``data/fn17_indicators.yaml``; :func:`load_fn17_set` reads and
validates it into an :class:`IndicatorSet` of :class:`IndicatorDef`. Each
indicator says where its numbers come from (:class:`SourceQuery`: an SSB
statistics-bank table and the PxWebApi v2 ``valueCodes`` that produce it, or
another public source), how the value is computed (:class:`Formula`), which SDG
targets it measures, and its targets with provenance (:class:`TargetDef`: the
optimum that scores 100, green and red thresholds, and the lower-bound rule).

Directions: ``higher`` or ``lower`` is better; ``context`` indicators (age
structure, density, income level) describe a municipality for peer groups and
are never scored, so they carry no targets.

:func:`indicator_table_markdown` renders the set as the table in
``docs/indicators.md``; ``python -m fn17.frameworks.fn17set docs/indicators.md``
rewrites that section.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fn17.errors import InvalidInputError, NotFoundError
from fn17.frameworks.u4ssc import (
    CODE_PATTERN,
    DATA_DIR,
    FieldProblem,
    data_file_error_from_validation,
    read_yaml_document,
)

logger = logging.getLogger(__name__)

FN17_SET_DEFAULT_PATH = DATA_DIR / "fn17_indicators.yaml"
DOC_BEGIN = "<!-- BEGIN GENERATED: fn17 indicator table (fn17.frameworks.fn17set.indicator_table_markdown) -->"
DOC_END = "<!-- END GENERATED: fn17 indicator table -->"

__all__ = [
    "DemoData",
    "Formula",
    "IndicatorDef",
    "IndicatorSet",
    "LowerBound",
    "Reference",
    "SourceQuery",
    "TargetDef",
    "Threshold",
    "indicator_table_markdown",
    "is_sdg_target_code",
    "load_fn17_set",
    "render_indicator_docs",
]

# Official SDG targets: numbered 1..n, then lettered means of implementation (169 in all).
_SDG_TARGETS: Mapping[int, tuple[int, str]] = {
    1: (5, "ab"), 2: (5, "abc"), 3: (9, "abcd"), 4: (7, "abc"), 5: (6, "abc"), 6: (6, "ab"),
    7: (3, "ab"), 8: (10, "ab"), 9: (5, "abc"), 10: (7, "abc"), 11: (7, "abc"), 12: (8, "abc"),
    13: (3, "ab"), 14: (7, "abc"), 15: (9, "abc"), 16: (10, "ab"), 17: (19, ""),
}  # fmt: skip
_TARGET_SYNTAX = re.compile(r"^(\d{1,2})\.(\d{1,2}|[a-z])$")


def is_sdg_target_code(code: str) -> bool:
    """True for an official SDG target code such as ``"3.4"``, ``"11.a"`` or ``"17.19"``."""
    m = _TARGET_SYNTAX.match(code)
    if m is None:
        return False
    goal = int(m.group(1))
    if goal not in _SDG_TARGETS:
        return False
    numbered, lettered = _SDG_TARGETS[goal]
    rest = m.group(2)
    if rest.isdigit():
        return not rest.startswith("0") and 1 <= int(rest) <= numbered
    return rest in lettered


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts3(_Frozen):
    nb: str = Field(min_length=1)
    nn: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Texts2(_Frozen):
    nb: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Reference(_Frozen):
    """A source for a target value: a law, a plan, an international target, or FN17's calibration."""

    nb: str = Field(min_length=1)
    en: str = Field(min_length=1)
    url: str | None = None


Provider = Literal[
    "ssb", "fhi", "miljodirektoratet", "nve_elhub", "valgdirektoratet", "imdi", "udir", "nav",
    "nkom", "dsb", "ks", "landbruksdirektoratet", "norsk_presseforbund", "statens_vegvesen",
    "helsedirektoratet", "vann_nett",
]  # fmt: skip


class SourceQuery(_Frozen):
    """One raw series: an SSB table with its PxWebApi v2 query, or a dataset from another public source.

    ``verified`` says the table id (or dataset) was checked against a real use of it;
    ``codes_verified`` says the same of the ``value_codes``. Unverified ids are
    never invented: ``table`` is then left empty and ``note`` says what to check.
    """

    series: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    provider: Provider
    title: str = Field(min_length=1)
    table: str | None = Field(default=None, pattern=r"^\d{5}$")
    value_codes: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    region_dimension: str | None = None
    codelist: dict[str, str] = Field(default_factory=dict)
    url: str | None = None
    verified: bool
    codes_verified: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SourceQuery:
        if self.codes_verified and not self.verified:
            raise FieldProblem(
                f"sources[{self.series}].codes_verified",
                "kan ikke være true når verified er false",
                "cannot be true when verified is false",
            )
        if self.provider == "ssb":
            if self.verified and self.table is None:
                raise FieldProblem(
                    f"sources[{self.series}].table",
                    "en verifisert SSB-kilde må ha tabellnummer",
                    "a verified SSB source needs a table id",
                )
            if self.table is not None:
                for dim in ("ContentsCode", "Tid"):
                    if dim not in self.value_codes:
                        raise FieldProblem(f"sources[{self.series}].value_codes", f"mangler {dim}", f"{dim} is missing")
                if not self.region_dimension:
                    raise FieldProblem(
                        f"sources[{self.series}].region_dimension",
                        "må oppgis for SSB-tabeller",
                        "is required for SSB tables",
                    )
            if self.table is None and not self.note:
                raise FieldProblem(
                    f"sources[{self.series}].note",
                    "si hva som må sjekkes når tabellnummeret mangler",
                    "say what to check when the table id is missing",
                )
        else:
            if self.table is not None or self.value_codes:
                raise FieldProblem(
                    f"sources[{self.series}]",
                    "table og value_codes gjelder bare SSB; bruk url og title for andre kilder",
                    "table and value_codes apply to SSB only; use url and title for other sources",
                )
            if not self.url:
                raise FieldProblem(
                    f"sources[{self.series}].url",
                    "kilder utenfor SSB må ha en adresse",
                    "sources outside SSB need a url",
                )
        for dim, codes in self.value_codes.items():
            if not codes:
                raise FieldProblem(f"sources[{self.series}].value_codes.{dim}", "tom liste", "empty list")
        return self

    def pxweb_path(self) -> str:
        """``tables/{id}/data``, relative to the PxWebApi v2 base address."""
        if self.provider != "ssb" or self.table is None:
            raise InvalidInputError(
                f"Serien {self.series} har ingen SSB-tabell å hente.",
                message_en=f"Series {self.series} has no SSB table to fetch.",
                hint="Hent den fra kilden som står i url.",
                hint_en="Fetch it from the source given in url.",
            )
        return f"tables/{self.table}/data"

    def pxweb_params(self, regions: tuple[str, ...] = ("*",), region_codelist: str | None = None) -> dict[str, str]:
        """Query parameters for ``GET tables/{id}/data`` in PxWebApi v2 (JSON-stat2)."""
        self.pxweb_path()  # raises for non-SSB series
        assert self.region_dimension is not None  # guaranteed by the validator for SSB tables
        from fn17.sources.pxweb import join_value_codes

        params = {"outputFormat": "json-stat2"}
        for dim, codes in self.value_codes.items():
            params[f"valueCodes[{dim}]"] = join_value_codes(codes)
        params[f"valueCodes[{self.region_dimension}]"] = join_value_codes(regions)
        for dim, codelist in self.codelist.items():
            params[f"codelist[{dim}]"] = codelist
        if region_codelist is not None:
            params[f"codelist[{self.region_dimension}]"] = region_codelist
        return params


class Formula(_Frozen):
    """How the indicator value is computed from the series (per region and year).

    ``value``: numerator × scale. ``ratio``: numerator / denominator × scale.
    ``difference``: (numerator − denominator) × scale. ``change_pct``: percentage
    change of the numerator since ``lag_years`` earlier or since ``base_year``.
    ``rolling_years`` > 1 averages the result over that many years (small numbers).
    """

    operation: Literal["value", "ratio", "difference", "change_pct"]
    numerator: str
    denominator: str | None = None
    scale: float = 1.0
    rolling_years: int = Field(default=1, ge=1, le=10)
    lag_years: int | None = Field(default=None, ge=1, le=50)
    base_year: int | None = Field(default=None, ge=1990, le=2100)

    @model_validator(mode="after")
    def _consistent(self) -> Formula:
        needs_denominator = self.operation in ("ratio", "difference")
        if needs_denominator and self.denominator is None:
            raise FieldProblem(
                "formula.denominator", f"{self.operation} trenger en nevner", f"{self.operation} needs a denominator"
            )
        if not needs_denominator and self.denominator is not None:
            raise FieldProblem(
                "formula.denominator", f"{self.operation} skal ikke ha nevner", f"{self.operation} takes no denominator"
            )
        if self.operation == "change_pct":
            if (self.lag_years is None) == (self.base_year is None):
                raise FieldProblem(
                    "formula.lag_years",
                    "change_pct trenger enten lag_years eller base_year",
                    "change_pct needs either lag_years or base_year",
                )
        elif self.lag_years is not None or self.base_year is not None:
            raise FieldProblem(
                "formula.lag_years",
                "lag_years og base_year gjelder bare change_pct",
                "lag_years and base_year apply to change_pct only",
            )
        return self

    def series(self) -> tuple[str, ...]:
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)


TargetKind = Literal["sdg_target", "national_target", "leave_no_one_behind", "technical_optimum", "best_performers"]


class Threshold(_Frozen):
    value: float
    kind: TargetKind
    ref: str = Field(min_length=1, description="key into the set's references")
    note: str | None = None


class LowerBound(_Frozen):
    """The value that scores 0: by default the 2.5th percentile across municipalities."""

    rule: Literal["p2.5", "fixed"] = "p2.5"
    value: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> LowerBound:
        if (self.rule == "fixed") != (self.value is not None):
            raise FieldProblem(
                "targets.lower_bound",
                "rule fixed trenger value, og bare fixed kan ha value",
                "rule fixed needs a value, and only fixed may have one",
            )
        return self


class TargetDef(_Frozen):
    """Optimum (scores 100), green and red thresholds, each with provenance."""

    optimum: Threshold
    green: Threshold
    red: Threshold
    lower_bound: LowerBound = LowerBound()
    provisional: bool = Field(default=False, description="thresholds are FN17 estimates still to be calibrated on data")

    def check_direction(self, direction: Literal["higher", "lower"]) -> None:
        o, g, r = self.optimum.value, self.green.value, self.red.value
        if direction == "higher":
            if not o >= g:
                raise FieldProblem(
                    "targets.green",
                    f"grønn ({g}) kan ikke være høyere enn optimum ({o}) når høyere er bedre",
                    f"green ({g}) cannot be above the optimum ({o}) when higher is better",
                )
            if not g > r:
                raise FieldProblem(
                    "targets.red",
                    f"rød ({r}) må være lavere enn grønn ({g}) når høyere er bedre",
                    f"red ({r}) must be below green ({g}) when higher is better",
                )
            if self.lower_bound.value is not None and not self.lower_bound.value < o:
                raise FieldProblem(
                    "targets.lower_bound",
                    "nedre grense må være lavere enn optimum når høyere er bedre",
                    "the lower bound must be below the optimum when higher is better",
                )
        else:
            if not o <= g:
                raise FieldProblem(
                    "targets.green",
                    f"grønn ({g}) kan ikke være lavere enn optimum ({o}) når lavere er bedre",
                    f"green ({g}) cannot be below the optimum ({o}) when lower is better",
                )
            if not g < r:
                raise FieldProblem(
                    "targets.red",
                    f"rød ({r}) må være høyere enn grønn ({g}) når lavere er bedre",
                    f"red ({r}) must be above green ({g}) when lower is better",
                )
            if self.lower_bound.value is not None and not self.lower_bound.value > o:
                raise FieldProblem(
                    "targets.lower_bound",
                    "nedre grense må være høyere enn optimum når lavere er bedre",
                    "the lower bound must be above the optimum when lower is better",
                )


class DemoData(_Frozen):
    """A file in the shared real-data folder from which the team computes this indicator."""

    dataset: str = Field(min_length=1, description="path (or glob) relative to ../shared/data")
    series: tuple[str, ...] = Field(min_length=1)
    note: str | None = None


class IndicatorDef(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Texts3
    definition: Texts2
    unit: Texts2
    direction: Literal["higher", "lower", "context"]
    levels: tuple[Literal["kommune", "fylke"], ...] = Field(min_length=1)
    applies_to: Literal["all", "coastal"] = "all"
    sdg_targets: tuple[str, ...] = Field(min_length=1)
    sources: tuple[SourceQuery, ...] = Field(min_length=1)
    formula: Formula
    targets: TargetDef | None = None
    ks_ids: tuple[str, ...] = ()
    u4ssc: tuple[str, ...] = ()
    demo_data: tuple[DemoData, ...] = ()
    note: str | None = None

    @field_validator("sdg_targets")
    @classmethod
    def _sdg_targets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [t for t in value if not is_sdg_target_code(t)]
        if bad:
            raise FieldProblem(
                "sdg_targets",
                f"ikke offisielle SDG-delmål: {bad}; skriv dem som '3.4' eller '11.a'",
                f"not official SDG targets: {bad}; write them as '3.4' or '11.a'",
            )
        if len(set(value)) != len(value):
            raise FieldProblem(
                "sdg_targets", f"delmål står flere ganger: {list(value)}", f"targets repeated: {list(value)}"
            )
        return value

    @field_validator("u4ssc")
    @classmethod
    def _u4ssc_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in value if not CODE_PATTERN.match(c)]
        if bad:
            raise FieldProblem(
                "u4ssc",
                f"ugyldige U4SSC-koder {bad}; skriv dem som 'EC: ICT: ICT: 1C'",
                f"invalid U4SSC codes {bad}; write them as 'EC: ICT: ICT: 1C'",
            )
        return value

    @field_validator("ks_ids")
    @classmethod
    def _ks_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [u for u in value if not u.startswith(("https://data.norge.no/", "https://esg.arkitektum.no/"))]
        if bad:
            raise FieldProblem(
                "ks_ids",
                f"KS-id-er skal være taksonomiens URI-er, fikk {bad}",
                f"KS ids must be the taxonomy's URIs, got {bad}",
            )
        return value

    @field_validator("levels")
    @classmethod
    def _levels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "kommune" not in value:
            raise FieldProblem(
                "levels",
                "settet gjelder kommuner: levels må ta med kommune",
                "the set is for municipalities: levels must include kommune",
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> IndicatorDef:
        names = [s.series for s in self.sources]
        if len(names) != len(set(names)):
            raise FieldProblem("sources", f"serienavn står flere ganger: {names}", f"series names repeated: {names}")
        for used in self.formula.series():
            if used not in names:
                raise FieldProblem(
                    "formula",
                    f"serien {used!r} finnes ikke blant sources {names}",
                    f"the series {used!r} is not among the sources {names}",
                )
        for demo in self.demo_data:
            for used in demo.series:
                if used not in names:
                    raise FieldProblem(
                        "demo_data",
                        f"serien {used!r} finnes ikke blant sources {names}",
                        f"the series {used!r} is not among the sources {names}",
                    )
        if self.direction == "context":
            if self.targets is not None:
                raise FieldProblem(
                    "targets",
                    "kontekstindikatorer skåres ikke og skal ikke ha mål",
                    "context indicators are not scored and take no targets",
                )
        elif self.targets is None:
            raise FieldProblem(
                "targets",
                f"retning {self.direction} krever optimum, grønn og rød grense",
                f"direction {self.direction} needs an optimum and green and red thresholds",
            )
        else:
            self.targets.check_direction(self.direction)
        return self

    @property
    def goals(self) -> frozenset[int]:
        return frozenset(int(t.split(".")[0]) for t in self.sdg_targets)

    @property
    def scored(self) -> bool:
        return self.direction != "context"


class SetInfo(_Frozen):
    id: Literal["fn17"]
    version: str
    title: Texts2
    default_lower_bound: Literal["p2.5"]


class IndicatorSet(_Frozen):
    set: SetInfo
    references: dict[str, Reference]
    indicators: tuple[IndicatorDef, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> IndicatorSet:
        seen: set[str] = set()
        for ind in self.indicators:
            if ind.id in seen:
                raise FieldProblem(
                    "id",
                    f"indikator-id {ind.id!r} er brukt mer enn én gang",
                    f"indicator id {ind.id!r} is used more than once",
                    entry=ind.id,
                )
            seen.add(ind.id)
            if ind.targets is not None:
                for which in ("optimum", "green", "red"):
                    ref = getattr(ind.targets, which).ref
                    if ref not in self.references:
                        raise FieldProblem(
                            f"targets.{which}.ref",
                            f"referansen {ref!r} finnes ikke under references",
                            f"the reference {ref!r} is not under references",
                            entry=ind.id,
                        )
        return self

    def indicator(self, indicator_id: str) -> IndicatorDef:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise NotFoundError(
            f"Indikatoren {indicator_id!r} finnes ikke i FN17-settet.",
            message_en=f"Indicator {indicator_id!r} is not in the FN17 set.",
            hint="Se docs/indicators.md for alle indikator-id-ene.",
            hint_en="See docs/indicators.md for every indicator id.",
        )

    def goals_covered(self, *, scored_only: bool = True) -> frozenset[int]:
        """The SDG goals measured by at least one (scored) indicator."""
        goals: set[int] = set()
        for ind in self.indicators:
            if ind.scored or not scored_only:
                goals |= ind.goals
        return frozenset(goals)

    def for_goal(self, goal: int) -> tuple[IndicatorDef, ...]:
        return tuple(i for i in self.indicators if goal in i.goals)


def load_fn17_set(path: Path | str | None = None) -> IndicatorSet:
    """Load and validate FN17's indicator set; ``path=None`` reads FN17's own file.

    Raises :class:`~fn17.errors.DataFileError` naming the indicator and the field.
    """
    file = Path(path) if path is not None else FN17_SET_DEFAULT_PATH
    try:
        stamp = file.stat().st_mtime_ns
    except OSError:
        return _load(file)  # raises the clear message about the missing file
    return _load_cached(file.resolve(), stamp)


@lru_cache(maxsize=8)
def _load_cached(file: Path, stamp: int) -> IndicatorSet:
    """Parsed once per file version (path and modification time): the set is immutable, and pages
    and scoring read it on every request."""
    return _load(file)


def _load(file: Path) -> IndicatorSet:
    what_nb, what_en = "indikatorfilen", "the indicator file"
    raw = read_yaml_document(file, what_nb=what_nb, what_en=what_en)
    try:
        indicator_set = IndicatorSet.model_validate(raw)
    except ValidationError as exc:
        raise data_file_error_from_validation(exc, raw, file, what_nb=what_nb, what_en=what_en) from exc
    logger.debug("loaded %d FN17 indicators from %s", len(indicator_set.indicators), file)
    return indicator_set


# --------------------------------------------------------------------------- #
# documentation                                                                #
# --------------------------------------------------------------------------- #
_DIRECTION_EN = {"higher": "higher is better", "lower": "lower is better", "context": "context (not scored)"}
_KIND_EN = {
    "sdg_target": "SDG target",
    "national_target": "national target",
    "leave_no_one_behind": "leave no one behind",
    "technical_optimum": "technical optimum",
    "best_performers": "best performers",
}
_PROVIDER_LABEL = {
    "ssb": "SSB", "fhi": "FHI", "miljodirektoratet": "Miljødirektoratet", "nve_elhub": "NVE/Elhub",
    "valgdirektoratet": "Valgdirektoratet", "imdi": "IMDi", "udir": "Udir", "nav": "NAV", "nkom": "Nkom",
    "dsb": "DSB", "ks": "KS", "landbruksdirektoratet": "Landbruksdirektoratet",
    "norsk_presseforbund": "Norsk Presseforbund", "statens_vegvesen": "Statens vegvesen",
    "helsedirektoratet": "Helsedirektoratet", "vann_nett": "Vann-nett",
}  # fmt: skip


def _num(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", "\u202f")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _source_cell(ind: IndicatorDef) -> str:
    parts = []
    for src in ind.sources:
        label = _PROVIDER_LABEL[src.provider]
        if src.provider == "ssb":
            label = f"SSB {src.table}" if src.table is not None else "SSB (table id to confirm)"
        parts.append(label if src.verified else f"{label}\\*")
    return ", ".join(dict.fromkeys(parts))


def _targets_cell(ind: IndicatorDef) -> str:
    t = ind.targets
    if t is None:
        return "–"
    text = (
        f"{_num(t.optimum.value)} ({_KIND_EN[t.optimum.kind]}) · "
        f"{_num(t.green.value)} ({_KIND_EN[t.green.kind]}) · {_num(t.red.value)}"
    )
    return text + (" · provisional" if t.provisional else "")


def indicator_table_markdown(indicator_set: IndicatorSet | None = None) -> str:
    """The indicator set as a Markdown table: id, name, unit, direction, source, targets, SDG targets."""
    ind_set = indicator_set if indicator_set is not None else load_fn17_set()
    lines = [
        "| id | name (nb / en) | unit | direction | source | targets: optimum · green · red | SDG targets |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for ind in ind_set.indicators:
        row = [
            f"`{ind.id}`",
            _cell(f"{ind.name.nb} / {ind.name.en}"),
            _cell(ind.unit.en),
            _DIRECTION_EN[ind.direction] + (" (coastal only)" if ind.applies_to == "coastal" else ""),
            _source_cell(ind),
            _cell(_targets_cell(ind)),
            ", ".join(ind.sdg_targets),
        ]
        lines.append("| " + " | ".join(row) + " |")
    scored = [i for i in ind_set.indicators if i.scored]
    goals = sorted(ind_set.goals_covered())
    verified = sum(1 for i in ind_set.indicators for s in i.sources if s.verified)
    total = sum(len(i.sources) for i in ind_set.indicators)
    lines += [
        "",
        f"{len(ind_set.indicators)} indicators, {len(scored)} scored; the scored ones cover "
        f"{len(goals)} of the 17 goals ({', '.join(str(g) for g in goals)}). "
        f"{verified} of {total} source series are verified; \\* marks a table or dataset still to confirm "
        "(`verified: false`).",
    ]
    return "\n".join(lines) + "\n"


def render_indicator_docs(existing: str, table: str) -> str:
    """Replace the generated section of ``docs/indicators.md`` (between the markers) with ``table``."""
    start = existing.find(DOC_BEGIN)
    end = existing.find(DOC_END)
    if start < 0 or end < start:
        raise InvalidInputError(
            "Fant ikke markørene for den genererte tabellen i docs/indicators.md.",
            message_en="The markers of the generated table are missing from docs/indicators.md.",
            hint=f"Sett inn {DOC_BEGIN} og {DOC_END} der tabellen skal stå.",
            hint_en=f"Insert {DOC_BEGIN} and {DOC_END} where the table belongs.",
        )
    return existing[: start + len(DOC_BEGIN)] + "\n" + table + existing[end:]


def _main(argv: list[str]) -> int:
    if len(argv) != 1:
        logger.error("usage: python -m fn17.frameworks.fn17set docs/indicators.md")
        return 2
    doc = Path(argv[0])
    doc.write_text(render_indicator_docs(doc.read_text(encoding="utf-8"), indicator_table_markdown()), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover - developer tool
    logging.basicConfig(level=logging.INFO)
    sys.exit(_main(sys.argv[1:]))
