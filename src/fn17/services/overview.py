"""The national overview: a map of all municipalities (or counties) coloured by an indicator's
value or a goal's score, with a sortable, filterable table beside it.

The map's outlines come from ``geometries`` (see :mod:`fn17.sources.geo`); without them the
page still has the table and says how to load the map. Values come straight from
``observations`` (no scoring needed); goal scores from :mod:`fn17.services.scores` when that
service is installed. Nothing is invented: a region without a value is drawn hatched and
listed as "no data".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from fn17.config import Lang
from fn17.errors import InvalidInputError, NotFoundError
from fn17.i18n import fmt_number, t
from fn17.regions.kostra import size_class
from fn17.services.choices import Option
from fn17.services.status import indicator_name, indicator_options, value_table
from fn17.sources.geo import read_geometries
from fn17.sources.load import POPULATION_ID
from fn17.store.tables import observations
from fn17.workspace import Workspace

log = logging.getLogger(__name__)

#: Five sequential classes, light to dark (colour-blind safe, from the viridis ramp).
VALUE_PALETTE = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
NO_DATA = "url(#fn17-nodata)"
SORTS = ("navn", "-navn", "kode", "-kode", "verdi", "-verdi", "folketall", "-folketall", "fylke", "-fylke")
SIZES = ("small", "medium", "large")


@dataclass(frozen=True)
class LegendItem:
    colour: str
    label: str
    symbol: str = ""
    hatch: bool = False


@dataclass(frozen=True)
class MapRegion:
    code: str
    name: str
    path: str
    fill: str
    title: str
    href: str
    dimmed: bool


@dataclass(frozen=True)
class OverviewRow:
    code: str
    name: str
    county_code: str | None
    county_name: str | None
    kostra_group: str | None
    size_class: str | None
    population: float | None
    value: float | None
    period: str | None
    status: str | None
    value_text: str
    label: str  # the period (indicator) or the dashboard colour's words (goal)
    colour: str
    symbol: str
    href: str


@dataclass(frozen=True)
class OverviewPage:
    level: str
    colour_by: str  # "indicator" or "goal"
    goal: int | None
    indicator: str | None
    indicator_name: str
    unit: str
    period: str | None
    sort: str
    county: str | None
    kostra: str | None
    size: str | None
    query: str
    rows: list[OverviewRow]
    total: int
    with_value: int
    has_map: bool
    view_box: str
    map_regions: list[MapRegion]
    legend: list[LegendItem]
    notes: list[str]
    goal_options: list[Option] = field(default_factory=list)
    indicator_options: list[Option] = field(default_factory=list)
    period_options: list[Option] = field(default_factory=list)
    county_options: list[Option] = field(default_factory=list)
    kostra_options: list[Option] = field(default_factory=list)
    size_options: list[Option] = field(default_factory=list)
    sort_options: list[Option] = field(default_factory=list)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = ["code", "name", "county_code", "county", "kostra_group", "size_class", "population",
                  "value" if self.colour_by == "indicator" else "score", "period", "status"]
        rows = [[r.code, r.name, r.county_code or "", r.county_name or "", r.kostra_group or "ukjent",
                 r.size_class or "", "" if r.population is None else round(r.population),
                 "" if r.value is None else r.value, r.period or "", r.status or ""] for r in self.rows]
        return header, rows


@dataclass(frozen=True)
class _Facts:
    code: str
    name: str
    county_code: str | None
    county_name: str | None
    kostra: str | None
    size: str | None
    population: float | None


def _population(ws: Workspace, codes: list[str]) -> dict[str, float]:
    """The latest total population of each code (one indexed query)."""
    o = observations.c
    latest = (
        select(o.region_code, func.max(o.period).label("period"))
        .where(o.indicator_id == POPULATION_ID, o.breakdown == "", o.value.is_not(None), o.region_code.in_(codes))
        .group_by(o.region_code).subquery()
    )
    query = (
        select(o.region_code, o.value)
        .join(latest, (latest.c.region_code == o.region_code) & (latest.c.period == o.period))
        .where(o.indicator_id == POPULATION_ID, o.breakdown == "")
    )
    with ws.engine.connect() as conn:
        return {str(code): float(value) for code, value in conn.execute(query)}


def region_facts(ws: Workspace, level: str, at: date | None = None) -> list[_Facts]:
    """Every current municipality (or county) with its county, KOSTRA group, size class and
    latest population."""
    reg = ws.register
    when = at or date.today()
    counties = {c.code: c.name for c in reg.counties(when)}
    units = reg.municipalities(when) if level == "kommune" else reg.counties(when)
    pop = _population(ws, [u.code for u in units])
    if level == "fylke" and len(pop) < len(units):  # sum the municipalities where the county total is missing
        mun = _population(ws, [m.code for m in reg.municipalities(when)])
        for m in reg.municipalities(when):
            if m.county_code and m.county_code not in pop and m.code in mun:
                pop.setdefault(f"sum:{m.county_code}", 0.0)
                pop[f"sum:{m.county_code}"] += mun[m.code]
        for c in units:
            if c.code not in pop and f"sum:{c.code}" in pop:
                pop[c.code] = pop[f"sum:{c.code}"]
    out: list[_Facts] = []
    for u in units:
        people = pop.get(u.code)
        if level == "kommune":
            out.append(_Facts(u.code, u.name, u.county_code, counties.get(u.county_code or ""), reg.kostra_group(u.code),
                              size_class(round(people)) if people is not None else None, people))
        else:
            out.append(_Facts(u.code, u.name, None, None, None, None, people))
    return out


def _classes(values: list[float]) -> list[float]:
    """Upper bounds of five quantile classes (fewer when values repeat)."""
    ordered = sorted(values)
    if not ordered:
        return []
    cuts = [ordered[min(len(ordered) - 1, int(len(ordered) * q / 5))] for q in range(1, 5)]
    return [*sorted(set(cuts)), ordered[-1]]


def _class_of(value: float, bounds: list[float]) -> int:
    for i, b in enumerate(bounds):
        if value <= b:
            return i
    return len(bounds) - 1


def _goal_scores(ws: Workspace, level: str, goal: int, lang: Lang) -> dict[str, tuple[float | None, str | None]]:
    """Score and colour per region for ``goal`` from the scoring service."""
    try:
        from fn17.services import scores
    except ImportError as exc:
        raise NotFoundError(
            "Målscorer er ikke tilgjengelige i denne versjonen av FN17; farg kartet etter en indikator i stedet.",
            message_en="Goal scores are not available in this version of FN17; colour the map by an indicator instead.",
        ) from exc
    national = scores.score_all(ws, level="fylke" if level == "fylke" else "kommune", lang=lang)
    frame = national.goals
    part = frame[frame["goal"].astype(int) == goal]
    out: dict[str, tuple[float | None, str | None]] = {}
    for row in part.itertuples(index=False):
        score = getattr(row, "score", None)
        colour = getattr(row, "colour", None)
        out[str(row.unit)] = (None if score is None or score != score else float(score),
                              None if not isinstance(colour, str) or not colour else colour)
    return out


def _sort_key(sort: str) -> tuple[str, bool]:
    if sort not in SORTS:
        raise InvalidInputError(
            f"Ukjent sortering «{sort}»; bruk en av {', '.join(SORTS)}.",
            message_en=f"Unknown sort “{sort}”; use one of {', '.join(SORTS)}.",
        )
    return sort.lstrip("-"), sort.startswith("-")


def overview(
    ws: Workspace,
    *,
    level: str = "kommune",
    goal: int | None = None,
    indicator: str | None = None,
    period: str | None = None,
    sort: str = "kode",
    county: str | None = None,
    kostra: str | None = None,
    size: str | None = None,
    query: str = "",
    codes: list[str] | None = None,
    lang: Lang = "nb",
) -> OverviewPage:
    """The overview page: map regions, legend and table rows for the given colouring and filters.
    ``codes`` limits the table to those regions (a search result)."""
    if level not in ("kommune", "fylke"):
        raise InvalidInputError(f"Ukjent nivå «{level}»; bruk kommune eller fylke.",
                                message_en=f"Unknown level “{level}”; use kommune or fylke.")
    key, descending = _sort_key(sort)
    if size is not None and size not in SIZES:
        raise InvalidInputError(f"Ukjent størrelse «{size}»; bruk small, medium eller large.",
                                message_en=f"Unknown size “{size}”; use small, medium or large.")
    if goal is not None and not 1 <= goal <= 17:
        raise NotFoundError(f"Mål {goal} finnes ikke; bærekraftsmålene er nummerert 1–17.",
                            message_en=f"Goal {goal} does not exist; the SDGs are numbered 1–17.")
    facts = region_facts(ws, level)
    all_codes = [f.code for f in facts]
    options = indicator_options(ws, level, lang)
    notes: list[str] = []
    colour_by = "goal" if goal is not None else "indicator"
    unit = ""
    name = ""
    chosen_period: str | None = None
    periods: list[str] = []
    legend: list[LegendItem] = []
    values: dict[str, tuple[float | None, str | None, str | None]] = {}  # code -> value, period, status
    fills: dict[str, tuple[str, str]] = {}  # code -> colour, symbol
    if colour_by == "goal":
        assert goal is not None
        name = f"{goal}. {ws.sdg.goal(goal).short_name(lang)}"
        from fn17.scoring import COLOURS

        for code, (score, colour) in _goal_scores(ws, level, goal, lang).items():
            values[code] = (score, None, colour)
            if score is not None and colour in COLOURS:
                fills[code] = (COLOURS[colour]["hex"], COLOURS[colour]["symbol"])
        legend = [LegendItem(c["hex"], c[lang], c["symbol"]) for c in COLOURS.values()]
        unit = t("explore.score_unit", lang)
    else:
        if indicator is None:
            indicator = options[0].value if options else None
        if indicator is not None:
            table = value_table(ws, indicator, all_codes, period)
            if not table.periods and indicator not in {o.value for o in options}:
                from difflib import get_close_matches

                near = get_close_matches(indicator, [o.value for o in options], n=5, cutoff=0.4) or [o.value for o in options[:5]]
                raise NotFoundError(
                    f"Indikatoren «{indicator}» har ingen tall på {level}nivå i databasen. Prøv {', '.join(near)}.",
                    message_en=f"The indicator “{indicator}” has no numbers at {level} level in the store. Try {', '.join(near)}.",
                    hint="Velg en indikator fra listen på oversikten, eller hent data med `fn17 fetch`.",
                    hint_en="Pick an indicator from the list on the overview, or fetch data with `fn17 fetch`.",
                    details={"suggestions": near},
                )
            name, unit = indicator_name(ws, indicator, lang)
            chosen_period, periods = table.period, table.periods
            for code, cell in table.cells.items():
                values[code] = (cell.value, table.period, cell.status)
            numbers = [v for v, _, _ in values.values() if v is not None]
            bounds = _classes(numbers)
            for code, (v, _, _) in values.items():
                if v is not None:
                    fills[code] = (VALUE_PALETTE[_class_of(v, bounds) * 5 // max(1, len(bounds))], "")
            low = min(numbers) if numbers else None
            for i, upper in enumerate(bounds):
                colour = VALUE_PALETTE[i * 5 // len(bounds)]
                label = f"{fmt_number(low, lang)} – {fmt_number(upper, lang)}"
                legend.append(LegendItem(colour, label, symbol=str(i + 1)))
                low = upper
        else:
            notes.append(t("explore.note_no_indicator", lang))
    legend.append(LegendItem("#ffffff", t("explore.no_data", lang), hatch=True))
    selected = _filter(facts, county, kostra, size, codes)
    rows = [_row(f, values.get(f.code), fills.get(f.code), lang) for f in facts if f.code in selected]
    rows = _sorted(rows, key, descending)
    geoms = read_geometries(ws, level)
    has_map = bool(geoms)
    regions: list[MapRegion] = []
    view_box = ""
    if has_map:
        min_x = min(g.min_x for g in geoms)
        min_y = min(g.min_y for g in geoms)
        view_box = f"{min_x - 4:g} {min_y - 4:g} {max(g.max_x for g in geoms) - min_x + 8:g} {max(g.max_y for g in geoms) - min_y + 8:g}"
        facts_by = {f.code: f for f in facts}
        for g in geoms:
            code = g.region_code
            entry = values.get(code)
            fill = fills.get(code, (NO_DATA, ""))[0]
            shown = _value_text(entry[0] if entry else None, unit, lang, colour_by)
            name_g = facts_by[code].name if code in facts_by else g.name
            title = f"{name_g} ({code}): {shown}" + (f", {entry[1]}" if entry and entry[1] and entry[0] is not None else "")
            regions.append(MapRegion(code, name_g, g.svg_path, fill, title, f"/region/{code}?lang={lang}",
                                     dimmed=code not in selected))
    else:
        notes.append(t("explore.note_no_map", lang))
    if colour_by == "indicator" and indicator is not None and not fills:
        notes.append(t("explore.note_no_values", lang))
    with_value = sum(1 for r in rows if r.value is not None)
    return OverviewPage(
        level=level, colour_by=colour_by, goal=goal, indicator=indicator if colour_by == "indicator" else None,
        indicator_name=name, unit=unit, period=chosen_period, sort=sort, county=county, kostra=kostra, size=size,
        query=query, rows=rows, total=len(rows), with_value=with_value, has_map=has_map, view_box=view_box,
        map_regions=regions, legend=legend, notes=notes,
        goal_options=[Option(str(g.number), f"{g.number}. {g.short_name(lang)}", goal == g.number) for g in ws.sdg.goals],
        indicator_options=[Option(o.value, o.label, o.value == indicator) for o in options],
        period_options=[Option(p, p, p == chosen_period) for p in periods],
        county_options=[Option(c.code, f"{c.code} {c.name}", c.code == county) for c in ws.register.counties(date.today())],
        kostra_options=[Option(str(n), t("explore.kostra_n", lang, n=n), kostra == str(n)) for n in range(1, 18)]
        + [Option("ukjent", t("explore.unknown", lang), kostra == "ukjent")],
        size_options=[Option(s, t(f"explore.size_{s}", lang), size == s) for s in SIZES],
        sort_options=[Option(s, t(f"explore.sort_{s.replace('-', 'desc_')}", lang), s == sort) for s in SORTS],
    )


def _filter(facts: list[_Facts], county: str | None, kostra: str | None, size: str | None,
            codes: list[str] | None) -> set[str]:
    out = set()
    for f in facts:
        if county and f.county_code != county and f.code != county:
            continue
        if kostra and (f.kostra or "ukjent") != kostra:
            continue
        if size and f.size != size:
            continue
        if codes is not None and f.code not in codes:
            continue
        out.add(f.code)
    return out


def _value_text(value: float | None, unit: str, lang: Lang, colour_by: str) -> str:
    if value is None:
        return t("explore.no_data", lang)
    digits = 1 if colour_by == "goal" or abs(value) < 1000 else 0
    return f"{fmt_number(value, lang, digits)} {unit}".strip()


def _row(f: _Facts, value: tuple[float | None, str | None, str | None] | None, fill: tuple[str, str] | None,
         lang: Lang) -> OverviewRow:
    from fn17.scoring import COLOURS

    v, period, status = value if value else (None, None, None)
    colour_by_goal = status in COLOURS
    label = COLOURS[status][lang] if colour_by_goal and status else (period or "") if v is not None else ""
    return OverviewRow(
        code=f.code, name=f.name, county_code=f.county_code, county_name=f.county_name, kostra_group=f.kostra,
        size_class=f.size, population=f.population, value=v, period=period, status=status,
        value_text=_value_text(v, "", lang, "goal" if colour_by_goal else "indicator"), label=label,
        colour=fill[0] if fill else "", symbol=fill[1] if fill else "", href=f"/region/{f.code}?lang={lang}",
    )


def _sorted(rows: list[OverviewRow], key: str, descending: bool) -> list[OverviewRow]:
    if key in ("verdi", "folketall"):
        attr = "value" if key == "verdi" else "population"
        present = [r for r in rows if getattr(r, attr) is not None]
        missing = [r for r in rows if getattr(r, attr) is None]
        present.sort(key=lambda r: (getattr(r, attr), r.code), reverse=descending)
        return present + missing  # regions without data always last
    field_of = {"navn": lambda r: r.name.casefold(), "kode": lambda r: r.code,
                "fylke": lambda r: (r.county_code or "", r.code)}[key]
    return sorted(rows, key=field_of, reverse=descending)


def find_regions(ws: Workspace, text: str) -> list[str]:
    """Current codes matching a search by name or number, old or new: an exact current name or
    code first (one code), otherwise every current code the hits lead to, in hit order."""
    from fn17.regions._search import fold

    text = text.strip()
    if not text:
        return []
    reg = ws.register
    today = date.today()
    hits = reg.search(text, limit=20)
    for r in hits:
        current = r.valid_to is None or r.valid_to >= today
        if current and (r.code == text or fold(r.name) == fold(text)):
            return [r.code]
    out: list[str] = []
    for r in hits:
        for code in ([r.code] if r.valid_to is None or r.valid_to >= today else reg.current_codes(r.code, today)):
            if code not in out:
                out.append(code)
    return out
