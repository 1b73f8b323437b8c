"""The UN Sustainable Development Goals as FN17 data: 17 goals, 169 targets, the global indicators.

The framework lives in three YAML files in ``data/`` written by the FN17 team:

- ``sdg_goals.yaml``: number, official colour, short name, full name and a plain-language
  description, each in bokmål (``nb``), nynorsk (``nn``) and English (``en``);
- ``sdg_targets.yaml``: code (``1.1`` … ``17.19``, with lettered targets such as ``6.a``), a short
  title in three languages, and how much the target concerns municipalities and counties
  (``high`` / ``some`` / ``low``) with a one-line reason in bokmål and English;
- ``sdg_indicators.yaml``: each unique global indicator once, under its primary code, with the
  other codes under which the UN lists the same indicator (``1.5.1`` = ``11.5.1`` = ``13.1.1``).

:func:`load_sdg` reads the files, validates every entry against a schema and checks the whole
(17 goals, 169 targets each under an existing goal, every indicator listing under an existing
target, unique codes and colours, all three languages present). Any problem raises
:class:`~fn17.errors.DataFileError` naming the file, the entry and the problem; every problem
found is listed in ``details["problems"]``.

>>> fw = load_sdg()
>>> fw.goal(3).short_name("nn")
'God helse og livskvalitet'
>>> fw.indicator("11.5.1").code
'1.5.1'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fn17.config import LANGS, Lang
from fn17.errors import DataFileError, NotFoundError

DATA_DIR = Path(__file__).resolve().parent / "data"
GOALS_FILE = "sdg_goals.yaml"
TARGETS_FILE = "sdg_targets.yaml"
INDICATORS_FILE = "sdg_indicators.yaml"

N_GOALS = 17
N_TARGETS = 169

Relevance = Literal["high", "some", "low"]
RELEVANCE_LEVELS: tuple[Relevance, ...] = ("high", "some", "low")
_RELEVANCE_LABELS: dict[Lang, dict[Relevance, str]] = {
    "nb": {"high": "høy", "some": "noe", "low": "lav"},
    "nn": {"high": "høg", "some": "noko", "low": "låg"},
    "en": {"high": "high", "some": "some", "low": "low"},
}

# Goal numbers are checked against the goals file, not here, so that "18.1" is reported as a
# target under an unknown goal rather than as a malformed code.
TARGET_CODE = re.compile(r"^([1-9][0-9]?)\.([1-9][0-9]?|[a-z])$")
INDICATOR_CODE = re.compile(r"^([1-9][0-9]?)\.([1-9][0-9]?|[a-z])\.([1-9][0-9]?)$")
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")

__all__ = [
    "DATA_DIR",
    "LANGS",
    "RELEVANCE_LEVELS",
    "Goal",
    "Indicator",
    "Lang",
    "Relevance",
    "SdgFramework",
    "Target",
    "Texts",
    "code_sort_key",
    "load_sdg",
    "normalise_code",
    "relevance_label",
]


# --------------------------------------------------------------------------- #
# codes                                                                        #
# --------------------------------------------------------------------------- #
def normalise_code(code: str | int) -> str:
    """``"1-A"``, ``" 1.a "``, ``"1_a"`` → ``"1.a"``; ``3`` → ``"3"``. Does not check existence."""
    text = str(code).strip().lower().replace("-", ".").replace("_", ".")
    return re.sub(r"\s+", "", text)


def code_sort_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Official order: numbered parts before lettered ones, numbers compared as numbers
    (``1.2`` < ``1.10`` < ``1.a``)."""
    parts: list[tuple[int, int | str]] = []
    for part in code.split("."):
        parts.append((0, int(part)) if part.isdigit() else (1, part))
    return tuple(parts)


def relevance_label(level: Relevance, lang: Lang = "nb") -> str:
    """``high`` → ``høy`` (nb), ``høg`` (nn), ``high`` (en)."""
    return _RELEVANCE_LABELS[lang][level]


# --------------------------------------------------------------------------- #
# domain objects                                                               #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Texts:
    """One text in bokmål, nynorsk and English. ``nn`` may be empty only where a field is
    documented as bokmål/English-only (target reasons); it then falls back to bokmål."""

    nb: str
    nn: str
    en: str

    def get(self, lang: Lang = "nb") -> str:
        if lang == "en":
            return self.en
        if lang == "nn":
            return self.nn or self.nb
        return self.nb


@dataclass(frozen=True)
class Goal:
    number: int
    colour: str
    short_names: Texts
    names: Texts
    descriptions: Texts

    @property
    def code(self) -> str:
        return str(self.number)

    def short_name(self, lang: Lang = "nb") -> str:
        """``"Utrydde fattigdom"``: the name on goal tiles."""
        return self.short_names.get(lang)

    def name(self, lang: Lang = "nb") -> str:
        """The full goal title: ``"Utrydde alle former for fattigdom i hele verden"``."""
        return self.names.get(lang)

    def description(self, lang: Lang = "nb") -> str:
        """One plain-language sentence about the goal."""
        return self.descriptions.get(lang)


@dataclass(frozen=True)
class Target:
    code: str
    goal: int
    titles: Texts
    relevance_municipal: Relevance
    relevance_county: Relevance
    reasons: Texts

    def title(self, lang: Lang = "nb") -> str:
        """FN17's short title (3–10 words), not the official text."""
        return self.titles.get(lang)

    def reason(self, lang: Lang = "nb") -> str:
        """Why the target has its municipal and county relevance (nynorsk falls back to bokmål)."""
        return self.reasons.get(lang)

    def relevance(self, level: Literal["municipality", "county"]) -> Relevance:
        return self.relevance_municipal if level == "municipality" else self.relevance_county

    @property
    def is_means_of_implementation(self) -> bool:
        """Lettered targets (``6.a``) are about means of implementation, numbered ones about outcomes."""
        return not self.code.split(".")[1].isdigit()


@dataclass(frozen=True)
class Indicator:
    """One unique global indicator. ``code`` is its primary code; ``listed_as`` holds every
    code under which the UN lists it, the primary code first."""

    code: str
    listed_as: tuple[str, ...]
    titles: Texts

    def title(self, lang: Lang = "nb") -> str:
        """FN17's short title, not the official text."""
        return self.titles.get(lang)

    @property
    def target(self) -> str:
        """The target of the primary listing: ``"1.5"`` for 1.5.1."""
        return self.code.rsplit(".", 1)[0]

    @property
    def targets(self) -> tuple[str, ...]:
        """Every target the indicator is listed under: ``("1.5", "11.5", "13.1")``."""
        return tuple(c.rsplit(".", 1)[0] for c in self.listed_as)

    @property
    def goals(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(int(c.split(".")[0]) for c in self.listed_as))

    @property
    def is_repeated(self) -> bool:
        return len(self.listed_as) > 1


@dataclass(frozen=True)
class SdgFramework:
    """The validated framework with lookups. Build it with :func:`load_sdg`."""

    goals: tuple[Goal, ...]
    targets: tuple[Target, ...]
    indicators: tuple[Indicator, ...]
    version: str
    source: Path
    _goals: dict[int, Goal] = field(init=False, repr=False, compare=False)
    _targets: dict[str, Target] = field(init=False, repr=False, compare=False)
    _indicators: dict[str, Indicator] = field(init=False, repr=False, compare=False)
    _targets_of: dict[int, tuple[Target, ...]] = field(init=False, repr=False, compare=False)
    _indicators_of: dict[str, tuple[Indicator, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_listing: dict[str, Indicator] = {c: ind for ind in self.indicators for c in ind.listed_as}
        under: dict[str, list[Indicator]] = {t.code: [] for t in self.targets}
        for listing in sorted(by_listing, key=code_sort_key):
            under[listing.rsplit(".", 1)[0]].append(by_listing[listing])
        object.__setattr__(self, "_goals", {g.number: g for g in self.goals})
        object.__setattr__(self, "_targets", {t.code: t for t in self.targets})
        object.__setattr__(self, "_indicators", by_listing)
        object.__setattr__(
            self, "_targets_of", {g.number: tuple(t for t in self.targets if t.goal == g.number) for g in self.goals}
        )
        object.__setattr__(self, "_indicators_of", {k: tuple(v) for k, v in under.items()})

    # -- counts -------------------------------------------------------------
    @property
    def n_listings(self) -> int:
        """Indicator listings, counting a repeated indicator once per target (the UN's 'total')."""
        return len(self._indicators)

    # -- lookups ------------------------------------------------------------
    def goal(self, n: int | str | Goal) -> Goal:
        """Goal by number: ``3``, ``"3"`` or ``"03"``."""
        if isinstance(n, Goal):
            return n
        key = str(n).strip()
        if key.isdigit() and int(key) in self._goals:
            return self._goals[int(key)]
        raise NotFoundError(
            f"Bærekraftsmål {key!r} finnes ikke. Målene er nummerert 1–17.",
            message_en=f"Goal {key!r} does not exist. The goals are numbered 1–17.",
            hint="Bruk et tall fra 1 til 17, f.eks. 3 for God helse og livskvalitet.",
            hint_en="Use a number from 1 to 17, e.g. 3 for Good health and well-being.",
            details={"goal": key},
        )

    def target(self, code: str | Target) -> Target:
        """Target by code: ``"6.3"``, ``"6.a"``; ``"6-A"`` is read as ``"6.a"``."""
        if isinstance(code, Target):
            return code
        key = normalise_code(code)
        found = self._targets.get(key)
        if found is not None:
            return found
        goal = key.split(".")[0]
        examples = ", ".join(t.code for t in self._targets_of.get(int(goal), ())[:3]) if goal.isdigit() else ""
        hint_nb = (
            f"Mål {goal} har delmål som {examples} …"
            if examples
            else "Delmål skrives som mål.delmål, f.eks. 6.3 eller 6.a."
        )
        hint_en = (
            f"Goal {goal} has targets such as {examples} …"
            if examples
            else "Targets are written goal.target, e.g. 6.3 or 6.a."
        )
        raise NotFoundError(
            f"Delmål {code!r} finnes ikke.",
            message_en=f"Target {code!r} does not exist.",
            hint=hint_nb,
            hint_en=hint_en,
            details={"target": str(code)},
        )

    def indicator(self, code: str | Indicator) -> Indicator:
        """Indicator by any of its codes: ``"11.5.1"`` returns indicator 1.5.1."""
        if isinstance(code, Indicator):
            return code
        key = normalise_code(code)
        found = self._indicators.get(key)
        if found is not None:
            return found
        target = key.rsplit(".", 1)[0]
        listed = [i.code for i in self._indicators_of.get(target, ())]
        if listed:
            hint_nb = f"Delmål {target} har indikatorene {', '.join(listed)}."
            hint_en = f"Target {target} has the indicators {', '.join(listed)}."
        else:
            hint_nb = "Indikatorer skrives som mål.delmål.nummer, f.eks. 6.3.1."
            hint_en = "Indicators are written goal.target.number, e.g. 6.3.1."
        raise NotFoundError(
            f"Indikator {code!r} finnes ikke i FNs globale indikatorliste.",
            message_en=f"Indicator {code!r} is not in the UN global indicator list.",
            hint=hint_nb,
            hint_en=hint_en,
            details={"indicator": str(code)},
        )

    def targets_of(self, goal: int | str | Goal) -> tuple[Target, ...]:
        """The targets of a goal, in official order."""
        return self._targets_of[self.goal(goal).number]

    def indicators_of(self, target_or_goal: str | int | Target | Goal) -> tuple[Indicator, ...]:
        """Indicators listed under a target (``"3.4"``) or under any target of a goal (``3``,
        ``"3"``), each once, in official order of their listing."""
        if isinstance(target_or_goal, Goal) or (
            not isinstance(target_or_goal, Target) and "." not in normalise_code(target_or_goal)
        ):
            goal = self.goal(target_or_goal)
            seen: dict[str, Indicator] = {}
            for t in self._targets_of[goal.number]:
                for ind in self._indicators_of[t.code]:
                    seen.setdefault(ind.code, ind)
            return tuple(seen.values())
        assert not isinstance(target_or_goal, int)  # an int is a goal number, handled above
        return self._indicators_of[self.target(target_or_goal).code]

    def listings_of(self, target: str | Target) -> tuple[str, ...]:
        """The indicator codes as listed under a target: ``"11.5"`` → ``("11.5.1", "11.5.2")``."""
        code = self.target(target).code
        return tuple(c for c in sorted(self._indicators, key=code_sort_key) if c.rsplit(".", 1)[0] == code)

    def has_code(self, code: str) -> bool:
        """True when ``code`` is a goal, target or indicator listing code."""
        key = normalise_code(code)
        return key in self._targets or key in self._indicators or (key.isdigit() and int(key) in self._goals)


# --------------------------------------------------------------------------- #
# loading                                                                      #
# --------------------------------------------------------------------------- #
@lru_cache(maxsize=1)
def _load_default() -> SdgFramework:
    return _build(DATA_DIR)


def _build(folder: Path) -> SdgFramework:
    from fn17.frameworks._sdg_validate import build_framework  # it imports this module's classes

    return build_framework(folder)


def load_sdg(path: Path | None = None) -> SdgFramework:
    """Load and validate the SDG framework.

    ``path`` is a folder holding ``sdg_goals.yaml``, ``sdg_targets.yaml`` and
    ``sdg_indicators.yaml``; without it, FN17's own files are used and the result is cached.
    Raises :class:`~fn17.errors.DataFileError` naming file, entry and problem.
    """
    if path is None or path.resolve() == DATA_DIR:
        return _load_default()
    if not path.is_dir():
        raise DataFileError(
            f"SDG-rammeverket: {path} er ikke en mappe.",
            message_en=f"SDG framework: {path} is not a folder.",
            hint=f"Oppgi mappa som har {GOALS_FILE}, {TARGETS_FILE} og {INDICATORS_FILE}.",
            hint_en=f"Give the folder that holds {GOALS_FILE}, {TARGETS_FILE} and {INDICATORS_FILE}.",
            details={"file": str(path)},
        )
    return _build(path)
