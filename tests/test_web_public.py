"""The public view for residents and schools: pick a municipality, its page in plain words in
three languages, published targets and measures only, helpful 404s."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from fn17.store.actions_tables import local_targets, measures
from fn17.web.app import create_app
from fn17.workspace import Workspace


@pytest.fixture
def client(web_ws: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(workspace=web_ws), follow_redirects=False) as c:
        yield c


def test_pick_lists_every_municipality_and_finds_by_name(client: TestClient) -> None:
    html = client.get("/innbygger").text
    assert len(set(re.findall(r'href="/innbygger/(\d{4})\?lang=nb"', html))) == 357
    r = client.get("/innbygger?q=Ålesund")
    assert r.status_code == 303 and r.headers["location"] == "/innbygger/1508?lang=nb"
    several = client.get("/innbygger.json?q=1507").json()["data"]  # old Ålesund: now Ålesund and Haram
    assert {h["code"] for h in several["hits"]} >= {"1508", "1580"}
    assert "Fant ingen kommune" in client.get("/innbygger?q=Atlantis").text


def test_municipality_page_in_plain_words(client: TestClient) -> None:
    page = client.get("/innbygger/1508.json").json()["data"]
    assert page["name"] == "Ålesund" and len(page["goals"]) == 17
    by_id = {f["indicator_id"]: f for f in page["findings"]}
    assert {"barnehagedekning_1_2_aar", "grunnskolepoeng", "vedvarende_lavinntekt"} <= set(by_id)
    for f in page["findings"]:
        assert f["verdict"] in ("better", "worse", "middle", "higher", "lower", "about")
        assert f["compared_with"] >= 10 and f["href"].startswith(f"/indikator/{f['indicator_id']}?region=1508")
    assert page["n_without_data"] == 72 - len(page["findings"])
    html = client.get("/innbygger/1508").text
    assert "Hvordan går det i Ålesund?" in html
    assert any(w in html for w in ("Bedre enn de fleste kommuner", "Dårligere enn de fleste kommuner",
                                   "Omtrent som de fleste kommuner"))
    assert "Ingen skal være fattige." in html
    assert "Korleis går det i Ålesund?" in client.get("/innbygger/1508?lang=nn").text
    en = client.get("/innbygger/1508?lang=en").text
    assert "How is Ålesund doing?" in en and "No one should be poor." in en


def test_verdicts_follow_the_national_distribution(client: TestClient) -> None:
    """The municipality with the highest kindergarten coverage is 'better than most'; the lowest 'worse'."""
    rows = client.get("/oversikt.json?indikator=barnehagedekning_1_2_aar").json()["data"]["rows"]
    with_value = sorted((r for r in rows if r["value"] is not None), key=lambda r: r["value"])
    lowest, highest = with_value[0]["code"], with_value[-1]["code"]
    for code, verdict in ((highest, "better"), (lowest, "worse")):
        findings = client.get(f"/innbygger/{code}.json").json()["data"]["findings"]
        assert {f["indicator_id"]: f["verdict"] for f in findings}["barnehagedekning_1_2_aar"] == verdict


def test_only_published_targets_and_measures(client: TestClient, web_ws: Workspace) -> None:
    now = datetime.now(UTC)
    common = {"region_code": "1508", "created_at": now, "updated_at": now, "updated_by": "test"}
    with web_ws.engine.begin() as conn:
        conn.execute(insert(local_targets), [
            {**common, "title": "Alle barn skal ha barnehageplass", "sdg_targets": ["4.2"], "published": True},
            {**common, "title": "Hemmelig utkast", "sdg_targets": ["4.2"], "published": False},
        ])
        conn.execute(insert(measures), [
            {**common, "title": "Ny barnehage på Moa", "status": "ongoing", "sdg_goals": [4], "published": True,
             "start_year": 2025, "end_year": 2027},
            {**common, "title": "Utkast til tiltak", "status": "planned", "sdg_goals": [4], "published": False,
             "start_year": None, "end_year": None},
        ])
    html = client.get("/innbygger/1508").text
    assert "Alle barn skal ha barnehageplass" in html and "Ny barnehage på Moa" in html and "2025–2027" in html
    assert "Hemmelig utkast" not in html and "Utkast til tiltak" not in html
    assert "har ikke lagt ut mål eller tiltak" in client.get("/innbygger/1580").text


def test_unknown_and_old_numbers(client: TestClient) -> None:
    r = client.get("/innbygger/1507.json")
    assert r.status_code == 404
    err = r.json()["data"]["error"]
    assert {"1508", "1580"} <= set(err["details"]["suggestions"]) and "1508 Ålesund" in err["message"]
    r = client.get("/innbygger/9999.json")
    assert r.status_code == 404 and err["hint"]
    assert r.json()["data"]["error"]["details"]["suggestions"]
    assert client.get("/innbygger/abc").status_code == 400
    assert "Kommunenummer 9999" in client.get("/innbygger/9999").text
