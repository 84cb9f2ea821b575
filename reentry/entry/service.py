"""Re-entry services: sign in, open a scanned sheet, check and record rows, drafts, history.

Every function takes the store and plain values and returns what changed; none opens a dialog.
Wrong patient is the worst error: a sheet opens only from a code that resolves (check digit,
registry, not superseded or cancelled), and nothing is saved on a patient until the user has
confirmed the identity shown for that sheet.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from reentry import clock
from reentry.domain.entry import (
    Draft,
    Entry,
    EntryStatus,
    Item,
    ItemKind,
    RecordRow,
    Role,
    RowProblems,
    SheetContext,
    User,
)
from reentry.domain.permissions import Permission, require
from reentry.domain.sheet_plan import PlannedDose, planned_doses
from reentry.entry.packets import packet_problem
from reentry.errors import UserError
from reentry.formdefs import load_forms
from reentry.formdefs_model import (
    ExportRole,
    FieldDefinition,
    FieldType,
    FormDefinition,
    FormKind,
    RepeatPer,
    Section,
)
from reentry.formdefs_values import (
    canonical,
    collect_checks,
    is_blank_row,
    validate_row,
    validate_value,
)
from reentry.i18n import DEFAULT_LANGUAGE, Msg, msg
from reentry.registry import NOT_FORMS, FormInstance, resolve_code
from reentry.second_read.crosscheck import check_after_save, finish_sheet
from reentry.store.areas import EntryStore, Store

# A time written on paper may be a few minutes ahead of the PC's clock, never more.
FUTURE_TOLERANCE = timedelta(minutes=10)


class CodeRefused(UserError):
    """The scanned or typed code opens nothing; the message says why."""

    message_id = "entry.code_refused"


class EntryRefused(UserError):
    message_id = "entry.row_refused"

    def __init__(self, problems: RowProblems) -> None:
        self.problems = problems
        super().__init__(count=len(problems.errors) + len(problems.warnings))


class IdentityNotConfirmed(UserError):
    message_id = "entry.identity_not_confirmed"


# -- users -----------------------------------------------------------------------------------


def add_user(store: EntryStore, username: str, display_name: str, role: Role) -> User:
    name = username.strip()
    if not name:
        raise UserError("entry.username_required")
    if store.user_by_name(name) is not None:
        raise UserError("entry.user_exists", username=name)
    return store.add_user(name, display_name.strip() or name, role)


def sign_in(store: EntryStore, username: str) -> User:
    user = store.user_by_name(username.strip())
    if user is None:
        raise UserError("entry.unknown_user", username=username.strip())
    return user


# -- opening a sheet -------------------------------------------------------------------------


def open_sheet(store: Store, code: str, user: User) -> SheetContext:
    """What a scanned code designates, ready for the entry screen; refuses anything doubtful."""
    require(user, Permission.ENTER)  # opening it records that the sheet came back
    resolution = resolve_code(store, code)
    if resolution.problem is not None or resolution.instance is None:
        raise CodeRefused(reason=resolution.problem or msg("entry.unknown"))
    instance = resolution.instance
    forms = load_forms()
    if instance.template_id in NOT_FORMS or instance.template_id not in forms:
        raise CodeRefused(reason=msg("entry.not_a_form", template=instance.template_id))

    if (packet_refusal := packet_problem(store, instance, forms)) is not None:
        raise CodeRefused(reason=packet_refusal)  # a packet sheet before its admission is typed
    patient = store.patient_by_id(instance.patient_id) if instance.patient_id else None
    stay = store.stay_by_id(instance.stay_id) if instance.stay_id else None
    ward = next((w for w in store.wards() if w.code == instance.ward_code), None)
    site = next((s for s in store.sites() if ward and s.code == ward.site_code), None)
    store.mark_returned(instance.serial, user)
    return SheetContext(
        instance=instance, page=resolution.page or 1, form=forms[instance.template_id],
        patient=patient, stay=stay, ward=ward, site=site, temporary_id=instance.temporary_id,
        planned_doses=planned_doses(store.sheet_content(instance.serial)),
        entries=store.entries(instance.serial, include_corrected=False),
        draft=store.draft(user, instance.serial, resolution.page or 1),
        identity_confirmed=store.identity_confirmed(user, instance.serial))


def confirm_identity(store: EntryStore, user: User, serial: int) -> None:
    require(user, Permission.ENTER)
    store.confirm_identity(user, serial)


# -- checking a row --------------------------------------------------------------------------


def section_of(form: FormDefinition, section_id: str) -> Section:
    for section in form.sections:
        if section.id == section_id:
            return section
    raise KeyError(f"{form.id} has no section {section_id!r}")


def prefilled_values(section: Section, dose: PlannedDose | None) -> dict[str, str]:
    """The read-only cells the print station filled in (the MAR's drug, dose, route, time)."""
    if dose is None:
        return {}
    by_key = {"prescription.drug": dose.drug, "prescription.dose": dose.dose,
              "prescription.route": dose.route,
              "planned_time": clock.local(dose.planned_at).strftime("%H:%M")
              if dose.planned_at else ""}
    return {f.id: by_key[f.prefill] for f in section.fields if f.prefill in by_key}


def check_row(form: FormDefinition, section_id: str, values: dict[str, str],
              sheet_values: dict[str, str], *, planned: PlannedDose | None = None,
              now: datetime | None = None) -> RowProblems:
    """Errors (refused) and warnings (need an explicit confirmation) by field id."""
    return _checked(form, section_id, values, sheet_values, planned, now)[0]


def _checked(form: FormDefinition, section_id: str, values: dict[str, str],
             sheet_values: dict[str, str], planned: PlannedDose | None,
             now: datetime | None) -> tuple[RowProblems, dict[str, Any], datetime | None]:
    section = section_of(form, section_id)
    row = {**values, **prefilled_values(section, planned)}
    errors: dict[str, Msg] = {}
    warnings: dict[str, Msg] = {}
    if is_blank_row(section, row):
        first = next(f for f in section.fields if not f.readonly)
        return RowProblems({first.id: msg("entry.blank_row")}), {}, None
    parsed: dict[str, Any] = {}
    collect_checks(validate_row(section, row), errors, warnings, parsed)
    event_date, date_field = _sheet_date(form, sheet_values, errors)
    event_time = None
    if not errors and event_date is not None:
        event_time = _event_time(section, parsed, event_date, planned)
        if event_time is None:
            target = _field_with(section, ExportRole.EVENT_TIME)
            errors[target.id if target else date_field] = msg("entry.time_required")
        elif event_time > (now or clock.now()) + FUTURE_TOLERANCE:
            target = _field_with(section, ExportRole.EVENT_TIME)
            errors[target.id if target else date_field] = msg(
                "entry.time_in_future", when=clock.format_local(event_time))
    return RowProblems(errors, warnings), parsed, event_time


def _field_with(section: Section, role: ExportRole) -> FieldDefinition | None:
    return next((f for f in section.fields if f.export == role), None)


def _sheet_date(form: FormDefinition, sheet_values: dict[str, str],
                errors: dict[str, Msg]) -> tuple[date | None, str]:
    for section in form.sections:
        field = _field_with(section, ExportRole.EVENT_DATE)
        if field is not None:
            check = validate_value(field, sheet_values.get(field.id), required=True)
            if check.error is not None:
                errors[field.id] = check.error
                return None, field.id
            return check.value, field.id  # type: ignore[return-value]
    return clock.local(clock.now()).date(), ""


def _event_time(section: Section, parsed: dict[str, Any], day: date,
                planned: PlannedDose | None) -> datetime | None:
    """The paper's date and time, in the hospital's zone; for a planned dose, the day that puts
    the time nearest the planned one (a night round crosses midnight on one sheet)."""
    field = _field_with(section, ExportRole.EVENT_TIME)
    written = parsed.get(field.id) if field else None
    if isinstance(written, datetime):
        return written
    if isinstance(written, time):
        moment = datetime.combine(day, written, tzinfo=clock.hospital_zone())
        if planned is not None and planned.planned_at is not None:
            candidates = [moment + timedelta(days=d) for d in (-1, 0, 1)]
            moment = min(candidates, key=lambda c: abs(c - planned.planned_at))  # type: ignore[operator]
        return moment
    if planned is not None and planned.planned_at is not None:
        return planned.planned_at
    return None


# -- recording -------------------------------------------------------------------------------


def record_row(store: Store, command: RecordRow, *, now: datetime | None = None) -> Entry:
    """Check and store one row at once (one transaction), with what it means for the SIH."""
    require(command.user, Permission.ENTER)
    entry, items = checked_row(store, command, now=now)
    saved = store.save_entry(entry, items, command.user)
    check_after_save(store, saved, command.user)  # the scanned page's second reading, if any
    return saved


def enterable_sheet(store: Store, serial: int, user: User) -> FormInstance:
    """The sheet ``serial``, its patient's identity confirmed by ``user`` if it has one:
    ``CodeRefused`` for an unknown sheet, ``IdentityNotConfirmed`` for an identity to confirm."""
    instance = store.form_instance(serial)
    if instance is None:
        raise CodeRefused(reason=msg("entry.unknown"))
    if instance.patient_id is not None and not store.identity_confirmed(user, serial):
        raise IdentityNotConfirmed()
    return instance


def checked_row(store: Store, command: RecordRow, *, now: datetime | None = None
                ) -> tuple[Entry, list[Item]]:
    """The entry and items ``command`` stands for, checked as ``record_row`` checks them, not
    stored: double entry keeps a second typist's rows apart and applies decisions itself."""
    instance = enterable_sheet(store, command.serial, command.user)
    if command.corrects is not None and not (command.reason or "").strip():
        raise UserError("entry.reason_required")
    form = load_forms()[instance.template_id]
    doses = planned_doses(store.sheet_content(command.serial))
    planned = (doses[command.row_index]
               if command.section_id == _dose_section(form) and command.row_index < len(doses)
               else None)
    problems, parsed, event_time = _checked(form, command.section_id, command.values,
                                            command.sheet_values, planned, now)
    unconfirmed = {k: v for k, v in problems.warnings.items()
                   if k not in command.confirmed_warnings}
    if problems.errors or unconfirmed:
        raise EntryRefused(RowProblems(problems.errors, unconfirmed))
    assert event_time is not None
    section = section_of(form, command.section_id)
    author_field = _field_with(section, ExportRole.AUTHOR)
    author = str(parsed.get(author_field.id) or "") if author_field else ""
    entry = Entry(
        id=0, serial=command.serial, page=command.page, section_id=command.section_id,
        row_index=command.row_index,
        values={k: canonical(v) for k, v in parsed.items() if v is not None},
        event_time=event_time, author=author, entered_by=command.user.username,
        entered_at=now or clock.now(), status=EntryStatus.ACTIVE, corrects=command.corrects,
        reason=(command.reason or "").strip() or None,
        warnings_confirmed=tuple(sorted(k for k in problems.warnings)),
        sheet_values={k: v.strip() for k, v in command.sheet_values.items() if v.strip()})
    return entry, meaning(form, section, parsed, entry, planned)


def _dose_section(form: FormDefinition) -> str | None:
    for section in form.sections:
        if section.repeat is not None and section.repeat.per == RepeatPer.PRESCRIPTION_DOSE:
            return section.id
    return None


_DOSE_TEXT = re.compile(r"^\s*([\d\s]+(?:[.,]\d+)?)\s*(.*)$")


def meaning(form: FormDefinition, section: Section, parsed: dict[str, Any], entry: Entry,
            planned: PlannedDose | None) -> list[Item]:
    """The items a row stands for: one per vital sign, one per administration, one per note,
    one per transfer or discharge."""
    base = dict(id=0, entry_id=0, serial=entry.serial, effective_time=entry.event_time,
                author=entry.author, entered_by=entry.entered_by, entered_at=entry.entered_at)
    kind = form.kind
    if kind in (FormKind.VITAL_SIGNS, FormKind.OBSERVATIONS):
        items = []
        for field in section.fields:
            value = parsed.get(field.id)
            if field.export != ExportRole.OBSERVATION or value is None:
                continue
            numeric = field.type in (FieldType.INTEGER, FieldType.DECIMAL)
            items.append(Item(**base, kind=ItemKind.VITAL_SIGN,  # type: ignore[arg-type]
                              code=field.code.code if field.code else field.id,
                              label=field.label_in(DEFAULT_LANGUAGE),
                              value=float(value) if numeric else None,
                              value_text=None if numeric else canonical(value),
                              unit=field.unit))
        return items
    if kind == FormKind.MEDICATION_ADMINISTRATION:
        values = {f.export: parsed.get(f.id) for f in section.fields}
        drug = planned.drug if planned else str(values.get(ExportRole.DRUG) or "")
        unit = None
        if planned is not None:
            match = _DOSE_TEXT.match(planned.dose)
            unit = match.group(2).strip() or None if match else None
        given = values.get(ExportRole.STATUS) == "given"
        dose = values.get(ExportRole.DOSE)
        return [Item(**base, kind=ItemKind.MEDICATION_ADMINISTRATION,  # type: ignore[arg-type]
                     code=drug, label=drug, value=float(dose) if dose is not None else None,
                     unit=unit, route=(planned.route if planned else None)
                     or (str(values.get(ExportRole.ROUTE)) if values.get(ExportRole.ROUTE)
                         else None),
                     status="completed" if given else "not-done",
                     status_reason=str(values.get(ExportRole.STATUS_REASON) or "") or None)]
    if kind == FormKind.NURSING_NOTES:
        text = next((parsed.get(f.id) for f in section.fields
                     if f.export == ExportRole.NOTE_TEXT), None)
        if not text:
            return []
        return [Item(**base, kind=ItemKind.NURSING_NOTE, code="",  # type: ignore[arg-type]
                     label="", text=str(text))]
    if kind == FormKind.TRANSFER_DISCHARGE:
        return _movement(section, parsed, base)
    return []  # an admission is an identity, linked by identity vigilance (reentry/admission)


def _movement(section: Section, parsed: dict[str, Any], base: dict[str, Any]) -> list[Item]:
    """A transfer or discharge: its type is the code, where the patient went the value, the
    comments the text; the time is the one written on the form (``base``)."""
    values = {f.export: parsed.get(f.id) for f in section.fields}
    movement = values.get(ExportRole.MOVEMENT_KIND)
    if not movement:
        return []
    field = _field_with(section, ExportRole.MOVEMENT_KIND)
    choice = field.choice(str(movement)) if field else None
    destination = values.get(ExportRole.DESTINATION)
    comment = values.get(ExportRole.COMMENT)
    return [Item(**base, kind=ItemKind.MOVEMENT, code=str(movement),
                 label=choice.label_in(DEFAULT_LANGUAGE) if choice else str(movement),
                 value_text=str(destination) if destination else None,
                 text=str(comment) if comment else None)]


# -- drafts, completion, history --------------------------------------------------------------


def save_draft(store: EntryStore, user: User, serial: int, page: int,
               rows: dict[str, dict[str, str]]) -> None:
    require(user, Permission.ENTER)
    store.save_draft(user, serial, page, rows)


def discard_draft(store: EntryStore, user: User, serial: int, page: int) -> None:
    store.discard_draft(user, serial, page)


def drafts(store: EntryStore, user: User) -> list[Draft]:
    return store.drafts(user)


def mark_sheet_entered(store: Store, user: User, serial: int, reason: str | None = None
                       ) -> None:
    """The sheet is finished; refused (``WrittenNotTyped``) while its scanned page holds a
    field written but neither typed nor confirmed, unless ``reason`` says why."""
    finish_sheet(store, user, serial, reason)


def sheet_history(store: EntryStore, serial: int) -> list[Entry]:
    return store.entries(serial, include_corrected=True)

