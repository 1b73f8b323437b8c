"""Declarative source recipes: how one dataset's files map to FN17's observations.

A recipe is a small YAML file (``recipes/*.yaml`` beside this module, or a user's own)
validated by :class:`Recipe`. It says where the files are (globs relative to a data
folder), how to read them (format, encoding, separator, header row, sheet, decimal
comma, status symbols), and how their columns become indicator, region, period,
breakdowns, value and status — including wide tables (one column per year, or one
column per measure) and regions written as codes, SSB labels (``K-3001 Halden``,
``0101 Halden (-2019)``), integers (``301``) or names matched in the register.

The generic importer in :mod:`fn17.sources.tabular` does the rest; nothing about a
particular dataset lives in Python.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fn17.errors import DataFileError, NotFoundError

log = logging.getLogger(__name__)

RECIPE_DIR = Path(__file__).parent / "recipes"

Status = Literal["ok", "suppressed", "missing", "zero", "provisional", "imputed"]
Carry = Literal["sum", "mean", "none"]
Duplicates = Literal["error", "sum", "first", "same"]

#: SSB's symbols for empty cells (statistikkbanken): ``.`` not possible, ``..`` not available,
#: ``...`` not yet available, ``:`` suppressed, ``-`` nil.
SSB_SYMBOLS: dict[str, Status] = {
    ".": "missing",
    "..": "missing",
    "...": "missing",
    ":": "suppressed",
    "-": "zero",
    "": "missing",
}

_TEMPLATE = re.compile(r"\{([^{}]+)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"ugyldig regulært uttrykk {value!r}: {exc}") from exc
    return value


class RegionSpec(_Model):
    """Where the region is and how it is written.

    ``format``: ``code`` (``0301``, ``03``, ``301``), ``label`` (SSB's ``K-3001 Halden``,
    ``0101 Halden (-2019)``, ``3001 Halden``), ``integer`` (``301`` → ``0301``),
    ``pattern`` (a regex whose first group is the code, e.g. ``municip(\\d{4})``) or
    ``name`` (matched to a code in the register as valid at ``codes_at``).
    ``codes_at``: the municipal structure the file's codes belong to: ``period`` (the
    start of the data's year, the default), ``period_end`` (the last year of ``2014-2018``)
    or a fixed date (a file that gives older years in a newer structure).
    ``county_first``: a name that is both a county and a municipality (Oslo) and is listed
    twice is the county the first time.
    """

    column: str | None = None
    columns: tuple[str, ...] = ()
    format: Literal["code", "label", "integer", "pattern", "name"] = "code"
    pattern: str | None = None
    map: dict[str, str] = Field(default_factory=dict)
    skip: tuple[str, ...] = ()
    empty: tuple[str, ...] = ("", "NULL", "null", "NA")
    levels: tuple[Literal["kommune", "fylke", "land"], ...] = ("kommune", "fylke", "land")
    codes_at: Literal["period", "period_end"] | date = "period"
    names_fallback_today: bool = True
    county_first: bool = False

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        return _check_regex(value)

    @field_validator("skip")
    @classmethod
    def _skip(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for v in value:
            _check_regex(v)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RegionSpec:
        if (self.column is None) == (not self.columns):
            raise ValueError("oppgi enten region.column eller region.columns")
        if self.format == "pattern" and not self.pattern:
            raise ValueError("format pattern trenger region.pattern")
        return self

    @property
    def source_columns(self) -> tuple[str, ...]:
        return (self.column,) if self.column is not None else self.columns


class PeriodSpec(_Model):
    """The period: a column (``2013``, ``2011_2013``, ``2002-2006``, a date), or a constant."""

    column: str | None = None
    value: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PeriodSpec:
        if (self.column is None) == (self.value is None):
            raise ValueError("oppgi enten period.column eller period.value")
        return self


class WideSpec(_Model):
    """A wide table: the columns whose headers match ``columns`` are stacked; the header
    (or the first group of ``columns``) becomes the ``key``: the period, the indicator
    (use ``{key}`` in ``indicator``) or a breakdown dimension."""

    columns: str
    key: str = "period"
    key_map: dict[str, str] = Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: str) -> str:
        _check_regex(value)
        return value


class BreakdownSpec(_Model):
    """One breakdown dimension: a column (or ``key`` of a wide table), optionally mapped,
    reduced with a regex (first group) and zero-padded. Values in ``empty`` leave the
    dimension out for that row."""

    column: str
    map: dict[str, str] = Field(default_factory=dict)
    pattern: str | None = None
    pad: int | None = Field(default=None, ge=1, le=6)
    empty: tuple[str, ...] = ("", "NULL", "null", "NA")

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        return _check_regex(value)


class IndicatorDef(_Model):
    """An indicator this recipe produces (written to the store's ``indicators`` table).

    ``carry``: how values are carried across a municipal reform — ``sum`` for totals
    (persons, kroner, kWh, tonnes: a split shares by weight), ``mean`` for rates and
    shares (a merger takes the mean weighted by ``weight`` — an indicator of the same
    dataset, e.g. eligible voters — or by population; a split copies the rate), ``none``
    keeps only codes that are still valid. ``breakdowns`` limits the dimensions kept for
    this indicator (``[]``: none), e.g. eligible voters repeated on every party row.
    ``absent: zero``: a cell a merged part does not have counts as 0 (votes for a party that
    did not stand there) instead of leaving the merged total empty.
    """

    id: str = Field(min_length=3, max_length=120)
    name_nb: str = Field(min_length=1)
    name_en: str | None = None
    unit: str | None = Field(default=None, max_length=60)
    definition: str | None = None
    direction: Literal["higher", "lower"] | None = None
    carry: Carry = "sum"
    weight: str | None = None
    breakdowns: tuple[str, ...] | None = None
    duplicates: Duplicates | None = None
    absent: Literal["missing", "zero"] = "missing"
    scale: float = 1.0

    @model_validator(mode="after")
    def _absent(self) -> IndicatorDef:
        if self.absent == "zero" and self.carry != "sum":
            raise ValueError(f"{self.id}: absent: zero gjelder bare carry: sum")
        return self


class JsonSpec(_Model):
    """JSON documents inside a tar archive (``format: json-tar``): one row per document,
    or one per item of the list at ``explode``. Paths are dotted (``stemmer.total``)."""

    members: str
    fields: dict[str, str]
    explode: str | None = None
    item_fields: dict[str, str] = Field(default_factory=dict)

    @field_validator("members")
    @classmethod
    def _members(cls, value: str) -> str:
        _check_regex(value)
        return value


class DerivedDef(_Model):
    """A series FN17 computes from this recipe's raw cells once they are carried to today's
    regions (stored under source ``fn17``):

    * ``total``: ``of`` summed over its breakdowns (population in all);
    * ``share``: the part of ``of`` whose ``dim`` code lies in ``range`` as a percentage of the total;
    * ``select``: the cells of ``of`` matching ``where`` (other dimensions summed), times ``scale``;
    * ``change_pct``: the change of the total since ``lag`` periods earlier, in per cent;
    * ``per_capita``: ``select`` divided by the population (``ssb:07459:Personer1`` in all), times ``per``.

    ``id`` is an indicator of FN17's set (``befolkning_andel_0_5``) or a raw series id.
    """

    id: str = Field(min_length=3, max_length=120)
    op: Literal["total", "share", "select", "change_pct", "per_capita"]
    of: str
    where: dict[str, str] = Field(default_factory=dict)
    dim: str | None = None
    range: tuple[int, int | None] | None = None
    scale: float = 1.0
    lag: int = Field(default=1, ge=1, le=20)
    per: float = 1.0
    name_nb: str | None = None
    name_en: str | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DerivedDef:
        if self.op == "share" and (self.dim is None or self.range is None):
            raise ValueError(f"{self.id}: share trenger dim og range")
        return self


class Filters(_Model):
    keep: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    drop: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class Recipe(_Model):
    """One dataset: its files, how to read them and how their columns map to observations."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    title_en: str | None = None
    provider: str
    source: str = Field(min_length=3, max_length=120)
    source_table: str | None = Field(default=None, max_length=40)
    url: str | None = None
    framework: str | None = None  # the indicators' framework_id; the provider when left out
    files: tuple[str, ...] = Field(min_length=1)
    format: Literal["csv", "excel", "parquet", "json-tar"]
    encoding: str = "auto"
    separator: str = "auto"
    header_row: int | Literal["auto"] = "auto"
    header_rows: int = Field(default=1, ge=1, le=5)
    first_data_row: int | None = None
    sheet: str | None = None
    decimal: Literal[".", ","] = "."
    thousands: str | None = None
    json_: JsonSpec | None = Field(default=None, alias="json")
    fill_down: tuple[str, ...] = ()
    filters: Filters = Filters()
    region: RegionSpec
    period: PeriodSpec | None = None
    wide: WideSpec | None = None
    indicator: str
    indicators: tuple[IndicatorDef, ...] = Field(min_length=1)
    breakdowns: dict[str, BreakdownSpec] = Field(default_factory=dict)
    value: str | None = None
    status_symbols: dict[str, Status] = Field(default_factory=lambda: dict(SSB_SYMBOLS))
    status_column: str | None = None
    status_map: dict[str, Status] = Field(default_factory=dict)
    duplicates: Duplicates = "error"
    drop_empty_groups: bool = False
    population: bool = False
    derived: tuple[DerivedDef, ...] = ()
    coverage: str = "national"
    notes: str | None = None
    notes_en: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("coverage")
    @classmethod
    def _coverage(cls, value: str) -> str:
        if value in ("national", "sample") or re.fullmatch(r"county:\d{2}", value):
            return value
        raise ValueError("coverage er national, sample eller county:NN")

    @model_validator(mode="after")
    def _consistent(self) -> Recipe:
        wide_key = self.wide.key if self.wide else None
        if (self.period is None) == (wide_key != "period"):
            raise ValueError("perioden kommer enten fra period eller fra en bred tabell med wide.key: period")
        if (self.value is None) == (self.wide is None):
            raise ValueError("verdien kommer enten fra value (en kolonne) eller fra wide (bred tabell)")
        if self.format == "json-tar" and self.json_ is None:
            raise ValueError("format json-tar trenger json: members, fields")
        if self.format == "excel" and self.separator != "auto":
            raise ValueError("separator gjelder ikke Excel")
        ids = [i.id for i in self.indicators]
        if len(ids) != len(set(ids)):
            raise ValueError(f"indikator-id står flere ganger: {ids}")
        for ind in self.indicators:
            if ind.weight is not None and ind.weight not in ids:
                raise ValueError(f"{ind.id}: weight {ind.weight!r} er ikke en indikator i oppskriften")
            if ind.breakdowns is not None:
                unknown = set(ind.breakdowns) - set(self.breakdowns)
                if unknown:
                    raise ValueError(f"{ind.id}: ukjente breakdowns {sorted(unknown)}")
        for d in self.derived:
            if d.of not in ids:
                raise ValueError(f"derived {d.id}: of {d.of!r} er ikke en indikator i oppskriften")
        if not _TEMPLATE.search(self.indicator) and self.indicator not in ids:
            raise ValueError(f"indicator {self.indicator!r} er ikke definert under indicators")
        if wide_key not in (None, "period", "indicator") and wide_key not in self.breakdowns:
            raise ValueError(f"wide.key {wide_key!r} må være period, indicator eller en breakdown")
        return self

    def indicator_def(self, indicator_id: str) -> IndicatorDef:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise NotFoundError(
            f"Oppskriften {self.id} definerer ikke indikatoren {indicator_id!r}.",
            message_en=f"The recipe {self.id} does not define the indicator {indicator_id!r}.",
            hint="Legg den til under indicators i oppskriften.",
            hint_en="Add it under indicators in the recipe.",
        )

    def template_columns(self) -> list[str]:
        """Columns named in the indicator template (``{tabell_navn}``), except ``key``."""
        return [c for c in _TEMPLATE.findall(self.indicator) if c != "key"]

    def referenced_columns(self) -> list[str]:
        """Every column the recipe reads by name (used to find the header row)."""
        cols: list[str] = list(self.region.source_columns)
        if self.period is not None and self.period.column:
            cols.append(self.period.column)
        if self.value:
            cols.append(self.value)
        cols += [b.column for b in self.breakdowns.values() if b.column != "key"]
        cols += self.template_columns()
        if self.status_column:
            cols.append(self.status_column)
        cols += list(self.filters.keep) + list(self.filters.drop)
        return list(dict.fromkeys(c for c in cols if not re.fullmatch(r"col\d+", c)))

    def find_files(self, folder: Path) -> list[Path]:
        """The files under ``folder`` that this recipe reads, sorted; empty when none."""
        found: list[Path] = []
        for pattern in self.files:
            found += [p for p in folder.glob(pattern) if p.is_file()]
        return sorted(dict.fromkeys(found))


def _problem_text(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(oppskriften)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_recipe(data: Any, origin: str = "<recipe>") -> Recipe:
    """Validate one recipe document; a bad one raises DataFileError naming the field."""
    if not isinstance(data, dict):
        raise DataFileError(
            f"Oppskriften {origin} er ikke et YAML-kart (nøkkel: verdi).",
            message_en=f"The recipe {origin} is not a YAML mapping (key: value).",
        )
    try:
        return Recipe.model_validate(data)
    except ValidationError as exc:
        text = _problem_text(exc)
        raise DataFileError(
            f"Oppskriften {origin} er ugyldig: {text}",
            message_en=f"The recipe {origin} is invalid: {text}",
            hint="Rett feltet som er nevnt; se docs/sources.md for feltene.",
            hint_en="Fix the field named; see docs/sources.md for the fields.",
            details={"recipe": origin, "errors": [str(e["msg"]) for e in exc.errors()]},
        ) from exc


def read_recipe(path: Path) -> Recipe:
    """Read and validate a recipe file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataFileError(
            f"Kan ikke lese oppskriften {path}: {exc}",
            message_en=f"Cannot read the recipe {path}: {exc}",
        ) from exc
    return parse_recipe(data, str(path.name))


@lru_cache(maxsize=4)
def _shipped(folder: str) -> tuple[Recipe, ...]:
    recipes = [read_recipe(p) for p in sorted(Path(folder).glob("*.yaml"))]
    ids = [r.id for r in recipes]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise DataFileError(
            f"Oppskrifts-id brukt flere ganger: {', '.join(dupes)}.",
            message_en=f"Recipe id used more than once: {', '.join(dupes)}.",
        )
    return tuple(recipes)


def load_recipes(folder: Path | None = None) -> list[Recipe]:
    """The shipped recipes (or those in ``folder``), sorted by file name."""
    return list(_shipped(str(folder or RECIPE_DIR)))


def get_recipe(recipe_id: str, folder: Path | None = None) -> Recipe:
    for recipe in load_recipes(folder):
        if recipe.id == recipe_id:
            return recipe
    known = ", ".join(r.id for r in load_recipes(folder))
    raise NotFoundError(
        f"Oppskriften {recipe_id!r} finnes ikke. Kjente oppskrifter: {known}.",
        message_en=f"The recipe {recipe_id!r} does not exist. Known recipes: {known}.",
    )


__all__ = [
    "RECIPE_DIR",
    "SSB_SYMBOLS",
    "BreakdownSpec",
    "DerivedDef",
    "Filters",
    "IndicatorDef",
    "JsonSpec",
    "PeriodSpec",
    "Recipe",
    "RegionSpec",
    "WideSpec",
    "get_recipe",
    "load_recipes",
    "parse_recipe",
    "read_recipe",
]
