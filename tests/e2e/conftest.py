"""Fixtures that start the real assistant on loopback, once per test session.

The action server and the Rasa server run as separate processes on free ports,
with the trained model from ``models/`` (trained once by ``make``), a fresh
SQLite database seeded by ``python -m bot init-db`` and a fixed "today"
(``ASSISTANT_TODAY``) so that day counts are reproducible.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "tro-ly-797.tar.gz"
BIN = Path(sys.executable).parent
TODAY = "2022-05-10"




def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {timeout_s} s:\n{log.read_text()[-4000:]}")


def stop(processes: List[subprocess.Popen]) -> None:
    """Terminate server processes, killing any that take over 20 s to exit."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Assistant:
    """A running assistant: REST channel and token-protected HTTP API."""

    url: str
    token: str
    database_url: str

    def send(self, sender: str, message: str) -> List[Dict]:
        """POST one message to the REST channel; returns Rasa's reply list."""
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> Dict:
        """NLU only: intent and entities of ``text`` (``/model/parse``)."""
        response = requests.post(
            f"{self.url}/model/parse", params={"token": self.token}, json={"text": text}, timeout=30
        )
        response.raise_for_status()
        return response.json()


def reply_text(messages: List[Dict]) -> str:
    """All texts and button titles of a reply, joined with newlines."""
    parts: List[str] = []
    for message in messages:
        if message.get("text"):
            parts.append(message["text"])
        parts.extend(button.get("title", "") for button in message.get("buttons") or [])
    return "\n".join(parts)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does) first")
    work = tmp_path_factory.mktemp("assistant")
    database_url = f"sqlite:///{work / 'assistant.db'}"
    env = dict(os.environ, DATABASE_URL=database_url, ASSISTANT_TODAY=TODAY,
               RASA_TELEMETRY_ENABLED="false", SANIC_HOST="127.0.0.1", TF_CPP_MIN_LOG_LEVEL="2")
    subprocess.run([str(BIN / "python"), "-m", "bot", "init-db"], env=env, check=True, cwd=ROOT)

    action_port, rasa_port = free_port(), free_port()
    endpoints = work / "endpoints.yml"
    endpoints.write_text(f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n")
    token = secrets.token_hex(16)
    processes: List[subprocess.Popen] = []
    logs: List[Path] = []

    def start(name: str, args: List[str]) -> subprocess.Popen:
        log = work / f"{name}.log"
        logs.append(log)
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    try:
        actions = start("actions", [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
                                    "-p", str(action_port)])
        rasa = start("rasa", [str(BIN / "rasa"), "run", "-i", "127.0.0.1", "-p", str(rasa_port),
                              "--model", str(MODEL), "--endpoints", str(endpoints),
                              "--credentials", str(ROOT / "credentials.yml"),
                              "--enable-api", "--auth-token", token])
        wait_for(f"http://127.0.0.1:{action_port}/health", actions, logs[0])
        wait_for(f"http://127.0.0.1:{rasa_port}/webhooks/rest/", rasa, logs[1])
        yield Assistant(f"http://127.0.0.1:{rasa_port}", token, database_url)
    finally:
        stop(processes)
        artifacts = ROOT / "results" / "e2e"
        artifacts.mkdir(parents=True, exist_ok=True)
        for log in logs:
            (artifacts / log.name).write_text(log.read_text(errors="replace"))
