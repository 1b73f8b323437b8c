"""The whole path a new editor takes, in a real headless Chromium (Debian's, through Playwright):
log in, set two local targets, add three measures with partners, complete the
self-assessment, and download the Norwegian VLR as PDF, whose numbers match the scores."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fn17.actions import auth
from fn17.actions.actor import command_line_actor
from fn17.actions.assessment import load_questionnaire
from fn17.i18n import fmt_number
from fn17.reports.scores import load_scores
from fn17.services import actions as svc
from fn17.workspace import Workspace
from test_actions_support import PASSWORD
from test_report import DATASETS
from webtools import build_store, live_server, open_store

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path: Path, shared_data: Path) -> Iterator[tuple[str, Workspace]]:
    """FN17 served live (``webtools.live_server``) on a temporary SQLite store with the report's datasets and one editor."""
    path = tmp_path / "fn17.sqlite"
    build_store(path, shared_data, only=DATASETS)
    ws = open_store(path)
    try:
        cli = command_line_actor()
        auth.create_user(ws.engine, cli, "kari", PASSWORD, "Kari Nordmann")
        auth.grant_role(ws.engine, cli, "kari", "editor", "1508")
        with live_server(ws) as base:
            yield base, ws
    finally:
        ws.engine.dispose()


def _local_target(page: Any, base: str, title: str, sdg: str, indicator: str, value: str) -> None:
    page.goto(f"{base}/region/1508/lokale-mal")
    page.get_by_role("link", name="Nytt lokalt mål").first.click()
    page.get_by_label("Tittel").fill(title)
    page.get_by_label("SDG-delmål").fill(sdg)
    page.locator("#f-indicator_id_1").fill(indicator)
    page.locator("#f-target_value_1").fill(value)
    page.get_by_label("Plan", exact=True).fill("Kommuneplanens samfunnsdel 2021–2033")
    page.get_by_label("Vedtaksår").fill("2021")
    page.get_by_label("Publisert (vises for alle)").check()
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(re.compile(r"/region/1508/lokale-mal\?melding=lagret"))
    assert page.get_by_role("status").inner_text() == "Lagret."
    assert page.get_by_role("heading", name=title).is_visible()


def _measure(page: Any, base: str, title: str, budget: str, target: str, partners: list[str], new_partner: tuple[str, str] | None,
             global_compact: bool = False) -> None:
    page.goto(f"{base}/region/1508/tiltak/ny")
    page.get_by_label("Tittel").fill(title)
    page.get_by_label("Ansvarlig enhet").fill("Oppvekst")
    page.get_by_label("Startår").fill("2025")
    page.get_by_label("Sluttår").fill("2027")
    page.get_by_label("Budsjett (kr)").fill(budget)
    page.get_by_label("Status").select_option("ongoing")
    page.get_by_role("group", name="Lokale mål").get_by_label(target).check()
    for name in partners:
        page.get_by_role("group", name="Partnere").get_by_label(name).check()
    if new_partner:
        page.locator("#f-new_partner_name").fill(new_partner[0])
        page.locator("#f-new_partner_kind").select_option(new_partner[1])
        if global_compact:
            page.locator("#f-new_partner_global_compact").check()
    page.locator("#f-published").check()
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(re.compile(r"/region/1508/tiltak\?melding=lagret"))
    assert page.get_by_role("link", name=title).is_visible()


def test_editor_goes_from_login_to_vlr_pdf(site: tuple[str, Workspace], page: Any, tmp_path: Path) -> None:
    """``page`` is conftest's Chromium page (``webtools.chromium_page``, bokmål)."""
    base, ws = site
    response = page.goto(f"{base}/region/1508/rapport")
    assert response is not None and response.status == 401
    assert "Du må være logget inn" in page.get_by_role("alert").inner_text()  # private page: the visitor is told to log in

    page.goto(f"{base}/logg-inn")
    page.get_by_label("Brukernavn").fill("kari")
    page.get_by_label("Passord").fill("feil passord her")
    page.get_by_role("button", name="Logg inn").click()
    assert "Feil brukernavn eller passord" in page.get_by_role("alert").inner_text()
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r"/region/1508/handling"))
    assert page.get_by_role("heading", level=1).inner_text() == "Ålesund: fra tall til handling"

    # a form with a mistake comes back with the problem and what was typed
    page.goto(f"{base}/region/1508/lokale-mal/ny")
    page.get_by_label("Tittel").fill("Feil delmål")
    page.get_by_label("SDG-delmål").fill("4.99")
    page.get_by_role("button", name="Lagre").click()
    assert "«4.99» er ikke et SDG-delmål" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Tittel").input_value() == "Feil delmål"

    _local_target(page, base, "Alle barn som ønsker det, har barnehageplass", "4.2", "barnehagedekning_1_2_aar", "95")
    _local_target(page, base, "Færre familier med vedvarende lavinntekt", "1.2, 10.2", "vedvarende_lavinntekt", "5,0")

    _measure(page, base, "Utvidet åpningstid i barnehagene", "2 400 000", "Alle barn som ønsker det, har barnehageplass", [],
             ("NTNU i Ålesund", "research"))
    _measure(page, base, "Gratis kjernetid", "900 000", "Færre familier med vedvarende lavinntekt", ["NTNU i Ålesund"],
             ("Tafjord Kraft", "private"), global_compact=True)
    _measure(page, base, "Jobbsjansen", "350 000", "Færre familier med vedvarende lavinntekt", ["Tafjord Kraft"],
             ("Kirkens Bymisjon", "voluntary"))

    # "who works with us on goal 10?" (the lavinntekt target serves 10.2)
    page.goto(f"{base}/region/1508/partnere")
    page.get_by_label("Hvem jobber med oss på").select_option("10")
    page.get_by_role("button", name="Vis").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hvem jobber med oss på mål 10")
    rows = page.locator("table.data tbody tr")
    names = [rows.nth(i).locator("td a").first.inner_text() for i in range(rows.count())]
    assert names == ["Kirkens Bymisjon", "NTNU i Ålesund", "Tafjord Kraft"]

    # the self-assessment, all 20 questions, then completed
    page.goto(f"{base}/region/1508/egenvurdering")
    page.get_by_role("link", name="Start egenvurderingen").click()
    questions = load_questionnaire().questions
    for n, q in enumerate(questions):
        page.locator(f"input[name='q:{q.id}'][value='{2 if n % 3 else 1}']").check()
    page.get_by_label("Egenvurderingen er ferdig").check()
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(re.compile(r"/region/1508/egenvurdering\?melding=lagret"))
    body = page.locator("main").inner_text()
    assert "Samlet:" in body and "Neste steg" in body and "har ingen indikator med data for Ålesund" in body
    assert page.locator("main svg[role=img]").count() == 1

    # the VLR in bokmål as PDF
    page.goto(f"{base}/region/1508/rapport")
    page.get_by_label("1. Åpningserklæring").fill("Ålesund skal være et godt sted å vokse opp.")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(re.compile(r"/region/1508/rapport\?melding=lagret"))
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("link", name="Last ned PDF (bokmål)").click()
    download = info.value
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.name.startswith("vlr-1508-") and pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (poppler-utils)")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    for title in ("Åpningserklæring", "Framgang på mål og delmål", "Gjennomføringsmidler og partnerskap", "Statistisk vedlegg",
                  "Alle barn som ønsker det, har barnehageplass", "Jobbsjansen", "Kirkens Bymisjon",
                  "Ålesund skal være et godt sted å vokse opp."):
        assert title in text, title
    # the numbers are the scores the dashboards show
    scores = load_scores(ws, "1508", "nb")
    assert scores.index is not None
    assert f"Bærekraftsindeksen for Ålesund er {fmt_number(scores.index, 'nb', 1)} av 100" in " ".join(text.split())
    kindergarten = next(i for i in scores.indicators if i.id == "barnehagedekning_1_2_aar")
    assert fmt_number(kindergarten.value, "nb") in text
    assert len(svc.measures_page(ws, command_line_actor(), "1508").items) == 3
