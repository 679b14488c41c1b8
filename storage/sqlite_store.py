"""SQLite implementation of Plan First's store (standard library only); the contract is
`storage.protocol.Store`.

What is kept, and why:
- conversations: the engine's state as JSON with a revision, saved at every turn by
  compare-and-set, so a restart resumes and two processes on one conversation never
  silently overwrite each other's turns;
- briefs: every version of the Markdown a strategist takes to the client meeting;
- knowledge gaps: requests the classifier was unsure about, grouped by best guess;
- settings: small per-scope values (a server's language, the database's own id);
- quizzes: definitions and every answer, for leaderboards, weak topics and replaying misses.

One connection shared by every caller (`check_same_thread=False`), guarded by a lock:
Discord runs in one event loop, benchmarks may use threads, and SQLite serialises writers
anyway. Opening (WAL, secure_delete, checks) is in `storage.sqlite_open`; schema versions in
`storage.migrations`. Times are fixed-width ISO 8601 UTC text, so they sort as text. Every
sqlite3 error leaves as a `StoreError` naming the file.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from . import sqlite_briefs as briefs_sql
from .errors import ConversationConflict, StoreError, from_sqlite
from .protocol import BriefDraft, GapDraft, SavedTurn, StoredConversation
from .records import BriefInfo, BriefRecord, GapRecord, GapSummary, brief_from_row, from_text, gap_from_row, to_text
from .sqlite_open import in_memory, open_database
from .roleplay_store import RolePlayStoreMixin
from .sqlite_quiz import QuizTables

log = logging.getLogger(__name__)


class SqliteStore(QuizTables, RolePlayStoreMixin):
    """The bot's persistence. `path` is a file (parent folders are created) or ":memory:".

    `read_only=True` opens the file for reading only (`gaps`, `briefs`): those commands work
    on a database they may not write. `busy_timeout` is how long a write waits for another
    program's lock before giving up with StoreError("locked").
    """

    def __init__(self, path: str, *, clock: Callable[[], datetime] | None = None, read_only: bool = False,
                 busy_timeout: float = 5.0) -> None:
        self.path = path
        self.read_only = read_only
        self._busy = busy_timeout
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._conn, self.schema_version = open_database(path, read_only=read_only, busy_timeout=busy_timeout)

    # --- plumbing -------------------------------------------------------------------------

    def _now(self, at: datetime | None = None) -> str:
        return to_text(at or self._clock())

    def _fault(self, exc: sqlite3.Error) -> StoreError:
        return from_sqlite(exc, self.path, busy_seconds=self._busy)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the lock: all of it is saved, or none."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._fault(exc) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    try:
                        self._conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        log.warning("rollback failed on %s", self.path)
                if isinstance(exc, sqlite3.Error):
                    raise self._fault(exc) from exc
                raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._fault(exc) from exc

    def close(self) -> None:
        """Close the connection (idempotent); the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def identity(self) -> str:
        """The random id migration 3 gave this database (brief folders are marked with it)."""
        rows = self._read("SELECT value FROM settings WHERE scope = 'store' AND key = 'id'")
        return str(rows[0]["value"]) if rows else f"path:{self.path}"

    # --- conversations --------------------------------------------------------------------

    def load_conversation(self, key: str) -> dict[str, Any] | None:
        """The state saved for `key`, or None for a new (or unreadable) conversation."""
        stored = self.load_turn(key)
        return stored.state if stored else None

    def load_turn(self, key: str) -> StoredConversation | None:
        rows = self._read("SELECT state, revision FROM conversations WHERE key = ?", (key,))
        if not rows:
            return None
        return StoredConversation(_json_object(rows[0]["state"], key), int(rows[0]["revision"]))

    def save_conversation(self, key: str, state: dict[str, Any], *, user_id: str = "", guild_id: str = "") -> None:
        """Replace the state of `key` whatever its revision (quizzes, tools)."""
        text = json.dumps(state, ensure_ascii=False)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO conversations (key, state, user_id, guild_id, updated_at, revision) "
                "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (key) DO UPDATE SET state = excluded.state, "
                "user_id = excluded.user_id, guild_id = excluded.guild_id, updated_at = excluded.updated_at, "
                "revision = conversations.revision + 1",
                (key, text, user_id, guild_id, self._now()))

    def save_turn(self, key: str, state: dict[str, Any], *, expected_revision: int, user_id: str = "",
                  guild_id: str = "", brief: BriefDraft | None = None, gaps: Sequence[GapDraft] = ()) -> SavedTurn:
        """The turn computed from revision `expected_revision` (0: none), with its gaps and brief,
        in one transaction; ConversationConflict (nothing written) if another turn came first."""
        text = json.dumps(state, ensure_ascii=False)
        with self._write() as conn:
            now = self._now()
            if expected_revision == 0:
                done = conn.execute(
                    "INSERT INTO conversations (key, state, user_id, guild_id, updated_at, revision) "
                    "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (key) DO NOTHING",
                    (key, text, user_id, guild_id, now)).rowcount
            else:
                done = conn.execute(
                    "UPDATE conversations SET state = ?, user_id = ?, guild_id = ?, updated_at = ?, "
                    "revision = revision + 1 WHERE key = ? AND revision = ?",
                    (text, user_id, guild_id, now, key, expected_revision)).rowcount
            if done != 1:
                row = conn.execute("SELECT revision FROM conversations WHERE key = ?", (key,)).fetchone()
                raise ConversationConflict(key, expected_revision, int(row[0]) if row else 0)
            for gap in gaps:
                self._insert_gap(conn, gap, user_id=user_id, guild_id=guild_id, at=now)
            ref = briefs_sql.save_draft(conn, key=key, user_id=user_id, guild_id=guild_id, draft=brief,
                                        now=now) if brief is not None else None
        return SavedTurn(expected_revision + 1, ref)

    def delete_conversation(self, key: str) -> None:
        """Forget the state of `key` (its briefs stay: they were handed out)."""
        with self._write() as conn:
            conn.execute("DELETE FROM conversations WHERE key = ?", (key,))

    # --- briefs ---------------------------------------------------------------------------

    def save_brief(self, *, key: str, user_id: str, guild_id: str, lang: str, request: str,
                   markdown: str, data: dict[str, Any], intake: int | None = None) -> int:
        """Keep a brief (or a new version of brief (key, intake)) on its own; returns its id."""
        draft = BriefDraft(lang=lang, request=request, markdown=markdown, data=data, intake=intake)
        with self._write() as conn:
            return briefs_sql.save_draft(conn, key=key, user_id=user_id, guild_id=guild_id, draft=draft,
                                         now=self._now()).id

    def get_brief(self, brief_id: int, version: int | None = None) -> BriefRecord | None:
        if not briefs_sql.valid_id(brief_id) or (version is not None and not briefs_sql.valid_id(version)):
            return None
        if version is None:
            rows = self._read(briefs_sql.LATEST + " AND b.id = ?", (brief_id,))
        else:
            rows = self._read(briefs_sql.SELECT + " WHERE b.id = ? AND v.version = ?", (brief_id, version))
        return brief_from_row(rows[0]) if rows else None

    def latest_brief(self, key: str) -> BriefRecord | None:
        """The newest brief of a conversation, at its latest version."""
        rows = self._read(briefs_sql.LATEST + " AND b.key = ? ORDER BY b.id DESC LIMIT 1", (key,))
        return brief_from_row(rows[0]) if rows else None

    def list_briefs(self, *, guild_id: str | None = None, user_id: str | None = None,
                    limit: int = 10) -> list[BriefRecord]:
        """Newest first, each at its latest version; optionally one server's or one user's."""
        clauses, params = _filters(**{"b.guild_id": guild_id, "b.user_id": user_id})
        where = "".join(f" AND {clause}" for clause in clauses)
        rows = self._read(f"{briefs_sql.LATEST}{where} ORDER BY b.id DESC LIMIT ?", (*params, limit))
        return [brief_from_row(row) for row in rows]

    def brief_versions(self, brief_id: int) -> list[BriefRecord]:
        if not briefs_sql.valid_id(brief_id):
            return []
        rows = self._read(briefs_sql.SELECT + " WHERE b.id = ? ORDER BY v.version", (brief_id,))
        return [brief_from_row(row) for row in rows]

    def brief_index(self) -> list[BriefInfo]:
        rows = self._read(
            "SELECT v.brief_id, v.version, b.version AS latest, length(CAST(v.markdown AS BLOB)) AS size "
            "FROM brief_versions AS v JOIN briefs AS b ON b.id = v.brief_id ORDER BY v.brief_id, v.version")
        return [BriefInfo(row["brief_id"], row["version"], row["latest"], row["size"]) for row in rows]

    # --- knowledge gaps -------------------------------------------------------------------

    def add_gap(self, *, text: str, lang: str, candidates: Sequence[tuple[str, float]], reason: str,
                user_id: str = "", guild_id: str = "", at: datetime | None = None) -> None:
        """Log a request the classifier could not place, with its best guesses."""
        with self._write() as conn:
            self._insert_gap(conn, GapDraft(text, lang, candidates, reason), user_id=user_id, guild_id=guild_id,
                             at=self._now(at))

    @staticmethod
    def _insert_gap(conn: sqlite3.Connection, gap: GapDraft, *, user_id: str, guild_id: str, at: str) -> None:
        ranked = sorted(((str(t), float(s)) for t, s in gap.candidates), key=lambda c: -c[1])
        conn.execute(
            "INSERT INTO gaps (text, lang, candidates, top_candidate, reason, user_id, guild_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (gap.text, gap.lang, json.dumps(ranked, ensure_ascii=False), ranked[0][0] if ranked else "none",
             gap.reason, user_id, guild_id, at))

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

        Conversations, their briefs (whole, or their versions older than the cutoff) and
        knowledge gaps go; a user's quiz answers too when `user_id` is given (age alone keeps
        the leaderboards). Deleted rows are zeroed (secure_delete) and the write-ahead log is
        checkpointed and truncated, so the erased text is not left in the database's files.
        Returns the records deleted. OverflowError if `older_than` reaches before year 1.
        """
        if older_than is None and user_id is None:
            raise ValueError("forget() needs older_than, user_id or both")
        cutoff = self._now(self._clock() - older_than) if older_than is not None else None

        def where(time_column: str, owner: str = "user_id") -> tuple[str, list[str]]:
            clauses, params = [], []
            if cutoff is not None:
                clauses.append(f"{time_column} < ?")
                params.append(cutoff)
            if user_id is not None:
                clauses.append(f"{owner} = ?")
                params.append(user_id)
            return " AND ".join(clauses), params

        deleted = 0
        with self._write() as conn:
            conv, conv_params = where("updated_at")
            brief, brief_params = where("b.updated_at", "b.user_id")
            deleted += briefs_sql.forget_briefs(conn, brief_where=brief, brief_params=brief_params,
                                                conv_where=conv, conv_params=conv_params, cutoff=cutoff,
                                                user_id=user_id)
            deleted += conn.execute(f"DELETE FROM conversations WHERE {conv}", conv_params).rowcount
            gap, gap_params = where("created_at")
            deleted += conn.execute(f"DELETE FROM gaps WHERE {gap}", gap_params).rowcount
            if user_id is not None:
                quiz, quiz_params = where("answered_at")
                deleted += conn.execute(f"DELETE FROM quiz_answers WHERE {quiz}", quiz_params).rowcount
            deleted += self.forget_roleplay(conn, user_id=user_id)
        self._truncate_log()
        return deleted

    def _truncate_log(self) -> None:
        """Copy the log into the database and empty it: the erased rows' old images go with it."""
        if in_memory(self.path):
            return
        row = self._read("PRAGMA wal_checkpoint(TRUNCATE)")
        if row and row[0][0]:
            log.warning("%s: another program is reading the database; erased text may remain in its "
                        "write-ahead log (-wal) until that program closes", self.path)

    # --- settings -------------------------------------------------------------------------

    def get_setting(self, scope: str, key: str) -> str | None:
        rows = self._read("SELECT value FROM settings WHERE scope = ? AND key = ?", (scope, key))
        return rows[0]["value"] if rows else None

    def set_setting(self, scope: str, key: str, value: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT INTO settings (scope, key, value) VALUES (?, ?, ?) "
                         "ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value", (scope, key, value))


def _filters(**columns: str | None) -> tuple[list[str], list[str]]:
    """`a = ?` clauses for the columns given a value."""
    given = {name: value for name, value in columns.items() if value is not None}
    return [f"{name} = ?" for name in given], list(given.values())


def _json_object(text: str, key: str) -> dict[str, Any] | None:
    """A stored JSON object, or None (with a warning) when the row holds anything else."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        log.warning("unreadable stored state for %r (not a JSON object): starting afresh", key)
        return None
    return value
