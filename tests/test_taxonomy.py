"""The KS indicator taxonomy (RDF Turtle) on the real files, and into the store."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from fn17.errors import DataFileError, NotFoundError
from fn17.sources.taxonomy import import_taxonomy, parse_taxonomy, set_files
from fn17.store.tables import framework_items, frameworks


@pytest.fixture(scope="module")
def folder(shared_data: Path) -> Path:
    return shared_data / "ks-indicator-taxonomy" / "esg-indicator"


def test_all_indicators_and_sets(folder: Path) -> None:
    t0 = time.perf_counter()
    tax = parse_taxonomy(folder)
    took = time.perf_counter() - t0
    assert len(tax.indicators) == 2092
    assert len(tax.sets) == 33
    per_set = {s.code: s.indicators for s in tax.sets}
    assert per_set["De-norske-målepunktene"] == 459
    assert per_set["UN-SDG-indicators"] == 248
    assert per_set["OECD-A-Territorial-Approach-to-the-SDGs"] == 115
    assert per_set["U4SSC"] == 111
    assert sum(per_set.values()) == 2092
    print(f"parsed {len(tax.files)} files in {took:.2f} s (rdflib {tax.parse_seconds:.2f} s)")


def test_one_indicator_in_full(folder: Path) -> None:
    tax = parse_taxonomy(folder)
    by_code = {i.code: i for i in tax.indicators}
    hh = by_code["U4SSC/2150"]
    assert hh.title == "Household Internet Access" and hh.title_lang == "en"
    assert hh.u4ssc == "EC: ICT: ICT: 1C"
    assert hh.goals == ["17"] and hh.quality_class == 1
    assert hh.geographic_level == ["City-level"] and hh.evaluation == ["3-Output"] and hh.impact == ["Prosperity"]
    assert hh.source_url == "https://www.statista.com/statistics/377770/household-internet-access-in-norway/"
    homeless = by_code["De-norske-målepunktene/2261"]
    assert homeless.targets == ["11.1"] and homeless.goals == ["11"]
    assert homeless.impact == ["People", "Prosperity"]
    assert by_code["Kommunehelsa-statistikkbank/1093"].set == "Kommunehelsa-statistikkbank"
    u4ssc = [i for i in tax.indicators if i.u4ssc]
    assert len(u4ssc) == 111 and all(i.set == "U4SSC" for i in u4ssc)
    assert tax.labels["Prosperity"] == {"en": "Prosperity", "no": "Velstand"}
    assert sum(1 for i in tax.indicators if i.targets) >= 2000


def test_duplicate_subfolder_exports_are_not_read_twice(folder: Path) -> None:
    top, vocab = set_files(folder)
    assert len(top) == 33
    assert sorted(p.parent.name for p in vocab) == ["Evaluation", "Levelofgeography", "developmentsector", "quality",
                                                    "triplebottomline"]


def test_import_into_the_store(engine: Engine, folder: Path) -> None:
    summary = import_taxonomy(engine, folder)
    assert (summary.indicators, summary.sets, summary.with_u4ssc_code) == (2092, 33, 111)
    summary = import_taxonomy(engine, folder)  # again: replaced, not doubled
    with engine.connect() as conn:
        kinds = conn.execute(select(framework_items.c.kind).where(framework_items.c.framework_id == "ks")).scalars().all()
        version = conn.execute(select(frameworks.c.version).where(frameworks.c.id == "ks")).scalar_one()
        row = conn.execute(select(framework_items).where(framework_items.c.code == "U4SSC/2150")).mappings().one()
    assert kinds.count("indicator") == 2092 and kinds.count("set") == 33
    assert version == "2025-07-15"
    assert row["parent_code"] == "U4SSC" and row["attrs"]["u4ssc"] == "EC: ICT: ICT: 1C"


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        parse_taxonomy(tmp_path)
    (tmp_path / "broken.ttl").write_text("@prefix x: <http://x/> .\nx:a x:b ", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"broken\.ttl"):
        parse_taxonomy(tmp_path)
