"""CLI commands for data in and out: ``fn17 load``, ``fn17 query`` and ``fn17 data …``.

Thin shells: each parses its options, calls one service in :mod:`fn17.services.data` or
:mod:`fn17.sources.owndata`, and prints. The lead registers them on the ``fn17`` group
(``cli.add_command(load)``, ``cli.add_command(query)``, ``cli.add_command(data)``); they use
the group's context object (``obj.workspace()``, ``obj.lang``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Protocol

import click

from fn17.config import Lang
from fn17.errors import InvalidInputError
from fn17.i18n import fmt_number


class _Obj(Protocol):
    lang: Any

    def workspace(self, create: bool = False) -> Any: ...


def _en(obj: _Obj) -> bool:
    return bool(obj.lang == "en")


def progress_printer(en: bool) -> Any:
    seen: set[str] = set()

    def report(name: str, done: int, total: int) -> None:
        if name not in seen:
            seen.add(name)
            click.echo(f"  … {name}", err=True)

    return report


def summary_lines(d: Any, en: bool) -> list[str]:
    lang: Lang = "en" if en else "nb"
    periods = d.periods
    span = f"{periods[0]}–{periods[-1]}" if len(periods) > 1 else (periods[0] if periods else "–")
    head = (
        f"{d.dataset}: {fmt_number(d.written, lang)} {'rows' if en else 'rader'} "
        f"({fmt_number(d.derived, lang)} {'derived' if en else 'avledet'}), "
        f"{d.regions} {'regions' if en else 'regioner'}, {len(periods)} {'periods' if en else 'perioder'} ({span}), "
        f"{fmt_number(d.seconds, lang, 1)} s"
    )
    lines = [head]
    if d.gaps:
        shown = "; ".join(f"{g['region']} {g['name']} {g['periods']}" for g in d.gaps[:8])
        more = f" (+{len(d.gaps) - 8})" if len(d.gaps) > 8 else ""
        lines.append(f"  {'gaps' if en else 'hull'}: {shown}{more}")
    if d.incomplete:
        lines.append(
            f"  {'incomplete mergers' if en else 'ufullstendige sammenslåinger'}: {len(d.incomplete)} "
            f"({', '.join(sorted({i['region'] for i in d.incomplete})[:8])})"
        )
    if d.unknown_codes:
        shown = ", ".join(
            f"{c}{'' if v['label'] == c else ' ' + v['label'].removeprefix(c).strip()} ({', '.join(v['periods'][:3])})"
            for c, v in list(d.unknown_codes.items())[:6]
        )
        lines.append(
            f"  {'codes not in the register' if en else 'koder som ikke finnes i registeret'}: {shown}"
            + (f" (+{len(d.unknown_codes) - 6})" if len(d.unknown_codes) > 6 else "")
        )
    if d.unknown_labels:
        shown = ", ".join(list(d.unknown_labels)[:6])
        lines.append(f"  {'unrecognised regions' if en else 'ukjente regioner'}: {shown}")
    if d.problems:
        p = d.problems[0]
        lines.append(
            f"  {'unreadable cells' if en else 'uleselige celler'}: {len(d.problems)} "
            f"({p['file']} {'row' if en else 'rad'} {p['row']}, {p['column']}: {p['message_en' if en else 'message']})"
        )
    return lines


def print_report(report: Any, en: bool) -> None:
    """The per-dataset summary of a ``LoadReport``: datasets, the taxonomy, the map, failures."""
    for d in report.datasets:
        for line in summary_lines(d, en):
            click.echo(line)
    if report.taxonomy:
        t = report.taxonomy
        click.echo(
            f"ks-taxonomy: {fmt_number(t['indicators'])} {'indicators in' if en else 'indikatorer i'} {t['sets']} "
            f"{'sets' if en else 'sett'}, {fmt_number(t['seconds'], 'en' if en else 'nb', 1)} s"
        )
    for level in (report.geometries or {}).get("levels", []):
        click.echo(
            f"geo {level['level']}: {level['regions']} {'regions' if en else 'regioner'}, "
            f"{fmt_number(level['path_bytes'] / 1024, 'en' if en else 'nb', 0)} KB {'of map' if en else 'kart'}"
        )
    for f in report.failed:
        click.echo(f"{'FAILED' if en else 'FEILET'} {f['dataset']}: {f['message_en' if en else 'message']}", err=True)


@click.command("load")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--only", multiple=True, metavar="DATASETT", help="Bare disse datasettene (oppskrifts-id, f.eks. ssb-07459-2023)."
)
@click.option("--user", default=None, help="Hvem som importerer (logges).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def load(obj: _Obj, folder: Path | None, only: tuple[str, ...], user: str | None, fmt: str) -> None:
    """Les inn alle datasett i MAPPE: ../shared/data, filer lastet ned fra kildene, eller et
    øyeblikksbilde fra fn17 fetch. Uten MAPPE: FN17_DATA, ellers ../shared/data."""
    from fn17.services.data import load_folder

    ws = obj.workspace(create=True)
    en = _en(obj)
    folder = folder or ws.settings.data_dir
    if folder is None:
        raise InvalidInputError(
            "Oppgi en mappe: fn17 load MAPPE (eller sett FN17_DATA).",
            message_en="Give a folder: fn17 load FOLDER (or set FN17_DATA).",
        )
    click.echo(f"{'Loading' if en else 'Leser inn'} {folder}", err=True)
    report = load_folder(ws, folder, only=list(only) or None, user=user, progress=progress_printer(en))
    if fmt == "json":
        import json

        from fn17.web.render import jsonable

        click.echo(json.dumps(jsonable(report), ensure_ascii=False, indent=2))
        return
    print_report(report, en)
    click.echo(
        f"{'Total' if en else 'I alt'}: {fmt_number(report.rows, 'en' if en else 'nb')} "
        f"{'rows' if en else 'rader'}, {len(report.datasets)} {'datasets' if en else 'datasett'}, "
        f"{fmt_number(report.seconds, 'en' if en else 'nb', 1)} s"
    )
    if report.failed:
        sys.exit(1)


@click.command("query")
@click.option("--source", multiple=True, help="Kilde, f.eks. ssb:07459 (kan gjentas).")
@click.option("--indicator", multiple=True, help="Indikator-id (kan gjentas).")
@click.option("--region", multiple=True, help="Kommune- eller fylkesnummer (kan gjentas).")
@click.option("--period", multiple=True, help="Periode, f.eks. 2023 (kan gjentas).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.pass_obj
def query(
    obj: _Obj,
    source: tuple[str, ...],
    indicator: tuple[str, ...],
    region: tuple[str, ...],
    period: tuple[str, ...],
    fmt: str,
) -> None:
    """Vis lagrede observasjoner, én rad per celle, med inndelingene som kolonner."""
    from fn17.cli import emit
    from fn17.services.data import query as run

    result = run(
        obj.workspace(),
        source=list(source) or None,
        indicator=list(indicator) or None,
        region=list(region) or None,
        period=list(period) or None,
    )
    if fmt == "json":
        emit([], [], "json", data=result.records())
        return
    emit(result.rows(), result.header(), fmt)


@click.group("data")
def data() -> None:
    """Kommunens egne data: mal og opplasting."""


@data.command("template")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--indicator", "indicators", multiple=True, required=True, help="Indikator-id (kan gjentas).")
@click.option("--region", "regions", multiple=True, required=True, help="Kommunenummer (kan gjentas).")
@click.option("--period", "periods", multiple=True, required=True, help="Periode, f.eks. 2024 (kan gjentas).")
@click.option("--layout", type=click.Choice(["fn17", "u4ssc"]), default="fn17")
@click.pass_obj
def template(
    obj: _Obj,
    output: Path,
    indicators: tuple[str, ...],
    regions: tuple[str, ...],
    periods: tuple[str, ...],
    layout: str,
) -> None:
    """Lag en Excel-mal for kommunens egne tall."""
    from fn17.sources.owndata import write_template

    path = write_template(obj.workspace(), output, list(indicators), list(regions), list(periods), layout=layout)
    click.echo(str(path))


@data.command("upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", required=True, help="Hvem som laster opp (logges).")
@click.option("--layout", type=click.Choice(["fn17", "u4ssc"]), default=None, help="Standard: gjenkjennes fra filen.")
@click.pass_obj
def upload(obj: _Obj, file: Path, user: str, layout: str | None) -> None:
    """Last opp kommunens egne tall (CSV eller Excel); alt eller ingenting skrives."""
    from fn17.sources.owndata import import_upload

    result = import_upload(obj.workspace(), file, user=user, layout=layout)
    en = _en(obj)
    click.echo(
        f"{result.rows} {'rows written' if en else 'rader skrevet'} ({result.source}, import {result.import_id})"
    )


__all__ = ["data", "load", "query"]
