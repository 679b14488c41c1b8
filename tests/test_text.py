"""`knowledge.text.normalise`, the one normaliser, against its plain definition."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from knowledge import load_knowledge_base
from knowledge.text import MAX_CHARS, normalise

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def reference(text: str) -> str:
    """The definition, one character at a time (the code before it was made fast)."""
    text = text[:MAX_CHARS].translate(_APOSTROPHES)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("text", [
    "Référencement", "RÉFÉRENCEMENT", "l’été à Québec", "on veut\tun  blogue\n", "`quote´", "\x00\x1b\x7f\x9b",
    "😀 emoji", "\ud800\udfff", "ǅ ß İstanbul ﬁ ①", "x" * (MAX_CHARS + 10), "\u200bzero\u200dwidth\ufeff",
    "\u2028line\u2029para\x85", "Œuvre Ægir ÿ",
])
def test_examples(text: str) -> None:
    assert normalise(text) == reference(text)


def test_every_text_of_the_knowledge_base_and_random_unicode() -> None:
    kb = load_knowledge_base()
    texts = [x for t in kb.topics.values() for v in t.examples.values() for x in v]
    rng = random.Random(0)
    pool = [chr(c) for c in (*range(0x0, 0x250), *range(0x300, 0x370), *range(0x2000, 0x2070), 0xFEFF, 0x1F600)]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randrange(1, 40))) for _ in range(2000)]
    assert [normalise(t) for t in texts] == [reference(t) for t in texts]
