"""The store's tables (SQLAlchemy Core). Alembic migrations in ``migrations/`` create them.

Every observation carries its provenance: source, source table, query, retrieval
time, the import that wrote it, and — when it was carried across a municipal
reform — the original region code and the rule used.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

frameworks = Table(
    "frameworks",
    metadata,
    Column("id", String(40), primary_key=True),  # "sdg", "u4ssc", "ks", "fn17"
    Column("name", String(200), nullable=False),
    Column("version", String(80), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

framework_items = Table(
    "framework_items",
    metadata,
    Column("framework_id", String(40), ForeignKey("frameworks.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(120), primary_key=True),
    Column("kind", String(40), nullable=False),  # goal, target, indicator, kpi, set
    Column("parent_code", String(120)),
    Column("title_nb", Text),
    Column("title_nn", Text),
    Column("title_en", Text),
    Column("official_nb", Text),  # full official text, from an imported translations file
    Column("official_en", Text),
    Column("attrs", JSON, nullable=False, default=dict),
)

regions = Table(
    "regions",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("valid_to", Date),
    Column("kind", String(12), nullable=False),  # kommune, fylke, land
    Column("name", String(120), nullable=False),
    Column("county_code", String(4)),
    Column("attrs", JSON, nullable=False, default=dict),
)

region_changes = Table(
    "region_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("date", Date, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("from_codes", JSON, nullable=False),
    Column("to_codes", JSON, nullable=False),
    Column("weights", JSON, nullable=False, default=dict),
    Column("note", Text),
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("framework_id", String(40), nullable=False),
    Column("name_nb", Text, nullable=False),
    Column("name_nn", Text),
    Column("name_en", Text),
    Column("definition", Text),
    Column("unit", String(60)),
    Column("direction", String(8)),  # higher, lower, or null for context series
    Column("source", Text),  # e.g. "ssb:07459"
    Column("attrs", JSON, nullable=False, default=dict),  # formula, query, sdg targets, ks/u4ssc links
)

import_log = Table(
    "import_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("source", String(120), nullable=False),
    Column("origin", Text),  # file path or URL
    Column("user_name", String(120)),
    Column("status", String(20), nullable=False),  # running, ok, failed
    Column("rows", Integer, nullable=False, default=0),
    Column("message", Text),
    Column("summary", JSON, nullable=False, default=dict),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_id", String(120), ForeignKey("indicators.id", ondelete="CASCADE"), nullable=False),
    Column("region_code", String(8), nullable=False),
    Column("period", String(20), nullable=False),  # "2023", "2023K1", "2019-2021"
    Column("breakdown", String(400), nullable=False, default=""),  # canonical "age=5;sex=2"
    Column("value", Float),
    Column("status", String(16), nullable=False, default="ok"),  # ok, suppressed, missing, provisional, zero
    Column("source", String(120), nullable=False),
    Column("source_table", String(40)),
    Column("query", Text),
    Column("retrieved_at", DateTime(timezone=True)),
    Column("import_id", Integer, ForeignKey("import_log.id", ondelete="SET NULL")),
    Column("original_region_code", String(8)),
    Column("harmonisation", String(200)),  # rule used when carried across a reform
    UniqueConstraint("indicator_id", "region_code", "period", "breakdown", "source", name="uq_observation_cell"),
)
Index("ix_obs_region_indicator", observations.c.region_code, observations.c.indicator_id)
Index("ix_obs_source", observations.c.source)

targets = Table(
    "targets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_id", String(120), ForeignKey("indicators.id", ondelete="CASCADE"), nullable=False),
    Column("region_code", String(8), nullable=False, default=""),  # "" = the default for all regions
    Column("kind", String(20), nullable=False),  # default, local
    Column("optimum", Float),
    Column("green", Float),
    Column("red", Float),
    Column("lower_bound", Float),
    Column("target_value", Float),
    Column("target_year", Integer),
    Column("provenance", String(40)),  # sdg_target, national_target, leave_no_one_behind, ...
    Column("reference", Text),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("indicator_id", "region_code", "kind", name="uq_target"),
)

__all__ = [
    "framework_items",
    "frameworks",
    "import_log",
    "indicators",
    "metadata",
    "observations",
    "region_changes",
    "regions",
    "targets",
]
