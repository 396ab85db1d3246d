"""Putting a wrong record right: withdraw or correct a recorded submission.

Two actors may do it:

- an *official* (a chat account linked to an agency, :mod:`bot.db.accounts`),
  for a record of the linked agency only, and only until
  ``window_days`` local (Asia/Ho_Chi_Minh) days after the day the record was
  created (``CORRECTION_WINDOW_DAYS``, default 7);
- the *operator* (``python -m bot withdraw ID`` / ``python -m bot correct ID``,
  :mod:`bot.cli.corrections`), for any record, at any time.

Every change is one transaction with one audit entry (``withdraw_submission``
or ``correct_submission``: who, which chat account, when, and the record
``before`` and, for a correction, ``after``). The link and the record are read
inside that transaction, never taken from the conversation.

A withdrawal deletes the row, so the agency's status, the overdue lists, the
exports and the reminders treat the document as never sent, and the same
document can be recorded again. The withdrawal entry keeps the whole row; the
older audit entries that pointed at it (``submission_id``) keep their details
and lose only that pointer (the foreign key allows no dangling id).

Dates (``received_on``, the window) are local Asia/Ho_Chi_Minh dates;
``created_at`` is an aware UTC timestamp. Every method opens and closes its own
session and returns frozen dataclasses. Database failures propagate as
``sqlalchemy.exc.SQLAlchemyError``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import models as m
from bot.db.accounts import AccountRepository, NotLinkedError
from bot.db.repository import _obligation_view
from bot.db.views import DuplicateSubmissionError, ObligationView, UnknownObligationError
from bot.settings import TIMEZONE

WITHDRAW = "withdraw_submission"
CORRECT = "correct_submission"


# --------------------------------------------------------------------------- #
class RecordNotFoundError(LookupError):
    """No record with this id (never recorded, or withdrawn already)."""


class NotOwnRecordError(PermissionError):
    """The record belongs to another agency than the account's linked one."""

    def __init__(self, record: "RecordView", linked_code: str) -> None:
        super().__init__(f"record {record.id} is {record.agency_code}'s, account linked to {linked_code}")
        self.record = record
        self.linked_code = linked_code


class SampleRecordError(PermissionError):
    """A shipped sample row (``is_sample``): only the operator changes those."""

    def __init__(self, record: "RecordView") -> None:
        super().__init__(f"record {record.id} is a sample")
        self.record = record


class WindowClosedError(PermissionError):
    """The official's window for this record has closed (``last_day`` < today)."""

    def __init__(self, record: "RecordView", last_day: date, window_days: int) -> None:
        super().__init__(f"record {record.id}: correction window closed on {last_day.isoformat()}")
        self.record = record
        self.last_day = last_day
        self.window_days = window_days


class NothingToChangeError(ValueError):
    """A correction that would leave the record as it is."""


# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class RecordView:
    """One recorded submission as the correction workflow shows it.

    ``received_on`` is a local date; ``created_at`` aware UTC; ``created_on``
    the local Asia/Ho_Chi_Minh date of ``created_at``.
    """

    id: int
    agency_code: str
    agency_name: str
    obligation: ObligationView
    received_on: date
    reference_number: str
    is_sample: bool
    created_at: datetime

    @property
    def created_on(self) -> date:
        return self.created_at.astimezone(ZoneInfo(TIMEZONE)).date()

    def last_day(self, window_days: int) -> date:
        """The last local date on which the official may still change it."""
        return self.created_on + timedelta(days=window_days)

    def facts(self) -> Dict[str, Any]:
        """JSON-ready snapshot for the audit trail (``before`` / ``after``)."""
        return {"id": self.id, "agency": self.agency_code, "obligation": self.obligation.code,
                "received_on": self.received_on.isoformat(), "reference_number": self.reference_number,
                "created_at": self.created_at.isoformat(), "is_sample": self.is_sample}


@dataclass(frozen=True)
class Change:
    """What a correction sets; ``None`` leaves a field as it is.

    ``obligation_code``: e.g. ``"BC-2022-Q3"``; ``received_on``: local date;
    ``reference_number``: the document number (``""`` means "no number").
    """

    obligation_code: Optional[str] = None
    received_on: Optional[date] = None
    reference_number: Optional[str] = None

    @property
    def empty(self) -> bool:
        return self.obligation_code is None and self.received_on is None and self.reference_number is None

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready (the date as ISO text), for a conversation slot."""
        out = asdict(self)
        out["received_on"] = self.received_on.isoformat() if self.received_on else None
        return out

    @classmethod
    def from_dict(cls, data: Optional[Dict[str, Any]]) -> "Change":
        """The inverse of :meth:`to_dict`. Raises ``ValueError`` for a bad date."""
        data = data or {}
        received = data.get("received_on")
        return cls(obligation_code=data.get("obligation_code") or None,
                   received_on=date.fromisoformat(received) if received else None,
                   reference_number=data.get("reference_number"))


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _record_view(s: m.Submission) -> RecordView:
    return RecordView(id=s.id, agency_code=s.agency.code, agency_name=s.agency.name,
                      obligation=_obligation_view(s.obligation), received_on=s.received_on,
                      reference_number=s.reference_number or "", is_sample=bool(s.is_sample),
                      created_at=s.created_at)


class CorrectionRepository:
    """Finding, withdrawing and correcting recorded submissions. ``engine`` comes
    from :func:`bot.db.session.make_engine`."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._Session = sessionmaker(bind=engine, future=True, expire_on_commit=False)

    def _session(self) -> Session:
        return self._Session()

    # ------------------------------------------------------------------ reads
    def get(self, record_id: int) -> Optional[RecordView]:
        """The record with this id, or ``None``."""
        with self._session() as s:
            row = s.get(m.Submission, record_id)
            return _record_view(row) if row is not None else None

    def find_records(self, agency_code: str, *, obligation_code: Optional[str] = None,
                     reference_number: Optional[str] = None, limit: int = 6,
                     include_samples: bool = False) -> List[RecordView]:
        """Real (not sample, unless ``include_samples``) records of
        ``agency_code``, newest first (by creation), narrowed to an obligation
        and/or a document number (case-insensitive) when given; at most ``limit``."""
        with self._session() as s:
            q = (select(m.Submission).join(m.Agency, m.Submission.agency_id == m.Agency.id)
                 .join(m.Obligation, m.Submission.obligation_id == m.Obligation.id)
                 .where(m.Agency.code == agency_code))
            if not include_samples:
                q = q.where(m.Submission.is_sample.is_(False))
            if obligation_code:
                q = q.where(m.Obligation.code == obligation_code)
            rows = list(s.scalars(q.order_by(m.Submission.created_at.desc(), m.Submission.id.desc())))
            if reference_number:
                wanted = reference_number.strip().upper()
                rows = [r for r in rows if (r.reference_number or "").upper() == wanted]
            return [_record_view(r) for r in rows[:limit]]

    def find_elsewhere(self, agency_code: str, reference_number: str) -> List[RecordView]:
        """Records of *other* agencies with this document number (case-insensitive),
        newest first: what an official names when the number is not theirs."""
        wanted = (reference_number or "").strip().upper()
        if not wanted:
            return []
        with self._session() as s:
            rows = s.scalars(select(m.Submission).join(m.Agency, m.Submission.agency_id == m.Agency.id)
                             .where(m.Agency.code != agency_code)
                             .order_by(m.Submission.created_at.desc(), m.Submission.id.desc()))
            return [_record_view(r) for r in rows if (r.reference_number or "").upper() == wanted][:6]

    # ----------------------------------------------------------------- writes
    def withdraw(self, record_id: int, *, actor: str, today: date, window_days: int = 7,
                 channel: Optional[str] = None, user_id: Optional[str] = None, message: str = "",
                 message_id: Optional[str] = None, now: Optional[datetime] = None) -> RecordView:
        """Withdraw (delete) record ``record_id``, with one audit entry holding
        the row as ``before``. Returns the record as it was.

        Args:
            actor: ``"official"`` (then ``channel`` and ``user_id`` name the
                linked chat account and the rules above apply) or ``"operator"``.
            today: the local date the window is checked against.

        Raises:
            RecordNotFoundError: no such record (or withdrawn already).
            NotLinkedError: official whose account is not linked.
            NotOwnRecordError, SampleRecordError, WindowClosedError: the
                official may not change this record (nothing is written).
        """
        now = now or _utcnow()
        with self._session() as s, s.begin():
            row, link = self._load(s, record_id, actor, channel, user_id, today, window_days)
            before = _record_view(row)
            # the pointer of older entries goes; their details stay (see the module docstring)
            unlinked = list(s.scalars(select(m.AuditEntry.id).where(m.AuditEntry.submission_id == row.id)))
            if unlinked:
                s.execute(update(m.AuditEntry).where(m.AuditEntry.id.in_(unlinked)).values(submission_id=None))
            s.delete(row)
            s.flush()
            AccountRepository._audit(
                s, actor=actor, action=WITHDRAW, channel=channel, user_id=user_id, agency_id=row.agency_id,
                message=message, now=now,
                detail={"record_id": before.id, "before": before.facts(), "message_id": str(message_id or ""),
                        "audit_entries_unlinked": unlinked, "link_id": link.id if link else None})
            return before

    def correct(self, record_id: int, change: Change, *, actor: str, today: date, window_days: int = 7,
                channel: Optional[str] = None, user_id: Optional[str] = None, message: str = "",
                message_id: Optional[str] = None, now: Optional[datetime] = None) -> Tuple[RecordView, RecordView]:
        """Set the obligation, the date sent and/or the document number of
        record ``record_id`` (``change``), with one audit entry holding
        ``before`` and ``after``. Returns ``(before, after)``. The window is
        counted from the record's creation, not from the correction.

        Raises:
            RecordNotFoundError, NotLinkedError, NotOwnRecordError,
                SampleRecordError, WindowClosedError: as :meth:`withdraw`.
            UnknownObligationError: ``change.obligation_code`` is unknown.
            NothingToChangeError: the record already reads like that.
            DuplicateSubmissionError: the agency already has a record of that
                obligation with that number.
        """
        now = now or _utcnow()
        with self._session() as s, s.begin():
            row, link = self._load(s, record_id, actor, channel, user_id, today, window_days)
            before = _record_view(row)
            before_key = (row.obligation_id, row.received_on, row.reference_number)
            with s.no_autoflush:  # the duplicate check must see the database, not our change
                if change.obligation_code is not None:
                    obligation = s.scalars(select(m.Obligation).where(
                        m.Obligation.code == change.obligation_code.strip().upper())).first()
                    if obligation is None:
                        raise UnknownObligationError(change.obligation_code)
                    row.obligation_id, row.obligation = obligation.id, obligation
                if change.received_on is not None:
                    row.received_on = change.received_on
                if change.reference_number is not None:
                    row.reference_number = change.reference_number.strip()
                if (row.obligation_id, row.received_on, row.reference_number) == before_key:
                    raise NothingToChangeError(f"record {record_id} unchanged")
                duplicate = s.scalars(select(m.Submission.id).where(
                    m.Submission.agency_id == row.agency_id, m.Submission.obligation_id == row.obligation_id,
                    m.Submission.reference_number == row.reference_number, m.Submission.id != row.id)).first()
                if duplicate is not None:
                    raise DuplicateSubmissionError(f"{before.agency_code} {row.obligation.code} {row.reference_number}")
            try:
                s.flush()
            except IntegrityError as exc:  # a concurrent write took the same key
                raise DuplicateSubmissionError(str(record_id)) from exc
            after = _record_view(row)
            AccountRepository._audit(
                s, actor=actor, action=CORRECT, channel=channel, user_id=user_id, agency_id=row.agency_id,
                submission_id=row.id, message=message, now=now,
                detail={"record_id": row.id, "before": before.facts(), "after": after.facts(),
                        "message_id": str(message_id or ""), "link_id": link.id if link else None})
            return before, after

    @staticmethod
    def _load(s: Session, record_id: int, actor: str, channel: Optional[str], user_id: Optional[str],
              today: date, window_days: int) -> Tuple[m.Submission, Optional[m.AccountLink]]:
        """The row to change and, for an official, the account's link, both read
        inside the caller's transaction; raises as :meth:`withdraw` says."""
        row = s.get(m.Submission, record_id)
        if row is None:
            raise RecordNotFoundError(record_id)
        if actor == "operator":
            return row, None
        link = s.scalars(select(m.AccountLink).where(
            m.AccountLink.channel == (channel or ""), m.AccountLink.user_id == str(user_id or ""),
            m.AccountLink.revoked_at.is_(None))).first()
        if link is None:
            raise NotLinkedError(f"{channel}:{user_id}")
        view = _record_view(row)
        if row.agency_id != link.agency_id:
            raise NotOwnRecordError(view, link.agency.code)
        if row.is_sample:
            raise SampleRecordError(view)
        last_day = view.last_day(window_days)
        if today > last_day:
            raise WindowClosedError(view, last_day, window_days)
        return row, link
