"""Vietnamese wording of answers about what the source article says (pure functions).

Used by :mod:`actions.directive`: checked claims (:mod:`bot.domain.claims`) and
topics the article covers, comes close to, or does not mention
(:mod:`bot.domain.topics`). Every text names the source.
"""
from __future__ import annotations

from typing import Iterable, List, Optional, Sequence

from actions.replies import quoted
from bot.domain.claims import Claim
from bot.domain.source import Sentence, intent_sentences
from bot.domain.topics import CLOSE, MENTIONED, Evidence

SOURCE_LINE = "(Nguồn: Văn bản số 797/BTTTT-THH ngày 06/03/2022 của Bộ TT&TT.)"
ARTICLE = "Bài viết nguồn về Văn bản 797/BTTTT-THH"
COVERED = ("số hiệu, ngày ban hành, cơ quan ban hành, nơi nhận, căn cứ (Quyết định 749/QĐ-TTg và 942/QĐ-TTg), "
           "cách nhìn nhận các năm 2020–2022, định hướng xuyên suốt và 6 nội dung phổ cập nền tảng số, "
           "22 nhiệm vụ, giải pháp, yêu cầu xây dựng kế hoạch và báo cáo hằng quý")


def full_text_line(url: str) -> Optional[str]:
    """The operator's link to the full text, or ``None`` when none is configured."""
    return f"Toàn văn Văn bản 797/BTTTT-THH: {url}" if url else None


def _lines(*lines: Optional[str]) -> str:
    return "\n".join(line for line in lines if line)


def claims_reply(claims: Sequence[Claim]) -> str:
    """Whether each claim holds, plainly, with the fact from the source.

    A wrong premise never starts with "Đúng"/"Vâng"/"Phải".
    """
    if len(claims) == 1:
        c = claims[0]
        if c.verdict is True:
            head = f"Đúng vậy. {c.fact}"
        elif c.verdict is False:
            head = f"Không đúng. {c.fact} Thông tin «{quoted(c.claimed)}» trong câu hỏi không khớp với nguồn."
        else:
            head = c.fact
        return _lines(head, SOURCE_LINE)
    wrong = any(c.verdict is False for c in claims)
    lines = ["Câu hỏi có điều chưa đúng so với nguồn:" if wrong else "Đối chiếu với nguồn:"]
    for c in claims:
        verdict = {True: "đúng", False: "không đúng", None: "nguồn không nêu"}[c.verdict]
        lines.append(f"• «{quoted(c.claimed)}»: {verdict}. {c.fact}")
    lines.append(SOURCE_LINE)
    return "\n".join(lines)


def _quote(sentence: Sentence) -> str:
    area = sentence.index in intent_sentences("ask_priority_areas")[1:]
    prefix = "(một trong 6 nội dung phổ cập) " if area else ""
    return f"{prefix}«{sentence.text}»"


def not_in_source_reply(topic: str, url: str = "") -> str:
    """The article does not mention ``topic``: say so, naming it, and say what it does cover."""
    return _lines(
        f"{ARTICLE} không đề cập «{quoted(topic)}», nên tôi không thể trả lời chính xác về nội dung này.",
        f"Bài viết chỉ nêu: {COVERED}. Anh/chị có thể chọn một chủ đề dưới đây"
        + (" hoặc tra cứu toàn văn văn bản." if url else ", hoặc tra cứu toàn văn văn bản, liên hệ cơ quan ban hành."),
        full_text_line(url),
    )


def topic_reply(evidence: Evidence, url: str = "") -> str:
    """What the article says on a topic: quoted when mentioned; the closest sentence and
    what it does not say when only close; :func:`not_in_source_reply` when absent."""
    topic = quoted(evidence.topic)
    if evidence.status == MENTIONED and evidence.sentences:
        quotes = [_quote(s) for s in evidence.sentences[:2]]
        return _lines(f"Theo bài viết về Văn bản 797/BTTTT-THH, nội dung liên quan đến «{topic}»:", *quotes, SOURCE_LINE)
    if evidence.status == CLOSE and evidence.sentences:
        missing = ", ".join(f"«{quoted(m)}»" for m in evidence.missing) or f"«{topic}»"
        not_said = evidence.not_said or f"Ngoài nội dung trên, bài viết không nói gì thêm về «{topic}»."
        return _lines(
            f"{ARTICLE} không đề cập {missing}. Nội dung gần nhất mà bài viết có nêu là:",
            _quote(evidence.sentences[0]),
            not_said,
            full_text_line(url),
            SOURCE_LINE,
        )
    return not_in_source_reply(evidence.topic, url)


def with_intro(count: int) -> str:
    """The line before the answers to a message asking ``count`` things."""
    return f"Anh/chị hỏi {count} nội dung, tôi xin trả lời lần lượt:"


def join(parts: Iterable[str]) -> str:
    return "\n".join(p for p in parts if p)


def aspect_note(aspect: str, decision: str) -> str:
    """The article names Decision ``decision`` but not its ``aspect`` (goals, targets...)."""
    return (f"{ARTICLE} không nêu {aspect} của Quyết định số {decision}/QĐ-TTg; bài viết chỉ nêu số, ngày và tên "
            "của quyết định như sau:")


__all__: List[str] = ["claims_reply", "not_in_source_reply", "topic_reply", "full_text_line", "with_intro",
                      "aspect_note", "SOURCE_LINE"]
