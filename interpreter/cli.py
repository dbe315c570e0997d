"""The `convcheck` command line: click commands over the pipeline, messages in French.

Exit codes (documented in the README): 0 when the job was done and found no error,
1 when the input has errors (or, for `check --strict`, warnings), 2 for usage errors
(missing file, unknown option). No input ever produces a Python traceback: an internal
failure is reported as such, with exit code 3.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from dsl.avenants import Loader
from dsl.diagnostics import Diagnostic, render_all_text, render_json, sort_key, to_json_object
from dsl.driver import check_file
from dsl.format import encode_like, format_source
from interpreter import api
from dsl.parser import read_source
from dsl.printer import print_file
from dsl.source import special_kind
from interpreter.compare.diff import diff_models
from interpreter.report.diff import diff_document, diff_json
from interpreter.report.document import render_html, render_markdown
from interpreter.report.document import render_text as render_text_document
from interpreter.cases import CaseResult, run_cases
from interpreter.io.declarations import DeclarationError, read_declaration, read_overrides
from interpreter.backends.scalar import EvaluationError, compile_model, evaluate
from interpreter.io.writer import WriteError, check_destination, write_bytes, write_text
from interpreter.report.evaluation import Painter
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
            super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra)
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
        sys.exit(EXIT_OK)


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
    failed = errors > 0 or (strict and warnings > 0)
    sys.exit(EXIT_INVALID if failed else EXIT_OK)


def load_program(convention: str, settings: tuple[str, ...], output_format: str):
    """Check a convention (consolidating an avenant), apply `--set`, compile; or report and exit 1."""
    loader = Loader()
    try:
        return api.load(convention, settings, loader).program, loader
    except api.ConvError as error:
        fail(error.diagnostics, error.sources, output_format)


def fail(diagnostics: list[Diagnostic], sources, output_format: str = "text"):
    """Report the diagnostics that prevent the job (JSON on stdout, text on stderr) and exit 1."""
    if output_format == "json":
        click.echo(render_json(diagnostics))
    else:
        click.echo(render_all_text(diagnostics, sources, use_color(False, sys.stderr)), err=True)
        errors = sum(d.is_error for d in diagnostics)
        click.echo(f"\n{plural(errors, 'erreur')} : rien n'a été évalué.", err=True)
    sys.exit(EXIT_INVALID)


@cli.command("eval", context_settings=HELP)
@click.argument("convention", metavar="CONVENTION")
@click.argument("declaration", metavar="DECLARATION")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="Format du résultat : text (défaut) ou json.")
@click.option("--set", "settings", multiple=True, metavar="ID=VALEUR",
              help="Remplacer un paramètre, par exemple --set valeur_point=7.5€ (répétable).")
@click.option("--no-color", is_flag=True, help="Pas de couleurs.")
@click.help_option("-h", "--help", help="Afficher cette aide et quitter.")
def eval_command(convention, declaration, output_format, settings, no_color):
    """Évaluer une structure : critère par critère, ce qui est atteint, pourquoi, et ce que cela rapporte."""
    existing_files((convention, declaration))
    program, loader = load_program(convention, settings, output_format)
    try:
        structure = read_declaration(declaration, program.model)
    except DeclarationError as error:
        sources = {error.source.path: error.source} if error.source else {}
        fail(error.diagnostics, sources, output_format)
    try:
        evaluation = evaluate(program, structure.donnees)
    except EvaluationError as error:
        fail([Diagnostic("evaluation-impossible", f"structure « {structure.id} » : {error}", file=declaration)], {},
             output_format)
    if output_format == "json":
        click.echo(render_evaluation_json(evaluation, program, structure.id))
    else:
        click.echo(render_evaluation_text(evaluation, program, structure.id, use_color(no_color)))
    sys.exit(EXIT_OK)


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
        loader = Loader()
        checked = check_file(path, loader)
        errors = [d for d in checked.diagnostics if d.is_error]
        if errors:
            click.echo(render_all_text(errors, loader.sources, color))
            click.echo(f"{path} : le fichier a des erreurs, ses cas ne sont pas exécutés.\n")
            failed += 1
            continue
        program = compile_model(checked.model)
        results = run_cases(program)
        click.echo(f"{path} : {plural(len(results), 'cas').replace('cass', 'cas')}")
        for result in results:
            click.echo(render_case(result, color))
            passed += result.passed
            failed += not result.passed
    click.echo(f"\n{plural(passed, 'réussi')}, {plural(failed, 'échoué')}")
    sys.exit(EXIT_INVALID if failed else EXIT_OK)


def render_case(result: CaseResult, color: bool) -> str:
    """One cas: its status, and each failing assertion with file:line, expected and actual values."""
    painter = Painter(color)
    cas = result.cas
    title = f"{cas.id} — {cas.label}" if cas.label else cas.id
    if result.passed:
        return f"  {painter.green('✓')} {title}"
    lines = [f"  {painter.red('✗')} {title}"]
    if result.error:
        span = cas.node.id_span
        lines.append(f"    {span.file}:{span.line}:{span.column}: calcul impossible : {result.error}")
    for failure in result.failures:
        span = failure.span
        where = f"{span.file}:{span.line}:{span.column}: " if span else ""
        lines.append(f"    {where}{painter.bold(failure.assertion)}")
        lines.append(f"      attendu : {failure.expected}")
        lines.append(f"      obtenu  : {failure.actual}")
    return "\n".join(lines)


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
def diff_command(ancienne, nouvelle, output_format, output, exit_code, population):
    """Comparer deux versions (conventions ou avenants) : ce qui change, clause par clause, en euros."""
    existing_files((ancienne, nouvelle) + ((population,) if population else ()))
    errors_format = "json" if output_format == "json" else "text"
    old_program, old_loader = load_program(ancienne, (), errors_format)
    new_program, new_loader = load_program(nouvelle, (), errors_format)
    inputs = [*old_loader.sources, *new_loader.sources, *((population,) if population else ())]
    if output:
        check_destination(output, inputs)
    diff = diff_models(old_program.model, new_program.model, old_program, new_program)
    impact = population_impact(population, old_program, new_program, diff, errors_format) if population else None
    if impact is not None:  # populations need numpy, polars and matplotlib: loaded only when used
        from interpreter.report.impact import histogram_chart, impact_blocks, impact_json
    if output_format == "json":
        data = diff_json(diff)
        if impact is not None:
            data["impact"] = impact_json(impact, population)
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        document = diff_document(diff)
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
    sys.exit(EXIT_INVALID if exit_code and not diff.empty else EXIT_OK)


def chart_path(output: str | None) -> Path:
    """The PNG beside a Markdown report: `rapport.png` for `rapport.md` (never the report itself)."""
    if output is None:
        return Path("impact-histogramme.png")
    path = Path(output)
    return path.with_name(f"{path.stem}-histogramme.png") if path.suffix.lower() == ".png" else path.with_suffix(".png")


def population_impact(path: str, old_program, new_program, diff, errors_format: str):
    """Evaluate the population with both versions and compare, structure by structure."""
    from interpreter.compare.impact import compare as compare_results
    from interpreter.backends.vector import simulate
    from interpreter.io.tables import TableError, read_population

    results = []
    for program, other in ((old_program, new_program), (new_program, old_program)):
        try:
            table = read_population(path, program.model, other_columns=frozenset(other.model.donnees))
        except TableError as error:
            fail(error.diagnostics, {}, errors_format)
        result = simulate(program, table, progress=progress_for(table.size))
        report_evaluation_errors(result, path, errors_format)
        results.append(result)
    renames = {c.ancien_id: c.id for c in diff.changes if c.kind == "renommage" and c.element in ("critere", "brique")}
    return compare_results(results[0], results[1], old_program, new_program, renames)


def report_evaluation_errors(result, path: str, errors_format: str, allowed: bool = False):
    if result.errors and not allowed:
        fail([Diagnostic("evaluation-impossible", f"structure « {id} » : {message}", file=path)
              for id, message in result.errors], {}, errors_format)


def progress_for(size: int):
    """A progress bar on stderr for large populations, when stderr is a terminal."""
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
def simulate_command(convention, population, output, settings, output_format, ignore_invalid):
    """Évaluer toute une population de structures : paiements, budget, moyenne, médiane, déciles."""
    from interpreter.compare.impact import summarize
    from interpreter.backends.vector import simulate
    from interpreter.report.impact import summary_document, summary_json
    from interpreter.io.tables import TableError, read_population, result_frame, write_results

    existing_files((convention, population))
    program, loader = load_program(convention, settings, output_format)
    inputs = [*loader.sources, population]
    for destination in ([output] if output else []) + ([rejects_path(population, output)] if ignore_invalid else []):
        check_destination(destination, inputs)
    if output and Path(output).suffix.lower() not in (".csv", ".parquet", ".jsonl", ".ndjson"):
        raise UsageProblem(f"format de résultats inconnu « {Path(output).suffix} » : utilisez .csv, .parquet ou .jsonl")
    try:
        table = read_population(population, program.model, keep_invalid=ignore_invalid)
    except TableError as error:
        fail(error.diagnostics, {}, output_format)
    if table.warnings and output_format != "json":
        click.echo(render_all_text(table.warnings, {}) + "\n", err=True)
    result = simulate(program, table, progress=progress_for(table.size))
    report_evaluation_errors(result, population, output_format, allowed=ignore_invalid)
    rejects = write_rejects(table, result, population, output, inputs) if ignore_invalid else None
    rejected = len({p.row for p in table.problems}) + len(result.errors)
    if output:
        lines = list(result.lines)
        write_results(result_frame(result, lines, typed=Path(output).suffix.lower() == ".parquet"), output, inputs)
    summary = summarize(program, result, rejected)
    if output_format == "json":
        data = summary_json(program.model, summary, population)
        data["avertissements"] = [to_json_object(d) for d in table.warnings]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(render_text_document(summary_document(program.model, summary, population, rejects)), nl=False)
        if output:
            click.echo(f"Résultats par structure écrits dans « {output} ».")
    sys.exit(EXIT_OK)


def rejects_path(population: str, output: str | None) -> str:
    """`<stem>.rejets.csv` beside the results (or the population)."""
    base = Path(output) if output else Path(population)
    return str(base.with_name(f"{base.stem}.rejets.csv"))


def write_rejects(table, result, population: str, output: str | None, inputs: list[str]) -> str | None:
    """The rejected rows (as read) with the reason, beside the results (or the population)."""
    import polars as pl

    from interpreter.io.tables import write_results

    if not table.problems and not result.errors:
        return None
    path = rejects_path(population, output)
    reasons: dict[int, list[str]] = {}
    for problem in table.problems:
        reasons.setdefault(problem.row, []).append(
            f"{problem.donnee} : {problem.message}" if problem.donnee else problem.message)
    frame = table.rejected.with_columns(
        pl.Series("motif", [" ; ".join(reasons[row]) for row in sorted(reasons)])).cast(pl.String)
    if result.errors:
        errors = pl.DataFrame({"id": [id for id, _ in result.errors], "motif": [m for _, m in result.errors]})
        frame = pl.concat([frame, errors], how="diagonal")
    write_results(frame, path, inputs)
    return path


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
def consolidate_command(avenant, output):
    """Écrire la version consolidée d'un avenant : une convention complète, au format canonique."""
    existing_files((avenant,))
    loader = Loader()
    checked = check_file(avenant, loader)
    errors = [d for d in checked.diagnostics if d.is_error]
    if errors:
        fail(errors, loader.sources)
    emit(consolidated_text(checked), output, list(loader.sources))
    sys.exit(EXIT_OK)


def consolidated_text(checked) -> str:
    chain = " + ".join(Path(p).name for p in checked.chain)
    header = (f"# Version consolidée de {chain}, écrite par « convcheck consolidate ».\n"
              "# Les commentaires des fichiers d'origine ne sont pas repris : ils y restent.\n")
    return header + print_file(checked.model.file)


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
    sys.exit(max(unwritten, EXIT_INVALID if broken or (check_only and changed) else EXIT_OK))


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
