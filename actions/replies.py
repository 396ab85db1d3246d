"""Vietnamese wording of look-up answers (pure functions, no Rasa, no database).

Dates are written ``dd/mm/yyyy`` (:func:`bot.domain.dates.vn_date`); day counts
are relative to ``today``, a local date in Asia/Ho_Chi_Minh. Every due date says
where it comes from (:mod:`bot.domain.obligations`): the directive gives none,
so they are operator defaults from data/obligations.yml.
"""
from __future__ import annotations

import html
import re
from datetime import date
from typing import List, Optional, Sequence

from bot.db.views import AgencyStatus, ObligationStatus, ObligationView, SuccessionView
from bot.domain.agencies import Resolution
from bot.domain.dates import vn_date
from bot.domain.obligations import due_footnote, due_text, obligation_label

DIRECTIVE = "Văn bản 797/BTTTT-THH"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def days_phrase(days_left: int) -> str:
    """``5`` -> ``"còn 5 ngày"``, ``0`` -> ``"hạn là hôm nay"``, ``-3`` -> ``"đã quá hạn 3 ngày"``."""
    if days_left > 0:
        return f"còn {days_left} ngày"
    if days_left == 0:
        return "hạn là hôm nay"
    return f"đã quá hạn {-days_left} ngày"


def deadline_reply(obligations: Sequence[ObligationView], today: date, note: Optional[str] = None) -> str:
    """Due dates of ``obligations`` with days left or overdue on ``today``."""
    lines: List[str] = []
    if note:
        lines.append(note)
    if len(obligations) == 1:
        ob = obligations[0]
        lines.append(
            f"Hạn nộp {obligation_label(ob)}: {due_text(ob)} "
            f"({days_phrase((ob.due_date - today).days)}, tính đến hôm nay {vn_date(today)})."
        )
    else:
        lines.append(f"Hạn nộp kế hoạch và báo cáo theo {DIRECTIVE} (tính đến hôm nay {vn_date(today)}):")
        lines += [
            f"• {capitalised(obligation_label(ob))}: {due_text(ob)} — {days_phrase((ob.due_date - today).days)}"
            for ob in obligations
        ]
    footnote = due_footnote(obligations)
    if footnote:
        lines.append(footnote)
    return "\n".join(lines)


def _item_line(item: ObligationStatus) -> str:
    ob = item.obligation
    if item.state == "submitted" and item.submission:
        sub = item.submission
        text = f"đã nộp ngày {vn_date(sub.received_on)}"
        if sub.reference_number:
            text += f", số {sub.reference_number}"
        if item.days_late:
            text += f" (muộn {item.days_late} ngày so với hạn {due_text(ob)})"
        if sub.is_sample:
            text += " — dữ liệu mẫu"
        return text
    if item.state == "open":
        return f"chưa nộp; hạn {due_text(ob)}, {days_phrase(item.days_left or 0)}"
    return f"chưa nộp; đã quá hạn {item.days_overdue} ngày (hạn {due_text(ob)})"


def succession_line(succession: Optional[SuccessionView], agency_name: str) -> Optional[str]:
    """A note that a 2022 addressee was later merged or renamed (operator data)."""
    if succession is None:
        return None
    verb = "đổi tên thành" if succession.kind == "rename" else "hợp nhất vào"
    return (
        f"Lưu ý: từ {vn_date(succession.effective)}, {agency_name} đã {verb} {succession.successor_name} "
        f"({succession.source}; thông tin do đơn vị vận hành cập nhật, không thuộc {DIRECTIVE})."
    )


def status_reply(status: AgencyStatus, items: Sequence[ObligationStatus]) -> str:
    """An agency's submissions for ``items`` (all its obligations, or the one asked about)."""
    name = status.agency.name
    lines: List[str] = []
    if len(items) == 1:
        item = items[0]
        lines.append(f"{name} — {obligation_label(item.obligation)}: {_item_line(item)}.")
        lines.append(f"(Theo dữ liệu của trợ lý, tính đến {vn_date(status.today)}.)")
    else:
        lines.append(f"Tình hình nộp kế hoạch, báo cáo của {name} (theo dữ liệu của trợ lý, tính đến {vn_date(status.today)}):")
        lines += [f"• {capitalised(obligation_label(i.obligation))}: {_item_line(i)}" for i in items]
        overdue = sum(1 for i in items if i.state == "overdue")
        if overdue:
            lines.append(f"Còn {overdue} nghĩa vụ quá hạn chưa nộp.")
    # only the due dates actually written above carry the mark
    dated = [i.obligation for i in items if i.state != "submitted" or i.days_late]
    for extra in (due_footnote(dated), succession_line(status.succession, name)):
        if extra:
            lines.append(extra)
    return "\n".join(lines)


def missing_reply(status: AgencyStatus, missing: Sequence[ObligationStatus]) -> str:
    """What an agency has not sent yet (``missing``: its open or overdue items)."""
    name = status.agency.name
    if not missing:
        lines = [f"{name} đã gửi đủ các kế hoạch, báo cáo được hỏi "
                 f"(theo dữ liệu của trợ lý, tính đến {vn_date(status.today)})."]
    else:
        lines = [f"{name} còn {len(missing)} kế hoạch, báo cáo chưa gửi "
                 f"(theo dữ liệu của trợ lý, tính đến {vn_date(status.today)}):"]
        lines += [f"• {capitalised(obligation_label(i.obligation))}: {_item_line(i)}" for i in missing]
    for extra in (due_footnote([i.obligation for i in missing]), succession_line(status.succession, name)):
        if extra:
            lines.append(extra)
    return "\n".join(lines)


def quoted(user_text: str, limit: int = 60) -> str:
    """User text safe to echo: no markup, one line, at most ``limit`` characters."""
    text = re.sub(r"<[^>]*>", "", user_text)
    text = " ".join(html.unescape(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unknown_agency_reply(query: str, resolution: Resolution) -> str:
    """Say that ``query`` is not an addressee; explain successors; offer suggestions."""
    lines = [
        f"Không tìm thấy «{quoted(query)}» trong danh sách cơ quan nhận {DIRECTIVE} "
        "(các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ và UBND 63 tỉnh, thành phố trực thuộc Trung ương năm 2022)."
    ]
    if resolution.note:
        lines.append(resolution.note)
    if resolution.suggestions:
        lines.append("Có phải anh/chị muốn hỏi: " + "; ".join(a.name for a in resolution.suggestions) + "?")
    return "\n".join(lines)


def ambiguous_agency_reply(query: str, resolution: Resolution) -> str:
    """Ask which of several agencies ``query`` meant."""
    names = "; ".join(a.name for a in resolution.candidates)
    return f"«{quoted(query)}» có thể là một trong các cơ quan sau: {names}. Anh/chị muốn tra cứu cơ quan nào?"
