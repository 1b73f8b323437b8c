"""The web app's done-when, walked in Debian's headless Chromium as a person would: from the
overview, reach a municipality's profile, a goal for it, an indicator, the comparison, the
catalogue, the data status, the public view and the plan page — in bokmål, nynorsk and English,
by following links only — on the data loaded from ../shared/data, with no console errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from webtools import click_on_map

pytestmark = pytest.mark.browser

# the nav link for each section, by language, and the path it must lead to
NAV = {
    "nb": [("Bærekraftsmålene", "/mal"), ("Sammenlign", "/sammenlign"), ("Indikatorer", "/katalog"),
           ("Datastatus", "/datastatus"), ("Planer", "/planer"), ("For innbyggere", "/innbygger")],
    "nn": [("Berekraftsmåla", "/mal"), ("Samanlikn", "/sammenlign"), ("Indikatorar", "/katalog"),
           ("Datastatus", "/datastatus"), ("Planar", "/planer"), ("For innbyggjarar", "/innbygger")],
    "en": [("The goals", "/mal"), ("Compare", "/sammenlign"), ("Indicators", "/katalog"),
           ("Data status", "/datastatus"), ("Plans", "/planer"), ("For citizens", "/innbygger")],
}
LANG_LINK = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


def _nav(page: Any, name: str) -> None:
    page.get_by_role("navigation", name=re.compile("Hovedmeny|Hovudmeny|Main menu")).get_by_role(
        "link", name=name, exact=True).click()


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_person_reaches_every_page_type_by_links(live_site: str, page: Any, lang: str) -> None:
    page.goto(f"{live_site}/")
    if lang != "nb":
        page.get_by_role("link", name=LANG_LINK[lang]).first.click()
        page.wait_for_url(re.compile(rf"lang={lang}"))
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("svg a").count() >= 357, "the overview map has a link per municipality"

    # overview → a municipality's profile through the map
    click_on_map(page, "1508")
    page.wait_for_url(re.compile(r"/region/1508"))
    assert page.locator("h1").first.inner_text().startswith("1508")
    assert page.locator("html").get_attribute("lang") == lang

    # profile → a goal for the region → an indicator of it
    page.locator('a[href^="/region/1508/mal/4"]').first.click()
    page.wait_for_url(re.compile(r"/region/1508/mal/4"))
    page.locator('a[href^="/indikator/"]').first.click()
    page.wait_for_url(re.compile(r"/indikator/"))
    assert page.locator("h1").count() == 1

    # every other section through the main menu, in the chosen language
    for name, path in NAV[lang]:
        _nav(page, name)
        page.wait_for_url(re.compile(rf"{re.escape(path)}(\?|$)"))
        assert page.locator("h1").count() >= 1, path
        assert page.locator("html").get_attribute("lang") == lang, path

    # the public view of the same municipality: search for it in the picker
    page.fill("#kommune-sok", "Ålesund")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    if "/innbygger/1508" not in page.url:  # one match opens it; else it is listed first
        page.locator('a[href^="/innbygger/1508"]').first.click()
    page.wait_for_url(re.compile(r"/innbygger/1508"))
    assert "Ålesund" in page.locator("h1").inner_text()
    assert page.console_errors == []
