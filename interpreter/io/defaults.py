"""Données with a stated default (`par défaut …`) in population tables.

A population whose file has no column for such a donnée, or whose cell is empty for a structure,
gives that structure the donnée's default: the column read is completed with it, exactly (a
numeric column over one denominator, as `interpreter.io.number_columns.Scaled` holds it). Which
rows took it is kept, so that every report can say how many structures used each default — never
silent.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl

from dsl.model import Donnee
from interpreter.io import numbers
from interpreter.io.number_columns import Scaled
from interpreter.ondemand import np

EPOCH = datetime.date(1970, 1, 1)


def blank_cells(series: pl.Series) -> np.ndarray:
    """The rows whose cell is empty: null, or text of blanks only."""
    missing = series.is_null().to_numpy() if series.null_count() else np.zeros(len(series), dtype=bool)
    if series.dtype == pl.String:
        missing = missing | (series.str.strip_chars(numbers.BLANKS) == "").fill_null(True).to_numpy()
    return missing


def constant_column(donnee: Donnee, size: int):
    """A column of `size` rows holding the donnée's default, as the readers hold values (`Scaled` numbers,
    booléens, days since 1970 for a date, the index of a choix value)."""
    assert donnee.default is not None  # asked only of données with a default
    value = donnee.default.value
    kind = donnee.type.kind
    if kind == "booleen":
        return np.full(size, bool(value))
    if kind == "date":
        return np.full(size, (value - EPOCH).days, dtype=np.int64)
    if kind == "choix":
        return np.full(size, donnee.type.choices.index(value), dtype=np.int64)
    return _scaled(Decimal(value), kind, size)


def _scaled(value: Decimal, kind: str, size: int) -> Scaled:
    """A number as a column over a power of ten (times 100 for a pourcentage: its cells are written in percent)."""
    written = (value * 100 if kind == "pourcentage" else value).normalize()
    places = max(0, -written.as_tuple().exponent)  # type: ignore[operator]  # a finite Decimal's exponent is an int
    numerator = int(written.scaleb(places))
    den = 10**places * (100 if kind == "pourcentage" else 1)
    num = np.full(size, numerator, dtype=np.int64 if abs(numerator) < 2**62 else object)
    return Scaled(num, den)


def filled(values, donnee: Donnee, rows: np.ndarray):
    """A column read, with the default in the given rows (its empty cells)."""
    if not rows.any():
        return values
    default = constant_column(donnee, len(rows))
    if not isinstance(values, Scaled):
        return np.where(rows, default, values)
    both = Scaled.joined([values, default])  # one denominator for the values read and the default
    size = len(rows)
    return Scaled(np.where(rows, both.num[size:], both.num[:size]), both.den)
