"""Login, logout, the account page, user administration, and the web side of sessions and CSRF.

Every route that changes data reads its body with ``checked_form``, which refuses (403,
logged) a missing or wrong CSRF token before the service checks the role. Visitors get
an anonymous id cookie so the login form carries a CSRF token too.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from fn17.actions import auth
from fn17.actions.actor import ANONYMOUS, Actor
from fn17.actions.audit import record_refusal
from fn17.actions.permissions import require_admin
from fn17.errors import AuthenticationError, Fn17Error, InvalidInputError, PermissionDeniedError
from fn17.web.render import render, request_lang
from fn17.workspace import Workspace

log = logging.getLogger(__name__)
router = APIRouter()

SESSION_COOKIE = "fn17_session"
ANON_COOKIE = "fn17_anon"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class WebSession:
    actor: Actor
    sid: str
    csrf: str
    new_anon: str | None  # a fresh anonymous id to set as a cookie


def ws_of(request: Request) -> Workspace:
    ws: Workspace = request.app.state.ws
    return ws


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def web_session(request: Request) -> WebSession:
    """The visitor's actor, session id and CSRF token (computed once per request)."""
    cached = getattr(request.state, "fn17", None)
    if isinstance(cached, WebSession):
        return cached
    ws = ws_of(request)
    key = ws.settings.secret_key
    actor, sid, new_anon = ANONYMOUS.with_ip(client_ip(request)), "", None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            session = auth.read_session(ws.engine, key, token)
            actor, sid = auth.actor_for(ws.engine, session.user_id, client_ip(request)), "s:" + session.sid
        except AuthenticationError as exc:
            log.info("ignoring session cookie: %s", exc.message_en)
    if not sid:
        anon = request.cookies.get(ANON_COOKIE) or ""
        if len(anon) < 16:
            anon = new_anon = secrets.token_urlsafe(18)
        sid = "a:" + anon
    result = WebSession(actor, sid, auth.csrf_token(key, sid), new_anon)
    request.state.fn17 = result
    return result


def current_actor(request: Request) -> Actor:
    return web_session(request).actor


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept or request.headers.get("content-type", "").startswith("application/json")


def finish(request: Request, response: Response) -> Response:
    """Set the anonymous id cookie when this request made one."""
    session = web_session(request)
    if session.new_anon:
        response.set_cookie(ANON_COOKIE, session.new_anon, httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


def page(request: Request, template: str, context: Any, fmt: str = "html", *, status: int = 200, title: str = "") -> Response:
    web_session(request)
    return finish(request, render(request, template, context, fmt, status=status, title=title))


async def read_body(request: Request) -> dict[str, Any]:
    """A form (each field as a list when repeated) or a JSON object."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = await request.json()
        except ValueError as exc:
            raise InvalidInputError("Forespørselen er ikke gyldig JSON.", message_en="The request body is not valid JSON.") from exc
        if not isinstance(data, dict):
            raise InvalidInputError("Forespørselen må være et JSON-objekt.", message_en="The request body must be a JSON object.")
        return data
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        strings = [v for v in values if isinstance(v, str)]
        uploads = [v for v in values if not isinstance(v, str)]
        if uploads:
            out[key] = uploads[0]
        else:
            out[key] = strings if len(strings) > 1 or key.endswith("_ids") or key == "sdg_goals" else (strings[0] if strings else "")
    return out


async def checked_form(request: Request, entity: str, region: str | None = None) -> dict[str, Any]:
    """The body of a state-changing request, after the CSRF check (a failure is refused and logged)."""
    session = web_session(request)
    body = await read_body(request)
    token = request.headers.get(CSRF_HEADER) or body.pop("csrf", None)
    if isinstance(token, list):
        token = token[0] if token else None
    if not auth.csrf_ok(ws_of(request).settings.secret_key, session.sid, token if isinstance(token, str) else None):
        record_refusal(ws_of(request).engine, session.actor, entity, None, region, "bad or missing CSRF token")
        raise PermissionDeniedError(
            "Skjemaet kunne ikke kontrolleres (CSRF-sjekken feilet): det er for gammelt, eller det kom fra et annet nettsted.",
            message_en="The form could not be verified (CSRF check failed): it is too old, or it came from another site.",
            hint="Last siden på nytt og send skjemaet igjen.",
            hint_en="Reload the page and submit the form again.",
        )
    return body


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def lang_suffix(request: Request) -> str:
    return f"lang={request_lang(request)}"


# --- routes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginPage:
    username: str
    error: str | None
    next_url: str


def _safe_next(url: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


@router.get("/logg-inn", summary="The login form")
def login_form(request: Request, neste: str | None = None) -> Response:
    return page(request, "auth_login.html", LoginPage("", None, _safe_next(neste)), title="Logg inn")


@router.post("/logg-inn", summary="Log in (rate-limited per username and address)")
async def login(request: Request) -> Response:
    body = await checked_form(request, "login")
    username, password = str(body.get("username", "")), str(body.get("password", ""))
    next_url = _safe_next(str(body.get("next", "/")))
    ws = ws_of(request)
    lang = request_lang(request)
    try:
        actor = auth.login(ws.engine, username, password, client_ip(request))
    except AuthenticationError as err:
        if wants_json(request):
            raise
        return page(request, "auth_login.html", LoginPage(username, err.text(lang), next_url), status=err.http_status)
    assert actor.user_id is not None
    token, _session = auth.new_session(ws.engine, ws.settings.secret_key, actor.user_id)
    response: Response
    if wants_json(request):
        response = render(request, "error.html", {"username": actor.username, "roles": actor.role_labels}, "json")
    else:
        if next_url == "/":
            home = next((r for role, r in actor.role_labels if role == "editor"), None)
            next_url = f"/region/{home}/handling" if home else "/konto"
        response = redirect(f"{next_url}{'&' if '?' in next_url else '?'}{lang_suffix(request)}")
    response.set_cookie(SESSION_COOKIE, token, max_age=auth.SESSION_MAX_AGE, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


@router.post("/logg-ut", summary="Log out")
async def logout(request: Request) -> Response:
    await checked_form(request, "logout")
    sid = web_session(request).sid
    if sid.startswith("s:"):  # a logged-in session: end it on the server too
        auth.end_session(ws_of(request).engine, sid[2:])
    response = redirect(f"/?{lang_suffix(request)}")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/api/csrf", summary="A CSRF token for this session (send it as X-CSRF-Token)")
def csrf(request: Request) -> Response:
    session = web_session(request)
    return finish(request, render(request, "error.html", {"csrf": session.csrf, "username": session.actor.username}, "json"))


@dataclass(frozen=True)
class AccountPage:
    username: str
    display_name: str
    roles: list[tuple[str, str]]
    message: str | None = None
    error: str | None = None


def _account(request: Request, message: str | None = None, error: str | None = None) -> AccountPage:
    actor = current_actor(request)
    if not actor.authenticated:
        raise AuthenticationError("Du er ikke logget inn.", message_en="You are not logged in.",
                                  hint="Logg inn på /logg-inn.", hint_en="Log in at /logg-inn.")
    return AccountPage(actor.username, actor.display_name, actor.role_labels, message, error)


@router.get("/konto", summary="Who am I: my roles")
def account(request: Request) -> Response:
    return page(request, "auth_account.html", _account(request), title="Konto")


@router.get("/konto.json", include_in_schema=False)
def account_json(request: Request) -> Response:
    return page(request, "auth_account.html", _account(request), "json")


@router.post("/konto/passord", summary="Change my password (ends my other sessions)")
async def change_password(request: Request) -> Response:
    body = await checked_form(request, "user")
    actor = current_actor(request)
    lang = request_lang(request)
    if not actor.authenticated:
        record_refusal(ws_of(request).engine, actor, "user", None, None, "not logged in: password change")
        raise AuthenticationError("Du er ikke logget inn.", message_en="You are not logged in.")
    ws = ws_of(request)
    try:
        auth.login(ws.engine, actor.username, str(body.get("current", "")), client_ip(request))
        auth.set_password(ws.engine, actor, actor.username, str(body.get("new", "")))
    except (AuthenticationError, InvalidInputError) as err:
        if wants_json(request):
            raise
        return page(request, "auth_account.html", _account(request, error=err.text(lang)), status=err.http_status)
    assert actor.user_id is not None
    token, _ = auth.new_session(ws.engine, ws.settings.secret_key, actor.user_id)
    response = page(request, "auth_account.html", _account(request, message="password_changed"))
    response.set_cookie(SESSION_COOKIE, token, max_age=auth.SESSION_MAX_AGE, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


@dataclass(frozen=True)
class UsersPage:
    users: list[auth.User]
    message: str | None = None
    error: str | None = None

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return (["username", "display_name", "active", "roles"],
                [[u.username, u.display_name, u.active, " ".join(f"{r}:{g}" if g else r for r, g in u.roles)] for u in self.users])


def _users_page(request: Request, message: str | None = None, error: str | None = None) -> UsersPage:
    ws = ws_of(request)
    require_admin(ws.engine, current_actor(request), "user")
    return UsersPage(auth.list_users(ws.engine), message, error)


@router.get("/admin/brukere", summary="Users and roles (administrators)")
def users(request: Request) -> Response:
    return page(request, "auth_users.html", _users_page(request), title="Brukere")


@router.get("/admin/brukere.{fmt}", include_in_schema=False)
def users_twin(request: Request, fmt: str) -> Response:
    return page(request, "auth_users.html", _users_page(request), fmt if fmt in ("json", "csv") else "html")


async def _admin_action(request: Request, username: str | None, action: str) -> Response:
    body = await checked_form(request, "user")
    ws = ws_of(request)
    actor = current_actor(request)
    require_admin(ws.engine, actor, "user", username)
    lang = request_lang(request)
    try:
        if action == "create":
            user = auth.create_user(ws.engine, actor, str(body.get("username", "")), str(body.get("password", "")),
                                    str(body.get("display_name", "")))
            role = str(body.get("role", "")).strip()
            if role:
                auth.grant_role(ws.engine, actor, user.username, role, str(body.get("region", "")))
        elif action == "grant":
            assert username is not None
            auth.grant_role(ws.engine, actor, username, str(body.get("role", "")), str(body.get("region", "")))
        else:
            assert username is not None
            auth.revoke_role(ws.engine, actor, username, str(body.get("role", "")), str(body.get("region", "")))
    except Fn17Error as err:
        if wants_json(request) or err.http_status >= 500:
            raise
        return page(request, "auth_users.html", _users_page(request, error=err.text(lang)), status=err.http_status)
    if wants_json(request):
        return page(request, "auth_users.html", _users_page(request, message=action), "json")
    return redirect(f"/admin/brukere?melding={action}&{lang_suffix(request)}")


@router.post("/admin/brukere", summary="Create a user (administrators)")
async def create_user(request: Request) -> Response:
    return await _admin_action(request, None, "create")


@router.post("/admin/brukere/{username}/roller", summary="Grant a role (administrators)")
async def grant(request: Request, username: str) -> Response:
    return await _admin_action(request, username, "grant")


@router.post("/admin/brukere/{username}/roller/slett", summary="Revoke a role (administrators)")
async def revoke(request: Request, username: str) -> Response:
    return await _admin_action(request, username, "revoke")


__all__ = [
    "ANON_COOKIE",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "WebSession",
    "checked_form",
    "current_actor",
    "page",
    "read_body",
    "redirect",
    "router",
    "wants_json",
    "web_session",
    "ws_of",
]
