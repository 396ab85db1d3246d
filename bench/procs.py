"""Processes the benchmark starts and measures: timed commands with the peak
resident memory of their whole process tree, and the assistant's two servers.

Server start-up reuses the helpers of ``tests/e2e/conftest.py``.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import psutil

from tests.e2e.conftest import BIN, ROOT, TODAY, free_port, wait_for

MB = 1024 * 1024


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 once it is gone)."""
    try:
        root = psutil.Process(pid)
        procs = [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


class PeakRss:
    """Samples the tree RSS of ``pid`` in a thread; ``peak`` is the maximum seen."""

    def __init__(self, pid: int, interval_s: float = 0.2):
        self.pid, self.interval_s, self.peak, self.last = pid, interval_s, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.last = tree_rss(self.pid)
            self.peak = max(self.peak, self.last)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def bench_env(**extra: str) -> Dict[str, str]:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
               SANIC_HOST="127.0.0.1", ASSISTANT_TODAY=TODAY, PYTHONHASHSEED="0")
    env.update(extra)
    return env


@dataclass
class Timed:
    wall_s: float
    peak_rss_mb: float
    returncode: int
    log: Path


def run_timed(args: List[str], log: Path, env: Dict[str, str], check: bool = True) -> Timed:
    """Run a command to completion; wall time and peak RSS of its process tree."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        with PeakRss(process.pid) as rss:
            returncode = process.wait()
    result = Timed(round(time.perf_counter() - started, 2), round(rss.peak / MB, 1), returncode, log)
    if check and returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({returncode}):\n{log.read_text()[-4000:]}")
    return result


@dataclass
class Servers:
    """The action server and the Rasa server of one model, on free loopback ports."""

    model: Path
    work: Path
    env: Dict[str, str]
    url: str = ""
    action_url: str = ""
    startup_s: float = 0.0
    action_startup_s: float = 0.0
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: Dict[str, Path] = field(default_factory=dict)

    def _start(self, name: str, args: List[str]) -> subprocess.Popen:
        log = self.work / f"{name}.log"
        self.logs[name] = log
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def start(self) -> "Servers":
        action_port, rasa_port = free_port(), free_port()
        endpoints = self.work / "endpoints.yml"
        endpoints.write_text(f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n")
        started = time.perf_counter()
        actions = self._start("actions", [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
                                          "-p", str(action_port)])
        self.action_url = f"http://127.0.0.1:{action_port}"
        wait_for(f"{self.action_url}/health", actions, self.logs["actions"])
        self.action_startup_s = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        rasa = self._start("rasa", [str(BIN / "rasa"), "run", "-i", "127.0.0.1", "-p", str(rasa_port),
                                    "--model", str(self.model), "--endpoints", str(endpoints),
                                    "--credentials", str(ROOT / "credentials.yml")])
        self.url = f"http://127.0.0.1:{rasa_port}"
        wait_for(f"{self.url}/webhooks/rest/", rasa, self.logs["rasa"])
        self.startup_s = round(time.perf_counter() - started, 2)
        return self

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def rss_mb(self, name: str) -> float:
        return round(tree_rss(self.pid(name)) / MB, 1)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> "Servers":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def machine_info() -> Dict:
    import platform

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load1, load5, load15 = os.getloadavg()
    return {
        "cpu_model": cpu,
        "cpu_cores_logical": psutil.cpu_count(logical=True),
        "cpu_cores_physical": psutil.cpu_count(logical=False),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "memory_total_gb": round(psutil.virtual_memory().total / 1024 ** 3, 1),
        "memory_available_gb_at_start": round(psutil.virtual_memory().available / 1024 ** 3, 1),
        "load_average_at_start": [round(load1, 2), round(load5, 2), round(load15, 2)],
        "os": platform.platform(),
        "python": platform.python_version(),
    }


PACKAGES = ["rasa", "rasa-sdk", "tensorflow", "scikit-learn", "numpy", "underthesea", "spacy", "sanic",
            "aiohttp", "SQLAlchemy", "psutil"]


def package_versions() -> Dict[str, Optional[str]]:
    from importlib.metadata import PackageNotFoundError, version

    out: Dict[str, Optional[str]] = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out
