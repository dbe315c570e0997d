"""The default engine on a population file: read, certified and evaluated in one polars query.

`interpreter.io.certified` reads the file's columns in a lazy query, each cell certified to be the value
convcheck's reader gives it; `interpreter.backends.lazy` adds the version's computation to the same
query; polars runs it on every core, reading only the columns used. When a row is not certified (a
value the reader would refuse or read otherwise, a repeated id…), or the file is not one this path
reads (JSON Lines, Excel, a CSV file not in UTF-8), `simulate` returns None and the caller reads the
population with convcheck's reader and evaluates it with the vector backend: same figures, and the
reader's diagnostics, whichever path ran. Rows whose evaluation is impossible (a division by zero, an
amount beyond the limit) are evaluated by the scalar backend, which says why.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from decimal import Decimal, localcontext
from pathlib import Path
from typing import cast

import polars as pl

from dsl.payment import Plan
from dsl.records import frozen
from interpreter.backends import lazy
from interpreter.backends.results import PopulationResult, scalar_rows
from interpreter.io import certified
from interpreter.io.certified import CERTAIN, Column, Source
from interpreter.io.defaults import constant_column
from interpreter.io.number_columns import Scaled
from interpreter.io.numbers import NUMERIC
from interpreter.io.tables import LazyArray, Population, Table, check_columns, numeric_donnees, read_table
from interpreter.ondemand import np

EPOCH = datetime.date(1970, 1, 1)
RANK = "#rang"


@frozen
class Reading:
    """How the file was read: its source, each column's decimals, the données read or given their default."""

    source: Source
    scale: dict[str, int]
    supplied: frozenset[str]

    def query(self, model, keep=frozenset()) -> tuple[pl.LazyFrame, dict]:
        return certified.reading(self.source, model, self.scale, self.supplied, keep)


def simulate(convention, population, other_columns=frozenset(), keep=frozenset()):
    """(the population as read, its results, None) — or None when this path cannot read the file as
    convcheck's reader would (the caller then reads it with the reader)."""
    if not isinstance(population, (str, Path)):
        return None
    path = population if isinstance(population, str) else str(population)
    model = convention.model
    try:
        source = certified.source(path)
        header = Table(pl.DataFrame(schema=source.types), source.kind, header=source.header)
        warnings = check_columns(path, header, model, other_columns, convention.supplied)
        first = certified.scales(source, model, [id for id in model.donnees if id in source.header])
    except Exception:  # a column problem, a file polars cannot read: the reader says it in its own words
        return None
    kept = sorted(c for c in keep if c in source.header and c != "id")
    widest = certified.widest(source, model, first)
    for scale in [first] if widest == first else [first, widest]:  # more decimals further down: read again
        reading = Reading(source, scale, convention.supplied)
        frame = _run(convention, reading, kept)
        if frame is not None:
            break
    else:
        return None
    table = _population(convention, reading, frame, warnings, kept)
    return table, _result(convention, reading, frame, table.ids), None


def _run(convention, reading: Reading, keep: list[str]) -> pl.DataFrame | None:
    """The query's results in one chunk per column (polars joins its chunks in parallel; numpy's columns are
    then views, not copies), or None when a row is not certified or an id is repeated."""
    try:
        query, held = reading.query(convention.model, frozenset(keep))
        defaulted = [c.defaulted for c in held.values() if isinstance(c, Column) and c.defaulted]
        frame = lazy.results(convention.program, query, held, ["id", CERTAIN, *defaulted, *keep]).collect(
            engine="streaming"
        )
    except Exception:  # a column type this path does not read, a file polars cannot read: the reader says why
        return None
    if not frame[CERTAIN].all() or frame["id"].hash().n_unique() < frame.height:  # distinct hashes: distinct ids
        return None
    return frame


def _result(convention, reading: Reading, frame: pl.DataFrame, ids: np.ndarray) -> PopulationResult:
    """The results: polars' columns, made numpy arrays when they are used as such (`LazyArray`); when rows are set
    aside, numpy arrays (each taken out of `frame` as it is converted: the memory of both is never held at once),
    into which the scalar backend writes those rows."""
    aside = bool(frame[lazy.BAD].any())

    def column(name: str) -> np.ndarray:
        if not aside:
            return cast("np.ndarray", LazyArray(frame[name]))  # used as the array it becomes (numpy is not imported)
        return frame.drop_in_place(name).rechunk().to_numpy(writable=True)  # the scalar backend writes into it

    paying = Plan.of(convention.model).paying
    lines = {id: column(lazy.line_column(i)) for i, id in enumerate(paying)}
    result = PopulationResult(ids, column(lazy.ELIGIBLE), lines, column(lazy.TOTAL), column(lazy.POINTS), 0, ())
    if not aside:
        return result
    bad = np.flatnonzero(frame[lazy.BAD].to_numpy())
    values = exact_rows(convention.model, reading, bad)
    return scalar_rows(convention.program, result, bad, values.__getitem__)


def _population(convention, reading: Reading, frame: pl.DataFrame, warnings: list, keep: list[str]) -> Population:
    """The population as read: its ids, the `keep` columns as read, the defaults taken; its exact columns
    are read again from the file if asked for (`ExactColumns`)."""
    model = convention.model
    size = frame.height
    defaults = {}
    for id, donnee in model.donnees.items():
        if donnee.default is None or id in reading.supplied:
            continue
        if id not in reading.source.header:
            defaults[id] = size
        elif (count := int(frame[f"#defaut:{id}"].sum())) > 0:
            defaults[id] = count
    kept = frame.select(["id", *keep])
    path = reading.source.path
    numeric = numeric_donnees(model)
    return Population(
        path,
        kept,
        cast("np.ndarray", LazyArray(kept["id"])),  # used as the array it becomes
        ExactColumns(model, reading, size),
        cast("np.ndarray", LazyArray(pl.repeat(False, size, eager=True))),  # no row aside: every one was certified
        (),
        kept.clear(),
        tuple(warnings),
        reading.source.header,
        lambda: read_table(path, numeric).frame,
        {id: n for id, n in defaults.items() if n},
    )


class ExactColumns(Mapping):
    """The population's exact columns as convcheck's reader holds them (`Scaled` numbers, booléens, days,
    indices of choices), read again from the file the first time they are asked for: the evaluation itself
    never needs them."""

    def __init__(self, model, reading: Reading, size: int):
        self.model, self.reading, self.size = model, reading, size
        self.read: dict | None = None

    def _columns(self) -> dict:
        if self.read is None:
            query, held = self.reading.query(self.model)
            frame = query.collect()
            self.read = {id: _as_read(self.model.donnees[id], value, frame, self.size) for id, value in held.items()}
        return self.read

    def __getitem__(self, id: str):
        return self._columns()[id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns())

    def __len__(self) -> int:
        return len(self._columns())


def _as_read(donnee, value, frame: pl.DataFrame, size: int):
    if not isinstance(value, Column):
        return constant_column(donnee, size)
    cells = frame[value.name]
    kind = donnee.type.kind
    if kind in NUMERIC:
        return Scaled(cells.to_numpy().astype(np.int64, copy=False), value.den)
    if kind == "booleen":
        return cells.to_numpy()
    return cells.cast(pl.Int64).to_numpy()


def exact_rows(model, reading: Reading, rows: np.ndarray) -> dict[int, dict]:
    """The scalar backend's données for some rows (by rank), read again from the file."""
    query, held = reading.query(model)
    wanted = pl.Series(rows, dtype=pl.UInt32).implode()
    picked = query.with_row_index(RANK).filter(pl.col(RANK).is_in(wanted)).collect()
    found = {}
    for row in picked.iter_rows(named=True):
        found[int(row[RANK])] = {id: _exact(model.donnees[id], value, row) for id, value in held.items()}
    return found


def _exact(donnee, value, row: dict):
    """One donnée's exact value, as a declaration gives it."""
    if not isinstance(value, Column):
        return value  # a default's value
    cell = row[value.name]
    kind = donnee.type.kind
    if kind in NUMERIC:
        with localcontext() as context:
            context.prec = 60
            return Decimal(int(cell)) / value.den
    if kind == "booleen":
        return bool(cell)
    if kind == "date":
        return EPOCH + datetime.timedelta(days=int(cell))
    return donnee.type.choices[int(cell)]
