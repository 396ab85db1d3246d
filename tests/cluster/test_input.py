"""Bad input against the real assistant on the cluster: HTTP-level garbage gets
a 4xx (never a 500), awkward text gets a sensible reply in bounded time, and
the servers keep serving."""
from __future__ import annotations

import unicodedata

import pytest
import requests

from bench.evalset import reply_text

from .conftest import Cluster, new_sender

BAD_BODIES = [
    (b'{"sender": "x", "message": "ch', "application/json"),
    (b'[1, 2]', "application/json"),
    (b'{"sender": "x", "message": "hi"}', "text/plain"),
    (b'{"sender": "x"}', "application/json"),
    (b'{"sender": "x", "message": null}', "application/json"),
    (b'{"message": "hi"}', "application/json"),
    (b'{"sender": "x", "message": "' + b"a" * (1024 * 1024) + b'"}', "application/json"),
    (b'{"sender": "x", "message": "\xc3\x28 h\xff"}', "application/json"),
]


@pytest.mark.parametrize("body, content_type", BAD_BODIES)
def test_bad_http_input_gets_4xx_on_servers_and_load_balancer(cluster: Cluster, body, content_type) -> None:
    for base in cluster.servers + ([cluster.lb] if cluster.lb else []):
        response = requests.post(f"{base}/webhooks/rest/webhook", data=body,
                                 headers={"Content-Type": content_type}, timeout=30)
        assert 400 <= response.status_code < 500, (base, response.status_code, response.text[:200])
        assert "Traceback" not in response.text
    assert cluster.ask(cluster.servers[0], new_sender("ok"), "xin chào").strip()


TEXTS = [
    "", "   \n\t ", "😀😀🙏", "<script>alert('x')</script> hạn báo cáo quý 3",
    "<b>Bộ Y tế</b> đã nộp báo cáo quý 2 chưa", "hạn\x00 báo\x07 cáo\x1b[31m quý 3",
    "hạn báo cáo quý 3 " * 280,  # a 5,000-character paste
    unicodedata.normalize("NFD", "hạn báo cáo") + " quý 3 của " + "Bộ Y tế",
    "\u202eRTL override\u202c", "'; DROP TABLE events; --",
]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_awkward_text_gets_a_sensible_reply_in_bounded_time(cluster: Cluster, text: str) -> None:
    status, body, seconds = cluster.send(cluster.servers[1], new_sender("txt"), text, timeout=30)
    assert status == 200, body
    reply = reply_text(body)
    assert reply.strip() and seconds < 20
    if len(text) > 1000:
        assert "vượt quá giới hạn 1000 ký tự" in reply
    assert "<script>" not in reply  # never echoed back


def test_rate_limit_per_sender_answers_politely(cluster: Cluster) -> None:
    sender = new_sender("flood")
    statuses = []
    for _ in range(70):  # REST_RATE_LIMIT_MESSAGES=60 per server in this session
        status, body, _ = cluster.send(cluster.servers[0], sender, "", timeout=30)  # empty: cheap prompt
        statuses.append(status)
    assert statuses.count(429) >= 1
    assert "quá nhanh" in reply_text(body)
    assert cluster.ask(cluster.servers[0], new_sender("ok"), "xin chào").strip()
