"""Region dashboards over HTTP (TestClient) on the store loaded from ../shared/data: profile, goal
for a region, indicator, compare; every page in nb/nn/en, the .json and .csv twins, helpful 404s."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from fn17.i18n import fmt_number
from fn17.services import scores
from fn17.web.app import create_app
from fn17.workspace import Workspace

PAGES = ["/region/1508", "/region/1508/mal/4", "/indikator/barnehagedekning_1_2_aar?region=1508",
         "/sammenlign?r=1508&r=1580&r=0301"]
WORDS = {"nb": "Sammenlign", "nn": "Samanlikn", "en": "Compare"}


@pytest.fixture
def client(web_ws: Workspace) -> Iterator[TestClient]:
    scores.invalidate()
    with TestClient(create_app(workspace=web_ws)) as c:
        yield c


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_page_in_every_language(client: TestClient, lang: str) -> None:
    for url in PAGES:
        sep = "&" if "?" in url else "?"
        r = client.get(f"{url}{sep}lang={lang}")
        assert r.status_code == 200, (url, r.text[:300])
        assert f'<html lang="{lang}"' in r.text and WORDS[lang] in r.text
        assert "dash.css" in r.text and "dash." not in r.text.replace("dash.css", "")  # no untranslated keys


def test_profile_shows_dashboard_index_peers_and_links(client: TestClient, web_ws: Workspace) -> None:
    expected = scores.region_scores(web_ws, "1508", "nb")
    html = client.get("/region/1508").text
    assert expected.index is not None and fmt_number(expected.index, "nb", 1) in html
    assert html.count('class="tile"') == 17 and "#C5192D" in html.upper()  # official colour of goal 4
    g4 = expected.goal(4)
    assert f"{g4.symbol} {g4.colour_label}" in html.replace('</span> ', ' ').replace('<span class="st-sym" aria-hidden="true">', "")
    for link in ("/region/1508/mal/4", "/region/1508/handling", "/region/1508/rapport", "/innbygger/1508", "/apne-data/1508.csv",
                 "/indikator/barnehagedekning_1_2_aar?region=1508"):
        assert link in html, link
    assert "Møre og Romsdal" in html and "Nærmeste naboer" in html and "Karmøy" in html
    assert "KOSTRA-gruppe 11" in html  # known for Ålesund, and said to be the only one known
    assert "Mål uten data" in html and "fn17 fetch" in html
    assert "Plass etter metode" in html


def test_profile_twins(client: TestClient, web_ws: Workspace) -> None:
    data = client.get("/region/1508.json").json()["data"]
    assert data["info"]["code"] == "1508" and len(data["scores"]["goals"]) == 17
    assert data["scores"]["index"] == pytest.approx(scores.region_scores(web_ws, "1508").index)
    assert {g["kind"] for g in data["scores"]["peers"]["groups"]} >= {"county", "size", "nearest", "country"}
    rows = list(csv.reader(io.StringIO(client.get("/region/1508.csv").text)))
    assert rows[0][:3] == ["region", "goal", "name"] and len(rows) == 18 and rows[4][1] == "4"


def test_old_codes_and_history_still_work(client: TestClient) -> None:
    html = client.get("/region/1507").text
    assert "1508 Ålesund" in html and "1580 Haram" in html and 'href="/region/1508?lang=nb"' in html
    assert "01.01.2024" in html
    then = client.get("/region/1507?at=2022-01-01")
    assert then.status_code == 200 and "1507 Ålesund" in then.text
    county = client.get("/region/15?lang=en")
    assert county.status_code == 200 and "Sustainability index" in county.text and "1508 Ålesund" in county.text


def test_unknown_region_is_a_helpful_404(client: TestClient) -> None:
    r = client.get("/region/1599")
    assert r.status_code == 404 and "Mente du" in r.text and 'href="/region/1508' in r.text
    j = client.get("/region/1599.json", headers={"accept": "application/json"})
    assert j.status_code == 404 and "1508" in str(j.json())
    assert client.get("/region/1508/mal/18").status_code == 404
    assert client.get("/region/9998/mal/4").status_code == 404


def test_goal_page(client: TestClient, web_ws: Workspace) -> None:
    html = client.get("/region/1508/mal/4").text
    assert "God utdanning" in html and "Ålesund" in html
    assert "Barnehagedekning, 1–2 år" in html and fmt_number(90.2, "nb") in html and "SSB-tabell 13502" in html
    assert "<svg" in html and "<title>" in html and "Tallene bak figuren" in html
    assert "Hele landet" in html and "Fylket Møre og Romsdal" in html  # peer values
    assert "Viktige delmål uten indikatordata" in html
    data = client.get("/region/1508/mal/4.json").json()["data"]
    kinder = next(i for i in data["indicators"] if i["score"]["id"] == "barnehagedekning_1_2_aar")
    assert kinder["score"]["value"] == pytest.approx(90.2) and kinder["series"][-1]["year"] == 2023
    rows = list(csv.reader(io.StringIO(client.get("/region/1508/mal/4.csv").text)))
    assert rows[0][2] == "indicator" and any(r[2] == "barnehagedekning_1_2_aar" for r in rows[1:])
    empty = client.get("/region/1508/mal/14?lang=en").text
    assert "No indicators with data for this goal yet" in empty


def test_indicator_page_for_set_and_raw_series(client: TestClient) -> None:
    html = client.get("/indikator/barnehagedekning_1_2_aar?region=1508").text
    for text in ("Barnehagedekning, 1–2 år", "13502", "KOSandel120000", "høyere er bedre", "4.2", "Optimum (100 poeng)",
                 "Fordeling i hele landet", "▼ Ålesund", "U4SSC"):
        assert text in html, text
    assert 'class="mark"' in html  # the region is marked in the table behind the histogram
    raw = client.get("/indikator/ssb%3A07459%3APersoner1?region=1508&lang=nn")
    assert raw.status_code == 200 and "Folkemengde" in raw.text and "07459" in raw.text
    rows = list(csv.reader(io.StringIO(client.get("/indikator/barnehagedekning_1_2_aar.csv").text)))
    assert rows[0] == ["indicator", "region", "name", "year", "value", "rank"] and len(rows) > 300
    data = client.get("/indikator/vaksine_meslinger_16_aar.json?region=15").json()["data"]
    assert data["level"] == "fylke" and data["region_code"] == "15" and len(data["distribution"]) == 15
    missing = client.get("/indikator/barnehagedekning")
    assert missing.status_code == 404 and "barnehagedekning_1_2_aar" in missing.text


def test_compare(client: TestClient, web_ws: Workspace) -> None:
    html = client.get("/sammenlign?r=1508&r=1580&r=0301").text
    assert "1508 Ålesund" in html and "1580 Haram" in html and "0301 Oslo" in html
    assert html.count('name="r"') == 5 and "Fjern" in html
    rows = list(csv.reader(io.StringIO(client.get("/sammenlign.csv?r=1508&r=0301").text)))
    assert rows[0] == ["kind", "key", "name", "1508", "0301"]
    assert float(rows[1][3]) == pytest.approx(scores.region_scores(web_ws, "1508").index)
    one = client.get("/sammenlign?r=1508")
    assert one.status_code == 400 and "mellom 2 og 5" in one.text and 'name="r"' in one.text
    six = client.get("/sammenlign.json?" + "&".join(f"r={c}" for c in ("1508", "1580", "0301", "4601", "5001", "1804")))
    assert six.status_code == 400 and "6" in six.json()["data"]["error"]["message"]
    assert client.get("/sammenlign").status_code == 200
    assert client.get("/sammenlign?r=1508&r=1599").status_code == 404
