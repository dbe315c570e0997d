"""The `convcheck` command line: a thin layer over `interpreter.api`, messages in French.

Each command parses its options, calls the API, renders, and returns its exit code; exit codes
are decided in one place, `FrenchGroup.main` (documented in the README): 0 when the job was done
and found no error, 1 when the input has errors (an `api.ConvError`, or, for `check --strict`,
warnings), 2 for usage errors (missing file, unknown option, a destination that cannot be
written). No input ever produces a Python traceback: an internal failure is reported as such,
with exit code 3.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import sys
from pathlib import Path

import click

from dsl.avenants import Loader
from dsl.diagnostics import Diagnostic, render_all_text, render_json, sort_key, to_json_object
from dsl.format import encode_like, format_source
from dsl.parser import read_source
from dsl.source import special_kind
from interpreter import api
from interpreter.io.sizes import POPULATION_HELP
from interpreter.io.writer import WriteError, check_destination, write_bytes, write_text
from interpreter.report.cases import render_case
from interpreter.report.diff import diff_document, diff_json
from interpreter.report.document import Heading, render_html, render_markdown
from interpreter.report.document import render_text as render_text_document
from interpreter.report.evaluation import render_json as render_evaluation_json
from interpreter.report.evaluation import render_text as render_evaluation_text
from interpreter.report.hypotheses import hypotheses_blocks, hypotheses_json, hypotheses_text
from interpreter.report.status import status_line

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageProblem(click.UsageError):
    """A usage error whose message is already in French."""


# ---- click, in French ----------------------------------------------------------------------------


class FrenchCommand(click.Command):
    """A click command whose help speaks French."""

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="Usage : ")


class FrenchGroup(click.Group):
    """The `convcheck` group: French help and usage errors, exit codes, no traceback."""

    command_class = FrenchCommand

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="Usage : ")

    def format_commands(self, ctx, formatter):
        rows = [(name, cmd.get_short_help_str(60)) for name, cmd in self.commands.items() if not cmd.hidden]
        if rows:
            with formatter.section("Commandes"):
                formatter.write_dl(rows)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False,
                                **extra)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except WriteError as error:
            click.echo(render_all_text([error.diagnostic], {}), err=True)
            sys.exit(error.exit_code)
        except click.UsageError as error:
            click.echo(f"convcheck : {french_usage_message(error)}", err=True)
            hint = "" if error.ctx is None else f"« {error.ctx.command_path} --help » donne l'aide."
            if hint:
                click.echo(hint, err=True)
            sys.exit(EXIT_USAGE)
        except click.Abort:
            click.echo("convcheck : interrompu.", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(EXIT_OK)
        sys.exit(code or EXIT_OK)


def french_usage_message(error: click.UsageError) -> str:
    """Click's usage errors, said in French."""
    if isinstance(error, UsageProblem):
        return error.message
    if isinstance(error, click.exceptions.NoSuchOption):
        close = f" ; vouliez-vous dire « {error.possibilities[0]} » ?" if error.possibilities else ""
        return f"option inconnue « {error.option_name} »{close}"
    if isinstance(error, click.exceptions.NoSuchCommand) or "No such command" in error.message:
        name = error.message.split("'")[1] if "'" in error.message else error.message
        return f"commande inconnue « {name} » ; commandes : {', '.join(sorted(cli.commands))}"
    if isinstance(error, click.MissingParameter):
        name = (error.param.human_readable_name if error.param else "argument").upper()
        return f"argument manquant : {name}"
    if isinstance(error, click.BadParameter) and error.param is not None:
        if isinstance(error.param.type, click.Choice):
            choices = ", ".join(error.param.type.choices)
            return f"valeur invalide pour {error.param.opts[0]} ; choisissez parmi : {choices}"
        return f"valeur invalide pour {error.param.opts[0]} : {error.message}"
    if isinstance(error, click.BadOptionUsage):
        return f"option mal employée « {error.option_name} » : elle attend une valeur"
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", error.message)
    if extra:
        return (f"argument en trop : « {extra.group(1)} » ; une valeur qui contient des espaces s'écrit entre "
                "guillemets, par exemple --budget \"190 000 000 €\"")
    return f"usage incorrect : {error.message}"


def use_color(no_color: bool, stream=None) -> bool:
    """Colours on a terminal only, never with --no-color or NO_COLOR set."""
    stream = stream or sys.stdout
    return not no_color and "NO_COLOR" not in os.environ and stream.isatty()


def existing_files(paths: tuple[str, ...]) -> list[str]:
    """The paths, or a French usage error for a missing file or a directory."""
    for path in paths:
        p = Path(path)
        if not p.exists():
            raise UsageProblem(f"fichier introuvable : « {path} »")
        if p.is_dir():
            raise UsageProblem(f"« {path} » est un dossier ; donnez des fichiers .conv (par exemple "
                               f"« {path.rstrip('/')}/*.conv »)")
        kind = special_kind(path)  # checked before anything opens it: a FIFO or /dev/zero would hang
        if kind is not None:
            raise UsageProblem(f"« {path} » est {kind}, pas un fichier : convcheck ne lit que des fichiers ordinaires")
    return list(paths)


def unique(diagnostics) -> list[Diagnostic]:
    """Diagnostics without repeats (a base checked alone and under its avenant)."""
    seen = set()
    result = []
    for d in diagnostics:
        key = (d.code, d.message, d.span, d.file)
        if key not in seen:
            seen.add(key)
            result.append(d)
    return result


# ---- commands ---------------------------------------------------------------------------------------

HELP = {"help_option_names": ["-h", "--help"]}


def hypothesis_options(command):
    """`--scenario FICHIER` (repeatable, applied in order) and `--set ID=VALEUR` (after them)."""
    command = click.option("--set", "settings", multiple=True, metavar="ID=VALEUR",
                           help="Remplacer un paramètre, par exemple --set valeur_point=7.5€ (répétable, "
                           "appliqué après les scénarios).")(command)
    return click.option("--scenario", "scenarios", multiple=True, metavar="FICHIER",
                        help="Appliquer les hypothèses d'un fichier « scénario » (répétable, dans l'ordre).")(command)


def population_options(command):
    """`--encodage` (a CSV population's encoding) and `--feuille` (an Excel population's sheet)."""
    command = click.option("--feuille", "sheet", metavar="NOM",
                           help="Avec une population .xlsx : la feuille à lire (défaut : la première feuille visible).")(command)
    return click.option("--encodage", "encoding", metavar="ENCODAGE",
                        help="Avec une population .csv : son encodage, utf-8, windows-1252 ou utf-16 (défaut : détecté).")(command)


def population_file(path: str | None, encoding: str | None, sheet: str | None):
    """The population named with how to read it (`--encodage`, `--feuille`)."""
    from interpreter.io.csvfiles import encoding_option
    from interpreter.io.tables import TableFile

    if path is None:
        return None
    suffix = Path(path).suffix.lower()
    if sheet is not None and suffix != ".xlsx":
        raise UsageProblem(f"--feuille ne s'applique qu'à un classeur .xlsx, pas à « {path} »")
    if encoding is not None and suffix != ".csv":
        raise UsageProblem(f"--encodage ne s'applique qu'à un fichier .csv, pas à « {path} »")
    codec = encoding_option(encoding)
    if encoding is not None and codec is None:
        raise UsageProblem(f"encodage inconnu « {encoding} » pour --encodage : utf-8, windows-1252 ou utf-16")
    return TableFile(path, codec, sheet) if codec or sheet else path


def csv_fr_option(command):
    """`--csv-fr`: CSV written as French Excel reads it."""
    return click.option("--csv-fr", "csv_fr", is_flag=True,
                        help="Écrire les CSV à la française : « ; » entre les cellules et virgules décimales "
                        "(pour Excel).")(command)


def engine_option(command):
    """`--moteur defaut|duckdb`: where a population is computed."""
    return click.option("--moteur", "engine", type=click.Choice(["defaut", "duckdb"]), default="defaut",
                        help="Moteur de calcul : defaut, ou duckdb (la requête SQL de « convcheck sql », exécutée par "
                        "DuckDB sur le fichier ; mêmes résultats au centime).")(command)


def report_notes(notes, sources) -> None:
    """Why the engine asked for was not used (the default engine computed instead), on stderr."""
    if notes:
        click.echo(render_all_text(list(notes), sources, use_color(False, sys.stderr)) + "\n", err=True)


def reports_errors(callback):
    """A command whose input may prevent the job: an `api.ConvError` is rendered — as JSON on stdout
    when the command's `--format` is json, else as text on stderr — and the command exits 1."""
    @functools.wraps(callback)
    def command(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except api.ConvError as error:
            report_failure(error, "json" if kwargs.get("output_format") == "json" else "text")
            return EXIT_INVALID

    return command


def report_failure(error: api.ConvError, errors_format: str) -> None:
    if errors_format == "json":
        click.echo(render_json(error.diagnostics))
        return
    click.echo(render_all_text(error.diagnostics, error.sources, use_color(False, sys.stderr)), err=True)
    errors = sum(d.is_error for d in error.diagnostics)
    click.echo(f"\n{plural(errors, 'erreur')} : rien n'a été produit.", err=True)


@click.group(cls=FrenchGroup, context_settings=HELP)
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
def cli():
    """convcheck : vérifier, évaluer et comparer les conventions des structures de santé (.conv)."""


@cli.command(context_settings=HELP)
@click.argument("fichiers", nargs=-1, required=True, metavar="FICHIER...")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="Format des diagnostics : text (défaut) ou json.")
@click.option("--strict", is_flag=True, help="Échouer aussi sur les avertissements.")
@click.option("--no-color", is_flag=True, help="Pas de couleurs.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
def check(fichiers, output_format, strict, no_color):
    """Vérifier des conventions et des avenants : syntaxe, noms, types, opérations."""
    paths = existing_files(fichiers)
    loader = Loader()
    diagnostics: list[Diagnostic] = []
    for path in paths:
        diagnostics += api.check(path, loader).diagnostics
    order = {path: i for i, path in enumerate(paths)}
    diagnostics = sorted(unique(diagnostics), key=lambda d: sort_key(d, order))
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if output_format == "json":
        click.echo(render_json(diagnostics))
    else:
        if diagnostics:
            click.echo(render_all_text(diagnostics, loader.sources, use_color(no_color)))
            click.echo()
        click.echo(summary(len(paths), errors, warnings))
    return EXIT_INVALID if errors > 0 or (strict and warnings > 0) else EXIT_OK


@cli.command("eval", context_settings=HELP)
@click.argument("fichiers", nargs=-1, required=True, metavar="VERSION... DECLARATION")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown", "html", "xlsx"]), default=None,
              help="Format du résultat : text (défaut) ou json ; avec plusieurs versions, aussi markdown, html ou xlsx "
              "(choisi d'office quand -o finit par .xlsx).")
@click.option("-o", "--output", metavar="FICHIER", help="Avec plusieurs versions : écrire le rapport dans ce fichier.")
@hypothesis_options
@click.option("--avance", "with_advance", is_flag=True,
              help="Montrer l'avance (taux_avance des prérequis et du socle atteints à 100 %) et le solde.")
@click.option("--no-color", is_flag=True, help="Pas de couleurs.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def eval_command(fichiers, output_format, output, scenarios, settings, with_advance, no_color):
    """Évaluer une structure : critère par critère, ce qui est atteint, pourquoi, et ce que cela rapporte ; avec
    plusieurs versions, une colonne par version et l'écart de chaque ligne.

    DECLARATION : YAML, JSON, TOML, ou un CSV ou un classeur .xlsx d'une ligne ; une déclaration fait au plus 10 Mio."""
    if len(fichiers) < 2:
        raise UsageProblem("donnez au moins une version et une déclaration : convcheck eval VERSION DECLARATION")
    *conventions, declaration = fichiers
    existing_files((*conventions, declaration, *scenarios))
    output_format = output_format or format_of(output)
    if len(conventions) > 1:
        if with_advance:
            raise UsageProblem("--avance vaut pour une version : convcheck eval VERSION DECLARATION --avance")
        return eval_versions(conventions, declaration, output_format, output, scenarios, settings)
    if output_format not in ("text", "json") or output:
        raise UsageProblem("-o et les formats markdown, html et xlsx servent à comparer plusieurs versions : "
                           "convcheck eval V1 V2 DECLARATION")
    convention = conventions[0]
    version = api.load(convention, settings, scenarios=scenarios)
    structure_id, _ = version.declaration(declaration)
    evaluation = version.evaluate(declaration)
    advance = version.advance(declaration) if with_advance else None
    if output_format == "json":
        data = json.loads(render_evaluation_json(evaluation, version.program, structure_id, advance))
        data["hypotheses"] = hypotheses_json(version.hypotheses())
        data["statut"] = version.model.statut
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        text = render_evaluation_text(evaluation, version.program, structure_id, use_color(no_color), advance)
        assumed = [line for line in (status_line(version.model),) if line] + hypotheses_text(version.hypotheses())
        if assumed:
            head, _, rest = text.partition("\n\n")
            text = "\n".join([head, *assumed]) + "\n\n" + rest
        click.echo(text)
    return EXIT_OK


def eval_versions(conventions, declaration, output_format, output, scenarios, settings) -> int:
    """`eval V1 V2 … DECLARATION`: one structure, one column per version."""
    from interpreter.report.versions import versions_document, versions_json

    versions = api.load_versions(conventions, scenarios, settings)
    across = api.evaluate_across(versions, declaration)
    inputs = [path for version in versions for path in version.sources] + [declaration]
    if output:
        check_destination(output, inputs)
    if output_format == "xlsx":
        from interpreter.report.workbook import versions_workbook

        write_workbook(lambda: versions_workbook(across), output, inputs)
        return EXIT_OK
    if output_format == "json":
        text = json.dumps(versions_json(across), ensure_ascii=False, indent=2)
    else:
        document = versions_document(across)
        document.blocks[2:2] = merged_hypotheses([(f"« {v.model.version} »", v) for v in versions])
        renderer = {"text": render_text_document, "markdown": render_markdown, "html": render_html}[output_format]
        text = renderer(document)
    emit(text, output, inputs)
    return EXIT_OK


@cli.command("test", context_settings=HELP)
@click.argument("fichiers", nargs=-1, required=True, metavar="FICHIER...")
@click.option("--no-color", is_flag=True, help="Pas de couleurs.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
def test_command(fichiers, no_color):
    """Exécuter les cas (« cas ») des conventions et des avenants : chaque chiffre négocié est un test."""
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
        results = version.cases()
        status = status_line(version.model)
        status = f" ({status[len('Statut : '):]})" if status else ""
        click.echo(f"{path}{status} : {plural(len(results), 'cas').replace('cass', 'cas')}")
        for result in results:
            click.echo(render_case(result, color))
            passed += result.passed
            failed += not result.passed
    click.echo(f"\n{plural(passed, 'réussi')}, {plural(failed, 'échoué')}")
    return EXIT_INVALID if failed else EXIT_OK


@cli.command("diff", context_settings=HELP)
@click.argument("ancienne", metavar="ANCIENNE")
@click.argument("nouvelle", metavar="NOUVELLE")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json", "html", "xlsx"]),
              default=None, help="Format du rapport : text (défaut), markdown, json, html ou xlsx (choisi d'office "
              "quand -o finit par .xlsx).")
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le rapport dans ce fichier.")
@click.option("--exit-code", is_flag=True, help="Sortir avec le code 1 quand les versions diffèrent (comme git diff).")
@click.option("--cas", metavar="ID", help="Valoriser chaque version avec les données d'un cas (par exemple la "
              "structure de référence de la Cnam) au lieu de la structure maximale.")
@click.option("--population", metavar="POPULATION",
              help="Ajouter l'impact sur une population (CSV, Excel .xlsx, Parquet ou JSON Lines ; "
              f"{POPULATION_HELP}) : budgets, gagnants, perdants.")
@click.option("--par", "groupings", multiple=True, metavar="COLONNE",
              help="Avec --population : budgets, gagnants et perdants par groupe d'une colonne (répétable) ; "
              "par tranches : --par patientele=2000,4000,8000.")
@click.option("--par-structure", "per_structure", metavar="FICHIER",
              help="Avec --population : écrire une ligne par structure (totaux avant, après, écart de chaque ligne) "
              "en .csv, .parquet ou .jsonl.")
@population_options
@csv_fr_option
@hypothesis_options
@click.option("--scenario-apres", "after_scenarios", multiple=True, metavar="FICHIER",
              help="Un scénario appliqué à la seconde version seulement (répétable).")
@click.option("--set-apres", "after_settings", multiple=True, metavar="ID=VALEUR",
              help="Remplacer un paramètre de la seconde version seulement (répétable).")
@engine_option
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def diff_command(ancienne, nouvelle, output_format, output, exit_code, cas, population, groupings, per_structure,
                 encoding, sheet, csv_fr, scenarios, settings, after_scenarios, after_settings, engine):
    """Comparer deux versions (conventions ou avenants) : ce qui change, clause par clause, en euros."""
    output_format = output_format or format_of(output)
    population = population_file(population, encoding, sheet)
    existing_files((ancienne, nouvelle, *scenarios, *after_scenarios) + ((population,) if population else ()))
    if (groupings or per_structure) and not population:
        raise UsageProblem("--par et --par-structure demandent une population : ajoutez --population FICHIER")
    old, new = api.load_pair(ancienne, nouvelle, scenarios, settings, after_scenarios, after_settings)
    inputs = [*old.sources, *new.sources, *((population,) if population else ())]
    for destination in (output, per_structure):
        if destination:
            check_destination(destination, inputs)
    check_table_suffix(per_structure)
    change = api.diff(old, new, cas)
    impact = None
    if population:  # populations need numpy, polars and matplotlib: loaded only when used
        from interpreter.io.tables import write_results

        notes: list = []
        impact = api.impact(old, new, population, change, progress=progress_bar, groupings=groupings, engine=engine,
                            notes=notes)
        report_notes(notes, {**old.sources, **new.sources})
        if per_structure:
            write_results(impact.pairing.frame(), per_structure, inputs, csv_fr)
    if output_format == "xlsx":
        from interpreter.report.workbook import diff_workbook

        write_workbook(lambda: diff_workbook(change, impact, population), output, inputs)
        return EXIT_INVALID if exit_code and not change.empty else EXIT_OK
    if output_format == "json":
        data = diff_json(change, impact, population)
        data["hypotheses"] = {"avant": hypotheses_json(old.hypotheses()), "apres": hypotheses_json(new.hypotheses())}
        if impact is not None:
            from interpreter.report.impact import groups_json, impact_json

            data["impact"] = impact_json(impact, population)
            data["impact"]["par_groupe"] = [groups_json(grouping, rows) for grouping, rows in impact.groups]
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        stem = chart_stem(output) if output_format in ("html", "markdown") else None
        document = diff_document(change, impact, population, diff_hypotheses(old, new), stem)
        if output_format == "markdown":
            write_charts(document, output, inputs)
        renderer = {"text": render_text_document, "markdown": render_markdown, "html": render_html}[output_format]
        text = renderer(document)
    emit(text, output, inputs)
    return EXIT_INVALID if exit_code and not change.empty else EXIT_OK


def diff_hypotheses(old: api.Convention, new: api.Convention) -> list:
    """The hypotheses of a comparison, each once; a line that only one version takes says which."""
    return merged_hypotheses([("version avant", old), ("version après", new)])


def merged_hypotheses(versions: list[tuple[str, api.Convention]]) -> list:
    """The hypotheses of several versions, each line once; a line that only some take names them."""
    taken = [(label, dict(version.hypotheses())) for label, version in versions]
    merged = []
    for name in dict.fromkeys(name for _, found in taken for name in found):
        lines = []
        for line in dict.fromkeys(line for _, found in taken for line in found.get(name, [])):
            labels = [label for label, found in taken if line in found.get(name, [])]
            lines.append(line + ("" if len(labels) == len(taken) else f" ({', '.join(labels)} seulement)"))
        merged.append((name, lines))
    return hypotheses_blocks(merged)


def format_of(output: str | None) -> str:
    """The report format when `--format` is not given: xlsx for a destination ending in `.xlsx`, else text."""
    return "xlsx" if output and Path(output).suffix.lower() == ".xlsx" else "text"


def chart_stem(output: str | None) -> str:
    """The start of the names of the charts' PNG files beside a Markdown report: `rapport` for `rapport.md`."""
    return "impact" if output is None else Path(output).stem


def write_charts(document, output: str | None, inputs: list[str]) -> None:
    """Each chart of a Markdown report as a PNG file beside it (in the current folder without `-o`)."""
    from interpreter.report.document import Figure, Folded

    folder = Path(output).parent if output else Path(".")
    for block in document.blocks:
        for figure in (block.blocks if isinstance(block, Folded) else (block,)):
            if isinstance(figure, Figure) and figure.png_name and figure.png:
                write_bytes(str(folder / figure.png_name), figure.png, inputs)


def write_workbook(build, output: str | None, inputs: list[str], said: bool = True) -> None:
    """An Excel workbook (`build()` gives its bytes) is written to the file named by `-o`, never to the terminal;
    a table longer than a sheet can hold is refused rather than cut."""
    from interpreter.io.xlsx import TooManyRows

    if output is None:
        raise UsageProblem("le format xlsx s'écrit dans un fichier : ajoutez -o FICHIER.xlsx")
    try:
        data = build()
    except TooManyRows as error:
        raise UsageProblem(f"{error} ; écrivez ce tableau en .csv ou en .parquet") from None
    write_bytes(output, data, inputs)
    if said:
        click.echo(f"Classeur écrit dans « {output} ».", err=True)


def progress_bar(size: int):
    """A progress bar on stderr for large populations, when stderr is a terminal (None otherwise)."""
    if size < 500_000 or not sys.stderr.isatty():
        return None
    bar = click.progressbar(length=size, label="Évaluation", file=sys.stderr)
    bar.__enter__()

    def advance(count: int):
        bar.update(count)
        if bar.finished:
            bar.__exit__(None, None, None)

    return advance


@cli.command("simulate", context_settings=HELP)
@click.argument("convention", metavar="CONVENTION")
@click.argument("population", metavar="POPULATION")
@click.option("-o", "--output", metavar="RESULTATS",
              help="Écrire les résultats par structure (.csv, .xlsx, .parquet ou .jsonl).")
@population_options
@csv_fr_option
@hypothesis_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="Format du résumé : text (défaut) ou json.")
@click.option("--ignorer-invalides", "ignore_invalid", is_flag=True,
              help="Écarter les structures invalides (listées dans un fichier de rejets) au lieu de s'arrêter.")
@click.option("--par", "groupings", multiple=True, metavar="COLONNE",
              help="Budget et paiement moyen par groupe d'une colonne (répétable) ; par tranches : "
              "--par patientele=2000,4000,8000.")
@engine_option
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def simulate_command(convention, population, output, encoding, sheet, csv_fr, scenarios, settings, output_format,
                     ignore_invalid, groupings, engine):
    """Évaluer toute une population de structures : paiements, budget, moyenne, médiane, déciles.

    POPULATION : CSV, Excel .xlsx, Parquet ou JSON Lines ; au plus 2 Gio en CSV ou JSON Lines, 10 millions de
    structures en Parquet, 10 millions de cellules par feuille Excel."""
    from interpreter.io.tables import write_results
    from interpreter.report.impact import group_blocks, groups_json, summary_document, summary_json

    existing_files((convention, population, *scenarios))
    population = population_file(population, encoding, sheet)
    version = api.load(convention, settings, scenarios=scenarios)
    inputs = [*version.sources, population]
    rejects = rejects_path(population, output)
    for destination in ([output] if output else []) + ([rejects] if ignore_invalid else []):
        check_destination(destination, inputs)
    check_table_suffix(output, workbook=True)
    table = version.population(population, keep_invalid=ignore_invalid, keep=api.grouping_columns(groupings)) \
        if engine == "defaut" else None
    if table is not None and table.warnings and output_format != "json":
        click.echo(render_all_text(table.warnings, {}) + "\n", err=True)
    simulation = version.simulation(table or population, ignore_invalid, progress_bar, engine=engine)
    if table is None:
        table = simulation.population
        if table.warnings and output_format != "json":
            click.echo(render_all_text(table.warnings, {}) + "\n", err=True)
    report_notes(simulation.notes, version.sources)
    if simulation.result.errors and not ignore_invalid:
        raise api.ConvError(simulation.errors())
    rejected = simulation.rejects() if ignore_invalid else None
    if rejected is not None:
        write_results(rejected, rejects, inputs, csv_fr)
    summary = simulation.summary(simulation.rejected)
    groups = simulation.groups(groupings)
    if output and Path(output).suffix.lower() == ".xlsx":
        from interpreter.report.workbook import results_workbook

        write_workbook(lambda: results_workbook(simulation, groups), output, inputs, said=False)
    elif output:
        simulation.write_results(output, inputs, csv_fr)
    if output_format == "json":
        data = summary_json(version.model, summary, population)
        data["avertissements"] = [to_json_object(d) for d in table.warnings]
        data["hypotheses"] = hypotheses_json(version.hypotheses())
        data["par_groupe"] = [groups_json(grouping, rows) for grouping, rows in groups]
        data["statut"] = version.model.statut
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        document = summary_document(version.model, summary, population, rejects if rejected is not None else None)
        document.blocks[1:1] = hypotheses_blocks(version.hypotheses())
        document.blocks[0:0] = status_blocks(version.model)
        for grouping, rows in groups:
            document.add(*group_blocks(grouping, rows, impact=False))
        click.echo(render_text_document(document), nl=False)
        if output:
            click.echo(f"Résultats par structure écrits dans « {output} ».")
    return EXIT_OK


def status_blocks(model) -> list:
    """A paragraph saying whether the version is signed or a proposal, when its header says so."""
    from interpreter.report.document import Paragraph

    line = status_line(model)
    return [Paragraph(f"{line}.")] if line else []


def check_table_suffix(path: str | None, workbook: bool = False) -> None:
    """Results tables are written as CSV, Parquet or JSON Lines (or an Excel workbook), by their suffix."""
    suffixes = (".csv", ".parquet", ".jsonl", ".ndjson") + ((".xlsx",) if workbook else ())
    if path and Path(path).suffix.lower() not in suffixes:
        formats = ".csv, .xlsx, .parquet ou .jsonl" if workbook else ".csv, .parquet ou .jsonl"
        raise UsageProblem(f"format de résultats inconnu « {Path(path).suffix} » : utilisez {formats}")


@cli.command("calibre", context_settings=HELP)
@click.argument("version", metavar="VERSION")
@click.option("--population", required=True, metavar="POPULATION", help=f"La population (CSV, Excel .xlsx, Parquet ou JSON Lines ; {POPULATION_HELP}).")
@click.option("--parametre", required=True, metavar="ID", help="Le paramètre (montant ou nombre) à calibrer.")
@click.option("--budget", metavar="MONTANT", help="Le budget visé, par exemple « 190 000 000 € ».")
@click.option("--budget-de", "budget_of", metavar="AUTRE_VERSION", help="Viser le budget d'une autre version.")
@click.option("--precision", metavar="PAS", help="La précision de la valeur cherchée (défaut : le centime pour un "
              "montant, l'unité pour un nombre entier).")
@population_options
@hypothesis_options
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json", "xlsx"]), default=None,
              help="Format du rapport : text (défaut), markdown, json ou xlsx (choisi d'office quand -o finit par .xlsx).")
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le rapport dans ce fichier.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def calibre_command(version, population, parametre, budget, budget_of, precision, encoding, sheet, scenarios, settings,
                    output_format, output):
    """Trouver la valeur d'un paramètre pour laquelle le budget d'une population atteint une cible."""
    from interpreter.report.decisions import calibration_document, calibration_json
    from interpreter.report.impact import impact_blocks, impact_json

    existing_files((version, population, *scenarios, *((budget_of,) if budget_of else ())))
    if (budget is None) == (budget_of is None):
        raise UsageProblem("donnez la cible : --budget MONTANT ou --budget-de AUTRE_VERSION (l'un des deux)")
    output_format = output_format or format_of(output)
    population = population_file(population, encoding, sheet)
    decision = api.calibrate(version, population, parametre, option_number(budget, "--budget", "montant"), budget_of,
                             scenarios, settings, option_number(precision, "--precision", "nombre"))
    inputs = [*decision.version.sources, population]
    kind = decision.version.model.parametres[parametre].type.kind
    if output_format == "xlsx":
        from interpreter.report.workbook import calibration_workbook

        write_workbook(lambda: calibration_workbook(decision, population), output, inputs)
        return EXIT_OK
    if output_format == "json":
        data = calibration_json(decision) | {"impact": impact_json(decision.impact, population),
                                             "hypotheses": hypotheses_json(decision.version.hypotheses()),
                                             "statut": decision.version.model.statut}
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        document = calibration_document(decision, kind)
        document.blocks[2:2] = hypotheses_blocks(decision.version.hypotheses())
        document.blocks[0:0] = status_blocks(decision.version.model)
        reference = decision.reference.model.version if decision.reference else "la valeur actuelle"
        document.add(Heading(f"À cette valeur, par rapport à {reference}"), *impact_blocks(decision.impact, population, None))
        text = {"text": render_text_document, "markdown": render_markdown}[output_format](document)
    if output:
        check_destination(output, inputs)
    emit(text, output, inputs)
    return EXIT_OK


@cli.command("balaye", context_settings=HELP)
@click.argument("version", metavar="VERSION")
@click.option("--population", required=True, metavar="POPULATION", help=f"La population (CSV, Excel .xlsx, Parquet ou JSON Lines ; {POPULATION_HELP}).")
@click.option("--parametre", required=True, metavar="ID", help="Le paramètre (montant ou nombre) qui varie.")
@click.option("--de", "start", metavar="A", help="Première valeur.")
@click.option("--a", "stop", metavar="B", help="Dernière valeur.")
@click.option("--pas", "step", metavar="C", help="Écart entre deux valeurs.")
@click.option("--valeurs", metavar="A,B,C", help="Les valeurs, séparées par des virgules (au lieu de --de/--a/--pas).")
@click.option("--reference", metavar="AUTRE_VERSION", help="Comparer chaque valeur au budget d'une autre version.")
@population_options
@csv_fr_option
@hypothesis_options
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "html", "json", "csv", "xlsx"]),
              default=None, help="Format du rapport : text (défaut), markdown, html, json, csv ou xlsx (choisi d'office "
              "quand -o finit par .xlsx).")
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le rapport dans ce fichier.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def balaye_command(version, population, parametre, start, stop, step, valeurs, reference, encoding, sheet, csv_fr,
                   scenarios, settings, output_format, output):
    """Calculer le budget d'une population pour chaque valeur d'un paramètre : un tableau et un graphique."""
    from interpreter.compare.calibration import DecisionError, values_between
    from interpreter.report.charts import sweep_chart
    from interpreter.report.decisions import sweep_document, sweep_frame, sweep_json

    existing_files((version, population, *scenarios, *((reference,) if reference else ())))
    if valeurs and (start or stop or step) or not valeurs and not (start and stop and step):
        raise UsageProblem("donnez les valeurs : --de A --a B --pas C, ou --valeurs a,b,c")
    try:
        values = ([option_number(v.strip(), "--valeurs", "nombre") for v in valeurs.split(",") if v.strip()] if valeurs
                  else values_between(*(option_number(v, o, "nombre") for v, o in
                                        ((start, "--de"), (stop, "--a"), (step, "--pas")))))
    except DecisionError as error:
        raise api.ConvError(error.diagnostics) from None
    output_format = output_format or format_of(output)
    population = population_file(population, encoding, sheet)
    decision = api.sweep(version, population, parametre, values, reference, scenarios, settings)
    inputs = [*decision.version.sources, population]
    if output:
        check_destination(output, inputs)
    if output_format == "xlsx":
        from interpreter.report.workbook import sweep_workbook

        write_workbook(lambda: sweep_workbook(decision), output, inputs)
        return EXIT_OK
    if output_format == "csv" and csv_fr:
        from interpreter.io.csvfiles import french_csv

        text = french_csv(sweep_frame(decision)).decode("utf-8")  # with its BOM, for Excel
    elif output_format == "csv":
        from interpreter.io.csvfiles import neutralised

        text = neutralised(sweep_frame(decision)).write_csv()
    elif output_format == "json":
        data = sweep_json(decision, parametre) | {"hypotheses": hypotheses_json(decision.version.hypotheses()),
                                                  "statut": decision.version.model.statut}
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        kind = decision.version.model.parametres[parametre].type.kind
        chart = None
        if output_format in ("html", "markdown"):
            chart = sweep_chart(decision, parametre, f"{chart_stem(output)}-balayage.png")
        document = sweep_document(decision, kind, chart)
        if output_format == "markdown":
            write_charts(document, output, inputs)
        document.blocks[1:1] = hypotheses_blocks(decision.version.hypotheses())
        document.blocks[0:0] = status_blocks(decision.version.model)
        text = {"text": render_text_document, "markdown": render_markdown, "html": render_html}[output_format](document)
    emit(text, output, inputs)
    return EXIT_OK


def option_number(text: str | None, option: str, kind: str):
    """A number given on the command line (`--budget "190 000 000 €"`), read as a declaration reads one."""
    from interpreter.io.numbers import NumberProblem, read_number

    if text is None:
        return None
    value = read_number(text, kind)
    if isinstance(value, NumberProblem):
        expected = "un montant (par exemple « 190 000 000 € »)" if kind == "montant" else "un nombre"
        hint = f" ; {value.hint}" if value.hint else ""
        raise UsageProblem(f"{value.message(option, expected)}{hint}")
    return value


def rejects_path(population: str, output: str | None) -> str:
    """`<stem>.rejets.csv` beside the results (or the population)."""
    base = Path(output) if output else Path(population)
    return str(base.with_name(f"{base.stem}.rejets.csv"))


def emit(text: str, output: str | None, inputs: list[str]) -> None:
    """Print a report, or write it to a file that is none of the inputs, and say where."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    write_text(output, text, inputs)
    click.echo(f"Rapport écrit dans « {output} ».", err=True)


@cli.command("sql", context_settings=HELP)
@click.argument("version", metavar="VERSION")
@hypothesis_options
@click.option("--dialecte", "dialecte", type=click.Choice(["duckdb", "postgres", "spark"]), required=True,
              help="Le moteur qui exécutera la requête : duckdb, postgres ou spark.")
@click.option("--table", default="structures", metavar="NOM",
              help="La table des structures : une colonne id et une colonne par donnée (défaut : structures).")
@click.option("-o", "--output", metavar="FICHIER", help="Écrire la requête dans ce fichier.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def sql_command(version, scenarios, settings, dialecte, table, output):
    """Écrire la requête SQL qui calcule une version sur une table de structures, au centime près."""
    existing_files((version, *scenarios))
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}", table):
        raise UsageProblem(f"nom de table invalide « {table} » : lettres, chiffres et _, éventuellement "
                           "précédé du schéma (« schema.table »)")
    convention = api.load(version, settings, scenarios=scenarios)
    text = convention.sql(dialecte, table) + (";\n" if dialecte != "spark" else "\n")
    if output is None:
        click.echo(text, nl=False)
        return EXIT_OK
    write_text(output, text, list(convention.sources))
    click.echo(f"Requête écrite dans « {output} ».", err=True)
    return EXIT_OK


@cli.command("consolidate", context_settings=HELP)
@click.argument("avenant", metavar="AVENANT")
@click.option("-o", "--output", metavar="FICHIER", help="Écrire la version consolidée dans ce fichier.")
@click.option("--au", "date", metavar="DATE", help="La version en vigueur à cette date (AAAA-MM-JJ), choisie le "
              "long de la chaîne des bases de AVENANT.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def consolidate_command(avenant, output, date):
    """Écrire la version consolidée d'un avenant : une convention complète, au format canonique."""
    existing_files((avenant,))
    loader = Loader()
    if date is not None:
        avenant = version_in_force(avenant, iso_date(date, "--au"), loader)
    text = api.consolidated(avenant, loader)
    emit(text, output, list(loader.sources))
    return EXIT_OK


def iso_date(text: str, option: str):
    """A date given on the command line, AAAA-MM-JJ."""
    import datetime

    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageProblem(f"date invalide pour {option} : « {text} » ; écrivez-la AAAA-MM-JJ, par exemple "
                           "2024-01-01") from None


def version_in_force(path: str, date, loader: Loader) -> str:
    """The file, along the chain of bases of `path`, of the version in force at `date`."""
    from interpreter.compare.history import chain_versions, in_force_problem, version_at

    versions, errors = chain_versions(path, loader)
    if errors:
        raise api.ConvError(errors, loader.sources)
    chosen = version_at(versions, date)
    if chosen is None:
        raise api.ConvError([in_force_problem(path, versions, date)], loader.sources)
    return chosen.path


@cli.command("historique", context_settings=HELP)
@click.argument("version", metavar="VERSION")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]), default="text",
              help="Format du rapport : text (défaut), markdown ou json.")
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le rapport dans ce fichier.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def historique_command(version, output_format, output):
    """Retracer chaque clause le long de la chaîne des bases : quelle version l'a écrite, quand, ce qui a changé."""
    from interpreter.compare.history import history
    from interpreter.report.history import history_document, history_json

    existing_files((version,))
    loader = Loader()
    found, errors = history(version, loader)
    if errors:
        raise api.ConvError(errors, loader.sources)
    inputs = list(loader.sources)
    if output:
        check_destination(output, inputs)
    if output_format == "json":
        text = json.dumps(history_json(found), ensure_ascii=False, indent=2)
    else:
        text = {"text": render_text_document, "markdown": render_markdown}[output_format](history_document(found))
    emit(text, output, inputs)
    return EXIT_OK


@cli.command("site", context_settings=HELP)
@click.argument("dossier", metavar="DOSSIER")
@click.option("-o", "--output", required=True, metavar="SORTIE", help="Le dossier où écrire le site.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def site_command(dossier, output):
    """Écrire l'explorateur des conventions d'un dossier : un site statique, avec recherche, une page par clause."""
    from interpreter.report.site import build_site

    if not Path(dossier).is_dir():
        raise UsageProblem(f"« {dossier} » n'est pas un dossier : donnez le dossier des conventions (.conv)")
    if Path(output).exists() and not Path(output).is_dir():
        raise UsageProblem(f"« {output} » existe et n'est pas un dossier : donnez un dossier pour le site")
    loader = Loader()
    pages, errors, inputs = build_site(dossier, loader)
    if errors:
        raise api.ConvError(errors, loader.sources)
    if not pages or len(pages) == 1 and "versions/" not in "".join(pages):
        raise UsageProblem(f"aucune convention (.conv) dans « {dossier} »")
    for relative, text in pages.items():
        target = Path(output) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(str(target), text, inputs)
    click.echo(f"Site écrit dans « {output} » : {plural(len(pages), 'page')} ; ouvrez « {Path(output) / 'index.html'} ».",
               err=True)
    return EXIT_OK


@cli.command("fmt", context_settings=HELP)
@click.argument("fichiers", nargs=-1, required=True, metavar="FICHIER...")
@click.option("--check", "check_only", is_flag=True,
              help="Ne rien écrire : sortir avec le code 1 et nommer les fichiers qui changeraient.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
def fmt_command(fichiers, check_only):
    """Mettre des fichiers .conv en forme canonique, en gardant chaque commentaire et chaque libellé."""
    paths = existing_files(fichiers)
    changed, broken, unwritten = [], 0, EXIT_OK
    for path in paths:
        source, problems = read_source(path)
        formatted = None
        if not problems:
            formatted, problems = format_source(source)
        if problems:
            click.echo(render_all_text(problems, {path: source} if source else {}), err=True)
            broken += 1
            continue
        original = Path(path).read_bytes()
        rewritten = encode_like(formatted, original)
        if rewritten != original:
            changed.append(path)
            if not check_only:
                try:
                    write_bytes(path, rewritten)
                except WriteError as error:  # say so, and go on with the other files
                    click.echo(render_all_text([error.diagnostic], {}), err=True)
                    unwritten = max(unwritten, error.exit_code)
                    changed.pop()
    if check_only:
        for path in changed:
            click.echo(f"à reformater : {path}")
        click.echo(f"{plural(len(changed), 'fichier')} à reformater sur {len(paths)}.")
    else:
        click.echo(f"{plural(len(changed), 'fichier')} reformaté{'s' if len(changed) > 1 else ''} sur {len(paths)}.")
    return max(unwritten, EXIT_INVALID if broken or (check_only and changed) else EXIT_OK)


@cli.command("lsp", context_settings=HELP)
@click.option("--stdio", is_flag=True, help="Dialoguer par l'entrée et la sortie standard (le seul mode, par défaut).")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
def lsp_command(stdio):
    """Serveur de langage (LSP) pour les éditeurs : diagnostics en direct, survol, complétion, renommage…"""
    from interpreter.lsp import serve

    serve()
    return EXIT_OK


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def summary(files: int, errors: int, warnings: int) -> str:
    checked = f"{plural(files, 'fichier')} {'vérifiés' if files > 1 else 'vérifié'}"
    if not errors and not warnings:
        return f"{checked} : aucun problème."
    return f"{checked} : {plural(errors, 'erreur')}, {plural(warnings, 'avertissement')}."


def terminated(signum, frame):
    """SIGTERM ends convcheck as Ctrl+C does, through every `finally`: a file being written is left as it was
    and its temporary removed, temporary copies and folders too (`atexit`) — the signal's default killed the
    process on the spot and left `.convcheck-*.tmp` behind."""
    raise SystemExit(128 + signum)


def main():
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, terminated)
    try:
        cli(prog_name="convcheck")
    except SystemExit:
        raise
    except RecursionError:
        click.echo("convcheck : entrée trop profondément imbriquée pour être traitée.", err=True)
        sys.exit(EXIT_INVALID)
    except Exception as error:  # a bug of ours: say so plainly, without a traceback
        click.echo(f"convcheck : erreur interne ({type(error).__name__}: {error}). "
                   "Merci de la signaler avec le fichier en cause.", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
