"""Tables for the "from numbers to action" part of FN17 (migration ``0002``).

Users, roles, login attempts and the audit log; local targets and their indicator
links; measures (tiltak), partners and the links between them; the yearly maturity
self-assessment; editors' own texts for the progress report (VLR).

Every table an editor changes carries a ``version`` column for optimistic locking:
an update names the version it read, and a concurrent save that got there first
makes the second one fail with a ``ConflictError`` instead of silently winning.
Region-owned rows carry ``published``: unpublished rows are private drafts that only
the region's editors and viewers (and administrators) can see.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from fn17.store.tables import metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("session_epoch", Integer, nullable=False, default=0),  # bumped to end every session
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, default=1),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(20), nullable=False),  # administrator, editor, viewer
    Column("region_code", String(8), nullable=False, default=""),  # "" for administrator
    UniqueConstraint("user_id", "role", "region_code", name="uq_user_role"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("success", Boolean, nullable=False),
)
Index("ix_login_attempts_key", login_attempts.c.username, login_attempts.c.ip, login_attempts.c.at)

# Sessions ended by logging out (migration 0004): a copied cookie of a logged-out session is
# refused until it would have expired anyway; rows past ``expires_at`` are pruned on logout.
revoked_sessions = Table(
    "revoked_sessions",
    metadata,
    Column("sid", String(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_id", Integer),  # no foreign key: the log outlives deleted users
    Column("username", String(64), nullable=False, default=""),
    Column("ip", String(64)),
    Column("action", String(20), nullable=False),  # create, update, delete, import, denied, login, …
    Column("entity", String(40), nullable=False),  # local_target, measure, partner, assessment, …
    Column("entity_id", String(40)),
    Column("region_code", String(8)),
    Column("summary", Text),
    Column("before", JSON),
    Column("after", JSON),
)
Index("ix_audit_region_at", audit_log.c.region_code, audit_log.c.at)
Index("ix_audit_entity", audit_log.c.entity, audit_log.c.entity_id)

local_targets = Table(
    "local_targets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("region_code", String(8), nullable=False),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("sdg_targets", JSON, nullable=False, default=list),  # ["12.3", "12.5"]
    Column("plan_name", String(300), nullable=False, default=""),  # e.g. "Kommuneplanens samfunnsdel 2020–2032"
    Column("plan_reference", String(500), nullable=False, default=""),  # section, page or address
    Column("adopted_year", Integer),
    Column("published", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False, default=""),
    Column("version", Integer, nullable=False, default=1),
)
Index("ix_local_targets_region", local_targets.c.region_code)

local_target_indicators = Table(
    "local_target_indicators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("local_target_id", Integer, ForeignKey("local_targets.id", ondelete="CASCADE"), nullable=False),
    Column("indicator_id", String(120), ForeignKey("indicators.id", ondelete="CASCADE"), nullable=False),
    Column("target_value", Float),
    Column("target_year", Integer, nullable=False, default=2030),
    UniqueConstraint("local_target_id", "indicator_id", name="uq_local_target_indicator"),
)

measures = Table(
    "measures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("region_code", String(8), nullable=False),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("responsible_unit", String(200), nullable=False, default=""),
    Column("start_year", Integer),
    Column("end_year", Integer),
    Column("budget_nok", Float),
    Column("status", String(20), nullable=False, default="planned"),  # planned, ongoing, completed, stopped
    Column("sdg_goals", JSON, nullable=False, default=list),  # goals named directly, beside those via targets
    Column("published", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False, default=""),
    Column("version", Integer, nullable=False, default=1),
)
Index("ix_measures_region", measures.c.region_code)

measure_local_targets = Table(
    "measure_local_targets",
    metadata,
    Column("measure_id", Integer, ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("local_target_id", Integer, ForeignKey("local_targets.id", ondelete="CASCADE"), primary_key=True),
)

measure_indicators = Table(
    "measure_indicators",
    metadata,
    Column("measure_id", Integer, ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", String(120), ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True),
)

partners = Table(
    "partners",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("region_code", String(8), nullable=False),
    Column("name", String(300), nullable=False),
    Column("kind", String(20), nullable=False),  # public, private, voluntary, research
    Column("org_number", String(9), nullable=False, default=""),  # Enhetsregisteret, 9 digits
    Column("global_compact", Boolean, nullable=False, default=False),  # member of the UN Global Compact network
    Column("website", String(500), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("published", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False, default=""),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("region_code", "name", name="uq_partner_name"),
)

measure_partners = Table(
    "measure_partners",
    metadata,
    Column("measure_id", Integer, ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(300), nullable=False, default=""),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("region_code", String(8), nullable=False),
    Column("year", Integer, nullable=False),
    Column("questionnaire", String(40), nullable=False),  # version of the question set
    Column("answers", JSON, nullable=False, default=dict),  # question id -> level 0..3
    Column("notes", JSON, nullable=False, default=dict),  # question id -> free text
    Column("completed", Boolean, nullable=False, default=False),
    Column("completed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False, default=""),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("region_code", "year", name="uq_assessment_year"),
)

report_texts = Table(
    "report_texts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("region_code", String(8), nullable=False),
    Column("section", String(40), nullable=False),
    Column("body", Text, nullable=False, default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False, default=""),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("region_code", "section", name="uq_report_text"),
)

__all__ = [
    "assessments",
    "audit_log",
    "local_target_indicators",
    "local_targets",
    "login_attempts",
    "measure_indicators",
    "measure_local_targets",
    "measure_partners",
    "measures",
    "partners",
    "report_texts",
    "user_roles",
    "users",
]
