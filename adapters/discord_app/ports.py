"""What the Discord layer needs from the core, as protocols.

The bot receives a `Runtime` (built once in `bot.py` by `runtime.build_runtime`) and
uses only these members, so tests can pass the real runtime on a temporary SQLite file
or a small fake, and the Discord code never reaches into the engine's internals.
"""

from __future__ import annotations

from typing import Any, Protocol

from advisor.replies import Reply
from knowledge.models import KnowledgeBase


class Advisor(Protocol):
    def start(
        self, key: str, request: str, *, user_id: str, guild_id: str = "", lang: str | None = None
    ) -> list[Reply]: ...

    def handle(
        self, key: str, text: str, *, user_id: str, guild_id: str = "", lang: str | None = None,
        turn: int | None = None,
    ) -> list[Reply]: ...

    def turn(self, key: str) -> int: ...

    def owner(self, key: str) -> str | None: ...

    def language(self, key: str) -> str | None:
        """The conversation's language; None when there is no conversation under `key`."""
        ...

    def prompt(self, key: str, lang: str | None = None) -> list[Reply]:
        """What the conversation is waiting for (its current question)."""
        ...


class Store(Protocol):
    def get_setting(self, scope: str, key: str) -> str | None: ...

    def set_setting(self, scope: str, key: str, value: str) -> None: ...

    def list_briefs(self, *, guild_id: str | None = ..., user_id: str | None = ..., limit: int = ...) -> list[Any]:
        """Newest first, each at its latest version; records with id, user_id, guild_id, request,
        markdown, created_at, version and versions (the latest version number)."""
        ...

    def get_brief(self, brief_id: int, version: int | None = None) -> Any: ...

    def brief_versions(self, brief_id: int) -> list[Any]: ...


class Runtime(Protocol):
    kb: KnowledgeBase
    store: Store
    advisor: Advisor

    def reload(self) -> list[str]: ...
