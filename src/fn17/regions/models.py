"""The register's value types: a region in one period, a change, a carried value, a KOSTRA group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal

RegionKind = Literal["kommune", "fylke"]
ChangeKind = Literal["merger", "split", "renumber", "boundary", "rename", "county_merge", "county_split"]

REGION_KINDS: tuple[RegionKind, ...] = ("kommune", "fylke")
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "merger", "split", "renumber", "boundary", "rename", "county_merge", "county_split",
)
#: Changes after which the old code is carried to its successors (``split`` kinds by weight).
TRANSITION_KINDS: frozenset[str] = frozenset({"merger", "split", "renumber", "county_merge", "county_split"})
SPLIT_KINDS: frozenset[str] = frozenset({"split", "county_split"})

#: The register covers 1 January 2017 onwards. A code already in use then has ``valid_from`` set to
#: this date and ``before_horizon`` set to True.
HORIZON = date(2017, 1, 1)

_EMPTY: Mapping[str, str] = MappingProxyType({})
_EMPTY_W: Mapping[str, float] = MappingProxyType({})

#: Language tags used in ``Region.other_names``.
NAME_LANGS: tuple[str, ...] = ("sme", "smj", "sma", "fkv")
LANG_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "sme": ("nordsamisk", "Northern Sami"),
    "smj": ("lulesamisk", "Lule Sami"),
    "sma": ("sørsamisk", "South Sami"),
    "fkv": ("kvensk", "Kven"),
})


def fmt_day(d: date) -> str:
    """A date as Norwegians write it in running text: 1.1.2024."""
    return f"{d.day}.{d.month}.{d.year}"


@dataclass(frozen=True, slots=True)
class Region:
    """A municipality (``kommune``) or county (``fylke``) under one code and one name, for one period.

    ``name`` is the official name as written with its parallel Sami/Kven names
    ("Gáivuotna - Kåfjord - Kaivuono"); ``name_nb`` is the Norwegian name alone ("Kåfjord");
    ``other_names`` maps a language tag (sme, smj, sma, fkv) to the parallel name.
    ``valid_to`` is None while the region is in force.
    """

    code: str
    name: str
    kind: RegionKind
    county_code: str | None
    valid_from: date
    valid_to: date | None
    name_nb: str
    other_names: Mapping[str, str] = field(default_factory=lambda: _EMPTY, hash=False)
    before_horizon: bool = False
    source: str = ""

    def valid_at(self, at: date) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at <= self.valid_to)

    @property
    def label(self) -> str:
        """Code and name, the way SSB's tables show them: "1508 Ålesund"."""
        return f"{self.code} {self.name}"

    @property
    def is_municipality(self) -> bool:
        return self.kind == "kommune"


@dataclass(frozen=True, slots=True)
class Change:
    """One change in the register, in force from ``date``.

    ``weights`` is given for ``split``/``county_split`` (and, for information, ``boundary``): the
    share of the old region's population that went to each code in ``to_codes``, from ``source``.
    A ``merger``'s ``from_codes`` may name a code that was split on the same date; its share is
    the split's weight.
    """

    date: date
    kind: ChangeKind
    from_codes: tuple[str, ...]
    to_codes: tuple[str, ...]
    weights: Mapping[str, float] = field(default_factory=lambda: _EMPTY_W, hash=False)
    source: str = ""
    note: str = ""
    note_en: str = ""

    def describe(self, lang: str = "nb") -> str:
        """The change in one sentence, in bokmål (nynorsk falls back to it) or English."""
        return self.note_en if lang == "en" else self.note


@dataclass(frozen=True, slots=True)
class CarriedValue:
    """One value of a series carried to the regions valid at a date.

    ``sources`` are the original codes that contributed, ``factors`` the share of each that was
    used (1.0 unless split by weight), ``rule`` how they were combined ("unchanged",
    "renumbered", "merged:sum", "split:weighted", …, joined by "+"). ``complete`` is False when a
    region that merged into ``code`` has no value for ``period``; ``missing`` names those codes.
    """

    code: str
    period: str
    value: float
    rule: str
    sources: tuple[str, ...]
    factors: tuple[tuple[str, float], ...]
    complete: bool = True
    missing: tuple[str, ...] = ()
    weight_sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KostraGroup:
    """One of SSB's KOSTRA groups (the grouping per 2020, 17 groups)."""

    group: str
    population: str
    bound_costs: str
    free_income: str
    municipalities: int
    description_nb: str
    description_en: str

    def describe(self, lang: str = "nb") -> str:
        return self.description_en if lang == "en" else self.description_nb


__all__ = [
    "CHANGE_KINDS",
    "HORIZON",
    "LANG_NAMES",
    "NAME_LANGS",
    "REGION_KINDS",
    "CarriedValue",
    "Change",
    "ChangeKind",
    "KostraGroup",
    "Region",
    "RegionKind",
    "fmt_day",
]
