"""The PxWebApi v2 client against a fake SSB statistics bank served by ``httpx.MockTransport``.

The fake implements the parts of PxWebApi v2 that FN17 uses — ``tables``, ``tables/{id}/metadata``
(JSON-stat2 with roles, elimination and code lists), ``codelists/{id}``, ``tables/{id}/data`` by GET
(``valueCodes``/``codelist``/``outputValues``) and POST (``selection``), elimination by summing,
aggregation code lists, the 800,000-cell limit (403) — with its own selection logic, so the client's
expansion and splitting are checked against an independent implementation.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from fake_clock import FakeClock
from fn17.errors import InvalidInputError, SourceError
from fn17.sources.http import HttpSource, ResponseCache, RetryPolicy, make_client
from fn17.sources.pxweb import PxQuery, PxWebClient, expand_selection, parse_metadata

BASE = "https://data.ssb.no/api/pxwebapi/v2/"


@dataclass
class Var:
    code: str
    label: str
    values: list[str]
    role: str | None = None
    elimination: bool = False
    codelists: list[dict[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeTable:
    id: str
    label: str
    variables: list[Var]
    value: Callable[[dict[str, str]], float | None]


REGIONS = ["0", "0301", "3101", "3103", "3105", "3107", "4601", "4602", "5001", "5006",
           "1103", "1108", "1506", "1508", "1580", "1804", "3201", "3203", "3301", "3901"]  # fmt: skip
AGES = [f"{a:03d}" for a in range(106)]
YEARS = [str(y) for y in range(2015, 2025)]
#: agg_KommSummer-like aggregation: today's municipality ← the codes it was made of.
AGG_KOMM = {"K-3103": ["3103", "3105"], "K-3101": ["3101"], "K-5001": ["5001", "5006"], "K-1508": ["1508"]}


def population(c: dict[str, str]) -> float | None:
    """Deterministic 'population' per cell; 5001 has no figure for 2024."""
    if c.get("Region") == "5001" and c.get("Tid") == "2024":
        return None
    region = REGIONS.index(c["Region"]) + 1
    return float(region * 1000 + int(c.get("Alder", "0")) * 3 + int(c.get("Kjonn", "1")) + int(c["Tid"]) - 2015)


def table_07459() -> FakeTable:
    return FakeTable(
        id="07459",
        label="07459: Befolkning, etter region, kjønn, alder, statistikkvariabel og år",
        variables=[
            Var("Region", "region", REGIONS, "geo", True,
                [{"id": "agg_KommSummer", "label": "Kommuner (summert)", "type": "Aggregation"},
                 {"id": "vs_Kommun", "label": "Kommuner", "type": "Valueset"}]),
            Var("Kjonn", "kjønn", ["1", "2"], None, True, labels={"1": "Menn", "2": "Kvinner"}),
            Var("Alder", "alder", AGES, None, True),
            Var("ContentsCode", "statistikkvariabel", ["Personer1"], "metric", False, labels={"Personer1": "Personer"}),
            Var("Tid", "år", YEARS, "time", False),
        ],
        value=population,
    )  # fmt: skip


def _split_items(text: str) -> list[str]:
    """valueCodes=a,[range(1,2)],b → ['a', 'range(1,2)', 'b'] (commas inside brackets kept)."""
    items, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
            continue
        depth += ch == "["
        depth -= ch == "]"
        cur += ch
    items.append(cur)
    out = []
    for item in items:
        if item.startswith("[") and item.endswith("]"):
            item = item[1:-1]
        elif "," in item:
            raise ValueError(f"Illegal selection expression {item}")
        out.append(item)
    return out


def _server_expand(items: list[str], values: list[str], time: bool) -> list[str]:
    """The fake's own selection logic (written independently of the client's)."""
    picked: list[str] = []
    for item in items:
        low = item.lower()
        if item == "*":
            picked += values
        elif m := re.fullmatch(r"from\((.+)\)", low):
            picked += values[values.index(m.group(1)) :]
        elif m := re.fullmatch(r"to\((.+)\)", low):
            picked += values[: values.index(m.group(1)) + 1]
        elif m := re.fullmatch(r"range\((.+),(.+)\)", low):
            picked += values[values.index(m.group(1)) : values.index(m.group(2)) + 1]
        elif m := re.fullmatch(r"top\((\d+)\)", low):
            n = int(m.group(1))
            picked += values[-n:] if time else values[:n]
        elif item in values:
            picked.append(item)
        else:
            raise KeyError(item)
    return list(dict.fromkeys(picked))


class FakePxWeb:
    """A PxWebApi v2 server for tests; counts requests and the cells each data request asked for."""

    def __init__(self, *tables: FakeTable, max_cells: int = 800_000) -> None:
        self.tables = {t.id: t for t in tables}
        self.max_cells = max_cells
        self.requests: list[httpx.Request] = []
        self.data_cells: list[int] = []
        self.data_methods: list[str] = []
        self.drop_dimension: str | None = None
        self.corrupt_values = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/pxwebapi/v2/")
        if path == "tables":
            return self._search(request)
        if m := re.fullmatch(r"codelists/(\w+)", path):
            if m.group(1) != "agg_KommSummer":
                return httpx.Response(404, json={"title": "Not found"})
            values = [{"code": k, "label": k[2:], "valueMap": v} for k, v in AGG_KOMM.items()]
            return httpx.Response(200, json={"id": "agg_KommSummer", "type": "Aggregation", "values": values})
        m = re.fullmatch(r"tables/(\w+)/(metadata|data)", path)
        if not m or m.group(1) not in self.tables:
            return httpx.Response(404, json={"title": "Not found", "detail": path})
        table = self.tables[m.group(1)]
        if m.group(2) == "metadata":
            return httpx.Response(200, json=self._metadata(table))
        try:
            return self._data(table, request)
        except (KeyError, ValueError) as exc:
            return httpx.Response(400, json={"title": "Bad request", "detail": f"Illegal selection expression: {exc}"})

    def _search(self, request: httpx.Request) -> httpx.Response:
        query = request.url.params.get("query", "")
        hits = [t for t in self.tables.values() if query.lower() in t.label.lower()]
        tables = [{"type": "Table", "id": t.id, "label": t.label, "updated": "2024-02-21T07:00:00Z",
                   "firstPeriod": "2015", "lastPeriod": "2024", "category": "public",
                   "variableNames": [v.label for v in t.variables]} for t in hits]  # fmt: skip
        page = {"pageNumber": 1, "pageSize": 100, "totalElements": len(tables), "totalPages": 1}
        return httpx.Response(200, json={"language": "no", "tables": tables, "page": page})

    def _metadata(self, table: FakeTable) -> dict[str, Any]:
        dims = {}
        for v in table.variables:
            dims[v.code] = {
                "label": v.label,
                "category": {
                    "index": {c: i for i, c in enumerate(v.values)},
                    "label": {c: v.labels.get(c, c) for c in v.values},
                },
                "extension": {"elimination": v.elimination, "show": "value", "codeLists": v.codelists},
            }
        return {
            "version": "2.0", "class": "dataset", "label": table.label, "source": "Statistisk sentralbyrå",
            "updated": "2024-02-21T07:00:00Z", "note": ["Tallene gjelder 1. januar."],
            "role": {r: [v.code for v in table.variables if v.role == r] for r in ("time", "metric", "geo")},
            "id": [v.code for v in table.variables], "size": [len(v.values) for v in table.variables],
            "dimension": dims,
        }  # fmt: skip

    def _selection(self, request: httpx.Request) -> tuple[dict[str, list[str]], dict[str, str]]:
        if request.method == "POST":
            body = orjson.loads(request.content)
            sel = {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
            lists = {s["variableCode"]: s["codelist"] for s in body["selection"] if "codelist" in s}
            return sel, lists
        sel, lists = {}, {}
        for key, value in request.url.params.multi_items():
            if m := re.fullmatch(r"valueCodes\[(\w+)\]", key):
                sel[m.group(1)] = _split_items(value)
            elif m := re.fullmatch(r"codelist\[(\w+)\]", key):
                lists[m.group(1)] = value
        return sel, lists

    def _data(self, table: FakeTable, request: httpx.Request) -> httpx.Response:
        sel, lists = self._selection(request)
        chosen: dict[str, list[str]] = {}
        members: dict[str, dict[str, list[str]]] = {}
        for v in table.variables:
            if v.code not in sel:
                if not v.elimination:
                    return httpx.Response(
                        400, json={"title": "Bad request", "detail": f"Mandatory variable {v.code} missing"}
                    )
                continue
            if v.code in lists:
                chosen[v.code] = _server_expand(sel[v.code], list(AGG_KOMM), False)
                members[v.code] = {k: AGG_KOMM[k] for k in chosen[v.code]}
            else:
                chosen[v.code] = _server_expand(sel[v.code], v.values, v.role == "time")
        for dim in sel:
            if dim not in {v.code for v in table.variables}:
                return httpx.Response(400, json={"title": "Bad request", "detail": f"Unknown variable {dim}"})
        cells = math.prod(len(c) for c in chosen.values())
        self.data_methods.append(request.method)
        if cells > self.max_cells:
            return httpx.Response(403, json={"title": "Forbidden", "detail": f"Too many cells: {cells}"})
        self.data_cells.append(cells)
        ids = [v.code for v in table.variables if v.code in chosen]
        eliminated = [v for v in table.variables if v.code not in chosen]
        values: list[float | None] = []
        status: dict[str, str] = {}
        for i, combo in enumerate(itertools.product(*(chosen[d] for d in ids))):
            coords = dict(zip(ids, combo, strict=True))
            expanded = [[(d, m) for m in members[d][coords[d]]] if d in members else [(d, coords[d])] for d in ids]
            expanded += [[(v.code, x) for x in v.values] for v in eliminated]
            total: float | None = 0.0
            for parts in itertools.product(*expanded):
                cell = table.value(dict(parts))
                total = None if cell is None or total is None else total + cell
            values.append(total)
            if total is None:
                status[str(i)] = ".."
        dims = {d: {"label": d, "category": {"index": {c: i for i, c in enumerate(chosen[d])},
                                             "label": {c: c for c in chosen[d]}}} for d in ids}  # fmt: skip
        doc: dict[str, Any] = {
            "version": "2.0", "class": "dataset", "label": table.label, "source": "Statistisk sentralbyrå",
            "updated": "2024-02-21T07:00:00Z",
            "role": {r: [v.code for v in table.variables if v.role == r and v.code in chosen] for r in ("time", "metric", "geo")},
            "id": ids, "size": [len(chosen[d]) for d in ids], "dimension": dims, "value": values, "status": status,
        }  # fmt: skip
        if self.drop_dimension is not None:
            k = doc["id"].index(self.drop_dimension)
            doc["id"].pop(k)
            doc["size"].pop(k)
            del doc["dimension"][self.drop_dimension]
            doc["value"] = doc["value"][: math.prod(doc["size"])]
        if self.corrupt_values:
            doc["value"] = doc["value"][:-1]
        return httpx.Response(200, content=orjson.dumps(doc), headers={"Content-Type": "application/json"})


def make_client_for(
    server: FakePxWeb, tmp_path: Path | None = None, *, max_cells: int = 800_000, max_url_length: int = 2000
) -> PxWebClient:
    http = HttpSource(
        make_client(transport=httpx.MockTransport(server)),
        cache=ResponseCache(tmp_path / "cache") if tmp_path is not None else None,
        clock=FakeClock(),
        retry=RetryPolicy(attempts=2),
        rng=random.Random(1),
    )
    return PxWebClient(http, max_cells=max_cells, max_url_length=max_url_length)


def records(frame: Any) -> dict[tuple[str, str, str, str], float | None]:
    out = {}
    for r in frame.astype({"value": object}).itertuples(index=False):
        key = (r.indicator_id, r.region_code, r.period, r.breakdown)
        assert key not in out, f"duplicate cell {key}"
        out[key] = None if r.value != r.value else r.value
    return out


# --- fetching ---------------------------------------------------------------------------------


def test_fetch_small_query_gives_exact_records() -> None:
    server = FakePxWeb(table_07459())
    client = make_client_for(server)
    query = PxQuery.create("07459", {"Region": ["0301", "5001"], "ContentsCode": "Personer1", "Tid": ["2023", "2024"]},
                           region_dimension="Region")  # fmt: skip
    frame = client.fetch(query)
    totals = {(r, t): sum(population({"Region": r, "Kjonn": k, "Alder": a, "Tid": t}) or 0
                          for k in ("1", "2") for a in AGES) for r in ("0301",) for t in ("2023", "2024")}  # fmt: skip
    assert records(frame) == {
        ("ssb:07459:Personer1", "0301", "2023", ""): totals[("0301", "2023")],
        ("ssb:07459:Personer1", "0301", "2024", ""): totals[("0301", "2024")],
        ("ssb:07459:Personer1", "5001", "2023", ""): sum(
            population({"Region": "5001", "Kjonn": k, "Alder": a, "Tid": "2023"}) or 0 for k in ("1", "2") for a in AGES
        ),
        ("ssb:07459:Personer1", "5001", "2024", ""): None,
    }
    assert list(frame["status"]) == ["ok", "ok", "ok", "missing"]
    assert frame["query"].iloc[0].startswith(BASE + "tables/07459/data?lang=no&outputFormat=json-stat2")
    methods = [(r.method, r.url.path.rsplit("/", 1)[-1]) for r in server.requests]
    assert methods == [("GET", "metadata"), ("GET", "data")]


def test_query_above_the_cell_limit_is_split_by_region_then_time_and_merged() -> None:
    server = FakePxWeb(table_07459(), max_cells=500)
    client = make_client_for(server, max_cells=500)
    query = PxQuery.create("07459", {"Region": "*", "Kjonn": "*", "Alder": "*", "ContentsCode": "Personer1",
                                     "Tid": "from(2020)"}, region_dimension="Region")  # fmt: skip
    meta = client.metadata("07459")
    assert client.count_cells(query, meta) == 20 * 2 * 106 * 5
    plan = client.plan(query, meta)
    assert all(len(p.value_codes["Region"]) == 1 for p in plan)  # regions first, one at a time
    assert {len(p.value_codes["Tid"]) for p in plan} == {2, 1}  # then years: 2 + 2 + 1
    assert len(plan) == 20 * 3
    frame = client.fetch(query)
    assert max(server.data_cells) <= 500 and len(server.data_cells) == 60
    got = records(frame)
    assert len(got) == 21_200
    for (_, region, year, breakdown), value in random.Random(3).sample(sorted(got.items()), 200):
        parts = dict(p.split("=") for p in breakdown.split(";"))
        assert value == population({"Region": region, "Tid": year, **parts})
    assert got[("ssb:07459:Personer1", "5001", "2024", "Alder=000;Kjonn=1")] is None


def test_plan_respects_ssbs_800000_cell_limit() -> None:
    """07459 for every region code since 1986 (about 1,000), by sex, age and 40 years: 8.5 million cells."""
    regions = [f"{i:04d}" for i in range(1000)]
    years = [str(y) for y in range(1986, 2026)]
    big = FakeTable("07459", "07459: Befolkning", [
        Var("Region", "region", regions, "geo", True), Var("Kjonn", "kjønn", ["1", "2"], None, True),
        Var("Alder", "alder", AGES, None, True), Var("ContentsCode", "statistikkvariabel", ["Personer1"], "metric"),
        Var("Tid", "år", years, "time"),
    ], value=lambda c: 1.0)  # fmt: skip
    client = make_client_for(FakePxWeb(big))
    assert client.max_cells == 800_000
    query = PxQuery.create(
        "07459", {"Region": "*", "Kjonn": "*", "Alder": "*", "ContentsCode": "Personer1", "Tid": "*"}
    )
    meta = client.metadata("07459")
    plan = client.plan(query, meta)
    sizes = [client.count_cells(p, meta) for p in plan]
    assert sum(sizes) == 1000 * 2 * 106 * 40 == 8_480_000
    assert max(sizes) <= 800_000 and len(plan) == 11  # 94 regions × 8,480 cells a part
    covered = [r for p in plan for r in p.value_codes["Region"]]
    assert covered == regions  # every region exactly once, in order
    assert all(p.value_codes["Tid"] == ("*",) for p in plan)


def test_without_splitting_ssb_refuses_with_403() -> None:
    server = FakePxWeb(table_07459(), max_cells=500)
    client = make_client_for(server, max_cells=10**9)
    query = PxQuery.create("07459", {"Region": "*", "Alder": "*", "ContentsCode": "Personer1", "Tid": "*"})
    with pytest.raises(SourceError) as info:
        client.fetch(query)
    assert info.value.details["status"] == 403 and "800 000" in (info.value.hint or "")


def test_long_query_is_sent_as_post() -> None:
    server = FakePxWeb(table_07459())
    client = make_client_for(server, max_url_length=200)
    query = PxQuery.create("07459", {"Region": REGIONS, "Alder": ["[range(000,002)]", "105"],
                                     "ContentsCode": "Personer1", "Tid": "2023"})  # fmt: skip
    frame = client.fetch(query)
    assert server.data_methods == ["POST"]
    body = orjson.loads(server.requests[-1].content)
    assert body["selection"][1] == {"variableCode": "Alder", "valueCodes": ["range(000,002)", "105"]}
    assert len(frame) == 20 * 4
    assert (
        frame["query"]
        .iloc[0]
        .startswith(f"POST {BASE}tables/07459/data?lang=no&outputFormat=json-stat2 " + '{"selection":')
    )


def test_aggregation_codelist_counts_with_the_list_and_normalises_codes() -> None:
    server = FakePxWeb(table_07459())
    client = make_client_for(server)
    query = PxQuery.create("07459", {"Region": "*", "ContentsCode": "Personer1", "Tid": "2023"},
                           codelist={"Region": "agg_KommSummer"}, output_values={"Region": "aggregated"},
                           region_dimension="Region")  # fmt: skip
    meta = client.metadata("07459")
    assert client.count_cells(query, meta) == len(AGG_KOMM)
    frame = client.fetch(query)
    got = records(frame)
    assert sorted(r for (_, r, _, _) in got) == ["1508", "3101", "3103", "5001"]

    def total(region: str) -> float:
        return sum(population({"Region": region, "Kjonn": k, "Alder": a, "Tid": "2023"}) or 0
                   for k in ("1", "2") for a in AGES)  # fmt: skip

    assert got[("ssb:07459:Personer1", "3103", "2023", "")] == total("3103") + total("3105")
    data = next(r for r in server.requests if r.url.path.endswith("/data"))
    assert data.url.params["codelist[Region]"] == "agg_KommSummer"
    assert data.url.params["outputValues[Region]"] == "aggregated"


def test_repeated_fetch_is_served_from_the_cache(tmp_path: Path) -> None:
    server = FakePxWeb(table_07459())
    query = PxQuery.create("07459", {"Region": "0301", "ContentsCode": "Personer1", "Tid": "2023"})
    first = make_client_for(server, tmp_path).fetch(query)
    n = len(server.requests)
    second = make_client_for(server, tmp_path).fetch(query)
    assert len(server.requests) == n
    assert records(first) == records(second)


# --- a table that changed ------------------------------------------------------------------------


def changed_table(drop: str | None = None, add: Var | None = None, contents: str | None = None) -> FakeTable:
    t = table_07459()
    if drop:
        t.variables = [v for v in t.variables if v.code != drop]
    if add:
        t.variables.insert(1, add)
    if contents:
        next(v for v in t.variables if v.code == "ContentsCode").values = [contents]
    return t


def test_dimension_gone_is_named() -> None:
    server = FakePxWeb(changed_table(drop="Alder"))
    client = make_client_for(server)
    query = PxQuery.create("07459", {"Region": "0301", "Alder": "000", "ContentsCode": "Personer1", "Tid": "2023"})
    with pytest.raises(SourceError) as info:
        client.fetch(query)
    err = info.value
    assert err.message.startswith("Tabell 07459 har endret seg: dimensjonen «Alder» finnes ikke lenger")
    assert "Region, Kjonn, ContentsCode, Tid" in err.message and "the dimension 'Alder' is gone" in err.message_en
    assert err.details["dimension"] == "Alder" and "value_codes" in (err.hint or "")
    assert not any(r.url.path.endswith("/data") for r in server.requests)


def test_new_mandatory_dimension_is_named() -> None:
    server = FakePxWeb(changed_table(add=Var("Landbakgrunn", "landbakgrunn", ["000", "001"], elimination=False)))
    client = make_client_for(server)
    query = PxQuery.create("07459", {"Region": "0301", "ContentsCode": "Personer1", "Tid": "2023"})
    with pytest.raises(SourceError, match="har fått dimensjonen «Landbakgrunn» \\(landbakgrunn\\)") as info:
        client.fetch(query)
    assert info.value.details["dimension"] == "Landbakgrunn"


def test_new_optional_dimension_is_fine() -> None:
    server = FakePxWeb(changed_table(add=Var("Landbakgrunn", "landbakgrunn", ["000", "001"], elimination=True)))
    client = make_client_for(server)
    frame = client.fetch(PxQuery.create("07459", {"Region": "0301", "ContentsCode": "Personer1", "Tid": "2023"}))
    assert len(frame) == 1


def test_value_code_gone_is_named() -> None:
    server = FakePxWeb(changed_table(contents="Personer2"))
    client = make_client_for(server)
    query = PxQuery.create("07459", {"Region": "0301", "ContentsCode": "Personer1", "Tid": "2023"})
    with pytest.raises(SourceError, match="verdien\\(e\\) Personer1 i dimensjonen «ContentsCode» finnes ikke lenger"):
        client.fetch(query)


def test_codelist_gone_is_named() -> None:
    server = FakePxWeb(table_07459())
    client = make_client_for(server)
    query = PxQuery.create("07459", {"Region": "*", "ContentsCode": "Personer1", "Tid": "2023"},
                           codelist={"Region": "agg_Fylker2024"})  # fmt: skip
    with pytest.raises(SourceError, match="kodelisten «agg_Fylker2024» finnes ikke lenger for «Region»"):
        client.fetch(query)


def test_response_missing_a_dimension_is_a_source_error() -> None:
    server = FakePxWeb(table_07459())
    server.drop_dimension = "Tid"
    client = make_client_for(server)
    with pytest.raises(SourceError, match="svaret mangler dimensjonen «Tid»"):
        client.fetch(PxQuery.create("07459", {"Region": "0301", "ContentsCode": "Personer1", "Tid": "2023"}))


def test_malformed_jsonstat_response_is_a_source_error() -> None:
    server = FakePxWeb(table_07459())
    server.corrupt_values = True
    client = make_client_for(server)
    with pytest.raises(SourceError) as info:
        client.fetch(PxQuery.create("07459", {"Region": ["0301", "3101"], "ContentsCode": "Personer1", "Tid": "2023"}))
    assert "SSB-tabell 07459: tabellen har 1 verdier, men dimensjonene gir 2 celler" in info.value.message
    assert info.value.exit_code == 6


def test_unknown_table_is_reported() -> None:
    client = make_client_for(FakePxWeb(table_07459()))
    with pytest.raises(SourceError, match="Fant ikke"):
        client.fetch(PxQuery.create("99999", {"Tid": "2023"}))


# --- discovery and metadata ------------------------------------------------------------------------


def test_search_tables() -> None:
    client = make_client_for(FakePxWeb(table_07459()))
    page = client.search_tables("befolkning")
    assert [t.id for t in page.tables] == ["07459"] and page.total == 1
    assert page.tables[0].variable_names == ("region", "kjønn", "alder", "statistikkvariabel", "år")


def test_metadata_has_roles_elimination_and_codelists() -> None:
    client = make_client_for(FakePxWeb(table_07459()))
    meta = client.metadata("07459")
    assert meta.codes == ("Region", "Kjonn", "Alder", "ContentsCode", "Tid")
    region = meta.variable("Region")
    assert region is not None and region.role == "geo" and region.elimination
    assert [c.id for c in region.codelists] == ["agg_KommSummer", "vs_Kommun"]
    assert meta.time_variable() is not None and meta.time_variable().code == "Tid"  # type: ignore[union-attr]
    assert meta.variable("Kjonn").value_labels == ("Menn", "Kvinner")  # type: ignore[union-attr]
    assert meta.notes == ("Tallene gjelder 1. januar.",)
    with pytest.raises(SourceError, match="metadata til tabell 07459"):
        parse_metadata("07459", {"id": "Region"})


# --- queries and selections ------------------------------------------------------------------------


def test_expand_selection_expressions() -> None:
    years = ["2019", "2020", "2021", "2022", "2023"]
    assert expand_selection(["top(2)"], years, time=True) == ["2023", "2022"]  # newest first for time
    assert expand_selection(["top(2,1)"], years, time=True) == ["2022", "2021"]
    assert expand_selection(["bottom(2)"], years, time=True) == ["2019", "2020"]
    assert expand_selection(["top(2)"], AGES) == ["000", "001"]
    assert expand_selection(["from(2022)"], years) == ["2022", "2023"]
    assert expand_selection(["to(2020)"], years) == ["2019", "2020"]
    assert expand_selection(["[range(2020,2022)]"], years) == ["2020", "2021", "2022"]
    assert expand_selection(["RANGE(2022, 2020)"], years) == ["2020", "2021", "2022"]
    assert expand_selection(["202?", "2019"], years) == ["2020", "2021", "2022", "2023", "2019"]
    assert expand_selection(["*"], years) == years
    assert expand_selection(["2023", "2023"], years) == ["2023"]
    for bad in ("top(x)", "range(2018,2020)", "from(1999)", "top()"):
        with pytest.raises(InvalidInputError):
            expand_selection([bad], years)


def test_params_bracket_commas_and_post_body_has_none() -> None:
    query = PxQuery.create("07459", {"Alder": ["range(000,005)", "[top(3,2)]", "080"], "Tid": "from(2015)"},
                           codelist={"Alder": "agg_Fem"}, output_values={"Alder": "aggregated"})  # fmt: skip
    assert query.params() == [
        ("lang", "no"), ("outputFormat", "json-stat2"),
        ("valueCodes[Alder]", "[range(000,005)],[top(3,2)],080"), ("valueCodes[Tid]", "from(2015)"),
        ("codelist[Alder]", "agg_Fem"), ("outputValues[Alder]", "aggregated"),
    ]  # fmt: skip
    assert query.post_body() == {"selection": [
        {"variableCode": "Alder", "valueCodes": ["range(000,005)", "top(3,2)", "080"], "codelist": "agg_Fem"},
        {"variableCode": "Tid", "valueCodes": ["from(2015)"]},
    ]}  # fmt: skip
    assert query.post_params() == [
        ("lang", "no"),
        ("outputFormat", "json-stat2"),
        ("outputValues[Alder]", "aggregated"),
    ]
    assert PxQuery.from_dict(query.to_dict()) == query


def test_bad_queries_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="Tabellnummeret"):
        PxQuery.create("07459/../x", {"Tid": "2023"})
    with pytest.raises(InvalidInputError, match="velger ingen verdier"):
        PxQuery.create("07459", {"Tid": []})
    with pytest.raises(InvalidInputError, match="kodeliste/utdata for «Region»"):
        PxQuery.create("07459", {"Tid": "2023"}, codelist={"Region": "agg_KommSummer"})


def test_query_from_the_real_indicator_set() -> None:
    from fn17.frameworks.fn17set import load_fn17_set

    sources = [s for ind in load_fn17_set().indicators for s in ind.sources if s.provider == "ssb" and s.table]
    assert sources, "the indicator set names SSB tables"
    for src in sources:
        query = PxQuery.from_source(src)
        params = dict(query.params())
        assert params[f"valueCodes[{src.region_dimension}]"] == "*"
        for dim, codes in src.value_codes.items():
            assert query.value_codes[dim] == tuple(codes)
            expected = ",".join(f"[{c}]" if "," in c else c for c in codes)
            assert params[f"valueCodes[{dim}]"] == expected
    aged = next(s for s in sources if any("range(" in c for c in s.value_codes.get("Alder", ())))
    assert "[range(" in dict(PxQuery.from_source(aged).params())["valueCodes[Alder]"]
