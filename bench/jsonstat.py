"""Benchmark FN17's JSON-stat2 reader against pyjstat and a bare ``orjson.loads``, in one run.

Generates a large SSB-shaped table (357 municipalities × 30 years × 50 categories,
535,500 cells, about 5 % of them missing with a status symbol), serialises it once,
and times on the same bytes:

* ``orjson.loads``: the bare cost of parsing the JSON (the floor);
* FN17: ``read_jsonstat`` + ``to_observations`` (bytes → canonical observation records);
* pyjstat: ``pyjstat.Dataset.read(text).write("dataframe")`` (bytes decoded to text first).

Each is run several times with the garbage collector off (as ``timeit`` does) and the median is
reported; orjson and FN17 alternate, and their ratio is the median of the per-round ratios. Run::

    .venv/bin/python bench/jsonstat.py [--repeat 7] [--pyjstat-repeat 3]

The last line is ``speed-up vs pyjstat: N.Nx; time vs orjson.loads: N.Nx``.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from fn17.sources.jsonstat import read_jsonstat, to_observations

REGIONS, YEARS, CATEGORIES = 357, 30, 50


def generate(seed: int = 17) -> bytes:
    """An SSB-shaped JSON-stat 2.0 dataset: Region × Alder × ContentsCode × Tid."""
    rng = random.Random(seed)
    regions = ["0"] + [f"K-{3000 + i:04d}" for i in range(1, REGIONS)]
    ages = [f"{i:03d}" for i in range(CATEGORIES)]
    years = [str(1994 + i) for i in range(YEARS)]
    cells = len(regions) * len(ages) * len(years)
    values: list[float | None] = []
    status: dict[str, str] = {}
    for i in range(cells):
        r = rng.random()
        if r < 0.03:
            values.append(None)
            status[str(i)] = ".."
        elif r < 0.05:
            values.append(None)
            status[str(i)] = ":"
        else:
            values.append(float(rng.randint(0, 5000)))
    doc: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": "99999: Syntetisk tabell, etter region, alder, statistikkvariabel og år",
        "source": "Statistisk sentralbyrå",
        "updated": "2024-02-21T07:00:00Z",
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
        "id": ["Region", "Alder", "ContentsCode", "Tid"],
        "size": [len(regions), len(ages), 1, len(years)],
        "dimension": {
            "Region": {"label": "region", "category": {
                "index": {c: i for i, c in enumerate(regions)},
                "label": {c: ("Hele landet" if c == "0" else f"Kommune {c[2:]}") for c in regions}}},
            "Alder": {"label": "alder", "category": {
                "index": {c: i for i, c in enumerate(ages)}, "label": {c: f"{int(c)} år" for c in ages}}},
            "ContentsCode": {"label": "statistikkvariabel", "category": {
                "index": {"Personer1": 0}, "label": {"Personer1": "Personer"},
                "unit": {"Personer1": {"base": "personer", "decimals": 0}}}},
            "Tid": {"label": "år", "category": {
                "index": {c: i for i, c in enumerate(years)}, "label": {c: c for c in years}}},
        },
        "value": values,
        "status": status,
    }  # fmt: skip
    return orjson.dumps(doc)


def timed(fn: Callable[[], object]) -> float:
    """One run, with the garbage collector off as ``timeit`` does."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.enable()


def fn17_reader(data: bytes) -> object:
    return to_observations(read_jsonstat(data, source="bench"), table_id="99999")


def pyjstat_reader(data: bytes) -> object:
    from pyjstat import pyjstat

    return pyjstat.Dataset.read(data.decode("utf-8")).write("dataframe")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of orjson and FN17 (median reported)")
    parser.add_argument("--pyjstat-repeat", type=int, default=3, help="runs of pyjstat (it is slow)")
    args = parser.parse_args(argv)

    data = generate()
    frame = fn17_reader(data)
    cells = REGIONS * YEARS * CATEGORIES
    assert len(frame) == cells, (len(frame), cells)  # type: ignore[arg-type]
    print(
        f"table: {REGIONS} regions × {YEARS} years × {CATEGORIES} categories = {cells:,} cells, {len(data) / 1e6:.1f} MB"
    )

    # orjson and FN17 run back to back in each round, so a busy machine slows both alike;
    # the ratio to the bare parse is the median of the per-round ratios.
    rounds = [(timed(lambda: orjson.loads(data)), timed(lambda: fn17_reader(data))) for _ in range(args.repeat)]
    t_orjson = statistics.median(r[0] for r in rounds)
    t_fn17 = statistics.median(r[1] for r in rounds)
    ratio = statistics.median(r[1] / r[0] for r in rounds)
    print(f"orjson.loads        {t_orjson * 1000:9.1f} ms  (median of {args.repeat})")
    print(f"FN17 reader         {t_fn17 * 1000:9.1f} ms  (median of {args.repeat}; bytes → observation records)")
    t_pyjstat = statistics.median(timed(lambda: pyjstat_reader(data)) for _ in range(args.pyjstat_repeat))
    print(
        f"pyjstat             {t_pyjstat * 1000:9.1f} ms  (median of {args.pyjstat_repeat}; Dataset.read + write('dataframe'))"
    )
    print(f"speed-up vs pyjstat: {t_pyjstat / t_fn17:.1f}x; time vs orjson.loads: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
