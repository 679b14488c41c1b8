"""AdvisorService over a real SQLite file: compare-and-set turns and brief versions.

Two services on one database file stand for two processes (two consoles on one session, a
console and a bot). `Meddling` lets the other one save a turn between this one's load and
save, deterministically, which is the race that lost 186 of 400 turns before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import advisor.service as service_module
from advisor.replies import Reply
from advisor.service import MAX_ATTEMPTS, AdvisorService
from knowledge import load_knowledge_base
from storage import SqliteStore
from tests.advisor_helpers import ScriptedClassifier, reader_for

TABLE = {"on veut un blogue": ("blog",)}


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


class Meddling:
    """A store whose `load_turn` lets someone else act right after loading (`times` times)."""

    def __init__(self, store: SqliteStore, meddle: Callable[[], None], times: int = 1) -> None:
        self.store, self.meddle, self.times = store, meddle, times

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def load_turn(self, key: str) -> Any:
        loaded = self.store.load_turn(key)
        if self.times > 0:
            self.times -= 1
            self.meddle()
        return loaded


def two_services(kb, tmp_path: Path, times: int = 1) -> tuple[AdvisorService, AdvisorService]:
    db = str(tmp_path / "shared.sqlite3")
    other = AdvisorService(kb, ScriptedClassifier(kb, TABLE), SqliteStore(db), reader=reader_for(kb))
    store = Meddling(SqliteStore(db), lambda: other.handle("k", "aide", user_id="u"), times)
    return AdvisorService(kb, ScriptedClassifier(kb, TABLE), store, reader=reader_for(kb)), other  # type: ignore[arg-type]


def test_a_turn_saved_elsewhere_meanwhile_is_kept_and_the_message_runs_again(kb, tmp_path):
    mine, other = two_services(kb, tmp_path)
    replies = mine.handle("k", "on veut un blogue", user_id="u")
    state = other.current("k")
    assert state is not None
    assert state.turn == 2                      # the other process's turn and mine: none lost
    assert state.request == "on veut un blogue"  # mine was applied on top of theirs
    assert replies[0].text == kb.msg("conversation_changed_elsewhere", "fr")  # and I was told


def test_when_the_conversation_never_stops_moving_the_user_is_told_nothing_was_saved(kb, tmp_path):
    mine, other = two_services(kb, tmp_path, times=MAX_ATTEMPTS)
    replies = mine.handle("k", "on veut un blogue", user_id="u")
    assert [r.kind for r in replies] == ["error"]
    assert replies[0].text == kb.msg("conversation_busy", "fr")
    state = other.current("k")
    assert state is not None and state.turn == MAX_ATTEMPTS and state.request == ""  # only theirs


def test_a_click_on_an_answered_question_is_refused(kb, tmp_path):
    svc = AdvisorService(kb, ScriptedClassifier(kb, TABLE), SqliteStore(str(tmp_path / "pf.sqlite3")),
                         reader=reader_for(kb))
    svc.handle("k", "on veut un blogue", user_id="u")
    turn = svc.turn("k")
    svc.handle("k", "1", user_id="u", turn=turn)             # the click, in time
    before = svc.current("k")
    replies = svc.handle("k", "2", user_id="u", turn=turn)   # the same button, clicked again elsewhere
    assert replies[0].kind == "error" and replies[0].text == kb.msg("turn_already_answered", "fr")
    assert svc.current("k") == before


def scripted_step(script: list[Reply]) -> Callable[..., Any]:
    """An engine whose every turn returns the next scripted brief (as issue 9's engine will)."""
    def step(ctx, state, text):  # noqa: ANN001, ANN202
        from dataclasses import replace
        return replace(state, turn=state.turn + 1, stage="done", request="un blogue"), [script.pop(0)]
    return step


def brief(markdown: str, intake: int) -> Reply:
    return Reply("brief", markdown, data={"intake": intake, "lang": "fr"})


def test_briefs_are_identified_by_conversation_and_intake(kb, tmp_path, monkeypatch):
    script = [brief("# A", 1), brief("# A", 1), brief("# B", 1), brief("# C", 2), brief("# A", 1)]
    monkeypatch.setattr(service_module, "step", scripted_step(script))
    svc = AdvisorService(kb, ScriptedClassifier(kb, TABLE), SqliteStore(str(tmp_path / "pf.sqlite3")),
                         reader=reader_for(kb))
    shown = [svc.handle("k", "x", user_id="u")[0].data for _ in range(5)]
    ids = [(d["brief_id"], d["brief_version"]) for d in shown]
    first, second = ids[0][0], ids[3][0]
    assert ids == [(first, 1), (first, 1), (first, 2), (second, 1), (first, 3)]
    assert first != second
    assert [r.markdown for r in svc.store.brief_versions(first)] == ["# A", "# B", "# A"]  # type: ignore[attr-defined]


def test_without_an_intake_each_advice_is_a_new_brief_and_brief_shows_the_last(kb, tmp_path):
    svc = AdvisorService(kb, ScriptedClassifier(kb, TABLE), SqliteStore(str(tmp_path / "pf.sqlite3")),
                         reader=reader_for(kb))
    ids = []
    for _ in range(2):
        svc.handle("k", "on veut un blogue", user_id="u")
        for _ in range(10):
            replies = svc.handle("k", "je ne sais pas", user_id="u")
            if svc.current("k").stage == "done":
                break
        ids.append(next(r.data["brief_id"] for r in replies if r.kind == "brief"))
        again = next(r for r in svc.handle("k", "brief", user_id="u") if r.kind == "brief")
        assert (again.data["brief_id"], again.data["brief_version"]) == (ids[-1], 1)
        svc.handle("k", "recommencer", user_id="u")
    assert ids[0] != ids[1] and len(svc.store.list_briefs()) == 2  # type: ignore[attr-defined]


def test_an_unreadable_stored_state_starts_afresh_and_is_replaced(kb, tmp_path, caplog):
    db = str(tmp_path / "pf.sqlite3")
    svc = AdvisorService(kb, ScriptedClassifier(kb, TABLE), SqliteStore(db), reader=reader_for(kb))
    svc.handle("k", "on veut un blogue", user_id="u")
    for bad in ("{not json", "[1, 2]", '{"stage": "capacity", "turn": "x"}'):
        svc.store._conn.execute("UPDATE conversations SET state = ?", (bad,))  # type: ignore[attr-defined]
        replies = svc.handle("k", "on veut un blogue", user_id="u")
        assert replies and replies[0].kind != "error"
        state = svc.current("k")
        assert state is not None and state.request == "on veut un blogue" and state.turn == 1
    assert "starting afresh" in caplog.text
