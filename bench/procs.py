"""Commands the benchmark runs and measures, and the machine it runs on.

- :func:`run_timed`: run a command to completion; wall time (s) and the peak
  resident memory (MB) of its whole process tree.
- :class:`PeakRss` / :func:`tree_rss`: resident memory of a process tree,
  sampled in a thread / read once.
- :func:`bench_env`: the environment every benchmark command gets.
- :func:`machine_info`, :func:`package_versions`: what ``results.json``
  records about the machine and the installed packages.

The servers themselves are started by :class:`bot.server.launcher.Launcher`
(see :mod:`bench.serve`).
"""
from __future__ import annotations

import os
import platform
import subprocess
import threading
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import psutil

from bot.server.launcher import BIN as BIN  # the virtualenv's bin/, re-exported for bench modules
from bot.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT
MB = 1024 * 1024
# "Today" of every benchmark process (ASSISTANT_TODAY), as in the tests: day counts are reproducible.
TODAY = "2022-05-10"


def tree_rss(pid: int) -> int:
    """Resident bytes of process ``pid`` and all its descendants (0 once it is gone)."""
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


def tree_rss_mb(pid: int) -> float:
    """:func:`tree_rss` in MB (MiB), rounded to 0.1."""
    return round(tree_rss(pid) / MB, 1)


class PeakRss:
    """Samples :func:`tree_rss` of ``pid`` every ``interval_s`` seconds in a
    thread while used as a context manager.

    ``peak`` and ``last`` are in bytes (0 before the first sample).
    """

    def __init__(self, pid: int, interval_s: float = 0.2):
        self.pid, self.interval_s, self.peak, self.last = pid, interval_s, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.last = tree_rss(self.pid)
            self.peak = max(self.peak, self.last)
            self._stop.wait(self.interval_s)

    @property
    def peak_mb(self) -> float:
        """The peak in MB (MiB), rounded to 0.1."""
        return round(self.peak / MB, 1)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bench_env(**extra: str) -> Dict[str, str]:
    """This process's environment, quietened (no Rasa telemetry, terse
    TensorFlow), with "today" pinned to :data:`TODAY`, a fixed hash seed, and
    ``extra`` on top. Returns a new dict."""
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
               SANIC_HOST="127.0.0.1", ASSISTANT_TODAY=TODAY, PYTHONHASHSEED="0")
    env.update(extra)
    return env


@dataclass
class Timed:
    """What :func:`run_timed` measured: ``wall_s`` (s, 0.01), ``peak_rss_mb``
    (MB, 0.1) of the process tree, the exit code and the log file."""

    wall_s: float
    peak_rss_mb: float
    returncode: int
    log: Path


def run_timed(args: Sequence[object], log: Path, env: Dict[str, str], check: bool = True) -> Timed:
    """Run ``args`` in the project folder with ``env`` until it exits, its
    output (stdout and stderr) going to ``log`` (parent folders created).

    Raises:
        RuntimeError: ``check`` and a non-zero exit code; the message ends with
            the last 4,000 characters of the log.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    command: List[str] = [str(a) for a in args]
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        with PeakRss(process.pid) as rss:
            returncode = process.wait()
    result = Timed(round(time.perf_counter() - started, 2), rss.peak_mb, returncode, log)
    if check and returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({returncode}):\n{log.read_text(errors='replace')[-4000:]}")
    return result


def machine_info() -> Dict:
    """CPU model and counts, memory (GB), load average (1, 5, 15 min), OS and
    Python version of this machine, as ``results.json`` records them."""
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


def load_average() -> List[float]:
    """The load average now (1, 5, 15 min), rounded to 0.01."""
    return [round(x, 2) for x in os.getloadavg()]


PACKAGES = ["rasa", "rasa-sdk", "tensorflow", "scikit-learn", "numpy", "underthesea", "spacy", "sanic",
            "aiohttp", "SQLAlchemy", "psutil"]


def package_versions() -> Dict[str, Optional[str]]:
    """``{name: version}`` of :data:`PACKAGES` (``None``: not installed)."""
    out: Dict[str, Optional[str]] = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out
