"""Sheet identifiers: numeric, with a Damm check digit, and no patient data inside.

A page code is ``SSSSSSSSS PP C``: the form instance's serial (9 digits), the page number
(2 digits) and a Damm check digit, 12 digits in all. Damm catches every single-digit error and
every transposition of two neighbouring digits, so a mistyped or misread code is refused rather
than opening another patient's sheet. Digits only, so a keyboard-wedge scanner on a French AZERTY
layout sends it intact. Printed grouped by four for reading aloud: ``0000 0012 3014``.
"""

from __future__ import annotations

from dataclasses import dataclass

from reentry.i18n import Msg, msg

# The Damm quasigroup of order 10 (weakly totally anti-symmetric), as published by H. M. Damm.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

SERIAL_DIGITS = 9
PAGE_DIGITS = 2
CODE_LENGTH = SERIAL_DIGITS + PAGE_DIGITS + 1
MAX_SERIAL = 10**SERIAL_DIGITS - 1
MAX_PAGES = 10**PAGE_DIGITS - 1


def damm_digit(digits: str) -> int:
    """The check digit that makes ``digits`` + it reduce to 0 in the Damm quasigroup."""
    interim = 0
    for char in digits:
        interim = _DAMM[interim][ord(char) - 48]
    return interim


def with_check_digit(digits: str) -> str:
    return f"{digits}{damm_digit(digits)}"


def has_valid_check_digit(code: str) -> bool:
    return code.isascii() and code.isdigit() and damm_digit(code) == 0


@dataclass(frozen=True)
class PageCode:
    serial: int
    page: int

    @property
    def code(self) -> str:
        return with_check_digit(f"{self.serial:0{SERIAL_DIGITS}d}{self.page:0{PAGE_DIGITS}d}")

    @property
    def grouped(self) -> str:
        return group_for_reading(self.code)


def page_code(serial: int, page: int) -> str:
    if not 0 < serial <= MAX_SERIAL or not 0 < page <= MAX_PAGES:
        raise ValueError(f"serial {serial} / page {page} out of range")
    return PageCode(serial, page).code


def group_for_reading(code: str) -> str:
    """``000000123014`` → ``0000 0012 3014``."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_typed_code(text: str) -> str:
    """What a person typed or a scanner sent, with spaces, dashes and dots removed."""
    return "".join(c for c in text.strip() if c not in " -.\u00a0\u202f")


def code_problem(text: str) -> Msg | None:
    """Why ``text`` cannot be a page code (before looking it up), or None."""
    code = normalise_typed_code(text)
    if not code.isascii() or not code.isdigit():
        return msg("barcode.not_digits")
    if len(code) != CODE_LENGTH:
        return msg("barcode.bad_length", length=len(code), expected=CODE_LENGTH)
    if not has_valid_check_digit(code):
        return msg("barcode.bad_check_digit")
    return None


def split_code(text: str) -> PageCode:
    """The serial and page of a code already known to be well formed."""
    code = normalise_typed_code(text)
    return PageCode(int(code[:SERIAL_DIGITS]), int(code[SERIAL_DIGITS:SERIAL_DIGITS + PAGE_DIGITS]))
