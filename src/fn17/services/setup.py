"""Create the store and fill it with what FN17 ships: the SDG framework and the region register.

Everything is written in one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, update

from fn17.frameworks.opensdg import OfficialTexts
from fn17.store import migrate
from fn17.store.tables import framework_items, frameworks, region_changes, regions
from fn17.workspace import Workspace

log = logging.getLogger(__name__)


def _sync_sdg(ws: Workspace, conn: Connection) -> int:
    fw = ws.sdg
    now = datetime.now(UTC)
    conn.execute(delete(frameworks).where(frameworks.c.id == "sdg"))
    conn.execute(insert(frameworks).values(id="sdg", name="UN Sustainable Development Goals", version=fw.version, loaded_at=now))
    rows: list[dict[str, Any]] = []
    for g in fw.goals:
        rows.append({"framework_id": "sdg", "code": str(g.number), "kind": "goal", "parent_code": None,
                     "title_nb": g.name("nb"), "title_nn": g.name("nn"), "title_en": g.name("en"),
                     "attrs": {"colour": g.colour}})
    for tg in fw.targets:
        rows.append({"framework_id": "sdg", "code": tg.code, "kind": "target", "parent_code": str(tg.goal),
                     "title_nb": tg.title("nb"), "title_nn": tg.title("nn"), "title_en": tg.title("en"),
                     "attrs": {"municipal": tg.relevance_municipal, "county": tg.relevance_county}})
    for ind in fw.indicators:
        rows.append({"framework_id": "sdg", "code": ind.code, "kind": "indicator", "parent_code": ind.target,
                     "title_nb": ind.title("nb"), "title_nn": ind.title("nn"), "title_en": ind.title("en"),
                     "attrs": {"listed_under": list(ind.listed_as)}})
    conn.execute(insert(framework_items), rows)
    return len(rows)


def _sync_regions(ws: Workspace, conn: Connection) -> int:
    reg = ws.register
    conn.execute(delete(regions))
    conn.execute(delete(region_changes))
    rows = [
        {"code": r.code, "valid_from": r.valid_from, "valid_to": r.valid_to, "kind": r.kind, "name": r.name,
         "county_code": r.county_code, "attrs": {"names": dict(r.other_names)}}
        for r in reg.all_regions()
    ]
    conn.execute(insert(regions), rows)
    changes = [
        {"date": c.date, "kind": c.kind, "from_codes": list(c.from_codes), "to_codes": list(c.to_codes),
         "weights": dict(c.weights), "note": c.note}
        for c in reg.changes()
    ]
    if changes:
        conn.execute(insert(region_changes), changes)
    return len(rows)


def initialise(ws: Workspace) -> dict[str, int]:
    """Create or migrate the schema, then (re)write the shipped frameworks and regions."""
    migrate(ws.engine)
    with ws.engine.begin() as conn:
        # keep official texts imported earlier: re-read them before the framework is rewritten
        from sqlalchemy import select

        kept = conn.execute(
            select(framework_items.c.code, framework_items.c.official_nb, framework_items.c.official_en).where(
                framework_items.c.framework_id == "sdg"
            )
        ).all()
        n_items = _sync_sdg(ws, conn)
        for code, nb, en in kept:
            if nb or en:
                conn.execute(
                    update(framework_items)
                    .where(framework_items.c.framework_id == "sdg", framework_items.c.code == code)
                    .values(official_nb=nb, official_en=en)
                )
        n_regions = _sync_regions(ws, conn)
    log.info("store initialised: %d framework items, %d region periods", n_items, n_regions)
    return {"framework_items": n_items, "regions": n_regions}


def store_official_texts(ws: Workspace, texts: OfficialTexts, lang: str) -> dict[str, int]:
    column = "official_en" if lang == "en" else "official_nb"
    counts = {"goals": 0, "targets": 0, "indicators": 0}
    with ws.engine.begin() as conn:
        for kind, mapping in (("goals", texts.goals), ("targets", texts.targets), ("indicators", texts.indicators)):
            for code, text in mapping.items():
                result = conn.execute(
                    update(framework_items)
                    .where(framework_items.c.framework_id == "sdg", framework_items.c.code == code)
                    .values({column: text})
                )
                counts[kind] += result.rowcount
    return counts
