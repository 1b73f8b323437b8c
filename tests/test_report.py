"""The progress report (VLR): built from a store with real public data (read through FN17's
own importers from ../shared/data), rendered to HTML and to PDF; the PDF is turned into PNG
pages with pdftoppm and its text read with pdftotext."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from fn17.actions import assessment as self_assessment
from fn17.actions.actor import ANONYMOUS
from fn17.cli import cli
from fn17.config import get_settings
from fn17.errors import AuthenticationError, ConflictError, PermissionDeniedError
from fn17.reports import build_report, render_html
from fn17.reports.scores import load_scores
from fn17.services import actions as svc
from fn17.services import reports as report_svc
from fn17.services.data import load_folder
from fn17.services.setup import initialise
from fn17.workspace import Workspace
from test_actions_support import People, make_people

DATASETS = ["ssb-07459-2023", "ssb-13502-barnehage", "imdi-vedvarende-lavinntekt", "fhi-vaksinasjon-b2020"]
SECTIONS_NB = ["Åpningserklæring", "Høydepunkter", "Innledning og lokal kontekst", "Metode og prosess",
               "Politikk og rammevilkår", "Framgang på mål og delmål", "Gjennomføringsmidler og partnerskap",
               "Utfordringer og neste steg", "Statistisk vedlegg"]
SECTIONS_NN = ["Opningsfråsegn", "Høgdepunkt", "Innleiing og lokal kontekst", "Metode og prosess", "Politikk og rammevilkår",
               "Framgang på mål og delmål", "Gjennomføringsmiddel og partnarskap", "Utfordringar og neste steg",
               "Statistisk vedlegg"]
ALL_ANSWERS = {q.id: 1 for q in self_assessment.load_questionnaire().questions}


def fill_register(ws: Workspace, p: People) -> None:
    """What an editor in Ålesund records: two local targets, three measures with partners, two yearly assessments."""
    kid = svc.save_target(ws, p.editor, "1508", {
        "title": "Alle barn som ønsker det, har barnehageplass", "sdg_targets": "4.2", "indicator_id_1": "barnehagedekning_1_2_aar",
        "target_value_1": "95", "target_year_1": "2030", "plan_name": "Kommuneplanens samfunnsdel 2021–2033",
        "plan_reference": "Mål 2.1", "adopted_year": "2021", "published": "ja"}, None)
    poor = svc.save_target(ws, p.editor, "1508", {
        "title": "Færre familier med vedvarende lavinntekt", "sdg_targets": "1.2, 10.2", "indicator_id_1": "vedvarende_lavinntekt",
        "target_value_1": "5,0", "target_year_1": "2030", "plan_name": "Kommuneplanens samfunnsdel 2021–2033", "adopted_year": "2021",
        "published": "ja"}, None)
    gc = svc.save_partner(ws, p.editor, "1508", {"name": "Tafjord Kraft", "kind": "privat", "global_compact": "ja", "published": "ja"}, None)
    svc.save_measure(ws, p.editor, "1508", {"title": "Utvidet åpningstid i barnehagene", "responsible_unit": "Oppvekst",
                                            "start_year": "2024", "end_year": "2026", "budget_nok": "2 400 000", "status": "pågår",
                                            "local_target_ids": [str(kid)], "published": "ja",
                                            "new_partner_name": "NTNU i Ålesund", "new_partner_kind": "forskning"}, None)
    svc.save_measure(ws, p.editor, "1508", {"title": "Gratis kjernetid for lavinntektsfamilier", "responsible_unit": "Helse og velferd",
                                            "start_year": "2025", "budget_nok": "900000", "status": "planlagt",
                                            "local_target_ids": [str(poor), str(kid)], "partner_ids": [str(gc)], "published": "ja"}, None)
    svc.save_measure(ws, p.editor, "1508", {"title": "Jobbsjansen", "sdg_goals": ["8", "10"], "local_target_ids": [str(poor)],
                                            "status": "pågår", "published": "ja", "new_partner_name": "Kirkens Bymisjon",
                                            "new_partner_kind": "frivillig"}, None)
    svc.save_measure(ws, p.editor, "1508", {"title": "Utkast som ikke skal med", "budget_nok": "1"}, None)
    svc.save_assessment(ws, p.editor, "1508", 2024, {**{f"q:{k}": "1" for k in ALL_ANSWERS}, "complete": "ja"})
    svc.save_assessment(ws, p.editor, "1508", 2025, {**{f"q:{k}": "2" for k in ALL_ANSWERS}, "q:partnerships.business": "3",
                                                      "complete": "ja"})
    from fn17.reports.texts import save_texts

    save_texts(ws.engine, p.editor, "1508", {"text:opening": "Ålesund vil være et godt sted å vokse opp.\n\nVi måler det vi gjør.",
                                             "text:challenges": "Barnefattigdom er vår største utfordring."})


@pytest.fixture
def report_store(sqlite_url: str, shared_data: Path) -> Iterator[tuple[Workspace, People]]:
    from fn17.store import make_engine, migrate

    engine: Engine = make_engine(sqlite_url)
    migrate(engine)
    ws = Workspace(settings=get_settings(database_url=sqlite_url, secret_key="test-secret-key-for-fn17"), engine=engine)
    initialise(ws)
    loaded = load_folder(ws, shared_data, only=DATASETS)
    assert loaded.failed == [] and len(loaded.datasets) == len(DATASETS)
    people = make_people(engine)
    fill_register(ws, people)
    yield ws, people
    engine.dispose()


def test_report_content_matches_the_scores_and_the_register(report_store: tuple[Workspace, People]) -> None:
    ws, p = report_store
    report = build_report(ws, p.editor, "1508", "nb")
    scores = load_scores(ws, "1508", "nb")
    assert [s.title for s in report.sections] == [
        "Åpningserklæring", "Høydepunkter", "Innledning og lokal kontekst", "Metode og prosess",
        "Politikk og rammevilkår: bærekraftsmålene i planer og budsjett", "Framgang på mål og delmål",
        "Gjennomføringsmidler og partnerskap", "Utfordringer og neste steg", "Statistisk vedlegg"]
    # the goal scores are the dashboards' scores, goal by goal
    assert {g.number: g.score for g in report.goals if g.score is not None} == {g.goal: g.score for g in scores.goals if g.score is not None}
    kindergarten = next(i for i in scores.indicators if i.id == "barnehagedekning_1_2_aar")
    assert kindergarten.value == pytest.approx(90.2) and kindergarten.period == "2023" and kindergarten.source_table == "13502"
    row = next(a for a in report.annex if a.indicator_id == "barnehagedekning_1_2_aar")
    assert (row.value, row.period, row.source_table) == (kindergarten.value, "2023", "13502") and row.retrieved_at is not None
    # published records only; drafts stay out
    assert [m.title for m in report.measures] == ["Utvidet åpningstid i barnehagene", "Gratis kjernetid for lavinntektsfamilier", "Jobbsjansen"]
    assert report.budget_total == 3_300_000.0 and report.global_compact == 1
    assert report.partner_kinds == {"public": 0, "private": 1, "voluntary": 1, "research": 1}
    lt = report.local_targets[0]
    assert lt.indicators[0].target_value == 95.0 and lt.indicators[0].latest_value == pytest.approx(90.2)
    assert lt.measures == ["Utvidet åpningstid i barnehagene", "Gratis kjernetid for lavinntektsfamilier"]
    assert report.assessment is not None and report.assessment.year == 2025 and report.assessment.previous_year == 2024
    assert report.assessment.overall_change is not None and report.assessment.overall_change > 30
    assert any("Mål 6" in s.text and "vurder" in s.text for s in report.steps)
    assert report.section("opening").paragraphs == [["Ålesund vil være et godt sted å vokse opp."], ["Vi måler det vi gjør."]]
    assert set(report.charts) == {"goals", "assessment", "measures", "partners"}
    with_drafts = build_report(ws, p.editor, "1508", "nb", include_drafts=True)
    assert "Utkast som ikke skal med" in [m.title for m in with_drafts.measures]


def test_report_is_private_to_the_regions_roles(report_store: tuple[Workspace, People]) -> None:
    ws, p = report_store
    with pytest.raises(AuthenticationError):
        build_report(ws, ANONYMOUS, "1508")
    with pytest.raises(PermissionDeniedError):
        build_report(ws, p.other_editor, "1508")
    assert build_report(ws, p.viewer, "1508").region.name == "Ålesund"


def test_html_report_in_nynorsk(report_store: tuple[Workspace, People]) -> None:
    ws, p = report_store
    html = render_html(build_report(ws, p.editor, "1508", "nn"))
    assert '<html lang="nn">' in html
    for title in SECTIONS_NN:
        assert title in html
    assert html.count("<svg") >= 4 + 2  # four charts and one series per local target indicator
    assert "Frivillig lokal gjennomgang" in html and "Alle barn som ønsker det, har barnehageplass" in html
    assert "Kommuneplanens samfunnsdel 2021–2033" in html


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=120).stdout


@pytest.mark.slow
def test_pdf_report_pages_sections_and_charts(report_store: tuple[Workspace, People], tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed")
    ws, p = report_store
    file = report_svc.vlr(ws, p.editor, "1508", "pdf", "nb")
    assert file.filename.startswith("vlr-1508-") and file.filename.endswith("-nb.pdf") and file.content.startswith(b"%PDF")
    pdf = tmp_path / file.filename
    pdf.write_bytes(file.content)
    text = _pdftotext(pdf)
    pages = text.split("\f")
    pages = [pg for pg in pages if pg.strip()]
    assert 8 <= len(pages) <= 20, len(pages)
    for title in SECTIONS_NB:
        assert title in text, title
    # the table of contents gives page numbers, and sections start where it says
    toc = re.findall(r"Statistisk vedlegg\s*\.*\s*(\d+)", pages[1])
    assert toc and "Statistisk vedlegg" in pages[int(toc[0]) - 1]
    assert "Ålesund vil være et godt sted å vokse opp." in text and "Barnefattigdom er vår største utfordring." in text
    assert "Poeng per bærekraftsmål, Ålesund" in text  # the goal chart's title is real text in the PDF
    assert "Egenvurdering 2025 (stiplet: forrige år)" in text
    assert "13502" in text and "90,2" in text
    assert "Utkast som ikke skal med" not in text
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "side")], check=True, timeout=300)
    pngs = sorted(tmp_path.glob("side-*.png"))
    assert len(pngs) == len(pages)
    # the page with the goal chart is drawn in the scored goals' SDG colours
    from PIL import Image

    report = build_report(ws, p.editor, "1508", "nb")
    wanted = {tuple(int(g.sdg_colour[i : i + 2], 16) for i in (1, 3, 5)) for g in report.goals if g.score is not None}
    assert len(wanted) >= 3
    chart_page = next(i for i, pg in enumerate(pages) if "Poeng per bærekraftsmål" in pg)
    counts = {rgb: n for n, rgb in Image.open(pngs[chart_page]).convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert all(counts.get(rgb, 0) >= 20 for rgb in wanted), {rgb: counts.get(rgb, 0) for rgb in wanted}
    keep = os.environ.get("FN17_TEST_ARTIFACTS")
    if keep:  # to look at the pages: FN17_TEST_ARTIFACTS=/tmp/vlr pytest tests/test_report.py
        Path(keep).mkdir(parents=True, exist_ok=True)
        for png in pngs:
            shutil.copy(png, Path(keep) / png.name)


def test_report_command(report_store: tuple[Workspace, People], sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FN17_DATABASE_URL", sqlite_url)
    out = tmp_path / "vlr.html"
    result = CliRunner().invoke(cli, ["report", "--region", "1508", "--format", "html", "--output", str(out), "--lang", "nn"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Skrev {out}")
    html = out.read_text(encoding="utf-8")
    assert "Opningsfråsegn" in html and "Statistisk vedlegg" in html
    bad = CliRunner().invoke(cli, ["report", "--region", "1507", "--format", "pdf", "--output", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0 and "1508" in str(bad.exception)


def test_editors_write_their_own_text_and_conflicts_are_caught(report_store: tuple[Workspace, People]) -> None:
    ws, p = report_store
    page = report_svc.report_page(ws, p.editor, "1508")
    opening = next(s for s in page.sections if s.id == "opening")
    assert opening.version == 1 and opening.updated_by == "redaktor"
    report_svc.save_report_texts(ws, p.admin, "1508", {"text:opening": "Ny hilsen.", "version:opening": "1"})
    with pytest.raises(ConflictError):
        report_svc.save_report_texts(ws, p.editor, "1508", {"text:opening": "Min hilsen.", "version:opening": "1"})
