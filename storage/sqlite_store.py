"""SQLite implementation of Plan First's store (standard library only).

What is kept, and why:
- conversations: the engine's state as JSON, saved at every turn, so a restart (or a crash
  mid-interview) resumes where the client left off;
- briefs: the Markdown a strategist takes to the client meeting, listable per server or user;
- knowledge gaps: requests the classifier was unsure about, grouped by best guess so the
  knowledge base's curators see what to add;
- settings: small per-scope values (a server's language...);
- quizzes: definitions and every answer, for leaderboards, weak topics and replaying misses.

One connection shared by every caller (`check_same_thread=False`), guarded by a lock:
Discord runs in one event loop, benchmarks may use threads, and SQLite serialises writers
anyway. Files open in WAL mode so readers never wait for a writer. Schema versions are in
`storage.migrations`. Times are stored as fixed-width ISO 8601 UTC text, so they sort as text.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

from .migrations import migrate
from .records import BriefRecord, GapRecord, GapSummary, brief_from_row, from_text, gap_from_row, to_text
from .roleplay_store import RolePlayStoreMixin


class SqliteStore(RolePlayStoreMixin):
    """The bot's persistence. `path` is a file (parent folders are created) or ":memory:"."""

    def __init__(self, path: str, *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = path
        self._clock = clock or (lambda: datetime.now(UTC))
        in_memory = path == ":memory:" or path.startswith("file::memory:")
        if not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA busy_timeout = 5000")
        if not in_memory:
            self._conn.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL never corrupts the file and survives a killed process; only a power
            # cut can lose the last turns. It saves an fsync per turn (see benchmarks/engine_bench.py).
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self.schema_version = migrate(self._conn)

    # --- plumbing -------------------------------------------------------------------------

    def _now(self, at: datetime | None = None) -> str:
        return to_text(at or self._clock())

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the lock: all of it is saved, or none."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        """Close the connection (idempotent); the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- conversations --------------------------------------------------------------------

    def load_conversation(self, key: str) -> dict[str, Any] | None:
        """The state saved for `key`, or None for a new conversation."""
        rows = self._read("SELECT state FROM conversations WHERE key = ?", (key,))
        return json.loads(rows[0]["state"]) if rows else None

    def save_conversation(self, key: str, state: dict[str, Any], *, user_id: str = "", guild_id: str = "") -> None:
        """Replace the state of `key`; called at every turn so a restart resumes."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO conversations (key, state, user_id, guild_id, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET state = excluded.state, user_id = excluded.user_id, "
                "guild_id = excluded.guild_id, updated_at = excluded.updated_at",
                (key, json.dumps(state, ensure_ascii=False), user_id, guild_id, self._now()))

    def delete_conversation(self, key: str) -> None:
        """Forget the state of `key` (its briefs stay: they were handed out)."""
        with self._write() as conn:
            conn.execute("DELETE FROM conversations WHERE key = ?", (key,))

    # --- briefs ---------------------------------------------------------------------------

    def save_brief(self, *, key: str, user_id: str, guild_id: str, lang: str, request: str,
                   markdown: str, data: dict[str, Any]) -> int:
        """Keep a brief so it can be listed and shown again; returns its id."""
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO briefs (key, user_id, guild_id, lang, request, markdown, data, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, user_id, guild_id, lang, request, markdown, json.dumps(data, ensure_ascii=False), self._now()))
            return int(cursor.lastrowid or 0)

    def get_brief(self, brief_id: int) -> BriefRecord | None:
        rows = self._read("SELECT * FROM briefs WHERE id = ?", (brief_id,))
        return brief_from_row(rows[0]) if rows else None

    def list_briefs(self, *, guild_id: str | None = None, user_id: str | None = None,
                    limit: int = 10) -> list[BriefRecord]:
        """Newest first, optionally only one server's or one user's."""
        where, params = _filters(guild_id=guild_id, user_id=user_id)
        rows = self._read(f"SELECT * FROM briefs {where} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [brief_from_row(row) for row in rows]

    # --- knowledge gaps -------------------------------------------------------------------

    def add_gap(self, *, text: str, lang: str, candidates: Sequence[tuple[str, float]], reason: str,
                user_id: str = "", guild_id: str = "", at: datetime | None = None) -> None:
        """Log a request the classifier could not place, with its best guesses."""
        ranked = sorted(((str(t), float(s)) for t, s in candidates), key=lambda c: -c[1])
        with self._write() as conn:
            conn.execute(
                "INSERT INTO gaps (text, lang, candidates, top_candidate, reason, user_id, guild_id, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (text, lang, json.dumps(ranked, ensure_ascii=False), ranked[0][0] if ranked else "none",
                 reason, user_id, guild_id, self._now(at)))

    def list_gaps(self, limit: int | None = None) -> list[GapRecord]:
        """Newest first."""
        rows = self._read("SELECT * FROM gaps ORDER BY created_at DESC, id DESC LIMIT ?",
                          (-1 if limit is None else limit,))
        return [gap_from_row(row) for row in rows]

    def gap_summary(self, samples: int = 3) -> list[GapSummary]:
        """Gaps grouped by best guess, the most frequent first, with a few recent texts each."""
        groups = self._read(
            "SELECT top_candidate, COUNT(*) AS n, MAX(created_at) AS last FROM gaps "
            "GROUP BY top_candidate ORDER BY n DESC, last DESC")
        texts = self._read(
            "SELECT top_candidate, text FROM (SELECT top_candidate, text, ROW_NUMBER() OVER "
            "(PARTITION BY top_candidate ORDER BY created_at DESC, id DESC) AS rank FROM gaps) WHERE rank <= ?",
            (samples,))
        by_group: dict[str, list[str]] = {}
        for row in texts:
            by_group.setdefault(row["top_candidate"], []).append(row["text"])
        return [GapSummary(row["top_candidate"], row["n"], from_text(row["last"]),
                           tuple(by_group.get(row["top_candidate"], ()))) for row in groups]

    # --- privacy --------------------------------------------------------------------------

    def forget(self, *, older_than: timedelta | None = None, user_id: str | None = None) -> int:
        """Delete what is older than `older_than` and/or belongs to `user_id` (both: and).

        Conversations, their briefs and knowledge gaps go; a user's quiz answers too when
        `user_id` is given (age alone keeps the leaderboards). Returns the rows deleted.
        """
        if older_than is None and user_id is None:
            raise ValueError("forget() needs older_than, user_id or both")
        cutoff = self._now(self._clock() - older_than) if older_than is not None else None

        def where(time_column: str) -> tuple[str, list[str]]:
            clauses, params = [], []
            if cutoff is not None:
                clauses.append(f"{time_column} < ?")
                params.append(cutoff)
            if user_id is not None:
                clauses.append("user_id = ?")
                params.append(user_id)
            return " AND ".join(clauses), params

        deleted = 0
        with self._write() as conn:
            conv, conv_params = where("updated_at")
            brief, brief_params = where("created_at")
            deleted += conn.execute(
                f"DELETE FROM briefs WHERE ({brief}) OR key IN (SELECT key FROM conversations WHERE {conv})",
                (*brief_params, *conv_params)).rowcount
            deleted += conn.execute(f"DELETE FROM conversations WHERE {conv}", conv_params).rowcount
            gap, gap_params = where("created_at")
            deleted += conn.execute(f"DELETE FROM gaps WHERE {gap}", gap_params).rowcount
            if user_id is not None:
                quiz, quiz_params = where("answered_at")
                deleted += conn.execute(f"DELETE FROM quiz_answers WHERE {quiz}", quiz_params).rowcount
            deleted += self.forget_roleplay(conn, user_id=user_id)
        return deleted

    # --- settings -------------------------------------------------------------------------

    def get_setting(self, scope: str, key: str) -> str | None:
        rows = self._read("SELECT value FROM settings WHERE scope = ? AND key = ?", (scope, key))
        return rows[0]["value"] if rows else None

    def set_setting(self, scope: str, key: str, value: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT INTO settings (scope, key, value) VALUES (?, ?, ?) "
                         "ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value", (scope, key, value))

    # --- quizzes --------------------------------------------------------------------------

    def save_quiz(self, quiz_id: str, definition: dict[str, Any]) -> None:
        """Keep a generated quiz so its buttons still work after a restart."""
        with self._write() as conn:
            conn.execute("INSERT INTO quizzes (quiz_id, definition, created_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (quiz_id) DO UPDATE SET definition = excluded.definition",
                         (quiz_id, json.dumps(definition, ensure_ascii=False), self._now()))

    def load_quiz(self, quiz_id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT definition FROM quizzes WHERE quiz_id = ?", (quiz_id,))
        return json.loads(rows[0]["definition"]) if rows else None

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
            "WHERE user_id = ? AND guild_id = ? GROUP BY topic_id HAVING missed > 0 "
            "ORDER BY missed DESC, CAST(missed AS REAL) / n DESC, topic_id LIMIT ?", (user_id, guild_id, limit))
        return [(row["topic_id"], row["missed"], row["n"]) for row in rows]

    def missed_questions(self, user_id: str, guild_id: str, limit: int = 20) -> list[tuple[str, int]]:
        """(quiz_id, question_index) whose latest answer is wrong, i.e. missed and not since
        answered correctly: the questions to ask again. Most recent miss first."""
        rows = self._read(
            "SELECT quiz_id, question_index FROM (SELECT quiz_id, question_index, correct, answered_at, id, "
            "ROW_NUMBER() OVER (PARTITION BY quiz_id, question_index ORDER BY answered_at DESC, id DESC) AS rank "
            "FROM quiz_answers WHERE user_id = ? AND guild_id = ?) WHERE rank = 1 AND correct = 0 "
            "ORDER BY answered_at DESC, id DESC LIMIT ?", (user_id, guild_id, limit))
        return [(row["quiz_id"], row["question_index"]) for row in rows]


def _filters(**columns: str | None) -> tuple[str, list[str]]:
    """`WHERE a = ? AND b = ?` for the columns given a value."""
    given = {name: value for name, value in columns.items() if value is not None}
    where = " AND ".join(f"{name} = ?" for name in given)
    return (f"WHERE {where}" if where else ""), list(given.values())
