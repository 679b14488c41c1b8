"""Schema versions of the Plan First database, applied in order.

`PRAGMA user_version` holds how many entries of `MIGRATIONS` a database has received. A new
version is a new script appended at the end, never an edit of an old one: databases in the
field were built by the old scripts, and each one must be able to climb to the latest.
Each script runs in one transaction with its version bump, so a crash leaves the previous
version intact.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: conversations, briefs, knowledge gaps, settings.
    """
    CREATE TABLE conversations (
        key        TEXT PRIMARY KEY,
        state      TEXT NOT NULL,            -- JSON of the engine's ConversationState
        user_id    TEXT NOT NULL DEFAULT '',
        guild_id   TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL             -- ISO 8601 UTC, fixed width: sorts as text
    );
    CREATE TABLE briefs (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        key        TEXT NOT NULL,
        user_id    TEXT NOT NULL DEFAULT '',
        guild_id   TEXT NOT NULL DEFAULT '',
        lang       TEXT NOT NULL,
        request    TEXT NOT NULL,
        markdown   TEXT NOT NULL,
        data       TEXT NOT NULL,            -- JSON
        created_at TEXT NOT NULL
    );
    CREATE TABLE gaps (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        text          TEXT NOT NULL,
        lang          TEXT NOT NULL,
        candidates    TEXT NOT NULL,         -- JSON [[topic_id, score], ...], best first
        top_candidate TEXT NOT NULL,         -- first candidate, or 'none'
        reason        TEXT NOT NULL DEFAULT '',
        user_id       TEXT NOT NULL DEFAULT '',
        guild_id      TEXT NOT NULL DEFAULT '',
        created_at    TEXT NOT NULL
    );
    CREATE TABLE settings (
        scope TEXT NOT NULL,                 -- 'global', 'guild:<id>', 'user:<id>'...
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (scope, key)
    );
    """,
    # 2: quizzes and their answers; indexes for listing briefs and forgetting by age or user.
    """
    CREATE TABLE quizzes (
        quiz_id    TEXT PRIMARY KEY,
        definition TEXT NOT NULL,            -- JSON
        created_at TEXT NOT NULL
    );
    CREATE TABLE quiz_answers (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id        TEXT NOT NULL,
        guild_id       TEXT NOT NULL,
        quiz_id        TEXT NOT NULL,
        question_index INTEGER NOT NULL,
        topic_id       TEXT NOT NULL,
        question_kind  TEXT NOT NULL,
        correct        INTEGER NOT NULL CHECK (correct IN (0, 1)),
        answered_at    TEXT NOT NULL
    );
    CREATE INDEX quiz_answers_by_user ON quiz_answers (guild_id, user_id, quiz_id, question_index);
    CREATE INDEX briefs_by_guild ON briefs (guild_id, id);
    CREATE INDEX briefs_by_user ON briefs (user_id, id);
    CREATE INDEX conversations_by_user ON conversations (user_id);
    CREATE INDEX conversations_by_age ON conversations (updated_at);
    CREATE INDEX gaps_by_user ON gaps (user_id);
    """,
    # 3: brief versions (a brief is never overwritten: a correction adds a version), a
    # revision per conversation for compare-and-set saves, and the database's own id (brief
    # folders record it, so two databases never share one). `briefs` keeps one row per brief
    # (its id, owner, intake and latest version number); the text lives in `brief_versions`.
    # The table is rebuilt rather than altered (DROP COLUMN needs SQLite 3.35), keeping every
    # id and the AUTOINCREMENT counter, so a forgotten brief's number is never handed out again.
    """
    ALTER TABLE conversations ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE brief_versions (
        brief_id   INTEGER NOT NULL,
        version    INTEGER NOT NULL,
        lang       TEXT NOT NULL,
        request    TEXT NOT NULL,
        markdown   TEXT NOT NULL,
        data       TEXT NOT NULL,            -- JSON
        created_at TEXT NOT NULL,
        PRIMARY KEY (brief_id, version)
    );
    INSERT INTO brief_versions (brief_id, version, lang, request, markdown, data, created_at)
        SELECT id, 1, lang, request, markdown, data, created_at FROM briefs;
    CREATE TABLE briefs_v3 (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        key        TEXT NOT NULL,
        intake     INTEGER,                  -- NULL: not tied to a numbered intake
        user_id    TEXT NOT NULL DEFAULT '',
        guild_id   TEXT NOT NULL DEFAULT '',
        version    INTEGER NOT NULL,         -- the latest version
        created_at TEXT NOT NULL,            -- version 1
        updated_at TEXT NOT NULL             -- the latest version
    );
    INSERT INTO briefs_v3 (id, key, intake, user_id, guild_id, version, created_at, updated_at)
        SELECT id, key, NULL, user_id, guild_id, 1, created_at, created_at FROM briefs;
    DELETE FROM sqlite_sequence WHERE name = 'briefs_v3';
    INSERT INTO sqlite_sequence (name, seq)
        SELECT 'briefs_v3', MAX(seq) FROM (SELECT seq FROM sqlite_sequence WHERE name = 'briefs'
                                           UNION ALL SELECT MAX(id) FROM briefs_v3) WHERE seq IS NOT NULL
        HAVING MAX(seq) IS NOT NULL;
    DROP TABLE briefs;
    ALTER TABLE briefs_v3 RENAME TO briefs;
    CREATE INDEX briefs_by_guild ON briefs (guild_id, id);
    CREATE INDEX briefs_by_user ON briefs (user_id, id);
    CREATE INDEX briefs_by_key ON briefs (key, id);
    CREATE UNIQUE INDEX briefs_by_intake ON briefs (key, intake) WHERE intake IS NOT NULL;
    CREATE INDEX brief_versions_by_age ON brief_versions (created_at);
    INSERT OR IGNORE INTO settings (scope, key, value) VALUES ('store', 'id', lower(hex(randomblob(16))));
    """,
    # 4: role-play sessions (issue 12; storage/roleplay_store.py).
    """
    CREATE TABLE roleplay_sessions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id     TEXT NOT NULL,
        guild_id    TEXT NOT NULL,
        scenario_id TEXT NOT NULL,
        seed        INTEGER NOT NULL,
        level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
        lang        TEXT NOT NULL,
        topic       TEXT NOT NULL,
        score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
        criteria    TEXT NOT NULL,           -- JSON {criterion id: good|fair|poor}
        scenario    TEXT NOT NULL,           -- JSON of the scenario as drawn (replays use it)
        created_at  TEXT NOT NULL
    );
    CREATE INDEX roleplay_by_user ON roleplay_sessions (guild_id, user_id, created_at);
    """,
]


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Plan First: refuse rather than corrupt it."""

    def __init__(self, found: int, known: int) -> None:
        self.found, self.known = found, known
        super().__init__(f"database schema version {found} is newer than this code ({known})")


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring `conn` (in autocommit mode) to the latest version; returns that version."""
    current = schema_version(conn)
    if current > len(MIGRATIONS):
        raise SchemaTooNewError(current, len(MIGRATIONS))
    for version in range(current + 1, len(MIGRATIONS) + 1):
        try:
            conn.executescript(f"BEGIN;\n{MIGRATIONS[version - 1]}\nPRAGMA user_version = {version};\nCOMMIT;")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)
