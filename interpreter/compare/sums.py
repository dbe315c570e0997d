"""Exact sums of amounts in integer cents: in int64 when the bounds say the sum cannot wrap, else in Python
integers — a budget, a total of losses or a draw's budget is never silently wrong."""

from __future__ import annotations

import numpy as np

INT64 = 2**63


def exact_sum(cents: np.ndarray) -> int:
    """The sum of integer amounts, exact (in int64 when the count times the largest magnitude fits)."""
    if len(cents) == 0:
        return 0
    if cents.dtype == object:
        return sum(int(c) for c in cents)
    if int(np.abs(cents).max()) * len(cents) < INT64:
        return int(cents.sum(dtype=np.int64))
    return sum(int(c) for c in cents.tolist())


def exact_row_sums(matrix: np.ndarray) -> list[int]:
    """The sum of each row of a matrix of cents, exact (int64 when the bounds allow it)."""
    if matrix.size == 0:
        return [0] * matrix.shape[0]
    if matrix.dtype != object and int(np.abs(matrix).max()) * matrix.shape[1] < INT64:
        return [int(v) for v in matrix.sum(axis=1, dtype=np.int64)]
    return [sum(int(c) for c in row) for row in matrix.tolist()]
