"""FN17's scoring methods as a pure, vectorised library (pandas in, pandas out).

Every function takes long DataFrames and works for any set of units (Norwegian
municipalities and counties, European cities, a U4SSC city set). Formulas and
sources: ``docs/scoring.md``.

Main entry points::

    score_table(values, bounds, goal_map)        SDSN-style scores, goals, index, dashboards, ranks
    update_units(result, values)                 re-score a few units against frozen bounds
    trend_table(series, bounds)                  trends to 2030 (↑ ↗ → ↓) and projected year
    achievement_table / achievement_summary      U4SSC target achievement and bands
    distance_table(values, bounds, goal_map)     OECD distance to 2030 end values
    rank_sensitivity(values, bounds, goal_map)   how ranks move between methods
    nearest_peers(structural, unit)              peers on standardised structural variables
    group_summary / compare_with_groups          group means and medians
    flag_small_numbers / multi_year_average      small-number flags and pooled averages
    METHODS, register_method, get_method         the pluggable method registry
"""

from fn17.scoring._groups import compare_with_groups, group_summary
from fn17.scoring._labels import (
    BANDS,
    COLOURS,
    NOTES,
    TRENDS,
    band_legend,
    colour_legend,
    trend_legend,
)
from fn17.scoring._methods import METHODS, ScoringMethod, get_method, register_method
from fn17.scoring._peers import PeerResult, nearest_peers
from fn17.scoring._score import ScoreResult, score_table, update_units
from fn17.scoring._sensitivity import DEFAULT_VARIANTS, rank_sensitivity
from fn17.scoring._small_numbers import flag_small_numbers, multi_year_average
from fn17.scoring._targets import achievement_summary, achievement_table, distance_table, u4ssc_band
from fn17.scoring._trends import TREND_COLUMNS, trend_table

__all__ = [
    "BANDS",
    "COLOURS",
    "DEFAULT_VARIANTS",
    "METHODS",
    "NOTES",
    "TRENDS",
    "TREND_COLUMNS",
    "PeerResult",
    "ScoreResult",
    "ScoringMethod",
    "achievement_summary",
    "achievement_table",
    "band_legend",
    "colour_legend",
    "compare_with_groups",
    "distance_table",
    "flag_small_numbers",
    "get_method",
    "group_summary",
    "multi_year_average",
    "nearest_peers",
    "rank_sensitivity",
    "register_method",
    "score_table",
    "trend_legend",
    "trend_table",
    "u4ssc_band",
    "update_units",
]
