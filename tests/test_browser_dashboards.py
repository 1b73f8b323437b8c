"""Region dashboards in Debian's headless Chromium: load each page type, switch language, reach a goal
tile with Tab and open it with Enter, no console errors; screenshots under screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from webtools import screenshot

pytestmark = pytest.mark.browser


def test_profile_keyboard_to_goal_and_language(live_site: str, page: Any) -> None:
    page.goto(f"{live_site}/region/1508")
    assert page.locator("h1").first.inner_text().startswith("1508 Ålesund")
    assert page.locator(".dash-tiles .tile").count() == 17
    screenshot(page, "profile-1508")
    target = page.locator('.dash-tiles a[href^="/region/1508/mal/4"]')
    for _ in range(80):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the tile of goal 4")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/region/1508/mal/4"))
    assert "God utdanning" in page.locator("h1").inner_text()
    assert page.locator("figure svg title").count() >= 1
    screenshot(page, "goal-1508-4")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert "Quality education" in page.locator("h1").inner_text() or "Education" in page.locator("h1").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.console_errors == []


def test_indicator_page(live_site: str, page: Any) -> None:
    page.goto(f"{live_site}/indikator/barnehagedekning_1_2_aar?region=1508&lang=nn")
    assert page.locator("h1").inner_text() == "Barnehagedekning, 1–2 år"
    assert page.locator("svg[role=img]").count() == 2
    page.locator("summary").first.click()
    assert page.locator("table.data").first.is_visible()
    screenshot(page, "indicator")
    page.fill("#region", "0301")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"region=0301"))
    assert "Oslo" in page.locator(".crumbs").inner_text()
    assert page.console_errors == []


def test_compare_form(live_site: str, page: Any) -> None:
    page.goto(f"{live_site}/sammenlign")
    page.fill("#r0", "1508")
    page.fill("#r1", "1580")
    page.fill("#r2", "0301")
    page.get_by_role("button", name="Sammenlign").click()
    page.wait_for_url(re.compile(r"r=1508"))
    assert page.locator("table.compare").count() == 2
    assert "0301 Oslo" in page.locator("table.compare").first.inner_text()
    screenshot(page, "compare")
    page.get_by_role("link", name=re.compile(r"^Fjern Oslo")).click()
    page.wait_for_url(lambda url: "0301" not in url)
    assert "0301" not in page.locator("table.compare").first.inner_text()
    assert page.console_errors == []


def test_profile_on_a_phone(live_site: str) -> None:
    from webtools import chromium_page

    with chromium_page(viewport={"width": 390, "height": 844}) as phone:
        phone.goto(f"{live_site}/region/1508?lang=en")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        assert phone.console_errors == []
