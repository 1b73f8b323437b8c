"""Finding regions by number or name: case- and diacritic-insensitive, old names included."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from fn17.regions.models import Region

# Letters that Unicode does not decompose into a base letter plus a mark.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "đ": "d", "ŋ": "n", "ŧ": "t", "ß": "ss", "ð": "d", "þ": "th"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, strip accents and Norwegian/Sami letters to ASCII, and collapse the rest:
    "Ålesund", "alesund" and "Aalesund" all fold to "alesund"; "Kárášjohka" to "karasjohka"."""
    text = text.casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("aa", "a").replace("oe", "o")
    return _NON_WORD.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Entry:
    """One region version with its searchable names, folded once at load."""

    region: Region
    names: tuple[str, ...]
    words: tuple[str, ...]


def make_entry(region: Region) -> Entry:
    names = {fold(region.name), fold(region.name_nb), *(fold(n) for n in region.other_names.values())}
    words = {w for n in names for w in n.split()}
    return Entry(region=region, names=tuple(sorted(names)), words=tuple(sorted(words)))


EXACT_CODE, EXACT_NAME, NAME_PREFIX, WORD_PREFIX, CODE_PREFIX, SUBSTRING = 100, 90, 75, 65, 60, 50


def score(entry: Entry, query: str, digits: bool) -> int:
    """How well ``entry`` matches the folded ``query`` (0: not at all)."""
    if digits:
        code = entry.region.code
        if code == query:
            return EXACT_CODE
        if code.startswith(query):
            return CODE_PREFIX - (len(code) - len(query))
        return 0
    best = 0
    for name in entry.names:
        if name == query:
            return EXACT_NAME
        if name.startswith(query):
            best = max(best, NAME_PREFIX)
        elif query in name:
            best = max(best, SUBSTRING)
    if best < WORD_PREFIX and any(w.startswith(query) for w in entry.words):
        best = WORD_PREFIX
    return best


def fuzzy(entries: Iterable[Entry], query: str, cutoff: float = 0.75) -> dict[int, float]:
    """Close spellings (index of entry → similarity) for a query that matched nothing exactly."""
    out: dict[int, float] = {}
    for i, entry in enumerate(entries):
        best = 0.0
        for candidate in (*entry.names, *entry.words):
            m = difflib.SequenceMatcher(None, query, candidate)
            if m.real_quick_ratio() >= cutoff and m.quick_ratio() >= cutoff:
                best = max(best, m.ratio())
        if best >= cutoff:
            out[i] = best
    return out


def near_codes(code: str, known: Iterable[str], limit: int = 5) -> list[str]:
    """Codes of the same length that differ from ``code`` in one digit or by swapped neighbours."""
    out: list[str] = []
    for k in sorted(known):
        if len(k) != len(code) or k == code:
            continue
        diff = [i for i, (a, b) in enumerate(zip(k, code, strict=True)) if a != b]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and k[diff[0]] == code[diff[1]] and k[diff[1]] == code[diff[0]]
        if len(diff) == 1 or swapped:
            out.append(k)
    return out[:limit]
