"""The benchmark's scale-out configuration settings (issue 12): its own
databases, key prefix and ports, no flood guard; a clear reason when a service is missing."""
from __future__ import annotations

from pathlib import Path

from bench.cluster import UNTHROTTLED, bench_cluster_env, services_missing
from bot.server.launcher import free_port


def test_cluster_env_has_its_own_databases_prefix_and_free_ports(tmp_path: Path) -> None:
    env = bench_cluster_env({"PATH": "/bin", "RASA_SERVERS": "3"}, "abc123", tmp_path)
    assert env["DATABASE_URL"] == "postgresql://postgres@127.0.0.1:5432/bench_797_ag_abc123"
    assert env["TRACKER_DB_NAME"] == "bench_797_trk_abc123" and env["REDIS_KEY_PREFIX"] == "babc123"
    ports = [int(p) for p in env["RASA_PORTS"].split(",")] + [int(env["ACTION_PORT"]), int(env["LB_PORT"])]
    assert len(ports) == 5 and len(set(ports)) == 5 and not {5005, 5055, 8080} & set(ports)
    assert env["ACTION_ENDPOINT_URL"] == f"http://127.0.0.1:{env['ACTION_PORT']}/webhook"
    assert all(env[key] == value for key, value in UNTHROTTLED.items())
    assert env["CLUSTER_RUN_DIR"] == str(tmp_path) and env["PATH"] == "/bin"


def test_services_missing_names_the_unreachable_service(tmp_path: Path) -> None:
    env = bench_cluster_env({"TRACKER_DB_PORT": str(free_port())}, "x", tmp_path)
    assert services_missing(env).startswith("PostgreSQL unreachable")
