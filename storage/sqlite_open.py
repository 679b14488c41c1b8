"""Opening a SQLite database for Plan First: every fault becomes a StoreError, never a traceback.

What is checked, in order, and why:
- the path: a folder, a parent that is a file, a parent we cannot write to — each named;
- the file: not a database, damaged, written by a newer Plan First, read-only, locked by
  another program for longer than the busy timeout;
- read-write connections prove they can write (a read-only file opens silently in SQLite and
  would fail only at the first turn, after the user typed it).

Pragmas set on every read-write connection, whatever SQLite was compiled with:
- `secure_delete = ON`: deleted rows are overwritten with zeros, so `forget` leaves no
  readable trace in free pages (the default depends on the build);
- `journal_mode = WAL`, `synchronous = NORMAL`: readers never wait for a writer, and a killed
  process never corrupts the file (only a power cut can lose the last turns).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from .errors import StoreError, from_os, from_sqlite
from .migrations import MIGRATIONS, SchemaTooNewError, migrate, schema_version


_NO_SHARED_MEMORY = frozenset({"SQLITE_READONLY_DIRECTORY", "SQLITE_READONLY_CANTINIT", "SQLITE_CANTOPEN"})


def in_memory(path: str) -> bool:
    return path == ":memory:" or path.startswith("file::memory:")


def open_database(path: str, *, read_only: bool = False,
                  busy_timeout: float = 5.0) -> tuple[sqlite3.Connection, int, int]:
    """A connection in autocommit mode, the schema version, and the version found before any
    upgrade (0 for a new file); raises StoreError.

    A read-only open of a database whose schema is older than this code first upgrades it
    through a read-write connection (the upgrade is one transaction per version).
    """
    if read_only and not in_memory(path):
        conn, version, found = _open(path, read_only=True, busy_timeout=busy_timeout)
        if version == len(MIGRATIONS):
            return conn, version, found
        conn.close()
        try:
            upgrade, _, _ = _open(path, read_only=False, busy_timeout=busy_timeout)
        except StoreError as exc:
            if exc.kind == "read_only":
                raise StoreError("needs_upgrade", path, found=version, known=len(MIGRATIONS)) from exc
            raise
        upgrade.close()
        conn, version, _ = _open(path, read_only=True, busy_timeout=busy_timeout)
        return conn, version, found
    return _open(path, read_only=read_only, busy_timeout=busy_timeout)


def _open(path: str, *, read_only: bool, busy_timeout: float,
          immutable: bool = False) -> tuple[sqlite3.Connection, int, int]:
    memory = in_memory(path)
    if not memory:
        _check_path(path, read_only)
    try:
        uri = f"file:{quote(os.fsencode(os.path.abspath(path)))}?mode=ro" + ("&immutable=1" if immutable else "")
        target: str | bytes = uri if read_only else (path if memory else os.fsencode(path))
        conn = sqlite3.connect(target, uri=read_only, timeout=busy_timeout, check_same_thread=False,
                               isolation_level=None)
    except sqlite3.Error as exc:
        raise from_sqlite(exc, path, busy_seconds=busy_timeout) from exc
    conn.row_factory = sqlite3.Row
    try:
        if read_only:
            conn.execute("PRAGMA query_only = ON")
            version = schema_version(conn)
            if version > len(MIGRATIONS):
                raise SchemaTooNewError(version, len(MIGRATIONS))
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads page 1: not-a-database shows
            return conn, version, version
        conn.execute("PRAGMA secure_delete = ON")
        if not memory:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        found = schema_version(conn)
        version = migrate(conn)
        if not memory:
            _prove_writable(conn, version)
        return conn, version, found
    except SchemaTooNewError as exc:
        conn.close()
        raise StoreError("too_new", path, found=exc.found, known=exc.known) from exc
    except sqlite3.Error as exc:
        conn.close()
        if read_only and not immutable and getattr(exc, "sqlite_errorname", "") in _NO_SHARED_MEMORY:
            # A WAL database in a folder nobody may write: SQLite cannot create its -shm file to
            # read it. Nobody can write it either (a writer needs the -wal file), so it cannot
            # change under us: read it as immutable.
            return _open(path, read_only=True, busy_timeout=busy_timeout, immutable=True)
        raise from_sqlite(exc, path, busy_seconds=busy_timeout) from exc


def _check_path(path: str, read_only: bool) -> None:
    """Faults of the path itself, named before SQLite turns them into "unable to open"."""
    file = Path(path)
    try:
        if file.is_dir():
            raise StoreError("is_folder", path)
        if read_only:
            return
        if not file.parent.exists():
            file.parent.mkdir(parents=True, exist_ok=True)
        elif not file.parent.is_dir():
            raise StoreError("bad_parent", path, reason=f"{file.parent} is not a folder")
        if not file.exists() and not os.access(file.parent, os.W_OK):
            raise StoreError("not_writable", path, reason=f"{file.parent} is not writable")
    except OSError as exc:
        raise from_os(exc, path) from exc


def _prove_writable(conn: sqlite3.Connection, version: int) -> None:
    """SQLite opens a read-only file without a word; rewriting the header shows it at once."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(f"PRAGMA user_version = {int(version)}")
    finally:
        conn.execute("ROLLBACK")
