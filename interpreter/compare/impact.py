"""What a convention costs a population, and what an avenant changes for each structure.

`summarize` gives the figures of one simulation (budget, mean, median, deciles, budget per
line); `compare` matches two simulations of the same population by structure id and gives
the impact of an avenant: budgets before and after, the change per line, who gains, who
loses, who gains or loses eligibility, the largest individual changes, and the
distribution of per-structure changes. Amounts stay in integer cents until rendered; the
mean and the median are exact decimals; deciles are observed values.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from attrs import frozen

from interpreter.backends.scalar import Program
from interpreter.backends.vector import PopulationResult

DECILES = tuple(range(10, 100, 10))


def euros_of(cents) -> Decimal:
    return Decimal(int(cents)) / 100


@frozen
class LineBudget:
    id: str
    label: str | None
    kind: str  # critere | brique
    paid: int  # structures paid for this line
    budget: int  # cents


@frozen
class Summary:
    structures: int
    eligible: int
    rejected: int
    budget: int  # cents
    mean: Decimal  # euros, exact
    mean_eligible: Decimal | None
    median: Decimal
    deciles: tuple[Decimal, ...]
    lines: tuple[LineBudget, ...]
    exact_rows: int


def _median(cents: np.ndarray) -> Decimal:
    if len(cents) == 0:
        return Decimal(0)
    ordered = np.sort(cents)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return euros_of(ordered[middle])
    return (euros_of(ordered[middle - 1]) + euros_of(ordered[middle])) / 2


def _deciles(cents: np.ndarray) -> tuple[Decimal, ...]:
    if len(cents) == 0:
        return tuple(Decimal(0) for _ in DECILES)
    values = np.percentile(cents, DECILES, method="inverted_cdf")
    return tuple(euros_of(v) for v in values)


def summarize(program: Program, result: PopulationResult, rejected: int = 0) -> Summary:
    total = result.total
    structures = len(total)
    eligible = int(result.eligible.sum())
    budget = int(total.sum())
    lines = tuple(
        LineBudget(id, program.model.element(id).label, 'brique' if id in program.model.briques else 'critere', int((cents != 0).sum()), int(cents.sum()))
        for id, cents in result.lines.items()
    )
    return Summary(
        structures=structures, eligible=eligible, rejected=rejected, budget=budget,
        mean=(Decimal(budget) / 100 / structures) if structures else Decimal(0),
        mean_eligible=(Decimal(budget) / 100 / eligible) if eligible else None,
        median=_median(total), deciles=_deciles(total), lines=lines, exact_rows=result.exact_rows,
    )


# ---- impact of an avenant --------------------------------------------------------------------------------


@frozen
class StructureChange:
    id: str
    before: int  # cents
    after: int


@frozen
class Impact:
    structures: int
    budget_before: int
    budget_after: int
    lines: tuple[tuple[str, str | None, int, int], ...]  # (id, label, before, after), by absolute change
    gain: int
    lose: int
    unchanged: int
    eligibility_lost: int
    eligibility_gained: int
    largest_gains: tuple[StructureChange, ...]
    largest_losses: tuple[StructureChange, ...]
    changes: np.ndarray  # per structure, after − before, in cents (for the histogram)

    @property
    def delta(self) -> int:
        return self.budget_after - self.budget_before


def compare(old: PopulationResult, new: PopulationResult, old_program: Program, new_program: Program,
            renames: dict[str, str], top: int = 10) -> Impact:
    """The impact of going from `old` to `new` on the structures both evaluated."""
    order = {id: i for i, id in enumerate(new.ids)}
    positions = np.array([order.get(id, -1) for id in old.ids])
    common = positions >= 0
    before = old.total[common]
    after = new.total[positions[common]]
    changes = after - before
    ids = old.ids[common]
    line_rows = _line_budgets(old, new, old_program, new_program, renames)
    ranked = np.argsort(changes, kind="stable")
    gains = [StructureChange(str(ids[i]), int(before[i]), int(after[i])) for i in ranked[::-1][:top] if changes[i] > 0]
    losses = [StructureChange(str(ids[i]), int(before[i]), int(after[i])) for i in ranked[:top] if changes[i] < 0]
    eligible_before = old.eligible[common]
    eligible_after = new.eligible[positions[common]]
    return Impact(
        structures=int(common.sum()), budget_before=int(before.sum()), budget_after=int(after.sum()),
        lines=line_rows, gain=int((changes > 0).sum()), lose=int((changes < 0).sum()),
        unchanged=int((changes == 0).sum()),
        eligibility_lost=int((eligible_before & ~eligible_after).sum()),
        eligibility_gained=int((~eligible_before & eligible_after).sum()),
        largest_gains=tuple(gains), largest_losses=tuple(losses), changes=changes,
    )


def _line_budgets(old, new, old_program, new_program, renames):
    old_of = {new_id: old_id for old_id, new_id in renames.items()}
    rows = []
    for id, cents in new.lines.items():
        old_id = old_of.get(id, id)
        before = int(old.lines[old_id].sum()) if old_id in old.lines else 0
        rows.append((id, new_program.model.element(id).label, before, int(cents.sum())))
    for id, cents in old.lines.items():
        if id not in new.lines and id not in renames:
            rows.append((id, old_program.model.element(id).label, int(cents.sum()), 0))
    rows.sort(key=lambda r: (-abs(r[3] - r[2]), r[0]))
    return tuple(rows)
