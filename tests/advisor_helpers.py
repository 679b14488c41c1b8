"""Helpers for conversation tests: a scripted classifier and a transcript driver.

The scripted classifier makes transcript tests about the *conversation* independent of the
classifier's statistics (which have their own tests and evaluation); a few end-to-end tests
use the real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from advisor.engine import EngineContext, new_state, step
from reading import CapacityReader, load_reader
from advisor.replies import Reply
from advisor.state import ConversationState
from knowledge.models import KnowledgeBase


_READERS: dict[str, CapacityReader] = {}


def reader_for(kb: KnowledgeBase) -> CapacityReader:
    """The real capacity reader of a knowledge base, fitted (or loaded from the cache) once per
    test session: conversation tests read answers the way the bot does."""
    key = kb.content_hash or str(id(kb))
    if key not in _READERS:
        _READERS[key] = load_reader(kb)
    return _READERS[key]


@dataclass(frozen=True)
class Guess:
    id: str
    level: str
    confidence: float


@dataclass(frozen=True)
class Scripted:
    language: str
    topics: tuple[Guess, ...] = ()
    candidates: tuple[Guess, ...] = ()
    ambiguous: tuple[str, str] | None = None
    reason: str = ""


@dataclass
class ScriptedClassifier:
    """Answers from a table: text -> topic ids (or ("?", a, b) for a hesitation)."""

    kb: KnowledgeBase
    table: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lang: str = "fr"

    def classify(self, text: str) -> Scripted:
        ids = self.table.get(text, ())
        lang = "en" if any(w in text.lower().split() for w in ("we", "a", "the", "our", "want")) else self.lang
        if ids and ids[0] == "?":
            a, b = ids[1], ids[2]
            guesses = (Guess(a, self.kb.topic(a).level, 0.4), Guess(b, self.kb.topic(b).level, 0.38))
            return Scripted(lang, (guesses[0],), guesses, (a, b), "ambiguous")
        guesses = tuple(Guess(t, self.kb.topic(t).level, 0.9) for t in ids)
        return Scripted(lang, guesses, guesses, None, "" if ids else "out_of_scope")


class Transcript:
    """Drives the pure engine turn by turn and keeps what was said."""

    def __init__(self, kb: KnowledgeBase, table: dict[str, tuple[str, ...]] | None = None,
                 lang: str = "fr", locked: bool = False) -> None:
        self.ctx = EngineContext(kb, ScriptedClassifier(kb, table or {}).classify, reader_for(kb).read)
        self.state: ConversationState = new_state(lang, locked)
        self.replies: list[Reply] = []
        self.stages: list[str] = []

    def say(self, message: str) -> list[Reply]:
        self.state, self.replies = step(self.ctx, self.state, message)
        self.stages.append(self.state.stage)
        return self.replies

    def says(self, messages: Iterable[str]) -> list[Reply]:
        for message in messages:
            self.say(message)
        return self.replies

    def kinds(self) -> list[str]:
        return [r.kind for r in self.replies]

    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    def of_kind(self, kind: str) -> list[Reply]:
        return [r for r in self.replies if r.kind == kind]

    def question(self) -> Reply:
        questions = self.of_kind("question")
        assert questions, f"no question in {self.kinds()}: {self.text()}"
        return questions[-1]
