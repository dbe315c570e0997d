"""The `convcheck` commands that write a version in another form — its SQL query (`sql`), its JavaScript module
(`js`), a simulator (`simulateur`), its consolidated text (`consolidate`), its clauses' history (`historique`),
the explorer site (`site`), its canonical text (`fmt`) — and the language server (`lsp`). Each parses its
options, calls `interpreter.api` and returns its exit code; `interpreter.cli.commands` adds them to the group.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from dsl.avenants import Loader
from dsl.diagnostics import render_all_text
from interpreter import api
from interpreter.backends.dialects import DIALECTS
from interpreter.cli.french import EXIT_INVALID, EXIT_OK, FrenchCommand, UsageProblem, help_option
from interpreter.cli.options import (
    HELP,
    HISTORY_FORMATS,
    exercise_option,
    exercise_year,
    existing_files,
    format_option,
    hypothesis_options,
    iso_date,
    report_format,
)
from interpreter.cli.outputs import (
    emit,
    plural,
    publish,
    report_notes,
    reports_errors,
)
from interpreter.io.writer import WriteError, check_destination, write_bytes, write_text
from interpreter.report.provenance import provenance_of


@click.command("sql", cls=FrenchCommand, context_settings=HELP)
@click.argument("version", metavar="VERSION")
@hypothesis_options
@click.option(
    "--dialecte",
    "dialecte",
    type=click.Choice(DIALECTS),
    required=True,
    help="Le moteur qui exécutera la requête : duckdb, postgres ou spark.",
)
@click.option(
    "--table",
    default="structures",
    metavar="NOM",
    help="La table des structures : une colonne id et une colonne par donnée (défaut : structures).",
)
@click.option("-o", "--output", metavar="FICHIER", help="Écrire la requête dans ce fichier (.sql).")
@click.option(
    "--colonne-absente",
    "absent",
    multiple=True,
    metavar="ID",
    help="La table n'a pas de colonne pour cette donnée : chaque structure prend sa valeur par défaut (répétable).",
)
@help_option
@reports_errors
def sql_command(version, scenarios, settings, dialecte, table, output, absent):
    """Écrire la requête SQL qui calcule une version sur une table de structures, au centime près."""
    existing_files((version, *scenarios))
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}", table):
        raise UsageProblem(
            f"nom de table invalide « {table} » : lettres, chiffres et _, éventuellement "
            "précédé du schéma (« schema.table »)"
        )
    report_format(None, output, ("sql",))
    convention = api.load(version, settings, scenarios=scenarios)
    text = convention.sql(dialecte, table, absent) + (";\n" if dialecte != "spark" else "\n")
    emit(text, output, list(convention.sources), "Requête écrite")
    return EXIT_OK


@click.command("js", cls=FrenchCommand, context_settings=HELP)
@click.argument("version", metavar="VERSION")
@hypothesis_options
@exercise_option
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le module dans ce fichier (.mjs ou .js).")
@help_option
@reports_errors
def js_command(version, scenarios, settings, exercice, output):
    """Compiler une version en un module JavaScript sans dépendance : evaluer(déclaration) y donne ce que donne
    eval --format json, au centime près."""
    existing_files((version, *scenarios))
    report_format(None, output, ("javascript",))
    convention = api.load(version, settings, scenarios=scenarios, exercice=exercise_year(exercice))
    text = convention.javascript(provenance_of([(None, convention)]).lines()).module
    emit(text, output, list(convention.sources), "Module écrit")
    return EXIT_OK


@click.command("simulateur", cls=FrenchCommand, context_settings=HELP)
@click.argument("versions", nargs=-1, required=True, metavar="VERSION...")
@click.option("-o", "--output", required=True, metavar="DOSSIER", help="Le dossier où écrire le simulateur.")
@hypothesis_options
@exercise_option
@help_option
@reports_errors
def simulateur_command(versions, output, scenarios, settings, exercice):
    """Écrire un simulateur : une page autonome (sans serveur ni réseau, elle s'ouvre depuis un dossier) qui
    calcule la rémunération d'une structure sous une ou plusieurs versions, et l'explique."""
    from interpreter.report.simulator import simulator_files  # each command imports its own machinery

    existing_files((*versions, *scenarios))
    if Path(output).exists() and not Path(output).is_dir():
        raise UsageProblem(f"« {output} » existe et n'est pas un dossier : donnez un dossier pour le simulateur")
    loaded = api.load_versions(versions, scenarios, settings, exercise_year(exercice))
    inputs = [path for version in loaded for path in version.sources]
    files = simulator_files(loaded)
    for relative, text in files.items():
        target = Path(output) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(str(target), text, inputs)
    click.echo(
        f"Simulateur écrit dans « {output} » ({plural(len(files), 'fichier')}) : ouvrez "
        f"« {Path(output) / 'index.html'} ».",
        err=True,
    )
    return EXIT_OK


@click.command("consolidate", cls=FrenchCommand, context_settings=HELP)
@click.argument("avenant", metavar="AVENANT")
@click.option("-o", "--output", metavar="FICHIER", help="Écrire la version consolidée dans ce fichier (.conv).")
@click.option(
    "--au",
    "date",
    metavar="DATE",
    help="La version en vigueur à cette date (AAAA-MM-JJ), choisie le "
    "long de la chaîne des bases de AVENANT, avec ses règles propres à l'exercice de cette date.",
)
@click.option(
    "--exercice",
    "exercice",
    metavar="AAAA",
    help="Les règles de AVENANT pour cet exercice (« exercice AAAA { … } » appliqué).",
)
@help_option
@reports_errors
def consolidate_command(avenant, output, date, exercice):
    """Écrire la version consolidée d'un avenant : une convention complète, au format canonique."""
    existing_files((avenant,))
    report_format(None, output, ("conv",))
    loader = Loader()
    year = exercise_year(exercice)
    if date is not None:
        day = iso_date(date, "--au")
        if year is not None and year != day.year:
            raise UsageProblem(f"--au {date} tombe dans l'exercice {day.year}, pas {year} : donnez l'un ou l'autre")
        notes: list = []
        avenant, year = api.version_in_force(avenant, day, loader, notes), day.year
        report_notes(notes, loader.sources)
    text = api.consolidated(avenant, loader, year)
    emit(text, output, list(loader.sources))
    return EXIT_OK


@click.command("historique", cls=FrenchCommand, context_settings=HELP)
@click.argument("version", metavar="VERSION")
@format_option(HISTORY_FORMATS)
@click.option("-o", "--output", metavar="FICHIER", help="Écrire le rapport dans ce fichier.")
@click.option(
    "--clause",
    "clause",
    metavar="ID",
    help="Une seule clause (critère, brique, donnée, paramètre…), avec les changements des paramètres qu'elle utilise.",
)
@help_option
@reports_errors
def historique_command(version, output_format, output, clause):
    """Retracer chaque clause le long de la chaîne des bases : quelle version l'a écrite, quand, ce qui a changé."""
    from interpreter.report.history import HistoryReport  # the parser (Lark, 0.04 s): not for sql or js

    existing_files((version,))
    loader = Loader()
    found = api.history(version, loader)
    timelines = tuple(api.clause_timelines(found, clause, version)) if clause else ()
    inputs = list(loader.sources)
    if output:
        check_destination(output, inputs)
    provenance = provenance_of([(None, v) for v in found.versions])
    publish(
        HistoryReport(found, loader.sources, provenance, timelines),
        report_format(output_format, output, HISTORY_FORMATS),
        output,
        inputs,
    )
    return EXIT_OK


@click.command("site", cls=FrenchCommand, context_settings=HELP)
@click.argument("dossier", metavar="DOSSIER")
@click.option("-o", "--output", required=True, metavar="SORTIE", help="Le dossier où écrire le site.")
@help_option
@reports_errors
def site_command(dossier, output):
    """Écrire l'explorateur des conventions d'un dossier : un site statique, avec recherche, une page par clause."""
    from interpreter.report.site import build_site  # the parser (Lark, 0.04 s): not for sql or js

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
    click.echo(
        f"Site écrit dans « {output} » : {plural(len(pages), 'page')} ; ouvrez « {Path(output) / 'index.html'} ».",
        err=True,
    )
    return EXIT_OK


@click.command("fmt", cls=FrenchCommand, context_settings=HELP)
@click.argument("fichiers", nargs=-1, required=True, metavar="FICHIER...")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Ne rien écrire : sortir avec le code 1 et nommer les fichiers qui changeraient.",
)
@help_option
def fmt_command(fichiers, check_only):
    """Mettre des fichiers .conv en forme canonique, en gardant chaque commentaire et chaque libellé."""
    from dsl.format import encode_like, format_source  # the parser (Lark, 0.04 s): not for sql or js
    from dsl.parser import read_source  # (the same)

    paths = existing_files(fichiers)
    changed, broken, unwritten = [], 0, EXIT_OK
    for path in paths:
        source, problems = read_source(path)
        formatted = None
        if source is not None and not problems:
            formatted, problems = format_source(source)
        if problems or formatted is None:
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


@click.command("lsp", cls=FrenchCommand, context_settings=HELP)
@click.option("--stdio", is_flag=True, help="Dialoguer par l'entrée et la sortie standard (le seul mode, par défaut).")
@help_option
def lsp_command(stdio):
    """Serveur de langage (LSP) pour les éditeurs : diagnostics en direct, survol, complétion, renommage…"""
    from interpreter.lsp import serve  # pygls: only for the language server

    serve()
    return EXIT_OK


PUBLISHED = {
    "sql": sql_command,
    "js": js_command,
    "simulateur": simulateur_command,
    "consolidate": consolidate_command,
    "historique": historique_command,
    "site": site_command,
    "fmt": fmt_command,
    "lsp": lsp_command,
}  # by name, in the order of `convcheck --help`
