"""Importing the submissions an agency sent from an operator's ``.csv`` or
``.xlsx`` file, all or nothing (``python -m bot import-submissions``).

Files are read by :mod:`bot.submissions.tabular` (every cell as plain text,
never evaluated), rows are checked by :func:`bot.submissions.rows.validate_rows`
and written by :meth:`bot.db.repository.Repository.insert_submissions` in one
transaction with one audit entry.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional, Tuple

from bot.db.repository import Repository
from bot.db.views import DuplicateSubmissionError
from bot.domain.agencies import AgencyDirectory
from bot.submissions import tabular
from bot.submissions.rows import HeaderError, RowError, validate_rows

MAX_ACTOR_CHARS = 16  # bot.db.models.AuditEntry.actor


@dataclass(frozen=True)
class ImportReport:
    """Outcome of :func:`import_submissions`.

    ``ok`` is true only when every row was valid; then ``inserted`` rows (and
    one audit entry) were written in one transaction. Otherwise nothing was
    written and ``errors`` lists every bad row (``row`` 0: the whole file).
    """

    path: str
    total_rows: int
    inserted: int
    errors: Tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_text(self) -> str:
        """Vietnamese summary for people."""
        if self.ok:
            return f"Đã nhập {self.inserted}/{self.total_rows} dòng từ {self.path}."
        lines = [
            f"Không nhập được tệp {self.path}: {len(self.errors)} lỗi trên {self.total_rows} dòng dữ liệu. "
            "Chưa có dòng nào được ghi vào cơ sở dữ liệu."
        ]
        lines += [f"  - Dòng {e.row}: {e.reason}" if e.row > 0 else f"  - {e.reason}" for e in self.errors]
        return "\n".join(lines)


def import_submissions(
    repo: Repository, path: Path, directory: AgencyDirectory, *, today: Optional[date] = None,
    actor: str = "import",
) -> ImportReport:
    """Import submissions from a ``.csv`` or ``.xlsx`` table (columns
    ``agency,obligation,received_on,reference_number,note`` in any order,
    header on the first non-blank row).

    Every row is checked first (:func:`bot.submissions.rows.validate_rows`).
    If any row fails, or the file itself cannot be read (unsupported
    extension, corrupt, empty, more than 50,000 rows), nothing is written;
    otherwise all rows are inserted with one :class:`bot.db.models.AuditEntry`
    (``action`` ``import_submissions``, ``actor`` = ``actor``, ``detail``
    ``{"file": <file name>, "rows": n}``), in a single transaction.

    Args:
        repo: where to write.
        path: the file.
        directory: resolves agency names and aliases.
        today: local date (Asia/Ho_Chi_Minh) after which a receipt date is
            rejected; ``None`` accepts any date.
        actor: recorded in the audit entry (1-16 characters), e.g.
            ``"operator"`` from the command line.

    Returns:
        An :class:`ImportReport` (``ok`` false: nothing was written).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: ``actor`` is empty or longer than 16 characters.
        sqlalchemy.exc.SQLAlchemyError: database failure (nothing written).
    """
    if not actor or len(actor) > MAX_ACTOR_CHARS:
        raise ValueError(f"actor must be 1-{MAX_ACTOR_CHARS} characters, got {actor!r}")
    path = Path(path)
    try:
        header, cells = tabular.read_rows(path)
    except tabular.TableError as exc:
        return ImportReport(path=str(path), total_rows=0, inserted=0, errors=(RowError(exc.line or 0, str(exc)),))
    try:
        rows, errors = validate_rows(header, cells, directory, repo.import_context(), today=today)
    except HeaderError as exc:
        return ImportReport(path=str(path), total_rows=0, inserted=0, errors=(RowError(1, str(exc)),))
    total = len(cells)
    if errors:
        return ImportReport(path=str(path), total_rows=total, inserted=0, errors=tuple(errors))
    try:
        repo.insert_submissions(rows, actor=actor, action="import_submissions",
                                detail={"file": os.path.basename(str(path)), "rows": len(rows)})
    except DuplicateSubmissionError:
        return ImportReport(path=str(path), total_rows=total, inserted=0, errors=(
            RowError(0, "trùng với dữ liệu vừa được ghi đồng thời; hãy chạy lại lệnh nhập"),))
    return ImportReport(path=str(path), total_rows=total, inserted=len(rows), errors=())
