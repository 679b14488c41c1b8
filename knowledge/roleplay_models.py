"""Typed, immutable models of the role-play data (knowledge/roleplay/*.yaml).

The role-play client speaks only in sentences written here; the right answer still comes
from the advice rules. Kept apart from `models.py` so the knowledge base's core models stay
as they are: `KnowledgeBase.roleplay` holds one `RolePlayData`, or None for a base folder
without a `roleplay/` folder (role-play is then unavailable, everything else works).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .models import Text

LangLines = Mapping[str, tuple[str, ...]]
"""Language ("fr", "en") -> sentences; a line is drawn from the list so replays differ."""

FIXED_MOVES: tuple[str, ...] = (
    "objective", "situation", "meaning", "leading", "challenge", "warn", "off_topic", "greeting",
)
"""What a junior's question can do besides asking a capacity field (each field id is a move too).

objective: what the client wants to achieve; situation: the business, its clients, its trade
and where it sells (sector, B2B or B2C, regulated or not, local, national or online, Québec
or France: one move, because juniors ask "tell me about your business" and the client
answers all of it); meaning: what the client means by the buzzword; leading: a question
that suggests its answer; challenge: a reality check on an answer; warn: naming a risk (the
magic thinking); off_topic: anything else; greeting: politeness.
"""

PERSONA_KEYS: tuple[str, ...] = (
    "vague", "hedge", "admit", "confirm", "agree", "acknowledge", "deny", "neutral", "unclear",
    "greeting", "repeat", "closing", "hurry",
)
"""Generic client lines: vague first answers (level 2), the hedge before the real answer,
the admission after a challenge (level 3), confirmation, agreement with a leading question,
acknowledging or denying a warning, neutral answers, not understanding, greeting back,
repeating an answer, closing, and the nudge to conclude when the interview drags on."""

REACH_PLACEHOLDERS = ("place", "across")

SITUATION_BLOCK: tuple[str, ...] = ("regulated", "market", "clientele", "reach")
"""situation.yaml fields the `situation` move reveals all at once (the scenario's sector, market
and reach say them); the client answers them with its sector and reach lines."""

REVEALED_WITH: Mapping[str, str] = {"producer_detail": "producer", "change_kind": "change_frequency"}
"""situation.yaml fields the client tells while answering another move: who produces ("notre
stagiaire"), and what changes with how often ("le menu, chaque semaine"). Their lines are in
client.yaml `answers` (a choice `none` needs none: the other move's plain answer says it).
Every other situation field (kind `situation`) is a move of its own, like a capacity field:
its examples, cues and answers are needed."""


@dataclass(frozen=True)
class Sector:
    """A kind of business the client may run; the `sector` move reveals it."""

    id: str
    name: Text
    clientele: Literal["b2b", "b2c"]
    regulated: str
    """The professional order whose advertising rules apply: a choice of situation.yaml's
    `regulated` field (health, law, finance, real_estate, other_order), or "none"."""
    lines: LangLines
    reach: tuple[str, ...] = ()
    """The reach ids that fit this business (a dental clinic does not sell online); empty = all."""


@dataclass(frozen=True)
class Market:
    """Where the client is (Québec or France): places to name, how to say "across it"."""

    id: str
    name: Text
    places: tuple[str, ...]
    across: Text


@dataclass(frozen=True)
class Reach:
    """Local, national or online; lines may use {place} and {across} of the market."""

    id: str
    name: Text
    lines: LangLines


@dataclass(frozen=True)
class TopicScript:
    """How a client asks for one tactic (vague openings) and what they mean by it."""

    topic: str
    openings: LangLines
    meaning: LangLines


@dataclass(frozen=True)
class RolePlayData:
    """Everything the role-play client says and every example of how juniors ask."""

    moves: tuple[str, ...]
    """Fixed moves, then the capacity field ids (capacity.yaml order), then the situation fields
    asked on their own (situation.yaml order: not in SITUATION_BLOCK nor REVEALED_WITH)."""
    questions: Mapping[str, LangLines]
    """Move -> language -> how juniors ask it (the recogniser's training examples)."""
    cues: Mapping[str, LangLines]
    """Move -> language -> normalised cue words (a trailing * marks a stem): a recogniser feature."""
    answers: Mapping[str, Mapping[str, LangLines]]
    """Capacity or situation field -> choice -> language -> the client's plain answer."""
    optimistic: Mapping[str, Mapping[str, LangLines]]
    """Capacity field -> choice -> language -> an optimistic claim of that choice (level 3)."""
    slips: Mapping[str, LangLines]
    """Capacity field -> language -> a remark that betrays an optimistic claim (level 3)."""
    persona: Mapping[str, LangLines]
    topics: Mapping[str, TopicScript]
    objectives: Mapping[str, LangLines]
    """Objective topic id, or "none" (no objective: "the competitor has one") -> lines."""
    sectors: tuple[Sector, ...]
    markets: tuple[Market, ...]
    reach: tuple[Reach, ...]

    def sector(self, sector_id: str) -> Sector:
        return next(s for s in self.sectors if s.id == sector_id)

    def market(self, market_id: str) -> Market:
        return next(m for m in self.markets if m.id == market_id)

    def reach_of(self, reach_id: str) -> Reach:
        return next(r for r in self.reach if r.id == reach_id)
