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
import sys
from pathlib import Path

import click

from dsl.avenants import Loader
from dsl.diagnostics import Diagnostic, render_all_text, render_json, sort_key, to_json_object
from dsl.format import encode_like, format_source
from dsl.parser import read_source
from dsl.source import special_kind
from interpreter import api
from interpreter.io.writer import WriteError, check_destination, write_bytes, write_text
from interpreter.report.cases import render_case
from interpreter.report.diff import diff_document, diff_json
from interpreter.report.document import render_html, render_markdown
from interpreter.report.document import render_text as render_text_document
from interpreter.report.evaluation import render_json as render_evaluation_json
from interpreter.report.evaluation import render_text as render_evaluation_text

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
            raise UsageProblem(f"« {path} » est un dossier ; donnez des fichiers .conv (par exemple « {path}/*.conv »)")
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
    click.echo(f"\n{plural(errors, 'erreur')} : rien n'a été évalué.", err=True)


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
@click.argument("convention", metavar="CONVENTION")
@click.argument("declaration", metavar="DECLARATION")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="Format du résultat : text (défaut) ou json.")
@click.option("--set", "settings", multiple=True, metavar="ID=VALEUR",
              help="Remplacer un paramètre, par exemple --set valeur_point=7.5€ (répétable).")
@click.option("--no-color", is_flag=True, help="Pas de couleurs.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def eval_command(convention, declaration, output_format, settings, no_color):
    """Évaluer une structure : critère par critère, ce qui est atteint, pourquoi, et ce que cela rapporte."""
    existing_files((convention, declaration))
    version = api.load(convention, settings)
    structure_id, _ = version.declaration(declaration)
    evaluation = version.evaluate(declaration)
    if output_format == "json":
        click.echo(render_evaluation_json(evaluation, version.program, structure_id))
    else:
        click.echo(render_evaluation_text(evaluation, version.program, structure_id, use_color(no_color)))
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
        try:
            version = api.load(path)
        except api.ConvError as error:
            click.echo(render_all_text(error.diagnostics, error.sources, color))
            click.echo(f"{path} : le fichier a des erreurs, ses cas ne sont pas exécutés.\n")
            failed += 1
            continue
        results = version.cases()
        click.echo(f"{path} : {plural(len(results), 'cas').replace('cass', 'cas')}")
        for result in results:
            click.echo(render_case(result, color))
            passed += result.passed
            failed += not result.passed
    click.echo(f"\n{plural(passed, 'réussi')}, {plural(failed, 'échoué')}")
    return EXIT_INVALID if failed else EXIT_OK


@cli.command("diff", context_settings=HELP)
@click.argument("ancienne", metavar="ANCIENNE")
@click.argument("nouvelle", metavar="NOUVELLE")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json", "html"]), default="text",
              help="Format du rapport : text (défaut), markdown, json ou html.")
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le rapport dans ce fichier.")
@click.option("--exit-code", is_flag=True, help="Sortir avec le code 1 quand les versions diffèrent (comme git diff).")
@click.option("--population", metavar="POPULATION",
              help="Ajouter l'impact sur une population (CSV, Parquet ou JSON Lines) : budgets, gagnants, perdants.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def diff_command(ancienne, nouvelle, output_format, output, exit_code, population):
    """Comparer deux versions (conventions ou avenants) : ce qui change, clause par clause, en euros."""
    existing_files((ancienne, nouvelle) + ((population,) if population else ()))
    old, new = api.load(ancienne), api.load(nouvelle)
    inputs = [*old.sources, *new.sources, *((population,) if population else ())]
    if output:
        check_destination(output, inputs)
    change = api.diff(old, new)
    impact = None
    if population:  # populations need numpy, polars and matplotlib: loaded only when used
        from interpreter.report.impact import histogram_chart, impact_blocks, impact_json

        impact = api.impact(old, new, population, change, progress=progress_bar)
    if output_format == "json":
        data = diff_json(change)
        if impact is not None:
            data["impact"] = impact_json(impact, population)
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        document = diff_document(change)
        if impact is not None:
            chart = None
            if output_format in ("html", "markdown"):
                png = chart_path(output)
                chart, png_bytes = histogram_chart(impact, png.name)
                if output_format == "markdown":
                    write_bytes(str(png), png_bytes, inputs)
            document.add(*impact_blocks(impact, population, chart))
        renderer = {"text": render_text_document, "markdown": render_markdown, "html": render_html}[output_format]
        text = renderer(document)
    emit(text, output, inputs)
    return EXIT_INVALID if exit_code and not change.empty else EXIT_OK


def chart_path(output: str | None) -> Path:
    """The PNG beside a Markdown report: `rapport.png` for `rapport.md` (never the report itself)."""
    if output is None:
        return Path("impact-histogramme.png")
    path = Path(output)
    return path.with_name(f"{path.stem}-histogramme.png") if path.suffix.lower() == ".png" else path.with_suffix(".png")


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
@click.option("-o", "--output", metavar="RESULTATS", help="Écrire les résultats par structure (.csv, .parquet ou .jsonl).")
@click.option("--set", "settings", multiple=True, metavar="ID=VALEUR", help="Remplacer un paramètre (répétable).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="Format du résumé : text (défaut) ou json.")
@click.option("--ignorer-invalides", "ignore_invalid", is_flag=True,
              help="Écarter les structures invalides (listées dans un fichier de rejets) au lieu de s'arrêter.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def simulate_command(convention, population, output, settings, output_format, ignore_invalid):
    """Évaluer toute une population de structures : paiements, budget, moyenne, médiane, déciles."""
    from interpreter.io.tables import write_results
    from interpreter.report.impact import summary_document, summary_json

    existing_files((convention, population))
    version = api.load(convention, settings)
    inputs = [*version.sources, population]
    rejects = rejects_path(population, output)
    for destination in ([output] if output else []) + ([rejects] if ignore_invalid else []):
        check_destination(destination, inputs)
    if output and Path(output).suffix.lower() not in (".csv", ".parquet", ".jsonl", ".ndjson"):
        raise UsageProblem(f"format de résultats inconnu « {Path(output).suffix} » : utilisez .csv, .parquet ou .jsonl")
    table = version.population(population, keep_invalid=ignore_invalid)
    if table.warnings and output_format != "json":
        click.echo(render_all_text(table.warnings, {}) + "\n", err=True)
    simulation = version.simulation(table, progress=progress_bar)
    if simulation.result.errors and not ignore_invalid:
        raise api.ConvError(simulation.errors())
    rejected = simulation.rejects() if ignore_invalid else None
    if rejected is not None:
        write_results(rejected, rejects, inputs)
    if output:
        write_results(simulation.table(typed=Path(output).suffix.lower() == ".parquet"), output, inputs)
    summary = simulation.summary(simulation.rejected)
    if output_format == "json":
        data = summary_json(version.model, summary, population)
        data["avertissements"] = [to_json_object(d) for d in table.warnings]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(render_text_document(summary_document(version.model, summary, population,
                                                         rejects if rejected is not None else None)), nl=False)
        if output:
            click.echo(f"Résultats par structure écrits dans « {output} ».")
    return EXIT_OK


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


@cli.command("consolidate", context_settings=HELP)
@click.argument("avenant", metavar="AVENANT")
@click.option("-o", "--output", metavar="FICHIER", help="Écrire la version consolidée dans ce fichier.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
@reports_errors
def consolidate_command(avenant, output):
    """Écrire la version consolidée d'un avenant : une convention complète, au format canonique."""
    existing_files((avenant,))
    loader = Loader()
    text = api.consolidated(avenant, loader)
    emit(text, output, list(loader.sources))
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


def main():
    """Console-script entry point."""
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
