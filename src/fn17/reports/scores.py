"""The scores a report shows, read through the same service as the dashboards.

``load_scores`` calls ``fn17.services.scores.region_scores`` (the dashboards' service), so
the numbers in the progress report are the numbers on the dashboards, and copies what the
report needs into small frozen dataclasses. When the store has nothing to score for the
region, the report says so instead of showing scores.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fn17.config import Lang
from fn17.errors import Fn17Error, NotFoundError
from fn17.workspace import Workspace

log = logging.getLogger(__name__)


class ScoresUnavailable(NotFoundError):
    """The store holds no scores for the region (no indicators, observations or bounds yet)."""


@dataclass(frozen=True)
class GoalScore:
    goal: int
    score: float | None
    colour: str | None  # green, yellow, orange, red
    colour_label: str
    trend: str | None  # on_track, moderately_improving, stagnating, decreasing, insufficient_data
    trend_label: str


@dataclass(frozen=True)
class IndicatorScore:
    id: str
    name: str
    unit: str
    value: float | None
    period: str
    score: float | None
    colour: str | None
    trend: str | None
    source: str
    source_table: str
    retrieved_at: datetime | None
    goals: tuple[int, ...] = ()
    trend_label: str = ""
    colour_label: str = ""


@dataclass(frozen=True)
class RegionScores:
    index: float | None
    coverage: float | None  # share of the scored indicators with a value, 0–1
    goals: list[GoalScore]
    indicators: list[IndicatorScore] = field(default_factory=list)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _opt(value: Any) -> str | None:
    text = _text(value)
    return text or None


def _goals_of(item: Any) -> tuple[int, ...]:
    goals = getattr(item, "goals", None)
    if goals is None:
        goal = getattr(item, "goal", None)
        goals = [goal] if goal is not None else []
    return tuple(int(g) for g in goals if g is not None)


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def convert(result: Any) -> RegionScores:
    """Copy the dashboards' result (``region_scores``) into the report's dataclasses."""
    goals = [
        GoalScore(goal=int(g.goal), score=_num(g.score), colour=_opt(g.colour), colour_label=_text(getattr(g, "colour_label", "")),
                  trend=_opt(getattr(g, "trend", None)), trend_label=_text(getattr(g, "trend_label", "")))
        for g in result.goals
    ]
    indicators = [
        IndicatorScore(
            id=str(i.id), name=_text(i.name), unit=_text(getattr(i, "unit", "")), value=_num(i.value), period=_text(i.period),
            score=_num(getattr(i, "score", None)), colour=_opt(getattr(i, "colour", None)), trend=_opt(getattr(i, "trend", None)),
            source=_text(getattr(i, "source", "")), source_table=_text(getattr(i, "source_table", "")),
            retrieved_at=_time(getattr(i, "retrieved_at", None)), goals=_goals_of(i),
            trend_label=_text(getattr(i, "trend_label", "")), colour_label=_text(getattr(i, "colour_label", "")),
        )
        for i in result.indicators
    ]
    return RegionScores(index=_num(result.index), coverage=_num(result.coverage), goals=goals, indicators=indicators)


def load_scores(ws: Workspace, code: str, lang: Lang = "nb") -> RegionScores:
    """The region's scores as the dashboards show them; ``ScoresUnavailable`` when there are none."""
    from fn17.services.scores import region_scores

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
    return convert(result)


__all__ = ["GoalScore", "IndicatorScore", "RegionScores", "ScoresUnavailable", "convert", "load_scores"]
