"""The reminder scheduler's last pass, kept in a small JSON file (like the
Zalo token file) so the operators' console can show that the scheduler runs.

Written once per pass by :func:`bot.officials.reminders.scheduler.run_forever`
(a pass that failed writes nothing, so the time shown stays that of the last
good one); read by :mod:`bot.admin.health`. No table: nothing here is worth a
migration, and the file is replaced whole (write, then rename), so a reader
never sees half of it.
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Optional

from bot.settings import PROJECT_ROOT

LAST_PASS_FILE = PROJECT_ROOT / "var" / "reminder_scheduler.json"
COUNTS = ("sent", "failed", "retry", "skipped", "waiting", "paused")


def record_pass(path: Path, at: datetime, counts: Dict[str, int]) -> None:
    """Replaces ``path`` with ``{"passed_at": Unix seconds of ``at`` (aware), and
    each of :data:`COUNTS`: int}`` (missing counts are 0). Creates the folder.
    Raises ``OSError`` when the file cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"passed_at": at.timestamp(), **{k: int(counts.get(k, 0)) for k in COUNTS}}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def read_pass(path: Path) -> Optional[Dict[str, Any]]:
    """``{"passed_at": aware UTC datetime, **counts}`` of the last recorded pass,
    or ``None`` when the file is missing or unreadable (never raises)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        passed_at = datetime.fromtimestamp(float(data["passed_at"]), timezone.utc)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return {"passed_at": passed_at, **{k: int(data.get(k) or 0) for k in COUNTS}}
