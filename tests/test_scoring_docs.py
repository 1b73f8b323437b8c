"""docs/scoring.md cannot rot: its example runs and prints what the page says, and it names the whole API."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import fn17.scoring

DOC = Path(__file__).resolve().parents[1] / "docs" / "scoring.md"


def _block(text: str, marker: str, lang: str) -> str:
    after = text.split(marker, 1)[1]
    match = re.search(rf"```{lang}\n(.*?)```", after, flags=re.DOTALL)
    assert match, f"no ```{lang} block after {marker}"
    return match.group(1)


def test_the_international_example_prints_what_the_page_shows() -> None:
    text = DOC.read_text(encoding="utf-8")
    code = _block(text, "<!-- example-code -->", "python")
    expected = _block(text, "<!-- example-output -->", "text")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), {"__name__": "docs_example"})
    got = [line.rstrip() for line in out.getvalue().strip().splitlines()]
    want = [line.rstrip() for line in expected.strip().splitlines()]
    assert got == want


def test_every_public_name_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in fn17.scoring.__all__ if f"`{name}" not in text]
    assert not missing, f"not in docs/scoring.md: {missing}"


def test_public_api_is_explicit() -> None:
    for name in fn17.scoring.__all__:
        assert hasattr(fn17.scoring, name), name
    assert "score_table" in fn17.scoring.__all__ and "nearest_peers" in fn17.scoring.__all__
