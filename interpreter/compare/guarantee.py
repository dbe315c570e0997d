"""What a guarantee costs: topping every structure that loses up to its previous amount (« aucune structure ne
perd », a clause de sauvegarde), or making good a share of each loss (`diff --garantie 50 %`).

Each loss is a whole number of cents; the top-up of a structure is `share × loss`, rounded to the cent half away
from zero (exactly: integer arithmetic on the share's fraction), and the cost is the sum of the top-ups — for
a full guarantee, the sum of the losses to the cent.
"""

from __future__ import annotations

from fractions import Fraction

from dsl.records import frozen
from interpreter.compare.sums import exact_sum
from interpreter.ondemand import np

FULL = Fraction(1)


@frozen
class Guarantee:
    """The cost of a guarantee over the structures of an impact."""

    share: Fraction  # the share of each loss made good (1: no structure loses)
    structures: int  # structures topped up (those that lose)
    cost: int  # cents
    budget_after: int  # the budget after, guarantee paid (cents)

    @property
    def written(self) -> str:
        """« 100 % », « 50 % », « 33,5 % »."""
        percent = self.share * 100
        text = (
            str(percent.numerator)
            if percent.denominator == 1
            else format(percent.numerator / percent.denominator, ".6g").replace(".", ",")
        )
        return f"{text} %"


def top_ups(changes: np.ndarray, share: Fraction) -> np.ndarray:
    """Per structure (after − before, in cents): what the guarantee pays it, in cents (0 unless it loses)."""
    losses = np.maximum(-np.asarray(changes, dtype=np.int64), 0)
    if share == FULL:
        return losses
    p, q = share.numerator, share.denominator
    if int(losses.max(initial=0)) * 2 * p + q < 2**63:
        return (2 * losses * p + q) // (2 * q)  # half away from zero, on non-negative amounts
    exact = [(2 * int(loss) * p + q) // (2 * q) for loss in losses]
    return np.array(exact, dtype=object if max(exact, default=0) >= 2**63 else np.int64)


def guarantee_of(changes: np.ndarray, budget_after: int, share: Fraction) -> Guarantee:
    """The guarantee over the structures whose changes are given."""
    paid = top_ups(changes, share)
    cost = exact_sum(paid)
    return Guarantee(share, int((np.asarray(changes) < 0).sum()), cost, budget_after + cost)
