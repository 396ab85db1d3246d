"""The fresh clone's ``make run`` (issue 12) gets a new user's environment on other ports."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from bench.first_answer import NOT_INHERITED, first_answer, user_env


def test_user_env_is_a_new_shell_on_other_ports(tmp_path: Path, monkeypatch) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    monkeypatch.setenv("PATH", os.pathsep.join([str(venv / "bin"), "/usr/bin"]))
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    env = user_env(5801, 5802)
    assert env["PATH"] == "/usr/bin" and env["RASA_PORT"] == "5801" and env["ACTION_PORT"] == "5802"
    assert not {"VIRTUAL_ENV", "DATABASE_URL"} & set(env) and "ASSISTANT_TODAY" in NOT_INHERITED


# A project whose `make run` serves the REST channel on RASA_PORT after a short
# start-up, as the real one does after install and training.
SERVER = '''import json, os, time
from http.server import BaseHTTPRequestHandler, HTTPServer
time.sleep(1)
open(os.environ["FIRST_ANSWER_PID_FILE"], "w").write(str(os.getpid()))
class Rest(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps([{"recipient_id": "x", "text": "Xin chào anh/chị"}]).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
HTTPServer(("127.0.0.1", int(os.environ["RASA_PORT"])), Rest).serve_forever()
'''


def git_project(folder: Path, makefile: str) -> Path:
    folder.mkdir()
    (folder / "Makefile").write_text(makefile)
    (folder / "server.py").write_text(SERVER)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qm", "p"]):
        subprocess.run(["git", *args], cwd=folder, check=True)
    return folder


def test_first_answer_times_a_clone_until_it_answers_then_stops_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FIRST_ANSWER_PID_FILE", str(tmp_path / "server.pid"))
    project = git_project(tmp_path / "project", f"run:\n\t{sys.executable} server.py\n")
    out = first_answer(tmp_path / "work", timeout_s=60, source=project)
    assert out.get("error") is None, open(out["log"]).read()
    assert 1 <= out["seconds"] < 60 and out["clone_s"] < out["seconds"]
    assert len(out["commit"]) == 40
    assert not (tmp_path / "work" / "first-answer").exists()   # the clone is gone
    # make's server was stopped with it
    server = int((tmp_path / "server.pid").read_text())
    deadline = time.monotonic() + 10
    while running(server):
        assert time.monotonic() < deadline, "the clone's server still runs"
        time.sleep(0.1)


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_first_answer_reports_a_run_that_fails(tmp_path: Path) -> None:
    project = git_project(tmp_path / "project", "run:\n\t@echo 'model missing' && exit 2\n")
    out = first_answer(tmp_path / "work", timeout_s=60, source=project)
    assert out["seconds"] is None and "exited with 2" in out["error"]
    assert "model missing" in open(out["log"]).read()
