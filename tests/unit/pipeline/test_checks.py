from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.pipeline.checks import pinfl_problem

VALID = "41405900261239"  # the sample applicant's: 4 (female, 1900s), 14.05.90, 026, 123, 9
BORN = date(1990, 5, 14)
ARABIC_INDIC_DIGITS = "".join(chr(0x660 + i) for i in range(10))
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def check_digit(first13: str) -> str:
    weights = (7, 3, 1)
    return str(sum(int(d) * weights[i % 3] for i, d in enumerate(first13)) % 10)


def test_the_check_digit_helper_agrees_with_the_sample() -> None:
    assert check_digit(VALID[:13]) == VALID[13]


def test_a_valid_pinfl_has_no_problem() -> None:
    assert pinfl_problem(VALID, BORN) is None
    assert pinfl_problem(VALID, None) is None  # no birth date to compare with


@pytest.mark.parametrize(
    ("pinfl", "born", "expected"),
    [
        (VALID[:13], BORN, "exactly 14 digits"),
        (VALID + "0", BORN, "exactly 14 digits"),
        ("", BORN, "exactly 14 digits"),
        ("4140590026123X", BORN, "exactly 14 digits"),
        ("4140590026 239", BORN, "exactly 14 digits"),
        ("0" + VALID[1:], BORN, "first digit"),
        ("7" + VALID[1:], BORN, "first digit"),
        ("9" + VALID[1:], BORN, "first digit"),
        ("43102900261239", None, "not a valid birth date"),  # 31 February
        ("40013900261239", None, "not a valid birth date"),  # month 13
        ("40005900261239", None, "not a valid birth date"),  # day 0
        ("32902000261239", None, "not a valid birth date"),  # 29.02.1900: not a leap year
        (VALID, date(1990, 5, 15), "differs from applicant.birth_date"),
        ("6" + VALID[1:], BORN, "differs from applicant.birth_date"),  # 2090, not 1990
        (VALID[:13] + "0", BORN, "check digit"),
    ],
    ids=[
        "13-digits",
        "15-digits",
        "empty",
        "letter",
        "space",
        "first-0",
        "first-7",
        "first-9",
        "31-february",
        "month-13",
        "day-0",
        "29-february-1900",
        "birth-date-mismatch",
        "century-mismatch",
        "wrong-check-digit",
    ],
)
def test_a_bad_pinfl_says_why(pinfl: str, born: date | None, expected: str) -> None:
    problem = pinfl_problem(pinfl, born)
    assert problem is not None
    assert expected in problem


def test_a_leap_day_in_a_leap_year_is_a_valid_date() -> None:
    first13 = "3" + "290220" + "026123"  # 29.02.(19)20
    pinfl = first13 + check_digit(first13)
    assert pinfl_problem(pinfl, date(1920, 2, 29)) is None


# regression: `^\d{14}$` with re.match took a trailing newline and non-ASCII digits
@pytest.mark.parametrize(
    "pinfl",
    [
        VALID + "\n",
        VALID[0] + VALID[1:].translate(str.maketrans("0123456789", ARABIC_INDIC_DIGITS)),
    ],
    ids=["trailing-newline", "arabic-indic-digits"],
)
def test_only_ascii_digits_and_nothing_else_make_a_pinfl(pinfl: str) -> None:
    assert pinfl_problem(pinfl, BORN) is not None


@st.composite
def pinfl_parts(draw: st.DrawFn) -> tuple[str, date]:
    first = draw(st.sampled_from(sorted(_CENTURY)))
    century = _CENTURY[first]
    born = draw(st.dates(min_value=date(century, 1, 1), max_value=date(century + 99, 12, 31)))
    tail = draw(st.text("0123456789", min_size=6, max_size=6))
    first13 = f"{first}{born:%d%m}{born.year % 100:02d}{tail}"
    return first13, born


@given(parts=pinfl_parts(), other=st.integers(1, 9))
def test_exactly_the_computed_check_digit_passes(parts: tuple[str, date], other: int) -> None:
    first13, born = parts
    good = check_digit(first13)
    assert pinfl_problem(first13 + good, born) is None
    assert pinfl_problem(first13 + good, None) is None
    wrong = str((int(good) + other) % 10)
    problem = pinfl_problem(first13 + wrong, born)
    assert problem is not None
    assert "check digit" in problem
