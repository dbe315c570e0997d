"""Excel workbooks out: one sheet per table, euro formats, a frozen header row, widths that fit.

A `Sheet` is a table of plain cells — text, integers, booleans, exact `Decimal` amounts — and the
columns that hold euros. `workbook` writes them with xlsxwriter. Excel holds numbers as binary
floats: an amount in cents below 10¹³ € converts to the float nearest it, which rounds back to the
same cents, so the workbook shows the cents of the CSV output (the tests read files back).
Populations in `.xlsx` are read by `interpreter.io.tables.read_sheet`.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from dsl.errors import ConvcheckError
from dsl.records import frozen

ROWS = 1_048_576  # Excel's rows per sheet, the header's included
EUROS = '# ##0.00 "€";-# ##0.00 "€"'
WIDEST = 60
SHEET_NAME = 31  # Excel's limit


class TooManyRows(ConvcheckError):
    """A table longer than an Excel sheet: refused, never cut (xlsxwriter would drop the rows beyond)."""

    def __init__(self, sheet: str, rows: int):
        super().__init__(
            f"la feuille « {sheet} » aurait {rows:,} lignes, plus que les {ROWS - 1:,} qu'une feuille "
            "Excel peut contenir sous son en-tête".replace(",", "\u202f")
        )


@frozen
class Sheet:
    """One table of a workbook."""

    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]
    money: tuple[int, ...] = ()  # columns of amounts in euros (Decimal cells)


def sheet_of_frame(name: str, frame) -> Sheet:
    """A polars table as a sheet: Decimal columns are amounts in euros."""
    import polars as pl  # heavy: only for a sheet made of a table

    money = tuple(i for i, dtype in enumerate(frame.dtypes) if isinstance(dtype, pl.Decimal))
    return Sheet(name, tuple(frame.columns), tuple(frame.iter_rows()), money)


def workbook(sheets: list[Sheet]) -> bytes:
    """The workbook's bytes: one worksheet per sheet, header frozen, euros formatted, widths fitted."""
    import xlsxwriter  # heavy: only when a workbook is written

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"created": datetime.datetime(2000, 1, 1)})  # the same bytes for the same tables
    bold = book.add_format({"bold": True, "bg_color": "#F4F6F8", "bottom": 1})
    euros = book.add_format({"num_format": EUROS})
    for sheet in sheets:
        if len(sheet.rows) >= ROWS:
            raise TooManyRows(sheet.name, len(sheet.rows))
        _write(book.add_worksheet(sheet.name[:SHEET_NAME]), sheet, bold, euros)
    book.close()
    return buffer.getvalue()


def _write(worksheet, sheet: Sheet, bold, euros) -> None:
    for column, header in enumerate(sheet.headers):
        worksheet.write_string(0, column, header, bold)
    for row, cells in enumerate(sheet.rows, start=1):
        for column, cell in enumerate(cells):
            _cell(worksheet, row, column, cell, euros if column in sheet.money else None)
    worksheet.freeze_panes(1, 0)
    for column, header in enumerate(sheet.headers):
        shown = [len(header)] + [len(_shown(cells[column])) for cells in sheet.rows[:2000]]
        extra = 3 if column in sheet.money else 1
        worksheet.set_column(column, column, min(WIDEST, max(shown) + extra))


def _cell(worksheet, row: int, column: int, cell, style) -> None:
    if cell is None:
        return
    if isinstance(cell, bool):
        worksheet.write_boolean(row, column, cell)
    elif isinstance(cell, (int, Decimal, float)):
        worksheet.write_number(row, column, float(cell), style)
    else:
        worksheet.write_string(row, column, str(cell))


def _shown(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return f"{cell:,.2f} €"
    return str(cell)
