"""The SDG framework as pages and tables: goal tiles, a goal with its targets, official texts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from fn17.config import Lang
from fn17.errors import NotFoundError
from fn17.store.tables import framework_items
from fn17.workspace import Workspace


@dataclass(frozen=True)
class GoalTile:
    number: int
    name: str
    short_name: str
    colour: str
    n_targets: int
    url: str


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    title: str
    official: str | None


@dataclass(frozen=True)
class TargetRow:
    code: str
    title: str
    official: str | None
    municipal: str
    county: str
    reason: str
    indicators: list[IndicatorRow]


@dataclass(frozen=True)
class GoalPage:
    goal: GoalTile
    description: str
    official: str | None
    targets: list[TargetRow]
    counts: dict[str, int] = field(default_factory=dict)
    previous: int | None = None
    next: int | None = None

    def table(self) -> tuple[list[str], list[list[str]]]:
        header = ["target", "title", "relevance_municipal", "relevance_county", "reason", "indicators"]
        rows = [[r.code, r.title, r.municipal, r.county, r.reason, " ".join(i.code for i in r.indicators)] for r in self.targets]
        return header, rows


@dataclass(frozen=True)
class HomePage:
    goals: list[GoalTile]
    n_targets: int
    n_indicators: int

    def table(self) -> tuple[list[str], list[list[object]]]:
        return ["goal", "name", "colour", "targets"], [[g.number, g.name, g.colour, g.n_targets] for g in self.goals]


def _tile(ws: Workspace, number: int, lang: Lang) -> GoalTile:
    goal = ws.sdg.goal(number)
    return GoalTile(
        number=goal.number,
        name=goal.name(lang),
        short_name=goal.short_name(lang),
        colour=goal.colour,
        n_targets=len(ws.sdg.targets_of(goal.number)),
        url=f"/mal/{goal.number}",
    )


def home(ws: Workspace, lang: Lang = "nb") -> HomePage:
    fw = ws.sdg
    return HomePage(
        goals=[_tile(ws, g.number, lang) for g in fw.goals],
        n_targets=len(fw.targets),
        n_indicators=len(fw.indicators),
    )


def _official(ws: Workspace, lang: Lang) -> dict[str, str]:
    column = framework_items.c.official_en if lang == "en" else framework_items.c.official_nb
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(framework_items.c.code, column).where(framework_items.c.framework_id == "sdg", column.is_not(None))
        ).all()
    return {code: text for code, text in rows}


def parse_goal(key: str) -> int:
    try:
        number = int(key)
    except ValueError:
        number = 0
    if not 1 <= number <= 17:
        raise NotFoundError(
            f"Bærekraftsmål {key!r} finnes ikke. Målene er nummerert 1–17.",
            message_en=f"Goal {key!r} does not exist. The goals are numbered 1–17.",
            hint="Prøv f.eks. /mal/3 for God helse og livskvalitet.",
            hint_en="Try e.g. /mal/3 for Good health and well-being.",
        )
    return number


def goal_page(ws: Workspace, key: str | int, lang: Lang = "nb") -> GoalPage:
    number = parse_goal(str(key))
    fw = ws.sdg
    goal = fw.goal(number)
    official = _official(ws, lang)
    rows: list[TargetRow] = []
    for target in fw.targets_of(number):
        rows.append(
            TargetRow(
                code=target.code,
                title=target.title(lang),
                official=official.get(target.code),
                municipal=target.relevance_municipal,
                county=target.relevance_county,
                reason=target.reason(lang),
                indicators=[IndicatorRow(i.code, i.title(lang), official.get(i.code)) for i in fw.indicators_of(target.code)],
            )
        )
    counts = {level: sum(1 for r in rows if r.municipal == level) for level in ("high", "some", "low")}
    return GoalPage(
        goal=_tile(ws, number, lang),
        description=goal.description(lang),
        official=official.get(str(number)),
        targets=rows,
        counts=counts,
        previous=number - 1 if number > 1 else None,
        next=number + 1 if number < 17 else None,
    )


def import_official_texts(ws: Workspace, folder: Path, lang: str) -> dict[str, int]:
    """Store the full official texts from an open-sdg translations folder (all or nothing)."""
    from fn17.frameworks.opensdg import read_opensdg_texts
    from fn17.services.setup import store_official_texts

    texts = read_opensdg_texts(folder, lang)
    return store_official_texts(ws, texts, "en" if lang.startswith("en") else "nb")
