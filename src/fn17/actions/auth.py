"""Users, passwords, roles, login with a rate limit, signed sessions and CSRF tokens.

- Passwords are hashed with Argon2id (argon2-cffi's defaults); hashes are upgraded on the
  next login when the parameters change. Nothing ever logs or returns a hash.
- Login is rate-limited per (username, client address) with the attempts kept in the
  database, so the limit holds across web workers and restarts: after
  ``MAX_FAILURES`` failures within ``WINDOW`` the next attempt is refused until the
  window has passed, even with the right password.
- A session is a cookie signed with ``settings.secret_key`` (itsdangerous) holding the
  user id, a random session id and the user's ``session_epoch``; bumping the epoch
  (password change, deactivation) ends every session of that user; logging out ends that
  one session on the server too (its id is kept in ``revoked_sessions`` until it would
  have expired), so a copied cookie stops working.
- CSRF tokens are an HMAC of the session id (or of an anonymous visitor id for the
  login form), so a token from one session is worthless in another.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from fn17.actions.actor import ROLES, Actor
from fn17.actions.audit import record
from fn17.actions.catalogue import region as region_facts
from fn17.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from fn17.store.actions_tables import login_attempts, revoked_sessions, user_roles, users

log = logging.getLogger(__name__)

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
SESSION_MAX_AGE = 12 * 3600  # seconds
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,62}[a-z0-9]$")

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("fn17-dummy-password-for-timing")


class TooManyAttemptsError(AuthenticationError):
    """Login refused by the rate limit (HTTP 429)."""

    http_status = 429
    code = "too_many_attempts"


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    active: bool
    roles: tuple[tuple[str, str], ...]  # (role, region_code)
    version: int
    created_at: datetime


@dataclass(frozen=True)
class Session:
    user_id: int
    sid: str
    epoch: int


# --- passwords and users ----------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_new_password(username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(
            f"Passordet er for kort: det må ha minst {MIN_PASSWORD} tegn (fikk {len(password)}).",
            message_en=f"The password is too short: it needs at least {MIN_PASSWORD} characters (got {len(password)}).",
            hint="Bruk gjerne en setning på tre–fire ord.",
            hint_en="A sentence of three or four words works well.",
            details={"field": "password"},
        )
    if password.strip().lower() == username.lower():
        raise InvalidInputError(
            "Passordet kan ikke være det samme som brukernavnet.",
            message_en="The password cannot be the same as the username.",
            details={"field": "password"},
        )


def normalise_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not USERNAME.match(name):
        raise InvalidInputError(
            f"«{username}» kan ikke brukes som brukernavn: bruk 3–64 tegn a–z, 0–9, punktum, @, bindestrek eller understrek.",
            message_en=f"“{username}” cannot be a username: use 3–64 characters a–z, 0–9, dot, @, hyphen or underscore.",
            details={"field": "username"},
        )
    return name


def _user(conn: Connection, user_id: int) -> User:
    row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"Fant ikke bruker nummer {user_id}.", message_en=f"Cannot find user number {user_id}.")
    roles = conn.execute(
        select(user_roles.c.role, user_roles.c.region_code).where(user_roles.c.user_id == user_id)
        .order_by(user_roles.c.role, user_roles.c.region_code)
    ).all()
    return User(id=row["id"], username=row["username"], display_name=row["display_name"], active=row["active"],
                roles=tuple((r.role, r.region_code) for r in roles), version=row["version"], created_at=row["created_at"])


def user_by_name(engine: Engine, username: str) -> User:
    name = (username or "").strip().lower()
    with engine.connect() as conn:
        user_id = conn.execute(select(users.c.id).where(users.c.username == name)).scalar()
        if user_id is None:
            raise NotFoundError(f"Brukeren «{name}» finnes ikke.", message_en=f"User “{name}” does not exist.",
                                hint="Se `fn17 users list`.", hint_en="See `fn17 users list`.")
        return _user(conn, int(user_id))


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        ids = conn.execute(select(users.c.id).order_by(users.c.username)).scalars().all()
        return [_user(conn, int(i)) for i in ids]


def create_user(engine: Engine, actor: Actor, username: str, password: str, display_name: str = "") -> User:
    """A new active user without roles (grant them with ``grant_role``)."""
    name = normalise_username(username)
    check_new_password(name, password)
    stamp = datetime.now(UTC)
    with engine.begin() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == name)).scalar() is not None:
            raise ConflictError(f"Brukernavnet «{name}» er allerede i bruk.", message_en=f"The username “{name}” is already taken.",
                                hint="Velg et annet brukernavn.", hint_en="Choose another username.")
        new_id = conn.execute(
            insert(users).values(username=name, display_name=(display_name or name).strip()[:200], password_hash=hash_password(password),
                                 active=True, session_epoch=0, created_at=stamp, updated_at=stamp, version=1).returning(users.c.id)
        ).scalar_one()
        user = _user(conn, int(new_id))
        record(conn, actor, "create", "user", new_id, None, after={"username": name, "display_name": user.display_name})
    log.info("user %s created by %s", name, actor.username)
    return user


def _check_role(conn: Connection, role: str, region_code: str) -> str:
    if role not in ROLES:
        raise InvalidInputError(f"Ukjent rolle «{role}»; bruk administrator, editor eller viewer.",
                                message_en=f"Unknown role “{role}”; use administrator, editor or viewer.")
    if role == "administrator":
        return ""
    if not region_code:
        raise InvalidInputError(f"Rollen {role} gjelder én region; oppgi kommune- eller fylkesnummer (--region 1508).",
                                message_en=f"The role {role} is for one region; give a municipality or county number (--region 1508).")
    return region_facts(conn, region_code).code


def grant_role(engine: Engine, actor: Actor, username: str, role: str, region_code: str = "") -> User:
    with engine.begin() as conn:
        region = _check_role(conn, role, region_code.strip())
        user_id = conn.execute(select(users.c.id).where(users.c.username == username.strip().lower())).scalar()
        if user_id is None:
            raise NotFoundError(f"Brukeren «{username}» finnes ikke.", message_en=f"User “{username}” does not exist.")
        exists = conn.execute(select(user_roles.c.id).where(user_roles.c.user_id == user_id, user_roles.c.role == role,
                                                            user_roles.c.region_code == region)).scalar()
        if exists is None:
            conn.execute(insert(user_roles).values(user_id=user_id, role=role, region_code=region))
            record(conn, actor, "grant", "user", user_id, region or None, after={"username": username, "role": role, "region": region})
        return _user(conn, int(user_id))


def revoke_role(engine: Engine, actor: Actor, username: str, role: str, region_code: str = "") -> User:
    with engine.begin() as conn:
        user_id = conn.execute(select(users.c.id).where(users.c.username == username.strip().lower())).scalar()
        if user_id is None:
            raise NotFoundError(f"Brukeren «{username}» finnes ikke.", message_en=f"User “{username}” does not exist.")
        region = "" if role == "administrator" else region_code.strip()
        result = conn.execute(delete(user_roles).where(user_roles.c.user_id == user_id, user_roles.c.role == role,
                                                       user_roles.c.region_code == region))
        if result.rowcount:
            record(conn, actor, "revoke", "user", user_id, region or None, before={"username": username, "role": role, "region": region})
        return _user(conn, int(user_id))


def set_password(engine: Engine, actor: Actor, username: str, password: str) -> None:
    """A new password; every open session of the user ends."""
    name = username.strip().lower()
    check_new_password(name, password)
    with engine.begin() as conn:
        result = conn.execute(
            update(users).where(users.c.username == name)
            .values(password_hash=hash_password(password), session_epoch=users.c.session_epoch + 1,
                    updated_at=datetime.now(UTC), version=users.c.version + 1)
        )
        if result.rowcount != 1:
            raise NotFoundError(f"Brukeren «{name}» finnes ikke.", message_en=f"User “{name}” does not exist.")
        user_id = conn.execute(select(users.c.id).where(users.c.username == name)).scalar()
        record(conn, actor, "password", "user", user_id, None, summary=f"password changed for {name}")


def actor_for(engine: Engine, user_id: int, ip: str | None = None) -> Actor:
    with engine.connect() as conn:
        user = _user(conn, user_id)
    return Actor(
        user_id=user.id, username=user.username, display_name=user.display_name,
        is_admin=any(r == "administrator" for r, _ in user.roles),
        editor_of=frozenset(reg for r, reg in user.roles if r == "editor"),
        viewer_of=frozenset(reg for r, reg in user.roles if r == "viewer"),
        ip=ip,
    )


# --- login with a rate limit ----------------------------------------------------------------


def _failures(conn: Connection, username: str, ip: str, since: datetime) -> tuple[int, datetime | None]:
    last_ok = conn.execute(
        select(func.max(login_attempts.c.at)).where(login_attempts.c.username == username, login_attempts.c.ip == ip,
                                                    login_attempts.c.success.is_(True))
    ).scalar()
    start = max(since, _aware(last_ok)) if last_ok is not None else since
    row = conn.execute(
        select(func.count(), func.min(login_attempts.c.at)).where(
            login_attempts.c.username == username, login_attempts.c.ip == ip,
            login_attempts.c.success.is_(False), login_attempts.c.at > start)
    ).one()
    return int(row[0]), (_aware(row[1]) if row[1] is not None else None)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything FN17 writes is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def login(engine: Engine, username: str, password: str, ip: str, *, now: datetime | None = None) -> Actor:
    """Check a username and password; raise ``AuthenticationError`` (or ``TooManyAttemptsError``)."""
    moment = now or datetime.now(UTC)
    name = (username or "").strip().lower()[:64]
    ip = (ip or "unknown")[:64]
    with engine.begin() as conn:
        count, oldest = _failures(conn, name, ip, moment - WINDOW)
        if count >= MAX_FAILURES and oldest is not None:
            wait = max(1, int(((oldest + WINDOW) - moment).total_seconds() // 60) + 1)
            raise TooManyAttemptsError(
                f"For mange mislykkede innlogginger for «{name}» fra denne adressen ({count} på {int(WINDOW.total_seconds() // 60)} minutter). "
                f"Vent {wait} minutter og prøv igjen.",
                message_en=f"Too many failed logins for “{name}” from this address ({count} in {int(WINDOW.total_seconds() // 60)} minutes). "
                f"Wait {wait} minutes and try again.",
                hint="Har du glemt passordet, kan en administrator sette et nytt (fn17 users password).",
                hint_en="If you have forgotten the password, an administrator can set a new one (fn17 users password).",
                details={"retry_after_minutes": wait},
            )
        row = conn.execute(select(users).where(users.c.username == name)).mappings().first()
        ok = False
        if row is None:
            _verify(_DUMMY_HASH, password)  # same work whether or not the user exists
        elif row["active"]:
            ok = _verify(row["password_hash"], password)
        conn.execute(insert(login_attempts).values(username=name, ip=ip, at=moment, success=ok))
        if ok and row is not None and _hasher.check_needs_rehash(row["password_hash"]):
            conn.execute(update(users).where(users.c.id == row["id"]).values(password_hash=hash_password(password)))
    if not ok or row is None:
        left = MAX_FAILURES - count - 1
        raise AuthenticationError(
            "Feil brukernavn eller passord." + (f" Du har {left} forsøk igjen før innloggingen sperres i "
                                                 f"{int(WINDOW.total_seconds() // 60)} minutter." if left <= 2 else ""),
            message_en="Wrong username or password." + (f" {left} attempts left before login is blocked for "
                                                         f"{int(WINDOW.total_seconds() // 60)} minutes." if left <= 2 else ""),
            details={"attempts_left": left},
        )
    return actor_for(engine, int(row["id"]), ip)


def _verify(hashed: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(hashed, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def prune_attempts(engine: Engine, older_than: timedelta = timedelta(days=30)) -> int:
    with engine.begin() as conn:
        result = conn.execute(delete(login_attempts).where(login_attempts.c.at < datetime.now(UTC) - older_than))
    return int(result.rowcount or 0)


# --- sessions and CSRF ------------------------------------------------------------------------


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    if not secret_key:
        raise InvalidInputError("FN17_SECRET_KEY er tom; sesjoner kan ikke signeres.",
                                message_en="FN17_SECRET_KEY is empty; sessions cannot be signed.")
    return URLSafeTimedSerializer(secret_key, salt="fn17.session")


def new_session(engine: Engine, secret_key: str, user_id: int) -> tuple[str, Session]:
    """A signed session cookie value for ``user_id`` with a fresh session id."""
    with engine.connect() as conn:
        epoch = conn.execute(select(users.c.session_epoch).where(users.c.id == user_id)).scalar_one()
    session = Session(user_id=user_id, sid=secrets.token_urlsafe(18), epoch=int(epoch))
    token = _serializer(secret_key).dumps({"u": session.user_id, "s": session.sid, "e": session.epoch})
    return str(token), session


def read_session(engine: Engine, secret_key: str, token: str, max_age: int = SESSION_MAX_AGE) -> Session:
    """The session in a cookie, if its signature, age, user and epoch are all still good."""
    try:
        data: Any = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise AuthenticationError("Økta di er utløpt; logg inn igjen.", message_en="Your session has expired; log in again.") from exc
    except BadSignature as exc:
        raise AuthenticationError("Øktinformasjonen er ugyldig; logg inn igjen.", message_en="The session is invalid; log in again.") from exc
    if not isinstance(data, dict) or not {"u", "s", "e"} <= set(data):
        raise AuthenticationError("Øktinformasjonen er ugyldig; logg inn igjen.", message_en="The session is invalid; log in again.")
    with engine.connect() as conn:
        row = conn.execute(select(users.c.active, users.c.session_epoch).where(users.c.id == int(data["u"]))).first()
        revoked = conn.execute(select(revoked_sessions.c.sid).where(revoked_sessions.c.sid == str(data["s"]))).first()
    if row is None or not row.active or int(row.session_epoch) != int(data["e"]) or revoked is not None:
        raise AuthenticationError("Økta di er avsluttet; logg inn igjen.", message_en="Your session has ended; log in again.")
    return Session(user_id=int(data["u"]), sid=str(data["s"]), epoch=int(data["e"]))


def end_session(engine: Engine, sid: str, max_age: int = SESSION_MAX_AGE) -> None:
    """Log out on the server: the session id is refused from now on, even from a copied cookie.
    Entries older than a session's lifetime are pruned at the same time."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(delete(revoked_sessions).where(revoked_sessions.c.expires_at < now))
        known = conn.execute(select(revoked_sessions.c.sid).where(revoked_sessions.c.sid == sid)).first()
        if known is None:
            conn.execute(insert(revoked_sessions).values(sid=sid, expires_at=now + timedelta(seconds=max_age)))


def csrf_token(secret_key: str, sid: str) -> str:
    return hmac.new(secret_key.encode(), f"fn17.csrf|{sid}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret_key: str, sid: str, token: str | None) -> bool:
    if not token or not sid:
        return False
    return hmac.compare_digest(csrf_token(secret_key, sid), token)


__all__ = [
    "MAX_FAILURES",
    "SESSION_MAX_AGE",
    "WINDOW",
    "Session",
    "TooManyAttemptsError",
    "User",
    "actor_for",
    "create_user",
    "csrf_ok",
    "csrf_token",
    "end_session",
    "grant_role",
    "hash_password",
    "list_users",
    "login",
    "new_session",
    "normalise_username",
    "prune_attempts",
    "read_session",
    "revoke_role",
    "set_password",
    "user_by_name",
]
