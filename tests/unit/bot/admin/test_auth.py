"""bot.admin.auth: the machine token, signed session cookies, the failure limiter."""
from __future__ import annotations

from bot.admin.auth import FailureLimiter, SessionCookies, token_matches


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_token_matches_only_the_exact_bearer_token() -> None:
    assert token_matches("Bearer s3cret-admin", "s3cret-admin")
    assert not token_matches("Bearer s3cret-admin2", "s3cret-admin")
    assert not token_matches("s3cret-admin", "s3cret-admin")  # no scheme
    assert not token_matches("Basic s3cret-admin", "s3cret-admin")
    assert not token_matches(None, "s3cret-admin")
    assert not token_matches("Bearer ", "")  # an unset token never matches


def test_cookie_names_its_user_until_it_expires() -> None:
    clock = Clock()
    cookies = SessionCookies("token-a", lifetime_s=3600, clock=clock)
    value = cookies.issue("lan.nguyen")
    assert cookies.username(value) == "lan.nguyen"
    clock.now += 3599
    assert cookies.username(value) == "lan.nguyen"
    clock.now += 2
    assert cookies.username(value) is None


def test_cookie_cannot_be_forged_edited_or_reused_under_another_token() -> None:
    clock = Clock()
    cookies = SessionCookies("token-a", lifetime_s=3600, clock=clock)
    value = cookies.issue("lan")
    user, expiry, signature = value.split(":")
    assert cookies.username(f"admin:{expiry}:{signature}") is None  # another user
    assert cookies.username(f"{user}:{int(expiry) + 10**6}:{signature}") is None  # longer life
    assert cookies.username(f"{user}:{expiry}:{'0' * 64}") is None
    assert SessionCookies("token-b", 3600, clock=clock).username(value) is None  # the token changed
    for junk in ("", "lan", "lan:abc:def", None, "a:b:c:d"):
        assert cookies.username(junk) is None


def test_limiter_refuses_past_the_limit_until_the_oldest_failure_leaves_the_window() -> None:
    clock = Clock()
    limiter = FailureLimiter(max_failures=3, window_s=60, clock=clock)
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1") == 0
        limiter.fail("10.0.0.1")
        clock.now += 1
    assert limiter.retry_after("10.0.0.1") == 57  # first failure at t0, now t0+3
    assert limiter.retry_after("10.0.0.2") == 0  # others are not affected
    clock.now += 57
    assert limiter.retry_after("10.0.0.1") == 0


def test_limiter_keeps_a_bounded_number_of_clients() -> None:
    limiter = FailureLimiter(max_failures=1, window_s=60, clock=Clock(), max_clients=2)
    for client in ("a", "b", "c"):
        limiter.fail(client)
    assert limiter.retry_after("a") == 0  # dropped, oldest first
    assert limiter.retry_after("c") > 0
