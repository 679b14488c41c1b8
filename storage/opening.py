"""Which store a `--db` / `PLANFIRST_DB` value names: a `postgresql://` URL opens the
PostgreSQL store, anything else is a SQLite file (the default).

psycopg is imported only when a URL is given, so SQLite users start as fast as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from .sqlite_store import SqliteStore

if TYPE_CHECKING:
    from .sql_store import SqlStore

POOL_VARIABLE = "PLANFIRST_DB_POOL"


def is_url(target: str) -> bool:
    """True for a PostgreSQL URL (`postgresql://` or `postgres://`)."""
    return target.startswith(("postgresql://", "postgres://"))


def label(target: str) -> str:
    """What may be printed for `target`: a path as is, a URL without its password."""
    if not is_url(target):
        return target
    from .pg_store import redact

    return redact(target)


def without_password(target: str) -> str:
    """`target` with the password of a URL taken out (everything else kept, query included)."""
    if not is_url(target):
        return target
    scheme, _, rest = target.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return target
    return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"


def pool_size() -> int:
    """Connections per process to PostgreSQL: PLANFIRST_DB_POOL (1-100), else 4."""
    text = os.environ.get(POOL_VARIABLE, "")
    return int(text) if text.isdigit() and 1 <= int(text) <= 100 else 4


def open_store(target: str, *, clock: Callable[[], datetime] | None = None, read_only: bool = False,
               busy_timeout: float = 5.0) -> SqlStore:
    """The store `target` names, opened and upgraded to the latest schema; StoreError if it cannot be."""
    if is_url(target):
        from .pg_store import PostgresStore

        return PostgresStore(target, clock=clock, read_only=read_only, busy_timeout=busy_timeout,
                             pool_size=pool_size())
    return SqliteStore(target, clock=clock, read_only=read_only, busy_timeout=busy_timeout)
