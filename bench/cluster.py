"""The scale-out configuration under the benchmark's mixed load (issue 12).

:func:`cluster_and_measure` starts what ``make run-cluster`` starts
(:func:`bot.server.cluster.prepare` and :func:`bot.server.cluster.start`:
``RASA_SERVERS`` Rasa servers on a PostgreSQL tracker store and a Redis lock
store, one action server on a PostgreSQL agency database, nginx in front), on
free loopback ports, with databases and a Redis key prefix of its own (dropped
afterwards), and measures through nginx the same runs as the single
``make run`` process (:func:`bench.serve.measured_runs`): msg/s, latency,
errors, the CPU time per message of the Rasa servers together and of the action
server, and the Rasa servers' PSS at rest and under load.

PostgreSQL and Redis must be running (as for ``make run-cluster``); when one is
not, the results say so (``skipped``) instead of stopping the benchmark.
"""
from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bench.load import LOOKUPS, message_mix, run_load
from bench.procs import PeakRss, service_pids, tree_pss, tree_pss_mb
from bench.serve import cpu_per_message, measured_runs
from bot.server.cluster import prepare, start
from bot.server.launcher import Launcher, free_port
from bot.settings import cluster_settings

# What the per-address and per-sender flood guards allow here: the whole load
# comes from one address, and the guards are not what is measured.
UNTHROTTLED = {"NGINX_RATE": "100000", "NGINX_BURST": "100000", "REST_RATE_LIMIT_MESSAGES": "100000"}


def services_missing(env: Dict[str, str]) -> Optional[str]:
    """Why the cluster cannot run with the settings ``env`` (PostgreSQL at
    ``TRACKER_DB_*`` or Redis at ``REDIS_*`` unreachable), or ``None``."""
    import psycopg2
    import redis

    try:
        psycopg2.connect(host=env["TRACKER_DB_HOST"], port=int(env["TRACKER_DB_PORT"]), user=env["TRACKER_DB_USER"],
                         password=env["TRACKER_DB_PASSWORD"] or None, dbname=env["TRACKER_DB_LOGIN_DB"],
                         connect_timeout=3).close()
    except psycopg2.Error as exc:
        return f"PostgreSQL unreachable: {str(exc).strip()}"
    try:
        redis.Redis(host=env["REDIS_HOST"], port=int(env["REDIS_PORT"]), password=env["REDIS_PASSWORD"] or None,
                    socket_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis unreachable: {exc}"
    return None


def bench_cluster_env(env: Dict[str, str], tag: str, run_dir: Path) -> Dict[str, str]:
    """The cluster's settings (:func:`bot.settings.cluster_settings` read from
    ``env``) with databases ``bench_797_ag_<tag>`` / ``bench_797_trk_<tag>``,
    Redis key prefix ``b<tag>``, free loopback ports (``ACTION_PORT``,
    ``LB_PORT``, and ``RASA_PORTS``: one per Rasa server, comma-separated),
    ``CLUSTER_RUN_DIR`` ``run_dir`` and the flood guards off (:data:`UNTHROTTLED`). Returns ``env`` updated (a new dict)."""
    settings = cluster_settings({**env, **UNTHROTTLED})
    action_port = free_port()
    ports = [free_port() for _ in range(int(settings["RASA_SERVERS"]))]
    agency = settings["DATABASE_URL"].rsplit("/", 1)[0] + f"/bench_797_ag_{tag}"
    overrides = dict(DATABASE_URL=agency, TRACKER_DB_NAME=f"bench_797_trk_{tag}", REDIS_KEY_PREFIX=f"b{tag}",
                     ACTION_PORT=str(action_port), ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
                     LB_PORT=str(free_port()), RASA_PORTS=",".join(map(str, ports)), CLUSTER_RUN_DIR=str(run_dir))
    return {**env, **settings, **overrides}


def drop_cluster_state(env: Dict[str, str]) -> None:
    """Drop the databases and Redis keys :func:`bench_cluster_env` named
    (errors are ignored: clean-up must not hide the run's own failure)."""
    import psycopg2
    import redis
    from sqlalchemy.engine import make_url

    try:
        admin = psycopg2.connect(host=env["TRACKER_DB_HOST"], port=int(env["TRACKER_DB_PORT"]),
                                 user=env["TRACKER_DB_USER"], password=env["TRACKER_DB_PASSWORD"] or None,
                                 dbname=env["TRACKER_DB_LOGIN_DB"], connect_timeout=3)
        admin.autocommit = True
        with admin.cursor() as cur:
            for name in (make_url(env["DATABASE_URL"]).database, env["TRACKER_DB_NAME"]):
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    except psycopg2.Error:
        pass
    try:
        store = redis.Redis(host=env["REDIS_HOST"], port=int(env["REDIS_PORT"]), db=int(env["REDIS_DB"]),
                            password=env["REDIS_PASSWORD"] or None)
        for key in store.scan_iter(f"{env['REDIS_KEY_PREFIX']}*"):
            store.delete(key)
    except redis.RedisError:
        pass


def cluster_and_measure(model: Path, work: Path, env: Dict[str, str], mode: Dict, results: Dict,
                        save: Callable[[], None]) -> None:
    """Serve ``model`` with the scale-out configuration and fill
    ``results["throughput_cluster"]`` in place, calling ``save()`` after each run:

    - ``servers`` (Rasa servers), ``startup_s`` (s, until every process answers);
    - ``c<concurrency>``: :func:`bench.serve.measured_load` results through
      nginx, for each of ``mode["throughput"]`` (``{concurrency: messages}``),
      after at least ``mode["warmup"]`` messages (every look-up once);
    - ``cpu_ms_per_message``: ``{"rasa", "actions", "nginx", "postgresql",
      "redis", "load_client": ms}`` over all runs (the Rasa servers together);
    - ``pss_idle_mb``, ``pss_load_mb`` (MB, the Rasa servers together);
    - ``errors_total``, ``empty_replies_total``, ``logs``;

    or only ``skipped`` (why) when PostgreSQL or Redis is unreachable. Logs go
    to ``work/cluster/``. Every process is stopped and the databases are
    dropped on return and on any error.

    Raises:
        bot.server.launcher.LaunchError: a process did not start.
    """
    run_dir = work / "cluster"
    env = bench_cluster_env(env, uuid.uuid4().hex[:10], run_dir)
    missing = services_missing(env)
    if missing:
        results["throughput_cluster"] = {"skipped": missing}
        save()
        return
    ports = [int(p) for p in env["RASA_PORTS"].split(",")]
    out: Dict = {"servers": len(ports)}
    results["throughput_cluster"] = out
    try:
        with Launcher(env=env, log_dir=run_dir) as launcher:
            prepare(launcher.env)
            start(launcher, model=model, ports=ports, action_port=int(env["ACTION_PORT"]),
                  lb_port=int(env["LB_PORT"]), run_dir=run_dir / "nginx",
                  rate=int(env["NGINX_RATE"]), burst=int(env["NGINX_BURST"]))
            names = [f"rasa{i}" for i in range(len(ports))]
            rasa: List[int] = [launcher.processes[name].pid for name in names]
            # issue 12's CPU budget covers every part of the configuration; PostgreSQL and
            # Redis are this machine's services, so they count whatever else uses them meanwhile
            meters = {"rasa": rasa, "actions": [launcher.processes["actions"].pid],
                      "nginx": [launcher.processes["nginx"].pid],
                      "postgresql": service_pids("postgres"), "redis": service_pids("redis-server")}
            out["startup_s"] = max(launcher.processes[name].ready_after_s for name in names)
            out["pss_idle_mb"] = round(sum(tree_pss_mb(pid) for pid in rasa), 1)
            url = f"http://127.0.0.1:{env['LB_PORT']}"
            # every server and the action server's every look-up warm (a cold first look-up
            # costs the action server about a second of CPU), as the single server is after its eval
            warmup = message_mix(max(mode["warmup"], 2 * len(LOOKUPS)))  # half of the mix: each look-up once
            asyncio.run(run_load(url, warmup, len(ports), "cluster-warmup"))
            save()

            def saved(runs: Dict[str, Dict]) -> None:
                out.update(runs)
                save()

            with contextlib.ExitStack() as stack:
                samplers = [stack.enter_context(PeakRss(pid, 1.0, tree_pss)) for pid in rasa]
                runs = measured_runs(url, mode["throughput"], meters, "cluster-", saved)
            # each server's own peak, added: an upper bound of their peak together
            out["pss_load_mb"] = round(sum(s.peak_mb for s in samplers), 1)
            out["cpu_ms_per_message"] = cpu_per_message(runs.values())
            out["errors_total"] = sum(r["errors"] for r in runs.values())
            out["empty_replies_total"] = sum(r["empty_replies"] for r in runs.values())
            out["logs"] = {name: str(proc.log) for name, proc in launcher.processes.items()}
            save()
    finally:
        drop_cluster_state(env)
