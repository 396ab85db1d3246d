"""Checking the rows of an operator's submissions table (pure: no database, no files).

Rows come from :func:`bot.submissions.tabular.read_rows` (every cell as text);
what they are checked against comes from
:meth:`bot.db.repository.Repository.import_context`. Used by the file import
(:mod:`bot.submissions.importer`) and by the seeding of the shipped sample rows
(:mod:`bot.db.seed`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Dict, List, Optional, Sequence, Tuple

from bot.db.views import ImportContext
from bot.domain.agencies import AgencyDirectory
from bot.domain.dates import local_today, parse_vn_date
from bot.domain.obligations import match_obligation
from bot.submissions.tabular import MAX_CELL_CHARS

COLUMNS = ("agency", "obligation", "received_on", "reference_number", "note")
MAX_REFERENCE_CHARS = 128  # bot.db.models.Submission.reference_number is String(128)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class RowError:
    row: int  # line number in the file (header = 1); 0 = the whole file
    reason: str


class HeaderError(ValueError):
    """A required column is missing (the message says which, in Vietnamese)."""


def quote_cell(text: str, limit: int = 80) -> str:
    """A cell's text made safe to show in a report: control characters (which
    could drive a terminal) become spaces, and long text is shortened."""
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validate_rows(
    header: Sequence[str],
    cells_by_line: Sequence[Tuple[int, List[str]]],
    directory: AgencyDirectory,
    context: ImportContext,
    *,
    today: Optional[date] = None,
    skip_existing: bool = False,
) -> Tuple[List[dict], List[RowError]]:
    """Check every row; returns the rows to insert and the errors.

    Each row must name an addressee (name or alias, via ``directory.resolve``),
    an obligation (:func:`bot.domain.obligations.match_obligation`: a code or
    words, the year optional when only one obligation matches), a date
    ``DD/MM/YYYY`` not after ``today``, a reference number of at most
    :data:`MAX_REFERENCE_CHARS` characters, no cell over
    :data:`~bot.submissions.tabular.MAX_CELL_CHARS`, and must not repeat another
    row or a recorded submission (same agency, obligation and number).

    Args:
        header: the header row's cells (any order, case-insensitive).
        cells_by_line: ``(line number, cells)`` pairs; blank rows are skipped.
        directory: resolves agency names.
        context: ids and existing submissions (read from the database).
        today: local date (Asia/Ho_Chi_Minh); dates after it are refused
            (``None``: no such check). Relative periods ("quý này") are read
            against it, or against :func:`~bot.domain.dates.local_today`.
        skip_existing: rows already recorded are silently left out instead of
            being errors (seeding the shipped samples again).

    Returns:
        ``(rows, errors)``: ``rows`` as keyword arguments of
        :class:`bot.db.models.Submission` (``agency_id``, ``obligation_id``,
        ``received_on``, ``reference_number``, ``note``).

    Raises:
        HeaderError: a required column is missing.
    """
    header = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise HeaderError(f"thiếu cột {', '.join(missing)} (cần: {','.join(COLUMNS)})")
    idx = {c: header.index(c) for c in COLUMNS}
    reference_day = today or local_today()
    examples = ", ".join(sorted(o.code for o in context.obligations))
    seen: Dict[tuple, int] = {}
    rows: List[dict] = []
    errors: List[RowError] = []
    for line_no, cells in cells_by_line:
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        too_long = [
            (header[i] if i < len(header) and header[i] else f"số {i + 1}", len(c))
            for i, c in enumerate(cells) if len(c) > MAX_CELL_CHARS
        ]
        if too_long:
            limit = f"{MAX_CELL_CHARS:,}".replace(",", ".")
            errors.append(RowError(line_no, "; ".join(
                f"ô ở cột {quote_cell(col, 40)} dài {n} ký tự, vượt giới hạn {limit} ký tự" for col, n in too_long)))
            continue

        def get(column: str, cells: List[str] = cells) -> str:
            return cells[idx[column]].strip()

        reasons: List[str] = []
        agency_id = _agency_id(get("agency"), directory, context, reasons)
        obligation = match_obligation(get("obligation"), context.obligations, reference_day) \
            if get("obligation") else None
        if obligation is None:
            reasons.append(f"không nhận ra nghĩa vụ '{quote_cell(get('obligation'))}' (ví dụ: {examples})")
        received = None
        try:
            received = parse_vn_date(get("received_on"))
            if today is not None and received > today:
                reasons.append(f"ngày nhận {get('received_on')} ở sau ngày hôm nay")
                received = None
        except ValueError as exc:
            raw = get("received_on")
            reasons.append(str(exc).replace(f"'{raw}'", f"'{quote_cell(raw, 40)}'", 1))
        ref = get("reference_number")
        if len(ref) > MAX_REFERENCE_CHARS:
            reasons.append(f"số hiệu dài {len(ref)} ký tự, vượt giới hạn {MAX_REFERENCE_CHARS} ký tự")
        if agency_id is not None and obligation is not None:
            key = (agency_id, context.obligation_ids[obligation.code], ref)
            if key in seen:
                reasons.append(f"trùng với dòng {seen[key]} (cùng cơ quan, nghĩa vụ và số hiệu '{quote_cell(ref)}')")
            elif key in context.existing:
                if skip_existing and not reasons:
                    seen[key] = line_no
                    continue
                reasons.append(f"đã có trong cơ sở dữ liệu (cùng cơ quan, nghĩa vụ và số hiệu '{quote_cell(ref)}')")
            seen.setdefault(key, line_no)
        if reasons:
            errors.append(RowError(line_no, "; ".join(reasons)))
        else:
            rows.append(dict(agency_id=agency_id, obligation_id=context.obligation_ids[obligation.code],
                             received_on=received, reference_number=ref, note=get("note")))
    return rows, errors


def _agency_id(name: str, directory: AgencyDirectory, context: ImportContext, reasons: List[str]) -> Optional[int]:
    """The database id of the addressee ``name`` names; otherwise appends why to ``reasons``."""
    if not name:
        reasons.append("thiếu tên cơ quan")
        return None
    res = directory.resolve(name)
    if res.status == "found":
        agency_id = context.agency_ids.get(res.agency.code)
        if agency_id is None:
            reasons.append(f"cơ quan '{res.agency.name}' chưa có trong cơ sở dữ liệu (chạy init-db)")
        return agency_id
    if res.status == "ambiguous":
        names = ", ".join(a.name for a in res.candidates[:6])
        reasons.append(f"tên cơ quan '{quote_cell(name)}' chưa rõ, có thể là: {names}")
        return None
    msg = f"không nhận ra cơ quan '{quote_cell(name)}'"
    if res.note:
        msg += f" ({res.note})"
    elif res.suggestions:
        msg += f"; có phải: {', '.join(a.name for a in res.suggestions)}?"
    reasons.append(msg)
    return None
