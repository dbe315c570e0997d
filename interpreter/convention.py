"""A version loaded and compiled (`Convention`), and a population it evaluated (`Simulation`): the objects the
API (`interpreter.api`) hands out, and what their methods compute — one structure, its advance, a population
with the engine asked for, the SQL query, the JavaScript module, the results and rejects files, the groups.

Every problem a user can cause comes back as a `dsl.diagnostics.ConvError`, never as a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsl.diagnostics import ConvError, Diagnostic, suggest
from dsl.model import Model
from dsl.payment import ADVANCE
from dsl.records import evolve, field, frozen
from dsl.scenarios import Scenario
from dsl.source import SourceFile
from interpreter.backends.engines import DEFAULT, ENGINES, EngineUnavailable
from interpreter.backends.scalar import Evaluation, Program, evaluate
from interpreter.backends.scalar import advance as scalar_advance
from interpreter.cases import CaseResult, run_cases
from interpreter.io.declarations import Declaration, DeclarationError, Entry, defaults_used, read_declaration, validate
from interpreter.numbers import IMPOSSIBLE, EvaluationError

if TYPE_CHECKING:  # populations need polars and numpy: imported only when a population is used
    import polars as pl

    from interpreter.backends.javascript import JsModule
    from interpreter.backends.results import PopulationResult
    from interpreter.compare.impact import Summary
    from interpreter.io.tables import Population


def bounded_sums(population_of: Callable[..., Any]):
    """For a function that adds amounts over a population: a sum beyond 10^15 € (`interpreter.compare.sums`) is a
    `ConvError` naming the population (`population_of(*args, **kwargs)`), never a number wrapped round."""

    def decorate(function):
        @functools.wraps(function)
        def bounded(*args, **kwargs):
            from interpreter.compare.sums import SumOutOfBounds  # numpy (heavy): only for a population

            try:
                return function(*args, **kwargs)
            except SumOutOfBounds as error:
                where = population_of(*args, **kwargs)
                name = where if isinstance(where, str) else str(where) if isinstance(where, Path) else "<DataFrame>"
                raise ConvError([evolve(d, file=d.file or name) for d in error.diagnostics]) from None

        return bounded

    return decorate


@frozen
class Convention:
    """A checked version of a convention, compiled, with its paramètres bound."""

    path: str
    program: Program
    chain: tuple[str, ...]  # the files it was read from, root convention first
    sources: dict[str, SourceFile] = field(eq=False, repr=False)
    skipped: tuple[str, ...] = ()  # names of scenarios and settings this version does not have (lenient)
    settings: tuple[str, ...] = ()  # the `--set` settings applied, after the scenarios
    warnings: tuple[Diagnostic, ...] = ()  # what `check` warns about the version (the commands count them)

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        """The scenarios applied, in order."""
        return self.program.scenarios

    def hypotheses(self) -> list[tuple[str, list[str]]]:
        """What the figures assume, for reports: each scenario's title and lines, then the `--set` settings."""
        result = [(scenario.title, scenario.hypotheses()) for scenario in self.scenarios]
        if self.settings:
            result.append(("--set", [s.replace("=", " = ", 1) for s in self.settings]))
        return result

    @property
    def model(self) -> Model:
        return self.program.model

    @property
    def name(self) -> str:
        """The version's name: its `version :` header (which a checked version has)."""
        return self.model.version or self.model.id

    @property
    def parametres(self) -> dict[str, Any]:
        return self.program.parametres

    def evaluate(self, declaration: Mapping[str, Any] | str | Path, explain: bool = True) -> Evaluation:
        """One structure: a mapping donnée → value (as in a declaration file), or a declaration file. The
        données it does not give that take their default are listed in `Evaluation.defaults`."""
        read = self.read(declaration)
        structure_id = read.id
        try:
            evaluation = evaluate(self.program, read.donnees, explain=explain, structure=structure_id)
            return evolve(evaluation, defaults=read.defaults) if read.defaults else evaluation
        except EvaluationError as error:
            where = declaration if isinstance(declaration, (str, Path)) else "<déclaration>"
            raise ConvError(
                [
                    Diagnostic(
                        "evaluation-impossible", IMPOSSIBLE.format(structure=structure_id, error=error), file=str(where)
                    )
                ]
            ) from None

    def javascript(self, provenance: Sequence[str] = ()) -> JsModule:
        """This version compiled to JavaScript (`convcheck js`, the simulator's pages): an ES module and the same
        code as a classic script, with its scenarios and settings (`provenance`: the lines its header says its
        figures rest on)."""
        from interpreter.backends.javascript import compile_module  # the JavaScript compiler (0.02 s): only for js

        hypotheses = tuple(f"{title} : {line}" for title, lines in self.hypotheses() for line in lines)
        return compile_module(self.program, self.supplied, self.chain, hypotheses, tuple(provenance))

    def advance(self, declaration: Mapping[str, Any] | str | Path) -> Decimal:
        """The advance of one structure (`taux_avance` × its prérequis and socle, all met)."""
        where = str(declaration) if isinstance(declaration, (str, Path)) else None
        if ADVANCE not in self.model.parametres:
            raise ConvError(
                [
                    Diagnostic(
                        "avance-sans-taux",
                        f"la version « {self.model.version} » ne dit pas la part de "
                        f"l'avance : elle n'a pas de paramètre « {ADVANCE} »",
                        file=self.path,
                        suggestion=f"ajoutez dans « paramètres » : {ADVANCE} = 60 %",
                    )
                ]
            )
        structure_id, donnees = self.declaration(declaration)
        try:
            return scalar_advance(self.program, donnees, structure_id)
        except EvaluationError as error:
            raise ConvError(
                [
                    Diagnostic(
                        "evaluation-impossible", IMPOSSIBLE.format(structure=structure_id, error=error), file=where
                    )
                ]
            ) from None

    def declaration(self, declaration: Mapping[str, Any] | str | Path, elsewhere=frozenset()) -> tuple[str, dict]:
        """A structure's id and its validated données (those a scenario computes may be absent; keys in
        `elsewhere`, données of other versions, are not errors)."""
        read = self.read(declaration, elsewhere)
        return read.id, read.donnees

    def read(self, declaration: Mapping[str, Any] | str | Path, elsewhere=frozenset()) -> Declaration:
        """A structure's declaration validated: its id, its données, and those it took at their default."""
        if isinstance(declaration, (str, Path)):
            try:
                return read_declaration(str(declaration), self.model, self.supplied, elsewhere)
            except DeclarationError as error:
                raise ConvError(error.diagnostics, {error.source.path: error.source} if error.source else {}) from None
        entries = {str(k): Entry(v, None, None) for k, v in declaration.items() if k != "id"}
        donnees, problems = validate(self.model, entries, "<déclaration>", optional=self.supplied, elsewhere=elsewhere)
        if problems:
            raise ConvError(problems)
        return Declaration(
            str(declaration.get("id", "structure")), donnees, defaults_used(self.model, entries, self.supplied)
        )

    @property
    def supplied(self) -> frozenset[str]:
        """Données computed by the scenarios, that an input need not have (unless a line reads them first)."""
        supplied: set[str] = set()
        required: set[str] = set()
        for scenario in self.scenarios:
            required |= scenario.required() - supplied
            supplied |= scenario.supplied
        return frozenset(supplied - required)

    def cases(self) -> list[CaseResult]:
        """Run the worked cases (`cas`) of the version."""
        return run_cases(self.program)

    def simulate(self, population: str | Path | pl.DataFrame) -> pl.DataFrame:
        """A population (CSV, Parquet, JSON Lines, or a DataFrame): one row per structure — id,
        eligible, total, total_points, then one column per line, in euros (Decimal)."""
        return self.simulation(population).table()

    def simulation(
        self,
        population: str | Path | pl.DataFrame | Population,
        keep_invalid: bool = False,
        progress=None,
        other_columns=frozenset(),
        engine: str = DEFAULT,
        keep=frozenset(),
    ) -> Simulation:
        """Evaluate a population; invalid rows are errors unless `keep_invalid` (then they are set aside).
        `progress`, given the number of structures, may return a function called with each chunk's size.
        `engine`: a name of `interpreter.backends.engines.ENGINES`; where it cannot be exact, the default
        engine computes, and `Simulation.notes` says why. `keep`: columns to keep as read (`--par`)."""
        notes: tuple[Diagnostic, ...] = ()
        arguments = (self, population, keep_invalid, other_columns, progress, frozenset(keep))
        try:
            table, result, run = ENGINES[engine].simulate(*arguments)
        except EngineUnavailable as unavailable:
            notes = tuple(unavailable.diagnostics)
            table, result, run = ENGINES[DEFAULT].simulate(*arguments)
        return Simulation(self, table, result, run=run, notes=notes)

    def sql(self, dialect: str, table: str = "structures", absent: Sequence[str] = ()) -> str:
        """The SQL query computing this version over a table of structures (`convcheck sql`); `absent`: données
        with a default that the table has no column for. Raises `ConvError` when a value cannot be computed
        exactly in that dialect, or when an `absent` id is not a donnée with a default."""
        from interpreter.backends.sql import SqlProblem, compile_query, sql_diagnostic  # sqlglot (heavy)

        for id in absent:
            donnee = self.model.donnees.get(id)
            if donnee is None or donnee.default is None:
                what = "n'a pas de valeur par défaut" if donnee else "n'est pas une donnée de la version"
                with_default = [d.id for d in self.model.donnees.values() if d.default is not None]
                raise ConvError(
                    [
                        Diagnostic(
                            "colonne-absente-invalide",
                            f"--colonne-absente {id} : « {id} » {what}",
                            file="--colonne-absente",
                            suggestion=suggest(id, with_default)
                            or (
                                f"données à valeur par défaut : {', '.join(with_default)}"
                                if with_default
                                else "aucune donnée de la version n'a de "
                                "valeur par défaut : la table doit avoir chaque colonne"
                            ),
                        )
                    ]
                )
        try:
            return compile_query(
                self.program,
                dialect,
                table,
                self.supplied,
                self.sql_header(dialect, table, absent),
                absent=frozenset(absent),
            ).sql()
        except SqlProblem as problem:
            raise ConvError([sql_diagnostic(problem, model=self.model)], self.sources) from None

    def sql_header(self, dialect: str, table: str, absent: Sequence[str] = ()) -> list[str]:
        """The comment lines at the top of a query: the version, its files, the hypotheses applied."""
        from interpreter.backends.sql import header_lines  # sqlglot (heavy): only for a query

        return header_lines(self, dialect, table, absent)

    def population(
        self,
        population,
        keep_invalid: bool = False,
        other_columns=frozenset(),
        origin: str | None = None,
        keep=frozenset(),
    ) -> Population:
        """Read and validate a population for this version (a file, a DataFrame, or a table already read)."""
        from interpreter.io.tables import (  # polars (heavy): only for a population
            Population,
            TableError,
            read_population,
        )

        if isinstance(population, Population):
            return population
        source = (
            population
            if isinstance(population, str)
            else str(population)
            if isinstance(population, Path)
            else population
        )  # a `TableFile` stays one: it says how to read the file
        try:
            return read_population(
                source,
                self.model,
                other_columns=other_columns,
                keep_invalid=keep_invalid,
                supplied=self.supplied,
                origin=origin,
                keep=frozenset(keep),
            )
        except TableError as error:
            raise ConvError(error.diagnostics) from None


@frozen
class Simulation:
    """A population evaluated by one version."""

    convention: Convention
    population: Population
    result: PopulationResult
    run: Any = field(default=None, eq=False, repr=False)  # the DuckDB run holding the results (--moteur duckdb)
    notes: tuple[Diagnostic, ...] = ()  # why the engine asked for could not be used

    def write_results(self, path: str, inputs=(), french: bool = False, provenance=None) -> None:
        """The results file (`-o`): CSV (`french`: with `;` and decimal commas), Parquet or JSON Lines, as the
        default engine writes it, with the `provenance` of its figures where the format allows."""
        from interpreter.io.resultsfile import write_results  # polars (heavy)

        if (
            not french
            and provenance is None
            and self.run is not None
            and Path(path).suffix.lower() == ".csv"
            and self.run.write_csv(path, inputs)
        ):
            return
        write_results(self.table(typed=Path(path).suffix.lower() == ".parquet"), path, inputs, french, provenance)

    def table(self, typed: bool = True) -> pl.DataFrame:
        """One row per structure; `typed` gives Decimal columns, else decimal text (for CSV)."""
        from interpreter.io.resultsfile import result_frame  # polars (heavy)

        return result_frame(self.result.evaluated(), list(self.result.lines), typed=typed)

    @bounded_sums(lambda self, *args, **kwargs: self.population.path)
    def summary(self, rejected: int = 0) -> Summary:
        from interpreter.compare.impact import summarize  # numpy (heavy)

        return summarize(self.convention.program, self.result.evaluated(), rejected)

    @bounded_sums(lambda self, *args, **kwargs: self.population.path)
    def groups(self, groupings: Sequence[str]) -> tuple:
        """For each `--par` (`"region"`, `"patientele=2000,4000"`): (grouping, rows per group)."""
        from interpreter.compare.groups import GroupingError, labels_by_id, simulation_groups  # polars (heavy)

        evaluated = self.result.evaluated()
        frame = self.population.frame
        if groupings and (frame.height < self.population.size or not grouping_columns(groupings) <= set(frame.columns)):
            # the rows as read were not kept (the DuckDB engine), or not these columns: read again
            import polars as pl  # heavy: only for a population

            read = self.population.as_read
            frame = read() if read is not None else pl.read_parquet(self.population.path)
        try:
            found = []
            for text in groupings:
                grouping = parse_grouping(text)
                labels = labels_by_id(grouping, self.population, evaluated.ids, frame)
                found.append((grouping, simulation_groups(grouping, labels, evaluated.total)))
            return tuple(found)
        except GroupingError as error:
            raise ConvError(error.diagnostics) from None

    def rejects(self) -> pl.DataFrame | None:
        """The rows set aside (invalid, or impossible to evaluate), as read, with the reason (`motif`)."""
        import polars as pl  # heavy: only for a population

        table, errors = self.population, self.result.errors
        if not table.problems and not errors:
            return None
        reasons: dict[int, list[str]] = {}
        for problem in table.problems:
            reasons.setdefault(problem.row, []).append(
                f"{problem.donnee} : {problem.message}" if problem.donnee else problem.message
            )
        reason = next((name for name in ("motif", "motif_rejet") if name not in table.header), "motif_convcheck")  # the
        # reason beside the row as read: never over a column of the file, which the rejects file keeps as it was
        frame = table.rejected.with_columns(
            pl.Series(reason, [" ; ".join(reasons[row]) for row in sorted(reasons)])
        ).cast(pl.String)
        if errors:  # the rows as read, with why they could not be evaluated
            messages = dict(errors)
            assert table.as_read is not None  # the reader keeps how to read the rows again
            failed = table.as_read().filter(pl.col("id").cast(pl.String).is_in(list(messages))).cast(pl.String)
            failed = failed.with_columns(pl.col("id").replace_strict(messages, return_dtype=pl.String).alias(reason))
            frame = pl.concat([frame, failed], how="diagonal")
        return frame

    def write_rejects(self, path: str, inputs=(), french: bool = False) -> bool:
        """The rows set aside, as read, with why (`--ignorer-invalides`), written to `path`; False when there
        are none (nothing is written)."""
        from interpreter.io.resultsfile import write_results  # polars (heavy)

        rejected = self.rejects()
        if rejected is None:
            return False
        write_results(rejected, path, inputs, french)
        return True

    @property
    def rejected(self) -> int:
        """How many structures were set aside."""
        return len({p.row for p in self.population.problems}) + len(self.result.errors)

    def errors(self) -> list[Diagnostic]:
        """The structures that could not be evaluated (a division by zero…), as diagnostics."""
        return [
            Diagnostic("evaluation-impossible", f"structure « {id} » : {message}", file=self.population.path)
            for id, message in self.result.errors
        ]


def parse_grouping(text: str):
    """A `--par` grouping as written (`region`, `patientele=2000,4000`)."""
    from interpreter.compare.groups import Grouping  # polars (heavy)

    return Grouping.parse(text)


def grouping_columns(groupings: Sequence[str]) -> frozenset[str]:
    """The population columns `--par` reads (`patientele=2000,4000` reads `patientele`)."""
    return frozenset(text.partition("=")[0].strip() for text in groupings)
