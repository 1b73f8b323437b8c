"""Every shipped recipe on the real files in ../shared/data (FN17_SHARED_DATA): the numbers
the sources publish, the quirks, the carrying to today's municipalities and the gaps."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fn17.regions import load_register
from fn17.sources.load import Harmoniser, PopulationContext, derive, find_gaps, read_recipe_files
from fn17.sources.recipes import Recipe, get_recipe, load_recipes

REG = load_register()


def _read(recipe_id: str, shared_data: Path) -> tuple[Recipe, pd.DataFrame, list]:
    recipe = get_recipe(recipe_id)
    files = recipe.find_files(shared_data)
    assert files, f"{recipe_id}: no files under {shared_data}"
    frame, results = read_recipe_files(recipe, files, REG)
    return recipe, frame, results


def test_every_dataset_in_the_manifest_has_a_recipe(shared_data: Path) -> None:
    manifest = (shared_data / "MANIFEST.md").read_text(encoding="utf-8")
    recipes = load_recipes()
    for path in sorted(shared_data.rglob("*")):
        rel = str(path.relative_to(shared_data))
        if not path.is_file() or rel == "MANIFEST.md":
            continue
        # not observations: the register's own sources, boundaries, SDG texts and the KS taxonomy (taxonomy.py)
        if rel.startswith(("regions/", "geo/", "sdg-framework/", "ks-indicator-taxonomy/")):
            continue
        assert any(path in r.find_files(shared_data) for r in recipes), f"no recipe reads {rel}"
    assert "07459" in manifest


@pytest.fixture(scope="module")
def population_2023(shared_data: Path) -> tuple[Recipe, pd.DataFrame]:
    recipe, frame, _ = _read("ssb-07459-2023", shared_data)
    return recipe, frame


def test_population_2023_as_published(population_2023: tuple[Recipe, pd.DataFrame]) -> None:
    _, frame = population_2023
    assert frame["region_code"].nunique() == 356
    assert frame["value"].sum() == 5_488_984
    assert frame.loc[frame["region_code"] == "0301", "value"].sum() == 709_037
    assert frame["breakdown"].nunique() == 106
    assert (frame["_file"] == "07459-population-by-age-2023.csv").all()


def test_population_2023_carried_to_2024_municipalities(population_2023: tuple[Recipe, pd.DataFrame]) -> None:
    recipe, frame = population_2023
    carried = Harmoniser(REG).carry(frame, recipe).frame
    totals = carried.groupby(carried["region_code"].astype(str))["value"].sum()
    assert len(totals) == 357  # 1507 Ålesund was split into 1508 Ålesund and 1580 Haram in 2024
    assert totals.sum() == pytest.approx(5_488_984, abs=1e-6)
    assert totals["0301"] == 709_037
    aalesund = frame.loc[frame["region_code"] == "1507", "value"].sum()
    assert totals["1580"] == pytest.approx(aalesund * 0.143)
    assert totals["1508"] == pytest.approx(aalesund * 0.857)
    haram = carried[(carried["region_code"] == "1580") & (carried["breakdown"] == "Alder=000")].iloc[0]
    assert haram["harmonisation"] == "split: 1507→1580 weight 0.143"
    assert haram["original_region_code"] == "1507"
    halden = carried[(carried["region_code"] == "3101") & (carried["breakdown"] == "Alder=000")].iloc[0]
    assert (halden["harmonisation"], halden["original_region_code"], halden["value"]) == ("renumber: 3001→3101", "3001", 236)
    oslo = carried[carried["region_code"] == "0301"]
    assert oslo["harmonisation"].isna().all()
    derived = derive(carried, recipe, None)
    shares = derived[derived["indicator_id"].astype(str).str.startswith("befolkning_andel")]
    assert set(shares["indicator_id"]) == {"befolkning_andel_0_5", "befolkning_andel_6_15", "befolkning_andel_67_pluss",
                                           "befolkning_andel_80_pluss"}
    total = derived[(derived["indicator_id"] == "ssb:07459:Personer1") & (derived["region_code"] == "0301")]["value"]
    assert total.item() == 709_037


def test_population_2005_2021_gaps_and_mergers(shared_data: Path) -> None:
    recipe, frame, results = _read("ssb-07459-2005-2021", shared_data)
    assert len(results) == 6  # six exports, four formats
    raw = frame.groupby("period")["value"].sum()
    assert raw["2017"] == 5_258_317  # the municipal sum equals the national total from 2017 ...
    assert raw["2005"] == 4_485_465  # ... but falls short before: municipalities are missing
    population = PopulationContext()
    population.add_raw(frame)
    result = Harmoniser(REG).carry(frame, recipe, population)
    carried = result.frame
    gaps = {g["region"]: g["periods"] for g in find_gaps(carried, recipe, REG)}
    assert gaps == {"1160": "2005", "1505": "2005–2007", "1576": "2005", "3907": "2005–2016", "5053": "2005–2011",
                    "5503": "2005–2012"}
    # 2019 Ålesund: 1504+1523+1529+1534+1546 became 1507 (2020), split into 1508 and 1580 (2024)
    parts = frame[(frame["period"] == "2019") & frame["region_code"].isin(["1504", "1523", "1529", "1534", "1546"])]
    new = carried[(carried["period"] == "2019") & carried["region_code"].isin(["1508", "1580"])]
    assert new["value"].sum() == pytest.approx(parts["value"].sum())
    rule = new[(new["region_code"] == "1508") & (new["breakdown"] == "Alder=030")]["harmonisation"].item()
    assert rule == "sum: 1504×0.857+1523×0.857+1529×0.857+1534×0.857+1546×0.857→1508"
    # 2005: 0101 Halden → 3001 (2020) → 3101 (2024)
    halden = carried[(carried["period"] == "2005") & (carried["region_code"] == "3101")]
    assert set(halden["harmonisation"]) == {"renumber: 0101→3101"}
    assert carried.groupby("period", observed=True)["value"].sum()["2019"] == pytest.approx(5_328_212)
    assert not result.unknown  # every code in these exports is in the register


def test_kindergarten_sheet_old_codes_and_footnotes(shared_data: Path) -> None:
    recipe, frame, results = _read("ssb-13502-barnehage", shared_data)
    assert results[0].skipped["notes and rows without values"] > 0
    halden_2019 = frame[(frame["region_code"] == "0101") & (frame["period"] == "2019")]["value"].item()
    assert halden_2019 == 84.1
    result = Harmoniser(REG).carry(frame, recipe)
    carried = result.frame
    assert carried[(carried["region_code"] == "3101") & (carried["period"] == "2019")]["value"].item() == 84.1
    assert carried[(carried["region_code"] == "3101") & (carried["period"] == "2023")]["value"].item() == 87.7
    assert set(result.unknown) == {"0706", "0719", "0720"}  # Sandefjord's parts before 2017
    assert {g["region"] for g in find_gaps(carried, recipe, REG)} == {"1151", "3907", "4629"}
    assert carried[carried["period"] == "2023"]["value"].notna().sum() == 355  # as the manifest says


def test_storting_elections_from_json_in_tar(shared_data: Path) -> None:
    recipe, frame, _ = _read("valg-storting", shared_data)
    eligible = frame[frame["indicator_id"] == "valg:storting:stemmeberettigede"]
    assert eligible.groupby("period")["region_code"].nunique().to_dict() == {
        "2009": 430, "2013": 428, "2017": 426, "2021": 356, "2025": 357}
    result = Harmoniser(REG).carry(frame, recipe)
    assert {"0706", "0719", "0720", "1723", "1729", "1901", "1915"} <= set(result.unknown)
    carried = result.frame
    vega = carried[(carried["region_code"] == "1815") & (carried["period"] == "2021")]
    assert vega[vega["indicator_id"] == "valg:storting:frammote"]["value"].item() == 80.6


def test_council_election_2019(shared_data: Path) -> None:
    _, frame, _ = _read("valg-kommunestyre-2019", shared_data)
    oslo = frame[frame["region_code"] == "0301"]
    eligible = oslo[oslo["indicator_id"] == "valg:kommunestyre:stemmeberettigede"]["value"].item()
    votes = oslo[oslo["indicator_id"] == "valg:kommunestyre:partistemmer"]["value"].sum()
    assert eligible == 545_506
    assert votes / eligible * 100 == pytest.approx(67.35, abs=0.01)  # blank included, rejected ballots not in the file
    assert oslo[(oslo["indicator_id"] == "valg:kommunestyre:oppslutning") & (oslo["breakdown"] == "parti=A")]["value"].item() == pytest.approx(20.00783)
    assert frame["region_code"].nunique() == 356


def test_elhub_parquet(shared_data: Path) -> None:
    recipe, frame, results = _read("nve-elhub", shared_data)
    assert frame["region_code"].nunique() == 357
    assert results[0].skipped["regions left out by the recipe"] > 0  # 0000
    carried = Harmoniser(REG).carry(frame, recipe).frame
    assert carried["harmonisation"].isna().all()  # already in today's municipalities
    assert sorted(carried["period"].unique()) == ["2022", "2023", "2024"]


@pytest.mark.parametrize("recipe_id,indicator,expected", [
    ("imdi-vedvarende-lavinntekt", "imdi:vedvarende_lavinntekt:prosent", 13.7),
    ("imdi-grunnskolepoeng", "imdi:grunnskolepoeng:gjennomsnitt", 41.2),
    ("imdi-sysselsatte", "imdi:sysselsatte_kjonn_land:prosent", None),
    ("imdi-videregaende-fullfort", "imdi:videregaende_fullfort:prosent", None),
])
def test_imdi_files(shared_data: Path, recipe_id: str, indicator: str, expected: float | None) -> None:
    recipe, frame, _ = _read(recipe_id, shared_data)
    assert set(frame["region_kind"]) == {"kommune", "fylke", "land"}
    assert frame[frame["region_kind"] == "kommune"]["region_code"].nunique() >= 420
    assert frame["status"].isin(["ok", "missing", "suppressed", "zero"]).all()
    if expected is not None:
        oslo = frame[(frame["indicator_id"] == indicator) & (frame["region_code"] == "0301") & (frame["period"] == "2013")]
        total = oslo[~oslo["breakdown"].str.contains("innvandrere|befolkningen_ellers|norskfodte|bef_u|=0|=1|=2")]
        assert total["value"].iloc[0] == expected
    result = Harmoniser(REG).carry(frame, recipe)
    assert {"0706", "0720"} <= set(result.unknown)


def test_fhi_names_only_workbook(shared_data: Path) -> None:
    _, frame, results = _read("fhi-barnevaksinasjon", shared_data)
    assert results[0].unknown_labels == {}  # every name was found in the register of 2018
    counties = frame[frame["region_kind"] == "fylke"]["region_code"].nunique()
    assert counties == 18  # 2018: Trøndelag was one county, the others as before
    assert frame[frame["region_kind"] == "kommune"]["region_code"].nunique() >= 420
    national = frame[(frame["region_code"] == "0") & (frame["period"] == "2014-2018") & (frame["breakdown"] == "alder=2;vaksine=meslinger")]
    assert national["value"].item() == 95.7


def test_fhi_b2020_with_imputed_values(shared_data: Path) -> None:
    _, frame, _ = _read("fhi-vaksinasjon-b2020", shared_data)
    municipalities = frame[frame["region_kind"] == "kommune"]
    assert municipalities["region_code"].nunique() == 356
    share = (municipalities["status"] == "imputed").mean()
    assert 0.05 < share < 0.10  # FHI imputed 7.7 % of the values


def test_nav_and_course_data(shared_data: Path) -> None:
    _, frame, _ = _read("nav-ytelser", shared_data)
    assert frame.loc[(frame["region_code"] == "0101") & (frame["period"] == "2014") & (frame["breakdown"] == "kapittel=0634"),
                     "value"].item() == 8.24
    _, frame2, _ = _read("ssb-kommunedata", shared_data)
    assert frame2[frame2["region_kind"] == "kommune"]["region_code"].nunique() == 128
    assert frame2[(frame2["region_code"] == "0") & (frame2["indicator_id"] == "ssb:kursdata:folkemengde")]["value"].iloc[0] == 2_076_912


def test_telemark_names(shared_data: Path) -> None:
    for recipe_id in ("telemark-klimagass", "telemark-folketall", "telemark-sysselsetting"):
        recipe, frame, results = _read(recipe_id, shared_data)
        assert not results[0].unknown_labels, recipe_id
        carried = Harmoniser(REG).carry(frame, recipe).frame
        assert set(carried["region_code"].astype(str)) == {m.code for m in REG.municipalities() if m.county_code == "40"}
        assert find_gaps(carried, recipe, REG) == []
