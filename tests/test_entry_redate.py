"""A sheet's date corrected once rows are saved with it (reentry.entry.redate), core only.

On real printed sheets and a real SQLite store: every active row is corrected the normal way (a
new entry correcting the old one, values unchanged, the new date, the reason), in one unit of
work; refusals write nothing, and a failure halfway leaves every row as it was; a verified
sheet is re-dated as a row is corrected, the new versions left unverified. On the written
ward, the notes typed 22/11 where 23/11 is written: the date's disagreement is answered by the
correction.
"""

from __future__ import annotations

# ruff: noqa: F811  (the ``printed`` fixture, imported from test_entry_service)
import shutil
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from second_read_ward import MISTYPED_DATE, NOTES_DATE, build, nurse_of
from test_entry_service import command, printed, sheet, vitals  # noqa: F401  (fixture)

from reentry import clock
from reentry.domain.entry import EntryStatus, Role
from reentry.domain.second_read import AckOutcome, Verdict
from reentry.domain.verification import Stage
from reentry.entry import service
from reentry.entry.redate import RedateSheet, redate_sheet
from reentry.errors import UserError
from reentry.second_read.crosscheck import cross_check
from reentry.sheets.policy import set_mode
from reentry.store import open_store
from reentry.verify import routing, second_entry
from reentry.verify.stage import verification

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # the next morning
NEW_DATE = "22/11/2026"  # the rows were typed with 23/11/2026 (``command``)


def two_rows(store, sheets, nurse):
    instance = sheet(sheets, "vital_signs")
    service.confirm_identity(store, nurse, instance.serial)
    first = service.record_row(store, command(instance, nurse, vitals()), now=NOW)
    second = service.record_row(store, command(instance, nurse, vitals(
        {"time": "23:45", "heart_rate": "250"}), row=1,
        confirmed_warnings=frozenset({"heart_rate"})), now=NOW)
    return instance, first, second


def redate(store, instance, user, day=NEW_DATE, reason="date mal recopiée", **kwargs):
    return redate_sheet(store, RedateSheet(instance.serial, day, reason, user, **kwargs),
                        now=NOW)


@pytest.mark.both_backends
def test_every_row_is_corrected_to_the_new_date_and_the_history_kept(printed):
    store, sheets, nurse = printed
    instance, first, second = two_rows(store, sheets, nurse)
    items_before = {i.code: i.value for i in store.items([instance.serial])}
    saved = redate(store, instance, nurse)
    assert [e.corrects for e in saved] == [first.id, second.id]
    for old, new in zip((first, second), saved, strict=True):
        assert new.values == old.values and new.reason == "date mal recopiée"
        assert new.sheet_values == {"date": NEW_DATE}
        assert clock.local(new.event_time).date().isoformat() == "2026-11-22"
        assert clock.local(new.event_time).time() == clock.local(old.event_time).time()
    assert saved[1].warnings_confirmed == ("heart_rate",)  # still confirmed, not asked again
    history = service.sheet_history(store, instance.serial)
    assert {(e.id, e.status) for e in history} >= {(first.id, EntryStatus.CORRECTED),
                                                   (second.id, EntryStatus.CORRECTED)}
    assert [e.id for e in store.entries(instance.serial, include_corrected=False)] == [
        e.id for e in saved]
    items = store.items([instance.serial])
    assert {i.code: i.value for i in items} == items_before  # same values, new day
    assert {clock.local(i.effective_time).date().isoformat() for i in items} == {"2026-11-22"}
    audit = [a for a in store.audit("entry") if a["action"] == "entry_corrected"]
    assert len(audit) == 2 and all("date mal recopiée" in a["detail"] for a in audit)


def test_a_reason_is_required_and_a_refusal_writes_nothing(printed):
    store, sheets, nurse = printed
    instance, first, second = two_rows(store, sheets, nurse)
    audit = len(store.audit())
    for reason in (None, "  "):
        with pytest.raises(UserError) as caught:
            redate(store, instance, nurse, reason=reason)
        assert "motif" in caught.value.message() or "raison" in caught.value.message()
    with pytest.raises(service.EntryRefused) as caught:  # refused as the typed date is
        redate(store, instance, nurse, day="31/02/2026")
    assert set(caught.value.problems.errors) == {"date"}
    with pytest.raises(service.EntryRefused) as caught:
        redate(store, instance, nurse, day="")
    assert set(caught.value.problems.errors) == {"date"}
    with pytest.raises(UserError, match="déjà datées du 23/11/2026"):
        redate(store, instance, nurse, day="23.11.2026")
    # The next day puts 23:15 in the future: the date is refused, with the row it would move.
    with pytest.raises(service.EntryRefused) as caught:
        redate(store, instance, nurse, day="24/11/2026")
    text = caught.value.problems.errors["date"].render()
    assert "ligne 1" in text and "futur" in text
    assert [e.id for e in store.entries(instance.serial)] == [first.id, second.id]
    assert len(store.audit()) == audit


def test_who_may_not_correct_a_row_may_not_re_date_either(printed):
    store, sheets, nurse = printed
    instance, first, second = two_rows(store, sheets, nurse)
    it = service.add_user(store, "dsi", "Informatique", Role.ADMIN)
    with pytest.raises(UserError) as caught:
        redate(store, instance, it)
    assert "dsi" in caught.value.message() or "Informatique" in caught.value.message() \
        or "saisir" in caught.value.message()
    colleague = service.add_user(store, "pmartin", "Paul Martin", Role.NURSE)
    with pytest.raises(service.IdentityNotConfirmed):  # as for a row: the identity first
        redate(store, instance, colleague)
    empty = next(s for s in sheets if s.template_id == "nursing_notes" and s.patient_id)
    service.confirm_identity(store, nurse, empty.serial)
    with pytest.raises(UserError, match="Aucune ligne"):
        redate(store, empty, nurse)
    assert [e.id for e in store.entries(instance.serial)] == [first.id, second.id]


def test_a_verified_sheet_is_re_dated_as_a_row_is_corrected_left_unverified(printed):
    """Row corrections are not refused once a sheet is finished and verified: they are left
    out of what the verification covers. The re-dating follows the same rule."""
    store, sheets, nurse = printed
    manager = service.add_user(store, "croux", "Claire Roux", Role.WARD_MANAGER)
    second_typist = service.add_user(store, "jmartin", "Jean Martin", Role.NURSE)
    set_mode(store, manager, "vital_signs", "blind")
    instance, first, second = two_rows(store, sheets, nurse)
    service.mark_sheet_entered(store, nurse, instance.serial)
    routing.open_scanned(store, instance.code(1), second_typist)
    service.confirm_identity(store, second_typist, instance.serial)
    for old in (first, second):
        second_entry.record_row(store, replace(
            command(instance, second_typist, vitals(), row=old.row_index),
            values={**vitals(), **old.values}, confirmed_warnings=frozenset(old.values)),
            now=NOW)
    assert second_entry.mark_sheet_entered(store, second_typist, instance.serial) == []
    assert verification(store, instance.serial).stage is Stage.VERIFIED
    verified = {i.entry_id for i in store.verified_items([instance.serial])}
    assert verified == {first.id, second.id}
    saved = redate(store, instance, nurse)
    assert [e.corrects for e in saved] == [first.id, second.id]
    assert store.verified_items([instance.serial]) == []  # the new versions are not verified
    assert verification(store, instance.serial).stage is Stage.VERIFIED


class FailingOnSecondRow:
    """The real store, whose second row saved fails (a disk full, a server gone)."""

    def __init__(self, store) -> None:
        self._store = store
        self.saved = 0

    def __getattr__(self, name):
        return getattr(self._store, name)

    def save_entry(self, entry, items, user):
        self.saved += 1
        if self.saved == 2:
            raise UserError("database.disk_full")
        return self._store.save_entry(entry, items, user)


@pytest.mark.both_backends
def test_a_failure_halfway_leaves_every_row_as_it_was(printed):
    store, sheets, nurse = printed
    instance, first, second = two_rows(store, sheets, nurse)
    audit, items = len(store.audit()), store.items([instance.serial])
    failing = FailingOnSecondRow(store)
    with pytest.raises(UserError):
        redate(failing, instance, nurse)
    assert failing.saved == 2  # the first row was corrected, then undone with the rest
    assert [(e.id, e.status) for e in store.entries(instance.serial)] == [
        (first.id, EntryStatus.ACTIVE), (second.id, EntryStatus.ACTIVE)]
    assert store.items([instance.serial]) == items and len(store.audit()) == audit
    saved = redate(store, instance, nurse)  # nothing left half-done: it goes through now
    assert [e.corrects for e in saved] == [first.id, second.id]


def test_a_row_corrected_meanwhile_elsewhere_refuses_the_whole_re_dating(printed):
    store, sheets, nurse = printed
    instance, first, second = two_rows(store, sheets, nurse)

    class RowTakenMeanwhile(FailingOnSecondRow):
        def save_entry(self, entry, items, user):
            self.saved += 1
            if self.saved == 2:  # another PC corrected this row between the read and the write
                self._store.save_entry(entry, items, user)
            return self._store.save_entry(entry, items, user)

    with pytest.raises(UserError, match="autre poste"):
        redate(RowTakenMeanwhile(store), instance, nurse)
    assert [(e.id, e.status) for e in store.entries(instance.serial)] == [
        (first.id, EntryStatus.ACTIVE), (second.id, EntryStatus.ACTIVE)]


@pytest.fixture(scope="module")
def ward(tmp_path_factory):
    return build(tmp_path_factory.mktemp("redate_ward"))


def test_the_date_written_otherwise_is_answered_by_the_correction(ward, tmp_path):
    db = tmp_path / "reentry.sqlite"
    shutil.copy(ward.db, db)
    store = open_store(db)
    try:
        before = next(f for f in cross_check(store, ward.notes.serial).fields
                      if f.key == NOTES_DATE)
        assert before.verdict is Verdict.DIFFERS, before.reading.text  # 23/11 written, 22/11 typed
        nurse = nurse_of(store)
        (old,) = store.entries(ward.notes.serial, include_corrected=False)
        assert old.sheet_values == {"date": MISTYPED_DATE}
        (new,) = redate_sheet(store, RedateSheet(ward.notes.serial, "23/11/2026",
                                                 "le papier dit le 23", nurse),
                              now=datetime(2026, 11, 24, 13, 0, tzinfo=UTC))
        assert new.corrects == old.id and new.values == old.values
        after = next(f for f in cross_check(store, ward.notes.serial).fields
                     if f.key == NOTES_DATE)
        assert after.verdict in (Verdict.AGREES, Verdict.UNSURE) and not after.open  # read whole or in part
        (ack,) = [a for a in store.acknowledgements(ward.notes.serial) if a.key == NOTES_DATE]
        assert ack.outcome is AckOutcome.CORRECTED and ack.typed_value == "2026-11-23"
        assert [a for a in store.audit("sheet") if a["action"] == "cross_check_corrected"]
        kept = store.sheet_cross_check(ward.notes.serial)
        assert not [o for o in kept["counts"]["open"] if o["field"] == "date"]
    finally:
        store.close()
