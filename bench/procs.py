"""Commands the benchmark runs and measures, and the machine it runs on.

- :func:`run_timed`: run a command to completion; wall time (s) and the peak
  resident memory (MB) of its whole process tree.
- :class:`PeakRss` / :func:`tree_rss`: resident memory of a process tree,
  sampled in a thread / read once; :func:`tree_pss` the same tree's
  proportional set size (PSS: shared pages divided among their users, from
  ``/proc/<pid>/smaps_rollup``), which :class:`PeakRss` samples too when asked.
- :func:`cpu_ticks` / :func:`cpu_ms_per_message`: CPU time (user + system,
  ``/proc/<pid>/stat``) of process trees, before and after a load.
- :func:`bench_env`: the environment every benchmark command gets.
- :func:`machine_info`, :func:`package_versions`: what ``results.json``
  records about the machine and the installed packages.

The servers themselves are started by :class:`bot.server.launcher.Launcher`
(see :mod:`bench.serve`).
"""
from __future__ import annotations

import os
import platform
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence

import psutil

from bot.server.launcher import BIN as BIN  # the virtualenv's bin/, re-exported for bench modules
from bot.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT
MB = 1024 * 1024
# "Today" of every benchmark process (ASSISTANT_TODAY), as in the tests: day counts are reproducible.
TODAY = "2022-05-10"


def tree_pids(pid: int) -> List[int]:
    """``pid`` and all its descendants (``[]`` once it is gone)."""
    try:
        root = psutil.Process(pid)
        return [pid] + [child.pid for child in root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss(pid: int) -> int:
    """Resident bytes of process ``pid`` and all its descendants (0 once it is gone)."""
    total = 0
    for member in tree_pids(pid):
        try:
            total += psutil.Process(member).memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def tree_rss_mb(pid: int) -> float:
    """:func:`tree_rss` in MB (MiB), rounded to 0.1."""
    return round(tree_rss(pid) / MB, 1)


# ------------------------------------------------------------------ /proc
_PSS_LINE = re.compile(r"^Pss:\s+(\d+)\s+kB\s*$", re.MULTILINE)


def parse_pss_kb(smaps_rollup: str) -> int:
    """The ``Pss:`` figure (kB) of a ``/proc/<pid>/smaps_rollup`` text.

    Raises:
        ValueError: the text has no ``Pss:`` line (not a smaps_rollup file).
    """
    found = _PSS_LINE.search(smaps_rollup)
    if not found:
        raise ValueError("no 'Pss:' line in smaps_rollup text")
    return int(found.group(1))


def parse_cpu_ticks(stat: str) -> int:
    """User plus system CPU time, in clock ticks, of a ``/proc/<pid>/stat``
    line (fields 14 and 15, ``utime`` and ``stime``, counted after the
    parenthesised command name, which may itself hold spaces and parentheses).

    Raises:
        ValueError: the line is not a stat line.
    """
    _, paren, rest = stat.rpartition(")")
    fields = rest.split()
    if not paren or len(fields) < 13:
        raise ValueError(f"not a /proc/<pid>/stat line: {stat[:80]!r}")
    # rest starts at field 3 (state): utime is field 14, stime field 15
    return int(fields[11]) + int(fields[12])


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:  # the process has gone (or is not ours to read)
        return None


def tree_pss(pid: int) -> int:
    """Proportional set size in bytes of process ``pid`` and all its
    descendants (0 once it is gone). PSS counts a page shared by k processes
    as 1/k in each, so the sum over a tree is what the tree really costs."""
    total = 0
    for member in tree_pids(pid):
        text = _read(f"/proc/{member}/smaps_rollup")
        if text is not None:
            total += parse_pss_kb(text) * 1024
    return total


def tree_pss_mb(pid: int) -> float:
    """:func:`tree_pss` in MB (MiB), rounded to 0.1."""
    return round(tree_pss(pid) / MB, 1)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(roots: Iterable[int]) -> Dict[int, int]:
    """``{pid: user + system CPU ticks}`` of every process in the trees of
    ``roots`` now (a process gone meanwhile is left out)."""
    out: Dict[int, int] = {}
    for root in roots:
        for member in tree_pids(root):
            text = _read(f"/proc/{member}/stat")
            if text is not None:
                out[member] = parse_cpu_ticks(text)
    return out


def cpu_seconds(before: Mapping[int, int], after: Mapping[int, int], hz: int = CLOCK_TICKS) -> float:
    """CPU seconds spent between two :func:`cpu_ticks` snapshots: the sum over
    the processes of ``after`` of their increase (a process born in between
    counts from zero; one that died in between is lost, as ``/proc`` forgets it)."""
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items()) / hz


def cpu_ms_per_message(cpu_s: float, messages: int) -> Optional[float]:
    """``cpu_s`` seconds spread over ``messages`` messages, in ms per message
    (0.1 ms); ``None`` without messages."""
    return round(1000 * cpu_s / messages, 1) if messages else None


def service_pids(name: str) -> List[int]:
    """The root process of each local process tree whose command is ``name``
    (e.g. ``postgres``: the postmaster, whose children are the backends;
    ``redis-server``), for :func:`cpu_ticks`; ``[]`` when none runs."""
    roots = []
    for proc in psutil.process_iter(["name", "ppid"]):
        try:
            if proc.info["name"] == name and psutil.Process(proc.info["ppid"]).name() != name:
                roots.append(proc.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return roots


class PeakRss:
    """Samples :func:`tree_rss` (or ``measure``, e.g. :func:`tree_pss`: a
    function of a pid returning bytes) of ``pid`` every ``interval_s``
    seconds in a thread while used as a context manager.

    ``peak`` and ``last`` are in bytes (0 before the first sample).
    """

    def __init__(self, pid: int, interval_s: float = 0.2, measure: Callable[[int], int] = tree_rss):
        self.pid, self.interval_s, self.measure, self.peak, self.last = pid, interval_s, measure, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.last = self.measure(self.pid)
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
