"""The store contract (`storage.protocol.Store`) written once, in SQL that SQLite and PostgreSQL
both run; `SqliteStore` and `PostgresStore` only supply the plumbing.

Why one body of SQL: the rules that matter (compare-and-set turns, one transaction per turn,
brief identity and versions, what `forget` erases) must not drift between two copies. The
statements use `?` placeholders and portable syntax (`ON CONFLICT`, window functions, row
values); PostgreSQL's adapter rewrites the placeholders. What really differs is a handful of
hooks a subclass provides:

- `_write()` / `_read()` / `_snapshot()`: a transaction, a query, a consistent read;
- `_stamp(datetime)`: how a time is stored (fixed-width text in SQLite, `timestamptz` in
  PostgreSQL); `records.from_text` reads either back;
- `_insert_id()`: the id the database gave a new row (`lastrowid` or `RETURNING id`);
- `BYTES_OF_MARKDOWN`, `NO_LIMIT`: two expressions the engines spell differently;
- `_lock_key()`: serialises brief drafts of one conversation outside a turn (PostgreSQL runs
  writers in parallel; SQLite already has one writer at a time);
- `_after_forget()`: make erased rows unrecoverable from the store's files;
- `sequences()` / `raise_sequence()`: id counters, so an import never reuses a forgotten id.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, ClassVar, Self

from . import sql_briefs as briefs_sql
from .errors import ConversationConflict
from .protocol import BriefDraft, GapDraft, SavedTurn, StoredConversation
from .records import BriefInfo, BriefRecord, GapRecord, GapSummary, brief_from_row, from_text, gap_from_row
from .roleplay_store import RolePlayStoreMixin
from .sql_quiz import QuizTables

log = logging.getLogger(__name__)

Connection = Any
"""A DB-API connection in a transaction: `execute(sql, params)` returns a cursor with
`rowcount`, `fetchone()`, `fetchall()`; rows are read by position or by column name."""


class SqlStore(QuizTables, RolePlayStoreMixin, ABC):
    """Everything the contract asks, over the subclass's connection(s)."""

    kind: ClassVar[str]
    """"sqlite" or "postgresql": the health line and exports say which."""
    BYTES_OF_MARKDOWN: ClassVar[str]
    NO_LIMIT: ClassVar[Any]
    path: str
    """The SQLite file, or the PostgreSQL URL without its password: safe to print."""
    schema_version: int
    upgraded_from: int
    """The schema version found when the store was opened (0: a new database)."""
    _clock: Callable[[], datetime]

    # --- plumbing the subclasses provide ----------------------------------------------------

    @abstractmethod
    def _write(self) -> AbstractContextManager[Connection]:
        """One read-write transaction: all of it is saved, or none."""

    @abstractmethod
    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    @abstractmethod
    def _snapshot(self) -> AbstractContextManager[Connection]:
        """One read-only transaction that sees a single moment (for exports)."""

    @abstractmethod
    def _stamp(self, at: datetime) -> Any: ...

    @abstractmethod
    def _insert_id(self, conn: Connection, sql: str, params: Sequence[Any]) -> int: ...

    @abstractmethod
    def close(self) -> None: ...

    def _lock_key(self, conn: Connection, key: str) -> None:
        """Hold off other writers of conversation `key` until this transaction ends."""

    def _after_forget(self) -> None:
        """After `forget` committed: leave no copy of the erased rows in the store's files."""

    @abstractmethod
    def sequences(self, conn: Connection) -> dict[str, int]:
        """The last id handed out, per table with generated ids (forgotten rows included)."""

    @abstractmethod
    def raise_sequence(self, conn: Connection, table: str, value: int) -> None:
        """Make sure the next id of `table` is above `value` (and above every id in it)."""

    # --- shared ------------------------------------------------------------------------------

    def _now(self, at: datetime | None = None) -> Any:
        return self._stamp(at or self._clock())

    def transaction(self) -> AbstractContextManager[Connection]:
        """A write transaction for tools that move whole tables (`storage.transfer`)."""
        return self._write()

    def snapshot(self) -> AbstractContextManager[Connection]:
        return self._snapshot()

    def stamp(self, at: datetime) -> Any:
        """`at` as this store writes times in its tables."""
        return self._stamp(at)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def identity(self) -> str:
        """The random id the database was created with (brief folders are marked with it)."""
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
        in one transaction; ConversationConflict (nothing written) if another turn came first.

        The compare-and-set is the `WHERE ... revision = ?` (or `DO NOTHING` for a first turn):
        the database decides, so it holds across processes and machines. On PostgreSQL the
        UPDATE waits for a concurrent writer of the same row, then re-checks the revision.
        """
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
            ref = None
            if brief is not None:
                self._lock_key(conn, key)
                ref = briefs_sql.save_draft(self, conn, key=key, user_id=user_id, guild_id=guild_id, draft=brief,
                                            now=now)
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
            self._lock_key(conn, key)
            return briefs_sql.save_draft(self, conn, key=key, user_id=user_id, guild_id=guild_id, draft=draft,
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
            f"SELECT v.brief_id, v.version, b.version AS latest, {self.BYTES_OF_MARKDOWN} AS size "
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
    def _insert_gap(conn: Connection, gap: GapDraft, *, user_id: str, guild_id: str, at: Any) -> None:
        ranked = sorted(((str(t), float(s)) for t, s in gap.candidates), key=lambda c: -c[1])
        conn.execute(
            "INSERT INTO gaps (text, lang, candidates, top_candidate, reason, user_id, guild_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (gap.text, gap.lang, json.dumps(ranked, ensure_ascii=False), ranked[0][0] if ranked else "none",
             gap.reason, user_id, guild_id, at))

    def list_gaps(self, limit: int | None = None) -> list[GapRecord]:
        """Newest first."""
        rows = self._read("SELECT * FROM gaps ORDER BY created_at DESC, id DESC LIMIT ?",
                          (self.NO_LIMIT if limit is None else limit,))
        return [gap_from_row(row) for row in rows]

    def gap_summary(self, samples: int = 3) -> list[GapSummary]:
        """Gaps grouped by best guess, the most frequent first, with a few recent texts each."""
        groups = self._read(
            "SELECT top_candidate, COUNT(*) AS n, MAX(created_at) AS last FROM gaps "
            "GROUP BY top_candidate ORDER BY n DESC, last DESC")
        texts = self._read(
            "SELECT top_candidate, text FROM (SELECT top_candidate, text, ROW_NUMBER() OVER "
            "(PARTITION BY top_candidate ORDER BY created_at DESC, id DESC) AS rank FROM gaps) AS ranked "
            "WHERE rank <= ?", (samples,))
        by_group: dict[str, list[str]] = {}
        for row in texts:
            by_group.setdefault(row["top_candidate"], []).append(row["text"])
        return [GapSummary(row["top_candidate"], row["n"], from_text(row["last"]),
                           tuple(by_group.get(row["top_candidate"], ()))) for row in groups]

    # --- privacy --------------------------------------------------------------------------

    def forget(self, *, older_than: timedelta | None = None, user_id: str | None = None) -> int:
        """Delete what is older than `older_than` and/or belongs to `user_id` (both: and).

        Conversations, their briefs (whole, or their versions older than the cutoff) and
        knowledge gaps go; a user's quiz answers and role-plays too when `user_id` is given
        (age alone keeps the leaderboards). Then `_after_forget` scrubs the store's files.
        Returns the records deleted. OverflowError if `older_than` reaches before year 1.
        """
        if older_than is None and user_id is None:
            raise ValueError("forget() needs older_than, user_id or both")
        cutoff = self._now(self._clock() - older_than) if older_than is not None else None

        def where(time_column: str, owner: str = "user_id") -> tuple[str, list[Any]]:
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
        self._after_forget()
        return deleted

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
