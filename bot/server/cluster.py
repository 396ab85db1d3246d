"""The scale-out configuration on one machine: N Rasa servers sharing
conversations in PostgreSQL (Rasa's ``SQLTrackerStore``) and a Redis lock
store, one action server, nginx in front (``make run-cluster``,
``python -m bot cluster``; the cluster tests use the same pieces).

- :func:`prepare` creates the databases and Rasa's tracker tables once, before
  N servers start together, then brings the agency database to the newest
  migration and seeds it.
- :func:`render_nginx` fills in ``deploy/nginx.conf`` (webhooks to any
  server, socket.io sticky per client address).
- :func:`channels` says which channels ``deploy/credentials.cluster.yml``
  switches on with the current environment.
- :func:`start` starts everything with :class:`bot.server.launcher.Launcher`.

Settings come from :func:`bot.settings.cluster_settings` (``RASA_SERVERS``,
``LB_PORT``, ``TRACKER_DB_*``, ``REDIS_*``, ...), which Rasa reads through
``${VAR}`` in ``deploy/endpoints.cluster.yml``. Nothing secret is printed.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Mapping, Sequence

import yaml
from sqlalchemy.engine import make_url

from bot.server.launcher import Launcher
from bot.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
ENDPOINTS = DEPLOY / "endpoints.cluster.yml"
CREDENTIALS = DEPLOY / "credentials.cluster.yml"
WIDGET_BUNDLE = PROJECT_ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js"


def channels(base_url: str, credentials: Path = CREDENTIALS) -> List[str]:
    """One line per channel of the cluster's ``credentials`` as reached through
    nginx at ``base_url`` (e.g. ``http://127.0.0.1:8080``): on with its address,
    or off with the variables to set (:func:`bot.channels.config.channel_report`;
    names only, never values). Reads the environment of this process, as the
    servers will. Raises ``OSError`` or ``yaml.YAMLError`` for an unreadable file."""
    from bot.channels.config import channel_report

    parsed = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
    return channel_report(parsed, base_url, widget_built=WIDGET_BUNDLE.exists())


def ensure_database(host: str, port: int, user: str, password: str, name: str, login_db: str) -> None:
    """Create PostgreSQL database ``name`` (UTF-8) unless it exists, logging in through ``login_db``."""
    import psycopg2

    admin = psycopg2.connect(host=host, port=port, user=user, password=password or None,
                             dbname=login_db, connect_timeout=5)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if not cur.fetchone():
                cur.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    finally:
        admin.close()


def prepare(env: Mapping[str, str]) -> str:
    """Create the agency database (``DATABASE_URL``) and the conversations
    database (``TRACKER_DB_*``) when missing, Rasa's tracker tables through
    Rasa's own ``SQLTrackerStore``, move conversations stored before the
    per-channel namespaces into them (:mod:`bot.db.conversations`), and
    upgrade and seed the agency database.

    Returns a one-line summary. Raises what psycopg2, SQLAlchemy or Rasa raise.
    """
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    from bot.db.conversations import namespace_legacy_conversations
    from bot.db.migrate import upgrade
    from bot.db.seed import seed
    from bot.db.session import make_engine
    from bot.settings import load_settings

    login_db = env.get("TRACKER_DB_LOGIN_DB") or "postgres"
    agency = make_url(env["DATABASE_URL"])
    if agency.get_backend_name() == "postgresql":
        ensure_database(agency.host or "127.0.0.1", agency.port or 5432, agency.username or "postgres",
                        agency.password or "", agency.database, login_db)
    tracker = dict(host=env["TRACKER_DB_HOST"], port=int(env["TRACKER_DB_PORT"]), user=env["TRACKER_DB_USER"],
                   password=env.get("TRACKER_DB_PASSWORD", ""), name=env["TRACKER_DB_NAME"])
    ensure_database(**tracker, login_db=login_db)
    store = SQLTrackerStore(Domain.empty(), dialect="postgresql", host=tracker["host"], port=tracker["port"],
                            db=tracker["name"], username=tracker["user"], password=tracker["password"] or None)
    try:
        namespace_legacy_conversations(store.engine)  # trackers kept from before the channel namespaces
    finally:
        store.engine.dispose()
    engine = make_engine(env["DATABASE_URL"])
    try:
        upgrade(engine)
        seed(engine, load_settings().data_dir)
    finally:
        engine.dispose()
    return f"PostgreSQL ready: agency database '{agency.database}', conversations '{tracker['name']}'."


def render_nginx(run_dir: Path, listen: str, ports: Sequence[int], rate: int = 100, burst: int = 500) -> Path:
    """``deploy/nginx.conf`` with its ``@RUN_DIR@``, ``@LISTEN@``, ``@SERVERS@``,
    ``@RATE@`` and ``@BURST@`` filled in, written to ``run_dir/nginx.conf``."""
    upstreams = "".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in ports)
    out = []
    for line in (DEPLOY / "nginx.conf").read_text().splitlines(keepends=True):
        if line.strip() == "@SERVERS@":
            out.append(upstreams)
            continue
        out.append(line.replace("@RUN_DIR@", str(run_dir)).replace("@LISTEN@", listen)
                   .replace("@RATE@", str(rate)).replace("@BURST@", str(burst)))
    run_dir.mkdir(parents=True, exist_ok=True)
    conf = run_dir / "nginx.conf"
    conf.write_text("".join(out))
    return conf


def start(launcher: Launcher, *, model: Path, ports: Sequence[int], action_port: int, lb_port: int,
          run_dir: Path, api_token: str = "", rate: int = 100, burst: int = 500, with_nginx: bool = True) -> None:
    """Start the action server (``actions``), one Rasa server per port
    (``rasa0``, ``rasa1``, ...) with the cluster's endpoints and credentials,
    wait for them, then nginx (``nginx``) on 127.0.0.1:``lb_port``.

    Raises:
        bot.server.launcher.LaunchError: a process did not start.
    """
    launcher.action_server(action_port)
    for i, port in enumerate(ports):
        launcher.rasa_server(port, model=model, endpoints=ENDPOINTS, credentials=CREDENTIALS,
                             name=f"rasa{i}", api_token=api_token or None)
    launcher.wait_ready()
    if with_nginx:
        conf = render_nginx(run_dir, f"127.0.0.1:{lb_port}", ports, rate, burst)
        launcher.nginx(conf, run_dir, f"http://127.0.0.1:{lb_port}/healthz")
        launcher.wait_ready("nginx")
