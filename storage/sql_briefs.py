"""Brief versions: the SQL behind the stores' brief methods (SQLite and PostgreSQL alike).

`briefs` has one row per brief (id, conversation key, intake, owner, latest version number);
`brief_versions` has the text of every version. Functions here take a connection already
inside the caller's transaction, so a brief version is saved with its turn or not at all.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from .protocol import BriefDraft, BriefRef

MAX_ID = 2**63 - 1
"""The largest id SQLite's INTEGER and PostgreSQL's bigint hold."""

SELECT = """
SELECT b.id, b.key, b.intake, b.user_id, b.guild_id, b.version AS versions, b.created_at,
       v.version, v.lang, v.request, v.markdown, v.data, v.created_at AS saved_at
FROM briefs AS b JOIN brief_versions AS v ON v.brief_id = b.id
"""
LATEST = SELECT + " WHERE v.version = b.version"


class Inserts(Protocol):
    def _insert_id(self, conn: Any, sql: str, params: Any) -> int: ...


def valid_id(value: object) -> bool:
    """An id the database can hold (a bigger number is simply not a brief, never an OverflowError)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def save_draft(store: Inserts, conn: Any, *, key: str, user_id: str, guild_id: str, draft: BriefDraft,
               now: Any) -> BriefRef:
    """Brief (key, intake): created at version 1, given version n+1, or left alone if unchanged."""
    row = None
    if draft.intake is not None:
        row = conn.execute("SELECT id, version FROM briefs WHERE key = ? AND intake = ?",
                           (key, draft.intake)).fetchone()
    if row is None:
        brief_id = store._insert_id(
            conn, "INSERT INTO briefs (key, intake, user_id, guild_id, version, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, 1, ?, ?)", (key, draft.intake, user_id, guild_id, now, now))
        version = 1
    else:
        brief_id, latest = int(row[0]), int(row[1])
        same = conn.execute("SELECT markdown FROM brief_versions WHERE brief_id = ? AND version = ?",
                            (brief_id, latest)).fetchone()
        if same is not None and same[0] == draft.markdown:
            return BriefRef(brief_id, latest, created=False)
        version = latest + 1
        conn.execute("UPDATE briefs SET version = ?, updated_at = ? WHERE id = ?", (version, now, brief_id))
    conn.execute(
        "INSERT INTO brief_versions (brief_id, version, lang, request, markdown, data, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (brief_id, version, draft.lang, draft.request, draft.markdown, json.dumps(draft.data, ensure_ascii=False),
         now))
    return BriefRef(brief_id, version, created=True)


def forget_briefs(conn: Any, *, brief_where: str, brief_params: list[Any], conv_where: str,
                  conv_params: list[Any], cutoff: Any, user_id: str | None) -> int:
    """Delete whole briefs matching, then (by age) the old versions of the briefs kept.

    A brief goes whole when its latest version matches (so every version does) or when its
    conversation is being forgotten; a kept brief loses the versions older than `cutoff`,
    never its latest. Returns briefs plus versions deleted individually.
    """
    ids = [row[0] for row in conn.execute(
        f"SELECT id FROM briefs AS b WHERE ({brief_where}) "
        f"OR key IN (SELECT key FROM conversations WHERE {conv_where})",
        (*brief_params, *conv_params)).fetchall()]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        conn.execute(f"DELETE FROM brief_versions WHERE brief_id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM briefs WHERE id IN ({marks})", chunk)
    deleted = len(ids)
    if cutoff is not None:
        owner, params = ("AND b.user_id = ?", [user_id]) if user_id is not None else ("", [])
        deleted += conn.execute(
            "DELETE FROM brief_versions WHERE created_at < ? AND EXISTS (SELECT 1 FROM briefs AS b "
            f"WHERE b.id = brief_versions.brief_id AND brief_versions.version < b.version {owner})",
            (cutoff, *params)).rowcount
    return deleted
