"""Starting the assistant (output in Vietnamese and English for operators).

    python -m bot serve [--shell]     what `make run` (`make shell`) starts, in the foreground
    python -m bot cluster             what `make run-cluster` starts: the scale-out configuration

``serve`` starts the action server on 127.0.0.1:``ACTION_PORT``, the reminder
scheduler and the Rasa server on ``RASA_HOST``:``RASA_PORT`` with
``credentials.yml`` and ``endpoints.yml`` (its action server address set to the
one started), prints which channels are on, and stops everything on Ctrl-C
(exit 0). ``--shell`` chats in this terminal instead of serving (no scheduler).
``cluster`` prepares PostgreSQL, starts ``RASA_SERVERS`` Rasa servers, the
action server and nginx on 127.0.0.1:``LB_PORT`` (:mod:`bot.server.cluster`).
Settings: :func:`bot.settings.server_settings`, :func:`bot.settings.cluster_settings`.
"""
from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from pathlib import Path
from typing import Dict, Iterator

import yaml

from bot.channels.config import channel_report
from bot.server import cluster
from bot.server.launcher import BIN, Launcher, LaunchError
from bot.settings import PROJECT_ROOT, cluster_settings, load_settings, server_settings

MODELS = PROJECT_ROOT / "models"
MODEL = MODELS / "tro-ly-797.tar.gz"
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
WIDGET_BUNDLE = PROJECT_ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js"
RUN_DIR = PROJECT_ROOT / "var" / "run"


def endpoints_for(action_url: str, source: Path = ENDPOINTS, target: Path = RUN_DIR / "endpoints.yml") -> Path:
    """``source`` (``endpoints.yml``) with ``action_endpoint.url`` set to
    ``action_url``, written to ``target``; every other section is kept."""
    doc = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    doc.setdefault("action_endpoint", {})["url"] = action_url
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


class _Stop(Exception):
    """SIGTERM or SIGINT (Ctrl-C) arrived."""


def _raise_stop(*_: object) -> None:
    raise _Stop


@contextlib.contextmanager
def _foreground(launcher: Launcher, what: str) -> Iterator[Dict[str, int]]:
    """Run the body until Ctrl-C or SIGTERM; then, or on any error, stop every
    process ``launcher`` started. The body sets ``status["code"]`` (default 0)."""
    status = {"code": 0}
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        yield status
    except _Stop:
        print(f"\nĐang dừng {what}…", flush=True)
    except LaunchError as error:
        print(str(error), file=sys.stderr)
        status["code"] = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        launcher.stop()


def cmd_serve(_repo: None, args) -> int:
    server = server_settings()
    launcher = Launcher()
    with _foreground(launcher, "trợ lý") as status:
        actions = launcher.action_server(server.action_port)
        launcher.wait_ready("actions", timeout_s=60)
        print(f"Action server: http://127.0.0.1:{server.action_port}/health (ready in {actions.ready_after_s} s)")
        endpoints = endpoints_for(f"http://127.0.0.1:{server.action_port}/webhook",
                                  target=RUN_DIR / f"endpoints-{server.rasa_port}.yml")
        if args.shell:
            launcher.start("shell", [BIN / "rasa", "shell", "--model", MODELS, "--endpoints", endpoints])
            status["code"] = launcher.processes["shell"].popen.wait()
            return status["code"]
        launcher.scheduler()
        if server.auth_token:
            print("Rasa HTTP API enabled (token required).")
        base = f"http://{server.rasa_host}:{server.rasa_port}"
        credentials = yaml.safe_load(CREDENTIALS.read_text(encoding="utf-8")) or {}
        print("Channels:\n" + "\n".join(channel_report(credentials, base, widget_built=WIDGET_BUNDLE.exists())))
        print(f"REST channel: POST {base}/webhooks/rest/webhook  {{\"sender\": \"me\", \"message\": \"xin chào\"}}")
        print(f"socket.io channel: {base}/socket.io/")
        console = (f"{base}/admin/ (accounts: python -m bot staff add NAME)" if load_settings().admin_token
                   else "off (set ADMIN_TOKEN to switch it on)")
        print(f"Operators' console: {console}", flush=True)
        launcher.rasa_server(server.rasa_port, host=server.rasa_host, model=MODELS, endpoints=endpoints,
                             credentials=CREDENTIALS, api_token=server.auth_token, cors=server.cors)
        launcher.wait_ready("rasa", timeout_s=900)  # the model loads in ~20 s: say when questions get answers
        print(f"Trợ lý đã sẵn sàng (Rasa ready in {launcher.processes['rasa'].ready_after_s} s). "
              "Ctrl-C để dừng.", flush=True)
        status["code"] = launcher.processes["rasa"].popen.wait()
    return status["code"]


def cmd_cluster(_repo: None, args) -> int:
    env = cluster_settings()
    if not MODEL.exists():
        print(f"{MODEL} is missing: run 'make model'.", file=sys.stderr)
        return 1
    run_dir = Path(env["CLUSTER_RUN_DIR"])
    launcher = Launcher(env=env, log_dir=run_dir)
    with _foreground(launcher, "cụm máy chủ") as status:
        print(cluster.prepare(launcher.env))
        n, base = int(env["RASA_SERVERS"]), int(env["RASA_PORT_BASE"])
        ports = [base + i for i in range(n)]
        cluster.start(launcher, model=MODEL, ports=ports, action_port=int(env["ACTION_PORT"]),
                      lb_port=int(env["LB_PORT"]), run_dir=run_dir, api_token=server_settings().auth_token or "",
                      rate=int(env["NGINX_RATE"]), burst=int(env["NGINX_BURST"]))
        print(f"Action server: http://127.0.0.1:{env['ACTION_PORT']} (loopback only)")
        for i, port in enumerate(ports):
            print(f"Rasa server {i}: http://127.0.0.1:{port}")
        print(f"Load balancer: POST http://127.0.0.1:{env['LB_PORT']}/webhooks/rest/webhook"
              "  (Content-Type: application/json)")
        print("Channels:\n" + "\n".join(cluster.channels(f"http://127.0.0.1:{env['LB_PORT']}")))
        print(f"Logs: {run_dir}   Ctrl-C stops the cluster.", flush=True)
        # One Rasa server exiting does not stop the others (nginx routes around it).
        status["code"] = launcher.processes["nginx"].popen.wait()
    return status["code"]


def add_serve_commands(sub: "argparse._SubParsersAction") -> None:
    """Register ``serve`` and ``cluster`` (they need no database connection of their own)."""
    s = sub.add_parser("serve", help="chạy trợ lý: máy chủ hành động, bộ nhắc hạn và máy chủ Rasa (Ctrl-C để dừng)")
    s.add_argument("--shell", action="store_true", help="trò chuyện ngay trong cửa sổ dòng lệnh")
    s.set_defaults(func=cmd_serve, no_database=True)
    s = sub.add_parser("cluster", help="chạy cấu hình nhiều máy chủ (PostgreSQL, Redis, nginx)")
    s.set_defaults(func=cmd_cluster, no_database=True)


