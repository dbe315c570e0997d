"""Checked sums of amounts over a population: exact, and an error beyond what convcheck guarantees.

Every amount of one structure is below 10¹⁵ € (`dsl.payment.MAX_EUROS`), held in int64 cents; but
a sum of such amounts over a population — its budget, a group's, a line's, a sweep's point — may
not fit int64, where numpy would wrap round without a word (200 structures at 999 999 999 999 999,99 €
gave a budget of 15 532 559 262 904 481,84 €). `checked_sum` adds exactly (each value split in two
halves of 32 bits that cannot overflow when summed) and refuses a sum at or beyond 10¹⁵ € in absolute
value, the bound of every amount, with a French diagnostic: reports, differences and means computed
from the sums then stay within int64 and exact.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from dsl.diagnostics import ConvError, Diagnostic
from dsl.payment import MAX_CENTS
from interpreter.numbers import euros


class SumOutOfBounds(ConvError):
    """A sum of amounts beyond 10¹⁵ €: the diagnostic that says so (the API names the population in it)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__([diagnostic])


def checked_sum(cents, what: str = "le budget de la population", file: str | None = None) -> int:
    """The exact sum of integer cents (an int64 or object array), as a Python int; `SumOutOfBounds` when
    it reaches 10¹⁵ € in absolute value. `what` names the sum in the message (« le budget du groupe … »)."""
    values = np.asarray(cents)
    if values.dtype == object:
        total = sum(int(v) for v in values)
    else:
        values = values.astype(np.int64, copy=False)
        high = int((values >> 32).sum())  # each in [-2**31, 2**31): no overflow below 2**32 rows
        low = int((values & 0xFFFFFFFF).sum())  # each in [0, 2**32): no overflow below 2**31 rows
        total = (high << 32) + low
    if abs(total) >= MAX_CENTS:
        raise SumOutOfBounds(Diagnostic(
            "somme-hors-limites", f"{what} atteint {euros(Decimal(total) / 100)} : au-delà de 10^15 € en valeur absolue, convcheck "
            "ne garantit plus un calcul exact", file=file,
            suggestion="vérifiez les montants et les unités des données (une population réelle reste bien en deçà), "
                       "ou évaluez-la par parties"))
    return total
