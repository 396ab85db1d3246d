"""Deadline reminders for linked officials (Telegram, Zalo).

A subscribed account (``account_link`` row with ``revoked_at IS NULL`` and
``subscribed = true``) gets one message per *stage* for every obligation its
agency has not submitted yet, in the channel it linked from.

The rule (:func:`plan`)
    ``days`` are the configured reminder days (``REMINDER_DAYS``, default 7 and
    1), ``catchup`` is ``REMINDER_CATCHUP_DAYS`` (default 2); ``L`` is the
    number of days left on the local date ``today`` (0 = due today) and ``D``
    the number of days overdue.

    * open obligation (``L >= 0``): let ``N`` be the smallest configured day
      with ``L <= N``. Stage ``before_N`` is due when ``L >= N - catchup``.
      With 7, 1 and catch-up 2: ``before_7`` on L = 7, 6 or 5, ``before_1`` on
      L = 1 or 0; nothing on L = 4, 3, 2 or more than 7 days ahead.
    * overdue obligation: stage ``overdue`` when ``1 <= D <= 1 + catchup``.
    * submitted obligation (a submission received on or before ``today``):
      nothing.
    * a stage is never planned when the delivery log already holds that stage
      or a later one for the same account and obligation (order: ``before_N``
      with bigger ``N`` first, ``overdue`` last), whatever its status.

    In words: a reminder goes out on its day, or up to ``catchup`` days late
    if the scheduler was down, never later; a scheduler started years after
    the deadlines sends nothing; a clock moved back never sends an earlier
    reminder after a later one.

At most once (:class:`ReminderStore`)
    Before a message goes out, a ``reminder_delivery`` row (account,
    obligation, stage) is inserted with status ``sending``; the table's unique
    key makes a second insert fail, and whoever fails skips the reminder. So a
    restart, a second scheduler process or a clock change never sends one
    twice. Afterwards the row becomes ``sent`` or ``failed`` (with the reason,
    secrets masked). A row still ``sending`` after :data:`STALE_AFTER` (the
    process died while sending) is reported as ``unknown`` and never re-sent.

Sending (:func:`load_senders`)
    Built from the same ``credentials.yml`` the Rasa server uses, through our
    connectors (``from_credentials(...).get_output_channel()``), which expand
    the quoted ``"${VAR}"`` settings from the environment. A channel whose
    required settings are missing is "not configured": its reminders are
    recorded as failed ("kênh chưa cấu hình"). Rasa and the connectors are
    imported only when a reminder is actually due. Zalo lets an OA send a
    customer-support message only to users who wrote to it within the last 7
    days; a refusal (error -230, -232, ...) is recorded as failed with the
    platform's code and shown by ``python -m bot reminders list --status failed``.

The scheduler (:func:`run_forever`, ``python -m bot scheduler``, started by ``make run``)
    A loop over the database, not Rasa's reminder events (those live in an
    in-memory APScheduler job store and are lost on restart): every
    ``REMINDER_INTERVAL_S`` seconds, between 07:00 and 21:00 local time, it runs
    :func:`run_once` for today's local date (``ASSISTANT_TODAY`` when set).

Dates are local dates in Asia/Ho_Chi_Minh; timestamps are UTC.
"""
from __future__ import annotations

import asyncio
import logging
import re
import signal
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import (Any, Callable, Collection, Dict, Iterable, Iterator, List, Mapping, Optional, Protocol,
                    Sequence, Set, Tuple)
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, insert, select, true, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.channel_config import CHANNEL_SECTIONS as _SECTIONS
from bot.channel_config import TELEGRAM_REQUIRED, ZALO_REQUIRED, redact, setting
from bot.db import models as m
from bot.db.repository import AgencyStatus, AgencyView, ObligationStatus, Repository, UnknownAgencyError
from bot.periods import local_today
from bot.settings import PROJECT_ROOT, TIMEZONE, Settings

logger = logging.getLogger(__name__)

TZ = ZoneInfo(TIMEZONE)
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
OVERDUE = "overdue"
BEFORE = "before_"
SENT, FAILED, SENDING, UNKNOWN = "sent", "failed", "sending", "unknown"
STALE_AFTER = timedelta(minutes=10)  # a "sending" row older than this is reported as unknown
SEND_TIMEOUT_S = 90.0  # longest wait for one message (the connectors retry inside)
SEND_HOURS = (7, 21)  # the scheduler sends between 07:00 and 21:00 local time
NOT_CONFIGURED = "kênh chưa cấu hình"
WAITING = "waiting"  # outcome only: never stored
DIRECTIVE_SOURCE = "(Nguồn: Văn bản số 797/BTTTT-THH ngày 06/03/2022 của Bộ TT&TT.)"
OPERATOR_DEFAULT_NOTE = "Lưu ý: hạn do đơn vị vận hành đặt; Văn bản 797/BTTTT-THH không quy định ngày nộp."
UNSUBSCRIBE_NOTE = "Để tắt nhắc hạn, anh/chị gửi \"hủy nhắc hạn\"."

# credentials.yml section of each channel and its required credentials keys (bot.channel_config,
# which does not load Rasa: the scheduler imports the connectors only when it sends).
CHANNEL_SECTIONS = {
    "telegram": (_SECTIONS["telegram"], tuple(TELEGRAM_REQUIRED)),
    "zalo": (_SECTIONS["zalo"], tuple(ZALO_REQUIRED)),
}
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")

# Zalo OA error codes that mean "this user cannot be messaged now" (Zalo OpenAPI error table).
ZALO_REFUSALS = {
    -213: "người dùng chưa quan tâm OA hoặc đã bỏ quan tâm",
    -227: "tài khoản người dùng bị khóa hoặc không hoạt động quá 45 ngày",
    -230: "người dùng không nhắn tin cho OA trong 7 ngày qua, nên Zalo không cho OA gửi tin tư vấn",
    -232: "người dùng chưa tương tác với OA hoặc tương tác cuối đã quá hạn",
}


def _clean(text: str, secrets: Sequence[Optional[str]] = ()) -> str:
    """``text`` without passwords in URLs, ``secrets`` or token-looking parts."""
    return redact(_URL_PASSWORD.sub(r"\1***@", str(text)), secrets)


# --------------------------------------------------------------------------- #
# Planning (pure)                                                              #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Subscriber:
    """A subscribed account: ``channel`` ("telegram" | "zalo"), ``user_id`` (Telegram
    chat id or Zalo user id, as text) and the code of the agency it is linked to."""

    account_id: int
    channel: str
    user_id: str
    agency_code: str


@dataclass(frozen=True)
class Due:
    """A reminder due on ``today``: ``stage`` ``before_<N>`` or ``overdue`` for ``item``
    (the obligation's state on ``today``) of ``agency``, to ``subscriber``."""

    subscriber: Subscriber
    agency: AgencyView
    item: ObligationStatus
    stage: str
    today: date

    @property
    def obligation_code(self) -> str:
        return self.item.obligation.code


def stage_rank(stage: str) -> int:
    """Order of stages in time: ``before_7`` < ``before_1`` < ``before_0`` < ``overdue``.

    Raises:
        ValueError: not a stage name.
    """
    if stage == OVERDUE:
        return 1
    if stage.startswith(BEFORE) and stage[len(BEFORE):].isdigit():
        return -int(stage[len(BEFORE):])
    raise ValueError(f"unknown reminder stage {stage!r}")


def stage_for(item: ObligationStatus, days: Sequence[int] = (7, 1), catchup_days: int = 2) -> Optional[str]:
    """The stage due on the item's day, or ``None`` (see the module docstring).

    Input: an :class:`ObligationStatus` (``state`` open/overdue/submitted), the
    reminder days (non-negative whole days before the due date) and the
    catch-up allowance in days. Output: ``"before_<N>"``, ``"overdue"`` or ``None``.
    """
    if item.state == "open" and item.days_left is not None:
        left = item.days_left
        candidates = sorted(n for n in set(days) if n >= 0 and left <= n)
        if candidates and left >= candidates[0] - catchup_days:
            return f"{BEFORE}{candidates[0]}"
        return None
    if item.state == "overdue" and item.days_overdue is not None:
        return OVERDUE if 1 <= item.days_overdue <= 1 + max(catchup_days, 0) else None
    return None


def plan(
    today: date,
    statuses: Iterable[Tuple[Subscriber, AgencyStatus]],
    days: Sequence[int] = (7, 1),
    catchup_days: int = 2,
    delivered: Optional[Mapping[Tuple[int, str], Collection[str]]] = None,
) -> List[Due]:
    """Which reminders are due on ``today`` (a local date). Pure: no I/O.

    Args:
        today: local date in Asia/Ho_Chi_Minh.
        statuses: each subscribed account with its agency's status on ``today``
            (:meth:`Repository.agency_status`).
        days: reminder days before the due date (default 7 and 1).
        catchup_days: how many days late a missed reminder may still go out.
        delivered: stages already in the delivery log (any status), by
            ``(account_id, obligation_code)``; a stage is skipped when that
            stage or a later one is there.

    Returns:
        The due reminders, ordered by account, due date and obligation code.
    """
    delivered = delivered or {}
    out: List[Due] = []
    for subscriber, status in statuses:
        for item in status.items:
            stage = stage_for(item, days, catchup_days)
            if stage is None:
                continue
            logged = delivered.get((subscriber.account_id, item.obligation.code)) or ()
            if any(stage_rank(s) >= stage_rank(stage) for s in logged if _is_stage(s)):
                continue
            out.append(Due(subscriber=subscriber, agency=status.agency, item=item, stage=stage, today=today))
    out.sort(key=lambda d: (d.subscriber.account_id, d.item.obligation.due_date, d.obligation_code))
    return out


def _is_stage(stage: str) -> bool:
    try:
        stage_rank(stage)
        return True
    except ValueError:
        return False


def stage_vi(stage: str) -> str:
    """``before_7`` -> ``trước hạn 7 ngày``, ``before_0`` -> ``ngày đến hạn``, ``overdue`` -> ``quá hạn``."""
    if stage == OVERDUE:
        return "quá hạn"
    n = stage.rsplit("_", 1)[-1]
    return "ngày đến hạn" if n == "0" else f"trước hạn {n} ngày"


def _fmt(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def reminder_text(due: Due) -> str:
    """The Vietnamese message for ``due`` (one paragraph, lines separated by ``\\n``).

    Says what is due, for which agency, the due date and the days left (or
    overdue) on ``due.today``; that the due date is an operator default when it
    is one; the source; and how to unsubscribe.
    """
    ob, item = due.item.obligation, due.item
    head = f"Nhắc hạn: {ob.title} của {due.agency.name}"
    if item.state == "overdue":
        lines = [f"{head} đã quá hạn {item.days_overdue} ngày (hạn ngày {_fmt(ob.due_date)}).",
                 "Hệ thống chưa ghi nhận văn bản này; nếu cơ quan đã gửi, xin anh/chị bỏ qua tin nhắn này."]
    elif item.days_left == 0:
        lines = [f"{head} đến hạn hôm nay, ngày {_fmt(ob.due_date)}."]
    else:
        lines = [f"{head} đến hạn ngày {_fmt(ob.due_date)} (còn {item.days_left} ngày)."]
    if ob.due_date_origin == "operator_default":
        lines.append(OPERATOR_DEFAULT_NOTE)
    elif ob.due_date_source:
        lines.append(f"Căn cứ hạn nộp: {ob.due_date_source}")
    lines += [DIRECTIVE_SOURCE, UNSUBSCRIBE_NOTE]
    return "\n".join(lines)


# --------------------------------------------------------------------------- #
# Delivery log                                                                 #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class DeliveryView:
    """One row of the delivery log; ``status`` is ``sent``, ``failed``, ``sending``
    (claimed less than :data:`STALE_AFTER` ago) or ``unknown`` (claimed longer ago
    and never finished). Timestamps are UTC; ``local_day`` a local date."""

    id: int
    claimed_at: datetime
    finished_at: Optional[datetime]
    status: str
    channel: str
    user_id: str
    agency_code: str
    agency_name: str
    obligation_code: str
    stage: str
    local_day: date
    error: Optional[str]
    text: str


class ReminderStore:
    """Subscribers and the delivery log in the agency database.

    ``engine`` comes from :func:`bot.db.session.make_engine` (SQLite or
    PostgreSQL); the tables are created by ``python -m bot init-db``.
    ``now`` returns the current UTC time (tests inject a clock). Database
    failures propagate as ``sqlalchemy.exc.SQLAlchemyError``.
    """

    def __init__(self, engine: Engine, stale_after: timedelta = STALE_AFTER,
                 now: Optional[Callable[[], datetime]] = None) -> None:
        self.engine = engine
        self.stale_after = stale_after
        self._now = now or (lambda: datetime.now(timezone.utc))

    def now(self) -> datetime:
        """The current time in UTC (aware)."""
        return self._now().astimezone(timezone.utc)

    def subscribers(self) -> List[Subscriber]:
        """Accounts with ``revoked_at IS NULL`` and ``subscribed = true``, by id."""
        q = (select(m.AccountLink.id, m.AccountLink.channel, m.AccountLink.user_id, m.Agency.code)
             .join(m.Agency, m.Agency.id == m.AccountLink.agency_id)
             .where(m.AccountLink.revoked_at.is_(None), m.AccountLink.subscribed == true())
             .order_by(m.AccountLink.id))
        with self.engine.connect() as c:
            return [Subscriber(int(i), ch, str(uid), code) for i, ch, uid, code in c.execute(q)]

    def obligation_ids(self) -> Dict[str, int]:
        """Obligation id by code."""
        with self.engine.connect() as c:
            return {code: int(i) for i, code in c.execute(select(m.Obligation.id, m.Obligation.code))}

    def delivered(self, account_ids: Collection[int]) -> Dict[Tuple[int, str], Set[str]]:
        """Stages in the log (any status) by ``(account_id, obligation_code)``."""
        out: Dict[Tuple[int, str], Set[str]] = {}
        if not account_ids:
            return out
        q = (select(m.ReminderDelivery.account_link_id, m.Obligation.code, m.ReminderDelivery.stage)
             .join(m.Obligation, m.Obligation.id == m.ReminderDelivery.obligation_id)
             .where(m.ReminderDelivery.account_link_id.in_(list(account_ids))))
        with self.engine.connect() as c:
            for account_id, code, stage in c.execute(q):
                out.setdefault((int(account_id), code), set()).add(stage)
        return out

    def claim(self, account_id: int, obligation_id: int, stage: str, local_day: date, text: str) -> Optional[int]:
        """Insert the (account, obligation, stage) row with status ``sending``.

        Output: the new row id, or ``None`` when the row already exists (another
        scheduler, an earlier run, or a run before a clock change has it): then
        the caller must not send.
        """
        try:
            with self.engine.begin() as c:
                result = c.execute(insert(m.ReminderDelivery).values(
                    account_link_id=account_id, obligation_id=obligation_id, stage=stage, local_day=local_day,
                    status=SENDING, claimed_at=self.now(), text=text))
                return int(result.inserted_primary_key[0])
        except IntegrityError:
            return None

    def finish(self, delivery_id: int, error: Optional[str] = None) -> None:
        """Mark a claimed row ``sent`` (``error`` None) or ``failed`` with ``error``.
        Only a row still ``sending`` changes."""
        with self.engine.begin() as c:
            c.execute(update(m.ReminderDelivery)
                      .where(m.ReminderDelivery.id == delivery_id, m.ReminderDelivery.status == SENDING)
                      .values(status=SENT if error is None else FAILED, error=error, finished_at=self.now()))

    def _effective(self, status: str, claimed_at: datetime) -> str:
        if status == SENDING and claimed_at < self.now() - self.stale_after:
            return UNKNOWN
        return status

    def deliveries(self, status: Optional[str] = None, limit: int = 50) -> List[DeliveryView]:
        """The newest ``limit`` log rows, optionally only those with ``status``
        (``sent``, ``failed``, ``unknown`` or ``sending``), newest first.

        Raises:
            ValueError: unknown ``status``.
        """
        if status not in (None, SENT, FAILED, UNKNOWN, SENDING):
            raise ValueError(f"unknown status {status!r}")
        d, a, ag, o = m.ReminderDelivery, m.AccountLink, m.Agency, m.Obligation
        q = (select(d.id, d.claimed_at, d.finished_at, d.status, a.channel, a.user_id, ag.code, ag.name, o.code,
                    d.stage, d.local_day, d.error, d.text)
             .join(a, a.id == d.account_link_id).join(ag, ag.id == a.agency_id).join(o, o.id == d.obligation_id))
        cutoff = self.now() - self.stale_after
        if status == UNKNOWN:
            q = q.where(d.status == SENDING, d.claimed_at < cutoff)
        elif status == SENDING:
            q = q.where(d.status == SENDING, d.claimed_at >= cutoff)
        elif status is not None:
            q = q.where(d.status == status)
        q = q.order_by(d.claimed_at.desc(), d.id.desc()).limit(max(1, int(limit)))
        with self.engine.connect() as c:
            rows = c.execute(q).all()
        return [DeliveryView(id=int(r[0]), claimed_at=r[1], finished_at=r[2],
                             status=self._effective(r[3], r[1]), channel=r[4], user_id=str(r[5]),
                             agency_code=r[6], agency_name=r[7], obligation_code=r[8], stage=r[9],
                             local_day=r[10], error=r[11], text=r[12] or "")
                for r in rows]

    def count_unknown(self) -> int:
        """Rows claimed more than :data:`STALE_AFTER` ago and never finished."""
        d = m.ReminderDelivery
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(d).where(
                d.status == SENDING, d.claimed_at < self.now() - self.stale_after)).scalar_one())


# --------------------------------------------------------------------------- #
# Senders                                                                      #
# --------------------------------------------------------------------------- #
class Sender(Protocol):
    """Sends one text to one user of a channel.

    ``send`` raises on any failure (a refusal by the platform included);
    ``describe(error)`` turns that error into a secret-free reason for the log;
    ``close`` releases connections (the sender stays usable afterwards).
    """

    async def send(self, user_id: str, text: str) -> None: ...

    def describe(self, error: BaseException) -> str: ...

    async def close(self) -> None: ...


class TelegramSender:
    """Through our Telegram connector's output (``send_text_message(chat_id, text)``)."""

    def __init__(self, output: Any, secrets: Sequence[Optional[str]] = ()) -> None:
        self.output = output
        self.secrets = tuple(s for s in secrets if s)

    async def send(self, user_id: str, text: str) -> None:
        await self.output.send_text_message(user_id, text)

    def describe(self, error: BaseException) -> str:
        return _clean(f"Telegram: {type(error).__name__}: {error}", self.secrets)[:500]

    async def close(self) -> None:
        # The HTTP session only: aiogram 2 deprecates Bot.close(), which becomes the Bot API's
        # "close" method (log the bot out of the server) in aiogram 3.
        await self.output.session.close()


class ZaloSender:
    """Through our Zalo connector's client (``ZaloClient.send_text``); a refusal raises
    ``ZaloAPIError`` with the platform's code (e.g. -230 outside the 7-day window)."""

    def __init__(self, client: Any, secrets: Sequence[Optional[str]] = ()) -> None:
        self.client = client
        self.secrets = tuple(s for s in secrets if s)

    async def send(self, user_id: str, text: str) -> None:
        from bot.channels.zalo import split_text

        for part in split_text(text):
            await self.client.send_text(user_id, part)

    def describe(self, error: BaseException) -> str:
        code = getattr(error, "code", None)
        tokens = getattr(self.client, "tokens", None)
        secrets = self.secrets + tuple(s for s in (getattr(tokens, "access_token", None),
                                                   getattr(tokens, "refresh_token", None)) if s)
        if isinstance(code, int):
            detail = str(error).split(": ", 1)[-1]
            text = f"Zalo từ chối (mã {code}): {detail}"
            if code in ZALO_REFUSALS:
                text += f" — {ZALO_REFUSALS[code]}"
            elif code == 0:
                text += " — không kết nối được máy chủ Zalo"
        else:
            text = f"Zalo: {type(error).__name__}: {error}"
        return _clean(text, secrets)[:500]

    async def close(self) -> None:
        await self.client.close()


class ChannelSenders(Mapping[str, Sender]):
    """Senders for the channels configured in ``credentials.yml``, built on first use.

    Input: the parsed ``credentials.yml`` (section -> settings). A channel is
    configured when all its required settings are set after ``${VAR}``
    expansion (same rule as the connectors). Looking up a configured channel
    builds its connector (``from_credentials(...)`` then
    ``get_output_channel()``), importing Rasa; an unconfigured one raises
    ``KeyError``. Building may raise what the connector raises (e.g.
    ``ValueError`` for a malformed ``TELEGRAM_SECRET_TOKEN``).
    """

    def __init__(self, credentials: Mapping[str, Any]) -> None:
        self.credentials = dict(credentials or {})
        self._built: Dict[str, Sender] = {}

    def _settings(self, channel: str) -> Dict[str, Any]:
        section, _ = CHANNEL_SECTIONS[channel]
        return dict(self.credentials.get(section) or {})

    def configured(self) -> List[str]:
        """Channels whose required settings are all set (no Rasa import)."""
        out = []
        for channel, (section, required) in CHANNEL_SECTIONS.items():
            if section in self.credentials and all(setting(self._settings(channel).get(k)) for k in required):
                out.append(channel)
        return out

    def __getitem__(self, channel: str) -> Sender:
        if channel in self._built:
            return self._built[channel]
        if channel not in self.configured():
            raise KeyError(channel)
        creds = self._settings(channel)
        secret_keys = ("access_token", "secret_token", "oa_secret_key", "app_secret", "refresh_token")
        secrets = [setting(creds.get(k)) for k in secret_keys]
        if channel == "telegram":
            from bot.channels.telegram import TelegramInput

            sender: Sender = TelegramSender(TelegramInput.from_credentials(creds).get_output_channel(), secrets)
        else:
            from bot.channels.zalo import ZaloInput

            sender = ZaloSender(ZaloInput.from_credentials(creds).get_output_channel().client, secrets)
        self._built[channel] = sender
        return sender

    def __iter__(self) -> Iterator[str]:
        return iter(self.configured())

    def __len__(self) -> int:
        return len(self.configured())


def load_senders(path: Path = CREDENTIALS) -> ChannelSenders:
    """:class:`ChannelSenders` from the ``credentials.yml`` at ``path``.

    Raises:
        OSError: the file cannot be read. yaml.YAMLError: it is not YAML.
    """
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    return ChannelSenders(doc if isinstance(doc, dict) else {})


# --------------------------------------------------------------------------- #
# One pass and the loop                                                        #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Outcome:
    """What happened to one planned reminder: ``status`` ``sent``, ``failed``,
    ``skipped`` (another run already had it) or ``waiting`` (its channel is not
    configured in this process; nothing was recorded)."""

    account_id: int
    channel: str
    user_id: str
    agency_code: str
    obligation_code: str
    stage: str
    status: str
    error: Optional[str] = None
    text: str = ""


@dataclass(frozen=True)
class RunReport:
    """Result of :func:`run_once` for the local date ``today``."""

    today: date
    subscribers: int
    outcomes: Tuple[Outcome, ...] = field(default_factory=tuple)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def sent(self) -> int:
        return self.count(SENT)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def waiting(self) -> int:
        return self.count(WAITING)

    def to_text(self) -> str:
        """Vietnamese summary for the operator."""
        if not self.outcomes:
            return (f"Ngày {_fmt(self.today)}: {self.subscribers} tài khoản đăng ký nhắc hạn; "
                    "không có nhắc hạn nào cần gửi.")
        lines = [f"Ngày {_fmt(self.today)}: {self.subscribers} tài khoản đăng ký nhắc hạn; "
                 f"đã gửi {self.sent}, thất bại {self.failed}, bỏ qua {self.skipped} (đã được gửi trước đó)."]
        if self.waiting:
            lines.append(f"Chưa gửi {self.waiting} nhắc hạn vì kênh chưa được cấu hình trong môi trường này "
                         "(đặt các biến TELEGRAM_*/ZALO_* như khi chạy trợ lý rồi chạy lại).")
        for o in self.outcomes:
            if o.status in (FAILED, WAITING):
                label = "Thất bại" if o.status == FAILED else "Chờ"
                lines.append(f"  - {label}: {o.channel} {o.user_id}, {o.agency_code} {o.obligation_code} "
                             f"({stage_vi(o.stage)}): {o.error}")
        return "\n".join(lines)


def _short(user_id: str) -> str:
    return user_id if len(user_id) <= 6 else f"{user_id[:3]}…{user_id[-2:]}"


def run_once(engine: Engine, today: date, senders: Mapping[str, Sender], settings: Settings,
             store: Optional[ReminderStore] = None) -> RunReport:
    """Plan and send the reminders due on ``today`` (a local date).

    For each due reminder: claim its row (skip if taken), send it through
    ``senders[channel]`` (at most :data:`SEND_TIMEOUT_S`), then mark it sent or
    failed. A reminder for a channel missing from ``senders`` is not claimed
    (outcome ``waiting``, "kênh chưa cấu hình"): a later pass with the channel
    configured still sends it, within the catch-up days.
    Uses ``settings.reminder_days`` and ``settings.reminder_catchup_days``.
    Senders used are closed before returning (within this call's event loop).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database failed (rows already
            claimed stay claimed: never re-sent).
    """
    store = store or ReminderStore(engine)
    subscribers = store.subscribers()
    if not subscribers:
        return RunReport(today=today, subscribers=0)
    repo = Repository(engine)
    by_agency: Dict[str, AgencyStatus] = {}
    statuses = []
    for sub in subscribers:
        if sub.agency_code not in by_agency:
            try:
                by_agency[sub.agency_code] = repo.agency_status(sub.agency_code, today)
            except UnknownAgencyError:  # pragma: no cover - the foreign key prevents it
                continue
        statuses.append((sub, by_agency[sub.agency_code]))
    dues = plan(today, statuses, settings.reminder_days, settings.reminder_catchup_days,
                store.delivered([s.account_id for s in subscribers]))
    if not dues:
        return RunReport(today=today, subscribers=len(subscribers))
    obligation_ids = store.obligation_ids()
    outcomes: List[Outcome] = []
    used: Dict[str, Sender] = {}
    loop = asyncio.new_event_loop()
    try:
        for due in dues:
            sub = due.subscriber
            text = reminder_text(due)
            base = dict(account_id=sub.account_id, channel=sub.channel, user_id=sub.user_id,
                        agency_code=sub.agency_code, obligation_code=due.obligation_code, stage=due.stage, text=text)
            if sub.channel not in senders:
                # not claimed: it goes out on a later pass once the channel is configured
                logger.warning("reminder waiting: channel %s is not configured (%s %s %s)", sub.channel,
                               sub.agency_code, due.obligation_code, due.stage)
                outcomes.append(Outcome(status=WAITING, error=NOT_CONFIGURED, **base))
                continue
            delivery_id = store.claim(sub.account_id, obligation_ids[due.obligation_code], due.stage, today, text)
            if delivery_id is None:
                outcomes.append(Outcome(status="skipped", **base))
                continue
            error = _send(loop, senders, used, sub, text)
            store.finish(delivery_id, error)
            if error is None:
                logger.info("reminder sent: %s %s %s %s to %s", sub.agency_code, due.obligation_code, due.stage,
                            sub.channel, _short(sub.user_id))
            else:
                logger.warning("reminder failed: %s %s %s %s to %s: %s", sub.agency_code, due.obligation_code,
                               due.stage, sub.channel, _short(sub.user_id), error)
            outcomes.append(Outcome(status=SENT if error is None else FAILED, error=error, **base))
    finally:
        for sender in used.values():
            try:
                loop.run_until_complete(sender.close())
            except Exception:  # noqa: BLE001 - closing must not hide the run's result
                logger.debug("closing a sender failed", exc_info=True)
        loop.close()
    return RunReport(today=today, subscribers=len(subscribers), outcomes=tuple(outcomes))


def _send(loop: asyncio.AbstractEventLoop, senders: Mapping[str, Sender], used: Dict[str, Sender],
          sub: Subscriber, text: str) -> Optional[str]:
    """Sends ``text``; returns ``None`` on success or the reason of the failure."""
    try:
        sender = senders[sub.channel]
    except KeyError:
        return NOT_CONFIGURED
    except Exception as error:  # noqa: BLE001 - a connector that cannot be built
        return _clean(f"{NOT_CONFIGURED}: {type(error).__name__}: {error}")[:500]
    used[sub.channel] = sender
    try:
        loop.run_until_complete(asyncio.wait_for(sender.send(sub.user_id, text), SEND_TIMEOUT_S))
    except asyncio.TimeoutError:
        return f"hết thời gian chờ ({SEND_TIMEOUT_S:g} giây); tin có thể đã đến hoặc chưa"
    except Exception as error:  # noqa: BLE001 - every failure is recorded
        try:
            return sender.describe(error)
        except Exception:  # noqa: BLE001
            return type(error).__name__
    return None


def run_forever(
    engine: Engine,
    settings: Settings,
    senders_factory: Callable[[], Mapping[str, Sender]] = load_senders,
    *,
    stop: Optional[threading.Event] = None,
    clock: Optional[Callable[[], datetime]] = None,
    send_hours: Optional[Tuple[int, int]] = SEND_HOURS,
) -> None:
    """The scheduler: one :func:`run_once` every ``settings.reminder_interval_s`` seconds.

    "Today" is :func:`bot.periods.local_today` (``ASSISTANT_TODAY`` when set)
    at ``clock()`` (default: now, UTC). Passes happen only between
    ``send_hours[0]:00`` and ``send_hours[1]:00`` local time (``None``: any
    hour), so nobody is woken at night. Senders come from
    ``senders_factory()`` at each pass (``credentials.yml`` and the Zalo token
    file are re-read). Database, network and configuration errors are logged
    and the loop goes on. Returns when ``stop`` is set, or on SIGTERM/SIGINT
    when called from the main thread. Never raises.
    """
    stop = stop or threading.Event()
    clock = clock or (lambda: datetime.now(timezone.utc))
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    try:
        channels = list(senders_factory())
    except Exception as error:  # noqa: BLE001
        channels = []
        logger.error("reminders: cannot read the channel settings: %s", _clean(str(error))[:300])
    if channels:
        logger.info("Reminder scheduler started (every %g s, %s); channels: %s", settings.reminder_interval_s,
                    f"{send_hours[0]:02d}:00-{send_hours[1]:02d}:00 local time" if send_hours else "any hour",
                    ", ".join(channels))
    else:
        logger.info("Reminder scheduler started: no chat channel is configured (Telegram, Zalo), nothing to send.")
    unknown_seen = 0
    while not stop.is_set():
        try:
            now = clock()
            hour = now.astimezone(TZ).hour
            if send_hours is None or send_hours[0] <= hour < send_hours[1]:
                report = run_once(engine, local_today(settings, now=now), senders_factory(), settings,
                                  ReminderStore(engine, now=clock))
                if report.outcomes:
                    logger.info("reminders %s: sent %d, failed %d, skipped %d", report.today.isoformat(),
                                report.sent, report.failed, report.skipped)
            unknown = ReminderStore(engine, now=clock).count_unknown()
            if unknown != unknown_seen:
                if unknown:
                    logger.warning("reminders: %d interrupted while sending (status unknown, not re-sent); "
                                   "see `python -m bot reminders list --status unknown`", unknown)
                unknown_seen = unknown
        except Exception as error:  # noqa: BLE001 - the loop must survive database/network errors
            first_line = (str(error).splitlines() or [""])[0]
            logger.error("reminder pass failed: %s", _clean(f"{type(error).__name__}: {first_line}")[:300])
            logger.debug("details", exc_info=True)
        stop.wait(max(settings.reminder_interval_s, 0.05))
    logger.info("Reminder scheduler stopped.")
