"""Cutting a client's answer into clauses, the unit the field models read.

"On n'a pas d'équipe marketing, c'est juste mon associé pis moi" holds two statements: one
denies a team, the other names who writes. Read whole, the denial and the answer blur; read
apart, each is easy. Cuts: sentence ends (. ! ? ; : and new lines), commas, and contrast
words ("mais", "but", "sauf que", "par contre", "however"...). A fragment of one or two words
("Budget?", "Personne.", "Le contenu,") stays with the clause that follows it, or the one
before at the end, so "Budget? On verra." is read as one answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<!\d)[.!?;…]+(?!\d)|\n+")
_CUT = re.compile(
    r"(?<!\d)[.!?;:…]+(?!\d)|\n+|(?<!\d),(?!\d)"  # stops and commas, not inside "1,5" or "1.5"
    r"|\s+(?=(?:mais|but|sauf que|par contre|cependant|pourtant|however|though|although|whereas|tandis que"
    r"|alors que|sinon|otherwise)\b)",
    re.IGNORECASE,
)
MIN_WORDS = 3
"""Fragments shorter than this are merged with a neighbour."""


@dataclass(frozen=True)
class Clause:
    text: str
    """The client's words, as typed."""
    start: int
    end: int
    """Span in the original text."""
    question: bool = False
    """It ends with "?": the client restates what was asked ("Budget?", "Si elle écrit bien?")."""


def sentences(text: str) -> list[Clause]:
    """The sentences of `text` (cut only at stops and new lines), short fragments merged."""
    return _pieces(text, _SENTENCE_END)


def clauses(text: str) -> list[Clause]:
    """The clauses of `text`, in order, with their spans in `text`."""
    return _pieces(text, _CUT)


def _spans(text: str, cuts: re.Pattern[str]) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    last = 0
    for cut in cuts.finditer(text):
        if cut.end() > last:
            pieces.append((last, cut.end()))
            last = cut.end()
    pieces.append((last, len(text)))
    return [(a, b) for a, b in pieces if re.search(r"\w", text[a:b])]


def _clean(text: str, a: int, b: int) -> Clause:
    piece = text[a:b]
    lead = len(piece) - len(piece.lstrip())
    clean = piece.strip().rstrip(",;:.!?… ")
    return Clause(clean, a + lead, a + lead + len(clean), piece.rstrip().endswith("?"))


def _pieces(text: str, cuts: re.Pattern[str]) -> list[Clause]:
    spans = _spans(text, cuts)
    merged: list[list[int]] = []
    carry: int | None = None
    for a, b in spans:
        start = carry if carry is not None else a
        if len(re.findall(r"\w+", text[a:b])) < MIN_WORDS:
            carry = start
            continue
        merged.append([start, b])
        carry = None
    if carry is not None:
        words = len(re.findall(r"\w+", text[carry:spans[-1][1]]))
        if merged and words < MIN_WORDS - 1:
            merged[-1][1] = spans[-1][1]
        else:  # a short piece at the end is an afterthought answer ("..., petit budget"), kept apart
            merged.append([carry, spans[-1][1]])
    return [_clean(text, a, b) for a, b in merged]
