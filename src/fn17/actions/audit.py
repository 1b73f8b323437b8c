"""The audit log: who changed what, when, with the record before and after.

Every change to users, local targets, measures, partners, assessments, report texts and
imported data is written by ``record`` in the same transaction as the change itself, so
a change without its log entry cannot be committed. Refused attempts (wrong role, bad
CSRF token) are written by ``record_refusal`` in a transaction of their own, because the
refused change itself is rolled back.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from fn17.actions.actor import Actor
from fn17.store.actions_tables import audit_log

log = logging.getLogger(__name__)

ACTIONS = ("create", "update", "delete", "import", "publish", "denied", "grant", "revoke", "password")


def json_value(value: Any) -> Any:
    """A value as it is stored in the log's JSON columns (dates as ISO text, NaN as null)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    return value


def snapshot(row: Mapping[str, Any] | None, *, drop: tuple[str, ...] = ("password_hash",)) -> dict[str, Any] | None:
    """A record as a JSON-able dict for the log; secrets are never written."""
    if row is None:
        return None
    return {str(k): json_value(v) for k, v in row.items() if k not in drop}


def record(
    conn: Connection,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object | None,
    region_code: str | None,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    summary: str = "",
) -> None:
    """Write one log entry inside the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(
        insert(audit_log).values(
            at=datetime.now(UTC),
            user_id=actor.user_id,
            username=actor.username,
            ip=actor.ip,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            region_code=region_code,
            summary=summary,
            before=snapshot(before),
            after=snapshot(after),
        )
    )


def record_refusal(engine: Engine, actor: Actor, entity: str, entity_id: object | None, region_code: str | None, reason: str) -> None:
    """Log a refused attempt in its own transaction (the attempt itself changes nothing)."""
    with engine.begin() as conn:
        record(conn, actor, "denied", entity, entity_id, region_code, summary=reason)
    log.warning("refused %s on %s %s (region %s): %s", actor.username or "anonymous", entity, entity_id, region_code, reason)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    username: str
    ip: str | None
    action: str
    entity: str
    entity_id: str | None
    region_code: str | None
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def changed_fields(self) -> list[str]:
        """The fields whose values differ between before and after."""
        if self.before is None or self.after is None:
            return sorted((self.after or self.before or {}).keys())
        keys = set(self.before) | set(self.after)
        return sorted(k for k in keys if self.before.get(k) != self.after.get(k) and k not in ("version", "updated_at"))


def entries(
    engine: Engine,
    *,
    region_code: str | None = None,
    entity: str | None = None,
    entity_id: object | None = None,
    action: str | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """The newest entries first, optionally for one region, entity, record or action."""
    q = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if region_code is not None:
        q = q.where(audit_log.c.region_code == region_code)
    if entity is not None:
        q = q.where(audit_log.c.entity == entity)
    if entity_id is not None:
        q = q.where(audit_log.c.entity_id == str(entity_id))
    if action is not None:
        q = q.where(audit_log.c.action == action)
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return [
        AuditEntry(
            id=r["id"], at=r["at"], username=r["username"], ip=r["ip"], action=r["action"], entity=r["entity"],
            entity_id=r["entity_id"], region_code=r["region_code"], summary=r["summary"] or "",
            before=r["before"], after=r["after"],
        )
        for r in rows
    ]


__all__ = ["ACTIONS", "AuditEntry", "entries", "json_value", "record", "record_refusal", "snapshot"]
