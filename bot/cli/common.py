"""Helpers shared by the command groups of ``python -m bot`` (messages in Vietnamese)."""
from __future__ import annotations

import sys
from datetime import date
from typing import Optional

from bot.domain.agencies import AgencyDirectory, Resolution
from bot.domain.dates import local_today
from bot.settings import load_settings

TODAY_HELP = "YYYY-MM-DD (mặc định: hôm nay giờ Việt Nam)"
NOT_SEEDED = "Cơ quan {code} chưa có trong cơ sở dữ liệu; hãy chạy 'python -m bot init-db'."


def today_arg(arg: Optional[str]) -> date:
    """``--today`` (already checked by :func:`bot.cli.main`) or the local date in Asia/Ho_Chi_Minh."""
    return date.fromisoformat(arg) if arg else local_today()


def directory() -> AgencyDirectory:
    """The addressees from the settings' data folder."""
    return AgencyDirectory.from_files(load_settings().data_dir)


def explain_resolution(res: Resolution) -> str:
    """Why a typed agency name gave no single addressee (ambiguous, or unknown with suggestions)."""
    if res.status == "ambiguous":
        return f"Tên '{res.query}' chưa rõ, có thể là: " + ", ".join(a.name for a in res.candidates[:8]) + "."
    if res.note:
        return res.note
    msg = f"Không tìm thấy cơ quan '{res.query}' trong danh sách nhận Văn bản 797/BTTTT-THH."
    if res.suggestions:
        msg += " Có phải: " + ", ".join(a.name for a in res.suggestions) + "?"
    return msg


def resolve_agency(agencies: AgencyDirectory, text: str) -> Optional[str]:
    """The code of the addressee ``text`` names, or ``None`` after printing why not (stderr)."""
    res = agencies.resolve(text)
    if res.status == "found":
        return res.agency.code
    print(explain_resolution(res), file=sys.stderr)
    return None


def os_error_vi(exc: OSError) -> str:
    """A file-system error in Vietnamese."""
    if isinstance(exc, FileNotFoundError):
        return "thư mục chứa tệp không tồn tại"
    if isinstance(exc, PermissionError):
        return "không có quyền ghi"
    if isinstance(exc, IsADirectoryError):
        return "đường dẫn là một thư mục"
    return f"lỗi hệ thống ({exc.strerror or exc})"
