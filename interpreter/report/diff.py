"""The diff report: what a negotiator pastes into a note — the verdict first, then clause by clause, in euros.

`diff_document` builds the French report (labels first, ids second) as a `Document`,
rendered as text, Markdown or HTML by `interpreter.report.document`: one sentence that answers
« combien, pour qui, pourquoi », the key figures, with a population the budget by line (a
waterfall) and by group, then the details; lines that do not change are folded. `diff_json`
gives the same content as JSON (keys `verdict`, `old`, `new`, `changes`, then `argent`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from dsl import kinds
from dsl.model import SECTION_TITLES
from dsl.records import frozen
from interpreter.compare.diff import RULE_ORDER, RULE_TITLES, Change, Diff, MoneyLine
from interpreter.io.xlsx import Sheet, sheet_of_frame
from interpreter.numbers import (
    conv_text,
    euros,
    euros_of,
    french_number,
    percent_text,
    reader_text,
    short_euros,
    signed_euros,
)
from interpreter.report import draws as draw_report
from interpreter.report import projection as years_report
from interpreter.report.defaults import defaults_blocks, defaults_sheet
from interpreter.report.document import Bullets, Document, Folded, Heading, KeyFigures, Paragraph, Table, Verdict
from interpreter.report.hypotheses import diff_hypotheses, hypotheses_json
from interpreter.report.provenance import Provenance, with_caveat
from interpreter.report.status import exercise_blocks, exercise_json, status_words
from interpreter.report.workbook import groups_sheet, summary_sheet

CHANGE_WORDS = {
    "ajout": "ajout",
    "suppression": "suppression",
    "deplacement": "déplacement",
    "modification": "modification",
    "renommage": "renommage",
}
CHANGE_PLURALS = {
    "ajout": "ajouts",
    "suppression": "suppressions",
    "deplacement": "déplacements",
    "modification": "modifications",
    "renommage": "renommages",
}
PLACE_WORDS = {**SECTION_TITLES, **kinds.GROUP_TITLES}
# The headings of the clauses shown as tables of values (the others are shown one by one), where not their kind's title.
VALUE_TITLES = {"donnee": "Données déclarées par les structures"}
# The fields written as expressions, shown with the values of the paramètres they name.
EXPRESSION_FIELDS = frozenset(field.name for kind in kinds.CLAUSES for field in kind.fields if field.how == kinds.EXPR)


def place_text(place: str | None) -> str:
    if place is None:
        return "—"
    if place.startswith("brique:"):
        return f"brique {place.split(':', 1)[1]}"
    return PLACE_WORDS.get(place, place)


def version_text(model) -> str:
    date = f", en vigueur le {model.en_vigueur.isoformat()}" if model.en_vigueur else ""
    status = f" ({status_words(model)})" if status_words(model) else ""
    return f"« {model.version} »{date}{status}"


# ---- the document ------------------------------------------------------------------------------------

MAXIMAL_TEXT = (
    "La structure maximale de chaque version est construite à partir de la convention elle-même : "
    "patientèle de référence, tous les engagements remplis, chaque effectif au plafond que fixe un "
    "« min(…) », les autres nombres au haut de leur intervalle ; chaque critère et chaque brique y est "
    "valorisé comme s'il était atteint, les points à la valeur du point de sa version."
)


def diff_document(
    diff: Diff, impact=None, population: str | None = None, preamble=(), png_stem: str | None = None, caveat: str = ""
) -> Document:
    """The report, verdict first: the answer in one sentence, the key figures, then (with a population) the
    budget by line and by group, then the details. `preamble`: status and hypotheses, after the versions;
    `png_stem`: draw the charts (HTML, Markdown), their PNG files named from it."""
    old, new = diff.old, diff.new
    document = Document(f"{new.label or new.id} : ce qui change de « {old.version} » à « {new.version} »")
    document.add(Verdict(verdict(diff, impact, caveat)), KeyFigures(key_figures(diff, impact, population)))
    document.add(Paragraph(f"Versions comparées : {version_text(old)} → {version_text(new)}."), *preamble)
    if impact is not None:
        for model, defaults, which in zip(
            (old, new), impact.defaults, ("version avant", "version après"), strict=False
        ):
            document.add(*defaults_blocks(model, defaults, impact.structures, which))
        document.add(*_impact_blocks(impact, population, png_stem))
    document.add(Heading("Le texte, clause par clause"), Paragraph(summary(diff.changes)))
    _money_section(document, diff)
    elements = [c for c in diff.changes if c.element in kinds.KINDS and kinds.KINDS[c.element].pays]
    if elements:
        document.add(Heading("Critères et briques, clause par clause"))
        for change in elements:
            _element_change(document, diff, change)
    for kind in kinds.CLAUSES:
        changes = [c for c in diff.changes if c.element == kind.name]
        if changes and not kind.pays:
            document.add(Heading(VALUE_TITLES.get(kind.name, kind.title)), _value_table(changes))
    for rule in RULE_ORDER:  # the version's prorata, the rules of each exercise
        changes = [c for c in diff.changes if c.element == rule]
        if changes:
            document.add(Heading(RULE_TITLES[rule]), _value_table(changes))
    return document


def _impact_blocks(impact, population: str | None, png_stem: str | None) -> list:
    """With a population: the budget by line (a waterfall), winners and losers by group, then the details."""
    from interpreter.report import impact as impact_report  # numpy (heavy): only with a population
    from interpreter.report.charts import groups_chart, histogram_chart, waterfall_chart  # numpy, matplotlib

    def chart(draw, *arguments, name: str):
        return None if png_stem is None else draw(*arguments, f"{png_stem}-{name}.png")

    blocks = [] if impact.draws is None else draw_report.impact_blocks(impact.draws)
    blocks += [
        Heading("Le budget, ligne par ligne"),
        *impact_report.line_blocks(impact, chart(waterfall_chart, impact, name="cascade")),
    ]
    if impact.groups:
        blocks.append(Heading("Gagnants et perdants par groupe"))
    for grouping, rows in impact.groups:
        heading, *table = impact_report.group_blocks(grouping, rows, impact=True)
        figure = chart(groups_chart, grouping, rows, name=f"par-{_file_word(grouping.column)}")
        blocks += [heading, *([figure] if figure is not None else []), *table]
    blocks += impact_report.guarantee_blocks(impact)
    blocks += [
        Heading("Impact sur la population : détails"),
        *impact_report.impact_figures(impact, population or ""),
        *impact_report.detail_blocks(impact, chart(histogram_chart, impact, name="histogramme")),
    ]
    return blocks


def _file_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "groupe"


def summary(changes: tuple[Change, ...]) -> str:
    if not changes:
        return (
            "Aucune différence de fond entre les deux versions (la mise en forme et les commentaires ne comptent pas)."
        )
    counts = [(kind, sum(c.kind == kind for c in changes)) for kind in CHANGE_WORDS]
    parts = [f"{count} {CHANGE_PLURALS[kind] if count > 1 else CHANGE_WORDS[kind]}" for kind, count in counts if count]
    total = len(changes)
    return f"{total} changement{'s' if total > 1 else ''} : " + ", ".join(parts) + "."


# ---- the verdict ---------------------------------------------------------------------------------------


def basis_text(money) -> str:
    """Where the money view values the clauses: « à la structure maximale » or « pour le cas « x » »."""
    if money.cas is None:
        return "à la structure maximale"
    said = [money.cas.label] if money.cas.label else []
    said += [f"pour « {version} », son cas « {other} », qui en part" for version, other in money.cas.extended]
    return f"pour le cas « {money.cas.id} »" + (f" ({' ; '.join(said)})" if said else "")


def verdict(diff: Diff, impact=None, caveat: str = "") -> str:
    """The answer in one French sentence: with a population, its cost and who gains or loses; without,
    what changes at the maximal structure (or the cas of `--cas`). `caveat`: what the figure rests on (an
    unsigned proposal, hypotheses), said before the final full stop."""
    return with_caveat(_verdict(diff, impact), caveat)


def _verdict(diff: Diff, impact=None) -> str:
    if impact is not None:
        return _population_verdict(diff, impact)
    money = diff.money
    before, after = money.total_avant, money.total_apres
    moved = [line for line in money.lines if line.delta != 0]
    if not diff.changes:
        return "Aucune différence de fond entre les deux versions."
    head = f"{basis_text(money)[0].upper()}{basis_text(money)[1:]}, « {diff.new.version} »"
    if not moved:
        return f"{head} paie autant que « {diff.old.version} » ({euros(after)}) : {_lower(summary(diff.changes))}"
    gain = max(moved, key=lambda line: (line.delta, line.id))
    loss = min(moved, key=lambda line: (line.delta, line.id))
    extremes = []
    if gain.delta > 0:
        extremes.append(f"la plus forte hausse « {gain.libelle or gain.id} » ({signed_euros(gain.delta)})")
    if loss.delta < 0:
        extremes.append(f"la plus forte baisse « {loss.libelle or loss.id} » ({signed_euros(loss.delta)})")
    count = len(moved)
    clauses = f"{count} clause{'s' if count > 1 else ''} change{'nt' if count > 1 else ''} de valeur"
    return (
        f"{head} paie {euros(after)} au lieu de {euros(before)} ({signed_euros(after - before)}, "
        f"{percent_text(after - before, before, signed=True)}) : {clauses} — {', '.join(extremes)}."
    )


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _population_verdict(diff: Diff, impact) -> str:
    delta = euros_of(impact.delta)
    share = percent_text(impact.delta, impact.budget_before, signed=True)
    draws = impact.draws
    gains, losers = (impact.gain, impact.lose) if draws is None else (draws.gain.median, draws.lose.median)
    if draws is not None and draws.delta.certain:
        share += f", le même à chacun des {_count(draws.count)} tirages"
    elif draws is not None:  # the median draw's change is the median change
        share += (
            f", médiane de {_count(draws.count)} tirages — 5–95 % : {draw_report.money_range(draws.delta, signed=True)}"
        )
    old, new = f"« {diff.old.version} »", f"« {diff.new.version} »"
    if delta > 0:
        cost = f"{new} coûte {short_euros(delta)} de plus que {old} ({share})"
    elif delta < 0:
        cost = f"{new} coûte {short_euros(-delta)} de moins que {old} ({share})"
    else:
        cost = f"{new} coûte autant que {old}" + (f" ({share})" if draws is not None else "")
    gain = f"{_count(gains)} gagne{'nt' if gains > 1 else ''}" if gains else "aucune ne gagne"
    lose = f"{_count(losers)} perde{'nt' if losers > 1 else ''}" if losers else "aucune ne perd"
    if draws is not None and not draws.gain.certain:
        gain += f" ({draw_report.count_range(draws.gain)} selon le tirage)"
    if draws is not None and not draws.lose.certain:
        lose += f" ({draw_report.count_range(draws.lose)} selon le tirage)"
    if losers:
        lose += f" {short_euros(euros_of(impact.losses if draws is None else draws.losses.median))} en tout"
    worst = ""
    if impact.largest_losses:
        loss = impact.largest_losses[0]
        cause = _main_cause(diff, loss)
        worst = f" (au plus {short_euros(euros_of(loss.before - loss.after))}{cause})"
    lost = ""
    if impact.eligibility_lost:
        lost = f" ; {_count(impact.eligibility_lost)} perde{'nt' if impact.eligibility_lost > 1 else ''} l'éligibilité"
    return (
        f"{cost} : sur {_count(impact.structures)} structures, {gain}, {lose}{worst}{lost}{_guarantee_words(impact)}."
    )


def _guarantee_words(impact) -> str:
    """« ; les garantir (100 % de chaque perte) coûte 1,23 M€ » with `--garantie`."""
    guarantee, draws = impact.guarantee, impact.draws
    losers = impact.lose if draws is None else draws.lose.median
    if guarantee is None or not losers:
        return ""
    whom = "la garantir" if losers == 1 else "les garantir"
    if draws is None or draws.guarantee is None or draws.guarantee.certain:
        cost = guarantee.cost if draws is None or draws.guarantee is None else draws.guarantee.median
        return f" ; {whom} ({guarantee.written} de chaque perte) coûte {short_euros(euros_of(cost))}"
    return (
        f" ; {whom} ({guarantee.written} de chaque perte) coûte {short_euros(euros_of(draws.guarantee.median))} "
        f"({draw_report.money_range(draws.guarantee)} selon le tirage)"
    )


def _main_cause(diff: Diff, loss) -> str:
    """« , surtout par la suppression de « X » »: the line through which the structure that loses most loses most."""
    losing = [line for line in loss.lines if line[2] < 0]
    if not losing:
        return ""
    id, label, _ = min(losing, key=lambda line: line[2])
    removed = any(c.id == id and c.kind == "suppression" for c in diff.changes if c.element in ("critere", "brique"))
    return f", surtout par {'la suppression de ' if removed else ''}« {label or id} »"


def _count(number: int) -> str:
    return french_number(Decimal(number))


def key_figures(diff: Diff, impact=None, population: str | None = None) -> tuple[tuple[str, str], ...]:
    """The figures shown under the verdict, as (label, value)."""
    if impact is not None:
        delta = euros_of(impact.delta)
        figures = [
            ("Budget avant", short_euros(euros_of(impact.budget_before))),
            ("Budget après", short_euros(euros_of(impact.budget_after))),
            (
                "Écart",
                f"{'+' if delta > 0 else ''}{short_euros(delta)} "
                f"({percent_text(impact.delta, impact.budget_before, signed=True)})",
            ),
            ("Structures qui gagnent", f"{_count(impact.gain)} sur {_count(impact.structures)}"),
            ("Structures qui perdent", f"{_count(impact.lose)} sur {_count(impact.structures)}"),
            ("Total des pertes", short_euros(euros_of(impact.losses))),
        ]
        if impact.draws is not None:  # the medians over the draws (the median draw's own are in the details)
            draws = impact.draws
            figures[3:6] = [
                ("Structures qui gagnent (médiane)", f"{_count(draws.gain.median)} sur {_count(impact.structures)}"),
                ("Structures qui perdent (médiane)", f"{_count(draws.lose.median)} sur {_count(impact.structures)}"),
                ("Total des pertes (médiane)", short_euros(euros_of(draws.losses.median))),
            ]
        if impact.guarantee is not None:
            cost = (
                impact.guarantee.cost
                if impact.draws is None or impact.draws.guarantee is None
                else impact.draws.guarantee.median
            )
            figures.append(
                (
                    f"Coût de la garantie ({impact.guarantee.written} de chaque perte)"
                    + ("" if impact.draws is None else ", médiane"),
                    short_euros(euros_of(cost)),
                )
            )
        if impact.largest_losses:
            loss = impact.largest_losses[0]
            figures.append(("Plus forte baisse", signed_euros(euros_of(loss.after - loss.before))))
        if impact.largest_gains:
            gain = impact.largest_gains[0]
            figures.append(("Plus forte hausse", signed_euros(euros_of(gain.after - gain.before))))
        figures.append(
            (
                "Perdent / gagnent l'éligibilité",
                f"{_count(impact.eligibility_lost)} / {_count(impact.eligibility_gained)}",
            )
        )
        if impact.draws is not None:
            draws = impact.draws
            figures.insert(
                3,
                (
                    "Écart, 5–95 % des tirages",
                    "le même à chaque tirage"
                    if draws.delta.certain
                    else draw_report.money_range(draws.delta, signed=True),
                ),
            )
            figures.append(
                (
                    "Tirages",
                    f"{draw_report.draws_words(draws.count, draws.seed)} ; détails du tirage "
                    f"médian, n° {draws.median + 1}",
                )
            )
        return tuple(figures)
    money = diff.money
    before = after = "structure maximale"
    if money.cas is not None:  # each version's own cas: one that starts from `--cas` where it has not that one
        own = dict(money.cas.extended)
        before = f"cas « {own.get(diff.old.version or '', money.cas.id)} »"
        after = f"cas « {own.get(diff.new.version or '', money.cas.id)} »"
    moved = sum(line.delta != 0 for line in money.lines)
    return (
        (f"Total avant ({before})", euros(money.total_avant)),
        (f"Total après ({after})", euros(money.total_apres)),
        (
            "Écart",
            f"{signed_euros(money.total_apres - money.total_avant)} "
            f"({percent_text(money.total_apres - money.total_avant, money.total_avant, signed=True)})",
        ),
        ("Clauses dont la valeur change", f"{moved} sur {len(money.lines)}"),
        ("Changements du texte", str(len(diff.changes))),
    )


# ---- the money view ------------------------------------------------------------------------------------


def _money_section(document: Document, diff: Diff) -> None:
    money = diff.money
    document.add(Heading(f"Ce que vaut chaque clause {basis_text(money)}"))
    if money.cas is None:
        document.add(
            Paragraph(MAXIMAL_TEXT + " Les lignes sont classées par écart, le plus grand d'abord.", emphasis=True)
        )
    else:
        extended = "".join(
            f" — pour « {version} », qui n'a pas ce cas, son cas « {other} », écrit « comme » à partir de lui"
            for version, other in money.cas.extended
        )
        document.add(
            Paragraph(
                "Chaque critère et chaque brique est valorisé, au lieu de la structure maximale, avec les données du cas "
                f"« {money.cas.id} » de chaque version{extended} : ce qu'il lui paie, 0 € s'il n'est pas atteint. "
                "Les lignes sont classées par écart, le plus grand d'abord.",
                emphasis=True,
            )
        )
    unchanged = money.unchanged
    folded = set(unchanged)  # a line is looked up at once: 10 000 lines are not 10 000 scans of 10 000
    changed = [line for line in money.lines if line not in folded]
    if changed:
        document.add(_money_table(changed))
    if unchanged:
        count = len(unchanged)
        document.add(
            Folded(
                f"{count} clause{'s' if count > 1 else ''} inchangée{'s' if count > 1 else ''}",
                (_money_table(unchanged),),
            )
        )
    rows = [(PLACE_WORDS.get(s, s), euros(a), euros(b), signed_euros(b - a)) for s, a, b in money.sections]
    rows.append(
        (
            "Total",
            euros(money.total_avant),
            euros(money.total_apres),
            signed_euros(money.total_apres - money.total_avant),
        )
    )
    document.add(
        Heading("Totaux par section", level=3),
        Table(("Section", "Avant", "Après", "Écart"), tuple(rows), numeric=(1, 2, 3)),
    )
    title = "Données de la structure maximale" if money.cas is None else f"Données du cas « {money.cas.id} »"
    document.add(
        Folded(
            title,
            (
                Bullets(
                    (
                        f"{diff.old.version} : {_structure_text(diff.old, money.structure_avant)}",
                        f"{diff.new.version} : {_structure_text(diff.new, money.structure_apres)}",
                    )
                ),
            ),
        )
    )


def _money_table(lines) -> Table:
    return Table(
        ("Clause", "Identifiant", "Section", "Avant", "Après", "Écart"),
        tuple(_money_row(line) for line in lines),
        numeric=(3, 4, 5),
        classes=tuple(_money_class(line) for line in lines),
    )


def _money_row(line: MoneyLine) -> tuple[str, ...]:
    moved = line.section_avant != line.section_apres and line.section_avant and line.section_apres
    section = (
        f"{place_text(line.section_avant)} → {place_text(line.section_apres)}"
        if moved
        else place_text(line.section_apres or line.section_avant)
    )
    identifier = f"{line.ancien_id} → {line.id}" if line.ancien_id else line.id
    return (
        line.libelle or line.id,
        identifier,
        section,
        "—" if line.avant is None else euros(line.avant),
        "—" if line.apres is None else euros(line.apres),
        signed_euros(line.delta),
    )


def _money_class(line: MoneyLine) -> str:
    if line.avant is None:
        return "ajout"
    if line.apres is None:
        return "suppression"
    return ""


def _structure_text(model, values: dict) -> str:
    return ", ".join(f"{id} = {conv_text(value, model.donnees[id].type)}" for id, value in values.items())


def _with_values(text: str | None, model, values: dict) -> str:
    """A field's text, followed by the values of the paramètres it names (for readers of the report)."""
    if text is None:
        return "—"
    named = [w for w in dict.fromkeys(re.findall(r"[a-z_][a-z0-9_]*", text)) if w in values]
    if not named:
        return text
    shown = ", ".join(f"{w} = {reader_text(values[w], model.parametres[w].type)}" for w in named)
    return f"{text}   [{shown}]"


def _element_change(document: Document, diff: Diff, change: Change) -> None:
    label = change.libelle_apres or change.libelle_avant or change.id
    document.add(Heading(f"{label} ({change.id}) — {_change_phrase(change)}", level=3))
    expressions = EXPRESSION_FIELDS
    rows = [
        (
            f.champ,
            _with_values(f.avant, diff.old, diff.parametres_avant) if f.champ in expressions else f.avant or "—",
            _with_values(f.apres, diff.new, diff.parametres_apres) if f.champ in expressions else f.apres or "—",
        )
        for f in change.champs
    ]
    if change.kind == "renommage":
        rows.insert(0, ("identifiant", change.ancien_id or "—", change.id))
    if change.section_avant != change.section_apres and change.kind in ("deplacement", "renommage"):
        rows.insert(0, ("section", place_text(change.section_avant), place_text(change.section_apres)))
    if rows:
        document.add(Table(("Champ", "Avant", "Après"), tuple(rows), code=(1, 2), classes=(change.kind,) * len(rows)))


def _change_phrase(change: Change) -> str:
    kind = kinds.KINDS[change.element]
    match change.kind:
        case "ajout":
            return f"{kind.keyword} {kind.agreed('ajouté')} ({place_text(change.section_apres)})"
        case "suppression":
            return f"{kind.keyword} {kind.agreed('supprimé')} (était en {place_text(change.section_avant)})"
        case "deplacement":
            return f"déplacé de {place_text(change.section_avant)} vers {place_text(change.section_apres)}"
        case "renommage":
            return f"renommé (ancien identifiant : {change.ancien_id})"
    return f"{kind.agreed('modifié')} ({place_text(change.section_apres)})"


def _value_table(changes: list[Change]) -> Table:
    rows = []
    for change in changes:
        label = change.libelle_apres or change.libelle_avant or change.id
        before = "; ".join(f"{f.champ} : {f.avant}" for f in change.champs if f.avant is not None) or "—"
        after = "; ".join(f"{f.champ} : {f.apres}" for f in change.champs if f.apres is not None) or "—"
        identifier = f"{change.ancien_id} → {change.id}" if change.ancien_id else change.id
        rows.append((label, identifier, CHANGE_WORDS[change.kind], before, after))
    return Table(
        ("Élément", "Identifiant", "Changement", "Avant", "Après"),
        tuple(rows),
        code=(3, 4),
        classes=tuple(c.kind for c in changes),
    )


# ---- JSON -----------------------------------------------------------------------------------------------


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def diff_json(diff: Diff, impact=None, population: str | None = None, caveat: str = "") -> dict:
    """The report as JSON: the verdict and key figures first (as in the documents), then the changes, the
    money view and, with a population, the impact (`impact`, added by `interpreter.report.impact`)."""
    money = diff.money
    basis = (
        {"base": "structure_maximale"}
        if money.cas is None
        else {"base": "cas", "cas": money.cas.id, "libelle_cas": money.cas.label}
    )
    return {
        "verdict": {
            "phrase": verdict(diff, impact, caveat),
            **basis,
            "chiffres_cles": [
                {"libelle": label, "valeur": value} for label, value in key_figures(diff, impact, population)
            ],
        },
        "old": {"id": diff.old.id, "version": diff.old.version, "statut": diff.old.statut},
        "new": {"id": diff.new.id, "version": diff.new.version, "statut": diff.new.statut},
        "changes": [
            {
                "kind": c.kind,
                "element": c.element,
                "id": c.id,
                "ancien_id": c.ancien_id,
                "libelle_avant": c.libelle_avant,
                "libelle_apres": c.libelle_apres,
                "section_avant": c.section_avant,
                "section_apres": c.section_apres,
                "champs": [{"champ": f.champ, "avant": f.avant, "apres": f.apres} for f in c.champs],
            }
            for c in diff.changes
        ],
        "argent": {
            "lignes": [
                {
                    "id": line.id,
                    "ancien_id": line.ancien_id,
                    "libelle": line.libelle,
                    "element": line.element,
                    "section_avant": line.section_avant,
                    "section_apres": line.section_apres,
                    "avant": _money(line.avant),
                    "apres": _money(line.apres),
                    "ecart": _money(line.delta),
                }
                for line in money.lines
            ],
            "sections": [
                {"section": s, "avant": _money(a), "apres": _money(b), "ecart": _money(b - a)}
                for s, a, b in money.sections
            ],
            "total": {
                "avant": _money(money.total_avant),
                "apres": _money(money.total_apres),
                "ecart": _money(money.total_apres - money.total_avant),
            },
            "lignes_inchangees": [line.id for line in money.unchanged],
            **basis,
            "structure": {
                "avant": {id: conv_text(v, diff.old.donnees[id].type) for id, v in money.structure_avant.items()},
                "apres": {id: conv_text(v, diff.new.donnees[id].type) for id, v in money.structure_apres.items()},
            },
        },
    }


def diff_sheets(
    diff, impact=None, population: str | None = None, caveat: str = "", years: Sheet | None = None
) -> list[Sheet]:
    """A diff: synthèse, par ligne (budgets with a population; the money view otherwise), par structure,
    par groupe, and the clauses at the maximal structure (or the cas of `--cas`)."""
    money = diff.money
    amounts = [("Total avant", money.total_avant), ("Total après", money.total_apres)]
    if impact is not None:
        amounts = [
            ("Budget avant", euros_of(impact.budget_before)),
            ("Budget après", euros_of(impact.budget_after)),
            ("Écart", euros_of(impact.delta)),
            ("Total des pertes", euros_of(impact.losses)),
        ]
        if impact.guarantee is not None:
            amounts += [
                (f"Coût de la garantie ({impact.guarantee.written})", euros_of(impact.guarantee.cost)),
                ("Budget après, garantie comprise", euros_of(impact.guarantee.budget_after)),
            ]
    sheets = [summary_sheet(verdict(diff, impact, caveat), key_figures(diff, impact, population), amounts)]
    if impact is not None:
        sheets.append(
            Sheet(
                "Par ligne",
                ("Identifiant", "Clause", "Budget avant", "Budget après", "Écart"),
                tuple(
                    (id, label or id, euros_of(before), euros_of(after), euros_of(after - before))
                    for id, label, before, after in impact.lines
                ),
                money=(2, 3, 4),
            )
        )
        from interpreter.compare.impact import per_structure  # numpy (heavy): only with a population

        donnees = frozenset(diff.old.donnees) | frozenset(diff.new.donnees)
        sheets.append(sheet_of_frame("Par structure", per_structure(impact, donnees)))
        if impact.groups:
            sheets.append(groups_sheet(impact.groups, impact=True))
        if impact.draws is not None:
            sheets.append(draw_report.impact_sheet(impact.draws))
        if years is not None:
            sheets.append(years)
        defaults = defaults_sheet(
            [
                (model.version or model.id, model, counts)
                for model, counts in zip((diff.old, diff.new), impact.defaults, strict=False)
            ]
        )
        sheets += [defaults] if defaults is not None else []
    where = "Structure maximale" if money.cas is None else f"Cas {money.cas.id}"
    sheets.append(
        Sheet(
            where,
            ("Identifiant", "Clause", "Section avant", "Section après", "Avant", "Après", "Écart"),
            tuple(
                (
                    line.id,
                    line.libelle or line.id,
                    line.section_avant or "",
                    line.section_apres or "",
                    line.avant,
                    line.apres,
                    line.delta,
                )
                for line in money.lines
            ),
            money=(4, 5, 6),
        )
    )
    return sheets


# ---- the report of `convcheck diff` ------------------------------------------------------------------------


@frozen
class DiffReport:
    """`convcheck diff`: what changes from one version to the other, under their hypotheses, with the impact on a
    population when one is given."""

    old: Any  # `interpreter.convention.Convention`
    new: Any
    change: Diff
    impact: Any = None  # `interpreter.compare.impact.Impact`
    population: str | None = None
    provenance: Provenance | None = None
    years: Any = None  # `--de A --a B`: the two `interpreter.compare.projection.Projection`, before and after

    def document(self, charts: str | None) -> Document:
        preamble = exercise_blocks(self.old.model, self.new.model) + diff_hypotheses(self.old, self.new)
        document = diff_document(self.change, self.impact, self.population, preamble, charts, self._caveat())
        if self.years is None:
            return document
        from interpreter.report.charts import compared_chart  # matplotlib (heavy)

        before, after = self.years
        chart = None if charts is None else compared_chart(before, after, f"{charts}-annees.png")
        place = next(
            i
            for i, b in enumerate(document.blocks)
            if isinstance(b, Heading) and b.text.startswith("Le budget, ligne par ligne")
        )
        document.blocks[place:place] = years_report.compared_blocks(before, after, chart)
        return document

    def _caveat(self) -> str:
        """What the verdict adds before its full stop: the cumulated change over the years (`--de`, `--a`), then
        what the figure rests on."""
        years = ""
        if self.years is not None:
            years = years_report.compared_words(*self.years)
        return years + (self.provenance.caveat() if self.provenance else "")

    def data(self) -> dict:
        data = diff_json(self.change, self.impact, self.population, self._caveat())
        if self.years is not None:
            data["annees"] = years_report.compared_json(*self.years)
        data["hypotheses"] = {
            "avant": hypotheses_json(self.old.hypotheses()),
            "apres": hypotheses_json(self.new.hypotheses()),
        }
        data["exercice"] = (
            None
            if self.old.model.exercice is None
            else {"avant": exercise_json(self.old.model), "apres": exercise_json(self.new.model)}
        )
        if self.impact is not None:
            from interpreter.report.impact import groups_json, impact_json  # numpy (heavy): only with a population

            data["impact"] = impact_json(self.impact, self.population or "")
            data["impact"]["par_groupe"] = [groups_json(grouping, rows) for grouping, rows in self.impact.groups]
        return data

    def sheets(self) -> list[Sheet]:
        years = None
        if self.years is not None:
            years = years_report.compared_sheet(*self.years)
        return diff_sheets(self.change, self.impact, self.population, self._caveat(), years)
