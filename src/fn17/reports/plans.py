"""The region's latest analysed plan in the progress report (VLR), for the section "policy and
enabling environment": which SDGs the plan addresses, where, and which it leaves out.

The analysis is the one stored on ``/planer`` (see :mod:`fn17.services.plans`); stored
analyses are public, so they appear whether or not the report includes drafts. When the
region has none, the report says so and how to get one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from fn17.config import Lang
from fn17.i18n import t
from fn17.reports import charts
from fn17.services.plans import latest_analysis
from fn17.workspace import Workspace

MAX_TARGETS = 15
"""High-relevance targets left out that the report names (the rest are counted)."""


@dataclass(frozen=True)
class PlanGoalRow:
    number: int
    name: str
    colour: str
    status: str
    status_label: str
    passages: int
    pages: str


@dataclass(frozen=True)
class PlanCoverage:
    analysis_id: int
    title: str
    filename: str
    analysed_at: datetime
    pages: int | None
    goals: list[PlanGoalRow]
    addressed: list[int]
    missing: list[int]
    missing_targets: list[str]
    missing_targets_more: int
    url: str
    chart: Markup


def plan_coverage(ws: Workspace, region_code: str, lang: Lang = "nb") -> PlanCoverage | None:
    """The region's latest stored plan analysis, summarised for the report; ``None`` when none
    has been stored (the report then says so)."""
    stored = latest_analysis(ws, region_code)
    if stored is None:
        return None
    report, summary = stored.report, stored.summary
    names = {g.number: g for g in ws.sdg.goals}
    rows: list[PlanGoalRow] = []
    for g in report.goals:
        page_list = ", ".join(str(p) for p in g.pages[:8]) + (" …" if len(g.pages) > 8 else "")
        rows.append(PlanGoalRow(
            number=g.goal, name=g.names.get(lang) or g.names.get("nb", str(g.goal)), colour=names[g.goal].colour,
            status=g.status, status_label=t(f"plansweb.vlr.status.{g.status}", lang), passages=g.passages,
            pages=f"{t('plansweb.vlr.page', lang)} {page_list}" if page_list else "",
        ))
    addressed = [r.number for r in rows if r.status != "absent"]
    # targets of high municipal relevance left out, where the goal itself is addressed first
    left_out = sorted(report.missing_targets, key=lambda m: (not m.goal_addressed,))
    codes = [m.code for m in left_out]
    most = max((r.passages for r in rows), default=0)
    chart = charts.bars(
        [charts.Bar(f"{r.number} {names[r.number].short_name(lang)}", float(r.passages), r.colour, r.status_label) for r in rows],
        t("plansweb.vlr.caption", lang, title=summary.title), lang=lang, label_width=230,
        maximum=float(max(2, most + most % 2)),  # an even maximum: the middle tick is a whole number of passages
    )
    return PlanCoverage(
        analysis_id=summary.id, title=summary.title, filename=summary.filename, analysed_at=summary.created_at,
        pages=summary.pages, goals=rows, addressed=addressed, missing=[r.number for r in rows if r.status == "absent"],
        missing_targets=codes[:MAX_TARGETS], missing_targets_more=max(0, len(codes) - MAX_TARGETS), url=summary.url, chart=chart,
    )


__all__ = ["PlanCoverage", "PlanGoalRow", "plan_coverage"]
