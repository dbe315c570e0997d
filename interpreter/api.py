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

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import evolve, field, frozen

from dsl import cache
from dsl.avenants import Loader
from dsl.comments import render_with_comments
from dsl.diagnostics import ConvError, Diagnostic, sort_key, suggest
from dsl.driver import Checked, check_file, load_scenario
from dsl.model import Model
from dsl.payment import ADVANCE
from dsl.scenarios import Scenario
from dsl.source import SourceFile
from interpreter.backends.engines import DEFAULT, ENGINES, EngineUnavailable
from interpreter.backends.javascript import JsModule, compile_module
from interpreter.backends.scalar import (
    Evaluation,
    ParametreError,
    Program,
    compile_model,
    evaluate,
    parametre_values,
)
from interpreter.backends.scalar import advance as scalar_advance
from interpreter.cases import CaseResult, run_cases
from interpreter.compare.diff import Diff, cas_basis, diff_models
from interpreter.compare.history import History, Version, build_history, in_force_problem, version_at
from interpreter.compare.versions import evaluate_across  # noqa: F401 (the API's own: `api.evaluate_across`)
from interpreter.io.declarations import (
    Declaration,
    DeclarationError,
    Entry,
    defaults_used,
    read_declaration,
    read_overrides,
    validate,
)
from interpreter.numbers import IMPOSSIBLE, EvaluationError
from interpreter.project import ProjectError, Settings, settings_for
from interpreter.report.status import exercise_lines

if TYPE_CHECKING:  # populations need polars and numpy: imported only when a population is used
    import polars as pl

    from interpreter.backends.results import PopulationResult
    from interpreter.compare.calibration import Calibration
    from interpreter.compare.impact import Impact, Summary
    from interpreter.io.tables import Population


def check_version(path: str, loader: Loader | None = None, cached: bool = False,
                  exercice: int | None = None) -> Checked:
    """Check a convention or an avenant: the front end, then the paramètres are computed (a constant
    division by zero is an error at the paramètre). With `cached`, a version checked before without
    error is read from the disk cache (`dsl.cache`) when none of its files has changed. With `exercice`, the
    version's rules for that exercise (`exercice AAAA { … }` applied; never cached)."""
    loader = loader if loader is not None else Loader()
    if exercice is not None:
        return _check(str(path), loader, exercice)
    if cached:
        found = cache.load(str(path))
        if found is not None:
            loader.sources.update(found.sources)
            return found
    result = _check(str(path), loader)
    if cached and result.model is not None and not result.errors:
        cache.store(str(path), list(result.chain), result)
    return result


def check_files(paths: Sequence[str], loader: Loader | None = None) -> list[Diagnostic]:
    """The diagnostics of several files (`convcheck check`), in the order of the files, each said once (a base
    is checked alone and under its avenant); `loader.sources` holds the texts to show them."""
    loader = loader if loader is not None else Loader()
    found: dict[tuple, Diagnostic] = {}
    for path in paths:
        for d in check_version(path, loader).diagnostics:
            found.setdefault((d.code, d.message, d.span, d.file), d)
    order = {path: i for i, path in enumerate(paths)}
    return sorted(found.values(), key=lambda d: sort_key(d, order))


def is_scenario(path: str | Path) -> bool:
    """Whether a file is a scenario (it applies to a version: it is not one)."""
    written = Loader().parse(str(path)).file
    return written is not None and written.kind == "scenario"


def _check(path: str, loader: Loader, exercice: int | None = None) -> Checked:
    checked = check_file(str(path), loader, exercice)
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
                      span=span, suggestion=error.hint or "corrigez son expression : elle vaut la même chose pour toutes les "
                      "structures")


def load(path: str | Path, overrides: Mapping[str, str] | Sequence[str] | None = None,
         loader: Loader | None = None, scenarios: Sequence[str | Path] = (), lenient: bool = False,
         exercice: int | None = None) -> Convention:
    """Load a version, ready to evaluate.

    `scenarios` (files, in order) set paramètres and compute données; then `overrides` replace
    paramètres, as a mapping (`{"valeur_point": "8 €"}`) or as the command line's `--set` settings
    (`["valeur_point=8 €"]`). With `lenient` (a diff), each scenario and setting applies where this
    version has the name, and the names it lacks are listed in `Convention.skipped`. With `exercice`, the
    version's rules for that exercise (`Model.exercice`). Raises `ConvError`."""
    plain = loader is None or type(loader) is Loader  # an editor's loader reads unsaved texts: no cache
    loader = loader if loader is not None else Loader()
    checked = check_version(str(path), loader, cached=plain, exercice=exercice)
    if checked.errors:
        raise ConvError(checked.errors, loader.sources)
    warnings = tuple(d for d in checked.diagnostics if not d.is_error)
    refuse_warnings(str(path), warnings, loader.sources)
    model = checked.model
    if model is None:  # a scenario, clean: not a version (the loader says so, where it is written)
        raise ConvError([d for d in loader.load(str(path)).diagnostics if d.is_error], loader.sources)
    applied: list[Scenario] = []
    merged: dict = {}
    skipped: list[str] = []
    problems: list[Diagnostic] = []
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
                      tuple(settings), warnings)


def strict_for(path: str) -> Settings:
    """The project settings of a file (`convcheck.toml`). Raises `ConvError`."""
    try:
        return settings_for(path)
    except ProjectError as error:
        raise ConvError(error.diagnostics) from None


def refuse_warnings(path: str, warnings: Sequence[Diagnostic], sources) -> None:
    """In a strict project, a version with warnings is not computed with: its warnings, and why they block.
    Raises `ConvError`."""
    settings = strict_for(path)
    if settings.strict and warnings:
        count = len(warnings)
        raise ConvError([*warnings, Diagnostic(
            "mode-strict", f"{count} avertissement{'s' if count > 1 else ''} dans « {path} » : le projet est en mode "
            "strict, les avertissements bloquent le calcul", file=settings.path,
            suggestion="corrigez-les (convcheck check les montre), ou retirez « strict = true » de ce fichier")],
            sources)


def load_versions(paths: Sequence[str | Path], scenarios: Sequence[str | Path] = (),
                  settings: Sequence[str] = (), exercice: int | None = None) -> list[Convention]:
    """Several versions under the same hypotheses (`eval V1 V2 …`): as for `load_pair`, each scenario line and
    setting applies where the version has the name, and a name that no version has is an error."""
    loader = Loader()
    versions = [load(path, settings, loader, scenarios, lenient=True, exercice=exercice) for path in paths]
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
              after_settings: Sequence[str] = (), exercice: int | None = None) -> tuple[Convention, Convention]:
    """Two versions to compare under the same hypotheses: `scenarios` and `settings` apply to both, each
    name where the version has it (a name neither has is an error); `after_…` apply to the second only;
    `exercice`: both with their rules for that exercise."""
    loader = Loader()
    old = load(old_path, settings, loader, scenarios, lenient=True, exercice=exercice)
    new = load(new_path, settings, loader, scenarios, lenient=True, exercice=exercice)
    if after_scenarios or after_settings:
        load(new_path, after_settings, loader, after_scenarios, exercice=exercice)  # the second only: strict names
        new = load(new_path, [*settings, *after_settings], loader, [*scenarios, *after_scenarios], lenient=True,
                   exercice=exercice)
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
            raise ConvError([Diagnostic("evaluation-impossible", IMPOSSIBLE.format(structure=structure_id, error=error),
                                        file=str(where))]) from None

    def javascript(self, provenance: Sequence[str] = ()) -> JsModule:
        """This version compiled to JavaScript (`convcheck js`, the simulator's pages): an ES module and the same
        code as a classic script, with its scenarios and settings (`provenance`: the lines its header says its
        figures rest on)."""
        hypotheses = tuple(f"{title} : {line}" for title, lines in self.hypotheses() for line in lines)
        return compile_module(self.program, self.supplied, self.chain, hypotheses, tuple(provenance))

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
            raise ConvError([Diagnostic("evaluation-impossible", IMPOSSIBLE.format(structure=structure_id, error=error),
                                        file=where)]) from None

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
        return Declaration(str(declaration.get("id", "structure")), donnees,
                           defaults_used(self.model, entries, self.supplied))

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
                   progress=None, other_columns=frozenset(), engine: str = DEFAULT, keep=frozenset()) -> Simulation:
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
                raise ConvError([Diagnostic(
                    "colonne-absente-invalide", f"--colonne-absente {id} : « {id} » {what}", file="--colonne-absente",
                    suggestion=suggest(id, with_default) or (f"données à valeur par défaut : {', '.join(with_default)}"
                                                              if with_default else "aucune donnée de la version n'a de "
                                                              "valeur par défaut : la table doit avoir chaque colonne"))])
        try:
            return compile_query(self.program, dialect, table, self.supplied, self.sql_header(dialect, table, absent),
                                 absent=frozenset(absent)).sql()
        except SqlProblem as problem:
            raise ConvError([sql_diagnostic(problem)], self.sources) from None

    def sql_header(self, dialect: str, table: str, absent: Sequence[str] = ()) -> list[str]:
        """The comment lines at the top of a query: the version, its files, the hypotheses applied."""
        from interpreter.backends.sql import header_lines  # sqlglot (heavy): only for a query

        return header_lines(self, dialect, table, absent)

    def population(self, population, keep_invalid: bool = False, other_columns=frozenset(),
                   origin: str | None = None, keep=frozenset()) -> Population:
        """Read and validate a population for this version (a file, a DataFrame, or a table already read)."""
        from interpreter.io.tables import (  # polars (heavy): only for a population
            Population,
            TableError,
            read_population,
        )

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

    def write_results(self, path: str, inputs=(), french: bool = False, provenance=None) -> None:
        """The results file (`-o`): CSV (`french`: with `;` and decimal commas), Parquet or JSON Lines, as the
        default engine writes it, with the `provenance` of its figures where the format allows."""
        from interpreter.io.tables import write_results  # polars (heavy)

        if not french and provenance is None and self.run is not None and Path(path).suffix.lower() == ".csv" and \
                self.run.write_csv(path, inputs):
            return
        write_results(self.table(typed=Path(path).suffix.lower() == ".parquet"), path, inputs, french, provenance)

    def table(self, typed: bool = True) -> pl.DataFrame:
        """One row per structure; `typed` gives Decimal columns, else decimal text (for CSV)."""
        from interpreter.io.tables import result_frame  # polars (heavy)

        return result_frame(self.result.evaluated(), list(self.result.lines), typed=typed)

    def summary(self, rejected: int = 0) -> Summary:
        from interpreter.compare.impact import summarize  # numpy (heavy)

        return summarize(self.convention.program, self.result.evaluated(), rejected)

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
                grouping = _grouping(text)
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
                f"{problem.donnee} : {problem.message}" if problem.donnee else problem.message)
        frame = table.rejected.with_columns(
            pl.Series("motif", [" ; ".join(reasons[row]) for row in sorted(reasons)])).cast(pl.String)
        if errors:  # the rows as read, with why they could not be evaluated
            messages = dict(errors)
            assert table.as_read is not None  # the reader keeps how to read the rows again
            failed = table.as_read().filter(pl.col("id").cast(pl.String).is_in(list(messages))).cast(pl.String)
            failed = failed.with_columns(pl.col("id").replace_strict(messages, return_dtype=pl.String).alias("motif"))
            frame = pl.concat([frame, failed], how="diagonal")
        return frame

    def write_rejects(self, path: str, inputs=(), french: bool = False) -> bool:
        """The rows set aside, as read, with why (`--ignorer-invalides`), written to `path`; False when there
        are none (nothing is written)."""
        from interpreter.io.tables import write_results  # polars (heavy)

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
        return [Diagnostic("evaluation-impossible", f"structure « {id} » : {message}", file=self.population.path)
                for id, message in self.result.errors]


def consolidated(path: str | Path, loader: Loader | None = None, exercice: int | None = None) -> str:
    """The consolidated text of an avenant: one canonical convention (with `exercice`, its rules for that
    exercise). Raises `ConvError`."""
    loader = loader if loader is not None else Loader()
    checked = check_version(str(path), loader, exercice=exercice)
    if checked.errors:
        raise ConvError(checked.errors, loader.sources)
    chain = " + ".join(Path(p).name for p in checked.chain)
    header = (f"# Version consolidée de {chain}, écrite par « convcheck consolidate ».\n"
              "# Les commentaires propres à chaque clause sont repris ; les autres restent dans les fichiers "
              "d'origine.\n")
    assert checked.model is not None  # checked without error
    header += "".join(f"# {line}\n" for line in exercise_lines(checked.model))  # nothing for the general rules
    return header + render_with_comments(checked.model.file, loader.sources)


# ---- the chain of versions: history, the version in force ------------------------------------------------


def chain_versions(path: str | Path, loader: Loader | None = None) -> tuple[tuple[Version, ...], list[Diagnostic]]:
    """The checked versions along the chain of bases of `path`, root first, and the errors found."""
    loader = loader if loader is not None else Loader()
    checked = check_version(str(path), loader)
    if checked.errors:
        return (), checked.errors
    versions = []
    for link in checked.chain:
        step = check_version(link, loader)
        if step.errors:
            return (), step.errors
        assert step.model is not None  # a version checked without error
        versions.append(Version(link, step.model))
    return tuple(versions), []


def history(path: str | Path, loader: Loader | None = None) -> History:
    """The history of every clause along the chain of bases of a version (`convcheck historique`). Raises
    `ConvError`."""
    loader = loader if loader is not None else Loader()
    versions, errors = chain_versions(path, loader)
    if errors:
        raise ConvError(errors, loader.sources)
    return build_history(versions)


def version_in_force(path: str | Path, date: datetime.date, loader: Loader | None = None) -> str:
    """The file, along the chain of bases of `path`, of the version in force at `date` (`consolidate --au`).
    Raises `ConvError`."""
    loader = loader if loader is not None else Loader()
    versions, errors = chain_versions(path, loader)
    if errors:
        raise ConvError(errors, loader.sources)
    chosen = version_at(versions, date)
    if chosen is None:
        raise ConvError([in_force_problem(str(path), versions, date)], loader.sources)
    return chosen.path


# ---- comparing versions ----------------------------------------------------------------------------------


def diff(old: Convention, new: Convention, cas: str | None = None) -> Diff:
    """What changes from one version to the other, clause by clause and in euros (the diff the CLI renders):
    each clause valued at each version's maximal structure, or with the données of the `cas` named."""
    return diff_models(old.model, new.model, old.program, new.program, None if cas is None else cas_basis(old, new, cas))


def impact(old: Convention, new: Convention, population: str | Path | pl.DataFrame, change: Diff | None = None,
           progress=None, groupings: Sequence[str] = (), engine: str = DEFAULT, notes: list | None = None) -> Impact:
    """The money impact of going from `old` to `new` on a population, structure by structure, and by
    group for each `groupings` (`"region"`, `"patientele=2000,4000"`). The population is read once.
    `engine` computes each version (see `Convention.simulation`); `notes` receives why it could not."""
    from interpreter.compare.groups import (  # polars (heavy): only for a population
        GroupingError,
        impact_groups,
        labels_by_id,
    )
    from interpreter.compare.impact import impact_between  # numpy (heavy): only for a population

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
    found = impact_between(results[0], results[1], old.program, new.program, change.renamed_lines)
    try:
        groups = []
        for text in groupings:
            grouping = _grouping(text)
            labels = labels_by_id(grouping, tables[0], found.pairing.ids)
            groups.append((grouping, impact_groups(grouping, labels, found.pairing.before, found.pairing.after)))
    except GroupingError as error:
        raise ConvError(error.diagnostics) from None
    return evolve(found, groups=tuple(groups), defaults=tuple(table.defaults for table in tables))


def _grouping(text: str):
    from interpreter.compare.groups import Grouping  # polars (heavy)

    return Grouping.parse(text)


def grouping_columns(groupings: Sequence[str]) -> frozenset[str]:
    """The population columns `--par` reads (`patientele=2000,4000` reads `patientele`)."""
    return frozenset(text.partition("=")[0].strip() for text in groupings)


def read_once(population, old: Convention, new: Convention, keep=frozenset()) -> tuple[Population, Population]:
    """The population validated for each of two versions, read from its file once."""
    from interpreter.io.tables import TableError, numeric_donnees, read_table  # polars (heavy): only for a population

    source, origin = population, None
    if isinstance(population, (str, Path)):
        origin = str(population)
        try:
            source = read_table(population if isinstance(population, str) else origin, numeric_donnees(old.model) | numeric_donnees(new.model),
                                frozenset(old.model.donnees) | frozenset(new.model.donnees) | frozenset(keep))
        except TableError as error:
            raise ConvError(error.diagnostics) from None
    return (old.population(source, other_columns=frozenset(new.model.donnees), origin=origin, keep=keep),
            new.population(source, other_columns=frozenset(old.model.donnees), origin=origin, keep=keep))


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
    from interpreter.backends.vector import simulate  # numpy (heavy): only for a population
    from interpreter.compare.calibration import DecisionError, Sweeper  # numpy, polars (heavy)

    if reference_path is not None:
        version, reference = load_pair(version_path, reference_path, scenarios, settings)
        table, reference_table = read_once(population, version, reference)
        reference_result = simulate(reference.program, reference_table)
        if reference_result.errors:
            raise ConvError(reference.simulation(reference_table).errors())
    else:
        version, reference = load(version_path, settings, scenarios=scenarios), None
        table = version.population(str(population) if isinstance(population, Path) else population)
        reference_result = None
    try:
        return version, reference, table, Sweeper(version.program, table, parametre, reference_result)
    except DecisionError as error:
        raise ConvError(error.diagnostics) from None


def sweep_values(start: Decimal, stop: Decimal, step: Decimal) -> list[Decimal]:
    """The values of a sweep from the first, the last and the step between two (`--de`, `--a`, `--pas`).
    Raises `ConvError`."""
    from interpreter.compare import calibration as c  # numpy, polars (heavy): only for a population

    try:
        return c.values_between(start, stop, step)
    except c.DecisionError as error:
        raise ConvError(error.diagnostics) from None


def calibrate(version_path: str | Path, population, parametre: str, budget: Decimal | None = None,
              budget_of: str | Path | None = None, scenarios: Sequence = (), settings: Sequence[str] = (),
              precision: Decimal | None = None) -> Decision:
    """The value of `parametre` at which the population's budget reaches `budget` (euros) or the budget of
    version `budget_of` (scenarios and settings apply to both, each name where the version has it;
    the paramètre varies in `version_path` only). Then the impact at that value against the reference."""
    from interpreter.compare import calibration as c  # numpy, polars (heavy): only for a population
    from interpreter.compare.impact import impact_between  # numpy (heavy): only for a population

    version, reference, table, sweeper = _decision_setup(version_path, population, parametre, budget_of, scenarios,
                                                         settings)
    target = int(budget * 100) if budget is not None else int(sweeper.reference.total.sum())
    try:
        found = c.calibrate(sweeper, target, precision)
        at = found.found or found.closest
        result = sweeper.result(at.value)
        program = version.program.with_parametre(parametre, at.value)
    except c.DecisionError as error:
        raise ConvError(error.diagnostics) from None
    if reference is not None:
        impact = impact_between(sweeper.reference, result, reference.program, program,
                                diff(reference, version).renamed_lines)
    else:
        impact = impact_between(sweeper.result(sweeper.current), result, version.program, program, {})
    return Decision(version, reference, table, found.points, found, impact, target)


def sweep(version_path: str | Path, population, parametre: str, values: Sequence[Decimal],
          reference_path: str | Path | None = None, scenarios: Sequence = (), settings: Sequence[str] = ()) -> Decision:
    """The population's budget, mean payment and eligible structures at each value of `parametre` (and,
    against a reference version, the budget gap and who gains and loses). The population is read once."""
    from interpreter.compare import calibration as c  # numpy, polars (heavy): only for a population

    version, reference, table, sweeper = _decision_setup(version_path, population, parametre, reference_path,
                                                         scenarios, settings)
    try:
        points = c.sweep(sweeper, list(values))
    except c.DecisionError as error:
        raise ConvError(error.diagnostics) from None
    budget = int(sweeper.reference.total.sum()) if sweeper.reference is not None else None
    return Decision(version, reference, table, tuple(points), reference_budget=budget)
