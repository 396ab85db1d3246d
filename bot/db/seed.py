"""Loading the operator's data files into the agency database
(``python -m bot init-db``, after :func:`bot.db.migrate.upgrade`).

* ``agencies.yml`` (the 93 addressees of 2022) and ``succession.yml`` (later
  mergers and renames, operator data with sources), read by
  :mod:`bot.domain.agencies`;
* ``obligations.yml`` (the plan and quarterly reports, with due dates that are
  operator defaults), read by :func:`load_obligations`;
* ``sample_submissions.csv`` (sample rows, labelled as samples in every answer).

:func:`seed` inserts or updates by code, in one transaction; running it again
changes nothing. Submissions are never deleted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import List

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db import models as m
from bot.db.repository import import_context
from bot.domain.agencies import AgencyDirectory, load_agencies, load_successions
from bot.domain.obligations import DIRECTIVE, OPERATOR_DEFAULT
from bot.domain.periods import PLAN, QUARTERLY_REPORT
from bot.submissions.rows import validate_rows
from bot.submissions.tabular import read_rows

OBLIGATION_KINDS = (PLAN, QUARTERLY_REPORT)
DUE_DATE_ORIGINS = (OPERATOR_DEFAULT, DIRECTIVE)


@dataclass(frozen=True)
class SeedReport:
    agencies: int
    obligations: int
    successions: int
    samples_added: int
    changed: bool


def load_obligations(path: Path) -> List[dict]:
    """Read and validate ``obligations.yml``.

    Raises:
        ValueError: missing field, bad kind/origin/quarter/date, duplicate code.
    """
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    out, seen = [], set()
    for i, row in enumerate(doc.get("obligations") or [], start=1):
        try:
            code = str(row["code"]).strip()
            kind = row["kind"]
            due = row["due_date"]
            due = due if isinstance(due, date) else date.fromisoformat(str(due))
            rec = dict(
                code=code, kind=kind, year=int(row["year"]),
                quarter=(int(row["quarter"]) if row.get("quarter") is not None else None),
                title=str(row["title"]), due_date=due, due_date_origin=row["due_date_origin"],
                due_date_source=str(row["due_date_source"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: obligation #{i} is malformed: {exc}") from exc
        if kind not in OBLIGATION_KINDS:
            raise ValueError(f"{path}: obligation {code}: unknown kind {kind!r}")
        if rec["due_date_origin"] not in DUE_DATE_ORIGINS:
            raise ValueError(f"{path}: obligation {code}: unknown due_date_origin {rec['due_date_origin']!r}")
        if (kind == "quarterly_report") != (rec["quarter"] in (1, 2, 3, 4)):
            raise ValueError(f"{path}: obligation {code}: quarter must be 1-4 exactly for quarterly reports")
        if code in seen:
            raise ValueError(f"{path}: duplicate obligation code {code}")
        seen.add(code)
        out.append(rec)
    return out



def seed(engine: Engine, data_dir: Path, with_samples: bool = True) -> SeedReport:
    """Load agencies, successions and obligations from ``data_dir`` (and the
    sample submissions when ``with_samples``), inserting or updating by
    code. Idempotent: a second run changes nothing (``changed`` False).
    Existing submissions are never deleted.

    Raises:
        FileNotFoundError / ValueError: bad data files (nothing written).
    """
    data_dir = Path(data_dir)
    agencies = load_agencies(data_dir / "agencies.yml")
    succ_path = data_dir / "succession.yml"
    successions = load_successions(succ_path) if succ_path.exists() else []
    obligations = load_obligations(data_dir / "obligations.yml")
    directory = AgencyDirectory(agencies, successions)
    changed = False
    with Session(engine, future=True) as s, s.begin():
        by_code = {a.code: a for a in s.scalars(select(m.Agency))}
        for a in agencies:
            row = by_code.get(a.code)
            values = dict(name=a.name, kind=a.kind, aliases=list(a.aliases))
            if row is None:
                row = m.Agency(code=a.code, **values)
                s.add(row)
                by_code[a.code] = row
                changed = True
            elif (row.name, row.kind, list(row.aliases or [])) != (a.name, a.kind, list(a.aliases)):
                row.name, row.kind, row.aliases = a.name, a.kind, list(a.aliases)
                changed = True
        s.flush()
        existing_succ = {
            (r.predecessor_id, r.successor_name): r for r in s.scalars(select(m.AgencySuccession))
        }
        for sc in successions:
            pred = by_code[sc.predecessor]
            succ_id = by_code[sc.successor_code].id if sc.successor_code else None
            row = existing_succ.get((pred.id, sc.successor_name))
            vals = (succ_id, sc.effective, sc.kind, sc.source)
            if row is None:
                s.add(m.AgencySuccession(
                    predecessor_id=pred.id, successor_name=sc.successor_name, successor_id=succ_id,
                    effective=sc.effective, kind=sc.kind, source=sc.source,
                ))
                changed = True
            elif (row.successor_id, row.effective, row.kind, row.source) != vals:
                row.successor_id, row.effective, row.kind, row.source = vals
                changed = True
        obl_by_code = {o.code: o for o in s.scalars(select(m.Obligation))}
        for rec in obligations:
            row = obl_by_code.get(rec["code"])
            if row is None:
                row = m.Obligation(**rec)
                s.add(row)
                obl_by_code[rec["code"]] = row
                changed = True
            else:
                for k, v in rec.items():
                    if getattr(row, k) != v:
                        setattr(row, k, v)
                        changed = True
        s.flush()
        added = 0
        samples = data_dir / "sample_submissions.csv"
        if with_samples and samples.exists():
            header, cells = read_rows(samples)
            rows, errors = validate_rows(header, cells, directory, import_context(s), skip_existing=True)
            if errors:
                raise ValueError(
                    "sample_submissions.csv: " + "; ".join(f"dòng {e.row}: {e.reason}" for e in errors)
                )
            s.add_all(m.Submission(is_sample=True, **r) for r in rows)
            added = len(rows)
            changed = changed or added > 0
    return SeedReport(
        agencies=len(agencies), obligations=len(obligations), successions=len(successions),
        samples_added=added, changed=changed,
    )
