"""Channel tests: one real assistant (action server + Rasa server) per session,
with Telegram and Zalo switched on and pointed at local fake platform servers.

- ``FakeTelegram`` answers the Bot API (``/bot<token>/<method>``) and records
  every call; its first ``setWebhook`` answers 429 (retry after 1 s).
- ``FakeZalo`` answers ``POST /v3.0/oa/message/cs`` (``error -216`` unless the
  ``access_token`` header is the current token) and the OAuth v4
  ``POST /v4/oa/access_token`` refresh (each refresh token works once).
- The Rasa server reads the repository's own ``credentials.yml``; the channel
  settings come from the environment, as in production.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from tests.e2e.conftest import BIN, MODEL, ROOT, TODAY, free_port, stop, wait_for
from tests.fakes import (TELEGRAM_BOT_NAME, TELEGRAM_TOKEN, ZALO_ACCESS_TOKEN, ZALO_APP_ID,  # noqa: F401
                         ZALO_APP_SECRET, ZALO_REFRESH_TOKEN, FakeTelegram, FakeZalo)

TELEGRAM_SECRET = "s3cret-Token_for-webhook"
ZALO_OA_SECRET_KEY = "oa-secret-key-for-tests"
ARTIFACTS = ROOT / "results" / "channels"


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
    env = dict(os.environ, DATABASE_URL=database_url, ASSISTANT_TODAY=TODAY, RASA_TELEMETRY_ENABLED="false",
               SANIC_HOST="127.0.0.1", TF_CPP_MIN_LOG_LEVEL="2",
               TELEGRAM_TOKEN=TELEGRAM_TOKEN, TELEGRAM_BOT_NAME=TELEGRAM_BOT_NAME,
               TELEGRAM_WEBHOOK_URL="https://bot.example.gov.vn/webhooks/telegram/webhook",
               TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET, TELEGRAM_API_BASE=telegram.url,
               ZALO_APP_ID=ZALO_APP_ID, ZALO_OA_SECRET_KEY=ZALO_OA_SECRET_KEY, ZALO_APP_SECRET=ZALO_APP_SECRET,
               ZALO_ACCESS_TOKEN=ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN=ZALO_REFRESH_TOKEN,
               ZALO_API_BASE=zalo.url, ZALO_OAUTH_BASE=zalo.url, ZALO_TOKEN_FILE=str(token_file))
    subprocess.run([str(BIN / "python"), "-m", "bot", "init-db"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    endpoints = work / "endpoints.yml"
    endpoints.write_text(f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n")
    logs = {name: work / f"{name}.log" for name in ("actions", "rasa")}
    started = time.monotonic()
    processes = [
        subprocess.Popen([str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "-p", str(action_port)],
                         cwd=ROOT, env=env, stdout=logs["actions"].open("w"), stderr=subprocess.STDOUT),
        subprocess.Popen([str(BIN / "rasa"), "run", "-i", "127.0.0.1", "-p", str(rasa_port), "--model", str(MODEL),
                          "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml"),
                          "--cors", "*", "--debug"],
                         cwd=ROOT, env=env, stdout=logs["rasa"].open("w"), stderr=subprocess.STDOUT),
    ]
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", processes[0], logs["actions"])
        wait_for(f"http://127.0.0.1:{rasa_port}/webhooks/telegram/", processes[1], logs["rasa"])
        yield ChannelAssistant(f"http://127.0.0.1:{rasa_port}", telegram, zalo, logs["rasa"], token_file,
                               started, time.monotonic(), extra={"env": env})
    finally:
        stop(processes)
        telegram.stop()
        zalo.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for name, log in logs.items():
            (ARTIFACTS / f"{name}.log").write_text(log.read_text(errors="replace"))
        (ARTIFACTS / "fake_telegram_calls.json").write_text(json.dumps(telegram.snapshot(), ensure_ascii=False, indent=1))
        (ARTIFACTS / "fake_zalo_calls.json").write_text(json.dumps(zalo.snapshot(), ensure_ascii=False, indent=1))
