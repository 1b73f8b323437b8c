"""Group comparisons: a unit beside the mean and median of its groups.

Groups are whatever the caller names: the KOSTRA group, the county, the
country, the size class, the nearest peers. Statistics are unweighted over the
member units' values (each municipality counts once); a population-weighted
national figure is a different number and comes from the source table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from fn17.errors import InvalidInputError, NotFoundError
from fn17.scoring._schema import latest_values, prepare_values, require_columns

Groups = pd.DataFrame | Mapping[str, Iterable[object]]


def _membership(groups: Groups) -> pd.DataFrame:
    if isinstance(groups, pd.DataFrame):
        require_columns(groups, "groups", ("unit", "group"))
        members = groups[["unit", "group"]].drop_duplicates()
    elif isinstance(groups, Mapping):
        rows = [(unit, name) for name, units in groups.items() for unit in units]
        members = pd.DataFrame(rows, columns=["unit", "group"])
    else:
        raise InvalidInputError(
            "Gruppene må være en DataFrame (unit, group) eller en dict {gruppenavn: [enheter]}.",
            message_en="Groups must be a DataFrame (unit, group) or a dict {group name: [units]}.",
        )
    if members.empty:
        raise InvalidInputError("Ingen grupper å sammenligne med.", message_en="No groups to compare with.")
    return members.reset_index(drop=True)


def _usable(values: pd.DataFrame, period: int | None) -> pd.DataFrame:
    v = latest_values(prepare_values(values), period)
    keep = v["value"].notna()
    if "quality" in v.columns:
        keep &= v["quality"].isin(["ok", "small"])
    return v.loc[keep, ["unit", "indicator", "value"]]


def group_summary(values: pd.DataFrame, groups: Groups, *, period: int | None = None) -> pd.DataFrame:
    """``n``, ``mean``, ``median``, ``min``, ``max`` of each indicator within each group.

    ``values``: long ``unit``, ``indicator``, ``value`` (``period`` optional:
    the given year, else each series' latest). Suppressed and missing values
    are left out. ``groups``: DataFrame ``unit``, ``group`` (a unit may be in
    several groups) or a dict group name → units.
    """
    members = _membership(groups)
    v = _usable(values, period).merge(members, on="unit", how="inner")
    out = v.groupby(["group", "indicator"], sort=True)["value"].agg(["size", "mean", "median", "min", "max"])
    return out.rename(columns={"size": "n"}).reset_index()


def compare_with_groups(
    values: pd.DataFrame, unit: object, groups: Groups, *, period: int | None = None
) -> pd.DataFrame:
    """One row per (indicator, group): the unit's value beside the group's mean and median.

    Columns: ``indicator``, ``group``, ``unit_value``, ``n``, ``mean``,
    ``median``, ``difference`` (unit − mean). Groups are typically
    ``{"KOSTRA-gruppe 11": [...], "Vestland": [...], "Norge": [...], "nærmeste naboer": [...]}``.
    """
    v = _usable(values, period)
    own = v[v["unit"] == unit]
    if own.empty:
        raise NotFoundError(
            f"Enheten {unit} har ingen verdier å sammenligne.",
            message_en=f"Unit {unit} has no values to compare.",
            hint="Sjekk koden og at verdiene er lastet inn.",
            hint_en="Check the code and that its values are loaded.",
        )
    summary = group_summary(v, groups)
    out = own[["indicator", "value"]].rename(columns={"value": "unit_value"}).merge(summary, on="indicator")
    out["difference"] = out["unit_value"] - out["mean"]
    cols = ["indicator", "group", "unit_value", "n", "mean", "median", "difference"]
    return out[cols].sort_values(["indicator", "group"], kind="stable").reset_index(drop=True)
