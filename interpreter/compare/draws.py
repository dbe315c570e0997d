"""Repeated draws: how sure a figure is when a scénario draws structures with `tirage` (`--tirages N --graine S`).

A scénario's `tirage(p)` picks one fixed share p of the structures, by a hash of « salt/id »
(`interpreter.backends.draw`). Draw n° j (1 … N) under seed S hashes « salt@S.j/id » instead: N draws as
independent as the hash, the same for every run with that seed, and the default single draw untouched.

Speed. N draws must not cost N simulations: a draw decides nothing but, for each `tirage` node and
each structure, true or false — everything else is the same in every draw. With k nodes a structure has at
most 2^k outcomes, so the population is evaluated once per combination of outcomes (each node's outcome
given instead of hashed, `interpreter.backends.vector.evaluate_vector`), and draw j of structure s reads
the results of the combination its hashes select. The hashes of many draws are computed at once, over
the id bytes, as a matrix (`interpreter.backends.draw.many_hashes`). A share that depends on a drawn
donnée (or more than `MAX_NODES` nodes) leaves one exact simulation per draw, slower.

A combination that no draw selects for a structure is never read: a value it could not compute there
is no error. One that is selected and could not be computed by the vector backend is computed by the
scalar backend under the draw that selected it (or reported with that draw's number).

Figures over the draws are given as the median and the 5–95 % interval, by nearest rank: of N values in
order, the q-quantile is the value of rank ⌈q × N⌉ (an observed value, exact in cents). The details of a
report are those of the median draw: the first draw, in order, whose key figure is the median.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from dsl import ir
from dsl.diagnostics import ConvError, Diagnostic
from dsl.records import evolve, frozen
from dsl.scenarios import Scenario
from interpreter.backends import draw, vector
from interpreter.backends.results import PopulationResult, to_micro
from interpreter.backends.scalar import Program, compile_model, evaluate
from interpreter.compare.guarantee import top_ups
from interpreter.compare.sums import exact_row_sums
from interpreter.numbers import EvaluationError

MAX_NODES = 4  # beyond 2⁴ combinations of outcomes per structure, one simulation per draw
MAX_ROWS = 4_000_000  # draws × structures hashed at once
MAX_COMBINED = 64_000_000  # combinations × structures held (beyond: one simulation per draw)
MAX_DRAWN = 200_000_000  # draws × structures (by combinations: a minute or so on a small machine)
MAX_SIMULATED = 20_000_000  # draws × structures when each draw is simulated (every total is held)
PERCENTS = (5, 50, 95)


def draw_salt(salt: str, seed: int, number: int) -> str:
    """The salt of draw n° `number` (from 1) under `seed`."""
    return f"{salt}@{seed}.{number}"


# ---- the scénarios of one draw ---------------------------------------------------------------------------


def salted_expr(expr: ir.Expr, seed: int, number: int) -> ir.Expr:
    """The expression with each `tirage` drawn by draw n° `number` (the nodes on the way rebuilt, the rest shared)."""
    if not any(isinstance(e, ir.Draw) for e in ir.walk(expr)):
        return expr
    changed: dict[str, Any] = {}
    for name in ("operand", "left", "right", "condition", "then", "otherwise", "share"):
        child = getattr(expr, name, None)
        if child is not None and not isinstance(child, (str, int, bool)):
            changed[name] = salted_expr(child, seed, number)
    for name in ("choices", "args"):
        children = getattr(expr, name, None)
        if isinstance(children, tuple):
            changed[name] = tuple(salted_expr(c, seed, number) for c in children)
    if isinstance(expr, ir.Draw):
        changed["salt"] = draw_salt(expr.salt, seed, number)
    return evolve(expr, **changed)


def salted(scenarios: Sequence[Scenario], seed: int, number: int) -> tuple[Scenario, ...]:
    """The scénarios of draw n° `number`: every `tirage` hashed with that draw's salt."""
    return tuple(evolve(s, donnees=tuple((id, salted_expr(e, seed, number)) for id, e in s.donnees)) for s in scenarios)


def draw_nodes(scenarios: Sequence[Scenario]) -> list[ir.Draw]:
    """Every `tirage` node of the scénarios' données, in the order they are computed."""
    return [node for s in scenarios for _, expr in s.donnees for node in ir.walk(expr) if isinstance(node, ir.Draw)]


def slow_reason(scenarios: Sequence[Scenario]) -> str | None:
    """Why the draws need one simulation each (None: combinations of outcomes will do): a share that reads a donnée
    computed from a draw (or is itself drawn), or too many `tirage` nodes."""
    if len(draw_nodes(scenarios)) > MAX_NODES:
        return f"plus de {MAX_NODES} tirages dans les scénarios"
    drawn: set[str] = set()
    for scenario in scenarios:
        for id, expr in scenario.donnees:
            for node in (n for n in ir.walk(expr) if isinstance(n, ir.Draw)):
                if ir.donnees_read(node.share) & drawn or any(isinstance(e, ir.Draw) for e in ir.walk(node.share)):
                    return f"la part tirée de « {id} » dépend d'un autre tirage"
            if any(isinstance(e, ir.Draw) for e in ir.walk(expr)) or ir.donnees_read(expr) & drawn:
                drawn.add(id)
            else:
                drawn.discard(id)
    return None


# ---- quantiles ---------------------------------------------------------------------------------------------


def nearest_rank(values: Sequence[int], percent: int) -> int:
    """The `percent`-quantile by nearest rank: the value of rank ⌈percent × N / 100⌉ in increasing order."""
    ordered = sorted(values)
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


@frozen
class Spread:
    """A figure over the draws: its 5 %, 50 % (median) and 95 % quantiles, by nearest rank."""

    low: int
    median: int
    high: int

    @classmethod
    def of(cls, values: Sequence[int]) -> Spread:
        return cls(*(nearest_rank(values, p) for p in PERCENTS))

    @property
    def certain(self) -> bool:
        return self.low == self.high


def median_draw(values: Sequence[int]) -> int:
    """The first draw (from 0), in order, whose value is the median."""
    return list(values).index(nearest_rank(values, 50))


# ---- one version's population under N draws ---------------------------------------------------------------


class Draws:
    """A population evaluated under N draws of its scénarios' `tirage`, by one version."""

    def __init__(
        self,
        program: Program,
        population,
        count: int,
        seed: int,
        compiled: vector.VectorProgram | None = None,
        like: Draws | None = None,
    ):
        """`compiled`: the program's vector program, when already compiled; `like`: draws of the same population and
        scénarios (another value of a paramètre) whose outcomes are reused when the shares are the same."""
        self.program, self.population, self.count, self.seed = program, population, count, seed
        self.vector = compiled or vector.VectorProgram.of(program.model, program.scenarios)
        self.outcomes: dict[tuple[int, int], np.ndarray] = {}  # (start, stop) → the codes of those draws
        self.like = like
        self.nodes = draw_nodes(program.scenarios)
        self.size = population.size
        self.slow = slow_reason(program.scenarios) or (
            "trop de structures pour les combiner" if 2 ** len(self.nodes) * self.size > MAX_COMBINED else None
        )
        limit = MAX_DRAWN if self.slow is None else MAX_SIMULATED
        if count * self.size > limit:
            most = max(limit // max(self.size, 1), 1)
            raise ConvError(
                [
                    Diagnostic(
                        "tirages-trop-nombreux",
                        f"{count} tirages de {self.size} structures : c'est "
                        f"plus que les {limit:,} structures tirées que convcheck calcule en une "
                        "fois".replace(",", "\u202f"),
                        file="--tirages",
                        suggestion=f"demandez au plus {most} tirages pour cette population",
                    )
                ]
            )
        self.lines: list[str] = []  # the paying lines of a result
        if self.slow is None:
            self._combine()
        else:
            self._simulate_each()

    # -- the combinations of outcomes (the fast way) --

    def _combine(self) -> None:
        population = self.population
        shares = vector.draw_shares(self.vector, self.program, self.size, population.columns, population.ids)
        self.limits = [self._limit(shares[id(node)]) for node in self.nodes]
        parts = []
        for code in range(2 ** len(self.nodes)):
            forced = {id(node): bool(code >> d & 1) for d, node in enumerate(self.nodes)}
            parts.append(self._evaluate(forced))
        self.lines = list(parts[0][0].lines)
        self.parts = [p[0] for p in parts]
        self.totals = np.stack([p[0].total.astype(np.int64) for p in parts])
        self.eligible = np.stack([p[0].eligible for p in parts])
        self.points = np.stack([p[0].total_points for p in parts])
        self._line_cents: dict[str, np.ndarray] | None = None
        self.errors = np.stack([p[1] for p in parts])
        self.encoded = draw.id_bytes(population.ids)
        like = self.like
        if (
            like is not None
            and like.slow is None
            and like.population is population
            and like.seed == self.seed
            and [n.salt for n in like.nodes] == [n.salt for n in self.nodes]
            and _same(like.limits, self.limits)
        ):
            self.outcomes = like.outcomes  # the same draws decide the same outcomes

    def _evaluate(self, forced: dict) -> tuple[PopulationResult, np.ndarray]:
        """The population with each `tirage` node's outcome given, by the vector backend alone (in chunks)."""
        population, results, errors = self.population, [], []
        for start in range(0, max(self.size, 1), 100_000):
            stop = min(start + 100_000, self.size)
            columns = {id: value[start:stop] for id, value in population.columns.items()}
            result, bad = vector.evaluate_vector(
                self.vector,
                self.program,
                stop - start,
                columns,
                population.ids[start:stop],
                population.aside[start:stop],
                forced,
            )
            results.append(result)
            errors.append(bad.copy())
        if len(results) == 1:
            return results[0], errors[0]
        joined = PopulationResult(
            population.ids,
            np.concatenate([r.eligible for r in results]),
            {id: np.concatenate([r.lines[id].astype(np.int64) for r in results]) for id in results[0].lines},
            np.concatenate([r.total.astype(np.int64) for r in results]),
            np.concatenate([r.total_points for r in results]),
            0,
            (),
        )
        return joined, np.concatenate(errors)

    @property
    def line_cents(self) -> dict[str, np.ndarray]:
        """Each line's amounts, a row per combination — a single row for a line that no draw moves (stacked when first
        asked: a calibration never asks)."""
        if self._line_cents is None:
            self._line_cents = {}
            for id in self.lines:
                rows = [part.lines[id] for part in self.parts]
                same = all(np.array_equal(rows[0], row) for row in rows[1:])
                self._line_cents[id] = np.stack([r.astype(np.int64) for r in (rows[:1] if same else rows)])
        return self._line_cents

    def _limit(self, share) -> tuple[np.ndarray | np.uint64, np.ndarray | bool]:
        """Per structure (or for all): the hashes below which a structure is drawn, and where every hash is."""
        if isinstance(share.num, int) and isinstance(share.den, int):
            limit = draw.threshold(Fraction(share.num, share.den))
            return np.uint64(min(limit, 2**64 - 1)), limit >= 2**64
        num = np.broadcast_to(np.asarray(share.num, dtype=object), (self.size,))
        den = np.broadcast_to(np.asarray(share.den, dtype=object), (self.size,))
        limits = [draw.threshold(Fraction(int(n), int(d))) if d else 0 for n, d in zip(num, den, strict=True)]
        return (
            np.array([min(v, 2**64 - 1) for v in limits], dtype=np.uint64),
            np.array([v >= 2**64 for v in limits], dtype=bool),
        )

    def codes(self, start: int, stop: int) -> np.ndarray:
        """The combination each structure takes in draws start … stop − 1 (from 0): a matrix, one row per draw (kept
        when they fit in one block: a sweep asks again at every value)."""
        found = self.outcomes.get((start, stop))
        if found is None:
            found = self._codes(start, stop)
            if (stop - start) * self.size <= MAX_ROWS:
                self.outcomes[(start, stop)] = found
        return found

    def _codes(self, start: int, stop: int) -> np.ndarray:
        numbers = range(start + 1, stop + 1)
        code = np.zeros((stop - start, self.size), dtype=np.int16)
        hashed: dict[str, np.ndarray] = {}
        for d, node in enumerate(self.nodes):
            if node.salt not in hashed:
                hashed[node.salt] = draw.many_hashes(
                    [draw_salt(node.salt, self.seed, j) for j in numbers], self.encoded
                )
            limit, always = self.limits[d]
            drawn = hashed[node.salt] < limit
            drawn |= always
            code |= drawn.astype(np.int16) << d
        return code

    def _checked(self, code: np.ndarray, start: int) -> None:
        """Structures whose selected combination the vector backend could not compute: computed by the scalar backend
        under the first draw that selects it (the combination decides the result), or reported."""
        if not self.errors.any():
            return
        rows, columns = np.nonzero(self.errors[code, np.arange(self.size)])
        for row, s in zip(rows.tolist(), columns.tolist(), strict=True):
            c = int(code[row, s])
            if self.errors[c, s]:
                self._scalar(c, s, start + row + 1)

    def _scalar(self, c: int, s: int, number: int) -> None:
        program = self.program
        drawn = compile_model(
            program.model,
            program.overrides,
            parametres=program.parametres,
            scenarios=salted(program.scenarios, self.seed, number),
        )
        structure = str(self.population.ids[s])
        try:
            result = evaluate(drawn, self.population.exact_inputs(program.model)(s), explain=False, structure=structure)
        except EvaluationError as error:
            raise ConvError(
                [
                    Diagnostic(
                        "evaluation-impossible",
                        f"au tirage n° {number} (graine {self.seed}), structure « {structure} » : {error}",
                        file=self.population.path,
                    )
                ]
            ) from None
        self.errors[c, s] = False
        self.totals[c, s] = int(result.total * 100)
        self.eligible[c, s] = result.eligible
        self.points[c, s] = int(to_micro(result.total_points))
        for id in self.lines:
            cents = self.line_cents[id]
            if len(cents) == 1 and len(self.totals) > 1:  # the combination now differs from the others
                cents = self._line_cents[id] = np.repeat(cents, len(self.totals), axis=0)  # type: ignore[index]
            cents[c, s] = int(result.line(id).montant * 100)

    # -- one simulation per draw (the exact, slower way) --

    def _simulate_each(self) -> None:
        self.totals = np.zeros((self.count, self.size), dtype=np.int64)
        self.eligible = np.zeros((self.count, self.size), dtype=bool)
        self.line_sums: dict[str, list[int]] = {}
        for j in range(self.count):
            result = self._simulation(j)
            self.lines = list(result.lines)
            self.totals[j] = result.total
            self.eligible[j] = result.eligible
            for id in self.lines:
                self.line_sums.setdefault(id, [0] * self.count)[j] = int(result.lines[id].astype(object).sum())

    def _simulation(self, j: int) -> PopulationResult:
        program = self.program
        drawn = compile_model(
            program.model,
            program.overrides,
            parametres=program.parametres,
            scenarios=salted(program.scenarios, self.seed, j + 1),
        )
        result = vector.simulate(drawn, self.population)
        if result.errors:
            raise ConvError(
                [
                    Diagnostic(
                        "evaluation-impossible",
                        f"au tirage n° {j + 1} (graine {self.seed}), structure « {id} » : {message}",
                        file=self.population.path,
                    )
                    for id, message in result.errors
                ]
            )
        return result

    # -- what the reports read --

    def blocks(self) -> Iterator[tuple[int, int]]:
        """Ranges of draws small enough to hold draws × structures at once."""
        step = max(1, MAX_ROWS // max(self.size, 1))
        for start in range(0, self.count, step):
            yield start, min(start + step, self.count)

    def checked_codes(self, start: int, stop: int) -> np.ndarray:
        """`codes`, every selected combination computed (or reported)."""
        code = self.codes(start, stop)
        self._checked(code, start)
        return code

    def block(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Draws start … stop − 1 (from 0): every structure's total (cents) and eligibility, as matrices with a row per
        draw."""
        if self.slow is not None:
            return self.totals[start:stop], self.eligible[start:stop]
        picked = self.checked_codes(start, stop) * self.size + np.arange(self.size)
        return np.take(self.totals, picked), np.take(self.eligible, picked)

    def sums(self, start: int, stop: int, lines: bool = False) -> tuple[list[int], list[int], dict[str, list[int]]]:
        """Draws start … stop − 1 (from 0): the budget and the eligible structures of each draw, and with `lines` the
        budget of each line in each draw (cents)."""
        if self.slow is not None:
            sums = {id: values[start:stop] for id, values in self.line_sums.items()} if lines else {}
            return (
                exact_row_sums(self.totals[start:stop]),
                [int(v) for v in self.eligible[start:stop].sum(axis=1)],
                sums,
            )
        code = self.checked_codes(start, stop)
        moving = [id for id in self.lines if len(self.line_cents[id]) > 1] if lines else []
        tables = [self.totals, self.eligible.astype(np.int64), *(self.line_cents[id] for id in moving)]
        found = dict(zip(["total", "eligible", *moving], per_draw(code, tables), strict=True))
        for id in self.lines if lines else ():
            if id not in found:  # no draw moves it
                found[id] = [exact_row_sums(self.line_cents[id])[0]] * (stop - start)
        return found.pop("total"), found.pop("eligible"), {id: found[id] for id in self.lines if lines}

    def result(self, j: int) -> PopulationResult:
        """Every structure's result in draw j (from 0)."""
        if self.slow is not None:
            return self._simulation(j)
        picked, every = self.checked_codes(j, j + 1)[0], np.arange(self.size)
        return PopulationResult(
            self.population.ids,
            self.eligible[picked, every].copy(),
            {id: cents[picked, every] if len(cents) > 1 else cents[0].copy() for id, cents in self.line_cents.items()},
            self.totals[picked, every],
            self.points[picked, every],
            0,
            (),
        )


def per_draw(code: np.ndarray, tables: list[np.ndarray]) -> list[list[int]]:
    """For each table (integers, a row per combination) and each draw (a row of `code`: the combination each structure
    takes), the sum over the structures of `table[combination, structure]`, exactly: the table's first row, plus, for
    each other combination, where it is taken times its differences — one matrix product per combination for all the
    tables, in float64 (BLAS) when every partial sum stays below 2⁵³ and is thus an exact integer; else each
    structure's value picked and summed in integers."""
    rows, size = code.shape
    bases = [exact_row_sums(table[:1])[0] for table in tables]
    if len(tables[0]) == 1:
        return [[base] * rows for base in bases]
    differences = np.stack([table[1:] - table[0] for table in tables], axis=-1)  # combination, structure, table
    if int(np.abs(differences).max(initial=0)) * size * len(differences) >= 2**53:
        return [exact_row_sums(np.take(table, code.astype(np.int64) * size + np.arange(size))) for table in tables]
    total = np.zeros((rows, len(tables)), dtype=np.float64)
    for c, difference in enumerate(differences, start=1):
        if difference.any():
            total += (code == c).astype(np.float64) @ difference.astype(np.float64)
    return [[base + int(v) for v in total[:, t]] for t, base in enumerate(bases)]


def _same(limits: list, others: list) -> bool:
    """Whether two lists of (limit, always) give the same outcomes."""
    return len(limits) == len(others) and all(
        np.array_equal(a, c) and np.array_equal(b, e) for (a, b), (c, e) in zip(limits, others, strict=True)
    )


def draws_needed(programs: Sequence[Program]) -> None:
    """`--tirages` asks how the draws move a figure: refused (in French) when no scénario applied draws anything."""
    if not any(draw_nodes(p.scenarios) for p in programs):
        raise ConvError(
            [
                Diagnostic(
                    "tirages-sans-tirage",
                    "aucun scénario appliqué ne contient de « tirage(…) » : le "
                    "chiffre ne dépend d'aucun tirage, il est le même à chaque tirage",
                    file="--tirages",
                    suggestion="retirez --tirages, ou appliquez un scénario qui tire des structures au "
                    "sort (--scenario)",
                )
            ]
        )


# ---- figures over the draws --------------------------------------------------------------------------------


@frozen
class SimulationDraws:
    """A simulation under N draws: the budget, the eligible structures and each line that moves, over the draws."""

    count: int
    seed: int
    budgets: tuple[int, ...]  # per draw, cents
    budget: Spread
    eligible: Spread
    lines: tuple[tuple[str, Spread], ...]  # the lines whose budget differs from one draw to another
    median: int  # the median draw (from 0), whose details the report shows
    slow: str | None = None  # why each draw was simulated on its own


def simulation_draws(draws: Draws) -> SimulationDraws:
    budgets: list[int] = []
    eligible: list[int] = []
    lines: dict[str, list[int]] = {id: [] for id in draws.lines}
    for start, stop in draws.blocks():
        totals, chosen, sums = draws.sums(start, stop, lines=True)
        budgets += totals
        eligible += chosen
        for id, values in sums.items():
            lines[id] += values
    moving = tuple((id, Spread.of(values)) for id, values in lines.items() if len(set(values)) > 1)
    return SimulationDraws(
        draws.count,
        draws.seed,
        tuple(budgets),
        Spread.of(budgets),
        Spread.of(eligible),
        moving,
        median_draw(budgets),
        draws.slow,
    )


@frozen
class ImpactDraws:
    """An impact under N draws (the same draws for both versions): budgets, change, winners, losers, losses and
    the guarantee's cost, over the draws."""

    count: int
    seed: int
    before: Spread
    after: Spread
    delta: Spread
    gain: Spread
    lose: Spread
    losses: Spread
    guarantee: Spread | None
    deltas: tuple[int, ...]  # per draw, cents
    median: int  # the median draw of the change (from 0), whose details the report shows
    slow: tuple[str, ...] = ()
    gains: tuple[int, ...] = ()  # per draw: the structures that gain, that lose
    loses: tuple[int, ...] = ()


def impact_draws(before: Draws, after: Draws, share: Fraction | None = None) -> ImpactDraws:
    """The impact of going from `before` to `after` in each draw, on the structures both evaluated."""
    order = {id: i for i, id in enumerate(after.population.ids)}
    positions = np.array([order.get(id, -1) for id in before.population.ids], dtype=np.int64)
    common = positions >= 0
    figures: dict[str, list[int]] = {name: [] for name in ("before", "after", "gain", "lose", "losses", "guarantee")}
    for start, stop in before.blocks():
        found = (_changes_combined if before.slow is None and after.slow is None else _changes_picked)(
            before, after, start, stop, common, positions[common], share
        )
        for name, values in found.items():
            figures[name] += values
    deltas = [a - b for a, b in zip(figures["after"], figures["before"], strict=True)]
    spread = {name: Spread.of(values) for name, values in figures.items() if values}
    return ImpactDraws(
        before.count,
        before.seed,
        spread["before"],
        spread["after"],
        Spread.of(deltas),
        spread["gain"],
        spread["lose"],
        spread["losses"],
        spread.get("guarantee"),
        tuple(deltas),
        median_draw(deltas),
        tuple(dict.fromkeys(d.slow for d in (before, after) if d.slow)),
        tuple(figures["gain"]),
        tuple(figures["lose"]),
    )


def _changes_picked(before: Draws, after: Draws, start: int, stop: int, common, positions, share) -> dict:
    """The figures of an impact in draws start … stop − 1, from every structure's totals in each draw."""
    old, new = before.block(start, stop)[0][:, common], after.block(start, stop)[0][:, positions]
    changes = new - old
    found = {
        "before": exact_row_sums(old),
        "after": exact_row_sums(new),
        "gain": [int(v) for v in (changes > 0).sum(axis=1)],
        "lose": [int(v) for v in (changes < 0).sum(axis=1)],
        "losses": [-v for v in exact_row_sums(np.minimum(changes, 0))],
    }
    if share is not None:
        found["guarantee"] = exact_row_sums(top_ups(changes.ravel(), share).reshape(changes.shape))
    return found


def _changes_combined(before: Draws, after: Draws, start: int, stop: int, common, positions, share) -> dict:
    """The same from the combinations: a structure's change depends only on the pair of combinations it takes in the
    two versions, so each figure is a table per pair, summed over the structures by `per_draw`."""
    old_code = before.checked_codes(start, stop)[:, common]
    new_code = after.checked_codes(start, stop)[:, positions]
    pairs = len(before.totals)
    joint = new_code if pairs == 1 else new_code.astype(np.int64) * pairs + old_code
    old_totals, new_totals = before.totals[:, common], after.totals[:, positions]
    old_joint = np.tile(old_totals, (len(new_totals), 1))  # a row per pair (new combination, old combination)
    new_joint = np.repeat(new_totals, pairs, axis=0)
    changes = new_joint - old_joint
    names = ["before", "after", "gain", "lose", "losses"]
    tables = [
        old_joint,
        new_joint,
        (changes > 0).astype(np.int64),
        (changes < 0).astype(np.int64),
        np.maximum(-changes, 0),
    ]
    if share is not None:
        names.append("guarantee")
        tables.append(np.asarray(top_ups(changes.ravel(), share), dtype=np.int64).reshape(changes.shape))
    return dict(zip(names, per_draw(joint, tables), strict=True))
