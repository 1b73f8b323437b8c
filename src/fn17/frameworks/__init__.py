"""Indicator frameworks as validated data shipped with the package.

- ``fn17.frameworks.sdg``: the UN SDG framework (17 goals, 169 targets, 231 unique
  global indicators in 247 listings), short titles in bokmål, nynorsk and English, the
  official colours and each target's relevance for municipalities and counties.
- ``fn17.frameworks.opensdg``: reads the full official texts from files in the open-sdg
  translations format.
- ``fn17.frameworks.u4ssc``: the U4SSC key performance indicators for smart sustainable
  cities, and their match with the KS indicator taxonomy.
- ``fn17.frameworks.fn17set``: FN17's own municipal indicator set (sources, formulas,
  targets with provenance).
"""

from fn17.frameworks.fn17set import IndicatorDef, IndicatorSet, load_fn17_set
from fn17.frameworks.opensdg import OfficialTexts, read_opensdg_texts
from fn17.frameworks.sdg import Goal, Indicator, Relevance, SdgFramework, Target, Texts, load_sdg, relevance_label
from fn17.frameworks.u4ssc import U4sscFramework, U4sscKpi, load_u4ssc, match_u4ssc_to_ks

__all__ = [
    "Goal",
    "Indicator",
    "IndicatorDef",
    "IndicatorSet",
    "OfficialTexts",
    "Relevance",
    "SdgFramework",
    "Target",
    "Texts",
    "U4sscFramework",
    "U4sscKpi",
    "load_fn17_set",
    "load_sdg",
    "load_u4ssc",
    "match_u4ssc_to_ks",
    "read_opensdg_texts",
    "relevance_label",
]
