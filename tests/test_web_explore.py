"""The national overview, the indicator catalogue and the data status through the real app on
a store loaded from ../shared/data: pages in three languages, filters, sorting, the .json and
.csv twins, helpful 404s."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from fn17.sources.geo import load_geometries
from fn17.store.web_tables import geometries
from fn17.web.app import create_app
from fn17.workspace import Workspace


@pytest.fixture
def client(web_ws: Workspace, shared_data: Path) -> Iterator[TestClient]:
    load_geometries(web_ws, shared_data)  # also done by `fn17 load`; here the map must be there whatever the store
    with TestClient(create_app(workspace=web_ws), follow_redirects=False) as c:
        yield c


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _json(client: TestClient, url: str) -> Any:
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    return r.json()["data"]


# --------------------------------------------------------------------------- overview


def test_overview_map_table_and_legend(client: TestClient, web_ws: Workspace) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    svg = re.search(r"<svg viewBox=.*?</svg>", html, re.S)
    assert svg is not None
    paths = re.findall(r'<a href="/region/(\d{4})\?lang=nb" tabindex="-1" data-code="\d{4}"[^>]*><path d="[^"]+" fill="([^"]+)"><title>([^<]+)</title>', svg.group(0))
    assert len(paths) == 357
    assert {code for code, _, _ in paths} == {m.code for m in web_ws.register.municipalities()}
    coloured = [p for p in paths if p[1].startswith("#")]
    assert len(coloured) > 300  # the default indicator has numbers for most municipalities
    assert any(fill == "url(#fn17-nodata)" for _, fill, _ in paths) or len(coloured) == 357
    size_kb = len(svg.group(0).encode()) / 1024
    print(f"\nnational municipal SVG: {size_kb:.1f} KB; whole page {len(r.content) / 1024:.1f} KB")
    assert size_kb < 120
    assert 'class="ex-legend"' in html and "ingen tall" in html
    assert html.count('<tr>\n      <td>') == 357
    assert 'href="/indikator/' in html  # every number is traceable to its indicator page


def test_overview_twins_and_filters(client: TestClient, web_ws: Workspace) -> None:
    data = _json(client, "/oversikt.json")
    assert data["total"] == 357 and data["indicator"]
    assert _json(client, "/index.json")["total"] == 357
    rows = _csv(client.get("/oversikt.csv").text)
    assert len(rows) == 357 and set(rows[0]) >= {"code", "name", "kostra_group", "size_class", "population", "value"}
    mr = _json(client, "/oversikt.json?fylke=15")["rows"]
    assert mr and all(r["county_code"] == "15" for r in mr)
    assert {r["code"] for r in mr} == {m.code for m in web_ws.register.municipalities() if m.county_code == "15"}
    unknown = _json(client, "/oversikt.json?kostra=ukjent")["rows"]
    assert unknown and all(r["kostra_group"] is None for r in unknown)
    assert all(r["kostra_group"] == "13" for r in _json(client, "/oversikt.json?kostra=13")["rows"])
    small = _json(client, "/oversikt.json?storrelse=small")["rows"]
    assert small and all(r["population"] < 5000 for r in small)
    by_pop = _json(client, "/oversikt.json?sorter=-folketall")["rows"]
    assert by_pop[0]["code"] == "0301"
    by_value = [r["value"] for r in _json(client, "/oversikt.json?sorter=verdi&indikator=grunnskolepoeng")["rows"]]
    present = [v for v in by_value if v is not None]
    assert present == sorted(present) and by_value[: len(present)] == present  # regions without data last
    names = [r["name"] for r in _json(client, "/oversikt.json?sorter=-navn")["rows"]]
    assert names == sorted(names, key=str.casefold, reverse=True)


def test_overview_indicator_period_and_counties(client: TestClient) -> None:
    data = _json(client, "/oversikt.json?indikator=barnehagedekning_1_2_aar&periode=2015")
    assert data["period"] == "2015" and "2023" in [o["value"] for o in data["period_options"]]
    assert all(r["period"] in ("2015", None) for r in data["rows"])
    counties = _json(client, "/oversikt.json?niva=fylke")
    assert counties["total"] == 15 and len(counties["map_regions"]) == 15
    r = client.get("/oversikt.json?indikator=barnehagedekning_1_2_aar&periode=1999")
    assert r.status_code == 400 and "2023" in r.json()["data"]["error"]["message"]


def test_overview_by_goal_score(client: TestClient) -> None:
    data = _json(client, "/oversikt.json?mal=4")
    assert data["colour_by"] == "goal" and data["goal"] == 4
    scored = [r for r in data["rows"] if r["value"] is not None]
    assert scored, "goal 4 has FN17 indicators with data (barnehagedekning, grunnskolepoeng)"
    assert all(0 <= r["value"] <= 100 and r["symbol"] for r in scored)
    legend = [item["label"] for item in data["legend"]]
    assert "Mål nådd" in legend and "ingen tall" in legend
    en = client.get("/?mal=4&lang=en").text
    assert "Target achieved" in en and "4. Quality education" in en


def test_overview_search_old_and_new(client: TestClient) -> None:
    r = client.get("/?q=Ålesund")
    assert r.status_code == 303 and r.headers["location"].startswith("/region/1508")
    assert client.get("/?q=1508").headers["location"].startswith("/region/1508")
    old = client.get("/?q=1507")  # Ålesund until 2023: split into 1508 Ålesund and 1580 Haram
    assert old.status_code == 200
    codes = {r["code"] for r in _json(client, "/oversikt.json?q=1507")["rows"]}
    assert {"1508", "1580"} <= codes


def test_overview_in_three_languages(client: TestClient) -> None:
    assert "Kommunene i Norge" in client.get("/?lang=nb").text
    assert "Kommunane i Noreg" in client.get("/?lang=nn").text
    assert "The municipalities of Norway" in client.get("/?lang=en").text


def test_overview_unknown_indicator_suggests(client: TestClient) -> None:
    r = client.get("/oversikt.json?indikator=grunnskolepoen")
    assert r.status_code == 404
    assert r.json()["data"]["error"]["details"]["suggestions"][0] == "grunnskolepoeng"
    assert client.get("/?mal=18").status_code == 404
    assert client.get("/?sorter=tull").status_code == 400


def test_overview_without_map_says_how_to_load_it(web_ws: Workspace) -> None:
    with web_ws.engine.begin() as conn:
        conn.execute(delete(geometries))
    with TestClient(create_app(workspace=web_ws)) as c:
        html = c.get("/").text
    assert "<svg viewBox" not in html
    assert "fn17 load ../shared/data" in html
    assert html.count('<tr>\n      <td>') == 357


# --------------------------------------------------------------------------- catalogue


def test_catalogue_counts_every_framework(client: TestClient) -> None:
    data = _json(client, "/katalog.json")
    assert data["counts"] == {"fn17": 72, "ks": 2092, "u4ssc": 91, "sdg": 231}
    assert data["total"] == 72 + 2092 + 91 + 231 and len(data["rows"]) == 50
    page2 = _json(client, "/katalog.json?side=2")["rows"]
    assert page2[0]["id"] != data["rows"][0]["id"]
    assert client.get("/katalog?side=999").status_code == 404


def test_catalogue_filters(client: TestClient) -> None:
    goal4 = _json(client, "/katalog.json?mal=4&rammeverk=ks")
    assert goal4["total"] > 50 and all(4 in r["goals"] for r in goal4["rows"])
    q1 = _json(client, "/katalog.json?rammeverk=ks&kvalitet=1&niva=kommune")
    assert all(r["quality"] == 1 and "kommune" in r["levels"] for r in q1["rows"])
    target = _json(client, "/katalog.json?delmal=4.2")
    assert target["total"] and all("4.2" in r["targets"] for r in target["rows"])
    with_data = _json(client, "/katalog.json?data=1")
    assert with_data["counts"]["fn17"] >= 6 and all(r["has_data"] for r in with_data["rows"])
    assert "barnehagedekning_1_2_aar" in {r["id"] for r in with_data["rows"]}
    u4 = _json(client, "/katalog.json?rammeverk=u4ssc&q=poverty")
    assert [r["code"] for r in u4["rows"]] == ["SC: SH: SI: 3C"]
    rows = _csv(client.get("/katalog.csv?rammeverk=sdg&mal=1").text)
    assert rows and all(r["framework"] == "sdg" and r["goals"].split()[0] == "1" for r in rows)
    assert client.get("/katalog?kvalitet=7").status_code == 400
    for lang, word in (("nb", "Indikatorkatalog"), ("nn", "Indikatorkatalog"), ("en", "Indicator catalogue")):
        assert word in client.get(f"/katalog?lang={lang}").text


def test_catalogue_items_link_frameworks(client: TestClient) -> None:
    ks = _json(client, "/katalog/ks/U4SSC/2248.json")
    assert ks["code"] == "SC: SH: SI: 3C"
    assert {(e["framework"], e["id"]) for e in ks["equivalents"]} == {("u4ssc", "SC: SH: SI: 3C")}
    kpi = _json(client, "/katalog/u4ssc/SC%3A%20SH%3A%20SI%3A%203C.json")
    assert ("fn17", "vedvarende_lavinntekt") in {(e["framework"], e["id"]) for e in kpi["equivalents"]}
    assert any(e["href"].startswith("/indikator/vedvarende_lavinntekt") for e in kpi["equivalents"])
    un = _json(client, "/katalog/sdg/1.1.1.json")
    assert un["goals"][0]["code"] == "1" and un["targets"][0]["code"] == "1.1"
    assert any(e["framework"] == "ks" and e["code"] == "1.1.1" for e in un["equivalents"])
    html = client.get("/katalog/ks/U4SSC/2248?lang=en").text
    assert "Equivalent indicators in other frameworks" in html
    r = client.get("/katalog/sdg/1.1.9.json")
    assert r.status_code == 404 and "1.1.1" in r.json()["data"]["error"]["details"]["suggestions"]
    assert client.get("/katalog/fn17/grunnskolepoeng").status_code == 404


# --------------------------------------------------------------------------- data status


def test_status_page_aggregates(client: TestClient) -> None:
    t0 = time.perf_counter()
    data = _json(client, "/datastatus.json")
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    _json(client, "/datastatus.json")
    again = time.perf_counter() - t0
    print(f"\n/datastatus.json: {first:.2f} s first, {again:.3f} s cached")
    by_id = {r["indicator_id"]: r for r in data["rows"]}
    low = by_id["vedvarende_lavinntekt"]
    assert low["first_period"] == low["last_period"] == "2013"
    assert low["regions_latest"] + low["missing_latest"] == 357
    assert by_id["barnehagedekning_1_2_aar"]["last_period"] == "2023"
    assert data["fn17_total"] == 72 and 6 <= data["fn17_with_data"] < 72
    assert len(data["fn17_missing"]) == 72 - data["fn17_with_data"]
    assert sum(r["suppressed"] for r in data["rows"]) > 0
    sources = {i["source"] for i in data["imports"]}
    assert "recipe:ssb-07459-2005-2021" in sources and "geo:kommune" in sources
    rows = _csv(client.get("/datastatus.csv").text)
    assert {r["indicator_id"] for r in rows} == set(by_id)
    for lang, word in (("nb", "Datastatus"), ("nn", "Datastatus"), ("en", "Data status")):
        assert word in client.get(f"/datastatus?lang={lang}").text
    counties = _json(client, "/datastatus.json?niva=fylke")
    assert counties["n_regions"] == 15


def test_status_drill_down_lists_missing_regions(client: TestClient, web_ws: Workspace) -> None:
    detail = _json(client, "/datastatus/vedvarende_lavinntekt.json")
    period = detail["periods"][0]
    assert period["period"] == "2013"
    assert period["regions"] + len(period["missing"]) == 357
    rows = _csv(client.get("/datastatus/vedvarende_lavinntekt.csv").text)
    missing = {r["region_code"] for r in rows if r["state"] == "missing"}
    assert missing == {m["code"] for m in period["missing"]}
    html = client.get("/datastatus/vedvarende_lavinntekt?lang=en").text
    assert "Numbers and missing regions per year" in html
    r = client.get("/datastatus/vedvarende_lavinntek.json")
    assert r.status_code == 404 and "vedvarende_lavinntekt" in r.json()["data"]["error"]["details"]["suggestions"]
