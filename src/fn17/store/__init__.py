"""The store: SQLAlchemy tables, engines, migrations and repository functions.

Importing the package registers every table on ``fn17.store.tables.metadata``: the core
tables, the actions tables (migrations 0002 and 0004) and the map and plan tables (0003)."""

from fn17.store import actions_tables, web_tables  # noqa: F401  (register the tables on the metadata)
from fn17.store.db import check_schema, current_revision, head_revision, make_engine, migrate

__all__ = ["check_schema", "current_revision", "head_revision", "make_engine", "migrate"]
