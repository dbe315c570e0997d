"""Rounding to the cent in SQL, half away from zero, of a rational whose denominator is known when the query
is generated (a line prorated by `mois / 12` carries a 3): checked in DuckDB against exact fractions, on
numerators with many decimals (a pourcentage read with 9 decimals times an amount) and on exact ties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from interpreter.backends.sqlarith import Dec, Num, Rationals, column, decimal_type

duckdb = pytest.importorskip("duckdb")

SCALE = 22  # what a taux read with 9 decimals times an assiette of 11 decimals carries
BOUND = Fraction(10**8)


def by_hand(value: Fraction, digits: int) -> Fraction:
    units, rest = divmod(abs(value) * 10**digits, 1)
    units += 2 * rest >= 1
    return Fraction(-units if value < 0 else units, 10**digits)


def in_duckdb(num: Fraction, den: int, digits: int) -> Fraction:
    numbers = Rationals("duckdb")
    precision = len(str(BOUND)) + SCALE
    rounded = numbers.round_half_away(Num(Dec(column("n"), SCALE, BOUND, precision), den), digits)
    assert rounded.den == 1
    query = f"SELECT CAST(({rounded.num.sql.sql(dialect='duckdb')}) AS VARCHAR) FROM t"
    connection = duckdb.connect()
    literal = f"{Decimal(num.numerator) / Decimal(num.denominator):.{SCALE}f}"
    connection.execute(
        f"CREATE TABLE t AS SELECT CAST('{literal}' AS {decimal_type(precision, SCALE).sql('duckdb')}) AS n"
    )
    (text,) = connection.execute(query).fetchone()
    return Fraction(Decimal(text))


numerators = st.builds(
    lambda units, sign: sign * Fraction(units, 10**SCALE),
    st.integers(0, int(BOUND) * 10**SCALE - 1),
    st.sampled_from([1, -1]),
)


@given(numerators, st.sampled_from([3, 7, 9, 11, 21]), st.sampled_from([0, 2]))
@example(Fraction(1, 100), 3, 2)  # 0.01 / 3: 0.00333… → 0.00
@example(Fraction(5, 1000) * 3, 3, 2)  # exactly half a cent: 0.015 / 3 = 0.005 → 0.01
@example(-Fraction(5, 1000) * 3, 3, 2)  # and its negative → -0.01
@example(Fraction(3, 2) * 9, 9, 0)  # 1.5 → 2
@example(Fraction(int(BOUND) * 10**SCALE - 1, 10**SCALE), 3, 2)  # the largest numerator
def test_a_rational_with_a_known_denominator_rounds_half_away_in_sql(num, den, digits):
    assert in_duckdb(num, den, digits) == by_hand(num / den, digits)
