"""The geometry of a printed page as reading needs it: boxes in millimetres, top-left origin.

The renderer records each box here while it lays a page out and draws the box from the record,
so what ``reentry layout`` prints is what is on the paper, not a second list of coordinates.
PDF points (bottom-left origin) are converted at the edge, by ``from_pdf`` and ``to_pdf``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

POINTS_PER_MM = 72 / 25.4


class BoxKind(StrEnum):
    """What is written in a box, hence how it is read."""

    COMB_DIGIT = "comb_digit"  # one digit per box, separators printed between groups
    CHECKBOX = "checkbox"  # one answer of a choice: ticked or not
    TEXT_AREA = "text_area"  # free text over several lines (notes)
    INITIALS = "initials"  # who wrote the row
    WRITE_IN = "write_in"  # a short value written freely (a date, a destination)


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle in millimetres, ``(x, y)`` its top-left corner, from the page's top-left."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2

    @classmethod
    def from_pdf(cls, x: float, bottom: float, width: float, height: float,
                 page_height: float) -> Rect:
        """A rectangle given in PDF points (``bottom`` from the page's bottom edge)."""
        return cls(x / POINTS_PER_MM, (page_height - bottom - height) / POINTS_PER_MM,
                   width / POINTS_PER_MM, height / POINTS_PER_MM)

    def to_pdf(self, page_height: float) -> tuple[float, float, float, float]:
        """``(x, bottom, width, height)`` in PDF points, as ``canvas.rect`` takes them."""
        return (self.x * POINTS_PER_MM, page_height - self.bottom * POINTS_PER_MM,
                self.width * POINTS_PER_MM, self.height * POINTS_PER_MM)

    def as_dict(self) -> dict[str, float]:
        return {"x": round(self.x, 2), "y": round(self.y, 2), "width": round(self.width, 2),
                "height": round(self.height, 2)}


@dataclass(frozen=True, slots=True)
class Separator:
    """A character printed between two groups of digit boxes: « , » « : » « / »."""

    text: str
    rect: Rect


@dataclass(frozen=True, slots=True)
class FieldBox:
    """One box to read: a field of the form definition, in a row of its table (None: a field of
    a fixed section), of one kind. A comb lists its digit boxes left to right; a checkbox says
    which answer (the choice's code) it stands for."""

    field_id: str
    row: int | None
    kind: BoxKind
    rect: Rect
    choice: str | None = None
    digits: tuple[Rect, ...] = ()
    separators: tuple[Separator, ...] = ()

    def in_row(self, row: int | None) -> FieldBox:
        return FieldBox(self.field_id, row, self.kind, self.rect, self.choice, self.digits,
                        self.separators)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field_id, "row": self.row, "kind": str(self.kind),
                                **self.rect.as_dict()}
        if self.choice is not None:
            data["choice"] = self.choice
        if self.digits:
            data["digits"] = [r.as_dict() for r in self.digits]
            data["separators"] = [{"text": s.text, **s.rect.as_dict()} for s in self.separators]
        return data


@dataclass(frozen=True, slots=True)
class PageLayout:
    """One printed page: its size, its four corner marks (top-left, top-right, bottom-right,
    bottom-left) and the boxes to read on it."""

    page: int
    width: float
    height: float
    corner_marks: tuple[Rect, Rect, Rect, Rect]
    boxes: tuple[FieldBox, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"page": self.page, "width": round(self.width, 2),
                "height": round(self.height, 2),
                "corner_marks": [r.as_dict() for r in self.corner_marks],
                "boxes": [b.as_dict() for b in self.boxes]}
