"""JSON Lines populations: one JSON object per line, read exactly, fast where it is safe.

polars reads the lines (multi-threaded); it is not trusted where it would be wrong: it keeps
the first of two equal keys, reads a number of more than 15 significant digits as a rounded
float, fails on integers beyond 128 bits or exponents beyond a float, and skips blank lines
(row numbers would no longer be line numbers). Cheap vectorised checks on the raw lines
(literal searches, mostly) flag every line where that can happen, and those lines, only
those, are read by Python's `json` with numbers kept as written (`NumberToken`):

- before polars: a line with a list, a nested object, a backslash, a `null`, a number written
  with an exponent or with 8 digits or more on one side of its point (any number of 16
  significant digits or more has such a side);
- after polars: a line whose count of `:` differs from its count of values. A key written
  twice makes a line have more keys than distinct values (polars keeps one), and a line
  without `null` has exactly one value per distinct key, so the counts differ; a `:` inside a
  string only adds false alarms, read exactly by `json`.

Columns keep polars' types (integers, floats, booleans, text) where no line needed `json`;
elsewhere they become text, with a mask of the cells that were JSON numbers or literals
(*typed*: a JSON number follows JSON's syntax, where the point is decimal, not a person's
writing). Nested values come out as compact JSON text, reported as wrong where a value is
expected. Blank lines at the end are ignored; a blank line elsewhere is an error naming it.
"""

from __future__ import annotations

import io
import json

import polars as pl

from dsl.errors import ConvcheckError
from interpreter.io.numbers import NumberToken
from interpreter.ondemand import np

LONG_NUMBER = r"[0-9]{8}\.|\.[0-9]{8}"  # 16 significant digits or more put 8 on one side of the point
BOM = b"\xef\xbb\xbf"


class Pairs(list):
    """A JSON object as the (key, value) pairs written, duplicates included."""


class JsonLinesError(ConvcheckError):
    """Lines that are not JSON objects, or blank lines among the rows: (line number, problem or None
    for a blank line) each; a problem is `json`'s message (English, translated by the caller)."""

    def __init__(self, lines: list[tuple[int, str | None]]):
        super().__init__(f"{len(lines)} line(s)")
        self.lines = lines


def read_json_lines(path: str, numeric: frozenset[str] = frozenset()):
    """(frame, {column: typed mask}, {row: problem}) for a JSON Lines file.

    `numeric` names the columns whose typed mask matters (numeric données). Raises
    `JsonLinesError` for unreadable or blank lines, `UnicodeDecodeError`-like polars errors for
    a file that is not UTF-8.
    """
    lines = _lines(path)
    blank = lines.str.contains(r"^[ \t\r]*$").fill_null(True).to_numpy()
    size = int(np.flatnonzero(~blank)[-1]) + 1 if (~blank).any() else 0
    if blank[:size].any():
        raise JsonLinesError([(int(row) + 1, None) for row in np.flatnonzero(blank[:size])])
    lines = lines[:size]  # polars' CSV reader has already taken `\r\n` apart
    checks = pl.DataFrame({"line": lines}).select(
        (
            pl.col("line").str.contains("[", literal=True)
            | pl.col("line").str.contains("\\", literal=True)
            | pl.col("line").str.contains("null", literal=True)
            | (pl.col("line").str.count_matches("{", literal=True) > 1)
            | pl.col("line").str.contains(r"[0-9][eE]")
            | pl.col("line").str.contains(LONG_NUMBER)
        ).alias("risky"),
        pl.col("line").str.count_matches(":", literal=True).alias("colons"),
    )
    flagged = checks["risky"].fill_null(True).to_numpy()
    frame = _polars_lines(path, lines, flagged)
    if frame is None:  # polars refused the lines it was given (mixed types…): Python reads them all
        flagged = np.ones(size, dtype=bool)
        frame = pl.DataFrame(height=size)
    elif frame.width:
        values = frame.select(pl.sum_horizontal(pl.all().is_not_null())).to_series().to_numpy()
        flagged |= checks["colons"].to_numpy() != values
    else:
        flagged |= checks["colons"].to_numpy() != 0
    return _merged(frame, lines, flagged, numeric)


def _lines(path: str) -> pl.Series:
    """The file's lines (blank ones as null or blanks), read by polars as a one-column CSV."""
    try:
        return pl.read_csv(
            path, has_header=False, separator="\x00", quote_char=None, infer_schema=False, new_columns=["line"]
        ).to_series()
    except pl.exceptions.NoDataError:
        return pl.Series("line", [], dtype=pl.String)


def _polars_lines(path: str, lines: pl.Series, flagged: np.ndarray) -> pl.DataFrame | None:
    """The lines polars can read exactly (the others as `{}`, so that rows stay lines)."""
    if flagged.all():
        return pl.DataFrame(height=len(lines))
    try:
        with open(path, "rb") as file:
            plain = file.read(3) != BOM
        if plain and not flagged.any():
            source = path
        else:
            safe = pl.select(pl.when(pl.Series(flagged)).then(pl.lit("{}")).otherwise(lines)).to_series()
            source = safe.str.join("\n").item().encode("utf-8")
    except OSError:
        return None
    for rows in (100, None):  # a type that changes after the first rows needs the whole file
        try:
            frame = pl.read_ndjson(
                io.BytesIO(source) if isinstance(source, bytes) else source, infer_schema_length=rows
            )
        except Exception:  # polars raises many kinds; Python will say which line is wrong
            continue
        return frame if frame.height == len(lines) else None
    return None


def _merged(frame: pl.DataFrame, lines: pl.Series, flagged: np.ndarray, numeric: frozenset[str]):
    """polars' columns, with the flagged lines read by `json` in their place."""
    size = len(lines)
    updates: dict[str, dict[int, tuple[str | None, bool]]] = {}
    problems: dict[int, str] = {}
    unreadable: list[tuple[int, str | None]] = []
    for flat in np.flatnonzero(flagged):
        row = int(flat)
        pairs, error = _object(lines[row])
        if error is not None:
            unreadable.append((row + 1, error))
            continue
        assert pairs is not None  # _object gives the pairs or an error
        seen = set()
        for key, value in pairs:
            if key in seen:
                problems[row] = f"clé « {key} » écrite deux fois sur la ligne"
            seen.add(key)
            updates.setdefault(key, {}).setdefault(row, _cell(value))
    if unreadable:
        raise JsonLinesError(unreadable)
    columns, typed = {}, {}
    for name in [*frame.columns, *(key for key in updates if key not in frame.columns)]:
        series = frame[name] if name in frame.columns else pl.Series(name, [None] * size, dtype=pl.String)
        cells = updates.get(name, {})
        if series.dtype == pl.String and name in numeric:
            series, mask = _tokens(series, lines, flagged, name)
        elif cells:
            series, mask = _as_text(series)
        else:
            columns[name] = series
            continue
        if cells:
            rows = list(cells)
            mask = mask.copy()
            series = series.scatter(rows, [cells[row][0] for row in rows])
            mask[rows] = [cells[row][1] for row in rows]
        columns[name], typed[name] = series.alias(name), mask
    return pl.DataFrame(height=size).with_columns(**columns), typed, problems


def _tokens(series: pl.Series, lines: pl.Series, flagged: np.ndarray, name: str):
    """A text column of a numeric donnée: its JSON numbers as written (polars wrote them as text)."""
    pattern = rf'[{{,][ \t\r]*"{_escaped(name)}"[ \t\r]*:[ \t\r]*(-?[0-9][0-9.eE+-]*)'
    token = pl.select(pl.when(pl.Series(flagged)).then(None).otherwise(lines.str.extract(pattern, 1))).to_series()
    typed = token.is_not_null().to_numpy()
    return pl.select(pl.when(token.is_not_null()).then(token).otherwise(series)).to_series(), typed


def _as_text(series: pl.Series):
    """A column as text, and the cells that were JSON numbers or literals."""
    if series.dtype == pl.String:
        return series, np.zeros(len(series), dtype=bool)
    if series.dtype == pl.Boolean:
        text = pl.select(pl.when(series).then(pl.lit("true")).otherwise(pl.lit("false"))).to_series()
    else:
        text = series.cast(pl.String)
    return text, series.is_not_null().to_numpy()


def _escaped(name: str) -> str:
    """A key as a regular expression matching its JSON spelling without escapes."""
    return "".join(f"\\{c}" if c in r".^$*+?()[]{}|\-" else c for c in name)


def _object(line: str) -> tuple[Pairs | None, str | None]:
    try:
        value = json.loads(
            line.lstrip("\ufeff"),
            object_pairs_hook=Pairs,
            parse_float=NumberToken,
            parse_int=NumberToken,
            parse_constant=NumberToken,
        )
    except json.JSONDecodeError as error:
        return None, error.msg
    except RecursionError:
        return None, "too deeply nested"
    if not isinstance(value, Pairs):
        return None, "not an object"
    return value, None


def _cell(value) -> tuple[str | None, bool]:
    """A JSON value as (text, typed)."""
    if value is None:
        return None, False
    if isinstance(value, str) and not isinstance(value, NumberToken):
        return value, False
    return _compact(value), True


def _compact(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, NumberToken):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Pairs):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_compact(v)}" for k, v in value) + "}"
    return "[" + ", ".join(_compact(v) for v in value) + "]"
