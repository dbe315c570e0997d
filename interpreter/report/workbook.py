"""Reports as Excel workbooks (`-o FICHIER.xlsx`): one sheet per table, amounts as euro numbers.

Each function gives the sheets of one report — a diff and its impact, a simulation's results, a
calibration, a sweep, one structure across versions —; `interpreter.io.xlsx` writes them. The
sheets hold the numbers of the CSV and JSON outputs, exactly (amounts are Decimal until written).
"""

from __future__ import annotations

from decimal import Decimal

from interpreter.compare.impact import euros_of
from interpreter.io.xlsx import Sheet, sheet_of_frame, workbook
from interpreter.report.defaults import defaults_sheet


def _summary(sentence: str | None, figures, amounts=()) -> Sheet:
    """The « Synthèse » sheet: the verdict, the key figures as text, then the main amounts as numbers
    (labelled « (€) »)."""
    rows = ([("Verdict", sentence)] if sentence else []) + [(label, value) for label, value in figures]
    rows += [(f"{label} (€)", amount) for label, amount in amounts]
    return Sheet("Synthèse", ("Chiffre", "Valeur"), tuple(rows), money=(1,))


def diff_workbook(diff, impact=None, population: str | None = None) -> bytes:
    """A diff: synthèse, par ligne (budgets with a population; the money view otherwise), par structure,
    par groupe, and the clauses at the maximal structure (or the cas of `--cas`)."""
    from interpreter.report.diff import key_figures, verdict

    money = diff.money
    amounts = [("Total avant", money.total_avant), ("Total après", money.total_apres)]
    if impact is not None:
        amounts = [("Budget avant", euros_of(impact.budget_before)), ("Budget après", euros_of(impact.budget_after)),
                   ("Écart", euros_of(impact.delta))]
    sheets = [_summary(verdict(diff, impact), key_figures(diff, impact, population), amounts)]
    if impact is not None:
        sheets.append(Sheet("Par ligne", ("Identifiant", "Clause", "Budget avant", "Budget après", "Écart"), tuple(
            (id, label or id, euros_of(before), euros_of(after), euros_of(after - before))
            for id, label, before, after in impact.lines), money=(2, 3, 4)))
        sheets.append(sheet_of_frame("Par structure", impact.pairing.frame()))
        if impact.groups:
            sheets.append(groups_sheet(impact.groups, impact=True))
        defaults = defaults_sheet([(model.version or model.id, model, counts)
                                   for model, counts in zip((diff.old, diff.new), impact.defaults, strict=False)])
        sheets += [defaults] if defaults is not None else []
    where = "Structure maximale" if money.cas is None else f"Cas {money.cas.id}"
    sheets.append(Sheet(where, ("Identifiant", "Clause", "Section avant", "Section après", "Avant", "Après", "Écart"),
                        tuple((line.id, line.libelle or line.id, line.section_avant or "", line.section_apres or "",
                               line.avant, line.apres, line.delta) for line in money.lines), money=(4, 5, 6)))
    return workbook(sheets)


def groups_sheet(groups, impact: bool) -> Sheet:
    """Every `--par` in one sheet: the grouping, the group, its structures and budgets."""
    if impact:
        headers = ("Regroupement", "Groupe", "Structures", "Budget avant", "Budget après", "Écart", "Gagnent", "Perdent")
        rows = tuple((grouping.title, row.group, row.structures, euros_of(row.budget_before), euros_of(row.budget),
                      euros_of(row.delta), row.gain, row.lose) for grouping, rows in groups for row in rows)
        return Sheet("Par groupe", headers, rows, money=(3, 4, 5))
    headers = ("Regroupement", "Groupe", "Structures", "Budget", "Paiement moyen")
    rows = tuple((grouping.title, row.group, row.structures, euros_of(row.budget), _cents(row.mean))
                 for grouping, rows in groups for row in rows)
    return Sheet("Par groupe", headers, rows, money=(3, 4))


def _cents(amount: Decimal) -> Decimal:
    from interpreter.values import to_cents

    return to_cents(amount)


def results_workbook(simulation, groups=()) -> bytes:
    """A simulation: synthèse, par structure (the results file's columns), par ligne, par groupe."""
    summary = simulation.summary(simulation.rejected)
    figures = [("Structures évaluées", str(summary.structures)), ("Structures éligibles", str(summary.eligible))]
    amounts = [("Budget total", euros_of(summary.budget)), ("Paiement moyen", _cents(summary.mean)),
               ("Paiement médian", _cents(summary.median))]
    sheets = [_summary(None, figures, amounts), sheet_of_frame("Par structure", simulation.table(typed=True))]
    sheets.append(Sheet("Par ligne", ("Identifiant", "Clause", "Nature", "Structures payées", "Budget"), tuple(
        (line.id, line.label or line.id, line.kind, line.paid, euros_of(line.budget)) for line in summary.lines),
        money=(4,)))
    if groups:
        sheets.append(groups_sheet(groups, impact=False))
    model = simulation.convention.model
    defaults = defaults_sheet([(model.version or model.id, model, simulation.population.defaults)])
    return workbook(sheets + ([defaults] if defaults is not None else []))


def calibration_workbook(decision, population: str) -> bytes:
    """A calibration: synthèse (the value found, the budgets) and the budget by line at that value."""
    from interpreter.report.decisions import calibration_json

    data = calibration_json(decision)
    figures = [(key, _text(value)) for key, value in data.items() if not isinstance(value, (list, dict))]
    impact = decision.impact
    amounts = [("Budget avant", euros_of(impact.budget_before)), ("Budget après", euros_of(impact.budget_after)),
               ("Écart", euros_of(impact.delta))]
    lines = Sheet("Par ligne", ("Identifiant", "Clause", "Budget avant", "Budget après", "Écart"), tuple(
        (id, label or id, euros_of(before), euros_of(after), euros_of(after - before))
        for id, label, before, after in impact.lines), money=(2, 3, 4))
    return workbook([_summary(None, figures + [("Population", population)], amounts), lines])


def sweep_workbook(decision) -> bytes:
    """A sweep: one row per value, amounts as euro numbers."""
    from interpreter.report.decisions import sweep_frame

    frame = sweep_frame(decision)
    money = tuple(i for i, name in enumerate(frame.columns) if name in ("budget", "moyenne"))
    counts = tuple(i for i, name in enumerate(frame.columns) if name in ("structures", "eligibles", "gagnent", "perdent"))

    def cell(i: int, value):
        if value in (None, ""):
            return None
        return Decimal(value) if i in money else int(value) if i in counts else value

    rows = tuple(tuple(cell(i, value) for i, value in enumerate(row)) for row in frame.iter_rows())
    return workbook([Sheet("Balayage", tuple(frame.columns), rows, money=money)])


def _text(value) -> str:
    return "" if value is None else str(value)


def versions_workbook(across) -> bytes:
    """One structure across versions: synthèse (the verdict, each version's total) and the lines."""
    from interpreter.report.versions import verdict

    names = [v.model.version or v.model.id for v in across.versions]
    summary = _summary(verdict(across), (), [(f"Total « {n} »", total) for n, total in zip(names, across.totals, strict=False)])
    headers = ["Identifiant", "Clause"]
    for i, name in enumerate(names):
        headers += ([f"Écart vers « {name} »"] if i else []) + [name]
    rows = []
    for line in across.lines:
        cells = [line.id, line.label or line.id]
        for i, amount in enumerate(line.amounts):
            cells += ([line.change(i)] if i else []) + [amount]
        rows.append(tuple(cells))
    total = ["total", "Total"]
    for i, amount in enumerate(across.totals):
        total += ([across.total_change(i)] if i else []) + [amount]
    rows.append(tuple(total))
    money = tuple(range(2, len(headers)))
    return workbook([summary, Sheet("Par ligne", tuple(headers), tuple(rows), money=money)])
