"""Starting, watching and stopping the assistant's processes: the one launcher
used by ``make run`` (``python -m bot serve``), ``make run-cluster``
(``python -m bot cluster``), the test fixtures and the benchmark.

A :class:`Launcher` starts each process with :meth:`Launcher.start`, knows how
to tell that it is ready (an HTTP health address that answers 200),
restarts it by name (the cluster tests kill a server midway) and stops every
process it started: SIGTERM, then SIGKILL after ``stop_timeout_s``.

    with Launcher(env=env, log_dir=work) as launcher:
        actions = launcher.action_server(free_port())
        rasa = launcher.rasa_server(free_port(), model=MODEL, endpoints=..., credentials=...)
        launcher.wait_ready()
        ...

Commands (what each process runs):

- the action server: ``python -m rasa_sdk --actions actions -p PORT`` (loopback only);
- a Rasa server: ``rasa run -i HOST -p PORT --model ... --endpoints ... --credentials ...``;
- the reminder scheduler: ``python -m bot scheduler``;
- nginx: ``nginx -c CONF -p RUN_DIR`` (the scale-out configuration).
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Dict, List, Mapping, Optional, Sequence, Union

from bot.settings import PROJECT_ROOT, environment

BIN = Path(sys.executable).parent
QUIET = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "SANIC_HOST": "127.0.0.1"}


class LaunchError(RuntimeError):
    """A process exited before it was ready, or did not answer in time; the
    message ends with the tail of its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_endpoints(path: Path, action_url: str, conversations_db: Optional[Path] = None) -> Path:
    """An ``endpoints.yml`` at ``path`` naming the action server (``http://.../webhook``,
    with the domain sent only to the actions that ask for it, as in ``endpoints.yml``)
    and, with ``conversations_db``, the SQLite tracker store of ``make run`` on
    that file (:mod:`bot.server.tracker_store`); without it Rasa keeps
    conversations in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"action_endpoint:\n  url: {action_url}\n  enable_selective_domain: true\n"
    if conversations_db is not None:
        text += ("tracker_store:\n  type: bot.server.tracker_store.SQLiteTrackerStore\n"
                 f"  db: {json.dumps(str(conversations_db))}\n")
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Process:
    """One process the launcher manages.

    ``health`` is the URL that answers 200 once the process serves (``None``:
    ready when started); ``log`` the file its output goes to (``None``: this
    terminal).
    """

    name: str
    args: List[str]
    health: Optional[str] = None
    log: Optional[Path] = None
    popen: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    ready_after_s: Optional[float] = None

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} was never started"
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return self.log.read_text(errors="replace")[-chars:]


@dataclass
class Launcher:
    """Starts processes with ``env`` (default: this process's environment plus
    :data:`QUIET`) in ``cwd`` (the project), logs to ``log_dir/<name>.log``
    (``None``: this terminal), and stops them all on :meth:`stop` or when
    leaving a ``with`` block."""

    env: Optional[Mapping[str, str]] = None
    log_dir: Optional[Path] = None
    cwd: Path = PROJECT_ROOT
    stop_timeout_s: float = 20.0
    processes: Dict[str, Process] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = {**environment(), **QUIET, **(self.env or {})}

    # ---------------------------------------------------------------- generic
    def start(self, name: str, args: Optional[Sequence[str]] = None, health: Optional[str] = None) -> Process:
        """Start ``args`` as process ``name`` (or start ``name`` again with its
        earlier command); returns at once. Output is appended to its log."""
        if args is not None:
            log = self.log_dir / f"{name}.log" if self.log_dir else None
            self.processes[name] = Process(name, [str(a) for a in args], health, log)
        proc = self.processes[name]
        out: Union[int, IO, None] = None
        if proc.log is not None:
            proc.log.parent.mkdir(parents=True, exist_ok=True)
            out = proc.log.open("a")
        proc.popen = subprocess.Popen(proc.args, cwd=self.cwd, env=self.env, stdout=out,
                                      stderr=subprocess.STDOUT if out is not None else None)
        proc.started_at, proc.ready_after_s = time.monotonic(), None
        return proc

    def wait_ready(self, *names: str, timeout_s: float = 240.0) -> None:
        """Wait until every named process (default: all) answers its health URL.

        Raises:
            LaunchError: one exited first, or did not answer within ``timeout_s``.
        """
        deadline = time.monotonic() + timeout_s
        for name in names or list(self.processes):
            proc = self.processes[name]
            while proc.ready_after_s is None:
                if not proc.running():
                    raise LaunchError(f"{name} exited before it was ready:\n{proc.log_tail()}")
                if proc.health is None or _answers(proc.health):
                    proc.ready_after_s = round(time.monotonic() - proc.started_at, 2)
                    break
                if time.monotonic() > deadline:
                    raise LaunchError(f"{name} did not answer {proc.health} in {timeout_s:.0f} s:\n{proc.log_tail()}")
                time.sleep(0.25)

    def kill(self, name: str) -> None:
        """SIGKILL ``name`` (a crash, for fault tests) and reap it."""
        proc = self.processes[name]
        if proc.running():
            proc.popen.kill()
            proc.popen.wait(10)

    def stop(self, *names: str) -> None:
        """SIGTERM the named processes (default: all), SIGKILL those still
        running after ``stop_timeout_s``."""
        procs = [self.processes[n] for n in (names or list(self.processes))]
        for proc in procs:
            if proc.running():
                proc.popen.terminate()
        for proc in procs:
            if proc.popen is None:
                continue
            try:
                proc.popen.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait()

    def __enter__(self) -> "Launcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------- the assistant's
    def action_server(self, port: int, name: str = "actions") -> Process:
        """Start the action server on 127.0.0.1:``port``; health ``/health``."""
        return self.start(name, [BIN / "python", "-m", "rasa_sdk", "--actions", "actions", "-p", port],
                          f"http://127.0.0.1:{port}/health")

    def rasa_server(self, port: int, *, model: Path, endpoints: Path, credentials: Path,
                    host: str = "127.0.0.1", name: str = "rasa", api_token: Optional[str] = None,
                    cors: Optional[str] = None, debug: bool = False, health_path: str = "/webhooks/rest/",
                    extra: Sequence[str] = ()) -> Process:
        """Start a Rasa server on ``host``:``port``; ready once ``health_path`` answers.

        ``api_token`` enables Rasa's HTTP API (token-protected); ``cors`` the
        origins allowed from browsers; ``debug`` Rasa's debug log.
        """
        args: List[object] = [BIN / "rasa", "run", "-i", host, "-p", port, "--model", model,
                              "--endpoints", endpoints, "--credentials", credentials]
        if api_token:
            args += ["--enable-api", "--auth-token", api_token]
        if cors:
            args += ["--cors", cors]
        if debug:
            args.append("--debug")
        args += list(extra)
        probe = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        return self.start(name, args, f"http://{probe}:{port}{health_path}")

    def scheduler(self, name: str = "scheduler") -> Process:
        """Start the reminder scheduler (``python -m bot scheduler``); no health URL."""
        return self.start(name, [BIN / "python", "-m", "bot", "scheduler"])

    def nginx(self, conf: Path, run_dir: Path, health: str, name: str = "nginx") -> Process:
        """Start nginx with our configuration ``conf`` (which says ``daemon off``)."""
        return self.start(name, [_nginx_binary(), "-c", conf, "-p", run_dir], health)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _nginx_binary() -> str:
    import shutil

    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise LaunchError("nginx is missing: run 'make nginx' (Debian package)")
    return found
