"""A real cluster, started once per test session: two Rasa servers with the
shipped production configuration (deploy/endpoints.cluster.yml: PostgreSQL
tracker store, Redis lock store; deploy/credentials.cluster.yml: the hardened
REST channel, Telegram, Zalo and the widget's socket.io), one action server on
a PostgreSQL agency database, and nginx (deploy/nginx.conf) in front.

Telegram and Zalo point at the local fake platform servers of
``tests/support/fakes.py`` (``cluster.telegram``, ``cluster.zalo``), shared by
both Rasa servers as the real platforms would be.

Between the Rasa servers and the action server sits :class:`FaultProxy`, a
small HTTP relay the tests switch to "slow", "error" or "reset" to play an
action server that hangs, fails or drops connections. Each session uses its
own PostgreSQL databases (dropped afterwards) and its own Redis key prefix.
"""
from __future__ import annotations

import asyncio
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest
import requests

from bench.evalset import reply_text
from bot.server.cluster import prepare, render_nginx, start
from bot.server.launcher import Launcher, free_port
from bot.settings import PROJECT_ROOT
from tests.support.fakes import (
    TELEGRAM_BOT_NAME,
    TELEGRAM_TOKEN,
    ZALO_ACCESS_TOKEN,
    ZALO_APP_ID,
    ZALO_APP_SECRET,
    ZALO_REFRESH_TOKEN,
    FakeTelegram,
    FakeZalo,
)

MODEL = PROJECT_ROOT / "models" / "tro-ly-797.tar.gz"
TODAY = "2022-05-10"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TELEGRAM_SECRET = "cluster-webhook-Secret_0123"
ZALO_OA_SECRET_KEY = "cluster-oa-secret-key"
# nginx's access log line (log_format "upstream" in deploy/nginx.conf)
ACCESS_LINE = re.compile(r'"(?P<method>\S+) (?P<uri>\S+) [^"]*" (?P<status>\d+) .* '
                         r'upstream=(?P<upstream>.*) upstream_status=(?P<upstream_status>.*) time=')


# ------------------------------------------------------------------ relay
class FaultProxy:
    """HTTP relay to the action server with a switchable fault (thread + aiohttp)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.mode = "pass"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault proxy did not start")

    def _serve(self) -> None:
        import aiohttp
        from aiohttp import web

        asyncio.set_event_loop(self._loop)

        async def relay(request: web.Request) -> web.StreamResponse:
            mode = self.mode
            if mode == "slow":
                await asyncio.sleep(30)
            elif mode == "error":
                return web.Response(status=500, text="Internal Server Error")
            elif mode == "reset":
                request.transport.close()
                return web.Response(status=500)
            body = await request.read()
            async with aiohttp.ClientSession() as session:
                async with session.request(request.method, self.target + request.path_qs, data=body,
                                           headers={"Content-Type": "application/json"}) as upstream:
                    return web.Response(status=upstream.status, body=await upstream.read(),
                                        content_type="application/json")

        async def start() -> None:
            app = web.Application(client_max_size=64 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", relay)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()


# ---------------------------------------------------------------- cluster
@dataclass
class Cluster:
    servers: List[str]              # base URLs of the Rasa servers
    lb: Optional[str]               # base URL of nginx
    token: str
    env: Dict[str, str]
    tracker_db: str                 # psycopg2 DSN of the conversations database
    agency_db: str                  # URL of the agency database
    proxy: FaultProxy
    launcher: Launcher
    telegram: FakeTelegram          # the Bot API both servers call
    zalo: FakeZalo                  # the Zalo OpenAPI both servers call
    nginx_dir: Path                 # nginx's run directory (access.log)

    # --- processes (named "actions", "rasa0", "rasa1", "nginx")
    def start(self, name: str, wait: bool = True) -> None:
        self.launcher.start(name)
        if wait:
            self.wait(name)

    def wait(self, name: str) -> None:
        self.launcher.wait_ready(name, timeout_s=240)

    def kill(self, name: str) -> None:
        self.launcher.kill(name)

    def name_of(self, address: str) -> str:
        """The process name (``rasa0``, ``rasa1``) of the server at ``127.0.0.1:<port>``."""
        return f"rasa{[base.rsplit('/', 1)[-1] for base in self.servers].index(address)}"

    def access_log(self, uri_prefix: str = "/") -> List[Dict[str, str]]:
        """nginx's access log lines for URIs starting with ``uri_prefix``, oldest
        first: ``method``, ``uri``, ``status``, ``upstream`` (every server tried,
        ``", "``-separated), ``upstream_status``."""
        log = self.nginx_dir / "access.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        found = [m.groupdict() for m in map(ACCESS_LINE.search, lines) if m]
        return [line for line in found if line["uri"].startswith(uri_prefix)]

    def warm_up_actions(self) -> None:
        """One look-up, so that the action server's first (cold) call is not
        the one a test times."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, body, _ = self.send(self.servers[0], f"warm-{uuid.uuid4().hex[:8]}",
                                        "Bộ Y tế đã nộp báo cáo quý 2 chưa")
            if status == 200 and "Bộ Y tế" in reply_text(body):
                return
            time.sleep(1)

    # --- talking to it
    def send(self, base: str, sender: str, message: str, timeout: float = 60) -> Tuple[int, object, float]:
        """POST one message; returns ``(status, json or text, seconds)``."""
        started = time.monotonic()
        response = requests.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                                 timeout=timeout)
        elapsed = time.monotonic() - started
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return response.status_code, body, elapsed

    def ask(self, base: str, sender: str, message: str) -> str:
        status, body, _ = self.send(base, sender, message)
        assert status == 200, (status, body)
        return reply_text(body)

    def tracker(self, base: str, sender: str) -> Dict:
        """The tracker of the REST conversation of ``sender`` (``rest:<sender>``)."""
        from bot.channels.conversations import conversation_id

        response = requests.get(f"{base}/conversations/{conversation_id('rest', sender)}/tracker", params={"token": self.token},
                                timeout=30)
        response.raise_for_status()
        return response.json()


def _pg_admin():
    import psycopg2

    try:
        conn = psycopg2.connect(PG_ADMIN, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for the cluster tests: {exc}")
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does) first")
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is required for the cluster tests: {exc}")

    work = tmp_path_factory.mktemp("cluster")
    telegram, zalo = FakeTelegram(), FakeZalo()
    telegram.start()
    zalo.start()
    tag = uuid.uuid4().hex[:10]
    agency_name, tracker_name = f"test_797_ag_{tag}", f"test_797_trk_{tag}"
    admin = _pg_admin()
    action_port, ports, lb_port = free_port(), [free_port(), free_port()], free_port()
    token = secrets.token_hex(16)
    env = dict(
        ASSISTANT_TODAY=TODAY, DB_TIMEOUT_S="2", ACTION_TIMEOUT_S="6",
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:5432/{agency_name}",
        TRACKER_DB_HOST="127.0.0.1", TRACKER_DB_PORT="5432", TRACKER_DB_NAME=tracker_name,
        TRACKER_DB_USER="postgres", TRACKER_DB_PASSWORD="", TRACKER_DB_LOGIN_DB="postgres",
        REDIS_HOST="127.0.0.1", REDIS_PORT="6379", REDIS_DB="1", REDIS_PASSWORD="",
        REDIS_KEY_PREFIX=f"t{tag}", REST_RATE_LIMIT_MESSAGES="60", TICKET_LOCK_LIFETIME="20",
        TELEGRAM_TOKEN=TELEGRAM_TOKEN, TELEGRAM_BOT_NAME=TELEGRAM_BOT_NAME, TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET,
        TELEGRAM_WEBHOOK_URL="https://bot.example.gov.vn/webhooks/telegram/webhook", TELEGRAM_API_BASE=telegram.url,
        ZALO_APP_ID=ZALO_APP_ID, ZALO_OA_SECRET_KEY=ZALO_OA_SECRET_KEY, ZALO_APP_SECRET=ZALO_APP_SECRET,
        ZALO_ACCESS_TOKEN=ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN=ZALO_REFRESH_TOKEN, ZALO_API_BASE=zalo.url,
        ZALO_OAUTH_BASE=zalo.url, ZALO_TOKEN_FILE=str(work / "zalo_tokens.json"),
    )
    proxy = FaultProxy(f"http://127.0.0.1:{action_port}")
    env["ACTION_ENDPOINT_URL"] = f"{proxy.url}/webhook"
    launcher = Launcher(env=env, log_dir=work)
    cluster = Cluster(servers=[f"http://127.0.0.1:{p}" for p in ports], lb=f"http://127.0.0.1:{lb_port}",
                      token=token, env=launcher.env,
                      tracker_db=f"host=127.0.0.1 port=5432 user=postgres dbname={tracker_name}",
                      agency_db=env["DATABASE_URL"], proxy=proxy, launcher=launcher,
                      telegram=telegram, zalo=zalo, nginx_dir=work / "nginx")
    try:
        prepare(launcher.env)
        # the action server sits behind the fault proxy; the servers reach it through ACTION_ENDPOINT_URL
        start(launcher, model=MODEL, ports=ports, action_port=action_port, lb_port=lb_port, run_dir=work / "nginx",
              api_token=token, rate=1000, burst=5000, with_nginx=False)
        cluster.warm_up_actions()
        launcher.nginx(render_nginx(work / "nginx", f"127.0.0.1:{lb_port}", ports, 1000, 5000), work / "nginx",
                       f"http://127.0.0.1:{lb_port}/healthz")
        launcher.wait_ready("nginx")
        yield cluster
    finally:
        launcher.stop()
        telegram.stop()
        zalo.stop()
        artifacts = PROJECT_ROOT / "results" / "cluster"
        artifacts.mkdir(parents=True, exist_ok=True)
        for log in [*work.glob("*.log"), work / "nginx" / "access.log"]:
            if log.exists():
                (artifacts / log.name).write_text(log.read_text(errors="replace"))
        with admin.cursor() as cur:
            for name in (agency_name, tracker_name):
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        try:
            r = redis.Redis(host="127.0.0.1", port=6379, db=1)
            for key in r.scan_iter(f"t{tag}*"):
                r.delete(key)
        except redis.RedisError:
            pass


@pytest.fixture(autouse=True)
def servers_running(cluster: Cluster) -> None:
    """Every test starts with both Rasa servers up, whatever an earlier test killed."""
    for name in ("rasa0", "rasa1"):
        if not cluster.launcher.processes[name].running():
            cluster.start(name)


def new_sender(prefix: str = "c") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
