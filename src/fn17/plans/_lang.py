"""Tell bokmål, nynorsk and English apart by their most frequent little words."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Literal

Language = Literal["nb", "nn", "en"]

# Words that are frequent in one standard and rare or absent in the others.
_NB = (
    "ikke jeg hva hvordan hvor hvis fra også være vært bare mye noe noen hele hos sammen "
    "en et disse ble skulle blitt uten etter innbyggere innbyggerne økt økte flere hvert "
    "mange hennes deres kunne videre"
)
_NN = (
    "ikkje eg kva korleis kvar dersom frå òg vere vore berre mykje noko nokon heile hjå saman "
    "ein eit dei desse vart skulle utan etter innbyggjarar innbyggjarane auka auke fleire kvart "
    "mange hennar deira kunne vidare"
)
_EN = (
    "the and of to in is are was were that this these which for with by from on as be not "
    "or it its their have has been will should can"
)
_DISTINCT: dict[Language, frozenset[str]] = {
    "nb": frozenset(_NB.split()),
    "nn": frozenset(_NN.split()),
    "en": frozenset(_EN.split()),
}
# "etter", "skulle", "mange" and "kunne" are shared; drop shared words from both Norwegian lists.
_SHARED = _DISTINCT["nb"] & _DISTINCT["nn"]
_DISTINCT = {"nb": _DISTINCT["nb"] - _SHARED, "nn": _DISTINCT["nn"] - _SHARED, "en": _DISTINCT["en"]}
_WORD = re.compile(r"[a-zæøåé]+")


def detect_language(texts: Iterable[str], *, max_words: int = 20_000) -> Language:
    """The most likely of bokmål, nynorsk and English for a document (bokmål when unsure)."""
    counts: Counter[str] = Counter()
    seen = 0
    for text in texts:
        words = _WORD.findall(text.lower())
        counts.update(words)
        seen += len(words)
        if seen >= max_words:
            break
    score = {lang: sum(counts[w] for w in words) for lang, words in _DISTINCT.items()}
    norwegian = score["nb"] + score["nn"]
    if score["en"] > 2 * norwegian:
        return "en"
    return "nn" if score["nn"] > score["nb"] else "nb"
