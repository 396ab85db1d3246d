"""``python -m bot`` as a subprocess against a temporary SQLite database."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT


@pytest.fixture
def run(tmp_path):
    """``run(*args)`` -> ``CompletedProcess`` of ``python -m bot *args`` (text output),
    on ``tmp_path/var/cli.db`` with "today" 01/07/2022; ``run.url`` is the database URL."""
    url = f"sqlite:///{tmp_path / 'var' / 'cli.db'}"
    env = dict(os.environ, DATABASE_URL=url, ASSISTANT_TODAY="2022-07-01", PYTHONIOENCODING="utf-8")
    env.pop("ASSISTANT_DATA_DIR", None)

    def _run(*args):
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, encoding="utf-8", timeout=120)

    _run.url = url
    return _run
