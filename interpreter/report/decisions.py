"""Reports of decisions: a calibration (the value that reaches a budget) and a sweep (the budget at
many values), as documents (text, Markdown, HTML), JSON and CSV; the sweep's chart is drawn by
`interpreter.report.charts`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dsl.records import frozen
from interpreter.compare.calibration import Calibration, Point, parametre_kind
from interpreter.io.csvfiles import french_csv, neutralised
from interpreter.io.xlsx import Sheet
from interpreter.numbers import euros, euros_of, french_number, signed_euros, to_cents
from interpreter.report import draws as draw_report
from interpreter.report.charts import sweep_chart
from interpreter.report.defaults import defaults_blocks
from interpreter.report.document import Bullets, Document, Figure, Heading, Paragraph, Table
from interpreter.report.hypotheses import hypotheses_blocks, hypotheses_json
from interpreter.report.impact import impact_blocks, impact_json
from interpreter.report.provenance import Provenance, with_caveat
from interpreter.report.status import status_blocks
from interpreter.report.workbook import summary_sheet


def _money(cents: int) -> str:
    return euros(Decimal(cents) / 100)


def _signed(cents: int) -> str:
    return signed_euros(Decimal(cents) / 100)


def _value(point: Point, kind: str) -> str:
    if kind == "pourcentage":
        return f"{french_number(point.value * 100, 4)} %"
    return euros(point.value) if kind == "montant" else french_number(point.value, 6)


def calibration_document(decision, kind: str, status=(), hypotheses=(), caveat: str = "") -> Document:
    """The value found and the budgets around it; `status` and `hypotheses`: the blocks that say them (first,
    and after the figures)."""
    calibration: Calibration = decision.calibration
    version = decision.version.model
    document = Document(
        f"Calibrage de « {calibration.parametre} » — {version.label or version.id}, version {version.version}"
    )
    document.add(*status)
    target = (
        f"le budget de la version « {decision.reference.model.version} »" if decision.reference else "le budget demandé"
    )
    if calibration.reached:
        found, before = calibration.found, calibration.before
        assert found is not None  # reached: the value found
        budget = "le budget médian des tirages" if decision.draws is not None else "le budget de la population"
        sentence = (
            f"À {calibration.parametre} = {_value(found, kind)}, {budget} atteint {target} "
            f"({_money(calibration.target)}) : {_money(found.budget)}, soit {_signed(found.budget - calibration.target)}"
            + (f" ; à {_value(before, kind)}, il est de {_money(before.budget)}." if before else ".")
        )
    else:
        closest = calibration.closest
        sentence = (
            f"{target.capitalize()} ({_money(calibration.target)}) n'est pas atteint : la valeur la plus proche "
            f"est {calibration.parametre} = {_value(closest, kind)}, pour un budget de {_money(closest.budget)} "
            f"({_signed(closest.budget - calibration.target)})."
        )
    document.add(Paragraph(with_caveat(sentence, caveat), emphasis=True))
    if decision.draws is not None:
        document.add(Paragraph(draws_sentence(decision, kind)))
    figures = [
        f"Population : {decision.population.path} — {french_number(Decimal(decision.population.size))} structures",
        f"Valeur actuelle : {_value(Point(Decimal(decision.version.parametres[calibration.parametre]), 0, 0, 0), kind)}",
        f"Valeur à écrire : --set {calibration.parametre}={calibration.written} (simulate, eval, calibre, "
        f"balaye) ; avec diff, --set-apres {calibration.parametre}={calibration.written} pour ne changer que la "
        "nouvelle version (--set changerait les deux)",
        *_diff_command(decision, calibration),
        f"Précision de la recherche : {french_number(calibration.step, 6)}",
        f"Ce que la recherche a vu : {calibration.note}",
    ]
    document.add(Bullets(tuple(figures)), *hypotheses)
    document.add(Heading("Valeurs calculées", level=3), points_table(calibration.points, kind, decision))
    return document


def draws_sentence(decision, kind: str) -> str:
    """With `--tirages`: what the budgets are, the values that reach the target over the draws, the budget's interval."""
    count, seed, median = decision.draws
    calibration = decision.calibration
    at = calibration.found or calibration.closest
    low, high = decision.interval
    return (
        f"Sur {draw_report.draws_words(count, seed)}, chaque budget est la médiane des tirages. Selon le tirage, "
        f"la valeur qui atteint la cible va de {_value(low, kind)} à {_value(high, kind)} (5–95 % des tirages) ; "
        f"à {_value(at, kind)}, le budget va de {_money(at.low)} à {_money(at.high)}. L'impact ci-dessous est celui "
        f"du tirage médian (n° {median + 1}). {draw_report.METHOD}"
    )


def _diff_command(decision, calibration: Calibration) -> list[str]:
    """The command that costs the value found against the reference version, ready to paste."""
    if decision.reference is None:
        return []
    setting = f"{calibration.parametre}={calibration.written}"
    scenarios = "".join(f" --scenario {s.path}" for s in decision.version.scenarios)
    return [
        f"Pour en chiffrer l'impact : convcheck diff {decision.reference.path} {decision.version.path} "
        f"--population {decision.population.path}{scenarios} --set-apres {setting}"
    ]


def points_table(points, kind: str, decision) -> Table:
    reference = decision.reference_budget
    versus = decision.reference is not None
    drawn = decision.draws is not None
    headers = ["Valeur", "Budget (médiane)" if drawn else "Budget"] + (["5 %", "95 %"] if drawn else [])
    headers += ["Paiement moyen", "Structures éligibles"]
    if reference is not None:
        headers += ["Écart au budget de référence" if versus else "Écart à la cible"]
    if versus:
        headers += ["Gagnent", "Perdent"]
    rows = []
    for p in points:
        row = [_value(p, kind), _money(p.budget)] + ([_money(p.low), _money(p.high)] if drawn else [])
        row += [euros(to_cents(p.mean)), french_number(Decimal(p.eligible))]
        if reference is not None:
            row += [_signed(p.gap.median if versus and p.gap is not None else p.budget - reference)]
        if versus:
            row += [_count(p.gain), _count(p.lose)]
        rows.append(tuple(row))
    return Table(tuple(headers), tuple(rows), numeric=tuple(range(len(headers))))


def _count(value: int | None) -> str:
    return "—" if value is None else french_number(Decimal(value))


def calibration_json(decision) -> dict:
    c: Calibration = decision.calibration
    found, before = c.found, c.before
    return {
        "parametre": c.parametre,
        "valeur": c.written,
        "atteinte": c.reached,
        "cible": f"{Decimal(c.target) / 100:.2f}",
        "budget": f"{Decimal((found or c.closest).budget) / 100:.2f}",
        "valeur_en_dessous": None if before is None else before.written,
        "budget_en_dessous": None if before is None else f"{Decimal(before.budget) / 100:.2f}",
        "budget_au_dessus": None if found is None else f"{Decimal(found.budget) / 100:.2f}",
        "monotone": c.monotone,
        "sens": c.direction,
        "precision": str(c.step),
        "note": c.note,
        "points": [point_json(p) for p in c.points],
        "tirages": None
        if decision.draws is None
        else {
            "nombre": decision.draws[0],
            "graine": decision.draws[1],
            "tirage_median": decision.draws[2] + 1,
            "quantiles": "rang le plus proche",
            "valeurs": [p.written for p in decision.interval],
        },
    }


def point_json(p: Point) -> dict:
    data = {
        "valeur": p.written,
        "budget": f"{Decimal(p.budget) / 100:.2f}",
        "moyenne": f"{to_cents(p.mean):.2f}",
        "structures": p.structures,
        "eligibles": p.eligible,
    }
    if p.gain is not None:
        data |= {"gagnent": p.gain, "perdent": p.lose}
    if p.low is not None and p.high is not None:
        data |= {"budget_p5": f"{Decimal(p.low) / 100:.2f}", "budget_p95": f"{Decimal(p.high) / 100:.2f}"}
    if p.gap is not None:
        data |= {"ecart": draw_report.money_json(p.gap)}
    return data


def sweep_document(decision, kind: str, chart: Figure | None, status=(), hypotheses=(), caveat: str = "") -> Document:
    """The budget at each value, with its chart; `status` and `hypotheses`: the blocks that say them (first,
    and after the summary sentence)."""
    version = decision.version.model
    document = Document(f"Balayage — {version.label or version.id}, version {version.version}")
    document.add(*status)
    points = decision.points
    lowest, highest = min(points, key=lambda p: p.budget), max(points, key=lambda p: p.budget)
    sentence = (
        f"De {_value(points[0], kind)} à {_value(points[-1], kind)} ({len(points)} valeurs), le budget va de "
        f"{_money(lowest.budget)} à {_money(highest.budget)}."
    )
    sentence = with_caveat(sentence, caveat)
    if decision.reference_budget is not None:
        sentence += f" Budget de référence ({decision.reference.model.version}) : {_money(decision.reference_budget)}."
    document.add(Paragraph(sentence, emphasis=True))
    if decision.draws is not None:
        count, seed, _ = decision.draws
        document.add(
            Paragraph(
                f"Sur {draw_report.draws_words(count, seed)} : chaque chiffre est la médiane des tirages, "
                "le budget avec son intervalle de 5 à 95 %"
                + (", l'écart à la référence tiré avec les mêmes tirages" if decision.reference is not None else "")
                + f". {draw_report.METHOD}"
            )
        )
    document.add(*hypotheses)
    document.add(
        Paragraph(
            f"Population : {decision.population.path} — {french_number(Decimal(decision.population.size))} structures."
        )
    )
    if chart is not None:
        document.add(chart)
    document.add(Heading("Valeurs", level=3), points_table(points, kind, decision))
    return document


def sweep_json(decision, parametre: str) -> dict:
    return {
        "parametre": parametre,
        "budget_reference": None
        if decision.reference_budget is None
        else f"{Decimal(decision.reference_budget) / 100:.2f}",
        "valeurs": [point_json(p) for p in decision.points],
    }


def sweep_frame(decision):
    """The sweep as a table (CSV, xlsx): one row per value."""
    import polars as pl  # heavy: only for the table of a sweep

    rows = []
    for point in decision.points:
        row = point_json(point)
        gap = row.pop("ecart", None)
        rows.append(row | ({f"ecart_{key}": value for key, value in gap.items()} if gap else {}))
    return pl.DataFrame(rows).with_columns(pl.all().cast(pl.String))


# ---- workbooks and reports ----------------------------------------------------------------------------


def calibration_sheets(decision, population: str) -> list[Sheet]:
    """A calibration: synthèse (the value found, the budgets) and the budget by line at that value."""
    data = calibration_json(decision)
    figures = [(key, _text(value)) for key, value in data.items() if not isinstance(value, (list, dict))]
    impact = decision.impact
    amounts = [
        ("Budget avant", euros_of(impact.budget_before)),
        ("Budget après", euros_of(impact.budget_after)),
        ("Écart", euros_of(impact.delta)),
        ("Total des pertes", euros_of(impact.losses)),
    ]
    figures += [("Structures qui gagnent", str(impact.gain)), ("Structures qui perdent", str(impact.lose))]
    lines = Sheet(
        "Par ligne",
        ("Identifiant", "Clause", "Budget avant", "Budget après", "Écart"),
        tuple(
            (id, label or id, euros_of(before), euros_of(after), euros_of(after - before))
            for id, label, before, after in impact.lines
        ),
        money=(2, 3, 4),
    )
    return [summary_sheet(None, figures + [("Population", population)], amounts), lines]


def sweep_sheets(decision) -> list[Sheet]:
    """A sweep: one row per value, amounts as euro numbers."""
    frame = sweep_frame(decision)
    money = tuple(
        i
        for i, name in enumerate(frame.columns)
        if name in ("budget", "moyenne", "budget_p5", "budget_p95") or name.startswith("ecart_")
    )
    counts = tuple(
        i for i, name in enumerate(frame.columns) if name in ("structures", "eligibles", "gagnent", "perdent")
    )

    def cell(i: int, value):
        if value in (None, ""):
            return None
        return Decimal(value) if i in money else int(value) if i in counts else value

    rows = tuple(tuple(cell(i, value) for i, value in enumerate(row)) for row in frame.iter_rows())
    return [Sheet("Balayage", tuple(frame.columns), rows, money=money)]


def _text(value) -> str:
    return "" if value is None else str(value)


def population_defaults(decision) -> list:
    """The defaults the population of a calibration or a sweep took, for the version that varies."""
    return defaults_blocks(decision.version.model, decision.population.defaults, decision.population.size)


@frozen
class CalibrationReport:
    """`convcheck calibre`: the value found, the budgets around it, and the impact at that value, under the
    version's status and hypotheses."""

    decision: Any  # `interpreter.api.Decision`
    population: str
    provenance: Provenance | None = None

    def document(self, charts: str | None) -> Document:
        decision = self.decision
        version = decision.version
        kind = parametre_kind(version.model, decision.calibration.parametre)
        document = calibration_document(
            decision,
            kind,
            status_blocks(version.model),
            hypotheses_blocks(version.hypotheses()) + population_defaults(decision),
            self.provenance.caveat() if self.provenance else "",
        )
        reference = decision.reference.model.version if decision.reference else "la valeur actuelle"
        return document.add(
            Heading(f"À cette valeur, par rapport à {reference}"),
            *impact_blocks(decision.impact, self.population, None),
        )

    def data(self) -> dict:
        decision = self.decision
        return calibration_json(decision) | {
            "impact": impact_json(decision.impact, self.population),
            "hypotheses": hypotheses_json(decision.version.hypotheses()),
            "statut": decision.version.model.statut,
        }

    def sheets(self) -> list[Sheet]:
        return calibration_sheets(self.decision, self.population)


@frozen
class SweepReport:
    """`convcheck balaye`: the budget at each value of a paramètre, under the version's status and hypotheses."""

    decision: Any  # `interpreter.api.Decision`
    parametre: str
    provenance: Provenance | None = None

    def document(self, charts: str | None) -> Document:
        decision = self.decision
        version = decision.version
        chart = sweep_chart(decision, self.parametre, f"{charts}-balayage.png") if charts is not None else None
        return sweep_document(
            decision,
            parametre_kind(version.model, self.parametre),
            chart,
            status_blocks(version.model),
            hypotheses_blocks(version.hypotheses()) + population_defaults(decision),
            self.provenance.caveat() if self.provenance else "",
        )

    def data(self) -> dict:
        decision = self.decision
        return sweep_json(decision, self.parametre) | {
            "hypotheses": hypotheses_json(decision.version.hypotheses()),
            "statut": decision.version.model.statut,
        }

    def csv(self, french: bool) -> str:
        if french:
            return french_csv(sweep_frame(self.decision)).decode("utf-8")  # with its BOM, for Excel
        return neutralised(sweep_frame(self.decision)).write_csv()  # no cell runs as a formula in a spreadsheet

    def sheets(self) -> list[Sheet]:
        return sweep_sheets(self.decision)
