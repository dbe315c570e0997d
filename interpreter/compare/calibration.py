"""Decisions: the value of a paramètre at which a population's budget reaches a target (`calibre`),
and the budget at many values of it (`balaye`).

The population is read and validated once and the vector program compiled once; each value only
rebinds the paramètres (`Program.with_parametre`) and evaluates the population again — exactly
what `simulate --set ID=VALUE` gives, to the cent.

A budget is a step function of a paramètre once each line is rounded to the cent; values are taken
on a grid (`step`: the cent for a montant, the unit for a whole-number paramètre, or `--precision`).
The search assumes the budget moves one way as the value grows, finds the first grid value at
which it reaches the target, and then checks the assumption on every value it computed: if the
budget went back on itself, the report says where.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from dsl import nodes as n
from dsl.diagnostics import Diagnostic, suggest
from dsl.errors import ConvcheckError
from dsl.records import frozen
from interpreter.backends.results import PopulationResult
from interpreter.backends.scalar import ParametreError, Program
from interpreter.backends.vector import VectorProgram, simulate
from interpreter.compare.draws import Draws, Spread, impact_draws, median_draw, nearest_rank
from interpreter.compare.sums import checked_sum

MAX_DOUBLINGS = 60


class DecisionError(ConvcheckError):
    """A calibration or a sweep that cannot be done as asked: its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s)", diagnostics)


@frozen
class Point:
    """The population at one value of the paramètre."""

    value: Decimal
    budget: int  # cents
    structures: int
    eligible: int
    gain: int | None = None  # against the reference, when there is one
    lose: int | None = None
    written: str = ""  # the value as `--set` accepts it
    low: int | None = None  # with repeated draws: the budget's 5 % and 95 % quantiles (`budget`: the quantile asked)
    high: int | None = None
    gap: Spread | None = None  # with draws and a reference: the gap to its budget over the draws

    @property
    def mean(self) -> Decimal:
        return Decimal(self.budget) / 100 / self.structures if self.structures else Decimal(0)


def parametre_kind(model, parametre: str) -> str:
    """How a paramètre's values are read and shown: its type, or `pourcentage` for a number written `25 %` (then
    `5` is read as 5 %)."""
    found = model.parametres[parametre]
    if found.type.kind == "nombre" and isinstance(found.node.value, n.Percent):
        return "pourcentage"
    return found.type.kind


class Sweeper:
    """One version, one population, one paramètre: the population's result at any value of it."""

    def __init__(self, program: Program, population, parametre: str, reference: PopulationResult | None = None):
        model = program.model
        if parametre not in model.parametres:
            raise DecisionError(
                [
                    Diagnostic(
                        "parametre-inconnu",
                        f"paramètre inconnu « {parametre} »",
                        file="--parametre",
                        suggestion=suggest(parametre, model.parametres)
                        or f"paramètres : {', '.join(model.parametres)}",
                    )
                ]
            )
        kind = parametre_kind(model, parametre)
        if kind not in ("montant", "nombre", "pourcentage"):
            raise DecisionError(
                [
                    Diagnostic(
                        "type-incompatible",
                        f"« {parametre} » est un {kind} : seuls un montant, un nombre ou un pourcentage se calibrent",
                        file="--parametre",
                    )
                ]
            )
        self.program, self.population, self.parametre, self.kind = program, population, parametre, kind
        self.vector = VectorProgram.of(model, program.scenarios)
        self.reference = reference.evaluated() if reference is not None else None
        self.results: dict[Decimal, PopulationResult] = {}

    @property
    def current(self) -> Decimal:
        return Decimal(self.program.parametres[self.parametre])

    def at(self, value: Decimal) -> Program:
        """The program with the paramètre at `value`."""
        try:
            return self.program.with_parametre(self.parametre, value)
        except ParametreError as error:
            raise DecisionError(
                [
                    Diagnostic(
                        "parametre-incalculable",
                        f"à {self.written(value)}, le paramètre "
                        f"« {error.id} » ne peut pas être calculé : {error.message}",
                        file="--parametre",
                    )
                ]
            ) from None

    def result(self, value: Decimal) -> PopulationResult:
        if value not in self.results:
            result = simulate(self.at(value), self.population, vector=self.vector)
            if result.errors:
                raise DecisionError(
                    [
                        Diagnostic(
                            "evaluation-impossible",
                            f"à {self.written(value)}, structure « {id} » : {message}",
                            file=self.population.path,
                        )
                        for id, message in result.errors
                    ]
                )
            self.results[value] = result
        return self.results[value]

    def point(self, value: Decimal) -> Point:
        result = self.result(value)
        gain = lose = None
        if self.reference is not None:
            changes = _aligned_changes(self.reference, result)
            gain, lose = int((changes > 0).sum()), int((changes < 0).sum())
        return Point(
            value,
            checked_sum(result.total, f"à {self.written(value)}, le budget"),
            len(result.total),
            int(result.eligible.sum()),
            gain,
            lose,
            self.written(value),
        )

    def written(self, value: Decimal) -> str:
        """The value as `--set ID=…` accepts it: `8.23€`, `4123`, `7.5%`."""
        shown = value * 100 if self.kind == "pourcentage" else value
        text = format(shown.normalize(), "f") if shown != shown.to_integral_value() else format(shown.quantize(1), "f")
        return f"{text}€" if self.kind == "montant" else f"{text}%" if self.kind == "pourcentage" else text


class DrawSweeper(Sweeper):
    """A sweeper under N draws of the scénarios' `tirage` (`--tirages`): at each value, the budget of every draw; a
    point's budget is the quantile `percent` of them (the median, or 5 % and 95 % for the interval of a
    calibration), its counts the medians; the reference, if any, is drawn with the same draws."""

    def __init__(
        self,
        program: Program,
        population,
        parametre: str,
        count: int,
        seed: int,
        reference: tuple[Program, Any] | None = None,
    ):
        super().__init__(program, population, parametre)
        self.count, self.seed, self.percent = count, seed, 50
        self.drawn: dict[Decimal, tuple[Draws, dict[str, list[int]]]] = {}
        self.reference_draws = None if reference is None else Draws(*reference, count, seed)
        self.reference_budgets = None if self.reference_draws is None else self._budgets(self.reference_draws)["budget"]

    def _budgets(self, draws: Draws) -> dict[str, list[int]]:
        """Per draw: the budget, the eligible structures and, against the reference, the winners and losers."""
        figures: dict[str, list[int]] = {"budget": [], "eligible": [], "gain": [], "lose": []}
        reference = self.reference_draws
        for start, stop in draws.blocks():
            budgets, eligible, _ = draws.sums(start, stop)
            figures["budget"] += budgets
            figures["eligible"] += eligible
        if reference is not None and draws is not reference:
            found = impact_draws(reference, draws)
            figures["gain"], figures["lose"] = list(found.gains), list(found.loses)
        return figures

    def figures(self, value: Decimal) -> tuple[Draws, dict[str, list[int]]]:
        if value not in self.drawn:
            like = next(iter(self.drawn.values()))[0] if self.drawn else None
            draws = Draws(self.at(value), self.population, self.count, self.seed, self.vector, like)
            self.drawn[value] = (draws, self._budgets(draws))
            self.results[value] = draws  # type: ignore[assignment]  # the values computed, for the report
        return self.drawn[value]

    def point(self, value: Decimal) -> Point:
        _, figures = self.figures(value)
        budgets = figures["budget"]
        gain = lose = gap = None
        if self.reference_budgets is not None:
            gain, lose = nearest_rank(figures["gain"], 50), nearest_rank(figures["lose"], 50)
            gap = Spread.of([b - r for b, r in zip(budgets, self.reference_budgets, strict=True)])
        return Point(
            value,
            nearest_rank(budgets, self.percent),
            self.population.size,
            nearest_rank(figures["eligible"], 50),
            gain,
            lose,
            self.written(value),
            nearest_rank(budgets, 5),
            nearest_rank(budgets, 95),
            gap,
        )

    def median_results(self, value: Decimal) -> tuple[int, PopulationResult, PopulationResult | None]:
        """At `value`: the median draw of the budget (from 0), its results, and the reference's in that draw."""
        draws, figures = self.figures(value)
        j = median_draw(figures["budget"])
        return j, draws.result(j), None if self.reference_draws is None else self.reference_draws.result(j)


def _aligned_changes(reference: PopulationResult, result: PopulationResult) -> np.ndarray:
    order = {id: i for i, id in enumerate(result.ids)}
    positions = np.array([order.get(id, -1) for id in reference.ids], dtype=np.int64)
    common = positions >= 0
    return result.total[positions[common]] - reference.total[common]


def sweep(sweeper: Sweeper, values: list[Decimal], progress: Callable[[int], None] | None = None) -> list[Point]:
    """The population at each value, in the order given."""
    points = []
    for value in values:
        points.append(sweeper.point(value))
        if progress is not None:
            progress(1)
    return points


# ---- calibration ----------------------------------------------------------------------------------------


@frozen
class Calibration:
    """Where the budget reaches the target, or why it cannot."""

    parametre: str
    written: str  # the value found, as `--set` accepts it
    target: int  # cents
    step: Decimal
    found: Point | None  # the first value at which the budget reaches the target
    before: Point | None  # the value just before it on the grid (its budget is on the other side)
    closest: Point  # the value whose budget is closest to the target
    monotone: bool
    direction: int  # +1: the budget grows with the value, −1: it shrinks, 0: it does not move
    note: str  # what the search saw, in words (monotonicity, why the target cannot be reached)
    points: tuple[Point, ...]  # every value computed, by value

    @property
    def reached(self) -> bool:
        return self.found is not None


def default_step(sweeper: Sweeper) -> Decimal:
    """The cent for a montant; the unit for a whole-number paramètre; else the ten-thousandth."""
    if sweeper.kind == "montant":
        return Decimal("0.01")
    return Decimal(1) if sweeper.current == sweeper.current.to_integral_value() else Decimal("0.0001")


def calibrate(
    sweeper: Sweeper, target: int, step: Decimal | None = None, low: Decimal | None = None, high: Decimal | None = None
) -> Calibration:
    """The first value (on the grid of `step`) at which the budget reaches `target` cents."""
    step = step or default_step(sweeper)
    start = int((sweeper.current / step).to_integral_value())

    def budget(k: int) -> int:
        return sweeper.point(k * step).budget

    direction = _direction(budget, start, low, high, step)
    if direction == 0:
        return _report(
            sweeper,
            target,
            step,
            None,
            None,
            0,
            "le budget ne dépend pas de ce paramètre : il est le même quelle que soit sa valeur",
        )
    reaches = (lambda b: b >= target) if direction > 0 else (lambda b: b <= target)
    bracket = _bracket(budget, reaches, start, step, low, high)
    if bracket is None:
        return _report(
            sweeper,
            target,
            step,
            None,
            None,
            direction,
            "la cible n'est pas atteinte dans l'intervalle cherché : la valeur la plus proche est donnée",
        )
    below, above = bracket
    if below is None:  # the lowest value allowed reaches it already: nothing below to compare with
        return _report(
            sweeper, target, step, above, None, direction, "la cible est atteinte dès la plus petite valeur permise"
        )
    while above - below > 1:
        middle = (below + above) // 2
        if reaches(budget(middle)):
            above = middle
        else:
            below = middle
    return _report(sweeper, target, step, above, below, direction, "")


def _direction(budget, start: int, low, high, step: Decimal) -> int:
    """Whether the budget grows (+1) or shrinks (−1) with the value, from a few values around the start."""
    lowest = int(low / step) if low is not None else 0
    highest = int(high / step) if high is not None else None
    for distance in (max(1, abs(start) // 10), max(1, abs(start)), 10 * max(1, abs(start))):
        up = start + distance if highest is None else min(start + distance, highest)
        down = max(start - distance, lowest)
        if budget(up) != budget(down):
            return 1 if budget(up) > budget(down) else -1
    return 0


def _bracket(budget, reaches, start: int, step: Decimal, low, high) -> tuple[int | None, int] | None:
    """Grid indices (not reaching, reaching) around the target, searched outwards from the start; (None,
    lowest) when even the lowest value allowed reaches it."""
    lowest = int(low / step) if low is not None else 0
    highest = int(high / step) if high is not None else None
    if reaches(budget(start)):  # go down until the budget no longer reaches the target
        distance = 1
        for _ in range(MAX_DOUBLINGS):
            candidate = max(start - distance, lowest)
            if not reaches(budget(candidate)):
                return candidate, start
            if candidate == lowest:
                return None, candidate
            start, distance = candidate, distance * 2
        return None
    distance = 1
    for _ in range(MAX_DOUBLINGS):
        candidate = start + distance if highest is None else min(start + distance, highest)
        if reaches(budget(candidate)):
            return start, candidate
        if candidate == highest:
            return None
        start, distance = candidate, distance * 2
    return None


def _report(
    sweeper: Sweeper, target: int, step: Decimal, found: int | None, before: int | None, direction: int, note: str
) -> Calibration:
    points = sorted((sweeper.point(value) for value in sweeper.results), key=lambda p: p.value)
    closest = min(points, key=lambda p: (abs(p.budget - target), p.value))
    monotone, where = _monotone(points, direction)
    if not monotone:
        note = (note + " ; " if note else "") + where
    elif direction:
        note = (note + " ; " if note else "") + f"le budget est monotone sur les {len(points)} valeurs calculées"
    chosen = sweeper.point(found * step) if found is not None else None
    return Calibration(
        sweeper.parametre,
        sweeper.written(chosen.value if chosen else closest.value),
        target,
        step,
        chosen,
        sweeper.point(before * step) if before is not None else None,
        closest,
        monotone,
        direction,
        note,
        tuple(points),
    )


def _monotone(points: list[Point], direction: int) -> tuple[bool, str]:
    for a, b in zip(points, points[1:], strict=False):
        if direction and (b.budget - a.budget) * direction < 0:
            return False, (
                f"le budget n'est pas monotone : il va de {a.budget / 100:.2f} € à {b.budget / 100:.2f} € "
                f"entre {a.value} et {b.value}, à rebours du reste"
            )
    return True, ""
