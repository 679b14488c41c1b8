"""Export from one store, import into another (SQLite -> PostgreSQL above all): every
conversation, brief (every version), gap, quiz and role-play score and setting arrives; ids
and id counters are kept; a bad, truncated or foreign file imports nothing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from storage import BriefDraft, GapDraft, SqliteStore
from storage.sql_store import SqlStore
from storage.transfer import TABLES, ImportProblem, export_rows, import_rows
from tests.pg_support import fresh_url
from tests.test_store_contract import T0, Clock


def _open(kind: str, tmp_path: Path, name: str, clock: Clock | None = None) -> SqlStore:
    if kind == "postgresql":
        from storage.pg_store import PostgresStore

        return PostgresStore(fresh_url(), clock=clock, pool_size=2)
    return SqliteStore(str(tmp_path / f"{name}.sqlite3"), clock=clock)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    with _open(request.param, tmp_path, "target") as store:
        yield store


def fill(store: SqlStore, clock: Clock) -> dict[str, Any]:
    """One of everything, including what is easy to lose: a brief with an old version erased
    by age, a brief erased whole (its id must not come back), text in two languages and emoji."""
    draft = BriefDraft(lang="fr", request="un blogue « vite » 🚀", markdown="# v1", data={"é": [1, 2]}, intake=1)
    store.save_turn("discord:1", {"turn": 1, "note": "référencement"}, expected_revision=0, user_id="ana",
                    guild_id="g1", brief=draft, gaps=[GapDraft("un truc web", "fr", [("website", 0.3)], "low")])
    clock.now += timedelta(days=40)
    second = store.save_turn("discord:1", {"turn": 2}, expected_revision=1, user_id="ana", guild_id="g1",
                             brief=BriefDraft(lang="fr", request="un blogue", markdown="# v2\n", data={}, intake=1))
    third = store.save_turn("discord:1", {"turn": 3}, expected_revision=2, user_id="ana", guild_id="g1",
                            brief=BriefDraft(lang="fr", request="un blogue", markdown="# v3\n", data={}, intake=1))
    store.save_brief(key="console:gone", user_id="gone", guild_id="", lang="en", request="a CRM", markdown="# x",
                     data={})
    store.forget(user_id="gone")
    store.forget(older_than=timedelta(days=30))  # erases version 1 of the brief and the first gap
    store.add_gap(text="SEO?", lang="en", candidates=[("seo", 0.4), ("blog", 0.1)], reason="low", user_id="bob")
    store.save_conversation("quiz:ana", {"quiz": "q1", "at": 2})
    store.set_setting("guild:g1", "lang", "en")
    store.save_quiz("q1", {"questions": [{"topic": "blog"}]})
    for index, correct in ((0, True), (1, False), (2, False)):
        store.record_quiz_answer(user_id="ana", guild_id="g1", quiz_id="q1", question_index=index, topic_id="seo",
                                 question_kind="definition", correct=correct)
    scenario = {"id": "blog-1", "seed": 2**40, "level": 2, "lang": "fr", "topic": "blog", "hidden": {"x": 1}}
    store.record_roleplay(user_id="ana", guild_id="g1", scenario=scenario, score=72,
                          criteria={"objective_first": "good", "capacity": "fair"})
    assert second.brief is not None and third.brief is not None
    return {"brief": third.brief.id}


def export_text(store: SqlStore) -> str:
    out = io.StringIO()
    export_rows(store, out, now=T0)
    return out.getvalue()


def rows(text: str) -> list[str]:
    """The data lines, minus the store's own id (each database keeps its own)."""
    return [line for line in text.splitlines()[1:] if '"scope": "store", "key": "id"' not in line]


def test_sqlite_export_imports_whole_into_either_store(tmp_path: Path, target: SqlStore) -> None:
    clock = Clock()
    with SqliteStore(str(tmp_path / "source.sqlite3"), clock=clock) as source:
        made = fill(source, clock)
        text = export_text(source)
        source_id = source.identity()
    counts = import_rows(target, text.splitlines(keepends=True), source="dump.jsonl")
    assert counts == {"settings": 1, "conversations": 2, "briefs": 1, "brief_versions": 2, "gaps": 1,
                      "quizzes": 1, "quiz_answers": 3, "roleplay_sessions": 1}
    assert rows(export_text(target)) == rows(text)  # every row, byte for byte
    assert target.identity() != source_id
    # and through the contract, as the bot will read them
    brief = target.get_brief(made["brief"])
    assert brief is not None and (brief.markdown, brief.version, brief.versions) == ("# v3\n", 3, 3)
    assert [v.version for v in target.brief_versions(made["brief"])] == [2, 3]
    assert brief.created_at == T0 and brief.saved_at == T0 + timedelta(days=40)
    assert brief.request == "un blogue" and target.get_brief(made["brief"], 2) is not None
    turn = target.load_turn("discord:1")
    assert turn is not None and turn.state == {"turn": 3} and turn.revision == 3
    assert [(g.text, g.top_candidate) for g in target.list_gaps()] == [("SEO?", "seo")]
    assert target.get_setting("guild:g1", "lang") == "en"
    assert target.quiz_leaderboard("g1") == [("ana", 1, 3)]
    assert target.missed_questions("ana", "g1") == [("q1", 2), ("q1", 1)]
    [session] = target.roleplay_sessions("ana", "g1")
    assert session["score"] == 72 and session["scenario"]["seed"] == 2**40
    assert session["criteria"] == {"objective_first": "good", "capacity": "fair"}
    # the ids handed out before stay handed out: the erased brief's number is not reused
    assert target.save_brief(key="k", user_id="u", guild_id="", lang="fr", request="r", markdown="# n",
                             data={}) == made["brief"] + 2


def test_postgresql_exports_back_to_sqlite_unchanged(tmp_path: Path) -> None:
    clock = Clock()
    with _open("postgresql", tmp_path, "pg", clock) as source:
        fill(source, clock)
        text = export_text(source)
    with SqliteStore(str(tmp_path / "back.sqlite3")) as back:
        import_rows(back, text.splitlines(), source="dump")
        assert rows(export_text(back)) == rows(text)


def export_of_one_brief(tmp_path: Path) -> list[str]:
    with SqliteStore(str(tmp_path / "one.sqlite3")) as source:
        source.save_turn("k", {"t": 1}, expected_revision=0, brief=BriefDraft("fr", "r", "# b", {}, intake=1))
        return export_text(source).splitlines()


def broken(lines: list[str], index: int, edit: Any) -> list[str]:
    record = json.loads(lines[index])
    edit(record)
    return [*lines[:index], json.dumps(record), *lines[index + 1:]]


def recount(end: str, more: int) -> str:
    record = json.loads(end)
    return json.dumps({**record, "rows": record["rows"] + more})


def brief_line(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith('{"table": "briefs"'))


@pytest.mark.parametrize(("case", "key"), [
    ("truncated", "import_truncated"),
    ("not_json", "import_not_json"),
    ("missing_field", "import_missing_field"),
    ("extra_field", "import_unknown_field"),
    ("text_for_number", "import_field_not_number"),
    ("bad_time", "import_field_not_time"),
    ("unknown_table", "import_unknown_table"),
    ("duplicate_row", "import_rejected"),
    ("newer_schema", "import_schema"),
    ("not_an_export", "import_not_export"),
    ("after_end", "import_after_end"),
])
def test_a_faulty_file_imports_nothing_and_says_where(tmp_path: Path, target: SqlStore, case: str, key: str) -> None:
    lines = export_of_one_brief(tmp_path)
    at = brief_line(lines)
    faulty = {
        "truncated": lambda: lines[:-1],
        "not_json": lambda: [*lines[:at], "{oops", *lines[at + 1:]],
        "missing_field": lambda: broken(lines, at, lambda r: r["row"].pop("key")),
        "extra_field": lambda: broken(lines, at, lambda r: r["row"].update(colour="red")),
        "text_for_number": lambda: broken(lines, at, lambda r: r["row"].update(id="7")),
        "bad_time": lambda: broken(lines, at, lambda r: r["row"].update(created_at="yesterday")),
        "unknown_table": lambda: broken(lines, at, lambda r: r.update(table="users")),
        "duplicate_row": lambda: [*lines[:at + 1], lines[at], *lines[at + 1:-1], recount(lines[-1], 1)],
        "newer_schema": lambda: broken(lines, 0, lambda r: r.update(schema=r["schema"] + 1)),
        "not_an_export": lambda: ['{"hello": "world"}', *lines[1:]],
        "after_end": lambda: [*lines, lines[at]],
    }[case]()
    with pytest.raises(ImportProblem) as caught:
        import_rows(target, faulty, source="dump.jsonl")
    assert caught.value.key == key and caught.value.values["file"] == "dump.jsonl"
    if "line" in caught.value.values:  # the line at fault, counted from 1
        assert caught.value.values["line"] == (len(lines) + 1 if case == "after_end" else at + 1)
    assert target.list_briefs() == [] and target.load_turn("k") is None  # nothing was written


def test_an_import_into_a_store_that_holds_data_is_refused(tmp_path: Path, target: SqlStore) -> None:
    lines = export_of_one_brief(tmp_path)
    target.set_setting("guild:1", "lang", "fr")
    with pytest.raises(ImportProblem) as caught:
        import_rows(target, lines, source="dump.jsonl")
    assert caught.value.key == "import_not_empty" and "settings 1" in caught.value.values["held"]
    assert target.list_briefs() == []


def test_the_export_format_lists_every_table_and_column_of_the_schema() -> None:
    """TABLES must follow the schema: a column added by a migration and not exported would
    be lost in a move (PostgreSQL's side: test_pg_store.py)."""
    with SqliteStore(":memory:") as store:
        tables = {row["name"] for row in store._read(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        assert tables == set(TABLES)
        for name, table in TABLES.items():
            columns = {row["name"] for row in store._read(f"PRAGMA table_info({name})")}
            assert columns == set(table.columns), name
