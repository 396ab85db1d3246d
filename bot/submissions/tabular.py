"""Reading and writing operator tables: ``.csv`` and ``.xlsx`` files.

This module only moves cells between files and Python; it knows nothing about
agencies or submissions (see :mod:`bot.db.repository` for that).

Reading (:func:`read_rows`)
    * ``.csv``: UTF-8 (a byte-order mark is allowed, as Excel writes one),
      separated by ``,`` or ``;`` (whichever the first non-blank line uses more).
    * ``.xlsx``: the first sheet, read with openpyxl in read-only mode and
      ``data_only=True``, so a formula cell yields the value Excel last cached
      (never the formula, and nothing is ever evaluated here).
    * Every cell comes back as **plain text**: a date/datetime cell becomes
      ``DD/MM/YYYY`` (the date part only, as typed: no time-zone conversion),
      a whole number has no ``.0``, an empty cell is ``""``. A text cell such as
      ``=1+1`` is returned unchanged, as text; callers must never evaluate it.
    * Blank rows are skipped; line numbers are those a spreadsheet shows
      (header row = 1 when it is the first row).
    * Limits, so that a huge or hostile file cannot exhaust memory: at most
      :data:`MAX_ROWS` data rows and :data:`MAX_COLUMNS` columns are read, an
      ``.xlsx`` may not unpack to more than :data:`MAX_XLSX_UNPACKED_BYTES`, and
      a CSV field may not exceed :data:`MAX_CSV_FIELD_CHARS`. Cells longer than
      :data:`MAX_CELL_CHARS` are returned as they are; the importer reports them
      as row errors.

Writing (:func:`write_table`)
    * ``.csv``: UTF-8 **with** a byte-order mark (so Excel shows Vietnamese
      diacritics), ``,``-separated, CRLF line ends; a ``date`` becomes
      ``DD/MM/YYYY``.
    * ``.xlsx``: one sheet, bold frozen header, column widths fitted to the
      content; a ``date`` is a real date cell formatted ``DD/MM/YYYY``; numbers
      stay numbers.
    * Spreadsheet formula injection (OWASP "CSV injection"): every text cell
      that begins with ``=``, ``+``, ``-``, ``@``, TAB or CR (or the full-width
      ``＝ ＋ － ＠``, which some Excel locales also accept) is written with a
      leading apostrophe ``'``, in both formats. In ``.xlsx`` text cells are
      additionally stored with the string type (``data_type = "s"``), never as
      formulas or error values. Characters XML cannot hold (C0 controls other
      than TAB, LF, CR) are removed from ``.xlsx`` cells.
    * The file is written next to its destination and then renamed over it,
      so a failure never leaves half a file behind.
"""
from __future__ import annotations

import csv
import os
import re
import tempfile
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Generator, Iterable, List, Optional, Sequence, Tuple

from bot.domain.dates import vn_date

SUPPORTED_EXTENSIONS = (".csv", ".xlsx")
MAX_ROWS = 50_000
"""Most data rows (header not counted) :func:`read_rows` accepts."""
MAX_CELL_CHARS = 2_000
"""Longest cell an import accepts (characters); longer cells are row errors."""
MAX_COLUMNS = 64
"""Columns read from each row; anything to the right is ignored."""
MAX_CSV_FIELD_CHARS = 1_000_000
"""Longest CSV field parsed at all (characters); longer means a broken file."""
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
"""Largest total unpacked size of an ``.xlsx`` archive (guards against zip bombs)."""

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


class TableError(ValueError):
    """A table cannot be read. ``str(exc)`` is a Vietnamese message for people;
    ``line`` is the line/row number the problem is on, or ``None`` for the
    whole file."""

    def __init__(self, message: str, line: Optional[int] = None):
        super().__init__(message)
        self.line = line


Row = Tuple[int, List[str]]


# --------------------------------------------------------------------------- #
# Reading                                                                      #
# --------------------------------------------------------------------------- #
def read_rows(path, *, max_rows: Optional[int] = None) -> Tuple[List[str], List[Row]]:
    """Read a ``.csv`` or ``.xlsx`` table as text.

    Args:
        path: the file; its extension (case-insensitive) chooses the format.
        max_rows: most data rows accepted (``None``: :data:`MAX_ROWS`).

    Returns:
        ``(header, rows)``: ``header`` is the first non-blank row, each cell
        stripped of surrounding spaces; ``rows`` lists the following non-blank
        rows as ``(line_no, cells)`` with ``cells`` as strings, unstripped, as
        many as the file has on that row (up to :data:`MAX_COLUMNS`).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        TableError (a ``ValueError``): unsupported extension, a file that is
            not UTF-8 / not a valid workbook / unpacks too large, an empty file
            (no non-blank row), or more than ``max_rows`` data rows (``line``
            is then the first row beyond the limit).
    """
    path = Path(path)
    ext = check_extension(path)
    if not path.exists():
        raise FileNotFoundError(str(path))
    records = _csv_records(path) if ext == ".csv" else _xlsx_records(path)
    try:
        return _split(records, MAX_ROWS if max_rows is None else max_rows)
    finally:
        records.close()  # closes the file / workbook at once, even after an error


def _split(records: Iterable[Row], max_rows: int) -> Tuple[List[str], List[Row]]:
    header: Optional[List[str]] = None
    rows: List[Row] = []
    for line_no, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            continue
        if len(rows) >= max_rows:
            raise TableError(
                f"tệp có hơn {_thousands(max_rows)} dòng dữ liệu (giới hạn của một lần nhập); "
                "hãy chia thành nhiều tệp nhỏ hơn", line=line_no,
            )
        rows.append((line_no, cells))
    if header is None:
        raise TableError("tệp rỗng (không có dòng tiêu đề)")
    return header, rows


def check_extension(path) -> str:
    """The lower-case extension of ``path`` (``.csv`` or ``.xlsx``).

    Raises:
        TableError (a ``ValueError``): any other extension (Vietnamese message).
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        shown = path.suffix or "(không có phần mở rộng)"
        raise TableError(f"định dạng tệp {shown} không được hỗ trợ; chỉ nhận tệp .csv hoặc .xlsx")
    return ext


def _csv_records(path: Path) -> Generator[Row, None, None]:
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    line_no = 0
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            sample = fh.read(64 * 1024)
            first = next((ln for ln in sample.splitlines() if ln.strip()), "")
            delimiter = ";" if first.count(";") > first.count(",") else ","
            fh.seek(0)  # the utf-8-sig decoder skips the BOM again after seeking to 0
            for line_no, cells in enumerate(csv.reader(fh, delimiter=delimiter), start=1):
                yield line_no, cells[:MAX_COLUMNS]
    except UnicodeDecodeError:
        raise TableError("tệp CSV không ở mã UTF-8; trong Excel hãy lưu lại bằng 'CSV UTF-8'") from None
    except csv.Error as exc:
        raise TableError(f"tệp CSV hỏng ở dòng {line_no + 1}: {exc}", line=line_no + 1) from None
    finally:
        csv.field_size_limit(old_limit)


def _xlsx_records(path: Path) -> Generator[Row, None, None]:
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError):
        raise TableError("tệp .xlsx bị hỏng hoặc không phải tệp Excel (.xlsx)") from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise TableError("tệp .xlsx quá lớn sau khi giải nén; hãy chia thành nhiều tệp nhỏ hơn")

    from openpyxl import load_workbook  # imported lazily: only .xlsx needs it

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, ParseError...)
        raise TableError("tệp .xlsx bị hỏng hoặc không phải tệp Excel (.xlsx)") from None
    try:
        if not wb.worksheets:
            return
        ws = wb.worksheets[0]
        try:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # the stored dimension may be wrong; read every row
            for line_no, values in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
                cells = [cell_text(v) for v in values]
                while cells and cells[-1] == "":
                    cells.pop()
                yield line_no, cells
        except TableError:
            raise
        except Exception:
            raise TableError("không đọc được trang tính đầu tiên của tệp .xlsx (tệp bị hỏng?)") from None
    finally:
        wb.close()


def cell_text(value: Any) -> str:
    """A spreadsheet cell value as text: ``None`` -> ``""``, date/datetime ->
    ``DD/MM/YYYY``, whole floats without ``.0``, booleans ``TRUE``/``FALSE``,
    anything else ``str(value)`` (strings unchanged, never evaluated)."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return vn_date(value)
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# --------------------------------------------------------------------------- #
# Writing                                                                      #
# --------------------------------------------------------------------------- #
def neutralise_formula(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet could take it for a
    formula (it begins with ``= + - @``, TAB, CR or their full-width forms);
    otherwise unchanged. OWASP's advice against CSV/formula injection."""
    if text and text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def write_table(path, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet_title: str = "Dữ liệu") -> int:
    """Write ``header`` and ``rows`` to a ``.csv`` or ``.xlsx`` file.

    Cell values may be ``str``, ``int``, ``float``, ``date`` (written as
    ``DD/MM/YYYY``; in ``.xlsx`` a real date cell with that format) or ``None``
    (empty). Every text cell is protected against formula injection (see the
    module docstring). An existing file at ``path`` is replaced. ``sheet_title``
    names the ``.xlsx`` sheet (at most 31 characters; ``[ ] : * ? /`` and backslash become spaces).

    Returns:
        The number of data rows written (header not counted).

    Raises:
        TableError (a ``ValueError``): unsupported extension.
        OSError: the file cannot be written (missing folder, no permission...).
    """
    path = Path(path)
    ext = check_extension(path)
    rows = [list(r) for r in rows]
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent or Path(".")))
    os.close(fd)
    try:
        if ext == ".csv":
            _write_csv(Path(tmp), header, rows)
        else:
            _write_xlsx(Path(tmp), header, rows, sheet_title)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return len(rows)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return vn_date(value)
    if isinstance(value, str):
        return neutralise_formula(value)
    return str(value)


def _write_csv(path: Path, header: Sequence[str], rows: List[List[Any]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([_csv_cell(h) for h in header])
        for r in rows:
            w.writerow([_csv_cell(v) for v in r])


def _write_xlsx(path: Path, header: Sequence[str], rows: List[List[Any]], sheet_title: str = "Dữ liệu") -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\[\]:*?/\\]", " ", sheet_title).strip()[:31] or "Dữ liệu"
    widths = [0] * len(header)

    def put(row_idx: int, col_idx: int, value: Any, bold: bool = False) -> None:
        cell = ws.cell(row=row_idx, column=col_idx)
        if value is None or value == "":
            shown = ""
        elif isinstance(value, (datetime, date)):
            cell.value = value.date() if isinstance(value, datetime) else value
            cell.number_format = "DD/MM/YYYY"
            shown = "00/00/0000"
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.value = value
            shown = str(value)
        else:
            text = neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
            cell.value = text
            cell.data_type = "s"  # a string, never a formula ("f") or an error value ("e")
            shown = max(text.splitlines() or [""], key=len)
        if bold:
            cell.font = Font(bold=True)
        if col_idx <= len(widths):
            widths[col_idx - 1] = max(widths[col_idx - 1], len(shown))

    for j, h in enumerate(header, start=1):
        put(1, j, h, bold=True)
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r, start=1):
            put(i, j, v)
    for j, wdt in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(wdt + 2, 8), 60)
    ws.freeze_panes = "A2"
    wb.save(path)
