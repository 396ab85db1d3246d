"""Names in a message that are not addressees of Văn bản 797/BTTTT-THH.

The directive was sent to the ministries, ministerial-level agencies, government
agencies and the People's Committees of the 63 provinces and centrally-run
cities (``data/agencies.yml``). Users also ask about:

* organisations of another kind, recognised by the word that introduces them
  (never by a list of names): a company ("Công ty FPT", "Tập đoàn Viettel"), a
  bank, a school, a hospital, a district or commune ("UBND huyện Đông Anh",
  "xã …", "quận 1"), a provincial department ("Sở Y tế Nghệ An") or a unit of a
  ministry ("Cục …"). A department, district or commune followed by the
  province it belongs to ("Sở Y tế Nghệ An", "huyện Gia Lâm, Hà Nội") has that
  province as ``parent``: it reports through its People's Committee;
* provinces whose names were gone before 2022 ("Hà Tây", merged into Hà Nội in
  2008), from the operator file ``data/former_names.yml``.

Pure module (no Rasa, no database). :func:`read_names` takes the raw message and
the addressee mentions the gazetteer found in it
(:meth:`bot.domain.agencies.AgencyDirectory.find_mentions`, or the NLU
entities) and says which mentions are addressees in their own right and which
are only part of another name ("Quảng Ninh" in "huyện Quảng Ninh", "Hà Nam" in
"Hà Nam Ninh"). Spans index the raw message, like the gazetteer's.
"""
from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from bot.domain.agencies import Mention
from bot.domain.text import has_diacritics, nfc, nfc_with_offsets, strip_diacritics

# Kinds of organisation, and how the assistant names the kind.
KIND_LABELS: Dict[str, str] = {
    "company": "doanh nghiệp",
    "bank": "ngân hàng thương mại, tổ chức tín dụng",
    "school": "cơ sở giáo dục",
    "hospital": "cơ sở y tế",
    "district": "chính quyền cấp huyện",
    "commune": "chính quyền cấp xã",
    "department": "cơ quan chuyên môn thuộc UBND cấp tỉnh",
    "central_unit": "đơn vị thuộc bộ, ngành",
}
# Kinds that belong to a province named after them ("Sở Y tế Nghệ An").
LOCAL_KINDS = ("district", "commune", "department")
_PROVINCIAL = ("province", "city")

# Words that introduce an organisation: (accented words, kind). Matched on
# folded tokens; when the user typed diacritics the accents must agree, so
# "phương" (địa phương) is not "phường" and "trưởng" is not "trường".
_TRIGGERS: Tuple[Tuple[str, str], ...] = (
    ("tổng công ty", "company"),
    ("công ty", "company"),
    ("cty", "company"),
    ("tập đoàn", "company"),
    ("doanh nghiệp", "company"),
    ("hợp tác xã", "company"),
    ("htx", "company"),
    ("ngân hàng", "bank"),
    ("nhtm", "bank"),
    ("trường", "school"),
    ("đại học", "school"),
    ("đh", "school"),
    ("học viện", "school"),
    ("bệnh viện", "hospital"),
    ("bv", "hospital"),
    ("trung tâm y tế", "hospital"),
    ("trạm y tế", "hospital"),
    ("thị xã", "district"),
    ("huyện", "district"),
    ("quận", "district"),
    ("thị trấn", "commune"),
    ("phường", "commune"),
    ("xã", "commune"),
    ("sở", "department"),
    ("tổng cục", "central_unit"),
    ("chi cục", "department"),
    ("cục", "central_unit"),
)
_UBND = (("ubnd",), ("uy", "ban", "nhan", "dan"))
# A school is "trường" + one of these ("trường hợp" is not a school).
_SCHOOL_NEXT = frozenset("dai thpt thcs tieu mam cao trung pho dh cd th quoc chuyen".split())
# A department is "Sở" + its field ("cơ sở", "trụ sở", "sở hữu" are not departments).
_DEPARTMENT_NEXT = frozenset(
    "y tai giao noi tu cong xay ke lao van khoa nong ngoai thong tt tttt gd gddt gtvt khdt kh ldtbxh ld "
    "vhttdl vh khcn tnmt tn nnptnt nn du dan quy yt ct tc xd".split()
)
_NOT_BEFORE = {
    "department": frozenset({"co", "tru"}),
    "district": frozenset({"co"}),      # "cơ quan" typed without diacritics
    "commune": frozenset({"dia"}),      # "địa phương" typed without diacritics
    "school": frozenset({"moi", "thi", "hien", "lap", "quang"}),
}
# Ordinary words that look like a trigger when typed without diacritics
# ("quan" of "cơ quan", "xa" = far): these need "UBND" before them, or a name
# after them that starts with a capital letter or a digit.
_PLAIN_NEEDS_NAME = frozenset({"quan", "xa", "phuong", "huyen", "so", "truong", "cuc"})
# Words that end an organisation's name: the rest of the question.
_NAME_STOP = frozenset(
    "da chua co nop gui bao ke thi con ra sao nao the duoc hay khong ve cua la han tinh hinh quy nam nay "
    "oi a nhe vay voi giup cho xem va hoac hoi bc kh thuoc o tai bay gio nay hien sap nhap doi ten "
    "ubnd tp thanh pho".split()
)
_MAX_NAME_WORDS = 5
_CONNECTORS = frozenset({"thuoc", "cua", "o", "tai", "tinh", "thanh", "pho", "tp"})

_TOKEN = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class Organisation:
    """An organisation that is not an addressee, as named in a message.

    Attributes:
        start, end: span in the raw message (``text[start:end] == surface``).
        surface: the name as typed ("Sở Y tế", "UBND huyện Đông Anh").
        kind: a key of :data:`KIND_LABELS`.
        parent: the addressee it belongs to when the message names it right
            after ("Sở Y tế Nghệ An" -> the mention of Nghệ An).
    """

    start: int
    end: int
    surface: str
    kind: str
    parent: Optional[Mention] = None


@dataclass(frozen=True)
class FormerName:
    """A province gone before 2022 (operator data, not from the directive)."""

    name: str
    successors: Tuple[str, ...]
    change: str  # merge | split
    act: str
    effective: Optional[date] = None
    via: Optional[str] = None
    needs_prefix: bool = False


@dataclass(frozen=True)
class FormerMention:
    start: int
    end: int
    surface: str
    former: FormerName


@dataclass(frozen=True)
class Reading:
    """What a message names.

    Attributes:
        addressees: gazetteer mentions that name addressees in their own right
            (a parent such as "Nghệ An" in "Sở Y tế Nghệ An" included).
        organisations: organisations that are not addressees.
        former: provinces gone before 2022.
    """

    addressees: Tuple[Mention, ...] = ()
    organisations: Tuple[Organisation, ...] = ()
    former: Tuple[FormerMention, ...] = ()

    @property
    def codes(self) -> List[str]:
        """Codes of the addressees, each once, in the order named."""
        return list(dict.fromkeys(m.code for m in self.addressees))


# --------------------------------------------------------------------------- #
# Former names (data/former_names.yml)                                         #
# --------------------------------------------------------------------------- #
def load_former_names(path: Optional[Path] = None, known_codes: Optional[Iterable[str]] = None) -> List[FormerName]:
    """Read ``path`` (default ``<data_dir>/former_names.yml``; a missing default file gives ``[]``).

    Raises:
        ValueError: malformed entry, unknown ``change``, or a successor code not in ``known_codes``.
    """
    if path is None:
        from bot.settings import load_settings

        path = load_settings().data_dir / "former_names.yml"
        if not path.exists():
            return []
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    known = set(known_codes) if known_codes is not None else None
    result = []
    for i, row in enumerate(doc.get("former_names") or [], start=1):
        try:
            successors = tuple(str(c) for c in row["successors"])
            change = row.get("change") or "split"
            if change not in ("merge", "split") or not successors or not str(row["act"]).strip():
                raise ValueError("change must be merge or split, with successors and act")
            if known is not None and not set(successors) <= known:
                raise ValueError(f"unknown successor in {successors}")
            effective = row.get("effective")
            if effective is not None and not isinstance(effective, date):
                effective = date.fromisoformat(str(effective))
            result.append(FormerName(
                name=nfc(str(row["name"]).strip()), successors=successors, change=change,
                act=str(row["act"]).strip(), effective=effective,
                via=(str(row["via"]).strip() if row.get("via") else None),
                needs_prefix=bool(row.get("needs_prefix")),
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: former name #{i} is malformed: {exc}") from exc
    return result


_FORMER: Optional[List[FormerName]] = None
_FORMER_LOCK = threading.Lock()


def default_former_names() -> List[FormerName]:
    """Former names from the settings' data folder (read once)."""
    global _FORMER
    with _FORMER_LOCK:
        if _FORMER is None:
            _FORMER = load_former_names()
        return _FORMER


# --------------------------------------------------------------------------- #
# Reading a message                                                            #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class _Tok:
    start: int  # in the NFC text
    end: int
    folded: str
    accented: str
    raw_first: str  # first character as typed (case)


def _tokens(normalised: str) -> List[_Tok]:
    folded = "".join(c if len(c) == 1 else " " for c in (strip_diacritics(ch).lower() for ch in normalised))
    lowered = normalised.lower()
    return [_Tok(m.start(), m.end(), m.group(), lowered[m.start():m.end()], normalised[m.start()])
            for m in _TOKEN.finditer(folded)]


def _word_matches(tok: _Tok, accented: str) -> bool:
    """``tok`` is the word ``accented``: folded forms agree and, when the user typed
    diacritics on it, the accents too."""
    if tok.folded != strip_diacritics(accented).lower():
        return False
    return not has_diacritics(tok.accented) or tok.accented == accented


@functools.lru_cache(maxsize=None)
def _name_words(name: str) -> Tuple[Tuple[str, ...], Tuple[bool, ...], str]:
    """``name``'s lower-case words, whether a dash separates each pair of them,
    and its first word folded (to skip tokens that cannot start it)."""
    words = tuple(re.findall(r"[^\W_]+", name.lower()))
    dashes = tuple(bool(re.search(r"[-–—]", gap)) for gap in re.split(r"[^\W_]+", name)[1:-1])
    return words, dashes, strip_diacritics(words[0]).lower() if words else ""


def _phrase_at(toks: Sequence[_Tok], i: int, words: Sequence[str]) -> bool:
    return i + len(words) <= len(toks) and all(_word_matches(toks[i + k], w) for k, w in enumerate(words))


def _gap(normalised: str, a: _Tok, b: _Tok) -> str:
    return normalised[a.end:b.start]


# Words that open the name of an addressee (as opposed to a trigger above).
_ADDRESSEE_INTROS = ("bộ", "tỉnh", "thành phố", "tp", "ubnd", "ủy ban", "đơn vị", "cơ quan")
# Triggers that are also the name of a group the article itself speaks of
# ("văn bản nói gì về doanh nghiệp"): a topic, not one organisation.
_GROUP_NOUNS = ("doanh nghiệp", "hợp tác xã")


def starts_with_organisation(text: str) -> bool:
    """Whether ``text`` (a phrase, e.g. the topic of "X thì sao") opens with a
    word that introduces an organisation or an addressee ("Công ty FPT",
    "Bộ Tài chính", "tp hcm"), with the accent rules of :data:`_TRIGGERS`.
    "xã hội" is not "xã", and a group the article speaks of ("doanh nghiệp")
    is no organisation here."""
    toks = _tokens(nfc(text))
    if not toks or (toks[0].folded == "xa" and len(toks) > 1 and toks[1].folded == "hoi"):
        return False
    return any(_phrase_at(toks, 0, phrase.split()) for phrase in
               [p for p, _ in _TRIGGERS if p not in _GROUP_NOUNS] + list(_ADDRESSEE_INTROS))


def read_names(text: str, mentions: Sequence[Mention], former_names: Sequence[FormerName] = ()) -> Reading:
    """Split what ``text`` names into addressees, other organisations and former provinces.

    Args:
        text: the raw message (any normal form, case or diacritics).
        mentions: addressee mentions found in ``text`` (spans into ``text``).
        former_names: see :func:`load_former_names`.

    Returns:
        A :class:`Reading`; mentions that are part of an organisation's own
        name or of a former province's name are left out of ``addressees``.
    """
    if not text:
        return Reading(tuple(mentions))
    normalised, starts = nfc_with_offsets(text)
    # raw offset -> NFC offset
    to_norm: Dict[int, int] = {}
    for i, s in enumerate(starts):
        to_norm.setdefault(s, i)
    toks = _tokens(normalised)
    spans = [(to_norm.get(m.start, 0), to_norm.get(m.end, len(normalised)), m) for m in mentions]

    def raw(a: int, b: int) -> Tuple[int, int, str]:
        rs, re_ = starts[a], starts[b]
        return rs, re_, text[rs:re_]

    def mention_at(tok: _Tok) -> Optional[Tuple[int, int, Mention]]:
        return next((s for s in spans if s[0] == tok.start), None)

    def inside_mention(tok: _Tok) -> bool:
        return any(a <= tok.start < b for a, b, _ in spans)

    dropped: set = set()
    former_found: List[FormerMention] = []
    taken: List[Tuple[int, int]] = []

    # 1. former provinces ("tỉnh Hà Tây", "Quảng Nam - Đà Nẵng")
    for former in former_names:
        words, dashes, first_folded = _name_words(former.name)
        for i in range(len(toks)):
            if toks[i].folded != first_folded or not _phrase_at(toks, i, words):
                continue
            end_tok = toks[i + len(words) - 1]
            if any(d and not re.search(r"[-–—]", _gap(normalised, toks[i + k], toks[i + k + 1]))
                   for k, d in enumerate(dashes)):
                continue
            first = i
            if i > 0 and toks[i - 1].folded == "tinh":
                first = i - 1
            elif former.needs_prefix:
                continue
            a, b = toks[first].start, end_tok.end
            rs, re_, surface = raw(a, b)
            former_found.append(FormerMention(rs, re_, surface, former))
            taken.append((a, b))
            for s in spans:
                if s[0] < b and a < s[1]:
                    dropped.add(id(s[2]))

    # 2. organisations introduced by their kind's word
    organisations: List[Organisation] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if inside_mention(tok) or any(a <= tok.start < b for a, b in taken):
            i += 1
            continue
        hit = None
        for words_text, kind in _TRIGGERS:
            words, _, first_folded = _name_words(words_text)
            if tok.folded == first_folded and _phrase_at(toks, i, words):
                hit = (list(words), kind)
                break
        if hit is None:
            i += 1
            continue
        words, kind = hit
        j = i + len(words)  # first token after the trigger
        prev = toks[i - 1].folded if i > 0 else ""
        nxt = toks[j] if j < len(toks) else None
        with_ubnd = any(
            i >= len(u) and [t.folded for t in toks[i - len(u):i]] == list(u) for u in _UBND
        )
        if prev in _NOT_BEFORE.get(kind, ()):
            i += 1
            continue
        if kind == "school" and words == ["trường"] and (nxt is None or nxt.folded not in _SCHOOL_NEXT):
            i += 1
            continue
        if words == ["sở"] and (nxt is None or nxt.folded not in _DEPARTMENT_NEXT):
            i += 1
            continue
        if words == ["xã"] and nxt is not None and nxt.folded == "hoi":  # xã hội
            i += 1
            continue
        if (len(words) == 1 and tok.folded in _PLAIN_NEEDS_NAME and not has_diacritics(tok.accented)
                and not with_ubnd and tok.folded not in ("so", "truong")):
            if nxt is None or not (nxt.raw_first.isupper() or nxt.raw_first.isdigit()):
                i += 1
                continue
        first_tok = toks[i - (1 if with_ubnd and toks[i - 1].folded == "ubnd" else 4 if with_ubnd else 0)]
        # the name: words after the trigger, up to the rest of the question
        k = j
        parent: Optional[Mention] = None
        while k < len(toks) and k - j < _MAX_NAME_WORDS:
            t = toks[k]
            hit_mention = mention_at(t)
            if hit_mention is not None:
                if kind in ("district", "commune") and k == j:
                    # "huyện Quảng Ninh": the mention is the district's own name
                    dropped.add(id(hit_mention[2]))
                    k = next((n for n in range(k, len(toks)) if toks[n].start >= hit_mention[1]), len(toks))
                    continue
                break
            if inside_mention(t) or t.folded in _NAME_STOP and k > j:
                break
            if k > j and re.search(r"[,;:?!()]", _gap(normalised, toks[k - 1], t)):
                break
            k += 1
        name_end = toks[k - 1].end if k > j else toks[j - 1].end
        # what follows the name: the province it belongs to, or more of its name
        n = k
        while n < len(toks) and toks[n].folded in _CONNECTORS and mention_at(toks[n]) is None:
            n += 1
        follow = mention_at(toks[n]) if n < len(toks) else None
        if follow is not None:
            mention = follow[2]
            separated = n > k or bool(re.search(r"[,;(\-–]", _gap(normalised, toks[k - 1], toks[n])))
            if kind in LOCAL_KINDS or (kind == "central_unit" and not _is_provincial(mention)):
                if kind not in LOCAL_KINDS or _is_provincial(mention):
                    parent = mention
            elif not separated or kind == "central_unit":
                # "Công ty Điện lực Hà Nội", "Cục Thuế tỉnh Nghệ An": part of its name
                dropped.add(id(mention))
                name_end = follow[1]
        rs, re_, surface = raw(first_tok.start, name_end)
        organisations.append(Organisation(rs, re_, surface.strip(" ,.-"), kind, parent))
        i = max(k, i + 1)

    # 3. "Sở TT&TT Cần Thơ" is one mention: a department of that province
    for a, b, mention in spans:
        if id(mention) in dropped:
            continue
        surface_toks = [t for t in toks if a <= t.start < b]
        if len(surface_toks) > 1 and _word_matches(surface_toks[0], "sở") and _is_provincial(mention):
            cut = _department_prefix_end(surface_toks)
            if cut is not None:
                rs, re_, surface = raw(a, cut)
                organisations.append(Organisation(rs, re_, surface.strip(), "department", mention))

    addressees = tuple(m for m in mentions if id(m) not in dropped)
    organisations.sort(key=lambda o: o.start)
    former_found.sort(key=lambda f: f.start)
    return Reading(addressees, tuple(organisations), tuple(former_found))


def _is_provincial(mention: Mention) -> bool:
    """Whether a mention names a province or centrally-run city (its name says so)."""
    name = strip_diacritics(mention.name).lower()
    return name.startswith("tinh ") or name.startswith("thanh pho ")


_TTTT_WORDS = frozenset({"so", "tt", "tttt", "va", "thong", "tin", "truyen"})


def _department_prefix_end(surface_toks: Sequence[_Tok]) -> Optional[int]:
    """End of "Sở TT&TT" / "Sở Thông tin và Truyền thông" at the start of a mention."""
    end = None
    for t in surface_toks:
        if t.folded not in _TTTT_WORDS:
            break
        end = t.end
    return end


def parent_label(mention: Mention) -> str:
    """"UBND tỉnh Nghệ An" for the province, the agency's name otherwise."""
    if _is_provincial(mention):
        return "UBND " + mention.name[:1].lower() + mention.name[1:]
    return mention.name


def former_successor_codes(reading: Reading) -> List[str]:
    """The 2022 addressees that cover the former provinces named, each once."""
    return list(dict.fromkeys(c for f in reading.former for c in f.former.successors))


# --------------------------------------------------------------------------- #
# "VNPT đã nộp báo cáo chưa?": the name before the verb                        #
# --------------------------------------------------------------------------- #
_VERBS = frozenset({"đã", "có", "nộp", "gửi", "chưa", "còn"})
_VERBS_PLAIN = frozenset({"da", "nop", "gui", "chua"})
_NOT_A_NAME = frozenset(
    "toi minh em anh chi ad ban ai nao gi hom nay ben don vi co quan sep cho hoi xin vay the thi cac nhung "
    "bo tinh so".split()
)
_WORD = re.compile(r"[^\W_][\w&.\-]*")


def question_subject(text: str) -> Optional[str]:
    """The name a status question starts with when it is not a known phrase:
    ``"VNPT"`` for ``"VNPT đã nộp báo cáo chưa?"``, ``"Viettel"`` for
    ``"Viettel nộp bc chưa"``. One to four words before the verb, each
    starting with a capital letter or a digit, none a pronoun or question
    word; ``None`` otherwise ("đơn vị tôi đã nộp chưa", "Cho hỏi đã nộp chưa")."""
    raw = nfc(text or "").strip()
    words = list(_WORD.finditer(raw))
    for n, word in enumerate(words[:5]):
        token = word.group().lower().strip(".-")
        is_verb = token in _VERBS if has_diacritics(token) else token in _VERBS_PLAIN
        if not is_verb:
            continue
        subject = words[:n]
        if not subject or any(not (w.group()[0].isupper() or w.group()[0].isdigit()) for w in subject):
            return None
        if any(strip_diacritics(w.group()).lower() in _NOT_A_NAME for w in subject):
            return None
        return raw[subject[0].start():subject[-1].end()]
    return None
