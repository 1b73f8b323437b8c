"""Peers of a region, and why they were chosen: its KOSTRA group, its county, its size class,
the country, and its nearest neighbours on structural variables (population, settlement
density, age structure, population growth) read from the store.

The KOSTRA grouping is known only for the municipalities whose group FN17 has verified
(``fn17.regions`` data); for the others the group is left out and the page says so. Structural
variables that are not in the store are listed as missing, never guessed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection

from fn17.config import Lang
from fn17.errors import Fn17Error
from fn17.regions.kostra import size_class, size_class_label
from fn17.scoring import compare_with_groups, nearest_peers
from fn17.services.score_inputs import CODE_LENGTH, Level, as_float, read_values
from fn17.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StructuralVariable:
    key: str
    indicator_ids: tuple[str, ...]
    log_scale: bool
    labels: dict[str, str]

    def label(self, lang: Lang) -> str:
        return self.labels.get(lang, self.labels["nb"])


STRUCTURAL: tuple[StructuralVariable, ...] = (
    StructuralVariable("population", ("ssb:07459:Personer1",), True,
                       {"nb": "folketall", "nn": "folketal", "en": "population"}),
    StructuralVariable("density", ("befolkningstetthet",), True,
                       {"nb": "befolkningstetthet", "nn": "folketettleik", "en": "population density"}),
    StructuralVariable("age_67_plus", ("befolkning_andel_67_pluss",), False,
                       {"nb": "andel 67 år og eldre", "nn": "del 67 år og eldre", "en": "share aged 67 and over"}),
    StructuralVariable("age_0_5", ("befolkning_andel_0_5",), False,
                       {"nb": "andel 0–5 år", "nn": "del 0–5 år", "en": "share aged 0–5"}),
    StructuralVariable("growth", ("folketilvekst",), False,
                       {"nb": "folketilvekst", "nn": "folkevekst", "en": "population growth"}),
    StructuralVariable("centrality", (), False,
                       {"nb": "sentralitet (SSBs sentralitetsindeks)", "nn": "sentralitet (SSBs sentralitetsindeks)",
                        "en": "centrality (SSB's centrality index)"}),
)
N_NEAREST = 8

GROUP_LABELS: dict[str, dict[str, str]] = {
    "kostra": {"nb": "KOSTRA-gruppe {g}", "nn": "KOSTRA-gruppe {g}", "en": "KOSTRA group {g}"},
    "county": {"nb": "Fylket {g}", "nn": "Fylket {g}", "en": "County {g}"},
    "size": {"nb": "Samme størrelse: {g}", "nn": "Same storleik: {g}", "en": "Same size: {g}"},
    "nearest": {"nb": "Nærmeste naboer", "nn": "Nærmaste naboar", "en": "Nearest neighbours"},
    "country": {"nb": "Hele landet", "nn": "Heile landet", "en": "The whole country"},
}
REASONS: dict[str, dict[str, str]] = {
    "kostra": {"nb": "SSBs gruppe av kommuner med lik størrelse, bundne kostnader og frie inntekter.",
               "nn": "SSBs gruppe av kommunar med lik storleik, bundne kostnader og frie inntekter.",
               "en": "SSB's group of municipalities of similar size, fixed costs and free income."},
    "kostra_unknown": {"nb": "KOSTRA-gruppen er ikke kjent i FN17s register for denne kommunen; den er utelatt.",
                       "nn": "KOSTRA-gruppa er ikkje kjend i FN17s register for denne kommunen; ho er utelaten.",
                       "en": "The KOSTRA group is not known in FN17's register for this municipality; it is left out."},
    "county": {"nb": "Regionene i samme fylke.", "nn": "Regionane i same fylke.", "en": "The regions in the same county."},
    "size": {"nb": "Kommuner i samme størrelsesklasse (folketall).", "nn": "Kommunar i same storleiksklasse (folketal).",
             "en": "Municipalities in the same size class (population)."},
    "nearest": {"nb": "De {k} som ligger nærmest på {v} (standardiserte avstander).",
                "nn": "Dei {k} som ligg nærast på {v} (standardiserte avstandar).",
                "en": "The {k} closest on {v} (standardised distances)."},
    "country": {"nb": "Alle {n} regionene på samme nivå.", "nn": "Alle dei {n} regionane på same nivå.",
                "en": "All {n} regions of the same level."},
}


@dataclass(frozen=True)
class PeerGroup:
    kind: str  # kostra, county, size, nearest, country
    label: str
    reason: str
    codes: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class PeerReason:
    variable: str
    label: str
    unit_value: float | None
    peer_value: float | None
    z_difference: float | None


@dataclass(frozen=True)
class NearPeer:
    code: str
    name: str
    distance: float
    reasons: tuple[PeerReason, ...]


@dataclass(frozen=True)
class PeerValue:
    """One indicator of the region beside one peer group's mean and median."""

    indicator: str
    group: str  # the group's kind
    group_label: str
    unit_value: float | None
    n: int
    mean: float | None
    median: float | None
    difference: float | None


@dataclass(frozen=True)
class PeerSet:
    groups: list[PeerGroup] = field(default_factory=list)
    nearest: list[NearPeer] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)  # labels of the structural variables used
    missing_variables: list[str] = field(default_factory=list)  # labels of those not in the store
    notes: list[str] = field(default_factory=list)
    comparison: list[PeerValue] = field(default_factory=list)

    @property
    def nearest_codes(self) -> list[str]:
        return [p.code for p in self.nearest]

    def values_for(self, indicator: str) -> list[PeerValue]:
        return [v for v in self.comparison if v.indicator == indicator]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([v.__dict__ for v in self.comparison])


def read_structural(conn: Connection, units: tuple[str, ...], level: Level) -> pd.DataFrame:
    """One row per unit, one column per structural variable found in the store (latest year)."""
    ids = [i for v in STRUCTURAL for i in v.indicator_ids]
    values = read_values(conn, ids, units, CODE_LENGTH[level])
    values = values[values["value"].notna() & (values["quality"] == "ok")]
    latest = values.sort_values("period").drop_duplicates(["unit", "indicator"], keep="last")
    wide = latest.pivot(index="unit", columns="indicator", values="value") if not latest.empty else pd.DataFrame()
    out = pd.DataFrame(index=pd.Index(units, name="unit"))
    for var in STRUCTURAL:
        for i in var.indicator_ids:
            if i in wide.columns:
                out[var.key] = wide[i].reindex(out.index)
                break
    return out


def build_peers(ws: Workspace, code: str, level: Level, structural: pd.DataFrame, values: pd.DataFrame,
                names: dict[str, str], lang: Lang) -> PeerSet:
    """The peer groups of ``code`` and its values beside each group's mean and median."""
    reg = ws.register
    units = [u for u in structural.index if u in names] if not structural.empty else list(names)
    groups: list[PeerGroup] = []
    notes: list[str] = []
    region = reg.get(code)
    if level == "kommune":
        group = reg.kostra_group(code)
        if group is not None:
            members = tuple(sorted(u for u in names if reg.kostra_group(u) == group))
            groups.append(PeerGroup("kostra", GROUP_LABELS["kostra"][lang].format(g=group), REASONS["kostra"][lang], members))
            if len(members) <= 1:
                notes.append({"nb": f"Bare {len(members)} kommune i KOSTRA-gruppe {group} er kjent i FN17s register.",
                              "nn": f"Berre {len(members)} kommune i KOSTRA-gruppe {group} er kjend i FN17s register.",
                              "en": f"Only {len(members)} municipality of KOSTRA group {group} is known in FN17's register."}[lang])
        else:
            notes.append(REASONS["kostra_unknown"][lang])
    if region.county_code and region.county_code != code:
        county = reg.get(region.county_code)
        members = tuple(sorted(u for u in names if reg.get(u).county_code == region.county_code))
        groups.append(PeerGroup("county", GROUP_LABELS["county"][lang].format(g=county.name), REASONS["county"][lang], members))
    pop = structural["population"] if "population" in structural.columns else pd.Series(dtype=float)
    own_pop = as_float(pop.get(code)) if not pop.empty else None
    if level == "kommune" and own_pop is not None:
        cls = size_class(round(own_pop))
        sizes = {str(u): as_float(p) for u, p in pop.items()}
        members = tuple(sorted(u for u, p in sizes.items() if p is not None and size_class(round(p)) == cls))
        label = size_class_label(cls, "en" if lang == "en" else "nb")
        groups.append(PeerGroup("size", GROUP_LABELS["size"][lang].format(g=label), REASONS["size"][lang], members))
    nearest, used, missing = _nearest(code, structural, names, lang)
    if nearest:
        v = ", ".join(used)
        groups.append(PeerGroup("nearest", GROUP_LABELS["nearest"][lang],
                                REASONS["nearest"][lang].format(k=len(nearest), v=v), tuple(p.code for p in nearest)))
    groups.append(PeerGroup("country", GROUP_LABELS["country"][lang], REASONS["country"][lang].format(n=len(units)),
                            tuple(sorted(names))))
    comparison = _compare(code, values, groups)
    return PeerSet(groups=groups, nearest=nearest, variables=used, missing_variables=missing, notes=notes, comparison=comparison)


def _nearest(code: str, structural: pd.DataFrame, names: dict[str, str], lang: Lang
             ) -> tuple[list[NearPeer], list[str], list[str]]:
    labels = {v.key: v.label(lang) for v in STRUCTURAL}
    present = [v for v in STRUCTURAL if v.key in structural.columns and structural[v.key].notna().sum() > 2]
    missing = [v.label(lang) for v in STRUCTURAL if v not in present]
    if code not in structural.index:
        return [], [], missing
    usable = [v for v in present if as_float(structural.at[code, v.key]) is not None]
    missing += [v.label(lang) for v in present if v not in usable]
    if not usable:
        return [], [], missing
    data = structural[[v.key for v in usable]].copy()
    logged = [v.key for v in usable if v.log_scale]
    for key in logged:
        data = data[~(data[key] <= 0)]
    if code not in data.index:
        return [], [], missing
    result = nearest_peers(data, code, k=N_NEAREST, variables=[v.key for v in usable], log_variables=logged)
    expl = result.explanation
    out: list[NearPeer] = []
    for row in result.peers.itertuples(index=False):
        peer = str(row.peer)
        rows = expl[expl["peer"] == row.peer]
        reasons = tuple(PeerReason(str(r["variable"]), labels[str(r["variable"])], as_float(r["unit_value"]), as_float(r["peer_value"]),
                                   as_float(r["z_difference"])) for r in rows.to_dict("records"))
        out.append(NearPeer(peer, names.get(peer, peer), as_float(row.distance) or 0.0, reasons))
    return out, [v.label(lang) for v in usable], missing


def _compare(code: str, values: pd.DataFrame, groups: list[PeerGroup]) -> list[PeerValue]:
    if values.empty:
        return []
    usable = values[values["quality"].isin(["ok"]) & values["value"].notna()][["unit", "indicator", "period", "value"]]
    if not (usable["unit"] == code).any():
        return []
    member_rows = [(u, g.kind) for g in groups for u in g.codes]
    members = pd.DataFrame(member_rows, columns=["unit", "group"])
    try:
        table = compare_with_groups(usable, code, members)
    except Fn17Error as exc:
        log.info("no peer comparison for %s: %s", code, exc.message_en)
        return []
    label = {g.kind: g.label for g in groups}
    return [PeerValue(indicator=str(r["indicator"]), group=str(r["group"]), group_label=label.get(str(r["group"]), str(r["group"])),
                      unit_value=as_float(r["unit_value"]), n=int(r["n"]), mean=as_float(r["mean"]), median=as_float(r["median"]),
                      difference=as_float(r["difference"])) for r in table.to_dict("records")]


__all__ = ["N_NEAREST", "STRUCTURAL", "NearPeer", "PeerGroup", "PeerReason", "PeerSet", "PeerValue", "StructuralVariable",
           "build_peers", "read_structural"]
