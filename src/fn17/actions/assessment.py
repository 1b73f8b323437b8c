"""The maturity self-assessment: a yearly questionnaire, its profile, the change since the
previous year, and concrete next steps.

The questions are data (``data/assessment.yaml``, bokmål, nynorsk and English), read and
validated once. Every question is answered on a 0–3 scale; a dimension's score is its
mean answer as a share of 3 (0–100), and its stage follows from the score. A year's
assessment is a draft until it is completed (every question answered); the profile and
the change are computed from completed years. Next steps come from the answers (each
question's own step below level 3) and from the region's own data (``nextsteps``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import Engine, select

from fn17.actions import forms, records
from fn17.actions.actor import Actor
from fn17.actions.catalogue import region as region_facts
from fn17.actions.permissions import require_edit, require_read_private
from fn17.config import Lang
from fn17.errors import DataFileError, NotFoundError
from fn17.store.actions_tables import assessments

log = logging.getLogger(__name__)
QUESTIONS_FILE = Path(__file__).parent / "data" / "assessment.yaml"
KIND = records.Kind("assessment", "egenvurderingen", "the self-assessment", "year")
FIRST_YEAR = 2015


class Texts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    nb: str = Field(min_length=1)
    nn: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return str(getattr(self, lang))


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    level: int = Field(ge=0, le=3)
    label: Texts


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    start: float = Field(alias="from", ge=0, le=100)
    label: Texts


class Capability(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    url: str
    label: Texts


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z_]+\.[a-z_0-9]+$")
    text: Texts
    step: Texts
    capability: str


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z_]+$")
    name: Texts
    questions: tuple[Question, ...] = Field(min_length=1)


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    scale: tuple[Level, ...]
    stages: tuple[Stage, ...]
    capabilities: dict[str, Capability]
    dimensions: tuple[Dimension, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        if [lv.level for lv in self.scale] != [0, 1, 2, 3]:
            raise ValueError("scale must list levels 0, 1, 2, 3 in order")
        starts = [s.start for s in self.stages]
        if not starts or starts[0] != 0 or starts != sorted(starts):
            raise ValueError("stages must start at 0 and rise")
        ids = [q.id for d in self.dimensions for q in d.questions]
        if len(ids) != len(set(ids)):
            raise ValueError("question ids must be unique")
        for d in self.dimensions:
            for q in d.questions:
                if not q.id.startswith(d.id + "."):
                    raise ValueError(f"question {q.id} must start with its dimension id {d.id}.")
                if q.capability not in self.capabilities:
                    raise ValueError(f"question {q.id} names unknown capability {q.capability}")
        return self

    @property
    def questions(self) -> list[Question]:
        return [q for d in self.dimensions for q in d.questions]

    def stage(self, score: float, lang: Lang) -> str:
        label = self.stages[0].label.get(lang)
        for s in self.stages:
            if score >= s.start:
                label = s.label.get(lang)
        return label


@lru_cache(maxsize=4)
def load_questionnaire(path: Path = QUESTIONS_FILE) -> Questionnaire:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Questionnaire.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"Spørreskjemaet {path.name} kan ikke leses: {exc}", message_en=f"Cannot read the questionnaire {path.name}: {exc}") from exc
    except ValidationError as exc:
        raise DataFileError(f"Spørreskjemaet {path.name} er ugyldig: {exc}", message_en=f"The questionnaire {path.name} is invalid: {exc}") from exc


# --- answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    year: int
    answers: dict[str, int]
    notes: dict[str, str]
    complete: bool
    version: int | None


def parse(raw: forms.Raw, year: int, questionnaire: Questionnaire) -> Answers:
    """Answers from a form (``q:<id>`` = 0–3, ``note:<id>``); completing requires every answer."""
    p = forms.Problems("Egenvurderingen", "The self-assessment")
    this_year = date.today().year
    if not FIRST_YEAR <= year <= this_year + 1:
        p.add("year", f"året må være mellom {FIRST_YEAR} og {this_year + 1}", f"the year must be between {FIRST_YEAR} and {this_year + 1}")
    answers: dict[str, int] = {}
    notes: dict[str, str] = {}
    complete = forms.flag(raw, "complete", p, ("Fullfør", "Complete"))
    for q in questionnaire.questions:
        value = forms.first(raw, f"q:{q.id}")
        if value is not None and str(value).strip() != "":
            try:
                level = int(str(value).strip())
            except ValueError:
                level = -1
            if level not in (0, 1, 2, 3):
                p.add(f"q:{q.id}", f"svaret på «{q.text.nb}» må være 0, 1, 2 eller 3", f"the answer to “{q.text.en}” must be 0, 1, 2 or 3")
            else:
                answers[q.id] = level
        elif complete:
            p.add(f"q:{q.id}", f"svar på «{q.text.nb}» før du fullfører", f"answer “{q.text.en}” before completing")
        note = forms.text(raw, f"note:{q.id}", p, ("Kommentar", "Comment"), max_len=2000)
        if note:
            notes[q.id] = note
    unknown = [k for k in raw if k.startswith("q:") and k[2:] not in {q.id for q in questionnaire.questions}]
    for k in unknown:
        p.add(k, f"spørsmålet {k[2:]} finnes ikke i skjemaet", f"the question {k[2:]} is not in the questionnaire")
    version = forms.version(raw, p)
    p.raise_if_any()
    return Answers(year=year, answers=answers, notes=notes, complete=complete, version=version)


def save(engine: Engine, actor: Actor, region_code: str, year: int, raw: forms.Raw) -> int:
    """Save (and, with ``complete``, complete) a year's self-assessment; returns its id."""
    require_edit(engine, actor, region_code, KIND.entity, year)
    qn = load_questionnaire()
    data = parse(raw, year, qn)
    values: dict[str, Any] = {"year": year, "questionnaire": qn.version, "answers": data.answers, "notes": data.notes,
                              "completed": data.complete, "completed_at": datetime.now(UTC) if data.complete else None}
    with engine.begin() as conn:
        region_facts(conn, region_code)
        existing = conn.execute(select(assessments.c.id).where(assessments.c.region_code == region_code,
                                                               assessments.c.year == year)).scalar()
        if existing is None:
            return records.create(conn, assessments, KIND, actor, region_code, values)
        if data.version is None:
            p = forms.Problems("Egenvurderingen", "The self-assessment")
            p.add("version", f"egenvurderingen for {year} finnes allerede; last siden på nytt og lagre igjen",
                  f"the self-assessment for {year} already exists; reload the page and save again")
            p.raise_if_any()
        assert data.version is not None
        records.change(conn, assessments, KIND, actor, region_code, int(existing), data.version, values)
        return int(existing)


# --- profile and change ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    id: str
    text: str
    answer: int | None
    answer_label: str
    note: str


@dataclass(frozen=True)
class DimensionScore:
    id: str
    name: str
    score: float | None
    stage: str
    answered: int
    total: int
    previous: float | None
    change: float | None
    questions: list[QuestionView] = field(default_factory=list)


@dataclass(frozen=True)
class NextStep:
    source: str  # "answers" or "data"
    dimension: str
    text: str
    url: str
    label: str


@dataclass(frozen=True)
class YearSummary:
    year: int
    completed: bool
    overall: float | None
    scores: dict[str, float | None]


@dataclass(frozen=True)
class Profile:
    region_code: str
    region_name: str
    year: int | None
    completed: bool
    version: int | None
    questionnaire: str
    overall: float | None
    overall_stage: str
    previous_year: int | None
    overall_change: float | None
    dimensions: list[DimensionScore]
    steps: list[NextStep]
    history: list[YearSummary]
    scale: list[tuple[int, str]]


def _scores(qn: Questionnaire, answers: dict[str, int]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for d in qn.dimensions:
        given = [answers[q.id] for q in d.questions if q.id in answers]
        out[d.id] = round(100 * sum(given) / (3 * len(given)), 1) if given else None
    return out


def _overall(scores: dict[str, float | None]) -> float | None:
    given = [s for s in scores.values() if s is not None]
    return round(sum(given) / len(given), 1) if given else None


def _rows(engine: Engine, region_code: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(assessments).where(assessments.c.region_code == region_code)
                                              .order_by(assessments.c.year)).mappings()]


def history(engine: Engine, region_code: str) -> list[YearSummary]:
    qn = load_questionnaire()
    out = []
    for r in _rows(engine, region_code):
        scores = _scores(qn, {k: int(v) for k, v in (r["answers"] or {}).items()})
        out.append(YearSummary(r["year"], r["completed"], _overall(scores), scores))
    return out


def profile(engine: Engine, actor: Actor, region_code: str, year: int | None = None, lang: Lang = "nb") -> Profile:
    """The profile for ``year`` (default: the newest), compared with the newest completed year before it.

    Its steps are those drawn from the answers; ``nextsteps.data_steps`` adds those drawn from data."""
    require_read_private(engine, actor, region_code, KIND.entity)
    qn = load_questionnaire()
    with engine.connect() as conn:
        facts = region_facts(conn, region_code)
    rows = _rows(engine, region_code)
    row = None
    if year is None:
        row = rows[-1] if rows else None
    else:
        row = next((r for r in rows if r["year"] == year), None)
        if row is None and year not in range(FIRST_YEAR, date.today().year + 2):
            raise NotFoundError(f"Ingen egenvurdering for {year}.", message_en=f"No self-assessment for {year}.")
    answers = {k: int(v) for k, v in ((row or {}).get("answers") or {}).items()}
    notes = dict((row or {}).get("notes") or {})
    scores = _scores(qn, answers)
    the_year = row["year"] if row else year
    prev = next((r for r in reversed(rows) if r["completed"] and the_year is not None and r["year"] < the_year), None)
    prev_scores = _scores(qn, {k: int(v) for k, v in prev["answers"].items()}) if prev else {}
    scale = {lv.level: lv.label.get(lang) for lv in qn.scale}
    dims: list[DimensionScore] = []
    for d in qn.dimensions:
        s, ps = scores[d.id], prev_scores.get(d.id)
        dims.append(DimensionScore(
            id=d.id, name=d.name.get(lang), score=s, stage=qn.stage(s, lang) if s is not None else "–",
            answered=sum(1 for q in d.questions if q.id in answers), total=len(d.questions), previous=ps,
            change=round(s - ps, 1) if s is not None and ps is not None else None,
            questions=[QuestionView(q.id, q.text.get(lang), answers.get(q.id), scale.get(answers[q.id], "") if q.id in answers else "",
                                    notes.get(q.id, "")) for q in d.questions],
        ))
    overall = _overall(scores)
    prev_overall = _overall(prev_scores) if prev else None
    steps = answer_steps(qn, answers, scores, region_code, lang)
    return Profile(
        region_code=region_code, region_name=facts.name, year=the_year, completed=bool(row and row["completed"]),
        version=row["version"] if row else None, questionnaire=qn.version, overall=overall,
        overall_stage=qn.stage(overall, lang) if overall is not None else "–", previous_year=prev["year"] if prev else None,
        overall_change=round(overall - prev_overall, 1) if overall is not None and prev_overall is not None else None,
        dimensions=dims, steps=steps, history=history(engine, region_code), scale=sorted(scale.items()),
    )


def answer_steps(qn: Questionnaire, answers: dict[str, int], scores: dict[str, float | None], region_code: str, lang: Lang,
                 limit: int = 6) -> list[NextStep]:
    """The steps of the lowest-answered questions, weakest dimension first."""
    def weakness(d: Dimension) -> float:
        score = scores[d.id]
        return -1.0 if score is None else score

    order = sorted(qn.dimensions, key=weakness)
    candidates: list[tuple[int, int, NextStep]] = []
    for rank, d in enumerate(order):
        for q in d.questions:
            level = answers.get(q.id)
            if level is None or level >= 3:
                continue
            cap = qn.capabilities[q.capability]
            candidates.append((level, rank, NextStep("answers", d.name.get(lang), q.step.get(lang),
                                                     cap.url.format(code=region_code), cap.label.get(lang))))
    candidates.sort(key=lambda c: (c[0], c[1]))
    return [c[2] for c in candidates[:limit]]


__all__ = [
    "Answers",
    "DimensionScore",
    "NextStep",
    "Profile",
    "Questionnaire",
    "YearSummary",
    "answer_steps",
    "history",
    "load_questionnaire",
    "parse",
    "profile",
    "save",
]
