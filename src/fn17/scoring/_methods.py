"""The method registry: how one raw value becomes a 0–100 score.

A scoring method is any callable ``method(frame) -> pd.Series`` where
``frame`` has one row per (unit, indicator) and these columns (raw units, NaN
where not given): ``unit``, ``indicator``, ``value``, ``direction``,
``sign`` (+1 higher is better, −1 lower is better), ``optimum``,
``lower_bound`` (resolved), ``worst`` (worst value observed), ``target``,
``end_value`` (``target`` or else ``optimum``), ``baseline``, ``green``,
``red``, ``midpoint``. It returns scores in [0, 100] (NaN where there is no
value) aligned with ``frame.index``. Aggregation to goals and the index, the
20 % rule, colours and ranks are the same for every method.

Built-in methods::

    sdsn   censored min–max between lower_bound and optimum (SDSN)
    u4ssc  target achievement 100 × (x − baseline)/(target − baseline), clipped to 0–100 (U4SSC)
    oecd   normalised distance to the 2030 end value, 0 at the worst unit (OECD 2020)

Register another with :func:`register_method`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from fn17.errors import InvalidInputError, NotFoundError

ScoringMethod = Callable[[pd.DataFrame], pd.Series]
FloatArray = NDArray[np.float64]


def _arr(s: pd.Series) -> FloatArray:
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def normalise(y: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Censored min–max: ``100 × clip((y − lo)/(hi − lo), 0, 1)``, in "higher is better" space.

    Where ``hi <= lo`` (a bound not worse than the optimum) a value scores 100
    at or beyond ``hi`` and 0 otherwise. NaN values stay NaN.
    """
    den = hi - lo
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = (y - lo) / den
    score = np.clip(ratio, 0.0, 1.0) * 100.0
    degenerate = ~(den > 0)
    score = np.where(degenerate, np.where(y >= hi, 100.0, 0.0), score)
    return np.where(np.isnan(y) | np.isnan(lo) | np.isnan(hi), np.nan, score)


def sdsn_method(frame: pd.DataFrame) -> pd.Series:
    """SDSN: ``x' = 100 × (x − lower_bound)/(optimum − lower_bound)``, censored to [0, 100].

    Inversion for "lower is better" comes from multiplying value and bounds by ``sign``.
    """
    s = _arr(frame["sign"])
    score = normalise(s * _arr(frame["value"]), s * _arr(frame["lower_bound"]), s * _arr(frame["optimum"]))
    return pd.Series(score, index=frame.index, name="score")


def resolved_baseline(frame: pd.DataFrame) -> pd.Series:
    """U4SSC baseline: given, else 0 when higher is better, else the lower bound."""
    fallback = frame["lower_bound"].where(frame["sign"] < 0, 0.0)
    return frame["baseline"].where(frame["baseline"].notna(), fallback)


def achievement(value: FloatArray, baseline: FloatArray, target: FloatArray) -> FloatArray:
    """``100 × (value − baseline)/(target − baseline)``, uncensored; NaN where target == baseline."""
    den = target - baseline
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = 100.0 * (value - baseline) / den
    return np.where(den == 0, np.nan, out)


def u4ssc_method(frame: pd.DataFrame) -> pd.Series:
    """U4SSC target achievement toward ``end_value``, clipped to [0, 100] so it can be averaged."""
    a = achievement(_arr(frame["value"]), _arr(resolved_baseline(frame)), _arr(frame["end_value"]))
    return pd.Series(np.clip(a, 0.0, 100.0), index=frame.index, name="score")


def oecd_method(frame: pd.DataFrame) -> pd.Series:
    """OECD: 0–100 between the worst unit observed and the 2030 end value; distance = 100 − score."""
    s = _arr(frame["sign"])
    score = normalise(s * _arr(frame["value"]), s * _arr(frame["worst"]), s * _arr(frame["end_value"]))
    return pd.Series(score, index=frame.index, name="score")


_REGISTRY: dict[str, ScoringMethod] = {
    "sdsn": sdsn_method,
    "u4ssc": u4ssc_method,
    "oecd": oecd_method,
}

#: Read-only view of the registered methods (name → callable).
METHODS: Mapping[str, ScoringMethod] = MappingProxyType(_REGISTRY)


def register_method(name: str, method: ScoringMethod, *, replace: bool = False) -> None:
    """Add a scoring method under ``name`` (see the module docstring for the contract)."""
    if not callable(method):
        raise InvalidInputError(
            f"Metoden «{name}» må være en funksjon frame -> Series.",
            message_en=f"Method '{name}' must be a callable frame -> Series.",
        )
    if name in _REGISTRY and not replace:
        raise InvalidInputError(
            f"Metoden «{name}» finnes allerede.",
            message_en=f"Method '{name}' is already registered.",
            hint="Velg et annet navn, eller bruk replace=True for å erstatte den.",
            hint_en="Choose another name, or pass replace=True to replace it.",
        )
    _REGISTRY[name] = method


def get_method(name: str) -> ScoringMethod:
    """The method registered under ``name``; :class:`NotFoundError` names the available ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        names = ", ".join(sorted(_REGISTRY))
        raise NotFoundError(
            f"Scoringmetoden «{name}» finnes ikke; tilgjengelige metoder er {names}.",
            message_en=f"Scoring method '{name}' does not exist; available methods are {names}.",
            details={"method": name, "available": sorted(_REGISTRY)},
        ) from None


def apply_method(name: str, frame: pd.DataFrame) -> pd.Series:
    """Run the method ``name`` on ``frame`` and check its contract."""
    method = get_method(name)
    scores = method(frame)
    if not isinstance(scores, pd.Series) or not scores.index.equals(frame.index):
        raise InvalidInputError(
            f"Metoden «{name}» må returnere en Series med samme indeks som tabellen den fikk.",
            message_en=f"Method '{name}' must return a Series with the same index as its input.",
        )
    values = scores.astype(float)
    outside = values.notna() & ((values < 0.0) | (values > 100.0))
    if outside.any():
        raise InvalidInputError(
            f"Metoden «{name}» ga poeng utenfor 0–100 (f.eks. {values[outside].iloc[0]:.3g}).",
            message_en=f"Method '{name}' returned scores outside 0–100 (e.g. {values[outside].iloc[0]:.3g}).",
            hint="En metode må sensurere poengene til intervallet 0–100.",
            hint_en="A method must censor its scores to 0–100.",
        )
    return values.rename("score")
