""""Tình hình nộp": every addressee against every obligation, an agency's page,
and the downloadable table.

Cell statuses (:data:`STATUSES`): ``on_time`` (sent by the due date), ``late``
(sent after it), ``overdue`` (not sent, due date passed), ``open`` (not sent,
not yet due), ``sample`` (the shipped example row). Dates are local dates in
Asia/Ho_Chi_Minh, as ISO ``YYYY-MM-DD`` strings in the output.
"""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Dict

from bot.admin.masking import mask_id
from bot.cli.accounts import ACTIONS_VI, ACTORS_VI
from bot.db.accounts import AccountRepository
from bot.db.repository import Repository
from bot.db.views import ObligationStatus
from bot.domain.dates import local_time_text
from bot.submissions import tabular
from bot.submissions.export import status_table

STATUSES = {"on_time": "Đã gửi đúng hạn", "late": "Gửi muộn", "overdue": "Quá hạn, chưa gửi",
            "open": "Chưa đến hạn", "sample": "Dòng mẫu"}
# agencies.yml kinds -> the matrix's two groups
GROUPS = {"ministry": "ministries", "ministerial_agency": "ministries", "government_agency": "ministries",
          "province": "provinces", "city": "provinces"}
GROUP_LABELS = {"ministries": "Bộ, ngành", "provinces": "Tỉnh, thành phố"}
EXPORT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "csv": "text/csv; charset=utf-8"}


def cell_status(item: ObligationStatus) -> str:
    """One of :data:`STATUSES` for an obligation's state on the matrix's day."""
    if item.state != "submitted":
        return item.state  # open | overdue
    if item.submission is not None and item.submission.is_sample:
        return "sample"
    return "late" if (item.days_late or 0) > 0 else "on_time"


def _cell(item: ObligationStatus) -> Dict[str, Any]:
    sub = item.submission
    return {"obligation": item.obligation.code, "status": cell_status(item),
            "received_on": sub.received_on.isoformat() if sub else None,
            "reference_number": sub.reference_number if sub else "",
            "days_late": item.days_late, "days_overdue": item.days_overdue, "days_left": item.days_left}


def matrix(repo: Repository, today: date) -> Dict[str, Any]:
    """The compliance matrix on ``today``.

    Returns ``{"today", "statuses": {status: label}, "groups": {group: label},
    "obligations": [{"code", "title", "kind", "due_date", "totals": {status: n}}],
    "agencies": [{"code", "name", "kind", "group", "cells": [cell per obligation,
    same order]}]}``; a cell is ``{"obligation", "status", "received_on",
    "reference_number", "days_late", "days_overdue", "days_left"}``.
    """
    statuses = repo.all_statuses(today)
    obligations = [it.obligation for it in statuses[0].items] if statuses else []
    totals = [dict.fromkeys(STATUSES, 0) for _ in obligations]
    agencies = []
    for st in statuses:
        cells = [_cell(it) for it in st.items]
        for i, cell in enumerate(cells):
            totals[i][cell["status"]] += 1
        agencies.append({"code": st.agency.code, "name": st.agency.name, "kind": st.agency.kind,
                         "group": GROUPS.get(st.agency.kind, "ministries"), "cells": cells})
    return {
        "today": today.isoformat(), "statuses": STATUSES, "groups": GROUP_LABELS,
        "obligations": [{"code": o.code, "title": o.title, "kind": o.kind, "due_date": o.due_date.isoformat(),
                         "totals": totals[i]} for i, o in enumerate(obligations)],
        "agencies": agencies,
    }


def agency_page(repo: Repository, accounts: AccountRepository, code: str, today: date) -> Dict[str, Any]:
    """One agency on ``today``: ``{"code", "name", "kind", "cells": [...], "links":
    [{"channel", "user", "linked_at", "active", "subscribed"}], "audit": [{"at",
    "who", "action", "detail"}]}`` (user ids masked, times local text, the
    latest 50 audit entries).

    Raises:
        bot.db.views.UnknownAgencyError: no agency ``code``.
    """
    st = repo.agency_status(code, today)
    links = [link for link in accounts.list_links(include_revoked=True) if link.agency_code == code]
    trail = accounts.audit_trail(limit=50, agency_code=code)
    return {
        "code": st.agency.code, "name": st.agency.name, "kind": st.agency.kind,
        "cells": [dict(_cell(it), title=it.obligation.title, due_date=it.obligation.due_date.isoformat())
                  for it in st.items],
        "links": [{"channel": link.channel, "user": mask_id(link.user_id),
                   "linked_at": local_time_text(link.linked_at, empty=""), "active": link.active,
                   "subscribed": link.subscribed} for link in links],
        "audit": [{"at": local_time_text(e.at, empty=""),
                   "who": f"{e.channel}:{mask_id(e.user_id)}" if e.channel and e.user_id else ACTORS_VI.get(e.actor, e.actor),
                   "action": ACTIONS_VI.get(e.action, e.action),
                   "detail": {k: v for k, v in e.detail.items() if k != "message_id"}} for e in trail],
    }


def export_bytes(repo: Repository, today: date, kind: str) -> bytes:
    """The status table of ``python -m bot export status`` on ``today`` as the
    bytes of a ``kind`` file (``"xlsx"`` or ``"csv"``, :data:`EXPORT_TYPES`).

    Raises:
        ValueError: another ``kind``.
    """
    if kind not in EXPORT_TYPES:
        raise ValueError(f"unsupported export kind {kind!r}")
    header, rows = status_table(repo, today)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"tinh-hinh.{kind}"
        tabular.write_table(path, header, rows, f"Tình hình {today:%d-%m-%Y}")
        return path.read_bytes()
