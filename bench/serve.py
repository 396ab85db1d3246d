"""Serving measurements: the trained model behind the real servers.

:func:`serve_and_measure` seeds a fresh SQLite database, starts the action
server and the Rasa server on free loopback ports through
:class:`bot.server.launcher.Launcher` (:func:`start_assistant`) as ``make run``
does (SQLite tracker store), and measures, in order: start-up time, memory at
rest (RSS and PSS), the first reply, the acceptance questions over REST
(:func:`eval_pass_rate`), sequential latency and bounded concurrent runs
(:func:`measured_runs`), with the peak memory of both servers and their CPU
time per message under that load.

:func:`measured_load` and :func:`measured_runs` (one load run, or one per
concurrency, with the CPU time of named process trees) serve the scale-out
configuration too (:mod:`bench.cluster`).
"""
from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence

import psutil
import requests

from bench.evalset import EVAL_DIRS, load_cases, replay, reply_text
from bench.load import message_mix, run_load
from bench.procs import (
    BIN,
    ROOT,
    PeakRss,
    cpu_ms_per_message,
    cpu_seconds,
    cpu_ticks,
    run_timed,
    tree_pss,
    tree_pss_mb,
    tree_rss_mb,
)
from bot.server.launcher import Launcher, free_port, write_endpoints


def start_assistant(launcher: Launcher, model: Path, work: Path) -> str:
    """Start the action server (``actions``), wait for it, then the Rasa
    server (``rasa``) with ``model``, an ``endpoints.yml`` in ``work`` naming
    the action server and the project's ``credentials.yml``, and wait for it.
    Each process's start-up time is its ``ready_after_s`` (s).

    Returns the Rasa server's base URL (``http://127.0.0.1:PORT``).

    Raises:
        bot.server.launcher.LaunchError: a server exited or did not answer in time.
    """
    action_port, rasa_port = free_port(), free_port()
    launcher.action_server(action_port)
    launcher.wait_ready("actions")
    endpoints = write_endpoints(work / "endpoints.yml", f"http://127.0.0.1:{action_port}/webhook",
                                conversations_db=work / "conversations.sqlite")
    launcher.rasa_server(rasa_port, model=model, endpoints=endpoints, credentials=ROOT / "credentials.yml")
    launcher.wait_ready("rasa")
    return f"http://127.0.0.1:{rasa_port}"


def eval_pass_rate(url: str) -> Dict:
    """Replay every ``../shared/eval/*.yml`` and ``../shared/eval-chat/*.yml``
    case (:data:`bench.evalset.EVAL_DIRS`) over REST at ``url`` (base
    address), one fresh sender per case, with the checks of
    :func:`bench.evalset.check`; a case fails at its first failing turn.

    Returns ``files`` (``{folder/file: {cases, passed, pass_rate}}``), ``cases``,
    ``passed``, ``pass_rate`` (0..1) and up to 30 ``failures``
    (``{case, ask, problems}``).

    Raises:
        requests.RequestException: a request failed or took over 60 s.
    """
    by_file: Dict[str, Dict] = {}
    failures: List[Dict] = []
    for case_id, case in load_cases(EVAL_DIRS):
        sender = f"eval-{uuid.uuid4().hex[:12]}"

        def ask(message: str, sender: str = sender) -> str:
            response = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                                     timeout=60)
            return reply_text(response.json()) if response.status_code == 200 else f"HTTP {response.status_code}"

        failure = replay(case, ask)
        ok = failure is None
        if failure:
            failures.append({"case": case_id, "ask": failure["ask"], "problems": failure["problems"]})
        stats = by_file.setdefault(case_id.split(":", 1)[0], {"cases": 0, "passed": 0})
        stats["cases"] += 1
        stats["passed"] += int(ok)
    for stats in by_file.values():
        stats["pass_rate"] = round(stats["passed"] / stats["cases"], 4)
    total = sum(s["cases"] for s in by_file.values())
    passed = sum(s["passed"] for s in by_file.values())
    return {"files": by_file, "cases": total, "passed": passed,
            "pass_rate": round(passed / total, 4) if total else 0.0, "failures": failures[:30]}


def measured_load(url: str, messages: List[str], concurrency: int, tag: str,
                  meters: Mapping[str, Sequence[int]]) -> Dict:
    """:func:`bench.load.run_load` of ``messages`` at ``url`` with
    ``concurrency`` senders, plus the CPU time the process trees of
    ``meters`` (``{name: [root pid, ...]}``, e.g. ``{"rasa": [...], "actions": [...]}``)
    spent meanwhile, and the load client's (``load_client``: this thread's):
    ``cpu_s`` (``{name: s}``) and
    ``cpu_ms_per_message`` (``{name: ms}``). Never raises for a failed request
    (see ``run_load``)."""
    before = {name: cpu_ticks(pids) for name, pids in meters.items()}
    # the load client is this thread's event loop (aiohttp to a literal IP needs no
    # resolver thread); thread time leaves out the memory samplers' threads
    client = time.thread_time()
    result = asyncio.run(run_load(url, messages, concurrency, tag))
    spent = {name: round(cpu_seconds(before[name], cpu_ticks(pids)), 3) for name, pids in meters.items()}
    spent["load_client"] = round(time.thread_time() - client, 3)
    result["cpu_s"] = spent
    result["cpu_ms_per_message"] = {name: cpu_ms_per_message(s, len(messages)) for name, s in spent.items()}
    return result


def measured_runs(url: str, plan: Mapping[int, int], meters: Mapping[str, Sequence[int]], tag: str,
                  on_run: Optional[Callable[[Dict[str, Dict]], None]] = None) -> Dict[str, Dict]:
    """One :func:`measured_load` of the mixed load (:func:`bench.load.message_mix`)
    per ``{concurrency: messages}`` of ``plan``, in order; returns
    ``{"c<concurrency>": result}``, passed to ``on_run`` after each run too
    (to save partial results). Sender ids start with ``<tag>c<concurrency>``."""
    runs: Dict[str, Dict] = {}
    for concurrency, count in plan.items():
        runs[f"c{concurrency}"] = measured_load(url, message_mix(count), concurrency, f"{tag}c{concurrency}", meters)
        if on_run:
            on_run(runs)
    return runs


def cpu_per_message(runs: Iterable[Dict]) -> Dict[str, Optional[float]]:
    """``{name: ms}``: the CPU time of each meter summed over ``runs``
    (:func:`measured_load` results) divided by their messages."""
    runs = list(runs)
    messages = sum(r["messages"] for r in runs)
    names = {name for r in runs for name in r["cpu_s"]}
    return {name: cpu_ms_per_message(sum(r["cpu_s"].get(name, 0.0) for r in runs), messages)
            for name in sorted(names)}


def serve_and_measure(model: Path, work: Path, env: Dict[str, str], mode: Dict, results: Dict,
                      save: Callable[[], None]) -> None:
    """Serve ``model`` and fill ``results`` in place, calling ``save()`` after
    each measurement: ``server`` (start-up s, RSS and PSS MB at rest / under
    load, RSS after load, first reply ms, process count), ``eval``,
    ``latency_ms`` (``sequential``), ``throughput`` (``c<concurrency>``, each
    with its CPU time), ``cpu_ms_per_message`` (``{"rasa", "actions", "load_client": ms}``
    over the sequential and concurrent runs), ``errors_total``,
    ``empty_replies_total`` and ``artifacts.server_logs``.

    ``mode`` gives ``warmup`` and ``sequential`` (message counts) and
    ``throughput`` (``{concurrency: messages}``). The database is
    ``work/assistant.db``, the conversations ``work/servers/conversations.sqlite``;
    server logs go to ``work/servers/``. The servers are stopped on return and on any error.

    Raises:
        RuntimeError: seeding the database failed.
        bot.server.launcher.LaunchError: a server did not start.
    """
    env = dict(env, DATABASE_URL=f"sqlite:///{work / 'assistant.db'}")
    run_timed([BIN / "python", "-m", "bot", "init-db"], work / "logs" / "init_db.log", env)
    with Launcher(env=env, log_dir=work / "servers") as launcher:
        url = start_assistant(launcher, model, work / "servers")
        rasa, actions = launcher.processes["rasa"], launcher.processes["actions"]
        meters = {"rasa": [rasa.pid], "actions": [actions.pid]}
        time.sleep(2)
        server = {
            "startup_s": rasa.ready_after_s,
            "action_server_startup_s": actions.ready_after_s,
            "rss_idle_mb": tree_rss_mb(rasa.pid),
            "pss_idle_mb": tree_pss_mb(rasa.pid),
            "action_rss_idle_mb": tree_rss_mb(actions.pid),
            "action_pss_idle_mb": tree_pss_mb(actions.pid),
        }
        started = time.perf_counter()
        first = requests.post(f"{url}/webhooks/rest/webhook",
                              json={"sender": "bench-first", "message": "xin chào"}, timeout=120)
        server["first_reply_ms"] = round(1000 * (time.perf_counter() - started), 1)
        server["first_reply_ok"] = first.status_code == 200 and bool(first.json())
        results["server"] = server
        save()

        results["eval"] = eval_pass_rate(url)
        save()
        asyncio.run(run_load(url, message_mix(mode["warmup"]), 1, "warmup"))
        # PSS walks every mapping of the process: sampled once a second, not five times
        with PeakRss(rasa.pid) as rasa_rss, PeakRss(actions.pid) as action_rss, \
                PeakRss(rasa.pid, 1.0, tree_pss) as rasa_pss:
            sequential = measured_load(url, message_mix(mode["sequential"]), 1, "seq", meters)
            results["latency_ms"] = {"sequential": {**sequential["latency_ms"],
                                                    "errors": sequential["errors"],
                                                    "empty_replies": sequential["empty_replies"],
                                                    "problems": sequential["problems"]}}
            save()

            def saved(runs: Dict[str, Dict]) -> None:
                results["throughput"] = runs
                save()

            throughput = measured_runs(url, mode["throughput"], meters, "", saved)
        server["rss_load_mb"] = rasa_rss.peak_mb
        server["pss_load_mb"] = rasa_pss.peak_mb
        server["rss_after_load_mb"] = tree_rss_mb(rasa.pid)
        server["action_rss_load_mb"] = action_rss.peak_mb
        server["rasa_processes"] = 1 + len(psutil.Process(rasa.pid).children(recursive=True))
        results["server"] = server
        results["cpu_ms_per_message"] = cpu_per_message([sequential, *throughput.values()])
        results["errors_total"] = sequential["errors"] + sum(t["errors"] for t in throughput.values())
        results["empty_replies_total"] = (sequential["empty_replies"]
                                          + sum(t["empty_replies"] for t in throughput.values()))
        save()
        logs = {name: str(proc.log) for name, proc in launcher.processes.items()}
    results.setdefault("artifacts", {})["server_logs"] = logs
