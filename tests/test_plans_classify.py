"""SDG classification of passages: lexicon, embeddings (the real shipped model), calibration, metric."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fn17.errors import DataFileError
from fn17.plans import LabelledText, SdgClassifier, classify_texts, load_labelled
from fn17.plans.calibration import Calibration, balanced_accuracy, fit_logistic, load_calibration
from fn17.plans.evaluate import Row, benchmark_rows, score_rows
from fn17.plans.lexicon import build_terms, load_lexicon, parse_term

BENCH_DATA = Path(__file__).resolve().parents[1] / "bench" / "data"


# --------------------------------------------------------------------------- lexicon


def test_term_syntax() -> None:
    words = parse_term("gang- og sykkel*")
    assert [(w.kind, w.stem) for w in words] == [("exact", "gang"), ("exact", "og"), ("prefix", "sykkel")]
    assert [(w.kind, w.stem) for w in parse_term("*avløp*")] == [("infix", "avløp")]
    assert [(w.kind, w.stem) for w in parse_term("*vann")] == [("suffix", "vann")]


def test_lexicon_finds_norwegian_compounds_and_nynorsk_forms() -> None:
    lexicon = load_lexicon()
    assert len(lexicon) > 2000

    def goals(text: str) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for hit in lexicon.find(text):
            found.setdefault(hit.term.goal, set()).add(hit.text.lower())
        return found

    assert "klimagassutslippene" in goals("Kommunen skal redusere klimagassutslippene.")[13]
    assert "kommunalt avløp" in goals("Utslepp frå kommunalt avløp skal ned.")[6]
    assert "barnevernet" in goals("Barnevernet skal kome tidleg inn.")[16]
    assert "arealregnskap" in goals("Kommunen skal føre arealregnskap.")[15]
    assert "folkehelsa" in goals("Folkehelsa i kommunen er god.")[3]
    assert "gang- og sykkelveier" in goals("Det skal bygges gang- og sykkelveier.")[11]
    # no false friends: "politikk" is not the police, "relevant" is not a pupil
    assert 16 not in goals("Kommunens boligpolitikk og næringspolitikk.")
    assert 4 not in goals("Det er relevant for saken.")


def test_lexicon_targets_are_evidence_for_their_goal() -> None:
    lexicon = load_lexicon()
    hits = lexicon.find("Kommunen innfører klimabudsjett og kartlegger flomfare.")
    targets = {t for h in hits for t in h.term.targets}
    assert {"13.2", "11.5"} <= targets
    assert all(t.split(".")[0] == str(h.term.goal) for h in hits for t in h.term.targets)


def test_malformed_lexicon_is_a_data_file_error() -> None:
    with pytest.raises(DataFileError):
        build_terms([("x.yaml", {"goals": {18: {"strong": {"nb": ["noe"]}}}})])
    with pytest.raises(DataFileError):
        build_terms([("x.yaml", {"goals": {1: {"targets": {"2.1": {"nb": ["sult"]}}}}})])
    with pytest.raises(DataFileError):
        build_terms([("x.yaml", {"goals": {1: {"strong": {"de": ["Armut"]}}}})])
    with pytest.raises(DataFileError):
        build_terms([("x.yaml", {"goals": {1: {"strong": {"nb": ["*ab*"]}}}})])


# --------------------------------------------------------------------------- classifier


CLEAR = [
    ("Kommunen skal redusere klimagassutslippene med 60 prosent innen 2030.", 13),
    ("Barnevernet skal kome tidleg inn og gje hjelp til familiar som strevar.", 16),
    ("Hovedplan for vann og avløp prioriterer nytt renseanlegg og ny reservevannkilde.", 6),
    ("Alle barn skal få barnehageplass, og flere elever skal fullføre videregående opplæring.", 4),
    ("Kommunen skal hindre nedbygging av myr og ta vare på truede arter og naturmangfoldet.", 15),
    ("Folkehelsearbeidet skal redusere sosiale helseforskjellar og styrkje psykisk helse.", 3),
]


@pytest.fixture(scope="module")
def classifier() -> SdgClassifier:
    return SdgClassifier()


def test_clear_norwegian_passages_get_their_goal(classifier: SdgClassifier) -> None:
    predictions = classifier.predict([text for text, _ in CLEAR])
    for (text, goal), pred in zip(CLEAR, predictions, strict=True):
        assert goal in pred.sdgs, (text, pred.sdgs, pred.scores)
        assert pred.embedded and pred.method == "combined"
        assert pred.scores[goal] == max(pred.scores.values())
        evidence = pred.evidence[goal]
        assert evidence.predicted and evidence.phrases and evidence.similarity is not None
        assert evidence.nearest_prototype


def test_prediction_carries_words_and_target_evidence(classifier: SdgClassifier) -> None:
    (pred,) = classifier.predict(["Kommunen skal redusere klimagassutslippene med 60 prosent innen 2030."])
    ev = pred.evidence[13]
    assert "klimagassutslippene" in [p.text for p in ev.phrases]
    assert "13.2" in [t.code for t in pred.targets]
    as_dict = pred.to_dict()
    assert as_dict["sdgs"] == [13] and set(as_dict["scores"]) == {str(g) for g in range(1, 18)}
    (climate,) = [e for e in as_dict["evidence"] if e["goal"] == 13]
    assert "klimagassutslippene" in climate["terms"] and climate["predicted"] is True


def test_administrative_text_gets_no_goal(classifier: SdgClassifier) -> None:
    preds = classifier.predict(["Dokumentet er bygd opp i fem kapitler. Kapittel 2 beskriver dagens situasjon."])
    assert preds[0].sdgs == ()


def test_lexicon_method_needs_no_model() -> None:
    class NoModel:
        name = "none"

        def embed(self, texts: object) -> np.ndarray:
            raise AssertionError("the lexicon method must not embed")

    clf = SdgClassifier(embedder=NoModel())
    (pred,) = clf.predict(["Kommunen skal kutte klimagassutsleppa og lage klimabudsjett."], method="lexicon")
    assert pred.sdgs == (13,) and not pred.embedded and pred.method == "lexicon"


def test_zero_budget_falls_back_to_the_lexicon_model(classifier: SdgClassifier) -> None:
    preds = classifier.predict(["Kommunen skal kutte klimagassutsleppa.", "Ny barnehage i sentrum."], budget_s=0.0)
    assert not any(p.embedded for p in preds) and preds[0].sdgs == (13,) and 4 in preds[1].sdgs
    # a tiny positive budget embeds the first small batch (the least clear passages first) and no more
    texts = [f"Avsnitt {i}: kommunen skal bygge gang- og sykkelvei og kollektivtilbud." for i in range(40)]
    texts[35] = "Det skal bli lettere å ferdes til fots."  # no lexicon hit: nearest to the threshold
    preds = classifier.predict(texts, budget_s=1e-6)
    assert sum(p.embedded for p in preds) == 8 and preds[35].embedded
    assert {p.method for p in preds} == {"combined", "lexicon"}
    assert all(11 in p.sdgs for i, p in enumerate(preds) if i != 35)


def test_classify_texts_uses_the_shipped_parts() -> None:
    (pred,) = classify_texts(["Kommunen vil auke delen fornybar energi og redusere energibruken i eigne bygg."])
    assert 7 in pred.sdgs


# --------------------------------------------------------------------------- calibration


def test_shipped_calibration_was_fitted_on_the_dev_sets_only() -> None:
    calibration = load_calibration()
    assert calibration.trained_on["files"] == ["no_dev.jsonl", "en_dev.jsonl"]
    for method in ("lexicon", "embedding", "combined"):
        model = calibration.model(method)  # type: ignore[arg-type]
        assert 0 < model.threshold < 1 and len(model.goal_bias) == 17
    # more lexicon evidence can only raise the probability
    assert calibration.model("lexicon").weights[0] > 0


def test_calibration_file_errors_are_clear() -> None:
    with pytest.raises(DataFileError) as exc:
        Calibration.from_json(json.dumps({"models": {"lexicon": {"features": ["x"]}}}))
    assert "kalibreringsfilen" in exc.value.message.lower()
    text = load_calibration().to_json()
    assert Calibration.from_json(text) == load_calibration()


def test_logistic_fit_recovers_a_simple_rule() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 17, 1))
    y = (x[..., 0] > 0.5).astype(float)
    w, b, gb = fit_logistic(x, y, l2=0.01, l2_goal=10.0)
    assert w[0] > 3 and b < 0 and np.all(np.abs(gb) < 0.5)
    pred = (x[..., 0] * w[0] + b + gb) > 0
    assert balanced_accuracy(y.astype(bool), pred) > 0.95


# --------------------------------------------------------------------------- metric and labelled data


def test_metric_matches_the_benchmark_package() -> None:
    from sdgclassification.benchmark import Metrics, Stats

    items = [
        LabelledText("a", "", frozenset({13})), LabelledText("b", "", frozenset({13, 11})),
        LabelledText("c", "", frozenset({3})), LabelledText("d", "", frozenset()),
        LabelledText("e", "", frozenset({11})),
    ]
    predicted = {"a": [13], "b": [11], "c": [3, 13], "d": [], "e": [11, 3]}
    rows = benchmark_rows(items)
    ours = score_rows(rows, predicted)
    theirs = []
    for sdg in range(1, 18):
        sub = [r for r in rows if r.sdg == sdg]
        theirs.append(Metrics.calculate([r.label for r in sub], [sdg in predicted[r.id] for r in sub]))
    assert ours.accuracy == pytest.approx(Stats(theirs).average.accuracy)
    assert [g.accuracy for g in ours.per_goal if g.n] == pytest.approx([m.accuracy for m in theirs if m.n])
    # each goal's rows are balanced: as many negatives as positives
    assert sum(r.label for r in rows if r.sdg == 11) == sum(not r.label for r in rows if r.sdg == 11) == 2
    assert score_rows([Row("a", "", 13, True)], {"a": [13]}).accuracy == 100.0


def test_norwegian_labelled_sets_are_large_enough_and_separate() -> None:
    dev = load_labelled(BENCH_DATA / "no_dev.jsonl")
    test = load_labelled(BENCH_DATA / "no_test.jsonl")
    norwegian = dev + test
    assert len(norwegian) >= 150
    assert {t.lang for t in norwegian} == {"nb", "nn"}
    assert sum(t.lang == "nn" for t in test) >= 25
    assert not {t.text for t in dev} & {t.text for t in test}
    assert sum(len(t.sdgs) > 1 for t in norwegian) >= 50  # multi-label
    for g in range(1, 18):
        assert sum(g in t.sdgs for t in test) >= 5, g
