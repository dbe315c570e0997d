"""What a command produces, written in one way: a report rendered in its format and printed or written
(with its charts) through the one writer, a workbook refused rather than cut, the problems that prevent
the job said in French (`reports_errors`), a progress bar for large populations."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from dsl.diagnostics import render_all_text, render_json
from interpreter import api
from interpreter.cli.french import EXIT_INVALID, UsageProblem, use_color
from interpreter.io.writer import write_bytes, write_text
from interpreter.io.xlsx import TooManyRows
from interpreter.report.formats import render


def publish(report, format: str, output: str | None, inputs: list[str], french: bool = False) -> None:
    """A report rendered in its format: printed, or written to the file of `-o` with its charts beside it."""
    if format == "xlsx":
        write_workbook(lambda: render(report, format, output).content, output, inputs)
        click.echo(f"Classeur écrit dans « {output} ».", err=True)
        return
    rendered = render(report, format, output, french)
    folder = Path(output).parent if output else Path(".")
    for figure in rendered.charts:
        write_bytes(str(folder / str(figure.png_name)), figure.png, inputs)
    assert isinstance(rendered.content, str)
    emit(rendered.content, output, inputs)


def write_workbook(build, output: str | None, inputs: list[str]) -> None:
    """An Excel workbook (`build()` gives its bytes), written to the file of `-o`; a table longer than a sheet
    holds is refused rather than cut."""
    assert output is not None  # `choose_format` asks for -o, and `simulate` writes its results there
    try:
        data = build()
    except TooManyRows as error:
        raise UsageProblem(f"{error} ; écrivez ce tableau en .csv ou en .parquet") from None
    write_bytes(output, data, inputs)


def emit(text: str, output: str | None, inputs: list[str], written: str = "Rapport écrit") -> None:
    """Print a text, or write it to a file that is none of the inputs, and say where (« Module écrit dans … »)."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    write_text(output, text, inputs)
    click.echo(f"{written} dans « {output} ».", err=True)


def report_notes(notes, sources) -> None:
    """Why the engine asked for was not used (the default engine computed instead), on stderr."""
    if notes:
        click.echo(render_all_text(list(notes), sources, use_color(False, sys.stderr)) + "\n", err=True)


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


def warnings_note(versions) -> None:
    """At the end of a command that computed with versions: how many warnings `check` gives for them, on
    stderr — a warning that matters is not lost in a long report."""
    found = {(d.code, d.message, d.path): d for version in versions for d in version.warnings}
    if not found:
        return
    paths = " ".join(dict.fromkeys(version.path for version in versions if version.warnings))
    count = len(found)
    click.echo(
        f"{plural(count, 'avertissement')} dans les versions utilisées : « convcheck check {paths} » "
        f"{'les' if count > 1 else 'le'} montre.",
        err=True,
    )


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def summary(files: int, errors: int, warnings: int) -> str:
    checked = f"{plural(files, 'fichier')} {'vérifiés' if files > 1 else 'vérifié'}"
    if not errors and not warnings:
        return f"{checked} : aucun problème."
    return f"{checked} : {plural(errors, 'erreur')}, {plural(warnings, 'avertissement')}."
