"""Who is asking the console: the machine token, staff session cookies, and the
rate limit on wrong passwords and tokens.

- **Machine token.** Scripts send ``Authorization: Bearer <ADMIN_TOKEN>``;
  :func:`token_matches` compares in constant time.
- **Session cookie.** After a staff sign-in the browser holds
  ``<username>:<expiry>:<HMAC-SHA256>`` (:class:`SessionCookies`), signed with a
  key derived from ``ADMIN_TOKEN``: stateless, so every Rasa server sharing the
  token accepts it, and changing the token signs everyone out. The cookie is
  ``HttpOnly`` and ``SameSite=Strict`` (``Secure`` behind HTTPS), set by
  :mod:`bot.admin.console`.
- **Rate limit.** :class:`FailureLimiter` counts wrong passwords and tokens per
  client address in a sliding window (per server process); past the limit the
  address is refused until its oldest failure leaves the window.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from collections import deque
from typing import Callable, Deque, Dict, Optional

COOKIE_NAME = "tl797_admin"


def token_matches(authorization: Optional[str], token: str) -> bool:
    """Whether the ``Authorization`` header value is ``Bearer <token>`` (constant-time
    comparison; an empty ``token`` never matches)."""
    if not token or not authorization or not authorization.startswith("Bearer "):
        return False
    return hmac.compare_digest(authorization[len("Bearer "):].strip().encode(), token.encode())


class SessionCookies:
    """Signs and checks staff session cookie values.

    Input: ``token`` (``ADMIN_TOKEN``, the signing key's source), ``lifetime_s``
    (seconds a sign-in lasts), ``clock`` (seconds since the epoch; tests pass their own).
    """

    def __init__(self, token: str, lifetime_s: float, clock: Callable[[], float] = time.time) -> None:
        self._key = hashlib.sha256(b"tro-ly-797 admin session\0" + token.encode()).digest()
        self.lifetime_s = lifetime_s
        self._clock = clock

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, username: str) -> str:
        """The cookie value for ``username`` (no ``:`` in it), valid for ``lifetime_s``."""
        payload = f"{username}:{int(self._clock() + self.lifetime_s)}"
        return f"{payload}:{self._sign(payload)}"

    def username(self, value: Optional[str]) -> Optional[str]:
        """The username of a valid, unexpired cookie value, else ``None``."""
        parts = (value or "").split(":")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        username, expiry, signature = parts
        if not hmac.compare_digest(signature.encode(), self._sign(f"{username}:{expiry}").encode()):
            return None
        return username if int(expiry) > self._clock() else None


class FailureLimiter:
    """At most ``max_failures`` wrong secrets per client within ``window_s`` seconds.

    :meth:`retry_after` says how many seconds a client must still wait (0: it may
    try); :meth:`fail` records a failure. Clients are kept in memory, at most
    ``max_clients`` (the oldest dropped first).
    """

    def __init__(self, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = 10_000) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._max_clients = max_clients
        self._failures: Dict[str, Deque[float]] = {}

    def _recent(self, client: str) -> Deque[float]:
        times = self._failures.get(client, deque())
        horizon = self._clock() - self.window_s
        while times and times[0] <= horizon:
            times.popleft()
        return times

    def retry_after(self, client: str) -> float:
        """Seconds until ``client`` may try again (0.0 when it may now)."""
        times = self._recent(client)
        if len(times) < self.max_failures:
            return 0.0
        return max(0.0, times[0] + self.window_s - self._clock())

    def fail(self, client: str) -> None:
        """Records one wrong password or token from ``client``."""
        times = self._recent(client)
        times.append(self._clock())
        self._failures.pop(client, None)
        self._failures[client] = times  # re-inserted: dicts keep insertion order, oldest first
        while len(self._failures) > self._max_clients:
            self._failures.pop(next(iter(self._failures)))
