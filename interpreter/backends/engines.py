"""The engines that evaluate a population, registered by name in one place: `--moteur` offers their
names, `Convention.simulation` runs the one asked for.

An engine reads and validates the population (through `Convention.population`, or by itself where it
can certify the same reading) and gives the population as read, its `PopulationResult` — cent for cent
the default engine's — and the run that holds the results when they live elsewhere (DuckDB's table), or
None. An engine that cannot be exact for a version raises `EngineUnavailable`, with the diagnostic that
says why: the default engine computes instead, and the command says so.

Each engine's module is imported when the engine runs: they need numpy, polars, sqlglot or DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dsl.diagnostics import Diagnostic
from dsl.errors import ConvcheckError
from dsl.records import frozen

if TYPE_CHECKING:  # annotations only: the API calls the engines
    from interpreter.backends.results import PopulationResult
    from interpreter.convention import Convention
    from interpreter.io.tables import Population

Outcome = tuple["Population", "PopulationResult", Any]  # the population as read, its results, the run (or None)


class EngineUnavailable(ConvcheckError):
    """An engine that cannot compute this version exactly: the diagnostic says why."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message, [diagnostic])


@frozen
class Engine:
    """One way of evaluating a population."""

    name: str  # as `--moteur` takes it
    description: str  # for `--moteur`'s help, in French (empty: none)
    simulate: Callable[..., Outcome]  # (convention, population, keep_invalid, other_columns, progress, keep)


def default_simulation(
    convention: Convention, population, keep_invalid: bool, other_columns, progress, keep=frozenset()
) -> Outcome:
    """A population file read and evaluated in one polars query (`interpreter.backends.lazy_engine`); else,
    when that path cannot certify the file, the vector backend (numpy) on the population as convcheck's reader
    reads it (`keep`: columns kept as read, for `--par`)."""
    from interpreter.backends import lazy_engine  # polars (heavy): only for a population

    found = lazy_engine.simulate(convention, population, other_columns, keep)
    if found is not None:
        return found
    from interpreter.backends.vector import simulate  # only when the file is read by convcheck's reader

    table = convention.population(population, keep_invalid, other_columns, keep=keep)
    advance = progress(table.size) if progress is not None else None
    return table, simulate(convention.program, table, progress=advance), None


def duckdb_simulation(
    convention: Convention, population, keep_invalid: bool, other_columns, progress, keep=frozenset()
) -> Outcome:
    """The version's SQL query run by embedded DuckDB, on the file (the `--par` columns are read again when
    needed: `keep` is not used)."""
    from interpreter.backends import duckdb_engine  # duckdb, polars (heavy): only when asked for
    from interpreter.backends.sql import SqlProblem, sql_diagnostic  # sqlglot (heavy)

    try:
        return duckdb_engine.simulate(convention, population, keep_invalid, other_columns)
    except SqlProblem as problem:
        raise EngineUnavailable(
            sql_diagnostic(
                problem, "moteur-par-defaut", " : le moteur par défaut calcule cette simulation", convention.model
            )
        ) from None


DEFAULT = "defaut"
ENGINES = {
    engine.name: engine
    for engine in (
        Engine(DEFAULT, "", default_simulation),
        Engine(
            "duckdb",
            "la requête SQL de « convcheck sql », exécutée par DuckDB sur le fichier : pour l'essayer ici "
            "avant de la faire tourner là où sont les données (DuckDB, PostgreSQL, Spark) ; mêmes résultats au centime, "
            "plus lent que le moteur par défaut",
            duckdb_simulation,
        ),
    )
}


def engines_help() -> str:
    """What `--moteur` says of its choices, in French."""
    named = [f"{e.name} ({e.description})" if e.description else e.name for e in ENGINES.values()]
    return f"Moteur de calcul : {', ou '.join(named)}."
