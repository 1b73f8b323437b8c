"""U4SSC KPIs: the data file, its schema, and the match against the KS taxonomy's U4SSC set."""

from __future__ import annotations

import collections
import copy
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rdflib
import yaml

from fn17.errors import DataFileError, NotFoundError
from fn17.frameworks.u4ssc import (
    U4SSC_DEFAULT_PATH,
    U4sscFramework,
    load_u4ssc,
    match_u4ssc_to_ks,
    normalise_u4ssc_code,
)

SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = rdflib.Namespace("http://purl.org/dc/")
SDGO = rdflib.Namespace("http://metadata.un.org/sdg/ontology#")
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class KsEntry:
    uri: str
    notation: str | None
    title: str
    goals: frozenset[int] = frozenset()
    targets: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def framework() -> U4sscFramework:
    return load_u4ssc()


@pytest.fixture(scope="module")
def ks_u4ssc_entries(shared_data: Path) -> list[KsEntry]:
    ttl = shared_data / "ks-indicator-taxonomy" / "esg-indicator" / "U4SSC.ttl"
    graph = rdflib.Graph()
    graph.parse(ttl, format="turtle")
    entries = []
    for subject in set(graph.subjects(SKOS.inScheme, None)):
        notation = graph.value(subject, SKOS.notation)
        title = graph.value(subject, DCT.title)
        assert title is not None, subject
        entries.append(
            KsEntry(
                uri=str(subject),
                notation=str(notation) if notation is not None else None,
                title=str(title),
                goals=frozenset(int(str(g).rsplit("/", 1)[1]) for g in graph.objects(subject, SDGO.hasGoal)),
                targets=frozenset(str(t).rsplit("/", 1)[1] for t in graph.objects(subject, SDGO.isIndicatorOf)),
            )
        )
    return sorted(entries, key=lambda e: e.uri)


# --------------------------------------------------------------------------- the data file


def test_the_file_holds_the_91_kpis_in_u4ssc_structure(framework: U4sscFramework) -> None:
    kpis = framework.kpis
    assert len(kpis) == 91
    assert sum(k.core for k in kpis) == 55 and sum(not k.core for k in kpis) == 36
    assert collections.Counter(k.dimension for k in kpis) == {
        "Economy": 45,
        "Environment": 17,
        "Society and Culture": 29,
    }
    assert len(framework.dimensions) == 3
    assert sum(len(d.sub_dimensions) for d in framework.dimensions) == 7
    categories = {c.name_en for d in framework.dimensions for s in d.sub_dimensions for c in s.categories}
    assert len(categories) == 22
    assert all(k.name_nb and k.unit_en and k.unit_nb for k in kpis)


def test_codes_are_written_as_u4ssc_writes_them(framework: U4sscFramework) -> None:
    household = framework.kpi("EC: ICT: ICT: 1C")
    assert household.name_en == "Household Internet Access"
    assert (household.dimension, household.sub_dimension, household.category) == (
        "Economy",
        "ICT",
        "ICT Infrastructure",
    )
    assert household.core and household.type == "core"
    air = framework.kpi("EN: EN: AQ: 1C")
    assert [p.id for p in air.parts] == ["pm2_5", "pm10", "no2", "so2", "o3"]
    student = framework.kpi("SC: EH: ED: 1C")
    assert student.name_en == "Student ICT Access" and student.sub_dimension == "Education, Health and Culture"
    ehr = framework.kpi("SC: EH: ED: 5A")
    assert ehr.category == "Health" and ehr.code_note and ehr.type == "advanced"
    assert framework.kpi(" sc:eh:ed:1c ").code == "SC: EH: ED: 1C"
    with pytest.raises(NotFoundError) as exc:
        framework.kpi("SC: ESC: ED: 1C")
    assert "SC: ESC: ED: 1C" in exc.value.message and exc.value.hint


def test_sdg_links_are_valid_and_every_kpi_has_a_goal(framework: U4sscFramework) -> None:
    for kpi in framework.kpis:
        assert kpi.sdg_goals, kpi.code
        for target in kpi.sdg_targets:
            assert int(target.split(".")[0]) in kpi.sdg_goals, (kpi.code, target)
    assert framework.kpi("EN: EN: AQ: 2C").sdg_goals == (11, 13)
    assert framework.kpi("SC: SH: SI: 4C").sdg_targets == ("11.3", "16.7")


def test_normalise_code() -> None:
    assert normalise_u4ssc_code("SC: EH: ED:1C") == "SC:EH:ED:1C"
    assert normalise_u4ssc_code(" ec : ict : ict : 1c ") == "EC:ICT:ICT:1C"


# --------------------------------------------------------------------------- bad files


@functools.cache
def _raw_cached() -> dict[str, Any]:
    data = yaml.load(U4SSC_DEFAULT_PATH.read_text(encoding="utf-8"), Loader=_LOADER)
    assert isinstance(data, dict)
    return data


def _raw() -> dict[str, Any]:
    return copy.deepcopy(_raw_cached())


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "u4ssc.yaml"
    path.write_text(yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _kpi(data: dict[str, Any], code: str) -> dict[str, Any]:
    kpi = next(k for k in data["kpis"] if k["code"] == code)
    assert isinstance(kpi, dict)
    return kpi


def test_a_kpi_whose_type_disagrees_with_its_code_is_named(tmp_path: Path) -> None:
    data = _raw()
    _kpi(data, "EC: ICT: ICT: 2C")["type"] = "advanced"
    with pytest.raises(DataFileError) as exc:
        load_u4ssc(_write(tmp_path, data))
    err = exc.value
    assert err.details["entry"] == "EC: ICT: ICT: 2C"
    assert "EC: ICT: ICT: 2C" in err.message and "core" in err.message
    assert err.message_en.startswith("The U4SSC file u4ssc.yaml: entry EC: ICT: ICT: 2C")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda k: k.update(code="EC-ICT-ICT-2C"), "code", "U4SSC-mønsteret"),
        (lambda k: k.update(sdg_targets=["17.x"]), "sdg_targets", "17.x"),
        (lambda k: k.update(sdg_goals=[18]), "sdg_goals", "1–17"),
        (lambda k: k.update(colour="red"), "colour", "Extra inputs"),
        (lambda k: k.update(direction="up"), "direction", "higher"),
    ],
)
def test_field_errors_name_the_kpi_and_the_field(tmp_path: Path, change: Any, field: str, words: str) -> None:
    data = _raw()
    change(_kpi(data, "EC: ICT: ICT: 2C"))
    with pytest.raises(DataFileError) as exc:
        load_u4ssc(_write(tmp_path, data))
    assert exc.value.details["field"] == field
    assert exc.value.details["entry"] in ("EC: ICT: ICT: 2C", "EC-ICT-ICT-2C")
    assert words in exc.value.message


def test_structure_errors(tmp_path: Path) -> None:
    data = _raw()
    _kpi(data, "EC: ICT: ICT: 3C")["code"] = "EC: ICT: ICT: 2C"
    with pytest.raises(DataFileError, match=r"brukt mer enn én gang"):
        load_u4ssc(_write(tmp_path, data))

    data = _raw()
    _kpi(data, "EC: ICT: ICT: 5C")["code"] = "EC: ICT: ICT: 6C"
    with pytest.raises(DataFileError, match=r"ikke 1\.\.5"):
        load_u4ssc(_write(tmp_path, data))

    data = _raw()
    del _kpi(data, "SC: EH: ED: 5A")["code_note"]
    with pytest.raises(DataFileError, match=r"kategorikoden ED passer ikke med kategorien Health"):
        load_u4ssc(_write(tmp_path, data))

    data = _raw()
    _kpi(data, "EN: E: E: 1C")["dimension"] = "Economy"
    with pytest.raises(DataFileError, match=r"dimensjonen 'Economy' passer ikke"):
        load_u4ssc(_write(tmp_path, data))

    data = _raw()
    _kpi(data, "EN: E: E: 1C")["category"] = "Transport"
    with pytest.raises(DataFileError, match=r"kategorien 'Transport' finnes ikke under Energy"):
        load_u4ssc(_write(tmp_path, data))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as exc:
        load_u4ssc(tmp_path / "missing.yaml")
    assert "Fant ikke" in exc.value.message and exc.value.http_status == 422
    bad = tmp_path / "bad.yaml"
    bad.write_text("kpis:\n  - code: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_u4ssc(bad)
    assert "ikke gyldig YAML" in exc.value.message and exc.value.details["line"] == 3
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="toppnivå"):
        load_u4ssc(bad)
    data = _raw()
    del data["framework"]
    with pytest.raises(DataFileError) as exc:
        load_u4ssc(_write(tmp_path, data))
    assert exc.value.details["field"] == "framework"


# --------------------------------------------------------------------------- matching, synthetic


def test_matcher_rules(framework: U4sscFramework) -> None:
    entries = [
        KsEntry("u:1", "SC: EH: ED:1C", "Student ICT Access"),  # spacing differs: code match
        KsEntry("u:2", "EN: EN: WS: 3C", "Wastewater Treatment - Tertiary"),  # wrong code: name wins
        KsEntry("u:3", "EC: ICT: ICT: 4C", "Wireless Broadband Coverage - 4G"),  # part resolved
        KsEntry("u:4", None, "Gini Coefficient"),  # no code: name
        KsEntry("u:5", "EC: ICT: ICT: 1C", "Share of bicycles that are red"),  # code kept, name differs
        KsEntry("u:6", "XX: YY: ZZ: 9C", "Something else entirely"),  # nothing fits
    ]
    result = match_u4ssc_to_ks(framework, entries)
    by_uri = {link.ks_uri: link for link in result.links}
    assert (by_uri["u:1"].kpi_code, by_uri["u:1"].method) == ("SC: EH: ED: 1C", "code")
    assert (by_uri["u:2"].kpi_code, by_uri["u:2"].method, by_uri["u:2"].part_id) == (
        "EN: EN: WS: 4C",
        "name",
        "tertiary",
    )
    assert "EN: EN: WS: 3C" in by_uri["u:2"].note
    assert (by_uri["u:3"].kpi_code, by_uri["u:3"].part_id) == ("EC: ICT: ICT: 4C", "4g")
    assert (by_uri["u:4"].kpi_code, by_uri["u:4"].method) == ("SC: SH: SI: 2C", "name")
    assert (by_uri["u:5"].kpi_code, by_uri["u:5"].method) == ("EC: ICT: ICT: 1C", "code_name_differs")
    assert by_uri["u:6"].kpi_code is None and by_uri["u:6"].method == "none"
    assert result.entry_match_rate == pytest.approx(5 / 6)
    assert result.code_match_rate == pytest.approx(2 / 6)
    assert len(result.kpis_covered) == 5
    assert result.kpi_coverage_rate == pytest.approx(5 / 91)


def test_matcher_accepts_a_plain_list_of_kpis(framework: U4sscFramework) -> None:
    only = [framework.kpi("SC: SH: SI: 2C"), framework.kpi("SC: SH: SI: 3C")]
    result = match_u4ssc_to_ks(only, [KsEntry("u:1", "SC: SH: SI: 3C", "Poverty")])
    assert result.matched[0].kpi_code == "SC: SH: SI: 3C"
    assert result.kpi_coverage_rate == pytest.approx(0.5)


# --------------------------------------------------------------------------- matching, real TTL


def test_ks_has_111_u4ssc_entries_for_91_kpis(ks_u4ssc_entries: list[KsEntry], framework: U4sscFramework) -> None:
    assert len(ks_u4ssc_entries) == 111
    assert all(e.notation for e in ks_u4ssc_entries)
    result = match_u4ssc_to_ks(framework, ks_u4ssc_entries)
    per_kpi = collections.Counter(link.kpi_code for link in result.links)
    splits = {code: n for code, n in per_kpi.items() if n > 1}
    assert splits == {
        "EN: EN: AQ: 1C": 5,
        "EN: EN: WA: 1C": 6,
        "EC: I: T: 4A": 5,
        "EC: I: UP: 2A": 5,
        "EN: EN: WS: 4C": 3,
        "EC: ICT: ICT: 4C": 2,
    }
    assert sum(n - 1 for n in splits.values()) == 111 - 91
    for code in splits:
        parts = {link.part_id for link in result.links_for(code)}
        assert None not in parts and len(parts) == per_kpi[code], code


def test_match_rate_on_the_real_taxonomy(ks_u4ssc_entries: list[KsEntry], framework: U4sscFramework) -> None:
    result = match_u4ssc_to_ks(framework, ks_u4ssc_entries)
    # measured: every entry linked; 106 of 111 by normalised code, 5 by name
    assert len(result.matched) == 111 and result.entry_match_rate == 1.0
    assert sum(1 for link in result.links if link.method == "code") == 106
    assert result.code_match_rate == pytest.approx(106 / 111)
    assert result.kpis_covered == framework.codes() and result.kpi_coverage_rate == 1.0
    by_name = {link.ks_title: link for link in result.links if link.method == "name"}
    assert set(by_name) == {
        "Wastewater Treatment - Primary",
        "Wastewater Treatment - Secondary",
        "Wastewater Treatment - Tertiary",
        "Electronic Health Records",
        "Availability of WIFI in Public Areas",
    }
    assert by_name["Electronic Health Records"].ks_notation == "SC: EH: H: 6A"
    assert by_name["Electronic Health Records"].kpi_code == "SC: EH: ED: 5A"
    assert by_name["Availability of WIFI in Public Areas"].kpi_code == "EC: ICT: ICT: 5C"


def test_sdg_links_agree_with_the_taxonomy(ks_u4ssc_entries: list[KsEntry], framework: U4sscFramework) -> None:
    result = match_u4ssc_to_ks(framework, ks_u4ssc_entries)
    entries = {e.uri: e for e in ks_u4ssc_entries}
    goals: dict[str, set[int]] = collections.defaultdict(set)
    targets: dict[str, set[str]] = collections.defaultdict(set)
    for link in result.matched:
        assert link.kpi_code is not None
        goals[link.kpi_code] |= entries[link.ks_uri].goals
        targets[link.kpi_code] |= entries[link.ks_uri].targets
    for kpi in framework.kpis:
        assert set(kpi.sdg_goals) == goals[kpi.code], kpi.code
        assert set(kpi.sdg_targets) == targets[kpi.code], kpi.code
