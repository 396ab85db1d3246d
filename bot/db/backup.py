"""Copies of the SQLite databases taken while the assistant runs (SQLite's
online backup, ``sqlite3.Connection.backup``): a consistent snapshot even
while the servers write, in WAL mode too. PostgreSQL is backed up with
``pg_dump`` (:func:`pg_dump_command` says how)."""
from __future__ import annotations

import os
import shlex
import sqlite3
from pathlib import Path
from typing import Optional

from sqlalchemy.engine import URL, make_url


def backup_sqlite(source: Path, target: Path) -> int:
    """Copies the SQLite database ``source`` to ``target`` (a new file; its
    folder is created) with the online backup API. The copy is written beside
    ``target`` first and renamed, so ``target`` is never half-written.

    Output: the copy's size in bytes. Raises ``FileNotFoundError`` when
    ``source`` does not exist, ``sqlite3.Error`` when it is not a database,
    ``OSError`` when ``target`` cannot be written.
    """
    if not source.is_file():
        raise FileNotFoundError(str(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, target)
    return target.stat().st_size


def sqlite_path(url: str) -> Optional[Path]:
    """The file of a SQLite SQLAlchemy ``url`` (``None`` for another database
    or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def pg_dump_command(url: str, out: Path) -> str:
    """The shell command that dumps the PostgreSQL database of ``url`` to
    ``out`` in pg_dump's custom format (restore with ``pg_restore``); the
    password, if any, is left out (give it in ``PGPASSWORD`` or ``~/.pgpass``)."""
    parsed = make_url(url)
    bare = URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                      database=parsed.database, query=parsed.query)
    return f"pg_dump --format=custom --file={shlex.quote(str(out))} {shlex.quote(bare.render_as_string())}"
