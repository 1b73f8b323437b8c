"""The plan's own goal statements, and catalogue indicators that could measure each.

A plan goal is a sentence that states an intention (``Kommunen skal …``, ``Vi vil …``,
``Mål: …``, ``Innen 2030 skal …``, ``The municipality will …``) or a list item under a heading
about goals. Its SDGs come from the passage it sits in, narrowed to the goals whose lexicon terms
occur in the sentence itself. The catalogue is supplied by the caller (FN17's indicator catalogue
in the app); indicators are ranked by shared targets, shared goals and shared words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from fn17.plans._text import sentences
from fn17.plans.lexicon import Lexicon, target_sort_key


class IndicatorLike(Protocol):
    """What the plan analysis needs to know about a catalogue indicator."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def goals(self) -> Collection[int]: ...

    @property
    def targets(self) -> Collection[str]: ...


@dataclass(frozen=True)
class CatalogueIndicator:
    id: str
    name: str
    goals: frozenset[int] = frozenset()
    targets: frozenset[str] = frozenset()


IndicatorSource = Iterable[IndicatorLike] | Callable[[], Iterable[IndicatorLike]]


@dataclass(frozen=True)
class SuggestedIndicator:
    id: str
    name: str
    score: float
    matched_targets: tuple[str, ...]
    matched_goals: tuple[int, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "score": round(self.score, 2),
            "matched_targets": list(self.matched_targets),
            "matched_goals": list(self.matched_goals),
        }


@dataclass(frozen=True)
class PlanGoal:
    text: str
    passage_id: str
    page: int | None
    section_id: int
    sdgs: tuple[int, ...]
    targets: tuple[str, ...]
    indicators: tuple[SuggestedIndicator, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "passage_id": self.passage_id,
            "page": self.page,
            "section_id": self.section_id,
            "sdgs": list(self.sdgs),
            "targets": list(self.targets),
            "indicators": [i.to_dict() for i in self.indicators],
        }


_INTENT = re.compile(
    r"^(?:"
    r"(?:hoved|del|effekt|samfunns|overordna|overordnet)?mål(?:setting|settinger|et|ene|a)?\s*(?:\d+(?:\.\d+)*)?\s*[:.–-]"
    r"|(?:vi|kommunen|fylkeskommunen|[A-ZÆØÅ][\wæøå-]+ (?:fylkes)?kommune|alle|innbyggerne|innbyggjarane|"
    r"barn og unge|andelen|delen|talet på|antallet|tallet på)\b[^.!?]{0,80}?\b(?:skal|vil|ønsker|ønskjer|må)\b"
    r"|(?:innen|innan|fram mot|by)\s+20\d\d\b"
    r"|(?:goal|objective|target)\s*\d*\s*[:.–-]"
    r"|(?:we|the (?:municipality|county|council))\s+(?:will|shall|aims? to|intends? to)\b"
    r")",
    re.IGNORECASE,
)
_GOAL_HEADING = re.compile(r"\b(?:mål|målsetting\w*|delmål|hovedmål|målbilde|goals?|objectives?)\b", re.IGNORECASE)
_STOP = frozenset(
    ["skal", "vil", "alle", "andel", "antall", "innen", "kommunen", "kommunens", "sammen", "gjennom", "bedre", "flere", "andre", "mellom", "også", "være", "blir", "eller", "under", "etter", "innan", "fleire", "betre", "andre", "saman", "heile", "shall", "will", "which", "their", "there", "about", "should", "other"]
)
MAX_PLAN_GOALS = 300


def find_plan_goals(
    passages: Sequence[tuple[str, str, int | None, int, str]],
    passage_sdgs: Sequence[tuple[int, ...]],
    passage_targets: Sequence[tuple[str, ...]],
    lexicon: Lexicon,
) -> list[PlanGoal]:
    """``passages`` are ``(id, text, page, section_id, section_title)``."""
    found: list[PlanGoal] = []
    seen: set[str] = set()
    for (pid, text, page, section_id, title), sdgs, targets in zip(passages, passage_sdgs, passage_targets, strict=True):
        if not sdgs:
            continue
        in_goal_section = bool(_GOAL_HEADING.search(title))
        for sentence in sentences(text):
            s = sentence.strip(" •–-")
            words = s.split()
            if not (4 <= len(words) <= 60):
                continue
            if not (_INTENT.match(s) or (in_goal_section and len(words) <= 30)):
                continue
            key = s.lower()
            if key in seen:
                continue
            seen.add(key)
            hits = lexicon.find(s)
            own = {h.term.goal for h in hits}
            goal_set = tuple(g for g in sdgs if g in own) or sdgs[:1]
            own_targets = {t for h in hits for t in h.term.targets if int(t.split(".")[0]) in goal_set}
            all_targets = own_targets | {t for t in targets if int(t.split(".")[0]) in goal_set}
            found.append(PlanGoal(s, pid, page, section_id, goal_set, tuple(sorted(all_targets, key=target_sort_key))))
            if len(found) >= MAX_PLAN_GOALS:
                return found
    return found


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-zæøå]{5,}", text.lower()) if w not in _STOP}


def suggest_indicators(
    goal: PlanGoal, catalogue: Sequence[IndicatorLike], *, limit: int = 5
) -> tuple[SuggestedIndicator, ...]:
    """Catalogue indicators for one plan goal: shared targets (3 each), shared goals (1 each), shared word stems (0.5 each, at most 2)."""
    targets = set(goal.targets)
    goals = set(goal.sdgs)
    stems = _stems(goal.text)
    ranked: list[SuggestedIndicator] = []
    for ind in catalogue:
        t = sorted(targets & set(ind.targets), key=target_sort_key)
        g = sorted(goals & {int(x) for x in ind.goals} | {int(x.split(".")[0]) for x in t})
        if not g:
            continue
        words = len(stems & _stems(ind.name))
        score = 3.0 * len(t) + 1.0 * len(g) + 0.5 * min(words, 4)
        ranked.append(SuggestedIndicator(ind.id, ind.name, score, tuple(t), tuple(g)))
    ranked.sort(key=lambda s: (-s.score, s.id))
    return tuple(ranked[:limit])


def resolve_catalogue(source: IndicatorSource | None) -> list[IndicatorLike] | None:
    if source is None:
        return None
    items = source() if callable(source) else source
    return list(items)
