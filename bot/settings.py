"""The one place that reads the environment.

Every setting has a default that works on a laptop: an embedded SQLite database
under ``var/`` and local dates in Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Settings:
    """Runtime settings.

    Attributes:
        database_url: SQLAlchemy URL of the agency database (``DATABASE_URL``);
            default ``sqlite:///<project>/var/assistant.db``.
        db_timeout_s: seconds a query may take before the user gets an apology
            (``DB_TIMEOUT_S``, default 3).
        today: ``YYYY-MM-DD`` override of "today" for tests (``ASSISTANT_TODAY``);
            empty means the real local date in Asia/Ho_Chi_Minh.
        data_dir: folder holding agencies, obligations and succession files
            (``ASSISTANT_DATA_DIR``, default ``<project>/data``).
    """

    database_url: str
    db_timeout_s: float
    today: str
    data_dir: Path


def load_settings() -> Settings:
    """Read :class:`Settings` from the environment (no caching: tests change it)."""
    default_db = f"sqlite:///{PROJECT_ROOT / 'var' / 'assistant.db'}"
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_db,
        db_timeout_s=float(os.environ.get("DB_TIMEOUT_S") or 3),
        today=os.environ.get("ASSISTANT_TODAY", "").strip(),
        data_dir=Path(os.environ.get("ASSISTANT_DATA_DIR") or DATA_DIR),
    )
