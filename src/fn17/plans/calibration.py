"""Calibrated combination: a logistic model per method over the (passage, goal) features.

Three models share one form, ``p = sigmoid(w · features + b + b_goal)``: ``lexicon`` (lexicon
features only), ``embedding`` (similarity features only) and ``combined`` (both). Each has a
decision threshold. They are fitted by :func:`fit` on the team's own labelled development
passages (``bench/data/*_dev.jsonl``), never on a benchmark, and shipped as
``data/calibration.json`` (``python bench/sdg_benchmark.py calibrate`` rewrites it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from fn17.errors import DataFileError
from fn17.plans.features import EMBEDDING_FEATURES, LEXICON_FEATURES, N_GOALS, Array

log = logging.getLogger(__name__)

Method = Literal["lexicon", "embedding", "combined"]
METHODS: tuple[Method, ...] = ("lexicon", "embedding", "combined")
CALIBRATION_FILE = "calibration.json"


def feature_names(method: Method) -> tuple[str, ...]:
    if method == "lexicon":
        return LEXICON_FEATURES
    if method == "embedding":
        return EMBEDDING_FEATURES
    return LEXICON_FEATURES + EMBEDDING_FEATURES


def stack_features(method: Method, lex: Array, emb: Array) -> Array:
    if method == "lexicon":
        return lex
    if method == "embedding":
        return emb
    return np.concatenate([lex, emb], axis=-1)


@dataclass(frozen=True)
class LogisticModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    goal_bias: tuple[float, ...]
    threshold: float

    def probabilities(self, x: Array) -> Array:
        """``x`` is (n, 17, k); returns (n, 17)."""
        z = x @ np.asarray(self.weights) + self.intercept + np.asarray(self.goal_bias)
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


@dataclass(frozen=True)
class Calibration:
    models: dict[str, LogisticModel]
    trained_on: dict[str, Any] = field(default_factory=dict)

    def model(self, method: Method) -> LogisticModel:
        return self.models[method]

    def to_json(self) -> str:
        return json.dumps(
            {"models": {k: asdict(v) for k, v in self.models.items()}, "trained_on": self.trained_on},
            indent=1,
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        try:
            raw = json.loads(text)
            models = {}
            for name, m in raw["models"].items():
                model = LogisticModel(
                    features=tuple(m["features"]),
                    weights=tuple(float(w) for w in m["weights"]),
                    intercept=float(m["intercept"]),
                    goal_bias=tuple(float(b) for b in m["goal_bias"]),
                    threshold=float(m["threshold"]),
                )
                if model.features != feature_names(name) or len(model.goal_bias) != N_GOALS:
                    raise ValueError(f"model {name}: features or goal biases do not match this FN17")
                models[name] = model
        except (KeyError, ValueError, TypeError) as exc:
            raise DataFileError(
                f"Kalibreringsfilen er ugyldig: {exc}",
                message_en=f"The calibration file is invalid: {exc}",
                hint="Lag den på nytt med «python bench/sdg_benchmark.py calibrate».",
                hint_en="Recreate it with 'python bench/sdg_benchmark.py calibrate'.",
            ) from exc
        missing = set(METHODS) - set(models)
        if missing:
            raise DataFileError(
                f"Kalibreringsfilen mangler metodene {sorted(missing)}.",
                message_en=f"The calibration file lacks the methods {sorted(missing)}.",
            )
        return cls(models, dict(raw.get("trained_on") or {}))


@lru_cache(maxsize=1)
def load_calibration() -> Calibration:
    text = resources.files("fn17.plans").joinpath("data", CALIBRATION_FILE).read_text(encoding="utf-8")
    return Calibration.from_json(text)


# --------------------------------------------------------------------------- fitting


def fit_logistic(
    x: Array, y: Array, *, l2: float = 1.0, l2_goal: float = 4.0, iterations: int = 50
) -> tuple[Array, float, Array]:
    """Newton–Raphson for a logistic model with shared weights and a per-goal bias.

    ``x`` is (n, 17, k) and ``y`` (n, 17) in {0, 1}. The shared weights get an L2 penalty of ``l2``,
    the goal biases a stronger ``l2_goal`` (few positives per goal); the intercept is free.
    """
    n, g, k = x.shape
    flat = x.reshape(n * g, k)
    onehot = np.tile(np.eye(g), (n, 1))
    design = np.hstack([flat, np.ones((n * g, 1)), onehot])
    target = y.reshape(n * g)
    penalty = np.concatenate([np.full(k, l2), [1e-6], np.full(g, l2_goal)])
    beta = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        grad = design.T @ (p - target) + penalty * beta
        w = p * (1 - p) + 1e-9
        hess = (design * w[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return beta[:k], float(beta[k]), beta[k + 1 :]


def balanced_accuracy(y: npt.NDArray[np.bool_], pred: npt.NDArray[np.bool_]) -> float:
    """Mean over goals of (TPR + TNR) / 2: the benchmark's per-SDG accuracy on balanced rows, on average."""
    scores = []
    for g in range(y.shape[1]):
        pos, neg = y[:, g], ~y[:, g]
        if pos.sum() == 0 or neg.sum() == 0:
            continue
        scores.append(0.5 * (pred[pos, g].mean() + (~pred[neg, g]).mean()))
    return float(np.mean(scores))


def tune_threshold(
    y: npt.NDArray[np.bool_], probs: Array, grid: Sequence[float] | None = None, tolerance: float = 0.01
) -> float:
    """The highest threshold whose :func:`balanced_accuracy` is within ``tolerance`` of the best.

    The curve is flat near its optimum; among near-equal thresholds the highest predicts fewer
    goals per passage, which is what plan text (most paragraphs concern one or two goals) needs.
    """
    grid = grid if grid is not None else [round(t, 3) for t in np.arange(0.025, 0.9, 0.025)]
    scores = [(t, balanced_accuracy(y, probs >= t)) for t in grid]
    best = max(s for _, s in scores)
    return float(max(t for t, s in scores if s >= best - tolerance))


def fit(
    features: Mapping[Method, Array], y: npt.NDArray[np.bool_], trained_on: Mapping[str, Any]
) -> Calibration:
    """Fit the three models and their thresholds on the same labelled passages."""
    models: dict[str, LogisticModel] = {}
    for method in METHODS:
        x = features[method]
        w, b, gb = fit_logistic(x, y.astype(float))
        model = LogisticModel(feature_names(method), tuple(map(float, w)), b, tuple(map(float, gb)), 0.5)
        threshold = tune_threshold(y, model.probabilities(x))
        models[method] = LogisticModel(model.features, model.weights, model.intercept, model.goal_bias, threshold)
        log.info("calibrated %s: threshold %.3f", method, threshold)
    return Calibration(models, dict(trained_on))
