"""Render a :class:`CoverageReport` as a terminal table, JSON, or a self-contained HTML page/fragment."""

from __future__ import annotations

import json
import textwrap
from functools import lru_cache
from typing import Any

import jinja2

from fn17.plans._i18n import Lang, number, percent, t
from fn17.plans.coverage import CoverageReport

# Official SDG colours (UN communications guidelines).
SDG_COLOURS = {
    1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2", 7: "#FCC30B",
    8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E", 13: "#3F7E44", 14: "#0A97D9",
    15: "#56C02B", 16: "#00689D", 17: "#19486A",
}
MAX_TARGET_LINES = 30
STATUS_SYMBOL = {"broad": "●", "some": "◐", "mentioned": "○", "absent": "–"}


def render_json(report: CoverageReport, *, indent: int | None = 2) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=indent)


def _pages(pages: tuple[int, ...], lang: Lang, limit: int = 6) -> str:
    if not pages:
        return ""
    shown = ", ".join(str(p) for p in pages[:limit])
    return f"{t('page', lang)} {shown}" + (" …" if len(pages) > limit else "")


def _where(page: int | None, title: str, lang: Lang) -> str:
    return f"{t('page', lang)} {page}, {title}" if page is not None else title


def _table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> list[str]:
    right = right or set()
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [fmt(headers), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)]


def render_table(report: CoverageReport, lang: Lang = "nb", *, width: int = 100) -> str:
    """A plain-text report for the terminal."""
    d = report.document
    m = report.method
    lines: list[str] = []
    lines.append(f"{t('title', lang)}: {d['filename']}")
    facts = []
    if d.get("pages"):
        facts.append(f"{d['pages']} {t('pages', lang)}")
    facts.append(f"{d['passages']} {t('passages', lang)}")
    facts.append(f"{t('language', lang)} {t('lang_' + str(d['language']), lang)}")
    lines.append(", ".join(facts))
    lines.append(
        f"{t('method', lang)}: {m['method']}; {m['embedded_passages']}/{d['passages']} {t('embedded', lang)}; "
        f"{number(m['seconds']['total'], lang, 1)} {t('seconds', lang)}"
    )
    for notice in report.notices:
        lines.append(f"! {notice['en' if lang == 'en' else 'nb']}")
    lines.append("")
    rows = []
    for g in report.goals:
        rows.append([
            f"{g.goal:>2} {g.names[lang]}"[:46],
            f"{STATUS_SYMBOL[g.status]} {t('status_' + g.status, lang)}",
            str(g.passages),
            percent(g.share, lang, 1) if g.passages else "",
            ", ".join(c for c, _ in g.targets[:4]) + (" …" if len(g.targets) > 4 else ""),
            _pages(g.pages, lang, 5),
        ])
    lines += _table(
        [t("goal", lang), t("status", lang), t("passages", lang), t("share", lang), t("targets", lang), t("where", lang)],
        rows,
        right={2, 3},
    )
    lines.append("")
    lines.append(t("not_addressed", lang) + ":")
    if report.missing_goals:
        for number_ in report.missing_goals:
            lines.append(f"  {number_:>2} {report.goal(number_).names[lang]}")
    else:
        lines.append("  " + t("none_missing", lang))
    if report.missing_targets:
        lines.append("")
        lines.append(t("targets_missing", lang) + ":")
        for mt in report.missing_targets[:MAX_TARGET_LINES]:
            note = f" ({t('goal_addressed_target_not', lang)})" if mt.goal_addressed else ""
            lines += textwrap.wrap(f"{mt.code} {mt.labels[lang]}{note}", width, initial_indent="  ", subsequent_indent="        ")
        if len(report.missing_targets) > MAX_TARGET_LINES:
            lines.append(f"  … {len(report.missing_targets) - MAX_TARGET_LINES} {t('more', lang)}")
    lines.append("")
    lines.append(t("strongest", lang) + ":")
    titles = {s.id: s.title for s in report.sections}
    for g in report.goals:
        if not g.top:
            continue
        lines.append(f"  {g.goal:>2} {g.names[lang]}")
        for f in g.top:
            ev = f.prediction.evidence.get(g.goal)
            words = ", ".join(p.text for p in ev.phrases[:5]) if ev else ""
            head = f"     [{_where(f.page, titles.get(f.section_id, ''), lang)}] {t('score', lang)} {number(f.prediction.scores[g.goal], lang, 2)}"
            lines.append(head + (f"; {t('terms', lang)}: {words}" if words else ""))
            lines += textwrap.wrap(f.text, width, initial_indent="       ", subsequent_indent="       ", max_lines=3, placeholder=" …")
    if report.plan_goals:
        lines.append("")
        lines.append(t("plan_goals", lang) + ":")
        for pg in report.plan_goals[:25]:
            where = f"{t('page', lang)} {pg.page}: " if pg.page is not None else ""
            lines += textwrap.wrap(f"- {where}{pg.text} [SDG {', '.join(map(str, pg.sdgs))}]", width, subsequent_indent="  ")
            if report.indicators_connected:
                inds = "; ".join(f"{i.id} {i.name}" for i in pg.indicators[:3]) or t("no_indicators", lang)
                lines += textwrap.wrap(f"{t('indicators', lang)}: {inds}", width, initial_indent="    ", subsequent_indent="    ")
        if len(report.plan_goals) > 25:
            lines.append(f"  … {len(report.plan_goals) - 25} {t('more', lang)}")
        if not report.indicators_connected:
            lines.append("  " + t("no_catalogue", lang))
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("fn17.plans", "templates"),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render_html(report: CoverageReport, lang: Lang = "nb", *, standalone: bool = True) -> str:
    """The report as HTML: a whole page (``standalone``) or a fragment for the web app to embed.

    The page carries its own CSS, no scripts and no external resources.
    """
    env = _environment()
    template = env.get_template("report.html")
    titles = {s.id: s.title for s in report.sections}
    context: dict[str, Any] = {
        "r": report,
        "lang": lang,
        "standalone": standalone,
        "t": lambda key: t(key, lang),
        "num": lambda v, d=0: number(v, lang, d),
        "pct": lambda v, d=1: percent(v, lang, d),
        "colour": SDG_COLOURS,
        "symbol": STATUS_SYMBOL,
        "titles": titles,
        "max_cell": max((n for row in report.matrix.values() for n in row.values()), default=0),
    }
    return template.render(**context)
