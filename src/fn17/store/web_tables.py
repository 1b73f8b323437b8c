"""Tables for the map and for plan analyses (migration ``0003``).

``geometries``: each municipality's and county's outline, simplified and projected for the
national map when ``fn17 load`` reads the boundary files; one row per region and level,
replaced whole on each import.

``plan_analyses``: a finished plan analysis (the coverage report as JSON) so the web page
can show it again and the progress report (VLR) can use the region's latest plan. A
failed analysis stores nothing.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Float, Index, Integer, String, Table, Text

from fn17.store.tables import metadata

geometries = Table(
    "geometries",
    metadata,
    Column("region_code", String(8), primary_key=True),
    Column("level", String(10), primary_key=True),  # kommune, fylke
    Column("name", String(200), nullable=False),
    Column("valid_year", Integer, nullable=False),  # the year of the boundaries (e.g. 2024)
    Column("svg_path", Text, nullable=False),  # path data in the map's own coordinates
    Column("min_x", Float, nullable=False),
    Column("min_y", Float, nullable=False),
    Column("max_x", Float, nullable=False),
    Column("max_y", Float, nullable=False),
    Column("source", String(200), nullable=False),  # file it was read from
    Column("retrieved_at", DateTime(timezone=True), nullable=False),
)

plan_analyses = Table(
    "plan_analyses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("region_code", String(8)),  # the plan's municipality or county, when given
    Column("title", String(300), nullable=False),
    Column("filename", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("lang", String(4), nullable=False),  # detected document language
    Column("pages", Integer),  # none for formats without pages (HTML, Markdown, text)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(64)),
    Column("report", JSON, nullable=False),  # the coverage report as JSON
    Index("ix_plan_analyses_region", "region_code", "created_at"),
)
