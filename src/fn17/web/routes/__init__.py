"""All routers, in the order they are mounted."""

from fastapi import APIRouter

from fn17.web.routes import actions, auth, core, reports

ROUTERS: list[APIRouter] = [core.router, auth.router, actions.router, reports.router]
