"""The command line in French: click's help and usage errors said in French, and the exit codes.

Exit codes are decided in one place, `FrenchGroup.main` (documented in the README): 0 when the job was
done and found no error, 1 when the input has errors (an `api.ConvError`, or, for `check --strict`,
warnings), 2 for usage errors (missing file, unknown option, a destination that cannot be written),
3 for an internal failure (`interpreter.cli.main`: never a Python traceback).
"""

from __future__ import annotations

import os
import re
import sys

import click

from dsl.diagnostics import render_all_text
from interpreter.io.writer import WriteError

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
HELP = {"help_option_names": ["-h", "--help"]}  # every command's context settings
help_option = click.help_option("-h", "--help", help="Afficher cette aide et quitter.")  # every command's, in French


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
            code = super().main(
                args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
            )
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except WriteError as error:
            click.echo(render_all_text([error.diagnostic], {}), err=True)
            sys.exit(error.exit_code)
        except click.UsageError as error:
            click.echo(
                f"convcheck : {french_usage_message(error, self.list_commands(error.ctx or click.Context(self)))}",
                err=True,
            )
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


def french_usage_message(error: click.UsageError, commands=()) -> str:
    """Click's usage errors, said in French (`commands`: the names offered for an unknown command)."""
    if isinstance(error, UsageProblem):
        return error.message
    if isinstance(error, click.exceptions.NoSuchOption):
        close = f" ; vouliez-vous dire « {error.possibilities[0]} » ?" if error.possibilities else ""
        return f"option inconnue « {error.option_name} »{close}"
    if isinstance(error, click.exceptions.NoSuchCommand) or "No such command" in error.message:
        name = error.message.split("'")[1] if "'" in error.message else error.message
        return f"commande inconnue « {name} » ; commandes : {', '.join(sorted(commands))}"
    if isinstance(error, click.MissingParameter):
        name = (error.param.human_readable_name if error.param else "argument").upper()
        return f"argument manquant : {name}"
    if isinstance(error, click.BadParameter) and error.param is not None:
        if isinstance(error.param.type, click.Choice):
            choices = ", ".join(map(str, error.param.type.choices))
            return f"valeur invalide pour {error.param.opts[0]} ; choisissez parmi : {choices}"
        if isinstance(error.param.type, click.IntRange):  # click says it in English: the bounds, in French
            low, high = error.param.type.min, error.param.type.max
            return f"valeur invalide pour {error.param.opts[0]} : un nombre entier de {low} à {high} est attendu"
        if error.param.type is click.INT:
            return f"valeur invalide pour {error.param.opts[0]} : un nombre entier est attendu"
        return f"valeur invalide pour {error.param.opts[0]} : {error.message}"
    if isinstance(error, click.BadOptionUsage):
        return f"option mal employée « {error.option_name} » : elle attend une valeur"
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", error.message)
    if extra:
        return (
            f"argument en trop : « {extra.group(1)} » ; une valeur qui contient des espaces s'écrit entre "
            'guillemets, par exemple --budget "190 000 000 €"'
        )
    return f"usage incorrect : {error.message}"


def use_color(no_color: bool, stream=None) -> bool:
    """Colours on a terminal only, never with --no-color or NO_COLOR set."""
    stream = stream or sys.stdout
    return not no_color and "NO_COLOR" not in os.environ and stream.isatty()
