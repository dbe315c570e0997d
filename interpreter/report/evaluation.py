"""Rendering one structure's evaluation: a French table for the terminal, and JSON.

JSON keys are part of the tool's interface: `convention`, `version`, `eligible`, `total`,
`total_points`, `criteres` (`id`, `section`, `atteint`, `points`, `montant`, `prorata`, `explication`…),
`briques` (`id`, `debloquee`, `montant`, `prorata`, `explication`…), `majorations` and `minimums` (`id`,
`applicable`, `paye`, `montant`, `explication`). Amounts are decimal strings
with two decimals and a `.`; points are exact decimal strings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from dsl.kinds import GROUP_TITLES, KINDS, SUPPLEMENT_KINDS, SUPPLEMENTS
from dsl.model import SECTION_TITLES, SECTIONS, Type
from dsl.payment import ADVANCE
from dsl.records import frozen
from interpreter.backends.scalar import Evaluation, LineResult, Program
from interpreter.numbers import EXACT, ZERO, euros, french_number, plain, reader_text, rounded, share_text
from interpreter.numbers import add as exact_add
from interpreter.report.defaults import default_text
from interpreter.report.hypotheses import hypotheses_json, hypotheses_text
from interpreter.report.provenance import Provenance
from interpreter.report.status import exercise_json, exercise_lines, status_line

GREEN, RED, DIM, BOLD, RESET = "\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[0m"


def to_json(evaluation: Evaluation, program: Program, structure: str | None = None, advance=None) -> dict:
    """The evaluation as a JSON-ready dict (`advance`: with `avance` and `solde`)."""
    criteres = [line for line in evaluation.lines if line.kind == "critere"]
    briques = [line for line in evaluation.lines if line.kind == "brique"]
    return {
        "convention": evaluation.convention,
        "libelle": program.model.label,
        "version": evaluation.version,
        "structure": structure,
        "eligible": evaluation.eligible,
        "explication": evaluation.explanation,
        "total": money(evaluation.total),
        "total_points": points_text(evaluation.total_points),
        "criteres": [
            {
                "id": line.id,
                "libelle": line.label,
                "section": line.section,
                "brique": line.brique,
                "atteint": line.met,
                "paye": line.paid,
                "points": points_text(line.points),
                "montant": money(line.montant),
                "prorata": share(line.prorata),
                "explication": line.explanation,
            }
            for line in criteres
        ],
        "briques": [
            {
                "id": line.id,
                "libelle": line.label,
                "debloquee": line.met,
                "payee": line.paid,
                "points": points_text(line.points),
                "montant": money(line.montant),
                "prorata": share(line.prorata),
                "explication": line.explanation,
                "criteres": list(program.model.briques[line.id].criteres),
            }
            for line in briques
        ],
        **{
            kind.table: [
                {
                    "id": line.id,
                    "libelle": line.label,
                    "applicable": line.met,
                    "paye": line.paid,
                    "montant": money(line.montant),
                    "explication": line.explanation,
                }
                for line in evaluation.lines
                if line.kind == kind.name
            ]
            for kind in SUPPLEMENT_KINDS
        },
        "parametres": {id: _parameter_text(value) for id, value in program.parametres.items()},
        "valeurs_par_defaut": [
            {"id": id, "libelle": program.model.donnees[id].label, "valeur": default_text(program.model.donnees[id])}
            for id in evaluation.defaults
        ],
        **({} if advance is None else {"avance": money(advance), "solde": money(evaluation.total - advance)}),
    }


def share(value) -> str | None:
    """A paid line's share of the year (`7/12`), None when it is not prorated."""
    return None if value is None else share_text(value)


def money(amount) -> str:
    return f"{amount:.2f}" if amount else "0.00"  # never -0.00: a decimal zero may carry a sign


def points_text(points) -> str:
    """Points as a decimal string: exact for any figure a convention writes, 6 decimals at most."""
    return plain(rounded(points, 6))


def _parameter_text(value) -> str:
    return plain(value) if isinstance(value, (Decimal, Fraction)) else str(value)


def render_json(evaluation: Evaluation, program: Program, structure: str | None = None, advance=None) -> str:
    return json.dumps(to_json(evaluation, program, structure, advance), ensure_ascii=False, indent=2)


def render_text(
    evaluation: Evaluation,
    program: Program,
    structure: str | None = None,
    color: bool = False,
    advance=None,
    assumed: Sequence[str] = (),
) -> str:
    """A readable French table by section: critère, status, points, amount, with totals (`assumed`: the lines
    that say the version's status and hypotheses, under the title)."""
    painter = Painter(color)
    model = program.model
    lines = [painter.bold(f"{model.label or model.id} ({model.id}), version {model.version or '—'}")]
    if structure:
        lines.append(f"Structure : {structure}")
    lines += assumed
    lines += defaults_lines(evaluation, model)
    lines.append("")
    status = "oui" if evaluation.eligible else painter.red("non")
    lines.append(
        f"Éligible : {status} — total {euros(evaluation.total)} ({french_number(evaluation.total_points)} points)"
    )
    if evaluation.explanation:
        lines.append(painter.red(evaluation.explanation))
    width = max([len(line.label or line.id) for line in evaluation.lines] + [30]) + 4
    header = f"{'':{width}}{'points':>10}  {'montant':>14}"
    for section in SECTIONS:
        section_lines = [line for line in evaluation.lines if line.section == section]
        if section_lines:
            lines += ["", painter.bold(f"{SECTION_TITLES[section]:{width}}") + header[width:]]
            lines += _rows(section_lines, width, painter, indent="  ")
            lines.append(_subtotal(section_lines, width))
    briques = [line for line in evaluation.lines if line.kind == "brique"]
    if briques:
        lines += ["", painter.bold(f"{'Briques':{width}}") + header[width:]]
        for brique in briques:
            lines += _rows([brique], width, painter, indent="  ")
            inner = [line for line in evaluation.lines if line.brique == brique.id]
            lines += _rows(inner, width, painter, indent="      ", amounts=False)
    supplements = [line for line in evaluation.lines if _supplement(line)]
    if supplements:
        lines += ["", painter.bold(f"{GROUP_TITLES[SUPPLEMENTS]:{width}}") + header[width:]]
        lines += _rows(supplements, width, painter, indent="  ")
    lines += [
        "",
        painter.bold(f"{'Total':{width}}{french_number(evaluation.total_points):>10}  {euros(evaluation.total):>14}"),
    ]
    if advance is not None:
        share = reader_text(program.parametres[ADVANCE], Type("pourcentage"))
        lines += [
            f"{'Avance':{width}}{'':>10}  {euros(advance):>14}",
            painter.dim(f"    {share} des prérequis et du socle atteints à 100 %, versée en début d'année"),
            f"{'Solde':{width}}{'':>10}  {euros(evaluation.total - advance):>14}",
            painter.dim(
                "    total moins l'avance"
                + (" : la structure reverse la différence" if evaluation.total < advance else "")
            ),
        ]
    return "\n".join(lines)


def defaults_lines(evaluation: Evaluation, model) -> list[str]:
    """The données the declaration does not give, each with the default it took — never silent."""
    if not evaluation.defaults:
        return []
    lines = ["Données absentes de la déclaration :"]
    for id in evaluation.defaults:
        donnee = model.donnees[id]
        label = f" — {donnee.label}" if donnee.label else ""
        lines.append(f"  {id} = {default_text(donnee)} (valeur par défaut){label}")
    return lines


def _rows(results: list[LineResult], width: int, painter: Painter, indent: str, amounts: bool = True) -> list[str]:
    rows = []
    for line in results:
        mark = painter.green("✓") if line.met else painter.red("✗")
        label = line.label or line.id
        text = f"{indent}{mark} {label}"
        pad = width - len(indent) - 2 - len(label)
        if amounts:
            points = "" if _supplement(line) else french_number(line.points)
            text += " " * max(pad, 1) + f"{points:>10}  {euros(line.montant):>14}"
        rows.append(text)
        unpaid_critere = line.kind == "critere" and line.brique is None and not line.paid
        if line.explanation and (not line.met or unpaid_critere or line.kind != "critere"):
            rows.append(painter.dim(f"{indent}    {line.explanation}"))
        elif (
            line.explanation and line.prorata is not None and line.prorata != 1
        ):  # a paid critère: its share of the year
            rows.append(painter.dim(f"{indent}    {line.explanation.removeprefix('condition remplie ; ')}"))
    return rows


def _supplement(line: LineResult) -> bool:
    """A line computed from the others (a majoration, a minimum): it has no points of its own."""
    return KINDS[line.kind].group == SUPPLEMENTS


def _subtotal(results: list[LineResult], width: int) -> str:
    points = ZERO
    for line in results:
        if line.paid:
            points = exact_sum(points, line.points)
    amount = sum((line.montant for line in results if line.paid), start=ZERO)
    return f"{'sous-total':>{width}}{french_number(points):>10}  {euros(amount):>14}"


def exact_sum(a, b):
    with localcontext(EXACT):
        return exact_add(a, b)


class Painter:
    """ANSI colours, or nothing."""

    def __init__(self, color: bool):
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.color else text

    def bold(self, text: str) -> str:
        return self._wrap(BOLD, text)

    def red(self, text: str) -> str:
        return self._wrap(RED, text)

    def green(self, text: str) -> str:
        return self._wrap(GREEN, text)

    def dim(self, text: str) -> str:
        return self._wrap(DIM, text)


@frozen
class EvaluationReport:
    """`convcheck eval VERSION DECLARATION`: one structure under one version, with the version's status and
    hypotheses (and, asked for, the advance)."""

    version: Any  # `interpreter.convention.Convention`
    evaluation: Evaluation
    structure: str
    advance: Decimal | None = None
    color: bool = False
    provenance: Provenance | None = None

    def text(self) -> str:
        version = self.version
        assumed = (
            [line for line in (status_line(version.model),) if line]
            + exercise_lines(version.model)
            + hypotheses_text(version.hypotheses())
        )
        return render_text(self.evaluation, version.program, self.structure, self.color, self.advance, assumed)

    def data(self) -> dict:
        data = to_json(self.evaluation, self.version.program, self.structure, self.advance)
        data["hypotheses"] = hypotheses_json(self.version.hypotheses())
        data["statut"] = self.version.model.statut
        data["exercice"] = exercise_json(self.version.model)
        return data
