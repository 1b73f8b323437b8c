"""Plan analysis in real Chromium: upload through the form, watch the progress bar, land on the
report; the same without JavaScript (the progress page refreshes itself); no console errors."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from fn17.workspace import Workspace
from test_plans_web import CHAPTERS, plan_docx, plans_store_template, plans_ws  # noqa: F401  (fixtures)
from webtools import live_server, screenshot

pytestmark = pytest.mark.browser


def long_plan_pdf(pages: int = 24) -> bytes:
    """A longer plan, so the analysis runs long enough to be watched."""
    from weasyprint import HTML

    chapters = []
    for n in range(pages):
        heading, paragraphs = CHAPTERS[n % len(CHAPTERS)]
        body = "".join(f"<p>{p} Tiltak {n + 1}.{i + 1} følges opp i handlingsdelen.</p>" for i, p in enumerate(paragraphs * 4))
        chapters.append(f'<h1 style="break-before: page">{n + 1}. {heading.split(" ", 1)[1]}</h1>{body}')
    html = f"<html><body><p>Kommuneplanens samfunnsdel for Fjordvik 2025–2037</p>{''.join(chapters)}</body></html>"
    return bytes(HTML(string=html).write_pdf())


@pytest.fixture
def site(plans_ws: Workspace) -> Iterator[str]:  # noqa: F811
    with live_server(plans_ws) as url:
        yield url


def _watch(page: Any, seconds: float = 120) -> list[float]:
    """Progress values seen on the job page until the browser reaches the report."""
    values: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end and "/rapport" not in page.url:
        try:
            value = page.evaluate("() => { const p = document.getElementById('plan-progress'); return p ? p.value : null; }")
        except Exception:  # the page navigated away while it was asked
            value = None
        if value is not None:
            values.append(float(value))
        time.sleep(0.1)
    return values


def test_upload_watch_progress_and_read_the_report(site: str, page: Any) -> None:
    page.goto(f"{site}/planer")
    assert page.locator("h1").inner_text() == "Planlesing"
    page.set_input_files("#plan-file", files=[{"name": "samfunnsdel.pdf", "mimeType": "application/pdf", "buffer": long_plan_pdf()}])
    page.fill("#plan-title", "Samfunnsdelen 2025–2037")
    page.click("#plan-upload button[type=submit]")
    page.wait_for_url(re.compile(r"/planer/jobb/"))
    values = _watch(page)
    assert values, "the progress bar was never shown"
    assert values == sorted(values) and all(0 <= v <= 100 for v in values), values
    page.wait_for_url(re.compile(r"/planer/jobb/[\w-]+/rapport"))
    assert page.locator("h1").inner_text() == "Samfunnsdelen 2025–2037"
    assert page.locator(".fn17-plan-report h2").inner_text() == "Bærekraftsmål i planen"
    assert page.locator(".fn17-plan-report .tile").count() == 17
    assert page.get_by_text("Denne analysen er ikke lagret").is_visible()
    # the goal × chapter matrix and the strongest passages with their pages
    assert page.locator(".fn17-plan-report table.matrix tbody tr").count() == 17
    assert page.locator(".fn17-plan-report blockquote .ev", has_text="s. ").count() >= 3
    assert page.locator(".plans-indicators a[href^='/indikator/']").count() >= 1
    assert page.console_errors == []
    shot = screenshot(page, "plans-report")
    assert shot.stat().st_size > 20_000
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "plans-report-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling on a phone
    assert page.console_errors == []


def test_without_javascript_the_page_refreshes_until_the_report(site: str, page: Any) -> None:
    context = page.context.browser.new_context(java_script_enabled=False, locale="nb-NO")
    try:
        nojs = context.new_page()
        nojs.set_default_timeout(60_000)
        nojs.goto(f"{site}/planer?lang=nn")
        nojs.set_input_files("#plan-file", files=[{"name": "plan.docx", "mimeType": "application/octet-stream", "buffer": plan_docx()}])
        nojs.click("#plan-upload button[type=submit]")
        nojs.wait_for_url(re.compile(r"/rapport\?lang=nn"))
        assert nojs.locator(".fn17-plan-report h2").inner_text() == "Berekraftsmål i planen"
    finally:
        context.close()


def test_a_bad_file_shows_the_message_on_the_form(site: str, page: Any) -> None:
    page.goto(f"{site}/planer?lang=en")
    page.set_input_files("#plan-file", files=[{"name": "scan.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64}])
    page.click("#plan-upload button[type=submit]")
    alert = page.locator("[role=alert]")
    assert "is an image, not a document with text" in alert.inner_text()
    # Chromium logs the form page's own 400 status as a console error; nothing else may appear
    assert [e for e in page.console_errors if "status of 400" not in e] == []
