"""The sheets the reports written as Excel workbooks share (`-o FICHIER.xlsx`): « Synthèse » and « Par groupe ».

Each report makes its own workbook — a diff and its impact (`interpreter.report.diff`), a simulation's
results (`…impact`), a calibration and a sweep (`…decisions`), one structure across versions
(`…versions`) —, one sheet per table, amounts as euro numbers; `interpreter.io.xlsx` writes them. The
sheets hold the numbers of the CSV and JSON outputs, exactly (amounts are Decimal until written).
"""

from __future__ import annotations

from interpreter.io.xlsx import Sheet
from interpreter.numbers import euros_of, to_cents


def summary_sheet(sentence: str | None, figures, amounts=()) -> Sheet:
    """The « Synthèse » sheet: the verdict, the key figures as text, then the main amounts as numbers
    (labelled « (€) »)."""
    rows = ([("Verdict", sentence)] if sentence else []) + [(label, value) for label, value in figures]
    rows += [(f"{label} (€)", amount) for label, amount in amounts]
    return Sheet("Synthèse", ("Chiffre", "Valeur"), tuple(rows), money=(1,))


def groups_sheet(groups, impact: bool) -> Sheet:
    """Every `--par` in one sheet: the grouping, the group, its structures and budgets."""
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]
    if impact:
        guaranteed = any(row.guarantee is not None for _, rows in groups for row in rows)
        headers = (
            "Regroupement",
            "Groupe",
            "Structures",
            "Budget avant",
            "Budget après",
            "Écart",
            "Gagnent",
            "Perdent",
            "Pertes",
        ) + (("Coût de la garantie",) if guaranteed else ())
        rows = tuple(
            (
                grouping.title,
                row.group,
                row.structures,
                euros_of(row.budget_before),
                euros_of(row.budget),
                euros_of(row.delta),
                row.gain,
                row.lose,
                euros_of(row.losses),
            )
            + ((euros_of(row.guarantee or 0),) if guaranteed else ())
            for grouping, rows in groups
            for row in rows
        )
        return Sheet("Par groupe", headers, rows, money=(3, 4, 5, 8) + ((9,) if guaranteed else ()))
    headers = ("Regroupement", "Groupe", "Structures", "Budget", "Paiement moyen")
    rows = tuple(
        (grouping.title, row.group, row.structures, euros_of(row.budget), to_cents(row.mean))
        for grouping, rows in groups
        for row in rows
    )
    return Sheet("Par groupe", headers, rows, money=(3, 4))
