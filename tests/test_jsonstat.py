"""The JSON-stat2 reader: SSB-shaped payloads built here, every variant of value/status/index,
malformed documents, a cross-check against pyjstat, and hypothesis fuzzing."""

from __future__ import annotations

import itertools
import json
import logging
import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fn17.errors import DataFileError, SourceError
from fn17.sources.jsonstat import (
    OBSERVATION_COLUMNS,
    normalise_region_code,
    read_jsonstat,
    to_observations,
)

RETRIEVED = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def ssb_doc(**overrides: Any) -> dict[str, Any]:
    """A small table with the shape of SSB's PxWebApi v2 JSON-stat2 answers (07459, agg_KommSummer)."""
    doc: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": "07459: Befolkning, etter region, statistikkvariabel og år",
        "source": "Statistisk sentralbyrå",
        "updated": "2024-02-21T07:00:00Z",
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
        "id": ["Region", "ContentsCode", "Tid"],
        "size": [3, 1, 2],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {
                    "index": {"K-3101": 0, "K-0301": 1, "K-5001": 2},
                    "label": {"K-3101": "Halden", "K-0301": "Oslo", "K-5001": "Trondheim - Tråante"},
                },
                "extension": {"show": "value"},
            },
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {
                    "index": {"Personer1": 0},
                    "label": {"Personer1": "Personer"},
                    "unit": {"Personer1": {"base": "personer", "decimals": 0}},
                },
            },
            "Tid": {
                "label": "år",
                "category": {"index": {"2023": 0, "2024": 1}, "label": {"2023": "2023", "2024": "2024"}},
            },
        },
        "extension": {"px": {"tableid": "07459", "decimals": 0}},
        "value": [31444, 31803, 709037, 717710, 212660, None],
        "status": {"5": ".."},
    }
    doc.update(overrides)
    return doc


def rows(frame: pd.DataFrame, *cols: str) -> list[tuple[Any, ...]]:
    out = []
    for rec in frame[list(cols)].astype(object).itertuples(index=False):
        out.append(tuple(None if isinstance(v, float) and math.isnan(v) else v for v in rec))
    return out


# --- SSB-shaped tables --------------------------------------------------------------------------


def test_ssb_table_becomes_observation_records() -> None:
    table = read_jsonstat(orjson.dumps(ssb_doc()), source="SSB-tabell 07459")
    assert table.ids == ("Region", "ContentsCode", "Tid") and table.size == (3, 1, 2)
    assert table.label.startswith("07459") and table.updated == "2024-02-21T07:00:00Z"
    assert table.dimension("Region").labels == ("Halden", "Oslo", "Trondheim - Tråante")
    frame = to_observations(table, table_id="07459", query="q", retrieved_at=RETRIEVED)
    assert tuple(frame.columns) == OBSERVATION_COLUMNS
    assert rows(frame, "indicator_id", "region_code", "period", "breakdown", "value", "status") == [
        ("ssb:07459:Personer1", "3101", "2023", "", 31444.0, "ok"),
        ("ssb:07459:Personer1", "3101", "2024", "", 31803.0, "ok"),
        ("ssb:07459:Personer1", "0301", "2023", "", 709037.0, "ok"),
        ("ssb:07459:Personer1", "0301", "2024", "", 717710.0, "ok"),
        ("ssb:07459:Personer1", "5001", "2023", "", 212660.0, "ok"),
        ("ssb:07459:Personer1", "5001", "2024", "", None, "missing"),
    ]
    assert set(frame["source"]) == {"ssb:07459"} and set(frame["source_table"]) == {"07459"}
    assert set(frame["query"]) == {"q"}
    assert (frame["retrieved_at"] == pd.Timestamp(RETRIEVED)).all()
    assert str(frame["retrieved_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["original_region_code"].isna().all() and frame["harmonisation"].isna().all()


def test_region_labels_on_request() -> None:
    frame = to_observations(read_jsonstat(ssb_doc()), table_id="07459", include_labels=True)
    assert list(frame["region_label"].unique()) == ["Halden", "Oslo", "Trondheim - Tråante"]


def test_multi_dimension_table_puts_the_rest_in_breakdown() -> None:
    doc = {
        "version": "2.0",
        "class": "dataset",
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "id": ["Region", "Kjonn", "Alder", "ContentsCode", "Tid"],
        "size": [2, 2, 3, 1, 1],
        "dimension": {
            "Region": {"category": {"index": ["0301", "3101"]}},
            "Kjonn": {"category": {"index": ["1", "2"], "label": {"1": "Menn", "2": "Kvinner"}}},
            "Alder": {"category": {"index": ["000", "001", "002"]}},
            "ContentsCode": {"category": {"index": ["Personer1"]}},
            "Tid": {"category": {"index": ["2023"]}},
        },
        "value": list(range(12)),
    }
    frame = to_observations(read_jsonstat(doc), table_id="07459")
    got = rows(frame, "region_code", "breakdown", "value")
    expected = [
        (r, f"Alder={a};Kjonn={k}", float(i))
        for i, (r, k, a) in enumerate(itertools.product(["0301", "3101"], ["1", "2"], ["000", "001", "002"]))
    ]
    assert got == expected  # region found by name; breakdown dims sorted by id


def test_value_as_sparse_object_and_status_variants() -> None:
    doc = ssb_doc(value={"0": 1, "3": 4.5, "5": 0}, status={"1": ":", "2": "..", "4": "."})
    frame = to_observations(read_jsonstat(doc), table_id="07459")
    assert rows(frame, "value", "status") == [
        (1.0, "ok"),
        (None, "suppressed"),
        (None, "missing"),
        (4.5, "ok"),
        (None, "missing"),
        (0.0, "ok"),
    ]


def test_status_symbols_map_to_store_statuses() -> None:
    doc = ssb_doc(value=[None, None, 3, None, 7, None], status=[":", "..", "*", "-", "", "..."])
    frame = to_observations(read_jsonstat(doc), table_id="07459")
    assert rows(frame, "value", "status") == [
        (None, "suppressed"),
        (None, "missing"),
        (3.0, "provisional"),
        (0.0, "zero"),  # "-" is nil: the value becomes 0
        (7.0, "ok"),
        (None, "missing"),
    ]


def test_status_as_one_string_or_one_element_list_applies_to_every_cell() -> None:
    for status in ("*", ["*"]):
        frame = to_observations(read_jsonstat(ssb_doc(status=status)), table_id="07459")
        assert set(frame["status"]) == {"provisional"}


def test_unknown_symbol_is_logged_and_kept_as_ok_or_missing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fn17.sources.jsonstat"):
        frame = to_observations(read_jsonstat(ssb_doc(status={"0": "r", "5": "r"})), table_id="07459")
    assert rows(frame, "status")[0] == ("ok",) and rows(frame, "status")[5] == ("missing",)
    assert "unknown status symbols ['r']" in caplog.text


def test_index_forms_list_object_and_absent() -> None:
    doc = ssb_doc()
    doc["dimension"]["ContentsCode"]["category"] = {"label": {"Personer1": "Personer"}}  # one category, no index
    doc["dimension"]["Tid"]["category"] = {"index": ["2023", "2024"]}  # list, no labels
    table = read_jsonstat(doc)
    assert table.dimension("ContentsCode").codes == ("Personer1",)
    assert table.dimension("Tid").labels == ("2023", "2024")  # labels fall back to codes


def test_index_object_out_of_order_is_put_in_position_order() -> None:
    doc = ssb_doc()
    doc["dimension"]["Region"]["category"]["index"] = {"K-5001": 2, "K-3101": 0, "K-0301": 1}
    assert read_jsonstat(doc).dimension("Region").codes == ("K-3101", "K-0301", "K-5001")


def test_table_without_region_is_national_and_without_metric_uses_the_table() -> None:
    doc = {
        "version": "2.0",
        "class": "dataset",
        "id": ["Tid"],
        "size": [2],
        "dimension": {"Tid": {"category": {"index": ["2022", "2023"]}}},
        "value": [1.5, 2.5],
    }
    frame = to_observations(read_jsonstat(doc), table_id="05803")
    assert rows(frame, "indicator_id", "region_code", "period", "value") == [
        ("ssb:05803", "0", "2022", 1.5),
        ("ssb:05803", "0", "2023", 2.5),
    ]


def test_region_code_normalisation() -> None:
    assert [normalise_region_code(c) for c in ("K-3101", "F-03", "0", "3101", "EAK", "K-abc")] == [
        "3101", "03", "0", "3101", "EAK", "K-abc",
    ]  # fmt: skip


def test_two_source_codes_for_one_region_do_not_break_the_categories() -> None:
    doc = ssb_doc()
    doc["dimension"]["Region"]["category"]["index"] = {"K-3101": 0, "3101": 1, "K-5001": 2}
    frame = to_observations(read_jsonstat(doc), table_id="07459")
    assert list(frame["region_code"]) == ["3101", "3101", "3101", "3101", "5001", "5001"]


def test_to_frame_with_codes_or_labels() -> None:
    table = read_jsonstat(ssb_doc())
    codes = table.to_frame()
    assert list(codes.columns) == ["Region", "ContentsCode", "Tid", "value", "symbol"]
    assert list(codes["Region"])[:2] == ["K-3101", "K-3101"] and codes["symbol"].iloc[5] == ".."
    labels = table.to_frame(labels=True)
    assert list(labels["Region"].unique()) == ["Halden", "Oslo", "Trondheim - Tråante"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pyjstat's write() calls its own deprecated helper
def test_agrees_with_pyjstat_cell_by_cell() -> None:
    pyjstat = pytest.importorskip("pyjstat.pyjstat")
    doc = ssb_doc(value=[1, 2, 3, 4, 5, 6], status=None)
    theirs = pyjstat.Dataset.read(orjson.dumps(doc).decode()).write("dataframe", naming="id")
    ours = read_jsonstat(doc).to_frame()
    assert list(ours["value"]) == [float(v) for v in theirs["value"]]
    for dim in ("Region", "ContentsCode", "Tid"):
        assert list(ours[dim].astype(str)) == list(theirs[dim].astype(str))


# --- malformed documents -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "nb", "en"),
    [
        ({"value": [1, 2, 3, 4, 5]}, "tabellen har 5 verdier, men dimensjonene gir 6 celler (3 × 1 × 2)",
         "the table has 5 values, but the dimensions make 6 cells (3 × 1 × 2)"),
        ({"size": [3, 1, 3]}, "dimensjonen 'Tid' har 2 kategorier, men size sier 3", "dimension 'Tid' has 2 categories"),
        ({"size": [3, 1]}, "size må være en liste med 3 heltall", "size must be a list of 3 integers"),
        ({"id": ["Region", "Region", "Tid"]}, "id nevner samme dimensjon flere ganger", "id names a dimension twice"),
        ({"value": [1, 2, "tre", 4, 5, 6]}, "verdi nummer 2 ('tre') er ikke et tall", "value number 2 ('tre') is not a number"),
        ({"value": {"0": 1, "6": 2}}, "value-objektet peker utenfor tabellens 6 celler", "points outside the table's 6 cells"),
        ({"status": {"9": ".."}}, "status-objektet har nøkler utenfor", "the status object has keys outside"),
        ({"status": [".."] * 4}, "status har 4 elementer, men tabellen har 6 celler", "status has 4 entries"),
        ({"value": None}, "value mangler", "value is missing"),
        ({"class": "collection"}, "samling eller JSON-stat 1", "collection or JSON-stat 1"),
    ],
)  # fmt: skip
def test_malformed_jsonstat_is_a_clear_data_file_error(change: dict[str, Any], nb: str, en: str) -> None:
    with pytest.raises(DataFileError) as info:
        read_jsonstat(ssb_doc(**change), source="SSB-tabell 07459")
    assert info.value.message.startswith("SSB-tabell 07459: ")
    assert nb in info.value.message and en in info.value.message_en
    assert info.value.exit_code == 4


def test_dimension_errors_name_the_dimension() -> None:
    doc = ssb_doc()
    doc["dimension"]["Region"]["category"]["index"] = {"K-3101": 0, "K-0301": 0, "K-5001": 2}
    with pytest.raises(DataFileError, match="'Region'") as info:
        read_jsonstat(doc)
    assert info.value.details["dimension"] == "Region"
    doc = ssb_doc()
    del doc["dimension"]["Tid"]
    with pytest.raises(DataFileError, match="'Tid' mangler"):
        read_jsonstat(doc)


def test_jsonstat1_bundle_and_broken_json() -> None:
    bundle = {"dataset": {"dimension": {"id": ["Tid"], "size": [1]}, "value": [1]}}
    with pytest.raises(DataFileError, match="JSON-stat 1"):
        read_jsonstat(bundle)
    with pytest.raises(DataFileError, match="ikke gyldig JSON"):
        read_jsonstat(b'{"version": "2.0", "value": [1, 2')
    with pytest.raises(DataFileError, match="ikke et JSON-objekt"):
        read_jsonstat(b"[1, 2, 3]")


def test_no_time_dimension_is_reported_when_making_observations() -> None:
    doc = {"version": "2.0", "class": "dataset", "id": ["Region"], "size": [1],
           "dimension": {"Region": {"category": {"index": ["0301"]}}}, "value": [1]}  # fmt: skip
    table = read_jsonstat(doc)
    with pytest.raises(DataFileError, match="fant ingen tidsdimensjon blant Region"):
        to_observations(table, table_id="x")
    with pytest.raises(DataFileError, match="dimensjonen 'Alder' finnes ikke"):
        to_observations(table, table_id="x", time_dimension="Alder")


def test_huge_sparse_cube_is_refused_before_allocating() -> None:
    doc = {"version": "2.0", "class": "dataset", "id": ["A", "B"], "size": [100_000, 100_000],
           "dimension": {"A": {"category": {"index": [str(i) for i in range(100_000)]}},
                         "B": {"category": {"index": [str(i) for i in range(100_000)]}}},
           "value": {"0": 1}}  # fmt: skip
    with pytest.raises(DataFileError, match="10000000000 celler"):
        read_jsonstat(doc)


# --- fuzzing ---------------------------------------------------------------------------------------

json_leaf = (
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | st.text(max_size=6)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
    max_leaves=20,
)


def _exercise(doc: Any) -> None:
    try:
        table = read_jsonstat(doc)
        to_observations(table, table_id="fuzz")
        table.to_frame(labels=True)
    except (DataFileError, SourceError):
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_value)
def test_fuzz_any_json_never_crashes(doc: Any) -> None:
    _exercise(doc)
    _exercise(json.dumps(doc).encode())  # the stdlib writes integers beyond 64 bits too


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_any_bytes_never_crash(data: bytes) -> None:
    _exercise(data)


_keys = ["version", "class", "id", "size", "dimension", "value", "status", "role"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_keys), json_value, st.sampled_from(["replace", "delete", "dim"]))
def test_fuzz_damaged_ssb_documents(key: str, junk: Any, how: str) -> None:
    doc = ssb_doc()
    if how == "delete":
        doc.pop(key, None)
    elif how == "replace":
        doc[key] = junk
    else:
        doc["dimension"]["Region"]["category"][key if key in ("index", "label") else "index"] = junk
    _exercise(doc)


@st.composite
def cubes(draw: st.DrawFn) -> tuple[dict[str, Any], list[list[str]], list[float | None]]:
    n_dims = draw(st.integers(1, 4))
    ids = [f"D{i}" for i in range(n_dims - 1)] + ["Tid"]
    codes = [
        draw(st.lists(st.text("ab;=K-01", min_size=1, max_size=4), min_size=1, max_size=4, unique=True)) for _ in ids
    ]
    cells = math.prod(len(c) for c in codes)
    values = draw(st.lists(st.none() | st.integers(-1000, 1000).map(float), min_size=cells, max_size=cells))
    sparse = draw(st.booleans())
    order = [draw(st.permutations(range(len(c)))) for c in codes]
    dims = {}
    for dim, cs, perm in zip(ids, codes, order, strict=True):
        # category.index as an object listed in a shuffled order: positions still say where each code goes
        dims[dim] = {"category": {"index": {cs[p]: p for p in perm}}}
    doc = {
        "version": "2.0",
        "class": "dataset",
        "role": {"time": ["Tid"]},
        "id": ids,
        "size": [len(c) for c in codes],
        "dimension": dims,
        "value": {str(i): v for i, v in enumerate(values) if v is not None} if sparse else values,
    }
    return doc, codes, values


@settings(max_examples=200, deadline=None)
@given(cubes())
def test_vectorised_unravel_matches_row_major_order(
    cube: tuple[dict[str, Any], list[list[str]], list[float | None]],
) -> None:
    doc, codes, values = cube
    table = read_jsonstat(doc)
    frame = table.to_frame()
    expected_coords = list(itertools.product(*codes))  # row-major: the last dimension varies fastest
    for dim_i, dim in enumerate(table.ids):
        assert list(frame[dim].astype(str)) == [c[dim_i] for c in expected_coords]
    got = frame["value"].to_numpy()
    want = np.array([np.nan if v is None else v for v in values], dtype=float)
    assert np.array_equal(got, want, equal_nan=True)
    obs = to_observations(table, table_id="t")
    assert len(obs) == len(values)
    assert list(obs["period"].astype(str)) == [c[-1] for c in expected_coords]


def test_codes_that_spell_the_same_breakdown_do_not_crash() -> None:
    doc = {"version": "2.0", "class": "dataset", "id": ["A", "B", "Tid"], "size": [2, 2, 1],
           "dimension": {"A": {"category": {"index": ["x;B=y", "x"]}}, "B": {"category": {"index": ["z", "y;B=z"]}},
                         "Tid": {"category": {"index": ["2020"]}}},
           "value": [1, 2, 3, 4]}  # fmt: skip
    frame = to_observations(read_jsonstat(doc), table_id="t")
    assert list(frame["breakdown"]) == ["A=x;B=y;B=z", "A=x;B=y;B=y;B=z", "A=x;B=z", "A=x;B=y;B=z"]
