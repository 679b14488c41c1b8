"""The conversation's state and the table of its transitions.

The state is a frozen value: `step` returns a new one, so a turn can be replayed,
stored as JSON in SQLite and resumed after a crash. The transitions are a table, not
code paths scattered in `if`s, so every edge is visible here, drawn in
docs/CONVERSATION.md and exercised by a test.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

# stage -> event -> next stage. "*" edges are allowed from every stage.
TRANSITIONS: dict[str, dict[str, str]] = {
    "request": {
        "out_of_scope": "request",
        "ambiguous": "clarify",
        "tactic_needs_objective": "objective",
        "needs_capacity": "capacity",
        "contradiction": "contradiction",
        "settled": "done",
    },
    "clarify": {
        "chosen_needs_objective": "objective",
        "chosen_needs_capacity": "capacity",
        "chosen_settled": "done",
        "none_chosen": "request",
        "unclear": "clarify",
    },
    "objective": {
        "objective_chosen": "capacity",
        "objective_settled": "done",
        "contradiction": "contradiction",
        "new_request_offered": "confirm_new",
        "unclear": "objective",
    },
    "capacity": {
        "answered": "capacity",
        "unclear": "capacity",
        "contradiction": "contradiction",
        "new_request_offered": "confirm_new",
        "settled": "done",
    },
    "contradiction": {
        "resolved": "capacity",
        "resolved_settled": "done",
        "unclear": "contradiction",
    },
    "confirm_new": {
        "confirmed": "request",
        "kept_objective": "objective",
        "kept_capacity": "capacity",
        "kept_done": "done",  # also when the choice is not understood: never loop on this question
    },
    "done": {
        "new_request_offered": "confirm_new",
        "corrected": "done",
        "correction_needs_capacity": "capacity",
        "contradiction": "contradiction",
        "unclear": "done",
        "show_brief": "done",
    },
    "*": {
        "restart": "request",
        "cancel": "request",
        "new_client": "request",
        "help": "=",
        "language": "=",
        "no_brief_yet": "=",
        "back": "<",
    },
}
STAGES = tuple(s for s in TRANSITIONS if s != "*")
HISTORY_LIMIT = 20


class IllegalTransition(RuntimeError):
    """An engine bug: a move the transition table does not allow."""


def next_stage(stage: str, event: str) -> str:
    """The stage an event leads to; "=" stays, "<" goes back (handled by the engine: the
    previous state is taken from the history)."""
    target = TRANSITIONS.get(stage, {}).get(event) or TRANSITIONS["*"].get(event)
    if target is None:
        raise IllegalTransition(f"{stage} --{event}-->?")
    return stage if target == "=" else target


@dataclass(frozen=True)
class ConversationState:
    """Everything a conversation knows; JSON-serialisable through to_dict/from_dict."""

    lang: str = "fr"
    stage: str = "request"
    request: str = ""
    topics: tuple[tuple[str, float], ...] = ()
    options: tuple[str, ...] = ()
    """Topic ids offered when the classifier hesitated."""
    objective: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()
    """Fields the client said they do not know: the cautious value is assumed, and said."""
    pending: str | None = None
    turn: int = 0
    history: tuple[dict[str, Any], ...] = ()
    lang_locked: bool = False
    last_move: tuple[str, str] = ("", "")
    """(stage left, event) of the latest move: lets tests check every edge is exercised."""
    intake: int = 0
    """Which intake of this conversation this is (1, 2...): a brief is one per intake, in versions."""
    evidence: dict[str, str] = field(default_factory=dict)
    """The client's words that gave each answer, for the restatement and the brief."""
    pending_request: str = ""
    """A new request waiting for "same client or new one?" (stage confirm_new)."""
    advised: bool = False
    """The advice of this intake has been given (a later answer updates it: a new brief version)."""
    conflict: tuple[str, ...] = ()
    """The two fields whose answers contradict each other (stage contradiction)."""
    magic_named: bool = False
    """The objective given was magic thinking ("comme le concurrent"), and the bot said so once."""
    firm: tuple[str, ...] = ()
    """Fields answered firmly: to their own question, by an option picked, or by a number
    ("quelques milliers de patients"). A model's guess said in passing does not replace them."""

    def topic_ids(self) -> tuple[str, ...]:
        return tuple(t for t, _ in self.topics)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["topics"] = [list(t) for t in self.topics]
        for key in ("options", "unknown", "last_move", "conflict", "firm"):
            data[key] = list(data[key])
        data["history"] = list(self.history)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ConversationState":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["topics"] = tuple((str(t), float(c)) for t, c in known.get("topics", ()))
        known["last_move"] = tuple(known.get("last_move", ("", "")))
        for key in ("options", "unknown", "conflict", "firm"):
            known[key] = tuple(known.get(key, ()))
        known["history"] = tuple(known.get("history", ()))
        known["answers"] = dict(known.get("answers", {}))
        known["evidence"] = {str(k): str(v) for k, v in dict(known.get("evidence", {})).items()}
        return cls(**known)

    def snapshot(self) -> dict[str, Any]:
        """This state without its history, to push on the next state's history."""
        data = self.to_dict()
        data.pop("history")
        return data

    def moved(self, event: str, **changes: Any) -> "ConversationState":
        """A new state after `event`, remembering this one for "back"."""
        stage = next_stage(self.stage, event)
        history = (self.history + (self.snapshot(),))[-HISTORY_LIMIT:]
        return replace(self, stage=stage, history=history, last_move=(self.stage, event), **changes)


def mermaid() -> str:
    """The transition table drawn as a Mermaid state diagram (kept in docs/CONVERSATION.md)."""
    lines = ["stateDiagram-v2", "    [*] --> request"]
    for stage, edges in TRANSITIONS.items():
        if stage == "*":
            continue
        for event, target in edges.items():
            lines.append(f"    {stage} --> {target}: {event}")
    lines.append("    note right of request: from any stage, restart, cancel and new client lead here;"
                 " help and language stay; back returns to the previous state")
    return "\n".join(lines)
