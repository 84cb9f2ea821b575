"""How the report's codes read, in the current language: the PDF and the CSV say the same."""

from __future__ import annotations

from reentry import clock, display
from reentry.domain.events import OutageEvent
from reentry.domain.review import paper_reference
from reentry.formdefs import load_forms
from reentry.i18n import get_language, tr
from reentry.reports.gather import FLAG, OpenItem, WardReport


def duration_text(hours: float | None) -> str:
    """« 3,5 h », or « — » when there is nothing to measure."""
    if hours is None:
        return "—"
    return tr("reports.hours", hours=display.format_number(round(hours, 1)))


def event_period(event: OutageEvent) -> str:
    start = clock.format_local(event.started_at)
    if event.ended_at is None:
        return tr("reports.period_ongoing", start=start)
    return tr("reports.period", start=start, end=clock.format_local(event.ended_at))


def ward_label(ward: WardReport) -> str:
    if not ward.ward_code:
        return tr("reports.unknown_ward")
    if not ward.ward_name:
        return ward.ward_code
    return tr("reports.ward", code=ward.ward_code, name=ward.ward_name)


def ward_axis_label(ward: WardReport) -> str:
    """A ward under its bars: its name, as the ward is known (the code only when no name)."""
    return ward.ward_name or ward.ward_code or tr("reports.unknown_ward")


def open_item_ward(item: OpenItem) -> str:
    """An open item's ward by its name (the code only when no name is known)."""
    return item.ward_name or item.ward_code or "—"


def kind_text(item: OpenItem) -> str:
    """Flags: the kind of item (vital sign...); sheets: the form's title."""
    if item.category == FLAG:
        return tr(f"review.kind.{item.kind}")
    form = load_forms().get(item.kind)
    return form.title_in(get_language()) if form else item.kind


def status_text(item: OpenItem) -> str:
    if item.category == FLAG:
        return tr(f"review.verdict.{item.status}")
    return tr(f"reports.sheet_{item.status}")


def reference_text(item: OpenItem) -> str:
    """Where to find the item on paper: a sheet's code, or the sheet and line of a flag (its
    internal key stays in the CSV)."""
    return paper_reference(item.reference) if item.category == FLAG else item.reference


def reason_text(item: OpenItem, lang: str) -> str:
    """Flags: the matcher's reason; sheets: what is still expected of them."""
    return item.reason_text(lang) or tr(f"reports.sheet_reason_{item.status}")
