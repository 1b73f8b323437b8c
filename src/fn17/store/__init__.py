"""The store: SQLAlchemy tables, engines, migrations and repository functions."""

from fn17.store.db import check_schema, current_revision, head_revision, make_engine, migrate

__all__ = ["check_schema", "current_revision", "head_revision", "make_engine", "migrate"]
