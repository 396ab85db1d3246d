"""Reading a test database back: row counts and snapshots, and CSV files."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import List, Tuple

from sqlalchemy import func, select

from bot.db import models as m


def counts(engine) -> Tuple[int, int, int, int]:
    """Rows of (agency, agency_succession, obligation, submission)."""
    with engine.connect() as c:
        return tuple(
            c.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (m.Agency, m.AgencySuccession, m.Obligation, m.Submission)
        )


def snapshot(engine) -> tuple:
    """Agencies, obligations and submissions as sorted tuples (to compare before and after)."""
    with engine.connect() as c:
        return (
            sorted(tuple(r) for r in c.execute(select(m.Agency.code, m.Agency.name, m.Agency.kind))),
            sorted(tuple(r) for r in c.execute(select(m.Obligation.code, m.Obligation.due_date))),
            sorted(tuple(r) for r in c.execute(
                select(m.Submission.agency_id, m.Submission.obligation_id, m.Submission.reference_number,
                       m.Submission.created_at))),
        )


def read_csv(path: Path) -> List[List[str]]:
    """A CSV file our exporter wrote (UTF-8 with a byte-order mark)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))
