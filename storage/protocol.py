"""The store's contract: what the service, the console, Discord and the CLI may ask of it.

`SqliteStore` implements it today; a PostgreSQL store (issue 13) implements the same methods
with the same meaning, and the contract tests in tests/test_store_contract.py are
parametrised over implementations so both are held to it.

Two rules carry the weight:
- **Compare-and-set turns.** `load_turn` returns a conversation with its `revision`;
  `save_turn(..., expected_revision=r)` saves only if the stored revision is still `r`
  (0: the conversation must not exist yet), else raises `ConversationConflict` and writes
  nothing. The new revision is `r + 1`. On SQL: `UPDATE ... WHERE key = ? AND revision = ?`
  (rowcount 0 = conflict), or `INSERT ... ON CONFLICT DO NOTHING` for revision 0.
- **One transaction per turn.** `save_turn` writes the conversation, the knowledge gaps and
  the brief version of one turn together: all of them, or none.

Briefs have a database-generated id and one or more versions. A brief is identified by
(conversation key, intake): the first draft for a pair creates brief `id` version 1; a
later draft with different Markdown adds version n+1 to the same id; identical Markdown adds
nothing. A draft without an intake always creates a new brief. Nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from .records import BriefInfo, BriefRecord, GapRecord, GapSummary


@dataclass(frozen=True)
class StoredConversation:
    """A conversation as loaded for a turn."""

    state: dict[str, Any] | None
    """The saved JSON object; None when what is stored is unreadable (the caller starts afresh)."""
    revision: int
    """Pass it back as `expected_revision`; 0 never appears here (0 means "no row")."""


@dataclass(frozen=True)
class GapDraft:
    """A request the classifier could not place, to save with its turn."""

    text: str
    lang: str
    candidates: Sequence[tuple[str, float]]
    reason: str = ""


@dataclass(frozen=True)
class BriefDraft:
    """The brief a turn produced (key, user and server come from the turn)."""

    lang: str
    request: str
    markdown: str
    data: dict[str, Any] = field(default_factory=dict)
    intake: int | None = None
    """Which intake of the conversation this brief is about; None: always a new brief."""


@dataclass(frozen=True)
class BriefRef:
    """Where a draft went: brief `id`, `version`; `created` is False when the Markdown was
    identical to the latest version and nothing was added."""

    id: int
    version: int
    created: bool


@dataclass(frozen=True)
class SavedTurn:
    revision: int
    brief: BriefRef | None = None


class Store(Protocol):
    """Everything Plan First persists. Every method raises `StoreError` on a fault."""

    path: str
    schema_version: int

    def identity(self) -> str:
        """A random id created with the database: brief folders record whose files they hold."""
        ...

    def close(self) -> None: ...

    # conversations
    def load_conversation(self, key: str) -> dict[str, Any] | None: ...

    def load_turn(self, key: str) -> StoredConversation | None: ...

    def save_conversation(self, key: str, state: dict[str, Any], *, user_id: str = "",
                          guild_id: str = "") -> None:
        """Unconditional save (quizzes, tools); still bumps the revision."""
        ...

    def save_turn(self, key: str, state: dict[str, Any], *, expected_revision: int, user_id: str = "",
                  guild_id: str = "", brief: BriefDraft | None = None,
                  gaps: Sequence[GapDraft] = ()) -> SavedTurn: ...

    def delete_conversation(self, key: str) -> None: ...

    # briefs
    def save_brief(self, *, key: str, user_id: str, guild_id: str, lang: str, request: str, markdown: str,
                   data: dict[str, Any], intake: int | None = None) -> int: ...

    def get_brief(self, brief_id: int, version: int | None = None) -> BriefRecord | None:
        """The latest version, or version `version`; None if there is no such brief or version."""
        ...

    def latest_brief(self, key: str) -> BriefRecord | None: ...

    def list_briefs(self, *, guild_id: str | None = None, user_id: str | None = None,
                    limit: int = 10) -> list[BriefRecord]:
        """Newest first, each at its latest version."""
        ...

    def brief_versions(self, brief_id: int) -> list[BriefRecord]:
        """Every kept version of a brief, oldest first."""
        ...

    def brief_index(self) -> list[BriefInfo]:
        """Every version of every brief, without its text (for keeping files in step)."""
        ...

    # knowledge gaps
    def add_gap(self, *, text: str, lang: str, candidates: Sequence[tuple[str, float]], reason: str,
                user_id: str = "", guild_id: str = "") -> None: ...

    def list_gaps(self, limit: int | None = None) -> list[GapRecord]: ...

    def gap_summary(self, samples: int = 3) -> list[GapSummary]: ...

    # privacy
    def forget(self, *, older_than: timedelta | None = None, user_id: str | None = None) -> int:
        """Erase, beyond recovery from the store's files, what is older or belongs to `user_id`."""
        ...

    # settings
    def get_setting(self, scope: str, key: str) -> str | None: ...

    def set_setting(self, scope: str, key: str, value: str) -> None: ...

    # quizzes
    def save_quiz(self, quiz_id: str, definition: dict[str, Any]) -> None: ...

    def load_quiz(self, quiz_id: str) -> dict[str, Any] | None: ...

    def record_quiz_answer(self, *, user_id: str, guild_id: str, quiz_id: str, question_index: int,
                           topic_id: str, question_kind: str, correct: bool, at: datetime | None = None) -> None: ...

    def quiz_leaderboard(self, guild_id: str, limit: int = 10) -> list[tuple[str, int, int]]: ...

    def weak_topics(self, user_id: str, guild_id: str, limit: int = 5) -> list[tuple[str, int, int]]: ...

    def missed_questions(self, user_id: str, guild_id: str, limit: int = 20) -> list[tuple[str, int]]: ...
