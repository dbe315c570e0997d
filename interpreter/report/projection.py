"""The multi-year envelope: a projection (`convcheck projette`) and the comparison of two versions over the same years
(`convcheck diff … --de A --a B`) — a document (text, Markdown, HTML with a chart), JSON and a workbook."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dsl.records import frozen
from interpreter.io.xlsx import Sheet
from interpreter.numbers import euros, euros_of, french_number, short_euros, signed_euros
from interpreter.report.document import Document, Figure, Heading, KeyFigures, Paragraph, Table, Verdict
from interpreter.report.hypotheses import hypotheses_blocks, hypotheses_json
from interpreter.report.provenance import Provenance, with_caveat
from interpreter.report.status import status_blocks
from interpreter.report.workbook import summary_sheet

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

RULES = (
    "Chaque mois est payé selon la version de la chaîne en vigueur le premier jour du mois (selon ses règles de "
    "l'exercice quand elle en a) ; une version en vigueur une partie de l'année en paie la part (mois / 12) par la "
    "règle du prorata : le montant de chaque ligne est multiplié par cette part avant d'être arrondi au centime, "
    "les majorations portent sur les lignes ainsi proratisées et chaque minimum sur la même part de son montant. "
    "Le prorata propre d'une structure (celui que la version lit dans ses données) s'y ajoute. La population donnée est celle de la première année ; chaque année suivante, les structures déjà "
    "là prennent les données des blocs « années suivantes » des scénarios, et les nouvelles structures — copies de "
    "structures de la population tirées par une empreinte, toujours les mêmes — celles des blocs « nouvelles "
    "structures » l'année où elles entrent."
)


def _count(value: int) -> str:
    return french_number(Decimal(value))


def _money(cents: int) -> str:
    return euros(euros_of(cents))


def versions_words(year) -> str:
    """« « avenant 1 » 5 mois, « avenant 2 » 7 mois », or « « avenant 2 » » for a whole year."""
    parts = year.parts

    def rules(part) -> str:
        return f", règles de l'exercice {year.year}" if part.exercise else ""

    if len(parts) == 1 and parts[0].months == 12:
        return f"« {parts[0].version} »" + (f" ({rules(parts[0])[2:]})" if parts[0].exercise else "")
    return (
        ", ".join(f"« {p.version} » {p.months} mois (dès {MONTHS[p.first - 1]}{rules(p)})" for p in parts) or "aucune"
    )


def growth_words(projection) -> str:
    growth = projection.growth
    if growth is None:
        return "population constante"
    if growth.count is not None:
        return f"{_count(growth.count)} structure{'s' if growth.count > 1 else ''} de plus par an"
    return f"{growth.written} de structures de plus par an"


# ---- one version ----------------------------------------------------------------------------------------------


def projection_verdict(projection) -> str:
    years = projection.years
    first, last = years[0], years[-1]
    name = f"« {projection.version.name} »"
    if len(years) == 1:
        return (
            f"En {first.year}, {name} coûte {short_euros(euros_of(first.budget))} ({versions_words(first)}), "
            f"pour {_count(first.structures)} structures."
        )
    return (
        f"De {first.year} à {last.year}, {name} coûte {short_euros(euros_of(projection.total))} en tout : "
        f"{short_euros(euros_of(first.budget))} en {first.year} ({versions_words(first)}), "
        f"{short_euros(euros_of(last.budget))} en {last.year} ; {growth_words(projection)}"
        + (
            f", de {_count(first.structures)} à {_count(last.structures)} structures."
            if projection.growth
            else f" ({_count(first.structures)} structures)."
        )
    )


def year_rows(projection) -> tuple[tuple[str, ...], ...]:
    rows, cumulated = [], 0
    for year in projection.years:
        cumulated += year.budget
        rows.append(
            (
                str(year.year),
                versions_words(year),
                _count(year.structures),
                _count(year.new),
                _money(year.budget),
                _money(year.new_budget),
                _money(cumulated),
            )
        )
    return tuple(rows)


def projection_document(projection, chart: Figure | None, caveat: str = "") -> Document:
    version = projection.version
    model = version.model
    years = projection.years
    document = Document(
        f"Projection : {model.label or model.id} — « {version.name} », de {years[0].year} à {years[-1].year}"
    )
    document.add(
        Verdict(with_caveat(projection_verdict(projection), caveat)),
        KeyFigures(
            (
                (f"Budget cumulé {years[0].year}–{years[-1].year}", short_euros(euros_of(projection.total))),
                (f"Budget {years[0].year}", short_euros(euros_of(years[0].budget))),
                (f"Budget {years[-1].year}", short_euros(euros_of(years[-1].budget))),
                ("Structures", f"{_count(years[0].structures)} → {_count(years[-1].structures)}"),
                ("Croissance", growth_words(projection)),
            )
        ),
    )
    document.add(*status_blocks(model), Paragraph(f"Population de la première année : {projection.population}."))
    if chart is not None:
        document.add(chart)
    document.add(
        Heading("Année par année"),
        Table(
            (
                "Année",
                "Versions en vigueur",
                "Structures",
                "dont nouvelles",
                "Budget",
                "dont nouvelles structures",
                "Cumul",
            ),
            year_rows(projection),
            numeric=(2, 3, 4, 5, 6),
        ),
    )
    document.add(Paragraph(RULES, emphasis=True), *hypotheses_blocks(version.hypotheses()))
    return document


def projection_json(projection, caveat: str = "") -> dict:
    return {
        "version": projection.version.name,
        "convention": projection.version.model.id,
        "statut": projection.version.model.statut,
        "population": projection.population,
        "verdict": with_caveat(projection_verdict(projection), caveat),
        "budget_cumule": f"{euros_of(projection.total):.2f}",
        "croissance": None if projection.growth is None else projection.growth.written,
        "annees": [
            {
                "annee": y.year,
                "structures": y.structures,
                "nouvelles": y.new,
                "budget": f"{euros_of(y.budget):.2f}",
                "budget_nouvelles": f"{euros_of(y.new_budget):.2f}",
                "versions": [
                    {
                        "version": p.version,
                        "premier_mois": p.first,
                        "mois": p.months,
                        "regles_exercice": p.exercise,
                        "budget": f"{euros_of(p.budget):.2f}",
                    }
                    for p in y.parts
                ],
            }
            for y in projection.years
        ],
        "hypotheses": hypotheses_json(projection.version.hypotheses()),
    }


def projection_sheets(projection, caveat: str = "") -> list[Sheet]:
    years = projection.years
    figures = [
        ("Verdict", with_caveat(projection_verdict(projection), caveat)),
        ("Croissance", growth_words(projection)),
    ]
    amounts = [(f"Budget cumulé {years[0].year}–{years[-1].year}", euros_of(projection.total))]
    by_year = Sheet(
        "Par année",
        ("Année", "Structures", "Nouvelles", "Budget", "Budget des nouvelles"),
        tuple((y.year, y.structures, y.new, euros_of(y.budget), euros_of(y.new_budget)) for y in years),
        money=(3, 4),
    )
    by_version = Sheet(
        "Par version",
        ("Année", "Version", "Premier mois", "Mois", "Budget"),
        tuple((y.year, p.version, p.first, p.months, euros_of(p.budget)) for y in years for p in y.parts),
        money=(4,),
    )
    return [summary_sheet(None, figures, amounts), by_year, by_version]


@frozen
class ProjectionReport:
    """`convcheck projette`: a version's budget year by year."""

    projection: Any  # `interpreter.compare.projection.Projection`
    provenance: Provenance | None = None

    def document(self, charts: str | None) -> Document:
        from interpreter.report.charts import projection_chart  # matplotlib (heavy): only for a chart

        chart = None if charts is None else projection_chart(self.projection, f"{charts}-annees.png")
        return projection_document(self.projection, chart, self._caveat())

    def _caveat(self) -> str:
        return self.provenance.caveat() if self.provenance else ""

    def data(self) -> dict:
        return projection_json(self.projection, self._caveat())

    def sheets(self) -> list[Sheet]:
        return projection_sheets(self.projection, self._caveat())


# ---- two versions over the same years (`diff … --de A --a B`) ------------------------------------------------------


def compared_rows(before, after) -> list[tuple[int, int, int, int]]:
    """(year, budget before, budget after, cumulated change), cents."""
    rows, cumulated = [], 0
    for old, new in zip(before.years, after.years, strict=True):
        cumulated += new.budget - old.budget
        rows.append((old.year, old.budget, new.budget, cumulated))
    return rows


def compared_words(before, after) -> str:
    """« ; de 2026 à 2030, l'écart cumulé est de +42,1 M€ »."""
    rows = compared_rows(before, after)
    cumulated = rows[-1][3]
    span = f"en {rows[0][0]}" if len(rows) == 1 else f"de {rows[0][0]} à {rows[-1][0]}"
    return f" ; {span}, l'écart cumulé est de {'+' if cumulated > 0 else ''}{short_euros(euros_of(cumulated))}"


def compared_blocks(before, after, chart: Figure | None) -> list:
    rows = compared_rows(before, after)
    first, last = rows[0][0], rows[-1][0]
    blocks: list = [
        Heading(f"De {first} à {last}"),
        Paragraph(
            f"Chaque version avec sa chaîne de bases, mois par mois selon les dates d'entrée en vigueur, sur la même "
            f"population ({growth_words(after)}). Avant : {', '.join(versions_words(y) + f' en {y.year}' for y in before.years[:1])} ; "
            f"après : {', '.join(versions_words(y) + f' en {y.year}' for y in after.years[:1])}."
        ),
    ]
    if chart is not None:
        blocks.append(chart)
    blocks.append(
        Table(
            ("Année", "Budget avant", "Budget après", "Écart", "Écart cumulé"),
            tuple(
                (
                    str(year),
                    _money(old),
                    _money(new),
                    signed_euros(euros_of(new - old)),
                    signed_euros(euros_of(cumulated)),
                )
                for year, old, new, cumulated in rows
            ),
            numeric=(1, 2, 3, 4),
        )
    )
    blocks.append(Paragraph(RULES, emphasis=True))
    return blocks


def compared_json(before, after) -> list[dict]:
    return [
        {
            "annee": year,
            "avant": f"{euros_of(old):.2f}",
            "apres": f"{euros_of(new):.2f}",
            "ecart": f"{euros_of(new - old):.2f}",
            "ecart_cumule": f"{euros_of(cumulated):.2f}",
        }
        for year, old, new, cumulated in compared_rows(before, after)
    ]


def compared_sheet(before, after) -> Sheet:
    return Sheet(
        "Par année",
        ("Année", "Budget avant", "Budget après", "Écart", "Écart cumulé"),
        tuple(
            (year, euros_of(old), euros_of(new), euros_of(new - old), euros_of(cumulated))
            for year, old, new, cumulated in compared_rows(before, after)
        ),
        money=(1, 2, 3, 4),
    )
