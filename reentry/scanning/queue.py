"""The manual queue: a person looks at a page the decoder could not attach and types its code,
or sets it aside as not a sheet (a blank back, a cover page).

The typed code goes through the same checks as a scanned one (12 digits, Damm check digit,
registry: not superseded, not cancelled, page in range), so a slip of one digit is refused
rather than attaching the page to another patient's sheet. Screens call ``resolve_typed_code``
first to show whose sheet the digits designate, then ``identify_page`` once the person has
checked that identity against the page. Both decisions are audited with who and when.
"""

from __future__ import annotations

from reentry.domain.entry import User
from reentry.domain.permissions import Permission, require
from reentry.domain.scans import AttachedPage
from reentry.errors import UserError
from reentry.registry import CodeResolution, resolve_code
from reentry.store.areas import ScanStore, Store

MAX_REASON_LENGTH = 500


def resolve_typed_code(store: Store, typed_code: str) -> CodeResolution:
    """What the typed digits designate; ``UserError`` saying what is wrong with them if
    anything is."""
    resolution = resolve_code(store, typed_code)
    if resolution.problem is not None or resolution.instance is None or resolution.page is None:
        raise UserError("scans.code_refused", reason=resolution.problem)
    return resolution


def identify_page(store: Store, page_id: int, typed_code: str, user: User) -> AttachedPage:
    """Attach queued page ``page_id`` to the sheet page of ``typed_code`` and mark the sheet
    returned; refused (nothing changed) for a bad code or a page no longer in the queue."""
    require(user, Permission.ENTER)
    resolution = resolve_typed_code(store, typed_code)
    assert resolution.instance is not None and resolution.page is not None
    attached: AttachedPage = store.attach_queued_page(
        page_id, resolution.instance.serial, resolution.page, user, resolution.code)
    return attached


def set_aside_page(store: ScanStore, page_id: int, reason: str, user: User) -> None:
    """Take a queued page out of the queue as not a sheet; its image is kept."""
    require(user, Permission.ENTER)
    text = " ".join(reason.split())
    if not text:
        raise UserError("scans.reason_required")
    if len(text) > MAX_REASON_LENGTH:
        raise UserError("scans.reason_too_long", limit=MAX_REASON_LENGTH)
    store.set_aside_scan_page(page_id, text, user)
