"""CSV and Excel files that French spreadsheet users open as they expect, safe from formula injection."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from usecases.loading import neutralise, safe_text


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """``;``-separated, decimal comma, UTF-8 with BOM: what French Excel opens without a wizard."""
    return neutralise(df).to_csv(index=False, sep=";", decimal=",", date_format="%d/%m/%Y").encode("utf-8-sig")


HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame], *, title: str | None = None,
                  number_formats: Mapping[str, str] | None = None) -> bytes:
    """A formatted workbook: one sheet per frame, bold header, filters, frozen header, sensible widths.

    Every text cell is written as text (never a formula), even when it starts with ``=``.
    """
    wb = Workbook()
    wb.remove(wb.active)
    formats = dict(number_formats or {})
    for name, df in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        start_row = 1
        if title:
            ws.cell(row=1, column=1, value=safe_text(title)).font = Font(bold=True, size=13)
            ws.cell(row=2, column=1, value=f"Édité le {dt.date.today():%d/%m/%Y}")
            start_row = 4
        for j, col in enumerate(df.columns, start=1):
            cell = ws.cell(row=start_row, column=j, value=str(col))
            cell.fill, cell.font = HEADER_FILL, HEADER_FONT
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, row in enumerate(df.itertuples(index=False), start=start_row + 1):
            for j, value in enumerate(row, start=1):
                cell = ws.cell(row=i, column=j, value=_cell_value(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # a string stays a string, '=' included
                fmt = formats.get(str(df.columns[j - 1]))
                if fmt:
                    cell.number_format = fmt
                elif isinstance(value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
        for j, col in enumerate(df.columns, start=1):
            values = [str(col)] + [str(v) for v in df.iloc[:200, j - 1].tolist()]
            width = min(60, max(10, max(len(v) for v in values) + 2))
            ws.column_dimensions[get_column_letter(j)].width = width
        ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
        if len(df.columns):
            ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(df.columns))}{start_row + len(df)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell_value(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
