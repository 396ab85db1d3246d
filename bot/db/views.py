"""What the repositories return: frozen dataclasses, never ORM objects, so
nothing is lazily loaded after a session is gone.

Dates (``due_date``, ``received_on``, ``effective``, ``today``) are local
calendar dates in Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Dict, FrozenSet, Optional, Tuple


class UnknownAgencyError(LookupError):
    """No agency with this code."""


class UnknownObligationError(LookupError):
    """No obligation with this code."""


class DuplicateSubmissionError(ValueError):
    """The same (agency, obligation, reference number) is already recorded."""


@dataclass(frozen=True)
class AgencyView:
    code: str
    name: str
    kind: str
    aliases: Tuple[str, ...]


@dataclass(frozen=True)
class SuccessionView:
    predecessor_code: str
    successor_name: str
    successor_code: Optional[str]
    effective: date
    kind: str
    source: str


@dataclass(frozen=True)
class ObligationView:
    code: str
    kind: str  # plan | quarterly_report
    year: int
    quarter: Optional[int]
    title: str
    due_date: date
    due_date_origin: str  # operator_default | directive
    due_date_source: str


@dataclass(frozen=True)
class SubmissionView:
    agency_code: str
    obligation_code: str
    received_on: date
    reference_number: str
    note: str
    is_sample: bool


@dataclass(frozen=True)
class ObligationStatus:
    """State of one obligation for one agency on ``today``.

    ``state`` is ``"submitted"`` (``submission`` set; ``days_late`` > 0 when it
    arrived after the due date), ``"open"`` (``days_left`` >= 0, 0 = due today)
    or ``"overdue"`` (``days_overdue`` >= 1).
    """

    obligation: ObligationView
    state: str
    submission: Optional[SubmissionView] = None
    days_left: Optional[int] = None
    days_overdue: Optional[int] = None
    days_late: Optional[int] = None


@dataclass(frozen=True)
class AgencyStatus:
    agency: AgencyView
    today: date
    items: Tuple[ObligationStatus, ...]
    succession: Optional[SuccessionView] = None


@dataclass(frozen=True)
class OverdueEntry:
    agency: AgencyView
    obligation: ObligationView
    days_overdue: int


@dataclass(frozen=True)
class ImportContext:
    """What the rows of an imported file are checked against (read in one go).

    ``agency_ids`` and ``obligation_ids`` map codes to row ids; ``existing``
    holds the ``(agency_id, obligation_id, reference_number)`` of every
    submission already recorded.
    """

    agency_ids: Dict[str, int]
    obligations: Tuple[ObligationView, ...]
    obligation_ids: Dict[str, int]
    existing: FrozenSet[Tuple[int, int, str]]
