"""Plan-analysis throughput: passages per second, and the time to analyse a 100-page Norwegian plan.

    python bench/plans.py [--pages 100] [--budget 6] [--keep plan.pdf]

The plan is generated here: chapters on the municipal themes, paragraphs recombined from the
team's labelled Norwegian passages (bokmål and nynorsk, ``bench/data``), rendered to PDF with
WeasyPrint until it has the requested number of pages. Timings are wall-clock on this machine;
the lexicon-only analysis of the same file is the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
CHAPTERS = [
    "Innledning og planstrategi", "Klima og energi", "Natur, landbruk og arealbruk", "Folkehelse og levekår",
    "Oppvekst og utdanning", "Helse og omsorg", "Næringsliv og arbeid", "Bolig, sentrum og transport",
    "Vatn, avløp og fjorden", "Samfunnssikkerhet og beredskap", "Inkludering og mangfold",
    "Kultur, frivillighet og medvirkning", "Kommunen som organisasjon", "Økonomi og oppfølging",
]


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def sentences_from_data() -> list[str]:
    import re

    found: list[str] = []
    for name in ("no_dev.jsonl", "no_test.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            found.extend(s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 25)
    return found


def plan_html(paragraphs_per_chapter: int, seed: int = 17) -> str:
    rng = random.Random(seed)
    pool = sentences_from_data()
    parts = ["<html><head><meta charset='utf-8'><style>body{font: 11pt/1.4 serif} h1{font-size:20pt} "
             "h2{font-size:15pt} h3{font-size:12.5pt}</style></head><body>",
             "<h1>Kommuneplanens samfunnsdel 2025–2037</h1>"]
    for c, chapter in enumerate(CHAPTERS, start=1):
        parts.append(f"<h2>{c} {chapter}</h2>")
        for s in range(1, 4):
            parts.append(f"<h3>{c}.{s} Mål og strategier</h3>" if s == 1 else f"<h3>{c}.{s} Utfordringer og tiltak</h3>")
            for p in range(paragraphs_per_chapter // 3):
                if p % 5 == 4:
                    items = "".join(f"<li>{rng.choice(pool)}</li>" for _ in range(4))
                    parts.append(f"<ul>{items}</ul>")
                else:
                    parts.append("<p>" + " ".join(rng.choice(pool) for _ in range(rng.randint(2, 5))) + "</p>")
    parts.append("</body></html>")
    return "".join(parts)


def make_plan(pages: int, path: Path) -> int:
    from weasyprint import HTML

    per_chapter = 30
    for _ in range(8):
        document = HTML(string=plan_html(per_chapter)).render()
        n = len(document.pages)
        if n == pages or (pages - 1 <= n <= pages + 1):
            document.write_pdf(str(path))
            return n
        per_chapter = max(3, round(per_chapter * pages / n))
    document.write_pdf(str(path))
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--budget", type=float, default=6.0, help="language-model budget (s) for the fast run")
    parser.add_argument("--keep", type=Path, default=None, help="also save the generated PDF here")
    args = parser.parse_args(argv)

    from fn17.plans import analyze_document
    from fn17.plans.classify import default_classifier

    out(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = args.keep or Path(tmp) / "plan.pdf"
        t0 = time.perf_counter()
        n_pages = make_plan(args.pages, pdf)
        out(f"generated {pdf.name}: {n_pages} pages, {pdf.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")

        clf = default_classifier()
        clf.prototypes  # noqa: B018 - load the model and prototypes before timing
        clf.embedder.embed(["oppvarming"])
        runs = [("lexicon only (baseline)", "lexicon", None), (f"combined, {args.budget:g} s model budget", "combined", args.budget),
                ("combined, every passage embedded", "combined", None)]
        results = {}
        for label, method, budget in runs:
            t = time.perf_counter()
            report = analyze_document(pdf, method=method, embed_budget_s=budget)  # type: ignore[arg-type]
            wall = time.perf_counter() - t
            secs = report.method["seconds"]
            results[label] = wall
            n = report.document["passages"]
            emb = report.method["embedded_passages"]
            out(f"{label:38s} {wall:6.2f} s  (extract {secs['extract']:.2f} s, classify {secs['classify']:.2f} s; "
                f"{n} passages, {emb} embedded, {n / secs['classify']:,.0f} passages/s; "
                f"{17 - len(report.missing_goals)} goals found)")
        base = results["lexicon only (baseline)"]
        out()
        for label, wall in results.items():
            out(f"{label:38s} {wall / base:5.1f} × baseline")
        texts = [f.text for f in report.findings][:64]
        t = time.perf_counter()
        clf.embedder.embed(texts)
        rate = len(texts) / (time.perf_counter() - t)
        out(f"language model alone: {rate:.1f} passages/s on plan passages (batch of {len(texts)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
