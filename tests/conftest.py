"""Shared fixtures: the real data folder, and real databases (SQLite and PostgreSQL).

PostgreSQL: set FN17_TEST_POSTGRES_URL to use a running server; otherwise a private
server is started for the session from the PostgreSQL binaries on the machine
(Debian's ``postgresql`` package) in a temporary folder, and stopped at the end.
When CI=true, tests that need ../shared/data or PostgreSQL fail instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from fn17.store import make_engine, migrate
from fn17.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true, so this may not skip: {reason}")
    pytest.skip(reason)


def shared_data_dir() -> Path | None:
    env = os.environ.get("FN17_SHARED_DATA")
    path = Path(env) if env else ROOT.parent / "shared" / "data"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (or $FN17_SHARED_DATA): real public data, read through FN17's importers."""
    path = shared_data_dir()
    if path is None:
        _skip_or_fail("../shared/data is not beside the checkout (set FN17_SHARED_DATA)")
    assert path is not None
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own FN17_HOME, so no test touches the user's database."""
    home = tmp_path_factory.mktemp("fn17home")
    monkeypatch.setenv("FN17_HOME", str(home))
    monkeypatch.delenv("FN17_DATABASE_URL", raising=False)
    monkeypatch.setenv("FN17_OFFLINE", "1")


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_bin() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _PrivatePostgres:
    def __init__(self, bindir: Path, base: Path) -> None:
        self.bindir, self.base = bindir, base
        self.data = base / "pgdata"
        self.port = _free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # postgres will not run as root: run it as the postgres user
            if shutil.which("runuser") is None:
                raise RuntimeError("runuser is missing")
            self.prefix = ["runuser", "-u", "postgres", "--"]
            shutil.chown(base, "postgres")

    def run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        self.run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "fn17", "-A", "trust", "-E", "UTF8")
        self.run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "log"), "-w", "-o",
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
            "start",
        )
        return f"postgresql+psycopg://fn17@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("FN17_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    bindir = _pg_bin()
    if bindir is None:
        _skip_or_fail("PostgreSQL is not installed (apt-get install postgresql), and FN17_TEST_POSTGRES_URL is unset")
    assert bindir is not None
    # not under pytest's tmp dir: its parents are private to root, and the server runs as postgres
    base = Path(tempfile.mkdtemp(prefix="fn17-pg-"))
    server = _PrivatePostgres(bindir, base)
    try:
        url = server.start()
    except (subprocess.CalledProcessError, RuntimeError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        _skip_or_fail(f"could not start a private PostgreSQL: {exc} {detail.decode(errors='replace')}")
    try:
        yield url
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin: Engine = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = postgres_admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fn17.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty store on each database kind."""
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fn17.sqlite'}"


# --- web: a store loaded from ../shared/data once per worker, a live server, Chromium ---------

@pytest.fixture(scope="session")
def web_store_template(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A SQLite file with the SDG texts and every dataset of ../shared/data, built once per worker."""
    from webtools import build_store

    path = tmp_path_factory.mktemp("web-store") / "template.sqlite"
    build_store(path, shared_data)
    return path


@pytest.fixture
def web_ws(web_store_template: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A private copy of the loaded store, so tests may write to it."""
    from webtools import copy_store

    ws = copy_store(web_store_template, tmp_path / "fn17.sqlite")
    try:
        yield ws
    finally:
        ws.engine.dispose()


@pytest.fixture
def live_site(web_ws: Workspace) -> Iterator[str]:
    """The web app on the loaded store, served on loopback; yields the base URL."""
    from webtools import live_server

    with live_server(web_ws) as url:
        yield url


@pytest.fixture
def page() -> Iterator[Any]:
    """A page in Debian's headless Chromium; ``page.console_errors`` lists console errors."""
    from webtools import chromium_page

    with chromium_page() as p:
        yield p
