"""FN17: the UN Sustainable Development Goals at work in Norway's municipalities and counties.

The library face: open a workspace and call the same services the CLI and the web use.

>>> import fn17
>>> ws = fn17.open_workspace(create=True)      # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fn17")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from fn17.config import Settings, get_settings
from fn17.errors import (
    AuthenticationError,
    ConflictError,
    DatabaseVersionError,
    DataFileError,
    Fn17Error,
    ImportValidationError,
    InvalidInputError,
    NotFoundError,
    OfflineError,
    PermissionDeniedError,
    SourceError,
)
from fn17.workspace import Workspace, open_workspace

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "DataFileError",
    "DatabaseVersionError",
    "Fn17Error",
    "ImportValidationError",
    "InvalidInputError",
    "NotFoundError",
    "OfflineError",
    "PermissionDeniedError",
    "Settings",
    "SourceError",
    "Workspace",
    "__version__",
    "get_settings",
    "open_workspace",
]
