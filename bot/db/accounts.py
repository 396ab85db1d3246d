"""Chat accounts linked to agencies: link codes, roles, lock-out, audit trail,
reminder subscriptions, and submissions recorded by officials.

Roles: an account (channel + user id) with an active :class:`bot.db.models.AccountLink`
is an *official* of that one agency; every other account is *public* and can
change nothing; the *operator* works from the CLI (``python -m bot ...``).

Identity always comes from the database row for ``(channel, user_id)`` at the
moment of a write, never from conversation slots, so a message cannot claim to
be somebody else. ``channel`` and ``user_id`` are what the connector put on the
message (Telegram chat id, Zalo user id); only channels listed in
``Settings.identity_channels`` (signed webhooks) may link.

Timestamps are timezone-aware UTC ``datetime``; ``received_on`` is a local
Asia/Ho_Chi_Minh date. Every method opens and closes its own session and returns
frozen dataclasses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import List, Optional, Sequence, Union

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db import models as m
from bot.db.repository import insert_submission
from bot.db.views import DuplicateSubmissionError, SubmissionView, UnknownAgencyError
from bot.officials.link_codes import MAX_CANDIDATES, code_hash, format_code, mask_codes, new_code

MAX_MESSAGE_CHARS = 2000  # audit keeps at most this much of a chat message


class NotLinkedError(PermissionError):
    """The chat account is not linked to any agency (public role)."""


class WrongAgencyError(PermissionError):
    """The account is linked to another agency than the one it tried to write for."""

    def __init__(self, linked_code: str, requested_code: str) -> None:
        super().__init__(f"linked to {linked_code}, not {requested_code}")
        self.linked_code = linked_code
        self.requested_code = requested_code


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class IssuedCode:
    """A code as issued: shown once to the operator, stored only as a hash."""

    id: int
    code: str  # formatted "ABCDE-23456"
    agency_code: str
    agency_name: str
    expires_at: datetime


@dataclass(frozen=True)
class LinkView:
    id: int
    channel: str
    user_id: str
    agency_code: str
    agency_name: str
    linked_at: datetime
    revoked_at: Optional[datetime]
    subscribed: bool
    last_inbound_at: Optional[datetime]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class LinkResult:
    """Outcome of :meth:`AccountRepository.redeem_code`.

    ``status``: ``linked`` (``link`` set), ``locked`` (too many wrong codes;
    ``locked_until`` set), ``invalid`` (no such code), ``expired``, ``used``,
    ``revoked``, or ``channel_not_allowed``. ``failures_left`` counts the wrong
    codes still allowed before a lock-out.
    """

    status: str
    link: Optional[LinkView] = None
    locked_until: Optional[datetime] = None
    failures_left: Optional[int] = None


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    actor: str
    channel: Optional[str]
    user_id: Optional[str]
    action: str
    agency_code: Optional[str]
    message: str
    detail: dict


def _link_view(row: m.AccountLink) -> LinkView:
    return LinkView(
        id=row.id, channel=row.channel, user_id=row.user_id, agency_code=row.agency.code,
        agency_name=row.agency.name, linked_at=row.linked_at, revoked_at=row.revoked_at,
        subscribed=bool(row.subscribed), last_inbound_at=row.last_inbound_at,
    )


class AccountRepository:
    """Accounts, link codes and the audit trail. ``engine`` comes from
    :func:`bot.db.session.make_engine`; the tables from the migrations (:func:`bot.db.migrate.upgrade`).

    Errors: database failures propagate as ``sqlalchemy.exc.SQLAlchemyError``.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._Session = sessionmaker(bind=engine, future=True, expire_on_commit=False)

    def _session(self) -> Session:
        return self._Session()

    @staticmethod
    def _audit(s: Session, *, actor: str, action: str, channel: Optional[str] = None,
               user_id: Optional[str] = None, agency_id: Optional[int] = None,
               submission_id: Optional[int] = None, message: str = "", detail: Optional[dict] = None,
               now: Optional[datetime] = None) -> None:
        s.add(m.AuditEntry(
            at=now or _utcnow(), actor=actor, action=action, channel=channel, user_id=user_id,
            agency_id=agency_id, submission_id=submission_id, message=mask_codes(message)[:MAX_MESSAGE_CHARS],
            detail=detail or {},
        ))

    # ------------------------------------------------------------------ codes
    def issue_code(self, agency_code: str, *, ttl_hours: float = 72.0, now: Optional[datetime] = None,
                   created_by: str = "operator") -> IssuedCode:
        """Create a one-time link code for agency ``agency_code`` valid ``ttl_hours``.

        Returns the plain code (the only time it exists outside the operator's
        hands). Raises :class:`UnknownAgencyError`; ``ValueError`` if
        ``ttl_hours`` <= 0.
        """
        if ttl_hours <= 0:
            raise ValueError("ttl_hours must be positive")
        now = now or _utcnow()
        code = new_code()
        with self._session() as s, s.begin():
            agency = s.scalars(select(m.Agency).where(m.Agency.code == agency_code)).first()
            if agency is None:
                raise UnknownAgencyError(agency_code)
            row = m.LinkCode(agency_id=agency.id, code_hash=code_hash(code), created_at=now,
                             expires_at=now + timedelta(hours=ttl_hours), created_by=created_by)
            s.add(row)
            s.flush()
            self._audit(s, actor="operator", action="issue_code", agency_id=agency.id, now=now,
                        detail={"code_id": row.id, "expires_at": row.expires_at.isoformat()})
            return IssuedCode(id=row.id, code=format_code(code), agency_code=agency.code,
                              agency_name=agency.name, expires_at=row.expires_at)

    def lockout_until(self, channel: str, user_id: str, *, now: Optional[datetime] = None,
                      max_failures: int = 5, lockout_minutes: float = 15.0) -> Optional[datetime]:
        """When the account may try a code again, or ``None`` if it may now.

        Locked when it sent ``max_failures`` wrong codes within the last
        ``lockout_minutes``; the lock lasts ``lockout_minutes`` after the last one.
        """
        now = now or _utcnow()
        window = timedelta(minutes=lockout_minutes)
        with self._session() as s:
            times = list(s.scalars(
                select(m.LinkAttempt.at).where(
                    m.LinkAttempt.channel == channel, m.LinkAttempt.user_id == user_id,
                    m.LinkAttempt.ok.is_(False), m.LinkAttempt.at > now - window,
                ).order_by(m.LinkAttempt.at.desc())
            ))
        if len(times) >= max_failures:
            return times[0] + window
        return None

    def redeem_code(self, channel: str, user_id: str, code: Union[str, Sequence[str]], *, now: Optional[datetime] = None,
                    allowed_channels=("telegram", "zalo"), max_failures: int = 5,
                    lockout_minutes: float = 15.0, message: str = "") -> LinkResult:
        """Link ``(channel, user_id)`` to the agency of ``code`` (or of the one
        real code among several candidates, see :func:`bot.officials.link_codes.find_codes`) if it is
        valid, unexpired and unused; the code is then spent. An account already
        linked is moved to the new agency (a new code is the operator's say-so).

        A wrong, expired, used or revoked code counts as a failed attempt; after
        ``max_failures`` within ``lockout_minutes`` every attempt (even a right
        code) is refused until the lock ends. Never raises for bad input.
        """
        now = now or _utcnow()
        if channel not in allowed_channels:
            return LinkResult(status="channel_not_allowed")
        locked = self.lockout_until(channel, user_id, now=now, max_failures=max_failures,
                                    lockout_minutes=lockout_minutes)
        if locked is not None:
            return LinkResult(status="locked", locked_until=locked)
        with self._session() as s, s.begin():
            # a few candidates per attempt only: a message packed with codes must not be many guesses
            candidates = ([code] if isinstance(code, str) else list(code))[:MAX_CANDIDATES]
            rows = list(s.scalars(select(m.LinkCode).where(m.LinkCode.code_hash.in_([code_hash(c) for c in candidates]))))
            # a usable code among the candidates wins; a spent one still explains the refusal
            rows.sort(key=lambda r: (r.revoked_at is not None, r.used_at is not None))
            row = rows[0] if rows else None
            status = "linked"
            if row is None:
                status = "invalid"
            elif row.revoked_at is not None:
                status = "revoked"
            elif row.used_at is not None:
                status = "used"
            elif row.expires_at <= now:
                status = "expired"
            if status != "linked":
                s.add(m.LinkAttempt(channel=channel, user_id=user_id, at=now, ok=False))
                self._audit(s, actor="public", action="link_failed", channel=channel, user_id=user_id,
                            agency_id=row.agency_id if row else None, message=message, now=now,
                            detail={"reason": status})
                s.flush()
                failures = s.scalar(select(func.count()).select_from(m.LinkAttempt).where(
                    m.LinkAttempt.channel == channel, m.LinkAttempt.user_id == user_id,
                    m.LinkAttempt.ok.is_(False), m.LinkAttempt.at > now - timedelta(minutes=lockout_minutes),
                ))
                left = max(0, max_failures - failures)
                if left == 0:
                    return LinkResult(status="locked", locked_until=now + timedelta(minutes=lockout_minutes),
                                      failures_left=0)
                return LinkResult(status=status, failures_left=left)
            # Spend the code first, conditionally: of two concurrent redemptions only one wins.
            spent = s.execute(
                m.LinkCode.__table__.update()
                .where(m.LinkCode.id == row.id, m.LinkCode.used_at.is_(None))
                .values(used_at=now, used_by_channel=channel, used_by_user=user_id)
            ).rowcount
            if spent != 1:
                s.add(m.LinkAttempt(channel=channel, user_id=user_id, at=now, ok=False))
                return LinkResult(status="used")
            link = s.scalars(select(m.AccountLink).where(
                m.AccountLink.channel == channel, m.AccountLink.user_id == user_id)).first()
            if link is None:
                link = m.AccountLink(channel=channel, user_id=user_id, agency_id=row.agency_id,
                                     link_code_id=row.id, linked_at=now, subscribed=False, last_inbound_at=now)
                s.add(link)
            else:
                if link.agency_id != row.agency_id:
                    link.subscribed = False
                link.agency_id, link.link_code_id, link.linked_at = row.agency_id, row.id, now
                link.revoked_at, link.last_inbound_at = None, now
            s.add(m.LinkAttempt(channel=channel, user_id=user_id, at=now, ok=True))
            s.flush()
            self._audit(s, actor="official", action="link", channel=channel, user_id=user_id,
                        agency_id=row.agency_id, message=message, now=now, detail={"code_id": row.id})
            s.refresh(link)
            return LinkResult(status="linked", link=_link_view(link))

    def burn_codes(self, codes: Sequence[str], *, channel: str, user_id: str,
                   now: Optional[datetime] = None) -> int:
        """Revoke the still-usable codes among ``codes`` (at most
        :data:`MAX_CANDIDATES`), e.g. ones posted in a group chat where others
        saw them. Returns how many were revoked (audited as ``revoke_code``)."""
        now = now or _utcnow()
        hashes = [code_hash(c) for c in list(codes)[:MAX_CANDIDATES]]
        with self._session() as s, s.begin():
            rows = list(s.scalars(select(m.LinkCode).where(
                m.LinkCode.code_hash.in_(hashes), m.LinkCode.used_at.is_(None), m.LinkCode.revoked_at.is_(None))))
            for row in rows:
                row.revoked_at = now
                self._audit(s, actor="public", action="revoke_code", channel=channel, user_id=user_id,
                            agency_id=row.agency_id, now=now, detail={"code_id": row.id, "reason": "exposed"})
            return len(rows)

    def list_codes(self, *, include_spent: bool = False) -> List[dict]:
        """Issued codes (never the codes themselves): id, agency, created, expires,
        used (channel/user) and revoked, newest first."""
        with self._session() as s:
            q = select(m.LinkCode).order_by(m.LinkCode.id.desc())
            if not include_spent:
                q = q.where(m.LinkCode.used_at.is_(None), m.LinkCode.revoked_at.is_(None))
            return [
                dict(id=r.id, agency_code=r.agency.code, agency_name=r.agency.name,
                     created_at=r.created_at, expires_at=r.expires_at, used_at=r.used_at,
                     used_by=f"{r.used_by_channel}:{r.used_by_user}" if r.used_at else None,
                     revoked_at=r.revoked_at)
                for r in s.scalars(q)
            ]

    def revoke_code(self, code_id: int, *, now: Optional[datetime] = None) -> bool:
        """Withdraw an unused code. ``True`` if it was still usable."""
        now = now or _utcnow()
        with self._session() as s, s.begin():
            row = s.get(m.LinkCode, code_id)
            if row is None or row.used_at is not None or row.revoked_at is not None:
                return False
            row.revoked_at = now
            self._audit(s, actor="operator", action="revoke_code", agency_id=row.agency_id, now=now,
                        detail={"code_id": code_id})
            return True

    # ------------------------------------------------------------------ links
    def account(self, channel: str, user_id: str) -> Optional[LinkView]:
        """The active link of ``(channel, user_id)``, or ``None`` (public)."""
        with self._session() as s:
            row = s.scalars(select(m.AccountLink).where(
                m.AccountLink.channel == channel, m.AccountLink.user_id == str(user_id),
                m.AccountLink.revoked_at.is_(None))).first()
            return _link_view(row) if row else None

    def list_links(self, *, include_revoked: bool = False) -> List[LinkView]:
        """Links ordered by agency code then id."""
        with self._session() as s:
            q = select(m.AccountLink).join(m.Agency, m.AccountLink.agency_id == m.Agency.id)
            if not include_revoked:
                q = q.where(m.AccountLink.revoked_at.is_(None))
            return [_link_view(r) for r in s.scalars(q.order_by(m.Agency.code, m.AccountLink.id))]

    def revoke_link(self, link_id: int, *, actor: str = "operator", message: str = "",
                    now: Optional[datetime] = None) -> Optional[LinkView]:
        """End link ``link_id`` (reminders stop with it). Returns the revoked link,
        or ``None`` if there is no active link with that id."""
        now = now or _utcnow()
        with self._session() as s, s.begin():
            row = s.get(m.AccountLink, link_id)
            if row is None or row.revoked_at is not None:
                return None
            row.revoked_at, row.subscribed = now, False
            self._audit(s, actor=actor, action="revoke_link" if actor == "operator" else "unlink",
                        channel=row.channel, user_id=row.user_id, agency_id=row.agency_id, message=message,
                        now=now, detail={"link_id": row.id})
            s.flush()
            return _link_view(row)

    def set_subscribed(self, channel: str, user_id: str, on: bool, *, message: str = "",
                       now: Optional[datetime] = None) -> LinkView:
        """Switch reminders on or off for a linked account.

        Raises:
            NotLinkedError: the account is not linked (public accounts get no reminders).
        """
        now = now or _utcnow()
        with self._session() as s, s.begin():
            row = s.scalars(select(m.AccountLink).where(
                m.AccountLink.channel == channel, m.AccountLink.user_id == str(user_id),
                m.AccountLink.revoked_at.is_(None))).first()
            if row is None:
                raise NotLinkedError(f"{channel}:{user_id}")
            if bool(row.subscribed) != on:
                row.subscribed = on
                self._audit(s, actor="official", action="subscribe" if on else "unsubscribe", channel=channel,
                            user_id=str(user_id), agency_id=row.agency_id, message=message, now=now)
            s.flush()
            return _link_view(row)

    def touch(self, channel: str, user_id: str, *, now: Optional[datetime] = None) -> None:
        """Note that a linked account just wrote to us (``last_inbound_at``): Zalo
        lets an OA message a user freely only within a window after that, and
        the operator's list of links shows it."""
        now = now or _utcnow()
        with self._session() as s, s.begin():
            s.execute(m.AccountLink.__table__.update().where(
                m.AccountLink.channel == channel, m.AccountLink.user_id == str(user_id),
                m.AccountLink.revoked_at.is_(None)).values(last_inbound_at=now))

    # ------------------------------------------------------------ submissions
    def record_for_account(self, channel: str, user_id: str, agency_code: str, obligation_code: str,
                           received_on: date, reference_number: str, *, message: str = "",
                           message_id: Optional[str] = None, now: Optional[datetime] = None) -> SubmissionView:
        """Write one submission on behalf of a linked official, with an audit entry
        (who, channel, when, the chat message), in one transaction.

        The account's link is read here, inside the transaction: ``agency_code``
        (what the conversation proposed) must be the linked agency.

        Raises:
            NotLinkedError: the account is public.
            WrongAgencyError: it is linked to another agency.
            UnknownObligationError: no such obligation.
            DuplicateSubmissionError: same agency, obligation and reference
                number already recorded, or the same chat message (``message_id``)
                was already used to record one (a replayed message).
        """
        now = now or _utcnow()
        ref = (reference_number or "").strip()
        with self._session() as s, s.begin():
            link = s.scalars(select(m.AccountLink).where(
                m.AccountLink.channel == channel, m.AccountLink.user_id == str(user_id),
                m.AccountLink.revoked_at.is_(None))).first()
            if link is None:
                raise NotLinkedError(f"{channel}:{user_id}")
            if link.agency.code != agency_code:
                raise WrongAgencyError(link.agency.code, agency_code)
            if message_id:
                replay = s.scalars(select(m.AuditEntry.id).where(
                    m.AuditEntry.action == "record_submission", m.AuditEntry.channel == channel,
                    m.AuditEntry.user_id == str(user_id),
                    m.AuditEntry.detail["message_id"].as_string() == str(message_id))).first()
                if replay is not None:
                    raise DuplicateSubmissionError(f"message {message_id} already recorded")
            sub, obl = insert_submission(s, link.agency, obligation_code, received_on, ref,
                                         note=f"Ghi nhận qua {channel}")
            self._audit(s, actor="official", action="record_submission", channel=channel, user_id=str(user_id),
                        agency_id=link.agency_id, submission_id=sub.id, message=message, now=now,
                        detail={"obligation": obl.code, "received_on": received_on.isoformat(),
                                "reference_number": ref, "message_id": str(message_id or "")})
            return SubmissionView(agency_code=link.agency.code, obligation_code=obl.code,
                                  received_on=received_on, reference_number=ref, note=sub.note, is_sample=False)

    # ------------------------------------------------------------------ audit
    def audit_trail(self, *, limit: int = 50, agency_code: Optional[str] = None) -> List[AuditView]:
        """Latest audit entries first (at most ``limit``)."""
        with self._session() as s:
            q = select(m.AuditEntry, m.Agency.code).outerjoin(m.Agency, m.AuditEntry.agency_id == m.Agency.id)
            if agency_code:
                q = q.where(m.Agency.code == agency_code)
            rows = s.execute(q.order_by(m.AuditEntry.id.desc()).limit(limit)).all()
            return [AuditView(id=a.id, at=a.at, actor=a.actor, channel=a.channel, user_id=a.user_id,
                              action=a.action, agency_code=code, message=a.message, detail=dict(a.detail or {}))
                    for a, code in rows]
