"""The team's keyword lexicon per SDG and target, in bokmål, nynorsk and English, and its matcher.

The lexicon is data (``data/lexicon_*.yaml``): per goal, ``strong`` terms (weight 1.0), ``weak``
terms (0.4: ambiguous alone) and per-target terms (1.0, and evidence for that target). A term is
one or more words; each word may end and/or start with ``*`` (see the YAML header).

Matching works on the text's words, not with one regular expression per term: every word is
looked up by its whole form, its first three letters (prefix terms), its last three (suffix
terms) and each three-letter window (infix terms), so the cost grows with the text, not with the
size of the lexicon: several thousand passages a second.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from fn17.errors import DataFileError

log = logging.getLogger(__name__)

GOALS = tuple(range(1, 18))
STRONG = 1.0
WEAK = 0.4
LANGS = ("nb", "nn", "en")
LEXICON_FILES = ("lexicon_a.yaml", "lexicon_b.yaml")

_WORD = re.compile(r"\w+")
_TARGET = re.compile(r"^(\d{1,2})\.(\d{1,2}|[a-z])$")

WordKind = Literal["exact", "prefix", "suffix", "infix"]


@dataclass(frozen=True)
class WordPattern:
    kind: WordKind
    stem: str

    def matches(self, word: str) -> bool:
        if self.kind == "exact":
            return word == self.stem
        if self.kind == "prefix":
            return word.startswith(self.stem)
        if self.kind == "suffix":
            return word.endswith(self.stem)
        return self.stem in word


@dataclass(frozen=True)
class Term:
    id: int
    pattern: str
    """The term as written in the lexicon, e.g. ``klimagass*``."""
    goal: int
    weight: float
    targets: tuple[str, ...]
    words: tuple[WordPattern, ...]


@dataclass(frozen=True)
class TermHit:
    """One occurrence of a lexicon term in a text: the evidence a reader can check."""

    term: Term
    start: int
    end: int
    text: str
    """The words as they appear in the text."""


def _word_pattern(raw: str) -> WordPattern:
    lead = raw.startswith("*")
    trail = raw.endswith("*")
    stem = raw.strip("*")
    kind: WordKind = "infix" if lead and trail else "suffix" if lead else "prefix" if trail else "exact"
    return WordPattern(kind, stem)


def parse_term(pattern: str) -> tuple[WordPattern, ...]:
    """``"gang- og sykkel*"`` → (exact gang, exact og, prefix sykkel)."""
    words = [w for w in re.findall(r"[\w*]+", pattern.lower()) if w.strip("*")]
    return tuple(_word_pattern(w) for w in words)


class Lexicon:
    """Compiled lexicon: ``find(text)`` returns every term occurrence, per goal."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms: tuple[Term, ...] = tuple(terms)
        self._exact: dict[str, list[Term]] = defaultdict(list)
        self._prefix: dict[str, list[Term]] = defaultdict(list)
        self._suffix: dict[str, list[Term]] = defaultdict(list)
        self._infix: dict[str, list[Term]] = defaultdict(list)
        for term in self.terms:
            first = term.words[0]
            if first.kind == "exact":
                self._exact[first.stem].append(term)
            elif first.kind == "prefix":
                self._prefix[first.stem[:3]].append(term)
            elif first.kind == "suffix":
                self._suffix[first.stem[-3:]].append(term)
            else:
                self._infix[first.stem[:3]].append(term)
        self.goal_targets: dict[int, tuple[str, ...]] = {
            g: tuple(sorted({t for term in self.terms if term.goal == g for t in term.targets}, key=target_sort_key))
            for g in GOALS
        }

    def __len__(self) -> int:
        return len(self.terms)

    def find(self, text: str) -> list[TermHit]:
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        words = [text[a:b].lower() for a, b in spans]
        hits: list[TermHit] = []
        for i, word in enumerate(words):
            candidates: list[Term] = []
            candidates.extend(self._exact.get(word, ()))
            if len(word) >= 3:
                candidates.extend(t for t in self._prefix.get(word[:3], ()) if word.startswith(t.words[0].stem))
                candidates.extend(t for t in self._suffix.get(word[-3:], ()) if word.endswith(t.words[0].stem))
                seen: set[int] = set()
                for p in range(len(word) - 2):
                    for t in self._infix.get(word[p : p + 3], ()):
                        if t.id not in seen and word.startswith(t.words[0].stem, p):
                            seen.add(t.id)
                            candidates.append(t)
            for term in candidates:
                n = len(term.words)
                if n > 1 and (i + n > len(words) or not all(
                    wp.matches(words[i + k]) for k, wp in enumerate(term.words[1:], start=1)
                )):
                    continue
                start, end = spans[i][0], spans[i + n - 1][1]
                hits.append(TermHit(term, start, end, text[start:end]))
        return hits


def target_sort_key(code: str) -> tuple[int, int, str]:
    goal, _, tail = code.partition(".")
    return (int(goal), int(tail) if tail.isdigit() else 100, tail)


def _fail(source: str, message_nb: str, message_en: str) -> DataFileError:
    return DataFileError(
        f"Leksikonfilen {source}: {message_nb}",
        message_en=f"Lexicon file {source}: {message_en}",
        hint="Rett filen (se syntaksen øverst i lexicon_a.yaml).",
        hint_en="Fix the file (see the syntax at the top of lexicon_a.yaml).",
        details={"file": source},
    )


def _strings(value: Any, source: str, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        out: list[str] = []
        for lang, items in value.items():
            if lang not in LANGS:
                raise _fail(source, f"{where}: ukjent språk {lang!r} (bruk nb, nn, en)", f"{where}: unknown language {lang!r} (use nb, nn, en)")
            out.extend(_strings(items, source, f"{where}.{lang}"))
        return out
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip("* ") for x in value):
        raise _fail(source, f"{where} må være en liste av termer", f"{where} must be a list of terms")
    return [x.strip() for x in value]


def build_terms(documents: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Term]:
    """Validate parsed lexicon documents and turn them into terms (duplicates merged, strongest weight kept)."""
    merged: dict[tuple[int, tuple[WordPattern, ...]], tuple[str, float, set[str]]] = {}
    seen_goals: set[int] = set()
    for source, doc in documents:
        goals = doc.get("goals") if isinstance(doc, Mapping) else None
        if not isinstance(goals, Mapping):
            raise _fail(source, "mangler «goals»", "has no 'goals'")
        for key, spec in goals.items():
            goal = int(key) if str(key).isdigit() else -1
            if goal not in GOALS or not isinstance(spec, Mapping):
                raise _fail(source, f"mål {key!r} finnes ikke (1–17)", f"goal {key!r} does not exist (1–17)")
            seen_goals.add(goal)
            entries: list[tuple[str, float, str | None]] = []
            entries += [(t, STRONG, None) for t in _strings(spec.get("strong"), source, f"{goal}.strong")]
            entries += [(t, WEAK, None) for t in _strings(spec.get("weak"), source, f"{goal}.weak")]
            for code, items in (spec.get("targets") or {}).items():
                m = _TARGET.match(str(code))
                if not m or int(m.group(1)) != goal:
                    raise _fail(source, f"delmål {code!r} hører ikke til mål {goal}", f"target {code!r} does not belong to goal {goal}")
                entries += [(t, STRONG, str(code)) for t in _strings(items, source, f"{goal}.targets.{code}")]
            for pattern, weight, target in entries:
                words = parse_term(pattern)
                if not words:
                    raise _fail(source, f"tom term i mål {goal}", f"empty term in goal {goal}")
                if words[0].kind != "exact" and len(words[0].stem) < 3:
                    raise _fail(source, f"{pattern!r}: jokertegn på første ord krever minst tre bokstaver", f"{pattern!r}: a wildcard on the first word needs at least three letters")
                key2 = (goal, words)
                old = merged.get(key2)
                targets = set(old[2]) if old else set()
                if target:
                    targets.add(target)
                merged[key2] = (old[0] if old else pattern, max(weight, old[1] if old else 0.0), targets)
    missing = set(GOALS) - seen_goals
    if missing:
        raise DataFileError(
            f"Leksikonet mangler mål {sorted(missing)}.",
            message_en=f"The lexicon is missing goals {sorted(missing)}.",
        )
    return [
        Term(i, pattern, goal, weight, tuple(sorted(targets, key=target_sort_key)), words)
        for i, ((goal, words), (pattern, weight, targets)) in enumerate(merged.items())
    ]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon shipped with FN17 (parsed and compiled once per process)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs = []
    for name in LEXICON_FILES:
        text = resources.files("fn17.plans").joinpath("data", name).read_text(encoding="utf-8")
        try:
            docs.append((name, yaml.load(text, Loader=loader)))
        except yaml.YAMLError as exc:
            raise _fail(name, f"ugyldig YAML: {exc}", f"invalid YAML: {exc}") from exc
    lexicon = Lexicon(build_terms(docs))
    log.debug("lexicon: %d terms", len(lexicon))
    return lexicon
