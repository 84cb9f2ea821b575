"""Resolving flags and deciding identities: the rights each needs, and what a person must say.

A flag is closed by a person with ``Permission.REVIEW_FLAGS`` with one reason of a fixed list
(``other`` needs a comment), and can be reopened; every step is audited (who, when, what, why).
A temporary identity is tied to an SIH patient, declared without match, or has its automatic
link undone only by the identity-vigilance cell (``Permission.DECIDE_IDENTITY``): a wrong link
puts one person's care in another's record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reentry.domain.entry import User
from reentry.domain.permissions import Permission, require
from reentry.domain.review import (
    CLOSED,
    OPEN,
    FlagDetail,
    FlagRow,
    IdentityAction,
    IdentityCase,
    ResolutionReason,
    RunInfo,
)
from reentry.errors import UserError
from reentry.review.filters import FlagFilter
from reentry.store.areas import ReviewStore


def latest_run(store: ReviewStore) -> RunInfo | None:
    runs = store.review_runs()
    return runs[0] if runs else None


def run_or_latest(store: ReviewStore, run_id: int | None) -> RunInfo:
    """The run asked for, else the latest; a clear message when there is none."""
    run = store.review_run(run_id) if run_id is not None else latest_run(store)
    if run is None:
        if run_id is not None:
            raise UserError("review.no_such_run", run=run_id)
        raise UserError("review.no_run")
    return run


def flags(store: ReviewStore, run_id: int | None = None, *, verdict: str | None = None,
          ward: str | None = None, open_only: bool = False) -> list[FlagRow]:
    run = run_or_latest(store, run_id)
    wanted = FlagFilter(verdict=verdict, ward=ward, status=OPEN if open_only else None)
    return wanted.apply(store.review_flags(run.id))


def _reason(code: str) -> ResolutionReason:
    try:
        return ResolutionReason(code)
    except ValueError:
        raise UserError("review.bad_reason", reason=code,
                        choices=", ".join(r.value for r in ResolutionReason)) from None


def _flag(store: ReviewStore, item_key: str) -> dict[str, Any]:
    flag = store.review_flag(item_key)
    if flag is None:
        raise UserError("review.no_such_flag", key=item_key)
    return flag


def resolve_flag(store: ReviewStore, user: User, item_key: str, reason: str,
                 comment: str | None = None, *, now: datetime | None = None) -> None:
    """Close an open flag with a reason (``other``: with a comment saying why); ``now`` is the
    closing time (the clock's, unless a scenario replays a past review)."""
    require(user, Permission.REVIEW_FLAGS)
    chosen = _reason(reason)
    comment = (comment or "").strip() or None
    if chosen is ResolutionReason.OTHER and not comment:
        raise UserError("review.comment_required")
    flag = _flag(store, item_key)
    if flag["status"] == CLOSED:
        raise UserError("review.already_closed", key=item_key)
    store.resolve_review_flag(flag["id"], chosen.value, comment, user, now=now)


def reopen_flag(store: ReviewStore, user: User, item_key: str, comment: str | None = None) -> None:
    """Open a closed flag again (its resolution is kept as the previous one, and audited)."""
    require(user, Permission.REVIEW_FLAGS)
    flag = _flag(store, item_key)
    if flag["status"] == OPEN:
        raise UserError("review.already_open", key=item_key)
    store.reopen_review_flag(flag["id"], (comment or "").strip() or None, user)


def flag_detail(store: ReviewStore, run_id: int, item_key: str) -> FlagDetail:
    detail = store.review_flag_detail(run_id, item_key)
    if detail is None:
        raise UserError("review.no_such_flag", key=item_key)
    return detail


def decide_identity(store: ReviewStore, user: User, case: IdentityCase, right_id: str | None,
                    run_id: int | None, comment: str | None = None) -> None:
    """Tie a temporary identity to one of its candidates, or declare it without match (None)."""
    require(user, Permission.DECIDE_IDENTITY)
    if right_id is not None and right_id not in {c.right_id for c in case.candidates}:
        raise UserError("review.not_a_candidate", left=case.left_id, right=right_id)
    action = IdentityAction.LINK if right_id is not None else IdentityAction.NO_MATCH
    store.record_identity_decision(case.left_id, action.value, right_id,
                                   (comment or "").strip() or None, user, run_id)


def undo_link(store: ReviewStore, user: User, case: IdentityCase, run_id: int | None,
              comment: str | None = None) -> None:
    """Undo a link (automatic or decided): the identity goes back to the cell, to decide."""
    require(user, Permission.DECIDE_IDENTITY)
    if case.linked_to is None:
        raise UserError("review.not_linked", left=case.left_id)
    store.record_identity_decision(case.left_id, IdentityAction.UNDO_LINK.value, None,
                                   (comment or "").strip() or None, user, run_id)


def effective_links(store: ReviewStore, automatic: dict[str, str]) -> dict[str, str]:
    """The SIH patient each temporary identity stands for now: the cell's latest decision if
    there is one, else the run's automatic link."""
    links = dict(automatic)
    for left_id, decision in store.identity_decisions().items():
        if decision.action == IdentityAction.LINK.value and decision.right_id:
            links[left_id] = decision.right_id
        else:
            links.pop(left_id, None)
    return links
