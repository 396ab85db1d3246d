"""Outbound delivery with retries: for connectors that call a messaging API
(Telegram, Zalo, ...).

    from bot.channels.delivery import deliver, DeliveryFailed

    async def send():
        async with session.post(url, json=payload, timeout=10) as r:
            return r.status, await r.text()

    await deliver(send, what="telegram sendMessage", recipient=chat_id)

A call is retried with exponential backoff and jitter when it raises (timeout,
connection error) or returns a retryable HTTP status (429, 5xx; ``Retry-After``
is honoured, capped). After the last attempt the failure is logged at ERROR
level as ``delivery failed`` and :class:`DeliveryFailed` is raised: a reply is
never dropped silently. Log lines never contain secrets: tokens in URLs
(``/bot<token>/``, ``access_token=...``) and any value passed in ``secrets``
are masked, and the recipient id is shortened.
"""
from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterable, Optional, Tuple, TypeVar

from bot.channels.config import redact

logger = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})

def _short(recipient: Any) -> str:
    value = str(recipient)
    return value if len(value) <= 6 else f"{value[:3]}…{value[-2:]}"


class DeliveryFailed(RuntimeError):
    """Every attempt failed; the last error or status is in the message."""

    def __init__(self, what: str, attempts: int, reason: str) -> None:
        super().__init__(f"{what}: failed after {attempts} attempts ({reason})")
        self.what = what
        self.attempts = attempts
        self.reason = reason


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; the wait before retry ``n`` (1-based) is
    ``min(max_delay_s, base_delay_s * 2**(n-1))`` times a jitter in [0.5, 1],
    or the server's ``Retry-After`` (at most ``max_delay_s``). ``timeout_s``
    bounds each attempt."""

    attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    timeout_s: float = 10.0

    def delay(self, retry: int, retry_after: Optional[float] = None) -> float:
        if retry_after is not None and retry_after >= 0:
            return min(self.max_delay_s, retry_after)
        return min(self.max_delay_s, self.base_delay_s * 2 ** (retry - 1)) * random.uniform(0.5, 1.0)


def _status_of(result: Any) -> Tuple[Optional[int], Optional[float]]:
    """HTTP status and Retry-After of ``result``: an int, a ``(status, body)``
    tuple, or a response object with ``status``/``status_code`` and headers."""
    if isinstance(result, bool):
        return None, None
    if isinstance(result, int):
        return result, None
    if isinstance(result, tuple) and result and isinstance(result[0], int):
        return result[0], None
    status = getattr(result, "status", None) or getattr(result, "status_code", None)
    retry_after = None
    headers = getattr(result, "headers", None)
    if headers is not None:
        try:
            value = headers.get("Retry-After")
            retry_after = float(value) if value is not None else None
        except (TypeError, ValueError):
            retry_after = None
    return (status if isinstance(status, int) else None), retry_after


async def deliver(
    send: Callable[[], Awaitable[T]],
    *,
    what: str,
    recipient: Any = "",
    policy: RetryPolicy = RetryPolicy(),
    secrets: Iterable[Optional[str]] = (),
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> T:
    """Call ``send()`` until it succeeds; returns its result.

    Success: no exception and no retryable status (a 4xx other than 408/425/429
    is a permanent failure: it is not retried, it is logged and raised).

    Raises:
        DeliveryFailed: after ``policy.attempts`` failed attempts, or at once on
            a permanent failure. Logged at ERROR level first.
    """
    secrets = tuple(secrets)
    reason = "no attempt"
    for attempt in range(1, policy.attempts + 1):
        retry_after = None
        try:
            result = await asyncio.wait_for(send(), policy.timeout_s)
        except asyncio.TimeoutError:
            reason = f"timed out after {policy.timeout_s:g} s"
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - any transport error is retried
            reason = redact(f"{type(error).__name__}: {error}", secrets)[:300]
        else:
            status, retry_after = _status_of(result)
            if status is None or status < 400:
                if attempt > 1:
                    logger.info("%s to %s delivered on attempt %d", what, _short(recipient), attempt)
                return result
            reason = f"HTTP {status}"
            if status not in RETRYABLE_STATUS:
                logger.error("delivery failed: %s to %s: %s (not retryable)", what, _short(recipient), reason)
                raise DeliveryFailed(what, attempt, reason)
        if attempt < policy.attempts:
            wait = policy.delay(attempt, retry_after)
            logger.warning("%s to %s: attempt %d/%d failed (%s); retrying in %.1f s",
                           what, _short(recipient), attempt, policy.attempts, reason, wait)
            await sleep(wait)
    logger.error("delivery failed: %s to %s after %d attempts (%s)",
                 what, _short(recipient), policy.attempts, reason)
    raise DeliveryFailed(what, policy.attempts, reason)
