"""The one outbound delivery path: every call the assistant makes to a messaging
platform (Telegram Bot API methods, Zalo OA messages and token refreshes, and
so the deadline reminders, which send through the connectors) goes through
:func:`deliver`, which applies this policy.

Policy
------
1. **Classification.** Every failed attempt is classified by the platform's
   classifier (:func:`telegram_error`, :func:`zalo_error`, or
   :func:`transport_error` for plain HTTP) into a :class:`Verdict`:

   - *transient* (it may work if tried again): network errors and timeouts
     (``aiohttp.ClientError``, ``asyncio.TimeoutError``, aiogram's
     ``NetworkError``); HTTP 5xx; HTTP 408, 425 and 429; Telegram's
     ``retry_after`` (aiogram ``RetryAfter``) and "restarting"; Zalo's
     documented rate limit, error ``-32`` ("reached limit call api", per minute).
   - *permanent* (trying again cannot help): everything else. Among them:
     Telegram 400 "chat not found" and any other ``BadRequest``, 401/403
     "bot was blocked by the user", "user is deactivated" and any other
     ``Unauthorized``, 404, 409, a group migrated to a supergroup; any other
     HTTP 4xx; every non-zero Zalo ``error`` code other than the rate limit,
     such as -213 (not following the OA), -227 (account locked or inactive),
     -230 (the 7-day window to answer is closed) and -232; an answer that
     cannot be read.

2. **Transient errors are retried** with exponential back-off and jitter, up
   to a bound (:class:`DeliveryPolicy`; for messages :data:`DEFAULT_POLICY`:
   4 attempts in all, 0.5 s base delay, 8 s cap on any one wait, 10 s per
   attempt, so at most about 1 minute in all). The wait before retry ``n``
   (1, 2, ...) is ``min(max_delay_s, base_delay_s * 2**(n-1))`` times a random
   factor in [0.5, 1]. When the platform says how long to wait (HTTP
   ``Retry-After``, Telegram's ``retry_after``), exactly that wait is used
   instead; if it is longer than the cap, the delivery is not held up: it fails
   at once as *transient* and is recorded. An attempt that times out may
   still have reached the platform: delivery is at least once, a retry can
   duplicate a message.

3. **Permanent errors are final at once**: one attempt, never retried. Those
   that say the *recipient* cannot be reached until they write again
   (Telegram 403 blocked/deactivated/kicked, 400 "chat not found"; Zalo
   :data:`ZALO_UNREACHABLE`) are marked ``unreachable``: the reminder
   scheduler pauses that account's reminders (:mod:`bot.officials.reminders`).

4. **Nothing is lost silently.** A delivery that does not succeed is logged
   once at ERROR level as ``delivery failed: <what> to <recipient>: <reason>
   (transient|permanent, <n> attempts)`` and :class:`DeliveryFailed` is raised,
   carrying ``permanent``, ``reason`` and ``attempts`` (the input channels log
   and swallow it; the reminder scheduler stores the reason in its delivery
   log). Each retry is logged at WARNING, a success after retries at INFO.

5. **Zalo access-token errors are not delivery failures.** Error -216 (token
   invalid) or -124 (expired) makes :class:`bot.channels.zalo.ZaloClient`
   refresh the token once and send again, with the policy applied afresh; a
   token still refused after that is a permanent failure.

6. **No secret is ever logged.** Reasons and log lines go through
   :func:`bot.channels.config.redact`: tokens in URLs (``/bot<token>/``,
   ``access_token=...``), token-looking fields and every value passed in
   ``secrets`` become ``***``; recipient ids are shortened (``987…21``).

The policy's values are bounds, not rules: background work that nobody waits
for uses :data:`SETUP_POLICY` (Telegram's ``setWebhook`` at start-up), and
tests inject a policy with zero delays or a recording ``sleep``.

    from bot.channels.delivery import deliver, telegram_error

    result = await deliver(send, what="telegram sendMessage", recipient=chat_id,
                           secrets=[token], classify=telegram_error)
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional, TypeVar

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt

from bot.channels.config import redact, short_id

logger = logging.getLogger(__name__)
T = TypeVar("T")

# HTTP statuses below 500 that mean "try again later".
TRANSIENT_STATUS = frozenset({408, 425, 429})
# Zalo OA errors that mean "try again later": -32, the app's or the OA's requests per minute.
ZALO_RATE_LIMITS = frozenset({-32})
# Zalo OA errors that mean "this user cannot be messaged until they write to the OA again":
# -213 not following (or unfollowed) the OA, -227 account locked or inactive, -230 no message
# from the user within 7 days, -232 no interaction yet or the last one has expired.
ZALO_UNREACHABLE = frozenset({-213, -227, -230, -232})
REASON_MAX = 300  # characters of a reason kept in logs and exceptions


@dataclass(frozen=True)
class Verdict:
    """What a failed attempt means: ``transient`` (worth retrying) or not, a
    short ``reason`` for people, the wait the platform asked for
    (``retry_after_s``, in seconds, if any) and the platform's error ``code``
    (Zalo's ``error``, or the HTTP status; ``None`` if there is none)."""

    transient: bool
    reason: str
    retry_after_s: Optional[float] = None
    code: Optional[int] = None
    unreachable: bool = False  # permanent, and about the recipient: see :data:`DeliveryFailed.unreachable`


@dataclass(frozen=True)
class DeliveryPolicy:
    """Bounds of the delivery policy (see the module docstring).

    - ``attempts``: tries in all, the first included (>= 1);
    - ``base_delay_s``: wait before the first retry, in seconds, before jitter;
      it doubles for each further retry;
    - ``max_delay_s``: cap on any single wait, in seconds; a platform asking
      for a longer wait makes the delivery fail at once (transient);
    - ``timeout_s``: longest one attempt may take, in seconds;
    - ``sleep``: the coroutine function that waits (tests inject a recorder);
    - ``jitter``: returns the random factor applied to back-off waits, in [0.5, 1].
    """

    attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    timeout_s: float = 10.0
    sleep: Callable[[float], Awaitable[Any]] = field(default=asyncio.sleep, compare=False, repr=False)
    jitter: Callable[[], float] = field(default=lambda: random.uniform(0.5, 1.0), compare=False, repr=False)

    def wait_before_retry(self, retry: int, verdict: Verdict) -> Optional[float]:
        """Seconds to wait before retry number ``retry`` (1-based) after a
        transient ``verdict``: the platform's ``retry_after_s`` if given, else
        exponential back-off with jitter, capped at ``max_delay_s``. ``None``
        when the platform asks for more than ``max_delay_s``: do not wait."""
        if verdict.retry_after_s is not None:
            wait = max(0.0, verdict.retry_after_s)
            return wait if wait <= self.max_delay_s else None
        return min(self.max_delay_s, self.base_delay_s * 2 ** (retry - 1)) * self.jitter()


DEFAULT_POLICY = DeliveryPolicy()
# Replies kept for later (bot.channels.outbox): the same back-off between deliveries (each under
# DEFAULT_POLICY), from 2 s up to 5 minutes; the outbox gives up after its retry window.
LATER_POLICY = DeliveryPolicy(attempts=1_000, base_delay_s=2.0, max_delay_s=300.0)
# Start-up calls in the background (Telegram setWebhook): nobody waits, so longer waits are fine.
SETUP_POLICY = DeliveryPolicy(attempts=6, base_delay_s=2.0, max_delay_s=60.0, timeout_s=15.0)


class DeliveryFailed(Exception):
    """A delivery did not succeed; it has already been logged (ERROR, ``delivery failed``).

    Attributes: ``what`` (e.g. ``"telegram sendMessage"``), ``recipient`` (shortened),
    ``reason`` (secret-free, at most 300 characters), ``permanent`` (``False``: it
    might succeed later), ``attempts`` (made), ``code`` (the platform's error code
    or HTTP status, if any), ``retry_after_s`` (the wait the platform asked
    for, in seconds, if any), ``unreachable`` (``True``: a permanent refusal
    about the recipient -- Telegram's 403 "bot was blocked by the user", "user
    is deactivated", 400 "chat not found", Zalo's :data:`ZALO_UNREACHABLE` --
    so nothing can reach them until they write again). The last error is ``__cause__``.
    """

    def __init__(self, what: str, reason: str, *, permanent: bool, attempts: int, recipient: str = "",
                 code: Optional[int] = None, retry_after_s: Optional[float] = None,
                 unreachable: bool = False) -> None:
        kind = "permanent" if permanent else "transient"
        super().__init__(f"{_target(what, recipient)}: {reason} ({kind}, {_attempts(attempts)})")
        self.what = what
        self.recipient = recipient
        self.reason = reason
        self.permanent = permanent
        self.attempts = attempts
        self.code = code
        self.retry_after_s = retry_after_s
        self.unreachable = bool(unreachable and permanent)


class HTTPStatusError(Exception):
    """An HTTP answer with status >= 400 from a platform called with plain aiohttp.

    ``status``: the HTTP status; ``retry_after_s``: the ``Retry-After`` header
    in seconds (``None`` if absent or unreadable); ``body``: the start of the body.
    """

    def __init__(self, status: int, retry_after_s: Optional[float] = None, body: str = "") -> None:
        super().__init__(f"HTTP {status}" + (f": {body[:200]}" if body else ""))
        self.status = status
        self.retry_after_s = retry_after_s
        self.body = body


class PlatformError(Exception):
    """The platform answered (HTTP 2xx) but refused: ``code`` is its error code
    (Zalo's ``error``). Subclassed by :class:`bot.channels.zalo.ZaloAPIError`."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(f"error {code}: {message}" if message else f"error {code}")
        self.code = code
        self.message = message


class AttemptTimedOut(asyncio.TimeoutError):
    """One attempt took longer than the policy's ``timeout_s``."""


def parse_retry_after(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """Seconds to wait from an HTTP ``Retry-After`` value: a number of seconds or
    an HTTP date (relative to ``now``, default the current UTC time). ``None`` if
    absent or unreadable; never negative."""
    if value is None:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def http_status_verdict(status: int, reason: str, retry_after_s: Optional[float] = None) -> Verdict:
    """Transient for 5xx, 408, 425 and 429; permanent for any other status >= 400."""
    transient = status >= 500 or status in TRANSIENT_STATUS
    return Verdict(transient, reason, retry_after_s if transient else None, status)


def transport_error(error: BaseException) -> Verdict:
    """Classifies a failure of a plain HTTP call (aiohttp).

    Transient: timeouts, ``aiohttp.ClientError`` other than an HTTP status
    error, ``ConnectionError``, and :class:`HTTPStatusError` or
    ``aiohttp.ClientResponseError`` with status 5xx, 408, 425 or 429 (with its
    ``Retry-After``). Permanent: any other status and any other exception.
    """
    if isinstance(error, HTTPStatusError):
        return http_status_verdict(error.status, str(error), error.retry_after_s)
    if isinstance(error, aiohttp.ClientResponseError):
        headers = error.headers or {}
        return http_status_verdict(error.status, f"HTTP {error.status}: {error.message}",
                                   parse_retry_after(headers.get("Retry-After")))
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        text = str(error).strip()
        return Verdict(True, f"timed out ({text})" if text else "timed out")
    if isinstance(error, (aiohttp.ClientError, ConnectionError)):
        return Verdict(True, _reason(error))
    return Verdict(False, _reason(error))


_STATUS_SUFFIX = re.compile(r"\[(\d{3})\]\s*$")


def telegram_error(error: BaseException) -> Verdict:
    """Classifies a failed Bot API call made through aiogram 2.15.

    aiogram raises (``aiogram/bot/api.py: check_result``): ``RetryAfter``
    (``.timeout`` seconds; transient), ``RestartingTelegram`` (transient),
    ``NetworkError`` (aiohttp errors, non-JSON answers such as a proxy's 502
    page; transient, except "File too large", which is permanent),
    ``BadRequest`` (400: "chat not found", ...), ``Unauthorized`` (401/403:
    "bot was blocked by the user", "user is deactivated", ...), ``NotFound``
    (404), ``ConflictError`` (409), ``MigrateToChat``, ``ValidationError``
    (all permanent), and a plain ``TelegramAPIError`` for other statuses: its
    message ends in ``[status]`` for a 4xx (408/425/429 transient, others
    permanent) and has no status for a 5xx (transient). Anything else is
    classified by :func:`transport_error`.
    """
    from aiogram.utils import exceptions as tg  # here: the reminder scheduler stays light while idle

    if isinstance(error, tg.RetryAfter):
        return Verdict(True, _reason(error), float(error.timeout), 429)
    if isinstance(error, tg.RestartingTelegram):
        return Verdict(True, _reason(error))
    if isinstance(error, tg.NetworkError):
        return Verdict(not str(error).startswith("File too large"), _reason(error))
    if isinstance(error, tg.BadRequest):
        return Verdict(False, _reason(error), code=400, unreachable="chat not found" in str(error).lower())
    if isinstance(error, tg.Unauthorized):  # blocked, deactivated, kicked, never started the bot
        return Verdict(False, _reason(error), code=403, unreachable=True)
    if isinstance(error, tg.NotFound):
        return Verdict(False, _reason(error), code=404)
    if isinstance(error, tg.ConflictError):
        return Verdict(False, _reason(error), code=409)
    if isinstance(error, tg.TelegramAPIError):
        if type(error) is not tg.TelegramAPIError:  # MigrateToChat, ValidationError, Throttled, ...
            return Verdict(False, _reason(error))
        status = _STATUS_SUFFIX.search(str(error))
        if status:
            return http_status_verdict(int(status.group(1)), _reason(error))
        return Verdict(True, _reason(error), code=500)  # aiogram drops the status of a 5xx
    return transport_error(error)


def zalo_error(error: BaseException) -> Verdict:
    """Classifies a failed Zalo OpenAPI call (:mod:`bot.channels.zalo`).

    A :class:`PlatformError` (``ZaloAPIError``: Zalo answered ``error != 0``)
    is transient for the rate limit (:data:`ZALO_RATE_LIMITS`, -32) and
    permanent otherwise (-213, -227, -230, -232, ...; code 0: an unusable
    answer). Anything else is classified by :func:`transport_error`.
    """
    if isinstance(error, PlatformError):
        return Verdict(error.code in ZALO_RATE_LIMITS, str(error), code=error.code,
                       unreachable=error.code in ZALO_UNREACHABLE)
    return transport_error(error)


def _target(what: str, recipient: str) -> str:
    return f"{what} to {recipient}" if recipient else what


def _attempts(n: int) -> str:
    return f"{n} attempt" + ("" if n == 1 else "s")


def record_failure(what: str, recipient: Any, reason: str, *, permanent: bool, attempts: int,
                   code: Optional[int] = None, secrets: Iterable[Optional[str]] = (),
                   retry_after_s: Optional[float] = None, unreachable: bool = False) -> DeliveryFailed:
    """Logs one ERROR line ``delivery failed: ...`` and returns the
    :class:`DeliveryFailed` to raise. For callers that find a failure outside
    :func:`deliver` (e.g. a Zalo token that cannot be refreshed). ``reason``
    is masked with ``secrets`` and cut to 300 characters; ``recipient`` is shortened."""
    reason = redact(reason, secrets)[:REASON_MAX]
    who = short_id(recipient) if recipient not in (None, "") else ""
    logger.error("delivery failed: %s: %s (%s, %s)", _target(what, who), reason,
                 "permanent" if permanent else "transient", _attempts(attempts))
    return DeliveryFailed(what, reason, permanent=permanent, attempts=attempts, recipient=who, code=code,
                          retry_after_s=retry_after_s, unreachable=unreachable)


async def deliver(
    send: Callable[[], Awaitable[T]],
    *,
    what: str,
    recipient: Any = "",
    policy: DeliveryPolicy = DEFAULT_POLICY,
    secrets: Iterable[Optional[str]] = (),
    classify: Callable[[BaseException], Verdict] = transport_error,
) -> T:
    """Calls ``send()`` under the delivery policy and returns its result.

    Input: ``send``, a coroutine function making one attempt (it raises on
    failure); ``what`` (e.g. ``"zalo message"``) and ``recipient`` (a user or
    chat id, shortened in logs) for the log; ``policy`` (bounds and sleep);
    ``secrets`` (values to mask in logs); ``classify``, the platform's
    classifier (:func:`telegram_error`, :func:`zalo_error`,
    :func:`transport_error`). Each attempt is bounded by ``policy.timeout_s``.

    Raises:
        DeliveryFailed: on a permanent error (after one attempt), when the
            attempts are used up or the platform asks to wait longer than
            ``policy.max_delay_s`` (``permanent=False``). Logged at ERROR first;
            the last error is its ``__cause__``.
        asyncio.CancelledError: the caller was cancelled (never retried, not logged).
    """
    secrets = tuple(s for s in secrets if s)
    who = short_id(recipient) if recipient not in (None, "") else ""
    target = _target(what, who)
    verdicts: Dict[int, Verdict] = {}  # attempt number -> verdict of its failure
    waits: Dict[int, Optional[float]] = {}  # attempt number -> wait before the next one

    async def attempt() -> T:
        try:
            return await asyncio.wait_for(send(), policy.timeout_s)
        except asyncio.TimeoutError as error:
            if isinstance(error, AttemptTimedOut):
                raise
            raise AttemptTimedOut(f"no answer within {policy.timeout_s:g} s") from error

    def should_retry(state: RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        if not isinstance(error, Exception):  # success, or cancelled (BaseException)
            return False
        verdict = classify(error)
        verdict = dataclasses.replace(verdict, reason=redact(verdict.reason, secrets)[:REASON_MAX])
        verdicts[state.attempt_number] = verdict
        if not verdict.transient:
            return False
        waits[state.attempt_number] = policy.wait_before_retry(state.attempt_number, verdict)
        return waits[state.attempt_number] is not None

    def wait(state: RetryCallState) -> float:
        return waits.get(state.attempt_number) or 0.0

    def before_sleep(state: RetryCallState) -> None:
        verdict = verdicts[state.attempt_number]
        logger.warning("%s: attempt %d/%d failed (%s); retrying in %.1f s", target, state.attempt_number,
                       policy.attempts, verdict.reason, state.upcoming_sleep)

    retrying = AsyncRetrying(stop=stop_after_attempt(max(1, policy.attempts)), retry=should_retry, wait=wait,
                             sleep=policy.sleep, before_sleep=before_sleep, reraise=True)
    try:
        result = await retrying(attempt)
    except Exception as error:
        attempts = max(verdicts) if verdicts else 1
        verdict = verdicts.get(attempts) or classify(error)
        reason = verdict.reason
        if verdict.transient and attempts in waits and waits[attempts] is None:
            reason += f"; asked to wait {verdict.retry_after_s:g} s, longer than the {policy.max_delay_s:g} s cap"
        raise record_failure(what, recipient, reason, permanent=not verdict.transient, attempts=attempts,
                             code=verdict.code, secrets=secrets, retry_after_s=verdict.retry_after_s,
                             unreachable=verdict.unreachable) from error
    if len(verdicts) > 0:
        logger.info("%s delivered on attempt %d", target, len(verdicts) + 1)
    return result
