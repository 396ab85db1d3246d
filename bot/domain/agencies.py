"""The addressees of Văn bản 797/BTTTT-THH and how users write their names.

Pure module (no database). Data comes from ``data/agencies.yml`` (the 93
addressees as of 2022) and ``data/succession.yml`` (operator-maintained record
of later mergers and renames).

Two entry points on :class:`AgencyDirectory`:

* :meth:`AgencyDirectory.find_mentions` finds agency names inside a free-text
  message, with offsets into the *raw* message (NFD, capitals, no diacritics and
  runs of spaces are all tolerated);
* :meth:`AgencyDirectory.resolve` turns one name typed by a user (an entity
  value, a CLI argument, a CSV cell) into a :class:`Resolution`: found,
  ambiguous (with candidates) or unknown (with spelling suggestions, or a note
  when the name is a body created after 2022).

Matching is diacritic-, case- and spacing-insensitive: text and patterns are
both folded (:func:`bot.domain.text.fold` rules) and split into alphanumeric tokens, so
"TT&TT", "TT-TT" and "TT TT" are the same token sequence ``tt tt``, and
"TP.HCM" is ``tp hcm``. spaCy's blank Vietnamese tokenizer (``use_pyvi=False``)
only splits on whitespace -- it keeps "tt&tt", "tp.hcm" and "nội," (with the
comma) as single tokens and emits whitespace tokens for runs of spaces -- so the
:class:`~spacy.tokens.Doc` objects fed to the ``PhraseMatcher`` are built from
that token list directly rather than by the tokenizer.
"""
from __future__ import annotations

import difflib
import re
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

from bot.domain.dates import vn_date
from bot.domain.normalise import normalise
from bot.domain.text import fold, nfc, strip_diacritics

KINDS = ("ministry", "ministerial_agency", "government_agency", "province", "city")
_LOCAL_KINDS = ("province", "city")

# Prefixes under which a province or centrally-run city is written. Folded and
# tokenised like everything else, so "Sở TT&TT", "Sở TT-TT", "TP." are covered.
_LOCAL_PREFIXES = (
    "",
    "tỉnh",
    "thành phố",
    "TP",
    "UBND",
    "UBND tỉnh",
    "UBND thành phố",
    "UBND TP",
    "Ủy ban nhân dân",
    "Ủy ban nhân dân tỉnh",
    "Ủy ban nhân dân thành phố",
    "Ủy ban nhân dân TP",
    "Sở TT&TT",
    "Sở TTTT",
    "Sở TT và TT",
    "Sở Thông tin và Truyền thông",
    "Sở Thông tin - Truyền thông",
)
_LOCAL_NAME_PREFIXES = ("tỉnh ", "thành phố ")

# Phrases that must never be read as an agency although they contain an alias:
# the matcher consumes them (longest match wins) and reports nothing.
_STOP_PHRASES = (
    "Chủ tịch Hồ Chí Minh",
    "Bác Hồ Chí Minh",
    "tư tưởng Hồ Chí Minh",
    "đường Hồ Chí Minh",
    "Đảng Cộng sản Việt Nam",
)
_STOP_LABEL = "__STOP__"

# Tokens that carry no identity on their own (partial matching ignores them).
_GENERIC_TOKENS = frozenset(
    "va bo tinh thanh pho tp ubnd so cua cac co quan uy ban nhan dan viet tt".split()
)

_TOKEN = re.compile(r"[0-9a-z]+")

# Short forms ("ct", "đn", "bd") are read as a province or city only where an
# agency is expected: after one of these folded tokens ("tỉnh bd", "UBND tp ct")...
_SHORT_PREFIX = frozenset(("tinh", "tp", "ubnd", "thanh", "pho"))
# ... before "nộp"/"gửi" ("ct đã nộp bc chưa") ...
_SHORT_VERBS = frozenset(("nop", "gui"))
_SHORT_ADVERBS = frozenset(("da", "chua", "co", "van", "cung", "se", "moi", "vua"))
# ... or alone in the message, apart from these words ("đn", "bên em là đn ạ").
_SHORT_FILLER = frozenset(
    "cua la o tai thuoc don vi co quan toi em minh ben a anh chi nhe oi vang da day u ok ad admin nha".split()
)


def _in_document_number(folded: str, start: int, end: int) -> bool:
    """True for "BTTTT" in "797/BTTTT-THH" or "UBND" in "56/BC-UBND": a document
    symbol names its issuer, it does not ask about an agency."""
    before = folded[start - 1] if start > 0 else " "
    after = folded[end] if end < len(folded) else " "
    glued_dash = before == "-" and start > 1 and folded[start - 2].isalnum()
    return before == "/" or after == "/" or glued_dash


# --------------------------------------------------------------------------- #
# Data classes                                                                 #
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Agency:
    """One 2022 addressee.

    Attributes:
        code: short unique ASCII id (``"BYT"``, ``"QUANGNINH"``).
        name: canonical Vietnamese name with diacritics (``"Tỉnh Quảng Ninh"``).
        kind: one of :data:`KINDS`.
        aliases: extra spellings/abbreviations from the data file.
    """

    code: str
    name: str
    kind: str
    aliases: Tuple[str, ...] = ()

    @property
    def bare_name(self) -> str:
        """Name without "Tỉnh "/"Thành phố " for provinces and cities."""
        if self.kind in _LOCAL_KINDS:
            for prefix in _LOCAL_NAME_PREFIXES:
                if self.name.lower().startswith(prefix):
                    return self.name[len(prefix):]
        return self.name


@dataclass(frozen=True)
class Succession:
    """What became of a 2022 addressee (operator data, not from the directive).

    Attributes:
        predecessor: code of the 2022 agency.
        successor_name: name of the body that took it over.
        successor_code: code of the successor when it is itself a 2022 addressee.
        effective: date the change took effect.
        source: legal basis / explanation.
        kind: ``"merge"`` or ``"rename"``.
    """

    predecessor: str
    successor_name: str
    successor_code: Optional[str]
    effective: date
    source: str
    kind: str = "merge"


@dataclass(frozen=True)
class Mention:
    """An agency name found in a message; ``text[start:end] == surface``."""

    start: int
    end: int
    code: str
    name: str
    surface: str


@dataclass(frozen=True)
class ShortForm:
    """A short form of one or more local addressees ("BD": Bình Dương, Bình Định),
    from the ``short_forms`` section of ``data/agencies.yml``. It names an agency
    only in context (see :meth:`AgencyDirectory.find_short_forms`); with several
    codes it is ambiguous and the user is asked which one."""

    form: str
    codes: Tuple[str, ...]


@dataclass(frozen=True)
class ShortMention:
    """A short form found in a message, ``text[start:end] == surface`` (raw
    offsets, the prefix included: "tỉnh bd"); ``codes`` are its candidates."""

    start: int
    end: int
    codes: Tuple[str, ...]
    surface: str


@dataclass(frozen=True)
class Resolution:
    """Result of :meth:`AgencyDirectory.resolve`.

    Attributes:
        status: ``"found"``, ``"ambiguous"`` or ``"unknown"``.
        query: the query as given.
        agency: the agency when ``status == "found"``.
        candidates: possible agencies when ``status == "ambiguous"``.
        suggestions: up to 3 close spellings when ``status == "unknown"``.
        succession: for a found agency that was later merged/renamed, what
            became of it.
        took_over: for a found agency, the 2022 addressees it absorbed later.
        successor_of: when the query names a body created after 2022 (status
            ``"unknown"``), the successions that created it.
        note: a Vietnamese sentence explaining ``successor_of``, else ``None``.
    """

    status: str
    query: str
    agency: Optional[Agency] = None
    candidates: Tuple[Agency, ...] = ()
    suggestions: Tuple[Agency, ...] = ()
    succession: Optional[Succession] = None
    took_over: Tuple[Succession, ...] = ()
    successor_of: Tuple[Succession, ...] = ()
    note: Optional[str] = None


# --------------------------------------------------------------------------- #
# Loading                                                                      #
# --------------------------------------------------------------------------- #
def _data_dir() -> Path:
    from bot.settings import load_settings

    return load_settings().data_dir


def load_agencies(path: Optional[Path] = None) -> List[Agency]:
    """Read the addressees from ``path`` (default ``<data_dir>/agencies.yml``).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: malformed entry, unknown ``kind`` or duplicate ``code``.
    """
    path = Path(path) if path else _data_dir() / "agencies.yml"
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    result: List[Agency] = []
    seen = set()
    for i, row in enumerate(doc.get("agencies") or [], start=1):
        try:
            code, name, kind = str(row["code"]).strip(), str(row["name"]).strip(), row["kind"]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}: agency #{i} lacks code/name/kind") from exc
        if kind not in KINDS:
            raise ValueError(f"{path}: agency {code}: unknown kind {kind!r}")
        if code in seen:
            raise ValueError(f"{path}: duplicate agency code {code}")
        seen.add(code)
        aliases = tuple(str(a).strip() for a in (row.get("aliases") or []) if str(a).strip())
        result.append(Agency(code=code, name=name, kind=kind, aliases=aliases))
    return result


def load_short_forms(path: Optional[Path] = None) -> List[ShortForm]:
    """Read the ``short_forms`` section of ``path`` (default ``<data_dir>/agencies.yml``):
    ``- {form: BD, codes: [BINHDUONG, BINHDINH]}``. A missing section yields ``[]``.

    Raises:
        ValueError: an entry without ``form`` or ``codes``.
    """
    path = Path(path) if path else _data_dir() / "agencies.yml"
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    result: List[ShortForm] = []
    for i, row in enumerate(doc.get("short_forms") or [], start=1):
        try:
            form, codes = str(row["form"]).strip(), tuple(str(c).strip() for c in row["codes"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}: short form #{i} lacks form/codes") from exc
        if not form or not codes:
            raise ValueError(f"{path}: short form #{i} is empty")
        result.append(ShortForm(form=form, codes=codes))
    return result


def load_successions(path: Optional[Path] = None) -> List[Succession]:
    """Read successions from ``path`` (default ``<data_dir>/succession.yml``).

    A missing default file yields ``[]``; an explicit missing ``path`` raises.

    Raises:
        FileNotFoundError: explicit ``path`` does not exist.
        ValueError: malformed entry (missing field, bad date, bad kind).
    """
    if path is None:
        path = _data_dir() / "succession.yml"
        if not path.exists():
            return []
    path = Path(path)
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    result: List[Succession] = []
    for i, row in enumerate(doc.get("successions") or [], start=1):
        try:
            eff = row["effective"]
            if not isinstance(eff, date):
                eff = date.fromisoformat(str(eff))
            kind = row.get("kind") or "merge"
            if kind not in ("merge", "rename"):
                raise ValueError(f"kind {kind!r}")
            result.append(
                Succession(
                    predecessor=str(row["predecessor"]).strip(),
                    successor_name=str(row["successor_name"]).strip(),
                    successor_code=(str(row["successor_code"]).strip() if row.get("successor_code") else None),
                    effective=eff,
                    source=str(row.get("source") or ""),
                    kind=kind,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: succession #{i} is malformed: {exc}") from exc
    return result


# --------------------------------------------------------------------------- #
# Tokenisation shared by patterns and messages                                 #
# --------------------------------------------------------------------------- #
def _fold_chars(nfc_text: str) -> str:
    """Per-character fold of NFC text; the result has exactly the same length."""
    out = []
    for ch in nfc_text:
        f = strip_diacritics(ch).lower()
        out.append(f if len(f) == 1 else " ")
    return "".join(out)


def _tokens(text: str) -> List[str]:
    """Folded alphanumeric tokens: ``"Sở TT&TT Cần Thơ"`` -> ``[so, tt, tt, can, tho]``."""
    return _TOKEN.findall(fold(text))


def _accented_tokens(text: str) -> List[str]:
    """Lower-case NFC tokens keeping diacritics (đ kept as is)."""
    return re.findall(r"[^\W_]+", nfc(text).lower())


def _key(text: str) -> str:
    return " ".join(_tokens(text))


_NLP = None
_NLP_LOCK = threading.Lock()


def _blank_vi():
    global _NLP
    with _NLP_LOCK:
        if _NLP is None:
            import spacy

            _NLP = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
        return _NLP


# --------------------------------------------------------------------------- #
# Directory                                                                    #
# --------------------------------------------------------------------------- #
class AgencyDirectory:
    """Lookup of the 2022 addressees by any way of writing their names.

    Args:
        agencies: the addressees (see :func:`load_agencies`).
        successions: later mergers/renames (see :func:`load_successions`).
        short_forms: context-dependent short forms (see :func:`load_short_forms`).

    Raises:
        ValueError: two different agencies claim the same explicit name/alias,
            a succession or short form names an unknown code.

    The spaCy matcher is built lazily on the first :meth:`find_mentions` call and
    then reused; the directory is safe to share between threads.
    """

    def __init__(
        self,
        agencies: Iterable[Agency],
        successions: Iterable[Succession] = (),
        short_forms: Iterable[ShortForm] = (),
    ):
        self.agencies: Tuple[Agency, ...] = tuple(agencies)
        self.successions: Tuple[Succession, ...] = tuple(successions)
        self._by_code: Dict[str, Agency] = {a.code: a for a in self.agencies}
        if len(self._by_code) != len(self.agencies):
            raise ValueError("duplicate agency code")
        self._succ_of: Dict[str, Succession] = {}
        self._took_over: Dict[str, List[Succession]] = {}
        self._successor_only: Dict[str, List[Succession]] = {}
        for s in self.successions:
            if s.predecessor not in self._by_code:
                raise ValueError(f"succession: unknown predecessor {s.predecessor}")
            if s.successor_code and s.successor_code not in self._by_code:
                raise ValueError(f"succession: unknown successor {s.successor_code}")
            self._succ_of[s.predecessor] = s
            if s.successor_code:
                self._took_over.setdefault(s.successor_code, []).append(s)
        # Pattern table: folded token key -> code (matcher and exact resolve).
        self._patterns: Dict[str, str] = {}
        explicit: Dict[str, str] = {}
        for a in self.agencies:
            for surface in (a.name,) + a.aliases:
                k = _key(surface)
                if not k:
                    continue
                if explicit.get(k, a.code) != a.code:
                    raise ValueError(f"name/alias {surface!r} used by {explicit[k]} and {a.code}")
                explicit[k] = a.code
        self._patterns.update(explicit)
        ambiguous_derived = set()
        for a in self.agencies:
            if a.kind not in _LOCAL_KINDS:
                continue
            for base in (a.bare_name,) + a.aliases:
                for prefix in _LOCAL_PREFIXES:
                    if not prefix and base != a.bare_name:
                        continue  # the alias itself is already explicit
                    if not prefix and base == a.bare_name and _key(base) not in explicit:
                        continue  # bare name deliberately not an alias (ordinary word)
                    k = _key(f"{prefix} {base}")
                    if k in explicit:
                        continue
                    if self._patterns.get(k, a.code) != a.code:
                        ambiguous_derived.add(k)
                    self._patterns[k] = a.code
        for k in ambiguous_derived:
            del self._patterns[k]
        # Exact keys for resolve(): patterns + every bare name (even ordinary words).
        self._exact: Dict[str, str] = dict(self._patterns)
        for a in self.agencies:
            self._exact.setdefault(_key(a.bare_name), a.code)
        for s in self.successions:
            if s.successor_code:
                continue
            k = _key(s.successor_name)
            if k in self._exact:  # e.g. "Thành phố Huế" is already "TP Huế"
                continue
            self._successor_only.setdefault(k, []).append(s)
        # Partial-matching index: (folded tokens, accented tokens, code) of core
        # names and aliases, without a trailing "Việt Nam".
        self._partial: List[Tuple[Tuple[str, ...], Tuple[str, ...], str]] = []
        for a in self.agencies:
            core = a.bare_name
            if a.kind == "ministry" and fold(core).startswith("bo "):
                core = core[3:]
            for surface in {core, a.name, *a.aliases}:
                toks = tuple(_tokens(surface))
                accented = tuple(_accented_tokens(surface))
                if len(toks) != len(accented):
                    accented = ()
                if toks[-2:] == ("viet", "nam"):
                    toks, accented = toks[:-2], accented[:-2]
                if toks:
                    self._partial.append((toks, accented, a.code))
        # Short forms: folded key ("bd") -> candidate codes.
        self._short: Dict[str, Tuple[str, ...]] = {}
        for sf in short_forms:
            unknown = [c for c in sf.codes if c not in self._by_code]
            if unknown:
                raise ValueError(f"short form {sf.form}: unknown codes {unknown}")
            self._short[_key(sf.form)] = sf.codes
        self._lock = threading.Lock()
        self._matcher = None

    # ----------------------------------------------------------------- basics
    @classmethod
    def from_files(cls, data_dir: Optional[Path] = None) -> "AgencyDirectory":
        """Build from ``<data_dir>/agencies.yml`` and ``succession.yml`` (default
        ``settings.data_dir``). Raises like :func:`load_agencies`."""
        d = Path(data_dir) if data_dir else _data_dir()
        succ = d / "succession.yml"
        return cls(
            load_agencies(d / "agencies.yml"),
            load_successions(succ) if succ.exists() else [],
            load_short_forms(d / "agencies.yml"),
        )

    def get(self, code: str) -> Optional[Agency]:
        """Agency by code, or ``None``."""
        return self._by_code.get(code)

    def __len__(self) -> int:
        return len(self.agencies)

    def succession_of(self, code: str) -> Optional[Succession]:
        """What became of agency ``code`` after 2022, or ``None``."""
        return self._succ_of.get(code)

    def absorbed_by(self, code: str) -> Tuple[Succession, ...]:
        """Successions whose successor is agency ``code``."""
        return tuple(self._took_over.get(code, ()))

    # ---------------------------------------------------------------- matcher
    def _get_matcher(self):
        with self._lock:
            if self._matcher is None:
                from spacy.matcher import PhraseMatcher
                from spacy.tokens import Doc

                nlp = _blank_vi()
                matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
                by_label: Dict[str, List[str]] = {}
                for k, code in self._patterns.items():
                    by_label.setdefault(code, []).append(k)
                stops = [_key(p) for p in _STOP_PHRASES]
                stops += list(self._successor_only)
                by_label[_STOP_LABEL] = [k for k in stops if k]
                for label, keys in by_label.items():
                    docs = [Doc(nlp.vocab, words=k.split(" ")) for k in keys]
                    matcher.add(label, docs)
                self._nlp = nlp
                self._matcher = matcher
            return self._matcher

    def find_mentions(self, text: str) -> List[Mention]:
        """Find agency names in ``text``.

        Args:
            text: raw message (any normal form, case, diacritics or spacing;
                Telex/VNI residue and chat abbreviations are read through
                :func:`bot.domain.normalise.normalise`: "Booj Taif chinhs").

        Returns:
            Non-overlapping mentions sorted by position; when matches overlap the
            longest wins. ``start``/``end`` index the raw ``text``, so
            ``text[m.start:m.end] == m.surface``. Phrases such as "Chủ tịch Hồ
            Chí Minh" or names of bodies created after 2022 are consumed without
            producing a mention. A short form in context that names one agency
            ("tp ct nộp chưa") is a mention too; ambiguous ones are reported by
            :meth:`find_short_forms`.
        """
        return self._scan(text)[0]

    def find_short_forms(self, text: str) -> List[ShortMention]:
        """Short forms of ``data/agencies.yml`` used as an agency name in ``text``
        and naming several agencies ("tỉnh bd": Bình Dương or Bình Định), with
        raw offsets; those naming one agency are returned by :meth:`find_mentions`.

        A short form counts only in context: after "tỉnh"/"tp"/"thành phố"/"UBND"
        (the prefix is part of the span), before "nộp"/"gửi" (optionally after
        "đã", "chưa", "có"...), or alone in the message apart from filler words.
        """
        return self._scan(text)[1]

    def _short_in_context(self, toks: List[str], taken: List[bool]) -> List[Tuple[int, int, Tuple[str, ...]]]:
        """``(first_token, last_token + 1, codes)`` of short forms in context."""
        found = []
        for i, tok in enumerate(toks):
            codes = self._short.get(tok)
            if codes is None or taken[i]:
                continue
            first = i
            while first > 0 and toks[first - 1] in _SHORT_PREFIX and not taken[first - 1]:
                first -= 1
            after = toks[i + 1 : i + 3]
            before_verb = bool(after) and (
                after[0] in _SHORT_VERBS or (len(after) > 1 and after[0] in _SHORT_ADVERBS and after[1] in _SHORT_VERBS)
            )
            alone = all(t in _SHORT_FILLER for j, t in enumerate(toks) if not first <= j <= i)
            if first < i or before_verb or alone:
                found.append((first, i + 1, codes))
        return found

    def _scan(self, text: str) -> Tuple[List[Mention], List[ShortMention]]:
        if not text:
            return [], []
        from spacy.tokens import Doc

        matcher = self._get_matcher()
        norm = normalise(text)
        normalised, starts = norm.text, norm.starts
        folded = _fold_chars(normalised)
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(folded)]
        if not spans:
            return [], []
        doc = Doc(self._nlp.vocab, words=[folded[s:e] for s, e in spans])
        strings = self._nlp.vocab.strings
        matches = sorted(matcher(doc), key=lambda m: (-(m[2] - m[1]), m[1]))
        taken = [False] * len(spans)
        chosen = []
        for match_id, ts, te in matches:
            if any(taken[ts:te]) or _in_document_number(folded, spans[ts][0], spans[te - 1][1]):
                continue
            for i in range(ts, te):
                taken[i] = True
            label = strings[match_id]
            if label != _STOP_LABEL:
                chosen.append((ts, te, label))
        ambiguous = []
        toks = [folded[s:e] for s, e in spans]
        for ts, te, codes in self._short_in_context(toks, taken):
            if _in_document_number(folded, spans[ts][0], spans[te - 1][1]):
                continue
            if len(codes) == 1:
                chosen.append((ts, te, codes[0]))
            else:
                ambiguous.append((ts, te, codes))
        result = []
        for ts, te, code in sorted(chosen):
            rs, re_ = starts[spans[ts][0]], starts[spans[te - 1][1]]
            agency = self._by_code[code]
            result.append(Mention(start=rs, end=re_, code=code, name=agency.name, surface=text[rs:re_]))
        shorts = []
        for ts, te, codes in ambiguous:
            rs, re_ = starts[spans[ts][0]], starts[spans[te - 1][1]]
            shorts.append(ShortMention(start=rs, end=re_, codes=codes, surface=text[rs:re_]))
        return result, shorts

    # ---------------------------------------------------------------- resolve
    def _found(self, query: str, code: str) -> Resolution:
        return Resolution(
            status="found",
            query=query,
            agency=self._by_code[code],
            succession=self._succ_of.get(code),
            took_over=self.absorbed_by(code),
        )

    def resolve(self, query: str) -> Resolution:
        """Resolve one agency name typed by a user.

        Order: exact (folded) name/alias/prefixed form, including bare province
        names that are ordinary words ("Hòa Bình"); then a body created after
        2022 ("Bộ Nông nghiệp và Môi trường": status ``"unknown"`` with
        ``successor_of`` and ``note``); then names found inside the query; then
        whole-token partial matches ("Quảng" -> ambiguous between the Quảng
        provinces, "Kạn" -> Bắc Kạn); finally up to 3 spelling suggestions.

        Args:
            query: the name as typed; never raises on odd input (``""`` -> unknown).

        Returns:
            A :class:`Resolution`.
        """
        query = query or ""
        typed = normalise(query).text  # Telex/VNI residue decoded, tone marks canonical
        key = _key(typed)
        if not key:
            return Resolution(status="unknown", query=query)
        code = self._exact.get(key)
        if code:
            return self._found(query, code)
        short = self._short_key(key)
        if short:
            if len(short) == 1:
                return self._found(query, short[0])
            cands = sorted((self._by_code[c] for c in short), key=lambda a: fold(a.name))
            return Resolution(status="ambiguous", query=query, candidates=tuple(cands))
        succ = self._successor_only.get(key)
        if succ:
            preds = [self._by_code[s.predecessor].name for s in succ]
            note = (
                f"{succ[0].successor_name} chưa tồn tại vào năm 2022 (thành lập từ "
                f"{vn_date(succ[0].effective)}); cơ quan này tiếp nhận {' và '.join(preds)}, "
                "là các cơ quan nhận Văn bản 797/BTTTT-THH."
            )
            return Resolution(status="unknown", query=query, successor_of=tuple(succ), note=note)
        codes = list(dict.fromkeys(m.code for m in self.find_mentions(typed)))
        if len(codes) == 1:
            return self._found(query, codes[0])
        if len(codes) > 1:
            return Resolution(status="ambiguous", query=query, candidates=tuple(self._by_code[c] for c in codes))
        hits = self._partial_hits(typed)
        if len(hits) == 1:
            return self._found(query, hits[0])
        if hits:
            cands = sorted((self._by_code[c] for c in hits), key=lambda a: fold(a.name))
            return Resolution(status="ambiguous", query=query, candidates=tuple(cands))
        return Resolution(status="unknown", query=query, suggestions=self._suggest(key))

    def _short_key(self, key: str) -> Optional[Tuple[str, ...]]:
        """Codes of a short form typed alone or after local prefixes ("tinh bd")."""
        toks = key.split(" ")
        while len(toks) > 1 and toks[0] in _SHORT_PREFIX:
            toks = toks[1:]
        return self._short.get(" ".join(toks)) if len(toks) == 1 else None

    def _partial_hits(self, query: str) -> List[str]:
        """Codes whose name contains the query's significant tokens as a
        contiguous run. With diacritics in the query, accents must agree
        ("Quảng" is not "Quang" in Tuyên Quang) unless that finds nothing."""
        folded = _tokens(query)
        accented = _accented_tokens(query)
        if len(accented) != len(folded):
            accented = list(folded)
        keep = [i for i, t in enumerate(folded) if t not in _GENERIC_TOKENS]
        # "Việt Nam" on its own identifies nothing.
        for i in range(len(folded) - 1):
            if folded[i] == "viet" and folded[i + 1] == "nam" and (i + 1) in keep:
                keep.remove(i + 1)
        qf = [folded[i] for i in keep]
        qa = [accented[i] for i in keep]
        if not qf or sum(len(t) for t in qf) < 2:
            return []

        def run(needle: List[str], use_accents: bool) -> List[str]:
            n = len(needle)
            hits: List[str] = []
            for toks, acc, code in self._partial:
                hay = acc if use_accents else toks
                if code not in hits and any(list(hay[i : i + n]) == needle for i in range(len(hay) - n + 1)):
                    hits.append(code)
            return hits

        if qa != qf:
            hits = run(qa, True)
            if hits:
                return hits
        return run(qf, False)

    def _suggest(self, key: str) -> Tuple[Agency, ...]:
        """Up to 3 agencies whose folded name/alias is close to ``key``
        (difflib ratio >= 0.75 and within 0.08 of the best one)."""
        scored = []
        for k, code in self._exact.items():
            sm = difflib.SequenceMatcher(None, key, k)
            if sm.real_quick_ratio() < 0.75 or sm.quick_ratio() < 0.75:
                continue
            r = sm.ratio()
            if r >= 0.75:
                scored.append((r, k, code))
        scored.sort(key=lambda x: (-x[0], x[1]))
        out: List[Agency] = []
        for r, _, code in scored:
            if r < scored[0][0] - 0.08:
                break
            a = self._by_code[code]
            if a not in out:
                out.append(a)
        return tuple(out[:3])


_DEFAULT: Optional[AgencyDirectory] = None
_DEFAULT_LOCK = threading.Lock()


def default_directory() -> AgencyDirectory:
    """Process-wide directory built from the settings' data folder (cached)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = AgencyDirectory.from_files()
        return _DEFAULT
