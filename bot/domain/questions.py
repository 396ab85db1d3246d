"""Which facts of the directive a message asks for (pure; no Rasa).

A message may ask several things at once: "ai ban hành và ban hành khi nào?",
"số hiệu và ngày ban hành của vb 797", "văn bản gửi ai, hạn nộp kế hoạch khi
nào?". :func:`asked_facts` cuts the message into clauses (at commas, question
marks and conjunctions such as "và", "với", "còn") and reads each clause's
question cues: "ai ban hành" (issuer), "khi nào" (date), "số hiệu" (number),
"gửi ai" (addressees), "căn cứ" (legal basis), "hạn nộp" (deadline)...
A cue is read in its clause: "khi nào" asks the date of the directive, but
after "hạn nộp kế hoạch" it asks a deadline, and after "Quyết định 749" the
decision's date (part of the legal-basis answer).

The facts are returned in the order asked, each with its clause, so that an
answer can be given per part (:mod:`actions.directive`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Tuple

from bot.domain.normalise import chat_fold
from bot.domain.text import fold, nfc

NUMBER, DATE, ISSUER, ADDRESSEES, LEGAL_BASIS = "number", "date", "issuer", "addressees", "legal_basis"
YEAR_ROLE, ORIENTATION, PRIORITY_AREAS, TASKS, SUMMARY = "year_role", "orientation", "priority_areas", "tasks", "summary"
PLAN, QUARTERLY_REPORT, COMMITTEE, DEADLINE = "plan", "quarterly_report", "committee", "deadline"

# The fact intent each fact answers, so a parse result's ``directive_facts``
# can be compared with single-fact questions (bench.evalset.facts_of).
FACT_INTENTS: Dict[str, str] = {
    NUMBER: "ask_doc_number", DATE: "ask_doc_date", ISSUER: "ask_issuer", ADDRESSEES: "ask_addressees",
    LEGAL_BASIS: "ask_legal_basis", YEAR_ROLE: "ask_year_role", ORIENTATION: "ask_orientation",
    PRIORITY_AREAS: "ask_priority_areas", TASKS: "ask_tasks", SUMMARY: "ask_doc_summary", PLAN: "ask_plan",
    QUARTERLY_REPORT: "ask_quarterly_report", COMMITTEE: "ask_committee", DEADLINE: "ask_deadline",
}
# The six priority areas as facts, for a message asking about two or more of them
# (found by bot.domain.topics.asked_areas, not by cues): "area_health" -> "ask_area_health".
AREAS = ("area_ecommerce", "area_education", "area_health", "area_daily_life", "area_public_services", "area_sme")
FACT_INTENTS.update({area: f"ask_{area}" for area in AREAS})
# A topic the article does not mention, asked beside a status question ("..., và văn
# bản có nói về chữ ký số không"); its ``clause`` is the topic as the user wrote it.
NOT_IN_SOURCE = "not_in_source"
FACT_INTENTS[NOT_IN_SOURCE] = "ask_not_in_source"
# Metadata of a reply saying the article does not cover what was asked
# (``utter_message(text=..., **NOT_IN_SOURCE_MARK)``; Rasa keeps the extra key in
# the bot event's ``metadata``). The console counts such a turn as unanswered
# (bot.admin.insight) even when a general action, answering other facts too, sent it.
NOT_IN_SOURCE_MARK: Dict[str, str] = {"answer_kind": NOT_IN_SOURCE}
AREA_OF_INTENT: Dict[str, str] = {f"ask_{area}": area for area in AREAS}

_DOC = r"(?:van ban|vb|cong van|cv|797)"
CUES: Dict[str, "re.Pattern[str]"] = {
    NUMBER: re.compile(r"\bso hieu\b|\bky hieu\b|\bki hieu\b|\bso (?:va ky hieu|van ban|cong van|vb|cv)\b|\bso may\b|"
                       r"\bso bao nhieu\b|\bma so\b|\bmang so\b"),
    DATE: re.compile(r"\bngay (?:ban hanh|ky|phat hanh)\b|\bky (?:vao )?(?:ngay|thang|nam|hom|khi|luc|hoi)\b|"
                     r"\bban hanh (?:vao )?(?:ngay|thang|nam|khi|luc|bao gio|hom|thoi diem)\b|"
                     r"\b(?:ngay|thang|nam|hom|hoi) (?:nao|may|bao nhieu)\b|\bkhi nao\b|\bbao gio\b|\bluc nao\b|"
                     r"\bthoi diem nao\b|\bra doi\b|\bthoi gian ban hanh\b"),
    ISSUER: re.compile(r"\bai (?:ban hanh|ky|ra|phat hanh|soan)\b|\b(?:co quan|bo|don vi|noi|cap) nao (?:ban hanh|"
        r"ra|ky|phat hanh)\b|"
                       r"\bban hanh boi\b|\b(?:do|cua) (?:ai|bo nao|co quan nao|don vi nao)\b|\bco quan ban hanh\b|"
                       r"\bnguoi ky\b|\bnoi ban hanh\b|\bchu the ban hanh\b"),
    ADDRESSEES: re.compile(r"\bgui (?:cho |den |toi |ve )?(?:ai|nhung ai|dau|nhung dau|"
                           r"nhung noi nao|noi nao|nhung co quan nao|co quan nao|nhung don vi nao|"
                           r"don vi nao|bo nganh nao)\b|\bnoi nhan\b|\bdoi tuong (?:nhan|ap dung|thuc hien)\b|"
                           r"\bap dung (?:cho|voi|doi voi) (?:ai|nhung ai|co quan nao|nhung co quan nao)\b|\bdanh cho ai\b|"
                           r"\bai (?:phai|can|co trach nhiem) thuc hien\b|\bpham vi ap dung\b"),
    LEGAL_BASIS: re.compile(r"\bcan cu\b|\bco so phap ly\b|\bdua (?:tren|vao) (?:van ban|quyet dinh|dau|gi)\b|"
                            r"\bquyet dinh (?:nao|749|942)\b|\bqd (?:749|942)\b|(?<![\d/])(?:749|942)(?!\d)"),
    YEAR_ROLE: re.compile(r"\bnam 20(?:20|21|22) (?:la nam|(?:duoc|dc) (?:coi|xem|danh gia) (?:la|nhu)|co y nghia|co vai tro)\b|"
                          r"\b20(?:20|21|22) (?:la|(?:duoc|dc) (?:coi|xem) la) nam\b|\bla nam gi\b|\bnam khoi dong\b|"
                          r"\bnam day manh\b"),
    ORIENTATION: re.compile(r"\bdinh huong (?:xuyen suot|chung|chu dao|chinh|tong the)\b|\bmuc tieu (?:chung|tong quat)\b"),
    PRIORITY_AREAS: re.compile(r"\b(?:noi dung|dinh huong|linh vuc) pho cap\b|\b(?:6|sau) (?:noi dung|dinh huong|linh vuc)\b|"
                               r"\bpho cap (?:nhung )?(?:gi|nen tang nao)\b"),
    TASKS: re.compile(r"\b(?:bao nhieu|may|22|hai muoi hai) (?:nhiem vu|giai phap)\b|\bnhiem vu,? giai phap (?:nao|"
        r"gi|la gi|gom)\b|"
                      r"\bnhiem vu (?:gi|nao|la gi)\b|\b(?:liet ke|ke ten|danh sach) (?:cac )?nhiem vu\b"),
    SUMMARY: re.compile(r"\btom (?:tat|luoc)\b|\bnoi dung (?:chinh|chu yeu)\b|\bnoi ve (?:gi|cai gi|van de gi)\b|"
                        rf"\b{_DOC} (?:797 )?(?:la gi|quy dinh gi|co noi dung gi)\b"),
    PLAN: re.compile(r"\b(?:xay dung|lap|lam|gui|nop) (?:ke hoach|kh)\b(?! (?:truoc|vao|khi|ngay|han|bao gio|luc))|"
                     # what the addressees must do: build and send a plan ("các tỉnh phải làm gì")
                     r"\b(?:tinh|bo|dia phuong|bo nganh|co quan|don vi) (?:phai|can|can phai) (?:lam|thuc hien) "
                     r"(?:gi|nhung gi|nhung viec gi|viec gi)\b|"
                     r"\b(?:ke hoach|kh) (?:gui|nop) (?:ve |cho )?(?:dau|ai)\b"),
    QUARTERLY_REPORT: re.compile(r"\bbao cao (?:hang|hh|dinh ky|moi) quy\b|\bbao cao dinh ky\b|\b(?:bao lau|may thang) bao cao\b|"
                                 r"\b(?:bao cao|bc)\b.*\b(?:bao lau|may thang|may quy|bao nhieu thang) (?:mot|1) lan\b|"
                                 r"\b(?:bao cao|bc) (?:gui|nop) (?:ve |cho )?(?:dau|ai)\b|\btan suat bao cao\b"),
    COMMITTEE: re.compile(r"\buy ban quoc gia\b|\b(?:ai|co quan nao|noi nao|don vi nao|o dau) (?:la noi |se |dung ra )?"
                          r"tong hop\b|\bnoi tong hop\b"),
    DEADLINE: re.compile(r"\bhan (?:nop|gui|chot|bao cao|bc|ke hoach|kh|cuoi)\b|\bdeadline\b|"
                         r"\b(?:nop|gui) (?:ke hoach|bao cao|bc|kh)\b.*\b(?:khi nao|ngay nao|bao gio|luc nao|truoc ngay)\b|"
                         r"\b(?:ke hoach|bao cao|bc|kh)\b.*\bnop (?:khi nao|ngay nao|bao gio|luc nao|truoc ngay nao)\b"),
}
ORDER = (DEADLINE, NUMBER, ISSUER, DATE, ADDRESSEES, LEGAL_BASIS, YEAR_ROLE, ORIENTATION, PRIORITY_AREAS, TASKS,
         SUMMARY, PLAN, QUARTERLY_REPORT, COMMITTEE)

# Clause boundaries: punctuation and conjunctions ("và" also joins names, such
# as "Bộ Thông tin và Truyền thông"; a clause with no cue is simply ignored).
_CLAUSE = re.compile(r"[,;?!]+|\.\s|\s(?:va|voi|con|roi|dong thoi|ngoai ra|them nua|cung nhu|kem theo|lan|hay)\s")


_DOCUMENT_WORDS = re.compile(r"\b(?:ban hanh|ky|van ban|vb|cong van|cv|797|phat hanh)\b")


@dataclass(frozen=True)
class AskedFact:
    fact: str
    clause: str  # the folded clause that asks it


def clause_facts(clause: str) -> List[str]:
    """The facts one folded clause asks, with the clause's context applied."""
    found = [f for f in ORDER if CUES[f].search(clause)]
    if SUMMARY in found and len(found) > 1:
        found.remove(SUMMARY)  # "cơ sở pháp lý của văn bản 797 là gì" asks the basis, not a summary
    if DEADLINE in found:
        # "hạn nộp kế hoạch khi nào": the "khi nào" and "kế hoạch" belong to the deadline
        found = [f for f in found if f not in (DATE, PLAN, QUARTERLY_REPORT)]
    if (PLAN in found or QUARTERLY_REPORT in found) and DATE in found:
        found = [DEADLINE if f == DATE else f for f in found if f not in (PLAN, QUARTERLY_REPORT)]
    if LEGAL_BASIS in found and re.search(r"(?<![\d/])(?:749|942)(?!\d)", clause):
        # "Quyết định 749 ban hành khi nào, ai ký": the decision's date and signer are in its answer
        found = [f for f in found if f not in (DATE, ISSUER)]
    if YEAR_ROLE in found:
        found = [f for f in found if f != DATE]
    if ADDRESSEES in found and re.search(r"\b(?:bao cao|bc|ke hoach|kh)\b", clause):
        # "báo cáo gửi cho ai": where reports and plans go (Bộ TT&TT), not the directive's addressees
        kind = PLAN if re.search(r"\b(?:ke hoach|kh)\b", clause) else QUARTERLY_REPORT
        found = [kind if f == ADDRESSEES else f for f in found]
        found = [f for i, f in enumerate(found) if f not in found[:i]]
    if ISSUER in found and DATE in found and re.search(r"\bai ky\b|\bnguoi ky\b", clause) and not re.search(
            r"\bngay|khi nao|bao gio|luc nao", clause):
        found.remove(DATE)
    return found


def asked_facts(text: str) -> List[AskedFact]:
    """The facts ``text`` asks, in order, without repeats.

    >>> [f.fact for f in asked_facts("ai ban hành và ban hành khi nào?")]
    ['issuer', 'date']
    """
    folded = chat_fold(text or "")  # chat abbreviations and Telex/VNI residue read as meant
    out: List[AskedFact] = []
    seen = set()
    previous: List[str] = []
    for clause in _CLAUSE.split(folded):
        clause = clause.strip()
        if not clause:
            continue
        facts = clause_facts(clause)
        if facts == [DATE] and not _DOCUMENT_WORDS.search(clause):
            # "nộp kế hoạch cho ai và khi nào": a bare "khi nào" asks about the clause before
            if set(previous) & {PLAN, QUARTERLY_REPORT, DEADLINE}:
                facts = [DEADLINE]
            elif LEGAL_BASIS in previous:
                facts = []
        if facts == [ADDRESSEES] and not _DOCUMENT_WORDS.search(clause) and set(previous) & {PLAN, QUARTERLY_REPORT}:
            # "lập kế hoạch gì và gửi đâu": where the plan (or report) goes, not the directive's addressees
            facts = [f for f in previous if f in (PLAN, QUARTERLY_REPORT)][:1]
        previous = facts or previous
        for fact in facts:
            if fact not in seen:
                seen.add(fact)
                out.append(AskedFact(fact, clause))
    return out


# A clause asking what an agency has submitted: "Bộ Y tế đã nộp báo cáo quý 2 chưa",
# "Bộ Tài chính còn thiếu gì không", "có nộp trễ không", "tình hình nộp báo cáo"
# (_CLAUSE cuts at "còn", so a clause may begin with "thiếu"/"nợ").
_STATUS = re.compile(r"\b(?:nop|gui|bao cao|bc)\b.*\bchua\b|\bcon (?:thieu|no)\b|^(?:thieu|no) |\b(?:nop|gui|bao cao) "
                     r"(?:tre|muon|cham|dung han|du)\b|\btinh (?:hinh|trang) (?:nop|gui|bao cao)\b")


def is_status_clause(clause: str) -> bool:
    """True when the folded ``clause`` asks what an agency has submitted (a look-up, no fact of the directive)."""
    return bool(_STATUS.search(clause))


def facts_beside_status(text: str) -> List[AskedFact]:
    """The facts asked in the other clauses of a message that asks an agency's
    submission status in one clause ("Bộ Y tế đã nộp báo cáo quý 2 chưa, mà hạn
    báo cáo quý 2 là khi nào?" -> ``[deadline]``); empty when no clause asks a
    status or no other clause asks a fact. A status clause's own cues ("nộp kế
    hoạch chưa") are part of the status question, not a second one.

    >>> [f.fact for f in facts_beside_status("Bộ Tài chính còn thiếu gì không? văn bản 797 ban hành ngày nào")]
    ['date']
    """
    folded = chat_fold(text or "")
    clauses = [c.strip() for c in _CLAUSE.split(folded) if c.strip()]
    if not any(is_status_clause(c) for c in clauses):
        return []
    others = " ? ".join(c for c in clauses if not is_status_clause(c))
    return asked_facts(others) if others else []


def clauses_of(text: str) -> List[str]:
    """The folded, normalised clauses of ``text`` (cut as :func:`asked_facts` cuts them)."""
    return [c.strip() for c in _CLAUSE.split(chat_fold(text or "")) if c.strip()]


def text_clauses(text: str) -> List[str]:
    """The clauses of ``text`` as written (NFC, accents kept: topics are looked up
    with them), cut where :func:`clauses_of` cuts; ``text`` should already be
    normalised (:func:`bot.domain.normalise.normalised_text`)."""
    text = nfc(text or "")
    folded = "".join((fold(c) or " ")[:1] for c in text).lower()  # same length as text
    pieces, last = [], 0
    for m in _CLAUSE.finditer(folded):
        pieces.append(text[last:m.start()])
        last = m.end()
    pieces.append(text[last:])
    return [p.strip() for p in pieces if p.strip()]


def is_compound(text: str) -> Tuple[bool, List[AskedFact]]:
    """``(True, facts)`` when ``text`` asks two or more different facts."""
    facts = asked_facts(text)
    return len(facts) >= 2, facts
