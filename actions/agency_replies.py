"""Vietnamese wording for agencies named in unusual ways (pure functions).

Several agencies in one question, organisations that are not addressees,
provinces gone before 2022, and what became of an addressee after 2022. Who
the addressees are comes from the directive; what happened to them later comes
from operator data (``data/succession.yml``, ``data/former_names.yml``) and is
always labelled as such.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from actions.replies import DIRECTIVE, _item_line, capitalised, quoted
from bot.db.views import AgencyStatus, ObligationStatus
from bot.domain.agencies import Agency, Succession
from bot.domain.dates import vn_date
from bot.domain.obligations import due_footnote, obligation_label
from bot.domain.organisations import KIND_LABELS, LOCAL_KINDS, FormerName, Organisation, parent_label

MAX_AGENCIES = 5  # agencies answered for in one reply

ADDRESSEES = (
    f"{DIRECTIVE} được gửi đến các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ và Ủy ban nhân dân các tỉnh, "
    "thành phố trực thuộc Trung ương (Nguồn: Văn bản số 797/BTTTT-THH ngày 06/03/2022 của Bộ TT&TT)."
)
OPERATOR_DATA = f"thông tin do đơn vị vận hành trợ lý cập nhật, không thuộc {DIRECTIVE}"


def _names(agencies: Sequence[str]) -> str:
    if len(agencies) <= 1:
        return "".join(agencies)
    return ", ".join(agencies[:-1]) + " và " + agencies[-1]


def left_out_note(left_out: Sequence[str]) -> str:
    """The agencies beyond :data:`MAX_AGENCIES` that were not looked up."""
    return (
        f"Để câu trả lời dễ đọc, tôi tra cứu tối đa {MAX_AGENCIES} cơ quan mỗi lần; chưa tra cứu: "
        f"{_names(list(left_out))}. Anh/chị vui lòng hỏi tiếp về các cơ quan này."
    )


def organisation_note(org: Organisation) -> str:
    """Why ``org`` is not an addressee, and who reports for it when the message names that."""
    name = f"«{quoted(org.surface)}»"
    label = KIND_LABELS[org.kind]
    if org.parent is not None and org.kind in LOCAL_KINDS:
        parent = parent_label(org.parent)
        belongs = f"cơ quan chuyên môn thuộc {parent}" if org.kind == "department" else \
            f"{label} thuộc {org.parent.name}"
        return (
            f"{name} là {belongs}, không phải cơ quan nhận {DIRECTIVE}: văn bản gửi UBND các tỉnh, "
            f"thành phố trực thuộc Trung ương, nên kế hoạch, báo cáo của địa phương do {parent} gửi Bộ TT&TT. "
            f"Dưới đây là tình hình của {org.parent.name}."
        )
    if org.parent is not None:
        return (
            f"{name} là {label} thuộc {org.parent.name}, không phải cơ quan nhận riêng {DIRECTIVE}; "
            f"kế hoạch, báo cáo do {org.parent.name} gửi Bộ TT&TT. Dưới đây là tình hình của {org.parent.name}."
        )
    if org.kind in LOCAL_KINDS:
        return (
            f"{name} là {label}, không thuộc danh sách cơ quan nhận {DIRECTIVE}: văn bản gửi UBND cấp tỉnh, "
            "không gửi riêng sở, huyện, xã. " + ADDRESSEES + " Nếu anh/chị cho biết tỉnh, thành phố của đơn vị "
            "này, tôi tra cứu tình hình của UBND tỉnh, thành phố đó."
        )
    return (
        f"{name} là {label}, không thuộc danh sách cơ quan nhận {DIRECTIVE}, nên trợ lý không theo dõi "
        "kế hoạch, báo cáo của đơn vị này. " + ADDRESSEES
    )


def former_note(surface: str, former: FormerName, successors: Sequence[Agency]) -> str:
    """A province gone before 2022: what it became, with the act (operator data)."""
    names = _names([a.name for a in successors])
    when = f", thực hiện từ {vn_date(former.effective)}" if former.effective else ""
    if former.change == "merge":
        what = f"tỉnh {former.name} đã hợp nhất vào {names}"
    else:
        what = f"tỉnh {former.name} đã được chia tách; đến năm 2022 địa bàn này thuộc {names}"
        if former.via:
            what += f" (qua {former.via})"
    return (
        f"«{quoted(surface)}» không còn là tên một tỉnh từ trước năm 2022, nên không phải cơ quan nhận {DIRECTIVE}: "
        f"{what} ({former.act}{when}; {OPERATOR_DATA}). Cơ quan nhận văn bản năm 2022 trên địa bàn này: {names}."
    )


def succession_sentence(agency: Agency, succession: Succession) -> str:
    """What became of a 2022 addressee, with date and source (operator data)."""
    if succession.kind == "rename":
        verb = "đổi tên thành"
    elif succession.successor_code:
        verb = "hợp nhất vào"
    else:
        verb = "hợp nhất thành"
    return (
        f"Từ {vn_date(succession.effective)}, {agency.name} đã {verb} {succession.successor_name} "
        f"(nguồn: {succession.source})."
    )


def agency_now_reply(agency: Agency, succession: Optional[Succession], absorbed: Sequence[Tuple[Agency, Succession]]) -> str:
    """What a 2022 addressee is now: merged, renamed, took others over, or no change recorded."""
    lines: List[str] = []
    if succession is not None:
        lines.append(succession_sentence(agency, succession))
    if absorbed:
        parts = [f"{a.name} (từ {vn_date(s.effective)}, nguồn: {s.source})" for a, s in absorbed]
        lines.append(f"{agency.name} đã tiếp nhận: {'; '.join(parts)}.")
    if not lines:
        lines.append(
            f"Trợ lý chưa ghi nhận thay đổi nào về tên gọi, sáp nhập của {agency.name} sau năm 2022; "
            f"{agency.name} là cơ quan nhận {DIRECTIVE} năm 2022."
        )
    lines.append(f"({capitalised(OPERATOR_DATA)}.)")
    return "\n".join(lines)


def changes_overview(successions: Sequence[Succession], directory_name) -> str:
    """Every change after 2022 in the operator data, grouped by date, when no agency is named."""
    by_date = {}
    for s in successions:
        by_date.setdefault(s.effective, []).append(s)
    lines = ["Theo dữ liệu do đơn vị vận hành trợ lý cập nhật (không thuộc "
             f"{DIRECTIVE}), sau năm 2022 các cơ quan nhận văn bản sau đã được sắp xếp lại:"]
    for when in sorted(by_date):
        names = [directory_name(s.predecessor) for s in by_date[when]]
        lines.append(f"• Từ {vn_date(when)}: {_names(names)}.")
    lines.append("Anh/chị cho biết tên cơ quan, ví dụ \"Tỉnh Bình Dương bây giờ thuộc đâu?\", "
                 "để tôi nói cụ thể cơ quan đó nay thuộc đâu và theo văn bản nào.")
    return "\n".join(lines)


def statuses_reply(parts: Sequence[Tuple[AgencyStatus, Sequence[ObligationStatus]]],
                   missing_only: bool = False, successions: Sequence[Optional[str]] = ()) -> str:
    """Submissions of several agencies in one reply (each with the obligations asked about)."""
    today = parts[0][0].today
    lines = [f"Tình hình nộp của {len(parts)} cơ quan (theo dữ liệu của trợ lý, tính đến {vn_date(today)}):"]
    dated = []
    for status, items in parts:
        name = status.agency.name
        if missing_only:
            items = [i for i in items if i.state != "submitted"]
            if not items:
                lines.append(f"• {name}: đã gửi đủ các kế hoạch, báo cáo được hỏi.")
                continue
        if len(items) == 1:
            item = items[0]
            lines.append(f"• {name} — {obligation_label(item.obligation)}: {_item_line(item)}.")
        else:
            head = f"• {name}" + (f" còn {len(items)} kế hoạch, báo cáo chưa gửi:" if missing_only else ":")
            lines.append(head)
            lines += [f"   – {capitalised(obligation_label(i.obligation))}: {_item_line(i)}" for i in items]
        dated += [i.obligation for i in items if i.state != "submitted" or i.days_late]
    footnote = due_footnote(dated)
    if footnote:
        lines.append(footnote)
    lines += [s for s in successions if s]
    return "\n".join(lines)


def applies_to_all(names: Sequence[str]) -> str:
    """A deadline question naming agencies: the due dates are the same for each."""
    return (
        f"Các hạn trên áp dụng chung cho mọi cơ quan nhận {DIRECTIVE}, trong đó có {_names(list(names))}. "
        "Để biết từng cơ quan đã nộp hay chưa, anh/chị hỏi ví dụ: "
        f"\"{names[0]} đã nộp báo cáo quý II chưa?\"."
    )
