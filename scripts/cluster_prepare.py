"""Prepare PostgreSQL for a cluster, once, before the Rasa servers start.

* creates the agency database (``DATABASE_URL``) and the conversation database
  (``TRACKER_DB_*``) when missing;
* creates Rasa's tracker tables through Rasa's own ``SQLTrackerStore``, so that
  N servers starting together do not race to create them;
* seeds the agency database (``python -m bot init-db``, idempotent).

Reads the same environment as ``deploy/endpoints.cluster.yml``; prints nothing
secret. Usage: ``.venv/bin/python scripts/cluster_prepare.py``.
"""
from __future__ import annotations

import os
import subprocess
import sys

import psycopg2
from sqlalchemy.engine import make_url


def ensure_database(host: str, port: int, user: str, password: str, name: str, login_db: str) -> None:
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


def main() -> int:
    env = os.environ
    login_db = env.get("TRACKER_DB_LOGIN_DB") or "postgres"
    agency = make_url(env["DATABASE_URL"])
    if agency.get_backend_name() == "postgresql":
        ensure_database(agency.host or "127.0.0.1", agency.port or 5432, agency.username or "postgres",
                        agency.password or "", agency.database, login_db)
    tracker = dict(host=env["TRACKER_DB_HOST"], port=int(env["TRACKER_DB_PORT"]),
                   user=env["TRACKER_DB_USER"], password=env.get("TRACKER_DB_PASSWORD", ""),
                   name=env["TRACKER_DB_NAME"])
    ensure_database(**tracker, login_db=login_db)

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    SQLTrackerStore(Domain.empty(), dialect="postgresql", host=tracker["host"], port=tracker["port"],
                    db=tracker["name"], username=tracker["user"], password=tracker["password"] or None)
    subprocess.run([sys.executable, "-m", "bot", "init-db"], check=True, stdout=subprocess.DEVNULL)
    print(f"PostgreSQL ready: agency database '{agency.database}', conversations '{tracker['name']}'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
