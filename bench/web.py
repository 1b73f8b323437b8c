"""Benchmark the web app: throughput and p50/p95 latency of the profile page under concurrent
load on loopback, against the same server returning a static file, measured in one run.

    python bench/web.py [--requests 400] [--concurrency 8] [--rounds 3] [--data FOLDER]

The store: ``FN17_DATABASE_URL`` when set (an existing, loaded store), otherwise a fresh SQLite
store in a temporary folder with the SDG texts and every dataset of ``--data`` (default
``$FN17_SHARED_DATA`` or ``../shared/data``) loaded through FN17's own importers.

The server: uvicorn (one process, one worker) on a free loopback port, started as a child
process so the load generator does not share its interpreter. The page: ``/region/1508``
(Ålesund's profile); if it answers 404 the benchmark says so and measures ``/mal/4`` instead.
The baseline: ``/static/fn17.css`` from the same server. Each round runs the warm-up, then the
two targets one after the other; the medians over the rounds are printed, ending with
``profile vs static: throughput 0.NNx, p50 N.Nx, p95 N.Nx``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

PROFILE = "/region/1508"
FALLBACK = "/mal/4"
STATIC = "/static/fn17.css"


def _data_folder(given: str | None) -> Path:
    if given:
        return Path(given)
    env = os.environ.get("FN17_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_store(folder: Path, target: Path) -> str:
    """A fresh SQLite store with the SDG texts and every dataset of ``folder``; returns its URL."""
    from fn17.config import get_settings
    from fn17.services.data import load_folder
    from fn17.services.setup import initialise
    from fn17.store import make_engine, migrate
    from fn17.workspace import Workspace

    url = f"sqlite:///{target}"
    engine = make_engine(url)
    migrate(engine)
    ws = Workspace(settings=get_settings(database_url=url), engine=engine)
    try:
        started = time.perf_counter()
        initialise(ws)
        report = load_folder(ws, folder)
        print(f"store: {len(report.datasets)} datasets from {folder} in {time.perf_counter() - started:.1f} s"
              + (f"; failed: {report.failed}" if report.failed else ""))
    finally:
        engine.dispose()
    return url


def start_server(database_url: str, home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "FN17_DATABASE_URL": database_url, "FN17_HOME": str(home), "FN17_OFFLINE": "1",
           "FN17_SECRET_KEY": os.environ.get("FN17_SECRET_KEY", "bench-web-secret-key-0123456789")}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "fn17.web.app:app_from_env", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"uvicorn exited with code {proc.returncode}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("uvicorn did not start within 60 s")


@dataclass(frozen=True)
class Result:
    path: str
    requests: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _load(base: str, path: str, requests: int, concurrency: int) -> Result:
    latencies: list[float] = []
    per_client = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker(n: int) -> None:
            for _ in range(n):
                t0 = time.perf_counter()
                response = await client.get(path)
                await response.aread()
                latencies.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in per_client))
        seconds = time.perf_counter() - started
    return Result(path, requests, seconds, latencies)


def measure(base: str, path: str, requests: int, concurrency: int) -> Result:
    return asyncio.run(_load(base, path, requests, concurrency))


def _line(label: str, rs: list[Result]) -> tuple[float, float, float]:
    tp = statistics.median(r.throughput for r in rs)
    p50 = statistics.median(r.pct(0.50) for r in rs)
    p95 = statistics.median(r.pct(0.95) for r in rs)
    print(f"{label:<8} {rs[0].path:<20} {tp:8.1f} req/s   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   (median of {len(rs)} rounds)")
    return tp, p50, p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--requests", type=int, default=400, help="requests per target and round")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=40, help="warm-up requests per target and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", default=None, help="data folder to load (default ../shared/data)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fn17-bench-web-") as tmp:
        url = os.environ.get("FN17_DATABASE_URL") or build_store(_data_folder(args.data), Path(tmp) / "fn17.sqlite")
        proc, base = start_server(url, Path(tmp))
        try:
            page = PROFILE
            if httpx.get(f"{base}{PROFILE}", timeout=30).status_code == 404:
                print(f"note: {PROFILE} answers 404 (the profile page is not mounted); measuring {FALLBACK} instead")
                page = FALLBACK
            print(f"server: uvicorn, 1 worker, {base}; {args.concurrency} concurrent clients, {args.requests} requests "
                  f"per target per round after {args.warmup} warm-up requests; {os.cpu_count()} CPUs")
            dynamic: list[Result] = []
            static: list[Result] = []
            for _ in range(args.rounds):
                for path, bucket in ((STATIC, static), (page, dynamic)):
                    measure(base, path, args.warmup, args.concurrency)
                    bucket.append(measure(base, path, args.requests, args.concurrency))
            s_tp, s50, s95 = _line("static", static)
            d_tp, d50, d95 = _line("profile", dynamic)
            print(f"profile vs static: throughput {d_tp / s_tp:.2f}x, p50 {d50 / s50:.1f}x, p95 {d95 / s95:.1f}x")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
