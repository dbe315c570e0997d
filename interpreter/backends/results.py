"""What evaluating a population gives, whichever engine computed it, and the rows handed to the scalar backend.

`PopulationResult` holds, per structure, eligibility, each paying line and the total in integer
cents, and the points in millionths. An engine that cannot compute some rows exactly (the vector
backend for a row that divides by zero, DuckDB for a row whose query failed) hands them to
`scalar_rows`: the scalar backend computes them, or says in words why they cannot be, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext

from dsl.records import frozen
from interpreter.backends import scalar
from interpreter.numbers import EXACT, EvaluationError, multiply, round_half_away
from interpreter.ondemand import np


@frozen
class PopulationResult:
    """Per structure: eligibility, each paying line in cents, the total in cents and points in millionths (numpy
    arrays, or the columns polars computed, used as arrays: `interpreter.io.tables.LazyArray`)."""

    ids: np.ndarray
    eligible: np.ndarray
    lines: dict[str, np.ndarray]  # id → cents (int32 while they fit, see NARROW; else int64), one per paying line
    total: np.ndarray  # cents (int32 or int64, as the lines)
    total_points: np.ndarray  # millionths of a point, rounded half away from zero
    exact_rows: int  # rows the vector backend handed to the scalar one and that it could compute (none, normally)
    errors: tuple[tuple[str, str], ...]  # (structure id, message) of rows that could not be evaluated

    def evaluated(self) -> PopulationResult:
        """Only the rows that could be evaluated (the others are set aside, with their error)."""
        if not self.errors:
            return self
        keep = ~np.isin(self.ids, [id for id, _ in self.errors])
        return PopulationResult(
            self.ids[keep],
            self.eligible[keep],
            {id: c[keep] for id, c in self.lines.items()},
            self.total[keep],
            self.total_points[keep],
            self.exact_rows,
            self.errors,
        )


def scalar_rows(
    program: scalar.Program, result: PopulationResult, indices: np.ndarray, exact_inputs: Callable[[int], dict]
) -> PopulationResult:
    """Compute the given rows with the scalar backend, in place: it says why a row cannot be evaluated."""
    errors = []
    for index in indices:
        index = int(index)
        try:
            evaluation = scalar.evaluate(program, exact_inputs(index), explain=False, structure=str(result.ids[index]))
        except EvaluationError as error:
            errors.append((str(result.ids[index]), str(error)))
            result.eligible[index] = False
            result.total[index] = result.total_points[index] = 0
            for cents in result.lines.values():
                cents[index] = 0
            continue
        result.eligible[index] = evaluation.eligible
        result.total[index] = int(evaluation.total * 100)
        result.total_points[index] = int(to_micro(evaluation.total_points))
        for id, cents in result.lines.items():
            cents[index] = int(evaluation.line(id).montant * 100)
    return PopulationResult(
        result.ids,
        result.eligible,
        result.lines,
        result.total,
        result.total_points,
        len(indices) - len(errors),
        tuple(errors),
    )


def to_micro(points) -> Decimal:
    """Points in millionths, rounded half away from zero (the precision results are written with)."""
    with localcontext(EXACT):
        return round_half_away(multiply(points, Decimal(1_000_000)), 0)
