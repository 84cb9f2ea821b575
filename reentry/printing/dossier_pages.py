"""The printed dossier: strict identity, allergies, treatments, recent vital signs and notes.

The order is the order of a nurse's safety check: who (every strict trait), what must not be
given (allergies, in a thick red box that cannot be missed, or « Aucune allergie enregistrée
dans le SIH au <date> »: what the data says, never a "none known" it does not say), what is
given, then how the patient has been. ``layout_dossier`` is pure: the planner counts its pages
before registration, the renderer draws the very same pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from reportlab.lib.colors import Color
from reportlab.lib.units import mm

from reentry import clock, display
from reentry.i18n import tr
from reentry.model import Allergy, Dossier, Note, Observation, Snapshot
from reentry.printing.flow import (
    Column,
    Part,
    Placed,
    TextRow,
    paginate,
    row_height,
    text_row,
)
from reentry.printing.fonts import BOLD, REGULAR, wrap_text
from reentry.printing.page import PORTRAIT, Pen, content_box
from reentry.printing.tables import draw_head_row, draw_rules, draw_text_row

ORIENTATION = PORTRAIT
DOSSIER_VERSION = 1
WINDOW_HOURS = 24
MIN_NOTES = 3  # the latest notes are shown even when none was written in the window
NOTE_LINES_PER_ROW = 30  # a longer note continues in the next row, so it can cross a page

ALLERGY_RED = Color(0.8, 0.0, 0.0)
ALLERGY_BORDER = 3.0
TITLE_HEIGHT = 6.5 * mm
DOCUMENT_TITLE_HEIGHT = 9 * mm
ALLERGY_INSET = 2.5 * mm

_BOX = content_box(ORIENTATION)
WIDTH = _BOX.width


@dataclass(frozen=True, slots=True)
class DossierLayout:
    pages: list[list[Placed]]


def _columns(*specs: tuple[float, str, float]) -> tuple[Column, ...]:
    """Columns from ``(share of the width, font, size)``; shares are scaled to the full width."""
    total = sum(share for share, _, _ in specs)
    return tuple(Column(WIDTH * share / total, font, size) for share, font, size in specs)


IDENTITY_COLUMNS = _columns((28, REGULAR, 7.5), (67, BOLD, 9), (28, REGULAR, 7.5),
                            (67, BOLD, 9))
ALLERGY_COLUMNS = (Column(WIDTH - 2 * ALLERGY_INSET, BOLD, 10),)
PRESCRIPTION_COLUMNS = _columns((52, BOLD, 8.5), (20, REGULAR, 8.5), (12, REGULAR, 8.5),
                                (34, REGULAR, 8.5), (30, REGULAR, 8), (42, REGULAR, 7.5))
NOTE_COLUMNS = _columns((36, REGULAR, 8), (154, REGULAR, 8.5))
HEAD_SIZE = 7.5


def _head_columns(columns: Sequence[Column]) -> tuple[Column, ...]:
    return tuple(Column(c.width, BOLD, HEAD_SIZE) for c in columns)


def _head_height(columns: Sequence[Column] | None) -> float:
    return TITLE_HEIGHT + (row_height(_head_columns(columns), 1) if columns else 0.0)


def _dash(text: str | None) -> str:
    return text or display.DASH


# -- identity -----------------------------------------------------------------------------------


def _identity_part(dossier: Dossier, today: date) -> Part:
    p, stay = dossier.patient, dossier.stay
    as_of = dossier.snapshot.data_as_of if dossier.snapshot else None
    location = display.location_text(dossier.site, dossier.ward, stay.room if stay else None,
                                      stay.bed if stay else None)
    admitted = display.moment_text(stay.admitted_at, as_of) if stay and stay.admitted_at else ""
    pairs: list[tuple[Callable[[], str], Callable[[], str]]] = [
        (lambda: tr("print.birth_name"), lambda: _dash(p.birth_name)),
        (lambda: tr("print.used_name"), lambda: _dash(p.used_name)),
        (lambda: tr("print.given_names"), lambda: _dash(display.given_names_text(p))),
        (lambda: tr("print.sex"), lambda: display.sex_label(p.sex)),
        (lambda: tr("print.birth_date"), lambda: display.birth_date_text(p, today)),
        (lambda: tr("print.birthplace"), lambda: _dash(p.birthplace_insee)),
        (lambda: tr("print.ipp"), lambda: _dash(p.ipp)),
        (lambda: tr("print.ins"), lambda: _dash(p.ins_nir)),
        (lambda: tr("print.identity_status"),
         lambda: display.identity_status_label(p.identity_status)),
        (lambda: tr("print.nda"), lambda: _dash(stay.nda if stay else None)),
        (lambda: tr("print.admitted_at"), lambda: _dash(admitted)),
        (lambda: tr("print.location"), lambda: location),
    ]
    rows = []
    for (label_a, value_a), (label_b, value_b) in zip(pairs[::2], pairs[1::2], strict=True):
        def texts(la=label_a, va=value_a, lb=label_b, vb=value_b) -> tuple[str, ...]:
            return la(), va(), lb(), vb()
        rows.append(text_row(texts, IDENTITY_COLUMNS))
    return Part("identity", TITLE_HEIGHT, tuple(rows), IDENTITY_COLUMNS,
                keep_together=True, title=lambda: tr("print.identity"))


# -- allergies ----------------------------------------------------------------------------------


def _allergy_texts(allergy: Allergy) -> tuple[str]:
    return (display.allergy_line(allergy),)


def _no_allergy_texts(snapshot: Snapshot | None) -> tuple[str]:
    return (display.no_allergy_text(snapshot),)


def _allergy_part(dossier: Dossier) -> Part:
    if dossier.allergies:
        rows = tuple(text_row(partial(_allergy_texts, a), ALLERGY_COLUMNS)
                     for a in dossier.allergies)
    else:
        rows = (text_row(partial(_no_allergy_texts, dossier.snapshot), ALLERGY_COLUMNS),)
    return Part("allergies", TITLE_HEIGHT, rows, ALLERGY_COLUMNS, keep_together=True,
                title=lambda: tr("print.allergies"))


# -- treatments ---------------------------------------------------------------------------------


def _none_row(columns: Sequence[Column]) -> TextRow:
    return text_row(lambda: (tr("print.none"),), columns, spans=True)


def _prescription_part(dossier: Dossier) -> Part:
    as_of = dossier.snapshot.data_as_of if dossier.snapshot else None
    rows = []
    for rx in dossier.prescriptions:
        def texts(rx=rx) -> tuple[str, ...]:
            since = display.moment_text(rx.start, as_of) if rx.start else ""
            until = display.moment_text(rx.end, as_of) if rx.end else ""
            period = (tr("print.period", start=since, end=until) if until
                      else tr("print.period_from", start=since) if since else "")
            schedule = ", ".join(rx.schedule) if rx.schedule else tr("print.as_needed")
            return (rx.drug, display.prescription_dose(rx), rx.route or "", schedule,
                    rx.frequency or "", period)
        rows.append(text_row(texts, PRESCRIPTION_COLUMNS))
    return Part("table", _head_height(PRESCRIPTION_COLUMNS),
                tuple(rows) or (_none_row(PRESCRIPTION_COLUMNS),), PRESCRIPTION_COLUMNS,
                title=lambda: tr("print.prescriptions"),
                column_titles=lambda: (tr("print.drug"), tr("print.dose"), tr("print.route"),
                                       tr("print.schedule"), tr("print.frequency"),
                                       tr("print.since")))


# -- vital signs --------------------------------------------------------------------------------


def _as_of(dossier: Dossier) -> datetime | None:
    return dossier.snapshot.data_as_of if dossier.snapshot else None


def _window_start(dossier: Dossier) -> datetime | None:
    as_of = _as_of(dossier)
    return as_of - timedelta(hours=WINDOW_HOURS) if as_of else None


def recent_observations(dossier: Dossier) -> list[Observation]:
    """The last 24 hours before the data's "as of" (all of them when there is no snapshot)."""
    since = _window_start(dossier)
    if since is None:
        return list(dossier.observations)
    return [o for o in dossier.observations if o.effective_at >= since]


def recent_notes(dossier: Dossier) -> list[Note]:
    """Notes of the last 24 hours, newest first, and at least the few latest ones."""
    notes = sorted(dossier.notes, key=lambda n: n.written_at, reverse=True)
    since = _window_start(dossier)
    if since is None:
        return notes
    recent = [n for n in notes if n.written_at >= since]
    return recent if len(recent) >= MIN_NOTES else notes[:MIN_NOTES]


def _vitals_texts(row: display.VitalsRow, columns: Sequence[display.VitalsColumn],
                  as_of: datetime | None) -> tuple[str, ...]:
    return display.moment_text(row.at, as_of), *(row.cells.get(c.key, "") for c in columns)


def _vitals_part(dossier: Dossier) -> Part:
    grid = display.vitals_grid(recent_observations(dossier))
    count = max(1, len(grid.columns))
    columns = _columns((32, BOLD, 7.5), *([(158 / count, REGULAR, 8.5)] * count))
    rows = tuple(text_row(partial(_vitals_texts, r, grid.columns, _as_of(dossier)), columns)
                 for r in grid.rows)
    return Part("table", _head_height(columns), rows or (_none_row(columns),), columns,
                title=lambda: tr("print.vital_signs", hours=WINDOW_HOURS),
                column_titles=lambda: (tr("print.time"),
                                       *(display.vital_label(c.key, c.label)
                                         for c in grid.columns)))


# -- notes --------------------------------------------------------------------------------------


def _given(*texts: str) -> tuple[str, ...]:
    return texts


def _note_rows(note: Note, as_of: datetime | None) -> list[TextRow]:
    text_column = NOTE_COLUMNS[1]
    lines = wrap_text(note.text, text_column.font, text_column.size, text_column.text_width)
    when = display.moment_text(note.written_at, as_of)
    header = f"{when}\n{note.author}" if note.author else when
    rows = []
    for start in range(0, len(lines), NOTE_LINES_PER_ROW):
        chunk = "\n".join(lines[start:start + NOTE_LINES_PER_ROW])
        first = header if start == 0 else ""
        rows.append(text_row(partial(_given, first, chunk), NOTE_COLUMNS, translated=False))
    return rows


def _notes_part(dossier: Dossier) -> Part:
    rows = [row for note in recent_notes(dossier) for row in _note_rows(note, _as_of(dossier))]
    return Part("table", _head_height(NOTE_COLUMNS), tuple(rows) or (_none_row(NOTE_COLUMNS),),
                NOTE_COLUMNS, title=lambda: tr("print.notes", hours=WINDOW_HOURS),
                column_titles=lambda: (tr("print.written"), tr("print.note")))


# -- layout and drawing -------------------------------------------------------------------------


def layout_dossier(dossier: Dossier, today: date) -> DossierLayout:
    """Every page of the dossier, identical for the planner and the renderer."""
    parts = [
        Part("title", DOCUMENT_TITLE_HEIGHT, (), title=lambda: tr("print.dossier_title")),
        _identity_part(dossier, today),
        _allergy_part(dossier),
        _prescription_part(dossier),
        _vitals_part(dossier),
        _notes_part(dossier),
    ]
    return DossierLayout(paginate(parts, _BOX.height, _BOX.height))


def dossier_today(moment: datetime) -> date:
    """The hospital's date at ``moment``: ages are printed as of that day."""
    return clock.local(moment).date()


def _draw_title(pen: Pen, placed: Placed, top: float) -> None:
    assert placed.part.title is not None
    title = placed.part.title()
    if placed.continued:
        title = tr("print.continued", title=title)
    pen.text(_BOX.left, top - 4.6 * mm, title, BOLD, 10.5)


def _draw_rows(pen: Pen, placed: Placed, left: float, top: float) -> float:
    """Rows under a part's head; returns the y of the bottom of the last row."""
    columns = placed.part.columns
    y = top
    rules = []
    for row in placed.rows:
        assert isinstance(row, TextRow)
        draw_text_row(pen, left, y, columns, row)
        y -= row.height
        rules.append(y)
    if placed.part.kind != "allergies":
        draw_rules(pen, left, left + sum(c.width for c in columns), rules)
    return y


def _draw_allergies(pen: Pen, placed: Placed, top: float) -> None:
    canvas = pen.canvas
    bottom = top - placed.part.head_height - sum(r.height for r in placed.rows)
    canvas.setStrokeColor(ALLERGY_RED)
    canvas.setLineWidth(ALLERGY_BORDER)
    half = ALLERGY_BORDER / 2
    canvas.rect(_BOX.left + half, bottom - half, WIDTH - ALLERGY_BORDER, top - bottom, stroke=1,
                fill=0)
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setFillColor(ALLERGY_RED)
    title = placed.part.title() if placed.part.title else ""
    if placed.continued:
        title = tr("print.continued", title=title)
    pen.text(_BOX.left + ALLERGY_INSET, top - 4.8 * mm, title, BOLD, 11)
    canvas.setFillColorRGB(0, 0, 0)
    _draw_rows(pen, placed, _BOX.left + ALLERGY_INSET, top - placed.part.head_height)


def _draw_placed(pen: Pen, placed: Placed) -> None:
    top = _BOX.top - placed.top
    part = placed.part
    if part.kind == "allergies":
        _draw_allergies(pen, placed, top)
        return
    if part.title is not None:
        _draw_title(pen, placed, top)
    y = top - TITLE_HEIGHT if part.kind != "title" else top
    if part.column_titles is not None:
        head = _head_columns(part.columns)
        height = row_height(head, 1)
        draw_head_row(pen, _BOX.left, y, head, part.column_titles(), height)
        y -= height
    if part.rows:
        _draw_rows(pen, placed, _BOX.left, y)


def draw_dossier_page(pen: Pen, page: list[Placed]) -> None:
    for placed in page:
        _draw_placed(pen, placed)
