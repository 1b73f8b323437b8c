"""The maturity self-assessment: the questionnaire as data, answers, the yearly profile and
its change, and next steps from the answers and from the region's own data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fn17.actions import assessment, audit, nextsteps
from fn17.errors import ConflictError, DataFileError, InvalidInputError
from fn17.services import actions as svc
from fn17.workspace import Workspace
from test_actions_support import People, people_fixture, store_fixture  # noqa: F401  (fixtures)

QN = assessment.load_questionnaire()
DIMENSIONS = ["political", "planning", "data", "partnerships", "participation", "education"]


def answers(level: int, **override: int) -> dict[str, str]:
    out = {f"q:{q.id}": str(level) for q in QN.questions}
    out.update({f"q:{k.replace('__', '.')}": str(v) for k, v in override.items()})
    return out


def test_the_questionnaire_covers_the_six_areas_in_three_languages() -> None:
    assert [d.id for d in QN.dimensions] == DIMENSIONS
    assert len(QN.questions) == 20
    planning = next(d for d in QN.dimensions if d.id == "planning")
    text = " ".join(q.text.nb for q in planning.questions)
    for word in ("Planstrategien", "samfunnsdel", "Handlingsdelen", "Budsjettet"):
        assert word in text
    for q in QN.questions:
        assert q.text.nb != q.text.en and q.step.nn and q.capability in QN.capabilities
    assert QN.stage(0, "nb") == "Starter" and QN.stage(74.9, "nn") == "Etablert" and QN.stage(75, "en") == "Leading"


def test_a_broken_questionnaire_file_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(assessment.QUESTIONS_FILE.read_text(encoding="utf-8"))
    data["dimensions"][0]["questions"][0]["capability"] = "telepathy"
    bad = tmp_path / "assessment.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        assessment.load_questionnaire(bad)
    assert "telepathy" in info.value.message


def test_completing_requires_every_answer(store: Workspace, people: People) -> None:
    partial = {"q:political.decision": "2", "q:planning.budget": "1"}
    svc.save_assessment(store, people.editor, "1508", 2024, partial)  # a draft may be partial
    with pytest.raises(InvalidInputError) as info:
        svc.save_assessment(store, people.editor, "1508", 2024, {**partial, "complete": "ja", "version": "1"})
    assert len(info.value.details["problems"]) == 18
    with pytest.raises(InvalidInputError) as info:
        svc.save_assessment(store, people.editor, "1508", 2024, {"q:political.decision": "7", "q:finnes.ikke": "1", "version": "1"})
    assert {p["field"] for p in info.value.details["problems"]} == {"q:political.decision", "q:finnes.ikke"}
    with pytest.raises(InvalidInputError):
        svc.save_assessment(store, people.editor, "1508", 1999, partial)
    # a second save of an existing year needs the version it was built from
    with pytest.raises(InvalidInputError):
        svc.save_assessment(store, people.editor, "1508", 2024, partial)
    with pytest.raises(ConflictError):
        svc.save_assessment(store, people.editor, "1508", 2024, {**answers(1), "complete": "ja", "version": "7"})


def test_profile_and_change_year_on_year(store: Workspace, people: People) -> None:
    svc.save_assessment(store, people.editor, "1508", 2024, {**answers(1), "complete": "ja"})
    svc.save_assessment(store, people.editor, "1508", 2025, {**answers(2, partnerships__business=3, partnerships__research=3,
                                                                          partnerships__voluntary=3), "complete": "ja",
                                                              "note:political.decision": "Vedtatt i sak 12/25."})
    page = svc.assessment_profile(store, people.viewer, "1508")
    p = page.profile
    assert (p.year, p.previous_year, p.completed) == (2025, 2024, True)
    scores = {d.id: d.score for d in p.dimensions}
    assert scores == {"political": 66.7, "planning": 66.7, "data": 66.7, "partnerships": 100.0, "participation": 66.7, "education": 66.7}
    assert {d.id: d.change for d in p.dimensions}["partnerships"] == 66.7
    assert p.overall == 72.2 and p.overall_stage == "Etablert" and p.overall_change == 38.9
    assert [h.year for h in p.history] == [2024, 2025]
    political = next(d for d in p.dimensions if d.id == "political")
    assert political.questions[0].note == "Vedtatt i sak 12/25." and political.questions[0].answer_label == "Delvis på plass"
    assert "<svg" in page.chart and "Egenvurdering 2025" in page.chart
    # the form for next year starts from this year's answers
    form = svc.assessment_form(store, people.editor, "1508", 2026)
    assert form.version is None and form.values["q:partnerships.business"] == "3"
    log = audit.entries(store.engine, entity="assessment")
    assert [e.action for e in log] == ["create", "create"] and log[0].after is not None and log[0].after["year"] == 2025


def test_next_steps_from_answers_weakest_first(store: Workspace, people: People) -> None:
    svc.save_assessment(store, people.editor, "1508", 2025, {**answers(3, planning__social_part=0, planning__budget=1,
                                                                          education__schools=2), "complete": "ja"})
    prof = assessment.profile(store.engine, people.editor, "1508", 2025, "nb")
    texts = [s.text for s in prof.steps]
    assert texts[0].startswith("Før inn samfunnsdelens mål som lokale mål i FN17")
    assert texts[1].startswith("Før inn budsjett per tiltak i FN17")
    assert texts[2].startswith("Del FN17s åpne visning")
    assert len(texts) == 3 and prof.steps[0].url == "/region/1508/lokale-mal"
    nn = assessment.profile(store.engine, people.editor, "1508", 2025, "nn")
    assert nn.steps[0].text.startswith("Før inn måla i samfunnsdelen")


def test_next_steps_from_the_regions_own_data(store: Workspace, people: People) -> None:
    """Ålesund has data for goals 4 and 12 in the test store, Oslo for goal 6: Ålesund's goal 6 step
    suggests Oslo's indicator first (other regions have data for it), then FN17's own set."""
    steps = nextsteps.data_steps(store.engine, people.editor, "1508", "nb")
    goal6 = next(s.text for s in steps if s.text.startswith("Mål 6 "))
    assert goal6.startswith("Mål 6 Sikre bærekraftig vannforvaltning og tilgang til vann og gode sanitærforhold for alle "
                            "har ingen indikator med data for Ålesund: vurder disse tre: Drikkevann med tilfredsstillende "
                            "E. coli-prøver (drikkevann_ecoli); ")
    assert not any(s.text.startswith(("Mål 4 ", "Mål 12 ")) for s in steps)
    assert any("Ytterligere" in s.text and "mangler indikatorer med data" in s.text for s in steps)
    assert steps[0].text.startswith("Ålesund har ingen lokale mål i FN17 ennå")
    assert [s.text for s in steps[-3:]] == [
        "Ingen partnere fra næringslivet er registrert; medlemmer av UN Global Compact-nettverket er et sted å begynne.",
        "Ingen frivillige organisasjoner er registrert som partnere.",
        "Ingen forsknings- eller utdanningsinstitusjoner er registrert som partnere."]

    svc.save_target(store, people.editor, "1508", {"title": "Renere vann", "sdg_targets": "6.1", "published": "ja"}, None)
    svc.save_measure(store, people.editor, "1508", {"title": "Nytt vannverk", "published": "ja"}, None)
    steps = nextsteps.data_steps(store.engine, people.editor, "1508", "en", red_indicators=[("drikkevann_ecoli", "E. coli")])
    texts = [s.text for s in steps]
    assert "The local target “Renere vann” has no indicator with a target value: choose at least one so progress can be measured." in texts
    assert "The local target “Renere vann” has no measures linked to it." in texts
    assert "1 of 1 measures have no partner (Nytt vannverk)." in texts
    assert "1 indicators are red without a local target, among them E. coli (drikkevann_ecoli): consider local targets for them." in texts


def test_the_assessment_is_private(store: Workspace, people: People) -> None:
    from fn17.actions.actor import ANONYMOUS
    from fn17.errors import AuthenticationError, PermissionDeniedError

    svc.save_assessment(store, people.editor, "1508", 2025, answers(2))
    with pytest.raises(AuthenticationError):
        svc.assessment_profile(store, ANONYMOUS, "1508")
    with pytest.raises(PermissionDeniedError):
        svc.assessment_profile(store, people.other_editor, "1508")
    with pytest.raises(PermissionDeniedError):
        svc.save_assessment(store, people.viewer, "1508", 2025, {**answers(3), "version": "1"})
