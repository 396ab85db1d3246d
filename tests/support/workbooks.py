"""Build .xlsx files the way an operator's spreadsheet saves them (openpyxl)."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, Sequence, Tuple

import openpyxl


def write_workbook(path, rows: Iterable[Optional[Sequence[Any]]],
                   as_text: Callable[[int, int, Any], bool] = lambda r, c, v: isinstance(v, str)):
    """Write ``rows`` (``None`` = a blank row) to the first sheet of ``path`` and
    return ``path``. Cells for which ``as_text(row, col, value)`` (1-based) is
    true are stored as strings even when they start with "=" (text typed after
    an apostrophe, never a formula); by default every ``str`` cell. Dates and
    datetimes become real date cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row or (), start=1):
            if v is None:
                continue
            cell = ws.cell(row=r, column=c, value=v)
            if as_text(r, c, v):
                cell.data_type = "s"
    wb.save(path)
    return path


def text_cells(*cells: Tuple[int, int]) -> Callable[[int, int, Any], bool]:
    """``as_text`` for :func:`write_workbook`: only the listed (row, col) cells."""
    chosen = set(cells)
    return lambda r, c, v: (r, c) in chosen
