"""A workspace: the settings, the store's engine and the loaded frameworks, opened once.

The CLI, the web app and the library each open one workspace and pass it to the
service functions in ``fn17.services``; nothing else holds an engine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from fn17.config import Settings, get_settings
from fn17.store import check_schema, make_engine, migrate

if TYPE_CHECKING:
    from fn17.frameworks.sdg import SdgFramework
    from fn17.regions import Register

log = logging.getLogger(__name__)


@dataclass
class Workspace:
    settings: Settings
    engine: Engine = field(repr=False)

    @cached_property
    def register(self) -> Register:
        from fn17.regions import load_register

        return load_register()

    @cached_property
    def sdg(self) -> SdgFramework:
        from fn17.frameworks.sdg import load_sdg

        return load_sdg()

    def close(self) -> None:
        self.engine.dispose()


def open_workspace(settings: Settings | None = None, *, create: bool = False) -> Workspace:
    """Open the store named by the settings. ``create=True`` creates or migrates it first;
    otherwise a database that is missing, old or newer than this FN17 raises DatabaseVersionError."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    if create:
        migrate(engine)
    else:
        check_schema(engine)
    return Workspace(settings=settings, engine=engine)
