""""Hệ thống": is every channel working? Read from what the assistant already
records: the channels configured in ``credentials.yml``, each channel's latest
message in Rasa's tracker store, the Zalo token file's last save (written at
each successful refresh), the reminder deliveries and the scheduler's last
pass (:mod:`bot.officials.reminders.last_pass`), the undelivered replies and
the open hand-offs to staff. Times are local Asia/Ho_Chi_Minh text; people's
ids are masked (:func:`bot.admin.masking.mask_id`).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.admin.insight import last_message_per_channel
from bot.admin.masking import mask_id
from bot.channels.config import CHANNEL_SECTIONS, channel_report
from bot.db import models as m
from bot.db.handoffs import OPEN, STAFF, USER
from bot.db.undelivered import UndeliveredStore
from bot.domain.dates import local_time_text
from bot.officials.reminders.last_pass import LAST_PASS_FILE, read_pass
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


def reminders(app_engine: Engine, last_pass_file: Path = LAST_PASS_FILE) -> Dict[str, Any]:
    """``{"last_claimed": local time text or "", "by_status": {status: n},
    "last_pass": {"at": local time text, "sent", "failed", "retry", "skipped",
    "waiting", "paused": int} or None}``: the reminder deliveries and the
    scheduler's last completed pass (``None``: none recorded in ``last_pass_file``)."""
    t = m.ReminderDelivery
    with app_engine.connect() as c:
        last = c.execute(sa.select(sa.func.max(t.claimed_at))).scalar()
        by_status = {s: int(n) for s, n in c.execute(sa.select(t.status, sa.func.count()).group_by(t.status))}
    if isinstance(last, str):  # SQLite returns aggregates of timestamps as text
        last = datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)
    last_pass = read_pass(last_pass_file)
    if last_pass is not None:
        last_pass = {"at": local_time_text(last_pass.pop("passed_at")), **last_pass}
    return {"last_claimed": local_time_text(last), "by_status": by_status, "last_pass": last_pass}


def open_handoffs(app_engine: Engine) -> List[Dict[str, Any]]:
    """Every open hand-off to staff, oldest first: ``[{"id": int, "channel": str,
    "user": masked id, "agency_code", "agency": str ("" when the account is not
    linked), "opened_at", "last_activity_at": local time text, "relayed": int
    (messages relayed either way: the user's and staff's, not the assistant's notes)}]``."""
    h, msg = m.Handoff, m.HandoffMessage
    relayed = (sa.select(sa.func.count()).where(msg.handoff_id == h.id, msg.direction.in_((USER, STAFF)))
               .scalar_subquery())
    q = (sa.select(h.id, h.channel, h.user_id, m.Agency.code, m.Agency.name, h.opened_at, h.last_activity_at,
                   relayed.label("relayed"))
         .select_from(h).outerjoin(m.Agency, m.Agency.id == h.agency_id)
         .where(h.status == OPEN).order_by(h.id))
    with app_engine.connect() as c:
        rows = c.execute(q).all()
    return [{"id": r.id, "channel": r.channel, "user": mask_id(r.user_id), "agency_code": r.code or "",
             "agency": r.name or "", "opened_at": local_time_text(r.opened_at),
             "last_activity_at": local_time_text(r.last_activity_at), "relayed": int(r.relayed)} for r in rows]


def health(app_engine: Engine, tracker_engine: Optional[Engine], credentials: Mapping[str, Any],
           base_url: str, last_pass_file: Path = LAST_PASS_FILE) -> Dict[str, Any]:
    """The "Hệ thống" view: ``{"channels": [report line], "last_message": {channel:
    local time}, "zalo_token_refresh": local time or None, "reminders": {...}
    (:func:`reminders`), "undelivered": {status: n}, "handoffs": [...]
    (:func:`open_handoffs`)}``. ``tracker_engine`` ``None``: the tracker store
    is not SQL, so no last messages."""
    return {
        "channels": [line.strip() for line in channel_report(credentials, base_url)],
        "last_message": last_message_per_channel(tracker_engine) if tracker_engine is not None else {},
        "zalo_token_refresh": zalo_token_refresh(credentials),
        "reminders": reminders(app_engine, last_pass_file),
        "undelivered": UndeliveredStore(app_engine).counts(),
        "handoffs": open_handoffs(app_engine),
    }
