"""Reading and writing region-owned records with optimistic locking and an audit trail.

An update names the ``version`` it was built from; ``UPDATE … WHERE id = :id AND
version = :v`` changes nothing when someone saved first, and the caller gets a
``ConflictError`` that says who saved, when, and what to do. This behaves the same on
SQLite (writes are serialised) and PostgreSQL (the second UPDATE waits for the first
transaction's row lock, then finds the version changed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from fn17.actions.actor import Actor
from fn17.actions.audit import record
from fn17.errors import ConflictError, NotFoundError
from fn17.i18n import fmt_datetime


@dataclass(frozen=True)
class Kind:
    """What a table's records are called, for messages and the log."""

    entity: str  # audit name, e.g. "measure"
    nb: str  # "tiltaket"
    en: str  # "the measure"
    label_column: str  # column that names a record, e.g. "title"


def now() -> datetime:
    return datetime.now(UTC)


def missing(kind: Kind, record_id: int, region_code: str) -> NotFoundError:
    """The error for a record that does not exist, belongs to another region, or is a draft the
    reader may not see: all three look the same, so drafts do not leak."""
    return NotFoundError(
        f"Fant ikke {kind.nb} med nummer {record_id} for {region_code}.",
        message_en=f"Cannot find {kind.en} number {record_id} for {region_code}.",
        hint="Det kan være slettet; gå tilbake til lista.",
        hint_en="It may have been deleted; go back to the list.",
        details={"id": record_id, "region": region_code},
    )


def fetch(conn: Connection, table: Table, kind: Kind, record_id: int, region_code: str) -> dict[str, Any]:
    """One record of ``region_code``; a record of another region is reported as missing."""
    row = conn.execute(select(table).where(table.c.id == record_id, table.c.region_code == region_code)).mappings().first()
    if row is None:
        raise missing(kind, record_id, region_code)
    return dict(row)


def fetch_visible(conn: Connection, table: Table, kind: Kind, actor: Actor, record_id: int, region_code: str) -> dict[str, Any]:
    """Like ``fetch``, but an unpublished record is missing for those who may not see drafts."""
    row = fetch(conn, table, kind, record_id, region_code)
    if not row.get("published", True) and not actor.can_read_private(region_code):
        raise missing(kind, record_id, region_code)
    return row


def _conflict(conn: Connection, table: Table, kind: Kind, record_id: int, expected: int, region_code: str) -> ConflictError:
    current = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
    if current is None or current["region_code"] != region_code:
        return ConflictError(
            f"{kind.nb.capitalize()} (nummer {record_id}) ble slettet av en annen mens du redigerte. Endringen din er ikke lagret.",
            message_en=f"{kind.en.capitalize()} (number {record_id}) was deleted by someone else while you were editing. Your change was not saved.",
            hint="Gå tilbake til lista og opprett den på nytt om den fortsatt trengs.",
            hint_en="Go back to the list and create it again if it is still needed.",
            details={"id": record_id, "expected_version": expected, "current_version": None},
        )
    who = current.get("updated_by") or "en annen bruker"
    when_nb = fmt_datetime(current["updated_at"], "nb") if current.get("updated_at") else ""
    when_en = fmt_datetime(current["updated_at"], "en") if current.get("updated_at") else ""
    label = current.get(kind.label_column) or record_id
    return ConflictError(
        f"{kind.nb.capitalize()} «{label}» ble endret av {who} {when_nb} UTC mens du redigerte "
        f"(du tok utgangspunkt i versjon {expected}, nå er den versjon {current['version']}). Endringen din er ikke lagret.",
        message_en=f"{kind.en.capitalize()} “{label}” was changed by {who} at {when_en} UTC while you were editing "
        f"(you started from version {expected}, it is now version {current['version']}). Your change was not saved.",
        hint="Last siden på nytt, se hva som er endret, og gjør endringen din igjen.",
        hint_en="Reload the page, look at what changed, and make your change again.",
        details={"id": record_id, "expected_version": expected, "current_version": current["version"], "changed_by": who},
    )


Links = Callable[[int], Mapping[str, Any]]
"""Writes a record's links (rows in other tables) and returns them for the log."""


def create(
    conn: Connection,
    table: Table,
    kind: Kind,
    actor: Actor,
    region_code: str,
    values: Mapping[str, Any],
    *,
    links: Links | None = None,
    summary: str = "",
) -> int:
    """Insert one record (and its links); log it. Returns the new id."""
    stamp = now()
    row = {**values, "region_code": region_code, "version": 1, "updated_by": actor.username, "updated_at": stamp}
    if "created_at" in table.c:
        row["created_at"] = stamp
    new_id = int(conn.execute(insert(table).values(**row).returning(table.c.id)).scalar_one())
    extra = links(new_id) if links is not None else {}
    after = {**fetch(conn, table, kind, new_id, region_code), **extra}
    record(conn, actor, "create", kind.entity, new_id, region_code, after=after, summary=summary or str(values.get(kind.label_column, "")))
    return new_id


def change(
    conn: Connection,
    table: Table,
    kind: Kind,
    actor: Actor,
    region_code: str,
    record_id: int,
    expected_version: int,
    values: Mapping[str, Any],
    *,
    before_extra: Mapping[str, Any] | None = None,
    links: Links | None = None,
) -> dict[str, Any]:
    """Update one record if it is still at ``expected_version``, then write its links; log before and after.

    The versioned UPDATE comes first: on PostgreSQL a concurrent second save waits on the
    row lock and then finds the version changed, before it touches any link table.
    """
    before = fetch(conn, table, kind, record_id, region_code)
    result = conn.execute(
        update(table)
        .where(table.c.id == record_id, table.c.region_code == region_code, table.c.version == expected_version)
        .values(**values, version=table.c.version + 1, updated_by=actor.username, updated_at=now())
    )
    if result.rowcount != 1:
        raise _conflict(conn, table, kind, record_id, expected_version, region_code)
    extra = links(record_id) if links is not None else {}
    after = fetch(conn, table, kind, record_id, region_code)
    record(conn, actor, "update", kind.entity, record_id, region_code,
           before={**before, **(before_extra or {})}, after={**after, **extra},
           summary=str(after.get(kind.label_column, "")))
    return after


def remove(
    conn: Connection,
    table: Table,
    kind: Kind,
    actor: Actor,
    region_code: str,
    record_id: int,
    expected_version: int,
    *,
    before_extra: Mapping[str, Any] | None = None,
) -> None:
    """Delete one record if it is still at ``expected_version``; log what it was."""
    before = fetch(conn, table, kind, record_id, region_code)
    result = conn.execute(
        delete(table).where(table.c.id == record_id, table.c.region_code == region_code, table.c.version == expected_version)
    )
    if result.rowcount != 1:
        raise _conflict(conn, table, kind, record_id, expected_version, region_code)
    record(conn, actor, "delete", kind.entity, record_id, region_code, before={**before, **(before_extra or {})},
           summary=str(before.get(kind.label_column, "")))


__all__ = ["Kind", "Links", "change", "create", "fetch", "fetch_visible", "missing", "now", "remove"]
