"""What can go wrong with a store, as data an edge can turn into one clear sentence.

A store never lets a driver's exception (sqlite3, psycopg, OSError) reach a user: it raises
`StoreError` with a `kind` (a catalogue key suffix: `store_<kind>` in
knowledge/messages_storage.yaml), the file or URL at fault (a URL without its password) and
the values the sentence needs (psycopg's errors are mapped in `storage.pg_store`). `bot.py`
prints that sentence and exits 2; the Discord layer logs it.

`ConversationConflict` is not a fault: it is the compare-and-set saying "someone else saved
this conversation since you loaded it". The service re-runs the turn on the fresh state.
"""

from __future__ import annotations

import errno
import sqlite3
from typing import Any

KINDS = ("damaged", "too_new", "read_only", "full", "locked", "is_folder", "bad_parent", "not_writable",
         "cannot_open", "io_error", "needs_upgrade", "unreachable")
"""Every `kind` a StoreError may carry; each has a `store_<kind>` message (fr and en)."""


class StoreError(Exception):
    """The store cannot do what was asked; nothing of the failed operation was written."""

    def __init__(self, kind: str, path: str, **values: Any) -> None:
        assert kind in KINDS, kind
        self.kind = kind
        self.path = path
        self.values = {"path": path, **values}
        detail = ", ".join(f"{k}={v}" for k, v in values.items())
        super().__init__(f"{kind}: {path}" + (f" ({detail})" if detail else ""))

    @property
    def message_key(self) -> str:
        return f"store_{self.kind}"


class ConversationConflict(Exception):
    """`save_turn` found another revision than the one the turn was computed from."""

    def __init__(self, key: str, expected: int, found: int) -> None:
        self.key, self.expected, self.found = key, expected, found
        super().__init__(f"conversation {key!r} is at revision {found}, not {expected}")


def from_sqlite(exc: sqlite3.Error, path: str, *, busy_seconds: float) -> StoreError:
    """The StoreError for a sqlite3 error met on the database at `path`."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return StoreError("read_only", path)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return StoreError("locked", path, seconds=_seconds(busy_seconds))
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return StoreError("full", path)
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or "not a database" in text or "malformed" in text:
        return StoreError("damaged", path, reason=text)
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return StoreError("cannot_open", path, reason=text)
    if name.startswith("SQLITE_IOERR") or "I/O error" in text:
        return StoreError("io_error", path, reason=text)
    return StoreError("io_error", path, reason=text)


def from_os(exc: OSError, path: str) -> StoreError:
    """The StoreError for a file-system error met while preparing the database's folder."""
    reason = exc.strerror or str(exc)
    if isinstance(exc, (NotADirectoryError, FileExistsError)) or exc.errno == errno.ENOTDIR:
        return StoreError("bad_parent", path, reason=reason)
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreError("not_writable", path, reason=reason)
    if exc.errno == errno.ENOSPC:
        return StoreError("full", path)
    return StoreError("cannot_open", path, reason=reason)


def _seconds(value: float) -> str:
    return f"{value:g}"
