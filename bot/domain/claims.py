"""Checking the premise of a yes/no question against the source (pure; no Rasa).

"Văn bản 797 do Bộ Khoa học và Công nghệ ban hành phải không?", "có 5 định
hướng phổ cập à?", "vb ký ngày 9/3 đúng ko?", "22 nhiệm vụ đúng không": each
states a claim about the directive and asks whether it holds.
:func:`find_claims` reads the claims a message makes and checks each one against
the facts of the article (:data:`FACTS`): the issuer, the date, the number, the
counts of areas and tasks, how the article characterises 2020, 2021 and 2022,
the legal bases (749/QĐ-TTg, 942/QĐ-TTg) with their dates and titles, the
addressees and how often reports are due.

Each :class:`Claim` has a ``verdict``: ``True`` (the article says so),
``False`` (the article says otherwise: ``fact`` gives the right value) or
``None`` (the article says nothing on it: ``fact`` says what it does say).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from bot.domain.text import fold, nfc

ISSUER_NAME = "Bộ Thông tin và Truyền thông (Bộ TT&TT)"
ISSUED = (6, 3, 2022)
ARTICLE_DATE = (9, 3, 2022)
NUMBER = "797/BTTTT-THH"
AREAS = 6
TASKS = 22
DECISIONS = {
    "749": ((3, 6, 2020), "Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030"),
    "942": ((15, 6, 2021), "Chiến lược phát triển Chính phủ điện tử hướng tới Chính phủ số giai đoạn 2021 - 2025, "
                           "định hướng đến năm 2030"),
}
YEARS = {
    2020: "năm khởi động nhận thức về chuyển đổi số",
    2021: "năm bắt đầu triển khai, trải nghiệm về chuyển đổi số trong bối cảnh đại dịch",
    2022: "năm đẩy mạnh chuyển đổi số theo hướng lấy người dân làm trung tâm, toàn dân và toàn diện",
}
# Words of each year's characterisation (folded).
_YEAR_WORDS = {
    2020: r"khoi dong|nhan thuc",
    2021: r"bat dau trien khai|trai nghiem|dai dich|covid",
    2022: r"day manh|lay nguoi dan lam trung tam|toan dan|toan dien",
}
ADDRESSEES = ("các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ và Ủy ban nhân dân các tỉnh, thành phố trực thuộc "
              "Trung ương")

YES_NO = re.compile(
    r"\b(?:phai|dung|chinh xac|that|chuan)\s+(?:khong|ko|k|hok|hong|kg|chu|ha|a|nhi|hem|chua)\b|\bco phai\b|\bphai chang\b|"
    r"\b(?:dung|phai) (?:roi )?(?:chu|nhi|ha)\b|(?:^|\s)(?:a|ha|ak|ah|chu|nhi|ho|hu|ha ad|a ad|dung ko|phai ko)\s*[?.!]*$|"
    r"\bco\b.*\b(?:khong|ko|k|hok|hong)\s*[?.!]*$"
)
_TTTT = re.compile(r"\b(?:bo\s+)?(?:thong tin (?:va|&) truyen thong|tt\s*&\s*tt|tt va tt|tttt|ttt&t|tt-tt|ttvtt)\b|"
                   r"\bbtttt\b|\bbo tt\b")
_WH = re.compile(r"^(?:ai|nao|dau|gi)\b|\b(?:nao|gi|dau)$")
_ORG = r"(?:bo|thu tuong|chinh phu|ubnd|uy ban|quoc hoi|van phong|btttt|tt&tt|so|nganh|tong cuc|cuc)\b"
# "do Bộ X ban hành", "ban hành bởi Bộ X"; "(văn bản) của Bộ X à" (only after a word naming the document)
_ISSUER_AFTER = re.compile(rf"\b(?:do|boi)\s+(?P<x>{_ORG}[^,;?]*?)\s+(?:ban hanh|ky|phat hanh|soan|ra)\b|"
                           rf"\b(?:van ban|vb|cong van|cv|797|bai|no)\b[^,;?]*?\b(?:cua|la cua)\s+(?P<y>{_ORG}[^,;?]*?)"
                           r"(?:\s+(?:ban hanh|ky|phat hanh|dung|phai|a|ha|khong|ko|chu|nhi)\b|\s*[?.!]*$)")
_ISSUER_BEFORE = re.compile(r"(?:^|\b(?:phai|la)\s+)(?P<x>(?:bo|thu tuong|chinh phu|ubnd|quoc hoi|van phong chinh phu|btttt)\b"
                            r"(?:(?!\b(?:co phai|la|duoc|co|phai)\b)[^,;?])*?)\s+(?:ban hanh|ky|phat hanh|ra)\b")
_DECISION = re.compile(r"(?<![\d/])(749|942)(?!\d)")
_DMY = re.compile(r"(?<![\d/])(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*(\d{2,4}))?(?![\d/])")
_DMY_WORDS = re.compile(r"\bngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?")
_MONTH = re.compile(r"\bthang\s+(\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?\b")
_YEAR_ONLY = re.compile(r"\b(?:nam\s+)?(20\d\d|19\d\d)\b")
_DATE_VERB = re.compile(r"\b(?:ban hanh|ky|phat hanh|ra doi|ra ngay|ra vao|de ngay|co hieu luc)\b")
_OBLIGATION = re.compile(r"\b(?:nop|han|bao cao|bc|ke hoach|kh|gui ve)\b")
_NUM_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
              "muoi": 10, "hai muoi hai": 22, "hai hai": 22, "hai muoi": 20, "muoi sau": 16}
_COUNT = re.compile(r"(?<![\d/])(?<!\w)(?P<n>\d{1,3}|hai muoi hai|hai muoi|hai hai|muoi sau|mot|hai|ba|bon|nam|sau|"
                    r"bay|tam|chin|muoi)\s+"
                    r"(?P<what>dinh huong|noi dung|linh vuc|nhom|nhiem vu|giai phap|nen tang)\b(?P<rest>[^,;?]*)")
_BASIS = re.compile(r"\b(?:can cu|dua (?:tren|vao)|thuc hien|theo|"
                    r"co so (?:phap ly )?la)\s+(?:vao\s+)?(?P<kind>quyet dinh|qd|nghi quyet|nq|"
                    r"nghi dinh|nd|chi thi|ct|thong tu|tt|luat)\s*(?:so\s*)?(?P<n>\d+)?")
_TITLE_749 = re.compile(r"\bchuong trinh\b")
_TITLE_942 = re.compile(r"\bchien luoc\b|\bchinh phu (?:dien tu|so)\b")
_REF = re.compile(r"(?<![\d/])(\d{2,4})\s*/\s*([a-z&][a-z&\-]*)")
_NUMBER_CUE = re.compile(r"\b(?:so hieu|ky hieu|ki hieu|mang so|la van ban so|la cong van so|van ban so|cong van so)\s*(?:la\s*)?"
                         r"(?P<n>\d{2,5})(?:\s*/\s*(?P<s>[a-z&][a-z&\-]*))?")
_ADDRESSEE = re.compile(r"\b(?:gui|ap dung|danh)\s+(?:cho|den|toi|voi|doi voi)\s+(?P<x>[^,;?]+?)(?:\s+(?:dung|phai|"
                        r"a|ha|khong|ko|k|chu|hay)\b|\s*[?.!]*$)")
_NOT_ADDRESSEE = re.compile(r"\b(?:doanh nghiep|nguoi dan|cong dan|cap huyen|cap xa|huyen|xa|phuong|truong|cong ty|so\b)")
_IS_ADDRESSEE = re.compile(r"\b(?:bo|co quan ngang bo|co quan thuoc chinh phu|ubnd|uy ban nhan dan|tinh|thanh pho|"
                           r"dia phuong|nganh)\b")
_ONLY = re.compile(r"\b(?:chi|moi)\s+(?:(?:duoc|dc)\s+)?(?:gui|ap dung|danh)\s+\S+\s*$")  # "chỉ gửi cho …"
_FREQUENCY = re.compile(r"\bbao cao\b[^,;?]*?\b(?P<f>hang quy|hh quy|moi quy|hang thang|moi thang|hang tuan|hang nam|moi nam|"
                        r"6 thang|sau thang|nua nam|mot lan|hang ngay)\b")


@dataclass(frozen=True)
class Claim:
    """One claim of a message: ``kind``, the ``claimed`` words, the ``verdict`` and the ``fact``."""

    kind: str
    claimed: str
    verdict: Optional[bool]
    fact: str


# A wh-question with a polite particle at the end ("6 định hướng là gì ạ",
# "hạn nộp khi nào à") asks what, not whether: the particle is no "... à?".
_WH_THEN_PARTICLE = re.compile(r"\b(?:gi|nao|dau|bao nhieu|may|ai|sao)(?:\s+(?:a|ha|ak|ah|nhi|vay|z|v))+\s*[?.!]*$")
_ASKS_WHETHER = re.compile(r"\bco phai\b|\bphai chang\b|\b(?:phai|dung)\s+(?:khong|ko|k|hok|hong|kg)\b")


def is_yes_no(text: str) -> bool:
    """True for "... phải không?", "đúng ko", "có phải ...", "... à?" (in any clause of ``text``);
    a wh-question ending in a polite particle ("... là gì ạ") is not one."""
    return any(YES_NO.search(part) and not (_WH_THEN_PARTICLE.search(part) and not _ASKS_WHETHER.search(part))
               for part in (p.strip() for p in re.split(r"[,;?!]+", fold(text or ""))) if part)


def _vn(d: Tuple[int, int, int]) -> str:
    return f"{d[0]:02d}/{d[1]:02d}/{d[2]}"


def _span(raw: str, folded: str, m: "re.Match[str]", group: str) -> str:
    return raw[m.start(group):m.end(group)].strip(" ,.")


def _folded_chars(raw: str) -> str:
    return "".join((fold(c) or " ")[:1] for c in raw).lower()


def _subject(folded: str) -> Optional[str]:
    m = _DECISION.search(folded)
    return m.group(1) if m and re.search(r"\b(?:quyet dinh|qd)\b", folded) or (m and "/qd" in folded) else None


def _issuer_claims(raw: str, folded: str) -> List[Claim]:
    for pattern in (_ISSUER_AFTER, _ISSUER_BEFORE):
        m = pattern.search(folded)
        if not m:
            continue
        group = "x" if m.group("x") else "y"
        said = m.group(group).strip()
        if _WH.search(said) or not said:
            return []
        claimed = _span(raw, folded, m, group)
        decision = _subject(folded[:m.start(group)])
        if decision:
            ok = bool(re.search(r"\bthu tuong\b", said))
            return [Claim("issuer", claimed, ok, f"Quyết định số {decision}/QĐ-TTg là của Thủ tướng Chính phủ.")]
        ok = bool(_TTTT.search(said))
        return [Claim("issuer", claimed, ok, f"Văn bản số {NUMBER} do {ISSUER_NAME} ban hành ngày {_vn(ISSUED)}.")]
    return []


def _date_claims(raw: str, folded: str) -> List[Claim]:
    if not _DATE_VERB.search(folded) or (_OBLIGATION.search(folded) and not _DECISION.search(folded)):
        return []
    decision = _subject(folded)
    truth = DECISIONS[decision][0] if decision else ISSUED
    what = f"Quyết định số {decision}/QĐ-TTg" if decision else f"Văn bản số {NUMBER}"
    verb = "được ký ngày" if decision else "được Bộ TT&TT ban hành ngày"
    day = month = year = None
    m = _DMY_WORDS.search(folded) or _DMY.search(folded)
    if m:
        day, month = int(m.group(1)), int(m.group(2))
        year = int(m.group(3)) if m.group(3) else None
        if year is not None and year < 100:
            year += 2000
        claimed = raw[m.start():m.end()].strip()
    else:
        m = _MONTH.search(folded)
        if m:
            month = int(m.group(1))
            year = int(m.group(2)) if m.group(2) else None
            claimed = raw[m.start():m.end()].strip()
        else:
            m = _YEAR_ONLY.search(folded)
            if not m or int(m.group(1)) in (2025, 2030):
                return []
            year = int(m.group(1))
            claimed = raw[m.start():m.end()].strip()
    ok = (day in (None, truth[0])) and (month in (None, truth[1])) and (year in (None, truth[2]))
    fact = f"{what} {verb} {_vn(truth)}."
    if not ok and not decision and (day, month) == ARTICLE_DATE[:2]:
        fact += f" Ngày {_vn(ARTICLE_DATE)} là ngày đăng bài viết đưa tin về văn bản, không phải ngày ban hành."
    return [Claim("date", claimed, ok, fact)]


def _number_claims(raw: str, folded: str) -> List[Claim]:
    m = _NUMBER_CUE.search(folded)
    if m:
        number, suffix = m.group("n"), m.group("s")
    else:
        ref = next((r for r in _REF.finditer(folded) if r.group(1) not in DECISIONS), None)
        if ref is None:
            return []
        number, suffix = ref.group(1), ref.group(2)
        m = ref
    ok = number == "797" and (suffix is None or suffix.replace("&", "") in ("btttt-thh",))
    claimed = raw[m.start():m.end()].strip()
    return [Claim("number", claimed, ok, f"Số hiệu của văn bản là {NUMBER}.")]


def _count_claims(raw: str, folded: str) -> List[Claim]:
    out = []
    for m in _COUNT.finditer(folded):
        n_text, what, rest = m.group("n"), m.group("what"), m.group("rest")
        n = int(n_text) if n_text.isdigit() else _NUM_WORDS.get(n_text)
        if n is None:
            continue
        claimed = raw[m.start():m.end("what")].strip()
        if re.search(r"\b(?:trong|thuoc|cua|nao trong|mot trong)\s*$", folded[:m.start()]):
            continue  # "sức khỏe có nằm trong 6 định hướng không": the count names the list, it is not claimed
        if what in ("nhiem vu", "giai phap"):
            out.append(Claim("tasks", claimed, n == TASKS,
                             f"Văn bản đề nghị tập trung chỉ đạo triển khai {TASKS} nhiệm vụ, giải pháp quan trọng."))
        elif what == "dinh huong" and re.match(r"\s*(?:xuyen suot|chung)", rest):
            out.append(Claim("orientation", claimed, n == 1,
                             "Văn bản nêu một định hướng xuyên suốt: đưa hoạt động của người dân, doanh nghiệp lên môi "
                             "trường số, thông qua 6 nội dung phổ cập sử dụng nền tảng số Việt Nam."))
        elif what in ("dinh huong", "noi dung", "linh vuc", "nhom") or (what == "nen tang" and "pho cap" in folded):
            out.append(Claim("areas", claimed, n == AREAS,
                             f"Văn bản nêu {AREAS} nội dung phổ cập sử dụng nền tảng số Việt Nam (thương mại điện tử; dạy học "
                             "trực tuyến; tư vấn sức khỏe, khám chữa bệnh từ xa; nền tảng số phục vụ nhu cầu thiết yếu; "
                             "dịch vụ công trực tuyến; nền tảng số cho doanh nghiệp nhỏ và vừa)."))
    return out


def _year_claims(raw: str, folded: str) -> List[Claim]:
    m = re.search(r"\bnam (2020|2021|2022)\b", folded)
    if not m:
        return []
    year = int(m.group(1))
    rest = folded[m.end():]
    said = next((y for y, words in _YEAR_WORDS.items() if re.search(rf"\b(?:{words})\b", rest)), None)
    if said is None:
        return []
    fact = f"Theo bài viết, có thể coi năm {year} là {YEARS[year]}."
    if said != year:
        fact += f" Năm {said} mới là {YEARS[said]}."
    tail = re.search(r"\s+(?:dung|phai|chinh xac|that|co phai|a|ha|ak|chu|nhi|khong|ko)\b.*$", folded[m.start():])
    end = m.start() + tail.start() if tail else len(raw)
    return [Claim("year", raw[m.start():end].strip(" ?"), said == year, fact)]


def _basis_claims(raw: str, folded: str) -> List[Claim]:
    out = []
    m = _BASIS.search(folded)
    if m and (m.group("n") or m.group("kind") in ("luat",)):
        n = m.group("n")
        claimed = raw[m.start("kind"):m.end()].strip()
        bases = ("Bài viết nêu Văn bản 797/BTTTT-THH thực hiện các chủ trương, định hướng về chuyển đổi số quốc gia, "
                 "đặc biệt là Quyết định số 749/QĐ-TTg ngày 03/06/2020 và Quyết định số 942/QĐ-TTg ngày 15/06/2021 "
                 "của Thủ tướng Chính phủ.")
        if n in DECISIONS and m.group("kind") in ("quyet dinh", "qd"):
            out.append(Claim("basis", claimed, True, bases))
        else:
            out.append(Claim("basis", claimed, None, f"Bài viết nguồn không nhắc đến {claimed}. {bases}"))
    for number, title in (("749", _TITLE_942), ("942", _TITLE_749)):
        if re.search(rf"(?<!\d){number}(?!\d)", folded) and title.search(folded) and \
                re.search(r"\b(?:phe duyet|ve|la)\b", folded):
            other = "942" if number == "749" else "749"
            out.append(Claim("basis", f"Quyết định {number}", False,
                             f"Quyết định số {number}/QĐ-TTg phê duyệt {DECISIONS[number][1]}; còn Quyết định số "
                             f"{other}/QĐ-TTg phê duyệt {DECISIONS[other][1]}."))
    return out


def _addressee_claims(raw: str, folded: str) -> List[Claim]:
    m = _ADDRESSEE.search(folded)
    if not m:
        return []
    said = m.group("x")
    if _WH.search(said.strip()):
        return []
    claimed = re.sub(r"\s+th[oôộ]i$", "", _span(raw, folded, m, "x"))
    fact = f"Văn bản số {NUMBER} được gửi đến {ADDRESSEES}."
    if _ONLY.search(folded[:m.start("x")]) or re.search(r"\bthoi$", said.strip()):
        # "chỉ gửi cho UBND các tỉnh thôi": true only if both kinds of addressee are named
        both = re.search(r"\b(?:bo|co quan)\b", said) and re.search(r"\b(?:tinh|ubnd|uy ban nhan dan)\b", said)
        return [Claim("addressees", claimed, bool(both), fact)]
    if _NOT_ADDRESSEE.search(said) and not re.search(r"\bubnd (?:cac )?tinh|\bcac tinh\b", said):
        return [Claim("addressees", claimed, False, fact)]
    if _IS_ADDRESSEE.search(said):
        return [Claim("addressees", claimed, True, fact)]
    return []


def _frequency_claims(raw: str, folded: str) -> List[Claim]:
    m = _FREQUENCY.search(folded)
    if not m:
        return []
    ok = m.group("f") in ("hang quy", "hh quy", "moi quy")
    return [Claim("frequency", raw[m.start("f"):m.end("f")], ok,
                  "Văn bản đề nghị định kỳ hằng quý có báo cáo gửi Bộ TT&TT để tổng hợp, báo cáo Ủy ban Quốc gia về "
                  "Chuyển đổi số.")]


CHECKS = (_issuer_claims, _number_claims, _date_claims, _count_claims, _year_claims, _basis_claims,
          _addressee_claims, _frequency_claims)


def find_claims(text: str) -> List[Claim]:
    """The checkable claims of a yes/no question ``text`` (empty if it is not one)."""
    raw = nfc(text or "").strip()
    if not is_yes_no(raw):
        return []
    folded = _folded_chars(raw)
    claims: List[Claim] = []
    for check in CHECKS:
        claims += check(raw, folded)
    return claims
