"""Role-play sessions: a mixin of the stores (`SqlStore`), kept apart so storage reworks merge easily.

Table `roleplay_sessions` (migration "role-play sessions" in `migrations.py`): one row per
finished role-play, with its score, its criteria (criterion id -> good|fair|poor) and the
scenario as drawn (JSON), so progress, team views and replays of failed scenarios need
nothing else. A role-play under way is a conversation like any other (`save_conversation`
under "roleplay:<key>"), so it resumes after a restart.

The mixin uses the store's `_write`, `_read` and `_now`, so SQLite and PostgreSQL run the same
statements.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .records import from_text


class RolePlayStoreMixin:
    if TYPE_CHECKING:
        def _write(self) -> AbstractContextManager[Any]: ...
        def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...
        def _now(self, at: datetime | None = None) -> Any: ...

    def record_roleplay(self, *, user_id: str, guild_id: str, scenario: dict[str, Any], score: int,
                        criteria: dict[str, str], at: datetime | None = None) -> None:
        """Keep one finished role-play (the scenario as drawn, its score and its criteria)."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO roleplay_sessions (user_id, guild_id, scenario_id, seed, level, lang, topic, score, "
                "criteria, scenario, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (user_id, guild_id, str(scenario.get("id", "")), int(scenario.get("seed", 0)),
                 int(scenario.get("level", 1)), str(scenario.get("lang", "fr")), str(scenario.get("topic", "")),
                 int(score), json.dumps(criteria, ensure_ascii=False), json.dumps(scenario, ensure_ascii=False),
                 self._now(at)))

    def roleplay_sessions(self, user_id: str, guild_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """A user's finished role-plays in one scope (a server, or "" for the console), newest first."""
        rows = self._read("SELECT * FROM roleplay_sessions WHERE user_id = ? AND guild_id = ? "
                          "ORDER BY created_at DESC, id DESC LIMIT ?", (user_id, guild_id, limit))
        return [_session(row) for row in rows]

    def roleplay_users(self, guild_id: str) -> list[str]:
        """Who has finished a role-play in this scope, most recent first."""
        rows = self._read("SELECT user_id, MAX(created_at) AS last FROM roleplay_sessions WHERE guild_id = ? "
                          "GROUP BY user_id ORDER BY last DESC, user_id", (guild_id,))
        return [row["user_id"] for row in rows]

    def forget_roleplay(self, conn: Any, *, user_id: str | None) -> int:
        """Inside `forget`'s transaction: a user's sessions go with the user (age alone keeps them,
        like quiz answers, so progress views survive routine clean-ups)."""
        if user_id is None:
            return 0
        return conn.execute("DELETE FROM roleplay_sessions WHERE user_id = ?", (user_id,)).rowcount


def _session(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "user_id": row["user_id"], "guild_id": row["guild_id"], "score": row["score"],
            "level": row["level"], "lang": row["lang"], "topic": row["topic"],
            "criteria": json.loads(row["criteria"]), "scenario": json.loads(row["scenario"]),
            "created_at": from_text(row["created_at"])}
