"""KOSTRA size classes from a population number.

SSB's KOSTRA has long described municipalities as small (under 5 000 inhabitants), medium-sized
(5 000–19 999) and large (20 000 or more). The KOSTRA *groups* (17 groups per 2020, which also
use fixed costs and free disposable income) are facts per municipality: see
:meth:`fn17.regions.Register.kostra_group` and ``data/kostra.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from fn17.errors import InvalidInputError

SizeClass = Literal["small", "medium", "large"]

SMALL_BELOW = 5_000
LARGE_FROM = 20_000

#: size class -> (bokmål, English) label
SIZE_CLASSES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "small": ("små kommuner (under 5 000 innbyggere)", "small municipalities (under 5,000 inhabitants)"),
    "medium": ("mellomstore kommuner (5 000–19 999 innbyggere)", "medium-sized municipalities (5,000–19,999 inhabitants)"),
    "large": ("store kommuner (20 000 innbyggere eller flere)", "large municipalities (20,000 inhabitants or more)"),
})


def size_class(population: int) -> SizeClass:
    """``"small"`` below 5 000 inhabitants, ``"medium"`` for 5 000–19 999, ``"large"`` from 20 000."""
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise InvalidInputError(
            f"Folketallet skal være et heltall på 0 eller mer, ikke {population!r}.",
            message_en=f"The population must be a whole number of 0 or more, not {population!r}.",
            hint="Bruk folketallet 1. januar fra SSBs tabell 07459.",
            hint_en="Use the population on 1 January from SSB table 07459.",
            details={"population": repr(population)},
        )
    if population < SMALL_BELOW:
        return "small"
    if population < LARGE_FROM:
        return "medium"
    return "large"


def size_class_label(cls: str, lang: str = "nb") -> str:
    try:
        nb, en = SIZE_CLASSES[cls]
    except KeyError:
        raise InvalidInputError(
            f"Størrelsesklassen «{cls}» finnes ikke; bruk small, medium eller large.",
            message_en=f"The size class “{cls}” does not exist; use small, medium or large.",
            details={"size_class": cls},
        ) from None
    return en if lang == "en" else nb
