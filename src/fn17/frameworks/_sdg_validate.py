"""Schema and integrity checks for the SDG framework files (private to fn17.frameworks.sdg).

:func:`build_framework` reads ``sdg_goals.yaml``, ``sdg_targets.yaml`` and ``sdg_indicators.yaml``
from a folder, validates each entry against a pydantic schema, checks the whole (17 goals, 169
targets each under an existing goal, every indicator listing under an existing target, unique
codes and colours, declared counts) and collects every problem into one
:class:`~fn17.errors.DataFileError` that names file, entry, field and problem in bokmål and English.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fn17.errors import DataFileError
from fn17.frameworks.sdg import (
    COLOUR,
    GOALS_FILE,
    INDICATOR_CODE,
    INDICATORS_FILE,
    N_GOALS,
    N_TARGETS,
    TARGET_CODE,
    TARGETS_FILE,
    Goal,
    Indicator,
    Relevance,
    SdgFramework,
    Target,
    Texts,
    code_sort_key,
)

logger = logging.getLogger(__name__)

__all__ = ["build_framework"]


# --------------------------------------------------------------------------- #
# schema                                                                       #
# --------------------------------------------------------------------------- #
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _Texts3(_Strict):
    nb: str = Field(min_length=1)
    nn: str = Field(min_length=1)
    en: str = Field(min_length=1)


class _Reason(_Strict):
    nb: str = Field(min_length=1)
    en: str = Field(min_length=1)
    nn: str | None = Field(default=None, min_length=1)


class _GoalEntry(_Strict):
    number: int = Field(ge=1)
    colour: str = Field(pattern=COLOUR.pattern)
    short: _Texts3
    name: _Texts3
    description: _Texts3


class _TargetEntry(_Strict):
    code: str = Field(pattern=TARGET_CODE.pattern)
    title: _Texts3
    municipality: Relevance
    county: Relevance
    reason: _Reason


class _IndicatorEntry(_Strict):
    code: str = Field(pattern=INDICATOR_CODE.pattern)
    also: list[str] = Field(default_factory=list)
    title: _Texts3


class _IndicatorMeta(_Strict):
    listings: int = Field(ge=1)
    unique: int = Field(ge=1)


# --------------------------------------------------------------------------- #
# problems → DataFileError                                                     #
# --------------------------------------------------------------------------- #
_MESSAGES: dict[str, tuple[str, str]] = {
    "file_missing": (
        "fila finnes ikke i {folder}; mappa må ha {files}",
        "the file is missing from {folder}; the folder needs {files}",
    ),
    "not_text": ("kan ikke leses som UTF-8-tekst ({error})", "cannot be read as UTF-8 text ({error})"),
    "not_yaml": (
        "er ikke gyldig YAML{line_nb}; rett syntaksfeilen (ofte et innrykk eller et kolon i tekst uten anførselstegn)",
        "is not valid YAML{line_en}; fix the syntax error (often indentation or an unquoted colon in a text)",
    ),
    "no_list": (
        "må ha en liste under nøkkelen {key!r} på toppnivå",
        "must have a list under the top-level key {key!r}",
    ),
    "missing": ("mangler", "is missing"),
    "extra_forbidden": ("er et ukjent felt", "is not a known field"),
    "string_too_short": ("er tom", "is empty"),
    "literal_error": ("må være high, some eller low, ikke {value!r}", "must be high, some or low, not {value!r}"),
    "bad_colour": ("{value!r} er ikke en fargekode som #E5243B", "{value!r} is not a colour such as #E5243B"),
    "bad_code": ("{value!r} er ikke en gyldig kode", "{value!r} is not a valid code"),
    "unquoted": (
        "koden må stå i anførselstegn (YAML leser {value} som et tall)",
        "the code must be quoted (YAML reads {value} as a number)",
    ),
    "invalid": ("ugyldig verdi: {error}", "invalid value: {error}"),
    "goal_range": ("mål {n} finnes ikke (målene er 1–17)", "goal {n} does not exist (the goals are 1–17)"),
    "goal_twice": ("mål {n} står to ganger", "goal {n} appears twice"),
    "colour_twice": (
        "fargen {colour} er allerede brukt av mål {other}",
        "the colour {colour} is already used by goal {other}",
    ),
    "goals_missing": (
        "mangler mål {codes}; alle 17 mål må være med",
        "goals {codes} are missing; all 17 goals are required",
    ),
    "unknown_goal": (
        "delmålet hører til mål {n}, som ikke finnes i " + GOALS_FILE,
        "the target belongs to goal {n}, which is not in " + GOALS_FILE,
    ),
    "target_twice": ("delmål {code} står to ganger", "target {code} appears twice"),
    "target_count": (
        "fila har {n} ulike delmål; rammeverket har " + str(N_TARGETS),
        "the file has {n} distinct targets; the framework has " + str(N_TARGETS),
    ),
    "unknown_target": (
        "indikator {code} hører til delmål {target}, som ikke finnes i " + TARGETS_FILE,
        "indicator {code} belongs to target {target}, which is not in " + TARGETS_FILE,
    ),
    "code_twice": (
        "koden {code} er allerede brukt av indikator {other}",
        "the code {code} is already used by indicator {other}",
    ),
    "primary_not_first": (
        "hovedkoden må være den første i offisiell rekkefølge; bytt med en kode under also",
        "the primary code must come first in official order; swap it with a code under also",
    ),
    "meta_unique": (
        "fila har {n} unike indikatorer, men meta.unique sier {meta}",
        "the file has {n} unique indicators, but meta.unique says {meta}",
    ),
    "meta_listings": (
        "fila har {n} indikatorkoder, men meta.listings sier {meta}",
        "the file has {n} indicator codes, but meta.listings says {meta}",
    ),
}


@dataclass
class _Problems:
    """Every problem found while loading, so one error can list them all."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, file: str, entry: str, field_: str, msg: str, /, **values: Any) -> None:
        nb, en = _MESSAGES[msg]
        self.items.append(
            {
                "file": file,
                "entry": entry,
                "field": field_,
                "message": nb.format(**values),
                "message_en": en.format(**values),
            }
        )

    def raise_if_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]
        entry_nb = f", oppføring {first['entry']}" if first["entry"] else ""
        entry_en = f", entry {first['entry']}" if first["entry"] else ""
        field_nb = f", felt {first['field']}" if first["field"] else ""
        field_en = f", field {first['field']}" if first["field"] else ""
        more = len(self.items) - 1
        more_nb = f" (og {more} feil til)" if more else ""
        more_en = f" (and {more} more)" if more else ""
        raise DataFileError(
            f"SDG-rammeverket, fil {first['file']}{entry_nb}{field_nb}: {first['message']}{more_nb}.",
            message_en=f"SDG framework, file {first['file']}{entry_en}{field_en}: {first['message_en']}{more_en}.",
            hint="Rett fila; alle feilene står i details.problems.",
            hint_en="Correct the file; every problem is listed in details.problems.",
            details={"file": first["file"], "entry": first["entry"], "field": first["field"], "problems": self.items},
        )


def _pydantic_problem(err: Mapping[str, Any], value: Any) -> tuple[str, dict[str, Any]]:
    """The message key and values for one pydantic error."""
    kind = str(err.get("type", ""))
    field_name = str(err["loc"][-1]) if err.get("loc") else ""
    if kind in ("missing", "extra_forbidden", "string_too_short", "literal_error"):
        return kind, {"value": value}
    if kind == "string_pattern_mismatch":
        return ("bad_colour" if field_name == "colour" else "bad_code"), {"value": value}
    if kind == "string_type" and isinstance(value, float):
        return "unquoted", {"value": value}
    return "invalid", {"error": err.get("msg", "")}


def _dig(raw: Any, loc: Iterable[Any]) -> Any:
    node = raw
    for part in loc:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def _read_yaml(path: Path, key: str, problems: _Problems) -> dict[str, Any] | None:
    """Read one framework file; return the document (with a list under ``key``) or record a problem."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        files = f"{GOALS_FILE}, {TARGETS_FILE}, {INDICATORS_FILE}"
        problems.add(path.name, "", "", "file_missing", folder=path.parent, files=files)
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path.name, "", "", "not_text", error=exc)
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line_nb = f" på linje {mark.line + 1}" if mark is not None else ""
        line_en = f" on line {mark.line + 1}" if mark is not None else ""
        problems.add(path.name, "", "", "not_yaml", line_nb=line_nb, line_en=line_en)
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        problems.add(path.name, "", key, "no_list", key=key)
        return None
    return doc


_M = TypeVar("_M", bound=BaseModel)


def _validate_entries(
    entries: list[Any], model: type[_M], file: str, id_key: str, problems: _Problems, *, label: str | None = None
) -> list[_M]:
    good: list[_M] = []
    for i, raw in enumerate(entries):
        entry = label or (str(raw[id_key]) if isinstance(raw, dict) and raw.get(id_key) is not None else f"nr. {i + 1}")
        try:
            good.append(model.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                key, values = _pydantic_problem(err, _dig(raw, err["loc"]))
                problems.add(file, entry, ".".join(str(p) for p in err["loc"]), key, **values)
    return good


# --------------------------------------------------------------------------- #
# integrity                                                                    #
# --------------------------------------------------------------------------- #
def _check_goals(goals: list[_GoalEntry], problems: _Problems) -> None:
    seen: set[int] = set()
    colours: dict[str, int] = {}
    for g in goals:
        if g.number > N_GOALS:
            problems.add(GOALS_FILE, str(g.number), "number", "goal_range", n=g.number)
        if g.number in seen:
            problems.add(GOALS_FILE, str(g.number), "number", "goal_twice", n=g.number)
        seen.add(g.number)
        other = colours.setdefault(g.colour.upper(), g.number)
        if other != g.number:
            problems.add(GOALS_FILE, str(g.number), "colour", "colour_twice", colour=g.colour, other=other)
    missing = sorted(set(range(1, N_GOALS + 1)) - seen)
    if missing:
        problems.add(GOALS_FILE, "", "goals", "goals_missing", codes=", ".join(map(str, missing)))


def _check_targets(targets: list[_TargetEntry], goal_numbers: set[int], problems: _Problems) -> None:
    seen: set[str] = set()
    for t in targets:
        goal = int(t.code.split(".")[0])
        if goal not in goal_numbers:
            problems.add(TARGETS_FILE, t.code, "code", "unknown_goal", n=goal)
        if t.code in seen:
            problems.add(TARGETS_FILE, t.code, "code", "target_twice", code=t.code)
        seen.add(t.code)
    if len(seen) != N_TARGETS:
        problems.add(TARGETS_FILE, "", "targets", "target_count", n=len(seen))


def _check_indicators(
    indicators: list[_IndicatorEntry], meta: _IndicatorMeta | None, target_codes: set[str], problems: _Problems
) -> None:
    seen: dict[str, str] = {}
    for ind in indicators:
        for code in [ind.code, *ind.also]:
            where = "code" if code == ind.code else "also"
            if not INDICATOR_CODE.match(code):
                problems.add(INDICATORS_FILE, ind.code, where, "bad_code", value=code)
                continue
            target = code.rsplit(".", 1)[0]
            if target not in target_codes:
                problems.add(INDICATORS_FILE, ind.code, where, "unknown_target", code=code, target=target)
            if code in seen:
                problems.add(INDICATORS_FILE, ind.code, where, "code_twice", code=code, other=seen[code])
            else:
                seen[code] = ind.code
        if sorted([ind.code, *ind.also], key=code_sort_key)[0] != ind.code:
            problems.add(INDICATORS_FILE, ind.code, "code", "primary_not_first")
    if meta is not None and len(indicators) != meta.unique:
        problems.add(INDICATORS_FILE, "", "meta.unique", "meta_unique", n=len(indicators), meta=meta.unique)
    if meta is not None and len(seen) != meta.listings:
        problems.add(INDICATORS_FILE, "", "meta.listings", "meta_listings", n=len(seen), meta=meta.listings)


def build_framework(folder: Path) -> SdgFramework:
    """Read, validate and assemble the framework in ``folder``; raise DataFileError on any problem."""
    problems = _Problems()
    goal_doc = _read_yaml(folder / GOALS_FILE, "goals", problems)
    target_doc = _read_yaml(folder / TARGETS_FILE, "targets", problems)
    ind_doc = _read_yaml(folder / INDICATORS_FILE, "indicators", problems)
    problems.raise_if_any()
    assert goal_doc is not None and target_doc is not None and ind_doc is not None  # else raised above
    goal_entries, target_entries, ind_entries = goal_doc["goals"], target_doc["targets"], ind_doc["indicators"]

    goals = _validate_entries(goal_entries, _GoalEntry, GOALS_FILE, "number", problems)
    targets = _validate_entries(target_entries, _TargetEntry, TARGETS_FILE, "code", problems)
    indicators = _validate_entries(ind_entries, _IndicatorEntry, INDICATORS_FILE, "code", problems)
    meta: _IndicatorMeta | None = None
    if "meta" in ind_doc:
        metas = _validate_entries([ind_doc["meta"]], _IndicatorMeta, INDICATORS_FILE, "", problems, label="meta")
        meta = metas[0] if metas else None
    problems.raise_if_any()

    _check_goals(goals, problems)
    _check_targets(targets, {g.number for g in goals}, problems)
    _check_indicators(indicators, meta, {t.code for t in targets}, problems)
    problems.raise_if_any()

    digest = hashlib.sha256()
    for name in (GOALS_FILE, TARGETS_FILE, INDICATORS_FILE):
        digest.update((folder / name).read_bytes())
    framework = SdgFramework(
        goals=tuple(
            Goal(
                number=g.number,
                colour=g.colour.upper(),
                short_names=Texts(g.short.nb, g.short.nn, g.short.en),
                names=Texts(g.name.nb, g.name.nn, g.name.en),
                descriptions=Texts(g.description.nb, g.description.nn, g.description.en),
            )
            for g in sorted(goals, key=lambda g: g.number)
        ),
        targets=tuple(
            Target(
                code=t.code,
                goal=int(t.code.split(".")[0]),
                titles=Texts(t.title.nb, t.title.nn, t.title.en),
                relevance_municipal=t.municipality,
                relevance_county=t.county,
                reasons=Texts(t.reason.nb, t.reason.nn or "", t.reason.en),
            )
            for t in sorted(targets, key=lambda t: code_sort_key(t.code))
        ),
        indicators=tuple(
            Indicator(
                code=i.code,
                listed_as=tuple(sorted([i.code, *i.also], key=code_sort_key)),
                titles=Texts(i.title.nb, i.title.nn, i.title.en),
            )
            for i in sorted(indicators, key=lambda i: code_sort_key(i.code))
        ),
        version=f"sdg-{digest.hexdigest()[:12]}",
        source=folder,
    )
    logger.info(
        "SDG framework loaded from %s: %d goals, %d targets, %d indicators (%d listings), version %s",
        folder,
        len(framework.goals),
        len(framework.targets),
        len(framework.indicators),
        framework.n_listings,
        framework.version,
    )
    return framework
