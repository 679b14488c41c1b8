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


_ASCII_CONTROLS = {i: " " for i in (*range(0x20), 0x7F)}
"""The ASCII characters of Unicode category C (control): replaced by a space."""
_ASCII_TABLE = str.maketrans({**_ASCII_CONTROLS, "`": "'"})
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    return _NON_ASCII.sub(lambda m: "" if unicodedata.combining(m.group()) else m.group(), decomposed)


def _other_control(match: re.Match[str]) -> str:
    return " " if unicodedata.category(match.group())[0] == "C" else match.group()


def normalise(text: str) -> str:
    """Lowercase, accent-free, single-spaced text with no control characters.

    Per character work is done only for characters outside ASCII (an accent, an emoji):
    this runs for every request, twice (classifier and language guess) in a millisecond
    budget.
    """
    text = text[:MAX_CHARS]
    if text.isascii():
        return _SPACES.sub(" ", text.translate(_ASCII_TABLE).lower()).strip()
    text = _NON_ASCII.sub(_other_control, text.translate(_APOSTROPHES).translate(_ASCII_TABLE))
    text = strip_accents(text.lower())
    return _SPACES.sub(" ", text).strip()
