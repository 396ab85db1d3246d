"""The assistant as ``make run`` starts it (``python -m bot serve``), once per
test session, on free loopback ports.

The trained model comes from ``models/`` (trained once by ``make``); the
database is a fresh SQLite file seeded by ``python -m bot init-db``; "today" is
pinned (``ASSISTANT_TODAY``) so that day counts are reproducible. Rasa's HTTP
API is on, token-protected, for ``/model/parse``.
"""
from __future__ import annotations

import secrets
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import Dict, Iterator, List

import psutil
import pytest
import requests

from bot.server.launcher import Launcher, free_port
from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "tro-ly-797.tar.gz"
TODAY = "2022-05-10"
ARTIFACTS = PROJECT_ROOT / "results" / "e2e"


@dataclass
class Assistant:
    """A running assistant: REST channel and token-protected HTTP API."""

    url: str
    token: str
    database_url: str
    serve_pid: int

    def send(self, sender: str, message: str) -> List[Dict]:
        """POST one message to the REST channel; returns Rasa's reply list."""
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                                 timeout=30)
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> Dict:
        """NLU only: intent and entities of ``text`` (``/model/parse``)."""
        response = requests.post(f"{self.url}/model/parse", params={"token": self.token}, json={"text": text},
                                 timeout=30)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does) first")
    work = tmp_path_factory.mktemp("assistant")
    database_url = f"sqlite:///{work / 'assistant.db'}"
    rasa_port, action_port, token = free_port(), free_port(), secrets.token_hex(16)
    env = dict(DATABASE_URL=database_url, ASSISTANT_TODAY=TODAY, RASA_PORT=str(rasa_port),
               ACTION_PORT=str(action_port), RASA_HOST="127.0.0.1", RASA_AUTH_TOKEN=token)
    launcher = Launcher(env=env, log_dir=work)
    subprocess.run([sys.executable, "-m", "bot", "init-db"], env=launcher.env, check=True, cwd=PROJECT_ROOT,
                   stdout=subprocess.DEVNULL)
    serve = launcher.start("serve", [sys.executable, "-m", "bot", "serve"],
                           health=f"http://127.0.0.1:{rasa_port}/webhooks/rest/")
    try:
        launcher.wait_ready("serve")
        yield Assistant(f"http://127.0.0.1:{rasa_port}", token, database_url, serve.pid)
    finally:
        stopped_cleanly = _interrupt(serve.popen)
        launcher.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "serve.log").write_text(serve.log_tail(10_000_000))
        if not stopped_cleanly:
            pytest.fail("`python -m bot serve` did not stop cleanly on Ctrl-C (see results/e2e/serve.log)")


def _interrupt(popen: subprocess.Popen) -> bool:
    """Ctrl-C ``python -m bot serve``: it must exit 0 within 60 s and leave no child running."""
    try:
        children = psutil.Process(popen.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return False
    popen.send_signal(signal.SIGINT)
    try:
        code = popen.wait(60)
    except subprocess.TimeoutExpired:
        return False
    _, alive = psutil.wait_procs(children, timeout=30)
    return code == 0 and not alive


def serve_children(assistant: Assistant) -> List[str]:
    """Command lines of the processes ``python -m bot serve`` runs."""
    return [" ".join(p.cmdline()) for p in psutil.Process(assistant.serve_pid).children()]


