"""Municipalities and counties: look-up at a date, what a code became, search, listings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from fn17.config import Lang
from fn17.errors import InvalidInputError, NotFoundError
from fn17.i18n import fmt_date
from fn17.workspace import Workspace


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str


@dataclass(frozen=True)
class OtherName:
    lang: str
    name: str


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    kind: str
    county_code: str | None
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class RegionInfo:
    code: str
    name: str
    kind: str
    county_code: str | None
    county_name: str | None
    valid_from: date
    valid_to: date | None
    is_current: bool
    asked_for: date
    summary: str
    other_names: list[OtherName] = field(default_factory=list)
    current: list[RegionRef] = field(default_factory=list)
    history_lines: list[str] = field(default_factory=list)
    kostra_group: str | None = None
    municipalities: list[RegionRef] = field(default_factory=list)

    @property
    def current_codes(self) -> list[str]:
        return [r.code for r in self.current]


@dataclass(frozen=True)
class SearchHit:
    code: str
    name: str
    note: str


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: list[SearchHit]

    def table(self) -> tuple[list[str], list[list[str]]]:
        return ["code", "name", "note"], [[h.code, h.name, h.note] for h in self.hits]


def _change_line(change: object, reg: object, lang: Lang) -> str:
    describe = getattr(change, "describe", None)
    if callable(describe):
        return str(describe(lang))
    return str(change)


def lookup(ws: Workspace, code: str, at: date | None = None, lang: Lang = "nb") -> RegionInfo:
    """The region ``code`` as it was at ``at`` (today by default). A code that was valid before
    ``at`` but not at it is answered with what it became, not an error; a code that did not yet
    exist at ``at`` is an InvalidInputError naming its valid period."""
    reg = ws.register
    when = at or date.today()
    try:
        region = reg.get(code, when)
        moved = False
    except InvalidInputError:
        versions = reg.versions(code)
        earlier = [v for v in versions if v.valid_to is not None and v.valid_to < when]
        if not earlier:
            raise
        region = earlier[-1]
        moved = True
    successors = [reg.get(c, when) for c in reg.current_codes(code, when)] if moved else []
    county = reg.get(region.county_code, region.valid_from) if region.county_code else None
    history = [_change_line(ch, reg, lang) for ch in reg.history(code)]
    if moved:
        names = " og ".join(f"{s.code} {s.name}" for s in successors) if lang != "en" else " and ".join(f"{s.code} {s.name}" for s in successors)
        day = fmt_date(region.valid_to + _one_day(), lang) if region.valid_to else ""
        if lang == "en":
            summary = f"{region.code} {region.name} was valid until {fmt_date(region.valid_to, lang)}; on {day} it became {names}."
        elif lang == "nn":
            summary = f"{region.code} {region.name} galdt til {fmt_date(region.valid_to, lang)}; {day} vart det {names}."
        else:
            summary = f"{region.code} {region.name} gjaldt til {fmt_date(region.valid_to, lang)}; {day} ble det {names}."
    else:
        kind = {"kommune": {"nb": "kommune", "nn": "kommune", "en": "municipality"},
                "fylke": {"nb": "fylke", "nn": "fylke", "en": "county"}}.get(region.kind, {}).get(lang, region.kind)
        county_part = f", {county.name}" if county is not None else ""
        summary = f"{region.code} {region.name} ({kind}{county_part}), {fmt_date(when, lang)}."
    members: list[RegionRef] = []
    if region.kind == "fylke" and not moved:
        members = [RegionRef(m.code, m.name) for m in reg.municipalities(when) if m.county_code == region.code]
    return RegionInfo(
        code=region.code,
        name=region.name,
        kind=region.kind,
        county_code=region.county_code,
        county_name=county.name if county else None,
        valid_from=region.valid_from,
        valid_to=region.valid_to,
        is_current=not moved,
        asked_for=when,
        summary=summary,
        other_names=[OtherName(k, v) for k, v in region.other_names.items()],
        current=[RegionRef(s.code, s.name) for s in successors],
        history_lines=history,
        kostra_group=reg.kostra_group(region.code) if region.kind == "kommune" else None,
        municipalities=members,
    )


def _one_day() -> timedelta:
    return timedelta(days=1)


def _row(r: object) -> RegionRow:
    return RegionRow(r.code, r.name, r.kind, r.county_code, r.valid_from, r.valid_to)  # type: ignore[attr-defined]


def listing(ws: Workspace, at: date | None = None, kind: str | None = None, lang: Lang = "nb") -> list[RegionRow]:
    reg = ws.register
    out: list[RegionRow] = []
    if kind in (None, "fylke"):
        out += [_row(r) for r in reg.counties(at)]
    if kind in (None, "kommune"):
        out += [_row(r) for r in reg.municipalities(at)]
    return out


def search(ws: Workspace, text: str, at: date | None = None, kind: str | None = None, lang: Lang = "nb") -> list[RegionRow]:
    rows = [_row(r) for r in ws.register.search(text, at=at, limit=20)]
    rows = [r for r in rows if kind is None or r.kind == kind]
    if not rows:
        raise NotFoundError(
            f"Ingen kommune eller fylke passer «{text}».",
            message_en=f"No municipality or county matches “{text}”.",
            hint="Prøv et kommunenummer (f.eks. 1508) eller en del av navnet.",
            hint_en="Try a municipality number (e.g. 1508) or part of the name.",
        )
    return rows


def search_page(ws: Workspace, text: str, lang: Lang = "nb") -> SearchPage:
    text = text.strip()
    if not text:
        return SearchPage(query="", hits=[])
    hits: list[SearchHit] = []
    today = date.today()
    for r in ws.register.search(text, limit=20):
        if r.valid_to is not None and r.valid_to < today:
            now = ", ".join(f"{c} {ws.register.get(c).name}" for c in ws.register.current_codes(r.code))
            note = (f"gjaldt til {fmt_date(r.valid_to, lang)}; nå {now}" if lang != "en" else f"valid until {fmt_date(r.valid_to, lang)}; now {now}")
        else:
            note = ""
        hits.append(SearchHit(r.code, r.name, note))
    return SearchPage(query=text, hits=hits)
