"""SQLite implementation of Plan First's store (standard library only): the default, one file,
nothing to start. The contract is `storage.protocol.Store`; every method's SQL lives in
`storage.sql_store.SqlStore`, shared with the PostgreSQL store. This module is the plumbing.

What is kept, and why:
- conversations: the engine's state as JSON with a revision, saved at every turn by
  compare-and-set, so a restart resumes and two processes on one conversation never
  silently overwrite each other's turns;
- briefs: every version of the Markdown a strategist takes to the client meeting;
- knowledge gaps: requests the classifier was unsure about, grouped by best guess;
- settings: small per-scope values (a server's language, the database's own id);
- quizzes and role-plays: definitions, every answer and every score.

One connection shared by every caller (`check_same_thread=False`), guarded by a lock:
Discord runs in one event loop, benchmarks may use threads, and SQLite serialises writers
anyway. Opening (WAL, secure_delete, checks) is in `storage.sqlite_open`; schema versions in
`storage.migrations`. Times are fixed-width ISO 8601 UTC text, so they sort as text. Every
sqlite3 error leaves as a `StoreError` naming the file.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from .errors import StoreError, from_sqlite
from .records import to_text
from .sql_store import SqlStore
from .sqlite_open import in_memory, open_database

log = logging.getLogger(__name__)


class SqliteStore(SqlStore):
    """The bot's persistence. `path` is a file (parent folders are created) or ":memory:".

    `read_only=True` opens the file for reading only (`gaps`, `briefs`): those commands work
    on a database they may not write. `busy_timeout` is how long a write waits for another
    program's lock before giving up with StoreError("locked").
    """

    kind = "sqlite"
    BYTES_OF_MARKDOWN = "length(CAST(v.markdown AS BLOB))"
    NO_LIMIT = -1

    def __init__(self, path: str, *, clock: Callable[[], datetime] | None = None, read_only: bool = False,
                 busy_timeout: float = 5.0) -> None:
        self.path = path
        self.read_only = read_only
        self._busy = busy_timeout
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._conn, self.schema_version, self.upgraded_from = open_database(
            path, read_only=read_only, busy_timeout=busy_timeout)

    # --- plumbing -------------------------------------------------------------------------

    def _stamp(self, at: datetime) -> str:
        return to_text(at)

    def _fault(self, exc: sqlite3.Error) -> StoreError:
        return from_sqlite(exc, self.path, busy_seconds=self._busy)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the lock: all of it is saved, or none."""
        with self._transaction("BEGIN IMMEDIATE", "COMMIT") as conn:
            yield conn

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A deferred transaction: in WAL mode its first read fixes what it sees to the end."""
        with self._transaction("BEGIN", "ROLLBACK") as conn:
            yield conn

    @contextmanager
    def _transaction(self, begin: str, end: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute(begin)
            except sqlite3.Error as exc:
                raise self._fault(exc) from exc
            try:
                yield self._conn
                self._conn.execute(end)
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

    def _insert_id(self, conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> int:
        return int(conn.execute(sql, params).lastrowid or 0)

    def close(self) -> None:
        """Close the connection (idempotent); the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    def _after_forget(self) -> None:
        """Deleted rows were zeroed (secure_delete); copy the log into the database and empty
        it, so the erased rows' old images go with it."""
        if in_memory(self.path):
            return
        row = self._read("PRAGMA wal_checkpoint(TRUNCATE)")
        if row and row[0][0]:
            log.warning("%s: another program is reading the database; erased text may remain in its "
                        "write-ahead log (-wal) until that program closes", self.path)

    def sequences(self, conn: sqlite3.Connection) -> dict[str, int]:
        """AUTOINCREMENT's counters (sqlite_sequence), which outlive deleted rows."""
        return {str(name): int(seq) for name, seq in conn.execute("SELECT name, seq FROM sqlite_sequence")}

    def raise_sequence(self, conn: sqlite3.Connection, table: str, value: int) -> None:
        top = conn.execute(f"SELECT MAX(id) FROM {table}").fetchone()[0] or 0  # noqa: S608 - a known table
        value = max(int(value), int(top))
        if not conn.execute("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (value, table)).rowcount:
            conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, value))
