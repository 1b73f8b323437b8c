"""All routers, in the order they are mounted."""

from fastapi import APIRouter

from fn17.web.routes import actions, auth, core, dashboards, explore, opendata, owndata, plans, public, reports

ROUTERS: list[APIRouter] = [core.router, auth.router, dashboards.router, actions.router, reports.router, plans.router,
                            explore.router, public.router, opendata.router, owndata.router]
