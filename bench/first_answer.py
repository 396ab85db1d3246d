"""From a fresh clone to the first answer (issue 12; the full run only).

:func:`first_answer` clones the project's committed ``HEAD`` into a scratch
folder, runs ``make run`` there as a new user would (its own ``.venv``, data,
database, training and widget; pip's and npm's caches as they are on this
machine) on free ports (``RASA_PORT``, ``ACTION_PORT``, so a ``make run`` on
the default ports is not disturbed), and times until the REST channel gives
a non-empty reply. Then it stops that ``make run`` (its whole process group)
and deletes the clone, keeping the log.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Dict, Optional

import requests

from bench.procs import ROOT
from bot.server.launcher import free_port

# Variables of this (benchmark) process that a new user's shell would not have.
NOT_INHERITED = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "DATABASE_URL", "CONVERSATIONS_DB",
                 "RASA_CACHE_DIRECTORY", "ASSISTANT_TODAY", "RASA_PORT", "ACTION_PORT")


def user_env(port: int, action_port: int) -> Dict[str, str]:
    """This process's environment as a new user's shell would have it: without
    :data:`NOT_INHERITED` and without any virtualenv's ``bin`` on ``PATH``, with
    ``RASA_PORT`` ``port`` and ``ACTION_PORT`` ``action_port``."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not (Path(p).parent / "pyvenv.cfg").exists())
    env.update(RASA_PORT=str(port), ACTION_PORT=str(action_port))
    return env


def answered(url: str) -> bool:
    """Whether the REST channel at ``url`` (base address) gives a non-empty reply to "xin chào" now."""
    try:
        reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "first-answer", "message": "xin chào"},
                              timeout=30)
        return reply.status_code == 200 and bool(reply.json())
    except (requests.RequestException, ValueError):
        return False


def first_answer(work: Path, timeout_s: float = 1800, source: Path = ROOT) -> Dict:
    """Clone ``source`` (a git repository: the project), ``make run``, wait
    for the first answer (see the module docstring). The clone is
    ``work/first-answer/tro-ly-797`` (deleted afterwards), the log
    ``work/logs/first_answer.log``.

    Returns ``seconds`` (s from the start of ``git clone`` to the first
    answer; ``None`` when there was none within ``timeout_s``), ``clone_s``
    (s), ``commit`` (what was cloned: committed ``HEAD``, not the working
    tree), ``log`` and, without an answer, ``error``.
    """
    folder = work / "first-answer"
    clone = folder / "tro-ly-797"
    log = work / "logs" / "first_answer.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True).stdout.strip()
    port, action_port = free_port(), free_port()
    env = user_env(port, action_port)
    out: Dict = {"commit": commit, "log": str(log), "seconds": None}
    started = time.perf_counter()
    process: Optional[subprocess.Popen] = None
    with log.open("w") as sink:
        try:
            subprocess.run(["git", "clone", "--quiet", str(source), str(clone)], env=env, stdout=sink,
                           stderr=subprocess.STDOUT, check=True, timeout=300)
            out["clone_s"] = round(time.perf_counter() - started, 1)
            # a session of its own: stopping it stops make and everything make started
            process = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                       start_new_session=True)
            url = f"http://127.0.0.1:{port}"
            while time.perf_counter() - started < timeout_s:
                if process.poll() is not None:
                    out["error"] = f"make run exited with {process.returncode} before answering (see the log)"
                    break
                if answered(url):
                    out["seconds"] = round(time.perf_counter() - started, 1)
                    break
                time.sleep(1)
            else:
                out["error"] = f"no answer within {timeout_s:.0f} s"
        except (subprocess.SubprocessError, OSError) as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            if process is not None:
                stop_group(process)
    shutil.rmtree(folder, ignore_errors=True)
    return out


def stop_group(process: subprocess.Popen, grace_s: float = 30) -> None:
    """Ctrl-C to ``process``'s process group (``make run`` stops its servers on
    it), then SIGKILL to the group after ``grace_s`` seconds if it still runs."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group, if any
    except ProcessLookupError:
        pass
    process.wait()
