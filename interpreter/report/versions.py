"""The report of one structure across versions (`convcheck eval V1 V2 … DECLARATION`).

One column per version, the change of each line between consecutive versions, the totals; lines
that pay nothing in any version are folded. Built as a `Document` (text, Markdown, HTML), as JSON
with the same figures, and as sheets of a workbook.
"""

from __future__ import annotations

from decimal import Decimal

from dsl.records import frozen
from interpreter.compare.versions import Across
from interpreter.io.xlsx import Sheet
from interpreter.numbers import euros, percent_text, signed_euros
from interpreter.report.defaults import default_text
from interpreter.report.document import Bullets, Document, Folded, Heading, KeyFigures, Paragraph, Table, Verdict
from interpreter.report.hypotheses import merged_hypotheses
from interpreter.report.provenance import Provenance, with_caveat
from interpreter.report.status import exercise_blocks, status_words
from interpreter.report.workbook import summary_sheet


def _name(version) -> str:
    return version.model.version or version.model.id


def _label(version) -> str:
    """« avenant 2 (proposition 2026) », proposition non signée — a version and its status when it says one."""
    words = status_words(version.model)
    return f"« {_name(version)} »" + (f", {words}" if words else "")


def _amount(value: Decimal | None) -> str:
    return "—" if value is None else euros(value)


def verdict(across: Across, caveat: str = "") -> str:
    """« De « 2017 » à « avenant 2 », la structure « x » passe de A à B (+C, +p %) ; … »."""
    totals, names = across.totals, [_name(v) for v in across.versions]
    steps = [
        f"{euros(totals[i - 1])} → {euros(totals[i])} de « {names[i - 1]} » à « {names[i]} » "
        f"({signed_euros(across.total_change(i))})"
        for i in range(1, len(totals))
    ]
    whole = totals[-1] - totals[0]
    sentence = (
        f"De « {names[0]} » à « {names[-1]} », la structure « {across.structure} » passe de "
        f"{euros(totals[0])} à {euros(totals[-1])} ({signed_euros(whole)}, "
        f"{percent_text(whole, totals[0], signed=True)})"
    )
    not_eligible = [names[i] for i, e in enumerate(across.evaluations) if not e.eligible]
    if not_eligible:
        sentence += f" ; elle n'est pas éligible selon {', '.join(f'« {n} »' for n in not_eligible)}"
    return with_caveat(sentence + (f" : {' ; '.join(steps)}." if len(totals) > 2 else "."), caveat)


def _headers(across: Across) -> tuple[str, ...]:
    headers = ["Clause", "Identifiant"]
    for i, version in enumerate(across.versions):
        if i:
            headers.append("Écart")
        headers.append(f"« {_name(version)} »")
    return tuple(headers)


def _row(across: Across, line) -> tuple[str, ...]:
    cells = [line.label or line.id, line.id]
    for i, amount in enumerate(line.amounts):
        if i:
            cells.append(signed_euros(line.change(i)))
        cells.append(_amount(amount))
    return tuple(cells)


def _table(across: Across, lines, with_total: bool) -> Table:
    rows = [_row(across, line) for line in lines]
    if with_total:
        total = ["Total", ""]
        for i, amount in enumerate(across.totals):
            if i:
                total.append(signed_euros(across.total_change(i)))
            total.append(euros(amount))
        rows.append(tuple(total))
    return Table(_headers(across), tuple(rows), numeric=tuple(range(2, 2 + 2 * len(across.versions) - 1)))


def versions_document(across: Across, hypotheses=(), caveat: str = "") -> Document:
    """The report, verdict first; `hypotheses`: the blocks that say them, after the key figures."""
    names = [_name(v) for v in across.versions]
    document = Document(f"La structure « {across.structure} » dans {len(names)} versions")
    document.add(Verdict(verdict(across, caveat)))
    document.add(
        KeyFigures(
            tuple(
                (_label(version), euros(e.total) + ("" if e.eligible else " (non éligible)"))
                for version, e in zip(across.versions, across.evaluations, strict=False)
            )
        )
    )
    document.add(*hypotheses)
    paying = [line for line in across.lines if any(a for a in line.amounts)]
    nothing = [line for line in across.lines if not any(a for a in line.amounts)]
    document.add(Heading("Ligne par ligne"), _table(across, paying, with_total=True))
    if nothing:
        count = len(nothing)
        document.add(
            Folded(
                f"{count} clause{'s' if count > 1 else ''} qui ne lui rapporte{'nt' if count > 1 else ''} "
                "rien dans aucune version",
                (_table(across, nothing, with_total=False),),
            )
        )
    defaults = _defaults(across)
    if defaults:
        document.add(
            Heading("Valeurs par défaut", level=3),
            Paragraph("Données absentes de la déclaration, prises à la valeur par défaut que la version leur donne."),
            Bullets(tuple(defaults)),
        )
    if across.ignored:
        document.add(
            Heading("Données ignorées", level=3),
            Paragraph("La déclaration donne les données de toutes les versions ; chacune lit celles qu'elle connaît."),
            Bullets(tuple(_ignored(across))),
        )
    return document


def _defaults(across: Across) -> list[str]:
    """« « 2017 » : mois_adhesion = 12 (valeur par défaut) » — for each version that took a default."""
    return [
        f"« {_name(version)} » : "
        + ", ".join(
            f"{id} = {default_text(version.model.donnees[id])} (valeur par défaut)" for id in evaluation.defaults
        )
        for version, evaluation in zip(across.versions, across.evaluations, strict=False)
        if evaluation.defaults
    ]


def _ignored(across: Across) -> list[str]:
    """« ignorées par « 2017 » : ipa, plan_crise » — each key once, grouped by the versions that ignore it."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for key, names in across.ignored:
        groups.setdefault(names, []).append(key)
    return [
        f"ignorée{'s' if len(keys) > 1 else ''} par {', '.join(f'« {n} »' for n in names)} : {', '.join(keys)}"
        for names, keys in groups.items()
    ]


def versions_json(across: Across, caveat: str = "") -> dict:
    def money(value):
        return None if value is None else f"{value:.2f}"

    return {
        "structure": across.structure,
        "verdict": verdict(across, caveat),
        "versions": [
            {
                "convention": v.model.id,
                "version": _name(v),
                "statut": v.model.statut,
                "eligible": e.eligible,
                "total": money(e.total),
                "valeurs_par_defaut": [{"id": id, "valeur": default_text(v.model.donnees[id])} for id in e.defaults],
            }
            for v, e in zip(across.versions, across.evaluations, strict=False)
        ],
        "lignes": [
            {
                "id": line.id,
                "libelle": line.label,
                "montants": [money(a) for a in line.amounts],
                "ecarts": [money(line.change(i)) for i in range(1, len(line.amounts))],
            }
            for line in across.lines
        ],
        "ecarts_totaux": [money(across.total_change(i)) for i in range(1, len(across.totals))],
        "ignorees": [{"donnee": key, "ignoree_par": list(names)} for key, names in across.ignored],
    }


def versions_sheets(across, caveat: str = "") -> list[Sheet]:
    """One structure across versions: synthèse (the verdict, each version's total) and the lines."""
    names = [v.model.version or v.model.id for v in across.versions]
    summary = summary_sheet(
        verdict(across, caveat), (), [(f"Total « {n} »", total) for n, total in zip(names, across.totals, strict=False)]
    )
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
    return [summary, Sheet("Par ligne", tuple(headers), tuple(rows), money=money)]


@frozen
class VersionsReport:
    """`convcheck eval V1 V2 … DECLARATION`: one structure under several versions, with their hypotheses."""

    versions: tuple  # `interpreter.convention.Convention`, in order
    across: Across
    provenance: Provenance | None = None

    def _caveat(self) -> str:
        return self.provenance.caveat() if self.provenance else ""

    def document(self, charts: str | None) -> Document:
        hypotheses = merged_hypotheses([(f"« {v.model.version} »", v) for v in self.versions])
        return versions_document(
            self.across, exercise_blocks(*(v.model for v in self.versions)) + hypotheses, self._caveat()
        )

    def data(self) -> dict:
        return versions_json(self.across, self._caveat()) | {"exercice": self.versions[0].model.exercice}

    def sheets(self) -> list[Sheet]:
        return versions_sheets(self.across, self._caveat())
