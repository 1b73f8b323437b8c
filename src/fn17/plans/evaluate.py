"""Score any classifier on labelled texts with the SDG Classification Benchmark's metric.

The benchmark's rows are ``(text, sdg, label)``; a row counts as correct when ``sdg in
predict(text)`` equals ``label``; accuracy per SDG is (TP + TN) / n over that SDG's rows, and the
reported figure is the unweighted mean of the per-SDG accuracies (SDGs without rows skipped).

A multi-label set (each text with all its goals) is turned into rows the same way the benchmark
is built: for each goal, every text labelled with it (positives) and the same number of texts
not labelled with it (negatives), chosen deterministically.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fn17.errors import InvalidInputError
from fn17.plans.lexicon import GOALS


@dataclass(frozen=True)
class LabelledText:
    id: str
    text: str
    sdgs: frozenset[int]
    lang: str = ""


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    sdg: int
    label: bool


@dataclass(frozen=True)
class GoalScore:
    sdg: int
    n: int
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def accuracy(self) -> float:
        return 100.0 * (self.tp + self.tn) / self.n if self.n else 0.0


@dataclass(frozen=True)
class Score:
    per_goal: tuple[GoalScore, ...]

    @property
    def accuracy(self) -> float:
        """The benchmark figure: the unweighted mean of per-SDG accuracies, in percent."""
        scored = [g.accuracy for g in self.per_goal if g.n]
        return sum(scored) / len(scored) if scored else 0.0


def load_labelled(path: str | Path) -> list[LabelledText]:
    """A JSON Lines file of ``{"id", "text", "sdgs": [..], "lang"?}``."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            sdgs = frozenset(int(g) for g in raw["sdgs"])
            items.append(LabelledText(str(raw["id"]), str(raw["text"]), sdgs, str(raw.get("lang", ""))))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInputError(
                f"{path}, linje {number}: ugyldig merket tekst ({exc}).",
                message_en=f"{path}, line {number}: invalid labelled text ({exc}).",
                hint='Hver linje skal være {"id": …, "text": …, "sdgs": [..]}.',
                hint_en='Each line must be {"id": …, "text": …, "sdgs": [..]}.',
            ) from exc
        if not sdgs <= set(GOALS):
            raise InvalidInputError(
                f"{path}, linje {number}: mål utenfor 1–17.", message_en=f"{path}, line {number}: goals outside 1–17."
            )
    return items


def _order(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def benchmark_rows(items: Sequence[LabelledText]) -> list[Row]:
    """Per goal: all positives and as many negatives (a fixed, hash-ordered choice)."""
    rows: list[Row] = []
    for g in GOALS:
        pos = [t for t in items if g in t.sdgs]
        neg = sorted((t for t in items if g not in t.sdgs), key=lambda t: _order(f"{g}:{t.id}"))[: len(pos)]
        rows.extend(Row(t.id, t.text, g, True) for t in pos)
        rows.extend(Row(t.id, t.text, g, False) for t in neg)
    return rows


def score_rows(rows: Iterable[Row], predicted: Mapping[str, Iterable[int]]) -> Score:
    """Score with the benchmark metric; ``predicted`` maps a row's text id to the predicted goals."""
    counts = {g: [0, 0, 0, 0] for g in GOALS}  # tp, fp, tn, fn
    for row in rows:
        hit = row.sdg in set(predicted[row.id])
        c = counts[row.sdg]
        if row.label and hit:
            c[0] += 1
        elif not row.label and hit:
            c[1] += 1
        elif not row.label:
            c[2] += 1
        else:
            c[3] += 1
    return Score(tuple(GoalScore(g, sum(c), c[0], c[1], c[2], c[3]) for g, c in counts.items()))


def evaluate(items: Sequence[LabelledText], predict: Callable[[Sequence[str]], Sequence[Iterable[int]]]) -> Score:
    """Predict every text once (batched), then score the benchmark-style rows."""
    predictions = predict([t.text for t in items])
    by_id = {t.id: list(p) for t, p in zip(items, predictions, strict=True)}
    return score_rows(benchmark_rows(items), by_id)
