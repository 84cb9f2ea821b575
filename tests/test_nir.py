import pytest

from reentry.nir import is_valid_nir, make_nir, nir_key, nir_problem


def test_ans_test_nir_is_valid():
    assert is_valid_nir("279035121518989")


@pytest.mark.parametrize("body", ["1850275123456", "2991299999001", "1010101001001"])
def test_make_nir_produces_a_checking_key(body):
    nir = make_nir(body)
    assert len(nir) == 15 and is_valid_nir(nir)


def test_key_is_97_minus_body_mod_97():
    assert nir_key("2790351215189") == 97 - (2790351215189 % 97) == 89


@pytest.mark.parametrize("department, substitute", [("2A", "19"), ("2B", "18")])
def test_corsica_counts_as_19_and_18(department, substitute):
    body = f"18502{department}004123"
    expected = 97 - int(body.replace(department, substitute, 1)) % 97
    assert nir_key(body) == expected
    assert is_valid_nir(f"{body}{expected:02d}")
    assert is_valid_nir(f"{body.lower()}{expected:02d}")


def test_every_single_digit_change_is_caught():
    nir = "279035121518989"
    for position in range(15):
        for digit in "0123456789":
            if digit != nir[position]:
                changed = nir[:position] + digit + nir[position + 1:]
                assert not is_valid_nir(changed), changed


@pytest.mark.parametrize("value, reason", [
    ("27903512151898", "nir.length"),
    ("2790351215189X9", "nir.digits"),
    ("2793C5121518989", "nir.digits"),
    ("279035121518988", "nir.key"),
])
def test_problems_are_named(value, reason):
    assert nir_problem(value).id == reason
