"""bot.py's argument checks and fault messages: one clear sentence and exit 2, never a traceback.

Arguments arrive as the OS gives them: numbers that overflow SQLite or the calendar, bytes
that are not UTF-8 (Python keeps them as lone surrogates, which SQLite and JSON refuse or,
worse, write back raw). Identifiers (`--session`, `--user`) must be valid UTF-8: replacing
bytes could make `forget --user` erase someone else's data. Free text (`advise "REQUEST"`)
has its bad bytes replaced with U+FFFD, as the console does for its input.

`explain(exc)` maps the faults the stores, the brief folder and the `.env` reader raise to a
catalogue key and its values (knowledge/messages_storage.yaml).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from .terminal import safe

MAX_ID = 2**63 - 1
"""The largest id SQLite (and PostgreSQL's bigint) can hold."""
_AGE = re.compile(r"^\s*(\d{1,12})\s*([dhm])\s*$")


class EnvFileError(Exception):
    """The `.env` file exists but cannot be read as UTF-8 text (raised by the Discord launcher)."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = path
        super().__init__(reason)


class UsageProblem(Exception):
    """A user's mistake in the arguments; `key` is a catalogue message."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key, self.values = key, values
        super().__init__(f"{key}: {values}")


def shown(value: str, limit: int = 60) -> str:
    """An argument as it can be printed: bad bytes as \\xNN, no control characters, short."""
    text = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    text = safe(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def utf8(value: str | None, option: str) -> str | None:
    """`value` if it is valid UTF-8 text; UsageProblem otherwise."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageProblem("not_utf8_option", option=option, value=shown(value)) from None
    return value


def free_text(value: str) -> str:
    """Free text from the command line with undecodable bytes replaced by U+FFFD."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def whole_number(value: str, option: str) -> int:
    """A positive id that fits in 64 bits; UsageProblem otherwise."""
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and 1 <= int(text) <= MAX_ID):
        raise UsageProblem("bad_number", option=option, value=shown(value), max=MAX_ID)
    return int(text)


def age(text: str, now: datetime | None = None) -> timedelta | None:
    """`30d`, `12h`, `90m` as a duration; None if not of that form; UsageProblem if it reaches
    before the first day the calendar can write."""
    match = _AGE.match(text)
    if not match:
        return None
    number, unit = int(match.group(1)), match.group(2)
    limit = (now or datetime.now(UTC)) - datetime.min.replace(tzinfo=UTC)
    seconds = number * {"d": 86400, "h": 3600, "m": 60}[unit]
    if seconds >= limit.total_seconds():
        raise UsageProblem("forget_too_far", value=shown(text), max=limit.days - 1)
    return timedelta(seconds=seconds)


def check_arguments(args: Any) -> None:
    """Every argument check that needs no database or knowledge base, before loading them:
    a mistake costs a blink. Sets `args.checked_id`, `args.checked_version`, `args.checked_age`."""
    utf8(getattr(args, "session", None), "--session")
    utf8(getattr(args, "user", None), "--user")
    command = getattr(args, "command", None)
    brief_id, version = getattr(args, "id", None), getattr(args, "version", None)
    args.checked_id = whole_number(brief_id, "briefs ID") if command == "briefs" and brief_id is not None else None
    args.checked_version = whole_number(version, "--version") if command == "briefs" and version is not None else None
    if command == "briefs" and version is not None and brief_id is None:
        raise UsageProblem("version_needs_id")
    args.checked_shards = shard_plan(getattr(args, "shards", None), getattr(args, "shard_ids", None))
    args.checked_age = None
    if command == "forget":
        older = getattr(args, "older_than", None)
        args.checked_age = age(older) if older else None
        if (older and args.checked_age is None) or (not older and not getattr(args, "user", None)):
            raise UsageProblem("forget_usage")


MAX_SHARDS = 4096


def shard_plan(count: str | None, ids: str | None) -> tuple[int, tuple[int, ...] | None] | None:
    """`--shards N [--shard-ids a,b,c-d]` as (N, ids or None for all); None when not sharded.

    Discord numbers shards 0..N-1 and sends a server's events to shard (server id >> 22) % N,
    so every process of one deployment must be given the same N and disjoint ids."""
    if count is None:
        if ids is not None:
            raise UsageProblem("shards_usage", value=shown(ids))
        return None
    text = count.strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_SHARDS):
        raise UsageProblem("shards_count", value=shown(count), max=MAX_SHARDS)
    total = int(text)
    if ids is None:
        return total, None
    chosen: list[int] = []
    for part in ids.split(","):
        low, _, high = part.strip().partition("-")
        if not (low.isascii() and low.isdigit() and (not high or (high.isascii() and high.isdigit()))):
            raise UsageProblem("shard_ids_bad", value=shown(ids), last=total - 1)
        first, last = int(low), int(high or low)
        if first > last or last >= total:
            raise UsageProblem("shard_ids_bad", value=shown(ids), last=total - 1)
        chosen.extend(range(first, last + 1))
    if len(set(chosen)) != len(chosen):
        raise UsageProblem("shard_ids_bad", value=shown(ids), last=total - 1)
    return total, tuple(chosen)


def explain(exc: BaseException) -> tuple[str, dict[str, Any]] | None:
    """The catalogue key and values that explain `exc`, or None if it is not a known fault."""
    from storage.brief_files import BriefFileError, BriefFolderError
    from storage.errors import StoreError
    from storage.transfer import ImportProblem

    if isinstance(exc, UsageProblem):
        return exc.key, exc.values
    if isinstance(exc, ImportProblem):
        return exc.key, {k: _printable(v) for k, v in exc.values.items()}
    if isinstance(exc, StoreError):
        return exc.message_key, {k: _printable(v) for k, v in exc.values.items()}
    if isinstance(exc, BriefFolderError):
        return exc.kind, {k: _printable(v) for k, v in exc.values.items()}
    if isinstance(exc, BriefFileError):
        return "briefs_folder_unusable", {"path": _printable(exc.path), "reason": exc.reason}
    if isinstance(exc, EnvFileError):
        return "env_unreadable", {"path": _printable(exc.path), "reason": str(exc)}
    return None


def _printable(value: object) -> object:
    return shown(str(value), limit=300) if isinstance(value, str) or hasattr(value, "__fspath__") else value
