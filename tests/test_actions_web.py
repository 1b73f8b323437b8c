"""The action register over HTTP: the role rules for every route that changes data (on SQLite
and PostgreSQL), CSRF, forms that re-render with their problems, conflicts, public views
without drafts, JSON/CSV twins and the Excel round trip."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from fn17.actions import audit, measures, targets
from fn17.actions.actor import ANONYMOUS
from fn17.services import actions as svc
from fn17.store.actions_tables import audit_log
from fn17.web.app import create_app
from fn17.workspace import Workspace
from test_actions_support import PASSWORD, People, people_fixture, store_fixture  # noqa: F401  (fixtures)

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
def app_client(store: Workspace, people: People) -> Iterator[Callable[[], TestClient]]:
    app = create_app(workspace=store)
    clients: list[TestClient] = []

    def make() -> TestClient:
        c = TestClient(app, follow_redirects=False)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


def token(client: TestClient) -> str:
    response = client.get("/api/csrf")
    assert response.status_code == 200
    value: str = response.json()["data"]["csrf"]
    return value


def login(client: TestClient, username: str) -> TestClient:
    response = client.post("/logg-inn", data={"username": username, "password": PASSWORD, "csrf": token(client), "next": "/"})
    assert response.status_code == 303, response.text
    return client


@dataclass(frozen=True)
class Route:
    path: str  # with {code}, {target}, {measure}, {partner}, {user}
    data: dict[str, Any]
    admin_only: bool = False
    upload: bool = False


def excel_bytes(store: Workspace, people: People) -> bytes:
    return svc.export_excel(store, people.admin, "1508")


ROUTES = [
    Route("/region/{code}/lokale-mal", {"title": "Nytt mål", "sdg_targets": "12.5"}),
    Route("/region/{code}/lokale-mal/{target}", {"title": "Endret mål", "sdg_targets": "12.5", "version": "1"}),
    Route("/region/{code}/lokale-mal/{target}/slett", {"version": "1"}),
    Route("/region/{code}/tiltak", {"title": "Nytt tiltak"}),
    Route("/region/{code}/tiltak/{measure}", {"title": "Endret tiltak", "version": "1"}),
    Route("/region/{code}/tiltak/{measure}/slett", {"version": "1"}),
    Route("/region/{code}/tiltak/import", {}, upload=True),
    Route("/region/{code}/partnere", {"name": "Ny partner", "kind": "privat"}),
    Route("/region/{code}/partnere/{partner}", {"name": "Endret partner", "kind": "privat", "version": "1"}),
    Route("/region/{code}/partnere/{partner}/slett", {"version": "1"}),
    Route("/region/{code}/egenvurdering/2025", {"q:political.decision": "2"}),
    Route("/region/{code}/rapport/tekster", {"text:opening": "Ordførerens hilsen."}),
    Route("/admin/brukere", {"username": "ny-bruker", "password": PASSWORD, "role": "viewer", "region": "1508"}, admin_only=True),
    Route("/admin/brukere/{user}/roller", {"role": "viewer", "region": "1580"}, admin_only=True),
    Route("/admin/brukere/{user}/roller/slett", {"role": "viewer", "region": "1508"}, admin_only=True),
]
OPEN_POSTS = {"/logg-inn", "/logg-ut", "/konto/passord"}  # tested on their own below


def _records(store: Workspace, people: People) -> dict[str, str]:
    tid = svc.save_target(store, people.admin, "1508", {"title": "Mål", "sdg_targets": "12.5"}, None)
    pid = svc.save_partner(store, people.admin, "1508", {"name": "Partner AS", "kind": "privat"}, None)
    mid = svc.save_measure(store, people.admin, "1508", {"title": "Tiltak", "partner_ids": [str(pid)]}, None)
    return {"code": "1508", "target": str(tid), "measure": str(mid), "partner": str(pid), "user": "leser"}


def test_the_route_list_covers_every_route_that_changes_data() -> None:
    """Every POST route of the action register's routers is in ROUTES (or is login, logout, password)."""
    from fn17.web.routes import actions as actions_routes
    from fn17.web.routes import auth as auth_routes
    from fn17.web.routes import reports as reports_routes

    posts = {r.path for router in (auth_routes.router, actions_routes.router, reports_routes.router) for r in router.routes
             if "POST" in getattr(r, "methods", set())}
    listed = {re.sub(r"\{(target|measure|partner)\}", "{record_id}", r.path)
              .replace("/egenvurdering/2025", "/egenvurdering/{year}").replace("{user}", "{username}") for r in ROUTES}
    assert posts == listed | OPEN_POSTS
    assert len(posts) == 18


def _post(client: TestClient, route: Route, ids: dict[str, str], data_for: Callable[[], bytes], csrf: str) -> Any:
    url = route.path.format(**ids)
    if route.upload:
        return client.post(url, data={"csrf": csrf}, files={"file": ("tiltak.xlsx", data_for(), "application/octet-stream")})
    return client.post(url, data={**route.data, "csrf": csrf})


def _denied(store: Workspace) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log).where(audit_log.c.action == "denied")).scalar_one())


@pytest.mark.parametrize("route", ROUTES, ids=[r.path for r in ROUTES])
def test_role_rules_for_every_route_that_changes_data(store: Workspace, people: People, app_client: Callable[[], TestClient],
                                                      route: Route) -> None:
    ids = _records(store, people)
    before = {"targets": len(targets.list_targets(store.engine, people.admin, "1508")),
              "measures": len(measures.list_measures(store.engine, people.admin, "1508"))}
    outsiders = [("anonymous", None, 401), ("viewer", "leser", 403), ("other editor", "oslo", 403)]
    if route.admin_only:
        outsiders.append(("editor", "redaktor", 403))
    for label, username, status in outsiders:
        client = app_client()
        if username:
            login(client, username)
        denied = _denied(store)
        response = _post(client, route, ids, lambda: excel_bytes(store, people), token(client))
        assert response.status_code == status, f"{label}: {response.status_code} {response.text[:300]}"
        assert _denied(store) == denied + 1, f"{label}: refusal not logged"
        assert "Ingen tilgang" in response.text or "logget inn" in response.text
    after = {"targets": len(targets.list_targets(store.engine, people.admin, "1508")),
             "measures": len(measures.list_measures(store.engine, people.admin, "1508"))}
    assert after == before
    # the right role gets through
    client = login(app_client(), "admin" if route.admin_only else "redaktor")
    response = _post(client, route, ids, lambda: excel_bytes(store, people), token(client))
    assert response.status_code == 303, response.text[:500]
    last = audit.entries(store.engine, limit=1)[0]
    assert last.action in ("create", "update", "delete", "import", "grant", "revoke") and last.username in ("redaktor", "admin")


def test_csrf_is_required_and_a_refusal_is_logged(store: Workspace, people: People, app_client: Callable[[], TestClient]) -> None:
    client = login(app_client(), "redaktor")
    response = client.post("/region/1508/tiltak", data={"title": "Uten token"})
    assert response.status_code == 403 and "CSRF" in response.text
    other = app_client()
    stolen = token(other)  # a token from someone else's session
    response = client.post("/region/1508/tiltak", data={"title": "Med fremmed token", "csrf": stolen})
    assert response.status_code == 403
    entries = audit.entries(store.engine, action="denied")
    assert [e.summary for e in entries[:2]] == ["bad or missing CSRF token"] * 2
    assert measures.list_measures(store.engine, people.admin, "1508") == []
    # the token also travels as a header (for API clients)
    response = client.post("/region/1508/tiltak", json={"title": "Via JSON"}, headers={"X-CSRF-Token": token(client)})
    assert response.status_code == 201 and response.json()["data"]["saved"] is True


def test_login_logout_and_the_rate_limit_over_http(store: Workspace, people: People, app_client: Callable[[], TestClient]) -> None:
    client = app_client()
    form = client.get("/logg-inn")
    assert form.status_code == 200 and CSRF.search(form.text)
    response = client.post("/logg-inn", data={"username": "redaktor", "password": PASSWORD, "csrf": CSRF.search(form.text).group(1)})  # type: ignore[union-attr]
    assert response.status_code == 303 and response.headers["location"].startswith("/region/1508/handling")
    assert "HttpOnly" in response.headers["set-cookie"] and "SameSite=lax" in response.headers["set-cookie"]
    assert client.get("/konto.json").json()["data"]["roles"] == [["editor", "1508"]]
    page = client.get("/region/1508/handling")
    logout_csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    copied = client.cookies.get("fn17_session")
    assert copied
    assert client.post("/logg-ut", data={"csrf": logout_csrf}).status_code == 303
    assert client.get("/konto").status_code == 401
    # the session is ended on the server: a copy of the cookie taken before logging out is refused
    thief = app_client()
    thief.cookies.set("fn17_session", copied)
    assert thief.get("/konto").status_code == 401

    attacker = app_client()
    for _ in range(5):
        r = attacker.post("/logg-inn", data={"username": "leser", "password": "gjetning-nummer-x", "csrf": token(attacker)})
        assert r.status_code == 401 and "Feil brukernavn eller passord" in r.text
    r = attacker.post("/logg-inn", data={"username": "leser", "password": PASSWORD, "csrf": token(attacker)})
    assert r.status_code == 429 and "For mange mislykkede innlogginger" in r.text
    r = attacker.post("/logg-inn?lang=en", data={"username": "leser", "password": PASSWORD, "csrf": token(attacker)},
                      headers={"accept": "application/json"})
    assert r.status_code == 429 and r.json()["data"]["error"]["code"] == "too_many_attempts"


def test_open_redirects_are_refused(app_client: Callable[[], TestClient]) -> None:
    client = app_client()
    response = client.post("/logg-inn", data={"username": "redaktor", "password": PASSWORD, "csrf": token(client),
                                              "next": "//evil.example/steal"})
    assert response.status_code == 303 and response.headers["location"].startswith("/region/1508/handling")


def test_forms_show_problems_and_keep_what_was_typed(store: Workspace, people: People, app_client: Callable[[], TestClient]) -> None:
    client = login(app_client(), "redaktor")
    response = client.post("/region/1508/lokale-mal", data={"title": "Renere fjorder", "sdg_targets": "14.99", "target_value_1": "3",
                                                             "csrf": token(client)})
    assert response.status_code == 400
    assert "«14.99» er ikke et SDG-delmål" in response.text
    assert "indikatorrad 1 har en målverdi, men ingen indikator" in response.text
    assert 'value="Renere fjorder"' in response.text and 'role="alert"' in response.text
    en = client.post("/region/1508/lokale-mal?lang=en", data={"title": "", "sdg_targets": "12.5", "csrf": token(client)})
    assert en.status_code == 400 and "“Title” is required" in en.text


def test_a_concurrent_edit_in_the_browser_is_a_409_with_the_conflict(store: Workspace, people: People,
                                                                     app_client: Callable[[], TestClient]) -> None:
    pid = svc.save_partner(store, people.admin, "1508", {"name": "Sparebanken Møre", "kind": "privat"}, None)
    first, second = login(app_client(), "redaktor"), login(app_client(), "admin")
    form_a, form_b = first.get(f"/region/1508/partnere/{pid}"), second.get(f"/region/1508/partnere/{pid}")
    assert 'name="version" value="1"' in form_a.text and 'name="version" value="1"' in form_b.text
    ok = second.post(f"/region/1508/partnere/{pid}", data={"name": "Sparebanken Møre ASA", "kind": "privat", "version": "1",
                                                           "csrf": CSRF.search(form_b.text).group(1)})  # type: ignore[union-attr]
    assert ok.status_code == 303
    late = first.post(f"/region/1508/partnere/{pid}", data={"name": "Sparebanken Møre (endret)", "kind": "privat", "version": "1",
                                                            "csrf": CSRF.search(form_a.text).group(1)})  # type: ignore[union-attr]
    assert late.status_code == 409
    assert "ble endret av admin" in late.text and "Endringen din er ikke lagret" in late.text
    assert 'value="Sparebanken Møre (endret)"' in late.text  # what the user typed is still there to copy


def test_public_pages_show_published_records_only(store: Workspace, people: People, app_client: Callable[[], TestClient]) -> None:
    svc.save_target(store, people.editor, "1508", {"title": "Offentlig mål", "sdg_targets": "12.5", "published": "ja"}, None)
    svc.save_target(store, people.editor, "1508", {"title": "Hemmelig utkast", "sdg_targets": "13.2"}, None)
    public = app_client()
    page = public.get("/region/1508/lokale-mal")
    assert page.status_code == 200 and "Offentlig mål" in page.text and "Hemmelig utkast" not in page.text
    assert [x["title"] for x in public.get("/region/1508/lokale-mal.json").json()["data"]["items"]] == ["Offentlig mål"]
    csv = public.get("/region/1508/lokale-mal.csv").text.splitlines()
    assert csv[0].startswith("id,title,sdg_targets") and len(csv) == 2
    for private in ("/region/1508/egenvurdering", "/region/1508/rapport", "/region/1508/logg", "/region/1508/rapport/vlr.html"):
        assert public.get(private).status_code == 401, private
    oslo = login(app_client(), "oslo")
    assert "Hemmelig utkast" not in oslo.get("/region/1508/lokale-mal").text
    assert oslo.get("/region/1508/logg").status_code == 403
    editor = login(app_client(), "redaktor")
    assert "Hemmelig utkast" in editor.get("/region/1508/lokale-mal").text
    entries = editor.get("/region/1508/logg.json").json()["data"]["entries"]
    assert [e["action"] for e in entries].count("create") == 2
    assert {e["username"] for e in entries if e["action"] == "denied"} == {"", "oslo"}  # refused reads are logged too
    assert public.get("/region/1508/handling.json").json()["data"]["n_local_targets"] == 1


def test_excel_export_and_all_or_nothing_import_over_http(store: Workspace, people: People,
                                                          app_client: Callable[[], TestClient]) -> None:
    client = login(app_client(), "redaktor")
    svc.save_partner(store, people.editor, "1508", {"name": "Ålesund Frivilligsentral", "kind": "frivillig", "published": "ja"}, None)
    data = client.get("/region/1508/tiltak.xlsx")
    assert data.status_code == 200 and data.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(data.content))
    ws = wb["Tiltak"]
    ws.append([None, "Strandrydding", "Ryddeaksjon hver vår", "Park og idrett", 2025, 2027, "45 000", "planlagt", "14", None, None,
               "Ålesund Frivilligsentral; Norsk Friluftsliv", "ja", None])
    ws.append([None, "", "uten tittel", None, "20x5", None, "mye", "snart", "19", None, "finnes_ikke", None, "kanskje", None])
    wb["Partnere"].append([None, "Norsk Friluftsliv", "frivillig", None, "nei", None, None, "ja", None])
    buf = io.BytesIO()
    wb.save(buf)
    bad = client.post("/region/1508/tiltak/import", data={"csrf": token(client)},
                      files={"file": ("tiltak.xlsx", buf.getvalue(), "application/octet-stream")},
                      headers={"accept": "application/json"})
    assert bad.status_code == 422
    problems = bad.json()["data"]["error"]["details"]["problems"]
    assert {(p["sheet"], p["row"]) for p in problems} == {("Tiltak", 3)}
    columns = {p["column"] for p in problems}
    assert {"Tittel (B)", "Startår (E)", "Budsjett (kr) (G)", "Status (H)", "Bærekraftsmål (I)", "Indikatorer (K)", "Publisert (M)"} <= columns
    assert measures.list_measures(store.engine, people.admin, "1508") == []  # nothing written, not even the good row
    assert [p.name for p in svc.partners_page(store, people.admin, "1508").items] == ["Ålesund Frivilligsentral"]

    ws.delete_rows(3)
    buf = io.BytesIO()
    wb.save(buf)
    ok = client.post("/region/1508/tiltak/import", data={"csrf": token(client)},
                     files={"file": ("tiltak.xlsx", buf.getvalue(), "application/octet-stream")})
    assert ok.status_code == 303
    (m,) = measures.list_measures(store.engine, people.admin, "1508")
    assert (m.title, m.budget_nok, m.start_year, m.status, m.goals) == ("Strandrydding", 45000.0, 2025, "planned", [14])
    assert sorted(p.name for p in m.partners) == ["Norsk Friluftsliv", "Ålesund Frivilligsentral"]
    imported = audit.entries(store.engine, action="import")
    assert imported[0].after is not None and imported[0].after["created_measures"] == 1 and imported[0].after["created_partners"] == 1

    junk = client.post("/region/1508/tiltak/import", data={"csrf": token(client)}, files={"file": ("x.xlsx", b"not a workbook", "text/plain")})
    assert junk.status_code == 422 and "ikke en Excel-arbeidsbok" in junk.text


def test_who_works_with_us_on_goal_12_page(store: Workspace, people: People, app_client: Callable[[], TestClient]) -> None:
    pid = svc.save_partner(store, people.editor, "1508", {"name": "Tafjord Kraft", "kind": "privat", "global_compact": "ja",
                                                          "published": "ja"}, None)
    svc.save_measure(store, people.editor, "1508", {"title": "Mindre matsvinn", "sdg_goals": ["12"], "partner_ids": [str(pid)],
                                                    "published": "ja"}, None)
    page = app_client().get("/region/1508/partnere?mal=12")
    assert page.status_code == 200
    assert "Hvem jobber med oss på mål 12" in page.text and "Tafjord Kraft" in page.text and "Mindre matsvinn" in page.text
    assert app_client().get("/region/1508/partnere.json?mal=6").json()["data"]["items"] == []
    assert app_client().get("/region/1508/partnere?mal=18").status_code == 400
    assert svc.partners_page(store, ANONYMOUS, "1508", "nb", 12).items[0].global_compact is True
