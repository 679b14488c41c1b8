"""PostgreSQL implementation of Plan First's store: several bot processes (shards, machines)
share one database. The contract is `storage.protocol.Store`; every method's SQL lives in
`storage.sql_store.SqlStore`, shared with SQLite. This module is the plumbing:

- **psycopg 3 and its pool.** Each process keeps a small pool (`pool_size`, default 4;
  `PLANFIRST_DB_POOL`); a connection is checked before it is lent, so a restarted server
  costs the next call a reconnect, not an error. Connections run in autocommit mode and each
  write is one explicit transaction (READ COMMITTED is enough: the compare-and-set UPDATE
  waits for a concurrent writer of the same row and then re-checks the revision).
- **Opening.** One direct connection first: it gives the clearest error (server down, wrong
  password, no such database) and runs the schema upgrade (`storage.pg_migrations`) before
  the pool opens.
- **Same SQL.** Statements are written with `?`; `_PgConnection` turns them into psycopg's
  `%s`, and rows read by position or by name like `sqlite3.Row`. PostgreSQL text cannot hold
  a NUL character: one in user text is stored as U+FFFD rather than failing the turn.
- **Faults.** Every psycopg error leaves as a `StoreError` naming the server (its URL without
  the password), never as a traceback.
- **Erasure.** After `forget`, VACUUM the tables it touched so the erased rows' space is
  reclaimed; PostgreSQL's write-ahead log and any backups keep old images until they are
  recycled, which is the operator's to manage (README, "PostgreSQL").
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from .errors import StoreError
from .migrations import SchemaTooNewError
from .pg_migrations import PG_MIGRATIONS, migrate, schema_version
from .records import from_text
from .sql_store import SqlStore

log = logging.getLogger(__name__)

ID_TABLES = ("briefs", "gaps", "quiz_answers", "roleplay_sessions")
"""Tables whose ids the database generates (their sequences are exported and restored)."""
ERASED_TABLES = "conversations, briefs, brief_versions, gaps, quiz_answers, roleplay_sessions"
DEFAULT_POOL = 4


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """`url` without its password or query: what may be printed and logged."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return url.split("@")[-1].split("?")[0]
    user = f"{parts.username}@" if parts.username else ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


class PostgresStore(SqlStore):
    """The store on a PostgreSQL server; `url` is a `postgresql://` connection URL.

    `busy_timeout` bounds the wait for a connection, for a row lock (`lock_timeout`) and for
    the server at connect time. `read_only=True` makes every transaction read-only (`gaps`,
    `briefs`), after upgrading the schema if it is behind.
    """

    kind = "postgresql"
    BYTES_OF_MARKDOWN = "octet_length(v.markdown)"
    NO_LIMIT = None

    def __init__(self, url: str, *, clock: Callable[[], datetime] | None = None, read_only: bool = False,
                 busy_timeout: float = 5.0, pool_size: int = DEFAULT_POOL) -> None:
        self.path = redact(url)
        self.read_only = read_only
        self._busy = busy_timeout
        self._clock = clock or (lambda: datetime.now(UTC))
        try:
            with psycopg.connect(_conninfo(url, busy_timeout, read_only=False), autocommit=True) as conn:
                self.upgraded_from = schema_version(conn)
                try:
                    _, self.schema_version = migrate(conn)
                except psycopg.Error as exc:
                    if read_only and self._fault(exc).kind == "read_only":
                        raise StoreError("needs_upgrade", self.path, found=self.upgraded_from,
                                         known=len(PG_MIGRATIONS)) from exc
                    raise
        except SchemaTooNewError as exc:
            raise StoreError("too_new", self.path, found=exc.found, known=exc.known) from exc
        except psycopg.Error as exc:
            raise self._fault(exc) from exc
        self._pool = ConnectionPool(
            _conninfo(url, busy_timeout, read_only=read_only), min_size=1, max_size=max(1, pool_size),
            kwargs={"autocommit": True, "row_factory": _rows}, open=False, timeout=busy_timeout,
            check=ConnectionPool.check_connection, name="plan-first")
        try:
            self._pool.open(wait=True, timeout=max(busy_timeout, 1.0))
        except psycopg.Error as exc:
            self._pool.close()
            raise self._fault(exc) from exc

    # --- plumbing -------------------------------------------------------------------------

    def _stamp(self, at: datetime) -> datetime:
        return from_text(at)

    def _fault(self, exc: psycopg.Error) -> StoreError:
        return from_psycopg(exc, self.path, busy_seconds=self._busy)

    @contextmanager
    def _write(self) -> Iterator[_PgConnection]:
        """One transaction on a pooled connection: committed at the end, rolled back on any error."""
        with self._transaction() as conn:
            yield conn

    @contextmanager
    def _snapshot(self) -> Iterator[_PgConnection]:
        with self._transaction("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY") as conn:
            yield conn

    @contextmanager
    def _transaction(self, first: str = "") -> Iterator[_PgConnection]:
        try:
            with self._pool.connection() as raw, raw.transaction():
                if first:
                    raw.execute(first)
                yield _PgConnection(raw)
        except psycopg.Error as exc:
            raise self._fault(exc) from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            with self._pool.connection() as raw:
                return _PgConnection(raw).execute(sql, params).fetchall()
        except psycopg.Error as exc:
            raise self._fault(exc) from exc

    def _insert_id(self, conn: _PgConnection, sql: str, params: Sequence[Any]) -> int:
        return int(conn.execute(sql + " RETURNING id", params).fetchone()[0])

    def _lock_key(self, conn: _PgConnection, key: str) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (key,))

    def close(self) -> None:
        """Close the pool (idempotent)."""
        self._pool.close()

    def _after_forget(self) -> None:
        try:
            with self._pool.connection() as raw:
                raw.execute(f"VACUUM {ERASED_TABLES}")
        except psycopg.Error as exc:  # the rows are deleted; only the space reclaim failed
            log.warning("%s: VACUUM after forget failed (%s); erased rows stay in the table files until the "
                        "next autovacuum", self.path, " ".join(str(exc).split())[:200])

    def sequences(self, conn: _PgConnection) -> dict[str, int]:
        found = {}
        for table in ID_TABLES:
            value = conn.execute("SELECT pg_sequence_last_value(pg_get_serial_sequence(?, 'id')::regclass)",
                                 (table,)).fetchone()[0]
            if value:
                found[table] = int(value)
        return found

    def raise_sequence(self, conn: _PgConnection, table: str, value: int) -> None:
        if table not in ID_TABLES:
            raise ValueError(f"no generated ids in {table!r}")
        top = conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]  # noqa: S608 - known table
        last = conn.execute("SELECT pg_sequence_last_value(pg_get_serial_sequence(?, 'id')::regclass)",
                            (table,)).fetchone()[0]
        value = max(int(value), int(top), int(last or 0))
        if value > 0:
            conn.execute("SELECT setval(pg_get_serial_sequence(?, 'id'), ?)", (table, value))


class _PgConnection:
    """A psycopg connection that speaks the stores' SQL: `?` placeholders, NUL-free text."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.raw.execute(_placeholders(sql), _clean(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(_placeholders(sql), [_clean(row) for row in rows])


@functools.lru_cache(maxsize=256)
def _placeholders(sql: str) -> str:
    """`?` -> `%s` (the stores' SQL has no `?` or `%` of its own inside literals)."""
    return sql.replace("%", "%%").replace("?", "%s")


def _clean(params: Sequence[Any]) -> list[Any]:
    return [value.replace("\x00", "\ufffd") if isinstance(value, str) else value for value in params]


class Row(tuple):  # type: ignore[type-arg]
    """A row read by position (`row[0]`) or by column name (`row["id"]`), like sqlite3.Row."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _rows(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    """psycopg row factory making `Row`s."""
    names = {column.name: i for i, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row.names = names
        return row
    return make


def _conninfo(url: str, busy_timeout: float, *, read_only: bool) -> str:
    """The URL with Plan First's session settings added to any `options` it carries."""
    params = conninfo_to_dict(url)
    options = [str(params.get("options") or ""), f"-c lock_timeout={int(busy_timeout * 1000)}"]
    if read_only:
        options.append("-c default_transaction_read_only=on")
    params["options"] = " ".join(o for o in options if o)
    params.setdefault("connect_timeout", max(2, int(busy_timeout)))
    params.setdefault("application_name", "plan-first")
    return make_conninfo("", **params)


def from_psycopg(exc: psycopg.Error, path: str, *, busy_seconds: float) -> StoreError:
    """The StoreError for a psycopg error met on the server at `path` (a redacted URL)."""
    state = getattr(exc, "sqlstate", None) or ""
    reason = " ".join(str(exc).split())[:240] or type(exc).__name__
    seconds = f"{busy_seconds:g}"
    if isinstance(exc, PoolTimeout):
        return StoreError("unreachable", path, reason=f"no connection within {seconds} s")
    if state in ("25006", "42501"):  # read-only transaction, insufficient privilege
        return StoreError("read_only", path)
    if state == "53100":
        return StoreError("full", path)
    if state in ("55P03", "57014", "40P01", "40001"):  # lock timeout, cancelled, deadlock, serialisation
        return StoreError("locked", path, seconds=seconds)
    if state.startswith("XX"):
        return StoreError("damaged", path, reason=reason)
    if state.startswith("42"):  # a table or column missing: not a Plan First database as expected
        return StoreError("damaged", path, reason=reason)
    if state.startswith(("08", "57P", "28", "3D")) or (isinstance(exc, psycopg.OperationalError) and not state):
        return StoreError("unreachable", path, reason=reason)
    return StoreError("io_error", path, reason=reason)
