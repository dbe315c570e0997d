"""The `convcheck` entry point: a group whose commands are imported only when one is asked for.

`convcheck --help` lists the commands from `COMMANDS` (their one-line help) without importing them:
the commands need the checker and Lark, and some numpy, polars or openpyxl, none of which the list needs.
Any other call imports `interpreter.cli.commands` and runs its command (`tests/test_cli_check.py`
checks that `COMMANDS` says what the commands' own help says).
"""

from __future__ import annotations

import gc
import signal
import sys

import click

from interpreter.cli.french import EXIT_INTERNAL, EXIT_INVALID, HELP, FrenchGroup, help_option

COMMANDS = {  # name → the first line of its help, in the order of `convcheck --help`
    "check": "Vérifier des conventions et des avenants : syntaxe, noms, types, opérations.",
    "eval": "Évaluer une structure : critère par critère, ce qui est atteint, pourquoi, et ce que cela rapporte ;",
    "test": "Exécuter les cas (« cas ») des conventions et des avenants : chaque chiffre négocié est un test.",
    "diff": "Comparer deux versions (conventions ou avenants) : ce qui change, clause par clause, en euros.",
    "projette": "Le budget année par année : chaque mois selon la version de la chaîne en vigueur, la population",
    "simulate": "Évaluer toute une population de structures : paiements, budget, moyenne, médiane, déciles.",
    "calibre": "Trouver la valeur d'un paramètre pour laquelle le budget d'une population atteint une cible.",
    "balaye": "Calculer le budget d'une population pour chaque valeur d'un paramètre : un tableau et un graphique.",
    "sql": "Écrire la requête SQL qui calcule une version sur une table de structures, au centime près.",
    "js": "Compiler une version en un module JavaScript sans dépendance : evaluer(déclaration) y donne ce",
    "simulateur": "Écrire un simulateur : une page autonome (sans serveur ni réseau, elle s'ouvre depuis un dossier)",
    "consolidate": "Écrire la version consolidée d'un avenant : une convention complète, au format canonique.",
    "historique": "Retracer chaque clause le long de la chaîne des bases : quelle version l'a écrite, quand, ce qui a",
    "site": "Écrire l'explorateur des conventions d'un dossier : un site statique, avec recherche, une page par",
    "fmt": "Mettre des fichiers .conv en forme canonique, en gardant chaque commentaire et chaque libellé.",
    "lsp": "Serveur de langage (LSP) pour les éditeurs : diagnostics en direct, survol, complétion, renommage…",
}
PUBLISHING = (
    "sql",
    "js",
    "simulateur",
    "consolidate",
    "historique",
    "site",
    "fmt",
    "lsp",
)  # interpreter.cli.publishing


class LazyGroup(FrenchGroup):
    """The `convcheck` group: its commands are those of `interpreter.cli.commands` (which adds those of
    `interpreter.cli.publishing`), the module of a command imported the first time it is asked for."""

    def list_commands(self, ctx) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx, name: str):
        if name not in COMMANDS:
            return None
        if name in PUBLISHING:  # these need neither the population readers nor the impact reports
            from interpreter.cli.publishing import PUBLISHED  # the checker and Lark (0.1 s): not for --help

            return PUBLISHED[name]
        from interpreter.cli.commands import cli  # the checker, Lark and the reports (0.1 s): not for --help

        return cli.commands[name]

    def format_commands(self, ctx, formatter):
        with formatter.section("Commandes"):
            formatter.write_dl([(name, short_help(line)) for name, line in COMMANDS.items()])


def short_help(line: str) -> str:
    """A command's help as the list shows it (click's own shortening)."""
    return click.Command(None, help=line).get_short_help_str(60)


@click.group(cls=LazyGroup, context_settings=HELP)
@help_option
def cli():
    """convcheck : vérifier, évaluer et comparer les conventions des structures de santé (.conv)."""


def terminated(signum, frame):
    """SIGTERM ends convcheck as Ctrl+C does, through every `finally`: a file being written is left as it was
    and its temporary removed, temporary copies and folders too (`atexit`) — the signal's default killed the
    process on the spot and left `.convcheck-*.tmp` behind."""
    raise SystemExit(128 + signum)


COLLECTIONS = (200_000, 30, 30)  # Python's cyclic collector: a collection every 200,000 new objects, not 700


def main():
    """Console-script entry point.

    A command is a short batch whose imports and checked version make some 300,000 objects that live to the end:
    Python's cyclic collector, every 700 new objects, scanned them again and again (as mypy does, it runs here
    every 200,000), and once more at exit, where it finds nothing to free: they are frozen when the command is
    done (`gc.freeze`; `atexit` still runs). 0.07 s of a `simulate` of 1 M structures. The language server,
    which lives long, restores the default (`interpreter.lsp.server`)."""
    signal.signal(signal.SIGTERM, terminated)
    gc.set_threshold(*COLLECTIONS)
    try:
        cli(prog_name="convcheck")
    except SystemExit:
        raise
    except RecursionError:
        click.echo("convcheck : entrée trop profondément imbriquée pour être traitée.", err=True)
        sys.exit(EXIT_INVALID)
    except Exception as error:  # a bug of ours: say so plainly, without a traceback
        click.echo(
            f"convcheck : erreur interne ({type(error).__name__}: {error}). "
            "Merci de la signaler avec le fichier en cause.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    finally:
        gc.freeze()
