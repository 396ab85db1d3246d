"""Serving measurements: the trained model behind the real servers.

:func:`serve_and_measure` seeds a fresh SQLite database, starts the action
server and the Rasa server on free loopback ports through
:class:`bot.server.launcher.Launcher` (:func:`start_assistant`), and measures,
in order: start-up time, resident memory at rest, the first reply, the
acceptance questions over REST (:func:`eval_pass_rate`), sequential latency
and bounded concurrent runs (:func:`bench.load.run_load`), with the peak
resident memory of both servers under that load.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Callable, Dict, List

import psutil
import requests

from bench.evalset import EVAL_DIRS, load_cases, replay, reply_text
from bench.load import message_mix, run_load
from bench.procs import BIN, ROOT, PeakRss, run_timed, tree_rss_mb
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
    endpoints = write_endpoints(work / "endpoints.yml", f"http://127.0.0.1:{action_port}/webhook")
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


def serve_and_measure(model: Path, work: Path, env: Dict[str, str], mode: Dict, results: Dict,
                      save: Callable[[], None]) -> None:
    """Serve ``model`` and fill ``results`` in place, calling ``save()`` after
    each measurement: ``server`` (start-up s, RSS MB at rest / under load /
    after load, first reply ms, process count), ``eval``, ``latency_ms``
    (``sequential``), ``throughput`` (``c<concurrency>``), ``errors_total``,
    ``empty_replies_total`` and ``artifacts.server_logs``.

    ``mode`` gives ``warmup`` and ``sequential`` (message counts) and
    ``throughput`` (``{concurrency: messages}``). The database is
    ``work/assistant.db``; server logs go to ``work/servers/``. The servers are
    stopped on return and on any error.

    Raises:
        RuntimeError: seeding the database failed.
        bot.server.launcher.LaunchError: a server did not start.
    """
    env = dict(env, DATABASE_URL=f"sqlite:///{work / 'assistant.db'}")
    run_timed([BIN / "python", "-m", "bot", "init-db"], work / "logs" / "init_db.log", env)
    with Launcher(env=env, log_dir=work / "servers") as launcher:
        url = start_assistant(launcher, model, work / "servers")
        rasa, actions = launcher.processes["rasa"], launcher.processes["actions"]
        time.sleep(2)
        server = {
            "startup_s": rasa.ready_after_s,
            "action_server_startup_s": actions.ready_after_s,
            "rss_idle_mb": tree_rss_mb(rasa.pid),
            "action_rss_idle_mb": tree_rss_mb(actions.pid),
        }
        started = time.perf_counter()
        first = requests.post(f"{url}/webhooks/rest/webhook",
                              json={"sender": "bench-first", "message": "xin chào"}, timeout=120)
        server["first_reply_ms"] = round(1000 * (time.perf_counter() - started), 1)
        server["first_reply_ok"] = first.status_code == 200 and bool(first.json())
        results["server"] = server
        save()

        with PeakRss(rasa.pid) as rasa_rss, PeakRss(actions.pid) as action_rss:
            results["eval"] = eval_pass_rate(url)
            save()
            asyncio.run(run_load(url, message_mix(mode["warmup"]), 1, "warmup"))
            sequential = asyncio.run(run_load(url, message_mix(mode["sequential"]), 1, "seq"))
            results["latency_ms"] = {"sequential": {**sequential["latency_ms"],
                                                    "errors": sequential["errors"],
                                                    "empty_replies": sequential["empty_replies"],
                                                    "problems": sequential["problems"]}}
            save()
            throughput: Dict[str, Dict] = {}
            for concurrency, count in mode["throughput"].items():
                throughput[f"c{concurrency}"] = asyncio.run(
                    run_load(url, message_mix(count), concurrency, f"c{concurrency}"))
                results["throughput"] = throughput
                save()
        server["rss_load_mb"] = rasa_rss.peak_mb
        server["rss_after_load_mb"] = tree_rss_mb(rasa.pid)
        server["action_rss_load_mb"] = action_rss.peak_mb
        server["rasa_processes"] = 1 + len(psutil.Process(rasa.pid).children(recursive=True))
        results["server"] = server
        results["errors_total"] = sequential["errors"] + sum(t["errors"] for t in throughput.values())
        results["empty_replies_total"] = (sequential["empty_replies"]
                                          + sum(t["empty_replies"] for t in throughput.values()))
        save()
        logs = {name: str(proc.log) for name, proc in launcher.processes.items()}
    results.setdefault("artifacts", {})["server_logs"] = logs
