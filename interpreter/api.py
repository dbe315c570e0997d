"""The Python API: what notebooks and the `convcheck` command call.

    from interpreter import api
    conv = api.load("conventions/aci-msp-avenant-1.conv")        # raises api.ConvError
    result = conv.evaluate({"patientele": 4000, ...})              # .eligible, .total, .lines
    table = conv.simulate("examples/population/population.csv")    # a polars DataFrame
    change = api.diff(conv, api.load(..., overrides={"valeur_point": "8 €"}))

Every problem a user can cause comes back as an `api.ConvError` carrying the diagnostics
(`dsl.diagnostics.Diagnostic`), never as a traceback; `str(error)` renders them in French.
The pipeline is the one the command line runs: read → parse → consolidate avenants → check →
compute the paramètres → evaluate (scalar backend for one structure, vector backend for a
population).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import evolve, field, frozen

from dsl import cache
from dsl.avenants import Loader
from dsl.diagnostics import Diagnostic, render_all_text, suggest
from dsl.driver import check_file, load_scenario
from dsl.model import Model
from dsl.payment import ADVANCE
from dsl.printer import print_expr
from dsl.scenarios import Scenario
from dsl.source import SourceFile
from interpreter.backends.scalar import (
    Evaluation,
    EvaluationError,
    ParametreError,
    Program,
    compile_model,
    evaluate,
    parametre_values,
)
from interpreter.backends.scalar import advance as scalar_advance
from interpreter.cases import CaseResult, run_cases
from interpreter.io.declarations import DeclarationError, Entry, read_declaration, read_overrides, validate

if TYPE_CHECKING:  # populations need polars and numpy: imported only when a population is used
    import polars as pl

    from interpreter.backends.vector import PopulationResult
    from interpreter.compare.calibration import Calibration
    from interpreter.compare.diff import Diff
    from interpreter.compare.impact import Impact, Summary
    from interpreter.compare.versions import Across
    from interpreter.io.tables import Population


class ConvError(Exception):
    """Input that prevents the job: the diagnostics that say why, and the sources to show them."""

    def __init__(self, diagnostics: list[Diagnostic], sources: Mapping[str, SourceFile] | None = None):
        super().__init__(f"{len(diagnostics)} diagnostic(s)")
        self.diagnostics = list(diagnostics)
        self.sources = dict(sources or {})

    def __str__(self) -> str:
        return render_all_text(self.diagnostics, self.sources)


def bounded_sums(population_of: Callable[..., Any]):
    """For a function that adds amounts over a population: a sum beyond 10^15 € (`interpreter.compare.sums`) is a
    `ConvError` naming the population (`population_of(*args, **kwargs)`), never a number wrapped round."""
    def decorate(function):
        @functools.wraps(function)
        def bounded(*args, **kwargs):
            from interpreter.compare.sums import SumOutOfBounds

            try:
                return function(*args, **kwargs)
            except SumOutOfBounds as error:
                where = population_of(*args, **kwargs)
                name = where if isinstance(where, str) else str(where) if isinstance(where, Path) else "<DataFrame>"
                raise ConvError([evolve(d, file=d.file or name) for d in error.diagnostics]) from None
        return bounded
    return decorate


@frozen
class Checked:
    """The outcome of checking one file: its model (None on errors), diagnostics, chain of bases, sources."""

    path: str
    model: Model | None
    diagnostics: tuple[Diagnostic, ...]
    chain: tuple[str, ...]
    sources: dict[str, SourceFile] = field(eq=False, repr=False)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def check(path: str, loader: Loader | None = None, cached: bool = False) -> Checked:
    """Check a convention or an avenant: the front end, then the paramètres are computed (a constant
    division by zero is an error at the paramètre). With `cached`, a version checked before without
    error is read from the disk cache (`dsl.cache`) when none of its files has changed."""
    loader = loader if loader is not None else Loader()
    if cached:
        found = cache.load(str(path))
        if found is not None:
            loader.sources.update(found.sources)
            return found
    result = _check(str(path), loader)
    if cached and result.model is not None and not result.errors:
        cache.store(str(path), list(result.chain), result)
    return result


def is_scenario(path: str | Path) -> bool:
    """Whether a file is a scenario (it applies to a version: it is not one)."""
    written = Loader().parse(str(path)).file
    return written is not None and written.kind == "scenario"


def _check(path: str, loader: Loader) -> Checked:
    checked = check_file(str(path), loader)
    diagnostics = list(checked.diagnostics)
    model = checked.model
    if model is not None:
        try:
            parametre_values(model)
        except ParametreError as error:
            diagnostics.append(parametre_diagnostic(error, model.parametres[error.id].node.value.span))
            model = None
    return Checked(str(path), model, tuple(diagnostics), checked.chain, loader.sources)


def parametre_diagnostic(error: ParametreError, span) -> Diagnostic:
    return Diagnostic("parametre-incalculable", f"le paramètre « {error.id} » ne peut pas être calculé : {error.message}",
                      span=span, suggestion="corrigez son expression : elle vaut la même chose pour toutes les structures")


def load(path: str | Path, overrides: Mapping[str, str] | Sequence[str] | None = None,
         loader: Loader | None = None, scenarios: Sequence[str | Path] = (), lenient: bool = False) -> Convention:
    """Load a version, ready to evaluate.

    `scenarios` (files, in order) set paramètres and compute données; then `overrides` replace
    paramètres, as a mapping (`{"valeur_point": "8 €"}`) or as the command line's `--set` settings
    (`["valeur_point=8 €"]`). With `lenient` (a diff), each scenario and setting applies where this
    version has the name, and the names it lacks are listed in `Convention.skipped`. Raises `ConvError`."""
    plain = loader is None or type(loader) is Loader  # an editor's loader reads unsaved texts: no cache
    loader = loader if loader is not None else Loader()
    checked = check(str(path), loader, cached=plain)
    if checked.errors:
        raise ConvError(checked.errors, loader.sources)
    model = checked.model
    if model is None:  # a scenario, clean: not a version (the loader says so, where it is written)
        raise ConvError([d for d in loader.load(str(path)).diagnostics if d.is_error], loader.sources)
    applied, merged, skipped, problems = [], {}, [], []
    for scenario_path in scenarios:
        scenario, found = load_scenario(str(scenario_path), model, loader, lenient)
        problems += [d for d in found if d.is_error]
        if scenario is not None:
            applied.append(scenario)
            merged.update(scenario.parametres)
            skipped += scenario.skipped
    if problems:
        raise ConvError(problems, loader.sources)
    settings = _settings(overrides)
    if lenient:
        skipped += [s.partition("=")[0].strip() for s in settings if s.partition("=")[0].strip() not in model.parametres]
        settings = [s for s in settings if s.partition("=")[0].strip() in model.parametres]
    lowered, problems, sources = read_overrides(model, settings)
    if problems:
        raise ConvError(problems, {**loader.sources, **sources})
    merged.update(lowered)
    try:
        program = compile_model(model, merged, scenarios=tuple(applied))
    except ParametreError as error:
        origin = merged.get(error.id)
        span = origin.source.span if origin is not None else model.parametres[error.id].node.value.span
        raise ConvError([parametre_diagnostic(error, span)], {**loader.sources, **sources}) from None
    return Convention(str(path), program, checked.chain, {**loader.sources, **sources}, tuple(dict.fromkeys(skipped)),
                      tuple(settings))


def load_versions(paths: Sequence[str | Path], scenarios: Sequence[str | Path] = (),
                  settings: Sequence[str] = ()) -> list[Convention]:
    """Several versions under the same hypotheses (`eval V1 V2 …`): as for `load_pair`, each scenario line and
    setting applies where the version has the name, and a name that no version has is an error."""
    loader = Loader()
    versions = [load(path, settings, loader, scenarios, lenient=True) for path in paths]
    _names_none_has(versions, scenarios, settings, loader)
    return versions


def _names_none_has(versions: Sequence[Convention], scenarios, settings, loader: Loader) -> None:
    neither = [name for name in versions[0].skipped if all(name in v.skipped for v in versions[1:])]
    if neither:
        known = [id for v in versions for id in (*v.model.donnees, *v.model.parametres)]
        raise ConvError([Diagnostic(
            "hypothese-inconnue", f"« {name} » n'est une donnée ni un paramètre d'aucune des "
            f"{'deux' if len(versions) == 2 else len(versions)} versions comparées",
            file=", ".join(str(p) for p in (*scenarios, *(["--set"] if settings else []))),
            suggestion=suggest(name, known)) for name in neither], loader.sources)


def load_pair(old_path: str | Path, new_path: str | Path, scenarios: Sequence[str | Path] = (),
              settings: Sequence[str] = (), after_scenarios: Sequence[str | Path] = (),
              after_settings: Sequence[str] = ()) -> tuple[Convention, Convention]:
    """Two versions to compare under the same hypotheses: `scenarios` and `settings` apply to both, each
    name where the version has it (a name neither has is an error); `after_…` apply to the second only."""
    loader = Loader()
    old = load(old_path, settings, loader, scenarios, lenient=True)
    new = load(new_path, settings, loader, scenarios, lenient=True)
    if after_scenarios or after_settings:
        load(new_path, after_settings, loader, after_scenarios)  # for the second version only: strict names
        new = load(new_path, [*settings, *after_settings], loader, [*scenarios, *after_scenarios], lenient=True)
    _names_none_has((old, new), scenarios, settings, loader)
    return old, new


def _settings(overrides: Mapping[str, str] | Sequence[str] | None) -> list[str]:
    if isinstance(overrides, Mapping):
        return [f"{id}={value}" for id, value in overrides.items()]
    return list(overrides or ())


@frozen
class Convention:
    """A checked version of a convention, compiled, with its paramètres bound."""

    path: str
    program: Program
    chain: tuple[str, ...]  # the files it was read from, root convention first
    sources: dict[str, SourceFile] = field(eq=False, repr=False)
    skipped: tuple[str, ...] = ()  # names of scenarios and settings this version does not have (lenient)
    settings: tuple[str, ...] = ()  # the `--set` settings applied, after the scenarios

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
    def parametres(self) -> dict[str, Any]:
        return self.program.parametres

    def evaluate(self, declaration: Mapping[str, Any] | str | Path, explain: bool = True) -> Evaluation:
        """One structure: a mapping donnée → value (as in a declaration file), or a declaration file."""
        structure_id, donnees = self.declaration(declaration)
        try:
            return evaluate(self.program, donnees, explain=explain, structure=structure_id)
        except EvaluationError as error:
            where = declaration if isinstance(declaration, (str, Path)) else "<déclaration>"
            raise ConvError([Diagnostic("evaluation-impossible", f"structure « {structure_id} » : {error}",
                                        file=str(where))]) from None

    def advance(self, declaration: Mapping[str, Any] | str | Path) -> Decimal:
        """The advance of one structure (`taux_avance` × its prérequis and socle, all met)."""
        where = str(declaration) if isinstance(declaration, (str, Path)) else None
        if ADVANCE not in self.model.parametres:
            raise ConvError([Diagnostic("avance-sans-taux", f"la version « {self.model.version} » ne dit pas la part de "
                                        f"l'avance : elle n'a pas de paramètre « {ADVANCE} »", file=self.path,
                                        suggestion=f"ajoutez dans « paramètres » : {ADVANCE} = 60 %")])
        structure_id, donnees = self.declaration(declaration)
        try:
            return scalar_advance(self.program, donnees, structure_id)
        except EvaluationError as error:
            raise ConvError([Diagnostic("evaluation-impossible", f"structure « {structure_id} » : {error}",
                                        file=where)]) from None

    def declaration(self, declaration: Mapping[str, Any] | str | Path, elsewhere=frozenset()) -> tuple[str, dict]:
        """A structure's id and its validated données (those a scenario computes may be absent; keys in
        `elsewhere`, données of other versions, are not errors)."""
        if isinstance(declaration, (str, Path)):
            try:
                structure = read_declaration(str(declaration), self.model, self.supplied, elsewhere)
            except DeclarationError as error:
                raise ConvError(error.diagnostics, {error.source.path: error.source} if error.source else {}) from None
            return structure.id, structure.donnees
        entries = {str(k): Entry(v, None, None) for k, v in declaration.items() if k != "id"}
        donnees, problems = validate(self.model, entries, "<déclaration>", optional=self.supplied, elsewhere=elsewhere)
        if problems:
            raise ConvError(problems)
        return str(declaration.get("id", "structure")), donnees

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

    def simulation(self, population: str | Path | pl.DataFrame | Population, keep_invalid: bool = False,
                   progress=None, other_columns=frozenset(), engine: str = "defaut") -> Simulation:
        """Evaluate a population; invalid rows are errors unless `keep_invalid` (then they are set aside).
        `progress`, given the number of structures, may return a function called with each chunk's size.
        `engine`: "defaut" (the vector backend) or "duckdb" (the SQL query in embedded DuckDB, on the file;
        where it cannot be exact, the default engine computes, and `Simulation.notes` says why)."""
        from interpreter.backends.vector import simulate

        notes = ()
        if engine == "duckdb":
            found = self._duckdb(population, keep_invalid, other_columns)
            if isinstance(found, Simulation):
                return found
            notes = found
        table = self.population(population, keep_invalid, other_columns)
        advance = progress(table.size) if progress is not None else None
        return Simulation(self, table, simulate(self.program, table, progress=advance), notes=notes)

    def _duckdb(self, population, keep_invalid: bool, other_columns) -> Simulation | tuple[Diagnostic, ...]:
        from interpreter.backends import duckdb_engine
        from interpreter.backends.sql import SqlProblem

        try:
            table, result, run = duckdb_engine.simulate(self, population, keep_invalid, other_columns)
        except SqlProblem as problem:
            return (sql_diagnostic(problem, "moteur-par-defaut", " : le moteur par défaut calcule cette simulation",
                                   self.model),)
        return Simulation(self, table, result, run=run)

    def sql(self, dialect: str, table: str = "structures") -> str:
        """The SQL query computing this version over a table of structures (`convcheck sql`). Raises `ConvError`
        when a value cannot be computed exactly in that dialect."""
        from interpreter.backends.sql import SqlProblem, compile_query

        try:
            return compile_query(self.program, dialect, table, self.supplied, self.sql_header(dialect, table)).sql()
        except SqlProblem as problem:
            raise ConvError([sql_diagnostic(problem, model=self.model)], self.sources) from None

    def sql_header(self, dialect: str, table: str) -> list[str]:
        """The comment lines at the top of a query: the version, its files, the hypotheses applied."""
        from interpreter.backends.sql import header_lines

        return header_lines(self, dialect, table)

    def population(self, population, keep_invalid: bool = False, other_columns=frozenset(),
                   origin: str | None = None, keep=frozenset()) -> Population:
        """Read and validate a population for this version (a file, a DataFrame, or a table already read)."""
        from interpreter.io.tables import Population, TableError, read_population

        if isinstance(population, Population):
            return population
        source = population if isinstance(population, str) else str(population) if isinstance(population, Path) \
            else population  # a `TableFile` stays one: it says how to read the file
        try:
            return read_population(source, self.model, other_columns=other_columns, keep_invalid=keep_invalid,
                                   supplied=self.supplied, origin=origin, keep=frozenset(keep))
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

    def write_results(self, path: str, inputs=(), french: bool = False) -> None:
        """The results file (`-o`): CSV (`french`: with `;` and decimal commas), Parquet or JSON Lines, as the
        default engine writes it."""
        from interpreter.io.tables import write_results

        if not french and self.run is not None and Path(path).suffix.lower() == ".csv" and \
                self.run.write_csv(path, inputs):
            return
        write_results(self.table(typed=Path(path).suffix.lower() == ".parquet"), path, inputs, french)

    def table(self, typed: bool = True) -> pl.DataFrame:
        """One row per structure; `typed` gives Decimal columns, else decimal text (for CSV)."""
        from interpreter.io.tables import result_frame

        return result_frame(self.result.evaluated(), list(self.result.lines), typed=typed)

    @bounded_sums(lambda self, *args, **kwargs: self.population.path)
    def summary(self, rejected: int = 0) -> Summary:
        from interpreter.compare.impact import summarize

        return summarize(self.convention.program, self.result.evaluated(), rejected)

    @bounded_sums(lambda self, *args, **kwargs: self.population.path)
    def groups(self, groupings: Sequence[str]) -> tuple:
        """For each `--par` (`"region"`, `"patientele=2000,4000"`): (grouping, rows per group)."""
        from interpreter.compare.groups import GroupingError, labels_by_id, simulation_groups

        evaluated = self.result.evaluated()
        frame = self.population.frame
        if groupings and (frame.height < self.population.size or not grouping_columns(groupings) <= set(frame.columns)):
            # the rows as read were not kept (the DuckDB engine), or not these columns: read again
            import polars as pl

            read = self.population.as_read
            frame = read() if read is not None else pl.read_parquet(self.population.path)
        try:
            found = []
            for text in groupings:
                grouping = _grouping(text)
                labels = labels_by_id(grouping, self.population, evaluated.ids, frame)
                found.append((grouping, simulation_groups(grouping, labels, evaluated.total)))
            return tuple(found)
        except GroupingError as error:
            raise ConvError(error.diagnostics) from None

    def rejects(self) -> pl.DataFrame | None:
        """The rows set aside (invalid, or impossible to evaluate), as read, with the reason (`motif`)."""
        import polars as pl

        table, errors = self.population, self.result.errors
        if not table.problems and not errors:
            return None
        reasons: dict[int, list[str]] = {}
        for problem in table.problems:
            reasons.setdefault(problem.row, []).append(
                f"{problem.donnee} : {problem.message}" if problem.donnee else problem.message)
        reason = next((name for name in ("motif", "motif_rejet") if name not in table.header), "motif_convcheck")  # the
        # reason beside the row as read: never over a column of the file, which the rejects file keeps as it was
        frame = table.rejected.with_columns(
            pl.Series(reason, [" ; ".join(reasons[row]) for row in sorted(reasons)])).cast(pl.String)
        if errors:  # the rows as read, with why they could not be evaluated
            messages = dict(errors)
            failed = table.as_read().filter(pl.col("id").cast(pl.String).is_in(list(messages))).cast(pl.String)
            failed = failed.with_columns(pl.col("id").replace_strict(messages, return_dtype=pl.String).alias(reason))
            frame = pl.concat([frame, failed], how="diagonal")
        return frame

    @property
    def rejected(self) -> int:
        """How many structures were set aside."""
        return len({p.row for p in self.population.problems}) + len(self.result.errors)

    def errors(self) -> list[Diagnostic]:
        """The structures that could not be evaluated (a division by zero…), as diagnostics."""
        return [Diagnostic("evaluation-impossible", f"structure « {id} » : {message}", file=self.population.path)
                for id, message in self.result.errors]


def sql_diagnostic(problem, code: str | None = None, consequence: str = "", model: Model | None = None) -> Diagnostic:
    """A query that cannot be written exactly, said at the expression that needs it — or, for the payment rules' own
    arithmetic (a sum of the lines, the check of a total), at the line being paid, else at the convention's name."""
    source = getattr(problem.node, "source", None)
    span = getattr(source, "span", None)
    if span is None and model is not None:
        line = model.line(problem.line) if getattr(problem, "line", None) else None
        span = getattr(getattr(line, "node", None), "id_span", None) or model.file.id_span
    what = f"« {print_expr(source)} » " if source is not None else ""
    message = f"{what}ne peut pas être calculé exactement en SQL : {problem.reason}{consequence}"
    hints = {"sql-tirage": "utilisez --dialecte duckdb, ou calculez la donnée tirée au sort hors de la requête",
             "sql-non-garanti": "réduisez l'intervalle des données en cause, ou utilisez --dialecte postgres "
                                "(NUMERIC garde tous les chiffres)"}
    return Diagnostic(code or problem.code, message, span=span, suggestion=hints.get(problem.code))


def consolidated(path: str | Path, loader: Loader | None = None) -> str:
    """The consolidated text of an avenant: one canonical convention. Raises `ConvError`."""
    from dsl.comments import render_with_comments

    loader = loader if loader is not None else Loader()
    checked = check(str(path), loader)
    if checked.errors:
        raise ConvError(checked.errors, loader.sources)
    chain = " + ".join(Path(p).name for p in checked.chain)
    header = (f"# Version consolidée de {chain}, écrite par « convcheck consolidate ».\n"
              "# Les commentaires propres à chaque clause sont repris ; les autres restent dans les fichiers "
              "d'origine.\n")
    return header + render_with_comments(checked.model.file, loader.sources)


def diff(old: Convention, new: Convention, cas: str | None = None) -> Diff:
    """What changes from one version to the other, clause by clause and in euros (the diff the CLI renders):
    each clause valued at each version's maximal structure, or with the données of the `cas` named."""
    from interpreter.compare.diff import diff_models

    return diff_models(old.model, new.model, old.program, new.program, None if cas is None else cas_basis(old, new, cas))


def evaluate_across(versions: Sequence[Convention], declaration: str | Path) -> Across:
    """One structure evaluated by each version: the declaration holds the union of their données (see
    `interpreter.compare.versions`). Raises `ConvError` listing every problem, each said once."""
    from attrs import evolve

    from interpreter.compare.versions import Across, paying_lines
    from interpreter.io.declarations import read_entries

    path = str(declaration)
    try:
        source, entries = read_entries(path)
    except DeclarationError as error:
        raise ConvError(error.diagnostics, {error.source.path: error.source} if error.source else {}) from None
    sources = {source.path: source} if source else {}
    structure = str(entries.pop("id").value) if "id" in entries else Path(path).stem
    known = {id for version in versions for id in version.model.donnees}
    problems = [Diagnostic("declaration-cle-inconnue", f"« {key} » n'est pas une donnée des versions comparées",
                           span=entry.key_span, file=path, suggestion=suggest(key, sorted(known)))
                for key, entry in entries.items() if key not in known]
    found: dict[tuple, list[str]] = {}
    values = []
    for version in versions:
        own = {key: entry for key, entry in entries.items() if key in version.model.donnees}
        donnees, diagnostics = validate(version.model, own, path, optional=version.supplied)
        values.append(donnees)
        for d in diagnostics:
            found.setdefault((d.code, d.message, d.span, d.suggestion), [d]).append(version.model.version)
    for (_, message, _, _), (first, *names) in found.items():
        problems.append(first if len(names) == len(versions) else
                        evolve(first, message=f"{message} (pour {', '.join(f'« {n} »' for n in names)})"))
    if problems:
        raise ConvError(problems, sources)
    evaluations = []
    for version, donnees in zip(versions, values, strict=False):
        try:
            evaluations.append(evaluate(version.program, donnees, explain=False, structure=structure))
        except EvaluationError as error:
            raise ConvError([Diagnostic("evaluation-impossible", f"structure « {structure} », version "
                                        f"« {version.model.version} » : {error}", file=path)]) from None
    ignored = tuple((key, tuple(v.model.version for v in versions if key not in v.model.donnees))
                    for key in entries if any(key not in v.model.donnees for v in versions))
    return Across(structure, tuple(versions), tuple(evaluations),
                  paying_lines(evaluations, [v.program for v in versions]), ignored)


def cas_basis(old: Convention, new: Convention, id: str):
    """The données of cas `id` for each version: its own cas of that id, or else its cas that starts from it
    (`comme id`, directly or through other cas, along its chain of files: the same structure, with what the
    version adds), or else the other version's, for the données it knows. A cas that neither version has, or
    that leaves a donnée of a version without a value, is an error."""
    from interpreter.cases import cas_donnees
    from interpreter.compare.diff import CasBasis

    found = {"avant": _cas_for(old, id), "apres": _cas_for(new, id)}
    if not any(found.values()):
        names = sorted({c.id for version in (old, new) for c in version.model.cas})
        raise ConvError([Diagnostic("diff-cas-inconnu", f"--cas {id} : aucune des deux versions n'a de cas « {id} »",
                                    file="--cas", suggestion=suggest(id, names) or
                                    (f"cas connus : {', '.join(names)}" if names else "ces versions n'ont aucun cas"))])
    values = {}
    for which, version in (("avant", old), ("apres", new)):
        cas = found[which] or found["apres" if which == "avant" else "avant"]
        donnees = {k: v for k, v in cas_donnees(version.program, cas).items() if k in version.model.donnees}
        missing = [d for d in version.model.donnees if d not in donnees]
        if missing:
            raise ConvError([Diagnostic(
                "diff-cas-incomplet", f"--cas {id} : la version « {version.model.version} » n'a pas ce cas, et celui de "
                f"l'autre version ne donne pas {', '.join(f'« {d} »' for d in missing)}", file="--cas",
                suggestion=f"ajoutez à « {Path(version.model.path or '').name} » un cas « {id} » qui les donne"
                + (f", ou nommez un cas de cette version : {', '.join(c.id for c in version.model.cas)}"
                   if version.model.cas else ""))])
        values[which] = donnees
    shown = next(c for c in (found["apres"], found["avant"]) if c is not None and c.id == id) \
        if any(c is not None and c.id == id for c in found.values()) else found["apres"] or found["avant"]
    return CasBasis(id, shown.label, values["avant"], values["apres"],
                    tuple((version.model.version, c.id) for version, c in ((old, found["avant"]), (new, found["apres"]))
                          if c is not None and c.id != id))


def _cas_for(version: Convention, id: str):
    """The version's cas `id`, or the nearest of its cas written `comme` it (through other cas if need be)."""
    exact = next((c for c in version.model.cas if c.id == id), None)
    if exact is not None:
        return exact
    from dsl import nodes as n
    from dsl.parser import parse_source

    bases = {}
    for path in version.chain:  # `comme` as written: consolidation replaces a base's cas by its données
        parsed = parse_source(version.sources[path]) if path in version.sources else None
        for item in parsed.file.items if parsed is not None and parsed.file is not None else ():
            if isinstance(item, n.Cas) and item.base:
                bases[item.id] = item.base

    def steps(cas_id: str) -> int | None:
        seen, count = set(), 0
        while cas_id in bases and cas_id not in seen:
            seen.add(cas_id)
            cas_id, count = bases[cas_id], count + 1
            if cas_id == id:
                return count
        return None

    found = [(steps(c.id), index, c) for index, c in enumerate(version.model.cas) if steps(c.id) is not None]
    return min(found, key=lambda item: item[:2])[2] if found else None


@bounded_sums(lambda old, new, population, *args, **kwargs: population)
def impact(old: Convention, new: Convention, population: str | Path | pl.DataFrame, change: Diff | None = None,
           progress=None, groupings: Sequence[str] = (), engine: str = "defaut", notes: list | None = None) -> Impact:
    """The money impact of going from `old` to `new` on a population, structure by structure, and by
    group for each `groupings` (`"region"`, `"patientele=2000,4000"`). The population is read once.
    `engine` computes each version (see `Convention.simulation`); `notes` receives why it could not."""
    from attrs import evolve

    from interpreter.compare.groups import GroupingError, impact_groups, labels_by_id
    from interpreter.compare.impact import compare

    change = change if change is not None else diff(old, new)
    tables = read_once(population, old, new, grouping_columns(groupings))
    results = []
    for version, table in zip((old, new), tables, strict=False):
        simulation = version.simulation(table, progress=progress, engine=engine)
        if notes is not None:
            notes.extend(simulation.notes)
        if simulation.result.errors:
            raise ConvError(simulation.errors())
        results.append(simulation.result)
    renames = {c.ancien_id: c.id for c in change.changes if c.kind == "renommage" and c.element in ("critere", "brique")}
    found = compare(results[0], results[1], old.program, new.program, renames)
    try:
        groups = []
        for text in groupings:
            grouping = _grouping(text)
            labels = labels_by_id(grouping, tables[0], found.pairing.ids)
            groups.append((grouping, impact_groups(grouping, labels, found.pairing.before, found.pairing.after)))
    except GroupingError as error:
        raise ConvError(error.diagnostics) from None
    return evolve(found, groups=tuple(groups))


def _grouping(text: str):
    from interpreter.compare.groups import Grouping

    return Grouping.parse(text)


def grouping_columns(groupings: Sequence[str]) -> frozenset[str]:
    """The population columns `--par` reads (`patientele=2000,4000` reads `patientele`)."""
    return frozenset(text.partition("=")[0].strip() for text in groupings)


def read_once(population, old: Convention, new: Convention, keep=frozenset()) -> tuple[Population, Population]:
    """The population validated for each of two versions, read from its file once."""
    from interpreter.io.tables import TableError, numeric_donnees, read_table

    source, origin = population, None
    if isinstance(population, (str, Path)):
        origin = str(population)
        try:
            source = read_table(population if isinstance(population, str) else origin, numeric_donnees(old.model) | numeric_donnees(new.model),
                                frozenset(old.model.donnees) | frozenset(new.model.donnees) | frozenset(keep))
        except TableError as error:
            raise ConvError(error.diagnostics) from None
    return tuple(version.population(source, other_columns=frozenset(other.model.donnees), origin=origin, keep=keep)
                 for version, other in ((old, new), (new, old)))


# ---- decisions: calibration and sweeps -----------------------------------------------------------------


@frozen
class Decision:
    """A calibration or a sweep, with what it was computed against."""

    version: Convention
    reference: Convention | None  # the other version (`--budget-de`, `--reference`), if any
    population: Population
    points: tuple  # `interpreter.compare.calibration.Point`, by value
    calibration: Calibration | None = None
    impact: Impact | None = None  # at the value found, against the reference (calibration)
    reference_budget: int | None = None  # cents


def _decision_setup(version_path, population, parametre, reference_path, scenarios, settings):
    from interpreter.backends.vector import simulate
    from interpreter.compare.calibration import DecisionError, Sweeper

    if reference_path is not None:
        version, reference = load_pair(version_path, reference_path, scenarios, settings)
        tables = read_once(population, version, reference)
        reference_result = simulate(reference.program, tables[1])
        if reference_result.errors:
            raise ConvError(reference.simulation(tables[1]).errors())
    else:
        version, reference = load(version_path, settings, scenarios=scenarios), None
        tables = (version.population(str(population) if isinstance(population, Path) else population), None)
        reference_result = None
    try:
        return version, reference, tables[0], Sweeper(version.program, tables[0], parametre, reference_result)
    except DecisionError as error:
        raise ConvError(error.diagnostics) from None


@bounded_sums(lambda version_path, population, *args, **kwargs: population)
def calibrate(version_path: str | Path, population, parametre: str, budget: Decimal | None = None,
              budget_of: str | Path | None = None, scenarios: Sequence = (), settings: Sequence[str] = (),
              precision: Decimal | None = None) -> Decision:
    """The value of `parametre` at which the population's budget reaches `budget` (euros) or the budget of
    version `budget_of` (scenarios and settings apply to both, each name where the version has it;
    the paramètre varies in `version_path` only). Then the impact at that value against the reference."""
    from interpreter.compare import calibration as c
    from interpreter.compare.impact import compare
    from interpreter.compare.sums import checked_sum

    version, reference, table, sweeper = _decision_setup(version_path, population, parametre, budget_of, scenarios,
                                                         settings)
    target = int(budget * 100) if budget is not None else checked_sum(sweeper.reference.total, "le budget de référence")
    try:
        found = c.calibrate(sweeper, target, precision)
        at = found.found or found.closest
        result = sweeper.result(at.value)
        program = version.program.with_parametre(parametre, at.value)
    except c.DecisionError as error:
        raise ConvError(error.diagnostics) from None
    if reference is not None:
        change = diff(reference, version)
        renames = {x.ancien_id: x.id for x in change.changes if x.kind == "renommage" and x.element in ("critere", "brique")}
        impact = compare(sweeper.reference, result, reference.program, program, renames)
    else:
        impact = compare(sweeper.result(sweeper.current), result, version.program, program, {})
    return Decision(version, reference, table, found.points, found, impact, target)


@bounded_sums(lambda version_path, population, *args, **kwargs: population)
def sweep(version_path: str | Path, population, parametre: str, values: Sequence[Decimal],
          reference_path: str | Path | None = None, scenarios: Sequence = (), settings: Sequence[str] = ()) -> Decision:
    """The population's budget, mean payment and eligible structures at each value of `parametre` (and,
    against a reference version, the budget gap and who gains and loses). The population is read once."""
    from interpreter.compare import calibration as c
    from interpreter.compare.sums import checked_sum

    version, reference, table, sweeper = _decision_setup(version_path, population, parametre, reference_path,
                                                         scenarios, settings)
    try:
        points = c.sweep(sweeper, list(values))
    except c.DecisionError as error:
        raise ConvError(error.diagnostics) from None
    budget = checked_sum(sweeper.reference.total, "le budget de référence") if sweeper.reference is not None else None
    return Decision(version, reference, table, tuple(points), reference_budget=budget)
