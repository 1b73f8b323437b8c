"""The FastAPI app factory. Routers live in ``fn17.web.routes``; each route parses its
input, calls one service and hands a typed context to ``render``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from fn17 import __version__
from fn17.config import Settings, get_settings
from fn17.errors import Fn17Error, InvalidInputError, NotFoundError
from fn17.web.render import make_env, render, request_lang, split_format
from fn17.web.routes import ROUTERS
from fn17.workspace import Workspace, open_workspace

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.endswith(".json") or path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _error_response(request: Request, err: Fn17Error) -> Response:
    """One error shape for every face: JSON for ``.json``/API requests, plain text for a
    ``.csv`` download (a program reading it gets the message, not a web page), HTML otherwise."""
    lang = request_lang(request)
    if _wants_json(request):
        return render(request, "error.html", err.to_dict(lang), "json", status=err.http_status)
    if request.url.path.endswith(".csv"):
        return PlainTextResponse(err.text(lang) + "\n", status_code=err.http_status)
    context = {"status": err.http_status, "message": err.message_en if lang == "en" else err.message,
               "hint": err.hint_en if lang == "en" else err.hint, "details": err.details}
    return render(request, "error.html", context, "html", status=err.http_status)


def create_app(settings: Settings | None = None, workspace: Workspace | None = None) -> FastAPI:
    """Build the web app on an opened (and migrated) store."""
    ws = workspace or open_workspace(settings or get_settings())
    app = FastAPI(
        title="FN17",
        version=__version__,
        description="FN17: bærekraftsmålene i norske kommuner og fylker. Every page has a .json twin; see /docs.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.ws = ws
    app.state.jinja = make_env()
    app.state.default_lang = ws.settings.lang
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(Fn17Error)
    async def _fn17_error(request: Request, exc: Fn17Error) -> Response:
        return _error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            err: Fn17Error = NotFoundError(
                f"Fant ikke siden {request.url.path}.",
                message_en=f"Page {request.url.path} not found.",
                hint="Gå til forsiden eller bruk søket.",
                hint_en="Go to the front page or use the search.",
            )
        else:
            err = Fn17Error(str(exc.detail))
            err.http_status = exc.status_code
        return _error_response(request, err)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems: list[dict[str, Any]] = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")} for e in exc.errors()
        ]
        err = InvalidInputError(
            "Ugyldige verdier i forespørselen: " + "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
            message_en="Invalid values in the request: " + "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
            details={"problems": problems},
        )
        return _error_response(request, err)

    app.state.split_format = split_format
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory fn17.web.app:app_from_env``."""
    return create_app()
