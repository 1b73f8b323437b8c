"""Users, Argon2 password hashes, the database-backed login rate limit, signed sessions, CSRF
tokens and the ``fn17 users`` commands, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from fn17.actions import audit, auth
from fn17.actions.actor import command_line_actor
from fn17.cli import cli
from fn17.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from fn17.store import make_engine
from fn17.store.actions_tables import login_attempts, users
from fn17.workspace import Workspace
from test_actions_support import PASSWORD, People, people_fixture, store_fixture  # noqa: F401  (fixtures)


def test_passwords_are_argon2id_hashes_and_never_logged(store: Workspace, people: People) -> None:
    with store.engine.connect() as conn:
        hashed = conn.execute(select(users.c.password_hash).where(users.c.username == "redaktor")).scalar_one()
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    for entry in audit.entries(store.engine, entity="user"):
        assert "password_hash" not in (entry.after or {}) and PASSWORD not in repr(entry)


def test_login_checks_the_password_and_gives_roles(store: Workspace, people: People) -> None:
    actor = auth.login(store.engine, " Redaktor ", PASSWORD, "10.0.0.1")
    assert actor.username == "redaktor" and actor.editor_of == frozenset({"1508"}) and actor.ip == "10.0.0.1"
    assert actor.can_edit("1508") and not actor.can_edit("0301") and not actor.is_admin
    with pytest.raises(AuthenticationError) as info:
        auth.login(store.engine, "redaktor", "feil passord her", "10.0.0.1")
    assert info.value.message.startswith("Feil brukernavn eller passord.") and info.value.http_status == 401
    with pytest.raises(AuthenticationError):
        auth.login(store.engine, "finnes-ikke", PASSWORD, "10.0.0.1")


def test_rate_limit_holds_across_workers_and_expires(store: Workspace, people: People, db_url: str) -> None:
    """Two engines stand for two web workers: the failures one of them sees count for the other."""
    worker2 = make_engine(db_url)
    try:
        start = datetime.now(UTC)
        for n in range(auth.MAX_FAILURES):
            engine = store.engine if n % 2 == 0 else worker2
            with pytest.raises(AuthenticationError):
                auth.login(engine, "redaktor", f"galt-{n}", "10.0.0.2", now=start + timedelta(seconds=n))
        with pytest.raises(auth.TooManyAttemptsError) as info:
            auth.login(worker2, "redaktor", PASSWORD, "10.0.0.2", now=start + timedelta(seconds=10))
        assert info.value.http_status == 429 and "Vent 15 minutter" in info.value.message
        # another address is not blocked, and the block ends when the window has passed
        assert auth.login(worker2, "redaktor", PASSWORD, "10.0.0.3").username == "redaktor"
        later = start + auth.WINDOW + timedelta(seconds=30)
        assert auth.login(store.engine, "redaktor", PASSWORD, "10.0.0.2", now=later).username == "redaktor"
        with store.engine.connect() as conn:
            counted = conn.execute(select(login_attempts).where(login_attempts.c.ip == "10.0.0.2")).all()
        assert len(counted) == auth.MAX_FAILURES + 1  # the blocked attempt was not even tried
    finally:
        worker2.dispose()


def test_sessions_are_signed_and_end_with_a_new_password(store: Workspace, people: People) -> None:
    key = store.settings.secret_key
    assert people.editor.user_id is not None
    token, session = auth.new_session(store.engine, key, people.editor.user_id)
    assert auth.read_session(store.engine, key, token) == session
    with pytest.raises(AuthenticationError):
        auth.read_session(store.engine, "another-key-entirely", token)
    with pytest.raises(AuthenticationError):
        auth.read_session(store.engine, key, token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))
    auth.set_password(store.engine, command_line_actor(), "redaktor", "et helt nytt passord")
    with pytest.raises(AuthenticationError) as info:
        auth.read_session(store.engine, key, token)
    assert "avsluttet" in info.value.message
    with pytest.raises(AuthenticationError):
        auth.login(store.engine, "redaktor", PASSWORD, "10.0.0.4")
    assert auth.login(store.engine, "redaktor", "et helt nytt passord", "10.0.0.4").username == "redaktor"


def test_sessions_expire(store: Workspace, people: People) -> None:
    assert people.viewer.user_id is not None
    token, _ = auth.new_session(store.engine, store.settings.secret_key, people.viewer.user_id)
    time.sleep(1.1)
    with pytest.raises(AuthenticationError) as info:
        auth.read_session(store.engine, store.settings.secret_key, token, max_age=0)
    assert "utløpt" in info.value.message


def test_csrf_tokens_belong_to_one_session() -> None:
    a, b = auth.csrf_token("k" * 20, "s:one"), auth.csrf_token("k" * 20, "s:two")
    assert a != b and len(a) == 64
    assert auth.csrf_ok("k" * 20, "s:one", a)
    assert not auth.csrf_ok("k" * 20, "s:two", a)
    assert not auth.csrf_ok("k" * 20, "s:one", None)
    assert not auth.csrf_ok("other-key-xxxxxxxxxx", "s:one", a)


def test_user_rules(store: Workspace, people: People) -> None:
    cli_actor = command_line_actor()
    with pytest.raises(InvalidInputError) as info:
        auth.create_user(store.engine, cli_actor, "kort", "for kort")
    assert "minst 10 tegn" in info.value.message
    with pytest.raises(InvalidInputError):
        auth.create_user(store.engine, cli_actor, "Ugyldig Navn!", PASSWORD)
    with pytest.raises(ConflictError):
        auth.create_user(store.engine, cli_actor, "REDAKTOR", PASSWORD)
    with pytest.raises(InvalidInputError) as info:
        auth.grant_role(store.engine, cli_actor, "leser", "editor", "")
    assert "--region" in info.value.message
    with pytest.raises(InvalidInputError) as info:
        auth.grant_role(store.engine, cli_actor, "leser", "editor", "1507")
    assert "1508" in info.value.message
    with pytest.raises(NotFoundError):
        auth.grant_role(store.engine, cli_actor, "ingen-slik", "viewer", "1508")
    user = auth.revoke_role(store.engine, cli_actor, "leser", "viewer", "1508")
    assert user.roles == ()
    actions = [e.action for e in audit.entries(store.engine, entity="user")]
    assert actions.count("grant") == 4 and actions.count("revoke") == 1 and actions.count("create") == 4


def test_users_commands(store: Workspace, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FN17_DATABASE_URL", db_url)
    runner = CliRunner()
    result = runner.invoke(cli, ["users", "add", "kari", "--name", "Kari Nordmann", "--editor", "1508", "--viewer", "1580",
                                 "--password-stdin"], input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Opprettet kari (editor 1508, viewer 1580)" in result.output
    result = runner.invoke(cli, ["users", "grant", "kari", "--role", "administrator"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["users", "list", "--format", "csv"])
    assert result.output.splitlines() == ["brukernavn,navn,aktiv,roller", "kari,Kari Nordmann,ja,administrator editor:1508 viewer:1580"]
    result = runner.invoke(cli, ["--lang", "en", "users", "password", "kari", "--password-stdin"], input="eit nytt passord no\n")
    assert result.exit_code == 0 and "Password changed." in result.output
    assert auth.login(store.engine, "kari", "eit nytt passord no", "127.0.0.1").is_admin
