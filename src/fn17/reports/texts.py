"""Editors' own text for each section of the progress report (VLR), one record per region and
section, with optimistic locking and the audit log like every other record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from fn17.actions import forms, records
from fn17.actions.actor import Actor
from fn17.actions.catalogue import region as region_facts
from fn17.actions.permissions import require_edit
from fn17.store.actions_tables import report_texts

KIND = records.Kind("report_text", "rapportteksten", "the report text", "section")
SECTIONS: tuple[str, ...] = (
    "opening", "highlights", "introduction", "methodology", "policy", "progress", "means", "challenges", "annex",
)  # fmt: skip
MAX_CHARS = 20_000


@dataclass(frozen=True)
class SectionText:
    section: str
    body: str
    version: int | None
    updated_by: str
    updated_at: datetime | None


def get_texts(engine: Engine, region_code: str) -> dict[str, SectionText]:
    """Every section's text (empty ones too), in report order."""
    with engine.connect() as conn:
        rows = {r["section"]: r for r in conn.execute(select(report_texts).where(report_texts.c.region_code == region_code)).mappings()}
    out: dict[str, SectionText] = {}
    for s in SECTIONS:
        r = rows.get(s)
        out[s] = SectionText(s, r["body"], r["version"], r["updated_by"], r["updated_at"]) if r else SectionText(s, "", None, "", None)
    return out


def save_texts(engine: Engine, actor: Actor, region_code: str, raw: forms.Raw) -> int:
    """Save the sections given as ``text:<section>`` (with ``version:<section>`` for existing ones); returns how many changed."""
    require_edit(engine, actor, region_code, KIND.entity)
    p = forms.Problems("Rapportteksten", "The report text")
    wanted: dict[str, tuple[str, int | None]] = {}
    for key in raw:
        if not key.startswith("text:"):
            continue
        section = key[5:]
        if section not in SECTIONS:
            p.add(key, f"kapittelet «{section}» finnes ikke i rapporten", f"the report has no section “{section}”")
            continue
        body = forms.text(raw, key, p, (f"Tekst til {section}", f"Text for {section}"), max_len=MAX_CHARS)
        version_raw = forms.first(raw, f"version:{section}")
        version = None
        if version_raw not in (None, ""):
            try:
                version = int(str(version_raw))
            except ValueError:
                p.add(f"version:{section}", "ugyldig versjon; last siden på nytt", "invalid version; reload the page")
        wanted[section] = (body, version)
    p.raise_if_any()
    changed = 0
    with engine.begin() as conn:
        region_facts(conn, region_code)
        existing = {r["section"]: r for r in conn.execute(select(report_texts).where(report_texts.c.region_code == region_code)).mappings()}
        for section, (body, version) in wanted.items():
            row: Any = existing.get(section)
            if row is None:
                if body:
                    records.create(conn, report_texts, KIND, actor, region_code, {"section": section, "body": body})
                    changed += 1
                continue
            if row["body"] == body:
                continue
            if version is None:
                p.add(f"version:{section}", f"teksten til «{section}» finnes allerede; last siden på nytt og lagre igjen",
                      f"the text for “{section}” already exists; reload the page and save again")
                p.raise_if_any()
            assert version is not None
            records.change(conn, report_texts, KIND, actor, region_code, int(row["id"]), version, {"body": body})
            changed += 1
    return changed


__all__ = ["SECTIONS", "SectionText", "get_texts", "save_texts"]
