"""Queries and writes of the agency database: agencies, obligations, submissions.

All methods open and close their own session and return the frozen
dataclasses of :mod:`bot.db.views`, never ORM objects. Dates are local
calendar dates (Asia/Ho_Chi_Minh).

Errors: lookups by code raise :class:`~bot.db.views.UnknownAgencyError` /
:class:`~bot.db.views.UnknownObligationError` (both ``LookupError``); a second
submission with the same (agency, obligation, reference number) raises
:class:`~bot.db.views.DuplicateSubmissionError`; database failures propagate as
``sqlalchemy.exc.SQLAlchemyError`` (``OperationalError`` on timeouts).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import and_, exists, func, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import models as m
from bot.db.views import (
    AgencyStatus,
    AgencyView,
    DuplicateSubmissionError,
    ImportContext,
    ObligationStatus,
    ObligationView,
    OverdueEntry,
    SubmissionView,
    SuccessionView,
    UnknownAgencyError,
    UnknownObligationError,
)
from bot.domain.dates import days_between
from bot.domain.text import fold


# --------------------------------------------------------------------------- #
def _agency_view(a: m.Agency) -> AgencyView:
    return AgencyView(code=a.code, name=a.name, kind=a.kind, aliases=tuple(a.aliases or ()))


def _obligation_view(o: m.Obligation) -> ObligationView:
    return ObligationView(
        code=o.code, kind=o.kind, year=o.year, quarter=o.quarter, title=o.title, due_date=o.due_date,
        due_date_origin=o.due_date_origin, due_date_source=o.due_date_source,
    )


def _submission_view(s: m.Submission, agency_code: str, obligation_code: str) -> SubmissionView:
    return SubmissionView(
        agency_code=agency_code, obligation_code=obligation_code, received_on=s.received_on,
        reference_number=s.reference_number, note=s.note, is_sample=bool(s.is_sample),
    )


def _obligation_status(ov: ObligationView, sub: Optional[SubmissionView], today: date) -> ObligationStatus:
    """State of one obligation on ``today`` given the submission that counts
    (the earliest received on or before ``today``), if any."""
    if sub is not None:
        late = days_between(ov.due_date, sub.received_on)
        return ObligationStatus(obligation=ov, state="submitted", submission=sub, days_late=late if late > 0 else 0)
    left = days_between(today, ov.due_date)
    if left >= 0:
        return ObligationStatus(obligation=ov, state="open", days_left=left)
    return ObligationStatus(obligation=ov, state="overdue", days_overdue=-left)


def import_context(s: Session) -> ImportContext:
    """Ids and recorded submissions a file import checks its rows against,
    read inside the caller's session ``s``."""
    obligations = list(s.scalars(select(m.Obligation)))
    return ImportContext(
        agency_ids={code: int(i) for i, code in s.execute(select(m.Agency.id, m.Agency.code))},
        obligations=tuple(_obligation_view(o) for o in obligations),
        obligation_ids={o.code: int(o.id) for o in obligations},
        existing=frozenset((int(a), int(o), ref) for a, o, ref in s.execute(
            select(m.Submission.agency_id, m.Submission.obligation_id, m.Submission.reference_number))),
    )


def insert_submission(s: Session, agency: m.Agency, obligation_code: str, received_on: date,
                      reference_number: str, *, note: str = "", is_sample: bool = False
                      ) -> Tuple[m.Submission, m.Obligation]:
    """Add one submission of ``agency`` inside the caller's transaction ``s``
    (flushed, so it has an id). The obligation code is case-insensitive; the
    reference number is stripped.

    Raises:
        UnknownObligationError: no such obligation.
        DuplicateSubmissionError: same agency, obligation and reference number
            (also when a concurrent transaction inserted it first).
    """
    ref = (reference_number or "").strip()
    obl = s.scalars(select(m.Obligation).where(func.upper(m.Obligation.code) == obligation_code.strip().upper())).first()
    if obl is None:
        raise UnknownObligationError(obligation_code)
    dup = s.scalars(select(m.Submission.id).where(
        m.Submission.agency_id == agency.id, m.Submission.obligation_id == obl.id,
        m.Submission.reference_number == ref,
    )).first()
    if dup is not None:
        raise DuplicateSubmissionError(f"{agency.code} {obl.code} {ref}")
    sub = m.Submission(agency_id=agency.id, obligation_id=obl.id, received_on=received_on,
                       reference_number=ref, note=note or "", is_sample=is_sample)
    s.add(sub)
    try:
        s.flush()
    except IntegrityError as exc:
        raise DuplicateSubmissionError(f"{agency.code} {obl.code} {ref}") from exc
    return sub, obl


class Repository:
    """Data access for the assistant. ``engine`` comes from
    :func:`bot.db.session.make_engine`."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._Session = sessionmaker(bind=engine, future=True, expire_on_commit=False)

    def _session(self) -> Session:
        return self._Session()

    # -------------------------------------------------------------- obligations
    def get_obligation(self, kind: str, year: int, quarter: Optional[int] = None) -> Optional[ObligationView]:
        """The obligation of ``kind`` for ``year`` (and ``quarter`` for quarterly
        reports; ignored for the plan), or ``None``."""
        with self._session() as s:
            q = select(m.Obligation).where(m.Obligation.kind == kind, m.Obligation.year == year)
            if kind == "quarterly_report":
                q = q.where(m.Obligation.quarter == quarter)
            row = s.scalars(q.order_by(m.Obligation.due_date)).first()
            return _obligation_view(row) if row else None

    def get_obligation_by_code(self, code: str) -> Optional[ObligationView]:
        """Obligation by code (case-insensitive), or ``None``."""
        with self._session() as s:
            row = s.scalars(select(m.Obligation).where(func.upper(m.Obligation.code) == code.strip().upper())).first()
            return _obligation_view(row) if row else None

    def list_obligations(self, year: Optional[int] = None) -> List[ObligationView]:
        """All obligations (of ``year`` if given) ordered by due date."""
        with self._session() as s:
            q = select(m.Obligation)
            if year is not None:
                q = q.where(m.Obligation.year == year)
            return [_obligation_view(o) for o in s.scalars(q.order_by(m.Obligation.due_date, m.Obligation.code))]

    def get_agency(self, code: str) -> Optional[AgencyView]:
        """Agency by code, or ``None``."""
        with self._session() as s:
            row = s.scalars(select(m.Agency).where(m.Agency.code == code)).first()
            return _agency_view(row) if row else None

    # ------------------------------------------------------------------ status
    def agency_status(self, code: str, today: date) -> AgencyStatus:
        """Per-obligation state of agency ``code`` on ``today``. The earliest
        submission received on or before ``today`` counts (a real one before
        any sample row: a recorded document replaces the shipped example);
        later ones are ignored, so a past ``today`` gives the situation as it
        was then.

        Raises:
            UnknownAgencyError: no such agency code.
        """
        with self._session() as s:
            agency = s.scalars(select(m.Agency).where(m.Agency.code == code)).first()
            if agency is None:
                raise UnknownAgencyError(code)
            subs: Dict[int, m.Submission] = {}
            for sub in s.scalars(
                select(m.Submission)
                .where(m.Submission.agency_id == agency.id, m.Submission.received_on <= today)
                .order_by(m.Submission.is_sample, m.Submission.received_on, m.Submission.id)  # real rows before samples
            ):
                subs.setdefault(sub.obligation_id, sub)
            items = []
            for o in s.scalars(select(m.Obligation).order_by(m.Obligation.due_date, m.Obligation.code)):
                sub = subs.get(o.id)
                items.append(_obligation_status(
                    _obligation_view(o), _submission_view(sub, code, o.code) if sub is not None else None, today))
            succ = s.scalars(
                select(m.AgencySuccession).where(m.AgencySuccession.predecessor_id == agency.id)
                .order_by(m.AgencySuccession.effective)
            ).first()
            succ_view = None
            if succ is not None:
                succ_view = SuccessionView(
                    predecessor_code=code, successor_name=succ.successor_name,
                    successor_code=succ.successor.code if succ.successor else None,
                    effective=succ.effective, kind=succ.kind, source=succ.source,
                )
            return AgencyStatus(agency=_agency_view(agency), today=today, items=tuple(items), succession=succ_view)

    def overdue_agencies(self, today: date, obligation_code: Optional[str] = None) -> List[OverdueEntry]:
        """Agencies with no submission (received on or before ``today``) for an
        obligation whose due date is before ``today``; ordered by due date, then
        agency name (diacritic-insensitive).

        Raises:
            UnknownObligationError: ``obligation_code`` given but unknown.
        """
        with self._session() as s:
            oq = select(m.Obligation).where(m.Obligation.due_date < today)
            if obligation_code is not None:
                if s.scalars(select(m.Obligation).where(m.Obligation.code == obligation_code)).first() is None:
                    raise UnknownObligationError(obligation_code)
                oq = oq.where(m.Obligation.code == obligation_code)
            submitted = exists().where(and_(
                m.Submission.agency_id == m.Agency.id, m.Submission.obligation_id == m.Obligation.id,
                m.Submission.received_on <= today,
            ))
            obligation_ids = oq.with_only_columns(m.Obligation.id).scalar_subquery()
            q = (
                select(m.Agency, m.Obligation)
                .select_from(m.Agency)
                .join(m.Obligation, true())
                .where(m.Obligation.id.in_(obligation_ids), ~submitted)
                .order_by(m.Obligation.due_date, m.Obligation.code, m.Agency.code)
            )
            entries = [
                OverdueEntry(agency=_agency_view(a), obligation=_obligation_view(o),
                             days_overdue=-days_between(today, o.due_date))
                for a, o in s.execute(q)
            ]
        # Sort in Python: database collations differ (SQLite vs PostgreSQL).
        entries.sort(key=lambda e: (e.obligation.due_date, e.obligation.code, fold(e.agency.name)))
        return entries

    def all_statuses(self, today: date) -> List[AgencyStatus]:
        """:meth:`agency_status` of every agency on ``today`` (a local date), in
        a few queries; agencies in the order of ``agencies.yml`` (insertion
        order), obligations by due date. ``succession`` is left ``None``."""
        with self._session() as s:
            agencies = list(s.scalars(select(m.Agency).order_by(m.Agency.id)))
            obligations = list(s.scalars(select(m.Obligation).order_by(m.Obligation.due_date, m.Obligation.code)))
            subs: Dict[Tuple[int, int], m.Submission] = {}
            for sub in s.scalars(
                select(m.Submission).where(m.Submission.received_on <= today)
                .order_by(m.Submission.is_sample, m.Submission.received_on, m.Submission.id)  # real rows before samples
            ):
                subs.setdefault((sub.agency_id, sub.obligation_id), sub)
            views = [(o, _obligation_view(o)) for o in obligations]
            out = []
            for a in agencies:
                items = []
                for o, ov in views:
                    sub = subs.get((a.id, o.id))
                    items.append(_obligation_status(
                        ov, _submission_view(sub, a.code, o.code) if sub is not None else None, today))
                out.append(AgencyStatus(agency=_agency_view(a), today=today, items=tuple(items)))
            return out

    # ------------------------------------------------------------------ writes
    def record_submission(
        self,
        agency_code: str,
        obligation_code: str,
        received_on: date,
        reference_number: str,
        note: str = "",
        is_sample: bool = False,
        actor: Optional[str] = None,
    ) -> SubmissionView:
        """Record that ``agency_code`` sent ``obligation_code`` on ``received_on``.
        With ``actor`` (e.g. ``"operator"``), an audit entry is written in the
        same transaction.

        Raises:
            UnknownAgencyError, UnknownObligationError: bad codes.
            DuplicateSubmissionError: same agency, obligation and reference number.
        """
        with self._session() as s:
            with s.begin():
                agency = s.scalars(select(m.Agency).where(m.Agency.code == agency_code)).first()
                if agency is None:
                    raise UnknownAgencyError(agency_code)
                sub, obl = insert_submission(s, agency, obligation_code, received_on, reference_number,
                                             note=note, is_sample=is_sample)
                if actor:
                    s.add(m.AuditEntry(actor=actor, action="record_submission", agency_id=agency.id,
                                       submission_id=sub.id, detail={
                                           "obligation": obl.code, "received_on": received_on.isoformat(),
                                           "reference_number": sub.reference_number}))
                return _submission_view(sub, agency.code, obl.code)

    def import_context(self) -> ImportContext:
        """See :func:`import_context`."""
        with self._session() as s:
            return import_context(s)

    def insert_submissions(self, rows: Sequence[Mapping[str, Any]], *, actor: str, action: str,
                           detail: Dict[str, Any]) -> int:
        """Insert checked rows (keyword arguments of :class:`bot.db.models.Submission`,
        from :func:`bot.submissions.rows.validate_rows`) and one audit entry, in one
        transaction; returns how many rows were written.

        Raises:
            DuplicateSubmissionError: a row was recorded meanwhile (nothing written).
        """
        try:
            with self._session() as s, s.begin():
                s.add_all(m.Submission(is_sample=False, **r) for r in rows)
                s.add(m.AuditEntry(actor=actor, action=action, message="", detail=detail))
        except IntegrityError as exc:
            raise DuplicateSubmissionError("a row was recorded meanwhile") from exc
        return len(rows)
