"""How sure a figure is: what the reports say of repeated draws (`--tirages N --graine S`) — the median and the 5–95 %
interval of each figure, which draw the details are those of, and how the quantiles are taken — as document
blocks, JSON and a workbook sheet, for a simulation, an impact, a calibration and a sweep."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from interpreter.io.xlsx import Sheet
from interpreter.numbers import euros, euros_of, french_number, short_euros, signed_euros
from interpreter.report.document import Heading, Paragraph, Table

if TYPE_CHECKING:  # numpy (heavy): a report without draws does not import it
    from interpreter.compare.draws import ImpactDraws, SimulationDraws, Spread

METHOD = (
    "Médiane et intervalle de 5 à 95 % des tirages, par rang le plus proche : parmi les N valeurs rangées, le "
    "quantile q est la valeur de rang ⌈q × N⌉ — une valeur observée, exacte au centime."
)


def count_text(value: int) -> str:
    return french_number(Decimal(value))


def draws_words(count: int, seed: int) -> str:
    """« 1 000 tirages (graine 1) »."""
    return f"{count_text(count)} tirage{'s' if count > 1 else ''} (graine {seed})"


def money_range(spread: Spread, signed: bool = False) -> str:
    """« de 203,9 M€ à 204,2 M€ », or « +2,64 M€ à +2,87 M€ » with `signed`."""

    def shown(cents: int) -> str:
        text = short_euros(euros_of(cents))
        return f"+{text}" if signed and cents > 0 else text

    return f"de {shown(spread.low)} à {shown(spread.high)}"


def count_range(spread: Spread) -> str:
    return f"de {count_text(spread.low)} à {count_text(spread.high)}"


def _money_row(label: str, spread: Spread | tuple[int, int, int], signed: bool = False) -> tuple[str, ...]:
    """A row: the median, the 5 % and the 95 % quantiles (`spread`, or those three values in that order)."""
    shown = signed_euros if signed else euros
    values = spread if isinstance(spread, tuple) else (spread.median, spread.low, spread.high)
    return (label, *(shown(euros_of(v)) for v in values))


def _count_row(label: str, spread: Spread) -> tuple[str, ...]:
    return (label, *(count_text(v) for v in (spread.median, spread.low, spread.high)))


HEADERS = ("", "Médiane", "5 %", "95 %")


def _blocks(title: str, rows: list[tuple[str, ...]], count: int, seed: int, median: int, slow) -> list:
    blocks: list = [
        Heading(title, level=3),
        Table(HEADERS, tuple(rows), numeric=(1, 2, 3)),
        Paragraph(
            f"Sur {draws_words(count, seed)}. Les autres chiffres du rapport sont ceux du tirage "
            f"médian (n° {median + 1}). {METHOD}"
        ),
    ]
    for reason in [slow] if isinstance(slow, str) else list(slow or ()):
        blocks.append(Paragraph(f"Chaque tirage a été simulé à part ({reason})."))
    return blocks


def simulation_blocks(draws: SimulationDraws, labels: dict[str, str | None], structures: int) -> list:
    """The figures of a simulation over the draws: budget, eligible structures, mean payment, each line that moves."""
    rows = [_money_row("Budget total", draws.budget), _count_row("Structures éligibles", draws.eligible)]
    if structures:
        budget = draws.budget
        rows.append(
            _money_row(
                "Paiement moyen",
                tuple(  # type: ignore[arg-type]
                    mean_cents(v, structures) for v in (budget.median, budget.low, budget.high)
                ),
            )
        )
    rows += [_money_row(f"{labels.get(id) or id} ({id})", spread) for id, spread in draws.lines]
    return _blocks("Selon le tirage", rows, draws.count, draws.seed, draws.median, draws.slow)


def mean_cents(budget: int, structures: int) -> int:
    """A mean payment in cents, rounded half away from zero."""
    q = (abs(budget) * 2 + structures) // (2 * structures)
    return q if budget >= 0 else -q


def simulation_json(draws: SimulationDraws) -> dict:
    return {
        "nombre": draws.count,
        "graine": draws.seed,
        "tirage_median": draws.median + 1,
        "quantiles": "rang le plus proche",
        "budget": money_json(draws.budget),
        "eligibles": count_json(draws.eligible),
        "lignes": [{"id": id, **money_json(s)} for id, s in draws.lines],
        "budgets": [f"{euros_of(v):.2f}" for v in draws.budgets],
        "simule_a_part": draws.slow,
    }


def impact_blocks(draws: ImpactDraws) -> list:
    """The figures of an impact over the draws: budgets, change, winners, losers, losses, the guarantee's cost."""
    rows = [
        _money_row("Budget avant", draws.before),
        _money_row("Budget après", draws.after),
        _money_row("Écart", draws.delta, signed=True),
        _count_row("Structures qui gagnent", draws.gain),
        _count_row("Structures qui perdent", draws.lose),
        _money_row("Total des pertes", draws.losses),
    ]
    if draws.guarantee is not None:
        rows.append(_money_row("Coût de la garantie", draws.guarantee))
    return _blocks("Selon le tirage", rows, draws.count, draws.seed, draws.median, draws.slow)


def impact_json(draws: ImpactDraws) -> dict:
    return {
        "nombre": draws.count,
        "graine": draws.seed,
        "tirage_median": draws.median + 1,
        "quantiles": "rang le plus proche",
        "budget_avant": money_json(draws.before),
        "budget_apres": money_json(draws.after),
        "ecart": money_json(draws.delta),
        "gagnent": count_json(draws.gain),
        "perdent": count_json(draws.lose),
        "pertes": money_json(draws.losses),
        "garantie": None if draws.guarantee is None else money_json(draws.guarantee),
        "ecarts": [f"{euros_of(v):.2f}" for v in draws.deltas],
        "simule_a_part": list(draws.slow),
    }


def money_json(spread: Spread) -> dict:
    return {
        "mediane": f"{euros_of(spread.median):.2f}",
        "p5": f"{euros_of(spread.low):.2f}",
        "p95": f"{euros_of(spread.high):.2f}",
    }


def count_json(spread: Spread) -> dict:
    return {"mediane": spread.median, "p5": spread.low, "p95": spread.high}


def impact_sheet(draws: ImpactDraws) -> Sheet:
    """« Tirages »: the change in each draw, then the quantiles."""
    rows = [(j + 1, euros_of(delta)) for j, delta in enumerate(draws.deltas)]
    return Sheet("Tirages", ("Tirage", "Écart"), tuple(rows), money=(1,))


def simulation_sheet(draws: SimulationDraws) -> Sheet:
    rows = [(j + 1, euros_of(budget)) for j, budget in enumerate(draws.budgets)]
    return Sheet("Tirages", ("Tirage", "Budget"), tuple(rows), money=(1,))
