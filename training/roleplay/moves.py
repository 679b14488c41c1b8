"""What the question recogniser returns, apart from the recogniser itself.

Kept in a module of its own so the role-play engine (and everything that imports it, such as
the runtime that `bot.py briefs` builds) does not import scikit-learn until a junior's
question is actually recognised.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.models import KnowledgeBase
from knowledge.roleplay_models import FIXED_MOVES

UNCLEAR = "unclear"


def field_moves(kb: KnowledgeBase) -> frozenset[str]:
    """The moves that ask one field: every capacity field, and the situation fields asked on their own."""
    data = kb.roleplay
    return frozenset(m for m in data.moves if m not in FIXED_MOVES) if data else frozenset()


@dataclass(frozen=True)
class MoveGuess:
    """One sentence of the junior's message, the move it makes, and how sure the model is."""

    text: str
    move: str
    confidence: float
