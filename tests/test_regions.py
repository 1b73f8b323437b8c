"""The region register: checked against the real files in ../shared/data, and unit by unit.

Documented differences between our data and the shared files (see data/sources.csv):

* 07459 (SSB, 1.1.2023) is an ISO-8859-1 export: it writes "Evenássi" and "Kárásjohka" for
  Evenášši and Kárášjohka, "Porsángu" for Porsáŋgu, adds a county to ambiguous names
  ("Våler (Østfold)"), and labels 5006 "teinkj" (SSB table 13502 says "5006 Steinkjer").
  Names are therefore compared folded (case, accents and Sami letters removed) and with the
  parenthesised county stripped, and 5006 is checked against the known label.
* norway_locations.xlsx marks the 2024 codes as starting in 2023 (they start 1.1.2024), gives
  1439 Vågsøy only one successor (4602 Kinn; the Bryggja part went to 4649 Stad, 541 people),
  and splits 1507 Ålesund 0.5/0.5 (we use population shares from SSB 07459, 1.1.2019).
* Kartverket's 2024 names are exact; seven municipalities carry an extra Sami/Kven name from
  1.1.2026 (SSB KLASS 131), so "today's" names differ from the 2024 file for those seven.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
import shutil
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from fn17.errors import DataFileError, InvalidInputError, NotFoundError
from fn17.regions import HORIZON, Register, load_register, size_class, size_class_label
from fn17.regions._loader import DATA_DIR
from fn17.regions._search import fold

RENAMED_2026 = {"0301", "1833", "1845", "5006", "5037", "5516", "5536"}


@pytest.fixture(scope="module")
def reg() -> Register:
    return load_register()


def _ssb_population(path: Path, sep: str, col: int) -> dict[str, int]:
    """Sum one-year age rows to municipality totals; regions as 'K-3001 Halden' or '0101 Halden'."""
    totals: dict[str, int] = defaultdict(int)
    with path.open(encoding="latin-1") as fh:
        for line in fh:
            cells = [c.strip().strip('"') for c in line.rstrip("\r\n").split(sep)]
            if len(cells) > col and re.match(r"^(K-)?\d{4} ", cells[0]) and cells[col] not in ("", ".", ".."):
                totals[re.sub(r"^K-", "", cells[0]).split(" ")[0]] += int(cells[col])
    return dict(totals)


def _ssb_labels(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with path.open(encoding="latin-1") as fh:
        for line in fh:
            first = line.split(";")[0].strip().strip('"')
            m = re.match(r"^K-(\d{4}) (.+)$", first)
            if m:
                out[m.group(1)] = m.group(2).strip()
    return out


# ---------------------------------------------------------------------------------- real files
def test_2024_municipalities_equal_kartverket(reg: Register, shared_data: Path) -> None:
    geo = json.loads((shared_data / "geo" / "Kommuner-S.geojson").read_text(encoding="utf-8"))
    kartverket = {f["properties"]["kommunenummer"]: f["properties"]["kommunenavn"] for f in geo["features"]}
    assert len(kartverket) == 357
    ours = {r.code: r.name for r in reg.municipalities(date(2024, 6, 1))}
    assert ours == kartverket
    today = {r.code: r.name for r in reg.municipalities()}
    assert set(today) == set(kartverket)
    assert {c for c in today if today[c] != kartverket[c]} == RENAMED_2026
    for c in RENAMED_2026:  # the 2026 names only add a parallel name
        assert today[c].startswith(kartverket[c] + " - "), (c, today[c])


def test_2024_counties_equal_kartverket(reg: Register, shared_data: Path) -> None:
    geo = json.loads((shared_data / "geo" / "Fylker-S.geojson").read_text(encoding="utf-8"))
    kartverket = {f["properties"]["fylkesnummer"]: f["properties"]["fylkesnavn"] for f in geo["features"]}
    assert len(kartverket) == 15
    assert {r.code: r.name for r in reg.counties(date(2024, 6, 1))} == kartverket
    assert {r.code: r.name for r in reg.counties()} == kartverket


def test_2023_municipalities_equal_ssb_07459(reg: Register, shared_data: Path) -> None:
    labels = _ssb_labels(shared_data / "ssb" / "07459-population-by-age-2023.csv")
    assert len(labels) == 356
    ours = {r.code: r for r in reg.municipalities(date(2023, 6, 1))}
    assert set(ours) == set(labels)
    assert labels["5006"] == "teinkj" and ours["5006"].name == "Steinkjer"  # SSB's corrupted label
    for code, label in labels.items():
        if code == "5006":
            continue
        ssb = fold(re.sub(r"\s*\([^)]*\)$", "", label))
        assert fold(ours[code].name) == ssb, (code, ours[code].name, label)


def test_2023_population_carried_to_2024_keeps_every_person(reg: Register, shared_data: Path) -> None:
    pop = _ssb_population(shared_data / "ssb" / "07459-population-by-age-2023.csv", ";", 2)
    assert sum(pop.values()) == 5_488_984 and pop["0301"] == 709_037
    carried = reg.carry_series({(c, "2023"): float(v) for c, v in pop.items()}, date(2024, 1, 1))
    assert {cv.code for cv in carried} == {r.code for r in reg.municipalities(date(2024, 1, 1))}
    assert all(cv.complete for cv in carried)
    assert math.isclose(sum(cv.value for cv in carried), 5_488_984, rel_tol=1e-12)
    by_code = {cv.code: cv for cv in carried}
    assert by_code["3101"].value == pop["3001"] and by_code["3101"].rule == "renumbered"
    assert by_code["0301"].rule == "unchanged"
    assert math.isclose(by_code["1508"].value + by_code["1580"].value, pop["1507"])


@pytest.mark.parametrize(("file", "sep", "col", "total", "n_codes"), [
    ("Personer2015-2018.csv", "\t", 4, 5_258_317, 426),  # 1.1.2017, 2017 structure
    ("Personer2019.csv", ",", 2, 5_328_212, 422),  # 1.1.2019, 2019 structure
])
def test_old_populations_carried_to_today_are_complete(
    reg: Register, shared_data: Path, file: str, sep: str, col: int, total: int, n_codes: int
) -> None:
    pop = _ssb_population(shared_data / "ssb" / "population-2005-2021" / file, sep, col)
    year = "2017" if "2015" in file else "2019"
    in_use = {r.code for r in reg.municipalities(date(int(year), 1, 1))}
    pop = {c: v for c, v in pop.items() if c in in_use}
    assert len(pop) == n_codes and sum(pop.values()) == total
    carried = reg.carry_series({(c, year): float(v) for c, v in pop.items()}, date.today())
    assert len(carried) == 357
    assert all(cv.complete for cv in carried), [cv.code for cv in carried if not cv.complete]
    assert math.isclose(sum(cv.value for cv in carried), total, rel_tol=1e-12)


def test_history_agrees_with_norway_locations(reg: Register, shared_data: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(shared_data / "regions" / "norway_locations.xlsx", read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    head = rows[0]
    col = {name: head.index(name) for name in ("year_start", "year_end", "municip_code_end", "weighting",
                                              "municip_code", "county_code")}
    xl_succ: dict[str, dict[str, float | None]] = defaultdict(dict)
    xl_rows: dict[str, tuple[int, int | None, str]] = {}
    for row in rows[1:]:
        code_id = str(row[col["municip_code"]])
        if not code_id.startswith("municip_nor"):
            continue  # Svalbard, Jan Mayen, unknown
        end = row[col["year_end"]]
        if end is not None and int(end) < 2017:
            continue
        code = code_id[-4:]
        xl_rows[code] = (int(row[col["year_start"]]), None if end is None else int(end), str(row[col["county_code"]])[-2:])
        if row[col["municip_code_end"]]:
            w = row[col["weighting"]]
            xl_succ[code][str(row[col["municip_code_end"]])[-4:]] = None if w is None else float(w)
    assert len(xl_rows) > 800
    starts_2024 = {r.code for r in reg.municipalities(date(2024, 1, 1))} - {r.code for r in reg.municipalities(date(2023, 12, 31))}
    for code, (start, end, county) in xl_rows.items():
        versions = reg.versions(code)
        first, last = versions[0], versions[-1]
        if start < 2017:
            assert first.before_horizon and first.valid_from == HORIZON, code
        elif start == 2023 and code in starts_2024:
            assert first.valid_from == date(2024, 1, 1), code  # the xlsx marks 2024 codes from 2023
        else:
            assert first.valid_from == date(start, 1, 1), code
        assert last.valid_to == (None if end is None else date(end, 12, 31)), code
        assert all(v.county_code == county for v in versions), code
        if end is None:
            assert code not in xl_succ
            continue
        ours = reg.successors(code, date(end + 1, 1, 1))
        assert math.isclose(sum(ours.values()), 1.0, abs_tol=1e-9), code
        if code == "1439":  # Vågsøy: the Bryggja part went to Stad
            assert set(xl_succ[code]) == {"4602"} and set(ours) == {"4602", "4649"}
            assert math.isclose(ours["4649"], 541 / 6031, abs_tol=1e-4)
        else:
            assert set(ours) == set(xl_succ[code]), code
        if code in ("1850", "5012"):  # approximate shares, taken from the xlsx
            assert {k: round(v, 4) for k, v in ours.items()} == xl_succ[code]
    assert reg.successors("1507", date(2024, 1, 1)) == {"1508": 0.857, "1580": 0.143}


# ---------------------------------------------------------------------------------- structure
@pytest.mark.parametrize(("year", "municipalities", "counties"), [
    (2017, 426, 19), (2018, 422, 18), (2019, 422, 18), (2020, 356, 11), (2021, 356, 11),
    (2022, 356, 11), (2023, 356, 11), (2024, 357, 15), (2025, 357, 15), (2026, 357, 15),
])
def test_counts_per_year(reg: Register, year: int, municipalities: int, counties: int) -> None:
    for day in (date(year, 1, 1), date(year, 7, 1), date(year, 12, 31)):
        if day > date.today():
            continue
        assert len(reg.municipalities(day)) == municipalities, day
        assert len(reg.counties(day)) == counties, day


def test_trondelag_and_county_reforms(reg: Register) -> None:
    assert {r.code for r in reg.counties(date(2017, 6, 1))} >= {"16", "17"}
    assert "50" in {r.code for r in reg.counties(date(2018, 1, 1))}
    assert reg.current_codes("16", date(2018, 1, 1)) == ["50"]
    assert {r.code for r in reg.counties(date(2020, 1, 1))} == {"03", "11", "15", "18", "30", "34", "38", "42", "46", "50", "54"}
    assert reg.current_codes("30") == ["31", "32", "33"] and reg.current_codes("54") == ["55", "56"]
    assert reg.current_codes("38") == ["39", "40"]
    assert math.isclose(sum(reg.successors("30").values()), 1.0, abs_tol=1e-9)
    trondelag = {r.code for r in reg.municipalities(date(2018, 1, 1)) if r.county_code == "50"}
    assert not any(c.startswith(("16", "17")) for r in reg.municipalities(date(2018, 1, 1)) for c in [r.code])
    assert len(trondelag) == 47  # 48 in 16 and 17, less Rissa + Leksvik -> Indre Fosen
    assert len([r for r in reg.municipalities(date(2019, 1, 1)) if r.county_code == "50"]) == 48  # + Rindal
    assert reg.current_codes("1601", date(2018, 1, 1)) == ["5001"]  # Trondheim renumbered


def test_2024_gave_114_municipalities_new_numbers(reg: Register) -> None:
    before = {r.code for r in reg.municipalities(date(2023, 12, 31))}
    after = {r.code for r in reg.municipalities(date(2024, 1, 1))}
    assert len(before - after) == 114 and len(after - before) == 115  # 1507 became 1508 and 1580
    renumbers = [c for c in reg.changes() if c.date == date(2024, 1, 1) and c.kind == "renumber"]
    assert len(renumbers) == 113


def test_2020_boundary_splits(reg: Register) -> None:
    assert reg.current_codes("5012") == ["5055", "5056", "5059"]  # Snillfjord
    assert reg.current_codes("1850") == ["1806", "1875"]  # Tysfjord
    assert reg.current_codes("1571") == ["5055"]  # Halsa into Heim
    heim = next(c for c in reg.history("5055") if c.kind == "merger")
    assert set(heim.from_codes) == {"1571", "5011", "5012"}
    for change in reg.changes():
        if change.kind in ("split", "county_split"):
            assert math.isclose(sum(change.weights.values()), 1.0, abs_tol=1e-3), change
            assert set(change.weights) == set(change.to_codes) and change.source


# ---------------------------------------------------------------------------------- look-ups
def test_get_within_and_outside_the_valid_period(reg: Register) -> None:
    assert reg.get("1507", date(2023, 6, 1)).name == "Ålesund"
    with pytest.raises(InvalidInputError) as err:
        reg.get("1507")
    nb, en = err.value.message, err.value.message_en
    assert "1508 Ålesund" in nb and "1580 Haram" in nb and "1.1.2024" in nb and "31.12.2023" in nb
    assert "delt" in nb and "split" in en and "1508 Ålesund" in en and "1580 Haram" in en
    assert err.value.details["current_codes"] == ["1508", "1580"]
    assert "1508 Ålesund eller 1580 Haram" in (err.value.hint or "")
    with pytest.raises(InvalidInputError, match="3001 Halden"):
        reg.get("3101", date(2019, 1, 1))  # not yet in use; names the code to use instead
    with pytest.raises(InvalidInputError, match=r"3101 Halden"):
        reg.get("0101")  # chain 0101 -> 3001 -> 3101 named in the message


def test_codes_are_cleaned_and_unknown_codes_suggest_near_ones(reg: Register) -> None:
    assert reg.get("301").code == "0301" and reg.get(" K-0301 ").code == "0301"
    with pytest.raises(NotFoundError) as err:
        reg.get("1599")
    assert "1599" in err.value.message and err.value.details["suggestions"]
    assert all(len(s) == 4 for s in err.value.details["suggestions"])
    with pytest.raises(NotFoundError) as by_name:
        reg.get("Ålesund")
    assert "1508 Ålesund" in (by_name.value.hint or "")
    with pytest.raises(InvalidInputError):
        reg.get("12345")
    with pytest.raises(InvalidInputError, match=r"1\.1\.2017"):
        reg.get("0301", date(2016, 12, 31))


def test_current_codes_follow_chains(reg: Register) -> None:
    assert reg.current_codes("1507") == ["1508", "1580"]
    assert reg.current_codes("0101") == ["3101"]
    assert reg.current_codes("0101", date(2021, 1, 1)) == ["3001"]
    assert reg.current_codes("3101") == ["3101"]
    assert reg.current_codes("1534") == ["1508", "1580"]  # old Haram: via 1507, by the 2024 weights
    assert reg.current_codes("0702", date(2018, 1, 1)) == ["0715"]
    with pytest.raises(InvalidInputError, match=r"tilbake"):
        reg.current_codes("3101", date(2020, 1, 1))


def test_history_and_counties(reg: Register) -> None:
    kinds = [(c.date, c.kind) for c in reg.history("1507")]
    assert (date(2020, 1, 1), "merger") in kinds and (date(2024, 1, 1), "split") in kinds
    split = next(c for c in reg.history("1507") if c.kind == "split")
    assert "1534 Haram" in split.describe("nb") and "Haram" in split.describe("en")
    assert reg.county_of("1508").name == "Møre og Romsdal"
    assert reg.county_of("0101", date(2019, 6, 1)).code == "01"
    assert reg.county_of("3101").code == "31"
    assert reg.county_of("3001", date(2022, 1, 1)).name == "Viken"
    with pytest.raises(InvalidInputError):
        reg.county_of("46")


def test_official_sami_and_kven_names(reg: Register) -> None:
    kafjord = reg.get("5540")
    assert kafjord.name == "Gáivuotna - Kåfjord - Kaivuono" and kafjord.name_nb == "Kåfjord"
    assert dict(kafjord.other_names) == {"sme": "Gáivuotna", "fkv": "Kaivuono"}
    assert dict(reg.get("5622").other_names) == {"sme": "Porsáŋgu", "fkv": "Porsanki"}
    assert reg.get("5041").other_names["sma"] == "Snåase"
    assert reg.get("1875").other_names["smj"] == "Hábmer"
    assert reg.get("1850", date(2019, 1, 1)).other_names["smj"] == "Divtasvuodna"
    assert reg.get("5501").name == "Tromsø" and not reg.get("5501").other_names
    assert reg.get("5001", date(2023, 6, 1)).name == "Trondheim"
    assert reg.get("5001", date(2024, 6, 1)).name == "Trondheim - Tråante"
    assert reg.get("55").other_names == {"sme": "Romsa", "fkv": "Tromssa"}


def test_search_by_number_and_name(reg: Register) -> None:
    assert reg.search("alesund")[0].code == "1508"
    assert reg.search("ÅLESUND")[0].code == "1508"
    assert reg.search("Aalesund")[0].code == "1508"
    assert reg.search("Haram")[0].code == "1580"
    assert {r.code for r in reg.search("Viken")} == {"31", "32", "33"}
    assert reg.search("0101")[0].code == "3101"
    assert reg.search("karasjohka")[0].code == "5610"
    assert reg.search("Snillfjord")[0].code in {"5055", "5056", "5059"}
    assert "55" in {r.code for r in reg.search("Romsa")}
    assert reg.search("Trondhjem")[0].code == "5001"  # close spelling
    assert [r.code for r in reg.search("Halden", at=date(2021, 1, 1))] == ["3001"]
    assert len(reg.search("a", limit=3)) == 3
    with pytest.raises(InvalidInputError):
        reg.search("  ")


# ---------------------------------------------------------------------------------- series
def test_carry_series_sums_a_merger_and_splits_by_weights(reg: Register) -> None:
    parts = {"0122": 5_000.0, "0123": 5_900.0, "0124": 15_800.0, "0125": 11_400.0, "0138": 5_500.0}
    values = {(c, "2019"): v for c, v in parts.items()} | {("1507", "2023"): 67_114.0}
    out = {cv.code: cv for cv in reg.carry_series(values, date(2024, 6, 1))}
    indre = out["3118"]
    assert indre.value == sum(parts.values()) and indre.rule == "merged:sum" and indre.complete
    assert indre.sources == tuple(sorted(parts))
    weights = reg.successors("1507", date(2024, 1, 1))
    assert math.isclose(sum(weights.values()), 1.0)
    assert math.isclose(out["1508"].value, 67_114.0 * weights["1508"])
    assert math.isclose(out["1580"].value, 67_114.0 * weights["1580"])
    assert math.isclose(out["1508"].value + out["1580"].value, 67_114.0)
    assert out["1580"].rule == "split:weighted" and out["1580"].sources == ("1507",)
    assert out["1580"].weight_sources == ("ssb-07459-2019",)


def test_carry_series_reports_missing_parts_and_other_rules(reg: Register) -> None:
    out = reg.carry_series({("0124", "2019"): 10.0, ("0125", "2019"): float("nan")}, date(2024, 6, 1))
    assert len(out) == 1 and not out[0].complete
    assert set(out[0].missing) == {"0122", "0123", "0125", "0138"}
    copied = reg.carry_series({("1507", "2023"): 12.5}, date(2024, 6, 1), rule_for_split="copy")
    assert [(c.code, c.value) for c in copied] == [("1508", 12.5), ("1580", 12.5)]
    largest = reg.carry_series({("1507", "2023"): 12.5}, date(2024, 6, 1), rule_for_split="largest")
    assert [(c.code, c.value) for c in largest] == [("1508", 12.5)]
    rate = reg.carry_series({("0122", "2019"): 10.0, ("0123", "2019"): 20.0}, date(2024, 6, 1),
                            rule_for_merge="weighted_mean", population={("0122", "2019"): 100, ("0123", "2019"): 300})
    assert rate[0].value == 17.5 and rate[0].rule == "merged:weighted_mean"
    with pytest.raises(InvalidInputError):
        reg.carry_series({("0122", "2019"): 1.0}, date(2024, 1, 1), rule_for_merge="weighted_mean")
    with pytest.raises(InvalidInputError):
        reg.carry_series({("0122", "2019"): 1.0}, date(2024, 1, 1), rule_for_split="evenly")
    with pytest.raises(InvalidInputError):
        reg.carry_series({("0122", "2019"): "ti"}, date(2024, 1, 1))  # type: ignore[dict-item]
    with pytest.raises(NotFoundError):
        reg.carry_series({("0000", "2019"): 1.0}, date(2024, 1, 1))


# ---------------------------------------------------------------------------------- KOSTRA
def test_kostra_groups_and_size_classes(reg: Register) -> None:
    assert reg.kostra_group("0301") == "13"
    assert reg.kostra_group("1580") == "1" and reg.kostra_group("1508") == "11"
    assert reg.kostra_group("1103") == "12"
    assert reg.kostra_group("3101") is None  # not verified: marked unknown, never guessed
    assert reg.kostra_group("3001") is None  # an old code follows its renumbering (3001 -> 3101: unknown)
    assert reg.kostra_group("1507") == "11"  # SSB: "Ålesund forblir i gruppe 11"
    assert reg.kostra_group("0124") is None  # merged into 3014 in 2020: no group of its own
    with pytest.raises(InvalidInputError):
        reg.kostra_group("03")
    groups = reg.kostra_groups()
    assert [g.group for g in groups] == [str(i) for i in range(1, 18)]
    assert sum(g.municipalities for g in groups) == 357
    assert reg.kostra_group_info("13").municipalities == 1
    with pytest.raises(NotFoundError):
        reg.kostra_group_info("18")
    with (DATA_DIR / "kostra.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["code"] for r in rows} == {r.code for r in reg.municipalities()} | {"1507"}
    assert size_class(4_999) == "small" and size_class(5_000) == "medium"
    assert size_class(19_999) == "medium" and size_class(20_000) == "large" and size_class(0) == "small"
    assert "5 000" in size_class_label("medium") and "5,000" in size_class_label("medium", "en")
    for bad in (-1, 3.5, True, "200"):
        with pytest.raises(InvalidInputError):
            size_class(bad)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------- data files
def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_load_register_is_cached_and_reads_a_folder(tmp_path: Path) -> None:
    assert load_register() is load_register()
    copy = load_register(_copy_data(tmp_path))
    assert copy is not load_register() and len(copy.municipalities(date(2024, 6, 1))) == 357


def test_bad_weights_are_a_data_file_error_naming_file_and_row(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    _edit(data / "changes.csv", "1508:0.857 1580:0.143", "1508:0.857 1580:0.243")
    with pytest.raises(DataFileError) as err:
        load_register(data)
    assert err.value.details["file"].endswith("changes.csv") and err.value.details["row"] > 1
    assert "changes.csv, rad" in err.value.message and "1.1" in err.value.message_en


def test_bad_header_date_and_missing_transition_are_data_file_errors(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    _edit(data / "regions.csv", "code,kind,name", "kode,kind,name")
    with pytest.raises(DataFileError, match=r"regions.csv, rad 1"):
        load_register(data)
    data2 = _copy_data(tmp_path / "b")
    _edit(data2 / "regions.csv", "1508,kommune,Ålesund,Ålesund,,,,,15,2024-01-01", "1508,kommune,Ålesund,Ålesund,,,,,15,2024-13-01")
    with pytest.raises(DataFileError) as err:
        load_register(data2)
    assert "2024-13-01" in err.value.message and err.value.details["row"] > 1
    data3 = _copy_data(tmp_path / "c")
    lines = (data3 / "changes.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (data3 / "changes.csv").write_text("".join(line for line in lines if ",split,1507," not in line), encoding="utf-8")
    with pytest.raises(DataFileError, match="1507"):
        load_register(data3)


def test_data_files_are_consistent(reg: Register) -> None:
    for code in {r.code for r in reg.all_regions()}:
        versions = reg.versions(code)
        for a, b in itertools.pairwise(versions):
            assert a.valid_to is not None and a.valid_to + timedelta(days=1) == b.valid_from
    renames = [c for c in reg.changes() if c.kind == "rename"]
    for ch in renames:
        (code,) = ch.from_codes
        assert reg.get(code, ch.date - timedelta(days=1)).name != reg.get(code, ch.date).name
