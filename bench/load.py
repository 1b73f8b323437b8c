"""Benchmark ``fn17 load`` of a whole data folder into a fresh SQLite store.

    python bench/load.py [FOLDER]      # default: $FN17_SHARED_DATA or ../shared/data

Prints the time per dataset (read, carry, derive, write in one), the total, and — measured in
the same run as the baseline — the time to merely read the same files with pandas/openpyxl
(no mapping, no carrying, no database), ending with
``fn17 load: N.N s for R rows; bare read: N.N s; ratio N.Nx``.
"""

from __future__ import annotations

import os
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pandas as pd


def _folder() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    env = os.environ.get("FN17_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def bare_read(folder: Path) -> float:
    """Read every file the recipes know, as plainly as pandas can."""
    from fn17.sources.recipes import load_recipes

    t0 = time.perf_counter()
    for recipe in load_recipes():
        for path in recipe.find_files(folder):
            if recipe.format == "csv":
                raw = path.read_bytes()
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("latin-1")
                text.splitlines()
            elif recipe.format == "excel":
                pd.read_excel(path, sheet_name=recipe.sheet or 0, header=None)
            elif recipe.format == "parquet":
                pd.read_parquet(path)
            else:
                with tarfile.open(path) as tar:
                    for member in tar:
                        if member.isfile():
                            handle = tar.extractfile(member)
                            if handle is not None:
                                handle.read()
    return time.perf_counter() - t0


def main() -> None:
    folder = _folder()
    if not folder.is_dir():
        raise SystemExit(f"no data folder at {folder}")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FN17_HOME"] = tmp
        os.environ["FN17_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        from fn17.config import get_settings
        from fn17.services.data import load_folder
        from fn17.workspace import open_workspace

        ws = open_workspace(get_settings(), create=True)
        ws.register  # noqa: B018 - load the register before the clock starts, as a running app has it
        t0 = time.perf_counter()
        report = load_folder(ws, folder)
        total = time.perf_counter() - t0
        for d in report.datasets:
            print(f"{d.dataset:32} {d.written:>9,} rows  {d.seconds:6.1f} s")
        if report.taxonomy:
            print(f"{'ks-taxonomy':32} {report.taxonomy['indicators']:>9,} items {report.taxonomy['seconds']:6.1f} s "
                  f"(RDF parse {report.taxonomy['parse_seconds']:.1f} s)")
        for f in report.failed:
            print(f"FAILED {f['dataset']}: {f['message_en']}")
        ws.close()
    baseline = bare_read(folder)
    print(f"fn17 load: {total:.1f} s for {report.rows:,} rows; bare read: {baseline:.1f} s; ratio {total / baseline:.1f}x")


if __name__ == "__main__":
    main()
