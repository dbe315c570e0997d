"""The results file of `simulate -o` (CSV, Parquet, JSON Lines): one row per structure, its total and each line, in
exact decimal text, written through the one writer with the provenance of its figures."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import numpy as np
import polars as pl

from interpreter.io import csvfiles
from interpreter.io.tables import READERS, polars_column
from interpreter.io.writer import replacing, write_bytes, write_text


def decimal_euros(cents):
    """Cents (a polars expression or Series of integers) as exact euros, Decimal(38, 2): the type of every amount
    in a table convcheck writes."""
    return cents.cast(pl.Decimal(38, 2)) / 100


def money_text(cents: pl.Expr) -> pl.Expr:
    """Cents as decimal text with two decimals: 1234.50, -0.05."""
    return (
        pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
        + (cents.abs() // 100).cast(pl.String)
        + pl.lit(".")
        + (cents.abs() % 100).cast(pl.String).str.zfill(2)
    )


def points_text(micro: pl.Expr) -> pl.Expr:
    """Millionths of a point as plain decimal text: 3900, 916.575."""
    fraction = (micro.abs() % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    return (
        pl.when(micro < 0).then(pl.lit("-")).otherwise(pl.lit(""))
        + (micro.abs() // 1_000_000).cast(pl.String)
        + pl.when(fraction == "").then(pl.lit("")).otherwise(pl.lit(".") + fraction)
    )


def result_frame(result, lines: list[str], typed: bool) -> pl.DataFrame:
    """id, eligible, total, total_points, then one column per line, in euros (Decimal(38, 2) when `typed`, else
    exact decimal text), made by polars in one query, on every core."""
    cents = {"total": result.total, **{id: result.lines[id] for id in lines}}  # no line is named so (`id-reserve`)
    raw = pl.DataFrame(
        {
            "id": polars_column(result.ids, str),
            "eligible": polars_column(result.eligible),
            "total_points": polars_column(result.total_points, np.int64),
            **{name: polars_column(column, np.int64) for name, column in cents.items()},
        }
    )

    def money(name: str) -> pl.Expr:
        column = pl.col(name)
        return (decimal_euros(column) if typed else money_text(column)).alias(name)

    return raw.select(
        "id",
        "eligible",
        money("total"),
        points_text(pl.col("total_points")).alias("total_points"),
        *(money(id) for id in lines),
    )


def write_results(frame: pl.DataFrame, path: str, inputs=(), french: bool = False, provenance=None) -> None:
    """Write a results table — CSV, Parquet or JSON Lines, by the suffix — through the one writer;
    `french`: a CSV file with `;` and decimal commas (`--csv-fr`).

    `provenance` (`interpreter.report.provenance.Provenance`: what the figures rest on) goes where the format
    allows: `#` lines at the top of a CSV (after the BOM of a French one), the key-value metadata
    `convcheck.provenance` of a Parquet file (JSON), a file beside a JSON Lines one (`….provenance.json`).
    `inputs` are the files the command read: they are never overwritten (`interpreter.io.writer`).
    """
    kind = READERS.get(Path(path).suffix.lower())
    comments = provenance.comment_lines().encode("utf-8") if provenance is not None else b""
    if french and kind not in ("parquet", "jsonl"):
        table = csvfiles.french_csv(frame)
        bom = codecs.BOM_UTF8 if table.startswith(codecs.BOM_UTF8) else b""
        write_bytes(path, bom + comments + table[len(bom) :], inputs)
        return
    if kind == "parquet":
        metadata = {"convcheck.provenance": json.dumps(provenance.data(), ensure_ascii=False)} if provenance else None
        with replacing(path, inputs) as handle:
            frame.write_parquet(handle, metadata=metadata)
        return
    if kind == "jsonl":
        with replacing(path, inputs) as handle:
            frame.write_ndjson(handle)
        if provenance is not None:
            write_text(
                f"{path}.provenance.json", json.dumps(provenance.data(), ensure_ascii=False, indent=2) + "\n", inputs
            )
        return
    with replacing(path, inputs) as handle:
        handle.write(comments)
        csvfiles.neutralised(frame).write_csv(handle)  # no cell runs as a formula in a spreadsheet
