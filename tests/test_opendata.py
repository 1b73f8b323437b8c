"""Open data: the page about the API, the streamed bulk download of a region's observations,
and every page type the app has answering its .json twin."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from fn17.services import opendata
from fn17.services.opendata import COLUMNS, count_rows
from fn17.web.app import create_app
from fn17.workspace import Workspace


@pytest.fixture
def client(web_ws: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(workspace=web_ws), follow_redirects=False) as c:
        yield c


def test_open_data_page(client: TestClient) -> None:
    html = client.get("/apne-data").text
    assert 'href="/api/docs"' in html and "/apne-data/1508.csv" in html
    data = client.get("/apne-data.json").json()["data"]
    sources = {s["source"]: s for s in data["sources"]}
    assert sources["recipe:ssb-07459-2005-2021"]["licence"] == "CC BY 4.0"
    assert "Statistisk sentralbyrå" in sources["recipe:ssb-07459-2005-2021"]["publisher"]
    assert "Open data" in client.get("/apne-data?lang=en").text
    assert "Opne data" in client.get("/apne-data?lang=nn").text
    assert next(csv.reader(io.StringIO(client.get("/apne-data.csv").text))) == ["path", "formats", "description"]


def test_bulk_csv_has_every_observation_with_provenance(client: TestClient, web_ws: Workspace,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opendata, "BATCH", 500)  # stream in many small batches
    r = client.get("/apne-data/1508.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="fn17-1508.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == count_rows(web_ws, "1508") > 3000  # seven batches and a rest
    assert {r["region_code"] for r in rows} == {"1508"}
    pop = [r for r in rows if r["indicator_id"] == "ssb:07459:Personer1" and r["breakdown"] == "" and r["period"] == "2023"]
    assert len(pop) == 1 and pop[0]["source_table"] == "07459" and pop[0]["retrieved_at"] and pop[0]["query"]
    # Ålesund's series before 2024 were carried from the old 1507 (and 1534 Haram …) by a rule
    carried = [r for r in rows if r["original_code"]]
    assert carried and all(r["carry_rule"] for r in carried)
    statuses = {r["status"] for r in rows}
    assert "ok" in statuses


def test_bulk_json_matches_csv(client: TestClient, web_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opendata, "BATCH", 100)
    data = client.get("/apne-data/15.json").json()
    assert data["data"]["region"] == "15" and data["data"]["columns"] == list(COLUMNS)
    obs = data["data"]["observations"]
    assert len(obs) == count_rows(web_ws, "15") > 0
    assert all(o["region_code"] == "15" for o in obs)
    assert client.get("/apne-data/0301.json").json()["data"]["observations"]


def test_bulk_names_the_fix_for_bad_codes(client: TestClient) -> None:
    r = client.get("/apne-data/1507.json")
    assert r.status_code == 400 and "1508" in r.json()["data"]["error"]["message"]
    assert client.get("/apne-data/9999.json").status_code == 404
    assert client.get("/apne-data/12345.json").status_code == 400
    assert client.get("/apne-data/1508").status_code == 404
    csv_error = client.get("/apne-data/1507.csv")  # a program reading the CSV gets the message as text
    assert csv_error.status_code == 400 and csv_error.headers["content-type"].startswith("text/plain")
    assert "1508" in csv_error.text and "<html" not in csv_error.text


PAGES = [
    "/", "/oversikt", "/mal", "/mal/4", "/region/1508", "/sok?q=Ålesund", "/katalog", "/katalog/ks/U4SSC/2150",
    "/katalog/sdg/1.1.1", "/datastatus", "/datastatus/grunnskolepoeng", "/innbygger", "/innbygger/1508", "/apne-data",
    # the region dashboards
    "/region/1508/mal/4", "/indikator/grunnskolepoeng", "/sammenlign?r=1508&r=1577",
    # plans and the region's actions (what anyone may see; the report's editing page needs a login)
    "/planer", "/region/1508/handling", "/region/1508/tiltak", "/region/1508/partnere", "/region/1508/lokale-mal",
    "/region/1508/egne-data",
]


def _json_twin(url: str) -> str:
    path, _, query = url.partition("?")
    path = "/oversikt" if path == "/" else path
    return f"{path}.json" + (f"?{query}" if query else "")


def test_every_page_type_has_a_json_twin(client: TestClient) -> None:
    checked = []
    for url in PAGES:
        html = client.get(url, follow_redirects=True)
        assert html.status_code == 200, url
        twin = client.get(_json_twin(url))
        assert twin.status_code == 200, (url, twin.text[:300])
        assert twin.headers["content-type"].startswith("application/json"), url
        assert "data" in twin.json() and twin.json()["lang"] == "nb"
        checked.append(url)
    print(f"\n.json twins checked: {len(checked)} page types")
    assert len(checked) == len(PAGES)
