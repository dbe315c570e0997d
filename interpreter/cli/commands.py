"""The `convcheck` commands: each parses its options, calls `interpreter.api`, renders one report
(`interpreter.report`; the format is chosen once, from `--format` and the extension of `-o`) and returns
its exit code, which `interpreter.cli.french.FrenchGroup` maps to the process's.
"""

from __future__ import annotations

import click

from dsl.avenants import Loader
from dsl.diagnostics import render_all_text, render_json
from interpreter import api
from interpreter.cli.french import EXIT_INVALID, EXIT_OK, FrenchGroup, UsageProblem, help_option, use_color
from interpreter.cli.options import (
    CALIBRATION_FORMATS,
    DIFF_FORMATS,
    EVAL_FORMATS,
    HELP,
    PROJECTION_FORMATS,
    RESULTS_FORMATS,
    SWEEP_FORMATS,
    VERSIONS_FORMATS,
    check_table_suffix,
    csv_fr_option,
    draws_asked,
    draws_options,
    engine_option,
    exercise_option,
    exercise_year,
    existing_files,
    format_option,
    guarantee_option,
    guarantee_share,
    hypothesis_options,
    option_number,
    population_file,
    population_options,
    rejects_path,
    report_format,
    years_options,
)
from interpreter.cli.outputs import (
    plural,
    progress_bar,
    publish,
    report_notes,
    reports_errors,
    summary,
    warnings_note,
    write_workbook,
)
from interpreter.cli.publishing import PUBLISHED
from interpreter.io.sizes import POPULATION_HELP
from interpreter.io.writer import check_destination
from interpreter.report.formats import format_of_extension
from interpreter.report.provenance import provenance_of, start_digest
from interpreter.report.status import status_words

# ---- commands ---------------------------------------------------------------------------------------


@click.group(cls=FrenchGroup, context_settings=HELP)
@help_option
def cli():
    """convcheck : vérifier, évaluer et comparer les conventions des structures de santé (.conv)."""


@cli.command("check", context_settings=HELP)
@click.argument("fichiers", nargs=-1, required=True, metavar="FICHIER...")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="Format des diagnostics : text (défaut) ou json.",
)
@click.option("--strict", is_flag=True, help="Échouer aussi sur les avertissements.")
@click.option("--no-color", is_flag=True, help="Pas de couleurs.")
@help_option
def check_command(fichiers, output_format, strict, no_color):
    """Vérifier des conventions et des avenants : syntaxe, noms, types, opérations."""
    paths = existing_files(fichiers)
    loader = Loader()
    diagnostics = api.check_files(paths, loader)
    try:
        project = [api.strict_for(path) for path in paths]
    except api.ConvError as error:
        diagnostics = [*diagnostics, *error.diagnostics]
        project = []
    strict = strict or any(settings.strict for settings in project)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if output_format == "json":
        click.echo(render_json(diagnostics))
    else:
        if diagnostics:
            click.echo(render_all_text(diagnostics, loader.sources, use_color(no_color)))
            click.echo()
        click.echo(summary(len(paths), errors, warnings))
        if strict and warnings and not errors:
            click.echo("Mode strict : les avertissements font échouer la vérification.")
    return EXIT_INVALID if errors > 0 or (strict and warnings > 0) else EXIT_OK


@cli.command("eval", context_settings=HELP)
@click.argument("fichiers", nargs=-1, required=True, metavar="VERSION... DECLARATION")
@format_option(VERSIONS_FORMATS, "Format du résultat (markdown, html et xlsx : avec plusieurs versions)")
@click.option("-o", "--output", metavar="FICHIER", help="Avec plusieurs versions : écrire le rapport dans ce fichier.")
@hypothesis_options
@click.option(
    "--avance",
    "with_advance",
    is_flag=True,
    help="Montrer l'avance (taux_avance des prérequis et du socle atteints à 100 %) et le solde.",
)
@exercise_option
@click.option("--no-color", is_flag=True, help="Pas de couleurs.")
@help_option
@reports_errors
def eval_command(fichiers, output_format, output, scenarios, settings, with_advance, exercice, no_color):
    """Évaluer une structure : critère par critère, ce qui est atteint, pourquoi, et ce que cela rapporte ; avec
    plusieurs versions, une colonne par version et l'écart de chaque ligne.

    DECLARATION : YAML, JSON, TOML, ou un CSV ou un classeur .xlsx d'une ligne ; une déclaration fait au plus 10 Mio."""
    if len(fichiers) < 2:
        raise UsageProblem("donnez au moins une version et une déclaration : convcheck eval VERSION DECLARATION")
    *conventions, declaration = fichiers
    existing_files((*conventions, declaration, *scenarios))
    year = exercise_year(exercice)
    if len(conventions) > 1:
        from interpreter.report.versions import VersionsReport  # each command imports its own report

        if with_advance:
            raise UsageProblem("--avance vaut pour une version : convcheck eval VERSION DECLARATION --avance")
        versions = api.load_versions(conventions, scenarios, settings, year)
        across = api.evaluate_across(versions, declaration)
        inputs = [path for version in versions for path in version.sources] + [declaration]
        if output:
            check_destination(output, inputs)
        provenance = provenance_of([(None, v) for v in versions], declaration, label="Déclaration")
        publish(
            VersionsReport(tuple(versions), across, provenance),
            report_format(output_format, output, VERSIONS_FORMATS),
            output,
            inputs,
        )
        return EXIT_OK
    if output or (output_format or "text") not in EVAL_FORMATS:
        raise UsageProblem(
            "-o et les formats markdown, html et xlsx servent à comparer plusieurs versions : "
            "convcheck eval V1 V2 DECLARATION"
        )
    from interpreter.report.evaluation import EvaluationReport  # each command imports its own report

    version = api.load(conventions[0], settings, scenarios=scenarios, exercice=year)
    structure_id, _ = version.declaration(declaration)
    evaluation = version.evaluate(declaration)
    advance = version.advance(declaration) if with_advance else None
    report = EvaluationReport(
        version,
        evaluation,
        structure_id,
        advance,
        use_color(no_color),
        provenance_of([(None, version)], declaration, label="Déclaration"),
    )
    publish(report, output_format or "text", None, [])
    return EXIT_OK


@cli.command("test", context_settings=HELP)
@click.argument("fichiers", nargs=-1, required=True, metavar="FICHIER...")
@click.option("--no-color", is_flag=True, help="Pas de couleurs.")
@help_option
def test_command(fichiers, no_color):
    """Exécuter les cas (« cas ») des conventions et des avenants : chaque chiffre négocié est un test."""
    from interpreter.report.cases import render_case  # each command imports its own report

    paths = existing_files(fichiers)
    color = use_color(no_color)
    passed = failed = 0
    for path in paths:
        if api.is_scenario(path):
            click.echo(f"{path} : scénario, sans cas (il s'applique à une version avec --scenario).")
            continue
        try:
            version = api.load(path)
        except api.ConvError as error:
            click.echo(render_all_text(error.diagnostics, error.sources, color))
            click.echo(f"{path} : le fichier a des erreurs, ses cas ne sont pas exécutés.\n")
            failed += 1
            continue
        status = f" ({status_words(version.model)})" if status_words(version.model) else ""
        runs = [(f"{path}{status}", version.cases())]
        for year in version.model.exercices:  # each exercise's own cas, with that exercise's rules
            runs.append((f"{path}, exercice {year}", api.load(path, exercice=year).cases()))
        for title, results in runs:
            if not results and title != runs[0][0]:
                continue
            click.echo(f"{title} : {plural(len(results), 'cas').replace('cass', 'cas')}")
            for result in results:
                click.echo(render_case(result, color))
                passed += result.passed
                failed += not result.passed
    click.echo(f"\n{plural(passed, 'réussi')}, {plural(failed, 'échoué')}")
    return EXIT_INVALID if failed else EXIT_OK


@cli.command("diff", context_settings=HELP)
@click.argument("ancienne", metavar="ANCIENNE")
@click.argument("nouvelle", metavar="NOUVELLE")
@format_option(DIFF_FORMATS)
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le rapport dans ce fichier.")
@click.option("--exit-code", is_flag=True, help="Sortir avec le code 1 quand les versions diffèrent (comme git diff).")
@click.option(
    "--cas",
    metavar="ID",
    help="Valoriser chaque version avec les données d'un cas (par exemple la "
    "structure de référence de la Cnam) au lieu de la structure maximale.",
)
@click.option(
    "--population",
    metavar="POPULATION",
    help="Ajouter l'impact sur une population (CSV, Excel .xlsx, Parquet ou JSON Lines ; "
    f"{POPULATION_HELP}) : budgets, gagnants, perdants.",
)
@click.option(
    "--par",
    "groupings",
    multiple=True,
    metavar="COLONNE",
    help="Avec --population : budgets, gagnants et perdants par groupe d'une colonne (répétable) ; "
    "par tranches : --par patientele=2000,4000,8000.",
)
@click.option(
    "--par-structure",
    "per_structure",
    metavar="FICHIER",
    help="Avec --population : écrire une ligne par structure (totaux avant, après, écart de chaque ligne) "
    "en .csv, .parquet ou .jsonl.",
)
@guarantee_option
@draws_options
@years_options(
    "Avec --population et --a : comparer les deux versions année par année, de cette année (celle de la "
    "population) à celle de --a, chacune avec sa chaîne de bases ; l'écart cumulé.",
    "Avec --de : la dernière année.",
)
@population_options
@csv_fr_option
@hypothesis_options
@click.option(
    "--scenario-apres",
    "after_scenarios",
    multiple=True,
    metavar="FICHIER",
    help="Un scénario appliqué à la seconde version seulement (répétable).",
)
@click.option(
    "--set-apres",
    "after_settings",
    multiple=True,
    metavar="ID=VALEUR",
    help="Remplacer un paramètre de la seconde version seulement (répétable).",
)
@engine_option
@exercise_option
@help_option
@reports_errors
def diff_command(
    ancienne,
    nouvelle,
    output_format,
    output,
    exit_code,
    cas,
    population,
    groupings,
    per_structure,
    guarantee,
    draw_count,
    seed,
    start,
    stop,
    encoding,
    sheet,
    csv_fr,
    scenarios,
    settings,
    after_scenarios,
    after_settings,
    engine,
    exercice,
):
    """Comparer deux versions (conventions ou avenants) : ce qui change, clause par clause, en euros."""
    from interpreter.report.diff import DiffReport  # the comparison of clauses and the parser (Lark, 0.04 s)

    population = population_file(population, encoding, sheet)
    existing_files((ancienne, nouvelle, *scenarios, *after_scenarios) + ((population,) if population else ()))
    draws = draws_asked(draw_count, seed)
    if (groupings or per_structure or guarantee or draws or start or stop) and not population:
        raise UsageProblem(
            "--par, --par-structure, --garantie, --tirages et --de/--a demandent une population : "
            "ajoutez --population FICHIER"
        )
    if (start is None) != (stop is None):
        raise UsageProblem("donnez les deux années : --de ANNEE --a ANNEE (par exemple --de 2026 --a 2030)")
    share = guarantee_share(guarantee)
    old, new = api.load_pair(
        ancienne, nouvelle, scenarios, settings, after_scenarios, after_settings, exercise_year(exercice)
    )
    inputs = [*old.sources, *new.sources, *((population,) if population else ())]
    for destination in (output, per_structure):
        if destination:
            check_destination(destination, inputs)
    check_table_suffix(per_structure)
    chosen = report_format(output_format, output, DIFF_FORMATS)
    change = api.diff(old, new, cas)
    impact = years = None
    provenance = provenance_of([("avant", old), ("après", new)])
    if population:
        notes: list = []
        if draws is not None:
            impact = api.impact_draws(old, new, population, *draws, change, groupings=groupings, guarantee=share)
        else:
            impact = api.impact(
                old,
                new,
                population,
                change,
                progress=progress_bar,
                groupings=groupings,
                engine=engine,
                notes=notes,
                guarantee=share,
            )
        report_notes(notes, {**old.sources, **new.sources})
        provenance = provenance_of([("avant", old), ("après", new)], population, impact.structures)
        if start is not None:
            years = api.project_pair(
                ancienne, nouvelle, population, start, stop, scenarios, settings, after_scenarios, after_settings
            )
        if per_structure:
            api.write_per_structure(impact, old, new, per_structure, inputs, csv_fr, provenance)
    publish(DiffReport(old, new, change, impact, population, provenance, years), chosen, output, inputs)
    warnings_note((old, new))
    return EXIT_INVALID if exit_code and not change.empty else EXIT_OK


@cli.command("projette", context_settings=HELP)
@click.argument("version", metavar="VERSION")
@click.option(
    "--population",
    required=True,
    metavar="POPULATION",
    help="La population de la première année (CSV, Excel .xlsx, Parquet ou JSON Lines).",
)
@years_options()
@population_options
@hypothesis_options
@format_option(PROJECTION_FORMATS)
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le rapport dans ce fichier.")
@help_option
@reports_errors
def projette_command(version, population, start, stop, encoding, sheet, scenarios, settings, output_format, output):
    """Le budget année par année : chaque mois selon la version de la chaîne en vigueur, la population qui croît
    comme le disent les scénarios (« croissance : 250 par an »)."""
    from interpreter.report.projection import ProjectionReport  # each command imports its own report

    if start is None or stop is None:
        raise UsageProblem("donnez les années : --de ANNEE --a ANNEE (par exemple --de 2026 --a 2030)")
    existing_files((version, population, *scenarios))
    population = population_file(population, encoding, sheet)
    chosen = report_format(output_format, output, PROJECTION_FORMATS)
    projection = api.project(version, population, start, stop, scenarios, settings)
    inputs = [*projection.version.sources, population]
    if output:
        check_destination(output, inputs)
    provenance = provenance_of(
        [(None, v) for v in projection.versions or (projection.version,)], population, projection.years[0].structures
    )
    publish(ProjectionReport(projection, provenance), chosen, output, inputs)
    return EXIT_OK


@cli.command("simulate", context_settings=HELP)
@click.argument("convention", metavar="CONVENTION")
@click.argument("population", metavar="POPULATION")
@click.option(
    "-o", "--output", metavar="RESULTATS", help="Écrire les résultats par structure (.csv, .xlsx, .parquet ou .jsonl)."
)
@population_options
@csv_fr_option
@hypothesis_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="Format du résumé : text (défaut) ou json.",
)
@click.option(
    "--ignorer-invalides",
    "ignore_invalid",
    is_flag=True,
    help="Écarter les structures invalides (listées dans un fichier de rejets) au lieu de s'arrêter.",
)
@click.option(
    "--par",
    "groupings",
    multiple=True,
    metavar="COLONNE",
    help="Budget et paiement moyen par groupe d'une colonne (répétable) ; par tranches : "
    "--par patientele=2000,4000,8000.",
)
@draws_options
@engine_option
@exercise_option
@help_option
@reports_errors
def simulate_command(
    convention,
    population,
    output,
    encoding,
    sheet,
    csv_fr,
    scenarios,
    settings,
    output_format,
    ignore_invalid,
    groupings,
    draw_count,
    seed,
    engine,
    exercice,
):
    """Évaluer toute une population de structures : paiements, budget, moyenne, médiane, déciles.

    POPULATION : CSV, Excel .xlsx, Parquet ou JSON Lines ; au plus 2 Gio en CSV ou JSON Lines, 10 millions de
    structures en Parquet, 10 millions de cellules par feuille Excel."""
    from interpreter.report.impact import SimulationReport, results_sheets  # numpy (heavy): only for a population

    existing_files((convention, population, *scenarios))
    population = population_file(population, encoding, sheet)
    start_digest(population)  # the provenance's sha256 of the file, hashed while the file is read and computed
    version = api.load(convention, settings, scenarios=scenarios, exercice=exercise_year(exercice))
    inputs = [*version.sources, population]
    rejects = rejects_path(population, output)
    for destination in ([output] if output else []) + ([rejects] if ignore_invalid else []):
        check_destination(destination, inputs)
    check_table_suffix(output, RESULTS_FORMATS)
    draws, spread = draws_asked(draw_count, seed), None
    if draws is not None:
        simulation, spread = api.simulation_draws(
            version, population, *draws, ignore_invalid, keep=api.grouping_columns(groupings)
        )
    else:
        simulation = version.simulation(
            population, ignore_invalid, progress_bar, engine=engine, keep=api.grouping_columns(groupings)
        )
    if simulation.population.warnings and output_format != "json":
        click.echo(render_all_text(simulation.population.warnings, {}) + "\n", err=True)
    report_notes(simulation.notes, version.sources)
    if simulation.result.errors and not ignore_invalid:
        raise api.ConvError(simulation.errors())
    rejected = simulation.write_rejects(rejects, inputs, csv_fr) if ignore_invalid else False
    groups = simulation.groups(groupings)
    provenance = provenance_of([(None, version)], population, simulation.population.size + simulation.rejected)
    if output and format_of_extension(output) == "xlsx":
        from interpreter.io.xlsx import workbook  # only for -o *.xlsx

        write_workbook(
            lambda: workbook([provenance.sheet(), *results_sheets(simulation, groups, spread)]), output, inputs
        )
    elif output:
        simulation.write_results(output, inputs, csv_fr, provenance)
    report = SimulationReport(
        version,
        simulation.summary(simulation.rejected),
        population,
        groups,
        rejects if rejected else None,
        simulation.population.warnings,
        simulation.population.defaults,
        simulation.population.size,
        provenance,
        spread,
    )
    publish(report, output_format, None, inputs)
    if output and output_format != "json":
        click.echo(f"Résultats par structure écrits dans « {output} ».")
    warnings_note((version,))
    return EXIT_OK


@cli.command("calibre", context_settings=HELP)
@click.argument("version", metavar="VERSION")
@click.option(
    "--population",
    required=True,
    metavar="POPULATION",
    help=f"La population (CSV, Excel .xlsx, Parquet ou JSON Lines ; {POPULATION_HELP}).",
)
@click.option("--parametre", required=True, metavar="ID", help="Le paramètre (montant ou nombre) à calibrer.")
@click.option("--budget", metavar="MONTANT", help="Le budget visé, par exemple « 190 000 000 € ».")
@click.option("--budget-de", "budget_of", metavar="AUTRE_VERSION", help="Viser le budget d'une autre version.")
@click.option(
    "--precision",
    metavar="PAS",
    help="La précision de la valeur cherchée (défaut : le centime pour un montant, l'unité pour un nombre entier).",
)
@population_options
@hypothesis_options
@draws_options
@format_option(CALIBRATION_FORMATS)
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le rapport dans ce fichier.")
@help_option
@reports_errors
def calibre_command(
    version,
    population,
    parametre,
    budget,
    budget_of,
    precision,
    encoding,
    sheet,
    scenarios,
    settings,
    draw_count,
    seed,
    output_format,
    output,
):
    """Trouver la valeur d'un paramètre pour laquelle le budget d'une population atteint une cible."""
    from interpreter.report.decisions import CalibrationReport  # numpy, polars (heavy): only for a population

    existing_files((version, population, *scenarios, *((budget_of,) if budget_of else ())))
    if (budget is None) == (budget_of is None):
        raise UsageProblem("donnez la cible : --budget MONTANT ou --budget-de AUTRE_VERSION (l'un des deux)")
    population = population_file(population, encoding, sheet)
    decision = api.calibrate(
        version,
        population,
        parametre,
        option_number(budget, "--budget", "montant"),
        budget_of,
        scenarios,
        settings,
        option_number(precision, "--precision", "nombre"),
        draws_asked(draw_count, seed),
    )
    inputs = [*decision.version.sources, population]
    if output:
        check_destination(output, inputs)
    provenance = provenance_of(_decision_versions(decision), decision.population)
    publish(
        CalibrationReport(decision, population, provenance),
        report_format(output_format, output, CALIBRATION_FORMATS),
        output,
        inputs,
    )
    warnings_note([v for v in (decision.version, decision.reference) if v is not None])
    return EXIT_OK


@cli.command("balaye", context_settings=HELP)
@click.argument("version", metavar="VERSION")
@click.option(
    "--population",
    required=True,
    metavar="POPULATION",
    help=f"La population (CSV, Excel .xlsx, Parquet ou JSON Lines ; {POPULATION_HELP}).",
)
@click.option("--parametre", required=True, metavar="ID", help="Le paramètre (montant ou nombre) qui varie.")
@click.option("--de", "start", metavar="A", help="Première valeur.")
@click.option("--a", "stop", metavar="B", help="Dernière valeur.")
@click.option("--pas", "step", metavar="C", help="Écart entre deux valeurs.")
@click.option(
    "--valeurs",
    metavar='"A; B; C"',
    help="Les valeurs, séparées par des points-virgules — chacune peut "
    'alors s\'écrire avec une virgule décimale : --valeurs "5 %; 7,5 %; 10 %" — ou par des virgules sans '
    "point-virgule : --valeurs 7,7.5,8 (décimales avec un point) ; au lieu de --de/--a/--pas. Pour un "
    "paramètre pourcentage, 5 vaut 5 %.",
)
@click.option("--reference", metavar="AUTRE_VERSION", help="Comparer chaque valeur au budget d'une autre version.")
@population_options
@csv_fr_option
@hypothesis_options
@draws_options
@format_option(SWEEP_FORMATS)
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le rapport dans ce fichier.")
@help_option
@reports_errors
def balaye_command(
    version,
    population,
    parametre,
    start,
    stop,
    step,
    valeurs,
    reference,
    encoding,
    sheet,
    csv_fr,
    scenarios,
    settings,
    draw_count,
    seed,
    output_format,
    output,
):
    """Calculer le budget d'une population pour chaque valeur d'un paramètre : un tableau et un graphique."""
    from interpreter.report.decisions import SweepReport  # numpy, polars (heavy): only for a population

    existing_files((version, population, *scenarios, *((reference,) if reference else ())))
    if valeurs and (start or stop or step) or not valeurs and not (start and stop and step):
        raise UsageProblem('donnez les valeurs : --de A --a B --pas C, ou --valeurs "a; b; c"')
    values = api.sweep_texts(valeurs) if valeurs else api.Grid(start, stop, step)
    population = population_file(population, encoding, sheet)
    decision = api.sweep(
        version, population, parametre, values, reference, scenarios, settings, draws_asked(draw_count, seed)
    )
    inputs = [*decision.version.sources, population]
    if output:
        check_destination(output, inputs)
    provenance = provenance_of(_decision_versions(decision), decision.population)
    publish(
        SweepReport(decision, parametre, provenance),
        report_format(output_format, output, SWEEP_FORMATS),
        output,
        inputs,
        french=csv_fr,
    )
    warnings_note([v for v in (decision.version, decision.reference) if v is not None])
    return EXIT_OK


def _decision_versions(decision) -> list:
    """The versions of a calibration or a sweep: the one that varies, and the reference when there is one."""
    return (
        [(None, decision.version)]
        if decision.reference is None
        else [("étudiée", decision.version), ("de référence", decision.reference)]
    )


for command in PUBLISHED.values():  # after the commands above, in the order of `convcheck --help`
    cli.add_command(command)
