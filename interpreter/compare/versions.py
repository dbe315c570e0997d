"""One structure across several versions: what each version pays it, line by line.

A declaration holds the union of the données of the versions: each version reads the keys it
knows; a key that only some versions know is listed once as ignored by the others; a key that
no version knows is an error (`declaration-cle-inconnue`, with « vouliez-vous dire »). The lines
are matched by id; the change of each line is taken between consecutive versions.
"""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen

from interpreter.backends.scalar import Evaluation


@frozen
class VersionLine:
    """A critère or brique that pays, with its amount in each version (None: absent from that version)."""

    id: str
    label: str | None
    amounts: tuple[Decimal | None, ...]

    def change(self, index: int) -> Decimal:
        """From version `index - 1` to version `index` (an absent line counts as 0 €)."""
        return (self.amounts[index] or Decimal("0.00")) - (self.amounts[index - 1] or Decimal("0.00"))


@frozen
class Across:
    """The evaluation of one structure by each version, in the order given."""

    structure: str
    versions: tuple  # api.Convention, in order
    evaluations: tuple[Evaluation, ...]
    lines: tuple[VersionLine, ...]
    ignored: tuple[tuple[str, tuple[str, ...]], ...]  # (key, versions that ignore it)

    @property
    def totals(self) -> tuple[Decimal, ...]:
        return tuple(e.total for e in self.evaluations)

    def total_change(self, index: int) -> Decimal:
        return self.totals[index] - self.totals[index - 1]


def paying_lines(evaluations: list[Evaluation], programs) -> tuple[VersionLine, ...]:
    """The lines that pay in some version (critères of sections, briques), in order of first appearance."""
    order: dict[str, str | None] = {}
    amounts: list[dict[str, Decimal]] = []
    for evaluation, program in zip(evaluations, programs, strict=False):
        paying = {line.id: line for line in evaluation.lines if line.id in program.plan.paying}
        for id, line in paying.items():
            order.setdefault(id, line.label)
        amounts.append({id: line.montant for id, line in paying.items()})
    return tuple(VersionLine(id, label, tuple(found.get(id) for found in amounts)) for id, label in order.items())
