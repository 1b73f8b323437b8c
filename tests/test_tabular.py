"""The generic tabular importer on small files built in the tests: CSV quirks (ISO-8859-1,
title lines, ``K-3001 Halden``, decimal comma, status symbols), wide tables, Excel with
blocks and a two-row header, Parquet, JSON in tar, names matched in the register,
duplicates, and bad files (fuzzed with hypothesis)."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fn17.errors import DataFileError, Fn17Error, ImportValidationError
from fn17.regions import load_register
from fn17.sources.load import read_recipe_files
from fn17.sources.recipes import parse_recipe
from fn17.sources.tabular import NameIndex, parse_period, read_table, sniff_separator, to_long

REG = load_register()

SSB_RECIPE: dict[str, Any] = {
    "id": "t-ssb", "title": "t", "provider": "ssb", "source": "ssb:07459", "files": ["*.csv"], "format": "csv",
    "region": {"column": "region", "format": "label", "skip": ["Rest"], "levels": ["kommune"]},
    "wide": {"columns": r"Persons (\d{4})", "key": "period"},
    "indicator": "ssb:07459:Personer1",
    "indicators": [{"id": "ssb:07459:Personer1", "name_nb": "Folkemengde"}],
    "breakdowns": {"Alder": {"column": "age", "map": {"105 years or older": "105+"}, "pattern": r"^(\d+)", "pad": 3}},
}


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _long(path: Path, recipe: dict[str, Any]) -> pd.DataFrame:
    r = parse_recipe(recipe)
    return to_long(read_table(path, r), r, REG).frame


def test_ssb_export_latin1_title_lines_and_labels(tmp_path: Path) -> None:
    text = ('"07459: Population, by region, age, contents and year"\r\n\r\n"region";"age";"Persons 2023"\r\n'
            '"K-3001 Halden";"0 years";236\r\n"K-3001 Halden";"105 years or older";1\r\n'
            '"K-5001 Trondheim - Tråante";"1 year";2300\r\n"K-Rest Divided municalities and unknown";"0 years";0\r\n')
    frame = _long(_write(tmp_path, "p.csv", text, "latin-1"), SSB_RECIPE)
    assert list(frame["region_code"]) == ["3001", "3001", "5001"]
    assert list(frame["breakdown"]) == ["Alder=000", "Alder=105+", "Alder=001"]
    assert list(frame["value"]) == [236.0, 1.0, 2300.0]
    assert set(frame["period"]) == {"2023"}
    assert frame["codes_at"].iloc[0] == date(2023, 1, 1)


def test_tab_separated_old_codes_and_several_years(tmp_path: Path) -> None:
    text = ('"region"\t"age"\t"Persons 2005"\t"Persons 2006"\n"0101 Halden"\t"0 years"\t314\t273\n'
            '"1756 Inderøy (-2017)"\t"0 years"\t0\t0\n')
    frame = _long(_write(tmp_path, "p.csv", text, "latin-1"), SSB_RECIPE)
    assert sorted(zip(frame["region_code"], frame["period"], frame["value"], strict=True)) == [
        ("0101", "2005", 314.0), ("0101", "2006", 273.0), ("1756", "2005", 0.0), ("1756", "2006", 0.0)]


def test_decimal_comma_symbols_and_unreadable_cells(tmp_path: Path) -> None:
    recipe = {"id": "t", "title": "t", "provider": "nav", "source": "nav:t", "files": ["*.csv"], "format": "csv",
              "decimal": ",", "region": {"column": "kommune", "format": "label"}, "period": {"column": "aar"},
              "value": "verdi", "indicator": "t:x", "indicators": [{"id": "t:x", "name_nb": "x"}]}
    lines = ["aar;kommune;verdi", "2014;0101 Halden;8,24", "2014;0104 Moss;..", "2014;0105 Sarpsborg;:",
             "2014;0106 Fredrikstad;-", "2014;0111 Hvaler;1 234,5"] + [f"2015;0101 Halden;{i},5" for i in range(20)]
    lines.append("2016;0101 Halden;tolv")
    r = parse_recipe(recipe)
    res = to_long(read_table(_write(tmp_path, "v.csv", "\n".join(lines)), r), r, REG)
    f = res.frame.set_index(["region_code", "period"]).sort_index()
    assert f.loc[("0101", "2014"), "value"].item() == pytest.approx(8.24)
    assert f.loc[("0104", "2014"), "status"].item() == "missing"
    assert f.loc[("0105", "2014"), "status"].item() == "suppressed"
    assert f.loc[("0106", "2014"), "value"].item() == 0.0
    assert f.loc[("0106", "2014"), "status"].item() == "zero"
    assert f.loc[("0111", "2014"), "value"].item() == 1234.5
    assert res.problems == [{"file": "v.csv", "sheet": None, "row": 27, "column": "verdi",
                             "message": "«tolv» er ikke et tall", "message_en": "“tolv” is not a number"}]


def test_too_many_unreadable_values_refuse_the_file(tmp_path: Path) -> None:
    recipe = dict(SSB_RECIPE)
    text = '"region";"age";"Persons 2023"\n"K-3001 Halden";"0 years";abc\n"K-3002 Moss";"0 years";12\n'
    with pytest.raises(ImportValidationError) as err:
        _long(_write(tmp_path, "p.csv", text), recipe)
    assert err.value.problems[0]["row"] == 2 and err.value.problems[0]["column"] == "Persons 2023"


def test_wide_to_indicators_with_key_map_and_per_indicator_breakdowns(tmp_path: Path) -> None:
    recipe = {"id": "t", "title": "t", "provider": "v", "source": "valg:t", "files": ["*.csv"], "format": "csv",
              "separator": ";", "decimal": ",",
              "region": {"column": "Kommunenummer", "format": "code", "codes_at": "2020-01-01"}, "period": {"value": "2019"},
              "wide": {"columns": "(Antall stemmeberettigede|Oppslutning)", "key": "indicator",
                       "key_map": {"Antall stemmeberettigede": "sb"}},
              "indicator": "v:{key}", "breakdowns": {"parti": {"column": "Partikode"}},
              "indicators": [{"id": "v:sb", "name_nb": "sb", "breakdowns": [], "duplicates": "same"},
                             {"id": "v:Oppslutning", "name_nb": "o", "carry": "mean"}]}
    text = "Kommunenummer;Partikode;Antall stemmeberettigede;Oppslutning;\n0301;A;545506;20,0;\n0301;H;545506;25,4;\n"
    r = parse_recipe(recipe)
    frame, _ = read_recipe_files(r, [_write(tmp_path, "k.csv", text)], REG)
    got = sorted(zip(frame["indicator_id"], frame["breakdown"], frame["value"], strict=True))
    assert got == [("v:Oppslutning", "parti=A", 20.0), ("v:Oppslutning", "parti=H", 25.4), ("v:sb", "", 545506.0)]
    assert set(frame["codes_at"]) == {date(2020, 1, 1)}


def test_duplicates_are_refused_or_summed(tmp_path: Path) -> None:
    base = {"id": "t", "title": "t", "provider": "m", "source": "m:t", "files": ["*.csv"], "format": "csv",
            "region": {"column": "Kommune", "format": "name"}, "period": {"column": "År"}, "value": "Utslipp",
            "indicator": "t:u", "indicators": [{"id": "t:u", "name_nb": "u"}], "breakdowns": {"kilde": {"column": "Kilde"}}}
    text = "Kommune,År,Kilde,Utslipp\nPorsgrunn,2021,Vei  ,2.5\nPorsgrunn,2021,Vei,3.5\nSkien,2021,Vei,1\n"
    path = _write(tmp_path, "u.csv", text)
    with pytest.raises(ImportValidationError, match="rad 2, 3"):
        read_recipe_files(parse_recipe(base), [path], REG)
    frame, _ = read_recipe_files(parse_recipe(base | {"duplicates": "sum"}), [path], REG)
    assert sorted(zip(frame["region_code"], frame["value"], strict=True)) == [("3806", 6.0), ("3807", 1.0)]


def test_names_matched_in_the_register_as_of_the_year() -> None:
    idx = NameIndex(REG, date(2018, 1, 1))
    assert idx.lookup("Våler (Østfold)") == ["0137"]
    assert idx.lookup("Våler (Hedmark)") == ["0426"]
    assert idx.lookup("Guovdageaidnu Kautokeino") == ["2011"]
    assert idx.lookup("Porsanger Porsángu Porsanki") == ["2020"]
    assert idx.lookup("Oslo") == ["0301", "03"]
    assert idx.lookup("Atlantis") == []
    assert NameIndex(REG, date(2024, 1, 1)).lookup("Haram") == ["1580"]


def test_name_only_known_today_falls_back_to_todays_code(tmp_path: Path) -> None:
    recipe = {"id": "t", "title": "t", "provider": "m", "source": "m:t", "files": ["*.csv"], "format": "csv",
              "region": {"column": "Kommune", "format": "name"}, "period": {"column": "År"}, "value": "v",
              "indicator": "t:u", "indicators": [{"id": "t:u", "name_nb": "u"}]}
    frame = _long(_write(tmp_path, "u.csv", "Kommune,År,v\nMidt-Telemark,2009,1\nBø (Telemark),2009,2\n"), recipe)
    assert list(frame["region_code"]) == ["4020", "0821"]
    assert frame["codes_at"].iloc[0] == date.today()
    assert frame["codes_at"].iloc[1] == date(2009, 1, 1)


def _excel(tmp_path: Path, rows: list[list[Any]], sheet: str = "Data") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    return path


def test_excel_two_row_header_fill_down_and_county_first(tmp_path: Path) -> None:
    rows = [["Vaksinasjonsdekning"], [], ["År", None, None, "2013-2017", "2014-2018"], ["Geografi", "Alder", "Vaksine mot "],
            ["Hele landet", "2 år", "Meslinger", 95.1, 95.7], [None, None, "Kusma", 95.1, ".."],
            ["Oslo", "2 år", "Meslinger", 90.0, 91.0], ["Oslo", "2 år", "Meslinger", 90.5, 91.5],
            ["Bydel Frogner", "2 år", "Meslinger", 88, 89], ["Kilde: FHI"]]
    recipe = {"id": "t", "title": "t", "provider": "fhi", "source": "fhi:t", "files": ["*.xlsx"], "format": "excel",
              "header_row": 3, "header_rows": 2, "fill_down": ["Geografi", "Alder"],
              "region": {"column": "Geografi", "format": "name", "map": {"Hele landet": "0"}, "skip": ["^Bydel "],
                         "codes_at": "2018-01-01", "county_first": True, "names_fallback_today": False},
              "wide": {"columns": r"(\d{4}-\d{4})", "key": "period"}, "indicator": "t:v",
              "indicators": [{"id": "t:v", "name_nb": "v", "carry": "mean"}],
              "breakdowns": {"alder": {"column": "Alder", "pattern": r"(\d+)"}, "vaksine": {"column": "Vaksine mot"}}}
    r = parse_recipe(recipe)
    res = to_long(read_table(_excel(tmp_path, rows), r), r, REG)
    f = res.frame.set_index(["region_code", "period", "breakdown"])
    assert f.loc[("0", "2014-2018", "alder=2;vaksine=Kusma"), "status"] == "missing"
    assert f.loc[("03", "2013-2017", "alder=2;vaksine=Meslinger"), "value"] == 90.0
    assert f.loc[("0301", "2013-2017", "alder=2;vaksine=Meslinger"), "value"] == 90.5
    assert res.skipped["regions left out by the recipe"] == 2
    assert res.skipped["notes and rows without values"] == 2


def test_excel_wrong_sheet_is_named(tmp_path: Path) -> None:
    recipe = dict(SSB_RECIPE, format="excel", sheet="KOSandel120000", files=["*.xlsx"])
    with pytest.raises(DataFileError, match=r"KOSandel120000.*Data"):
        read_table(_excel(tmp_path, [["region", "age", "Persons 2023"]]), parse_recipe(recipe))


def test_parquet_with_decimals_and_dates(tmp_path: Path) -> None:
    from decimal import Decimal

    frame = pd.DataFrame({"dato": pd.to_datetime(["2023-01-01", "2024-01-01", "2024-01-01"]),
                          "kommune_nr": ["0301", "0000", "1508"], "kwh": [Decimal("1.5"), Decimal("2"), Decimal("3.25")]})
    path = tmp_path / "e.parquet"
    frame.to_parquet(path)
    recipe = {"id": "t", "title": "t", "provider": "nve", "source": "nve:t", "files": ["*.parquet"], "format": "parquet",
              "region": {"column": "kommune_nr", "codes_at": "2024-01-01", "skip": ["^0000$"]},
              "period": {"column": "dato"}, "value": "kwh", "indicator": "t:k", "indicators": [{"id": "t:k", "name_nb": "k"}]}
    got = _long(path, recipe)
    assert list(zip(got["region_code"], got["period"], got["value"], strict=True)) == [("0301", "2023", 1.5), ("1508", "2024", 3.25)]


def test_json_documents_in_tar(tmp_path: Path) -> None:
    path = tmp_path / "valg.tar.gz"
    docs = {"raw/2021/kommune-03-0301.json": {"id": {"valgaar": "2021", "nr": "0301"}, "antallsb": 100,
                                              "partier": [{"id": {"partikode": "A"}, "stemmer": {"resultat": {"antall": {"total": 30}}}},
                                                          {"id": {"partikode": "H"}, "stemmer": {"resultat": {"antall": {"total": 40}}}}]},
            "raw/2021/readme.txt": "not json"}
    with tarfile.open(path, "w:gz") as tar:
        for name, doc in docs.items():
            data = (json.dumps(doc) if isinstance(doc, dict) else doc).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    recipe = {"id": "t", "title": "t", "provider": "v", "source": "v:t", "files": ["*.tar.gz"], "format": "json-tar",
              "json": {"members": r"kommune-\d\d-\d{4}\.json$", "fields": {"aar": "id.valgaar", "kommune": "id.nr", "sb": "antallsb"},
                       "explode": "partier", "item_fields": {"parti": "id.partikode", "stemmer": "stemmer.resultat.antall.total"}},
              "region": {"column": "kommune"}, "period": {"column": "aar"},
              "wide": {"columns": "(sb|stemmer)", "key": "indicator"}, "indicator": "v:{key}",
              "breakdowns": {"parti": {"column": "parti"}},
              "indicators": [{"id": "v:sb", "name_nb": "sb", "breakdowns": [], "duplicates": "same"}, {"id": "v:stemmer", "name_nb": "s"}]}
    r = parse_recipe(recipe)
    frame, _ = read_recipe_files(r, [path], REG)
    assert sorted(zip(frame["indicator_id"], frame["breakdown"], frame["value"], strict=True)) == [
        ("v:sb", "", 100.0), ("v:stemmer", "parti=A", 30.0), ("v:stemmer", "parti=H", 40.0)]


def test_truncated_archive_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "valg.tar.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    recipe = {"id": "t", "title": "t", "provider": "v", "source": "v:t", "files": ["*"], "format": "json-tar",
              "json": {"members": ".", "fields": {"k": "k"}}, "region": {"column": "k"}, "period": {"value": "2021"},
              "value": "k", "indicator": "t:x", "indicators": [{"id": "t:x", "name_nb": "x"}]}
    with pytest.raises(DataFileError, match="tar"):
        read_table(path, parse_recipe(recipe))


def test_periods_and_separators() -> None:
    assert [parse_period(p) for p in ("2013", "2011_2013", "2002-2006", "2023K1", "Persons 2005", "x")] == [
        "2013", "2011-2013", "2002-2006", "2023K1", "2005", None]
    assert parse_period(pd.Timestamp("2024-01-01")) == "2024"
    assert sniff_separator(['"a";"b";"c"', '"1,5";"2";"3"']) == ";"
    assert sniff_separator(["a\tb", "1\t2"]) == "\t"
    assert sniff_separator(["a,b,c", "1,2,3"]) == ","


def test_header_not_found_names_the_columns(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="age, region"):
        _long(_write(tmp_path, "p.csv", "kommune;alder;antall\n0301;1;2\n"), SSB_RECIPE)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600) | st.text(alphabet=st.sampled_from(list('"region;age,Persons 2023\tK-3001 Halden\n0123456789.:-ø')),
                                              max_size=400).map(lambda s: s.encode("latin-1")))
def test_fuzzed_csv_never_crashes(tmp_path: Path, data: bytes) -> None:
    """Any bytes give records or a clear FN17 error, never a traceback from deep inside."""
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        frame = _long(path, SSB_RECIPE)
    except Fn17Error as err:
        assert err.message
        return
    assert set(frame.columns) >= {"indicator_id", "region_code", "period", "breakdown", "value", "status"}
    assert frame["status"].isin(["ok", "missing", "suppressed", "zero"]).all()
