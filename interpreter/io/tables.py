"""Populations as tables: reading CSV, Parquet or JSON Lines, validating, writing results.

A population has an `id` column naming each structure and one column per donnée, with the
values a declaration accepts (`interpreter.io.declarations`). Validation is vectorised (polars
expressions) and lists every invalid row with its structure id, the donnée and the reason.
Valid values become plain columns that do not depend on any evaluator: a numeric donnée is
a `Scaled` column (exact `num / den`), a booléen a bool array, a date its days since
1970-01-01, a choix the index of its value in the donnée's list of choices. A row whose values
cannot be held exactly in int64 (too many decimals) is flagged for the exact scalar path.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
from attrs import frozen

from dsl.diagnostics import Diagnostic, suggest
from dsl.model import Donnee, Model
from interpreter.io.declarations import FALSE_WORDS, TRUE_WORDS, TYPE_WORDS, convert
from interpreter.values import conv_text

READERS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
UNREADABLE = {
    "csv": "table illisible : ce n'est pas un CSV bien formé (guillemet jamais fermé, lignes de longueurs différentes…)",
    "parquet": "table illisible : ce n'est pas un fichier Parquet valide",
    "jsonl": "table illisible : chaque ligne doit être un objet JSON (format JSON Lines)",
}
NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
MAX_SCALE = 9  # decimals held exactly in int64 alongside realistic magnitudes


@frozen
class Scaled:
    """The exact values of a numeric column: `num / den`, with one denominator for the column."""

    num: np.ndarray  # int64
    den: int

    def __getitem__(self, rows) -> Scaled:
        return Scaled(self.num[rows], self.den)

    def __len__(self) -> int:
        return len(self.num)


class TableError(Exception):
    """A population that cannot be used as it is; carries the diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics


@frozen
class RowProblem:
    row: int
    structure: str
    donnee: str | None
    message: str


@frozen
class Population:
    """The valid rows of a table, as exact columns, and what was wrong with the others."""

    path: str
    frame: pl.DataFrame  # the valid rows, as read
    ids: np.ndarray
    columns: dict
    aside: np.ndarray  # rows to compute with the exact scalar evaluator
    problems: tuple[RowProblem, ...]
    rejected: pl.DataFrame  # the invalid rows, as read
    warnings: tuple[Diagnostic, ...] = ()  # ignored columns

    @property
    def size(self) -> int:
        return len(self.ids)

    def exact_inputs(self, model: Model):
        """A function giving the scalar evaluator's données for one valid row."""
        def inputs(index: int) -> dict:
            row = self.frame.row(index, named=True)
            return {id: convert(donnee, row[id])[0] for id, donnee in model.donnees.items()}
        return inputs


# ---- reading -------------------------------------------------------------------------------------


def read_frame(path: str) -> pl.DataFrame:
    kind = READERS.get(Path(path).suffix.lower())
    if kind is None:
        raise TableError([Diagnostic("population-illisible", f"format de population inconnu « {Path(path).suffix} » : "
                                     "utilisez .csv, .parquet ou .jsonl", file=path)])
    try:
        if kind == "csv":
            return pl.read_csv(path, infer_schema=False)
        if kind == "parquet":
            return pl.read_parquet(path)
        return pl.read_ndjson(path)
    except Exception:  # polars raises many kinds: all mean "cannot read this table"
        raise TableError([Diagnostic("population-illisible", UNREADABLE[kind], file=path,
                                     suggestion="vérifiez le format du fichier et son encodage (UTF-8)")]) from None


def read_population(source: str | pl.DataFrame, model: Model, other_columns=frozenset(),
                    keep_invalid: bool = False) -> Population:
    """Read (a file) and validate a population (a file, or a DataFrame already in memory); raise
    `TableError` (every problem listed) unless `keep_invalid`."""
    frame = source if isinstance(source, pl.DataFrame) else read_frame(source)
    path = "<DataFrame>" if isinstance(source, pl.DataFrame) else source
    warnings = _check_columns(path, frame, model, other_columns)
    ids = frame["id"].cast(pl.String)
    problems: list[RowProblem] = []
    invalid = np.zeros(frame.height, dtype=bool)
    id_values = ids.fill_null("").to_numpy()
    missing_id = ids.is_null().to_numpy() | (id_values == "")
    duplicated = ids.is_duplicated().to_numpy() & ~missing_id
    for row in np.flatnonzero(missing_id):
        problems.append(RowProblem(int(row), f"rangée {row + 1}", None, "identifiant « id » vide"))
    for row in np.flatnonzero(duplicated):
        problems.append(RowProblem(int(row), id_values[row], None, "identifiant « id » en double"))
    invalid |= missing_id | duplicated
    columns, aside = {}, np.zeros(frame.height, dtype=bool)
    for id, donnee in model.donnees.items():
        value, bad, flagged = read_column(frame[id], donnee)
        for row, message in bad:
            problems.append(RowProblem(row, id_values[row] or f"rangée {row + 1}", id, message))
            invalid[row] = True
        columns[id] = value
        aside |= flagged
    problems.sort(key=lambda p: (p.row, p.donnee or ""))
    if problems and not keep_invalid:
        raise TableError(row_diagnostics(path, problems, frame.height))
    keep = ~invalid
    return Population(path, frame.filter(pl.Series(keep)), id_values[keep], {k: v[keep] for k, v in columns.items()},
                      aside[keep], tuple(problems), frame.filter(pl.Series(invalid)), tuple(warnings))



def _check_columns(path: str, frame: pl.DataFrame, model: Model, other_columns) -> list[Diagnostic]:
    """Errors for a missing `id` or donnée column; unknown columns are ignored, with a warning —
    an error when a donnée is missing too, since the unknown column is then probably a misspelling."""
    missing = [id for id in model.donnees if id not in frame.columns]
    unknown = [c for c in frame.columns if c != "id" and c not in model.donnees and c not in other_columns]
    code = "population-colonnes" if missing else "population-colonne-ignoree"
    problems = []
    if "id" not in frame.columns:
        problems.append(Diagnostic("population-colonnes", "colonne « id » absente : elle nomme chaque structure",
                                   file=path))
    if missing:
        for column in unknown:
            problems.append(Diagnostic(code, f"colonne inconnue « {column} » : ce n'est pas une donnée de la convention",
                                       file=path, suggestion=suggest(column, missing)))
    elif unknown:
        listed = ", ".join(f"« {c} »" for c in unknown)
        what = "colonnes ignorées : ce ne sont pas des données" if len(unknown) > 1 else \
            "colonne ignorée : ce n'est pas une donnée"
        problems.append(Diagnostic(code, f"{len(unknown)} {what} de la convention : {listed}", file=path))
    for id in missing:
        problems.append(Diagnostic("population-colonnes", f"colonne manquante « {id} » "
                                   f"({model.donnees[id].label or id})", file=path))
    if any(d.is_error for d in problems):
        raise TableError(problems)
    return problems


def row_diagnostics(path: str, problems, rows: int) -> list[Diagnostic]:
    """One diagnostic per invalid value, naming the structure, the donnée and the line of a CSV."""
    csv = Path(path).suffix.lower() == ".csv"
    result = []
    for p in problems:
        where = f"ligne {p.row + 2}" if csv else f"rangée {p.row + 1}"
        donnee = f", donnée « {p.donnee} »" if p.donnee else ""
        result.append(Diagnostic("population-invalide", f"structure « {p.structure} »{donnee} ({where}) : {p.message}",
                                 file=path))
    return result


# ---- one column --------------------------------------------------------------------------------------


def read_column(series: pl.Series, donnee: Donnee):
    """(exact values, [(row, message)] of invalid values, rows for the exact path) for one donnée."""
    kind = donnee.type.kind
    missing = series.is_null().to_numpy()
    if series.dtype == pl.String:
        missing |= (series.str.strip_chars() == "").fill_null(True).to_numpy()
    bad = [(int(r), f"valeur manquante ({TYPE_WORDS.get(kind, str(donnee.type))} attendu)") for r in np.flatnonzero(missing)]
    if kind == "booleen":
        values, wrong = _booleans(series)
        return values, bad + _wrong(series, wrong & ~missing, donnee), np.zeros(len(series), dtype=bool)
    if kind == "choix":
        values, wrong = _choices(series, donnee)
        return values, bad + _wrong(series, wrong & ~missing, donnee), np.zeros(len(series), dtype=bool)
    if kind == "date":
        days, wrong = _dates(series)
        return days, bad + _wrong(series, wrong & ~missing, donnee), np.zeros(len(series), dtype=bool)
    num, den, wrong, aside = _numbers(series, kind)
    bad += _wrong(series, wrong & ~missing, donnee)
    ok = ~(wrong | missing)
    if kind == "entier":
        fractional = ok & ~aside & (num % den != 0) if den != 1 else np.zeros(len(series), dtype=bool)
        bad += [(int(r), f"« {donnee.id} » attend un nombre entier, pas « {_shown(series, r)} »")
                for r in np.flatnonzero(fractional)]
        ok &= ~fractional
    outside = ok & ~aside & _outside(num, den, donnee)
    bad += [(int(r), f"« {donnee.id} » = {conv_text(Decimal(int(num[r])) / den, donnee.type)} est hors de l'intervalle "
             f"(entre {conv_text(donnee.low, donnee.type)} et {conv_text(donnee.high, donnee.type)})")
            for r in np.flatnonzero(outside)]
    num = np.where(ok & ~aside & ~outside, num, 0)
    return Scaled(num, den), bad, aside & ok


def _shown(series: pl.Series, row: int) -> str:
    value = series[int(row)]
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    return str(value)


def _wrong(series: pl.Series, mask: np.ndarray, donnee: Donnee) -> list[tuple[int, str]]:
    kind = donnee.type.kind
    if kind == "choix":
        return [(int(r), f"« {donnee.id} » ne peut pas valoir « {_shown(series, r)} » (valeurs : "
                 f"{', '.join(donnee.type.choices)})" + (f" ; {hint}" if (hint := suggest(_shown(series, r), donnee.type.choices)) else ""))
                for r in np.flatnonzero(mask)]
    return [(int(r), f"« {donnee.id} » attend {TYPE_WORDS.get(kind, str(donnee.type))}, pas « {_shown(series, r)} »")
            for r in np.flatnonzero(mask)]


def _booleans(series: pl.Series):
    if series.dtype == pl.Boolean:
        return series.fill_null(False).to_numpy(), np.zeros(len(series), dtype=bool)
    words = series.cast(pl.String).str.strip_chars().str.to_lowercase()
    true = words.is_in(list(TRUE_WORDS)).fill_null(False).to_numpy()
    false = words.is_in(list(FALSE_WORDS)).fill_null(False).to_numpy()
    return true, ~(true | false)


def _choices(series: pl.Series, donnee: Donnee):
    table = {c: i for i, c in enumerate(donnee.type.choices)}
    if series.dtype != pl.String:
        series = series.cast(pl.String)
    local = series.replace_strict(table, default=-1, return_dtype=pl.Int64).fill_null(-1).to_numpy()
    return local, local < 0


def _dates(series: pl.Series):
    if series.dtype == pl.Date:
        dates = series
    else:
        dates = series.cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    days = dates.to_physical().fill_null(0).to_numpy().astype(np.int64)
    return days, dates.is_null().to_numpy()


def _numbers(series: pl.Series, kind: str):
    """Exact scaled integers for a numeric column: (num, den, wrong, aside)."""
    size = len(series)
    percent = 100 if kind == "pourcentage" else 1
    if series.dtype in (pl.Boolean,):
        return np.zeros(size, dtype=np.int64), 1, np.ones(size, dtype=bool), np.zeros(size, dtype=bool)
    if series.dtype.is_integer():
        return series.fill_null(0).cast(pl.Int64).to_numpy(), percent, np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    if series.dtype.is_float():
        return _floats(series.fill_null(0).to_numpy(), percent)
    if series.dtype.is_decimal():
        scale = series.dtype.scale
        return (series.fill_null(0) * 10**scale).cast(pl.Int64).to_numpy(), 10**scale * percent, \
            np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    text = _normalised(series.cast(pl.String), kind)
    wrong = ~text.str.contains(NUMBER).fill_null(False).to_numpy()
    decimals = text.str.split_exact(".", 1).struct.field("field_1").str.len_chars().fill_null(0).to_numpy()
    aside = (decimals > MAX_SCALE) & ~wrong
    usable = ~wrong & ~aside
    scale = int(decimals[usable].max()) if usable.any() else 0
    cleaned = pl.select(pl.when(pl.Series(usable)).then(text).otherwise(pl.lit("0"))).to_series()
    scaled = (cleaned.str.to_decimal(scale=scale) * 10**scale).cast(pl.Int64, strict=False)
    overflow = scaled.is_null().to_numpy()
    aside |= overflow & usable
    return scaled.fill_null(0).to_numpy(), 10**scale * percent, wrong, aside


def _normalised(text: pl.Series, kind: str) -> pl.Series:
    """The text a declaration also accepts: units, spaces, `_` and a decimal comma removed."""
    text = text.str.strip_chars()
    if kind == "pourcentage":
        text = text.str.strip_suffix("%")
    elif kind == "montant":
        text = text.str.replace(r"(?i)\s*(€|eur)$", "")
    text = text.str.replace_all(r"[ _\u00a0\u202f]", "")
    has_point = text.str.contains(r"\.", literal=False).fill_null(False)
    return pl.select(pl.when(has_point).then(text).otherwise(text.str.replace(",", ".", literal=True))).to_series()


def _floats(values: np.ndarray, percent: int):
    """Floats read as the shortest decimals that give them back (as the scalar path reads them)."""
    size = len(values)
    wrong = ~np.isfinite(values)
    values = np.where(wrong, 0.0, values)
    scale_of = np.full(size, -1)
    for k in range(7):
        candidate = np.rint(values * 10**k)
        exact = (candidate / 10**k == values) & (np.abs(candidate) < 2**52) & (scale_of < 0)
        scale_of[exact] = k
    aside = scale_of < 0
    scale = int(scale_of[~aside].max()) if (~aside).any() else 0
    num = np.where(aside, 0, np.rint(values * 10**scale)).astype(np.int64)
    return num, 10**scale * percent, wrong, aside & ~wrong


def _outside(num: np.ndarray, den: int, donnee: Donnee) -> np.ndarray:
    result = np.zeros(len(num), dtype=bool)
    for bound, below in ((donnee.low, True), (donnee.high, False)):
        if bound is None:
            continue
        bn, bd = Decimal(bound).as_integer_ratio()
        left = num.astype(object) * bd if abs(bd) * max(1, int(np.abs(num).max(initial=0))) >= 2**62 else num * bd
        right = bn * den
        result |= (left < right) if below else (left > right)
    return np.asarray(result, dtype=bool)


# ---- writing results -----------------------------------------------------------------------------------


def money_strings(cents: np.ndarray) -> pl.Series:
    """Cents as decimal text with two decimals: 1234.50, -0.05."""
    frame = pl.DataFrame({"c": np.asarray(cents, dtype=np.int64)})
    return frame.select(
        (pl.when(pl.col("c") < 0).then(pl.lit("-")).otherwise(pl.lit(""))
         + (pl.col("c").abs() // 100).cast(pl.String) + pl.lit(".")
         + (pl.col("c").abs() % 100).cast(pl.String).str.zfill(2)).alias("m")
    ).to_series()


def points_strings(micro: np.ndarray) -> pl.Series:
    """Millionths of a point as plain decimal text: 3900, 916.575."""
    frame = pl.DataFrame({"p": np.asarray(micro, dtype=np.int64)})
    fraction = (pl.col("p").abs() % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    return frame.select(
        (pl.when(pl.col("p") < 0).then(pl.lit("-")).otherwise(pl.lit(""))
         + (pl.col("p").abs() // 1_000_000).cast(pl.String)
         + pl.when(fraction == "").then(pl.lit("")).otherwise(pl.lit(".") + fraction)).alias("t")
    ).to_series()


def result_frame(result, lines: list[str], typed: bool) -> pl.DataFrame:
    """id, eligible, total, total_points, then one column per line, in euros."""
    def money(cents):
        if typed:
            return pl.Series(np.asarray(cents, dtype=np.int64)).cast(pl.Decimal(38, 2)) / 100
        return money_strings(cents)

    columns = {"id": pl.Series(result.ids.astype(str)), "eligible": pl.Series(result.eligible),
               "total": money(result.total), "total_points": points_strings(result.total_points)}
    for id in lines:
        columns[id] = money(result.lines[id])
    return pl.DataFrame(columns)


def write_results(frame: pl.DataFrame, path: str, inputs=()) -> None:
    """Write a results table — CSV, Parquet or JSON Lines, by the suffix — through the one writer.

    `inputs` are the files the command read: they are never overwritten (`interpreter.io.writer`).
    """
    from interpreter.io.writer import replacing

    kind = READERS.get(Path(path).suffix.lower())
    write = {"parquet": frame.write_parquet, "jsonl": frame.write_ndjson}.get(kind, frame.write_csv)
    with replacing(path, inputs) as handle:
        write(handle)
