"""KLASS: codes at a date, changes between dates, KOSTRA groups, and the difference from FN17's
real region register — against payloads with the shape of KLASS's JSON answers."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import httpx
import pytest

from fake_clock import FakeClock
from fn17.errors import SourceError
from fn17.regions import load_register
from fn17.sources.http import HttpSource, RetryPolicy, make_client
from fn17.sources.klass import (
    KlassChange,
    KlassClient,
    KlassCode,
    compare_kostra_groups,
    compare_with_register,
    diff_codes,
)

AT = date(2024, 1, 1)


def code_item(code: str, name: str, parent: str | None = None) -> dict[str, Any]:
    return {"code": code, "parentCode": parent, "level": "1", "name": name, "shortName": "", "presentationName": "",
            "validFrom": None, "validTo": None, "notes": ""}  # fmt: skip


class FakeKlass:
    """classifications/{id}/codesAt, /changes and /correspondsAt; XML unless JSON is asked for, like KLASS."""

    def __init__(self, codes: dict[int, list[dict[str, Any]]], changes: dict[int, list[dict[str, Any]]],
                 kostra: list[tuple[str, str]] | None = None) -> None:  # fmt: skip
        self.codes, self.changes, self.kostra = codes, changes, kostra or []
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if "application/json" not in request.headers.get("accept", ""):
            return httpx.Response(
                200, content=b"<?xml version='1.0'?><codeList/>", headers={"Content-Type": "text/xml"}
            )
        parts = request.url.path.removeprefix("/api/klass/v1/classifications/").split("/")
        cid, what = int(parts[0]), parts[1]
        if what == "codesAt":
            return httpx.Response(200, json={"codes": self.codes[cid]})
        if what == "changes":
            return httpx.Response(200, json={"codeChanges": self.changes.get(cid, [])})
        if what == "correspondsAt":
            items = [{"sourceCode": g, "sourceName": f"KOSTRA-gruppe {g[3:]}", "targetCode": m, "targetName": ""}
                     for g, m in self.kostra]  # fmt: skip
            return httpx.Response(200, json={"correspondenceItems": items})
        return httpx.Response(404, json={"error": "not found"})


def client_for(server: FakeKlass) -> KlassClient:
    http = HttpSource(make_client(transport=httpx.MockTransport(server)), clock=FakeClock(),
                      retry=RetryPolicy(attempts=2), rng=random.Random(1))  # fmt: skip
    return KlassClient(http)


def register_items(at: date, kind: str = "kommune") -> list[dict[str, Any]]:
    reg = load_register()
    regions = reg.municipalities(at) if kind == "kommune" else reg.counties(at)
    return [code_item(r.code, r.name) for r in regions]


def test_codes_at_and_changes_parse_klass_json() -> None:
    changes: list[dict[str, Any]] = [
        {"oldCode": "1507", "oldName": "Ålesund", "oldShortName": "", "newCode": "1508", "newName": "Ålesund",
         "newShortName": "", "changeOccurred": "2024-01-01"},
        {"oldCode": "1507", "oldName": "Ålesund", "oldShortName": "", "newCode": "1580", "newName": "Haram",
         "newShortName": "", "changeOccurred": "2024-01-01"},
        {"oldCode": None, "oldName": None, "newCode": "9999", "newName": "Uoppgitt", "changeOccurred": "2024-01-01"},
    ]  # fmt: skip
    server = FakeKlass({131: [code_item("0301", "Oslo", "03"), code_item("1508", "Ålesund")]}, {131: changes})
    client = client_for(server)
    codes = client.codes_at(131, AT)
    assert codes == [
        KlassCode("0301", "Oslo", "", "1", "03", None, None),
        KlassCode("1508", "Ålesund", "", "1", None, None, None),
    ]
    got = client.changes(131, date(2023, 1, 1), date(2024, 1, 1))
    assert [c.describe() for c in got] == [
        "2024-01-01: – → 9999 Uoppgitt",
        "2024-01-01: 1507 Ålesund → 1508 Ålesund",
        "2024-01-01: 1507 Ålesund → 1580 Haram",
    ]
    sent = server.requests[-1]
    assert sent.url.path == "/api/klass/v1/classifications/131/changes"
    assert sent.url.params["from"] == "2023-01-01" and sent.url.params["to"] == "2024-01-02"  # KLASS's to is exclusive
    assert sent.headers["accept"] == "application/json"
    assert server.requests[0].url.params["date"] == "2024-01-01"


def test_register_agrees_with_a_klass_list_made_of_the_same_codes() -> None:
    items = [*register_items(AT), code_item("9999", "Uoppgitt"), code_item("2111", "Longyearbyen")]
    server = FakeKlass({131: items}, {131: []})
    diff = compare_with_register(client_for(server), load_register(), AT)
    assert diff.up_to_date, diff.lines()
    assert diff.lines() == ["Registeret stemmer med KLASS per 01.01.2024."]
    assert diff.lines("en") == ["The register agrees with KLASS on 01.01.2024."]


def test_a_reform_in_klass_shows_as_new_ended_and_renamed_codes() -> None:
    items = [i for i in register_items(AT) if i["code"] not in ("1508", "1580")]
    items.append(code_item("1509", "Ålesund"))  # a made-up reform: 1508 + 1580 merged into 1509
    for i in items:
        if i["code"] == "5001":
            i["name"] = "Trondheim"  # and a name without its South Sami form
    changes = [
        {"oldCode": "1508", "oldName": "Ålesund", "newCode": "1509", "newName": "Ålesund", "changeOccurred": "2024-01-01"},
        {"oldCode": "1580", "oldName": "Haram", "newCode": "1509", "newName": "Ålesund", "changeOccurred": "2024-01-01"},
    ]  # fmt: skip
    diff = compare_with_register(client_for(FakeKlass({131: items}, {131: changes})), load_register(), AT)
    assert [c.code for c in diff.new] == ["1509"]
    assert diff.ended == (("1508", "Ålesund"), ("1580", "Haram"))
    assert [(r.code, r.register_name, r.klass_name) for r in diff.renamed] == [
        ("5001", "Trondheim - Tråante", "Trondheim")
    ]
    assert not diff.up_to_date
    assert diff.lines() == [
        "ny i KLASS: 1509 Ålesund (2024-01-01: 1508 Ålesund → 1509 Ålesund; 2024-01-01: 1580 Haram → 1509 Ålesund)",
        "avsluttet i KLASS: 1508 Ålesund (2024-01-01: 1508 Ålesund → 1509 Ålesund)",
        "avsluttet i KLASS: 1580 Haram (2024-01-01: 1580 Haram → 1509 Ålesund)",
        "nytt navn: 5001 Trondheim - Tråante → Trondheim",
    ]
    assert diff.lines("en")[0].startswith("new in KLASS: 1509 Ålesund")


def test_counties_are_compared_with_classification_104() -> None:
    items = register_items(AT, "fylke")
    assert len(items) == 15
    server = FakeKlass({104: [*items, code_item("99", "Uoppgitt")]}, {104: []})
    diff = compare_with_register(client_for(server), load_register(), AT, kind="fylke")
    assert diff.up_to_date
    assert server.requests[0].url.path == "/api/klass/v1/classifications/104/codesAt"


def test_names_differing_only_in_dashes_and_spaces_are_the_same() -> None:
    diff = diff_codes(
        [KlassCode("5001", "Trondheim – Tråante", "", "1", None, None, None)],
        {"5001": "Trondheim  -  Tråante"},
        kind="kommune",
        at=AT,
    )
    assert diff.up_to_date


def test_kostra_groups_against_the_register() -> None:
    reg = load_register()
    assert reg.kostra_group("0301") == "13"
    same = FakeKlass({}, {}, kostra=[("EKG13", "0301")])
    assert compare_kostra_groups(client_for(same), reg, AT).different == {}
    moved = FakeKlass({}, {}, kostra=[("EKG12", "0301")])
    diff = compare_kostra_groups(client_for(moved), reg, AT)
    assert diff.different == {"0301": ("13", "12")}
    assert moved.requests[0].url.path == "/api/klass/v1/classifications/112/correspondsAt"
    assert moved.requests[0].url.params["targetClassificationId"] == "131"


def test_unexpected_answers_are_source_errors() -> None:
    class NoCodes(FakeKlass):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"_embedded": {}})

    with pytest.raises(SourceError, match="fant ikke listen «codes»"):
        client_for(NoCodes({}, {})).codes_at(131, AT)
    xml_only = FakeKlass({131: []}, {})
    http = HttpSource(make_client(transport=httpx.MockTransport(xml_only)), clock=FakeClock(), rng=random.Random(1))
    url = "https://data.ssb.no/api/klass/v1/classifications/131/codesAt"
    assert http.get(url, params={"date": "2024-01-01"}).json() == {"codes": []}  # the layer asks for JSON
    with pytest.raises(SourceError, match="Fikk et XML-dokument"):  # what KLASS sends when XML is accepted
        http.get(url, params={"date": "2024-01-02"}, headers={"Accept": "text/xml"})


def test_changes_reject_a_backwards_period() -> None:
    from fn17.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="baklengs"):
        client_for(FakeKlass({}, {})).changes(131, date(2024, 1, 1), date(2023, 1, 1))


def test_change_description() -> None:
    ended = KlassChange("1507", "Ålesund", None, None, AT)
    assert ended.describe() == "2024-01-01: 1507 Ålesund → –"
