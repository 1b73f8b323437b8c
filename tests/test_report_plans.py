"""The region's latest analysed plan in the progress report (VLR), section 5 "Politikk og
rammevilkår": in bokmål and nynorsk HTML and in the PDF (text read with pdftotext, pages
drawn with pdftoppm); and a plain sentence when no plan has been analysed."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from fn17.config import get_settings
from fn17.plans import analyze_document
from fn17.reports import build_report, render_html
from fn17.services import plans as svc
from fn17.services import reports as report_svc
from fn17.services.data import load_folder
from fn17.services.setup import initialise
from fn17.store import make_engine, migrate
from fn17.store.web_tables import plan_analyses
from fn17.workspace import Workspace
from test_actions_support import People, make_people
from test_plans_web import plan_docx, plan_pdf

DATASETS = ["ssb-07459-2023", "ssb-13502-barnehage"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture
def vlr_store(sqlite_url: str, shared_data: Path) -> Iterator[tuple[Workspace, People]]:
    engine = make_engine(sqlite_url)
    migrate(engine)
    ws = Workspace(settings=get_settings(database_url=sqlite_url, secret_key="test-secret-key-for-fn17"), engine=engine)
    initialise(ws)
    loaded = load_folder(ws, shared_data, only=DATASETS)
    assert loaded.failed == [] and len(loaded.datasets) == len(DATASETS)
    yield ws, make_people(engine)
    engine.dispose()


def _store(ws: Workspace, p: People, data: bytes, name: str, title: str, when: datetime) -> int:
    report = analyze_document(data, name, indicators=svc.indicator_catalogue, embed_budget_s=5.0)
    analysis_id = svc.store_analysis(ws, p.editor, "1508", report, title=title)
    with ws.engine.begin() as conn:
        conn.execute(update(plan_analyses).where(plan_analyses.c.id == analysis_id).values(created_at=when))
    return analysis_id


def test_report_says_plainly_when_no_plan_is_analysed(vlr_store: tuple[Workspace, People]) -> None:
    ws, p = vlr_store
    report = build_report(ws, p.editor, "1508", "nb")
    assert report.plan is None
    nb = render_html(report)
    assert "Bærekraftsmålene i planverket" in nb
    assert "Ingen plan for Ålesund er analysert i FN17 ennå." in nb and "/planer" in nb
    nn = render_html(build_report(ws, p.editor, "1508", "nn"))
    assert "Berekraftsmåla i planverket" in nn and "Ingen plan for Ålesund er analysert i FN17 enno." in nn


def test_report_uses_the_regions_latest_plan_in_bokmal_and_nynorsk(vlr_store: tuple[Workspace, People]) -> None:
    ws, p = vlr_store
    _store(ws, p, plan_docx("Gammel samfunnsdel"), "gammel.docx", "Kommuneplanens samfunnsdel 2015–2027", datetime(2023, 5, 2, tzinfo=UTC))
    newest = _store(ws, p, plan_pdf(), "planstrategi.pdf", "Planstrategi 2024–2027", datetime(2024, 11, 20, tzinfo=UTC))
    other = analyze_document(plan_docx(), "oslo.docx", method="lexicon")
    svc.store_analysis(ws, p.other_editor, "0301", other, title="Oslos plan")  # another region's plan stays out

    report = build_report(ws, p.viewer, "1508", "nb")
    plan = report.plan
    assert plan is not None and plan.analysis_id == newest and plan.title == "Planstrategi 2024–2027" and plan.pages == 5
    stored = svc.get_analysis(ws, newest).report
    assert plan.missing == list(stored.missing_goals) and 5 in plan.missing and 13 in plan.addressed
    assert len(plan.addressed) + len(plan.missing) == 17
    climate = next(g for g in plan.goals if g.number == 13)
    assert climate.pages == "s. 2" and climate.status_label in ("bred", "noe", "nevnt")

    nb = render_html(report)
    section = nb[nb.index('id="s-policy"'):nb.index('id="s-progress"')]
    assert "Den sist analyserte planen for Ålesund er «Planstrategi 2024–2027» (planstrategi.pdf), analysert 20.11.2024, 5 sider." in section
    assert f"Planen dekker {len(plan.addressed)} av de 17 bærekraftsmålene: {', '.join(map(str, plan.addressed))}." in section
    assert f"Planen omtaler ikke {len(plan.missing)} mål: {', '.join(map(str, plan.missing))}." in section
    assert "Bærekraftsmålene i planen «Planstrategi 2024–2027»" in section and "<svg" in section
    assert "Oslos plan" not in nb and "Gammel samfunnsdel" not in nb and "Kommuneplanens samfunnsdel 2015–2027" not in nb

    nn = render_html(build_report(ws, p.viewer, "1508", "nn"))
    assert "Den sist analyserte planen for Ålesund er «Planstrategi 2024–2027»" in nn
    assert f"Planen dekkjer {len(plan.addressed)} av dei 17 berekraftsmåla" in nn and "ikkje dekt" in nn


@pytest.mark.slow
def test_pdf_report_shows_the_plan(vlr_store: tuple[Workspace, People], tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed")
    ws, p = vlr_store
    _store(ws, p, plan_pdf(), "planstrategi.pdf", "Planstrategi 2024–2027", datetime(2024, 11, 20, tzinfo=UTC))
    file = report_svc.vlr(ws, p.editor, "1508", "pdf", "nb")
    pdf = tmp_path / file.filename
    pdf.write_bytes(file.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=120).stdout
    pages = [pg for pg in text.split("\f") if pg.strip()]
    flat = " ".join(text.split())
    assert "Bærekraftsmålene i planverket" in flat and "«Planstrategi 2024–2027» (planstrategi.pdf)" in flat
    assert "Planen dekker" in flat and "Planen omtaler ikke" in flat
    plan_page = next(i for i, pg in enumerate(pages) if "Bærekraftsmålene i planen" in " ".join(pg.split()))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(plan_page + 1), "-l", str(plan_page + 1), str(pdf), str(tmp_path / "side")],
                   check=True, timeout=300)
    png = next(tmp_path.glob("side-*.png"))
    from PIL import Image

    report = build_report(ws, p.editor, "1508", "nb")
    assert report.plan is not None
    wanted = {tuple(int(g.colour[i: i + 2], 16) for i in (1, 3, 5)) for g in report.plan.goals if g.passages > 0}
    counts = {rgb: n for n, rgb in Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert all(counts.get(rgb, 0) >= 20 for rgb in wanted), {rgb: counts.get(rgb, 0) for rgb in wanted}  # the chart's bars
    SCREENSHOTS.mkdir(exist_ok=True)
    shutil.copy(png, SCREENSHOTS / "vlr-plan-page.png")
