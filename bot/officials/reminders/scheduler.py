"""The reminder scheduler: one pass (:func:`run_once`) plans the reminders due
on a local date, claims each in the delivery log, sends it and records the
outcome; :func:`run_forever` (``python -m bot scheduler``, started by
``make run``) repeats that every ``REMINDER_INTERVAL_S`` seconds between 07:00
and 21:00 local time. See :mod:`bot.officials.reminders` for the rule.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Set, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.channels.config import short_id
from bot.channels.delivery import DeliveryFailed
from bot.db.reminders import FAILED, RETRY, SENT, ReminderStore, Subscriber
from bot.db.repository import Repository
from bot.db.views import AgencyStatus, UnknownAgencyError
from bot.domain.dates import local_today, vn_date
from bot.officials.reminders.last_pass import record_pass
from bot.officials.reminders.plan import plan, reminder_text, stage_vi
from bot.officials.reminders.senders import NOT_CONFIGURED, Sender, clean, load_senders
from bot.settings import TIMEZONE, Settings

logger = logging.getLogger(__name__)

TZ = ZoneInfo(TIMEZONE)
SEND_TIMEOUT_S = 90.0  # longest wait for one message (the connectors retry inside)
SEND_HOURS = (7, 21)  # the scheduler sends between 07:00 and 21:00 local time
WAITING = "waiting"  # outcome only: never stored
PAUSED = "paused"  # outcome only: the account's reminders are paused, nothing claimed


@dataclass(frozen=True)
class Outcome:
    """What happened to one planned reminder: ``status`` ``sent``, ``failed``
    (final), ``retry`` (a transient failure: the next pass sends it),
    ``skipped`` (another run already had it), ``waiting`` (its channel is not
    configured in this process; nothing was recorded) or ``paused`` (the
    account was found unreachable earlier in this pass; nothing was recorded).
    ``paused_now``: this failure paused the account's reminders."""

    account_id: int
    channel: str
    user_id: str
    agency_code: str
    obligation_code: str
    stage: str
    status: str
    error: Optional[str] = None
    text: str = ""
    paused_now: bool = False


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

    @property
    def retry(self) -> int:
        return self.count(RETRY)

    @property
    def paused(self) -> int:
        """Accounts whose reminders this pass paused."""
        return sum(1 for o in self.outcomes if o.paused_now)

    def to_text(self) -> str:
        """Vietnamese summary for the operator."""
        if not self.outcomes:
            return (f"Ngày {vn_date(self.today)}: {self.subscribers} tài khoản đăng ký nhắc hạn; "
                    "không có nhắc hạn nào cần gửi.")
        lines = [f"Ngày {vn_date(self.today)}: {self.subscribers} tài khoản đăng ký nhắc hạn; "
                 f"đã gửi {self.sent}, thất bại {self.failed}, bỏ qua {self.skipped} (đã được gửi trước đó)."]
        if self.retry:
            lines.append(f"Lỗi tạm thời với {self.retry} nhắc hạn: lượt chạy sau sẽ gửi lại.")
        if self.paused:
            lines.append(f"Tạm dừng nhắc hạn cho {self.paused} tài khoản không còn nhận được tin (đã chặn bot, "
                         "xóa tài khoản hoặc cuộc trò chuyện không còn); sẽ tự tiếp tục khi người dùng nhắn lại. "
                         "Xem: python -m bot reminders paused")
        if self.waiting:
            lines.append(f"Chưa gửi {self.waiting} nhắc hạn vì kênh chưa được cấu hình trong môi trường này "
                         "(đặt các biến TELEGRAM_*/ZALO_* như khi chạy trợ lý rồi chạy lại).")
        for o in self.outcomes:
            if o.status in (FAILED, WAITING, RETRY):
                label = {FAILED: "Thất bại", WAITING: "Chờ", RETRY: "Sẽ gửi lại"}[o.status]
                if o.paused_now:
                    label += " (đã tạm dừng nhắc hạn)"
                lines.append(f"  - {label}: {o.channel} {o.user_id}, {o.agency_code} {o.obligation_code} "
                             f"({stage_vi(o.stage)}): {o.error}")
        return "\n".join(lines)


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
    paused: Set[int] = set()
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
            if sub.account_id in paused:  # unreachable since earlier in this pass: no failure at every stage
                outcomes.append(Outcome(status=PAUSED, **base))
                continue
            delivery_id = store.claim(sub.account_id, obligation_ids[due.obligation_code], due.stage, today, text)
            if delivery_id is None:
                outcomes.append(Outcome(status="skipped", **base))
                continue
            error, kind = _send(loop, senders, used, sub, text)
            store.finish(delivery_id, error, retry=kind == RETRY)
            paused_now = False
            if error is None:
                logger.info("reminder sent: %s %s %s %s to %s", sub.agency_code, due.obligation_code, due.stage,
                            sub.channel, short_id(sub.user_id))
            else:
                logger.warning("reminder %s: %s %s %s %s to %s: %s", "kept for the next pass" if kind == RETRY
                               else "failed", sub.agency_code, due.obligation_code, due.stage, sub.channel,
                               short_id(sub.user_id), error)
                if kind == PAUSED:
                    paused.add(sub.account_id)
                    paused_now = store.pause(sub.account_id, error)
                    logger.warning("reminders paused for %s %s: unreachable until they write again",
                                   sub.channel, short_id(sub.user_id))
            status = SENT if error is None else RETRY if kind == RETRY else FAILED
            outcomes.append(Outcome(status=status, error=error, paused_now=paused_now, **base))
    finally:
        for sender in used.values():
            try:
                loop.run_until_complete(sender.close())
            except Exception:  # noqa: BLE001 - closing must not hide the run's result
                logger.debug("closing a sender failed", exc_info=True)
        loop.close()
    return RunReport(today=today, subscribers=len(subscribers), outcomes=tuple(outcomes))


def _send(loop: asyncio.AbstractEventLoop, senders: Mapping[str, Sender], used: Dict[str, Sender],
          sub: Subscriber, text: str) -> Tuple[Optional[str], Optional[str]]:
    """Sends ``text``. Output ``(None, None)`` on success, else the reason of
    the failure and its kind: ``retry`` (transient: 429, 5xx, timeout,
    connection refused, as classified by :mod:`bot.channels.delivery`),
    ``paused`` (permanent, the recipient cannot be reached: blocked, deleted,
    chat gone) or ``failed`` (any other permanent failure)."""
    try:
        sender = senders[sub.channel]
    except KeyError:
        return NOT_CONFIGURED, FAILED
    except Exception as error:  # noqa: BLE001 - a connector that cannot be built
        return clean(f"{NOT_CONFIGURED}: {type(error).__name__}: {error}")[:500], FAILED
    used[sub.channel] = sender
    try:
        loop.run_until_complete(asyncio.wait_for(sender.send(sub.user_id, text), SEND_TIMEOUT_S))
    except asyncio.TimeoutError:
        return f"hết thời gian chờ ({SEND_TIMEOUT_S:g} giây); tin có thể đã đến hoặc chưa", RETRY
    except Exception as error:  # noqa: BLE001 - every failure is recorded
        if isinstance(error, DeliveryFailed):
            kind = PAUSED if error.unreachable else FAILED if error.permanent else RETRY
        else:
            kind = FAILED
        try:
            return sender.describe(error), kind
        except Exception:  # noqa: BLE001
            return type(error).__name__, kind
    return None, None


def run_forever(
    engine: Engine,
    settings: Settings,
    senders_factory: Callable[[], Mapping[str, Sender]] = load_senders,
    *,
    stop: Optional[threading.Event] = None,
    clock: Optional[Callable[[], datetime]] = None,
    send_hours: Optional[Tuple[int, int]] = SEND_HOURS,
    last_pass_file: Optional[Path] = None,
) -> None:
    """The scheduler: one :func:`run_once` every ``settings.reminder_interval_s`` seconds.

    "Today" is :func:`bot.domain.periods.local_today` (``ASSISTANT_TODAY`` when set)
    at ``clock()`` (default: now, UTC). Passes happen only between
    ``send_hours[0]:00`` and ``send_hours[1]:00`` local time (``None``: any
    hour), so nobody is woken at night. Senders come from
    ``senders_factory()`` at each pass (``credentials.yml`` and the Zalo token
    file are re-read). Each pass that completes is recorded in
    ``last_pass_file`` (:func:`bot.officials.reminders.last_pass.record_pass`;
    ``python -m bot scheduler`` passes :data:`~bot.officials.reminders.last_pass.LAST_PASS_FILE`;
    ``None``: not recorded) for the operators' console. Database, network and
    configuration errors are logged and the loop goes on. Returns when
    ``stop`` is set, or on SIGTERM/SIGINT when called from the main thread.
    Never raises.
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
        logger.error("reminders: cannot read the channel settings: %s", clean(str(error))[:300])
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
                    logger.info("reminders %s: sent %d, failed %d, to retry %d, skipped %d, accounts paused %d",
                                report.today.isoformat(), report.sent, report.failed, report.retry, report.skipped,
                                report.paused)
                if last_pass_file is not None:
                    record_pass(last_pass_file, now, {"sent": report.sent, "failed": report.failed,
                                                      "retry": report.retry, "skipped": report.skipped,
                                                      "waiting": report.waiting, "paused": report.paused})
            unknown = ReminderStore(engine, now=clock).count_unknown()
            if unknown != unknown_seen:
                if unknown:
                    logger.warning("reminders: %d interrupted while sending (status unknown, not re-sent); "
                                   "see `python -m bot reminders list --status unknown`", unknown)
                unknown_seen = unknown
        except Exception as error:  # noqa: BLE001 - the loop must survive database/network errors
            first_line = (str(error).splitlines() or [""])[0]
            logger.error("reminder pass failed: %s", clean(f"{type(error).__name__}: {first_line}")[:300])
            logger.debug("details", exc_info=True)
        stop.wait(max(settings.reminder_interval_s, 0.05))
    logger.info("Reminder scheduler stopped.")
