"""Small text operations shared by the readers: whitespace, line joining, heading shape, sentences."""

from __future__ import annotations

import re

_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SOFT_HYPHEN = "\u00ad"

# "3.2 Folkehelse", "3.2. Folkehelse", "Kapittel 4 Klima", "Del 2: Mål", "4 MÅL OG STRATEGIER"
_NUMBERED_HEADING = re.compile(
    r"^(?:(?:kapittel|kapitel|del|chapter|part|vedlegg|appendix)\s+)?"
    r"(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s*[:.)–-]?\s+(?P<title>[A-ZÆØÅÄÖÜ].{1,118})$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'»”)]*\s+(?=[A-ZÆØÅÄÖÜ0-9«\"“(–-])")
_BULLET = re.compile(r"^\s*(?:[•●▪◦‣∙·\-–—*]|\(?[0-9]{1,2}[.)]|\(?[a-z][.)])\s+")


def clean(text: str) -> str:
    """One line of text: control characters removed, runs of spaces collapsed, trimmed."""
    text = _CONTROL.sub(" ", text.replace(_SOFT_HYPHEN, ""))
    return _WS.sub(" ", text).strip()


def join_lines(lines: list[str]) -> str:
    """Join the lines of a paragraph, undoing end-of-line hyphenation (``helse-`` + ``forskjeller``).

    A hyphen before ``og``/``eller``/``and``/``or`` is a Norwegian suspended compound
    (``gang- og sykkelvei``) and is kept with its space.
    """
    out = ""
    for raw in lines:
        line = clean(raw)
        if not line:
            continue
        if not out:
            out = line
            continue
        if out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[:1].islower():
            first = line.split(" ", 1)[0].lower()
            out = f"{out} {line}" if first in {"og", "eller", "and", "or", "til", "samt"} else out[:-1] + line
        else:
            out = f"{out} {line}"
    return out


def numbered_heading(line: str) -> tuple[int, str] | None:
    """``(level, text)`` when a line reads like a numbered heading (``3.2 Folkehelse``), else None."""
    line = clean(line)
    if len(line) > 120 or (line.endswith((".", ",", ";")) and not re.match(r"^\d", line)):
        return None
    m = _NUMBERED_HEADING.match(line)
    if not m:
        return None
    title = m.group("title")
    if title.endswith((",", ";")) or re.search(r"\d{3,}", m.group("num")):
        return None
    # "2030 skal ..." or a sentence that merely starts with a number is not a heading.
    if len(title.split()) > 14 or title.rstrip().endswith("."):
        return None
    return m.group("num").count(".") + 1, line


def looks_like_heading(line: str) -> bool:
    """A short line without closing punctuation, written like a title (used for plain text)."""
    line = clean(line)
    if not (2 <= len(line) <= 90) or line.endswith((".", ",", ";", ":")):
        return False
    words = line.split()
    if len(words) > 10 or not line[0].isupper():
        return False
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and (line.isupper() or len(words) <= 8)


def strip_bullet(line: str) -> tuple[bool, str]:
    """``(True, text)`` when the line starts with a list marker, which is removed."""
    m = _BULLET.match(line)
    if m and len(line) > m.end():
        return True, line[m.end():]
    return False, line


def sentences(text: str) -> list[str]:
    """Split into sentences at ``.!?`` followed by a capital or digit (abbreviation-tolerant enough for plans)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    merged: list[str] = []
    for part in parts:
        if not part:
            continue
        # "bl.a. Kommunen" or "f.eks. Ås" split wrongly: glue very short fragments back on.
        if merged and (len(merged[-1]) < 12 or re.search(r"\b(?:bl\.a|f\.eks|jf|ca|nr|kap|pkt|mv|mm)\.$", merged[-1])):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged
