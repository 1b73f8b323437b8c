"""Interface strings of the coverage report in bokmål, nynorsk and English."""

from __future__ import annotations

from typing import Literal

Lang = Literal["nb", "nn", "en"]

_STRINGS: dict[str, tuple[str, str, str]] = {
    # key: (nb, nn, en)
    "title": ("Bærekraftsmål i planen", "Berekraftsmål i planen", "SDGs in the plan"),
    "document": ("Dokument", "Dokument", "Document"),
    "pages": ("sider", "sider", "pages"),
    "passages": ("avsnitt", "avsnitt", "passages"),
    "sections": ("kapitler og underkapitler", "kapittel og underkapittel", "sections"),
    "language": ("språk", "språk", "language"),
    "method": ("Metode", "Metode", "Method"),
    "embedded": ("avsnitt vurdert med språkmodell", "avsnitt vurderte med språkmodell", "passages scored with the language model"),
    "goal": ("Mål", "Mål", "Goal"),
    "status": ("Dekning", "Dekning", "Coverage"),
    "share": ("Andel avsnitt", "Del av avsnitta", "Share of passages"),
    "strongest": ("Sterkeste treff", "Sterkaste treff", "Strongest passages"),
    "where": ("Hvor", "Kvar", "Where"),
    "page": ("s.", "s.", "p."),
    "section": ("Kapittel", "Kapittel", "Section"),
    "status_broad": ("bred", "brei", "broad"),
    "status_some": ("noe", "noko", "some"),
    "status_mentioned": ("nevnt", "nemnd", "mentioned"),
    "status_absent": ("ikke dekket", "ikkje dekt", "not addressed"),
    "not_addressed": ("Mål planen ikke dekker", "Mål planen ikkje dekkjer", "Goals the plan does not address"),
    "none_missing": ("Planen berører alle de 17 målene.", "Planen rører ved alle dei 17 måla.", "The plan touches all 17 goals."),
    "targets_missing": (
        "Delmål med høy relevans for kommuner som planen ikke omtaler",
        "Delmål med høg relevans for kommunar som planen ikkje omtalar",
        "High-relevance targets the plan does not address",
    ),
    "matrix": ("Mål × kapittel (antall avsnitt)", "Mål × kapittel (tal på avsnitt)", "Goal × section (number of passages)"),
    "plan_goals": ("Planens mål og forslag til indikatorer", "Måla i planen og forslag til indikatorar", "Plan goals and suggested indicators"),
    "indicators": ("Indikatorer", "Indikatorar", "Indicators"),
    "no_indicators": ("ingen forslag i katalogen", "ingen forslag i katalogen", "no suggestion in the catalogue"),
    "no_catalogue": (
        "Ingen indikatorkatalog var koblet til analysen.",
        "Ingen indikatorkatalog var kopla til analysen.",
        "No indicator catalogue was connected to the analysis.",
    ),
    "evidence": ("Belegg", "Belegg", "Evidence"),
    "terms": ("ord", "ord", "words"),
    "nearest": ("nærmeste beskrivelse", "nærmaste skildring", "nearest description"),
    "score": ("skår", "skår", "score"),
    "notices": ("Merknader", "Merknader", "Notes"),
    "targets": ("Delmål", "Delmål", "Targets"),
    "total": ("Totalt", "Totalt", "Total"),
    "goal_addressed_target_not": ("målet omtales, men ikke dette delmålet", "målet er omtalt, men ikkje dette delmålet", "the goal is addressed, but not this target"),
    "seconds": ("sekunder", "sekund", "seconds"),
    "more": ("flere", "fleire", "more"),
    "lang_nb": ("bokmål", "bokmål", "Norwegian Bokmål"),
    "lang_nn": ("nynorsk", "nynorsk", "Norwegian Nynorsk"),
    "lang_en": ("engelsk", "engelsk", "English"),
}


def t(key: str, lang: Lang) -> str:
    nb, nn, en = _STRINGS[key]
    return {"nb": nb, "nn": nn, "en": en}[lang]


def number(value: float, lang: Lang, decimals: int = 0) -> str:
    """``12 345,6`` in Norwegian, ``12,345.6`` in English."""
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", " ").replace(".", ",")


def percent(value: float, lang: Lang, decimals: int = 0) -> str:
    return f"{number(100 * value, lang, decimals)} %" if lang != "en" else f"{number(100 * value, lang, decimals)}%"
