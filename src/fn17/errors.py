"""FN17's one exception tree.

Every error a user can cause is an ``Fn17Error``. Each carries a message in
bokmål (``message``) and, where given, English (``message_en``), says what was
wrong and what to do, and maps to an HTTP status and a CLI exit code::

    Fn17Error                    (500, exit 1)
    ├── NotFoundError            (404, exit 3)   unknown region, goal, indicator …
    ├── InvalidInputError        (400, exit 2)   bad parameter, code outside its valid period …
    │   └── ImportValidationError (422, exit 2)  a file that failed validation; nothing was written
    ├── DataFileError            (422, exit 4)   a malformed framework / data / recipe file
    ├── DatabaseVersionError     (409, exit 5)   a database newer than this FN17, or not migrated
    ├── SourceError              (502, exit 6)   a remote source failed (HTTP, timeout, bad payload)
    │   └── OfflineError         (503, exit 6)   offline and not in the cache
    ├── PermissionDeniedError    (403, exit 7)
    ├── AuthenticationError      (401, exit 7)
    └── ConflictError            (409, exit 8)   a concurrent edit (optimistic locking)
"""

from __future__ import annotations

from typing import Any


class Fn17Error(Exception):
    """Base of every error FN17 raises on purpose."""

    http_status: int = 500
    exit_code: int = 1
    code: str = "fn17_error"

    def __init__(
        self,
        message: str,
        *,
        message_en: str | None = None,
        hint: str | None = None,
        hint_en: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.hint = hint
        self.hint_en = hint_en or hint
        self.details: dict[str, Any] = details or {}

    def text(self, lang: str = "nb") -> str:
        """The message (and hint) in the user's language; nynorsk falls back to bokmål."""
        if lang == "en":
            msg, hint = self.message_en, self.hint_en
        else:
            msg, hint = self.message, self.hint
        return f"{msg} {hint}" if hint else msg

    def to_dict(self, lang: str = "nb") -> dict[str, Any]:
        """The one error shape used by the JSON API and the CLI's --json output."""
        return {
            "error": {
                "code": self.code,
                "status": self.http_status,
                "message": self.message_en if lang == "en" else self.message,
                "hint": self.hint_en if lang == "en" else self.hint,
                "details": self.details,
            }
        }


class NotFoundError(Fn17Error):
    http_status = 404
    exit_code = 3
    code = "not_found"


class InvalidInputError(Fn17Error):
    http_status = 400
    exit_code = 2
    code = "invalid_input"


class ImportValidationError(InvalidInputError):
    """A file failed validation. ``problems`` lists (file, sheet, row, column, message)."""

    http_status = 422
    code = "import_invalid"

    def __init__(self, message: str, *, problems: list[dict[str, Any]] | None = None, **kw: Any) -> None:
        details = dict(kw.pop("details", None) or {})
        self.problems: list[dict[str, Any]] = problems or []
        details["problems"] = self.problems
        super().__init__(message, details=details, **kw)


class DataFileError(Fn17Error):
    http_status = 422
    exit_code = 4
    code = "data_file"


class DatabaseVersionError(Fn17Error):
    http_status = 409
    exit_code = 5
    code = "database_version"


class SourceError(Fn17Error):
    http_status = 502
    exit_code = 6
    code = "source"


class OfflineError(SourceError):
    http_status = 503
    code = "offline"


class PermissionDeniedError(Fn17Error):
    http_status = 403
    exit_code = 7
    code = "forbidden"


class AuthenticationError(Fn17Error):
    http_status = 401
    exit_code = 7
    code = "unauthenticated"


class ConflictError(Fn17Error):
    http_status = 409
    exit_code = 8
    code = "conflict"


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
    "SourceError",
]
