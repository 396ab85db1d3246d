"""Channel tests: one real assistant (action server + Rasa server) per session,
with Telegram and Zalo switched on and pointed at local fake platform servers.

- ``FakeTelegram`` answers the Bot API (``/bot<token>/<method>``) and records
  every call; its first ``setWebhook`` answers 429 (retry after 1 s).
- ``FakeZalo`` answers ``POST /v3.0/oa/message/cs`` (``error -216`` unless the
  ``access_token`` header is the current token) and the OAuth v4
  ``POST /v4/oa/access_token`` refresh (each refresh token works once).
- The Rasa server reads the repository's own ``credentials.yml``; the channel
  settings come from the environment, as in production. Conversations are kept
  as by ``make run``: Rasa's SQL tracker store on a SQLite file in WAL mode;
  the channels' short-lived state (bot.channels.state) too, in its own file.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from bot.server.launcher import Launcher, free_port, write_endpoints
from bot.settings import PROJECT_ROOT
from tests.e2e.conftest import MODEL, TODAY
from tests.support.fakes import (  # noqa: F401
    TELEGRAM_BOT_NAME,
    TELEGRAM_TOKEN,
    ZALO_ACCESS_TOKEN,
    ZALO_APP_ID,
    ZALO_APP_SECRET,
    ZALO_REFRESH_TOKEN,
    FakeTelegram,
    FakeZalo,
)

TELEGRAM_SECRET = "s3cret-Token_for-webhook"
API_TOKEN = "channels-api-token"  # Rasa's HTTP API, to read trackers
ADMIN_TOKEN = "console-admin-token-for-tests"  # the operators' console (bot.admin), on in every channel test
ADMIN_MAX_FAILURES = 3  # wrong secrets before a 429 ...
ADMIN_LOCKOUT_MINUTES = 0.1  # ... for 6 s (tests/channels/test_console.py waits it out)
ZALO_OA_SECRET_KEY = "oa-secret-key-for-tests"
ARTIFACTS = PROJECT_ROOT / "results" / "channels"
HANDOFF_GROUP = -1009000000001  # the staff group of hand-offs (HANDOFF_TELEGRAM_CHAT_ID)


@dataclass
class ChannelAssistant:
    """The running assistant with its channels, fakes and log."""

    url: str
    telegram: FakeTelegram
    zalo: FakeZalo
    log: Path
    token_file: Path
    started_at: float
    ready_at: float
    extra: Dict[str, Any] = field(default_factory=dict)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def tracker(self, conversation: str) -> Dict[str, Any]:
        """The stored tracker of ``conversation`` (e.g. ``telegram:880000001``),
        read through Rasa's HTTP API (``GET /conversations/<id>/tracker``)."""
        import requests

        answer = requests.get(f"{self.url}/conversations/{conversation}/tracker",
                              params={"token": API_TOKEN}, timeout=30)
        answer.raise_for_status()
        return answer.json()


@pytest.fixture(scope="session")
def channel_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChannelAssistant]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test-channels does) first")
    telegram, zalo = FakeTelegram(), FakeZalo()
    telegram.start()
    zalo.start()
    work = tmp_path_factory.mktemp("channels")
    database_url = f"sqlite:///{work / 'assistant.db'}"
    token_file = work / "zalo_tokens.json"
    rasa_port, action_port = free_port(), free_port()
    env = dict(DATABASE_URL=database_url, ASSISTANT_TODAY=TODAY,
               TELEGRAM_TOKEN=TELEGRAM_TOKEN, TELEGRAM_BOT_NAME=TELEGRAM_BOT_NAME,
               TELEGRAM_WEBHOOK_URL="https://bot.example.gov.vn/webhooks/telegram/webhook",
               TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET, TELEGRAM_API_BASE=telegram.url,
               ZALO_APP_ID=ZALO_APP_ID, ZALO_OA_SECRET_KEY=ZALO_OA_SECRET_KEY, ZALO_APP_SECRET=ZALO_APP_SECRET,
               ZALO_ACCESS_TOKEN=ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN=ZALO_REFRESH_TOKEN,
               ZALO_API_BASE=zalo.url, ZALO_OAUTH_BASE=zalo.url, ZALO_TOKEN_FILE=str(token_file),
               CHANNEL_STATE_URL=f"sqlite:///{work / 'channel_state.sqlite'}",
               ADMIN_TOKEN=ADMIN_TOKEN, ADMIN_MAX_FAILURES=str(ADMIN_MAX_FAILURES),
               ADMIN_LOCKOUT_MINUTES=str(ADMIN_LOCKOUT_MINUTES),
               HANDOFF_TELEGRAM_CHAT_ID=str(HANDOFF_GROUP))
    launcher = Launcher(env=env, log_dir=work)
    subprocess.run([sys.executable, "-m", "bot", "init-db"], env=launcher.env, check=True, cwd=PROJECT_ROOT,
                   stdout=subprocess.DEVNULL)
    started = time.monotonic()
    launcher.action_server(action_port)
    rasa = launcher.rasa_server(rasa_port, model=MODEL, credentials=PROJECT_ROOT / "credentials.yml", cors="*",
                                api_token=API_TOKEN,
                                endpoints=write_endpoints(work / "endpoints.yml",
                                                          f"http://127.0.0.1:{action_port}/webhook",
                                                          conversations_db=work / "conversations.sqlite"),
                                debug=True, health_path="/webhooks/telegram/")
    assistant = None
    try:
        launcher.wait_ready()
        assistant = ChannelAssistant(f"http://127.0.0.1:{rasa_port}", telegram, zalo, rasa.log, token_file,
                                     started, time.monotonic(),
                                     extra={"env": launcher.env, "launcher": launcher,
                                            "conversations_db": work / "conversations.sqlite",
                                            "database_url": database_url,
                                            "channel_state_db": work / "channel_state.sqlite"})
        yield assistant
    finally:
        launcher.stop()
        telegram.stop()
        zalo.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for name, proc in launcher.processes.items():
            (ARTIFACTS / f"{name}.log").write_text(proc.log_tail(10_000_000))
        (ARTIFACTS / "fake_telegram_calls.json").write_text(json.dumps(telegram.snapshot(), ensure_ascii=False, indent=1))
        (ARTIFACTS / "fake_zalo_calls.json").write_text(json.dumps(zalo.snapshot(), ensure_ascii=False, indent=1))
    # After every channel test of the session, whatever order they ran in: no
    # traceback and no secret in the Rasa server's log.
    problems = log_problems(assistant.log_text()) if assistant else []
    if problems:
        pytest.fail("the Rasa server's log after the channel tests: " + "; ".join(problems))


def log_problems(log: str) -> List[str]:
    """What must never be in the server's log: a traceback, or a secret."""
    problems = ["a traceback"] if "Traceback" in log else []
    secrets = [TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(":")[1], TELEGRAM_SECRET, ZALO_ACCESS_TOKEN, ZALO_APP_SECRET,
               ZALO_OA_SECRET_KEY, ZALO_REFRESH_TOKEN, "zalo-access-token-1", "zalo-refresh-token-1", ADMIN_TOKEN]
    problems += [f"the secret {s[:4]}…" for s in secrets if s in log]
    return problems
