"""The indicator catalogue browser: KS's indicator taxonomy (2,092 indicators in 33 sets), the
U4SSC KPIs, the UN global indicators and FN17's own set, in one searchable list.

Each item carries its SDG goals and targets, quality class (KS only), geographic level and
whether this store has municipal numbers for it. "Has data" is true for FN17 indicators with
municipal observations, and for KS and U4SSC items an FN17 indicator with data stands for
(FN17's set names its KS and U4SSC equivalents). The list is built once per data version and
filtered in memory (a few thousand items, not observations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select

from fn17.config import Lang
from fn17.errors import InvalidInputError, NotFoundError
from fn17.frameworks.fn17set import load_fn17_set
from fn17.frameworks.u4ssc import load_u4ssc, normalise_u4ssc_code
from fn17.services.choices import Option
from fn17.services.status import cached_by_version
from fn17.store.tables import framework_items, observations
from fn17.workspace import Workspace

FRAMEWORKS = ("fn17", "ks", "u4ssc", "sdg")
LEVELS = ("kommune", "fylke", "bydel", "nasjonal", "ukjent")
PER_PAGE = 50
_KS_LEVEL = {"City-level": "kommune", "county-level": "fylke", "District-level": "bydel", "National-level": "nasjonal"}
_UN_NOTATION = re.compile(r"^C(\d\d)(\w\w)(\d\d)$")


@dataclass(frozen=True)
class Item:
    framework: str
    id: str
    title_nb: str
    title_nn: str
    title_en: str
    goals: tuple[int, ...]
    targets: tuple[str, ...]
    quality: int | None
    levels: tuple[str, ...]
    set_id: str
    set_name: str
    has_data: bool
    code: str  # U4SSC code, UN code or KS notation
    source_url: str
    uri: str
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def title(self, lang: Lang) -> str:
        return {"nb": self.title_nb, "nn": self.title_nn or self.title_nb, "en": self.title_en or self.title_nb}[lang]

    @property
    def href(self) -> str:
        if self.framework == "fn17":
            return f"/indikator/{self.id}"
        return f"/katalog/{self.framework}/{quote(self.id, safe='/')}"


@dataclass(frozen=True)
class Row:
    framework: str
    id: str
    title: str
    goals: tuple[int, ...]
    targets: tuple[str, ...]
    quality: int | None
    levels: tuple[str, ...]
    set_name: str
    has_data: bool
    code: str
    href: str


@dataclass(frozen=True)
class CataloguePage:
    query: str
    framework: str | None
    goal: int | None
    target: str | None
    quality: int | None
    level: str | None
    set_id: str | None
    with_data: bool
    page: int
    pages: int
    total: int
    counts: dict[str, int]
    rows: list[Row]
    framework_options: list[Option]
    goal_options: list[Option]
    level_options: list[Option]
    set_options: list[Option]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return (["framework", "id", "code", "title", "goals", "targets", "quality_class", "levels", "set", "has_data"],
                [[r.framework, r.id, r.code, r.title, " ".join(map(str, r.goals)), " ".join(r.targets),
                  "" if r.quality is None else r.quality, " ".join(r.levels), r.set_name, "ja" if r.has_data else "nei"]
                 for r in self.rows])


def _un_code(notation: str | None) -> str:
    m = _UN_NOTATION.match(notation or "")
    if not m:
        return ""
    goal, target, ind = m.groups()
    return f"{int(goal)}.{int(target) if target.isdigit() else target.lstrip('0')}.{int(ind)}"


def _goals_of(targets: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(sorted({int(t.split(".")[0]) for t in targets if t.split(".")[0].isdigit()}))


def _with_data(ws: Workspace) -> set[str]:
    o = observations.c
    with ws.engine.connect() as conn:
        return {str(r[0]) for r in conn.execute(
            select(o.indicator_id).where(func.length(o.region_code) == 4, o.value.is_not(None)).group_by(o.indicator_id))}


def _build(ws: Workspace) -> list[Item]:
    data = _with_data(ws)
    fn17 = load_fn17_set().indicators
    ks_with_data = {uri for d in fn17 if d.id in data for uri in d.ks_ids}
    u4_with_data = {normalise_u4ssc_code(c) for d in fn17 if d.id in data for c in d.u4ssc}
    items: list[Item] = []
    for d in fn17:
        items.append(Item("fn17", d.id, d.name.nb, d.name.nn, d.name.en, _goals_of(d.sdg_targets), d.sdg_targets, None,
                          tuple(d.levels), "fn17", "FN17", d.id in data, "", "", "",
                          {"ks_ids": list(d.ks_ids), "u4ssc": list(d.u4ssc)}))
    fi = framework_items.c
    with ws.engine.connect() as conn:
        rows = conn.execute(select(fi.code, fi.kind, fi.parent_code, fi.title_nb, fi.title_en, fi.attrs)
                            .where(fi.framework_id == "ks")).all()
    sets = {r.code: r.title_nb or r.code for r in rows if r.kind == "set"}
    for r in rows:
        if r.kind != "indicator":
            continue
        a = dict(r.attrs or {})
        targets = tuple(str(x) for x in a.get("targets") or ())
        goals = tuple(sorted({int(g) for g in a.get("goals") or () if str(g).isdigit()} | set(_goals_of(targets))))
        levels = tuple(_KS_LEVEL.get(str(x), "ukjent") for x in a.get("geographic_level") or ()) or ("ukjent",)
        title = (r.title_nb or r.title_en or r.code).strip()
        u4 = a.get("u4ssc")
        code = str(u4 or (_un_code(a.get("notation")) if r.parent_code == "UN-SDG-indicators" else a.get("notation") or ""))
        has = a.get("uri") in ks_with_data or (bool(u4) and normalise_u4ssc_code(str(u4)) in u4_with_data)
        items.append(Item("ks", r.code, title, "", r.title_en or title, goals, targets,
                          int(a["quality_class"]) if a.get("quality_class") else None, levels, str(r.parent_code or ""),
                          sets.get(str(r.parent_code), str(r.parent_code)), has, code, str(a.get("source_url") or ""),
                          str(a.get("uri") or ""), a))
    for k in load_u4ssc().kpis:
        items.append(Item("u4ssc", k.code, k.name_nb, "", k.name_en, tuple(sorted(set(k.sdg_goals) | set(_goals_of(k.sdg_targets)))),
                          k.sdg_targets, None, ("kommune",), k.dimension, k.dimension,
                          k.normalised_code in u4_with_data, k.code, "", "", {"type": k.type, "unit_nb": k.unit_nb,
                                                                             "unit_en": k.unit_en, "category": k.category}))
    for ind in ws.sdg.indicators:
        items.append(Item("sdg", ind.code, ind.title("nb"), ind.title("nn"), ind.title("en"),
                          (int(ind.code.split(".")[0]),), tuple(sorted({c.rsplit(".", 1)[0] for c in ind.listed_as})), None,
                          ("nasjonal",), "sdg", "UN", False, ind.code, "", "", {"listed_as": list(ind.listed_as)}))
    return items


def all_items(ws: Workspace) -> list[Item]:
    """Every catalogue item, built once per data version."""
    result: list[Item] = cached_by_version(ws, "catalogue", None, lambda: _build(ws))
    return result


def browse(
    ws: Workspace,
    *,
    query: str = "",
    framework: str | None = None,
    goal: int | None = None,
    target: str | None = None,
    quality: int | None = None,
    level: str | None = None,
    set_id: str | None = None,
    with_data: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
    lang: Lang = "nb",
) -> CataloguePage:
    """One page of the catalogue, filtered; ``counts`` gives the matches per framework."""
    if framework is not None and framework not in FRAMEWORKS:
        raise InvalidInputError(f"Ukjent rammeverk «{framework}»; bruk {', '.join(FRAMEWORKS)}.",
                                message_en=f"Unknown framework “{framework}”; use {', '.join(FRAMEWORKS)}.")
    if level is not None and level not in LEVELS:
        raise InvalidInputError(f"Ukjent geografisk nivå «{level}»; bruk {', '.join(LEVELS)}.",
                                message_en=f"Unknown geographic level “{level}”; use {', '.join(LEVELS)}.")
    if goal is not None and not 1 <= goal <= 17:
        raise InvalidInputError(f"Mål {goal} finnes ikke; bruk 1–17.", message_en=f"Goal {goal} does not exist; use 1–17.")
    if quality is not None and quality not in (1, 2, 3):
        raise InvalidInputError(f"Kvalitetsklasse {quality} finnes ikke; KS bruker 1, 2 og 3.",
                                message_en=f"Quality class {quality} does not exist; KS uses 1, 2 and 3.")
    if page < 1:
        raise InvalidInputError("Sidetallet må være 1 eller mer.", message_en="The page number must be 1 or more.")
    needle = query.strip().casefold()
    items = all_items(ws)
    matched: list[Item] = []
    for it in items:
        if goal is not None and goal not in it.goals:
            continue
        if target and target not in it.targets:
            continue
        if quality is not None and it.quality != quality:
            continue
        if level and level not in it.levels:
            continue
        if set_id and it.set_id != set_id:
            continue
        if with_data and not it.has_data:
            continue
        if needle and not any(needle in s.casefold() for s in (it.title_nb, it.title_nn, it.title_en, it.id, it.code)):
            continue
        matched.append(it)
    counts = {fw: sum(1 for it in matched if it.framework == fw) for fw in FRAMEWORKS}
    if framework:
        matched = [it for it in matched if it.framework == framework]
    pages = max(1, -(-len(matched) // per_page))
    if page > pages:
        raise NotFoundError(f"Side {page} finnes ikke; utvalget har {pages} side(r).",
                            message_en=f"Page {page} does not exist; the selection has {pages} page(s).")
    chunk = matched[(page - 1) * per_page : page * per_page]
    rows = [Row(it.framework, it.id, it.title(lang), it.goals, it.targets, it.quality, it.levels, it.set_name, it.has_data,
                it.code, f"{it.href}?lang={lang}") for it in chunk]
    ks_sets = sorted({(it.set_id, it.set_name) for it in items if it.framework == "ks"}, key=lambda s: s[1].casefold())
    return CataloguePage(
        query=query, framework=framework, goal=goal, target=target, quality=quality, level=level, set_id=set_id,
        with_data=with_data, page=page, pages=pages, total=len(matched), counts=counts, rows=rows,
        framework_options=[Option(fw, fw, fw == framework) for fw in FRAMEWORKS],
        goal_options=[Option(str(g.number), f"{g.number}. {g.short_name(lang)}", g.number == goal) for g in ws.sdg.goals],
        level_options=[Option(lv, lv, lv == level) for lv in LEVELS],
        set_options=[Option(s, n, s == set_id) for s, n in ks_sets],
    )


# --------------------------------------------------------------------------- one item


@dataclass(frozen=True)
class TargetLink:
    code: str
    title: str
    href: str


@dataclass(frozen=True)
class ItemPage:
    framework: str
    id: str
    title: str
    title_en: str
    code: str
    set_name: str
    goals: list[TargetLink]
    targets: list[TargetLink]
    quality: int | None
    levels: tuple[str, ...]
    has_data: bool
    source_url: str
    uri: str
    equivalents: list[Row]
    related: list[Row]
    attrs: dict[str, Any]


def _row(it: Item, lang: Lang) -> Row:
    return Row(it.framework, it.id, it.title(lang), it.goals, it.targets, it.quality, it.levels, it.set_name, it.has_data,
               it.code, f"{it.href}?lang={lang}")


def item_page(ws: Workspace, framework: str, item_id: str, lang: Lang = "nb") -> ItemPage:
    """One catalogue item with its SDG goals and targets and its equivalents in the other frameworks."""
    from difflib import get_close_matches

    if framework not in ("ks", "u4ssc", "sdg"):
        raise NotFoundError(
            f"Katalogen har ikke rammeverket «{framework}»; bruk ks, u4ssc eller sdg (FN17-indikatorer har egne sider under /indikator/).",
            message_en=f"The catalogue has no framework “{framework}”; use ks, u4ssc or sdg (FN17 indicators have their own pages under /indikator/).",
        )
    items = all_items(ws)
    found = [it for it in items if it.framework == framework and (it.id == item_id or (framework == "u4ssc" and
             normalise_u4ssc_code(it.id) == normalise_u4ssc_code(item_id)))]
    if not found:
        ids = [it.id for it in items if it.framework == framework]
        near = get_close_matches(item_id, ids, n=5, cutoff=0.5)
        raise NotFoundError(
            f"Fant ikke {item_id} i {framework}." + (f" Mente du {', '.join(near)}?" if near else ""),
            message_en=f"Could not find {item_id} in {framework}." + (f" Did you mean {', '.join(near)}?" if near else ""),
            hint="Søk i katalogen under /katalog.", hint_en="Search the catalogue at /katalog.",
            details={"suggestions": near},
        )
    it = found[0]
    equivalents: list[Item] = []
    if it.framework == "ks":
        equivalents += [x for x in items if x.framework == "fn17" and it.uri in x.attrs.get("ks_ids", ())]
        if it.attrs.get("u4ssc"):
            code = normalise_u4ssc_code(str(it.attrs["u4ssc"]))
            equivalents += [x for x in items if x.framework == "u4ssc" and normalise_u4ssc_code(x.id) == code]
        if it.set_id == "UN-SDG-indicators" and it.code:
            equivalents += [x for x in items if x.framework == "sdg" and it.code in x.attrs.get("listed_as", ())]
    elif it.framework == "u4ssc":
        code = normalise_u4ssc_code(it.id)
        equivalents += [x for x in items if x.framework == "fn17" and code in {normalise_u4ssc_code(c) for c in x.attrs.get("u4ssc", ())}]
        equivalents += [x for x in items if x.framework == "ks" and x.attrs.get("u4ssc")
                        and normalise_u4ssc_code(str(x.attrs["u4ssc"])) == code]
    else:
        listed = set(it.attrs.get("listed_as", ()))
        equivalents += [x for x in items if x.framework == "ks" and x.set_id == "UN-SDG-indicators" and x.code in listed]
    seen = {(x.framework, x.id) for x in equivalents} | {(it.framework, it.id)}
    related = [x for x in items if x.framework in ("fn17", "u4ssc") and set(x.targets) & set(it.targets)
               and (x.framework, x.id) not in seen][:20]
    sdg = ws.sdg
    goals = [TargetLink(str(g), f"{g}. {sdg.goal(g).short_name(lang)}", f"/mal/{g}?lang={lang}") for g in it.goals]
    targets = []
    for code in it.targets:
        try:
            title = sdg.target(code).title(lang)
        except (NotFoundError, InvalidInputError, KeyError):
            title = ""
        targets.append(TargetLink(code, title, f"/mal/{code.split('.')[0]}?lang={lang}#delmal-{code}"))
    return ItemPage(it.framework, it.id, it.title(lang), it.title_en, it.code, it.set_name, goals, targets, it.quality,
                    it.levels, it.has_data, it.source_url, it.uri, [_row(x, lang) for x in equivalents],
                    [_row(x, lang) for x in related], {k: v for k, v in it.attrs.items() if k in ("evaluation", "impact",
                    "periodicity", "sectors", "type", "unit_nb", "unit_en", "category", "kind")})
