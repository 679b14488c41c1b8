"""Text normalisation, done once, in one place.

The classifier, the capacity parser, the command matcher and /define's autocomplete
all compare text the same way: lowercase, accents removed, typographic apostrophes
straightened, control characters dropped, whitespace collapsed. Clients type
"Référencement", "referencement" and "RÉFÉRENCEMENT"; all three must meet.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_SPACES = re.compile(r"\s+")
MAX_CHARS = 20_000
"""Longer input is cut here before any work: nobody's request is 20,000 characters."""
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Characters that act on a terminal or reorder what is shown: C0 controls except tab and
newline, DEL, C1 controls, bidirectional overrides and isolates."""


def strip_controls(text: str) -> str:
    """`text` without CONTROLS (client text on its way to a terminal or a Markdown file)."""
    return CONTROLS.sub("", text)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """Lowercase, accent-free, single-spaced text with no control characters."""
    text = text[:MAX_CHARS].translate(_APOSTROPHES)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = strip_accents(text.lower())
    return _SPACES.sub(" ", text).strip()
