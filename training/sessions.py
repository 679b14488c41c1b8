"""Training sessions (quizzes, role-plays) kept in the store as conversations, with their owner.

Both services save their engine's state under a key prefix ("quiz:", "roleplay:") after every
message, so a restart resumes, and remember who started it (Discord lets only them play). An
unreadable record (an older format, a hand edit) is ignored with a warning, never a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

log = logging.getLogger(__name__)


class ConversationStore(Protocol):
    def load_conversation(self, key: str) -> dict[str, Any] | None: ...
    def save_conversation(self, key: str, state: dict[str, Any], *, user_id: str = "", guild_id: str = "") -> None: ...


class SessionState(Protocol):
    @property
    def finished(self) -> bool: ...
    @property
    def turn(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...


S = TypeVar("S", bound=SessionState)


class Sessions(Generic[S]):
    """One kind of session in a conversation store, keyed by `prefix` + key."""

    def __init__(self, store: ConversationStore, prefix: str, parse: Callable[[dict[str, Any]], S], what: str) -> None:
        self.store, self.prefix, self.parse, self.what = store, prefix, parse, what

    def current(self, key: str) -> S | None:
        record = self.store.load_conversation(self.prefix + key)
        if not record:
            return None
        try:
            return self.parse(record)
        except (TypeError, ValueError, KeyError, IndexError):
            log.warning("unreadable %s state %s: ignored", self.what, key)
            return None

    def active(self, key: str) -> bool:
        state = self.current(key)
        return state is not None and not state.finished

    def turn(self, key: str) -> int:
        state = self.current(key)
        return state.turn if state else 0

    def owner(self, key: str) -> str | None:
        record = self.store.load_conversation(self.prefix + key)
        return str(record.get("_owner") or "") or None if record else None

    def save(self, key: str, state: S, *, owner: str, user_id: str, guild_id: str) -> None:
        """The state plus who started it."""
        record = {**state.to_dict(), "_owner": owner}
        self.store.save_conversation(self.prefix + key, record, user_id=user_id, guild_id=guild_id)


class SessionViews(Generic[S]):
    """What the console and Discord ask a training service about its sessions (a mixin)."""

    sessions: Sessions[S]

    def current(self, key: str) -> S | None:
        return self.sessions.current(key)

    def active(self, key: str) -> bool:
        return self.sessions.active(key)

    def turn(self, key: str) -> int:
        return self.sessions.turn(key)

    def owner(self, key: str) -> str | None:
        return self.sessions.owner(key)
