"""Quiz definitions and answers: the part of the stores the training quizzes use.

A mixin of `SqlStore` (SQLite and PostgreSQL) so the store's file stays readable; it relies on
the store's `_read`, `_write` and `_now`. The SQL is portable: aggregates are repeated rather
than referred to by alias in HAVING and ORDER BY expressions (PostgreSQL does not resolve
aliases there), and derived tables are named.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any


class QuizTables:
    """Quizzes (kept so their buttons work after a restart) and every answer."""

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _now(self, at: datetime | None = None) -> Any:
        raise NotImplementedError

    def save_quiz(self, quiz_id: str, definition: dict[str, Any]) -> None:
        """Keep a generated quiz so its buttons still work after a restart."""
        with self._write() as conn:
            conn.execute("INSERT INTO quizzes (quiz_id, definition, created_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (quiz_id) DO UPDATE SET definition = excluded.definition",
                         (quiz_id, json.dumps(definition, ensure_ascii=False), self._now()))

    def load_quiz(self, quiz_id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT definition FROM quizzes WHERE quiz_id = ?", (quiz_id,))
        if not rows:
            return None
        try:
            value = json.loads(rows[0]["definition"])
        except (ValueError, RecursionError):
            return None
        return value if isinstance(value, dict) else None

    def record_quiz_answer(self, *, user_id: str, guild_id: str, quiz_id: str, question_index: int,
                           topic_id: str, question_kind: str, correct: bool, at: datetime | None = None) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO quiz_answers (user_id, guild_id, quiz_id, question_index, topic_id, question_kind, "
                "correct, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (user_id, guild_id, quiz_id, question_index, topic_id, question_kind, int(correct), self._now(at)))

    def quiz_leaderboard(self, guild_id: str, limit: int = 10) -> list[tuple[str, int, int]]:
        """(user_id, correct answers, answers) for a server, most correct first."""
        rows = self._read(
            "SELECT user_id, SUM(correct) AS ok, COUNT(*) AS n FROM quiz_answers WHERE guild_id = ? "
            "GROUP BY user_id ORDER BY ok DESC, n ASC, user_id LIMIT ?", (guild_id, limit))
        return [(row["user_id"], row["ok"], row["n"]) for row in rows]

    def weak_topics(self, user_id: str, guild_id: str, limit: int = 5) -> list[tuple[str, int, int]]:
        """(topic_id, missed, answered) for the topics a user misses most: what to revise."""
        rows = self._read(
            "SELECT topic_id, SUM(1 - correct) AS missed, COUNT(*) AS n FROM quiz_answers "
            "WHERE user_id = ? AND guild_id = ? GROUP BY topic_id HAVING SUM(1 - correct) > 0 "
            "ORDER BY missed DESC, CAST(SUM(1 - correct) AS REAL) / COUNT(*) DESC, topic_id LIMIT ?",
            (user_id, guild_id, limit))
        return [(row["topic_id"], row["missed"], row["n"]) for row in rows]

    def missed_questions(self, user_id: str, guild_id: str, limit: int = 20) -> list[tuple[str, int]]:
        """(quiz_id, question_index) whose latest answer is wrong, i.e. missed and not since
        answered correctly: the questions to ask again. Most recent miss first."""
        rows = self._read(
            "SELECT quiz_id, question_index FROM (SELECT quiz_id, question_index, correct, answered_at, id, "
            "ROW_NUMBER() OVER (PARTITION BY quiz_id, question_index ORDER BY answered_at DESC, id DESC) AS rank "
            "FROM quiz_answers WHERE user_id = ? AND guild_id = ?) AS latest WHERE rank = 1 AND correct = 0 "
            "ORDER BY answered_at DESC, id DESC LIMIT ?", (user_id, guild_id, limit))
        return [(row["quiz_id"], row["question_index"]) for row in rows]
