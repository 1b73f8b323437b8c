"""Per-passage, per-goal evidence: lexicon hits grouped into phrases, and embedding similarities.

Both are turned into a small feature vector per (passage, goal) that the calibration in
:mod:`fn17.plans.calibration` maps to a probability.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fn17.plans.embedding import Embedder, Matrix, Prototypes
from fn17.plans.lexicon import GOALS, Lexicon, TermHit

N_GOALS = len(GOALS)
Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Phrase:
    """Overlapping lexicon hits merged into one piece of evidence (``klimagassutslippene``)."""

    text: str
    weight: float
    patterns: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(frozen=True)
class LexiconEvidence:
    score: Array
    """(n, 17) sum of the weights of the distinct phrases found for each goal."""
    phrases: tuple[dict[int, tuple[Phrase, ...]], ...]
    """Per passage, per goal, the phrases (strongest first)."""


def lexicon_evidence(lexicon: Lexicon, texts: Sequence[str]) -> LexiconEvidence:
    score = np.zeros((len(texts), N_GOALS))
    phrases: list[dict[int, tuple[Phrase, ...]]] = []
    for i, text in enumerate(texts):
        by_goal: dict[int, list[TermHit]] = {}
        for hit in lexicon.find(text):
            by_goal.setdefault(hit.term.goal, []).append(hit)
        per_goal: dict[int, tuple[Phrase, ...]] = {}
        for goal, hits in by_goal.items():
            merged = _merge(text, hits)
            distinct: dict[str, Phrase] = {}
            for phrase in merged:
                key = phrase.text.lower()
                if key not in distinct or distinct[key].weight < phrase.weight:
                    distinct[key] = phrase
            ordered = tuple(sorted(distinct.values(), key=lambda p: (-p.weight, p.text.lower())))
            per_goal[goal] = ordered
            score[i, goal - 1] = sum(p.weight for p in ordered)
        phrases.append(per_goal)
    return LexiconEvidence(score, tuple(phrases))


def _merge(text: str, hits: list[TermHit]) -> list[Phrase]:
    hits = sorted(hits, key=lambda h: (h.start, -h.end))
    out: list[Phrase] = []
    group: list[TermHit] = []
    end = -1
    pending: list[TermHit | None] = [*hits, None]
    for hit in pending:
        if hit is not None and group and hit.start < end:
            group.append(hit)
            end = max(end, hit.end)
            continue
        if group:
            start = min(h.start for h in group)
            out.append(
                Phrase(
                    text=text[start:end],
                    weight=max(h.term.weight for h in group),
                    patterns=tuple(dict.fromkeys(h.term.pattern for h in group)),
                    targets=tuple(dict.fromkeys(t for h in group for t in h.term.targets)),
                )
            )
        if hit is not None:
            group = [hit]
            end = hit.end
    return out


@dataclass(frozen=True)
class EmbeddingEvidence:
    goal_sim: Array
    """(n, 17) cosine with the closest prototype of each goal (goal or target text); NaN if not embedded."""
    goal_text_sim: Array
    """(n, 17) cosine with the closest *general* description of each goal (not a target text)."""
    goal_row: npt.NDArray[np.int64]
    """(n, 17) index of that closest prototype in :class:`Prototypes`."""
    target_sim: Array
    """(n, n_targets) cosine with the closest text of each target, in ``prototypes.targets`` order."""
    embedded: npt.NDArray[np.bool_]


def embedding_evidence(
    embedder: Embedder, prototypes: Prototypes, texts: Sequence[str], mask: npt.NDArray[np.bool_] | None = None
) -> EmbeddingEvidence:
    n = len(texts)
    mask = np.ones(n, dtype=bool) if mask is None else mask
    target_codes = list(prototypes.targets)
    goal_sim = np.full((n, N_GOALS), np.nan)
    goal_text_sim = np.full((n, N_GOALS), np.nan)
    goal_row = np.full((n, N_GOALS), -1, dtype=np.int64)
    target_sim = np.full((n, len(target_codes)), np.nan)
    idx = np.flatnonzero(mask)
    is_target = np.array([t is not None for t in prototypes.target_of])
    if idx.size:
        vectors: Matrix = embedder.embed([texts[int(i)] for i in idx])
        sims = vectors.astype(np.float64) @ prototypes.vectors.astype(np.float64).T
        for g in GOALS:
            cols = np.flatnonzero(prototypes.goal_of == g)
            best = sims[:, cols].argmax(axis=1)
            goal_row[idx, g - 1] = cols[best]
            goal_sim[idx, g - 1] = sims[np.arange(idx.size), cols[best]]
            general = np.flatnonzero((prototypes.goal_of == g) & ~is_target)
            goal_text_sim[idx, g - 1] = sims[:, general].max(axis=1)
        target_of = np.array([t or "" for t in prototypes.target_of])
        for j, code in enumerate(target_codes):
            cols = np.flatnonzero(target_of == code)
            target_sim[idx, j] = sims[:, cols].max(axis=1)
    return EmbeddingEvidence(goal_sim, goal_text_sim, goal_row, target_sim, mask.copy())


LEXICON_FEATURES = ("lex_log", "lex_share", "lex_top", "lex_total_log")
EMBEDDING_FEATURES = ("emb_sim", "emb_z", "emb_margin", "emb_top")


def lexicon_features(lex: LexiconEvidence) -> Array:
    """(n, 17, 4) features from the lexicon scores."""
    s = lex.score
    total = s.sum(axis=1, keepdims=True)
    top = (s == s.max(axis=1, keepdims=True)) & (s > 0)
    return np.stack(
        [np.log1p(s), s / (total + 1.0), top.astype(float), np.broadcast_to(np.log1p(total), s.shape)], axis=-1
    )


def embedding_features(emb: EmbeddingEvidence) -> Array:
    """(n, 17, 4) features from the similarities (zeros where a passage was not embedded)."""
    s = np.nan_to_num(emb.goal_sim, nan=0.0)
    mean = s.mean(axis=1, keepdims=True)
    std = s.std(axis=1, keepdims=True) + 1e-6
    mx = s.max(axis=1, keepdims=True)
    feats = np.stack([(s - 0.8) * 10.0, (s - mean) / std, (s - mx) * 10.0, (s == mx).astype(float)], axis=-1)
    feats[~emb.embedded] = 0.0
    return feats
