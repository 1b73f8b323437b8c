"""Settings, read from the environment by a factory (never at import time).

| variable | meaning | default |
| --- | --- | --- |
| FN17_DATABASE_URL | SQLAlchemy URL of the store | SQLite file ``fn17.sqlite`` in the user data directory |
| FN17_HOME | FN17's data directory (database, cache, uploads) | the platform's user data dir |
| FN17_DATA | a folder of data files to load at start (a snapshot or ``../shared/data``) | unset |
| FN17_CACHE_DIR | HTTP response cache | ``$FN17_HOME/cache`` |
| FN17_OFFLINE | ``1``: never call remote sources; serve from the cache | ``0`` |
| FN17_LANG | default interface language (nb, nn, en) | ``nb`` |
| FN17_SECRET_KEY | key that signs sessions and CSRF tokens | a random key kept in ``$FN17_HOME/secret.key`` |
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import platformdirs

from fn17.errors import InvalidInputError

Lang = Literal["nb", "nn", "en"]
LANGS: tuple[Lang, ...] = ("nb", "nn", "en")

SETTINGS_DOC: dict[str, str] = {
    "FN17_DATABASE_URL": "SQLAlchemy URL of the store",
    "FN17_HOME": "FN17's data directory",
    "FN17_DATA": "folder of data files to load",
    "FN17_CACHE_DIR": "HTTP response cache",
    "FN17_OFFLINE": "never call remote sources",
    "FN17_LANG": "default interface language",
    "FN17_SECRET_KEY": "session signing key",
}


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    data_dir: Path | None = None
    cache_dir: Path = field(default=Path("."))
    offline: bool = False
    lang: Lang = "nb"
    secret_key: str = ""

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _lang(value: str) -> Lang:
    if value not in LANGS:
        raise InvalidInputError(
            f"FN17_LANG={value!r} er ikke et språk FN17 kan; bruk nb, nn eller en.",
            message_en=f"FN17_LANG={value!r} is not a language FN17 knows; use nb, nn or en.",
        )
    return value


def _secret(home: Path) -> str:
    env = os.environ.get("FN17_SECRET_KEY")
    if env:
        return env
    path = home / "secret.key"
    if path.exists():
        return path.read_text().strip()
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def default_shared_data() -> Path | None:
    """``../shared/data`` beside the checkout, when it exists (the offline demo data)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data"
        if (parent / "pyproject.toml").exists() and candidate.is_dir():
            return candidate
    return None


def get_settings(**overrides: Any) -> Settings:
    """Build settings from the environment; keyword arguments win over it."""
    home = Path(os.environ.get("FN17_HOME") or platformdirs.user_data_dir("fn17", appauthor=False))
    db = os.environ.get("FN17_DATABASE_URL") or f"sqlite:///{home / 'fn17.sqlite'}"
    data_env = os.environ.get("FN17_DATA")
    data_dir = Path(data_env) if data_env else default_shared_data()
    cache = Path(os.environ.get("FN17_CACHE_DIR") or home / "cache")
    offline = os.environ.get("FN17_OFFLINE", "0").lower() in {"1", "true", "yes", "ja"}
    values: dict[str, Any] = {
        "home": home,
        "database_url": db,
        "data_dir": data_dir,
        "cache_dir": cache,
        "offline": offline,
        "lang": _lang(os.environ.get("FN17_LANG", "nb")),
    }
    values.update(overrides)
    if "secret_key" not in values:
        values["secret_key"] = _secret(Path(values["home"]))
    return Settings(**values)
