"""JSON Lines populations: one JSON object per line, read exactly, fast where it is safe.

polars reads most lines (multi-threaded); it is not trusted where it would be wrong: it keeps
the first of two equal keys, turns numbers of more than 15 significant digits into floats,
fails on integers beyond 128 bits or on exponents beyond a float, and skips blank lines (so
that row numbers would no longer be line numbers). A vectorised scan of the raw lines flags
every line where that can happen — a key written twice or with an escape, a number of 16
digits or more or with an exponent, a nested list or object — and those lines, only those,
are read by Python's `json` module with numbers kept as written (`NumberToken`).

Every cell comes out as text: strings as decoded, numbers as written (a JSON number is then
marked *typed*: it follows JSON's syntax, where the point is decimal, not a person's writing),
`true`/`false` as words, nested values as compact JSON (reported as wrong where a value is
expected). Blank lines at the end are ignored; a blank line elsewhere is an error naming it.
"""

from __future__ import annotations

import io
import json

import numpy as np
import polars as pl

from interpreter.io.numbers import NumberToken

BLANK = " \t\r"
KEY = r'[{,][ \t\r]*"(?:[^"\\]|\\.)*"[ \t\r]*:'
RISKY = r"[0-9][0-9.]{15}|[0-9][eE]|\[|\{.*\{"


class Pairs(list):
    """A JSON object as the (key, value) pairs written, duplicates included."""


class JsonLinesError(Exception):
    """Lines that are not JSON objects, or blank lines among the rows: (line number, problem or None
    for a blank line) each; a problem is `json`'s message (English, translated by the caller)."""

    def __init__(self, lines: list[tuple[int, str]]):
        super().__init__(f"{len(lines)} line(s)")
        self.lines = lines


def read_json_lines(text: str, numeric: frozenset[str] = frozenset()):
    """(frame of text cells, {column: typed mask}, {row: problem}) for a JSON Lines text.

    `numeric` names the columns whose typed mask is needed (numeric données): elsewhere the
    mask is only given for lines read by Python. Raises `JsonLinesError` for unreadable lines.
    """
    lines = pl.Series("line", text.split("\n"), dtype=pl.String).str.strip_chars_end("\r")
    blank = (lines.str.strip_chars(BLANK) == "").to_numpy()
    size = int(np.flatnonzero(~blank)[-1]) + 1 if (~blank).any() else 0
    if blank[:size].any():
        raise JsonLinesError([(int(row) + 1, None) for row in np.flatnonzero(blank[:size])])
    lines = lines[:size]
    keys = lines.str.extract_all(KEY).list.eval(pl.element().str.replace_all(r'^[{,][ \t\r]*|[ \t\r]*:$', ""))
    flagged = (lines.str.contains(RISKY) | (keys.list.len() != keys.list.n_unique())
               | keys.list.eval(pl.element().str.contains("\\", literal=True)).list.any()).fill_null(True).to_numpy()
    frame = _polars_lines(lines, flagged)
    if frame is None:  # polars refused the lines it was given (mixed types…): Python reads them all
        flagged = np.ones(size, dtype=bool)
        frame = pl.DataFrame(height=size)
    columns, typed = {}, {}
    for name in frame.columns:
        columns[name], typed[name] = _text_column(frame[name], lines, flagged, name, name in numeric)
    problems = _python_lines(lines, flagged, columns, typed, size)
    return pl.DataFrame(height=size).with_columns(**columns), typed, problems


def _polars_lines(lines: pl.Series, flagged: np.ndarray) -> pl.DataFrame | None:
    """The lines polars can read exactly (the others as `{}`, so that rows stay lines)."""
    if flagged.all():
        return pl.DataFrame(height=len(lines))
    safe = pl.select(pl.when(pl.Series(flagged)).then(pl.lit("{}")).otherwise(lines)).to_series()
    try:
        return pl.read_ndjson(io.BytesIO("\n".join(safe.to_list()).encode("utf-8")), infer_schema_length=None)
    except Exception:  # polars raises many kinds; Python will say which line is wrong
        return None


def _text_column(series: pl.Series, lines: pl.Series, flagged: np.ndarray, name: str, numeric: bool):
    """A column as text, and where its cells were JSON numbers or literals rather than strings."""
    if series.dtype == pl.String:
        typed = np.zeros(len(series), dtype=bool)
        if numeric:  # a mixed column: polars wrote its numbers as text; take them as written
            pattern = rf'[{{,][ \t\r]*"{_escaped(name)}"[ \t\r]*:[ \t\r]*(-?[0-9][0-9.eE+-]*)'
            token = pl.select(pl.when(pl.Series(flagged)).then(None).otherwise(lines.str.extract(pattern, 1))).to_series()
            typed = token.is_not_null().to_numpy()
            series = pl.select(pl.when(token.is_not_null()).then(token).otherwise(series)).to_series()
        return series.alias(name), typed
    if series.dtype == pl.Boolean:
        text = pl.select(pl.when(series).then(pl.lit("true")).otherwise(pl.lit("false"))).to_series()
    else:
        text = series.cast(pl.String)
    return text.alias(name), series.is_not_null().to_numpy()


def _escaped(name: str) -> str:
    """A key as a regular expression matching its JSON spelling without escapes."""
    return "".join(f"\\{c}" if c in r".^$*+?()[]{}|\-" else c for c in name)


def _python_lines(lines: pl.Series, flagged: np.ndarray, columns: dict, typed: dict, size: int) -> dict[int, str]:
    """Read the flagged lines with `json`, into the columns; duplicate keys become row problems."""
    rows = np.flatnonzero(flagged)
    if not len(rows):
        return {}
    updates: dict[str, dict[int, tuple[str | None, bool]]] = {}
    problems: dict[int, str] = {}
    unreadable = []
    for row in rows:
        row = int(row)
        pairs, error = _object(lines[row])
        if error is not None:
            unreadable.append((row + 1, error))
            continue
        seen = set()
        for key, value in pairs:
            if key in seen:
                problems[row] = f"clé « {key} » écrite deux fois sur la ligne"
            seen.add(key)
            updates.setdefault(key, {}).setdefault(row, _cell(value))
    if unreadable:
        raise JsonLinesError(unreadable)
    for key, cells in updates.items():
        if key not in columns:
            columns[key] = pl.Series(key, [None] * size, dtype=pl.String)
            typed[key] = np.zeros(size, dtype=bool)
        indices = list(cells)
        columns[key] = columns[key].scatter(indices, [cells[i][0] for i in indices])
        typed[key] = typed[key].copy()
        typed[key][indices] = [cells[i][1] for i in indices]
    return problems


def _object(line: str) -> tuple[Pairs | None, str | None]:
    try:
        value = json.loads(line, object_pairs_hook=Pairs, parse_float=NumberToken, parse_int=NumberToken,
                           parse_constant=NumberToken)
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
