"""`--moteur duckdb`: a version's SQL query (`interpreter.backends.sql`) run in embedded DuckDB, on the file.

DuckDB reads the population file itself (`read_parquet`, `read_csv`), and what it reads is used
only where it is certainly what convcheck's readers read (`interpreter.io.tables`):

- A Parquet file is read by DuckDB alone. Its columns are checked by convcheck's reader (on the
  file's schema: the same diagnostics for a missing, unknown or unusable column), and every cell
  is certified in SQL: a number written plainly (`11.5`, a Parquet integer or decimal, a float as
  its shortest text), within the bounds and the donnée's range; a booléen, a date, a choix among
  its values; an id present and never repeated. When every row is certified, convcheck's reader
  never reads the rows.
- A CSV file (whose quoting and blank lines only convcheck's reader decides) and JSON Lines are
  read and validated by convcheck's reader first; DuckDB then computes on the CSV file itself,
  each cell certified equal to the value the reader read.
- Anything else — a row DuckDB cannot certify (`1 234,5`, `7 €`, a float written with an
  exponent…), an invalid row, a structure whose evaluation is impossible — and convcheck's reader
  decides: its diagnostics, its rejects, and its exact values, handed to DuckDB as a temporary
  Parquet file of plain decimals. Structures whose evaluation is impossible (a division by zero
  reached) are evaluated by the scalar backend, which says why, as in the default engine.

The results (`PopulationResult`) are those of the default engine, cent for cent; a results file
in CSV is written by DuckDB itself (`COPY`), in the default engine's format, byte for byte.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from sqlglot import exp

from dsl.errors import ConvcheckError
from dsl.limits import LIMIT, MAX_DECIMALS
from dsl.records import define
from interpreter.backends import sqlarith as a
from interpreter.backends.results import PopulationResult, scalar_rows
from interpreter.backends.sql import Query, SqlProblem, compile_query
from interpreter.backends.sqlarith import column, identifier, text
from interpreter.io.csvfiles import FORMULA_START, SAFE_NUMBER, CsvFileError, detect
from interpreter.io.number_columns import Scaled
from interpreter.io.tables import Population, Table
from interpreter.io.words import FALSE_WORDS, TRUE_WORDS
from interpreter.io.writer import replacing_path

if TYPE_CHECKING:  # DuckDB is imported when a population is evaluated with it
    import duckdb
from interpreter.io.numbers import NUMERIC

INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
PLAIN_NUMBER = r"-?[0-9]{1,15}([.][0-9]{1,9})?"
AMBIGUOUS = r"-?[1-9][0-9]{0,2}[.][0-9]{3}"  # 4.000: refused by convcheck's reader as ambiguous
BLANKS = " \t\u00a0\u202f"


class NotCertified(ConvcheckError):
    """DuckDB's reading of the file cannot be certified: convcheck's reader is needed."""


# ---- reading the file in SQL, certified ---------------------------------------------------------------


def function(name: str, *args) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=[x if isinstance(x, exp.Expression) else exp.convert(x) for x in args])


def matches(value: exp.Expression, pattern: str) -> exp.Expression:
    return function("REGEXP_FULL_MATCH", value.copy(), text(pattern))


def within(value: exp.Expression, donnee, percent: bool, integer: bool = False) -> exp.Expression | None:
    """The donnée's range and the bounds of every input, on a number (a Parquet integer, a decimal)."""
    number = value.copy()
    factor = 100 if percent else 1
    numbers = a.Arithmetic("duckdb")
    checks = []
    if donnee.low is None or donnee.high is None or max(abs(donnee.low), abs(donnee.high)) * factor >= LIMIT:
        checks.append(a.binary(exp.LT, a.call("ABS", number), exp.Literal.number(LIMIT)))
    if donnee.low is not None:
        checks.append(a.binary(exp.GTE, number, numbers.literal(Fraction(donnee.low) * factor).sql))
    if donnee.high is not None:
        checks.append(a.binary(exp.LTE, number, numbers.literal(Fraction(donnee.high) * factor).sql))
    if donnee.type.kind == "entier" and not integer:
        checks.append(a.binary(exp.EQ, a.binary(exp.Mod, number, exp.Literal.number(1)), exp.Literal.number(0)))
    return a.and_(*checks)


def present(value: exp.Expression) -> exp.Expression:
    return exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))


def certified_number(donnee, raw: exp.Expression, file_type: str) -> tuple[exp.Expression, exp.Expression]:
    """A number as convcheck's reader reads it: a Parquet integer or decimal as it is; a float as the
    shortest decimal that gives it back — certified without text below 2^20, where a float is within half a
    billionth of at most one decimal of 9 places, and as its shortest text elsewhere; text written plainly."""
    percent = donnee.type.kind == "pourcentage"
    if file_type in INTEGERS:
        return raw, a.and_(present(raw), within(raw, donnee, percent, integer=True))
    if file_type.startswith("DECIMAL"):
        exact = a.binary(
            exp.EQ,
            a.binary(exp.Mod, a.binary(exp.Mul, raw, exp.Literal.number(10**MAX_DECIMALS)), exp.Literal.number(1)),
            exp.Literal.number(0),
        )
        return raw, a.and_(present(raw), exact, within(raw, donnee, percent))
    if file_type not in ("VARCHAR", "DOUBLE"):
        raise NotCertified(donnee.id)
    written = a.cast(raw, "VARCHAR")  # a DOUBLE as its shortest text, as convcheck's reader takes it
    plain = a.and_(matches(written, PLAIN_NUMBER), exp.Not(this=matches(written, AMBIGUOUS)))
    wide = a.decimal_type(15 + MAX_DECIMALS, MAX_DECIMALS)
    cases = [exp.If(this=plain, true=a.cast(written, wide))]
    if file_type == "DOUBLE":
        near = a.cast(raw, a.decimal_type(7 + MAX_DECIMALS, MAX_DECIMALS))
        fast = a.and_(
            a.binary(exp.LT, a.call("ABS", raw), exp.Literal.number(2**20)),
            a.binary(exp.EQ, a.cast(near, "DOUBLE"), raw),
        )
        cases.insert(0, exp.If(this=fast, true=a.cast(near, wide)))
    value = exp.Case(ifs=cases)
    return value, a.and_(present(value), within(value, donnee, percent))


def certified_cell(donnee, raw: exp.Expression, kind_in_file: str) -> tuple[exp.Expression, exp.Expression]:
    """(value the query reads, whether it is certainly convcheck's value) for one cell; raises NotCertified
    for a column type DuckDB's reading cannot be certified for."""
    kind = donnee.type.kind
    file_type = kind_in_file.upper()
    if kind in NUMERIC:
        return certified_number(donnee, raw, file_type)
    if kind == "booleen":
        if file_type == "BOOLEAN":
            return raw, present(raw)
        if file_type != "VARCHAR":
            raise NotCertified(donnee.id)
        word = function("LOWER", raw.copy())
        words = sorted(TRUE_WORDS | FALSE_WORDS)
        known = a.and_(matches(raw, "[A-Za-z]+"), exp.In(this=word, expressions=[text(w) for w in words]))
        return exp.In(this=word.copy(), expressions=[text(w) for w in sorted(TRUE_WORDS)]), known
    if kind == "date":
        if file_type == "DATE":
            return raw, present(raw)
        if file_type != "VARCHAR":
            raise NotCertified(donnee.id)
        date = exp.TryCast(this=raw.copy(), to=exp.DataType.build("DATE"))
        return date, a.and_(matches(raw, "[0-9]{4}-[0-9]{2}-[0-9]{2}"), present(date))
    if file_type != "VARCHAR":  # choix
        raise NotCertified(donnee.id)
    return raw, exp.In(this=raw.copy(), expressions=[text(c) for c in donnee.type.choices])


def certified_reading(model, inputs: tuple[str, ...], types: dict[str, str], source: exp.Expression) -> exp.Select:
    """The view the query reads: id, each donnée (NULL where not certified), and `certain`."""
    id_type = types["id"].upper()
    if id_type not in ("VARCHAR", *INTEGERS):
        raise NotCertified("id")
    name = a.cast(column("id"), "VARCHAR")
    named = a.and_(
        present(column("id")), exp.NEQ(this=function("TRIM", name.copy(), text(BLANKS)), expression=text(""))
    )
    columns = [name.as_(identifier("id"))]
    certain = [named]
    for id in inputs[1:]:
        # The value as DuckDB reads it, whether certified or not: a row with one uncertified cell is never used
        # (and a value the query cannot take makes DuckDB fail: convcheck's reader then reads the file).
        value, known = certified_cell(model.donnees[id], column(id), types[id])
        columns.append(value.as_(identifier(id)))
        certain.append(known)
    columns.append(exp.Coalesce(this=a.and_(*certain), expressions=[exp.false()]).as_(identifier("certain")))
    return exp.select(*columns).from_(source)


def _plain(path: str) -> bool:
    """A file DuckDB reads as convcheck does: Parquet, or CSV in UTF-8 with commas (a French CSV file is read
    by convcheck's reader, whose values DuckDB then computes on)."""
    if Path(path).suffix.lower() != ".csv":
        return True
    try:
        return detect(path, getattr(path, "encoding", None)).plain
    except CsvFileError:
        return False


def file_source(path: str) -> exp.Expression:
    """DuckDB's own reader of a CSV or Parquet file (a CSV read as text, with RFC 4180 quoting)."""
    literal = text(str(path))
    if Path(path).suffix.lower() == ".parquet":
        return exp.Table(this=function("READ_PARQUET", literal))
    options = [
        exp.EQ(this=exp.column(k), expression=v)
        for k, v in (
            ("header", exp.true()),
            ("all_varchar", exp.true()),
            ("delim", text(",")),
            ("quote", text('"')),
            ("escape", text('"')),
            ("strict_mode", exp.true()),
        )
    ]
    return exp.Table(this=exp.Anonymous(this="READ_CSV", expressions=[literal, *options]))


# ---- exact values, when the file cannot be certified ---------------------------------------------------------


def exact_file(table, model, inputs: tuple[str, ...], folder: str) -> tuple[str, dict[str, str]]:
    """The values convcheck's reader read, as a Parquet file of plain values: numbers as exact decimal
    text, booléens, dates, choix; and the column types DuckDB will see."""
    columns: dict[str, pl.Series] = {"id": pl.Series(np.asarray(table.ids, dtype=object).astype(str), dtype=pl.String)}
    for id in inputs[1:]:
        donnee = model.donnees[id]
        value = table.columns[id]
        kind = donnee.type.kind
        if kind in NUMERIC:
            columns[id] = decimal_texts(value, kind == "pourcentage")
        elif kind == "booleen":
            columns[id] = pl.Series(np.asarray(value, dtype=bool))
        elif kind == "date":
            columns[id] = pl.Series(np.asarray(value, dtype=np.int32)).cast(pl.Date)
        else:
            columns[id] = pl.Series(
                np.asarray(donnee.type.choices, dtype=object)[np.asarray(value, dtype=np.int64)].astype(str),
                dtype=pl.String,
            )
    path = os.path.join(folder, "exact.parquet")
    pl.DataFrame(columns).write_parquet(path)
    kinds = {"booleen": "BOOLEAN", "date": "DATE"}
    return path, {"id": "VARCHAR"} | {id: kinds.get(model.donnees[id].type.kind, "VARCHAR") for id in inputs[1:]}


def decimal_texts(value: Scaled, percent: bool) -> pl.Series:
    """A numeric column as exact decimal text, in the unit of the file (a pourcentage in percent)."""
    den = value.den // (100 if percent else 1)
    scale = len(str(den)) - 1
    num = value.num
    if num.dtype != object:
        frame = pl.DataFrame({"n": num})
        magnitude = pl.col("n").abs()
        whole = (magnitude // den).cast(pl.String)
        part = (magnitude % den).cast(pl.String).str.zfill(scale) if scale else pl.lit("")
        sign = pl.when(pl.col("n") < 0).then(pl.lit("-")).otherwise(pl.lit(""))
        return frame.select(sign + whole + (pl.lit(".") + part if scale else pl.lit(""))).to_series()
    texts = []
    for n in num.tolist():
        units, rest = divmod(abs(int(n)), den)
        texts.append(("-" if n < 0 else "") + str(units) + (f".{str(rest).zfill(scale)}" if scale else ""))
    return pl.Series(texts, dtype=pl.String)


# ---- running the query -----------------------------------------------------------------------------------


@define
class Run:
    """One population evaluated in DuckDB: the connection holding the results, and how they are ordered.
    Its connection is closed and its temporary folder removed when it is no longer used."""

    connection: duckdb.DuckDBPyConnection
    query: Query
    in_order: bool  # the results table holds exactly the population's rows, in order
    folder: str

    def __attrs_post_init__(self):
        weakref.finalize(self, release, self.connection, self.folder)

    def write_csv(self, path: str, inputs=()) -> bool:
        """Write the results file as the default engine writes it (`interpreter.io.resultsfile.write_results`),
        with DuckDB; False when the rows are not ready to be written as they stand."""
        if not self.in_order:
            return False
        risky = (
            f"regexp_matches(id, {text(FORMULA_START).sql('duckdb')}) AND NOT regexp_matches(id, "
            f"{text(SAFE_NUMBER).sql('duckdb')})"
        )
        found = self.connection.execute(f"SELECT count(*) FROM resultats WHERE {risky}").fetchone()
        if found is None or found[0]:
            return False  # ids that a spreadsheet would run as formulas: neutralised by the default writer
        columns = [
            column("id"),
            column("eligible"),
            column("total"),
            points(column("total_points")).as_(identifier("total_points")),
            *map(column, self.query.lines),
        ]
        select = exp.select(*columns).from_("resultats")
        with replacing_path(path, inputs) as temporary:
            copy = exp.Copy(
                this=exp.Subquery(this=select),
                kind=False,
                files=[text(temporary)],
                params=[
                    exp.CopyParameter(this=exp.var("HEADER")),
                    exp.CopyParameter(this=exp.var("DELIMITER"), expression=text(",")),
                ],
            )
            try:
                self.connection.execute(copy.sql("duckdb"))
            except Exception as error:  # DuckDB's own IO error: the disk, the folder…
                raise OSError(getattr(error, "errno", 5), str(error)) from None
        return True


def release(connection, folder: str) -> None:
    connection.close()
    shutil.rmtree(folder, ignore_errors=True)


def points(value: exp.Expression) -> exp.Expression:
    """Points (a DECIMAL with 6 decimals) as plain decimal text, as the results files write them: 3900, 916.575."""
    written = a.cast(value, "VARCHAR")
    return function("RTRIM", function("RTRIM", written, text("0")), text("."))


def results_select(query: Query) -> exp.Select:
    """The query's results as kept in DuckDB (a table `resultats`)."""
    columns = [
        column("id"),
        exp.Coalesce(this=column("eligible"), expressions=[exp.false()]).as_(identifier("eligible")),
    ]
    columns += [column(name) for name in (*query.lines, "total", "total_points", "erreur", "certain")]
    return exp.select(*columns).from_(query.tree.subquery("requete"))


def integers_select(query: Query) -> exp.Select:
    """The results as integers (cents, millionths of a point), zero where the row failed."""

    def guarded(name: str, factor: int) -> exp.Expr:
        wide = a.cast(column(name), f"DECIMAL(38, {len(str(factor)) - 1})")  # DuckDB keeps a narrow product in
        scaled = a.cast(
            a.binary(exp.Mul, wide, exp.Literal.number(factor)), "BIGINT"
        )  # 18 digits: 10^17 cents overflow
        return a.case(exp.Is(this=column("erreur"), expression=exp.Null()), scaled, exp.Literal.number(0)).as_(
            identifier(name)
        )

    columns = [
        column("id"),
        column("eligible"),
        *(guarded(line, 100) for line in query.lines),
        guarded("total", 100),
        guarded("total_points", 1_000_000),
        column("erreur"),
        column("certain"),
    ]
    return exp.select(*columns).from_("resultats")


def column_scales(model, table) -> dict[str, int]:
    """The decimals of each numeric column as convcheck's reader read it (fewer digits for DuckDB to carry)."""
    scales = {}
    for id, value in table.columns.items() if table is not None else ():
        if isinstance(value, Scaled):
            den = value.den // (100 if model.donnees[id].type.kind == "pourcentage" else 1)
            scales[id] = len(str(den)) - 1
    return scales


def run_query(program, supplied, reading: exp.Select, scales: dict[str, int], folder: str, absent=frozenset()):
    """Run the query over a reading of the population; (connection, query, results as numpy arrays).
    `absent`: données with a default that the reading has no column for. Raises `NotCertified` when DuckDB
    cannot run it on what it read (a value out of its type…)."""
    import duckdb  # heavy: imported when a population is evaluated with it

    query = compile_query(
        program,
        "duckdb",
        table="lecture",
        supplied=supplied,
        checks=False,
        scales=scales,
        extra=("certain",),
        absent=absent,
    )
    connection = duckdb.connect()
    try:
        connection.execute(f"SET temp_directory = {text(folder).sql('duckdb')}")
        connection.execute(
            exp.Create(this=exp.Table(this=identifier("lecture")), kind="VIEW", expression=reading).sql("duckdb")
        )
        connection.execute(
            exp.Create(
                this=exp.Table(this=identifier("resultats")), kind="TABLE", expression=results_select(query)
            ).sql("duckdb")
        )
        return connection, query, connection.sql(integers_select(query).sql("duckdb")).fetchnumpy()
    except duckdb.Error:
        connection.close()
        raise NotCertified("duckdb") from None


def population_result(
    program, query: Query, fetched: dict, order: np.ndarray | None, ids: np.ndarray, exact_inputs
) -> PopulationResult:
    """The results in the population's order; rows that failed are evaluated by the scalar backend, which
    says why (as the default engine does)."""

    def column_of(name, dtype=np.int64):
        values = np.ma.getdata(fetched[name])
        values = values if order is None else values[order]
        return np.asarray(values, dtype=dtype)  # no copy: the arrays are DuckDB's, fetched for us

    lines = {line: column_of(line) for line in query.lines}
    eligible = column_of("eligible", bool)
    total, micro = column_of("total"), column_of("total_points")
    failed = np.ma.getmaskarray(fetched["erreur"])
    failed = ~(failed if order is None else failed[order])
    return scalar_rows(
        program, PopulationResult(ids, eligible, lines, total, micro, 0, ()), np.flatnonzero(failed), exact_inputs
    )


def alignment(found: np.ndarray, wanted: np.ndarray) -> np.ndarray | None:
    """Where each wanted id is among the ids found (None: one is missing or repeated)."""
    if len(found) == len(wanted) and np.array_equal(found, wanted):
        return np.arange(len(wanted))
    frame = pl.DataFrame({"id": pl.Series(found.astype(str)), "rang": np.arange(len(found))})
    frame = frame.filter(pl.col("id").is_duplicated().not_())
    joined = pl.DataFrame({"id": pl.Series(np.asarray(wanted).astype(str))}).join(
        frame, on="id", how="left", maintain_order="left"
    )
    if joined["rang"].null_count():
        return None
    return joined["rang"].to_numpy()


# ---- a population -------------------------------------------------------------------------------------------


def simulate(convention, population, keep_invalid: bool = False, other_columns=frozenset()):
    """Evaluate a population (a file, or a table convcheck's reader already read) with DuckDB:
    (the population, its results, the `Run` holding them). Raises `SqlProblem` when the query cannot be
    exact (the caller then uses the default engine) and `api.ConvError` for invalid inputs."""
    model, program = convention.model, convention.program
    folder = tempfile.mkdtemp(prefix="convcheck-duckdb-")
    try:
        path = str(population) if isinstance(population, (str, Path)) else getattr(population, "path", None)
        if isinstance(population, (str, Path)) and Path(population).suffix.lower() == ".parquet":
            found = parquet_alone(convention, str(population), other_columns, folder)
            if found is not None:
                return found
        table = (
            population
            if isinstance(population, Population)
            else convention.population(population, keep_invalid, other_columns)
        )
        inputs = ("id", *(id for id in model.donnees if id not in convention.supplied))
        absent = defaulted_absent(model, inputs, table.header or tuple(table.frame.columns))
        scales = column_scales(model, table)
        exact = table.exact_inputs(model)
        if path and Path(path).suffix.lower() in (".csv", ".parquet") and os.path.isfile(path) and _plain(path):
            try:
                read = tuple(id for id in inputs if id not in absent)
                connection, query, fetched = run_query(
                    program, convention.supplied, file_reading(model, read, path), scales, folder, absent
                )
            except NotCertified:
                connection = None
            if connection is not None:
                order = alignment(fetched["id"], table.ids)
                if order is not None and np.asarray(fetched["certain"], dtype=bool)[order].all():
                    result = population_result(program, query, fetched, order, table.ids, exact)
                    in_order = bool(
                        len(fetched["id"]) == table.size
                        and (order == np.arange(table.size)).all()
                        and not result.errors
                        and result.exact_rows == 0
                    )
                    return table, result, Run(connection, query, in_order, folder)
                connection.close()
        exact_path, types = exact_file(table, model, inputs, folder)
        reading = certified_reading(model, inputs, types, file_source(exact_path))
        try:
            connection, query, fetched = run_query(program, convention.supplied, reading, scales, folder)
        except NotCertified:  # DuckDB refused the values themselves: the default engine computes, and says so
            raise SqlProblem("DuckDB a refusé de calculer sur ces valeurs (un dépassement de ses types)") from None
        result = population_result(program, query, fetched, None, table.ids, exact)
        in_order = not result.errors and result.exact_rows == 0
        return table, result, Run(connection, query, in_order, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def defaulted_absent(model, inputs: tuple[str, ...], columns) -> frozenset[str]:
    """The données with a default (`par défaut`) that a file has no column for: the query reads their default."""
    return frozenset(id for id in inputs[1:] if model.donnees[id].default is not None and id not in columns)


def file_reading(model, inputs: tuple[str, ...], path: str) -> exp.Select:
    """The certified reading of a population file by DuckDB (raises `NotCertified`)."""
    import duckdb  # heavy: imported when a population is evaluated with it

    source = file_source(path)
    try:
        relation = duckdb.sql(exp.select(exp.Star()).from_(source).limit(0).sql("duckdb"))
        assert relation is not None  # a SELECT has a result
        described = relation.description
    except duckdb.Error:
        raise NotCertified(path) from None
    types = {name: str(kind) for name, kind, *_ in described}
    if any(c not in types for c in inputs):
        raise NotCertified(path)
    return certified_reading(model, inputs, types, source)


def reading_scales(model, inputs: tuple[str, ...], reading: exp.Select) -> dict[str, int]:
    """The decimals each numeric column needs, over the whole file (fewer digits for DuckDB to carry); `NotCertified`
    when DuckDB cannot read a value."""
    import duckdb  # heavy: imported when a population is evaluated with it

    numeric = [
        id for id in inputs[1:] if model.donnees[id].type.kind in NUMERIC and model.donnees[id].type.kind != "entier"
    ]
    if not numeric:
        return {}
    measures = []
    for id in numeric:
        value = exp.TryCast(this=column(id), to=a.decimal_type(15 + MAX_DECIMALS, MAX_DECIMALS))
        needed = exp.Case(
            ifs=[
                exp.If(
                    this=a.binary(
                        exp.EQ,
                        a.binary(exp.Mod, a.binary(exp.Mul, value, exp.Literal.number(10**k)), exp.Literal.number(1)),
                        exp.Literal.number(0),
                    ),
                    true=exp.Literal.number(k),
                )
                for k in range(MAX_DECIMALS)
            ],
            default=exp.Literal.number(MAX_DECIMALS),
        )
        measures.append(
            exp.Coalesce(this=exp.Max(this=needed), expressions=[exp.Literal.number(0)]).as_(identifier(id))
        )
    try:
        relation = duckdb.sql(exp.select(*measures).from_(reading.subquery("lecture")).sql("duckdb"))
        assert relation is not None  # a SELECT has a result
        found = relation.fetchall()[0]
    except duckdb.Error:  # a value DuckDB cannot convert (a NaN in a float column…): convcheck's reader says why
        raise NotCertified("duckdb") from None
    return dict(zip(numeric, map(int, found), strict=False))


def parquet_alone(convention, path: str, other_columns, folder: str):
    """A Parquet file read by DuckDB alone, when its columns are right and every row is certified;
    None when convcheck's reader must read it."""
    model = convention.model
    try:
        schema = pl.read_parquet_schema(path)
    except Exception:  # an unreadable file: convcheck's reader says so
        return None
    empty = convention.population(
        Table(pl.DataFrame(schema=schema), "parquet"), other_columns=other_columns, origin=path
    )
    inputs = ("id", *(id for id in model.donnees if id in schema))
    absent = defaulted_absent(model, ("id", *model.donnees), schema) - convention.supplied
    if any(id not in schema and id not in absent for id in model.donnees if id not in convention.supplied):
        return None
    try:
        reading = file_reading(model, inputs, path)
        connection, query, fetched = run_query(
            convention.program, convention.supplied, reading, reading_scales(model, inputs, reading), folder, absent
        )
    except NotCertified:
        return None
    ids = np.ma.getdata(fetched["id"])
    repeated = connection.execute("SELECT COUNT(*) - COUNT(DISTINCT id) FROM resultats").fetchone()[0]
    if not np.ma.getdata(fetched["certain"]).all() or (~np.ma.getmaskarray(fetched["erreur"])).any() or repeated:
        connection.close()
        return None
    # The rows as read are not kept (read again from the file by the reports that need other columns, `--par`).
    frame = pl.DataFrame(schema=schema)
    table = Population(
        path=path,
        frame=frame,
        ids=ids,
        columns={},
        aside=np.zeros(len(ids), dtype=bool),
        problems=(),
        rejected=frame,
        warnings=empty.warnings,
        header=tuple(schema),
        defaults={id: len(ids) for id in model.donnees if id in absent and len(ids)},
    )
    result = population_result(convention.program, query, fetched, None, table.ids, None)
    return table, result, Run(connection, query, True, folder)
