"""Import the full official SDG texts from open-sdg translation files.

The open-sdg project (open-sdg/sdg-translations) keeps the official goal, target and indicator
texts per language in three YAML files: ``global_goals.yml`` (keys ``1-title``, ``1-short``),
``global_targets.yml`` (``1-1-title``, ``1-a-title``) and ``global_indicators.yml``
(``1-1-1-title``). FN17 writes its own short titles (``fn17.frameworks.sdg``); this module reads
the official long texts beside them, the way a user would give FN17 a folder they downloaded.

:func:`read_opensdg_texts` checks every code against the SDG framework: codes the framework does
not have (in the English file, five indicators the 2020 review deleted or renumbered) are
reported in :attr:`OfficialTexts.unknown`, framework codes without a text in
:attr:`OfficialTexts.missing`, and identical texts under different goals or targets (a sign of a
faulty translation) in :attr:`OfficialTexts.duplicates`. A file that is missing, not YAML, or not
a key–text table raises :class:`~fn17.errors.DataFileError` naming the file and what to do.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from fn17.errors import DataFileError, InvalidInputError, NotFoundError
from fn17.frameworks.sdg import SdgFramework, code_sort_key, load_sdg

logger = logging.getLogger(__name__)

GOALS_FILE = "global_goals.yml"
TARGETS_FILE = "global_targets.yml"
INDICATORS_FILE = "global_indicators.yml"
FILES = (GOALS_FILE, TARGETS_FILE, INDICATORS_FILE)

LANG_PATTERN = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")
_PART = r"(?:[1-9][0-9]?|[a-z])"
GOAL_KEY = re.compile(r"^([1-9][0-9]?)-(title|short)$")
TARGET_KEY = re.compile(rf"^([1-9][0-9]?)-({_PART})-title$")
INDICATOR_KEY = re.compile(rf"^([1-9][0-9]?)-({_PART})-([1-9][0-9]?)-title$")

__all__ = ["OfficialTexts", "read_opensdg_texts"]


@dataclass(frozen=True)
class OfficialTexts:
    """The official texts of one language, by FN17 code (``"1"``, ``"1.a"``, ``"11.5.1"``).

    Only codes the SDG framework knows are in ``goals``, ``goal_short``, ``targets`` and
    ``indicators`` (indicators by every listing code); the rest are in ``unknown``.
    """

    lang: str
    folder: Path
    goals: Mapping[str, str]
    goal_short: Mapping[str, str]
    targets: Mapping[str, str]
    indicators: Mapping[str, str]
    unknown: Mapping[str, str]
    missing: tuple[str, ...]
    ignored_keys: tuple[str, ...]
    duplicates: tuple[tuple[str, ...], ...]

    def goal(self, number: int | str) -> str:
        return self._get(self.goals, str(number).strip(), "mål", "goal")

    def target(self, code: str) -> str:
        return self._get(self.targets, code.strip().lower(), "delmål", "target")

    def indicator(self, code: str) -> str:
        return self._get(self.indicators, code.strip().lower(), "indikator", "indicator")

    def _get(self, mapping: Mapping[str, str], code: str, kind_nb: str, kind_en: str) -> str:
        text = mapping.get(code)
        if text is not None:
            return text
        raise NotFoundError(
            f"De offisielle tekstene ({self.lang}, {self.folder}) har ingen tekst for {kind_nb} {code}.",
            message_en=f"The official texts ({self.lang}, {self.folder}) have no text for {kind_en} {code}.",
            hint="Bruk FN17s korttittel, eller les inn en nyere utgave av open-sdg-filene.",
            hint_en="Use FN17's short title, or import a newer edition of the open-sdg files.",
            details={"code": code, "lang": self.lang},
        )


def _locate(folder: Path, lang: str) -> Path:
    """The folder that holds the three files: ``folder`` itself or ``folder/<lang>``."""
    candidates = [folder, folder / lang]
    if "_" not in lang and "-" not in lang:
        candidates += sorted(p for p in folder.glob(f"{lang}_*") if p.is_dir()) if folder.is_dir() else []
    for candidate in candidates:
        if (candidate / GOALS_FILE).is_file():
            return candidate
    raise DataFileError(
        f"Fant ikke {GOALS_FILE} i {folder} eller {folder / lang}.",
        message_en=f"{GOALS_FILE} was not found in {folder} or {folder / lang}.",
        hint=(
            f"Oppgi mappa med {', '.join(FILES)} for språket, f.eks. translations/{lang} "
            "i en nedlastet kopi av open-sdg/sdg-translations."
        ),
        hint_en=(
            f"Give the folder with {', '.join(FILES)} for the language, e.g. translations/{lang} "
            "in a downloaded copy of open-sdg/sdg-translations."
        ),
        details={"file": str(folder / GOALS_FILE), "lang": lang},
    )


def _read(path: Path) -> dict[str, str]:
    """One open-sdg file as key → text; every defect raises DataFileError naming the file."""
    if not path.is_file():
        raise DataFileError(
            f"Fila {path.name} mangler i {path.parent}.",
            message_en=f"The file {path.name} is missing from {path.parent}.",
            hint=f"Mappa må ha alle tre filene: {', '.join(FILES)}.",
            hint_en=f"The folder must hold all three files: {', '.join(FILES)}.",
            details={"file": str(path)},
        )
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"Fila {path} er ikke UTF-8-kodet tekst.",
            message_en=f"The file {path} is not UTF-8 encoded text.",
            hint="Lagre fila som UTF-8, eller last den ned på nytt fra open-sdg/sdg-translations.",
            hint_en="Save the file as UTF-8, or download it again from open-sdg/sdg-translations.",
            details={"file": str(path)},
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        where_nb = f" (linje {line})" if line else ""
        where_en = f" (line {line})" if line else ""
        raise DataFileError(
            f"Fila {path} er ikke gyldig YAML{where_nb}.",
            message_en=f"The file {path} is not valid YAML{where_en}.",
            hint=(
                "Rett linjen (tekster med kolon eller anførselstegn må stå i anførselstegn), "
                "eller last fila ned på nytt fra open-sdg/sdg-translations."
            ),
            hint_en=(
                "Fix the line (texts with a colon or quotes must be quoted), "
                "or download the file again from open-sdg/sdg-translations."
            ),
            details={"file": str(path), "line": line},
        ) from exc
    except OSError as exc:
        raise DataFileError(
            f"Fila {path} kan ikke leses: {exc}.",
            message_en=f"The file {path} cannot be read: {exc}.",
            hint="Kontroller at fila finnes og kan leses.",
            hint_en="Check that the file exists and is readable.",
            details={"file": str(path)},
        ) from exc
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise DataFileError(
            f"Fila {path} må være en tabell av nøkler og tekster (som «1-1-title: …»), ikke {type(doc).__name__}.",
            message_en=f"The file {path} must be a table of keys and texts (like '1-1-title: …'), not {type(doc).__name__}.",
            hint="Kontroller at det er en open-sdg-oversettelsesfil.",
            hint_en="Check that it is an open-sdg translation file.",
            details={"file": str(path)},
        )
    texts: dict[str, str] = {}
    for key, value in doc.items():
        if isinstance(value, (dict, list)):
            raise DataFileError(
                f"Fila {path}: nøkkelen {key!r} har en liste eller tabell der det skal stå en tekst.",
                message_en=f"The file {path}: the key {key!r} holds a list or table where a text belongs.",
                hint="Hver nøkkel skal ha én tekst; rett linjen eller last fila ned på nytt.",
                hint_en="Each key takes one text; fix the entry or download the file again.",
                details={"file": str(path), "key": str(key)},
            )
        texts[str(key)] = "" if value is None else " ".join(str(value).split())
    return texts


def _find_duplicates(texts: Mapping[str, str], same: Mapping[str, str] | None = None) -> list[tuple[str, ...]]:
    """Groups of codes with identical, non-empty text; ``same`` maps codes that legitimately
    share a text (repeated indicators) to one key."""
    groups: dict[str, list[str]] = {}
    for code, text in texts.items():
        if text:
            groups.setdefault(text.casefold(), []).append(code)
    found: list[tuple[str, ...]] = []
    for codes in groups.values():
        distinct = {same.get(c, c) if same else c for c in codes}
        if len(distinct) > 1:
            found.append(tuple(sorted(codes, key=code_sort_key)))
    return found


def read_opensdg_texts(
    folder: Path, lang: str, *, framework: SdgFramework | None = None, strict: bool = False
) -> OfficialTexts:
    """Read the official goal, target and indicator texts for ``lang`` from an open-sdg folder.

    ``folder`` is the language folder itself (``translations/en``) or its parent
    (``translations``, with ``lang`` naming the subfolder). Codes are checked against
    ``framework`` (FN17's own by default). With ``strict=True`` any unknown or missing code
    raises DataFileError; otherwise they are reported on the result and logged.
    """
    if not LANG_PATTERN.match(lang):
        raise InvalidInputError(
            f"Språkkoden {lang!r} er ikke gyldig.",
            message_en=f"The language code {lang!r} is not valid.",
            hint="Bruk koden i open-sdg, f.eks. en, nb_NO eller nn_NO.",
            hint_en="Use the open-sdg code, e.g. en, nb_NO or nn_NO.",
            details={"lang": lang},
        )
    fw = framework or load_sdg()
    where = _locate(folder, lang)
    raw = {name: _read(where / name) for name in FILES}

    goals: dict[str, str] = {}
    goal_short: dict[str, str] = {}
    targets: dict[str, str] = {}
    indicators: dict[str, str] = {}
    unknown: dict[str, str] = {}
    ignored: list[str] = []
    goal_numbers = {g.code for g in fw.goals}

    for key, text in raw[GOALS_FILE].items():
        m = GOAL_KEY.match(key)
        if m is None:
            ignored.append(f"{GOALS_FILE}:{key}")
        elif m.group(1) not in goal_numbers:
            unknown[m.group(1)] = text
        elif text:
            (goals if m.group(2) == "title" else goal_short)[m.group(1)] = text
    for key, text in raw[TARGETS_FILE].items():
        m = TARGET_KEY.match(key)
        if m is None:
            ignored.append(f"{TARGETS_FILE}:{key}")
            continue
        code = f"{m.group(1)}.{m.group(2)}"
        if not fw.has_code(code) or code.count(".") != 1:
            unknown[code] = text
        elif text:
            targets[code] = text
    for key, text in raw[INDICATORS_FILE].items():
        m = INDICATOR_KEY.match(key)
        if m is None:
            ignored.append(f"{INDICATORS_FILE}:{key}")
            continue
        code = f"{m.group(1)}.{m.group(2)}.{m.group(3)}"
        if not fw.has_code(code):
            unknown[code] = text
        elif text:
            indicators[code] = text

    expected = [g.code for g in fw.goals] + [t.code for t in fw.targets]
    expected += sorted({c for i in fw.indicators for c in i.listed_as}, key=code_sort_key)
    have = goals.keys() | targets.keys() | indicators.keys()
    missing = tuple(c for c in expected if c not in have)
    repeated = {c: i.code for i in fw.indicators for c in i.listed_as}
    duplicates = _find_duplicates(goals) + _find_duplicates(targets) + _find_duplicates(indicators, repeated)
    result = OfficialTexts(
        lang=lang,
        folder=where,
        goals=dict(sorted(goals.items(), key=lambda kv: int(kv[0]))),
        goal_short=dict(sorted(goal_short.items(), key=lambda kv: int(kv[0]))),
        targets=dict(sorted(targets.items(), key=lambda kv: code_sort_key(kv[0]))),
        indicators=dict(sorted(indicators.items(), key=lambda kv: code_sort_key(kv[0]))),
        unknown=dict(sorted(unknown.items(), key=lambda kv: code_sort_key(kv[0]))),
        missing=missing,
        ignored_keys=tuple(ignored),
        duplicates=tuple(duplicates),
    )
    if result.unknown:
        logger.warning(
            "open-sdg texts %s (%s): %d codes are not in the SDG framework and were left out: %s",
            where,
            lang,
            len(result.unknown),
            ", ".join(result.unknown),
        )
    if missing:
        logger.warning(
            "open-sdg texts %s (%s): no text for %d codes: %s", where, lang, len(missing), ", ".join(missing)
        )
    if duplicates:
        logger.warning(
            "open-sdg texts %s (%s): identical texts under different codes (check the translation): %s",
            where,
            lang,
            "; ".join(" = ".join(group) for group in duplicates),
        )
    if strict and (result.unknown or missing):
        raise DataFileError(
            f"De offisielle tekstene i {where} passer ikke til SDG-rammeverket: "
            f"{len(result.unknown)} ukjente koder ({', '.join(list(result.unknown)[:5])}), "
            f"{len(missing)} koder uten tekst ({', '.join(missing[:5])}).",
            message_en=f"The official texts in {where} do not match the SDG framework: "
            f"{len(result.unknown)} unknown codes ({', '.join(list(result.unknown)[:5])}), "
            f"{len(missing)} codes without text ({', '.join(missing[:5])}).",
            hint="Bruk en utgave av open-sdg-filene som følger den gjeldende indikatorlisten, eller les inn uten streng kontroll.",
            hint_en="Use an edition of the open-sdg files that follows the current indicator list, or import without strict checking.",
            details={"file": str(where), "unknown": list(result.unknown), "missing": list(missing)},
        )
    logger.info(
        "open-sdg texts %s (%s): %d goals, %d targets, %d indicator listings",
        where,
        lang,
        len(result.goals),
        len(result.targets),
        len(result.indicators),
    )
    return result
