"""The municipality's own figures in the web app: the template download, an editor's upload
written all or nothing, every problem shown with sheet, row and column, and the rule that an
editor writes only their own region's figures."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fn17.services.setup import initialise
from fn17.store import repo
from fn17.store.tables import observations
from fn17.web.app import create_app
from fn17.workspace import Workspace
from test_actions_support import PASSWORD, make_people
from webtools import copy_store, open_store

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="session")
def own_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("own-store") / "template.sqlite"
    ws = open_store(path)
    try:
        initialise(ws)
        make_people(ws.engine)
    finally:
        ws.engine.dispose()
    return path


@pytest.fixture
def own_ws(own_store_template: Path, tmp_path: Path) -> Iterator[Workspace]:
    ws = copy_store(own_store_template, tmp_path / "fn17.sqlite")
    yield ws
    ws.engine.dispose()


def _client(ws: Workspace, username: str | None = None) -> TestClient:
    client = TestClient(create_app(workspace=ws), follow_redirects=False)
    if username:
        token = client.get("/api/csrf").json()["data"]["csrf"]
        r = client.post("/logg-inn", data={"username": username, "password": PASSWORD, "csrf": token, "next": "/"})
        assert r.status_code == 303, r.text
    return client


def _count(ws: Workspace) -> int:
    with ws.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(observations)).scalar_one())


def _template(client: TestClient) -> openpyxl.Workbook:
    r = client.get("/region/1508/egne-data/mal.xlsx",
                   params=[("indikator", "barnehagedekning_1_2_aar"), ("indikator", "vedvarende_lavinntekt"),
                           ("periode", "2024, 2025")])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(r.content))


def _upload(client: TestClient, wb: openpyxl.Workbook, name: str = "egne-tall.xlsx", code: str = "1508") -> object:
    buf = io.BytesIO()
    wb.save(buf)
    page = client.get(f"/region/{code}/egne-data").text
    token = CSRF.search(page)
    csrf = token.group(1) if token else client.get("/api/csrf").json()["data"]["csrf"]
    return client.post(f"/region/{code}/egne-data", data={"csrf": csrf},
                       files={"file": (name, buf.getvalue(), "application/octet-stream")})


def test_editor_downloads_the_template_fills_it_and_uploads(own_ws: Workspace) -> None:
    client = _client(own_ws, "redaktor")  # editor for 1508 Ålesund
    page = client.get("/region/1508/egne-data")
    assert page.status_code == 200 and "Egne tall for Ålesund" in page.text and 'type="file"' in page.text
    wb = _template(client)
    rows = list(wb["Data"].iter_rows(values_only=True))
    assert len(rows) == 1 + 2 * 2 and {r[2] for r in rows[1:]} == {"1508"} and {r[4] for r in rows[1:]} == {"2024", "2025"}
    wb["Data"]["F2"] = 91.5
    wb["Data"]["F3"] = "92,4"
    response = _upload(client, wb)
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert "Lagret 2 verdier fra egne-tall.xlsx" in response.text  # type: ignore[attr-defined]
    frame = repo.read_observations(own_ws.engine, source="own:1508:egne-tall")
    assert sorted(zip(frame["region_code"], frame["period"], frame["value"], strict=True)) == [
        ("1508", "2024", 91.5), ("1508", "2025", 92.4)]
    assert frame["query"].iloc[0].startswith("upload egne-tall.xlsx (Data row") and frame["query"].iloc[0].endswith("by redaktor")
    listing = client.get("/region/1508/egne-data.json").json()["data"]["uploads"]
    assert [(u["file"], u["user"], u["rows"]) for u in listing] == [("egne-tall", "redaktor", 2)]


def test_problems_are_listed_and_nothing_is_written(own_ws: Workspace) -> None:
    client = _client(own_ws, "redaktor")
    wb = _template(client)
    wb["Data"]["F2"] = "mange"  # not a number
    wb["Data"]["F3"] = 90
    wb["Data"]["C4"] = "0301"  # a region the editor does not edit
    wb["Data"]["F4"] = 12
    response = _upload(client, wb)
    assert response.status_code == 422  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "ingenting er skrevet" in text and "<td class=\"num\">2</td>" in text  # the bad number, on its row
    assert _count(own_ws) == 0
    # the region problem alone (once the number is fixed) is also refused, with its row
    wb["Data"]["F2"] = 88
    again = _upload(client, wb)
    assert again.status_code == 422 and "du kan ikke legge inn tall for 0301" in again.text  # type: ignore[attr-defined]
    assert "<td class=\"num\">4</td>" in again.text  # type: ignore[attr-defined]
    assert _count(own_ws) == 0


def test_only_the_regions_editors_may_upload(own_ws: Workspace) -> None:
    anonymous = _client(own_ws)
    page = anonymous.get("/region/1508/egne-data")
    assert page.status_code == 200 and 'type="file"' not in page.text and "Logg inn" in page.text
    wb = _template(anonymous)  # the template is for everyone
    wb["Data"]["F2"] = 50
    assert _upload(anonymous, wb).status_code == 401  # type: ignore[attr-defined]
    oslo = _client(own_ws, "oslo")  # an editor, of 0301
    assert _upload(oslo, wb).status_code == 403  # type: ignore[attr-defined]
    viewer = _client(own_ws, "leser")
    assert _upload(viewer, wb).status_code == 403  # type: ignore[attr-defined]
    assert _count(own_ws) == 0


def test_bad_requests_say_what_to_do(own_ws: Workspace) -> None:
    client = _client(own_ws, "redaktor")
    r = client.get("/region/1508/egne-data/mal.xlsx?periode=2024")
    assert r.status_code == 400 and "Velg minst én indikator" in r.text
    r = client.get("/region/1507/egne-data")
    assert r.status_code == 400 and "1508" in r.text
    token = client.get("/api/csrf").json()["data"]["csrf"]
    r = client.post("/region/1508/egne-data", data={"csrf": token})
    assert r.status_code == 400 and "Velg en CSV- eller Excel-fil" in r.text
    r = client.post("/region/1508/egne-data?lang=en", data={"csrf": token},
                    files={"file": ("tall.xlsx", b"not a spreadsheet", "application/octet-stream")})
    assert r.status_code == 422 and "nothing was written" in r.text
    assert _count(own_ws) == 0
