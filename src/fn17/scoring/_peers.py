"""Peers: nearest neighbours on structural variables, with the reasons shown.

Distance between units ``i`` and ``j`` over the chosen variables ``v``::

    z_v(i) = (x_v(i) − mean_v) / sd_v          (sd with ddof=0, over the candidate pool)
    d(i, j) = sqrt( Σ_v w_v (z_v(i) − z_v(j))² )

Variables listed in ``log_variables`` are replaced by ``log10(x)`` first: a
population of 200 and one of 700,000 should not make every small
municipality look alike. The result carries, for every peer and variable,
both raw values, the standardised difference and its share of the squared
distance, so that the web can say *why* these are the peers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fn17.errors import InvalidInputError, NotFoundError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeerResult:
    """What :func:`nearest_peers` returns.

    ``peers``: ``rank``, ``peer``, ``distance`` and the raw value of every variable.
    ``explanation``: long, one row per (peer, variable): ``unit_value``,
    ``peer_value``, ``z_difference`` (peer − unit, in standard deviations),
    ``share`` (of the peer's squared distance).
    ``standardisation``: ``variable``, ``log`` (bool), ``mean``, ``sd``, ``weight``.
    """

    unit: object
    variables: tuple[str, ...]
    peers: pd.DataFrame
    explanation: pd.DataFrame
    standardisation: pd.DataFrame


def _as_unit_index(structural: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(structural, pd.DataFrame):
        raise InvalidInputError(
            "Strukturdata må være en DataFrame med én rad per enhet.",
            message_en="Structural data must be a DataFrame with one row per unit.",
        )
    if "unit" in structural.columns:
        structural = structural.set_index("unit")
    if structural.index.has_duplicates:
        dup = structural.index[structural.index.duplicated()][0]
        raise InvalidInputError(
            f"Enheten {dup} står flere ganger i strukturdataene.",
            message_en=f"Unit {dup} appears more than once in the structural data.",
        )
    return structural


def nearest_peers(
    structural: pd.DataFrame,
    unit: object,
    k: int = 10,
    variables: Sequence[str] | None = None,
    *,
    log_variables: Iterable[str] = (),
    weights: Mapping[str, float] | None = None,
    candidates: Iterable[object] | None = None,
) -> PeerResult:
    """The ``k`` units closest to ``unit`` on standardised structural variables.

    ``structural``: one row per unit (index, or a ``unit`` column), one
    numeric column per variable (e.g. population, centrality index,
    settlement density, share aged 67+). ``variables``: which to use (default:
    all numeric columns). ``candidates``: restrict the pool (e.g. only
    municipalities); the means and standard deviations are computed over the
    pool plus the unit. Units with a missing value on a chosen variable are
    left out of the pool (logged).
    """
    data = _as_unit_index(structural)
    if unit not in data.index:
        raise NotFoundError(
            f"Enheten {unit} finnes ikke i strukturdataene.",
            message_en=f"Unit {unit} is not in the structural data.",
            hint="Sjekk koden; kommunenummer er tekst med fire sifre, f.eks. '0301'.",
            hint_en="Check the code; municipality numbers are four-digit text, e.g. '0301'.",
        )
    if k < 1:
        raise InvalidInputError(
            f"Antall naboer må være minst 1, ikke {k}.", message_en=f"The number of peers must be at least 1, not {k}."
        )
    chosen = list(variables) if variables is not None else list(data.select_dtypes("number").columns)
    if not chosen:
        raise InvalidInputError(
            "Ingen strukturvariabler å sammenligne på.",
            message_en="No structural variables to compare on.",
            hint="Oppgi variables, f.eks. ['folketall', 'sentralitet'].",
            hint_en="Pass variables, e.g. ['population', 'centrality'].",
        )
    missing_cols = [c for c in chosen if c not in data.columns]
    if missing_cols:
        raise InvalidInputError(
            f"Strukturdataene mangler variabelen {', '.join(missing_cols)}.",
            message_en=f"The structural data lacks variable {', '.join(missing_cols)}.",
            details={"missing": missing_cols, "available": [str(c) for c in data.columns]},
        )
    logged = set(log_variables)
    unknown_log = logged - set(chosen)
    if unknown_log:
        raise InvalidInputError(
            f"log_variables nevner {', '.join(sorted(unknown_log))}, som ikke er blant variablene.",
            message_en=f"log_variables names {', '.join(sorted(unknown_log))}, not among the variables.",
        )
    w = {c: 1.0 for c in chosen} | dict(weights or {})
    pool = data
    if candidates is not None:
        keep = set(candidates) | {unit}
        pool = data[data.index.isin(list(keep))]
    x = pool[chosen].apply(pd.to_numeric, errors="coerce").astype(float)
    for col in logged:
        bad = x[col] <= 0
        if bad.any():
            raise InvalidInputError(
                f"Variabelen {col} har verdier ≤ 0 (f.eks. enhet {x.index[bad][0]}) og kan ikke log-transformeres.",
                message_en=f"Variable {col} has values ≤ 0 (e.g. unit {x.index[bad][0]}) and cannot be logged.",
            )
        x[col] = np.log10(x[col])
    if x.loc[unit].isna().any():
        gaps = [c for c in chosen if pd.isna(x.at[unit, c])]
        raise InvalidInputError(
            f"Enheten {unit} mangler verdi for {', '.join(gaps)}.",
            message_en=f"Unit {unit} has no value for {', '.join(gaps)}.",
            hint="Fyll inn verdien eller velg andre variabler.",
            hint_en="Fill in the value or choose other variables.",
        )
    complete = x.notna().all(axis=1)
    if (~complete).any():
        log.info("nearest_peers: %d unit(s) left out for missing structural values", int((~complete).sum()))
    x = x[complete]
    mean = x.mean()
    sd = x.std(ddof=0)
    flat = sd[sd == 0].index.tolist()
    if flat:
        log.info("nearest_peers: variable(s) %s do not vary and carry no weight", ", ".join(map(str, flat)))
    z = (x - mean) / sd.where(sd > 0, 1.0)
    weight = pd.Series([w[c] for c in chosen], index=chosen, dtype=float)
    diff = z - z.loc[unit]
    contrib = diff.pow(2).mul(weight, axis=1)
    dist = np.sqrt(contrib.sum(axis=1)).drop(index=unit)
    order = pd.DataFrame({"peer": dist.index, "distance": dist.to_numpy()})
    order = order.sort_values(["distance", "peer"], kind="stable").head(k).reset_index(drop=True)
    order.insert(0, "rank", np.arange(1, len(order) + 1))
    raw = pool[chosen].apply(pd.to_numeric, errors="coerce")
    peers = order.merge(raw, left_on="peer", right_index=True, how="left")

    total = contrib.loc[order["peer"]].sum(axis=1)
    expl = diff.loc[order["peer"]].stack().rename("z_difference").reset_index()
    expl.columns = pd.Index(["peer", "variable", "z_difference"])
    expl["unit_value"] = expl["variable"].map(raw.loc[unit])
    expl["peer_value"] = raw.loc[order["peer"]].stack().to_numpy()
    share = contrib.loc[order["peer"]].div(total.where(total > 0, 1.0), axis=0).stack().to_numpy()
    expl["share"] = share
    expl = expl[["peer", "variable", "unit_value", "peer_value", "z_difference", "share"]]
    std_table = pd.DataFrame(
        {
            "variable": chosen,
            "log": [c in logged for c in chosen],
            "mean": mean.reindex(chosen).to_numpy(),
            "sd": sd.reindex(chosen).to_numpy(),
            "weight": weight.to_numpy(),
        }
    )
    return PeerResult(unit=unit, variables=tuple(chosen), peers=peers, explanation=expl, standardisation=std_table)
