"""User-facing words of the scoring methods: colours, trend classes, bands, notes.

Every code the scoring functions put in a DataFrame (``colour``, ``trend``,
``band``, ``note``) has a symbol and a label in bokmål, nynorsk and English
here, so that a colour is never the only carrier of meaning (colour-blind
readers, screen readers, printed reports in black and white).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from fn17.errors import InvalidInputError

LANGUAGES: Final = ("nb", "nn", "en")

#: Dashboard colours, best first. Symbol, hex colour and label per language.
COLOURS: Final[dict[str, dict[str, str]]] = {
    "green": {
        "symbol": "✔",
        "hex": "#1a7f37",
        "nb": "Mål nådd",
        "nn": "Mål nådd",
        "en": "Target achieved",
    },
    "yellow": {
        "symbol": "!",
        "hex": "#f2c200",
        "nb": "Utfordringer gjenstår",
        "nn": "Utfordringar står att",
        "en": "Challenges remain",
    },
    "orange": {
        "symbol": "!!",
        "hex": "#e86f00",
        "nb": "Betydelige utfordringer",
        "nn": "Betydelege utfordringar",
        "en": "Significant challenges",
    },
    "red": {
        "symbol": "✖",
        "hex": "#c8102e",
        "nb": "Store utfordringer",
        "nn": "Store utfordringar",
        "en": "Major challenges",
    },
}
NO_COLOUR: Final[dict[str, str]] = {
    "symbol": "–",
    "hex": "#9e9e9e",
    "nb": "Ikke vurdert (mangler data eller terskler)",
    "nn": "Ikkje vurdert (manglar data eller tersklar)",
    "en": "Not assessed (no data or thresholds)",
}

#: Trend classes (SDSN trend dashboards), best first.
TRENDS: Final[dict[str, dict[str, str]]] = {
    "on_track": {
        "arrow": "↑",
        "nb": "I rute eller mål nådd",
        "nn": "I rute eller mål nådd",
        "en": "On track or target achieved",
    },
    "moderately_improving": {
        "arrow": "↗",
        "nb": "Moderat forbedring",
        "nn": "Moderat forbetring",
        "en": "Moderately improving",
    },
    "stagnating": {
        "arrow": "→",
        "nb": "Stagnerer",
        "nn": "Stagnerer",
        "en": "Stagnating",
    },
    "decreasing": {
        "arrow": "↓",
        "nb": "Går i feil retning",
        "nn": "Går i feil retning",
        "en": "Decreasing",
    },
    "insufficient_data": {
        "arrow": "•",
        "nb": "Ingen trend: for få år med data",
        "nn": "Ingen trend: for få år med data",
        "en": "No trend: too few years of data",
    },
}

#: U4SSC performance bands ("% of target"), best first, with their points.
BANDS: Final[dict[str, dict[str, str]]] = {
    "95+": {
        "points": "4",
        "nb": "Minst 95 % av målet",
        "nn": "Minst 95 % av målet",
        "en": "95+ % of target",
    },
    "66-95": {
        "points": "3",
        "nb": "66–95 % av målet",
        "nn": "66–95 % av målet",
        "en": "66–95 % of target",
    },
    "33-66": {
        "points": "2",
        "nb": "33–66 % av målet",
        "nn": "33–66 % av målet",
        "en": "33–66 % of target",
    },
    "0-33": {
        "points": "1",
        "nb": "Under 33 % av målet",
        "nn": "Under 33 % av målet",
        "en": "0–33 % of target",
    },
}

#: Why a unit, or one of its values, has no rank.
NOTES: Final[dict[str, dict[str, str]]] = {
    "ok": {"nb": "", "nn": "", "en": ""},
    "small_numbers": {
        "nb": "ikke rangert: for lite tallgrunnlag",
        "nn": "ikkje rangert: for lite talgrunnlag",
        "en": "not ranked: too few cases to support a rank",
    },
    "suppressed": {
        "nb": "ikke rangert: tallet er skjermet (prikket)",
        "nn": "ikkje rangert: talet er skjerma (prikka)",
        "en": "not ranked: the value is suppressed",
    },
    "missing_data": {
        "nb": "ingen indeks: mangler data for mer enn 20 % av indikatorene",
        "nn": "ingen indeks: manglar data for meir enn 20 % av indikatorane",
        "en": "no index: data missing for more than 20 % of the indicators",
    },
    "missing": {
        "nb": "mangler verdi",
        "nn": "manglar verdi",
        "en": "no value",
    },
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if FN17 speaks it, else raise :class:`InvalidInputError`."""
    if lang not in LANGUAGES:
        raise InvalidInputError(
            f"Språket «{lang}» finnes ikke; bruk nb, nn eller en.",
            message_en=f"Language '{lang}' is not available; use nb, nn or en.",
            details={"lang": lang, "allowed": list(LANGUAGES)},
        )
    return lang


def _lookup(codes: pd.Series, table: dict[str, dict[str, str]], key: str, missing: str) -> pd.Series:
    # Look up each distinct code once, then broadcast by integer codes (NaN/None → ``missing``).
    ints, uniques = pd.factorize(codes, use_na_sentinel=True)
    words = [table[u][key] if u in table else missing for u in uniques]
    lookup = np.array([*words, missing], dtype=object)
    return pd.Series(lookup[ints], index=codes.index, dtype=object)


def colour_symbols(colours: pd.Series) -> pd.Series:
    """The symbol of each colour code (``–`` where there is no colour)."""
    return _lookup(colours, COLOURS, "symbol", NO_COLOUR["symbol"])


def colour_texts(colours: pd.Series, lang: str) -> pd.Series:
    """The label of each colour code in ``lang``."""
    return _lookup(colours, COLOURS, check_lang(lang), NO_COLOUR[lang])


def trend_arrows(trends: pd.Series) -> pd.Series:
    """The arrow of each trend class."""
    return _lookup(trends, TRENDS, "arrow", TRENDS["insufficient_data"]["arrow"])


def trend_texts(trends: pd.Series, lang: str) -> pd.Series:
    """The label of each trend class in ``lang``."""
    return _lookup(trends, TRENDS, check_lang(lang), TRENDS["insufficient_data"][lang])


def band_texts(bands: pd.Series, lang: str) -> pd.Series:
    """The label of each U4SSC band in ``lang`` (empty where there is no band)."""
    return _lookup(bands, BANDS, check_lang(lang), "")


def note_texts(notes: pd.Series, lang: str) -> pd.Series:
    """The label of each note code in ``lang``."""
    return _lookup(notes, NOTES, check_lang(lang), "")


def colour_legend(lang: str = "nb") -> pd.DataFrame:
    """The four dashboard colours (and "no colour"), best first, with symbol, hex and label."""
    check_lang(lang)
    rows: list[dict[str, str | None]] = [
        {"colour": code, "symbol": e["symbol"], "hex": e["hex"], "label": e[lang]} for code, e in COLOURS.items()
    ]
    rows.append({"colour": None, "symbol": NO_COLOUR["symbol"], "hex": NO_COLOUR["hex"], "label": NO_COLOUR[lang]})
    return pd.DataFrame(rows, columns=["colour", "symbol", "hex", "label"])


def trend_legend(lang: str = "nb") -> pd.DataFrame:
    """The trend classes, best first, with arrow and label."""
    check_lang(lang)
    return pd.DataFrame(
        [{"trend": code, "arrow": e["arrow"], "label": e[lang]} for code, e in TRENDS.items()],
        columns=["trend", "arrow", "label"],
    )


def band_legend(lang: str = "nb") -> pd.DataFrame:
    """The U4SSC bands, best first, with points and label."""
    check_lang(lang)
    return pd.DataFrame(
        [{"band": code, "points": int(e["points"]), "label": e[lang]} for code, e in BANDS.items()],
        columns=["band", "points", "label"],
    )
