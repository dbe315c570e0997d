"""One column of a population read for a donnée: its values typed as the backends take them (booleans, choices,
dates, numbers as exact scaled integers), and the cells that are wrong, each with its row and what it holds."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from dsl.diagnostics import suggest
from dsl.model import Donnee
from interpreter.io import number_columns, numbers
from interpreter.io.number_columns import Scaled, read_numbers
from interpreter.io.words import FALSE_WORDS, TRUE_WORDS, TYPE_WORDS
from interpreter.numbers import conv_text
from interpreter.ondemand import np

CODES = {numbers.TYPE: "population-invalide", numbers.AMBIGUOUS: "nombre-ambigu", numbers.BEYOND: "nombre-hors-limites"}


def read_column(series: pl.Series, donnee: Donnee, typed: np.ndarray | None = None):
    """(exact values, [(row, message, code, hint)] of invalid values) for one donnée.

    `typed` marks the text cells that were JSON numbers (JSON Lines).
    """
    kind = donnee.type.kind
    missing = series.is_null().to_numpy() if series.null_count() else np.zeros(len(series), dtype=bool)
    expected = TYPE_WORDS.get(kind, str(donnee.type))
    if series.dtype == pl.String:
        quick = _as_written(series, donnee, missing)
        if quick is not None:  # every cell read as it is: none can be blank
            return quick, [
                (int(r), f"valeur manquante ({expected} attendu)", "population-invalide", None)
                for r in np.flatnonzero(missing)
            ]
        missing |= (series.str.strip_chars(numbers.BLANKS) == "").fill_null(True).to_numpy()
    bad = [
        (int(r), f"valeur manquante ({expected} attendu)", "population-invalide", None) for r in np.flatnonzero(missing)
    ]
    if kind == "booleen":
        values, wrong = _booleans(series)
        return values, bad + _wrong(series, wrong & ~missing, donnee)
    if kind == "choix":
        values, wrong = _choices(series, donnee)
        return values, bad + _wrong(series, wrong & ~missing, donnee)
    if kind == "date":
        days, wrong = _dates(series)
        return days, bad + _wrong(series, wrong & ~missing, donnee)
    values, refused = read_numbers(series, kind, missing, typed)
    bad += [(row, p.message(donnee.id, expected), CODES[p.code], p.hint) for row, p in refused.items()]
    ok = ~missing
    ok[list(refused)] = False
    num, den = values.num, values.den
    if kind == "entier" and den != 1:
        fractional = ok & np.asarray(num % den != 0, dtype=bool)
        bad += [
            (
                int(r),
                f"« {donnee.id} » attend un nombre entier, pas « {_shown(series, r)} »",
                "population-invalide",
                None,
            )
            for r in np.flatnonzero(fractional)
        ]
        ok &= ~fractional
    outside = ok & _outside(num, den, donnee)
    bad += [
        (
            int(r),
            f"« {donnee.id} » = {conv_text(values.value(int(r)), donnee.type)} est hors de l'intervalle "
            f"(entre {conv_text(donnee.low, donnee.type)} et {conv_text(donnee.high, donnee.type)})",
            "population-invalide",
            None,
        )
        for r in np.flatnonzero(outside)
    ]
    kept = ok & ~outside
    return Scaled(num if kept.all() else np.where(kept, num, 0), den), bad  # no copy when every value is good


def _as_written(series: pl.Series, donnee: Donnee, missing: np.ndarray):
    """A text column whose every non-empty cell is already a value as written — `vrai`, `metropole`,
    `2024-01-31`, `4123` within the range — read in one pass; None when any cell needs a closer look."""
    kind = donnee.type.kind
    nulls = int(missing.sum())
    if kind == "booleen":
        exact = series.replace_strict(EXACT_WORDS, default=None, return_dtype=pl.Boolean)
        return exact.fill_null(False).to_numpy() if exact.null_count() == nulls else None
    if kind == "choix":
        local = (
            series.replace_strict({c: i for i, c in enumerate(donnee.type.choices)}, default=-1, return_dtype=pl.Int64)
            .fill_null(0)
            .to_numpy()
        )
        return None if (local < 0).any() else local
    if kind == "date":
        dates = series.str.to_date("%Y-%m-%d", strict=False)
        return dates.to_physical().fill_null(0).to_numpy().astype(np.int64) if dates.null_count() == nulls else None
    values = number_columns.whole_numbers(series, kind, missing)
    if values is None or (kind == "entier" and values.den != 1) or _outside(values.num, values.den, donnee).any():
        return None
    return values


def _shown(series: pl.Series, row: int | np.integer) -> str:
    value = series[int(row)]
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    return str(value)


def _wrong(series: pl.Series, mask: np.ndarray, donnee: Donnee) -> list[tuple[int, str, str, None]]:
    kind = donnee.type.kind
    if kind == "choix":
        return [
            (
                int(r),
                f"« {donnee.id} » ne peut pas valoir « {_shown(series, r)} » (valeurs : "
                f"{', '.join(donnee.type.choices)})"
                + (f" ; {hint}" if (hint := suggest(_shown(series, r), donnee.type.choices)) else ""),
                "population-invalide",
                None,
            )
            for r in np.flatnonzero(mask)
        ]
    return [
        (
            int(r),
            f"« {donnee.id} » attend {TYPE_WORDS.get(kind, str(donnee.type))}, pas « {_shown(series, r)} »",
            "population-invalide",
            None,
        )
        for r in np.flatnonzero(mask)
    ]


EXACT_WORDS = {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}}


def _booleans(series: pl.Series):
    if series.dtype == pl.Boolean:
        return series.fill_null(False).to_numpy(), np.zeros(len(series), dtype=bool)
    exact = series.cast(pl.String).replace_strict(EXACT_WORDS, default=None, return_dtype=pl.Boolean)
    if exact.null_count() == series.null_count():  # every word as written is one of ours: no normalising
        return exact.fill_null(False).to_numpy(), np.zeros(len(series), dtype=bool)
    words = series.cast(pl.String).str.strip_chars().str.to_lowercase()
    true = words.is_in(list(TRUE_WORDS)).fill_null(False).to_numpy()
    false = words.is_in(list(FALSE_WORDS)).fill_null(False).to_numpy()
    return true, ~(true | false)


def _choices(series: pl.Series, donnee: Donnee):
    table = {c: i for i, c in enumerate(donnee.type.choices)}
    if series.dtype != pl.String:
        series = series.cast(pl.String)
    local = series.replace_strict(table, default=-1, return_dtype=pl.Int64).fill_null(-1).to_numpy()
    return local, local < 0


def _dates(series: pl.Series):
    if series.dtype == pl.Date:
        dates = series
    else:
        dates = series.cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    days = dates.to_physical().fill_null(0).to_numpy().astype(np.int64)
    return days, dates.is_null().to_numpy()


def _outside(num: np.ndarray, den: int, donnee: Donnee) -> np.ndarray:
    """Rows below the donnée's minimum or above its maximum, compared exactly."""
    result = np.zeros(len(num), dtype=bool)
    if not len(num):
        return result
    low, high = int(num.min()), int(num.max())
    for bound, below in ((donnee.low, True), (donnee.high, False)):
        if bound is None:
            continue
        bn, bd = Decimal(bound).as_integer_ratio()
        right = bn * den
        if (low * bd >= right) if below else (high * bd <= right):  # the whole column is within: no array
            continue
        if num.dtype == object or abs(bd) * max(abs(low), abs(high)) >= 2**62 or abs(right) >= 2**62:
            left = num.astype(object) * bd
        else:
            left = num * bd
        result |= np.asarray((left < right) if below else (left > right), dtype=bool)
    return result
