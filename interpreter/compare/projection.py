"""The budget over several years (`convcheck projette`, `diff … --de A --a B`): the versions in force each year along
the chain of bases, part-year by the months each is in force, and a population that grows.

A year is paid month by month under the version of the chain in force on the first day of each month (its
`en vigueur`), with its rules for that exercise when it has some (`exercice AAAA { … }`); consecutive months under
one version make a segment, paid the share months / 12 of that version's amounts — the part-year rule of the
language (`prorata`, `dsl.payment`): the version's prorata (1 when it states none), each line's own and each
minimum's multiplied by the share, so that each line's amount is multiplied before it is rounded to the cent,
majorations computed on the prorated lines, each minimum topping the total up to its own amount times its share. A
structure's own part-year (a prorata read from its données such as `mois_adhesion`) thus applies on top, as if spread
evenly over the year.

The population file is the first year's. Each following year, every structure already there takes the données
of the scénarios' `années suivantes { … }` blocks (its first year is behind it), and new structures join —
`croissance : 250 par an`, or `croissance : 3 % par an` of the year before (rounded half away from zero) —, each a
copy of a row of the population drawn by a hash (the same rows in every run), named `<année>-nouvelle-<n>`, with
the données of the `nouvelles structures { … }` blocks in its first year. These blocks are computed before the
scénarios' `données` lines.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from dsl import ir
from dsl import nodes as n
from dsl.diagnostics import ConvError, Diagnostic
from dsl.model import Model, Prorata
from dsl.records import evolve, frozen
from dsl.scenarios import Growth, Scenario
from interpreter.backends import draw, vector
from interpreter.backends.scalar import Program, compile_model
from interpreter.compare.sums import checked_sum
from interpreter.io.number_columns import Scaled
from interpreter.numbers import round_half_away

NOMBRE = ir.Type("nombre")
MAX_YEARS = 50
MAX_STRUCTURES = 10_000_000  # in a year of a projection, new structures included


@frozen
class Segment:
    """Consecutive months of a year paid under one version."""

    version: Any  # `interpreter.convention.Convention`
    first: int  # its first month (1 … 12)
    months: int

    @property
    def share(self) -> Fraction:
        return Fraction(self.months, 12)


def segments(versions: list, year: int) -> list[Segment]:
    """The months of `year`, grouped by the version in force on the first day of each (the last of the chain whose
    `en vigueur` is on or before it); months before the first version in force are paid nothing."""
    found: list[Segment] = []
    for month in range(1, 13):
        day = datetime.date(year, month, 1)
        dated = [v for v in versions if v.model.en_vigueur is not None and v.model.en_vigueur <= day]
        if not dated:
            continue
        version = dated[-1]
        if found and found[-1].version is version and found[-1].first + found[-1].months == month:
            found[-1] = evolve(found[-1], months=found[-1].months + 1)
        else:
            found.append(Segment(version, month, 1))
    return found


# ---- the part-year rule, on a model ------------------------------------------------------------------------


def _times(expr: ir.Expr, share: Fraction) -> ir.Expr:
    if share == 1:
        return expr
    factor = ir.Arithmetic("/", ir.Const(share.numerator, NOMBRE), ir.Const(share.denominator, NOMBRE), NOMBRE)
    return ir.Arithmetic("*", expr, factor, NOMBRE)


def prorated(model: Model, share: Fraction) -> Model:
    """The model paying `share` of the year, by the language's part-year rule (`prorata`, `dsl.payment`): the
    version's prorata (1 when it states none) times the share, each line's own prorata times the share, each
    minimum's prorata times the share — every line's amount multiplied before it is rounded to the cent."""
    if share == 1:
        return model
    one = ir.Const(1, NOMBRE)
    version = model.prorata
    prorata = Prorata(
        _times(one if version is None else version.value, share),
        n.Prorata(n.Number(Decimal(share.numerator)), span=None) if version is None else version.node,
    )
    return evolve(
        model,
        prorata=prorata,
        criteres={
            id: c if c.prorata is None else evolve(c, prorata=_times(c.prorata, share))
            for id, c in model.criteres.items()
        },
        briques={
            id: b if b.prorata is None else evolve(b, prorata=_times(b.prorata, share))
            for id, b in model.briques.items()
        },
        minimums={
            id: evolve(m, prorata=_times(one if m.prorata is None else m.prorata, share))
            for id, m in model.minimums.items()
        },
    )


def program_for(version, share: Fraction, first: tuple[Scenario, ...] = ()) -> Program:
    """A version's program paying `share` of the year, with scénarios computed before its own (the year blocks)."""
    program = version.program
    return compile_model(
        prorated(program.model, share),
        program.overrides,
        parametres=program.parametres,
        scenarios=(*first, *program.scenarios),
    )


# ---- the population, year by year --------------------------------------------------------------------------


def growth_of(scenarios) -> Growth | None:
    """The growth stated by the scénarios (at most one states it)."""
    stated = [s for s in scenarios if s.growth is not None]
    if len(stated) > 1:
        raise ConvError(
            [
                Diagnostic(
                    "croissance-invalide",
                    f"deux scénarios donnent une croissance : « {stated[0].id} » et « {stated[1].id} »",
                    file=stated[1].path,
                    suggestion="gardez la ligne « croissance : … par an » d'un seul scénario",
                )
            ]
        )
    return stated[0].growth if stated else None


def arrivals(growth: Growth | None, size: int, years: range) -> dict[int, int]:
    """New structures each year after the first: the growth's count, or its share of the year before (rounded half
    away from zero)."""
    found: dict[int, int] = {}
    count = size
    for year in years[1:]:
        if growth is None:
            added = 0
        elif growth.count is not None:
            added = growth.count
        else:
            assert growth.share is not None  # a growth is a count or a share
            added = int(round_half_away(growth.share * count, 0))
        found[year] = added
        count += added
        if count > MAX_STRUCTURES:
            raise ConvError(
                [
                    Diagnostic(
                        "projection-invalide",
                        f"la croissance donnerait {count:,} structures en {year} : "
                        f"c'est plus que les {MAX_STRUCTURES:,} qu'une projection calcule".replace(",", "\u202f"),
                        file="--scenario",
                        suggestion="vérifiez la ligne « croissance : … par an » du scénario",
                    )
                ]
            )
    return found


def newcomers(population, year: int, count: int, salt: str):
    """`count` new structures of `year`: copies of rows of the population drawn by a hash, with their own ids."""
    if count == 0 or population.size == 0:
        return None
    rows = np.array(
        [draw.structure_hash(f"{salt}/{year}", str(k)) % population.size for k in range(1, count + 1)], dtype=np.int64
    )
    ids = np.array([f"{year}-nouvelle-{k}" for k in range(1, count + 1)], dtype=object)
    return taken(population, rows, ids)


def taken(population, rows: np.ndarray, ids: np.ndarray):
    """The population's rows `rows` (in that order), under the ids given."""
    return evolve(
        population,
        ids=ids,
        columns={id: column[rows] for id, column in population.columns.items()},
        aside=population.aside[rows],
        problems=(),
    )


def joined(parts: list):
    """Populations one after the other."""
    parts = [p for p in parts if p is not None]
    if len(parts) == 1:
        return parts[0]
    columns: dict[str, Any] = {}
    for id in parts[0].columns:
        values = [p.columns[id] for p in parts]
        if hasattr(values[0], "num"):
            columns[id] = Scaled.joined(values)
        else:
            columns[id] = np.concatenate(values)
    return evolve(
        parts[0],
        ids=np.concatenate([p.ids for p in parts]),
        columns=columns,
        aside=np.concatenate([p.aside for p in parts]),
        problems=(),
    )


# ---- the projection ----------------------------------------------------------------------------------------


@frozen
class Part:
    """One version's share of a year, for one group of structures."""

    version: str  # the version's name
    first: int  # its first month
    months: int
    budget: int  # cents
    exercise: bool = False  # paid under the version's rules of that exercise (`exercice AAAA { … }`)


@frozen
class Year:
    """One year of a projection."""

    year: int
    structures: int
    new: int  # structures that join this year
    budget: int  # cents
    new_budget: int  # what the structures that join this year are paid
    parts: tuple[Part, ...]  # by version, in the order of the months


@frozen
class Projection:
    """A version's budget year by year."""

    version: Any  # `interpreter.convention.Convention`: the version named
    years: tuple[Year, ...]
    growth: Growth | None
    population: str
    versions: tuple = ()  # every version that pays some month of those years, in the chain's order

    @property
    def total(self) -> int:
        return sum(y.budget for y in self.years)


def project(version, chain: list, tables: dict, start: int, stop: int, yearly: dict | None = None) -> Projection:
    """The budget of `version` from `start` to `stop` (years, included): `chain` holds the versions of its chain of
    bases, loaded under the same hypotheses, root first; `tables`, by version name, the population read for each
    version in force during those years (the same rows); `yearly`, by (version name, year), the version with its
    rules for that exercise and the population read for it, for the years whose rules are its own."""
    yearly = yearly or {}
    years = range(start, stop + 1)
    growth = growth_of(version.scenarios)
    size = next(iter(tables.values())).size
    plan = arrivals(growth, size, years)
    salt = f"croissance/{next((s.id for s in version.scenarios if s.growth is not None), '')}"
    found = []
    paying: dict[str, Any] = {}
    for year in years:
        parts: dict[tuple[str, int], list] = {}
        new_budget = 0
        for segment in segments(chain, year):
            name = segment.version.name
            paying.setdefault(name, segment.version)
            convention, base = yearly.get((name, year), (segment.version, tables[name]))
            present = joined([base, *(newcomers(base, y, plan.get(y, 0), salt) for y in years if y < year)])
            groups = [
                (present, () if year == start else "following"),
                (newcomers(base, year, plan.get(year, 0), salt), "entering"),
            ]
            for number, (table, block) in enumerate(groups):
                if table is None:
                    continue
                budget = _budget(evolve(segment, version=convention), table, block, year)
                parts.setdefault((name, segment.first), [segment.months, 0, (name, year) in yearly])[1] += budget
                new_budget += budget if number == 1 else 0
        found.append(
            Year(
                year,
                size + sum(plan.get(y, 0) for y in years if y <= year),
                plan.get(year, 0),
                sum(part[1] for part in parts.values()),
                new_budget,
                tuple(Part(name, first, months, budget, own) for (name, first), (months, budget, own) in parts.items()),
            )
        )
    return Projection(
        version, tuple(found), growth, next(iter(tables.values())).path, tuple(v for v in chain if v.name in paying)
    )


def _budget(segment: Segment, table, block, year: int) -> int:
    """What a group of structures is paid under one segment of a year."""
    version = segment.version
    first = (
        ()
        if not block
        else tuple(
            Scenario(s.id, s.label, s.path, {}, getattr(s, block)) for s in version.scenarios if getattr(s, block)
        )
    )
    program = program_for(version, segment.share, first)
    result = vector.simulate(program, table)
    if result.errors:
        raise ConvError(
            [
                Diagnostic(
                    "evaluation-impossible",
                    f"en {year}, sous « {version.name} », structure « {id} » : {message}",
                    file=table.path,
                )
                for id, message in result.errors
            ]
        )
    return checked_sum(result.total, f"en {year}, sous « {version.name} », le budget", file=table.path)
