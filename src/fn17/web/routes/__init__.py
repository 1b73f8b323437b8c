"""All routers, in the order they are mounted."""

from fastapi import APIRouter

from fn17.web.routes import core

ROUTERS: list[APIRouter] = [core.router]
