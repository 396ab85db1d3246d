"""Is a topic in the source article? (pure; no Rasa)

:func:`extract_topic` finds the topic of a question such as "văn bản có nói
về chữ ký số không?", "có đề cập blockchain ko", "về kinh phí thì văn bản nói
gì", "VNeID có trong văn bản không", "an ninh mạng thì sao". :func:`lookup`
decides by evidence from the article's sentences (:mod:`bot.domain.source`):

* ``mentioned``: the topic's content words stand together in one sentence
  (or the topic is a listed paraphrase of a phrase of the article, such as
  "học online" for "dạy học trực tuyến");
* ``close``: the article has something related but not the topic itself,
  e.g. "an toàn thông tin mạng" for "an ninh mạng" (:data:`RELATED`), or only
  part of the topic ("quyết định 749" of "mục tiêu của quyết định 749"); the
  answer quotes that sentence and names what it does not say;
* ``absent``: none of the topic's content words is in the article.

Matching works on syllable keys (:func:`bot.domain.source.syllable_key`), so it
is insensitive to case, NFC/NFD and, for text typed without any diacritics,
to diacritics, without confusing "ký" and "kỹ".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import List, Optional, Sequence, Tuple

from bot.domain.organisations import starts_with_organisation
from bot.domain.periods import parse_obligation_kind, parse_quarter_and_year
from bot.domain.source import Sentence, find, sentences, syllable_key, syllables
from bot.domain.text import fold, has_diacritics, nfc

# Function words carry no evidence ("của", "các", "về", "và", ...): compared with
# their diacritics when the user typed some; without, only the unambiguous ones
# ("chu" may be "chữ", "ve" may be "vệ").
FUNCTION_WORDS_ACCENTED = frozenset(
    "có không gì về của các những là và với thì sao nào thế như đến tới trong ở cho được bị đã đang sẽ "
    "này do việc chứ à nhỉ hả vậy ấy một ra hay hoặc nhé ạ ừ thôi cũng".split()
)
FUNCTION_WORDS = frozenset("co khong ko k gi cua cac nhung va voi thi nao cho duoc hay hoac nhe".split())
# Words that alone are no evidence that the article covers a topic.
GENERIC = frozenset("chuyen doi so nen tang nguoi dan doanh nghiep co quan bo dia phuong nam trien khai su dung "
                    "pho cap quan trong nhiem vu thuc hien cac".split())


def is_function_word(word: str) -> bool:
    """``word`` is a function word (see :data:`FUNCTION_WORDS_ACCENTED`)."""
    lowered = nfc(word).lower()
    if has_diacritics(lowered) or lowered in FUNCTION_WORDS_ACCENTED:
        return lowered in FUNCTION_WORDS_ACCENTED
    return lowered in FUNCTION_WORDS
# Words that name the document itself, not a topic.
_DOCUMENT = re.compile(
    r"\b(?:van ban|vb|cong van|cv|bai viet|bai bao|bai|huong dan|chi thi)(?:\s+(?:so\s+)?797(?:/btttt-thh)?)?\b|"
        r"\b797(?:/btttt-thh)?\b"
)
_LEADING = re.compile(
    r"^(?:(?:gi|ve|den|toi|viec|van de|cac|nhung|noi dung|linh vuc|chu de|gi ve|gi den|"
    r"nhieu|them|ro|cu the|chi tiet)\s+)+"
)
_TRAILING = re.compile(
    r"(?:\s+(?:khong|ko|k|hok|hong|chu|a|ah|nhi|vay|v|z|ha|ko nhi|the|nhe|ad|ak|ak|ban oi|oi|chua|gi|nao|"
    r"the nao|ra sao|nhu the nao|nhu nao|khong vay|ko vay|cai gi|trong (?:van ban|vb|cong van|cv|bai viet|bai)(?: nay| 797)?|"
    r"cua (?:van ban|vb|cong van|cv)(?: nay| 797)?|o (?:van ban|vb)(?: nay)?|(?:van ban|vb|cong van|cv|"
        r"bai viet)(?: nay| 797)?))+$"
)
_VERB = r"(?:noi|de cap|nhac|nhac nho|quy dinh|huong dan|yeu cau|dua ra|neu|ban|viet|dung cham|chi dao|dac biet)"
# "(văn bản) có nói (gì) về X (không)", "có đề cập (đến) X", "nhắc tới X", "quy định gì về X"
_ABOUT = re.compile(rf"\b{_VERB}(?:\s+(?:gi|chi|dieu gi|nhung gi|nhieu|ro|cu the|chi tiet|them))?\s+(?P<p>ve|den|"
                    rf"toi|gi ve)\s+(?P<t>.+)$")
_MENTION = re.compile(r"\b(?:de cap(?:\s+(?P<p>den|toi))?|nhac\s+(?P<q>den|toi|gi))\s+(?P<t>.+)$")
# "X được văn bản đề cập ra sao"
_BY_DOC = re.compile(rf"^(?P<t>.+?)\s+(?:co\s+)?duoc\s+(?:van ban|vb|cong van|cv|bai viet)(?:\s+797)?\s+{_VERB}")
# "X có được nhắc (đến) trong văn bản không", "X có trong văn bản không"
_PASSIVE = re.compile(
    rf"^(?P<t>.+?)\s+(?:co\s+)?(?:duoc\s+)?(?:{_VERB}(?:\s+(?:den|toi))?|co|nam)\s+(?:trong|o)\s+"
    r"(?:van ban|vb|cong van|cv|bai viet|bai|noi dung)\b"
)
# "về X thì văn bản nói gì", "X thì văn bản quy định thế nào"
_TOPIC_FIRST = re.compile(rf"^(?:con\s+|the\s+|vay\s+)?(?:ve\s+)?(?P<t>.+?)\s+thi\s+(?:(?:van ban|vb|cong van|cv|"
                          rf"bai viet|bai)\s+(?:797\s+)?)?(?:co\s+)?{_VERB}")
# "X thì sao", "còn X thì sao", "X theo văn bản thế nào"
_HOW_ABOUT = re.compile(r"^(?:con\s+|the\s+con\s+|the\s+|vay\s+con\s+|vay\s+)?(?P<t>.+?)\s+thi\s+(?:sao|the nao|ra sao)\b")
# "văn bản có (quy định) chế tài không", "vb 797 có hiệu lực ko"
_DOC_HAS = re.compile(r"^(?:van ban|vb|cong van|cv|bai viet)(?:\s+797)?(?:\s+nay)?\s+co\s+"
                      r"(?:(?:quy dinh|neu|noi|de cap|nhac|yeu cau)\s+)?"
                      r"(?P<t>.+?)\s+(?:khong|ko|k|hok|hong)(?:\s+(?:a|vay|nhi|ad))*$")
_PER_DOC = re.compile(r"^(?P<t>.+?)\s+theo\s+(?:van ban|vb|cong van|cv)(?:\s+797)?(?:\s+nay)?\s+(?:the nao|ra sao|nhu the nao)")

FRAMES: Tuple[Tuple[str, "re.Pattern[str]"], ...] = (
    ("by_doc", _BY_DOC), ("about", _ABOUT), ("mention", _MENTION), ("passive", _PASSIVE), ("topic_first", _TOPIC_FIRST),
    ("per_doc", _PER_DOC), ("doc_has", _DOC_HAS), ("how_about", _HOW_ABOUT),
)


@dataclass(frozen=True)
class Topic:
    """A topic asked about: ``text`` as the user typed it (NFC) and the frame that found it."""

    text: str
    frame: str


def _folded_chars(raw: str) -> str:
    """``raw`` folded character by character (same length, so spans map back)."""
    return "".join((fold(c) or " ")[:1] for c in raw).lower()


def extract_topic(message: str) -> Optional[Topic]:
    """The topic a question asks the document about, or ``None``.

    >>> extract_topic("Văn bản có nói về chữ ký số không?").text
    'chữ ký số'
    """
    raw = nfc(message or "").strip()
    raw = re.sub(r"[?!.…]+$", "", raw).strip()
    if not raw:
        return None
    folded = _folded_chars(raw)
    for name, frame in FRAMES:
        m = frame.search(folded)
        if not m:
            continue
        particles = [g for g in ("p", "q") if g in frame.groupindex and m.group(g)]
        if any(_means_me(raw, folded, m, g) for g in particles):
            continue  # "hướng dẫn tôi cách dùng": "tôi" (me), not "tới" (about)
        start, end = m.span("t")
        text = _trim(raw, folded, start, end)
        if text:
            return Topic(text, name)
    return None


# Verbs whose object is a person: an unaccented "toi" after them is "tôi" (me).
_PERSON_VERB = re.compile(r"\b(?:huong dan|chi|bay|giup|cho|bao)\s*$")


def _means_me(raw: str, folded: str, m: "re.Match[str]", group: str) -> bool:
    """True when the particle ``group`` of the frame match ``m`` is "tôi" (me):
    written so, or typed without accents right after a verb taking a person
    ("huong dan toi cach dung"), where "tới" (about) would make no sense."""
    word = raw[m.start(group):m.end(group)].lower()
    return word == "tôi" or (word == "toi" and bool(_PERSON_VERB.search(folded[:m.start(group)])))


def _trim(raw: str, folded: str, start: int, end: int) -> Optional[str]:
    """The topic span without leading/trailing filler and words naming the document."""
    for _ in range(4):
        piece = folded[start:end]
        lead = _LEADING.match(piece)
        if lead:
            start += lead.end()
        piece = folded[start:end]
        trail = _TRAILING.search(piece)
        if trail:
            end = start + trail.start()
        piece = folded[start:end]
        stripped = piece.strip(" ,;:-")
        start += len(piece) - len(piece.lstrip(" ,;:-"))
        end = start + len(stripped)
    text = raw[start:end].strip(" ,;:-\"'«»")
    rest = _DOCUMENT.sub(" ", fold(text))
    words = [w for w in re.findall(r"[\w&]+", rest) if w not in FUNCTION_WORDS and w not in _FILLERS]
    if not words or len(text.split()) > 10:
        return None
    if parse_quarter_and_year(text, _ANY_DAY) is not None or parse_obligation_kind(text) is not None:
        return None  # "còn quý 4 thì sao", "còn năm 2021?", "kế hoạch thì sao": follow-ups, not topics
    if starts_with_organisation(text):
        return None  # "còn Bộ Tài chính thì sao", "Công ty FPT thì sao": organisations, for the look-ups
    return text


_ANY_DAY = date(2022, 3, 6)
_FILLERS = frozenset({fold(w) for w in FUNCTION_WORDS_ACCENTED} | {"cai", "gi", "tôi", "toi", "minh", "em", "anh", "chi"})


# --------------------------------------------------------------------------- #
# Evidence                                                                     #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Related:
    """A topic the article does not name but comes close to (curated, faithful)."""

    triggers: Tuple[str, ...]  # folded phrases of the question
    phrase: str  # the article's phrase
    same: bool  # a paraphrase of the article's phrase (then the topic counts as mentioned)
    not_said: str = ""  # what the article does not say, for "close" answers


RELATED: Tuple[Related, ...] = (
    Related(("an ninh mang", "an ninh thong tin", "bao mat", "an toan mang", "tan cong mang", "an ninh so",
             "ma doc", "lua dao qua mang", "lua dao truc tuyen", "an toan thong tin", "an ninh"),
            "an toàn thông tin mạng", False,
            "Bài viết chỉ nêu việc bảo đảm an toàn thông tin mạng như một nhu cầu thiết yếu của người dân được "
            "phục vụ bằng nền tảng số; bài viết không nêu nhiệm vụ, biện pháp hay quy định nào về an ninh mạng."),
    Related(("cong dich vu cong quoc gia", "cong dich vu cong", "cong dvc", "dvc quoc gia", "dich vu cong muc do",
             "cong dvcqg"),
            "dịch vụ công trực tuyến", False,
            "Bài viết không nhắc tên Cổng Dịch vụ công quốc gia hay cổng, hệ thống cụ thể nào; bài viết chỉ nêu "
            "việc phổ cập sử dụng dịch vụ công trực tuyến."),
    Related(("thu tuc hanh chinh", "dich vu cong", "thu tuc qua mang", "thu tuc online", "thu tuc truc tuyen",
             "ho so truc tuyen", "ho so online", "nop ho so", "dvc", "dvctt"), "dịch vụ công trực tuyến", True),
    Related(("hoc online", "hoc truc tuyen", "giao duc truc tuyen", "e-learning", "elearning", "day hoc online"),
            "dạy học trực tuyến", True),
    Related(("kham benh tu xa", "kham chua benh tu xa", "y te tu xa", "telehealth", "kham benh online",
             "tu van suc khoe"), "khám chữa bệnh từ xa", True),
    Related(("y te", "suc khoe", "bac si", "benh vien"), "tư vấn sức khỏe", True),
    Related(("goi xe", "dat xe", "dat do an", "giao do an", "dat phong", "giai tri", "du lich", "nhu cau thiet yeu"),
            "nền tảng số khác phục vụ nhu cầu thiết yếu", True),
    Related(("ban hang online", "mua sam online", "mua ban online", "thuong mai dien tu", "san tmdt", "tmdt",
             "e commerce", "ecommerce", "ban hang truc tuyen", "ban hang qua mang", "san thuong mai"),
            "thương mại điện tử", True),
    Related(("doanh nghiep vua va nho", "dnnvv", "sme", "smes"), "doanh nghiệp nhỏ và vừa", True),
    Related(("chinh phu so", "chinh phu dien tu"), "Chính phủ điện tử hướng tới Chính phủ số", False,
            "Bài viết chỉ nêu tên Chiến lược này (Quyết định 942/QĐ-TTg) làm căn cứ; bài viết không nêu nội dung, "
            "mục tiêu hay nhiệm vụ của Chiến lược."),
)

MENTIONED, CLOSE, ABSENT = "mentioned", "close", "absent"


@dataclass(frozen=True)
class Evidence:
    """What the article says on ``topic``.

    ``status``: :data:`MENTIONED`, :data:`CLOSE` or :data:`ABSENT`;
    ``sentences``: the article's sentences to quote (best first);
    ``missing``: parts of the topic the article does not have (as typed);
    ``not_said``: a curated note on what the article does not say.
    """

    topic: str
    status: str
    sentences: Tuple[Sentence, ...] = ()
    missing: Tuple[str, ...] = ()
    not_said: str = ""
    related: str = ""
    matched: Tuple[str, ...] = field(default=())


# A gap of one of these between two words still counts as the two words together
# ("quyết định số 749" has "quyết định 749").
_SKIPPABLE = frozenset({"so", "cua", "cac", "va", "nhung", "ve"})


def _keys(words: Sequence[str], accents: bool) -> List[str]:
    return [syllable_key(w, accents) for w in words]


@lru_cache(maxsize=64)
def _sentence_keys(index: int, accents: bool) -> Tuple[str, ...]:
    """The keys of sentence ``index`` (the article does not change while running)."""
    return tuple(_keys(sentences()[index].words, accents))


@lru_cache(maxsize=64)
def _sentence_units(index: int, accents: bool) -> frozenset:
    return frozenset(_units(_sentence_keys(index, accents)))


def _units(keys: Sequence[str]) -> set:
    """Syllables, adjacent pairs, and pairs over one skippable word, of a sentence."""
    units = set(keys)
    for i in range(len(keys) - 1):
        units.add((keys[i], keys[i + 1]))
        if i + 2 < len(keys) and _skippable(keys[i + 1]):
            units.add((keys[i], keys[i + 2]))
            units.add((keys[i + 2], keys[i]))  # "nhỏ và vừa" for "vừa và nhỏ"
    return units


def _skippable(key: str) -> bool:
    return key.rstrip("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323đ") in _SKIPPABLE


def _together(content: Sequence[str], keys: Sequence[str]) -> bool:
    """``content`` appears in ``keys`` in order, with only skippable words ("số", "của") between."""
    for start in range(len(keys)):
        j, k = 0, start
        while j < len(content) and k < len(keys):
            if keys[k] == content[j]:
                j += 1
            elif j == 0 or not _skippable(keys[k]):
                break
            k += 1
        if j == len(content):
            return True
    return False


def lookup(topic: str) -> Evidence:
    """Decide whether the article mentions ``topic``, comes close, or says nothing (see module doc)."""
    topic = nfc(topic).strip()
    accents = has_diacritics(topic)
    words = [w for w in syllables(_DOCUMENT.sub(" ", topic.lower()) if not accents else topic) if w]
    words = [w for w in words if fold(w) not in ("797",)]
    content_words = [w for w in words if not is_function_word(w)]
    if not content_words:
        return Evidence(topic, MENTIONED, tuple(sentences()[:1]))
    content = _keys(content_words, accents)
    folded_topic = " ".join(fold(w) for w in content_words)

    together = [s for s in sentences() if _together(content, _sentence_keys(s.index, accents))]
    if together:
        return Evidence(topic, MENTIONED, tuple(together), matched=(topic,))

    # Units of the topic: adjacent pairs of content words (a single word if only one).
    pairs = [(content[i], content[i + 1]) for i in range(len(content) - 1)] or [content[0]]
    best: Tuple[int, Optional[Sentence], set] = (0, None, set())
    for s in sentences():
        units = _sentence_units(s.index, accents)
        hits = {i for i, p in enumerate(pairs) if p in units}
        if len(content) == 1 and content[0] in units:
            hits = {0}
        if len(hits) > best[0]:
            best = (len(hits), s, hits)
    related = _related(topic, folded_topic)
    if best[1] is None:
        return related or Evidence(topic, ABSENT)
    covered = set()
    for i in best[2]:
        covered |= {i, i + 1} if len(content) > 1 else {i}
    missing, run = [], []
    for i, w in enumerate(content_words):
        if i in covered:
            if run:
                missing.append(" ".join(run))
            run = []
        else:
            run.append(w)
    if run:
        missing.append(" ".join(run))
    matched = tuple(" ".join(content_words[i] for i in sorted(covered)).split("\0"))
    specific = [i for i, w in enumerate(content_words) if fold(w) not in GENERIC]
    substantive = [i for i in covered if i in specific]
    if substantive and set(specific) <= covered:
        return Evidence(topic, MENTIONED, (best[1],), matched=matched)  # only generic words ("người dân") missing
    if related:
        return related
    if not substantive or 2 * len(substantive) <= len(specific):
        return Evidence(topic, ABSENT)  # only "nền tảng số" of "nền tảng số Zalo", or half the topic or less
    return Evidence(topic, CLOSE, (best[1],), missing=tuple(missing), matched=matched)


def _related(topic: str, folded_topic: str) -> Optional[Evidence]:
    """Evidence from :data:`RELATED` for ``topic``, if one of its triggers is in it."""
    for rel in RELATED:
        if any(re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", folded_topic) for t in rel.triggers):
            quoted = tuple(find(rel.phrase))
            if rel.same:
                return Evidence(topic, MENTIONED, quoted, related=rel.phrase, matched=(rel.phrase,))
            return Evidence(topic, CLOSE, quoted, missing=(topic,), not_said=rel.not_said, related=rel.phrase)

    return None


def supports(topic: str, indexes: Sequence[int]) -> bool:
    """Whether the sentences ``indexes`` share a pair of adjacent words (not both
    generic) with ``topic``, or its only specific word: weak evidence that a
    classifier's choice of that part of the article fits the topic."""
    topic = nfc(topic).strip()
    accents = has_diacritics(topic)
    words = [w for w in syllables(topic) if not is_function_word(w)]
    keys = _keys(words, accents)
    specific = [k for k, w in zip(keys, words, strict=True) if fold(w) not in GENERIC]
    pairs = [(keys[i], keys[i + 1]) for i in range(len(keys) - 1)
             if fold(words[i]) not in GENERIC or fold(words[i + 1]) not in GENERIC]
    chosen = [s for s in sentences() if s.index in set(indexes)]
    for s in chosen:
        units = _sentence_units(s.index, accents)
        if any(p in units for p in pairs) or (len(specific) == 1 and specific[0] in units):
            return True
    return False


# Questions the article leaves unanswered that people often ask, with the name of
# the topic for the answer ("kinh phí thực hiện lấy từ đâu" -> "kinh phí"), and
# whether the ask is unmistakable: no question about the article's own content
# shares its words (funding, sanctions, figures), so a classifier's fact intent
# for it is overruled (bot.nlu.directive_questions; UNMISTAKABLE below).
_UNCOVERED_TABLE = (
    # "tiền" only where it means funding: "tiền mặt", "tiện ích", "tiến độ" fold to the same letters
    (r"\b(?:kinh phi|ngan sach|chi phi|nguon von|tien (?:dau|o dau|tu dau|lay (?:tu|o) dau|thuc hien|de lam|nha nuoc))\b",
     "kinh phí, ngân sách thực hiện", True),
    (r"\b(?:che tai|xu phat|bi phat|phat tien|ky luat|xu ly vi pham|bi xu ly)\b", "chế tài, hình thức xử lý vi phạm", True),
    (r"\b(?:nguoi ky|ai ky)\b", "người ký văn bản", False),
    (r"\b(?:thu truong|bo truong|lanh dao)\b", "lãnh đạo ký hoặc phụ trách văn bản", False),
    (r"\bhieu luc\b", "thời hạn hiệu lực của văn bản", False),
    (r"\bkhen thuong\b", "khen thưởng", False),
    (r"\b(?:bieu mau|mau bao cao|mau ke hoach|file mau|mau)\b", "biểu mẫu kế hoạch, báo cáo", False),
    (r"\b(?:email|dia chi|he thong nao|qua he thong|gui qua)\b", "cách thức, địa chỉ gửi kế hoạch và báo cáo", False),
    (r"\b(?:chi tieu|ty le|phan tram|bao nhieu ho|so lieu|thong ke)\b", "chỉ tiêu, số liệu cụ thể", True),
    (r"\b(?:bo chi so|chi so danh gia|dti)\b", "bộ chỉ số đánh giá chuyển đổi số", False),
    (r"\b(?:nen tang|ung dung|app|san)\b.*\b(?:nao|ten|cu the|ke ten)\b|\bke ten\b.*\bnen tang\b",
     "tên cụ thể của các nền tảng số", False),
    (r"\bdung dau\b|\bchu tich uy ban\b", "người đứng đầu Ủy ban Quốc gia về Chuyển đổi số", False),
    (r"\bdu lieu ca nhan\b", "bảo vệ dữ liệu cá nhân", False),
)
UNCOVERED: Tuple[Tuple["re.Pattern[str]", str], ...] = tuple((re.compile(p), name) for p, name, _ in _UNCOVERED_TABLE)
UNMISTAKABLE: frozenset = frozenset(name for _, name, unmistakable in _UNCOVERED_TABLE if unmistakable)


def uncovered_topic(text: str) -> Optional[str]:
    """The name of a commonly asked topic the article does not cover, if ``text`` asks one."""
    folded = fold(text or "")
    return next((name for pattern, name in UNCOVERED if pattern.search(folded)), None)


# The six priority areas of the article, each with the words people use for it
# when their phrasing is not the article's ("nông dân bán hàng trên sàn").
AREA_INTENTS: Tuple[str, ...] = ("ask_area_ecommerce", "ask_area_education", "ask_area_health",
                                 "ask_area_daily_life", "ask_area_public_services", "ask_area_sme")
AREA_WORDS: Tuple[Tuple[str, "re.Pattern[str]"], ...] = tuple((intent, re.compile(p)) for intent, p in (
    ("ask_area_ecommerce", r"\b(?:tren san|san (?:thuong mai|tmdt|online)|thuong mai dien tu|tmdt|ban hang|mua ban|"
                           r"ban (?:nong san|san pham))\b"),
    ("ask_area_education", r"\b(?:(?:hoc|day) (?:truc tuyen|online|tu xa|qua mang)|day hoc|giao duc|truong hoc)\b"),
    ("ask_area_health", r"\b(?:kham (?:benh|chua benh)|chua benh|suc khoe|y te|benh vien|bac si)\b"),
    ("ask_area_daily_life", r"\b(?:di lai|an uong|giai tri|du lich)\b"),
    ("ask_area_public_services", r"\b(?:dich vu cong|dvc|thu tuc hanh chinh|ho so hanh chinh)\b"),
    ("ask_area_sme", r"\b(?:doanh nghiep|dn) nho va vua\b|\bdnnvv\b"),
))
# "X và Y có trong văn bản không": the part before the question words.
_IN_DOC = re.compile(r"^(?P<t>.+?)\s+(?:co\s+)?(?:nam\s+)?(?:trong|duoc (?:nhac|de cap|neu))\b")
_AND = re.compile(r"\s+(?:và|với|va|voi|cùng|cung)\s+")


def area_of(topic: str) -> Optional[str]:
    """The one priority area ``topic`` is about (an ``ask_area_*`` intent), or ``None``.

    The article decides first (:func:`lookup`: the topic is mentioned in exactly
    one area's sentence); failing that, the words people use for one area
    (:data:`AREA_WORDS`) decide when exactly one area's words are there.
    """
    evidence = lookup(topic)
    found = {s.index for s in evidence.sentences} if evidence.status == MENTIONED else set()
    areas = [a for a in AREA_INTENTS if set(_area_sentences(a)) & found]
    if len(areas) == 1:
        return areas[0]
    folded = fold(topic)
    areas = [a for a, words in AREA_WORDS if words.search(folded)]
    return areas[0] if len(areas) == 1 else None


@lru_cache(maxsize=None)
def _area_sentences(intent: str) -> Tuple[int, ...]:
    from bot.domain.source import intent_sentences

    return tuple(intent_sentences(intent))


def asked_areas(text: str) -> List[Tuple[str, str]]:
    """The priority areas a message asks about when it asks about two or more
    ("văn bản nói gì về khám bệnh từ xa và học trực tuyến", "bán hàng trên sàn thì
    sao, còn doanh nghiệp nhỏ và vừa thì sao"): ``[(area intent, topic text), ...]``
    in the order asked, or ``[]`` when fewer than two areas are asked or any part
    asked is not one of the areas (that part would go unanswered).

    ``text`` should be normalised (:func:`bot.domain.normalise.normalised_text`).
    """
    parts: List[str] = []
    for clause in re.split(r"[,;?!]+|\s+(?:còn|con)\s+", nfc(text or "")):
        clause = clause.strip()
        if not clause:
            continue
        topic = extract_topic(clause)
        if topic is not None:
            parts.append(topic.text)
            continue
        m = _IN_DOC.match(_folded_chars(clause))
        if m and _AND.search(clause[:m.end("t")]):
            parts.append(clause[:m.end("t")])
    found: List[Tuple[str, str]] = []
    for part in parts:
        pieces = [p for p in _AND.split(part) if p.strip()]
        areas = [area_of(p) for p in pieces] if len(pieces) > 1 else []
        if not areas or None in areas or len(set(areas)) < len(areas):
            # one area after all ("doanh nghiệp nhỏ và vừa"), or a piece that is none
            whole = area_of(part)
            if whole is None:
                return []
            areas, pieces = [whole], [part]
        for area, piece in zip(areas, pieces, strict=True):
            if area not in {a for a, _ in found}:
                found.append((area, piece))
    return found if len(found) >= 2 else []


def single_area(evidence: Evidence) -> Optional[str]:
    """The area intent whose sentence alone says the topic (``mentioned`` only in
    that area's item of the article: "y tế", "bán hàng trực tuyến"), else ``None``."""
    if evidence.status != MENTIONED or not evidence.sentences:
        return None
    found = {s.index for s in evidence.sentences}
    areas = [a for a in AREA_INTENTS if found <= set(_area_sentences(a))]
    return areas[0] if len(areas) == 1 else None
