"""The results file of `simulate -o` (CSV, Parquet, JSON Lines): one row per structure, its total and each line, in
exact decimal text, written through the one writer with the provenance of its figures."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import numpy as np
import polars as pl

from interpreter.io import csvfiles
from interpreter.io.tables import READERS
from interpreter.io.writer import replacing, write_bytes, write_text


def money_strings(cents: np.ndarray) -> pl.Series:
    """Cents as decimal text with two decimals: 1234.50, -0.05."""
    frame = pl.DataFrame({"c": np.asarray(cents, dtype=np.int64)})
    return frame.select(
        (
            pl.when(pl.col("c") < 0).then(pl.lit("-")).otherwise(pl.lit(""))
            + (pl.col("c").abs() // 100).cast(pl.String)
            + pl.lit(".")
            + (pl.col("c").abs() % 100).cast(pl.String).str.zfill(2)
        ).alias("m")
    ).to_series()


def points_strings(micro: np.ndarray) -> pl.Series:
    """Millionths of a point as plain decimal text: 3900, 916.575."""
    frame = pl.DataFrame({"p": np.asarray(micro, dtype=np.int64)})
    fraction = (pl.col("p").abs() % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    return frame.select(
        (
            pl.when(pl.col("p") < 0).then(pl.lit("-")).otherwise(pl.lit(""))
            + (pl.col("p").abs() // 1_000_000).cast(pl.String)
            + pl.when(fraction == "").then(pl.lit("")).otherwise(pl.lit(".") + fraction)
        ).alias("t")
    ).to_series()


def result_frame(result, lines: list[str], typed: bool) -> pl.DataFrame:
    """id, eligible, total, total_points, then one column per line, in euros."""

    def money(cents):
        if typed:
            return pl.Series(np.asarray(cents, dtype=np.int64)).cast(pl.Decimal(38, 2)) / 100
        return money_strings(cents)

    columns = {
        "id": pl.Series(result.ids.astype(str)),
        "eligible": pl.Series(np.asarray(result.eligible)),
        "total": money(result.total),
        "total_points": points_strings(result.total_points),
    }
    for id in lines:
        columns[id] = money(result.lines[id])
    return pl.DataFrame(columns)


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
