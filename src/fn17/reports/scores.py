"""The scores a report shows, read through the same service as the dashboards.

``load_scores`` calls ``fn17.services.scores.region_scores`` (the dashboards' service) and
returns its result as it is (``GoalScore``, ``IndicatorScore`` and ``RegionScores`` are the
service's dataclasses), so the numbers in the progress report are the numbers on the
dashboards. When the store has nothing to score for the region, the report says so instead
of showing scores.
"""

from __future__ import annotations

import logging

from fn17.config import Lang
from fn17.errors import Fn17Error, NotFoundError
from fn17.services.scores import GoalScore, IndicatorScore, RegionScores, region_scores
from fn17.workspace import Workspace

log = logging.getLogger(__name__)


class ScoresUnavailable(NotFoundError):
    """The store holds no scores for the region (no indicators, observations or bounds yet)."""


def load_scores(ws: Workspace, code: str, lang: Lang = "nb") -> RegionScores:
    """The region's scores as the dashboards show them; ``ScoresUnavailable`` when there are none."""
    try:
        result = region_scores(ws, code, lang)
    except Fn17Error as exc:
        raise ScoresUnavailable(
            f"Ingen poengberegning for {code}: {exc.message}",
            message_en=f"No scores for {code}: {exc.message_en}",
            hint=exc.hint, hint_en=exc.hint_en,
        ) from exc
    if not result.has_data:
        raise ScoresUnavailable(
            f"Ingen indikatorer med data og grenseverdier for {result.code} {result.name}.",
            message_en=f"No indicators with data and bounds for {result.code} {result.name}.",
            hint="Last inn data med `fn17 load` eller `fn17 fetch`.", hint_en="Load data with `fn17 load` or `fn17 fetch`.",
        )
    return result


__all__ = ["GoalScore", "IndicatorScore", "RegionScores", "ScoresUnavailable", "load_scores"]
