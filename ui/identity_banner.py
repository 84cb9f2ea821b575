"""The identity banner: who this patient is, always in view above anything about them.

Wrong patient is the worst error, so the banner shows the strict identity traits (birth name,
first names, birth date, sex), the used name, the identifiers and the location, each labelled.
It takes plain model objects so the data-entry screen can show the very same banner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from reentry import display
from reentry.domain.admission import temporary_code_text
from reentry.i18n import tr
from reentry.model import IdentityStatus, Patient, Site, Stay, Ward
from ui import theme
from ui.language import is_language_change

# (field, row, column, column span of the value): two labelled values per row, so the banner
# fits beside the ward and patient lists on a 1366-pixel-wide ward PC screen.
_LAYOUT = (
    ("birth_name", 0, 0, 1), ("used_name", 0, 1, 1),
    ("given_names", 1, 0, 1), ("birth_date", 1, 1, 1),
    ("sex", 2, 0, 1), ("identity_status", 2, 1, 1),
    ("ipp", 3, 0, 1), ("nda", 3, 1, 1),
    ("ins", 4, 0, 3),
    ("location", 5, 0, 3),
)
FIELDS = tuple(name for name, *_ in _LAYOUT)


def temporary_identity_banner(parent: QWidget) -> QLabel:
    """Where the identity banner would be, for a sheet of a patient admitted during the outage
    and not yet identified: the temporary code, large, in the provisional identity's colour."""
    banner = QLabel(parent)
    banner.setObjectName("temporary_identity_banner")
    banner.setFont(theme.scaled_font(parent, 1.4, bold=True))
    banner.setStyleSheet(
        f"#temporary_identity_banner {{ background: {theme.PANEL}; padding: 10px;"
        f" color: {theme.PROVISIONAL_IDENTITY}; border: 2px solid {theme.BORDER}; }}")
    return banner


@dataclass(frozen=True)
class _Identity:
    patient: Patient
    stay: Stay | None
    site: Site | None
    ward: Ward | None
    today: date
    temporary_id: str | None = None  # a patient admitted during the outage: its packet's code


class IdentityBanner(QFrame):
    """Labelled identity of one patient; ``value_text(field)`` reads what is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identity_banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"#identity_banner {{ background: {theme.PANEL}; border: 2px solid {theme.BORDER};"
            " border-radius: 4px; }")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._identity: _Identity | None = None

        self._name = QLabel(self)
        self._name.setObjectName("identity_name")
        self._name.setFont(theme.scaled_font(self, 1.6, bold=True))
        self._name.setWordWrap(True)
        self._name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._provisional = QLabel(self)
        self._provisional.setObjectName("identity_provisional")
        self._provisional.setWordWrap(True)
        self._provisional.setFont(theme.scaled_font(self, 1.2, bold=True))
        self._provisional.setStyleSheet(f"color: {theme.PROVISIONAL_IDENTITY};")

        self._captions: dict[str, QLabel] = {}
        self._values: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for name, row, column, span in _LAYOUT:
            caption, value = self._field_labels(name)
            grid.addWidget(caption, row, column * 2)
            grid.addWidget(value, row, column * 2 + 1, 1, span)
        for column in (1, 3):
            grid.setColumnStretch(column, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self._name)
        layout.addWidget(self._provisional)
        layout.addLayout(grid)
        self._render()

    def _field_labels(self, name: str) -> tuple[QLabel, QLabel]:
        caption = QLabel(self)
        caption.setObjectName(f"identity_{name}_caption")
        caption.setStyleSheet(f"color: {theme.MUTED};")
        value = QLabel(self)
        value.setObjectName(f"identity_{name}")
        value.setFont(theme.scaled_font(self, 1.1, bold=True))
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        value.setWordWrap(True)  # a long place (site — ward — room) wraps, never widens the screen
        caption.setBuddy(value)
        self._captions[name] = caption
        self._values[name] = value
        return caption, value

    # -- public API -----------------------------------------------------------------------------

    def set_identity(self, patient: Patient, stay: Stay | None, site: Site | None,
                     ward: Ward | None, today: date, *, temporary_id: str | None = None) -> None:
        """Show ``patient``; ``today`` (hospital zone) is the day the age is computed on;
        ``temporary_id``: the packet's code when the sheet was printed for a temporary identity."""
        self._identity = _Identity(patient, stay, site, ward, today, temporary_id)
        self._render()

    def clear(self) -> None:
        self._identity = None
        self._render()

    @property
    def patient(self) -> Patient | None:
        return self._identity.patient if self._identity else None

    def value_text(self, name: str) -> str:
        return self._values[name].text()

    def name_text(self) -> str:
        return self._name.text()

    def provisional_text(self) -> str:
        """The provisional-identity line ("" unless the patient is under a temporary identity)."""
        return self._provisional.text() if self._provisional.isVisibleTo(self) else ""

    # -- rendering ------------------------------------------------------------------------------

    def _render(self) -> None:
        for name, caption in self._captions.items():
            caption.setText(tr(f"ui.identity_{name}"))
        values = self._values_of(self._identity) if self._identity else {}
        self._name.setText(
            display.full_name(self._identity.patient) if self._identity else tr("ui.no_patient"))
        for name, label in self._values.items():
            label.setText(values.get(name, ""))
        has_ins = bool(self._identity and self._identity.patient.ins_nir)
        self._captions["ins"].setVisible(has_ins)
        self._values["ins"].setVisible(has_ins)
        provisional = bool(self._identity and
                           self._identity.patient.identity_status == IdentityStatus.PROV)
        style = f"color: {theme.PROVISIONAL_IDENTITY};" if provisional else ""
        status = self._values["identity_status"]
        if status.styleSheet() != style:  # setting it, even unchanged, restyles the label
            status.setStyleSheet(style)
        temporary = _temporary_code(self._identity)
        self._provisional.setText(tr("admission.banner_provisional", code=temporary)
                                  if temporary else "")
        self._provisional.setVisible(bool(temporary))

    @staticmethod
    def _values_of(identity: _Identity) -> dict[str, str]:
        temporary = _temporary_code(identity)
        if temporary:  # no IPP, and the stay's number is Reentry's own, not an NDA
            return {**IdentityBanner._traits_of(identity),
                    "ipp": tr("admission.banner_no_ipp", code=temporary), "nda": display.DASH}
        return IdentityBanner._traits_of(identity)

    @staticmethod
    def _traits_of(identity: _Identity) -> dict[str, str]:
        patient, stay = identity.patient, identity.stay
        return {
            "birth_name": (patient.birth_name or "").upper() or display.DASH,
            "used_name": (patient.used_name or "").upper() or display.DASH,
            "given_names": display.given_names_text(patient) or display.DASH,
            "birth_date": display.birth_date_text(patient, identity.today),
            "sex": display.sex_label(patient.sex),
            "identity_status": display.identity_status_label(patient.identity_status),
            "ipp": patient.ipp or display.DASH,
            "ins": patient.ins_nir or "",
            "nda": stay.nda if stay else display.DASH,
            "location": display.location_text(identity.site, identity.ward,
                                               stay.room if stay else None,
                                               stay.bed if stay else None),
        }

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._render()
        super().changeEvent(event)


def _temporary_code(identity: _Identity | None) -> str:
    """The grouped temporary code of a provisional patient without IPP, else ""."""
    if identity is None or not identity.temporary_id or identity.patient.ipp:
        return ""
    if identity.patient.identity_status not in (IdentityStatus.PROV, None):
        return ""
    return temporary_code_text(identity.temporary_id)
