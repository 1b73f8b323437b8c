"""``fn17 plans …``: analyse a plan document, or classify JSON Lines texts into SDGs.

Registered with ``cli.add_command(plans)``. Both commands are thin: parse options, call
:func:`fn17.plans.analyze_document` or the classifier, format the result. FN17 errors propagate
to ``fn17.cli.main``, which prints them in the user's language with FN17's exit codes.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from fn17.errors import InvalidInputError
from fn17.plans._i18n import Lang
from fn17.plans.calibration import METHODS, Method
from fn17.plans.classify import default_classifier
from fn17.plans.limits import DEFAULT_EMBED_BUDGET_S
from fn17.plans.render import render_html, render_json, render_table
from fn17.plans.service import analyze_document

# A 100-page plan has ~850 passages; embedding them all takes minutes on two shared cores.
STAGES = {"extract": ("leser dokumentet", "reading the document"), "segment": ("deler opp i avsnitt", "segmenting"),
          "classify": ("klassifiserer", "classifying"),
          "report": ("lager rapport", "building the report")}


def _default_lang() -> str:
    value = os.environ.get("FN17_LANG", "nb")
    return value if value in ("nb", "nn", "en") else "nb"


@click.group("plans")
def plans() -> None:
    """Planlesing: hvilke bærekraftsmål og delmål en plan dekker (plan analysis)."""


@plans.command("analyze")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True,
              help="Utformat / output format.")
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), default=None,
              help="Språk i rapporten (standard: FN17_LANG eller nb) / report language.")
@click.option("--method", type=click.Choice(METHODS), default="combined", show_default=True,
              help="lexicon, embedding eller combined.")
@click.option("--budget", type=click.FloatRange(min=0), default=DEFAULT_EMBED_BUDGET_S, show_default=True,
              help="Høyst så mange sekunder med språkmodellen; resten får leksikonmodellen / "
                   "at most this many seconds of language model; the rest gets the lexicon model.")
@click.option("--full", is_flag=True, help="Vurder alle avsnitt med språkmodellen / embed every passage (slow).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Skriv rapporten til fil / write the report to a file.")
def analyze(
    file: Path, fmt: str, lang: str | None, method: str, budget: float, full: bool, output: Path | None
) -> None:
    """Analyser en plan (PDF, DOCX, HTML, Markdown, tekst) / analyse a plan document."""
    language: Lang = (lang or _default_lang())  # type: ignore[assignment]
    show = sys.stderr.isatty()

    def progress(done: int, total: int, stage: str) -> None:
        if show:
            label = STAGES.get(stage, (stage, stage))[1 if language == "en" else 0]
            sys.stderr.write(f"\r{label} {done}/{total}   ")
            sys.stderr.flush()

    try:
        report = analyze_document(file, progress=progress, method=_method(method), embed_budget_s=None if full else budget)
    finally:
        if show:
            sys.stderr.write("\r" + " " * 40 + "\r")
    if fmt == "json":
        text = render_json(report)
    elif fmt == "html":
        text = render_html(report, language)
    else:
        text = render_table(report, language)
    if output is not None:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _method(value: str) -> Method:
    for m in METHODS:
        if m == value:
            return m
    raise InvalidInputError(f"Ukjent metode «{value}».", message_en=f"Unknown method '{value}'.")


def _records(stream: IO[str], name: str) -> Iterator[tuple[int, Any, str]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(
                f"{name}, linje {number}: ikke gyldig JSON ({exc.msg}).",
                message_en=f"{name}, line {number}: not valid JSON ({exc.msg}).",
                hint='Hver linje skal være et JSON-objekt som {"id": 1, "text": "…"}.',
                hint_en='Each line must be a JSON object such as {"id": 1, "text": "…"}.',
                details={"line": number},
            ) from exc
        if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
            raise InvalidInputError(
                f"{name}, linje {number}: mangler «id» eller tekstfeltet «text».",
                message_en=f"{name}, line {number}: lacks 'id' or the string field 'text'.",
                hint='Hver linje skal være et JSON-objekt som {"id": 1, "text": "…"}.',
                hint_en='Each line must be a JSON object such as {"id": 1, "text": "…"}.',
                details={"line": number},
            )
        yield number, record["id"], record["text"]


@plans.command("classify")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--method", type=click.Choice(METHODS), default="combined", show_default=True)
@click.option("--evidence", is_flag=True, help="Ta med belegg og delmål / include evidence and targets.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=64, show_default=True)
def classify(file: IO[str], method: str, evidence: bool, batch_size: int) -> None:
    """Klassifiser JSON Lines {"id", "text"} fra fil eller stdin; skriv {"id", "sdgs", "scores"} per linje.

    Classify JSON Lines {"id", "text"} from a file or standard input into SDGs, one output line per input.
    """
    name = getattr(file, "name", "-")
    name = "stdin" if name in ("-", "<stdin>") else name
    clf = default_classifier()
    m = _method(method)
    batch: list[tuple[Any, str]] = []

    def flush() -> None:
        if not batch:
            return
        predictions = clf.predict([text for _, text in batch], method=m)
        for (rid, _), pred in zip(batch, predictions, strict=True):
            out = {"id": rid, **pred.to_dict(evidence=evidence)}
            click.echo(json.dumps(out, ensure_ascii=False))
        batch.clear()

    for _, rid, text in _records(file, name):
        batch.append((rid, text))
        if len(batch) >= batch_size:
            flush()
    flush()
