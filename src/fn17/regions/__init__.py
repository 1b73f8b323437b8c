"""Norway's municipalities and counties from 1.1.2017 to today, their history and code changes.

>>> from fn17.regions import load_register
>>> reg = load_register()
>>> [r.code for r in reg.search("Haram")][:1]
['1580']

The facts live in ``data/`` in FN17's own format (UTF-8 CSV), every row naming its source in
``data/sources.csv``:

* ``regions.csv`` – one row per code and name period: code, kind (kommune/fylke), official name
  with its parallel Sami/Kven names, the Norwegian name, the names by language (sme, smj, sma,
  fkv), county, valid_from (empty: in use before 1.1.2017, the register's horizon), valid_to.
* ``changes.csv`` – every merger, split, renumbering, boundary change, rename, county merger and
  county split from 2018 to 2026, with population weights for splits and their source.
* ``kostra.csv`` / ``kostra_groups.csv`` – SSB's KOSTRA group per municipality where verified
  (``unknown`` elsewhere; never guessed) and the 17 groups' criteria.

Conventions worth knowing: names follow SSB's exports for 2017–2023 and Kartverket from 2024;
a rename is dated by the first source that shows the new name (it may have taken effect
earlier); Porsanger's Sami name is written Porsáŋgu (Kartverket) where SSB writes Porsángu.
:func:`load_register` reads and validates the files once per process.
"""

from fn17.regions.harmonise import MERGE_RULES, SPLIT_RULES, carry_series
from fn17.regions.kostra import SIZE_CLASSES, SizeClass, size_class, size_class_label
from fn17.regions.models import (
    CHANGE_KINDS,
    HORIZON,
    LANG_NAMES,
    CarriedValue,
    Change,
    ChangeKind,
    KostraGroup,
    Region,
    RegionKind,
)
from fn17.regions.register import Register, load_register

__all__ = [
    "CHANGE_KINDS",
    "HORIZON",
    "LANG_NAMES",
    "MERGE_RULES",
    "SIZE_CLASSES",
    "SPLIT_RULES",
    "CarriedValue",
    "Change",
    "ChangeKind",
    "KostraGroup",
    "Region",
    "RegionKind",
    "Register",
    "SizeClass",
    "carry_series",
    "load_register",
    "size_class",
    "size_class_label",
]
