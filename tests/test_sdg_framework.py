"""The SDG framework data (fn17.frameworks.sdg) and the open-sdg text importer (fn17.frameworks.opensdg)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from fn17.errors import DataFileError, InvalidInputError, NotFoundError
from fn17.frameworks.opensdg import read_opensdg_texts
from fn17.frameworks.sdg import (
    DATA_DIR,
    LANGS,
    RELEVANCE_LEVELS,
    SdgFramework,
    code_sort_key,
    load_sdg,
    relevance_label,
)

OFFICIAL_COLOURS = {
    1: "#E5243B",
    2: "#DDA63A",
    3: "#4C9F38",
    4: "#C5192D",
    5: "#FF3A21",
    6: "#26BDE2",
    7: "#FCC30B",
    8: "#A21942",
    9: "#FD6925",
    10: "#DD1367",
    11: "#FD9D24",
    12: "#BF8B2E",
    13: "#3F7E44",
    14: "#0A97D9",
    15: "#56C02B",
    16: "#00689D",
    17: "#19486A",
}
# Codes in the open-sdg file (commit 0cda585) that the 2020 comprehensive review deleted or renumbered.
RETIRED_IN_2020 = {"1.a.3", "8.9.2", "11.c.1", "13.3.2", "17.6.2"}
SDG_FILES = ("sdg_goals.yaml", "sdg_targets.yaml", "sdg_indicators.yaml")


@pytest.fixture(scope="module")
def fw() -> SdgFramework:
    return load_sdg()


def _copy_framework(tmp_path: Path) -> Path:
    """FN17's own three framework files in a temp folder, to be broken by a test."""
    folder = tmp_path / "sdg"
    folder.mkdir()
    for name in SDG_FILES:
        shutil.copy(DATA_DIR / name, folder / name)
    return folder


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# --------------------------------------------------------------------------- completeness
def test_counts(fw: SdgFramework) -> None:
    assert len(fw.goals) == 17
    assert [g.number for g in fw.goals] == list(range(1, 18))
    assert len(fw.targets) == 169
    assert len(fw.indicators) == 231  # unique indicators
    assert fw.n_listings == 247  # listings, a repeated indicator once per target
    assert sum(len(i.listed_as) for i in fw.indicators) == fw.n_listings
    assert sum(1 for i in fw.indicators if i.is_repeated) == 12
    assert {len(i.listed_as) for i in fw.indicators} == {1, 2, 3}
    targets_per_goal = [len(fw.targets_of(g)) for g in range(1, 18)]
    assert targets_per_goal == [7, 8, 13, 10, 9, 8, 5, 12, 8, 10, 10, 11, 5, 10, 12, 12, 19]


def test_repeated_indicators(fw: SdgFramework) -> None:
    groups = {i.code: i.listed_as for i in fw.indicators if i.is_repeated}
    assert groups["1.5.1"] == ("1.5.1", "11.5.1", "13.1.1")
    assert groups["1.5.3"] == ("1.5.3", "11.b.1", "13.1.2")
    assert groups["1.5.4"] == ("1.5.4", "11.b.2", "13.1.3")
    assert groups["4.7.1"] == ("4.7.1", "12.8.1", "13.3.1")
    assert groups["7.b.1"] == ("7.b.1", "12.a.1")
    assert groups["15.a.1"] == ("15.a.1", "15.b.1")
    assert len(groups) == 12


def test_indicator_codes_match_the_open_sdg_list(fw: SdgFramework, shared_data: Path) -> None:
    """Every open-sdg code is ours except the five the 2020 review retired; nothing of ours is missing."""
    doc = yaml.safe_load((shared_data / "sdg-framework" / "en" / "global_indicators.yml").read_text(encoding="utf-8"))
    theirs = {k.removesuffix("-title").replace("-", ".") for k in doc}
    ours = {c for i in fw.indicators for c in i.listed_as}
    assert len(doc) == 252
    assert theirs - ours == RETIRED_IN_2020
    assert ours - theirs == set()


def test_every_listing_is_under_an_existing_target(fw: SdgFramework) -> None:
    target_codes = {t.code for t in fw.targets}
    for ind in fw.indicators:
        for target in ind.targets:
            assert target in target_codes, ind.code
        assert ind.target == ind.code.rsplit(".", 1)[0]
        assert list(ind.listed_as) == sorted(ind.listed_as, key=code_sort_key)
    # every target but 11.c (whose only indicator the 2020 review deleted) has an indicator
    assert [t.code for t in fw.targets if not fw.indicators_of(t)] == ["11.c"]


def test_every_target_has_relevance_and_reason(fw: SdgFramework) -> None:
    for t in fw.targets:
        assert t.relevance_municipal in RELEVANCE_LEVELS, t.code
        assert t.relevance_county in RELEVANCE_LEVELS, t.code
        assert len(t.reason("nb")) > 20 and len(t.reason("en")) > 20, t.code
        assert t.reason("nn") == t.reason("nb")  # reasons are bokmål/English; nynorsk falls back
    municipal = {level: sum(t.relevance_municipal == level for t in fw.targets) for level in RELEVANCE_LEVELS}
    assert all(n >= 30 for n in municipal.values()), municipal  # a real spread, not one default


def test_relevance_judgements(fw: SdgFramework) -> None:
    water = fw.target("6.3")
    assert water.relevance_municipal == "high"
    assert "avløp" in water.reason("nb")
    aid = fw.target("17.2")
    assert (aid.relevance_municipal, aid.relevance_county) == ("low", "low")
    assert "statens ansvar" in aid.reason("nb")
    upper_secondary = fw.target("4.3")
    assert (upper_secondary.relevance_municipal, upper_secondary.relevance_county) == ("low", "high")
    assert fw.target("11.2").relevance_county == "high"  # public transport and county roads
    assert fw.target("4.2").relevance_municipal == "high"  # kindergartens
    assert relevance_label("high", "nn") == "høg" and relevance_label("some", "nb") == "noe"


# --------------------------------------------------------------------------- colours and names
def test_official_colours(fw: SdgFramework) -> None:
    assert {g.number: g.colour for g in fw.goals} == OFFICIAL_COLOURS
    assert all(re.fullmatch(r"#[0-9A-F]{6}", g.colour) for g in fw.goals)


def test_norwegian_goal_names(fw: SdgFramework) -> None:
    assert fw.goal(1).short_name("nb") == "Utrydde fattigdom"
    assert fw.goal(2).short_name("nn") == "Utrydde svolt"
    assert fw.goal(3).short_name("nb") == "God helse og livskvalitet"
    assert fw.goal(3).short_name("nn") == "God helse og livskvalitet"
    assert fw.goal(6).short_name("nn") == "Reint vatn og gode sanitærforhold"
    assert fw.goal(17).short_name("nb") == "Samarbeid for å nå målene"
    assert fw.goal(17).short_name("nn") == "Samarbeid for å nå måla"
    assert fw.goal(13).short_name("en") == "Climate action"
    assert fw.goal(1).name("nb") == "Utrydde alle former for fattigdom i hele verden"


def test_every_text_in_every_language(fw: SdgFramework) -> None:
    for lang in LANGS:
        for g in fw.goals:
            for text in (g.short_name(lang), g.name(lang), g.description(lang)):
                assert text.strip(), (g.number, lang)
        for t in fw.targets:
            assert t.title(lang).strip(), (t.code, lang)
        for i in fw.indicators:
            assert i.title(lang).strip(), (i.code, lang)
    # the Norwegian titles are Norwegian, not English left in place
    assert sum(t.title("nb") == t.title("en") for t in fw.targets) == 0
    assert sum(i.title("nb") == i.title("en") for i in fw.indicators) <= 3


def test_target_titles_are_short(fw: SdgFramework) -> None:
    for t in fw.targets:
        for lang in LANGS:
            assert 3 <= len(t.title(lang).split()) <= 10, (t.code, lang, t.title(lang))


BOKMAAL_ONLY = re.compile(
    r"\b(ikke|hvis|hva|hvordan|hvor|kommunene|fylkeskommunene|bærekraftig\w*|helhetlig\w*|vann|sykdom\w*|"
    r"mye|bare|noen|økning|tjenester|boliger|byer|ulykker|utslipp|forurensning|vei|veier|hensyn)\b",
    re.IGNORECASE,
)


def test_nynorsk_is_nynorsk(fw: SdgFramework) -> None:
    texts = [(f"mål {g.number}", g.short_name("nn") + " " + g.name("nn") + " " + g.description("nn")) for g in fw.goals]
    texts += [(t.code, t.title("nn")) for t in fw.targets]
    texts += [(i.code, i.title("nn")) for i in fw.indicators]
    offenders = [(code, m.group(0)) for code, text in texts for m in [BOKMAAL_ONLY.search(text)] if m]
    assert offenders == []
    # and nynorsk is not bokmål copied: these words must differ between the two
    assert fw.target("6.1").title("nn") == "Trygt drikkevatn til alle"
    assert fw.target("6.1").title("nb") == "Trygt drikkevann til alle"


# --------------------------------------------------------------------------- lookups
def test_lookups(fw: SdgFramework) -> None:
    assert fw.goal("3") is fw.goal(3) is fw.goal(fw.goal(3))
    assert fw.target("6.a").code == "6.a" and fw.target("6-A") is fw.target("6.a")
    assert fw.target("17.19").goal == 17
    assert fw.target("6.a").is_means_of_implementation and not fw.target("6.3").is_means_of_implementation
    assert fw.indicator("13.1.1") is fw.indicator("1.5.1")
    assert fw.indicator("11.5.1").targets == ("1.5", "11.5", "13.1")
    assert fw.indicator("11.5.1").goals == (1, 11, 13)
    assert [t.code for t in fw.targets_of(6)] == ["6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.a", "6.b"]
    assert [t.code for t in fw.targets_of(8)][-4:] == ["8.9", "8.10", "8.a", "8.b"]  # 8.10 after 8.9
    assert [i.code for i in fw.indicators_of("6.3")] == ["6.3.1", "6.3.2"]
    assert [i.code for i in fw.indicators_of("11.5")] == ["1.5.1", "1.5.2"]
    assert fw.listings_of("11.5") == ("11.5.1", "11.5.2")
    goal13 = [i.code for i in fw.indicators_of(13)]
    assert goal13 == ["1.5.1", "1.5.3", "1.5.4", "13.2.1", "13.2.2", "4.7.1", "13.a.1", "13.b.1"]
    assert fw.indicators_of("13") == fw.indicators_of(fw.goal(13))
    assert len({i.code for g in fw.goals for i in fw.indicators_of(g)}) == 231
    assert fw.has_code("11.b.2") and fw.has_code("17") and not fw.has_code("1.a.3")


def test_lookup_errors_name_the_object_and_the_fix(fw: SdgFramework) -> None:
    with pytest.raises(NotFoundError) as goal_err:
        fw.goal(18)
    assert "18" in goal_err.value.message and "1–17" in goal_err.value.message
    with pytest.raises(NotFoundError) as target_err:
        fw.target("6.9")
    assert "6.9" in target_err.value.message and "6.1" in (target_err.value.hint or "")
    with pytest.raises(NotFoundError) as ind_err:
        fw.indicator("1.a.3")
    assert "1.a.3" in ind_err.value.message
    assert ind_err.value.hint_en == "Target 1.a has the indicators 1.a.1, 1.a.2."


def test_default_framework_is_cached_and_a_copy_loads_the_same(tmp_path: Path, fw: SdgFramework) -> None:
    assert load_sdg() is fw
    assert load_sdg(DATA_DIR) is fw
    copy = load_sdg(_copy_framework(tmp_path))
    assert copy is not fw
    assert copy.goals == fw.goals and copy.targets == fw.targets and copy.indicators == fw.indicators
    assert copy.version == fw.version and fw.version.startswith("sdg-")


# --------------------------------------------------------------------------- broken files
def test_malformed_yaml(tmp_path: Path) -> None:
    folder = _copy_framework(tmp_path)
    _edit(folder / "sdg_targets.yaml", '  - code: "1.2"\n', '  - code: "1.2"\n   title: [oops\n')
    with pytest.raises(DataFileError) as err:
        load_sdg(folder)
    assert "sdg_targets.yaml" in err.value.message
    assert "ikke gyldig YAML på linje" in err.value.message
    assert "not valid YAML on line" in err.value.message_en


def test_missing_language(tmp_path: Path) -> None:
    folder = _copy_framework(tmp_path)
    _edit(folder / "sdg_goals.yaml", ', nn: "Utrydde svolt"', "")
    with pytest.raises(DataFileError) as err:
        load_sdg(folder)
    msg = err.value.message
    assert "sdg_goals.yaml" in msg and "oppføring 2" in msg and "short.nn" in msg and "mangler" in msg
    assert err.value.details["problems"] == [
        {"file": "sdg_goals.yaml", "entry": "2", "field": "short.nn", "message": "mangler", "message_en": "is missing"}
    ]


def test_duplicate_target_code(tmp_path: Path) -> None:
    folder = _copy_framework(tmp_path)
    _edit(folder / "sdg_targets.yaml", '- code: "6.4"', '- code: "6.3"')
    with pytest.raises(DataFileError) as err:
        load_sdg(folder)
    assert "sdg_targets.yaml" in err.value.message and "delmål 6.3 står to ganger" in err.value.message
    messages = [p["message"] for p in err.value.details["problems"]]
    assert "fila har 168 ulike delmål; rammeverket har 169" in messages


def test_duplicate_indicator_listing(tmp_path: Path) -> None:
    folder = _copy_framework(tmp_path)
    _edit(folder / "sdg_indicators.yaml", 'also: ["12.a.1"]', 'also: ["12.a.1", "11.5.1"]')
    with pytest.raises(DataFileError) as err:
        load_sdg(folder)
    assert "oppføring 7.b.1" in err.value.message
    assert "koden 11.5.1 er allerede brukt av indikator 1.5.1" in err.value.message


def test_target_under_unknown_goal(tmp_path: Path) -> None:
    folder = _copy_framework(tmp_path)
    _edit(folder / "sdg_targets.yaml", '- code: "17.19"', '- code: "18.1"')
    _edit(folder / "sdg_indicators.yaml", '"17.19.1"', '"18.1.1"')
    _edit(folder / "sdg_indicators.yaml", '"17.19.2"', '"18.1.2"')
    with pytest.raises(DataFileError) as err:
        load_sdg(folder)
    assert err.value.message == (
        "SDG-rammeverket, fil sdg_targets.yaml, oppføring 18.1, felt code: "
        "delmålet hører til mål 18, som ikke finnes i sdg_goals.yaml."
    )
    assert err.value.details["entry"] == "18.1"


def test_indicator_under_unknown_target(tmp_path: Path) -> None:
    folder = _copy_framework(tmp_path)
    _edit(folder / "sdg_indicators.yaml", '- code: "3.6.1"', '- code: "3.e.1"')
    with pytest.raises(DataFileError) as err:
        load_sdg(folder)
    assert "indikator 3.e.1 hører til delmål 3.e, som ikke finnes i sdg_targets.yaml" in err.value.message


def test_bad_colour_relevance_and_unquoted_code(tmp_path: Path) -> None:
    folder = _copy_framework(tmp_path)
    _edit(folder / "sdg_goals.yaml", '"#E5243B"', '"red"')
    _edit(
        folder / "sdg_targets.yaml",
        '- code: "1.2"\n    title: {nb: "Halvere fattigdom etter nasjonal definisjon"',
        '- code: 1.20\n    title: {nb: "Halvere fattigdom etter nasjonal definisjon"',
    )
    _edit(folder / "sdg_targets.yaml", "municipality: high", "municipality: medium")
    with pytest.raises(DataFileError) as err:
        load_sdg(folder)
    problems = {(p["file"], p["field"]): p["message"] for p in err.value.details["problems"]}
    assert problems[("sdg_goals.yaml", "colour")] == "'red' er ikke en fargekode som #E5243B"
    assert "anførselstegn" in problems[("sdg_targets.yaml", "code")]
    assert problems[("sdg_targets.yaml", "municipality")] == "må være high, some eller low, ikke 'medium'"


def test_meta_counts_must_match(tmp_path: Path) -> None:
    folder = _copy_framework(tmp_path)
    _edit(folder / "sdg_indicators.yaml", "  unique: 231", "  unique: 232")
    with pytest.raises(DataFileError) as err:
        load_sdg(folder)
    assert "231 unike indikatorer, men meta.unique sier 232" in err.value.message


def test_missing_file_and_not_a_folder(tmp_path: Path) -> None:
    folder = _copy_framework(tmp_path)
    (folder / "sdg_indicators.yaml").unlink()
    with pytest.raises(DataFileError) as err:
        load_sdg(folder)
    assert "sdg_indicators.yaml" in err.value.message and "finnes ikke" in err.value.message
    with pytest.raises(DataFileError, match="er ikke en mappe"):
        load_sdg(tmp_path / "nowhere")


# --------------------------------------------------------------------------- open-sdg importer
def test_opensdg_english(shared_data: Path, fw: SdgFramework) -> None:
    texts = read_opensdg_texts(shared_data / "sdg-framework" / "en", "en")
    assert len(texts.goals) == 17 and len(texts.goal_short) == 17
    assert len(texts.targets) == 169
    assert len(texts.indicators) == 247
    assert set(texts.unknown) == RETIRED_IN_2020
    assert texts.missing == () and texts.ignored_keys == () and texts.duplicates == ()
    assert "non-communicable" in texts.target("3.4")
    assert texts.goal(13) == "Take urgent action to combat climate change and its impacts"
    assert texts.goal_short["6"] == "Clean water and sanitation"
    assert texts.indicator("13.1.1") == texts.indicator("1.5.1")
    assert "\n" not in texts.target("1.4") and "  " not in texts.target("1.4")
    assert list(texts.targets)[:8] == [t.code for t in fw.targets[:8]]
    with pytest.raises(NotFoundError):
        texts.indicator("1.a.3")


def test_opensdg_bokmaal_and_its_faults(shared_data: Path) -> None:
    texts = read_opensdg_texts(shared_data / "sdg-framework", "nb")  # parent folder: finds nb_NO
    assert texts.folder.name == "nb_NO"
    assert len(texts.targets) == 169 and len(texts.indicators) == 247
    assert texts.goal(1) == "Utrydde alle former for fattigdom i hele verden"
    assert "ikke-smittsomme" in texts.target("3.4")
    # the machine translation put the same text under two targets: reported, not hidden
    assert ("1.5", "1.a") in texts.duplicates


def test_opensdg_strict_and_bad_language(shared_data: Path) -> None:
    with pytest.raises(DataFileError) as err:
        read_opensdg_texts(shared_data / "sdg-framework" / "en", "en", strict=True)
    assert "5 ukjente koder" in err.value.message and "1.a.3" in err.value.message
    with pytest.raises(InvalidInputError):
        read_opensdg_texts(shared_data / "sdg-framework", "../en")


def _opensdg_folder(
    tmp_path: Path,
    goals: str,
    targets: str = "1-1-title: End extreme poverty\n",
    indicators: str = "1-1-1-title: Share below the poverty line\n",
) -> Path:
    folder = tmp_path / "xx"
    folder.mkdir()
    (folder / "global_goals.yml").write_text(goals, encoding="utf-8")
    (folder / "global_targets.yml").write_text(targets, encoding="utf-8")
    (folder / "global_indicators.yml").write_text(indicators, encoding="utf-8")
    return folder


def test_opensdg_malformed_yaml(tmp_path: Path) -> None:
    folder = _opensdg_folder(tmp_path, "1-title: End poverty\n2-title: [unclosed\n")
    with pytest.raises(DataFileError) as err:
        read_opensdg_texts(folder, "xx")
    assert "global_goals.yml" in err.value.message and "ikke gyldig YAML" in err.value.message
    assert "open-sdg/sdg-translations" in (err.value.hint or "")
    assert err.value.details["line"] == 3


def test_opensdg_wrong_shapes(tmp_path: Path) -> None:
    folder = _opensdg_folder(tmp_path, "- 1-title\n- 2-title\n")
    with pytest.raises(DataFileError, match="tabell av nøkler og tekster"):
        read_opensdg_texts(folder, "xx")
    (folder / "global_goals.yml").write_text("1-title:\n  - a\n  - b\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="'1-title' har en liste"):
        read_opensdg_texts(folder, "xx")
    (folder / "global_targets.yml").unlink()
    (folder / "global_goals.yml").write_text("1-title: End poverty\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"global_targets\.yml mangler"):
        read_opensdg_texts(folder, "xx")
    with pytest.raises(DataFileError, match=r"Fant ikke global_goals\.yml"):
        read_opensdg_texts(tmp_path / "empty", "xx")


def test_opensdg_partial_file_reports_unknown_missing_and_ignored(tmp_path: Path) -> None:
    folder = _opensdg_folder(
        tmp_path,
        "1-title: End poverty\n1-short: No poverty\n18-title: A goal that does not exist\n",
        targets="1-1-title: End extreme poverty\n18-1-title: Nothing\nfootnote: not a code\n",
    )
    texts = read_opensdg_texts(folder, "xx")
    assert texts.goals == {"1": "End poverty"} and texts.goal_short == {"1": "No poverty"}
    assert texts.targets == {"1.1": "End extreme poverty"}
    assert dict(texts.unknown) == {"18": "A goal that does not exist", "18.1": "Nothing"}
    assert texts.ignored_keys == ("global_targets.yml:footnote",)
    assert "2" in texts.missing and "17.19" in texts.missing and "1.1" not in texts.missing
    assert len(texts.missing) == 16 + 168 + 246
