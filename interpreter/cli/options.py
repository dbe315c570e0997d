"""The options of the commands: declared once for the commands that share them, read in French (files,
numbers, dates, populations, the format of a report), a usage error otherwise."""

from __future__ import annotations

import datetime
import re
from fractions import Fraction
from pathlib import Path

import click

from dsl.source import special_kind
from interpreter.backends.engines import DEFAULT, ENGINES, engines_help
from interpreter.cli.french import HELP, UsageProblem  # noqa: F401 (HELP: the commands' context settings)
from interpreter.io.csvfiles import encoding_option
from interpreter.io.numbers import NumberProblem, read_number
from interpreter.report.formats import FormatError, choose_format, extensions_of, format_of_extension

# The formats each command writes (`--format`, or the extension of `-o`), the first one by default.
EVAL_FORMATS = ("text", "json")
VERSIONS_FORMATS = ("text", "json", "markdown", "html", "xlsx")
DIFF_FORMATS = ("text", "markdown", "json", "html", "xlsx")
CALIBRATION_FORMATS = ("text", "markdown", "json", "xlsx")
SWEEP_FORMATS = ("text", "markdown", "html", "json", "csv", "xlsx")
HISTORY_FORMATS = ("text", "markdown", "json")
PROJECTION_FORMATS = ("text", "markdown", "html", "json", "xlsx")
TABLE_FORMATS = ("csv", "parquet", "jsonl")  # a table of results, one row per structure
RESULTS_FORMATS = ("csv", "xlsx", "parquet", "jsonl")  # the results of `simulate`: a table, or a workbook


def format_option(formats: tuple[str, ...], what: str = "Format du rapport"):
    """`--format`: one of the command's formats; without it, the extension of `-o` decides (else text)."""
    listed = f"{', '.join(formats[:-1])} ou {formats[-1]}"
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(formats),
        default=None,
        help=f"{what} : {listed} ; sans --format, l'extension de -o le choisit ({extensions_of(formats)}), sinon text.",
    )


def hypothesis_options(command):
    """`--scenario FICHIER` (repeatable, applied in order) and `--set ID=VALEUR` (after them)."""
    command = click.option(
        "--set",
        "settings",
        multiple=True,
        metavar="ID=VALEUR",
        help="Remplacer un paramètre, par exemple --set valeur_point=7.5€ (répétable, appliqué après les scénarios).",
    )(command)
    return click.option(
        "--scenario",
        "scenarios",
        multiple=True,
        metavar="FICHIER",
        help="Appliquer les hypothèses d'un fichier « scénario » (répétable, dans l'ordre).",
    )(command)


def population_options(command):
    """`--encodage` (a CSV population's encoding) and `--feuille` (an Excel population's sheet)."""
    command = click.option(
        "--feuille",
        "sheet",
        metavar="NOM",
        help="Avec une population .xlsx : la feuille à lire (défaut : la première feuille visible).",
    )(command)
    return click.option(
        "--encodage",
        "encoding",
        metavar="ENCODAGE",
        help="Avec une population .csv : son encodage, utf-8, windows-1252 ou utf-16 (défaut : détecté).",
    )(command)


def csv_fr_option(command):
    """`--csv-fr`: CSV written as French Excel reads it."""
    return click.option(
        "--csv-fr",
        "csv_fr",
        is_flag=True,
        help="Écrire les CSV à la française : « ; » entre les cellules et virgules décimales (pour Excel).",
    )(command)


def years_options(
    first: str = "Première année de la projection : celle de la population donnée.",
    last: str = "Dernière année de la projection (incluse).",
):
    """`--de ANNEE --a ANNEE`: the years of a projection, included (`first`, `last`: their help)."""

    def decorate(command):
        command = click.option("--a", "stop", type=click.IntRange(1900, 2200), metavar="ANNEE", help=last)(command)
        return click.option("--de", "start", type=click.IntRange(1900, 2200), metavar="ANNEE", help=first)(command)

    return decorate


def guarantee_option(command):
    """`--garantie [TAUX]`: the cost of topping up the structures that lose (all of each loss, or a share)."""
    return click.option(
        "--garantie",
        "guarantee",
        is_flag=False,
        flag_value="100 %",
        default=None,
        metavar="[TAUX]",
        help="Avec --population : le coût d'une garantie — compléter le paiement de chaque structure "
        "qui perd jusqu'à son montant d'avant (--garantie), ou une part de chaque perte "
        '(--garantie "50 %"), au total et par groupe (--par).',
    )(command)


def draws_options(command):
    """`--tirages N` and `--graine S`: the scénarios' draws repeated N times, for the median and the 5–95 % interval."""
    command = click.option(
        "--graine",
        "seed",
        type=click.IntRange(0, 2**31 - 1),
        default=None,
        metavar="S",
        help="Avec --tirages : la graine des tirages (défaut : 1) ; la même graine donne les mêmes tirages.",
    )(command)
    return click.option(
        "--tirages",
        "draw_count",
        type=click.IntRange(1, 100_000),
        default=None,
        metavar="N",
        help="Refaire N fois les tirages (« tirage(…) ») des scénarios, indépendamment : chaque chiffre "
        "est donné en médiane avec l'intervalle de 5 à 95 % des tirages, les détails étant ceux du "
        "tirage médian (calculé par le moteur par défaut).",
    )(command)


def draws_asked(count: int | None, seed: int | None) -> tuple[int, int] | None:
    """(N, S) from `--tirages` and `--graine`, or None for the single default draw; `--graine` alone is refused."""
    if count is None:
        if seed is not None:
            raise UsageProblem(
                "--graine choisit la graine de --tirages : ajoutez --tirages N (par exemple --tirages 1000)"
            )
        return None
    return count, 1 if seed is None else seed


def engine_option(command):
    """`--moteur`: the engine that computes a population, among those registered."""
    return click.option("--moteur", "engine", type=click.Choice(list(ENGINES)), default=DEFAULT, help=engines_help())(
        command
    )


def exercise_option(command):
    """`--exercice AAAA`: the rules of one exercise (the version's `exercice AAAA { … }` applied)."""
    return click.option(
        "--exercice",
        "exercice",
        metavar="AAAA",
        help="Calculer avec les règles de cet exercice : celles de la version, avec ses règles propres "
        "à l'année (« exercice AAAA { … } ») ; la version doit être en vigueur avant la fin de "
        "l'exercice.",
    )(command)


# ---- reading them ------------------------------------------------------------------------------------------


def existing_files(paths: tuple[str, ...]) -> list[str]:
    """The paths, or a French usage error for a missing file or a directory."""
    for path in paths:
        p = Path(path)
        if not p.exists():
            raise UsageProblem(f"fichier introuvable : « {path} »")
        if p.is_dir():
            raise UsageProblem(
                f"« {path} » est un dossier ; donnez des fichiers .conv (par exemple « {path.rstrip('/')}/*.conv »)"
            )
        kind = special_kind(path)  # checked before anything opens it: a FIFO or /dev/zero would hang
        if kind is not None:
            raise UsageProblem(f"« {path} » est {kind}, pas un fichier : convcheck ne lit que des fichiers ordinaires")
    return list(paths)


def report_format(asked: str | None, output: str | None, supported: tuple[str, ...]) -> str:
    """The format of a command's report (`--format`, else the extension of `-o`), or a usage error."""
    try:
        return choose_format(asked, output, supported)
    except FormatError as error:
        raise UsageProblem(str(error)) from None


def check_table_suffix(path: str | None, formats: tuple[str, ...] = TABLE_FORMATS) -> None:
    """A results table is written in the format of its suffix: CSV, Parquet or JSON Lines (or a workbook)."""
    if path and format_of_extension(path) not in formats:
        suffix = Path(path).suffix
        said = f"format de résultats inconnu « {suffix} »" if suffix else f"« {path} » n'a pas d'extension"
        raise UsageProblem(f"{said} : utilisez {extensions_of(formats)}")


def population_file(path: str | None, encoding: str | None, sheet: str | None):
    """The population named with how to read it (`--encodage`, `--feuille`)."""
    from interpreter.io.tables import TableFile  # polars (heavy): only for a population

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


def option_number(text: str | None, option: str, kind: str):
    """A number given on the command line (`--budget "190 000 000 €"`), read as a declaration reads one."""
    if text is None:
        return None
    value = read_number(text, kind)
    if isinstance(value, NumberProblem):
        expected = "un montant (par exemple « 190 000 000 € »)" if kind == "montant" else "un nombre"
        hint = f" ; {value.hint}" if value.hint else ""
        raise UsageProblem(f"{value.message(option, expected)}{hint}")
    return value


def guarantee_share(text: str | None) -> Fraction | None:
    """The share of each loss a guarantee makes good (`--garantie 50 %`), between 0 and 100 %."""
    if text is None:
        return None
    value = option_number(text, "--garantie", "pourcentage")
    if not 0 < value <= 1:
        raise UsageProblem(
            f"--garantie « {text} » : donnez une part des pertes entre 0 et 100 %, par exemple "
            '--garantie "50 %" (ou --garantie seul : 100 %)'
        )
    return Fraction(value)


def iso_date(text: str, option: str) -> datetime.date:
    """A date given on the command line, AAAA-MM-JJ."""
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageProblem(
            f"date invalide pour {option} : « {text} » ; écrivez-la AAAA-MM-JJ, par exemple 2024-01-01"
        ) from None


def exercise_year(text: str | None) -> int | None:
    """The year given to `--exercice`, or a French usage error."""
    if text is None:
        return None
    if not re.fullmatch(r"\s*[0-9]{4}\s*", text):
        raise UsageProblem(
            f"exercice invalide pour --exercice : « {text} » ; écrivez l'année sur quatre chiffres, par "
            "exemple --exercice 2022"
        )
    return int(text)


def rejects_path(population: str, output: str | None) -> str:
    """`<stem>.rejets.csv` beside the results (or the population)."""
    base = Path(output) if output else Path(population)
    return str(base.with_name(f"{base.stem}.rejets.csv"))
