"""Generate ``bot/domain/normalise/syllables.txt``: the Vietnamese syllable inventory.

Sources: underthesea's word list ``corpus/data/Viet74K.txt`` (shipped with the
underthesea package the tokenizer uses), and the names and aliases of
the canonical names in ``data/agencies.yml`` (for place names such as "Đắk Lắk"
it lacks). Every word is split into syllables
(on spaces and hyphens), lower-cased, put in NFC with the canonical tone
placement of :func:`bot.domain.normalise.syllables.canonical_syllable`, and kept
when it is shaped like a Vietnamese syllable (initial, vowels, final). Run::

    .venv/bin/python scripts/make_syllables.py

and commit the result; the normaliser reads the file, not underthesea.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.domain.normalise.syllables import INVENTORY_FILE, canonical_syllable, split_tone, tone_position  # noqa: E402

_LETTERS = re.compile(r"^[a-zđ\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323]+$")


def main() -> None:
    """Read Viet74K.txt, write the sorted syllables to ``INVENTORY_FILE``."""
    import underthesea

    source = Path(underthesea.__file__).parent / "corpus" / "data" / "Viet74K.txt"
    found = set()
    lines = source.read_text(encoding="utf-8").splitlines()
    import yaml

    doc = yaml.safe_load((ROOT / "data" / "agencies.yml").read_text(encoding="utf-8"))
    lines += [row["name"] for row in doc["agencies"]]
    for line in lines:
        for piece in re.split(r"[\s\-]+", line.strip().lower()):
            piece = unicodedata.normalize("NFC", piece)
            if not piece or not _LETTERS.match(unicodedata.normalize("NFD", piece)):
                continue
            letters, tone = split_tone(piece)
            if tone < 0 or tone_position(letters) is None:
                continue
            found.add(canonical_syllable(piece))
    INVENTORY_FILE.write_text("\n".join(sorted(found)) + "\n", encoding="utf-8")
    print(f"{len(found)} syllables from {source.name} and data/agencies.yml -> {INVENTORY_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
