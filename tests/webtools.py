"""Shared tools for web and browser tests: a store loaded from ../shared/data (built once per
test worker and copied for each test), a live uvicorn server on loopback, and Debian's
Chromium driven by Playwright (never a downloaded browser).

Fixtures built on these live in ``conftest.py``: ``web_ws``, ``live_site`` and ``page``."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from fn17.config import get_settings
from fn17.services.data import load_folder
from fn17.services.setup import initialise
from fn17.store import make_engine, migrate
from fn17.workspace import Workspace

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
SECRET = "web-test-secret-key-0123456789"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def open_store(path: Path) -> Workspace:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(engine)
    return Workspace(settings=get_settings(database_url=url, secret_key=SECRET), engine=engine)


def build_store(path: Path, shared_data: Path, only: list[str] | None = None) -> None:
    """A SQLite store at ``path`` with the SDG texts and every dataset of ``shared_data``
    (or the datasets named in ``only``) loaded through FN17's own importers."""
    ws = open_store(path)
    try:
        initialise(ws)
        report = load_folder(ws, shared_data, only=only)
        assert report.failed == [], report.failed
    finally:
        ws.engine.dispose()


def copy_store(template: Path, target: Path) -> Workspace:
    shutil.copyfile(template, target)
    return open_store(target)


@contextmanager
def live_server(ws: Workspace) -> Iterator[str]:
    """FN17's web app served by uvicorn in a thread on a free loopback port; yields the base URL."""
    import uvicorn

    from fn17.web.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(workspace=ws), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class ConsoleErrors(list[str]):
    """Console errors and uncaught page errors seen by a page."""


@contextmanager
def chromium_page(locale: str = "nb-NO", viewport: dict[str, int] | None = None) -> Iterator[Any]:
    """A fresh page in Debian's headless Chromium. ``page.console_errors`` collects console
    errors and uncaught exceptions; tests assert it is empty."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true, so this may not skip: /usr/bin/chromium is missing")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, locale=locale, viewport=viewport or {"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors = ConsoleErrors()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.console_errors = errors
        try:
            yield page
        finally:
            context.close()
            browser.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under ``screenshots/`` (kept out of git) and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


#: screen coordinates of a point inside a region's shape on the overview map that no other shape covers
_MAP_POINT = """(code) => {
  const path = document.querySelector(`svg.ex-svg a[data-code="${code}"] path`);
  path.scrollIntoView({block: "center"});
  const box = path.getBoundingClientRect();
  for (let fy = 0.1; fy < 1; fy += 0.05) {
    for (let fx = 0.1; fx < 1; fx += 0.05) {
      const x = box.left + fx * box.width, y = box.top + fy * box.height;
      if (document.elementFromPoint(x, y) === path) { return [x, y]; }
    }
  }
  throw new Error("no free point inside " + code);
}"""


def click_on_map(page: Any, code: str) -> None:
    """Click with the mouse on a point inside ``code``'s shape on the overview map, as a person would."""
    x, y = page.evaluate(_MAP_POINT, code)
    page.mouse.click(x, y)
