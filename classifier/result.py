"""What the classifier returns: plain frozen values, safe to share and to log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Reason = Literal["", "empty", "out_of_scope", "low_confidence", "ambiguous"]
"""Why topics were rejected or the answer is uncertain:

- ``""``: the topics are accepted and there is nothing to ask;
- ``"empty"``: nothing recognisable (blank, punctuation, emoji, junk);
- ``"out_of_scope"``: the out-of-scope class beats every topic;
- ``"low_confidence"``: the best topic is under ``min_confidence``;
- ``"ambiguous"``: the best topic is accepted but the second is within ``min_gap`` of it:
  ask which one (``Classification.ambiguous`` names them).
"""


@dataclass(frozen=True)
class TopicScore:
    id: str
    level: str
    """``objective`` or ``tactic``."""
    confidence: float
    """In [0, 1]."""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "level": self.level, "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class Classification:
    language: str
    """``fr`` or ``en``."""
    topics: tuple[TopicScore, ...]
    """Accepted topics, best first; empty = out of scope or unrecognisable."""
    candidates: tuple[TopicScore, ...] = ()
    """The best guesses even when rejected (for knowledge-gap logging), best first."""
    ambiguous: tuple[str, str] | None = None
    """Two topics too close to choose between: ask the client which one."""
    reason: Reason = ""
    out_of_scope: float = 0.0
    """The out-of-scope class's score, in [0, 1]."""

    @property
    def primary(self) -> str | None:
        return self.topics[0].id if self.topics else None

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    def to_json(self, text: str | None = None) -> dict[str, Any]:
        """The ``predict`` command's line (see shared/contract.md), plus the extras."""
        out: dict[str, Any] = {} if text is None else {"text": text}
        out["language"] = self.language
        out["topics"] = [t.to_json() for t in self.topics]
        out["candidates"] = [t.to_json() for t in self.candidates]
        out["ambiguous"] = list(self.ambiguous) if self.ambiguous else None
        out["reason"] = self.reason
        return out
