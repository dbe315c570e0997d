"""Real SQL engines for the tests: embedded DuckDB, a PostgreSQL server started in a temporary folder
(and stopped at the end), a local Spark session — and the same typed table of structures loaded in each.

PostgreSQL's binaries (`initdb`, `pg_ctl`, `postgres`) are looked for on the PATH, then in
/usr/lib/postgresql/*/bin (where Debian's package puts them; `.ci/run` installs it when missing).
PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user (created
by Debian's package) through `runuser`. Spark needs `pyspark` (the `spark` extra) and a Java runtime.
A missing engine skips its tests, saying why.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

DECIMAL_38_9 = "DECIMAL(38, 9)"


# ---- a typed table of structures -------------------------------------------------------------------------


def typed_rows(model, structures: list[dict], ids: list[str] | None = None) -> tuple[dict[str, str], list[dict]]:
    """(column → SQL type, rows) for structures given as données → runtime values (a pourcentage as its
    fraction): numbers as exact decimals (a pourcentage in percent), booléens, dates, choix as text."""
    types = {"id": "VARCHAR"}
    for id, donnee in model.donnees.items():
        kind = donnee.type.kind
        types[id] = {"booleen": "BOOLEAN", "date": "DATE", "choix": "VARCHAR"}.get(kind, DECIMAL_38_9)
    rows = []
    for index, structure in enumerate(structures):
        row = {"id": ids[index] if ids else f"s{index}"}
        for id, donnee in model.donnees.items():
            if id not in structure:
                continue
            value = structure[id]
            if donnee.type.kind == "pourcentage":
                value = Decimal(value) * 100
            row[id] = value
        rows.append(row)
    return types, rows


def population_rows(convention, path: str) -> tuple[dict[str, str], list[dict]]:
    """A population file read by convcheck's reader, as typed rows."""
    table = convention.population(path)
    inputs = table.exact_inputs(convention.model)
    structures = [inputs(i) for i in range(table.size)]
    return typed_rows(convention.model, structures, [str(i) for i in table.ids])


# ---- DuckDB --------------------------------------------------------------------------------------------


def run_duckdb(sql: str, types: dict[str, str], rows: list[dict], folder: Path) -> dict[str, dict]:
    description, found = duckdb_rows(sql, types, rows, folder)
    return by_id(description, found)


def duckdb_rows(sql: str, types: dict[str, str], rows: list[dict], folder: Path):
    """(description, rows) of a query over the rows, loaded in an embedded DuckDB as the table `structures`."""
    import duckdb
    import polars as pl

    columns = {}
    for name, kind in types.items():
        values = [row.get(name) for row in rows]
        dtype = {"BOOLEAN": pl.Boolean, "DATE": pl.Date, "VARCHAR": pl.String}.get(kind, pl.Decimal(38, 9))
        columns[name] = pl.Series(name, values, dtype=dtype)
    path = folder / "structures.parquet"
    pl.DataFrame(columns).write_parquet(path)
    connection = duckdb.connect()
    connection.execute(f"CREATE TABLE structures AS SELECT * FROM read_parquet('{path}')")
    cursor = connection.execute(sql)
    return cursor.description, cursor.fetchall()


def by_id(description, rows) -> dict[str, dict]:
    names = [d[0] for d in description]
    return {row[0]: dict(zip(names, row, strict=False)) for row in rows}


# ---- PostgreSQL ------------------------------------------------------------------------------------------


def postgres_binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    return Path(folders[-1]) if folders else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server of our own, in a temporary folder: a psycopg connection to it."""
    psycopg = pytest.importorskip("psycopg", reason="psycopg absent (pip install 'psycopg[binary]')")
    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL absent : installez-le (apt-get install postgresql), comme le fait .ci/run")
    folder = Path(tempfile.mkdtemp(prefix="convcheck-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse root: the server runs as the postgres user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("lancé en root sans utilisateur système « postgres » : PostgreSQL refuse de tourner en root")
        os.chown(folder, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"

    def run(*command):
        subprocess.run([*prefix, *map(str, command)], check=True, capture_output=True, timeout=120)

    run(binaries / "initdb", "-D", data, "-U", "convcheck", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
    run(
        binaries / "pg_ctl",
        "-D",
        data,
        "-l",
        folder / "log",
        "-w",
        "-t",
        "60",
        "start",
        "-o",
        f"-p {port} -k {folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off",
    )
    try:
        connection = psycopg.connect(host=str(folder), port=port, user="convcheck", dbname="postgres", autocommit=True)
        yield connection
        connection.close()
    finally:
        run(binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def run_postgres(connection, sql: str, types: dict[str, str], rows: list[dict]) -> dict[str, dict]:
    kinds = {"VARCHAR": "TEXT", DECIMAL_38_9: "NUMERIC"}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS structures")
        cursor.execute(
            "CREATE TABLE structures ("
            + ", ".join(f'"{name}" {kinds.get(kind, kind)}' for name, kind in types.items())
            + ")"
        )
        with cursor.copy("COPY structures (" + ", ".join(f'"{n}"' for n in types) + ") FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.get(name) for name in types])
        cursor.execute(sql)
        return by_id(cursor.description, cursor.fetchall())


# ---- Spark -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def spark():
    """A local Spark session (pyspark and a Java runtime)."""
    pytest.importorskip("pyspark", reason="pyspark absent (pip install '.[spark]')")
    if shutil.which("java") is None:
        pytest.skip("pas de Java : Spark ne peut pas démarrer")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("convcheck-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def run_spark(session, sql: str, types: dict[str, str], rows: list[dict]) -> dict[str, dict]:
    from pyspark.sql import types as t

    kinds = {"BOOLEAN": t.BooleanType(), "DATE": t.DateType(), "VARCHAR": t.StringType()}
    schema = t.StructType([t.StructField(name, kinds.get(kind, t.DecimalType(38, 9))) for name, kind in types.items()])
    frame = session.createDataFrame([tuple(row.get(name) for name in types) for row in rows], schema)
    frame.createOrReplaceTempView("structures")
    result = session.sql(sql.rstrip().rstrip(";"))
    return {row[0]: row.asDict() for row in result.collect()}


# ---- what the scalar evaluator says ----------------------------------------------------------------------


def scalar_results(convention, structures: list[dict], ids: list[str] | None = None) -> dict[str, object]:
    """id → the scalar evaluation (an `Evaluation`), or the error message."""
    from interpreter.backends import scalar
    from interpreter.numbers import EvaluationError

    results = {}
    for index, structure in enumerate(structures):
        id = ids[index] if ids else f"s{index}"
        try:
            results[id] = scalar.evaluate(convention.program, dict(structure), explain=False, structure=id)
        except EvaluationError as error:
            results[id] = str(error)
    return results


def assert_same(expected: dict, found: dict, lines, label: str = "") -> None:
    """The engine's rows equal the scalar evaluator's, to the cent (an impossible evaluation: `erreur` set)."""
    from interpreter.backends.results import to_micro

    assert set(found) == set(expected), label
    for id, evaluation in expected.items():
        row = found[id]
        if isinstance(evaluation, str):
            assert row["erreur"] is not None, (label, id, evaluation)
            continue
        assert row["erreur"] is None, (label, id, row["erreur"])
        assert bool(row["eligible"]) == evaluation.eligible, (label, id)
        for line in lines:
            assert Decimal(row[line]) == evaluation.line(line).montant, (label, id, line, row[line])
        assert Decimal(row["total"]) == evaluation.total, (label, id)
        assert Decimal(row["total_points"]) * 1_000_000 == to_micro(evaluation.total_points), (label, id)
