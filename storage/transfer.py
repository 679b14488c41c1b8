"""Every stored row as JSON lines, out of one store and into another (`bot.py export` and
`bot.py import FILE`): how an agency moves from SQLite to PostgreSQL without losing a brief.

The file, one JSON object a line, UTF-8:

    {"format": "plan-first-export", "version": 1, "schema": 4, "store": "sqlite", "exported_at": "..."}
    {"table": "conversations", "row": {"key": "...", "state": "...", ...}}
    ...
    {"table": "sequences", "row": {"name": "briefs", "value": 57}}
    {"end": true, "rows": 1234}

Why it is built this way:
- **Every row, every column, as stored.** Ids are kept (a brief is "no. 12" in links and
  files), JSON columns stay the text they were, times are the fixed-width UTC text SQLite
  uses. `TABLES` lists the schema's tables and columns; a test holds it to both schemas.
- **Id counters too** (`sequences`): a forgotten brief's number is never handed out again,
  after an import as before it.
- **One snapshot, one transaction.** The export reads one consistent moment while the bot
  keeps running; the import is all or nothing, so a bad line leaves the target untouched.
- **A truncated file is refused**, not half-imported: the last line counts the rows.
- **Into an empty store only.** Merging two databases would renumber briefs; the import
  says what the target already holds instead. The target keeps its own `store`/`id`
  setting (brief folders are marked with it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from .records import from_text, to_text
from .sql_store import SqlStore

FORMAT = "plan-first-export"
FORMAT_VERSION = 1
PAGE = 500

TIME, TEXT, INT, OPTIONAL_INT = "time", "text", "int", "int?"


@dataclass(frozen=True)
class Table:
    key: tuple[str, ...]
    columns: dict[str, str]


TABLES: dict[str, Table] = {
    "settings": Table(("scope", "key"), {"scope": TEXT, "key": TEXT, "value": TEXT}),
    "conversations": Table(("key",), {"key": TEXT, "state": TEXT, "user_id": TEXT, "guild_id": TEXT,
                                      "updated_at": TIME, "revision": INT}),
    "briefs": Table(("id",), {"id": INT, "key": TEXT, "intake": OPTIONAL_INT, "user_id": TEXT, "guild_id": TEXT,
                              "version": INT, "created_at": TIME, "updated_at": TIME}),
    "brief_versions": Table(("brief_id", "version"), {"brief_id": INT, "version": INT, "lang": TEXT, "request": TEXT,
                                                      "markdown": TEXT, "data": TEXT, "created_at": TIME}),
    "gaps": Table(("id",), {"id": INT, "text": TEXT, "lang": TEXT, "candidates": TEXT, "top_candidate": TEXT,
                            "reason": TEXT, "user_id": TEXT, "guild_id": TEXT, "created_at": TIME}),
    "quizzes": Table(("quiz_id",), {"quiz_id": TEXT, "definition": TEXT, "created_at": TIME}),
    "quiz_answers": Table(("id",), {"id": INT, "user_id": TEXT, "guild_id": TEXT, "quiz_id": TEXT,
                                    "question_index": INT, "topic_id": TEXT, "question_kind": TEXT, "correct": INT,
                                    "answered_at": TIME}),
    "roleplay_sessions": Table(("id",), {"id": INT, "user_id": TEXT, "guild_id": TEXT, "scenario_id": TEXT,
                                         "seed": INT, "level": INT, "lang": TEXT, "topic": TEXT, "score": INT,
                                         "criteria": TEXT, "scenario": TEXT, "created_at": TIME}),
}
SEQUENCE_TABLES = ("briefs", "gaps", "quiz_answers", "roleplay_sessions")
KEPT_SETTING = ("store", "id")
"""The target's own identity: never overwritten by an import."""


class ImportProblem(Exception):
    """The file cannot be imported; `key` is a catalogue message, `values` its placeholders.
    Nothing was written."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key, self.values = key, values
        super().__init__(f"{key}: {values}")


def export_rows(store: SqlStore, out: IO[str], *, now: datetime | None = None) -> dict[str, int]:
    """Write every row of `store` to `out`; returns how many rows per table."""
    counts: dict[str, int] = {}
    with store.snapshot() as conn:
        out.write(_line({"format": FORMAT, "version": FORMAT_VERSION, "schema": store.schema_version,
                         "store": store.kind, "exported_at": to_text(now or datetime.now(UTC))}))
        for name, table in TABLES.items():
            counts[name] = 0
            for row in _pages(conn, name, table):
                out.write(_line({"table": name, "row": row}))
                counts[name] += 1
        sequences = store.sequences(conn)
        for name in SEQUENCE_TABLES:
            if sequences.get(name):
                out.write(_line({"table": "sequences", "row": {"name": name, "value": sequences[name]}}))
        out.write(_line({"end": True, "rows": sum(counts.values())}))
    return counts


def _pages(conn: Any, name: str, table: Table) -> Iterator[dict[str, Any]]:
    """The rows of one table in key order, a page at a time (keyset: constant memory)."""
    columns = list(table.columns)
    key = ", ".join(table.key)
    last: tuple[Any, ...] | None = None
    while True:
        after = f"WHERE ({key}) > ({', '.join('?' * len(table.key))}) " if last is not None else ""
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM {name} {after}ORDER BY {key} LIMIT {PAGE}",
                            last or ()).fetchall()
        for row in rows:
            yield {column: _out(row[i], table.columns[column]) for i, column in enumerate(columns)}
        if len(rows) < PAGE:
            return
        last = tuple(rows[-1][columns.index(k)] for k in table.key)


def _out(value: Any, kind: str) -> Any:
    if kind == TIME:
        return to_text(from_text(value))
    return value


def _line(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False) + "\n"


def import_rows(store: SqlStore, lines: Iterable[str], *, source: str) -> dict[str, int]:
    """Load an export into `store` (which must hold nothing yet), in one transaction; returns
    how many rows per table. ImportProblem, with nothing written, on any fault of the file."""
    numbered = iter(enumerate(lines, start=1))
    _check_header(next(numbered, None), store, source)
    counts = {name: 0 for name in TABLES}
    sequences: dict[str, int] = {}
    pending: dict[str, list[list[Any]]] = {name: [] for name in TABLES}
    ended, read = False, 0
    with store.transaction() as conn:
        _check_empty(conn, source)
        for number, text in numbered:
            if not text.strip():
                continue
            if ended:
                raise ImportProblem("import_after_end", file=source, line=number)
            record = _json(text, source, number)
            if record.get("end") is True:
                if record.get("rows") != read:
                    raise ImportProblem("import_truncated", file=source, expected=record.get("rows"), found=read)
                ended = True
                continue
            name, row = record.get("table"), record.get("row")
            if not isinstance(row, dict):
                raise ImportProblem("import_bad_record", file=source, line=number)
            if name == "sequences":
                table_name, value = row.get("name"), row.get("value")
                if table_name not in SEQUENCE_TABLES or not _is_int(value):
                    raise ImportProblem("import_bad_record", file=source, line=number)
                sequences[str(table_name)] = int(value or 0)
                continue
            if name not in TABLES:
                raise ImportProblem("import_unknown_table", file=source, line=number, table=str(name)[:60])
            values = _values(store, TABLES[name], row, source, number)
            read += 1
            if name == "settings" and (row["scope"], row["key"]) == KEPT_SETTING:
                continue
            counts[name] += 1
            pending[name].append(values)
            if len(pending[name]) >= PAGE:
                _insert(conn, name, pending[name], source)
                pending[name] = []
        if not ended:
            raise ImportProblem("import_truncated", file=source, expected="?", found=read)
        for name, rows in pending.items():
            _insert(conn, name, rows, source)
        for name in SEQUENCE_TABLES:
            store.raise_sequence(conn, name, sequences.get(name, 0))
    return counts


def _check_header(first: tuple[int, str] | None, store: SqlStore, source: str) -> None:
    if first is None:
        raise ImportProblem("import_not_export", file=source)
    try:
        header = json.loads(first[1])
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ImportProblem("import_not_export", file=source)
    if header.get("version") != FORMAT_VERSION or header.get("schema") != store.schema_version:
        raise ImportProblem("import_schema", file=source, schema=header.get("schema"), known=store.schema_version)


def _check_empty(conn: Any, source: str) -> None:
    held = []
    for name in TABLES:
        extra = " WHERE NOT (scope = 'store' AND key = 'id')" if name == "settings" else ""
        count = int(conn.execute(f"SELECT COUNT(*) FROM {name}{extra}").fetchone()[0])
        if count:
            held.append(f"{name} {count}")
    if held:
        raise ImportProblem("import_not_empty", file=source, held=", ".join(held))


def _json(text: str, source: str, number: int) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise ImportProblem("import_not_json", file=source, line=number) from None
    if not isinstance(value, dict):
        raise ImportProblem("import_bad_record", file=source, line=number)
    return value


def _values(store: SqlStore, table: Table, row: dict[str, Any], source: str, number: int) -> list[Any]:
    """The row's values in `table.columns` order, checked and converted for `store`."""
    if set(row) != set(table.columns):
        missing, extra = sorted(set(table.columns) - set(row)), sorted(set(row) - set(table.columns))
        key = "import_missing_field" if missing else "import_unknown_field"
        raise ImportProblem(key, file=source, line=number, field=str((missing or extra)[0])[:60])
    values = []
    for column, kind in table.columns.items():
        value = row[column]
        if kind == TIME:
            try:
                value = store.stamp(from_text(value))
            except (TypeError, ValueError):
                raise ImportProblem("import_field_not_time", file=source, line=number, field=column) from None
        elif kind == TEXT and not isinstance(value, str):
            raise ImportProblem("import_field_not_text", file=source, line=number, field=column)
        elif kind in (INT, OPTIONAL_INT) and not (_is_int(value) or (kind == OPTIONAL_INT and value is None)):
            raise ImportProblem("import_field_not_number", file=source, line=number, field=column)
        values.append(value)
    return values


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _insert(conn: Any, name: str, rows: list[list[Any]], source: str) -> None:
    """Insert a batch; a row the database refuses (a duplicate id, a score out of range) is
    an ImportProblem naming the table, and the transaction rolls back."""
    if not rows:
        return
    columns = list(TABLES[name].columns)
    try:
        conn.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
    except Exception as exc:
        if "IntegrityError" not in {cls.__name__ for cls in type(exc).__mro__}:  # sqlite3's or psycopg's
            raise
        reason = " ".join(str(exc).split())[:200]
        raise ImportProblem("import_rejected", file=source, table=name, reason=reason) from exc
