"""Role checks. A refused attempt raises (401 when nobody is logged in, 403 for a missing
role) and is written to the audit log first, so every refusal leaves a trace."""

from __future__ import annotations

from sqlalchemy import Engine

from fn17.actions.actor import Actor
from fn17.actions.audit import record_refusal
from fn17.errors import AuthenticationError, PermissionDeniedError

LOGIN_HINT_NB = "Logg inn på /logg-inn med en bruker som er redaktør for regionen."
LOGIN_HINT_EN = "Log in at /logg-inn as a user who is an editor for the region."


def _refuse_anonymous(engine: Engine, actor: Actor, entity: str, entity_id: object | None, region: str, verb_nb: str, verb_en: str) -> None:
    record_refusal(engine, actor, entity, entity_id, region, f"not logged in: {verb_en}")
    raise AuthenticationError(
        f"Du må være logget inn for å {verb_nb} for {region}.",
        message_en=f"You must be logged in to {verb_en} for {region}.",
        hint=LOGIN_HINT_NB,
        hint_en=LOGIN_HINT_EN,
        details={"region": region, "entity": entity},
    )


def require_edit(engine: Engine, actor: Actor, region: str, entity: str, entity_id: object | None = None) -> None:
    """Raise unless ``actor`` may change ``region``'s records; log the refusal."""
    if actor.can_edit(region):
        return
    if not actor.authenticated:
        _refuse_anonymous(engine, actor, entity, entity_id, region, "endre", "make changes")
    record_refusal(engine, actor, entity, entity_id, region, f"no editor role for {region}")
    raise PermissionDeniedError(
        f"Brukeren «{actor.username}» er ikke redaktør for {region} og kan ikke endre noe der.",
        message_en=f"User “{actor.username}” is not an editor for {region} and cannot change anything there.",
        hint="Be en administrator om redaktørrollen for regionen (fn17 users grant).",
        hint_en="Ask an administrator for the editor role for the region (fn17 users grant).",
        details={"region": region, "entity": entity},
    )


def require_read_private(engine: Engine, actor: Actor, region: str, entity: str) -> None:
    """Raise unless ``actor`` may see ``region``'s private drafts (self-assessment, report); log the refusal."""
    if actor.can_read_private(region):
        return
    if not actor.authenticated:
        _refuse_anonymous(engine, actor, entity, None, region, "se dette", "see this")
    record_refusal(engine, actor, entity, None, region, f"no role for {region}")
    raise PermissionDeniedError(
        f"Brukeren «{actor.username}» har ingen rolle for {region} og kan ikke se regionens utkast.",
        message_en=f"User “{actor.username}” has no role for {region} and cannot see the region's drafts.",
        hint="Be en administrator om leser- eller redaktørrollen for regionen.",
        hint_en="Ask an administrator for the viewer or editor role for the region.",
        details={"region": region, "entity": entity},
    )


def require_admin(engine: Engine, actor: Actor, entity: str, entity_id: object | None = None) -> None:
    """Raise unless ``actor`` is an administrator; log the refusal."""
    if actor.is_admin:
        return
    if not actor.authenticated:
        record_refusal(engine, actor, entity, entity_id, None, "not logged in: administration")
        raise AuthenticationError(
            "Du må være logget inn som administrator.",
            message_en="You must be logged in as an administrator.",
            hint="Logg inn på /logg-inn.",
            hint_en="Log in at /logg-inn.",
        )
    record_refusal(engine, actor, entity, entity_id, None, "not an administrator")
    raise PermissionDeniedError(
        f"Brukeren «{actor.username}» er ikke administrator.",
        message_en=f"User “{actor.username}” is not an administrator.",
        hint="Bare administratorer kan opprette brukere og dele ut roller.",
        hint_en="Only administrators can create users and grant roles.",
    )


__all__ = ["require_admin", "require_edit", "require_read_private"]
