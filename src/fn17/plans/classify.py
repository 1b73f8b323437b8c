"""Classify passages into the 17 SDGs (and targets where the evidence is specific), with evidence.

Three methods, each calibrated on the team's own labelled passages:

* ``lexicon``: the keyword lexicon (bokmål, nynorsk, English);
* ``embedding``: cosine between the passage and goal/target descriptions (multilingual e5);
* ``combined`` (default): both, in one logistic model.

Embedding costs 0.1–0.5 s per plan passage on two shared cores, so a time budget can be given:
passages are then embedded in order of need (those the lexicon model is least sure about first)
until the budget is spent, and the rest are scored by the lexicon model alone; every prediction
says which it got.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from fn17.errors import InvalidInputError
from fn17.plans.calibration import METHODS, Calibration, Method, load_calibration, stack_features
from fn17.plans.embedding import Embedder, Prototypes, default_embedder, load_prototypes
from fn17.plans.features import (
    EmbeddingEvidence,
    LexiconEvidence,
    Phrase,
    embedding_evidence,
    embedding_features,
    lexicon_evidence,
    lexicon_features,
)
from fn17.plans.lexicon import GOALS, Lexicon, load_lexicon

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
EMBED_BATCH = 32
FIRST_BUDGET_BATCH = 8
MAX_GOALS = 5
"""At most this many goals are predicted for one passage (the most probable)."""
TARGET_MARGIN = 0.005
"""A target is suggested from the embedding alone when its text is the closest of all the goal's
prototypes by at least this cosine margin over the goal's general descriptions."""


@dataclass(frozen=True)
class GoalEvidence:
    goal: int
    score: float
    predicted: bool
    lexicon_score: float
    phrases: tuple[Phrase, ...]
    similarity: float | None
    nearest_prototype: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "goal": self.goal,
            "score": round(self.score, 4),
            "predicted": self.predicted,
            "lexicon_score": round(self.lexicon_score, 3),
            "terms": [p.text for p in self.phrases],
            "lexicon_patterns": sorted({pat for p in self.phrases for pat in p.patterns}),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "nearest_prototype": self.nearest_prototype,
        }


@dataclass(frozen=True)
class TargetEvidence:
    code: str
    score: float
    terms: tuple[str, ...]
    similarity: float | None
    source: str
    """``lexicon`` (a target-specific term was found), ``embedding`` (closest prototype) or both."""

    def to_dict(self) -> dict[str, object]:
        return {
            "target": self.code,
            "score": round(self.score, 4),
            "terms": list(self.terms),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "source": self.source,
        }


@dataclass(frozen=True)
class Prediction:
    sdgs: tuple[int, ...]
    scores: dict[int, float]
    evidence: dict[int, GoalEvidence]
    """Goals with any evidence (a lexicon phrase, or a score of at least 0.05)."""
    targets: tuple[TargetEvidence, ...]
    method: str
    embedded: bool

    def to_dict(self, *, evidence: bool = True) -> dict[str, object]:
        out: dict[str, object] = {
            "sdgs": list(self.sdgs),
            "scores": {str(g): round(s, 4) for g, s in self.scores.items()},
        }
        if evidence:
            out["targets"] = [t.to_dict() for t in self.targets]
            out["evidence"] = [self.evidence[g].to_dict() for g in sorted(self.evidence)]
            out["method"] = self.method
            out["embedded"] = self.embedded
        return out


class SdgClassifier:
    """Lexicon + embeddings + calibration; heavy parts are loaded on first use."""

    def __init__(
        self,
        *,
        lexicon: Lexicon | None = None,
        embedder: Embedder | None = None,
        prototypes: Prototypes | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self._lexicon = lexicon
        self._embedder = embedder
        self._prototypes = prototypes
        self._calibration = calibration

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = load_lexicon()
        return self._lexicon

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    @property
    def prototypes(self) -> Prototypes:
        if self._prototypes is None:
            self._prototypes = load_prototypes(self._embedder)
        return self._prototypes

    @property
    def calibration(self) -> Calibration:
        if self._calibration is None:
            self._calibration = load_calibration()
        return self._calibration

    # ------------------------------------------------------------------ evidence

    def lexicon_evidence(self, texts: Sequence[str]) -> LexiconEvidence:
        return lexicon_evidence(self.lexicon, texts)

    def embedding_evidence(
        self,
        texts: Sequence[str],
        lex: LexiconEvidence | None = None,
        *,
        budget_s: float | None = None,
        progress: Progress | None = None,
    ) -> EmbeddingEvidence:
        """Embed all passages, or, with ``budget_s``, as many as fit, the most undecided first.

        A budget of 0 embeds nothing; any positive budget embeds at least a first small batch,
        whose speed sizes the following batches to fit the rest of the budget.
        """
        n = len(texts)
        order = np.arange(n) if lex is None or budget_s is None else _priority(lex, self.calibration)
        prototypes = self.prototypes  # loaded before the clock starts
        mask = np.zeros(n, dtype=bool)
        parts: list[EmbeddingEvidence] = []
        started = time.monotonic()
        done = 0
        start = 0
        size = EMBED_BATCH if budget_s is None else FIRST_BUDGET_BATCH
        while start < n and (budget_s is None or budget_s > 0):
            if budget_s is not None and done:
                elapsed = time.monotonic() - started
                size = min(EMBED_BATCH, int((budget_s - elapsed) * done / elapsed))
                if size < 1:
                    break  # not even one more passage fits in the budget
            idx = order[start : start + size]
            start += size
            batch_mask = np.zeros(n, dtype=bool)
            batch_mask[idx] = True
            parts.append(embedding_evidence(self.embedder, prototypes, texts, batch_mask))
            mask |= batch_mask
            done += idx.size
            if progress is not None:
                progress(done, n, "embed")
        return _combine(parts, n, len(prototypes.targets), mask)

    # ------------------------------------------------------------------ predictions

    def predict(
        self,
        texts: Sequence[str],
        *,
        method: Method = "combined",
        budget_s: float | None = None,
        progress: Progress | None = None,
    ) -> list[Prediction]:
        if method not in METHODS:
            raise InvalidInputError(
                f"Ukjent metode «{method}»; bruk lexicon, embedding eller combined.",
                message_en=f"Unknown method '{method}'; use lexicon, embedding or combined.",
            )
        lex = self.lexicon_evidence(texts)
        emb: EmbeddingEvidence | None = None
        if method != "lexicon" and texts:
            emb = self.embedding_evidence(texts, lex, budget_s=budget_s, progress=progress)
        return self.predict_from_evidence(texts, lex, emb, method=method)

    def predict_from_evidence(
        self,
        texts: Sequence[str],
        lex: LexiconEvidence,
        emb: EmbeddingEvidence | None,
        *,
        method: Method = "combined",
    ) -> list[Prediction]:
        n = len(texts)
        lex_f = lexicon_features(lex)
        if emb is None:
            emb = EmbeddingEvidence(
                np.full((n, len(GOALS)), np.nan), np.full((n, len(GOALS)), np.nan),
                np.full((n, len(GOALS)), -1, dtype=np.int64), np.full((n, 0), np.nan), np.zeros(n, dtype=bool),
            )
        emb_f = embedding_features(emb)
        probs = np.zeros((n, len(GOALS)))
        thresholds = np.zeros(n)
        used: list[str] = []
        for i in range(n):
            m: Method = method if method == "lexicon" or emb.embedded[i] else "lexicon"
            if method == "embedding" and not emb.embedded[i]:
                m = "lexicon"
            model = self.calibration.model(m)
            x = stack_features(m, lex_f[i : i + 1], emb_f[i : i + 1])
            probs[i] = model.probabilities(x)[0]
            thresholds[i] = model.threshold
            used.append(m)
        return [self._prediction(i, probs[i], thresholds[i], used[i], lex, emb) for i in range(n)]

    def _prediction(
        self, i: int, p: npt.NDArray[np.float64], threshold: float, method: str, lex: LexiconEvidence, emb: EmbeddingEvidence
    ) -> Prediction:
        ranked = [g for g in np.argsort(-p) if p[g] >= threshold][:MAX_GOALS]
        sdgs = tuple(sorted(int(g) + 1 for g in ranked))
        scores = {g: float(p[g - 1]) for g in GOALS}
        embedded = bool(emb.embedded[i])
        evidence: dict[int, GoalEvidence] = {}
        protos = self._prototypes if embedded else None
        for g in GOALS:
            phrases = lex.phrases[i].get(g, ())
            if not phrases and scores[g] < 0.05 and g not in sdgs:
                continue
            row = int(emb.goal_row[i, g - 1]) if embedded else -1
            evidence[g] = GoalEvidence(
                goal=g,
                score=scores[g],
                predicted=g in sdgs,
                lexicon_score=float(lex.score[i, g - 1]),
                phrases=phrases,
                similarity=float(emb.goal_sim[i, g - 1]) if embedded else None,
                nearest_prototype=protos.texts[row] if protos is not None and row >= 0 else None,
            )
        targets = self._targets(i, sdgs, scores, lex, emb) if sdgs else ()
        return Prediction(sdgs, scores, evidence, targets, method, embedded)

    def _targets(
        self, i: int, sdgs: tuple[int, ...], scores: dict[int, float], lex: LexiconEvidence, emb: EmbeddingEvidence
    ) -> tuple[TargetEvidence, ...]:
        found: dict[str, TargetEvidence] = {}
        for g in sdgs:
            terms: dict[str, list[str]] = {}
            for phrase in lex.phrases[i].get(g, ()):
                for code in phrase.targets:
                    terms.setdefault(code, []).append(phrase.text)
            for code, words in terms.items():
                found[code] = TargetEvidence(code, scores[g], tuple(dict.fromkeys(words)), None, "lexicon")
        if emb.embedded[i] and self._prototypes is not None:
            protos = self._prototypes
            column = {code: j for j, code in enumerate(protos.targets)}
            for g in sdgs:
                row = int(emb.goal_row[i, g - 1])
                nearest = protos.target_of[row] if row >= 0 else None
                if nearest is None:
                    continue  # a general description of the goal was closest: nothing specific
                best = float(emb.target_sim[i, column[nearest]])
                rivals = [float(emb.goal_text_sim[i, g - 1])] + [
                    float(emb.target_sim[i, j]) for c, j in column.items() if c != nearest and protos.targets[c].goal == g
                ]
                if best - max(rivals) < TARGET_MARGIN:
                    continue
                old = found.get(nearest)
                found[nearest] = TargetEvidence(
                    nearest, scores[g], old.terms if old else (), best, "lexicon+embedding" if old else "embedding"
                )
        return tuple(sorted(found.values(), key=lambda t: (-t.score, t.code)))


def _priority(lex: LexiconEvidence, calibration: Calibration) -> npt.NDArray[np.int64]:
    """Passages the lexicon model is least sure about first: those with a goal probability
    closest to the decision threshold (in log-odds), where the language model can change the
    outcome; clear yes and clear no last."""
    model = calibration.model("lexicon")
    p = np.clip(model.probabilities(lexicon_features(lex)), 1e-6, 1 - 1e-6)
    t = model.threshold
    distance = np.abs(np.log(p / (1 - p)) - np.log(t / (1 - t))).min(axis=1)
    return np.argsort(distance, kind="stable")


def _combine(parts: list[EmbeddingEvidence], n: int, n_targets: int, mask: npt.NDArray[np.bool_]) -> EmbeddingEvidence:
    goal_sim = np.full((n, len(GOALS)), np.nan)
    goal_text_sim = np.full((n, len(GOALS)), np.nan)
    goal_row = np.full((n, len(GOALS)), -1, dtype=np.int64)
    target_sim = np.full((n, n_targets), np.nan)
    for part in parts:
        m = part.embedded
        goal_sim[m] = part.goal_sim[m]
        goal_text_sim[m] = part.goal_text_sim[m]
        goal_row[m] = part.goal_row[m]
        target_sim[m] = part.target_sim[m]
    return EmbeddingEvidence(goal_sim, goal_text_sim, goal_row, target_sim, mask)


@lru_cache(maxsize=1)
def default_classifier() -> SdgClassifier:
    """One classifier per process (the model and prototypes are loaded once)."""
    return SdgClassifier()


def classify_texts(
    texts: Sequence[str], *, method: Method = "combined", budget_s: float | None = None, progress: Progress | None = None
) -> list[Prediction]:
    """Classify texts with the shipped lexicon, model and calibration."""
    return default_classifier().predict(texts, method=method, budget_s=budget_s, progress=progress)
