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
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsl import cache
from dsl.avenants import Loader
from dsl.diagnostics import ConvError, Diagnostic, sort_key, suggest
from dsl.driver import Checked, check_file, load_scenario
from dsl.records import evolve, frozen
from dsl.scenarios import Scenario
from interpreter.backends.engines import DEFAULT
from interpreter.backends.scalar import (
    ParametreError,
    compile_model,
    parametre_values,
)
from interpreter.compare.values import Grid, resolve_values, split_values
from interpreter.compare.versions import evaluate_across  # noqa: F401 (the API's own: `api.evaluate_across`)
from interpreter.convention import (  # noqa: F401 (the API's own: `api.Convention`, `api.grouping_columns`)
    Convention,
    Simulation,
    bounded_sums,
    grouping_columns,
    parse_grouping,
)
from interpreter.io.declarations import (
    read_overrides,
)
from interpreter.project import ProjectError, Settings, settings_for
from interpreter.report.status import exercise_lines

if TYPE_CHECKING:  # populations need polars and numpy, and comparisons the parser: imported when used
    import polars as pl

    from interpreter.compare.calibration import Calibration
    from interpreter.compare.diff import Diff
    from interpreter.compare.history import ClauseTimeline, History, Version
    from interpreter.compare.impact import Impact
    from interpreter.compare.projection import Projection
    from interpreter.io.tables import Population


def check_version(
    path: str, loader: Loader | None = None, cached: bool = False, exercice: int | None = None
) -> Checked:
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
    return Diagnostic(
        "parametre-incalculable",
        f"le paramètre « {error.id} » ne peut pas être calculé : {error.message}",
        span=span,
        suggestion=error.hint or "corrigez son expression : elle vaut la même chose pour toutes les structures",
    )


def load(
    path: str | Path,
    overrides: Mapping[str, str] | Sequence[str] | None = None,
    loader: Loader | None = None,
    scenarios: Sequence[str | Path] = (),
    lenient: bool = False,
    exercice: int | None = None,
) -> Convention:
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
        skipped += [
            s.partition("=")[0].strip() for s in settings if s.partition("=")[0].strip() not in model.parametres
        ]
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
    return Convention(
        str(path),
        program,
        checked.chain,
        {**loader.sources, **sources},
        tuple(dict.fromkeys(skipped)),
        tuple(settings),
        warnings,
    )


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
        raise ConvError(
            [
                *warnings,
                Diagnostic(
                    "mode-strict",
                    f"{count} avertissement{'s' if count > 1 else ''} dans « {path} » : le projet est en mode "
                    "strict, les avertissements bloquent le calcul",
                    file=settings.path,
                    suggestion="corrigez-les (convcheck check les montre), ou retirez « strict = true » de ce fichier",
                ),
            ],
            sources,
        )


def load_versions(
    paths: Sequence[str | Path],
    scenarios: Sequence[str | Path] = (),
    settings: Sequence[str] = (),
    exercice: int | None = None,
    check_names: bool = True,
) -> list[Convention]:
    """Several versions under the same hypotheses (`eval V1 V2 …`): as for `load_pair`, each scenario line and
    setting applies where the version has the name, and a name that no version has is an error (unless not
    `check_names`: the caller checks it across more versions)."""
    loader = Loader()
    versions = [load(path, settings, loader, scenarios, lenient=True, exercice=exercice) for path in paths]
    if check_names:
        _names_none_has(versions, scenarios, settings, loader)
    return versions


def _names_none_has(versions: Sequence[Convention], scenarios, settings, loader: Loader) -> None:
    neither = [name for name in versions[0].skipped if all(name in v.skipped for v in versions[1:])]
    if neither:
        known = [id for v in versions for id in (*v.model.donnees, *v.model.parametres)]
        raise ConvError(
            [
                Diagnostic(
                    "hypothese-inconnue",
                    f"« {name} » n'est une donnée ni un paramètre d'aucune des "
                    f"{'deux' if len(versions) == 2 else len(versions)} versions comparées",
                    file=", ".join(str(p) for p in (*scenarios, *(["--set"] if settings else []))),
                    suggestion=suggest(name, known),
                )
                for name in neither
            ],
            loader.sources,
        )


def load_pair(
    old_path: str | Path,
    new_path: str | Path,
    scenarios: Sequence[str | Path] = (),
    settings: Sequence[str] = (),
    after_scenarios: Sequence[str | Path] = (),
    after_settings: Sequence[str] = (),
    exercice: int | None = None,
) -> tuple[Convention, Convention]:
    """Two versions to compare under the same hypotheses: `scenarios` and `settings` apply to both, each
    name where the version has it (a name neither has is an error); `after_…` apply to the second only;
    `exercice`: both with their rules for that exercise."""
    loader = Loader()
    old = load(old_path, settings, loader, scenarios, lenient=True, exercice=exercice)
    new = load(new_path, settings, loader, scenarios, lenient=True, exercice=exercice)
    if after_scenarios or after_settings:
        load(new_path, after_settings, loader, after_scenarios, exercice=exercice)  # the second only: strict names
        new = load(
            new_path,
            [*settings, *after_settings],
            loader,
            [*scenarios, *after_scenarios],
            lenient=True,
            exercice=exercice,
        )
    _names_none_has((old, new), scenarios, settings, loader)
    return old, new


def _settings(overrides: Mapping[str, str] | Sequence[str] | None) -> list[str]:
    if isinstance(overrides, Mapping):
        return [f"{id}={value}" for id, value in overrides.items()]
    return list(overrides or ())


def consolidated(path: str | Path, loader: Loader | None = None, exercice: int | None = None) -> str:
    """The consolidated text of an avenant: one canonical convention (with `exercice`, its rules for that
    exercise). Raises `ConvError`."""
    from dsl.comments import render_with_comments  # the formatter and the parser (Lark): only for a text

    loader = loader if loader is not None else Loader()
    checked = check_version(str(path), loader, exercice=exercice)
    if checked.errors:
        raise ConvError(checked.errors, loader.sources)
    chain = " + ".join(Path(p).name for p in checked.chain)
    header = (
        f"# Version consolidée de {chain}, écrite par « convcheck consolidate ».\n"
        "# Les commentaires propres à chaque clause sont repris ; les autres restent dans les fichiers "
        "d'origine.\n"
    )
    assert checked.model is not None  # checked without error
    header += "".join(f"# {line}\n" for line in exercise_lines(checked.model))  # nothing for the general rules
    return header + render_with_comments(checked.model.file, loader.sources)


# ---- the chain of versions: history, the version in force ------------------------------------------------


def chain_versions(path: str | Path, loader: Loader | None = None) -> tuple[tuple[Version, ...], list[Diagnostic]]:
    """The checked versions along the chain of bases of `path`, root first, and the errors found."""
    from interpreter.compare.history import Version  # the comparison of clauses and the parser (Lark)

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
    from interpreter.compare.history import build_history  # the parser (Lark): only for the history

    loader = loader if loader is not None else Loader()
    versions, errors = chain_versions(path, loader)
    if errors:
        raise ConvError(errors, loader.sources)
    return build_history(versions)


def clause_timelines(found: History, id: str, path: str | Path = "") -> list[ClauseTimeline]:
    """The history of the clauses named `id` along a chain (`historique --clause ID`), each with the changes of the
    paramètres it uses. Raises `ConvError` when no version of the chain has a clause of that id."""
    from interpreter.compare.history import timelines  # the parser (Lark): only for the history

    focused = timelines(found, id)
    if not focused:
        known = [c.id for c in found.clauses]
        raise ConvError(
            [
                Diagnostic(
                    "clause-inconnue",
                    f"aucune clause « {id} » dans la chaîne des versions de « {path} »",
                    file="--clause",
                    suggestion=suggest(id, known)
                    or "donnez l'identifiant d'un critère, d'une brique, d'une donnée ou d'un paramètre",
                )
            ]
        )
    return focused


def version_in_force(
    path: str | Path, date: datetime.date, loader: Loader | None = None, notes: list[Diagnostic] | None = None
) -> str:
    """The file, along the chain of bases of `path`, of the version in force at `date` (`consolidate --au`).
    `notes` receives a warning when that version is only an unsigned proposal. Raises `ConvError`."""
    from interpreter.compare.history import in_force_problem, unsigned_in_force, version_at  # the parser (Lark)

    loader = loader if loader is not None else Loader()
    versions, errors = chain_versions(path, loader)
    if errors:
        raise ConvError(errors, loader.sources)
    chosen = version_at(versions, date)
    if chosen is None:
        raise ConvError([in_force_problem(str(path), versions, date)], loader.sources)
    if notes is not None and chosen.model.unsigned:
        notes.append(unsigned_in_force(versions, chosen, date))
    return chosen.path


# ---- comparing versions ----------------------------------------------------------------------------------


def diff(old: Convention, new: Convention, cas: str | None = None) -> Diff:
    """What changes from one version to the other, clause by clause and in euros (the diff the CLI renders):
    each clause valued at each version's maximal structure, or with the données of the `cas` named."""
    from interpreter.compare.diff import cas_basis, diff_models  # the parser (Lark): only for a comparison

    return diff_models(
        old.model, new.model, old.program, new.program, None if cas is None else cas_basis(old, new, cas)
    )


@bounded_sums(lambda old, new, population, *args, **kwargs: population)
def impact(
    old: Convention,
    new: Convention,
    population: str | Path | pl.DataFrame,
    change: Diff | None = None,
    progress=None,
    groupings: Sequence[str] = (),
    engine: str = DEFAULT,
    notes: list | None = None,
    guarantee: Fraction | None = None,
) -> Impact:
    """The money impact of going from `old` to `new` on a population, structure by structure, and by
    group for each `groupings` (`"region"`, `"patientele=2000,4000"`). The population is read once.
    `engine` computes each version (see `Convention.simulation`); `notes` receives why it could not.
    `guarantee`: the share of each loss made good (1: no structure loses), whose cost the impact gives."""
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
    return evolve(with_groups(found, tables[0], groupings, guarantee), defaults=tuple(t.defaults for t in tables))


def with_groups(
    found: Impact, population: Population, groupings: Sequence[str], guarantee: Fraction | None = None
) -> Impact:
    """An impact with its `--par` groups and, for a `guarantee` share, the cost of topping the losers up."""
    from interpreter.compare.groups import GroupingError, impact_groups, labels_by_id  # polars (heavy)
    from interpreter.compare.guarantee import guarantee_of  # numpy (heavy)

    pairing = found.pairing
    try:
        groups = []
        for text in groupings:
            grouping = parse_grouping(text)
            labels = labels_by_id(grouping, population, pairing.ids)
            groups.append((grouping, impact_groups(grouping, labels, pairing.before, pairing.after, guarantee)))
    except GroupingError as error:
        raise ConvError(error.diagnostics) from None
    cost = None if guarantee is None else guarantee_of(pairing.after - pairing.before, found.budget_after, guarantee)
    return evolve(found, groups=tuple(groups), guarantee=cost, population=population)


def write_per_structure(
    found: Impact, old: Convention, new: Convention, path: str, inputs=(), french: bool = False, provenance=None
) -> None:
    """The per-structure table of an impact written to `path` (CSV, Parquet or JSON Lines), with what its figures
    rest on (`provenance`: `interpreter.report.provenance.Provenance`)."""
    from interpreter.compare.impact import per_structure  # numpy (heavy): only with a population
    from interpreter.io.resultsfile import write_results  # polars (heavy): only with a population

    frame = per_structure(found, frozenset(old.model.donnees) | frozenset(new.model.donnees))
    write_results(frame, path, inputs, french, provenance)


def impact_draws(
    old: Convention,
    new: Convention,
    population,
    count: int,
    seed: int,
    change: Diff | None = None,
    groupings: Sequence[str] = (),
    guarantee: Fraction | None = None,
) -> Impact:
    """The impact under `count` draws of the scénarios' `tirage` (`diff --population … --tirages N --graine S`): the
    figures over the draws (`Impact.draws`: median and 5–95 %), the details those of the median draw."""
    from interpreter.compare import draws as d  # numpy (heavy): only for a population
    from interpreter.compare.impact import impact_between  # numpy (heavy): only for a population

    d.draws_needed([old.program, new.program])
    change = change if change is not None else diff(old, new)
    tables = read_once(population, old, new, grouping_columns(groupings))
    before, after = d.Draws(old.program, tables[0], count, seed), d.Draws(new.program, tables[1], count, seed)
    spread = d.impact_draws(before, after, guarantee)
    found = impact_between(
        before.result(spread.median), after.result(spread.median), old.program, new.program, change.renamed_lines
    )
    return evolve(
        with_groups(found, tables[0], groupings, guarantee), draws=spread, defaults=tuple(t.defaults for t in tables)
    )


def simulation_draws(
    version: Convention, population, count: int, seed: int, keep_invalid: bool = False, keep=frozenset()
) -> tuple[Simulation, Any]:
    """A population under `count` draws of the scénarios' `tirage` (`simulate --tirages N --graine S`): the figures
    over the draws (`interpreter.compare.draws.SimulationDraws`), and the simulation of the median draw."""
    from interpreter.compare import draws as d  # numpy (heavy): only for a population

    d.draws_needed([version.program])
    table = version.population(population, keep_invalid, keep=keep)
    draws = d.Draws(version.program, table, count, seed)
    spread = d.simulation_draws(draws)
    return Simulation(version, table, draws.result(spread.median)), spread


def read_once(population, old: Convention, new: Convention, keep=frozenset()) -> tuple[Population, Population]:
    """The population validated for each of two versions, read from its file once."""
    from interpreter.io.tables import TableError, numeric_donnees, read_table  # polars (heavy): only for a population

    source, origin = population, None
    if isinstance(population, (str, Path)):
        origin = str(population)
        try:
            source = read_table(
                population if isinstance(population, str) else origin,
                numeric_donnees(old.model) | numeric_donnees(new.model),
                frozenset(old.model.donnees) | frozenset(new.model.donnees) | frozenset(keep),
            )
        except TableError as error:
            raise ConvError(error.diagnostics) from None
    return (
        old.population(source, other_columns=frozenset(new.model.donnees), origin=origin, keep=keep),
        new.population(source, other_columns=frozenset(old.model.donnees), origin=origin, keep=keep),
    )


# ---- several years ------------------------------------------------------------------------------------------


def project_pair(
    old_path: str | Path,
    new_path: str | Path,
    population,
    start: int,
    stop: int,
    scenarios: Sequence = (),
    settings: Sequence[str] = (),
    after_scenarios: Sequence = (),
    after_settings: Sequence[str] = (),
) -> tuple[Projection, Projection]:
    """Two versions over the same years (`diff … --de A --a B`), under the same hypotheses (`after_…`: the second's
    only); a name that no version of either chain has is an error."""
    before = project(old_path, population, start, stop, scenarios, settings, check_names=False)
    after = project(
        new_path,
        population,
        start,
        stop,
        [*scenarios, *after_scenarios],
        [*settings, *after_settings],
        check_names=False,
    )
    _names_none_has([before.version, after.version], scenarios, settings, Loader())
    return before, after


def project(
    version_path: str | Path,
    population,
    start: int,
    stop: int,
    scenarios: Sequence = (),
    settings: Sequence[str] = (),
    check_names: bool = True,
) -> Projection:
    """The budget of a version from year `start` to year `stop` (`convcheck projette`): each month under the version
    of its chain of bases in force on the first day, the population growing as the scénarios say
    (`interpreter.compare.projection`). The population is read once. Raises `ConvError`."""
    from interpreter.compare import projection as p  # numpy, polars (heavy): only for a population
    from interpreter.io.tables import TableError, numeric_donnees, read_table  # polars (heavy)

    if start > stop or stop - start >= p.MAX_YEARS:
        raise ConvError(
            [
                Diagnostic(
                    "projection-invalide",
                    f"--de {start} --a {stop} : donnez deux années dans l'ordre, {p.MAX_YEARS} ans au plus",
                    file="--a",
                    suggestion="par exemple --de 2026 --a 2030",
                )
            ]
        )
    versions, errors = chain_versions(version_path)
    if errors:
        raise ConvError(errors)
    chain = load_versions([v.path for v in versions], scenarios, settings, check_names=check_names)
    used = [v for v in chain if any(s.version is v for year in range(start, stop + 1) for s in p.segments(chain, year))]
    if not used:
        dates = sorted(v.model.en_vigueur for v in chain if v.model.en_vigueur is not None)
        raise ConvError(
            [
                Diagnostic(
                    "projection-invalide",
                    f"aucune version de la chaîne de « {version_path} » n'est en vigueur entre {start} et {stop}",
                    file=str(version_path),
                    suggestion=f"la première entre en vigueur le {dates[0].isoformat()}"
                    if dates
                    else "ajoutez « en vigueur : AAAA-MM-JJ » aux versions",
                )
            ]
        )
    source = population
    if isinstance(population, (str, Path)):
        try:
            source = read_table(
                str(population),
                frozenset().union(*(numeric_donnees(v.model) for v in used)),
                frozenset().union(*(frozenset(v.model.donnees) for v in used)),
            )
        except TableError as error:
            raise ConvError(error.diagnostics) from None
    own = {
        (v.name, year): load(v.path, settings, Loader(), scenarios, lenient=True, exercice=year)
        for v in used
        for year in range(start, stop + 1)
        if year in v.model.exercices
    }
    everything = frozenset().union(*(frozenset(v.model.donnees) for v in (*used, *own.values())))
    origin = str(population) if isinstance(population, (str, Path)) else None
    tables = {v.name: v.population(source, other_columns=everything, origin=origin) for v in used}
    yearly = {
        key: (ruled, ruled.population(source, other_columns=everything, origin=origin)) for key, ruled in own.items()
    }
    return p.project(chain[-1], chain, tables, start, stop, yearly)


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
    draws: tuple[int, int, int] | None = None  # `--tirages`: (N, seed, the median draw of the value found, from 0)
    interval: tuple | None = None  # `calibre --tirages`: the values (`Point`) reaching the target at 95 % and 5 %


def _decision_setup(
    version_path, population, parametre, reference_path, scenarios, settings, draws: tuple[int, int] | None = None
):
    from interpreter.backends.vector import simulate  # numpy (heavy): only for a population
    from interpreter.compare import draws as d  # numpy (heavy): only for a population
    from interpreter.compare.calibration import DecisionError, DrawSweeper, Sweeper  # numpy, polars (heavy)

    reference_table = None
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
        if draws is None:
            return version, reference, table, Sweeper(version.program, table, parametre, reference_result)
        d.draws_needed([version.program, *([reference.program] if reference else [])])
        drawn_reference = None if reference is None else (reference.program, reference_table)
        return version, reference, table, DrawSweeper(version.program, table, parametre, *draws, drawn_reference)
    except DecisionError as error:
        raise ConvError(error.diagnostics) from None


def sweep_texts(text: str) -> list[str]:
    """The values of `balaye --valeurs`, as written, separated by « ; » (or by commas without one). Raises
    `ConvError` for a comma list that looks like it split a decimal comma."""
    return split_values(text)


@bounded_sums(lambda version_path, population, *args, **kwargs: population)
def calibrate(
    version_path: str | Path,
    population,
    parametre: str,
    budget: Decimal | None = None,
    budget_of: str | Path | None = None,
    scenarios: Sequence = (),
    settings: Sequence[str] = (),
    precision: Decimal | None = None,
    draws: tuple[int, int] | None = None,
) -> Decision:
    """The value of `parametre` at which the population's budget reaches `budget` (euros) or the budget of
    version `budget_of` (scenarios and settings apply to both, each name where the version has it;
    the paramètre varies in `version_path` only). Then the impact at that value against the reference.
    With `draws` (N, seed): the value at which the median budget over N draws of the scénarios' `tirage` reaches
    the target, and the values at which the 95 % and the 5 % quantiles do (`Decision.interval`)."""
    from interpreter.compare import calibration as c  # numpy, polars (heavy): only for a population
    from interpreter.compare.impact import impact_between  # numpy (heavy): only for a population

    version, reference, table, sweeper = _decision_setup(
        version_path, population, parametre, budget_of, scenarios, settings, draws
    )
    try:
        target = int(budget * 100) if budget is not None else _reference_budget(sweeper)
        found = c.calibrate(sweeper, target, precision)
        at = found.found or found.closest
        interval = None if draws is None else _interval(sweeper, target, precision)
        old, new, median = _results_at(sweeper, at.value)
        program = version.program.with_parametre(parametre, at.value)
    except c.DecisionError as error:
        raise ConvError(error.diagnostics) from None
    if reference is not None:
        impact = impact_between(old, new, reference.program, program, diff(reference, version).renamed_lines)
    else:
        impact = impact_between(old, new, version.program, program, {})
    told = None if draws is None or median is None else (*draws, median)
    return Decision(version, reference, table, found.points, found, impact, target, told, interval)


def _reference_budget(sweeper) -> int:
    """The budget a calibration aims at without `--budget`: the reference's (its median over the draws)."""
    from interpreter.compare.draws import nearest_rank  # numpy (heavy): only for a population
    from interpreter.compare.sums import checked_sum  # numpy (heavy): only for a population

    budgets = getattr(sweeper, "reference_budgets", None)
    if budgets is not None:
        return nearest_rank(budgets, 50)
    return checked_sum(sweeper.reference.total, "le budget de référence")


def _interval(sweeper, target: int, precision: Decimal | None) -> tuple:
    """The values at which the 95 % and the 5 % quantiles of the budget reach the target, in increasing order."""
    from interpreter.compare import calibration as c  # numpy, polars (heavy): only for a population

    found = []
    for percent in (95, 5):
        sweeper.percent = percent
        other = c.calibrate(sweeper, target, precision)
        found.append(other.found or other.closest)
    sweeper.percent = 50
    return tuple(sorted(found, key=lambda point: point.value))


def _results_at(sweeper, value: Decimal):
    """The results at `value` and those of the reference (or of the current value) they are compared with — in
    the median draw of the budget under draws (its number, from 0, is the third item; None without draws)."""
    if not hasattr(sweeper, "median_results"):
        reference = sweeper.reference if sweeper.reference is not None else sweeper.result(sweeper.current)
        return reference, sweeper.result(value), None
    median, result, reference = sweeper.median_results(value)
    if reference is None:
        reference = sweeper.figures(sweeper.current)[0].result(median)
    return reference, result, median


@bounded_sums(lambda version_path, population, *args, **kwargs: population)
def sweep(
    version_path: str | Path,
    population,
    parametre: str,
    values: Sequence[Decimal | str] | Grid,
    reference_path: str | Path | None = None,
    scenarios: Sequence = (),
    settings: Sequence[str] = (),
    draws: tuple[int, int] | None = None,
) -> Decision:
    """The population's budget, mean payment and eligible structures at each value of `parametre` (and,
    against a reference version, the budget gap and who gains and loses). The population is read once.
    `values`: Decimals, or texts read for the paramètre's type (`"7,5 €"`, `"5 %"`), or a `Grid` of texts
    (`--de`, `--a`, `--pas`). With `draws` (N, seed): each figure is the median over N draws of the scénarios'
    `tirage`, the budget with its 5–95 % interval (`Point.low`, `Point.high`)."""
    from interpreter.compare import calibration as c  # numpy, polars (heavy): only for a population
    from interpreter.compare.sums import checked_sum  # numpy (heavy): only for a population

    version, reference, table, sweeper = _decision_setup(
        version_path, population, parametre, reference_path, scenarios, settings, draws
    )
    try:
        points = c.sweep(sweeper, resolve_values(values, sweeper.kind))
    except c.DecisionError as error:
        raise ConvError(error.diagnostics) from None
    budget = None
    if reference is not None:
        budget = (
            _reference_budget(sweeper)
            if draws is not None
            else checked_sum(sweeper.reference.total, "le budget de référence")
        )
    told = None if draws is None else (*draws, 0)
    return Decision(version, reference, table, tuple(points), reference_budget=budget, draws=told)
