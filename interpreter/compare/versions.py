"""One structure across several versions: what each version pays it, line by line.

A declaration holds the union of the données of the versions: each version reads the keys it
knows; a key that only some versions know is listed once as ignored by the others; a key that
no version knows is an error (`declaration-cle-inconnue`, with « vouliez-vous dire »). The lines
are matched by id; the change of each line is taken between consecutive versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from dsl.diagnostics import ConvError, Diagnostic, suggest
from dsl.records import evolve, frozen
from interpreter.backends.scalar import Evaluation, evaluate
from interpreter.io.declarations import DeclarationError, defaults_used, read_entries, validate
from interpreter.numbers import EvaluationError


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
    versions: tuple  # `interpreter.convention.Convention`, in order
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


def evaluate_across(versions: Sequence, declaration: str | Path) -> Across:
    """One structure evaluated by each version: the declaration holds the union of their données (see
    the module docstring). Raises `ConvError` listing every problem, each said once."""
    path = str(declaration)
    try:
        source, entries = read_entries(path)
    except DeclarationError as error:
        raise ConvError(error.diagnostics, {error.source.path: error.source} if error.source else {}) from None
    sources = {source.path: source} if source else {}
    structure = str(entries.pop("id").value) if "id" in entries else Path(path).stem
    known = {id for version in versions for id in version.model.donnees}
    problems = [
        Diagnostic(
            "declaration-cle-inconnue",
            f"« {key} » n'est pas une donnée des versions comparées",
            span=entry.key_span,
            file=path,
            suggestion=suggest(key, sorted(known)),
        )
        for key, entry in entries.items()
        if key not in known
    ]
    found: dict[tuple, tuple[Diagnostic, list[str]]] = {}  # each problem once, with the versions that have it
    values = []
    for version in versions:
        own = {key: entry for key, entry in entries.items() if key in version.model.donnees}
        donnees, diagnostics = validate(version.model, own, path, optional=version.supplied)
        values.append(donnees)
        for d in diagnostics:
            found.setdefault((d.code, d.message, d.span, d.suggestion), (d, []))[1].append(version.name)
    for first, names in found.values():
        problems.append(
            first
            if len(names) == len(versions)
            else evolve(first, message=f"{first.message} (pour {', '.join(f'« {n} »' for n in names)})")
        )
    if problems:
        raise ConvError(problems, sources)
    evaluations = []
    for version, donnees in zip(versions, values, strict=False):
        own = {key: entry for key, entry in entries.items() if key in version.model.donnees}
        defaults = defaults_used(version.model, own, version.supplied)  # the données it took at their default
        try:
            evaluations.append(
                evolve(evaluate(version.program, donnees, explain=False, structure=structure), defaults=defaults)
            )
        except EvaluationError as error:
            raise ConvError(
                [
                    Diagnostic(
                        "evaluation-impossible",
                        f"structure « {structure} », version « {version.model.version} » : {error}",
                        file=path,
                    )
                ]
            ) from None
    ignored = tuple(
        (key, tuple(v.name for v in versions if key not in v.model.donnees))
        for key in entries
        if any(key not in v.model.donnees for v in versions)
    )
    return Across(
        structure,
        tuple(versions),
        tuple(evaluations),
        paying_lines(evaluations, [v.program for v in versions]),
        ignored,
    )
