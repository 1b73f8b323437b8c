"""SDG classification accuracy of FN17's plan classifier, per method.

    python bench/sdg_benchmark.py            # report: English benchmark + Norwegian held-out set
    python bench/sdg_benchmark.py calibrate  # refit data/calibration.json on the team's dev sets

English: the public SDG Classification Benchmark (the package ``sdgclassification-benchmark``, its
``benchmark.csv``: 1,251 labelled rows), scored with its own metric (the package's ``Metrics``
class: per-SDG (TP+TN)/n, unweighted mean over the 17 SDGs). Norwegian: ``bench/data/no_test.jsonl``
(held out, never tuned on), turned into benchmark-style rows and scored the same way.

Calibration uses only ``bench/data/no_dev.jsonl`` and ``bench/data/en_dev.jsonl`` (written by the
team). The benchmark is reported once per method and never used for tuning.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

from fn17.plans.calibration import METHODS, fit, stack_features
from fn17.plans.classify import SdgClassifier
from fn17.plans.evaluate import LabelledText, benchmark_rows, load_labelled, score_rows
from fn17.plans.features import embedding_features, lexicon_features
from fn17.plans.lexicon import GOALS

DATA = Path(__file__).resolve().parent / "data"
DEV_FILES = ("no_dev.jsonl", "en_dev.jsonl")
TEST_FILE = "no_test.jsonl"
PUBLISHED = {
    "SDG Prospector": 87.8, "GPT-4o": 87.2, "Llama-3-70B": 86.0, "Mixtral": 85.0, "text2sdg": 83.0,
    "Global Goals Directory": 81.0, "Aurora": 79.2, "JRC SDG Mapper": 77.3, "OSDG": 69.7,
}


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def predict_all(clf: SdgClassifier, texts: list[str]) -> dict[str, list[tuple[int, ...]]]:
    """Predictions of every method, embedding each text once."""
    t0 = time.perf_counter()
    lex = clf.lexicon_evidence(texts)
    t_lex = time.perf_counter() - t0

    def progress(done: int, total: int, stage: str) -> None:
        if done % 320 == 0 or done == total:
            sys.stderr.write(f"\r  {stage} {done}/{total}")

    t1 = time.perf_counter()
    emb = clf.embedding_evidence(texts, lex, progress=progress)
    t_emb = time.perf_counter() - t1
    sys.stderr.write("\n")
    out(f"  {len(texts)} texts: lexicon {len(texts) / t_lex:,.0f} texts/s, embedding {len(texts) / t_emb:,.1f} texts/s")
    return {m: [p.sdgs for p in clf.predict_from_evidence(texts, lex, emb, method=m)] for m in METHODS}


def english_benchmark(clf: SdgClassifier) -> dict[str, float]:
    from sdgclassification.benchmark import Metrics, Stats, load_benchmark_df

    df = load_benchmark_df()
    texts = list(dict.fromkeys(df["text"].tolist()))
    out(f"English: SDG Classification Benchmark, {len(df)} rows, {len(texts)} distinct texts")
    preds = predict_all(clf, texts)
    results: dict[str, float] = {}
    for method in METHODS:
        by_text = dict(zip(texts, preds[method], strict=True))
        per_sdg = []
        for sdg in range(1, 18):
            sub = df[df["sdg"] == sdg]
            expected = [bool(v) for v in sub["label"]]
            predicted = [sdg in by_text[t] for t in sub["text"]]
            per_sdg.append(Metrics.calculate(expected, predicted))
        stats = Stats(per_sdg)
        results[method] = stats.average.accuracy
        if method == "combined":
            out(stats.format("github"))
    return results


def norwegian(clf: SdgClassifier, items: list[LabelledText]) -> dict[str, dict[str, float]]:
    preds = predict_all(clf, [t.text for t in items])
    rows = benchmark_rows(items)
    results: dict[str, dict[str, float]] = {}
    for method in METHODS:
        by_id = {t.id: list(p) for t, p in zip(items, preds[method], strict=True)}
        res = {"all": score_rows(rows, by_id).accuracy}
        for lang in ("nb", "nn"):
            subset = [t for t in items if t.lang == lang]
            res[lang] = score_rows(benchmark_rows(subset), by_id).accuracy
        results[method] = res
    return results


def floors(items: list[LabelledText]) -> tuple[float, float]:
    rows = benchmark_rows(items)
    everything = score_rows(rows, {t.id: list(GOALS) for t in items}).accuracy
    nothing = score_rows(rows, {t.id: [] for t in items}).accuracy
    return everything, nothing


def calibrate() -> None:
    from fn17.plans.calibration import CALIBRATION_FILE
    from fn17.plans.embedding import cache_path

    items = [t for name in DEV_FILES for t in load_labelled(DATA / name)]
    texts = [t.text for t in items]
    clf = SdgClassifier()
    lex = clf.lexicon_evidence(texts)
    emb = clf.embedding_evidence(texts, lex)
    y = np.zeros((len(items), len(GOALS)), dtype=bool)
    for i, t in enumerate(items):
        for g in t.sdgs:
            y[i, g - 1] = True
    lf, ef = lexicon_features(lex), embedding_features(emb)
    features = {m: stack_features(m, lf, ef) for m in METHODS}
    digest = hashlib.sha256("".join((DATA / n).read_text(encoding="utf-8") for n in DEV_FILES).encode()).hexdigest()
    calibration = fit(features, y, {"files": list(DEV_FILES), "passages": len(items), "sha256": digest[:16]})
    target = cache_path().with_name(CALIBRATION_FILE)
    target.write_text(calibration.to_json() + "\n", encoding="utf-8")
    out(f"wrote {target} from {len(items)} dev passages")
    for m in METHODS:
        model = calibration.model(m)
        weights = ", ".join(f"{f}={w:+.2f}" for f, w in zip(model.features, model.weights, strict=True))
        out(f"  {m:9s} threshold {model.threshold:.3f}  {weights}")


def report(skip_english: bool) -> None:
    clf = SdgClassifier()
    test = load_labelled(DATA / TEST_FILE)
    dev = [t for t in load_labelled(DATA / DEV_FILES[0])]
    everything, nothing = floors(test)
    out(f"Norwegian held-out set: {len(test)} passages ({sum(t.lang == 'nb' for t in test)} bokmål, "
        f"{sum(t.lang == 'nn' for t in test)} nynorsk), {len(benchmark_rows(test))} benchmark-style rows")
    no_test = norwegian(clf, test)
    out(f"Norwegian dev set (tuned on; for comparison only): {len(dev)} passages")
    no_dev = norwegian(clf, dev)
    en = english_benchmark(clf) if not skip_english else {}
    out()
    out("| method | English benchmark | Norwegian held-out | bokmål | nynorsk | Norwegian dev (tuned) |")
    out("| --- | ---: | ---: | ---: | ---: | ---: |")
    for m in METHODS:
        e = f"{en[m]:.1f}" if m in en else "–"
        t = no_test[m]
        out(f"| {m} | {e} | {t['all']:.1f} | {t['nb']:.1f} | {t['nn']:.1f} | {no_dev[m]['all']:.1f} |")
    out(f"| floor: predict all 17 | 49.3 | {everything:.1f} | | | |")
    out(f"| floor: predict none | 50.7 | {nothing:.1f} | | | |")
    out()
    out("Published English results on the same benchmark: "
        + ", ".join(f"{k} {v:.1f}" for k, v in PUBLISHED.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="report", choices=["report", "calibrate"])
    parser.add_argument("--skip-english", action="store_true", help="only the Norwegian sets (fast)")
    args = parser.parse_args(argv)
    if args.command == "calibrate":
        calibrate()
    else:
        report(args.skip_english)
    return 0



if __name__ == "__main__":
    raise SystemExit(main())
