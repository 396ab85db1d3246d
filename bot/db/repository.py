"""Everything the bot and the CLI read from or write to the agency database.

All methods open and close their own session and return frozen dataclasses
(never ORM objects), so nothing is lazily loaded after the session is gone.
Dates are local calendar dates (Asia/Ho_Chi_Minh).

Errors: lookups by code raise :class:`UnknownAgencyError` /
:class:`UnknownObligationError` (both ``LookupError``); a second submission with
the same (agency, obligation, reference number) raises
:class:`DuplicateSubmissionError`; database failures propagate as
``sqlalchemy.exc.SQLAlchemyError`` (``OperationalError`` on timeouts).

Operator files: :meth:`Repository.import_submissions` validates and imports a
``.csv``/``.xlsx`` table all-or-nothing; :meth:`Repository.export_status` and
:meth:`Repository.export_overdue` build tables for :func:`bot.tabular.write_table`
(which reads and writes the files and neutralises spreadsheet formulas).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml
from sqlalchemy import and_, exists, func, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import tabular
from bot.agencies import AgencyDirectory, load_agencies, load_successions
from bot.db import models as m
from bot.text import fold
from bot.periods import days_between, parse_obligation_kind, parse_quarter_and_year

OBLIGATION_KINDS = ("plan", "quarterly_report")
DUE_DATE_ORIGINS = ("operator_default", "directive")
CSV_COLUMNS = ("agency", "obligation", "received_on", "reference_number", "note")
MAX_REFERENCE_CHARS = 128  # m.Submission.reference_number is String(128)
STATE_LABELS_VI = {"submitted": "đã gửi", "open": "chưa đến hạn", "overdue": "quá hạn"}
STATUS_EXPORT_COLUMNS = (
    "ma_co_quan", "co_quan", "ma_nghia_vu", "nghia_vu", "han_nop", "nguon_han", "trang_thai",
    "ngay_nhan", "so_hieu", "so_ngay_qua_han", "ghi_chu", "du_lieu_mau",
)
OVERDUE_EXPORT_COLUMNS = (
    "ma_co_quan", "co_quan", "ma_nghia_vu", "nghia_vu", "han_nop", "nguon_han", "so_ngay_qua_han",
)


class UnknownAgencyError(LookupError):
    """No agency with this code."""


class UnknownObligationError(LookupError):
    """No obligation with this code."""


class DuplicateSubmissionError(ValueError):
    """The same (agency, obligation, reference number) is already recorded."""


# --------------------------------------------------------------------------- #
# Views                                                                        #
# --------------------------------------------------------------------------- #
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
class SeedReport:
    agencies: int
    obligations: int
    successions: int
    samples_added: int
    changed: bool


@dataclass(frozen=True)
class RowError:
    row: int  # line number in the file (header = 1); 0 = the whole file
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """Outcome of :meth:`Repository.import_submissions`.

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


_DATE_RE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _quote(text: str, limit: int = 80) -> str:
    """A cell's text made safe to show in a report: control characters (which
    could drive a terminal) become spaces, and long text is shortened."""
    text = _CONTROL_RE.sub(" ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_vn_date(text: str) -> date:
    """Parse ``DD/MM/YYYY`` (also ``D/M/YYYY``).

    Raises:
        ValueError: with a Vietnamese message when the text is not a valid date.
    """
    mt = _DATE_RE.match(text or "")
    if not mt:
        raise ValueError(f"ngày '{text}' không đúng định dạng DD/MM/YYYY")
    d, mo, y = (int(x) for x in mt.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError(f"ngày '{text}' không tồn tại") from None


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

    # ------------------------------------------------------------ schema/seed
    def init_schema(self) -> None:
        """Create missing tables (never drops or alters existing ones)."""
        m.Base.metadata.create_all(self.engine)

    def seed(self, data_dir: Path, with_samples: bool = True) -> SeedReport:
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
        with self._session() as s, s.begin():
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
            if with_samples and (data_dir / "sample_submissions.csv").exists():
                header, cells = tabular.read_rows(data_dir / "sample_submissions.csv")
                rows, errors = self._validate_rows(s, header, cells, directory, None, skip_existing=True)
                if errors:
                    raise ValueError(
                        "sample_submissions.csv: " + "; ".join(f"dòng {e.row}: {e.reason}" for e in errors)
                    )
                for r in rows:
                    s.add(m.Submission(is_sample=True, **r))
                    added += 1
                changed = changed or added > 0
        return SeedReport(
            agencies=len(agencies), obligations=len(obligations), successions=len(successions),
            samples_added=added, changed=changed,
        )

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

    def export_status(self, today: date) -> Tuple[Tuple[str, ...], List[list]]:
        """Table of every agency x obligation on ``today`` (a local date in
        Asia/Ho_Chi_Minh), for :func:`bot.tabular.write_table`.

        Returns:
            ``(STATUS_EXPORT_COLUMNS, rows)``, one row per agency and obligation:
            codes and names; ``han_nop`` and ``ngay_nhan`` as ``date`` (written
            ``DD/MM/YYYY``); ``nguon_han`` ``operator_default`` or ``directive``;
            ``trang_thai`` ``đã gửi`` / ``chưa đến hạn`` / ``quá hạn``;
            ``so_ngay_qua_han`` the days overdue, or for a submitted obligation
            the days it arrived late (0 = on time), empty while still open;
            ``ghi_chu`` the submission's note; ``du_lieu_mau`` ``có`` for sample
            data. Cells are raw values: formula neutralising is the writer's job.
        """
        rows = []
        for st in self.all_statuses(today):
            for it in st.items:
                o, sub = it.obligation, it.submission
                days = it.days_overdue if it.state == "overdue" else (it.days_late if it.state == "submitted" else None)
                rows.append([
                    st.agency.code, st.agency.name, o.code, o.title, o.due_date, o.due_date_origin,
                    STATE_LABELS_VI[it.state], sub.received_on if sub else None, sub.reference_number if sub else "",
                    days, sub.note if sub else "", "có" if sub is not None and sub.is_sample else "",
                ])
        return STATUS_EXPORT_COLUMNS, rows

    def export_overdue(self, today: date, obligation_code: Optional[str] = None) -> Tuple[Tuple[str, ...], List[list]]:
        """Table of :meth:`overdue_agencies` on ``today`` (a local date), same
        order, for :func:`bot.tabular.write_table`.

        Returns:
            ``(OVERDUE_EXPORT_COLUMNS, rows)``; ``han_nop`` is a ``date``,
            ``so_ngay_qua_han`` an ``int`` >= 1.

        Raises:
            UnknownObligationError: ``obligation_code`` given but unknown.
        """
        rows = [
            [e.agency.code, e.agency.name, e.obligation.code, e.obligation.title, e.obligation.due_date,
             e.obligation.due_date_origin, e.days_overdue]
            for e in self.overdue_agencies(today, obligation_code)
        ]
        return OVERDUE_EXPORT_COLUMNS, rows

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

    # ----------------------------------------------------------- file import
    def import_submissions(
        self, path: Path, directory: AgencyDirectory, *, today: Optional[date] = None, actor: str = "import",
    ) -> ImportReport:
        """Import submissions from a ``.csv`` or ``.xlsx`` table (read by
        :func:`bot.tabular.read_rows`; columns ``agency,obligation,received_on,
        reference_number,note`` in any order, header on the first non-blank row).

        Every row is validated first: agency (name/alias, via
        ``directory.resolve``), obligation (code such as ``BC-2022-Q1`` or text
        such as "báo cáo quý 1/2022"), date ``DD/MM/YYYY`` or an Excel date cell
        (a local date, not after ``today`` when given), reference number at most
        128 characters, no cell over 2,000 characters, duplicates within the file
        and against the database. Cells are plain text: a value such as ``=1+1``
        is stored as typed and never evaluated. If any row fails, or the file
        itself cannot be read (unsupported extension, corrupt, empty, more than
        50,000 rows), nothing is written; otherwise all rows are inserted, with
        one :class:`bot.db.models.AuditEntry` (``action`` ``import_submissions``,
        ``actor`` = ``actor``, ``detail`` ``{"file": <file name>, "rows": n}``),
        in a single transaction.

        Args:
            path: the file.
            directory: resolves agency names and aliases.
            today: local date (Asia/Ho_Chi_Minh) after which a receipt date is
                rejected; ``None`` accepts any date.
            actor: recorded in the audit entry (at most 16 characters), e.g.
                ``"operator"`` from the command line.

        Returns:
            An :class:`ImportReport` (``ok`` false: nothing was written).

        Raises:
            FileNotFoundError: ``path`` does not exist.
            ValueError: ``actor`` is empty or longer than 16 characters.
            sqlalchemy.exc.SQLAlchemyError: database failure (nothing written).
        """
        if not actor or len(actor) > 16:
            raise ValueError(f"actor must be 1-16 characters, got {actor!r}")
        path = Path(path)
        try:
            header, cells = tabular.read_rows(path)
        except tabular.TableError as exc:
            return ImportReport(path=str(path), total_rows=0, inserted=0,
                                errors=(RowError(exc.line or 0, str(exc)),))
        with self._session() as s:
            try:
                rows, errors = self._validate_rows(s, header, cells, directory, today, skip_existing=False)
            except _HeaderError as exc:
                return ImportReport(path=str(path), total_rows=0, inserted=0, errors=(RowError(1, str(exc)),))
            total = len(cells)
            if errors:
                s.rollback()
                return ImportReport(path=str(path), total_rows=total, inserted=0, errors=tuple(errors))
            s.add_all(m.Submission(is_sample=False, **r) for r in rows)
            s.add(m.AuditEntry(actor=actor, action="import_submissions", message="",
                               detail={"file": os.path.basename(str(path)), "rows": len(rows)}))
            try:
                s.commit()
            except IntegrityError:
                s.rollback()
                return ImportReport(path=str(path), total_rows=total, inserted=0, errors=(
                    RowError(0, "trùng với dữ liệu vừa được ghi đồng thời; hãy chạy lại lệnh nhập"),))
            return ImportReport(path=str(path), total_rows=total, inserted=len(rows), errors=())

    def import_submissions_csv(
        self, path: Path, directory: AgencyDirectory, *, today: Optional[date] = None, actor: str = "import",
    ) -> ImportReport:
        """Alias of :meth:`import_submissions` (kept for existing callers; it
        accepts ``.xlsx`` too)."""
        return self.import_submissions(path, directory, today=today, actor=actor)

    def _validate_rows(self, s: Session, header: List[str], cells_by_line: List[Tuple[int, List[str]]],
                       directory: AgencyDirectory, today: Optional[date],
                       skip_existing: bool) -> Tuple[List[dict], List[RowError]]:
        """Check rows from :func:`bot.tabular.read_rows`; returns the rows to
        insert (as ``m.Submission`` keyword arguments) and the errors.

        Raises:
            _HeaderError: a required column is missing.
        """
        header = [h.strip().lower() for h in header]
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise _HeaderError(f"thiếu cột {', '.join(missing)} (cần: {','.join(CSV_COLUMNS)})")
        idx = {c: header.index(c) for c in CSV_COLUMNS}
        agency_ids = {code: i for i, code in s.execute(select(m.Agency.id, m.Agency.code))}
        obligations = list(s.scalars(select(m.Obligation)))
        obl_by_code = {o.code.upper(): o for o in obligations}
        existing = set(s.execute(select(m.Submission.agency_id, m.Submission.obligation_id,
                                        m.Submission.reference_number)).all())
        seen: Dict[tuple, int] = {}
        rows: List[dict] = []
        errors: List[RowError] = []
        for line_no, cells in cells_by_line:
            if not any(c.strip() for c in cells):
                continue
            cells = cells + [""] * (len(header) - len(cells))
            too_long = [
                (header[i] if i < len(header) and header[i] else f"số {i + 1}", len(c))
                for i, c in enumerate(cells) if len(c) > tabular.MAX_CELL_CHARS
            ]
            if too_long:
                limit = f"{tabular.MAX_CELL_CHARS:,}".replace(",", ".")
                errors.append(RowError(line_no, "; ".join(
                    f"ô ở cột {_quote(col, 40)} dài {n} ký tự, vượt giới hạn {limit} ký tự" for col, n in too_long)))
                continue
            get = lambda c: cells[idx[c]].strip()  # noqa: E731
            reasons = []
            agency_id = None
            res = directory.resolve(get("agency")) if get("agency") else None
            if res is None:
                reasons.append("thiếu tên cơ quan")
            elif res.status == "found":
                agency_id = agency_ids.get(res.agency.code)
                if agency_id is None:
                    reasons.append(f"cơ quan '{res.agency.name}' chưa có trong cơ sở dữ liệu (chạy init-db)")
            elif res.status == "ambiguous":
                names = ", ".join(a.name for a in res.candidates[:6])
                reasons.append(f"tên cơ quan '{_quote(get('agency'))}' chưa rõ, có thể là: {names}")
            else:
                msg = f"không nhận ra cơ quan '{_quote(get('agency'))}'"
                if res.note:
                    msg += f" ({res.note})"
                elif res.suggestions:
                    msg += f"; có phải: {', '.join(a.name for a in res.suggestions)}?"
                reasons.append(msg)
            obl = self._match_obligation(get("obligation"), obl_by_code, obligations, today)
            if obl is None:
                reasons.append(f"không nhận ra nghĩa vụ '{_quote(get('obligation'))}' "
                               f"(ví dụ: {', '.join(sorted(obl_by_code))})")
            received = None
            try:
                received = parse_vn_date(get("received_on"))
                if today is not None and received > today:
                    reasons.append(f"ngày nhận {get('received_on')} ở sau ngày hôm nay")
                    received = None
            except ValueError as exc:
                raw = get("received_on")
                reasons.append(str(exc).replace(f"'{raw}'", f"'{_quote(raw, 40)}'", 1))
            ref = get("reference_number")
            if len(ref) > MAX_REFERENCE_CHARS:
                reasons.append(f"số hiệu dài {len(ref)} ký tự, vượt giới hạn {MAX_REFERENCE_CHARS} ký tự")
            if agency_id is not None and obl is not None:
                key = (agency_id, obl.id, ref)
                if key in seen:
                    reasons.append(f"trùng với dòng {seen[key]} (cùng cơ quan, nghĩa vụ và số hiệu '{_quote(ref)}')")
                elif key in existing:
                    if skip_existing and not reasons:
                        seen[key] = line_no
                        continue
                    reasons.append(f"đã có trong cơ sở dữ liệu (cùng cơ quan, nghĩa vụ và số hiệu '{_quote(ref)}')")
                seen.setdefault(key, line_no)
            if reasons:
                errors.append(RowError(line_no, "; ".join(reasons)))
            else:
                rows.append(dict(agency_id=agency_id, obligation_id=obl.id, received_on=received,
                                 reference_number=ref, note=get("note")))
        return rows, errors

    @staticmethod
    def _match_obligation(text: str, by_code: Dict[str, m.Obligation], all_: Sequence[m.Obligation],
                          today: Optional[date] = None):
        if not text:
            return None
        o = by_code.get(text.strip().upper())
        if o is not None:
            return o
        kind = parse_obligation_kind(text)
        period = parse_quarter_and_year(text, today or date.today())
        if kind is None or period is None or period.year is None:
            return None
        for o in all_:
            if o.kind == kind and o.year == period.year and (kind == "plan" or o.quarter == period.quarter):
                return o
        return None


class _HeaderError(ValueError):
    pass
