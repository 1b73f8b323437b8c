"""``fn17 score`` on the small hand-worked store of test_scores_service and through the settings."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from fn17.errors import InvalidInputError, NotFoundError
from fn17.services.score_commands import score
from fn17.workspace import Workspace
from test_scores_service import hand_ws  # noqa: F401  (fixture)


def run(ws: Workspace, *args: str, lang: str = "nb") -> str:
    result = CliRunner().invoke(score, list(args), obj=SimpleNamespace(lang=lang, workspace=lambda: ws),
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_table_shows_goals_index_indicators_and_gaps(hand_ws: Workspace) -> None:  # noqa: F811
    out = run(hand_ws, "--region", "1508")
    assert out.startswith("1508 Ålesund (kommune) – metode sdsn")
    assert "Indeks: 75,0 av 100 · dekning 100\u00a0% · plass 1 av 2" in out
    goal4 = next(line for line in out.splitlines() if line.startswith("4 "))
    assert "90,0" in goal4 and "✔ Mål nådd" in goal4 and "↑ I rute eller mål nådd" in goal4 and goal4.rstrip().endswith("1")
    goal1 = next(line for line in out.splitlines() if line.startswith("1 "))
    assert "60,0" in goal1 and "! Utfordringer gjenstår" in goal1
    assert "Indikator A (hand:a)" in out and "90 prosent" in out
    assert "Mål uten data:" in out and "fn17 fetch" in out


def test_trends_peers_and_sensitivity_in_english(hand_ws: Workspace) -> None:  # noqa: F811
    out = run(hand_ws, "--region", "1508", "--trends", "--peers", "--sensitivity", "--lang", "en")
    assert "Index: 75.0 of 100" in out
    row = next(line for line in out.splitlines() if "(hand:a)" in line)
    assert "↑ On track or target achieved" in row and "2025" in row and "100" in row
    assert "Compared with:" in out and "County Møre og Romsdal" in out and "The whole country" in out
    assert "Rank by method:" in out and "sdsn_p2.5" in out


def test_no_index_says_why(hand_ws: Workspace) -> None:  # noqa: F811
    out = run(hand_ws, "--region", "4601", "--lang", "nn")
    assert "Ingen indeks:" in out and "dekning 50\u00a0%" in out


def test_json_and_csv(hand_ws: Workspace) -> None:  # noqa: F811
    data = json.loads(run(hand_ws, "--region", "0301", "--format", "json", "--sensitivity"))
    assert data["scores"]["code"] == "0301" and data["scores"]["index"] == pytest.approx(70.0)
    assert data["scores"]["rank"] == 2 and len(data["scores"]["goals"]) == 17
    assert {g["goal"]: g["score"] for g in data["scores"]["goals"] if g["score"] is not None} == {
        1: pytest.approx(90.0), 4: pytest.approx(50.0)}
    assert data["sensitivity"]["ranks"]
    rows = list(csv.reader(io.StringIO(run(hand_ws, "--region", "0301", "--format", "csv"))))
    assert rows[0] == ["mål", "navn", "poeng", "status", "trend", "indikatorer"] and len(rows) == 18
    assert rows[4][2] == "50,0" and rows[4][3] == "!! Betydelige utfordringer"
    trend_rows = list(csv.reader(io.StringIO(run(hand_ws, "--region", "1508", "--format", "csv", "--trends", "--lang", "en"))))
    assert trend_rows[0][:3] == ["indicator", "value", "year"] and len(trend_rows) == 3


def test_errors_name_the_fix(hand_ws: Workspace) -> None:  # noqa: F811
    runner = CliRunner()
    obj = SimpleNamespace(lang="nb", workspace=lambda: hand_ws)
    split = runner.invoke(score, ["--region", "1507"], obj=obj)
    assert isinstance(split.exception, InvalidInputError) and "1580 Haram" in split.exception.message
    unknown = runner.invoke(score, ["--region", "9998"], obj=obj)
    assert isinstance(unknown.exception, NotFoundError)
    bad = runner.invoke(score, ["--region", "1508", "--method", "nope"], obj=obj)
    assert bad.exit_code == 2 and "nope" in bad.output


def test_reads_the_database_from_the_settings(hand_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("FN17_DATABASE_URL", str(hand_ws.engine.url))
    result = CliRunner().invoke(score, ["--region", "0301", "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0 and "50,0" in result.output
