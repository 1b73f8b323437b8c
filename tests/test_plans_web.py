"""Plan analysis on the web (``/planer``): upload a generated DOCX and PDF, follow the job to
its report, the ``.json``/``.csv`` twins, bad files with clear messages and nothing stored,
and the role rule (anyone may analyse; storing under a region needs its editor role)."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fn17.actions.actor import ANONYMOUS
from fn17.plans import analyze_document, render_html, report_from_dict
from fn17.plans.limits import MIB
from fn17.services import plans as svc
from fn17.services.setup import initialise
from fn17.store.actions_tables import audit_log
from fn17.web.app import create_app
from fn17.workspace import Workspace
from test_actions_support import PASSWORD, make_people
from webtools import copy_store, open_store

CHAPTERS = [
    ("1 Klima og energi", [
        "Kommunen skal redusere klimagassutslippene med 60 prosent innen 2030 sammenlignet med 2009.",
        "Klimabudsjettet legges fram sammen med økonomiplanen hvert år, og alle kommunale bygg skal varmes opp med fornybar energi.",
    ]),
    ("2 Oppvekst og utdanning", [
        "Alle barn skal få et godt barnehagetilbud, og andelen elever som fullfører videregående opplæring skal øke.",
        "Kommunen vil styrke lærertettheten i grunnskolen og gi alle elever like muligheter.",
    ]),
    ("3 Folkehelse", [
        "Folkehelseoversikten viser økende sosiale helseforskjeller. Kommunen vil styrke lavterskeltilbudet innen psykisk helse og rus.",
    ]),
    ("4 Vann og avløp", [
        "Kommunen skal fornye vannledningene og bygge nytt renseanlegg, slik at utslippene fra kommunalt avløp til fjorden blir redusert.",
    ]),
]


def plan_docx(title: str = "Kommuneplanens samfunnsdel 2025–2037") -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=0)
    for heading, paragraphs in CHAPTERS:
        document.add_heading(heading, level=1)
        for text in paragraphs:
            document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def plan_pdf() -> bytes:
    """A four-page PDF: one chapter per page."""
    from weasyprint import HTML

    body = "".join(
        f'<h2 style="break-before: page">{h}</h2>' + "".join(f"<p>{p}</p>" for p in ps) for h, ps in CHAPTERS
    )
    html = f"<html><body><h1>Planstrategi for Fjordvik 2024–2027</h1><p>Vedtatt av kommunestyret.</p>{body}</body></html>"
    return bytes(HTML(string=html).write_pdf())


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def plans_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the SDG framework and the region register (all the plan pages need)."""
    path = tmp_path_factory.mktemp("plans-store") / "template.sqlite"
    ws = open_store(path)
    try:
        initialise(ws)
        make_people(ws.engine)
    finally:
        ws.engine.dispose()
    return path


@pytest.fixture
def plans_ws(plans_store_template: Path, tmp_path: Path) -> Iterator[Workspace]:
    ws = copy_store(plans_store_template, tmp_path / "fn17.sqlite")
    yield ws
    ws.engine.dispose()


@pytest.fixture
def client(plans_ws: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(workspace=plans_ws), follow_redirects=False) as c:
        yield c


def csrf(client: TestClient) -> str:
    value: str = client.get("/api/csrf").json()["data"]["csrf"]
    return value


def login(client: TestClient, username: str) -> None:
    response = client.post("/logg-inn", data={"username": username, "password": PASSWORD, "csrf": csrf(client), "next": "/planer"})
    assert response.status_code == 303, response.text


def upload(client: TestClient, name: str, data: bytes, *, region: str = "", title: str = "", as_json: bool = False,
           token: str | None = None) -> Any:
    headers = {"accept": "application/json"} if as_json else {}
    return client.post("/planer", data={"csrf": csrf(client) if token is None else token, "region": region, "title": title},
                       files={"file": (name, data, "application/octet-stream")}, headers=headers)


def wait_for(client: TestClient, job_url: str, timeout: float = 120) -> dict[str, Any]:
    seen: list[int] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        body = client.get(f"{job_url}.json").json()["data"]
        seen.append(body["percent"])
        if body["state"] in ("done", "failed"):
            if body["state"] == "done":
                assert seen == sorted(seen), seen  # progress never goes backwards
            return dict(body)
        time.sleep(0.05)
    pytest.fail(f"the analysis at {job_url} did not finish in {timeout} s")


def job_url(response: Any) -> str:
    assert response.status_code == 303, response.text
    location = str(response.headers["location"])
    assert re.match(r"^/planer/jobb/[\w-]{20,}\?lang=", location), location
    return location.split("?")[0]


# --- happy paths ------------------------------------------------------------------------------


def test_anonymous_docx_gets_a_report_that_is_not_stored(client: TestClient, plans_ws: Workspace) -> None:
    page = client.get("/planer")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and 'name="csrf"' in page.text
    assert "Ingen analyser er lagret ennå." in page.text and "ikke logget inn" in page.text

    url = job_url(upload(client, "samfunnsdel.docx", plan_docx()))
    progress = client.get(url)
    assert progress.status_code in (200, 303)
    if progress.status_code == 200:  # still running: a progress bar that refreshes without JavaScript
        assert "<progress" in progress.text and 'http-equiv="refresh"' in progress.text
    status = wait_for(client, url)
    assert status["state"] == "done" and status["percent"] == 100 and status["error"] is None
    assert status["stored"] is False and status["analysis_id"] is None
    assert status["report_url"] == f"{url}/rapport" and status["filename"] == "samfunnsdel.docx"
    assert status["title"] == "Kommuneplanens samfunnsdel 2025–2037"  # the document's own title

    done = client.get(url)
    assert done.status_code == 303 and done.headers["location"].startswith(f"{url}/rapport")
    report = client.get(f"{url}/rapport")
    assert report.status_code == 200
    html = report.text
    assert "<h1>Kommuneplanens samfunnsdel 2025–2037</h1>" in html
    assert 'class="fn17-plan-report"' in html and "Bærekraftsmål i planen" in html
    assert "ikke lagret" in html and "1 Klima og energi" in html
    assert '/indikator/' in html  # indicators that could measure the plan's goals link to their pages

    data = client.get(f"{url}/rapport.json").json()["data"]
    assert data["stored"] is False and data["report"]["document"]["format"] == "docx"
    goals = {g["goal"]: g for g in data["report"]["goals"]}
    assert goals[13]["status"] != "absent" and goals[4]["status"] != "absent" and goals[6]["status"] != "absent"
    assert 5 in data["report"]["missing_goals"] and goals[5]["status"] == "absent"
    csv = client.get(f"{url}/rapport.csv")
    assert csv.status_code == 200 and csv.text.splitlines()[0] == "goal,name,status,passages,share,pages,targets"
    assert len(csv.text.splitlines()) == 18
    assert svc.count_analyses(plans_ws) == 0  # nothing stored for an anonymous visitor


def test_editor_stores_a_pdf_under_the_region(client: TestClient, plans_ws: Workspace) -> None:
    login(client, "redaktor")  # editor for 1508 Ålesund
    assert "Du kan lagre analyser for: 1508." in client.get("/planer").text
    url = job_url(upload(client, "planstrategi.pdf", plan_pdf(), region="Ålesund", title="Planstrategi 2024–2027"))
    status = wait_for(client, url)
    assert status["state"] == "done", status
    assert status["stored"] is True and status["region_code"] == "1508" and status["region_name"] == "Ålesund"
    analysis_id = status["analysis_id"]
    assert status["report_url"] == f"/planer/{analysis_id}"

    page = client.get(f"/planer/{analysis_id}")
    assert page.status_code == 200
    assert "<h1>Planstrategi 2024–2027</h1>" in page.text and "av redaktor under 1508 Ålesund" in page.text
    assert "/region/1508/rapport" in page.text  # onward to the progress report that uses it
    data = client.get(f"/planer/{analysis_id}.json").json()["data"]
    assert data["report"]["document"]["pages"] == 5 and data["report"]["document"]["page_numbers"] == "exact"
    climate = next(g for g in data["report"]["goals"] if g["goal"] == 13)
    assert climate["pages"] == [2] and climate["top_passages"][0]["page"] == 2  # page references survive storing
    water = next(g for g in data["report"]["goals"] if g["goal"] == 6)
    assert 5 in water["pages"]

    listing = client.get("/planer?region=1508")
    assert "Planstrategi 2024–2027" in listing.text and f'href="/planer/{analysis_id}?lang=nb"' in listing.text
    rows = client.get("/planer.json?region=1508").json()["data"]["analyses"]
    assert [r["id"] for r in rows] == [analysis_id] and rows[0]["created_by"] == "redaktor" and rows[0]["pages"] == 5
    assert client.get("/planer.json?region=0301").json()["data"]["analyses"] == []
    csv_lines = client.get("/planer.csv").text.splitlines()
    assert csv_lines[0].startswith("id,region_code,region_name,title") and csv_lines[1].startswith(f"{analysis_id},1508,Ålesund,")

    with plans_ws.engine.connect() as conn:
        entries = conn.execute(select(audit_log).where(audit_log.c.entity == "plan_analysis", audit_log.c.action == "create")).mappings().all()
    assert [(e["username"], e["region_code"], e["entity_id"]) for e in entries] == [("redaktor", "1508", str(analysis_id))]
    latest = svc.latest_analysis(plans_ws, "1508")
    assert latest is not None and latest.summary.id == analysis_id and latest.report.goal(13).pages == (2,)
    assert svc.latest_analysis(plans_ws, "0301") is None


def test_json_client_gets_202_and_polls(client: TestClient) -> None:
    response = upload(client, "plan.md", Path(__file__).parent.joinpath("data/plans/samfunnsdel.md").read_bytes(), as_json=True)
    assert response.status_code == 202
    body = response.json()["data"]
    assert body["state"] in ("queued", "running", "done") and body["status_url"].startswith("/planer/jobb/")
    status = wait_for(client, body["status_url"])
    assert status["state"] == "done"
    assert client.get(f"{body['status_url']}.csv").status_code == 404


# --- the role rule ----------------------------------------------------------------------------


def _refusals(ws: Workspace) -> list[tuple[str, str]]:
    with ws.engine.connect() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.entity == "plan_analysis", audit_log.c.action == "denied")).mappings()
        return [(r["username"], r["region_code"]) for r in rows]


@pytest.mark.parametrize(("username", "status"), [(None, 401), ("oslo", 403), ("leser", 403)])
def test_storing_under_a_region_needs_its_editor_role(client: TestClient, plans_ws: Workspace, username: str | None,
                                                      status: int) -> None:
    if username:
        login(client, username)
    response = upload(client, "plan.docx", plan_docx(), region="1508")
    assert response.status_code == status
    assert "la regionfeltet stå tomt" in response.text  # the way out: analyse without storing
    assert 'value="1508"' in response.text  # the form keeps what was typed
    as_json = upload(client, "plan.docx", plan_docx(), region="1508", as_json=True)
    assert as_json.status_code == status and as_json.json()["data"]["error"]["details"]["reason"] == "store_needs_editor"
    assert _refusals(plans_ws) == [(username or "", "1508")] * 2
    assert svc.count_analyses(plans_ws) == 0
    # without a region the same person gets the report
    assert wait_for(client, job_url(upload(client, "plan.docx", plan_docx())))["state"] == "done"
    assert svc.count_analyses(plans_ws) == 0


def test_administrator_may_store_anywhere_and_csrf_is_checked(client: TestClient, plans_ws: Workspace) -> None:
    login(client, "admin")
    bad = upload(client, "plan.docx", plan_docx(), region="0301", token="0" * 64)
    assert bad.status_code == 403 and "CSRF" in bad.text
    status = wait_for(client, job_url(upload(client, "plan.docx", plan_docx(), region="0301")))
    assert status["stored"] and status["region_code"] == "0301"
    assert svc.count_analyses(plans_ws) == 1


def test_deleting_a_stored_analysis_needs_the_region_and_is_audited(client: TestClient, plans_ws: Workspace) -> None:
    login(client, "redaktor")  # editor for 1508
    analysis_id = wait_for(client, job_url(upload(client, "plan.docx", plan_docx(), region="1508")))["analysis_id"]
    assert f'action="/planer/{analysis_id}/slett' in client.get(f"/planer/{analysis_id}").text

    other = TestClient(client.app, follow_redirects=False)
    login(other, "oslo")  # an editor, but for 0301: sees the analysis, cannot delete it
    assert "/slett" not in other.get(f"/planer/{analysis_id}").text
    assert other.post(f"/planer/{analysis_id}/slett", data={"csrf": csrf(other)}).status_code == 403
    assert client.post(f"/planer/{analysis_id}/slett", data={"csrf": "0" * 64}).status_code == 403  # CSRF
    assert svc.count_analyses(plans_ws) == 1

    response = client.post(f"/planer/{analysis_id}/slett", data={"csrf": csrf(client)})
    assert response.status_code == 303 and response.headers["location"].startswith("/planer?region=1508")
    assert svc.count_analyses(plans_ws) == 0 and svc.latest_analysis(plans_ws, "1508") is None
    assert client.get(f"/planer/{analysis_id}").status_code == 404
    assert client.post(f"/planer/{analysis_id}/slett", data={"csrf": csrf(client)}).status_code == 404
    with plans_ws.engine.connect() as conn:
        deleted = conn.execute(select(audit_log).where(audit_log.c.entity == "plan_analysis",
                                                       audit_log.c.action == "delete")).mappings().all()
    assert [(e["username"], e["region_code"], e["entity_id"]) for e in deleted] == [("redaktor", "1508", str(analysis_id))]


# --- bad input --------------------------------------------------------------------------------


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document/>" + b" " * (40 * MIB))
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(plan_pdf()))
    writer.encrypt("hemmelig", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _scanned_pdf() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    pages = [Image.new("RGB", (400, 560), "white") for _ in range(2)]
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:])
    return buf.getvalue()


@pytest.mark.parametrize(("name", "make", "reason", "words"), [
    ("kryptert.pdf", _encrypted_pdf, "encrypted", "kryptert"),
    ("skannet.pdf", _scanned_pdf, "no_text", "skannede"),
    ("bombe.docx", _zip_bomb, "zip_bomb", "zip-bombe"),
    ("skadet.pdf", lambda: b"%PDF-1.7\n" + b"\x00garbage" * 50, "damaged", "skadet.pdf"),
])
def test_files_that_fail_while_reading_fail_the_job_and_store_nothing(
    client: TestClient, plans_ws: Workspace, name: str, make: Any, reason: str, words: str
) -> None:
    login(client, "redaktor")
    status = wait_for(client, job_url(upload(client, name, make(), region="1508")))
    assert status["state"] == "failed" and status["stored"] is False and status["report_url"] is None
    assert status["error"]["reason"] == reason and words in status["error"]["message"], status["error"]
    assert status["error"]["hint"]
    page = client.get(f"/planer/jobb/{status['id']}")
    assert page.status_code == 200 and 'role="alert"' in page.text and "Prøv en annen fil" in page.text
    assert "<progress" not in page.text and "refresh" not in page.text  # a failed job stops refreshing
    english = client.get(f"/planer/jobb/{status['id']}.json?lang=en").json()["data"]["error"]
    assert english["message"] != status["error"]["message"]
    assert client.get(f"/planer/jobb/{status['id']}/rapport").status_code == 404
    assert svc.count_analyses(plans_ws) == 0


@pytest.mark.parametrize(("name", "data", "status", "words"), [
    ("bilde.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, 400, "er et bilde"),
    ("gammel.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 200, 400, "Word 97–2003"),
    ("tom.pdf", b"   \n", 400, "er tom"),
    ("regneark.xlsx", b"PK\x03\x04" + b"\x00" * 200, 400, "Excel"),
    ("data.bin", "\x01\x02 noe binært".encode(), 400, "ikke en plan FN17 kan lese"),
])
def test_files_refused_before_analysis(client: TestClient, plans_ws: Workspace, name: str, data: bytes, status: int,
                                       words: str) -> None:
    response = upload(client, name, data)
    assert response.status_code == status and words in response.text, response.text[:3000]
    assert 'role="alert"' in response.text
    as_json = upload(client, name, data, as_json=True)
    assert as_json.status_code == status and as_json.json()["data"]["error"]["message"]
    assert svc.count_analyses(plans_ws) == 0


def test_missing_file_too_large_file_and_bad_region(client: TestClient, plans_ws: Workspace) -> None:
    missing = client.post("/planer", data={"csrf": csrf(client), "region": "", "title": ""})
    assert missing.status_code == 400 and "Velg en planfil" in missing.text
    huge = upload(client, "stor.pdf", b"%PDF-1.7\n" + b"0" * (60 * MIB + 70 * 1024), as_json=True)
    assert huge.status_code == 413 and huge.json()["data"]["error"]["details"]["reason"] == "too_large"
    old = upload(client, "plan.docx", plan_docx(), region="1507")
    assert old.status_code == 400 and "1508 Ålesund" in old.text  # the old code names its successors
    unknown = upload(client, "plan.docx", plan_docx(), region="Xyzzyby", as_json=True)
    assert unknown.status_code == 404
    long_title = upload(client, "plan.docx", plan_docx(), title="x" * 301)
    assert long_title.status_code == 400 and "høyst 300" in long_title.text
    assert svc.count_analyses(plans_ws) == 0


def test_unknown_pages_give_helpful_404s(client: TestClient) -> None:
    for path in ("/planer/999", "/planer/abc", "/planer/jobb/finnes-ikke", "/planer/jobb/finnes-ikke/rapport"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "/planer" in response.text
    nothing = client.get("/planer?region=Qqqqq")
    assert nothing.status_code == 404 and "Qqqqq" in nothing.text
    ambiguous = client.get("/planer.json?region=Herøy").json()["data"]["error"]  # two municipalities have the name
    assert ambiguous["status"] == 404 and "Mente du 1515 Herøy, 1818 Herøy?" in ambiguous["hint"]
    by_name = client.get("/planer.json?region=Ålesund").json()["data"]
    assert by_name["region_name"] == "Ålesund" and by_name["region_filter"] == "Ålesund"


def test_three_languages(client: TestClient) -> None:
    nb, nn, en = (client.get(f"/planer?lang={lang}").text for lang in ("nb", "nn", "en"))
    assert "Analyser en plan" in nb and "Analyser ein plan" in nn and "Analyse a plan" in en
    assert "Kven kan gjere kva" in nn and "Who can do what" in en
    url = job_url(upload(client, "plan.docx", plan_docx()))
    wait_for(client, url)
    report_en = client.get(f"{url}/rapport?lang=en").text
    assert '<html lang="en">' in report_en and "SDGs in the plan" in report_en and "This analysis is not stored" in report_en
    report_nn = client.get(f"{url}/rapport?lang=nn").text
    assert "Berekraftsmål i planen" in report_nn and "ikkje lagra" in report_nn


# --- the report survives storing ------------------------------------------------------------


def test_report_json_round_trip() -> None:
    report = analyze_document(plan_docx(), "plan.docx", indicators=svc.indicator_catalogue, embed_budget_s=5.0)
    data = json.loads(json.dumps(report.to_dict()))
    again = report_from_dict(data)
    assert again.to_dict() == data
    for lang in ("nb", "nn", "en"):
        assert render_html(again, lang, standalone=False) == render_html(report, lang, standalone=False)
    assert report.plan_goals and any(pg.indicators for pg in report.plan_goals)  # FN17's own indicator set is used


def test_progress_percent_is_monotonic_over_the_stages() -> None:
    sequence = [("queued", 0, 1), ("extract", 0, 1), ("extract", 1, 1), ("segment", 0, 1), ("segment", 1, 1),
                ("classify", 0, 40), ("classify", 20, 40), ("classify", 40, 40), ("report", 1, 1), ("store", 0, 1),
                ("done", 1, 1)]
    values = [svc.percent(*step) for step in sequence]
    assert values == sorted(values) and values[0] == 0 and values[-1] == 100
    assert svc.percent("classify", 20, 40) == 55


def test_queue_is_bounded(plans_ws: Workspace) -> None:
    jobs = svc.PlanJobs(plans_ws, workers=0, max_queued=2)  # no worker: jobs stay queued
    upload_ = svc.check_upload(plans_ws, ANONYMOUS, "plan.md", b"# Plan\n\nKommunen skal redusere utslippene.")
    first = jobs.submit(upload_, ANONYMOUS)
    jobs.submit(upload_, ANONYMOUS)
    assert jobs.status(first).state == "queued" and jobs.status(first).percent == 0
    with pytest.raises(svc.BusyError) as exc:
        jobs.submit(upload_, ANONYMOUS)
    assert exc.value.http_status == 503 and "venter" in exc.value.message


def test_plan_files_are_not_left_on_disk(client: TestClient, tmp_path: Path) -> None:
    """Uploads are read into memory; FN17_HOME gets no copy of the plan."""
    import os

    home = Path(os.environ["FN17_HOME"])
    before = {p for p in home.rglob("*")}
    wait_for(client, job_url(upload(client, "hemmelig-utkast.docx", plan_docx())))
    after = {p for p in home.rglob("*")}
    assert not [p for p in after - before if "hemmelig" in p.name]
