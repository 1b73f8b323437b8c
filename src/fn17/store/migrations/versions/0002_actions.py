"""actions: users, roles, audit log, local targets, measures, partners, self-assessment, report texts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "user_roles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_roles")),
        sa.UniqueConstraint("user_id", "role", "region_code", name="uq_user_role"),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_key", "login_attempts", ["username", "ip", "at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=True),
        sa.Column("region_code", sa.String(length=8), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_region_at", "audit_log", ["region_code", "at"])
    op.create_index("ix_audit_entity", "audit_log", ["entity", "entity_id"])
    op.create_table(
        "local_targets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sdg_targets", sa.JSON(), nullable=False),
        sa.Column("plan_name", sa.String(length=300), nullable=False),
        sa.Column("plan_reference", sa.String(length=500), nullable=False),
        sa.Column("adopted_year", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_targets")),
    )
    op.create_index("ix_local_targets_region", "local_targets", ["region_code"])
    op.create_table(
        "local_target_indicators",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("local_target_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=120), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["local_target_id"], ["local_targets.id"],
                                name=op.f("fk_local_target_indicators_local_target_id_local_targets"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicators.id"],
                                name=op.f("fk_local_target_indicators_indicator_id_indicators"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_target_indicators")),
        sa.UniqueConstraint("local_target_id", "indicator_id", name="uq_local_target_indicator"),
    )
    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("responsible_unit", sa.String(length=200), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=True),
        sa.Column("end_year", sa.Integer(), nullable=True),
        sa.Column("budget_nok", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sdg_goals", sa.JSON(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
    )
    op.create_index("ix_measures_region", "measures", ["region_code"])
    op.create_table(
        "measure_local_targets",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("local_target_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"],
                                name=op.f("fk_measure_local_targets_measure_id_measures"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["local_target_id"], ["local_targets.id"],
                                name=op.f("fk_measure_local_targets_local_target_id_local_targets"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("measure_id", "local_target_id", name=op.f("pk_measure_local_targets")),
    )
    op.create_table(
        "measure_indicators",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"],
                                name=op.f("fk_measure_indicators_measure_id_measures"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicators.id"],
                                name=op.f("fk_measure_indicators_indicator_id_indicators"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("measure_id", "indicator_id", name=op.f("pk_measure_indicators")),
    )
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("org_number", sa.String(length=9), nullable=False),
        sa.Column("global_compact", sa.Boolean(), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("region_code", "name", name="uq_partner_name"),
    )
    op.create_table(
        "measure_partners",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"],
                                name=op.f("fk_measure_partners_measure_id_measures"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"],
                                name=op.f("fk_measure_partners_partner_id_partners"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("measure_id", "partner_id", name=op.f("pk_measure_partners")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("questionnaire", sa.String(length=40), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("region_code", "year", name="uq_assessment_year"),
    )
    op.create_table(
        "report_texts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_texts")),
        sa.UniqueConstraint("region_code", "section", name="uq_report_text"),
    )


def downgrade() -> None:
    op.drop_table("report_texts")
    op.drop_table("assessments")
    op.drop_table("measure_partners")
    op.drop_table("partners")
    op.drop_table("measure_indicators")
    op.drop_table("measure_local_targets")
    op.drop_index("ix_measures_region", table_name="measures")
    op.drop_table("measures")
    op.drop_table("local_target_indicators")
    op.drop_index("ix_local_targets_region", table_name="local_targets")
    op.drop_table("local_targets")
    op.drop_index("ix_audit_entity", table_name="audit_log")
    op.drop_index("ix_audit_region_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_login_attempts_key", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_table("user_roles")
    op.drop_table("users")
