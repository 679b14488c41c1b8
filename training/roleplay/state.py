"""The state of one role-play session, as a frozen value that round-trips through JSON.

`events` is the record the debrief reads: one per move the junior made, with what the
client did about it (answered, stayed vague, claimed, admitted...). The few flags beside it
are what the client must remember between turns (a vague answer waiting to be clarified,
a claim made and not yet admitted, the slip already said).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .scenario import Scenario

INFO_OUTCOMES = ("answered", "claimed", "clarified", "admitted", "repeat")
"""Outcomes after which the junior knows a value (a claim: a wrong one, until admitted)."""


@dataclass(frozen=True)
class Event:
    """One move of the junior and what the client made of it."""

    move: str
    """A move id (objective, situation, a capacity field...), "unclear" or "proposal"."""
    text: str
    """The junior's sentence."""
    outcome: str = ""
    field: str = ""
    """The capacity field the client's answer was about (for challenges too)."""

    def to_list(self) -> list[str]:
        return [self.move, self.text, self.outcome, self.field]

    @classmethod
    def from_list(cls, data: list[Any]) -> Event:
        return cls(*(str(x) for x in data[:4]))


@dataclass(frozen=True)
class RolePlayState:
    scenario: Scenario
    events: tuple[Event, ...] = ()
    transcript: tuple[tuple[str, str], ...] = ()
    """("junior" or "client", text), in order."""
    vague_pending: str = ""
    """Level 2: the field last answered "ça dépend", until clarified."""
    clarified: tuple[str, ...] = ()
    claim_state: str = ""
    """Level 3: "" (not claimed yet), "made", "admitted"."""
    slip_said: bool = False
    choosing: bool = False
    """The list of rule titles is shown: a number or a title is a proposal."""
    proposal: tuple[str, str] | None = None
    """(matched rule id or "", the junior's words) once proposed."""
    finished: bool = False
    abandoned: bool = False
    hurried: bool = False
    turn: int = 0
    """Counts messages: Discord puts it in custom_ids to recognise stale buttons."""

    @property
    def lang(self) -> str:
        return self.scenario.lang

    @property
    def questions(self) -> int:
        """Junior messages so far (each may hold several moves)."""
        return sum(1 for speaker, _ in self.transcript if speaker == "junior")

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario.to_dict(), "events": [e.to_list() for e in self.events],
                "transcript": [list(t) for t in self.transcript], "vague_pending": self.vague_pending,
                "clarified": list(self.clarified), "claim_state": self.claim_state, "slip_said": self.slip_said,
                "choosing": self.choosing, "proposal": list(self.proposal) if self.proposal else None,
                "finished": self.finished, "abandoned": self.abandoned, "hurried": self.hurried, "turn": self.turn}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RolePlayState:
        proposal = data.get("proposal")
        return cls(scenario=Scenario.from_dict(data["scenario"]),
                   events=tuple(Event.from_list(e) for e in data.get("events", ())),
                   transcript=tuple((str(s), str(t)) for s, t in data.get("transcript", ())),
                   vague_pending=str(data.get("vague_pending", "")),
                   clarified=tuple(str(f) for f in data.get("clarified", ())),
                   claim_state=str(data.get("claim_state", "")), slip_said=bool(data.get("slip_said", False)),
                   choosing=bool(data.get("choosing", False)),
                   proposal=(str(proposal[0]), str(proposal[1])) if proposal else None,
                   finished=bool(data.get("finished", False)), abandoned=bool(data.get("abandoned", False)),
                   hurried=bool(data.get("hurried", False)), turn=int(data.get("turn", 0)))
