"""The one place that reads the environment.

Every setting has a default that works on a laptop: an embedded SQLite database
under ``var/`` and local dates in Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

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
        identity_channels: channels whose user ids the platform vouches for
            (signed webhooks), the only ones where an account can link to an
            agency (``IDENTITY_CHANNELS``, comma-separated, default
            ``telegram,zalo``; REST and socket.io stay public unless added).
        link_code_ttl_hours: lifetime of a link code (``LINK_CODE_TTL_HOURS``, 72).
        link_max_failures: wrong codes an account may send within
            ``link_lockout_minutes`` before it is locked out for that long
            (``LINK_MAX_FAILURES``, 5; ``LINK_LOCKOUT_MINUTES``, 15).
        reminder_days: days before a due date when subscribed officials are
            reminded (``REMINDER_DAYS``, default ``7,1``); they are also
            reminded on the first day overdue.
        reminder_interval_s: seconds between two passes of the reminder
            scheduler (``REMINDER_INTERVAL_S``, default 300).
        reminder_catchup_days: a reminder missed while the scheduler was down is
            still sent this many days late, not later (``REMINDER_CATCHUP_DAYS``, 2).
    """

    database_url: str
    db_timeout_s: float
    today: str
    data_dir: Path
    identity_channels: Tuple[str, ...] = ("telegram", "zalo")
    link_code_ttl_hours: float = 72.0
    link_max_failures: int = 5
    link_lockout_minutes: float = 15.0
    reminder_days: Tuple[int, ...] = (7, 1)
    reminder_interval_s: float = 300.0
    reminder_catchup_days: int = 2


def load_settings() -> Settings:
    """Read :class:`Settings` from the environment (no caching: tests change it)."""
    default_db = f"sqlite:///{PROJECT_ROOT / 'var' / 'assistant.db'}"
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_db,
        db_timeout_s=float(os.environ.get("DB_TIMEOUT_S") or 3),
        today=os.environ.get("ASSISTANT_TODAY", "").strip(),
        data_dir=Path(os.environ.get("ASSISTANT_DATA_DIR") or DATA_DIR),
        identity_channels=_words(os.environ.get("IDENTITY_CHANNELS"), ("telegram", "zalo")),
        link_code_ttl_hours=float(os.environ.get("LINK_CODE_TTL_HOURS") or 72),
        link_max_failures=int(os.environ.get("LINK_MAX_FAILURES") or 5),
        link_lockout_minutes=float(os.environ.get("LINK_LOCKOUT_MINUTES") or 15),
        reminder_days=tuple(sorted({int(d) for d in _words(os.environ.get("REMINDER_DAYS"), ("7", "1"))},
                                   reverse=True)),
        reminder_interval_s=float(os.environ.get("REMINDER_INTERVAL_S") or 300),
        reminder_catchup_days=int(os.environ.get("REMINDER_CATCHUP_DAYS") or 2),
    )


def _words(value: Optional[str], default: Tuple[str, ...]) -> Tuple[str, ...]:
    """Comma-separated setting as a tuple of non-empty, stripped, lower-case words."""
    if value is None or not value.strip():
        return tuple(default)
    return tuple(w.strip().lower() for w in value.split(",") if w.strip())
