"""Which packet a sheet belongs to, and why a packet sheet cannot be typed yet.

Every sheet of a packet carries the same temporary identifier, but until its admission form
is typed nobody knows who that is: a chart typed then would belong to no patient. So the other
sheets of a packet open only once the admission is entered, and the refusal names the sheet to
type first.
"""

from __future__ import annotations

from collections.abc import Mapping

from reentry.barcodes import group_for_reading, page_code
from reentry.domain.admission import Packet, temporary_code_text
from reentry.formdefs_model import FormDefinition, FormKind
from reentry.i18n import Msg, msg
from reentry.registry import FormInstance
from reentry.store.areas import AdmissionStore


def is_admission_form(form: FormDefinition) -> bool:
    return form.kind is FormKind.DOWNTIME_ADMISSION


def admission_serial(packet: Packet, forms: Mapping[str, FormDefinition]) -> int | None:
    """The serial of the packet's admission form (None if it was withdrawn)."""
    return next((serial for serial, template in packet.sheets
                 if template in forms and is_admission_form(forms[template])), None)


def packet_problem(store: AdmissionStore, instance: FormInstance,
                   forms: Mapping[str, FormDefinition]) -> Msg | None:
    """Why ``instance`` cannot be opened for entry yet; None when it can."""
    form = forms.get(instance.template_id)
    if instance.temporary_id is None or form is None or is_admission_form(form):
        return None
    packet = store.packet(instance.temporary_id)
    if packet is None or packet.patient_id is not None:
        return None
    shown = temporary_code_text(packet.code)
    serial = admission_serial(packet, forms)
    if serial is None:
        return msg("admission.admission_sheet_missing", temporary=shown)
    return msg("admission.enter_admission_first", temporary=shown,
               code=group_for_reading(page_code(serial, 1)))
