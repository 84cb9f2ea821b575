"""Read-only figures of one outage event for reports and the audit pack."""

from __future__ import annotations

from typing import Any, Protocol

from reentry.store.areas.work import UnitOfWork


class ReportStore(UnitOfWork, Protocol):
    """Read-only figures of one outage event for reports and the audit pack."""

    def report_runs(self, event_id: int) -> list[dict[str, Any]]:
        """Runs with at least one paper item of the event, oldest first, with how many."""
        ...

    def report_verdict_counts(self, event_id: int, run_id: int) -> list[dict[str, Any]]:
        """Per ward and verdict, how many of the event's paper items one run classified."""
        ...

    def report_verdicts(self, event_id: int) -> list[dict[str, Any]]:
        """Every verdict of every run on the event's paper items (the audit pack keeps
        all)."""
        ...

    def report_flags(self, event_id: int) -> list[dict[str, Any]]:
        """The event's flags as they stand, each with the paper item as its latest run saw
        it (who, where, what, why) and who closed it."""
        ...

    def report_flag_events(self, event_id: int) -> list[dict[str, Any]]:
        """Every step in the life of the event's flags: raised, resolved, reopened,
        closed."""
        ...

    def report_sheet_events(self, event_id: int) -> list[dict[str, Any]]:
        """The lifecycle of every sheet of the event's batches (registered, printed,
        returned, entered, verified, lost, not used, superseded, cancelled), in the order it
        happened."""
        ...

    def report_identity_decisions(self, event_id: int) -> list[dict[str, Any]]:
        """The identity-vigilance cell's decisions on the event's temporary identities."""
        ...

    def report_audit(self, event_id: int) -> list[dict[str, Any]]:
        """The audit log lines about the event, its sheets and what was typed from them, its
        reconciliation runs, flags and temporary identities."""
        ...
