"""bot.server.lock_store.AtomicRedisLockStore on the real Redis (127.0.0.1:6379):
concurrent servers never get the same ticket and never lose a queued one."""
from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.server.lock_store import AtomicRedisLockStore


@pytest.fixture
def stores():
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"Redis is required under CI: {exc}")
        pytest.skip(f"Redis unreachable: {exc}")
    prefix = f"t{uuid.uuid4().hex[:10]}"
    made = [AtomicRedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix=prefix) for _ in range(4)]
    yield made
    r = redis.Redis(host="127.0.0.1", port=6379, db=1)
    for key in r.scan_iter(f"{prefix}*"):
        r.delete(key)


def test_concurrent_tickets_are_unique(stores):
    conversation = "c1"
    with ThreadPoolExecutor(max_workers=16) as pool:
        tickets = list(pool.map(lambda i: stores[i % 4].issue_ticket(conversation, 30), range(200)))
    assert len(set(tickets)) == 200 and max(tickets) - min(tickets) == 199
    assert len(stores[0].get_lock(conversation).tickets) == 200


async def test_messages_of_one_conversation_never_overlap(stores):
    active, overlaps, done = [0], [0], []

    async def handle(i: int) -> None:
        async with stores[i % 4].lock("c2", lock_lifetime=30, wait_time_in_seconds=0.01):
            active[0] += 1
            overlaps[0] = max(overlaps[0], active[0])
            await asyncio.sleep(0.005)
            active[0] -= 1
            done.append(i)

    await asyncio.gather(*(handle(i) for i in range(40)))
    assert sorted(done) == list(range(40)) and overlaps[0] == 1
    assert stores[0].get_lock("c2") is None  # cleaned up


def test_loaded_from_endpoint_config():
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    store = LockStore.create(EndpointConfig(url="127.0.0.1", type="bot.server.lock_store.AtomicRedisLockStore",
                                            port="6379", db="1", key_prefix="abc"))
    assert isinstance(store, AtomicRedisLockStore) and store.key_prefix.startswith("abc:")
