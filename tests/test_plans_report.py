"""The coverage report, its renderings, and the ``fn17 plans`` commands (classify's JSON Lines contract)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from fn17.errors import InvalidInputError
from fn17.plans import CatalogueIndicator, CoverageReport, analyze_document, render_html, render_json, render_table
from fn17.plans.commands import plans

PLAN = Path(__file__).parent / "data" / "plans" / "samfunnsdel.md"

CATALOGUE = [
    CatalogueIndicator("KS-13-01", "Klimagassutslipp per innbygger", frozenset({13}), frozenset({"13.2"})),
    CatalogueIndicator("KS-07-02", "Andel fornybar energi i kommunale bygg", frozenset({7}), frozenset({"7.2"})),
    CatalogueIndicator("KS-15-01", "Nedbygd areal av myr og dyrka mark", frozenset({15, 2}), frozenset({"15.1"})),
    CatalogueIndicator("KS-04-03", "Andel elever som fullfører videregående opplæring", frozenset({4}), frozenset({"4.1"})),
    CatalogueIndicator("KS-16-09", "Valgdeltakelse", frozenset({16}), frozenset({"16.7"})),
]


@pytest.fixture(scope="module")
def report() -> CoverageReport:
    return analyze_document(PLAN, indicators=CATALOGUE)


def test_report_structure(report: CoverageReport) -> None:
    d = report.to_dict()
    assert d["schema_version"] == 1
    assert d["document"]["filename"] == "samfunnsdel.md" and d["document"]["format"] == "markdown"
    assert d["document"]["language"] == "nb" and d["document"]["pages"] is None
    assert [g["goal"] for g in d["goals"]] == list(range(1, 18))
    assert set(d["matrix"]) == {str(g) for g in range(1, 18)}
    assert d["method"]["method"] == "combined" and d["method"]["embedded_passages"] == d["document"]["passages"]
    climate = report.goal(13)
    assert climate.status != "absent" and climate.passages >= 1
    assert "13.2" in [code for code, _ in climate.targets]
    top = climate.top[0]
    assert "klimagassutslippene" in top.text and report.sections[top.section_id].title == "1 Klima og miljø"
    assert "klimagassutslippene" in [p.text for p in top.prediction.evidence[13].phrases]
    # the matrix counts passages per chapter; the chapter of the climate passage has them
    chapter_ids = {c.id for c in report.chapters}
    assert all(set(row) <= chapter_ids for row in report.matrix.values())
    assert sum(report.matrix[13].values()) == climate.passages
    # goals the plan does not touch are listed, and so are high-relevance targets it does not address
    assert 14 not in report.missing_goals or report.goal(14).passages == 0
    assert 5 in report.missing_goals and report.goal(5).status == "absent"
    missing = {m.code: m for m in report.missing_targets}
    assert "5.2" in missing and not missing["5.2"].goal_addressed
    assert "13.2" not in missing
    assert json.loads(render_json(report)) == json.loads(json.dumps(d))  # JSON-ready all the way down


def test_plan_goals_get_indicators_from_the_catalogue(report: CoverageReport) -> None:
    assert report.indicators_connected
    texts = [g.text for g in report.plan_goals]
    climate_goal = next(g for g in report.plan_goals if "klimagassutslippene" in g.text)
    assert climate_goal.sdgs == (13,) and "13.2" in climate_goal.targets
    assert climate_goal.indicators[0].id == "KS-13-01"
    assert climate_goal.indicators[0].matched_targets == ("13.2",)
    energy = next(g for g in report.plan_goals if "fornybar energi" in g.text)
    assert "KS-07-02" in [i.id for i in energy.indicators]
    assert not any(t.startswith("Planen ble vedtatt") for t in texts)


def test_analysis_reports_progress_and_accepts_bytes() -> None:
    calls: list[tuple[int, int, str]] = []
    result = analyze_document(PLAN.read_bytes(), "plan.md", progress=lambda d, t, s: calls.append((d, t, s)),
                              method="lexicon")
    stages = [s for _, _, s in calls]
    assert stages[0] == "extract" and stages[-1] == "report" and "classify" in stages
    done, total, _ = [c for c in calls if c[2] == "classify"][-1]
    assert done == total == result.document["passages"]
    assert not result.indicators_connected and result.method["embedded_passages"] == 0
    assert result.method["model"] is None


def test_failed_analysis_leaves_nothing_behind(tmp_path: Path) -> None:
    home = Path(os.environ["FN17_HOME"])
    before = sorted(home.rglob("*"))
    with pytest.raises(InvalidInputError):
        analyze_document(b"%PDF-1.4\n" + b"\x00" * 300, "skadet.pdf")
    assert sorted(home.rglob("*")) == before
    assert not list(tmp_path.iterdir())


def test_table_rendering_names_goals_pages_and_evidence(report: CoverageReport) -> None:
    text = render_table(report, "nb")
    assert "Stoppe klimaendringene" in text and "ikke dekket" in text
    assert "Mål planen ikke dekker" in text and "Likestilling mellom kjønnene" in text
    assert "klimagassutslippene" in text and "KS-13-01" in text
    nn = render_table(report, "nn")
    assert "Stoppe klimaendringane" in nn and "ikkje dekt" in nn
    assert "Climate action" in render_table(report, "en")


def test_html_is_self_contained_and_escaped(report: CoverageReport) -> None:
    page = render_html(report, "en")
    assert page.lstrip().startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "<script" not in page.lower()
    assert not re.search(r'(?:src|href)\s*=\s*"(?:https?:)?//', page)
    assert page.count('class="tile ') == 17 and "#3F7E44" in page  # SDG 13's colour
    assert "Climate action" in page and "Goals the plan does not address" in page
    fragment = render_html(report, "nb", standalone=False)
    assert fragment.lstrip().startswith('<section class="fn17-plan-report"') and "<html" not in fragment
    hostile = analyze_document(b"<html><body><h1>Plan</h1><p>Kommunen skal kutte klimagassutslipp &lt;script&gt;alert(1)&lt;/script&gt; innen 2030.</p></body></html>",
                               "x.html", method="lexicon")
    out = render_html(hostile, "nb")
    assert "<script>alert(1)" not in out and "&lt;script&gt;alert(1)" in out


def test_pdf_report_has_page_references(tmp_path: Path) -> None:
    from weasyprint import HTML

    body = "".join(f"<p>Avsnitt {i} om kultur og fritid i bygda.</p>" for i in range(45))
    html = (f"<h1>Samfunnsdelen</h1><h2>1 Klima</h2>{body}<h2>2 Klima og klimagasser</h2>"
            "<p>Kommunen skal redusere klimagassutslippene med 60 prosent innen 2030.</p>")
    pdf = tmp_path / "plan.pdf"
    HTML(string=html).write_pdf(str(pdf))
    result = analyze_document(pdf, method="lexicon")
    climate = result.goal(13)
    assert climate.pages and climate.pages[-1] == result.document["pages"] >= 2
    assert f"s. {result.document['pages']}" in render_table(result, "nb")


# --------------------------------------------------------------------------- CLI


def test_classify_jsonl_contract_from_file(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    records = [
        {"id": 1, "text": "Kommunen skal redusere klimagassutslippene med 60 prosent innen 2030."},
        {"id": "b-ø", "text": "Barnevernet skal kome tidleg inn."},
        {"id": [3], "text": "Planen ble vedtatt i juni."},
    ]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n", encoding="utf-8")
    result = CliRunner().invoke(plans, ["classify", str(source), "--method", "lexicon"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["id"] for line in lines] == [1, "b-ø", [3]]
    assert all(set(line) == {"id", "sdgs", "scores"} for line in lines)
    assert lines[0]["sdgs"] == [13] and lines[1]["sdgs"] == [16] and lines[2]["sdgs"] == []
    for line in lines:
        assert set(line["scores"]) == {str(g) for g in range(1, 18)}
        assert all(0.0 <= v <= 1.0 for v in line["scores"].values())


def test_classify_reads_stdin_and_can_add_evidence() -> None:
    stdin = json.dumps({"id": "x", "text": "Kommunen vil auke delen fornybar energi."}) + "\n"
    result = CliRunner().invoke(plans, ["classify", "--evidence"], input=stdin)
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(x) for x in result.output.splitlines()]
    assert 7 in line["sdgs"] and line["embedded"] is True and line["method"] == "combined"
    assert any(e["goal"] == 7 and "fornybar" in e["terms"] for e in line["evidence"])


def test_classify_rejects_bad_lines_with_the_line_number() -> None:
    result = CliRunner().invoke(plans, ["classify", "-"], input='{"id": 1, "text": "ok"}\n{"id": 2}\n')
    assert isinstance(result.exception, InvalidInputError)
    assert "linje 2" in result.exception.message and "line 2" in result.exception.message_en
    result = CliRunner().invoke(plans, ["classify", "-"], input="ikke json\n")
    assert isinstance(result.exception, InvalidInputError) and result.exception.exit_code == 2


def test_analyze_command_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(plans, ["analyze", str(PLAN), "--format", "json", "--method", "lexicon"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["document"]["filename"] == "samfunnsdel.md"
    result = runner.invoke(plans, ["analyze", str(PLAN), "--lang", "nn", "--method", "lexicon"])
    assert result.exit_code == 0 and "Berekraftsmål i planen" in result.output
    out = tmp_path / "rapport.html"
    result = runner.invoke(plans, ["analyze", str(PLAN), "--format", "html", "-o", str(out), "--method", "lexicon"])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").lstrip().startswith("<!DOCTYPE html>")
    result = runner.invoke(plans, ["analyze", str(tmp_path / "mangler.pdf")])
    assert result.exception is not None and getattr(result.exception, "exit_code", None) == 3
