"""Reports on populations: the summary of a simulation, and the impact of an avenant.

Both are built as `Document` blocks (rendered as text, Markdown or HTML) and as JSON. The
charts are drawn by `interpreter.report.charts`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dsl.diagnostics import to_json_object
from dsl.kinds import KINDS
from dsl.model import Model
from dsl.records import field, frozen
from interpreter.compare.impact import Impact, Summary
from interpreter.io.xlsx import Sheet, sheet_of_frame
from interpreter.numbers import euros, euros_of, french_number, signed_euros, to_cents
from interpreter.report import draws as draw_report
from interpreter.report.charts import histogram_bins, waterfall_steps
from interpreter.report.defaults import defaults_blocks, defaults_json, defaults_sheet
from interpreter.report.document import Bullets, Document, Figure, Folded, Heading, Paragraph, Table
from interpreter.report.hypotheses import hypotheses_blocks, hypotheses_json
from interpreter.report.provenance import Provenance
from interpreter.report.status import exercise_json, status_blocks
from interpreter.report.workbook import groups_sheet, summary_sheet


def _pct(part: int, whole: int) -> str:
    return f"{Decimal(100 * part) / whole:.1f} %".replace(".", ",") if whole else "—"


def _count(number: int) -> str:
    return french_number(Decimal(number))


def _money(cents: int) -> str:
    return euros(euros_of(cents))


def _signed(cents: int) -> str:
    return signed_euros(euros_of(cents))


# ---- one simulation ---------------------------------------------------------------------------------


def summary_document(
    model: Model, summary: Summary, population: str, rejects: str | None, status=(), hypotheses=()
) -> Document:
    """The figures of a simulation; `status` and `hypotheses`: the blocks that say them (first, and after
    the figures)."""
    document = Document(f"Simulation : {model.label or model.id} — version {model.version}")
    document.add(*status)
    figures = [
        f"Population : {population}",
        f"Structures évaluées : {_count(summary.structures)} ; éligibles : {_count(summary.eligible)} "
        f"({_pct(summary.eligible, summary.structures)})",
        f"Budget total : {_money(summary.budget)}",
        f"Paiement moyen : {euros(to_cents(summary.mean))} par structure"
        + (f" ({euros(to_cents(summary.mean_eligible))} par structure éligible)" if summary.mean_eligible else ""),
        f"Paiement médian : {euros(to_cents(summary.median))}",
    ]
    if summary.rejected:
        figures.append(
            f"Structures rejetées (données invalides ou calcul impossible) : {summary.rejected}"
            + (f", listées dans {rejects}" if rejects else "")
        )
    document.add(Bullets(tuple(figures)), *hypotheses)
    document.add(
        Heading("Déciles du paiement par structure", level=3),
        Table(
            tuple(f"D{i}" for i in range(1, 10)), (tuple(euros(d) for d in summary.deciles),), numeric=tuple(range(9))
        ),
    )
    rows = tuple(
        (
            line.label or line.id,
            line.id,
            KINDS[line.kind].keyword,
            _count(line.paid),
            _money(line.budget),
            _pct(line.budget, summary.budget),
        )
        for line in sorted(summary.lines, key=lambda entry: -entry.budget)
    )
    document.add(
        Heading("Budget par critère et par brique", level=3),
        Table(("Clause", "Identifiant", "Nature", "Structures payées", "Budget", "Part"), rows, numeric=(3, 4, 5)),
    )
    return document


def summary_json(model: Model, summary: Summary, population: str) -> dict:
    return {
        "convention": model.id,
        "version": model.version,
        "population": population,
        "structures": summary.structures,
        "eligibles": summary.eligible,
        "rejetees": summary.rejected,
        "budget": f"{euros_of(summary.budget):.2f}",
        "moyenne": f"{to_cents(summary.mean):.2f}",
        "moyenne_eligibles": None if summary.mean_eligible is None else f"{to_cents(summary.mean_eligible):.2f}",
        "mediane": f"{to_cents(summary.median):.2f}",
        "deciles": [f"{d:.2f}" for d in summary.deciles],
        "lignes": [
            {
                "id": e.id,
                "libelle": e.label,
                "nature": e.kind,
                "structures_payees": e.paid,
                "budget": f"{euros_of(e.budget):.2f}",
            }
            for e in summary.lines
        ],
    }


# ---- the impact of an avenant ---------------------------------------------------------------------------


def impact_blocks(impact: Impact, population: str, chart: Figure | None) -> list:
    """The whole impact, in reading order (a calibration's report): figures, lines, details."""
    return [
        Heading("Impact sur la population"),
        *impact_figures(impact, population),
        Heading("Budget par clause", level=3),
        *line_blocks(impact, None),
        *detail_blocks(impact, chart),
    ]


def impact_figures(impact: Impact, population: str) -> list:
    """Budgets and mean payment before and after; who gains, loses, changes eligibility."""
    return [
        Paragraph(
            f"Population : {population} — {_count(impact.structures)} structures évaluées avec les deux versions."
        ),
        Table(
            ("", "Avant", "Après", "Écart"),
            (
                ("Budget total", _money(impact.budget_before), _money(impact.budget_after), _signed(impact.delta)),
                (
                    "Paiement moyen",
                    _mean(impact.budget_before, impact.structures),
                    _mean(impact.budget_after, impact.structures),
                    _mean(impact.delta, impact.structures, signed=True),
                ),
            ),
            numeric=(1, 2, 3),
        ),
        Bullets(
            (
                f"structures qui gagnent : {_count(impact.gain)} ({_pct(impact.gain, impact.structures)})",
                f"structures qui perdent : {_count(impact.lose)} ({_pct(impact.lose, impact.structures)})"
                + (f", {_money(impact.losses)} en tout" if impact.lose else ""),
                f"structures inchangées : {_count(impact.unchanged)} ({_pct(impact.unchanged, impact.structures)})",
                f"structures qui perdent l'éligibilité : {_count(impact.eligibility_lost)}",
                f"structures qui deviennent éligibles : {_count(impact.eligibility_gained)}",
            )
        ),
    ]


def line_blocks(impact: Impact, waterfall: Figure | None) -> list:
    """The budget by line: the waterfall, the lines that change, the others folded."""
    changed = [line for line in impact.lines if line[3] != line[2]]
    same = [line for line in impact.lines if line[3] == line[2]]
    blocks: list = []
    if waterfall is not None:
        blocks.append(waterfall)
    if changed:
        blocks.append(_line_table(changed))
    if same:
        count = len(same)
        blocks.append(Folded(f"{count} clause{'s' if count > 1 else ''} au budget inchangé", (_line_table(same),)))
    return blocks


def _line_table(lines) -> Table:
    return Table(
        ("Clause", "Identifiant", "Avant", "Après", "Écart"),
        tuple(
            (label or id, id, _money(before), _money(after), _signed(after - before))
            for id, label, before, after in lines
        ),
        numeric=(2, 3, 4),
    )


def detail_blocks(impact: Impact, histogram: Figure | None) -> list:
    """The distribution of changes, the largest ones and what makes them, the causes by line."""
    blocks: list = [histogram] if histogram is not None else []
    for title, changes in (
        ("Plus fortes hausses", impact.largest_gains),
        ("Plus fortes baisses", impact.largest_losses),
    ):
        if changes:
            blocks.append(Heading(title, level=3))
            blocks.append(
                Table(
                    ("Structure", "Avant", "Après", "Écart", "Ce qui la fait"),
                    tuple(
                        (c.id, _money(c.before), _money(c.after), _signed(c.after - c.before), cause_text(c))
                        for c in changes
                    ),
                    numeric=(1, 2, 3),
                )
            )
    for title, found, verb in (
        ("Causes des baisses", impact.causes_of_losses, "perdent"),
        ("Causes des hausses", impact.causes_of_gains, "gagnent"),
    ):
        if found:
            blocks.append(Heading(title, level=3))
            blocks.append(
                Paragraph(
                    f"Pour chaque clause, les structures qui {verb} au total et qui {verb} par elle, "
                    f"et ce qu'elles y {verb} en tout."
                )
            )
            blocks.append(
                Table(
                    ("Clause", "Identifiant", f"Structures qui {verb} par elle", "Montant"),
                    tuple((c.label or c.id, c.id, _count(c.structures), _signed(c.amount)) for c in found),
                    numeric=(2, 3),
                )
            )
    return blocks


def cause_text(change, count: int = 3) -> str:
    """The lines that make a structure's change: « protocoles −1 400,00 € ; cstm −3 150,00 € »."""
    shown = [f"{id} {_signed(cents)}" for id, _, cents in change.lines[:count]]
    more = len(change.lines) - count
    return " ; ".join(shown) + (f" ; et {more} autre{'s' if more > 1 else ''}" if more > 0 else "")


def group_blocks(grouping, rows, impact: bool) -> list:
    """A breakdown by group: per group, structures, budget, mean (and for an impact, change, winners, losers and
    what the losers lose)."""
    blocks: list = [Heading(f"Par {grouping.title}", level=3)]
    if impact:
        table = Table(
            ("Groupe", "Structures", "Budget avant", "Budget après", "Écart", "Gagnent", "Perdent", "Pertes"),
            tuple(
                (
                    row.group,
                    _count(row.structures),
                    _money(row.budget_before),
                    _money(row.budget),
                    _signed(row.delta),
                    _count(row.gain),
                    _count(row.lose),
                    _money(row.losses),
                )
                for row in rows
            ),
            numeric=(1, 2, 3, 4, 5, 6, 7),
        )
    else:
        table = Table(
            ("Groupe", "Structures", "Budget", "Paiement moyen"),
            tuple((row.group, _count(row.structures), _money(row.budget), euros(to_cents(row.mean))) for row in rows),
            numeric=(1, 2, 3),
        )
    return [*blocks, table]


def guarantee_blocks(impact: Impact) -> list:
    """What the guarantee of `diff --garantie` costs: in all, and by group for each `--par`."""
    guarantee = impact.guarantee
    if guarantee is None:
        return []
    full = guarantee.share == 1
    title = "La garantie : aucune structure ne perd" if full else f"La garantie : {guarantee.written} de chaque perte"
    if not impact.lose:
        return [Heading(title), Paragraph("Aucune structure ne perd : la garantie ne coûte rien.", emphasis=True)]
    whom = (
        "de la structure qui perd"
        if impact.lose == 1
        else f"de chacune des {_count(impact.lose)} structures qui perdent"
    )
    what = "compléter le paiement" if full else f"compenser {guarantee.written} de la perte"
    until = "jusqu'à son montant d'avant " if full else ""
    sentence = (
        f"{what[0].upper()}{what[1:]} {whom} {until}coûte "
        f"{_money(guarantee.cost)} : le budget après, garantie comprise, est de {_money(guarantee.budget_after)} "
        f"({_signed(guarantee.budget_after - impact.budget_before)} par rapport à avant, au lieu de "
        f"{_signed(impact.delta)})."
    )
    blocks: list = [
        Heading(title),
        Paragraph(sentence, emphasis=True),
        Paragraph(
            "Chaque complément est arrondi au centime ; avec une garantie de 100 %, le coût est la "
            "somme exacte des pertes."
        ),
    ]
    for grouping, rows in impact.groups:
        blocks += [
            Heading(f"Par {grouping.title}", level=3),
            Table(
                ("Groupe", "Structures", "Perdent", "Pertes", "Coût de la garantie"),
                tuple(
                    (
                        row.group,
                        _count(row.structures),
                        _count(row.lose),
                        _money(row.losses),
                        _money(row.guarantee or 0),
                    )
                    for row in rows
                ),
                numeric=(1, 2, 3, 4),
            ),
        ]
    return blocks


def guarantee_json(impact: Impact) -> dict | None:
    guarantee = impact.guarantee
    if guarantee is None:
        return None
    return {
        "taux": guarantee.written,
        "part": str(guarantee.share),
        "structures": guarantee.structures,
        "cout": f"{euros_of(guarantee.cost):.2f}",
        "budget_apres_garantie": f"{euros_of(guarantee.budget_after):.2f}",
    }


def groups_json(grouping, rows) -> dict:
    def group(row):
        data = {
            "groupe": row.group,
            "structures": row.structures,
            "budget": f"{euros_of(row.budget):.2f}",
            "moyenne": f"{to_cents(row.mean):.2f}",
        }
        if row.budget_before is not None:
            data |= {
                "budget_avant": f"{euros_of(row.budget_before):.2f}",
                "ecart": f"{euros_of(row.delta):.2f}",
                "gagnent": row.gain,
                "perdent": row.lose,
                "pertes": f"{euros_of(row.losses):.2f}",
            }
        if row.guarantee is not None:
            data["garantie"] = f"{euros_of(row.guarantee):.2f}"
        return data

    return {"par": grouping.column, "tranches": [str(b) for b in grouping.bands], "groupes": [group(r) for r in rows]}


def _mean(cents: int, count: int, signed: bool = False) -> str:
    if not count:
        return "—"
    value = to_cents(Decimal(cents) / 100 / count)
    return signed_euros(value) if signed else euros(value)


def impact_json(impact: Impact, population: str) -> dict:
    def change(c):
        return {
            "id": c.id,
            "avant": f"{euros_of(c.before):.2f}",
            "apres": f"{euros_of(c.after):.2f}",
            "ecart": f"{euros_of(c.after - c.before):.2f}",
            "lignes": [{"id": id, "ecart": f"{euros_of(cents):.2f}"} for id, _, cents in c.lines],
        }

    def cause(c):
        return {"id": c.id, "libelle": c.label, "structures": c.structures, "montant": f"{euros_of(c.amount):.2f}"}

    counts, edges, unchanged = histogram_bins(impact)
    return {
        "population": population,
        "structures": impact.structures,
        "budget": {
            "avant": f"{euros_of(impact.budget_before):.2f}",
            "apres": f"{euros_of(impact.budget_after):.2f}",
            "ecart": f"{euros_of(impact.delta):.2f}",
        },
        "lignes": [
            {
                "id": id,
                "libelle": label,
                "avant": f"{euros_of(b):.2f}",
                "apres": f"{euros_of(a):.2f}",
                "ecart": f"{euros_of(a - b):.2f}",
            }
            for id, label, b, a in impact.lines
        ],
        "gagnent": impact.gain,
        "perdent": impact.lose,
        "inchangees": impact.unchanged,
        "pertes": f"{euros_of(impact.losses):.2f}",
        "garantie": guarantee_json(impact),
        **({} if impact.draws is None else {"tirages": draw_report.impact_json(impact.draws)}),
        "perdent_eligibilite": impact.eligibility_lost,
        "gagnent_eligibilite": impact.eligibility_gained,
        "plus_fortes_hausses": [change(c) for c in impact.largest_gains],
        "plus_fortes_baisses": [change(c) for c in impact.largest_losses],
        "causes_baisses": [cause(c) for c in impact.causes_of_losses],
        "causes_hausses": [cause(c) for c in impact.causes_of_gains],
        "lignes_inchangees": [id for id, _, b, a in impact.lines if a == b],
        "cascade": [{"libelle": label, "ecart": f"{euros_of(cents):.2f}"} for label, cents in waterfall_steps(impact)],
        "histogramme": {
            "bornes": [f"{e:.2f}" for e in edges],
            "effectifs": [int(c) for c in counts],
            "inchangees": unchanged,
        },
        "valeurs_par_defaut": {
            which: [{"id": id, "structures": count} for id, count in defaults.items()]
            for which, defaults in zip(("avant", "apres"), impact.defaults, strict=False)
        },
    }


# ---- a simulation's workbook and report ------------------------------------------------------------


def results_sheets(simulation, groups=(), draws=None) -> list[Sheet]:
    """A simulation: synthèse, par structure (the results file's columns), par ligne, par groupe (and with `draws`,
    the budget of each draw; the other sheets are the median draw's)."""
    summary = simulation.summary(simulation.rejected)
    figures = [("Structures évaluées", str(summary.structures)), ("Structures éligibles", str(summary.eligible))]
    amounts = [
        ("Budget total", euros_of(summary.budget)),
        ("Paiement moyen", to_cents(summary.mean)),
        ("Paiement médian", to_cents(summary.median)),
    ]
    sheets = [summary_sheet(None, figures, amounts), sheet_of_frame("Par structure", simulation.table(typed=True))]
    sheets.append(
        Sheet(
            "Par ligne",
            ("Identifiant", "Clause", "Nature", "Structures payées", "Budget"),
            tuple(
                (line.id, line.label or line.id, line.kind, line.paid, euros_of(line.budget)) for line in summary.lines
            ),
            money=(4,),
        )
    )
    if groups:
        sheets.append(groups_sheet(groups, impact=False))
    if draws is not None:
        sheets.append(draw_report.simulation_sheet(draws))
    model = simulation.convention.model
    defaults = defaults_sheet([(model.version or model.id, model, simulation.population.defaults)])
    return sheets + ([defaults] if defaults is not None else [])


@frozen
class SimulationReport:
    """`convcheck simulate`: the figures of a population under one version, its status and hypotheses, the
    warnings of the reading and the `--par` groups."""

    version: Any  # `interpreter.convention.Convention`
    summary: Summary
    population: str
    groups: tuple = ()  # (Grouping, rows) for each `--par`
    rejects: str | None = None  # the rejects file written, if any
    warnings: tuple = ()  # the reading's warnings (diagnostics)
    defaults: dict = field(factory=dict)  # donnée → structures that took its default (`par défaut`)
    size: int = 0  # the structures read
    provenance: Provenance | None = None
    draws: Any = None  # `interpreter.compare.draws.SimulationDraws` (`--tirages`): the summary is the median draw's

    def document(self, charts: str | None) -> Document:
        model = self.version.model
        spread = (
            []
            if self.draws is None
            else draw_report.simulation_blocks(
                self.draws, {line.id: line.label for line in self.summary.lines}, self.summary.structures
            )
        )
        document = summary_document(
            model,
            self.summary,
            self.population,
            self.rejects,
            status_blocks(model),
            [*spread, *hypotheses_blocks(self.version.hypotheses())] + defaults_blocks(model, self.defaults, self.size),
        )
        for grouping, rows in self.groups:
            document.add(*group_blocks(grouping, rows, impact=False))
        return document

    def data(self) -> dict:
        data = summary_json(self.version.model, self.summary, self.population)
        data["valeurs_par_defaut"] = defaults_json(self.version.model, self.defaults)
        data["avertissements"] = [to_json_object(d) for d in self.warnings]
        data["hypotheses"] = hypotheses_json(self.version.hypotheses())
        data["par_groupe"] = [groups_json(grouping, rows) for grouping, rows in self.groups]
        data["statut"] = self.version.model.statut
        data["exercice"] = exercise_json(self.version.model)
        if self.draws is not None:  # without draws, the output of a single draw is unchanged
            data["tirages"] = draw_report.simulation_json(self.draws)
        return data
