"""Every store method on SQLite and on PostgreSQL (when `PLANFIRST_TEST_PG` names a server);
SQLite's migrations from version 1, file persistence, threads (PostgreSQL's own: test_pg_store.py)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage import MIGRATIONS, SqliteStore, StoreError

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    """A hand-moved clock, so ages are exact."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, clock: Clock) -> Iterator[SqliteStore]:
    if request.param == "postgresql":
        from storage.pg_store import PostgresStore
        from tests.pg_support import fresh_url

        made: Any = PostgresStore(fresh_url(), clock=clock, pool_size=2)
    else:
        made = SqliteStore(":memory:", clock=clock)
    with made as s:
        yield s


def brief(store: SqliteStore, key: str = "discord:1", user: str = "u1", guild: str = "g1",
          text: str = "# Brief") -> int:
    return store.save_brief(key=key, user_id=user, guild_id=guild, lang="fr", request="un blogue",
                            markdown=text, data={"topics": ["blog"], "é": 1})


def test_new_database_is_at_latest_version(store: SqliteStore) -> None:
    assert store.schema_version == len(MIGRATIONS) >= 2


def test_conversation_round_trip(store: SqliteStore) -> None:
    assert store.load_conversation("console:ana") is None
    store.save_conversation("console:ana", {"stage": "ask", "answers": {"producer": "owner"}}, user_id="ana")
    store.save_conversation("console:ana", {"stage": "done", "note": "référencement"}, user_id="ana")
    assert store.load_conversation("console:ana") == {"stage": "done", "note": "référencement"}
    store.delete_conversation("console:ana")
    assert store.load_conversation("console:ana") is None
    store.delete_conversation("console:nobody")  # no error


def test_briefs(store: SqliteStore, clock: Clock) -> None:
    first = brief(store, user="u1", guild="g1")
    clock.now += timedelta(minutes=1)
    second = brief(store, user="u2", guild="g1", text="# Second")
    third = brief(store, user="u1", guild="g2")
    record = store.get_brief(second)
    assert record is not None
    expected = (second, "u2", "# Second", {"topics": ["blog"], "é": 1})
    assert (record.id, record.user_id, record.markdown, record.data) == expected
    assert record.created_at == T0 + timedelta(minutes=1)
    assert store.get_brief(999) is None
    assert [b.id for b in store.list_briefs()] == [third, second, first]
    assert [b.id for b in store.list_briefs(guild_id="g1")] == [second, first]
    assert [b.id for b in store.list_briefs(user_id="u1")] == [third, first]
    assert [b.id for b in store.list_briefs(guild_id="g1", user_id="u1")] == [first]
    assert [b.id for b in store.list_briefs(limit=1)] == [third]


def test_gaps_and_summary(store: SqliteStore) -> None:
    store.add_gap(text="un truc web", lang="fr", candidates=[("website", 0.3), ("blog", 0.2)], reason="low")
    store.add_gap(text="site?", lang="fr", candidates=[["blog", 0.1], ["website", 0.35]], reason="low",  # type: ignore[list-item]
                  at=T0 + timedelta(hours=1))
    store.add_gap(text="quoi", lang="fr", candidates=[], reason="out_of_scope", at=T0 + timedelta(hours=2))
    for i in range(4):
        store.add_gap(text=f"web {i}", lang="en", candidates=[("website", 0.2)], reason="low",
                      at=T0 + timedelta(days=i))
    gaps = store.list_gaps()
    assert len(gaps) == 7 and gaps[0].text == "web 3"
    site = next(g for g in gaps if g.text == "site?")
    assert site.candidates == (("website", 0.35), ("blog", 0.1)) and site.top_candidate == "website"
    assert len(store.list_gaps(limit=2)) == 2
    summary = store.gap_summary()
    assert [(s.candidate, s.count) for s in summary] == [("website", 6), ("none", 1)]
    assert summary[0].samples == ("web 3", "web 2", "web 1")
    assert summary[0].last_at == T0 + timedelta(days=3)
    assert summary[1].samples == ("quoi",)


def test_forget_needs_a_criterion(store: SqliteStore) -> None:
    with pytest.raises(ValueError):
        store.forget()


def test_forget_by_age(store: SqliteStore, clock: Clock) -> None:
    store.save_conversation("old", {"n": 1}, user_id="u1")
    brief(store, key="old")
    store.add_gap(text="vieux", lang="fr", candidates=[], reason="", user_id="u1")
    store.record_quiz_answer(user_id="u1", guild_id="g", quiz_id="q", question_index=0, topic_id="blog",
                             question_kind="definition", correct=True)
    clock.now += timedelta(days=40)
    store.save_conversation("new", {"n": 2}, user_id="u1")
    kept = brief(store, key="new")
    assert store.forget(older_than=timedelta(days=30)) == 3
    assert store.load_conversation("old") is None and store.load_conversation("new") == {"n": 2}
    assert [b.id for b in store.list_briefs()] == [kept]
    assert store.list_gaps() == []
    assert store.quiz_leaderboard("g") == [("u1", 1, 1)]  # age alone keeps quiz scores


def test_forget_by_user(store: SqliteStore, clock: Clock) -> None:
    store.save_conversation("discord:1", {"n": 1}, user_id="u1")
    store.save_conversation("discord:2", {"n": 2}, user_id="u2")
    brief(store, key="discord:1", user="u1")
    other = brief(store, key="discord:2", user="u2")
    store.add_gap(text="a", lang="fr", candidates=[], reason="", user_id="u1")
    store.add_gap(text="b", lang="fr", candidates=[], reason="", user_id="u2")
    store.record_quiz_answer(user_id="u1", guild_id="g", quiz_id="q", question_index=0, topic_id="blog",
                             question_kind="definition", correct=False)
    assert store.forget(user_id="u1") == 4
    assert store.load_conversation("discord:1") is None and store.load_conversation("discord:2") == {"n": 2}
    assert [b.id for b in store.list_briefs()] == [other]
    assert [g.text for g in store.list_gaps()] == ["b"]
    assert store.quiz_leaderboard("g") == []


def test_forget_by_user_and_age(store: SqliteStore, clock: Clock) -> None:
    store.save_conversation("a", {}, user_id="u1")
    store.save_conversation("b", {}, user_id="u2")
    clock.now += timedelta(days=10)
    store.save_conversation("c", {}, user_id="u1")
    assert store.forget(older_than=timedelta(days=5), user_id="u1") == 1
    assert store.load_conversation("a") is None
    assert store.load_conversation("b") == {} and store.load_conversation("c") == {}


def test_settings(store: SqliteStore) -> None:
    assert store.get_setting("guild:1", "lang") is None
    store.set_setting("guild:1", "lang", "en")
    store.set_setting("guild:1", "lang", "fr")
    store.set_setting("guild:2", "lang", "en")
    assert store.get_setting("guild:1", "lang") == "fr" and store.get_setting("guild:2", "lang") == "en"


def test_quiz_definitions(store: SqliteStore) -> None:
    assert store.load_quiz("q1") is None
    store.save_quiz("q1", {"questions": [{"topic": "blog", "answer": 2}]})
    store.save_quiz("q1", {"questions": []})
    assert store.load_quiz("q1") == {"questions": []}


def answer(store: SqliteStore, user: str, index: int, correct: bool, topic: str = "blog", quiz: str = "q1",
           guild: str = "g1", minutes: int = 0) -> None:
    store.record_quiz_answer(user_id=user, guild_id=guild, quiz_id=quiz, question_index=index, topic_id=topic,
                             question_kind="definition", correct=correct, at=T0 + timedelta(minutes=minutes))


def test_leaderboard_and_weak_topics(store: SqliteStore) -> None:
    answer(store, "ana", 0, True)
    answer(store, "ana", 1, True, topic="seo")
    answer(store, "ana", 2, False, topic="seo")
    answer(store, "bob", 0, True)
    answer(store, "bob", 1, False, topic="seo")
    answer(store, "bob", 2, False, topic="crm")
    answer(store, "bob", 3, False, topic="crm")
    answer(store, "cy", 0, True, guild="g2")
    assert store.quiz_leaderboard("g1") == [("ana", 2, 3), ("bob", 1, 4)]
    assert store.quiz_leaderboard("g1", limit=1) == [("ana", 2, 3)]
    assert store.weak_topics("bob", "g1") == [("crm", 2, 2), ("seo", 1, 1)]
    assert store.weak_topics("ana", "g1") == [("seo", 1, 2)]
    assert store.weak_topics("cy", "g2") == []


def test_missed_questions_until_answered_correctly(store: SqliteStore) -> None:
    answer(store, "ana", 0, False, minutes=1)
    answer(store, "ana", 1, False, minutes=2)
    answer(store, "ana", 2, True, minutes=3)
    answer(store, "ana", 0, True, minutes=4)     # 0 was fixed
    answer(store, "ana", 3, True, minutes=5)
    answer(store, "ana", 3, False, minutes=6)    # 3 missed after a success: ask again
    answer(store, "ana", 4, False, quiz="q2", minutes=7)
    answer(store, "bob", 1, True, minutes=8)     # someone else's success changes nothing
    assert store.missed_questions("ana", "g1") == [("q2", 4), ("q1", 3), ("q1", 1)]
    assert store.missed_questions("ana", "g1", limit=1) == [("q2", 4)]
    assert store.missed_questions("ana", "other") == []


VERSION_1 = """
CREATE TABLE conversations (key TEXT PRIMARY KEY, state TEXT NOT NULL, user_id TEXT NOT NULL DEFAULT '',
    guild_id TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL);
CREATE TABLE briefs (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, user_id TEXT NOT NULL DEFAULT '',
    guild_id TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL, request TEXT NOT NULL, markdown TEXT NOT NULL,
    data TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE gaps (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, lang TEXT NOT NULL,
    candidates TEXT NOT NULL, top_candidate TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
    user_id TEXT NOT NULL DEFAULT '', guild_id TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL);
CREATE TABLE settings (scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (scope, key));
INSERT INTO conversations VALUES ('console:ana', '{"stage": "ask"}', 'ana', '', '2024-01-01T00:00:00.000000Z');
INSERT INTO briefs VALUES (7, 'console:ana', 'ana', '', 'fr', 'un blogue', '# Brief', '{}',
                           '2024-01-01T00:00:00.000000Z');
INSERT INTO settings VALUES ('guild:1', 'lang', 'en');
PRAGMA user_version = 1;
"""


def test_version_1_database_migrates(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(VERSION_1)
    conn.close()
    with SqliteStore(str(path)) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.load_conversation("console:ana") == {"stage": "ask"}
        old = store.get_brief(7)
        assert old is not None and old.created_at == datetime(2024, 1, 1, tzinfo=UTC)
        assert store.get_setting("guild:1", "lang") == "en"
        store.record_quiz_answer(user_id="ana", guild_id="g", quiz_id="q", question_index=0, topic_id="blog",
                                 question_kind="definition", correct=True)
        assert store.quiz_leaderboard("g") == [("ana", 1, 1)]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    conn.close()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError) as caught:
        SqliteStore(str(path))
    assert caught.value.kind == "too_new" and caught.value.values["found"] == len(MIGRATIONS) + 1


def test_file_database_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "plan_first.sqlite3"
    store = SqliteStore(str(path))
    store.save_conversation("discord:42", {"stage": "ask"}, user_id="u", guild_id="g")
    brief_id = brief(store)
    store.set_setting("global", "lang", "fr")
    store.save_quiz("q", {"n": 1})
    store.close()
    store.close()  # idempotent
    with SqliteStore(str(path)) as again:
        assert again.load_conversation("discord:42") == {"stage": "ask"}
        assert again.get_brief(brief_id) is not None
        assert again.get_setting("global", "lang") == "fr"
        assert again.load_quiz("q") == {"n": 1}
        assert again._read("PRAGMA journal_mode")[0][0] == "wal"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_threads_share_one_store(tmp_path: Path, kind: str) -> None:
    """One connection under a lock (SQLite), or a pool of three (PostgreSQL), for eight threads."""
    if kind == "postgresql":
        from storage.pg_store import PostgresStore
        from tests.pg_support import fresh_url

        store: Any = PostgresStore(fresh_url(), pool_size=3)
    else:
        store = SqliteStore(str(tmp_path / "threads.sqlite3"))

    def work(n: int) -> None:
        for i in range(50):
            store.save_conversation(f"k{n}", {"i": i}, user_id=str(n))
            store.add_gap(text=f"{n}-{i}", lang="fr", candidates=[("blog", 0.1)], reason="")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.list_gaps()) == 400
    assert all(store.load_conversation(f"k{n}") == {"i": 49} for n in range(8))
    store.close()


def test_failed_write_leaves_nothing_behind(store: SqliteStore) -> None:
    with pytest.raises(TypeError):
        store.save_conversation("bad", {"x": object()})  # not JSON: nothing half-written
    assert store.load_conversation("bad") is None
    store.save_conversation("good", {"x": 1})  # and the store still works
    assert store.load_conversation("good") == {"x": 1}


def test_version_2_database_migrates_keeping_brief_ids_and_their_counter(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    for n in (1, 2, 3):
        conn.execute("INSERT INTO briefs (key, user_id, guild_id, lang, request, markdown, data, created_at) "
                     "VALUES ('k', 'u', '', 'fr', 'un blogue', ?, '{}', '2024-01-01T00:00:00.000000Z')", (f"# {n}",))
    conn.execute("DELETE FROM briefs WHERE id = 3")  # forgotten: its number must never come back
    conn.execute("INSERT INTO conversations VALUES ('k', '{}', 'u', '', '2024-01-01T00:00:00.000000Z')")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with SqliteStore(str(path)) as store:
        assert [(b.id, b.markdown, b.version, b.versions) for b in store.list_briefs()] == [
            (2, "# 2", 1, 1), (1, "# 1", 1, 1)]
        assert store.load_turn("k") is not None and store.load_turn("k").revision == 1  # type: ignore[union-attr]
        assert brief(store) == 4
        assert store.identity()


def test_a_full_database_is_a_store_error_and_keeps_what_was_saved(tmp_path: Path) -> None:
    with SqliteStore(str(tmp_path / "full.sqlite3")) as store:
        store.save_turn("k", {"turn": 1}, expected_revision=0)
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"
        with pytest.raises(StoreError) as caught:
            store.save_turn("k", {"turn": 2, "text": "x" * 100_000}, expected_revision=1)
        assert caught.value.kind == "full" and caught.value.path.endswith("full.sqlite3")
        loaded = store.load_turn("k")
        assert loaded is not None and loaded.state == {"turn": 1} and loaded.revision == 1
