"""The exact-rational helpers of `interpreter.numbers`, against `fractions.Fraction`: the four operations under the
`EXACT` context (a decimal that would round is redone as a fraction), rounding half away from zero to a number of
decimals, the decimals a fraction has, and the texts that must read back as the same number."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from interpreter import numbers
from interpreter.numbers import EXACT, EvaluationError

# Decimals of up to 40 digits, with up to 30 decimals: enough for a product or a quotient to need more than the
# 60 digits of `EXACT`, so that the fallback to fractions is exercised too.
decimals = st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent), st.integers(-(10**40), 10**40), st.integers(-30, 10)
)
fractions = st.builds(Fraction, st.integers(-(10**30), 10**30), st.integers(1, 10**12))
values = st.one_of(decimals, fractions)
OPERATIONS = {"add": lambda a, b: a + b, "subtract": lambda a, b: a - b, "multiply": lambda a, b: a * b}


def as_fraction(value) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


@pytest.mark.parametrize("name", OPERATIONS)
@given(values, values)
@example(Decimal("1E-30"), Decimal("1E+10"))
@example(Decimal(10**40), Decimal("1E-30"))
def test_add_subtract_multiply_are_exact(name, a, b):
    with localcontext(EXACT):
        result = getattr(numbers, name)(a, b)
    assert as_fraction(result) == OPERATIONS[name](as_fraction(a), as_fraction(b))


@given(values, values)
@example(Decimal(1), Decimal(3))
@example(Decimal(10), Decimal(4))
def test_divide_is_exact(a, b):
    if b == 0:
        with pytest.raises(EvaluationError):
            numbers.divide(a, b)
        return
    with localcontext(EXACT):
        result = numbers.divide(a, b)
    assert as_fraction(result) == as_fraction(a) / as_fraction(b)


def test_a_third_times_three_is_one():
    with localcontext(EXACT):
        third = numbers.divide(Decimal(1), Decimal(3))
        assert isinstance(third, Fraction) and numbers.multiply(third, Decimal(3)) == 1


def test_a_decimal_result_stays_a_decimal():
    with localcontext(EXACT):
        assert type(numbers.divide(Decimal(1), Decimal(4))) is Decimal
        assert type(numbers.add(Decimal("0.1"), Decimal("0.2"))) is Decimal


@given(values)
def test_negate(a):
    assert as_fraction(numbers.negate(a)) == -as_fraction(a)


def half_away(value: Fraction, digits: int) -> Fraction:
    """Rounding half away from zero, written the simplest way."""
    scaled = abs(value) * 10**digits
    units = math.floor(scaled + Fraction(1, 2))
    return (-1 if value < 0 else 1) * Fraction(units, 10**digits)


@given(values, st.integers(0, 10))
@example(Decimal("0.005"), 2)
@example(Decimal("-0.005"), 2)
@example(Decimal("2.5"), 0)
@example(Decimal("-2.5"), 0)
@example(Fraction(1, 200), 2)
@example(Fraction(-1, 3), 2)
@example(Decimal("0.0049999999999"), 2)
@example(Fraction(999999999999999999999999989, 3), 10)  # more than 28 digits: exact all the same
@example(Fraction(99999999999999999999999991, 2), 10)
def test_round_half_away_from_zero(value, digits):
    result = numbers.round_half_away(value, digits)
    assert type(result) is Decimal
    assert Fraction(result) == half_away(as_fraction(value), digits)
    assert result.as_tuple().exponent == -digits  # written with exactly `digits` decimals


def brute_places(value: Fraction, most: int = 80) -> int | None:
    return next((k for k in range(most) if (value * 10**k).denominator == 1), None)


@given(st.integers(-(10**12), 10**12), st.integers(0, 20), st.integers(0, 20), st.sampled_from([1, 3, 7, 9, 11]))
@example(1, 0, 0, 3)
def test_decimal_places_of_a_fraction(numerator, twos, fives, other):
    value = Fraction(numerator, 2**twos * 5**fives * other)
    assert numbers.decimal_places(value) == brute_places(value)
    decimal = numbers.as_decimal(value)
    if brute_places(value) is None:
        assert decimal is None
    else:
        assert decimal is not None and Fraction(decimal) == value


@given(values)
@example(Fraction(1, 3))
@example(Decimal("1100"))
@example(Decimal("0.50"))
@example(Decimal("1E+3"))
@example(Decimal("1.1314373772331866408091640E+28"))  # beyond the 28 digits of the default context
@example(Decimal("0.1234567890123456789012345678901"))
@example(Fraction(10**28 + 1))
def test_plain_text_reads_back_as_the_same_number(value):
    text = numbers.plain(value)
    assert "E" not in text and "e" not in text
    assert Fraction(text) == as_fraction(value)


@given(fractions)
def test_a_share_of_the_year_reads_back(value):
    assert Fraction(numbers.share_text(value)) == value


@given(decimals)
@example(Decimal("11314373772331866408091640123456.125"))  # abs() would round it to 28 digits
def test_euros_show_the_amount_rounded_to_the_cent(amount):
    text = numbers.euros(amount)
    assert text.endswith(" €")
    written = text[:-2].replace("\u202f", "").replace(",", ".")
    assert Fraction(written) == half_away(Fraction(amount), 2)
