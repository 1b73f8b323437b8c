"""The overview, catalogue, data status and public view in real Chromium: the map links to
profiles, the search works from the keyboard, filters work, the public page fits a phone,
the language switch works, and no page logs a console error. Screenshots under screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fn17.sources.geo import load_geometries
from fn17.workspace import Workspace
from webtools import chromium_page, click_on_map, live_server, screenshot

pytestmark = pytest.mark.browser

@pytest.fixture
def site(web_ws: Workspace, shared_data: Path) -> Iterator[str]:
    load_geometries(web_ws, shared_data)
    with live_server(web_ws) as url:
        yield url


def test_overview_map_click_and_screenshots(site: str, page: Any) -> None:
    page.goto(f"{site}/")
    assert page.locator("svg.ex-svg a[data-code]").count() == 357
    assert page.locator("table.ex-table tbody tr").count() == 357
    screenshot(page, "overview")
    # a real mouse click on a point inside Trondheim's shape opens its profile
    click_on_map(page, "5001")
    page.wait_for_url("**/region/5001*")
    page.goto(f"{site}/?mal=4")
    assert page.locator("figcaption").inner_text().startswith("4. God utdanning")
    assert page.locator(".ex-legend li").count() == 5
    screenshot(page, "overview-goal-4")
    assert page.console_errors == []


def test_keyboard_search_from_the_overview(site: str, page: Any) -> None:
    page.goto(f"{site}/")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "finn":
            break
    else:
        pytest.fail("the overview's search box is not reachable with Tab")
    page.keyboard.type("Ålesund")
    page.keyboard.press("Enter")
    page.wait_for_url("**/region/1508*")
    assert page.console_errors == []


def test_overview_choice_redraws_with_javascript(site: str, page: Any) -> None:
    page.goto(f"{site}/")
    page.select_option("select[name=fylke]", "15")
    page.wait_for_url("**fylke=15*")
    codes = page.locator("table.ex-table tbody tr td:first-child").all_inner_texts()
    assert codes and all(c.startswith("15") for c in codes)
    assert page.console_errors == []


def test_catalogue_filter(site: str, page: Any) -> None:
    page.goto(f"{site}/katalog")
    page.select_option("#katalog-mal", "4")
    page.check("#katalog-data")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url("**mal=4*")
    rows = page.locator("table.ex-table tbody tr")
    assert 0 < rows.count() <= 50
    assert all("ja" in t for t in page.locator("table.ex-table tbody tr td:last-child").all_inner_texts())
    screenshot(page, "catalogue")
    page.goto(f"{site}/datastatus")
    assert page.locator("table.ex-table tbody tr").count() >= 10
    screenshot(page, "status")
    assert page.console_errors == []


@pytest.fixture
def phone() -> Iterator[Any]:
    with chromium_page(viewport={"width": 390, "height": 844}) as p:
        yield p


def test_public_page_fits_a_phone(site: str, phone: Any) -> None:
    phone.goto(f"{site}/innbygger")
    phone.fill("#kommune-sok", "Ålesund")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/innbygger/1508*")
    assert phone.locator("h1").inner_text() == "Ålesund og bærekraftsmålene"
    assert phone.locator(".pub-finding").count() >= 6
    assert phone.locator(".pub-goals li").count() == 17
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    size = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('.pub-words')).fontSize)")
    assert size >= 18  # big, readable type
    screenshot(phone, "public-1508-phone")
    assert phone.console_errors == []


def test_language_switch(site: str, page: Any) -> None:
    page.goto(f"{site}/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en*")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "The municipalities of Norway"
    page.goto(f"{site}/innbygger/1508")  # the cookie keeps the choice
    assert page.locator("h1").inner_text() == "Ålesund and the Sustainable Development Goals"
    page.goto(f"{site}/datastatus?lang=nn")
    assert page.locator("html").get_attribute("lang") == "nn"
    assert page.console_errors == []
