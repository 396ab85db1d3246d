"""Vietnamese word tokenizer for Rasa, built on underthesea's word segmentation.

Vietnamese writes a space between syllables, not between words: "chuyển đổi số"
is two words ("chuyển đổi", "số") in three syllables. underthesea joins syllables
into words; this component turns its words into Rasa tokens whose text joins the
syllables with "_" (so that ``CountVectorsFeaturizer``, which re-splits on
spaces, keeps the word whole) and whose offsets point into the *raw* message.

The message is first normalised by :func:`bot.domain.normalise.normalise` (NFC,
canonical tone marks, Telex/VNI residue decoded, chat abbreviations expanded:
"Booj Taif chinhs nop bc" -> "Bộ Tài chính nop báo cáo"), so token text is the
normalised word (what ``CountVectorsFeaturizer`` sees), at training and at run
time alike, while token offsets still index the raw message.
underthesea rewrites what it returns (NFC composition, "hoá" -> "hóa", ð -> đ,
collapsed spaces), so its words are never searched for verbatim: they are
aligned to the normalised text (diacritic-insensitively) and mapped back
to the raw text through the normaliser's offsets. If alignment fails,
the message falls back to syllable tokens cut by :data:`SYLLABLE_PATTERN`, whose
offsets are exact by construction.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.domain.normalise import normalise
from bot.domain.text import has_diacritics, strip_diacritics

logger = logging.getLogger(__name__)

# One syllable-level token: a URL, an e-mail, a date, a document number
# ("797/BTTTT-THH"), an abbreviation with "&" or "." inside ("TT&TT", "TP.HCM"),
# a number, a word, or any other single non-space character (punctuation, emoji).
SYLLABLE_PATTERN = re.compile(
    r"""
      (?:https?://|www\.)[^\s<>"]+[^\s<>".,;:!?)\]}]
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
    | \d{1,2}/\d{1,2}(?:/\d{2,4})?(?!\w)
    | \d+/[^\W_]+(?:-[^\W_]+)*
    | [^\W_]+(?:[&.][^\W_]+)+(?<!\.)
    | \d+(?:[.,]\d+)*
    | [^\W_]+
    | [^\w\s]|_
    """,
    re.VERBOSE,
)

Span = Tuple[int, int]


def syllable_spans(text: str) -> List[Span]:
    """Cut ``text`` into syllable-level tokens; returns ``[(start, end), ...]``."""
    return [m.span() for m in SYLLABLE_PATTERN.finditer(text)]


def _all_capitals(text: str) -> bool:
    """``text`` has at least two upper-case letters and no lower-case one
    ("HẠN NỘP BÁO CÁO"; not "UBND tỉnh", not "BYT")."""
    return text.isupper() and sum(c.isupper() for c in text) >= 2 and len(text.split()) >= 2


def _fold_char(text: str) -> str:
    return strip_diacritics(text).lower()


def align_words(words: Sequence[str], text: str) -> Optional[List[Span]]:
    """Find each word of ``words`` (in order) in ``text``.

    Args:
        words: underthesea's words; each is one or more syllables joined by spaces.
        text: the NFC text that was segmented.

    Returns:
        One ``(start, end)`` span of ``text`` per word, or ``None`` when a word
        cannot be aligned (underthesea replaced it with one of another length).
        A word may cover runs of several spaces in ``text``.
    """
    spans: List[Span] = []
    cursor = 0
    n = len(text)
    for word in words:
        start: Optional[int] = None
        for syllable in word.split():
            while cursor < n and text[cursor].isspace():
                cursor += 1
            end = cursor + len(syllable)
            piece = text[cursor:end]
            if piece != syllable and _fold_char(piece) != _fold_char(syllable):
                return None
            if start is None:
                start = cursor
            cursor = end
        if start is None:  # an empty word: nothing to align
            continue
        spans.append((start, cursor))
    return spans


def cut_at(spans: List[Span], boundaries: Sequence[int], text: str) -> List[Span]:
    """Split every span that straddles one of ``boundaries`` (character indices).

    Pieces are trimmed of surrounding white space; empty pieces are dropped.
    """
    result: List[Span] = []
    for start, end in spans:
        cuts = sorted({b for b in boundaries if start < b < end})
        edges = [start, *cuts, end]
        for a, b in zip(edges, edges[1:], strict=False):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                result.append((a, b))
    return result


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class VietnameseTokenizer(Tokenizer):
    """Word tokenizer for Vietnamese (underthesea), with exact raw offsets.

    Token text is the NFC word with "_" between its syllables ("chuyển_đổi");
    ``start``/``end`` index the raw message, which may be NFD or hold runs of
    spaces. Messages typed without any diacritic are cut into syllables instead:
    underthesea segments such text badly ("so la" as one word), while syllables
    match the diacritic-free training copies and the char n-gram features.
    In training, tokens are also cut at annotated entity edges, so no segmented
    word straddles an entity (Rasa would otherwise drop the annotation with a
    "Misaligned entity annotation" warning).
    """

    _warmed_up = False

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Only Vietnamese."""
        return ["vi"]

    @staticmethod
    def required_packages() -> List[Text]:
        """underthesea does the word segmentation."""
        return ["underthesea"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Defaults; the first four are Rasa's usual tokenizer options."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # Cut diacritic-free messages into syllables instead of words.
            "syllables_without_diacritics": True,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        """Hash of the normaliser's code and syllable inventory (and of this
        module): Rasa's training cache keys components by class name and config
        only, so without it a changed normaliser would reuse stale tokens."""
        import hashlib
        from pathlib import Path

        import bot.domain.normalise as normaliser

        digest = hashlib.sha256()
        folder = Path(normaliser.__file__).parent
        for path in sorted([*folder.glob("*.py"), *folder.glob("*.txt"), Path(__file__)]):
            digest.update(path.read_bytes())
        return digest.hexdigest()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "VietnameseTokenizer":
        """Creates the tokenizer and loads underthesea's model once."""
        tokenizer = cls(config)
        tokenizer.warm_up()
        return tokenizer

    @classmethod
    def warm_up(cls) -> None:
        """Load underthesea's CRF model now: its first call takes ~0.2 s."""
        if not cls._warmed_up:
            from underthesea import word_tokenize

            word_tokenize("khởi động trợ lý")
            cls._warmed_up = True

    def word_spans(self, text: str) -> List[Tuple[int, int, str]]:
        """Segment ``text`` into words.

        Returns:
            ``[(start, end, token_text), ...]`` with offsets into ``text`` and
            token text (the normalised word, see the module docstring) with "_"
            between syllables.
        """
        norm = normalise(text)
        normalised, starts = norm.text, norm.starts
        spans: Optional[List[Span]] = None
        # Diacritics typed by the user (or Telex/VNI keys meaning them), not those
        # added by expanding an abbreviation ("bc" -> "báo cáo").
        typed_marks = has_diacritics(norm.raw) or norm.decoded
        if typed_marks or not self._config["syllables_without_diacritics"]:
            from underthesea import word_tokenize

            # A message typed in capitals is segmented as its lower-case form:
            # underthesea reads capitals as names ("ĐÁ TRẬN" one word, "đá",
            # "trận" two), so the features would differ from the same words in
            # lower case. align_words folds case, so offsets are unchanged.
            words = word_tokenize(normalised.lower() if _all_capitals(normalised) else normalised)
            spans = align_words(words, normalised)
            if spans is None:
                logger.debug("underthesea output not alignable; using syllables")
        if spans is None:
            spans = syllable_spans(normalised)
        # NFC turns a raw cluster (a letter and its combining marks) into one or
        # more characters; a span ending inside such a cluster (e.g. "b\u0300",
        # which NFC cannot compose, split into "b" and the mark) would map to a
        # cut raw span: merge it with the next span.
        def at_boundary(i: int) -> bool:
            return i in (0, len(normalised)) or starts[i] != starts[i - 1]

        merged: List[Span] = []
        for a, b in spans:
            if merged and not at_boundary(merged[-1][1]):
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        return [
            (starts[a], starts[b], "_".join(normalised[a:b].split()))
            for a, b in merged
        ]

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokenizes ``message.get(attribute)``; see the class docstring."""
        text = message.get(attribute)
        words = self.word_spans(text)
        if attribute == TEXT and message.get(ENTITIES):
            boundaries = [
                edge
                for entity in message.get(ENTITIES)
                for edge in (entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
            ]
            pieces = cut_at([(s, e) for s, e, _ in words], boundaries, text)
            words = [(s, e, "_".join(normalise(text[s:e]).text.split())) for s, e in pieces]
        tokens = [Token(word, start, end) for start, end, word in words]
        return self._apply_token_pattern(tokens)
