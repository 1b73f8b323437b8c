"""``fn17 score``: a region's goal dashboard, index, indicators, trends and peers on the command line.

One call into :func:`fn17.services.scores.region_scores`; this module only formats. Register it
on the CLI group with ``cli.add_command(score)``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import click

from fn17.config import LANGS, Lang, get_settings
from fn17.i18n import fmt_number, fmt_percent
from fn17.services.scores import METHOD_NAMES, RegionScores, rank_sensitivity, region_scores
from fn17.workspace import Workspace, open_workspace

TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "title": "{code} {name} ({kind}) – metode {method}",
        "index": "Indeks: {index} av 100 · dekning {coverage} · plass {rank} av {n}",
        "no_index": "Ingen indeks: {why} (dekning {coverage}; det kreves minst 80 % av indikatorene).",
        "goal": "mål", "name": "navn", "score": "poeng", "status": "status", "trend": "trend", "n": "indikatorer",
        "indicator": "indikator", "value": "verdi", "year": "år", "target": "mål 2030", "reached": "nås år",
        "flags": "merknader", "peers": "Sammenlignes med", "why": "hvorfor", "members": "antall",
        "nearest": "Nærmeste naboer (strukturvariabler: {v})", "distance": "avstand", "missing_vars": "Mangler i databasen: {v}",
        "missing": "Mål uten data", "sensitivity": "Plass etter metode", "method": "metode", "rank": "plass",
        "spread": "Plassen varierer med {n} plasser mellom metodene.", "kind.kommune": "kommune", "kind.fylke": "fylke",
        "peer_values": "Verdier mot sammenligningsgrupper", "group": "gruppe", "mean": "snitt", "median": "median",
        "none": "Ingen indikatorer med data for regionen ennå. Hent data med `fn17 fetch` eller last inn egne data.",
    },
    "nn": {
        "title": "{code} {name} ({kind}) – metode {method}",
        "index": "Indeks: {index} av 100 · dekning {coverage} · plass {rank} av {n}",
        "no_index": "Ingen indeks: {why} (dekning {coverage}; det krevst minst 80 % av indikatorane).",
        "goal": "mål", "name": "namn", "score": "poeng", "status": "status", "trend": "trend", "n": "indikatorar",
        "indicator": "indikator", "value": "verdi", "year": "år", "target": "mål 2030", "reached": "nåast år",
        "flags": "merknader", "peers": "Samanliknast med", "why": "kvifor", "members": "tal",
        "nearest": "Nærmaste naboar (strukturvariablar: {v})", "distance": "avstand", "missing_vars": "Manglar i databasen: {v}",
        "missing": "Mål utan data", "sensitivity": "Plass etter metode", "method": "metode", "rank": "plass",
        "spread": "Plassen varierer med {n} plassar mellom metodane.", "kind.kommune": "kommune", "kind.fylke": "fylke",
        "peer_values": "Verdiar mot samanlikningsgrupper", "group": "gruppe", "mean": "snitt", "median": "median",
        "none": "Ingen indikatorar med data for regionen enno. Hent data med `fn17 fetch` eller last inn eigne data.",
    },
    "en": {
        "title": "{code} {name} ({kind}) – method {method}",
        "index": "Index: {index} of 100 · coverage {coverage} · rank {rank} of {n}",
        "no_index": "No index: {why} (coverage {coverage}; at least 80 % of the indicators are needed).",
        "goal": "goal", "name": "name", "score": "score", "status": "status", "trend": "trend", "n": "indicators",
        "indicator": "indicator", "value": "value", "year": "year", "target": "2030 target", "reached": "reached in",
        "flags": "notes", "peers": "Compared with", "why": "why", "members": "members",
        "nearest": "Nearest neighbours (structural variables: {v})", "distance": "distance",
        "missing_vars": "Not in the database: {v}", "missing": "Goals without data", "sensitivity": "Rank by method",
        "method": "method", "rank": "rank", "spread": "The rank moves by {n} places between methods.",
        "kind.kommune": "municipality", "kind.fylke": "county", "peer_values": "Values against peer groups",
        "group": "group", "mean": "mean", "median": "median",
        "none": "No indicators with data for the region yet. Fetch data with `fn17 fetch` or load your own data.",
    },
}


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def goal_rows(result: RegionScores, lang: Lang) -> tuple[list[str], list[list[Any]]]:
    tx = TEXT[lang]
    header = [tx["goal"], tx["name"], tx["score"], tx["status"], tx["trend"], tx["n"]]
    rows = [[g.goal, g.name, fmt_number(g.score, lang, 1) if g.score is not None else "–",
             f"{g.symbol} {g.colour_label}".strip() or "–", f"{g.trend_symbol} {g.trend_label}".strip() or "–", g.n_indicators]
            for g in result.goals]
    return header, rows


def indicator_rows(result: RegionScores, lang: Lang, trends: bool) -> tuple[list[str], list[list[Any]]]:
    tx = TEXT[lang]
    header = [tx["indicator"], tx["value"], tx["year"], tx["score"], tx["status"]]
    if trends:
        header += [tx["trend"], tx["target"], tx["reached"]]
    header.append(tx["flags"])
    rows: list[list[Any]] = []
    for i in result.indicators:
        row: list[Any] = [f"{i.name} ({i.id})", f"{fmt_number(i.value, lang)} {i.unit}" if i.value is not None else "–",
                          i.period or "–", fmt_number(i.score, lang, 1) if i.score is not None else "–",
                          f"{i.symbol} {i.colour_label}".strip() or "–"]
        if trends:
            row += [f"{i.trend_symbol} {i.trend_label}".strip() or "–",
                    fmt_number(i.target, lang) if i.target is not None else "–", i.projected_year or "–"]
        row.append(", ".join(i.flag_labels))
        rows.append(row)
    return header, rows


def render_text(result: RegionScores, lang: Lang, *, peers: bool, trends: bool, sensitivity: Any = None) -> str:
    tx = TEXT[lang]
    out = [tx["title"].format(code=result.code, name=result.name, kind=tx[f"kind.{result.level}"], method=result.method), ""]
    coverage = fmt_percent(100 * result.coverage, lang, 0) if result.coverage is not None else "–"
    if result.index is not None:
        out.append(tx["index"].format(index=fmt_number(result.index, lang, 1), coverage=coverage, rank=result.rank,
                                      n=result.n_ranked))
    else:
        out.append(tx["no_index"].format(why=result.index_note_label or result.index_note, coverage=coverage))
    out.append("")
    out.append(_table(*goal_rows(result, lang)))
    out.append("")
    if result.has_data:
        out.append(_table(*indicator_rows(result, lang, trends)))
    else:
        out.append(tx["none"])
    if result.missing_goals:
        out += ["", tx["missing"] + ":"]
        out += [f"  {m.goal} {m.name}: {m.advice}" for m in result.missing_goals]
    if peers:
        p = result.peers
        out += ["", tx["peers"] + ":"]
        out.append(_table([tx["group"], tx["members"], tx["why"]], [[g.label, g.n, g.reason] for g in p.groups]))
        out += [f"  {n}" for n in p.notes]
        if p.nearest:
            out += ["", tx["nearest"].format(v=", ".join(p.variables))]
            out.append(_table(["", tx["name"], tx["distance"]],
                              [[n.code, n.name, fmt_number(n.distance, lang, 2)] for n in p.nearest]))
        if p.missing_variables:
            out.append(tx["missing_vars"].format(v=", ".join(p.missing_variables)))
        if p.comparison:
            names = {i.id: i.name for i in result.indicators}
            out += ["", tx["peer_values"] + ":"]
            out.append(_table([tx["indicator"], tx["group"], tx["value"], tx["mean"], tx["median"], tx["members"]],
                              [[names.get(v.indicator, v.indicator), v.group_label, fmt_number(v.unit_value, lang),
                                fmt_number(v.mean, lang), fmt_number(v.median, lang), v.n] for v in p.comparison]))
    if sensitivity is not None:
        out += ["", tx["sensitivity"] + ":"]
        out.append(_table([tx["method"], "index", tx["rank"]],
                          [[r.method, fmt_number(r.index, lang, 1) if r.index is not None else "–", r.rank or "–"]
                           for r in sensitivity.ranks]))
        if sensitivity.spread is not None:
            out.append(tx["spread"].format(n=sensitivity.spread))
    return "\n".join(out)


def _workspace(ctx: click.Context) -> Workspace:
    obj = ctx.obj
    if obj is not None and hasattr(obj, "workspace"):
        ws: Workspace = obj.workspace()
        return ws
    return open_workspace(get_settings())


@click.command("score")
@click.option("--region", "region", required=True, metavar="KODE",
              help="Kommune- eller fylkesnummer, f.eks. 1508 (gamle numre følges til dagens).")
@click.option("--method", type=click.Choice(METHOD_NAMES), default="sdsn", show_default=True,
              help="sdsn (0–100 mot optimum), u4ssc (måloppnåelse) eller oecd (avstand til 2030-verdier).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--lang", "lang", type=click.Choice(LANGS), default=None, help="Språk: nb, nn eller en.")
@click.option("--peers", is_flag=True, help="Vis sammenligningsgrupper, nærmeste naboer og hvorfor de er valgt.")
@click.option("--trends", is_flag=True, help="Vis trend mot 2030, målverdi og året målet nås for hver indikator.")
@click.option("--sensitivity", is_flag=True, help="Vis hvordan plassen endrer seg mellom metodene.")
@click.pass_context
def score(ctx: click.Context, region: str, method: str, fmt: str, lang: str | None, peers: bool, trends: bool,
          sensitivity: bool) -> None:
    """Målpanelet for en kommune eller et fylke: poeng, farge, trend, indeks, indikatorer og sammenligning."""
    chosen: Lang = "nn" if lang == "nn" else "en" if lang == "en" else "nb" if lang == "nb" else getattr(ctx.obj, "lang", "nb")
    ws = _workspace(ctx)
    result = region_scores(ws, region, chosen, method)
    sens = rank_sensitivity(ws, result.code, chosen) if sensitivity else None
    if fmt == "json":
        from fn17.web.render import jsonable

        data: dict[str, Any] = {"scores": jsonable(result)}
        if sens is not None:
            data["sensitivity"] = {"ranks": jsonable(sens.ranks), "spread": sens.spread, "sensitive": sens.sensitive}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        header, rows = indicator_rows(result, chosen, True) if trends else goal_rows(result, chosen)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
        return
    click.echo(render_text(result, chosen, peers=peers, trends=trends, sensitivity=sens))


__all__ = ["goal_rows", "indicator_rows", "render_text", "score"]
