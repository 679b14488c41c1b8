"""`knowledge.text.normalise`, keeping where each character came from.

The reader works on normalised text (lowercase, no accents) but quotes the client's own
words back ("Noté : « mon associé pis moi »"). `normalise_with_map` returns the same string
as `normalise` plus, for every character of it, the index of the original character it came
from, so a span found in normalised text can be cut out of the original.
"""

from __future__ import annotations

import unicodedata

from knowledge.text import MAX_CHARS, _APOSTROPHES


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """(normalise(text), origin) where `origin[i]` is the index in `text` of character i."""
    out: list[str] = []
    origin: list[int] = []
    pending_space = False
    for index, raw in enumerate(text[:MAX_CHARS].translate(_APOSTROPHES)):
        ch = raw if unicodedata.category(raw)[0] != "C" else " "
        for part in unicodedata.normalize("NFKD", ch.lower()):
            if unicodedata.combining(part):
                continue
            if part.isspace():
                pending_space = bool(out)
                continue
            if pending_space:
                out.append(" ")
                origin.append(index)
                pending_space = False
            out.append(part)
            origin.append(index)
    return "".join(out), origin


def original_span(text: str, origin: list[int], start: int, end: int) -> str:
    """The original words behind normalised characters [start, end), trimmed."""
    if start >= end or not origin:
        return ""
    last = origin[end - 1]
    stop = last + 1
    while stop < len(text) and unicodedata.combining(text[stop]):
        stop += 1
    return text[origin[start]:stop].strip()
