"""Who may do what. Screens and commands ask ``require(user, Permission.X)`` before acting.

Roles are deliberately few and coarse: a hospital assigns them once, at 3 a.m. nobody should be
hunting for a missing right. Every refusal says which role is needed.
"""

from __future__ import annotations

from enum import StrEnum

from reentry.entry.model import Role, User
from reentry.errors import UserError
from reentry.i18n import tr


class Permission(StrEnum):
    ENTER = "enter"  # type paper sheets in, first or second entry, downtime admissions
    RESOLVE_DOUBLE_ENTRY = "resolve_double_entry"  # third decision on a double-entry discrepancy
    DECLARE_SHEETS = "declare_sheets"  # declare a sheet lost or not used
    SIGN_EXCEPTION = "sign_exception"  # close an event with sheets still unaccounted for
    MANAGE_EVENTS = "manage_events"  # declare, end and close an outage event
    REVIEW_FLAGS = "review_flags"  # resolve reconciliation flags
    DECIDE_IDENTITY = "decide_identity"  # link a temporary identity to a real patient


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.NURSE: frozenset({Permission.ENTER}),
    Role.WARD_MANAGER: frozenset({
        Permission.ENTER, Permission.RESOLVE_DOUBLE_ENTRY, Permission.DECLARE_SHEETS,
        Permission.SIGN_EXCEPTION, Permission.MANAGE_EVENTS,
    }),
    Role.QUALITY: frozenset({
        Permission.ENTER, Permission.RESOLVE_DOUBLE_ENTRY, Permission.DECLARE_SHEETS,
        Permission.MANAGE_EVENTS, Permission.REVIEW_FLAGS,
    }),
    Role.IDENTITY_VIGILANCE: frozenset({Permission.REVIEW_FLAGS, Permission.DECIDE_IDENTITY}),
    Role.ADMIN: frozenset({Permission.MANAGE_EVENTS}),
}


def allowed(user: User, permission: Permission) -> bool:
    return permission in _GRANTS.get(user.role, frozenset())


def roles_with(permission: Permission) -> list[Role]:
    return [role for role, grants in _GRANTS.items() if permission in grants]


def require(user: User, permission: Permission) -> None:
    """Raise a ``UserError`` naming the roles that may do this, if ``user`` may not."""
    if not allowed(user, permission):
        raise UserError("permissions.refused", action=tr(f"permissions.{permission.value}"),
                        roles=", ".join(role_label(r) for r in roles_with(permission)))


def role_label(role: Role) -> str:
    return tr(f"permissions.role_{role.value}")
