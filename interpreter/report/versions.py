"""The report of one structure across versions (`convcheck eval V1 V2 … DECLARATION`).

One column per version, the change of each line between consecutive versions, the totals; lines
that pay nothing in any version are folded. Built as a `Document` (text, Markdown, HTML), as JSON
with the same figures, and as sheets of a workbook.
"""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen

from interpreter.compare.versions import Across
from interpreter.io.xlsx import Sheet, workbook
from interpreter.numbers import euros, percent_text, signed_euros
from interpreter.report.document import Bullets, Document, Folded, Heading, KeyFigures, Paragraph, Table, Verdict
from interpreter.report.hypotheses import merged_hypotheses
from interpreter.report.status import status_words
from interpreter.report.workbook import summary_sheet


def _name(version) -> str:
    return version.model.version or version.model.id


def _label(version) -> str:
    """« avenant 2 (proposition 2026) », proposition non signée — a version and its status when it says one."""
    words = status_words(version.model)
    return f"« {_name(version)} »" + (f", {words}" if words else "")


def _amount(value: Decimal | None) -> str:
    return "—" if value is None else euros(value)


def verdict(across: Across) -> str:
    """« De « 2017 » à « avenant 2 », la structure « x » passe de A à B (+C, +p %) ; … »."""
    totals, names = across.totals, [_name(v) for v in across.versions]
    steps = [f"{euros(totals[i - 1])} → {euros(totals[i])} de « {names[i - 1]} » à « {names[i]} » "
             f"({signed_euros(across.total_change(i))})" for i in range(1, len(totals))]
    whole = totals[-1] - totals[0]
    sentence = (f"De « {names[0]} » à « {names[-1]} », la structure « {across.structure} » passe de "
                f"{euros(totals[0])} à {euros(totals[-1])} ({signed_euros(whole)}, "
                f"{percent_text(whole, totals[0], signed=True)})")
    not_eligible = [names[i] for i, e in enumerate(across.evaluations) if not e.eligible]
    if not_eligible:
        sentence += f" ; elle n'est pas éligible selon {', '.join(f'« {n} »' for n in not_eligible)}"
    return sentence + (f" : {' ; '.join(steps)}." if len(totals) > 2 else ".")


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


def versions_document(across: Across, hypotheses=()) -> Document:
    """The report, verdict first; `hypotheses`: the blocks that say them, after the key figures."""
    names = [_name(v) for v in across.versions]
    document = Document(f"La structure « {across.structure} » dans {len(names)} versions")
    document.add(Verdict(verdict(across)))
    document.add(KeyFigures(tuple((_label(version), euros(e.total) + ("" if e.eligible else " (non éligible)"))
                                  for version, e in zip(across.versions, across.evaluations, strict=False))))
    document.add(*hypotheses)
    paying = [line for line in across.lines if any(a for a in line.amounts)]
    nothing = [line for line in across.lines if not any(a for a in line.amounts)]
    document.add(Heading("Ligne par ligne"), _table(across, paying, with_total=True))
    if nothing:
        count = len(nothing)
        document.add(Folded(f"{count} clause{'s' if count > 1 else ''} qui ne lui rapporte{'nt' if count > 1 else ''} "
                            "rien dans aucune version", (_table(across, nothing, with_total=False),)))
    if across.ignored:
        document.add(Heading("Données ignorées", level=3), Paragraph(
            "La déclaration donne les données de toutes les versions ; chacune lit celles qu'elle connaît."),
            Bullets(tuple(_ignored(across))))
    return document


def _ignored(across: Across) -> list[str]:
    """« ignorées par « 2017 » : ipa, plan_crise » — each key once, grouped by the versions that ignore it."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for key, names in across.ignored:
        groups.setdefault(names, []).append(key)
    return [f"ignorée{'s' if len(keys) > 1 else ''} par {', '.join(f'« {n} »' for n in names)} : {', '.join(keys)}"
            for names, keys in groups.items()]


def versions_json(across: Across) -> dict:
    def money(value):
        return None if value is None else f"{value:.2f}"

    return {
        "structure": across.structure,
        "verdict": verdict(across),
        "versions": [{"convention": v.model.id, "version": _name(v), "statut": v.model.statut,
                      "eligible": e.eligible, "total": money(e.total)}
                     for v, e in zip(across.versions, across.evaluations, strict=False)],
        "lignes": [{"id": line.id, "libelle": line.label, "montants": [money(a) for a in line.amounts],
                    "ecarts": [money(line.change(i)) for i in range(1, len(line.amounts))]} for line in across.lines],
        "ecarts_totaux": [money(across.total_change(i)) for i in range(1, len(across.totals))],
        "ignorees": [{"donnee": key, "ignoree_par": list(names)} for key, names in across.ignored],
    }


def versions_workbook(across) -> bytes:
    """One structure across versions: synthèse (the verdict, each version's total) and the lines."""
    names = [v.model.version or v.model.id for v in across.versions]
    summary = summary_sheet(verdict(across), (), [(f"Total « {n} »", total) for n, total in zip(names, across.totals, strict=False)])
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


@frozen
class VersionsReport:
    """`convcheck eval V1 V2 … DECLARATION`: one structure under several versions, with their hypotheses."""

    versions: tuple  # `interpreter.api.Convention`, in order
    across: Across

    def document(self, charts: str | None) -> Document:
        hypotheses = merged_hypotheses([(f"« {v.model.version} »", v) for v in self.versions])
        return versions_document(self.across, hypotheses)

    def data(self) -> dict:
        return versions_json(self.across)

    def workbook(self) -> bytes:
        return versions_workbook(self.across)
