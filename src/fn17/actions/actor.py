"""Who is acting: a user with roles, an anonymous visitor, or the command line.

Roles (table ``user_roles``):

| role | region | may |
| --- | --- | --- |
| administrator | "" | everything, in every region; manage users |
| editor | one region per row | change that region's local targets, measures, partners, self-assessment, report texts; see its drafts |
| viewer | one region per row | see that region's private drafts, self-assessments and report; change nothing |

Visitors who are not logged in see published records only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("administrator", "editor", "viewer")


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str = ""
    is_admin: bool = False
    editor_of: frozenset[str] = field(default_factory=frozenset)
    viewer_of: frozenset[str] = field(default_factory=frozenset)
    ip: str | None = None

    @property
    def authenticated(self) -> bool:
        return bool(self.username)

    def can_edit(self, region_code: str) -> bool:
        return self.is_admin or region_code in self.editor_of

    def can_read_private(self, region_code: str) -> bool:
        return self.can_edit(region_code) or region_code in self.viewer_of

    def with_ip(self, ip: str | None) -> Actor:
        return Actor(self.user_id, self.username, self.display_name, self.is_admin, self.editor_of, self.viewer_of, ip)

    @property
    def role_labels(self) -> list[tuple[str, str]]:
        """(role, region) pairs, administrators first, for display."""
        pairs: list[tuple[str, str]] = [("administrator", "")] if self.is_admin else []
        pairs += [("editor", r) for r in sorted(self.editor_of)]
        pairs += [("viewer", r) for r in sorted(self.viewer_of - self.editor_of)]
        return pairs


ANONYMOUS = Actor(user_id=None, username="")


def command_line_actor(name: str = "kommandolinje") -> Actor:
    """The command line acts as an administrator: whoever runs it already owns the database."""
    return Actor(user_id=None, username=name, display_name=name, is_admin=True)


__all__ = ["ANONYMOUS", "ROLES", "Actor", "command_line_actor"]
