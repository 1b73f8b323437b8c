"""Command-line commands for users and roles and for the progress report.

    fn17 users add ola --name "Ola Nordmann" --editor 1508     (asks for the password)
    fn17 users list [--format json]
    fn17 users grant ola --role editor --region 1580
    fn17 users revoke ola --role editor --region 1580
    fn17 users password ola
    fn17 report --region 1508 --format pdf --output vlr.pdf [--lang nn] [--drafts]

Each command is one service call. The command line acts as an administrator: whoever can
run it already has the database.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Protocol

import click

from fn17.actions import auth
from fn17.actions.actor import ROLES, command_line_actor
from fn17.config import LANGS, Lang
from fn17.errors import InvalidInputError
from fn17.workspace import Workspace


class _Obj(Protocol):
    lang: Lang

    def workspace(self, create: bool = False) -> Workspace: ...


def _password(from_stdin: bool, lang: str) -> str:
    if from_stdin:
        value = sys.stdin.readline().rstrip("\n")
        if not value:
            raise InvalidInputError("Fikk ikke noe passord på standard inn.", message_en="No password on standard input.")
        return value
    prompt = "Password" if lang == "en" else "Passord"
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True))


@click.group("users")
def users() -> None:
    """Brukere og roller: administrator, redaktør for en region, leser."""


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Fullt navn.")
@click.option("--admin", is_flag=True, help="Gi administratorrollen.")
@click.option("--editor", "editor_of", multiple=True, help="Redaktør for kommune/fylke (kan gjentas).")
@click.option("--viewer", "viewer_of", multiple=True, help="Leser for kommune/fylke (kan gjentas).")
@click.option("--password-stdin", is_flag=True, help="Les passordet fra standard inn.")
@click.pass_obj
def add_user(obj: _Obj, username: str, display_name: str, admin: bool, editor_of: tuple[str, ...], viewer_of: tuple[str, ...],
             password_stdin: bool) -> None:
    """Opprett en bruker (passordet spørres om, eller leses med --password-stdin)."""
    ws = obj.workspace()
    actor = command_line_actor()
    user = auth.create_user(ws.engine, actor, username, _password(password_stdin, obj.lang), display_name)
    if admin:
        auth.grant_role(ws.engine, actor, user.username, "administrator")
    for code in editor_of:
        auth.grant_role(ws.engine, actor, user.username, "editor", code)
    for code in viewer_of:
        auth.grant_role(ws.engine, actor, user.username, "viewer", code)
    user = auth.user_by_name(ws.engine, user.username)
    roles = ", ".join(f"{r} {g}".strip() for r, g in user.roles) or ("no roles" if obj.lang == "en" else "ingen roller")
    click.echo(f"{'Created' if obj.lang == 'en' else 'Opprettet'} {user.username} ({roles})")


@users.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.pass_obj
def list_users(obj: _Obj, fmt: str) -> None:
    """List brukerne med rollene deres."""
    from fn17.cli import emit

    rows = [[u.username, u.display_name, "ja" if u.active else "nei", " ".join(f"{r}:{g}" if g else r for r, g in u.roles)]
            for u in auth.list_users(obj.workspace().engine)]
    header = ["username", "name", "active", "roles"] if obj.lang == "en" else ["brukernavn", "navn", "aktiv", "roller"]
    emit(rows, header, fmt)


@users.command("grant")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--region", default="", help="Kommune- eller fylkesnummer (for editor og viewer).")
@click.pass_obj
def grant(obj: _Obj, username: str, role: str, region: str) -> None:
    """Gi en bruker en rolle."""
    user = auth.grant_role(obj.workspace().engine, command_line_actor(), username, role, region)
    click.echo(f"{user.username}: " + ", ".join(f"{r} {g}".strip() for r, g in user.roles))


@users.command("revoke")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--region", default="")
@click.pass_obj
def revoke(obj: _Obj, username: str, role: str, region: str) -> None:
    """Ta en rolle fra en bruker."""
    user = auth.revoke_role(obj.workspace().engine, command_line_actor(), username, role, region)
    click.echo(f"{user.username}: " + (", ".join(f"{r} {g}".strip() for r, g in user.roles) or "–"))


@users.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Les passordet fra standard inn.")
@click.pass_obj
def password(obj: _Obj, username: str, password_stdin: bool) -> None:
    """Sett nytt passord (avslutter brukerens innlogginger)."""
    auth.set_password(obj.workspace().engine, command_line_actor(), username, _password(password_stdin, obj.lang))
    click.echo("Password changed." if obj.lang == "en" else "Passordet er endret.")


@click.command("report")
@click.option("--region", "region", required=True, help="Kommune- eller fylkesnummer, f.eks. 1508.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True)
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--lang", "report_lang", type=click.Choice(LANGS), default=None, help="nb (bokmål), nn (nynorsk) eller en.")
@click.option("--drafts", is_flag=True, help="Ta med utkast (upubliserte mål, tiltak og partnere).")
@click.pass_obj
def report(obj: _Obj, region: str, fmt: str, output: Path, report_lang: str | None, drafts: bool) -> None:
    """Lag framdriftsrapporten (VLR) for en kommune eller et fylke som PDF eller HTML."""
    from fn17.services.reports import vlr

    lang: Lang = report_lang or obj.lang  # type: ignore[assignment]
    file = vlr(obj.workspace(), command_line_actor(), region, fmt, lang, include_drafts=drafts)
    output.write_bytes(file.content)
    size = len(file.content) // 1024
    click.echo(f"Wrote {output} ({size} kB)" if obj.lang == "en" else f"Skrev {output} ({size} kB)")


__all__ = ["report", "users"]
