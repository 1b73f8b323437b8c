"""Validation of the three input tables: values, bounds and the indicator → goal map.

The scoring functions take plain DataFrames so that they work on any set of
units (Norwegian municipalities, European cities, U4SSC city sets). This
module checks those tables once, at the door, and raises
:class:`fn17.errors.InvalidInputError` with a message that names the table,
the column or indicator and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from fn17.errors import InvalidInputError

DIRECTIONS: Final[dict[str, float]] = {"higher": 1.0, "lower": -1.0}
OPTIONAL_BOUND_COLUMNS: Final = ("lower_bound", "green", "red", "target", "baseline")

GoalMap = pd.DataFrame | Mapping[str, object]


def require_columns(df: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    """Raise if ``df`` lacks any of ``columns``."""
    if not isinstance(df, pd.DataFrame):
        raise InvalidInputError(
            f"Tabellen «{table}» må være en pandas DataFrame, ikke {type(df).__name__}.",
            message_en=f"Table '{table}' must be a pandas DataFrame, not {type(df).__name__}.",
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        cols = ", ".join(missing)
        raise InvalidInputError(
            f"Tabellen «{table}» mangler kolonnen {cols}; den har {', '.join(map(str, df.columns))}.",
            message_en=f"Table '{table}' lacks column {cols}; it has {', '.join(map(str, df.columns))}.",
            hint=f"Gi tabellen kolonnene {', '.join(columns)} (gi nytt navn med DataFrame.rename).",
            hint_en=f"Give the table the columns {', '.join(columns)} (rename with DataFrame.rename).",
            details={"table": table, "missing": missing},
        )


def _numeric(df: pd.DataFrame, table: str, column: str) -> pd.Series:
    raw = df[column]
    if pd.api.types.is_float_dtype(raw.dtype) and raw.dtype == np.float64:
        return raw
    if pd.api.types.is_integer_dtype(raw.dtype) and not isinstance(raw.dtype, pd.api.extensions.ExtensionDtype):
        return raw.astype(np.float64)
    out = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = raw.notna() & out.isna()
    if bad.any():
        example = raw[bad].iloc[0]
        raise InvalidInputError(
            f"Tabellen «{table}», kolonnen {column}: «{example}» er ikke et tall ({int(bad.sum())} celler).",
            message_en=f"Table '{table}', column {column}: '{example}' is not a number ({int(bad.sum())} cells).",
            hint="Bruk punktum som desimaltegn og tomme celler (NaN) for manglende verdier.",
            hint_en="Use a decimal point and empty cells (NaN) for missing values.",
            details={"table": table, "column": column, "example": str(example)},
        )
    return out


def prepare_values(values: pd.DataFrame, *, table: str = "values") -> pd.DataFrame:
    """Check a long table of raw values and return a clean copy.

    Required columns: ``unit``, ``indicator``, ``value``. Optional: ``period``
    (a year), ``quality`` (``ok``/``small``/``suppressed``/``missing``, see
    :func:`fn17.scoring.flag_small_numbers`), ``numerator``, ``denominator``,
    ``status``.
    """
    require_columns(values, table, ("unit", "indicator", "value"))
    out = pd.DataFrame({c: values[c] for c in values.columns}, copy=False)  # new columns never touch the input
    out["value"] = _numeric(out, table, "value")
    if "period" in out.columns:
        out["period"] = _numeric(out, table, "period")
        if out["period"].isna().any():
            raise InvalidInputError(
                f"Tabellen «{table}» har rader uten periode (år).",
                message_en=f"Table '{table}' has rows without a period (year).",
                hint="Fyll inn år i kolonnen period, eller fjern kolonnen hvis alle verdier gjelder samme år.",
                hint_en="Fill in the year in column period, or drop the column if all values share one year.",
            )
        out["period"] = out["period"].astype(np.int64)
    codes = _series_codes(out)
    if codes is None:
        raise InvalidInputError(
            f"Tabellen «{table}» har rader uten enhet (unit) eller indikator.",
            message_en=f"Table '{table}' has rows without a unit or indicator.",
            hint="Fjern radene eller fyll inn kode for enhet og indikator.",
            hint_en="Drop those rows or fill in the unit and indicator codes.",
        )
    out[SERIES_KEY] = codes
    return out


SERIES_KEY = "_series"


def _series_codes(df: pd.DataFrame) -> NDArray[np.int64] | None:
    """Dense codes of the (unit, indicator) pairs; None if a unit or indicator is missing.

    ``pd.factorize`` hashes each distinct code once and marks NaN with −1, which
    is both the missing-key check and the grouping key for the vectorised steps.
    """
    unit_codes, _ = pd.factorize(df["unit"])
    ind_codes, ind_uniques = pd.factorize(df["indicator"])
    if len(df) and (unit_codes.min() < 0 or ind_codes.min() < 0):
        return None
    combined = unit_codes.astype(np.int64) * max(len(ind_uniques), 1) + ind_codes
    codes, _ = pd.factorize(combined)
    return codes.astype(np.int64)


def latest_values(values: pd.DataFrame, period: int | None) -> pd.DataFrame:
    """One row per (unit, indicator): the given period, or the latest one with a value."""
    keys = ["unit", "indicator"]
    if "period" not in values.columns:
        if period is not None:
            raise InvalidInputError(
                f"Du ba om år {period}, men verdiene har ingen kolonne period.",
                message_en=f"Year {period} was asked for, but the values have no period column.",
                hint="Legg til kolonnen period, eller la period stå tom.",
                hint_en="Add a period column, or leave period empty.",
            )
        dup = values.duplicated(keys)
        if dup.any():
            first = values.loc[dup, keys].iloc[0]
            raise InvalidInputError(
                f"Enhet {first['unit']}, indikator {first['indicator']} har flere verdier og ingen periode.",
                message_en=(f"Unit {first['unit']}, indicator {first['indicator']} has several values and no period."),
                hint="Legg til kolonnen period (år), eller fjern duplikatene.",
                hint_en="Add a period (year) column, or drop the duplicates.",
            )
        return values.reset_index(drop=True)
    if period is not None:
        out = values[values["period"] == period]
        if out.empty:
            years = sorted(values["period"].unique().tolist())
            raise InvalidInputError(
                f"Ingen verdier for år {period}; tabellen har {years[0]}–{years[-1]}.",
                message_en=f"No values for year {period}; the table covers {years[0]}–{years[-1]}.",
                hint="Velg et år som finnes i tabellen, eller la period stå tom for siste år med data.",
                hint_en="Pick a year present in the table, or leave period empty for the latest year with data.",
            )
        dup = out.duplicated(keys)
        if dup.any():
            raise InvalidInputError(
                f"Flere verdier for samme enhet og indikator i år {period}.",
                message_en=f"Several values for the same unit and indicator in {period}.",
                hint="Fjern duplikatene før scoring.",
                hint_en="Drop the duplicates before scoring.",
            )
        return out.reset_index(drop=True)
    # Latest period that has a value (or, failing that, the latest row at all), by one integer sort.
    codes, _ = group_codes(values)
    periods = values["period"].to_numpy()
    order = np.lexsort((periods, codes))
    sorted_codes, sorted_periods = codes[order], periods[order]
    same_series = sorted_codes[1:] == sorted_codes[:-1]
    same = same_series & (sorted_periods[1:] == sorted_periods[:-1])
    if same.any():
        row = values.iloc[order[1:][same][0]]
        raise InvalidInputError(
            f"Enhet {row['unit']}, indikator {row['indicator']} har flere verdier for år {row['period']}.",
            message_en=f"Unit {row['unit']}, indicator {row['indicator']} has several values for {row['period']}.",
            hint="Fjern duplikatene (f.eks. med DataFrame.drop_duplicates) før scoring.",
            hint_en="Drop the duplicates (e.g. with DataFrame.drop_duplicates) before scoring.",
        )
    starts = np.flatnonzero(np.r_[True, ~same_series])
    ends = np.r_[starts[1:], len(order)] - 1
    has_value = values["value"].notna().to_numpy()[order]
    position = np.where(has_value, np.arange(len(order)), -1)
    last_with_value = np.maximum.reduceat(position, starts) if len(order) else position
    chosen = np.where(last_with_value >= 0, last_with_value, ends)
    return values.iloc[order[chosen]].reset_index(drop=True)


def group_codes(df: pd.DataFrame) -> tuple[NDArray[np.int64], int]:
    """Dense integer codes of the (unit, indicator) pairs of ``df``, and how many there are."""
    if SERIES_KEY in df.columns:
        codes, uniques = pd.factorize(df[SERIES_KEY].to_numpy())
        return codes.astype(np.int64), len(uniques)
    found = _series_codes(df)
    if found is None:
        raise InvalidInputError(
            "Tabellen har rader uten enhet (unit) eller indikator.",
            message_en="The table has rows without a unit or indicator.",
        )
    return found, int(found.max()) + 1 if len(found) else 0


def prepare_bounds(bounds: pd.DataFrame, *, table: str = "bounds") -> pd.DataFrame:
    """Check the bounds table and return one clean row per indicator.

    Required: ``indicator``, ``optimum``, ``direction`` (``higher``/``lower``).
    Optional: ``lower_bound``, ``green``, ``red``, ``target`` (a 2030 end value
    other than the optimum), ``baseline``. Adds ``sign`` (+1 higher, −1 lower).
    """
    require_columns(bounds, table, ("indicator", "optimum", "direction"))
    out = bounds.copy()
    dup = out["indicator"].duplicated()
    if dup.any():
        raise InvalidInputError(
            f"Tabellen «{table}» har indikatoren {out.loc[dup, 'indicator'].iloc[0]} flere ganger.",
            message_en=f"Table '{table}' lists indicator {out.loc[dup, 'indicator'].iloc[0]} more than once.",
            hint="Behold én rad per indikator.",
            hint_en="Keep one row per indicator.",
        )
    direction = out["direction"].astype(str).str.strip().str.lower()
    bad = ~direction.isin(list(DIRECTIONS))
    if bad.any():
        row = out[bad].iloc[0]
        raise InvalidInputError(
            f"Indikator {row['indicator']}: retningen «{row['direction']}» er ukjent; bruk higher eller lower.",
            message_en=f"Indicator {row['indicator']}: direction '{row['direction']}' is unknown; use higher or lower.",
            details={"indicator": str(row["indicator"])},
        )
    out["direction"] = direction
    out["sign"] = direction.map(DIRECTIONS).astype(float)
    out["optimum"] = _numeric(out, table, "optimum")
    if out["optimum"].isna().any():
        ind = out.loc[out["optimum"].isna(), "indicator"].iloc[0]
        raise InvalidInputError(
            f"Indikator {ind} mangler optimum (verdien som gir 100 poeng).",
            message_en=f"Indicator {ind} has no optimum (the value that scores 100).",
            hint="Sett optimum fra et bærekraftsmål, et nasjonalt mål eller snittet av de beste.",
            hint_en="Set the optimum from an SDG target, a national target or the mean of the best performers.",
        )
    for col in OPTIONAL_BOUND_COLUMNS:
        out[col] = _numeric(out, table, col) if col in out.columns else np.nan
    _check_thresholds(out)
    keep = ["indicator", "direction", "sign", "optimum", *OPTIONAL_BOUND_COLUMNS]
    extra = [c for c in out.columns if c not in keep]
    return out[keep + extra].reset_index(drop=True)


def _check_thresholds(b: pd.DataFrame) -> None:
    s = b["sign"]
    both = b["green"].notna() & b["red"].notna()
    wrong = both & (s * b["green"] < s * b["red"])
    if wrong.any():
        row = b[wrong].iloc[0]
        better = "høyere" if row["direction"] == "higher" else "lavere"
        better_en = "higher" if row["direction"] == "higher" else "lower"
        raise InvalidInputError(
            f"Indikator {row['indicator']}: grønn terskel ({row['green']}) er dårligere enn rød ({row['red']}); "
            f"når {better} er bedre må grønn være {better} enn rød.",
            message_en=(
                f"Indicator {row['indicator']}: the green threshold ({row['green']}) is worse than the red "
                f"({row['red']}); when {better_en} is better, green must be {better_en} than red."
            ),
            hint="Bytt om tersklene eller rett retningen (direction).",
            hint_en="Swap the thresholds or correct the direction.",
            details={"indicator": str(row["indicator"])},
        )
    one = b["green"].notna() ^ b["red"].notna()
    if one.any():
        ind = b.loc[one, "indicator"].iloc[0]
        raise InvalidInputError(
            f"Indikator {ind} har bare én av tersklene grønn og rød.",
            message_en=f"Indicator {ind} has only one of the green and red thresholds.",
            hint="Oppgi begge tersklene, eller ingen (da får indikatoren ingen farge).",
            hint_en="Give both thresholds, or neither (the indicator then gets no colour).",
        )


def prepare_goal_map(goal_map: GoalMap, *, table: str = "goal_map") -> pd.DataFrame:
    """Return the indicator → goal map as a two-column DataFrame (``indicator``, ``goal``).

    Accepts a DataFrame with those columns or a mapping ``{indicator: goal}``.
    An indicator may belong to more than one goal; it then counts in each.
    """
    if isinstance(goal_map, pd.DataFrame):
        require_columns(goal_map, table, ("indicator", "goal"))
        out = goal_map[["indicator", "goal"]].drop_duplicates().reset_index(drop=True)
    elif isinstance(goal_map, Mapping):
        out = pd.DataFrame({"indicator": list(goal_map.keys()), "goal": list(goal_map.values())})
    else:
        raise InvalidInputError(
            f"«{table}» må være en DataFrame (indicator, goal) eller en dict {{indikator: mål}}.",
            message_en=f"'{table}' must be a DataFrame (indicator, goal) or a dict {{indicator: goal}}.",
        )
    if out.empty:
        raise InvalidInputError(
            f"«{table}» er tom: ingen indikator er knyttet til et mål.",
            message_en=f"'{table}' is empty: no indicator is linked to a goal.",
        )
    if out["goal"].isna().any():
        ind = out.loc[out["goal"].isna(), "indicator"].iloc[0]
        raise InvalidInputError(
            f"Indikator {ind} er ikke knyttet til noe mål i «{table}».",
            message_en=f"Indicator {ind} is linked to no goal in '{table}'.",
        )
    return out


def check_coverage(values: pd.DataFrame, bounds: pd.DataFrame, goals: pd.DataFrame) -> None:
    """Every indicator with values must have bounds and a goal; every mapped indicator bounds."""
    known = set(bounds["indicator"])
    mapped = set(goals["indicator"])
    present = set(pd.unique(values["indicator"]))
    no_bounds = sorted(map(str, (present | mapped) - known))
    if no_bounds:
        shown = ", ".join(no_bounds[:5]) + (" …" if len(no_bounds) > 5 else "")
        raise InvalidInputError(
            f"Indikatoren {shown} har verdier eller mål, men ingen rad i grensetabellen (bounds).",
            message_en=f"Indicator {shown} has values or a goal but no row in the bounds table.",
            hint="Legg til optimum og retning for indikatoren, eller filtrer den bort fra verdiene.",
            hint_en="Add an optimum and direction for it, or filter it out of the values.",
            details={"indicators": no_bounds},
        )
    no_goal = sorted(map(str, present - mapped))
    if no_goal:
        shown = ", ".join(no_goal[:5]) + (" …" if len(no_goal) > 5 else "")
        raise InvalidInputError(
            f"Indikatoren {shown} er ikke knyttet til noe mål (goal_map).",
            message_en=f"Indicator {shown} is linked to no goal (goal_map).",
            hint="Knytt indikatoren til et mål, eller filtrer den bort fra verdiene.",
            hint_en="Link the indicator to a goal, or filter it out of the values.",
            details={"indicators": no_goal},
        )


def check_known(values: pd.DataFrame, bounds: pd.DataFrame, table: str = "values") -> None:
    """Every indicator in ``values`` must have a row in ``bounds``."""
    unknown = sorted(map(str, set(pd.unique(values["indicator"])) - set(bounds["indicator"])))
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise InvalidInputError(
            f"Indikatoren {shown} i «{table}» har ingen rad i grensetabellen (bounds).",
            message_en=f"Indicator {shown} in '{table}' has no row in the bounds table.",
            hint="Legg til optimum og retning for indikatoren, eller filtrer den bort.",
            hint_en="Add an optimum and direction for it, or filter it out.",
            details={"indicators": unknown},
        )
