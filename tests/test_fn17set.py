"""FN17's municipal indicator set: counts, schema errors, links, demo data and the generated docs."""

from __future__ import annotations

import collections
import copy
import functools
import itertools
from pathlib import Path
from typing import Any

import pytest
import rdflib
import yaml

from fn17.errors import DataFileError, InvalidInputError, NotFoundError
from fn17.frameworks.fn17set import (
    DOC_BEGIN,
    DOC_END,
    FN17_SET_DEFAULT_PATH,
    IndicatorSet,
    indicator_table_markdown,
    is_sdg_target_code,
    load_fn17_set,
    render_indicator_docs,
)
from fn17.frameworks.u4ssc import load_u4ssc

ROOT = Path(__file__).resolve().parents[1]
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture(scope="module")
def ind_set() -> IndicatorSet:
    return load_fn17_set()


# --------------------------------------------------------------------------- the set


def test_counts_and_goal_coverage(ind_set: IndicatorSet) -> None:
    inds = ind_set.indicators
    assert len(inds) >= 60
    scored = [i for i in inds if i.scored]
    assert len(scored) >= 60
    goals = ind_set.goals_covered()
    assert len(goals) >= 15
    assert goals == frozenset(range(1, 18))  # measured: all 17 goals
    per_goal = collections.Counter(g for i in scored for g in i.goals)
    assert all(per_goal[g] >= 1 for g in range(1, 18)), per_goal
    assert len({i.id for i in inds}) == len(inds)
    assert all(i.levels[0] == "kommune" and "fylke" in i.levels for i in inds)


def test_every_indicator_is_complete(ind_set: IndicatorSet) -> None:
    nynorsk_differs = sum(i.name.nn != i.name.nb for i in ind_set.indicators)
    assert nynorsk_differs >= len(ind_set.indicators) // 2  # measured: most names differ in nynorsk
    for ind in ind_set.indicators:
        assert ind.name.nb and ind.name.nn and ind.name.en, ind.id
        assert ind.definition.nb.endswith(".") and ind.definition.en.endswith("."), ind.id
        assert set(ind.formula.series()) <= {s.series for s in ind.sources}
        if ind.scored:
            assert ind.targets is not None, ind.id
        else:
            assert ind.targets is None, ind.id


def test_targets_agree_with_direction(ind_set: IndicatorSet) -> None:
    kinds: collections.Counter[str] = collections.Counter()
    for ind in ind_set.indicators:
        t = ind.targets
        if t is None:
            continue
        o, g, r = t.optimum.value, t.green.value, t.red.value
        if ind.direction == "higher":
            assert o >= g > r, ind.id
        else:
            assert o <= g < r, ind.id
        for th in (t.optimum, t.green, t.red):
            assert th.ref in ind_set.references, (ind.id, th.ref)
            kinds[th.kind] += 1
        assert t.lower_bound.rule in ("p2.5", "fixed")
    assert set(kinds) == {
        "sdg_target",
        "national_target",
        "leave_no_one_behind",
        "technical_optimum",
        "best_performers",
    }
    used = {
        getattr(i.targets, w).ref
        for i in ind_set.indicators
        if i.targets is not None
        for w in ("optimum", "green", "red")
    }
    assert used == set(ind_set.references), "every reference is used, and only defined ones"


def test_key_targets_carry_their_provenance(ind_set: IndicatorSet) -> None:
    klima = ind_set.indicator("klimagassutslipp_per_innbygger").targets
    assert klima is not None and klima.green.kind == "national_target" and klima.green.ref == "klimaloven_2030"
    assert "55 %" in ind_set.references["klimaloven_2030"].nb and "1990" in ind_set.references["klimaloven_2030"].en
    mmr = ind_set.indicator("vaksine_meslinger_16_aar").targets
    assert mmr is not None and (mmr.green.value, mmr.green.kind) == (95, "sdg_target")
    vgo = ind_set.indicator("fullfort_videregaende").targets
    assert vgo is not None and (vgo.optimum.value, vgo.optimum.kind) == (90, "national_target")
    bhg = ind_set.indicator("barnehagedekning_1_2_aar")
    assert bhg.direction == "higher" and bhg.targets is not None and bhg.targets.lower_bound.rule == "p2.5"
    ros = ind_set.indicator("helhetlig_ros_oppdatert").targets
    assert ros is not None and ros.lower_bound.rule == "fixed" and ros.lower_bound.value == 0
    with pytest.raises(NotFoundError) as exc:
        ind_set.indicator("finnes_ikke")
    assert "finnes_ikke" in exc.value.message


def test_indicators_computable_from_the_shared_data_are_marked(ind_set: IndicatorSet) -> None:
    demo = {i.id: {d.dataset for d in i.demo_data} for i in ind_set.indicators if i.demo_data}
    expected = {
        "befolkning_andel_0_5": "ssb/07459-population-by-age-2023.csv",
        "befolkning_andel_6_15": "ssb/07459-population-by-age-2023.csv",
        "befolkning_andel_67_pluss": "ssb/07459-population-by-age-2023.csv",
        "befolkning_andel_80_pluss": "ssb/07459-population-by-age-2023.csv",
        "folketilvekst": "ssb/population-2005-2021/Personer*.csv",
        "barnehagedekning_1_2_aar": "ssb/kindergarten/ssb-barnehager-2015-2023-alder-1-2-aar.xlsm",
        "valgdeltakelse_storting": "valg/stortingsvalg/raw_latest_kommune_json.tar.gz",
        "valgdeltakelse_kommunestyre": "valg/kommunestyrevalg-2019/2019-09-15_partifordeling_2_ko_2019.csv",
        "stromforbruk_husholdninger_per_innbygger": "nve/yearly_aggregated_elhub_data.parquet",
        "stromforbruk_per_innbygger": "nve/yearly_aggregated_elhub_data.parquet",
        "klimagassutslipp_per_innbygger": "telemark/klimagassutslipp_telemark.csv",
        "vedvarende_lavinntekt": "imdi/vedvarende_lavinntekt.csv",
        "sysselsettingsandel": "telemark/sysselsetting_i_kommunene.csv",
        "grunnskolepoeng": "imdi/grunnskolepoeng.csv",
        "fullfort_videregaende": "imdi/videregaende_fullfort.csv",
        "vaksine_meslinger_16_aar": "fhi/norway_childhood_vax_b2020.csv",
        "nav_ytelser_per_innbygger": "ssb/course-data/ytelser.csv",
    }
    for ind_id, dataset in expected.items():
        assert dataset in demo.get(ind_id, set()), ind_id


def test_demo_datasets_exist_in_the_shared_data(ind_set: IndicatorSet, shared_data: Path) -> None:
    datasets = {d.dataset for i in ind_set.indicators for d in i.demo_data}
    missing = [d for d in sorted(datasets) if not list(shared_data.glob(d))]
    assert not missing, f"demo_data names files that are not in {shared_data}: {missing}"
    manifest = (shared_data / "MANIFEST.md").read_text(encoding="utf-8")
    for dataset in datasets:
        folder = dataset.split("/")[0]
        assert f"`{folder}/" in manifest, dataset


def test_ks_ids_exist_in_the_real_taxonomy(ind_set: IndicatorSet, shared_data: Path) -> None:
    folder = shared_data / "ks-indicator-taxonomy" / "esg-indicator"
    wanted = {uri for i in ind_set.indicators for uri in i.ks_ids}
    by_file: dict[str, set[str]] = collections.defaultdict(set)
    for uri in wanted:
        set_name = uri.split("#")[0].rsplit("/", 1)[-1] if "#" in uri else uri.rsplit("/", 2)[-2]
        by_file[set_name].add(uri)
    found: set[str] = set()
    for set_name, uris in sorted(by_file.items()):
        graph = rdflib.Graph()
        graph.parse(folder / f"{set_name}.ttl", format="turtle")
        subjects = {str(s) for s in graph.subjects(SKOS.inScheme, None)}
        found |= uris & subjects
    assert wanted - found == set()
    assert len(wanted) >= 60  # measured: 66 distinct KS links


def test_u4ssc_links_exist(ind_set: IndicatorSet) -> None:
    codes = load_u4ssc().codes()
    links = [(i.id, c) for i in ind_set.indicators for c in i.u4ssc]
    assert links and all(c in codes for _, c in links), [x for x in links if x[1] not in codes]
    assert ("valgdeltakelse_kommunestyre", "SC: SH: SI: 4C") in links
    assert ("barnehagedekning_1_2_aar", "SC: SH: SI: 5A") in links


def test_sdg_target_codes() -> None:
    assert is_sdg_target_code("3.4") and is_sdg_target_code("11.a") and is_sdg_target_code("17.19")
    assert is_sdg_target_code("16.10") and is_sdg_target_code("8.10") and is_sdg_target_code("3.d")
    for bad in ("17.20", "3.e", "18.1", "3.04", "1.6", "0.1", "3", "3.", "3.4.1", "11.A", " 3.4", "17.a"):
        assert not is_sdg_target_code(bad), bad
    candidates = {f"{g}.{t}" for g in range(0, 20) for t in itertools.chain(range(0, 21), "abcde")}
    assert sum(is_sdg_target_code(c) for c in candidates) == 169


# --------------------------------------------------------------------------- PxWebApi queries


def test_pxweb_queries(ind_set: IndicatorSet) -> None:
    src = ind_set.indicator("lavinntekt_barn").sources[0]
    assert src.pxweb_path() == "tables/08764/data"
    params = src.pxweb_params(("0301", "1508"), region_codelist="agg_KommSummer")
    assert params == {
        "outputFormat": "json-stat2",
        "valueCodes[ContentsCode]": "EUskala60",
        "valueCodes[Tid]": "from(2015)",
        "valueCodes[Region]": "0301,1508",
        "codelist[Region]": "agg_KommSummer",
    }
    pop = ind_set.indicator("befolkning_andel_0_5").sources[0].pxweb_params()
    assert pop["valueCodes[Alder]"] == "[range(000,005)]" and pop["valueCodes[Kjonn]"] == "1,2"
    assert pop["valueCodes[Region]"] == "*"
    fhi = ind_set.indicator("forventet_levealder").sources[0]
    with pytest.raises(InvalidInputError) as exc:
        fhi.pxweb_params()
    assert "levealder" in exc.value.message
    for ind in ind_set.indicators:
        for s in ind.sources:
            if s.provider == "ssb" and s.table is not None:
                assert s.pxweb_path() == f"tables/{s.table}/data"
            if s.codes_verified:
                assert s.verified and "*" not in s.value_codes.get("ContentsCode", ()), (ind.id, s.series)


# --------------------------------------------------------------------------- bad files


@functools.cache
def _raw_cached() -> dict[str, Any]:
    data = yaml.load(FN17_SET_DEFAULT_PATH.read_text(encoding="utf-8"), Loader=_LOADER)
    assert isinstance(data, dict)
    return data


def _raw() -> dict[str, Any]:
    return copy.deepcopy(_raw_cached())


def _ind(data: dict[str, Any], ind_id: str) -> dict[str, Any]:
    ind = next(i for i in data["indicators"] if i["id"] == ind_id)
    assert isinstance(ind, dict)
    return ind


def _load(tmp_path: Path, data: dict[str, Any]) -> DataFileError:
    path = tmp_path / "set.yaml"
    path.write_text(yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_fn17_set(path)
    return exc.value


def test_the_unchanged_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(yaml.dump(_raw(), Dumper=_DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert len(load_fn17_set(path).indicators) == len(load_fn17_set().indicators)


def test_targets_inconsistent_with_direction_name_entry_and_field(tmp_path: Path) -> None:
    data = _raw()
    _ind(data, "lavinntekt_barn")["targets"]["red"]["value"] = 4.0
    err = _load(tmp_path, data)
    assert (err.details["entry"], err.details["field"]) == ("lavinntekt_barn", "targets.red")
    assert err.message == (
        "Indikatorfilen set.yaml: oppføring lavinntekt_barn, felt targets.red: "
        "rød (4.0) må være høyere enn grønn (8.0) når lavere er bedre."
    )
    assert err.message_en == (
        "The indicator file set.yaml: entry lavinntekt_barn, field targets.red: "
        "red (4.0) must be above green (8.0) when lower is better."
    )

    data = _raw()
    _ind(data, "grunnskolepoeng")["targets"]["green"]["value"] = 46
    err = _load(tmp_path, data)
    assert (err.details["entry"], err.details["field"]) == ("grunnskolepoeng", "targets.green")


@pytest.mark.parametrize(
    ("ind_id", "change", "field", "words"),
    [
        ("lavinntekt_barn", lambda i: i.update(direction="better"), "direction", "higher"),
        ("lavinntekt_barn", lambda i: i.update(sdg_targets=["1.2", "3.x"]), "sdg_targets", "3.x"),
        ("lavinntekt_barn", lambda i: i.update(sdg_targets=["1.9"]), "sdg_targets", "1.9"),
        ("lavinntekt_barn", lambda i: i.update(id="Lavinntekt barn"), "id", "pattern"),
        ("lavinntekt_barn", lambda i: i["formula"].update(numerator="finnes_ikke"), "formula", "finnes_ikke"),
        ("lavinntekt_barn", lambda i: i["formula"].update(operation="ratio"), "formula.denominator", "nevner"),
        ("lavinntekt_barn", lambda i: i["targets"]["optimum"].update(ref="ukjent"), "targets.optimum.ref", "ukjent"),
        ("lavinntekt_barn", lambda i: i["targets"]["green"].update(kind="guess"), "targets.green.kind", "sdg_target"),
        ("lavinntekt_barn", lambda i: i.pop("targets"), "targets", "lower"),
        ("befolkningstetthet", lambda i: i.update(targets=_raw()["indicators"][8]["targets"]), "targets", "kontekst"),
        ("lavinntekt_barn", lambda i: i.update(u4ssc=["SC-SH-SI-3C"]), "u4ssc", "SC-SH-SI-3C"),
        ("lavinntekt_barn", lambda i: i.update(ks_ids=["Barnevern#1059"]), "ks_ids", "URI"),
        ("lavinntekt_barn", lambda i: i.update(levels=["fylke"]), "levels", "kommune"),
        ("lavinntekt_barn", lambda i: i.update(colour="red"), "colour", "Extra inputs"),
        (
            "lavinntekt_barn",
            lambda i: i["sources"][0]["value_codes"].pop("ContentsCode"),
            "sources[lavinntekt_barn].value_codes",
            "ContentsCode",
        ),
        (
            "lavinntekt_barn",
            lambda i: i["sources"][0].update(table=None),
            "sources[lavinntekt_barn].table",
            "tabellnummer",
        ),
        (
            "vedvarende_lavinntekt",
            lambda i: i["sources"][0].update(verified=False, codes_verified=True),
            "sources[vedvarende_lavinntekt].codes_verified",
            "verified",
        ),
        (
            "vedvarende_lavinntekt",
            lambda i: i["sources"][0].update(table="12345"),
            "sources[vedvarende_lavinntekt]",
            "bare SSB",
        ),
        (
            "lavinntekt_barn",
            lambda i: i["sources"][0].update(table="8764"),
            "sources[lavinntekt_barn].table",
            "pattern",
        ),
    ],
)
def test_field_errors(tmp_path: Path, ind_id: str, change: Any, field: str, words: str) -> None:
    data = _raw()
    change(_ind(data, ind_id))
    err = _load(tmp_path, data)
    assert err.details["field"] == field
    assert err.details["entry"] in (ind_id, "Lavinntekt barn")
    assert words in err.message or words in err.message_en
    assert err.details["problems"][0]["field"] == field


def test_set_wide_errors(tmp_path: Path) -> None:
    data = _raw()
    _ind(data, "grunnskolepoeng")["id"] = "lavinntekt_barn"
    err = _load(tmp_path, data)
    assert (err.details["entry"], err.details["field"]) == ("lavinntekt_barn", "id")
    assert "brukt mer enn én gang" in err.message and "used more than once" in err.message_en

    data = _raw()
    del data["references"]["sdg_1_2"]
    err = _load(tmp_path, data)
    assert err.details["field"] == "targets.optimum.ref" and "sdg_1_2" in err.message

    data = _raw()
    data["set"]["default_lower_bound"] = "p5"
    err = _load(tmp_path, data)
    assert err.details["field"] == "set.default_lower_bound"

    data = _raw()
    data["indicators"] = []
    err = _load(tmp_path, data)
    assert err.details["field"] == "indicators"


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="Fant ikke indikatorfilen"):
        load_fn17_set(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicators:\n  - id: x\n    name: {nb: 'a'\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="ikke gyldig YAML"):
        load_fn17_set(bad)
    bad.write_bytes(b"\xff\xfe\x00set")
    with pytest.raises(DataFileError) as exc:
        load_fn17_set(bad)
    assert "Kunne ikke lese" in exc.value.message and "UTF-8" in (exc.value.hint or "")


# --------------------------------------------------------------------------- docs


def test_docs_indicators_md_is_up_to_date(ind_set: IndicatorSet) -> None:
    doc = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    table = indicator_table_markdown(ind_set)
    section = doc[doc.index(DOC_BEGIN) + len(DOC_BEGIN) : doc.index(DOC_END)]
    assert section == "\n" + table, (
        "docs/indicators.md is stale: run python -m fn17.frameworks.fn17set docs/indicators.md"
    )
    assert render_indicator_docs(doc, table) == doc
    for ind in ind_set.indicators:
        assert f"| `{ind.id}` |" in table
    assert f"{len(ind_set.indicators)} indicators" in table


def test_table_shows_sources_and_targets(ind_set: IndicatorSet) -> None:
    table = indicator_table_markdown(ind_set)
    row = next(line for line in table.splitlines() if line.startswith("| `lavinntekt_barn` |"))
    assert "SSB 08764" in row and "lower is better" in row and "5 (SDG target)" in row and "1.2, 10.2" in row
    row = next(line for line in table.splitlines() if line.startswith("| `omdisponert_dyrka_jord` |"))
    assert "SSB (table id to confirm)\\*" in row
    row = next(line for line in table.splitlines() if line.startswith("| `tilgjengelig_strandsone` |"))
    assert "coastal only" in row


def test_render_needs_the_markers() -> None:
    with pytest.raises(InvalidInputError) as exc:
        render_indicator_docs("# no markers here\n", "| table |")
    assert DOC_BEGIN in (exc.value.hint or "")
