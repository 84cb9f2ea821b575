"""Sheet codes: every single-digit error and every adjacent transposition is refused."""

import pytest

from reentry.barcodes import (
    CODE_LENGTH,
    code_problem,
    damm_digit,
    group_for_reading,
    has_valid_check_digit,
    page_code,
    split_code,
)


def test_known_damm_value():
    assert damm_digit("572") == 4  # the published worked example
    assert has_valid_check_digit("5724")


@pytest.mark.parametrize("serial, page", [(1, 1), (123, 4), (987654321, 99), (40000, 12)])
def test_every_single_digit_error_and_adjacent_swap_is_refused(serial, page):
    code = page_code(serial, page)
    assert len(code) == CODE_LENGTH and code_problem(code) is None
    assert split_code(code).serial == serial and split_code(code).page == page
    for i in range(CODE_LENGTH):
        for digit in "0123456789":
            if digit != code[i]:
                assert not has_valid_check_digit(code[:i] + digit + code[i + 1:])
    for i in range(CODE_LENGTH - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            assert code_problem(swapped).id == "barcode.bad_check_digit"


def test_typed_codes_may_carry_spaces_and_are_grouped_for_reading():
    code = page_code(123, 4)
    assert group_for_reading(code) == f"{code[:4]} {code[4:8]} {code[8:]}"
    assert code_problem(group_for_reading(code)) is None


@pytest.mark.parametrize("text, problem", [("12345", "barcode.bad_length"),
                                           ("0000000012A4", "barcode.not_digits"),
                                           ("٠١٢٣٤٥٦٧٨٩٠١", "barcode.not_digits")])
def test_malformed_codes_say_why(text, problem):
    assert code_problem(text).id == problem


@pytest.mark.parametrize("serial, page", [(0, 1), (1, 0), (10**9, 1), (1, 100)])
def test_out_of_range_parts_are_refused(serial, page):
    with pytest.raises(ValueError):
        page_code(serial, page)
