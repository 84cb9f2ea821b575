"""Which double entry each form gets: kept in the database, so every PC of the hospital applies
the same rule, changed only by those who may (``Permission.CONFIGURE_DOUBLE_ENTRY``).

Defaults, where the hospital chose nothing: the medication administration record is typed
twice blind (a dose or a time typed wrong is the error that harms), downtime admissions are
checked beside the paper (an identity typed wrong creates a wrong patient), everything else is
typed once. docs/double-entry.md explains the choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.permissions import Permission, require
from reentry.domain.verification import VerifyMode
from reentry.errors import UserError
from reentry.formdefs import load_forms
from reentry.formdefs_model import FormKind
from reentry.store.areas import VerifyStore

# By what a form is (its kind), so that a hospital's own MAR form gets the same default.
DEFAULT_MODES: dict[FormKind, VerifyMode] = {
    FormKind.MEDICATION_ADMINISTRATION: VerifyMode.BLIND,
}
# Typed in their own screen: a downtime admission's identity is checked by the admission screen
# and then, always, by identity vigilance when the temporary identity is linked to the real
# record (reentry/review), not by double entry. Ward covers and dossiers are not forms at all.
_NOT_DOUBLE_ENTERED = frozenset({FormKind.DOWNTIME_ADMISSION})


@dataclass(frozen=True)
class PolicyLine:
    template_id: str
    mode: VerifyMode
    default: VerifyMode
    changed_by: str | None = None
    changed_at: datetime | None = None

    @property
    def is_default(self) -> bool:
        return self.changed_at is None


def templates() -> list[str]:
    """The paper forms typed back (each can get its own mode)."""
    return sorted(t for t, form in load_forms().items() if form.kind not in _NOT_DOUBLE_ENTERED)


def default_mode(template_id: str) -> VerifyMode:
    form = load_forms().get(template_id)
    return DEFAULT_MODES.get(form.kind, VerifyMode.NONE) if form else VerifyMode.NONE


def policy(store: VerifyStore) -> list[PolicyLine]:
    """Every typed form with its mode, the default, and who changed it when."""
    chosen = {r["template_id"]: r for r in store.double_entry_policy_rows()}
    lines = []
    for template_id in templates():
        row = chosen.get(template_id)
        default = default_mode(template_id)
        if row is None:
            lines.append(PolicyLine(template_id, default, default))
        else:
            lines.append(PolicyLine(template_id, VerifyMode(row["mode"]), default,
                                    row["changed_by"], clock.from_storage(row["changed_at"])))
    return lines


def modes(store: VerifyStore) -> dict[str, VerifyMode]:
    """Template id → mode, for every typed form (progress and routing read this)."""
    return {line.template_id: line.mode for line in policy(store)}


def mode_for(store: VerifyStore, template_id: str) -> VerifyMode:
    return modes(store).get(template_id, default_mode(template_id))


def set_mode(store: VerifyStore, user: User, template_id: str, mode: str) -> PolicyLine:
    """Change one form's mode (audited); it applies to every sheet of that form not yet
    verified, including those waiting for their check."""
    require(user, Permission.CONFIGURE_DOUBLE_ENTRY)
    known = templates()
    if template_id not in known:
        raise UserError("verify.unknown_template", template=template_id,
                        known=", ".join(known))
    try:
        wanted = VerifyMode(mode.strip().lower())
    except ValueError:
        raise UserError("verify.unknown_mode", mode=mode,
                        known=", ".join(m.value for m in VerifyMode)) from None
    previous = mode_for(store, template_id)
    store.set_double_entry_mode(template_id, wanted.value, previous.value, user)
    return next(line for line in policy(store) if line.template_id == template_id)
