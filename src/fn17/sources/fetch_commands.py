"""``fn17 fetch``: download the SSB tables FN17's indicators need into a snapshot folder.

The lead registers the command on the CLI group (``cli.add_command(fetch)``). It plans
the queries from the indicator set, fetches them through the paced, cached HTTP layer
with a progress bar, writes the raw responses and ``manifest.json`` (see
:mod:`fn17.sources.snapshot`), and prints one line per table. ``fn17 load DIR``
rebuilds the database from such a folder without the network.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from fn17.config import get_settings
from fn17.errors import SourceError
from fn17.sources.snapshot import FetchSummary, TableRequest, fetch_snapshot, plan_fetch, ssb_client

__all__ = ["fetch", "format_summary"]

_HEADER = {
    "nb": ("tabell", "status", "deler", "celler", "regioner", "perioder", "fra buffer", "byte"),
    "en": ("table", "status", "parts", "cells", "regions", "periods", "from cache", "bytes"),
}


def _lang(ctx: click.Context) -> str:
    lang = getattr(ctx.obj, "lang", None) or get_settings().lang
    return "en" if lang == "en" else "nb"


def format_summary(summary: FetchSummary, lang: str = "nb") -> list[str]:
    """The per-table summary as aligned text lines (failures with their message after the table)."""
    header = _HEADER["en" if lang == "en" else "nb"]
    rows = [
        (t.label, t.status, str(t.parts), f"{t.cells:,}".replace(",", " "), str(t.regions), t.period_range(),
         str(t.from_cache), f"{t.bytes:,}".replace(",", " "))
        for t in summary.tables
    ]  # fmt: skip
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    for t in summary.failed:
        lines.append(f"{t.label}: {t.message_en if lang == 'en' else t.message}")
    return lines


def _show(request: TableRequest | None) -> str | None:
    return request.table if request is not None else None


@click.command("fetch")
@click.option(
    "--to",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Mappen øyeblikksbildet skrives til (standard: $FN17_HOME/snapshots/ssb-TIDSPUNKT).",
)
@click.option(
    "--table",
    "tables",
    multiple=True,
    metavar="ID",
    help="Hent bare denne SSB-tabellen (kan gjentas), f.eks. --table 07459.",
)
@click.option(
    "--indicators",
    "indicator_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="En annen indikatorfil enn FN17s egen.",
)
@click.option("--refresh", is_flag=True, help="Hent på nytt selv om svaret ligger i hurtigbufferen.")
@click.option("--offline/--online", default=None, help="Bruk bare hurtigbufferen (standard: FN17_OFFLINE).")
@click.pass_context
def fetch(
    ctx: click.Context,
    directory: Path | None,
    tables: tuple[str, ...],
    indicator_file: Path | None,
    refresh: bool,
    offline: bool | None,
) -> None:
    """Hent SSB-tabellene FN17s indikatorer trenger til et øyeblikksbilde (rå svar + manifest)."""
    lang = _lang(ctx)
    settings = get_settings()
    plan = plan_fetch(tables=tables or None, indicator_file=indicator_file)
    target = directory or settings.home / "snapshots" / f"ssb-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    client = ssb_client(settings, offline=offline)
    label = "Henter fra SSB" if lang == "nb" else "Fetching from SSB"
    with (
        client.http,
        click.progressbar(plan, label=label, file=sys.stderr, item_show_func=_show) as bar,
    ):
        summary = fetch_snapshot(bar, client, target, refresh=refresh)
    for line in format_summary(summary, lang):
        click.echo(line)
    click.echo(("Snapshot: " if lang == "en" else "Øyeblikksbilde: ") + str(summary.directory))
    if not summary.ok:
        failed = ", ".join(t.table for t in summary.failed)
        raise SourceError(
            f"{len(summary.failed)} av {len(summary.tables)} tabeller kunne ikke hentes: {failed}.",
            message_en=f"{len(summary.failed)} of {len(summary.tables)} tables could not be fetched: {failed}.",
            hint="Se meldingene over; resten er lagret i øyeblikksbildet.",
            hint_en="See the messages above; the rest is saved in the snapshot.",
            details={"failed": [t.table for t in summary.failed], "directory": str(summary.directory)},
        )
