"""bot.channels.state on real stores: a SQLite file, PostgreSQL and Redis
(127.0.0.1:6379). Two store objects on the same URL play two processes (or
one process before and after a restart): what one records the other sees,
until the TTL runs out."""
from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.channels.state import (
    TELEGRAM_BUTTONS,
    TELEGRAM_UPDATES,
    ZALO_CHOICES,
    Forgiving,
    RedisState,
    SeenOnce,
    SQLState,
    open_state,
)
from bot.channels.telegram import callback_data_for, payload_from_callback
from bot.channels.zalo import ZaloChoices, ZaloInput

REDIS_URL = "redis://127.0.0.1:6379/1"


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"Redis is required under CI: {exc}")
        pytest.skip(f"Redis unreachable: {exc}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "redis"])
def two_stores(request, tmp_path):
    """Two independent store objects on one backend (as two processes would open it)."""
    if request.param == "redis":
        _redis_or_skip()
        prefix = f"t{uuid.uuid4().hex[:10]}:"
        yield RedisState(REDIS_URL, prefix=prefix), RedisState(REDIS_URL, prefix=prefix)
        import redis

        r = redis.Redis.from_url(REDIS_URL)
        for key in r.scan_iter(f"{prefix}*"):
            r.delete(key)
        return
    url = f"sqlite:///{tmp_path / 'state' / 'channel_state.sqlite'}" if request.param == "sqlite" \
        else request.getfixturevalue("pg_database_url")
    first, second = SQLState(url), SQLState(url)
    yield first, second
    from bot.channels.state import table

    with first.engine.begin() as c:
        c.execute(table.delete())
    first.engine.dispose()
    second.engine.dispose()


def test_first_time_is_shared_and_expires(two_stores) -> None:
    one, other = two_stores
    assert one.first_time(TELEGRAM_UPDATES, "500000001", ttl_s=60)
    assert not other.first_time(TELEGRAM_UPDATES, "500000001", ttl_s=60)  # the other process sees it
    assert not one.first_time(TELEGRAM_UPDATES, "500000001", ttl_s=60)
    assert other.first_time(TELEGRAM_UPDATES, "500000002", ttl_s=60)
    assert one.first_time("zalo-event", "500000001", ttl_s=60)  # namespaces are apart

    assert one.first_time(TELEGRAM_UPDATES, "short", ttl_s=0.3)
    time.sleep(0.6)
    assert other.first_time(TELEGRAM_UPDATES, "short", ttl_s=60)  # expired: new again


def test_only_one_of_many_concurrent_callers_is_first(two_stores) -> None:
    stores = two_stores
    with ThreadPoolExecutor(max_workers=8) as pool:
        firsts = list(pool.map(lambda i: stores[i % 2].first_time(TELEGRAM_UPDATES, "race", 60), range(16)))
    assert firsts.count(True) == 1


def test_values_are_shared_replaced_popped_once_and_expire(two_stores) -> None:
    one, other = two_stores
    payload = '/inform_agency{"agency":"Ủy ban nhân dân Thành phố Hồ Chí Minh"}'
    one.put(TELEGRAM_BUTTONS, "#abc", payload, ttl_s=60)
    assert other.get(TELEGRAM_BUTTONS, "#abc") == payload
    assert other.get(TELEGRAM_BUTTONS, "#missing") is None
    other.put(TELEGRAM_BUTTONS, "#abc", "/affirm", ttl_s=60)
    assert one.get(TELEGRAM_BUTTONS, "#abc") == "/affirm"

    one.put(ZALO_CHOICES, "u1", "[1]", ttl_s=60)
    assert other.pop(ZALO_CHOICES, "u1") == "[1]"
    assert one.pop(ZALO_CHOICES, "u1") is None and one.get(ZALO_CHOICES, "u1") is None

    one.put(ZALO_CHOICES, "u2", "[2]", ttl_s=0.3)
    time.sleep(0.6)
    assert other.get(ZALO_CHOICES, "u2") is None and other.pop(ZALO_CHOICES, "u2") is None


def test_a_long_button_resolves_in_another_process_and_an_unknown_one_is_expired(two_stores) -> None:
    before, after = two_stores  # the server before and after a restart
    payload = '/inform_agency{"agency":"Ủy ban nhân dân Thành phố Hồ Chí Minh và Sở Thông tin và Truyền thông"}'
    data = callback_data_for(payload, before)
    assert data.startswith("#") and len(data.encode("utf-8")) <= 64
    assert payload_from_callback(data, after) == payload
    assert payload_from_callback("#0123456789abcdef01234567", after) is None  # expired: the caller says so
    assert payload_from_callback("/ask_tasks", after) == "/ask_tasks"  # short payloads travel as they are


def test_zalo_choices_count_once_and_only_within_their_ttl(two_stores) -> None:
    one, other = two_stores
    options = [("Số hiệu, ngày ban hành", "/ask_doc_number"), ("6 định hướng phổ cập", "/ask_priority_areas")]
    ZaloChoices(one, ttl_s=60)["2468458835291979001"] = options
    zalo = ZaloInput("app", "key", "secret", "access", "refresh", state=other)
    assert zalo._user_text("2468458835291979001", " 2. ") == "/ask_priority_areas"
    assert zalo._user_text("2468458835291979001", "2") == "2"  # answered already: ordinary text now

    ZaloChoices(one, ttl_s=60)["u-other-context"] = options
    assert zalo._user_text("u-other-context", "hạn báo cáo quý 3") == "hạn báo cáo quý 3"
    assert zalo._user_text("u-other-context", "2") == "2"  # the list was not the last thing asked

    ZaloChoices(one, ttl_s=0.3)["u-late"] = options
    time.sleep(0.6)
    assert zalo._user_text("u-late", "1") == "1"  # expired


def test_seen_once_has_the_interface_of_a_seen_set(two_stores) -> None:
    one, other = two_stores
    assert SeenOnce(one, TELEGRAM_UPDATES, 60).add(123)
    assert not SeenOnce(other, TELEGRAM_UPDATES, 60).add(123)


def test_an_unreachable_redis_behaves_as_an_empty_store(caplog) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    state = open_state(f"redis://127.0.0.1:{port}/0")
    assert isinstance(state, Forgiving)
    assert state.first_time(TELEGRAM_UPDATES, "1", 60) and state.first_time(TELEGRAM_UPDATES, "1", 60)
    state.put(TELEGRAM_BUTTONS, "#a", "x", 60)
    assert state.get(TELEGRAM_BUTTONS, "#a") is None and state.pop(ZALO_CHOICES, "u") is None
    assert "going on without it" in caplog.text and "Traceback" not in caplog.text


def test_open_state_chooses_the_backend_from_the_url(tmp_path) -> None:
    sql = open_state(f"sqlite:///{tmp_path / 'a' / 'state.sqlite'}")
    assert isinstance(sql.inner, SQLState) and (tmp_path / "a" / "state.sqlite").exists()
    with sql.inner.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert isinstance(open_state(REDIS_URL).inner, RedisState)
    with pytest.raises(ValueError):
        open_state("not a url")
