"""The ``fn17`` command line: each command parses its options, calls one service, prints.

Errors from the one exception tree print as ``feil: <message>`` (``error:`` in English)
on standard error, with the error's exit code; ``--format json`` prints the same
error shape as the web API.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from fn17 import __version__
from fn17.config import LANGS, Lang, get_settings
from fn17.errors import Fn17Error, InvalidInputError
from fn17.web.render import jsonable
from fn17.workspace import Workspace, open_workspace

FORMATS = click.Choice(["table", "json", "csv"])


class Ctx:
    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self._ws: Workspace | None = None

    def workspace(self, create: bool = False) -> Workspace:
        if self._ws is None:
            self._ws = open_workspace(get_settings(), create=create)
        return self._ws


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            from datetime import datetime

            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InvalidInputError(
        f"Datoen {value!r} forstås ikke; skriv den som 2023-06-01 eller 01.06.2023.",
        message_en=f"Cannot read the date {value!r}; write it as 2023-06-01 or 01.06.2023.",
    )


def emit(rows: Sequence[Sequence[Any]], header: Sequence[str], fmt: str, data: Any = None) -> None:
    """Print a table as aligned text, CSV, or (with ``data``) JSON."""
    if fmt == "json":
        click.echo(json.dumps(jsonable(data if data is not None else [dict(zip(header, r, strict=False)) for r in rows]), ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
        return
    cells = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fn17")
@click.option("--lang", type=click.Choice(LANGS), default=None, help="Språk for tekster og meldinger (nb, nn, en).")
@click.pass_context
def cli(ctx: click.Context, lang: str | None) -> None:
    """FN17: bærekraftsmålene i norske kommuner og fylker."""
    ctx.obj = Ctx(lang or get_settings().lang)  # type: ignore[arg-type]


@cli.command()
@click.option("--load-demo", is_flag=True,
              help="Les også inn datamappen (FN17_DATA, ellers ../shared/data) når databasen ikke har data ennå.")
@click.pass_obj
def init(obj: Ctx, load_demo: bool) -> None:
    """Opprett eller oppgrader databasen og legg inn FN-rammeverket og kommuneregisteret."""
    from fn17.services.setup import initialise

    ws = obj.workspace(create=True)
    counts = initialise(ws)
    url = ws.engine.url.render_as_string(hide_password=True)
    en = obj.lang == "en"
    if en:
        click.echo(f"Database ready: {url} ({counts['framework_items']} framework entries, {counts['regions']} region periods)")
    else:
        click.echo(f"Databasen er klar: {url} ({counts['framework_items']} rammeverkoppføringer, {counts['regions']} regionperioder)")
    if load_demo:
        _load_demo(ws, en)


def _load_demo(ws: Workspace, en: bool) -> None:
    """Load the data folder once: skipped when the store already holds a finished import."""
    from sqlalchemy import func, select

    from fn17.services.data import load_folder
    from fn17.sources.data_commands import print_report, progress_printer
    from fn17.store.tables import import_log

    folder = ws.settings.data_dir
    if folder is None or not Path(folder).is_dir():
        click.echo("No data folder (set FN17_DATA); starting without data." if en
                   else "Fant ingen datamappe (sett FN17_DATA); starter uten data.", err=True)
        return
    with ws.engine.connect() as conn:
        done = conn.execute(select(func.count()).select_from(import_log).where(import_log.c.status == "ok")).scalar_one()
    if done:
        click.echo(f"The store already holds {done} imports; not loading {folder} again (use fn17 load to refresh)." if en
                   else f"Databasen har allerede {done} importer; leser ikke inn {folder} på nytt (bruk fn17 load for å oppdatere).")
        return
    click.echo(f"{'Loading' if en else 'Leser inn'} {folder}", err=True)
    print_report(load_folder(ws, folder, progress=progress_printer(en)), en)


@cli.command()
@click.argument("query", required=False)
@click.option("--at", "at", help="Dato (2023-06-01): regionen slik den var da.")
@click.option("--kind", type=click.Choice(["kommune", "fylke"]), default=None, help="Bare kommuner eller fylker.")
@click.option("--format", "fmt", type=FORMATS, default="table")
@click.pass_obj
def regions(obj: Ctx, query: str | None, at: str | None, kind: str | None, fmt: str) -> None:
    """Slå opp en kommune eller et fylke (nummer eller navn), eller list alle på en dato."""
    from fn17.services import regions as svc

    ws = obj.workspace()
    when = _parse_date(at)
    if query and query.isdigit():
        info = svc.lookup(ws, query, when, obj.lang)
        if fmt != "table":
            emit([], [], "json", data=info)
            return
        click.echo(info.summary)
        for line in info.history_lines:
            click.echo(f"  {line}")
        return
    rows = svc.search(ws, query, when, kind, obj.lang) if query else svc.listing(ws, when, kind, obj.lang)
    header = ["kode", "navn", "type", "fylke", "gyldig_fra", "gyldig_til"] if obj.lang != "en" else ["code", "name", "kind", "county", "valid_from", "valid_to"]
    emit([[r.code, r.name, r.kind, r.county_code, r.valid_from, r.valid_to] for r in rows], header, fmt)


@cli.command()
@click.argument("goal", required=False)
@click.option("--format", "fmt", type=FORMATS, default="table")
@click.pass_obj
def goals(obj: Ctx, goal: str | None, fmt: str) -> None:
    """Vis de 17 bærekraftsmålene, eller delmålene til ett mål med kommunal relevans."""
    from fn17.services import frameworks as svc

    ws = obj.workspace()
    if goal is None:
        page = svc.home(ws, obj.lang)
        emit([[g.number, g.name, g.n_targets] for g in page.goals], ["mål" if obj.lang != "en" else "goal", "navn" if obj.lang != "en" else "name", "delmål" if obj.lang != "en" else "targets"], fmt, data=page if fmt == "json" else None)
        return
    gp = svc.goal_page(ws, goal, obj.lang)
    if fmt == "table":
        click.echo(f"{gp.goal.number}. {gp.goal.name}")
    header, rows = gp.table()
    emit(rows, header, fmt, data=gp if fmt == "json" else None)


@cli.group()
def frameworks() -> None:
    """Rammeverk: SDG, U4SSC, KS-taksonomien, FN17s eget indikatorsett."""


@frameworks.command("import-texts")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--lang", "text_lang", required=True, help="Språket i filene: en eller nb.")
@click.pass_obj
def import_texts(obj: Ctx, folder: Path, text_lang: str) -> None:
    """Les inn de fullstendige offisielle tekstene fra en mappe i open-sdg-formatet."""
    from fn17.services.frameworks import import_official_texts

    counts = import_official_texts(obj.workspace(), folder, text_lang)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8017, show_default=True, type=int)
@click.pass_obj
def serve(obj: Ctx, host: str, port: int) -> None:
    """Start webappen (http://127.0.0.1:8017/ som standard)."""
    import uvicorn

    from fn17.web.app import create_app

    app = create_app(workspace=obj.workspace())
    click.echo(f"FN17 svarer på http://{host}:{port}/" if obj.lang != "en" else f"FN17 is serving http://{host}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: runs the CLI and turns FN17 errors into a clean message and exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    lang = "en" if "--lang" in args and args[args.index("--lang") + 1 : args.index("--lang") + 2] == ["en"] else "nb"
    try:
        cli.main(args=args, prog_name="fn17", standalone_mode=False)
    except Fn17Error as err:
        if "--format" in args and "json" in args:
            click.echo(json.dumps(err.to_dict(lang), ensure_ascii=False), err=True)
        else:
            click.echo(f"{'error' if lang == 'en' else 'feil'}: {err.text(lang)}", err=True)
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo("avbrutt" if lang != "en" else "aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


from fn17.actions.commands import report as _report_command  # noqa: E402
from fn17.actions.commands import users as _users_command  # noqa: E402
from fn17.plans.commands import plans as _plans_command  # noqa: E402
from fn17.services.score_commands import score as _score_command  # noqa: E402
from fn17.sources.data_commands import data as _data_command  # noqa: E402
from fn17.sources.data_commands import load as _load_command  # noqa: E402
from fn17.sources.data_commands import query as _query_command  # noqa: E402
from fn17.sources.fetch_commands import fetch as _fetch_command  # noqa: E402

for _command in (_users_command, _report_command, _plans_command, _data_command, _load_command, _query_command,
                 _fetch_command, _score_command):
    cli.add_command(_command)
