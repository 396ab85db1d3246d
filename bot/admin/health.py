""""Hệ thống": is every channel working? Read from what the assistant already
records: the channels configured in ``credentials.yml``, each channel's latest
message in Rasa's tracker store, the Zalo token file's last save (written at
each successful refresh), the reminder deliveries and the undelivered replies.
Times are local Asia/Ho_Chi_Minh text.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.admin.insight import last_message_per_channel
from bot.channels.config import CHANNEL_SECTIONS, channel_report
from bot.db import models as m
from bot.db.undelivered import UndeliveredStore
from bot.domain.dates import local_time_text
from bot.settings import PROJECT_ROOT, expand

DEFAULT_ZALO_TOKEN_FILE = PROJECT_ROOT / "var" / "zalo_tokens.json"  # bot.channels.zalo's default


def zalo_token_refresh(credentials: Mapping[str, Any]) -> Optional[str]:
    """Local time text of the Zalo tokens' last save (a refresh), or ``None``
    when Zalo is not configured or never refreshed."""
    section = credentials.get(CHANNEL_SECTIONS["zalo"])
    if section is None:
        return None
    path = Path(expand((section or {}).get("token_file")) or DEFAULT_ZALO_TOKEN_FILE)
    try:
        saved_at = json.loads(path.read_text(encoding="utf-8")).get("saved_at")
    except (OSError, ValueError, AttributeError):
        return None
    return local_time_text(datetime.fromtimestamp(saved_at, timezone.utc)) if isinstance(saved_at, (int, float)) else None


def reminders(app_engine: Engine) -> Dict[str, Any]:
    """``{"last_claimed": local time text or "", "by_status": {status: n}}`` of the reminder deliveries."""
    t = m.ReminderDelivery
    with app_engine.connect() as c:
        last = c.execute(sa.select(sa.func.max(t.claimed_at))).scalar()
        by_status = {s: int(n) for s, n in c.execute(sa.select(t.status, sa.func.count()).group_by(t.status))}
    if isinstance(last, str):  # SQLite returns aggregates of timestamps as text
        last = datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)
    return {"last_claimed": local_time_text(last), "by_status": by_status}


def health(app_engine: Engine, tracker_engine: Optional[Engine], credentials: Mapping[str, Any],
           base_url: str) -> Dict[str, Any]:
    """The "Hệ thống" view: ``{"channels": [report line], "last_message": {channel:
    local time}, "zalo_token_refresh": local time or None, "reminders": {...},
    "undelivered": {status: n}}``. ``tracker_engine`` ``None``: the tracker store
    is not SQL, so no last messages."""
    return {
        "channels": [line.strip() for line in channel_report(credentials, base_url)],
        "last_message": last_message_per_channel(tracker_engine) if tracker_engine is not None else {},
        "zalo_token_refresh": zalo_token_refresh(credentials),
        "reminders": reminders(app_engine),
        "undelivered": UndeliveredStore(app_engine).counts(),
    }
