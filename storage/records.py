"""The records the stores hand back, and how times are written in the database.

SQLite keeps times as fixed-width ISO 8601 UTC text (it sorts as text); PostgreSQL as
`timestamptz`, which the driver returns as a datetime. `from_text` reads both, so the row
converters here serve both stores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_text(at: datetime) -> str:
    """Fixed-width UTC text; a naive datetime is taken as UTC."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).strftime(_TIME_FORMAT)


def from_text(text: str | datetime) -> datetime:
    """A stored time as an aware UTC datetime (text from SQLite, a datetime from PostgreSQL);
    ValueError if text is not in the fixed-width format."""
    if isinstance(text, datetime):
        return (text if text.tzinfo else text.replace(tzinfo=UTC)).astimezone(UTC)
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


@dataclass(frozen=True)
class BriefRecord:
    """One version of a saved meeting brief (the latest unless asked otherwise)."""

    id: int
    key: str
    user_id: str
    guild_id: str
    lang: str
    request: str
    markdown: str
    data: dict[str, Any]
    created_at: datetime
    """When the brief's first version was saved."""
    version: int = 1
    """Which version this record holds."""
    versions: int = 1
    """The brief's latest version number (versions are 1..versions; `forget` may erase old ones)."""
    intake: int | None = None
    saved_at: datetime | None = None
    """When this version was saved."""

    @property
    def is_latest(self) -> bool:
        return self.version == self.versions


@dataclass(frozen=True)
class BriefInfo:
    """One version of one brief, without its text: what a folder of brief files must hold."""

    id: int
    version: int
    latest: int
    size: int
    """Bytes of the version's Markdown in UTF-8."""


@dataclass(frozen=True)
class GapRecord:
    """A request the bot could not place with confidence."""

    id: int
    text: str
    lang: str
    candidates: tuple[tuple[str, float], ...]
    reason: str
    user_id: str
    guild_id: str
    created_at: datetime

    @property
    def top_candidate(self) -> str:
        return self.candidates[0][0] if self.candidates else "none"


@dataclass(frozen=True)
class GapSummary:
    """Knowledge gaps sharing a best guess ("none" when the classifier had none)."""

    candidate: str
    count: int
    last_at: datetime
    samples: tuple[str, ...]


def brief_from_row(row: Any) -> BriefRecord:
    """A row of `briefs` joined with one of its `brief_versions` (see sql_briefs.SELECT)."""
    return BriefRecord(id=row["id"], key=row["key"], user_id=row["user_id"], guild_id=row["guild_id"],
                       lang=row["lang"], request=row["request"], markdown=row["markdown"],
                       data=json_object(row["data"]), created_at=from_text(row["created_at"]),
                       version=row["version"], versions=row["versions"], intake=row["intake"],
                       saved_at=from_text(row["saved_at"]))


def json_object(text: str) -> dict[str, Any]:
    """A stored JSON object; {} when the text is not one (a damaged row must not stop a listing)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def gap_from_row(row: Any) -> GapRecord:
    return GapRecord(id=row["id"], text=row["text"], lang=row["lang"],
                     candidates=tuple((str(t), float(s)) for t, s in json.loads(row["candidates"])),
                     reason=row["reason"], user_id=row["user_id"], guild_id=row["guild_id"],
                     created_at=from_text(row["created_at"]))
