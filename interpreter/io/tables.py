"""Populations as tables: reading CSV, Parquet or JSON Lines, validating, writing results.

A population has an `id` column naming each structure and one column per donnée, with the
values a declaration accepts (`interpreter.io.declarations`); numbers are read by
`interpreter.io.numbers`, which holds the rule for writing them and the bounds. Validation is
vectorised (polars expressions) and lists every invalid row with its structure id, the
donnée and the reason. Valid values become plain columns that do not depend on any
evaluator: a numeric donnée is a `Scaled` column (exact `num / den`; `num` is int64, or an
object array of Python ints when a value does not fit int64 at the column's scale), a
booléen a bool array, a date its days since 1970-01-01, a choix the index of its value in the
donnée's list of choices. Every value within the bounds is held exactly, so no row needs the
exact scalar path for reading: `aside` only flags rows whose numerators do not fit int64, for
evaluators that compute in int64.

Where a problem is: a CSV row is named by its line as a spreadsheet shows it (the header is
line 1), a JSON Lines row by its line, a Parquet row by its rank (« rangée »). Blank lines at
the end of a CSV or JSON Lines file are ignored (a CSV row whose cells are all empty counts
as blank: spreadsheets export such rows); a blank line among the rows is an error naming it.
A column named twice is an error; so is a key written twice in a JSON Lines row (that row is
invalid). A Parquet column of lists, structs or bytes is an error for the column, once. JSON
Lines are read by `interpreter.io.jsonl` (exactly: polars where it is safe, `json` elsewhere).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path

import polars as pl

from dsl.diagnostics import Diagnostic, suggest
from dsl.errors import ConvcheckError
from dsl.model import Donnee, Model
from dsl.records import field, frozen
from interpreter.io import csvfiles, numbers, sizes
from interpreter.io.columns import read_column
from interpreter.io.defaults import blank_cells, constant_column, filled
from interpreter.io.jsonl import JsonLinesError, read_json_lines
from interpreter.io.number_columns import Scaled
from interpreter.io.numbers import NUMERIC
from interpreter.io.words import french_json
from interpreter.ondemand import np

READERS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
UNREADABLE = {
    "xlsx": "classeur illisible : ce n'est pas un fichier Excel (.xlsx) valide",
    "csv": "table illisible : ce n'est pas un CSV bien formé (guillemet jamais fermé, lignes de longueurs différentes…)",
    "parquet": "table illisible : ce n'est pas un fichier Parquet valide",
    "jsonl": "table illisible : chaque ligne doit être un objet JSON (format JSON Lines)",
}
UNSUPPORTED = {
    pl.List: "des listes",
    pl.Array: "des listes",
    pl.Struct: "des tables (struct)",
    pl.Binary: "des octets (binary)",
    pl.Object: "des objets",
}
EPOCH = datetime.date(1970, 1, 1)
INT64 = 2**63
BATCH = 250_000  # rows of a CSV file read at a time: its text is never held whole


class TableFile(str):
    """A population file named with how to read it — `--encodage` for a CSV file, `--feuille` for an Excel
    workbook —, usable wherever a path is (it is the path)."""

    encoding: str | None
    sheet: str | None

    def __new__(cls, path: str, encoding: str | None = None, sheet: str | None = None):
        named = super().__new__(cls, path)
        named.encoding, named.sheet = encoding, sheet
        return named


class TableError(ConvcheckError):
    """A population that cannot be used as it is; carries the diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s)", diagnostics)


@frozen
class RowProblem:
    row: int
    structure: str
    donnee: str | None
    message: str
    code: str = "population-invalide"
    hint: str | None = None


class LazyArray:
    """A column polars computed, used as a numpy array and made one the first time it is used as one: its length,
    indexing, iteration, operators, numpy's functions and the array's methods are the array's. The default engine
    gives its results so: a simulation's summary sums and counts them in polars (`series`) and needs only the totals
    as an array — a million ids take 0.05 s to become Python strings, and 25 result columns of a million rows 0.07 s
    and 100 MB to be copied out of polars' chunks. The class itself needs no numpy (`simulate` of a file never
    imports it: `interpreter.ondemand`)."""

    __hash__ = None  # type: ignore[assignment]  # as an array's

    def __init__(self, series: pl.Series):
        self.series = series

    @cached_property
    def array(self) -> np.ndarray:
        return self.series.to_numpy()

    def __len__(self) -> int:
        return len(self.series)

    def __bool__(self) -> bool:  # as an array's: ambiguous beyond one element (an error, not a silent True)
        return bool(self.array)

    def __getitem__(self, key):
        return self.array[key]

    def __iter__(self):
        return iter(self.array)

    def __array__(self, dtype=None, copy=None):
        return self.array if dtype is None else self.array.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(x.array if isinstance(x, LazyArray) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __getattr__(self, name: str):  # the array's own: dtype, sum, astype, tolist…
        if name in ("series", "__setstate__"):  # never the array's (a copy being made has no series yet)
            raise AttributeError(name)
        return getattr(self.array, name)


def _array_operator(name: str):
    def operator(self: LazyArray, *others):
        return getattr(self.array, name)(*(o.array if isinstance(o, LazyArray) else o for o in others))

    operator.__name__ = operator.__qualname__ = name
    return operator


for _name in (  # the array's operators (a class's own, not found through `__getattr__`), as numpy's mixin has them
    "lt le eq ne gt ge add radd sub rsub mul rmul matmul rmatmul truediv rtruediv floordiv rfloordiv mod rmod "
    "divmod rdivmod pow rpow lshift rlshift rshift rrshift and rand xor rxor or ror neg pos abs invert"
).split():
    setattr(LazyArray, f"__{_name}__", _array_operator(f"__{_name}__"))


def polars_column(values, dtype=None) -> pl.Series:
    """A result column as a polars Series: the default engine's own (`LazyArray`, never copied out), else the
    array's (as `dtype`: the other engines' integers may be held as objects)."""
    return values.series if isinstance(values, LazyArray) else pl.Series(np.asarray(values, dtype=dtype))


@frozen
class Population:
    """The valid rows of a table, as exact columns, and what was wrong with the others."""

    path: str
    frame: pl.DataFrame  # the valid rows as read: `id` and the columns read for `--par` (`keep`)
    ids: np.ndarray  # or a `LazyArray`, used as one
    columns: Mapping  # donnée → its exact column (a dict; read again from the file when `lazy_engine` read it)
    aside: np.ndarray  # rows whose numerators do not fit int64 (for int64 evaluators)
    problems: tuple[RowProblem, ...]
    rejected: pl.DataFrame  # the invalid rows, as read
    warnings: tuple[Diagnostic, ...] = ()  # ignored columns
    header: tuple[str, ...] = ()  # every column of the file
    as_read: Callable[[], pl.DataFrame] | None = field(default=None, eq=False, repr=False)  # the valid rows, every
    # column as read (the file read again: its text is not held during the evaluation)
    defaults: dict[str, int] = field(factory=dict)  # donnée → how many valid structures took its default (`par
    # défaut`: no column, or an empty cell), for the données that some took

    @property
    def size(self) -> int:
        return len(self.ids)

    def exact_inputs(self, model: Model):
        """A function giving the scalar evaluator's données for one valid row (the same exact values)."""

        def inputs(index: int) -> dict:
            return {
                id: _value(self.columns[id], donnee, index)
                for id, donnee in model.donnees.items()
                if id in self.columns
            }

        return inputs


def _value(column, donnee: Donnee, index: int):
    kind = donnee.type.kind
    if kind == "booleen":
        return bool(column[index])
    if kind == "date":
        return EPOCH + datetime.timedelta(days=int(column[index]))
    if kind == "choix":
        return donnee.type.choices[int(column[index])]
    return column.value(index)


@frozen
class Table:
    """A table file as read: every cell, with where its rows are and what was wrong with some."""

    frame: pl.DataFrame
    kind: str  # csv, parquet or jsonl
    typed: dict = field(factory=dict)  # column → rows holding a JSON number (JSON Lines)
    problems: dict = field(factory=dict)  # row → what is wrong with the whole row
    header: tuple[str, ...] = ()  # the column names as written
    path: str | None = None  # set when only some columns were read: the file, to read the others if need be
    stream: tuple[str, ...] | None = None  # a CSV or Parquet file read batch by batch: these columns (`frame` is
    # empty)
    scan: str | None = None  # the UTF-8 text of a streamed CSV file (a transcoded copy for Windows-1252)
    separator: str = ","

    def batches(self):
        """The rows, in order: the frame, or a streamed file's batches (a CSV file's blank rows not yet dropped)."""
        if self.stream is None:
            yield self.frame
            return
        assert self.path is not None  # a streamed table is read from its file
        empty = True
        try:
            scan = (
                pl.scan_parquet(self.path)
                if self.kind == "parquet"
                else pl.scan_csv(self.scan or self.path, infer_schema=False, separator=self.separator)
            )
            for batch in scan.select(self.stream).collect_batches(chunk_size=BATCH):
                empty = False
                yield batch
        except pl.exceptions.DuplicateError as error:
            raise _duplicate(self.path, error) from None
        except Exception:  # polars raises many kinds: all mean "cannot read this table"
            raise _unreadable(self.path, self.kind) from None
        if empty:
            yield self.frame


# ---- reading -------------------------------------------------------------------------------------


def where(kind: str, row: int) -> str:
    """A row as the user finds it in the file (an Excel sheet's row number as Excel shows it)."""
    return {"csv": f"ligne {row + 2}", "xlsx": f"ligne {row + 2}", "jsonl": f"ligne {row + 1}"}.get(
        kind, f"rangée {row + 1}"
    )


def read_table(
    path: str, numeric: frozenset[str] = frozenset(), wanted: frozenset[str] | None = None, stream: bool = False
) -> Table:
    """Read a population file's cells; raise `TableError` if it cannot be read as a table.

    With `wanted`, a CSV or Parquet file is read for those columns only (and `id`): the header
    still lists every column, for the checks on columns; the others are read again only if some
    rows are rejected (their rows, as read, go to the rejects file). With `stream`, a CSV or Parquet file's
    rows are not read here: `Table.batches` reads them, a batch at a time."""
    kind = READERS.get(Path(path).suffix.lower())
    if kind is None:
        raise TableError(
            [
                Diagnostic(
                    "population-illisible",
                    f"format de population inconnu « {Path(path).suffix} » : utilisez .csv, .xlsx, .parquet ou .jsonl",
                    file=path,
                )
            ]
        )
    problem = _beyond_limits(path, kind)
    if problem is not None:
        raise TableError([problem])
    if kind == "jsonl":
        return _read_json_lines(path, numeric)
    if kind == "xlsx":
        return _blank_rows_dropped(path, read_sheet(path, getattr(path, "sheet", None)))
    dialect, scan, separator = None, path, ","
    if kind == "csv":
        try:
            dialect = csvfiles.detect(path, getattr(path, "encoding", None))
        except csvfiles.CsvFileError as error:
            raise TableError([error.diagnostic]) from None
        scan, separator = csvfiles.utf8_copy(path, dialect), dialect.separator
    try:
        schema = {} if dialect is not None else pl.read_parquet_schema(path)
        header = csvfiles.header(path, dialect) if dialect is not None else list(schema)
        columns = None
        if wanted is not None and len(set(header)) == len(header):  # a repeated name is reported from a full read
            columns = [c for c in header if c in wanted or c == "id"]
        if stream and columns is not None:  # read a batch at a time by `Table.batches`
            types = {c: schema.get(c, pl.String) for c in columns}
            return Table(
                pl.DataFrame(schema=types),
                kind,
                header=tuple(header),
                path=path,
                stream=tuple(columns),
                scan=scan,
                separator=separator,
            )
        frame = (
            pl.read_csv(scan, infer_schema=False, columns=columns, separator=separator)
            if kind == "csv"
            else pl.read_parquet(path, columns=columns)
        )
    except pl.exceptions.DuplicateError as error:  # a Parquet file with two columns of one name
        raise _duplicate(path, error) from None
    except Exception:  # polars raises many kinds: all mean "cannot read this table"
        raise _unreadable(path, kind) from None
    partial = columns is not None and len(columns) < len(header)
    if kind == "parquet":
        return Table(frame, kind, header=tuple(header), path=path if partial else None)
    return _blank_rows_dropped(path, Table(frame, kind, header=tuple(header), path=path if partial else None))


def _beyond_limits(path: str, kind: str) -> Diagnostic | None:
    """Why a population file is not read at all — beyond the sizes of `interpreter.io.sizes`, a text file with NUL
    bytes — or None; said from its size or its metadata, before it is read."""
    if kind != "parquet":
        return sizes.too_large(path, sizes.MAX_POPULATION_BYTES, "une population") or (
            sizes.binary(path) if kind == "jsonl" else None
        )
    try:
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    except Exception:  # not a Parquet file: its reading says so
        return None
    if rows <= sizes.MAX_STRUCTURES:
        return None
    return Diagnostic(
        "trop-volumineux",
        f"population trop grande : {rows:,} structures, au-delà des ".replace(",", "\u202f")
        + f"{sizes.MAX_STRUCTURES:,} que convcheck évalue".replace(",", "\u202f"),
        file=path,
        suggestion="découpez la population en plusieurs fichiers (par région, par exemple)",
    )


def _duplicate(path: str, error: Exception) -> TableError:
    name = re.search(r"name '(.*)' has", str(error))
    return TableError(
        [
            Diagnostic(
                "population-colonnes",
                f"colonne « {name.group(1) if name else '?'} » en double",
                file=path,
                suggestion="gardez une seule colonne de ce nom",
            )
        ]
    )


def _unreadable(path: str, kind: str) -> TableError:
    hint = (
        "enregistrez-le depuis le tableur au format « Classeur Excel (.xlsx) »"
        if kind == "xlsx"
        else "vérifiez le format du fichier et son encodage (UTF-8 ou Windows-1252)"
    )
    message = UNREADABLE[kind]
    if kind == "csv":  # say where the rows stop being a table
        try:
            where = csvfiles.malformed(path, csvfiles.detect(path, getattr(path, "encoding", None)))
        except csvfiles.CsvFileError:
            where = None
        if where:
            message, hint = (
                f"table illisible : {where}",
                "chaque ligne a autant de cellules que l'en-tête ; un guillemet ouvert se referme dans la même cellule",
            )
    return TableError([Diagnostic("population-illisible", message, file=path, suggestion=hint)])


def read_sheet(path: str, sheet: str | None) -> Table:
    """A sheet of an Excel workbook — the one named, or the first visible — as `interpreter.io.workbooks` reads it
    (measured first, each cell as Excel shows it), rows numbered as Excel shows them."""
    from interpreter.io import workbooks  # zip and XML: only for a workbook

    try:
        frame, header = workbooks.read_sheet(path, sheet)
    except workbooks.WorkbookProblem as problem:
        raise TableError([Diagnostic(problem.code, problem.message, file=path, suggestion=problem.hint)]) from None
    return Table(frame, "xlsx", header=header or tuple(frame.columns))


def _blank_rows_dropped(path: str, table: Table) -> Table:
    """Without the blank rows at the end; an error for blank rows among the others."""
    frame = table.frame
    if not frame.width or not frame.height:
        return table
    size = _rows_before_blank_end(path, table.kind, _blank(frame))
    return Table(frame.head(size), table.kind, table.typed, table.problems, table.header, table.path)


def _blank(frame: pl.DataFrame) -> np.ndarray:
    """The rows whose every cell is empty."""
    blank = np.zeros(frame.height, dtype=bool)
    if not frame.width or not frame.height:
        return blank
    first = frame[frame.columns[0]].cast(pl.String)  # a blank row is blank in its first column: only those rows
    candidates = np.flatnonzero(
        (first.is_null() | (first.str.strip_chars(numbers.BLANKS) == ""))  # are looked at whole
        .fill_null(True)
        .to_numpy()
    )
    if len(candidates):
        rows = frame[candidates]
        empty = [
            pl.col(c).is_null() | (pl.col(c).cast(pl.String).str.strip_chars(numbers.BLANKS) == "")
            for c in rows.columns
        ]
        blank[candidates] = rows.select(pl.all_horizontal(empty)).to_series().fill_null(True).to_numpy()
    return blank


def _rows_before_blank_end(path: str, kind: str, blank: np.ndarray) -> int:
    """The rows before the blank ones at the end; raise `TableError` for blank rows among the others."""
    size = int(np.flatnonzero(~blank)[-1]) + 1 if (~blank).any() else 0
    middle = np.flatnonzero(blank[:size])
    if len(middle):  # each run of blank rows said once: a stray cell far below is one error, not a million
        runs = np.split(middle, np.flatnonzero(np.diff(middle) != 1) + 1)
        raise TableError(
            [
                _blank_line(path, where(kind, int(run[0])), where(kind, int(run[-1])) if len(run) > 1 else None)
                for run in runs
            ]
        )
    return size


def _blank_line(path: str, line: str, last: str | None = None) -> Diagnostic:
    if last is None:
        return Diagnostic(
            "population-illisible",
            f"{line} vide au milieu des structures",
            file=path,
            suggestion="supprimez-la : seules les lignes vides en fin de fichier sont ignorées",
        )
    word, first = line.split(" ", 1)
    return Diagnostic(
        "population-illisible",
        f"{word}s {first} à {last.split(' ', 1)[1]} vides au milieu des structures",
        file=path,
        suggestion="supprimez-les, ou ce qui est écrit en dessous s'il est là "
        "par erreur : seules les lignes vides en fin de fichier sont ignorées",
    )


def _read_json_lines(path: str, numeric: frozenset[str]) -> Table:
    try:
        frame, typed, problems = read_json_lines(path, numeric)
    except JsonLinesError as error:
        found, blank = [], [line for line, problem in error.lines if problem is None]
        if blank:  # each run of blank lines said once
            runs = np.split(np.array(blank), np.flatnonzero(np.diff(blank) != 1) + 1)
            found = [_blank_line(path, f"ligne {run[0]}", f"ligne {run[-1]}" if len(run) > 1 else None) for run in runs]
        raise TableError(
            found
            + [
                Diagnostic(
                    "population-illisible",
                    f"ligne {line} : {french_json(problem)}",
                    file=path,
                    suggestion='chaque ligne est un objet JSON : {"id": "msp_a", "patientele": 4000, …}',
                )
                for line, problem in error.lines
                if problem is not None
            ]
        ) from None
    except Exception:  # polars raises many kinds: not UTF-8, not lines
        raise _unreadable(path, "jsonl") from None
    return Table(frame, "jsonl", typed, problems)


def numeric_donnees(model: Model) -> frozenset[str]:
    """The données whose columns hold numbers (a JSON Lines reader needs to know them)."""
    return frozenset(id for id, d in model.donnees.items() if d.type.kind in NUMERIC)


def read_population(
    source: str | pl.DataFrame | Table,
    model: Model,
    other_columns=frozenset(),
    keep_invalid: bool = False,
    supplied=frozenset(),
    required=frozenset(),
    origin: str | None = None,
    keep=frozenset(),
) -> Population:
    """Read (a file) and validate a population (a file, or a DataFrame already in memory, checked
    like a Parquet table); raise `TableError` (every problem listed) unless `keep_invalid`.

    `source` may also be a `Table` already read, named by `origin`. Only the données' columns and
    those in `keep` (a `--par` column) are read from a file, and only those in `keep` are kept in
    `Population.frame` (with `id`); a CSV or Parquet file is read and validated a batch of rows at a time, so
    that its text is never held whole beside the exact values.
    `supplied` données are computed by scenarios: a column for them is optional, unless it is
    `required` (a scenario line reads it before supplying it); `other_columns` are expected too
    (the données of the other version, in a diff)."""
    numeric = numeric_donnees(model)
    if isinstance(source, Table):  # a file already read (for two versions of a diff, say): `origin` names it
        path, table = origin or "<table>", source
    elif isinstance(source, pl.DataFrame):
        path, table = "<DataFrame>", Table(source, "parquet")
    else:
        path, table = source, read_table(source, numeric, frozenset(model.donnees) | frozenset(keep), stream=True)
    try:
        warnings = check_columns(path, table, model, other_columns, frozenset(supplied) - frozenset(required))
    except TableError:
        if table.stream is not None:  # a file that is no CSV at all says so first, as when read whole
            for _ in table.batches():
                pass
        raise
    header = table.header or tuple(table.frame.columns)
    file = source if isinstance(source, str) else table.path or origin if isinstance(source, Table) else None
    held = None if file else table.frame  # a table in memory is the caller's anyway

    def every_column() -> pl.DataFrame:
        if file:
            return read_table(file, numeric).frame
        assert held is not None  # no file: the table is in memory
        return held

    # Each batch's columns are read to exact values, then its text is let go.
    id_parts, kept_parts, blank_parts, bad = [], [], [], []
    parts: dict[str, list] = {id: [] for id in model.donnees if id in table.frame.columns}
    took: dict[str, list] = {id: [] for id in parts if model.donnees[id].default is not None}  # rows given the default
    height = 0
    for batch in table.batches():
        batch = batch.drop(
            [
                c
                for c in batch.columns
                if c not in model.donnees and c != "id" and c not in keep and unsupported(batch[c].dtype)
            ]
        )
        if table.stream is not None and table.kind == "csv":
            blank_parts.append(_blank(batch))
        id_parts.append(batch["id"].cast(pl.String))
        kept_parts.append(batch.select([c for c in batch.columns if c == "id" or c in keep]))  # what `--par` reads
        for id in parts:
            typed = table.typed.get(id)
            series = batch[id]
            batch = batch.drop(id)
            value, found = read_column(series, model.donnees[id], None if typed is None else typed[height:])
            if id in took:  # an empty cell takes the default: it is no problem
                empty = blank_cells(series)
                value, found = filled(value, model.donnees[id], empty), [f for f in found if not empty[f[0]]]
                took[id].append(empty)
            del series
            parts[id].append(value)
            bad += [(height + row, id, message, code, hint) for row, message, code, hint in found]
        height += batch.height
        del batch
    columns = {id: _joined(parts.pop(id)) for id in list(parts)}  # each column's batches let go once joined
    ids = pl.concat(id_parts) if len(id_parts) != 1 else id_parts[0]
    frame = pl.concat(kept_parts) if len(kept_parts) != 1 else kept_parts[0]
    if table.stream is not None and table.kind == "csv":  # blank rows at the end of a CSV file are no rows
        size = _rows_before_blank_end(
            path, table.kind, np.concatenate(blank_parts) if blank_parts else np.zeros(0, dtype=bool)
        )
        if size < height:
            height, ids, frame = size, ids.head(size), frame.head(size)
            columns = {id: value[:size] for id, value in columns.items()}
            bad = [problem for problem in bad if problem[0] < size]
    taken = {
        id: np.concatenate(masks)[:height] if masks else np.zeros(height, dtype=bool) for id, masks in took.items()
    }
    for id, donnee in model.donnees.items():  # no column: every structure takes the default
        if id not in columns and id not in frozenset(supplied) - frozenset(required) and donnee.default is not None:
            columns[id], taken[id] = constant_column(donnee, height), np.ones(height, dtype=bool)
    problems: list[RowProblem] = []
    invalid = np.zeros(height, dtype=bool)
    id_values = ids.fill_null("").to_numpy()
    missing_id = (ids.str.strip_chars(numbers.BLANKS) == "").fill_null(True).to_numpy()
    duplicated = np.zeros(height, dtype=bool)
    if ids.hash().n_unique() < height:  # distinct hashes are distinct ids: only else is a mask worth building
        duplicated = ids.is_duplicated().to_numpy() & ~missing_id
    del ids
    for row in np.flatnonzero(missing_id):
        problems.append(RowProblem(int(row), f"rangée {row + 1}", None, "identifiant « id » vide"))
    for row in np.flatnonzero(duplicated):
        problems.append(RowProblem(int(row), id_values[row], None, "identifiant « id » en double"))
    for row, message in table.problems.items():
        problems.append(RowProblem(row, id_values[row] or f"rangée {row + 1}", None, message))
        invalid[row] = True
    invalid |= missing_id | duplicated
    del table
    for row, id, message, code, hint in bad:
        problems.append(RowProblem(row, id_values[row] or f"rangée {row + 1}", id, message, code, hint))
        invalid[row] = True
    problems.sort(key=lambda p: (p.row, p.donnee or ""))
    if problems and not keep_invalid:
        raise TableError(row_diagnostics(path, problems, height))
    defaults = {id: count for id in model.donnees if id in taken and (count := int((taken[id] & ~invalid).sum()))}
    if not invalid.any():  # the usual case: nothing to filter, nothing copied
        return Population(
            path,
            frame,
            id_values,
            columns,
            _wide(columns, height),
            tuple(problems),
            frame.clear(),
            tuple(warnings),
            header,
            every_column,
            defaults,
        )
    valid = ~invalid
    columns = {k: v[valid] for k, v in columns.items()}
    return Population(
        path,
        frame.filter(pl.Series(valid)),
        id_values[valid],
        columns,
        _wide(columns, int(valid.sum())),
        tuple(problems),
        every_column().filter(pl.Series(invalid)),
        tuple(warnings),
        header,
        lambda: every_column().filter(pl.Series(valid)),
        defaults,
    )


def _joined(values: list):
    """One column from its batches' values (numbers over the largest of their denominators)."""
    if len(values) == 1:
        return values[0]
    if isinstance(values[0], Scaled):
        return Scaled.joined(values)
    return np.concatenate(values)


def _wide(columns: dict, size: int) -> np.ndarray:
    """Rows with a numerator that does not fit int64."""
    aside = np.zeros(size, dtype=bool)
    for value in columns.values():
        if isinstance(value, Scaled) and value.num.dtype == object:
            aside |= np.array([not -INT64 <= v < INT64 for v in value.num], dtype=bool)
    return aside


def unsupported(dtype) -> str | None:
    """What a column of this type holds when it is not one value per structure (« des listes »…), else None."""
    return next((what for base, what in UNSUPPORTED.items() if dtype == base or isinstance(dtype, base)), None)


def check_columns(path: str, table: Table, model: Model, other_columns, supplied=frozenset()) -> list[Diagnostic]:
    """Errors for a missing `id` or donnée column (unless a scenario supplies it), a column named twice,
    a column of lists or structs. Unknown columns are ignored, with a warning — an error when one is
    close to a missing donnée's name: it is then probably a misspelling."""
    frame = table.frame
    header = list(table.header) or frame.columns
    absent = [id for id in model.donnees if id not in header and id not in supplied]
    missing = [id for id in absent if model.donnees[id].default is None]
    unknown = [c for c in dict.fromkeys(header) if c != "id" and c not in model.donnees and c not in other_columns]
    misspelt = {c: hint for c in unknown if (hint := suggest(c, absent))}  # a default would hide a misspelling
    ignored = [c for c in unknown if c not in misspelt]
    problems = []
    if "id" not in header:
        problems.append(
            Diagnostic("population-colonnes", "colonne « id » absente : elle nomme chaque structure", file=path)
        )
    for name in dict.fromkeys(header):
        positions = [str(i + 1) for i, c in enumerate(header) if c == name]
        if len(positions) > 1:
            problems.append(
                Diagnostic(
                    "population-colonnes",
                    f"colonne « {name} » en double (colonnes {', '.join(positions[:-1])} et {positions[-1]})",
                    file=path,
                    suggestion="gardez une seule colonne de ce nom",
                )
            )
    for name in ["id", *model.donnees]:
        what = unsupported(frame[name].dtype) if name in frame.columns else None
        if what:
            problems.append(
                Diagnostic(
                    "population-colonnes",
                    f"colonne « {name} » : elle contient {what} "
                    f"(type {frame[name].dtype}), pas une valeur par structure",
                    file=path,
                    suggestion="une colonne donne une seule valeur (nombre, texte, booléen ou date) par structure",
                )
            )
    for column, hint in misspelt.items():
        problems.append(
            Diagnostic(
                "population-colonnes",
                f"colonne inconnue « {column} » : ce n'est pas une donnée de la convention",
                file=path,
                suggestion=hint,
            )
        )
    if ignored:
        listed = ", ".join(f"« {c} »" for c in ignored)
        what = (
            "colonnes ignorées : ce ne sont pas des données"
            if len(ignored) > 1
            else "colonne ignorée : ce n'est pas une donnée"
        )
        problems.append(
            Diagnostic("population-colonne-ignoree", f"{len(ignored)} {what} de la convention : {listed}", file=path)
        )
    version = f"la version « {model.version} » de « {model.id} »" if model.version else f"« {model.id} »"
    for id in missing:
        problems.append(
            Diagnostic(
                "donnee-non-fournie",
                f"colonne manquante « {id} » ({model.donnees[id].label or id}) : {version} en a besoin",
                file=path,
                suggestion=f"ajoutez la colonne, ou donnez sa valeur dans un scénario : données {{ {id} = … }} (--scenario)",
            )
        )
    if any(d.is_error for d in problems):
        raise TableError(problems)
    return problems


def row_diagnostics(path: str, problems, rows: int) -> list[Diagnostic]:
    """One diagnostic per invalid value, naming the structure, the donnée and the row (line of a CSV or JSON Lines)."""
    kind = READERS.get(Path(path).suffix.lower(), "parquet")
    result = []
    for p in problems:
        donnee = f", donnée « {p.donnee} »" if p.donnee else ""
        result.append(
            Diagnostic(
                p.code,
                f"structure « {p.structure} »{donnee} ({where(kind, p.row)}) : {p.message}",
                file=path,
                suggestion=p.hint,
            )
        )
    return result
