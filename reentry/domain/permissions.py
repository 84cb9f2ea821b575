"""Who may do what: THE table of roles × actions, checked by the core services themselves.

Every core service that acts as a person calls ``require(user, Permission.X)`` before anything
else, so that a screen, a command or a script reaches the same refusal; screens ask ``allowed``
only to grey out what would be refused. ``docs/permissions.md`` shows this table (a test keeps
the two the same) and ``tests/test_permissions.py`` runs every action as every role.

Roles are deliberately few and coarse: a hospital assigns them once, at 3 a.m. nobody should be
hunting for a missing right. Every refusal says which roles may.
"""

from __future__ import annotations

from enum import StrEnum

from reentry.domain.entry import Role, User
from reentry.errors import UserError
from reentry.i18n import msg, tr


class Permission(StrEnum):
    """One action a person takes through a core service (the services named after ``#``)."""

    ENTER = "enter"  # type sheets, first or second entry, drafts, identity, sheet finished,
    #                  downtime admissions, scan import, scanned pages identified or set aside
    RESOLVE_DOUBLE_ENTRY = "resolve_double_entry"  # third decision on a double-entry discrepancy
    CONFIGURE_DOUBLE_ENTRY = "configure_double_entry"  # which forms are typed twice or checked
    PRINT = "print"  # print ward batches and test pages, prepare ward-PC sets, reprint a patient
    CANCEL_SHEETS = "cancel_sheets"  # cancel printed sheets in the registry
    DECLARE_SHEETS = "declare_sheets"  # declare a sheet lost or not used
    MANAGE_EVENTS = "manage_events"  # declare, end and close an outage event; start a drill
    SIGN_EXCEPTION = "sign_exception"  # close an event with sheets still unaccounted for
    RECONCILE = "reconcile"  # run a reconciliation against what the SIH holds (and store it)
    REVIEW_FLAGS = "review_flags"  # resolve or reopen reconciliation flags
    DECIDE_IDENTITY = "decide_identity"  # link a temporary identity to a real patient, or undo
    EXPORT = "export"  # write what was typed as files for the SIH (FHIR, HL7, CSV)
    REPORT = "report"  # write an event's quality report
    AUDIT_PACK = "audit_pack"  # write an event's audit pack
    MANAGE_USERS = "manage_users"  # add accounts, disable them, set another person's password


_ALL = frozenset(Permission)
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.NURSE: frozenset({Permission.ENTER, Permission.PRINT}),
    Role.WARD_MANAGER: frozenset({
        Permission.ENTER, Permission.RESOLVE_DOUBLE_ENTRY, Permission.CONFIGURE_DOUBLE_ENTRY,
        Permission.PRINT, Permission.CANCEL_SHEETS, Permission.DECLARE_SHEETS,
        Permission.MANAGE_EVENTS, Permission.SIGN_EXCEPTION, Permission.REPORT,
    }),
    Role.QUALITY: frozenset({
        Permission.ENTER, Permission.RESOLVE_DOUBLE_ENTRY, Permission.CONFIGURE_DOUBLE_ENTRY,
        Permission.CANCEL_SHEETS, Permission.DECLARE_SHEETS, Permission.MANAGE_EVENTS,
        Permission.RECONCILE, Permission.REVIEW_FLAGS, Permission.EXPORT, Permission.REPORT,
        Permission.AUDIT_PACK,
    }),
    Role.IDENTITY_VIGILANCE: frozenset({
        Permission.RECONCILE, Permission.REVIEW_FLAGS, Permission.DECIDE_IDENTITY,
    }),
    # IT: runs the print station and the scheduled jobs, the accounts, the SIH files; types
    # nothing and decides no clinical or identity question.
    Role.ADMIN: frozenset({
        Permission.CONFIGURE_DOUBLE_ENTRY, Permission.PRINT, Permission.CANCEL_SHEETS,
        Permission.MANAGE_EVENTS, Permission.RECONCILE, Permission.EXPORT, Permission.REPORT,
        Permission.AUDIT_PACK, Permission.MANAGE_USERS,
    }),
}
assert set(GRANTS) == set(Role) and frozenset().union(*GRANTS.values()) == _ALL, \
    "every role has a line and every action someone who may take it"


def allowed(user: User, permission: Permission) -> bool:
    return permission in GRANTS.get(user.role, frozenset())


def roles_with(permission: Permission) -> list[Role]:
    return [role for role, grants in GRANTS.items() if permission in grants]


def require(user: User, permission: Permission) -> None:
    """Raise a ``UserError`` naming the roles that may do this, if ``user`` may not."""
    if not allowed(user, permission):
        raise UserError("permissions.refused", action=msg(f"permissions.{permission.value}"),
                        role=msg(f"permissions.role_{user.role.value}"),
                        roles=", ".join(role_label(r) for r in roles_with(permission)))


def role_label(role: Role) -> str:
    return tr(f"permissions.role_{role.value}")
