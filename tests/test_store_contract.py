"""The store contract (storage/protocol.py), run against every implementation in `STORES`.

Issue 13 adds its PostgreSQL store to `STORES` (skipped when no server is configured); every
test here must then pass unchanged: compare-and-set turns, one transaction per turn, brief
identity by (conversation, intake) with versions, forgetting by age and by user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage import BriefDraft, ConversationConflict, GapDraft, SqliteStore, Store
from tests.pg_support import fresh_url

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


StoreFactory = Callable[[Path, Clock], Any]
STORES: dict[str, StoreFactory] = {
    "sqlite-memory": lambda tmp, clock: SqliteStore(":memory:", clock=clock),
    "sqlite-file": lambda tmp, clock: SqliteStore(str(tmp / "contract.sqlite3"), clock=clock),
    "postgresql": lambda tmp, clock: _postgres(clock),
}


def _postgres(clock: Clock) -> Any:
    from storage.pg_store import PostgresStore

    return PostgresStore(fresh_url(), clock=clock, pool_size=2)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[Store]:
    made = STORES[request.param](tmp_path, clock)
    yield made
    made.close()


def draft(markdown: str = "# Brief v1", intake: int | None = 1) -> BriefDraft:
    return BriefDraft(lang="fr", request="un blogue", markdown=markdown, data={"plan": {"n": 1}}, intake=intake)


# --- compare-and-set ---------------------------------------------------------------------

def test_first_turn_creates_the_conversation_at_revision_1(store: Store) -> None:
    assert store.load_turn("k") is None
    saved = store.save_turn("k", {"turn": 1}, expected_revision=0, user_id="u")
    assert saved.revision == 1
    loaded = store.load_turn("k")
    assert loaded is not None and loaded.state == {"turn": 1} and loaded.revision == 1


def test_a_turn_computed_from_a_stale_revision_is_refused_and_writes_nothing(store: Store) -> None:
    store.save_turn("k", {"turn": 1}, expected_revision=0)
    store.save_turn("k", {"turn": 2}, expected_revision=1)
    with pytest.raises(ConversationConflict) as caught:
        store.save_turn("k", {"turn": "lost"}, expected_revision=1, brief=draft(),
                        gaps=[GapDraft("gap text", "fr", [("blog", 0.2)], "low")])
    assert (caught.value.expected, caught.value.found) == (1, 2)
    loaded = store.load_turn("k")
    assert loaded is not None and loaded.state == {"turn": 2} and loaded.revision == 2
    assert store.list_briefs() == [] and store.list_gaps() == []  # the whole turn was refused


def test_two_first_turns_on_one_key_cannot_both_win(store: Store) -> None:
    store.save_turn("k", {"by": "a"}, expected_revision=0)
    with pytest.raises(ConversationConflict):
        store.save_turn("k", {"by": "b"}, expected_revision=0)
    assert store.load_conversation("k") == {"by": "a"}


def test_a_vanished_conversation_is_a_conflict_too(store: Store) -> None:
    store.save_turn("k", {"turn": 1}, expected_revision=0)
    store.delete_conversation("k")
    with pytest.raises(ConversationConflict) as caught:
        store.save_turn("k", {"turn": 2}, expected_revision=1)
    assert caught.value.found == 0


def test_unconditional_saves_move_the_revision_on(store: Store) -> None:
    store.save_conversation("k", {"quiz": 1})
    store.save_conversation("k", {"quiz": 2})
    loaded = store.load_turn("k")
    assert loaded is not None and loaded.revision == 2
    with pytest.raises(ConversationConflict):
        store.save_turn("k", {"turn": 1}, expected_revision=1)


def test_a_turn_saves_its_gaps_and_brief_together(store: Store) -> None:
    saved = store.save_turn("k", {"turn": 1}, expected_revision=0, user_id="u", guild_id="g", brief=draft(),
                            gaps=[GapDraft("un truc", "fr", [("blog", 0.2), ("seo", 0.4)], "low")])
    assert saved.brief is not None and saved.brief.version == 1 and saved.brief.created
    record = store.get_brief(saved.brief.id)
    assert record is not None
    assert (record.key, record.user_id, record.guild_id, record.intake) == ("k", "u", "g", 1)
    assert record.data == {"plan": {"n": 1}}
    assert [g.top_candidate for g in store.list_gaps()] == ["seo"]


# --- brief versions ----------------------------------------------------------------------

def test_a_correction_is_a_new_version_of_the_same_brief(store: Store, clock: Clock) -> None:
    first = store.save_turn("k", {"t": 1}, expected_revision=0, brief=draft("# v1")).brief
    clock.now += timedelta(minutes=5)
    second = store.save_turn("k", {"t": 2}, expected_revision=1, brief=draft("# v2")).brief
    assert first is not None and second is not None
    assert second.id == first.id and second.version == 2 and second.created
    latest = store.get_brief(first.id)
    assert latest is not None and (latest.markdown, latest.version, latest.versions) == ("# v2", 2, 2)
    assert latest.created_at == T0 and latest.saved_at == T0 + timedelta(minutes=5)
    old = store.get_brief(first.id, version=1)
    assert old is not None and old.markdown == "# v1" and not old.is_latest
    assert [r.markdown for r in store.brief_versions(first.id)] == ["# v1", "# v2"]
    assert [(b.id, b.versions) for b in store.list_briefs()] == [(first.id, 2)]
    assert store.get_brief(first.id, version=3) is None


def test_the_same_markdown_again_adds_no_version(store: Store) -> None:
    first = store.save_turn("k", {"t": 1}, expected_revision=0, brief=draft("# same")).brief
    again = store.save_turn("k", {"t": 2}, expected_revision=1, brief=draft("# same")).brief
    assert first is not None and again is not None
    assert (again.id, again.version, again.created) == (first.id, 1, False)
    assert len(store.brief_versions(first.id)) == 1


def test_a_new_intake_is_a_new_brief(store: Store) -> None:
    one = store.save_turn("k", {"t": 1}, expected_revision=0, brief=draft("# a", intake=1)).brief
    two = store.save_turn("k", {"t": 2}, expected_revision=1, brief=draft("# b", intake=2)).brief
    other_key = store.save_turn("k2", {"t": 1}, expected_revision=0, brief=draft("# a", intake=1)).brief
    assert one is not None and two is not None and other_key is not None
    assert len({one.id, two.id, other_key.id}) == 3
    latest = store.latest_brief("k")
    assert latest is not None and latest.id == two.id


def test_without_an_intake_every_draft_is_a_new_brief(store: Store) -> None:
    a = store.save_brief(key="k", user_id="u", guild_id="", lang="fr", request="r", markdown="# a", data={})
    b = store.save_brief(key="k", user_id="u", guild_id="", lang="fr", request="r", markdown="# a", data={})
    assert a != b


def test_brief_index_gives_every_version_and_its_size(store: Store) -> None:
    ref = store.save_turn("k", {"t": 1}, expected_revision=0, brief=draft("# é")).brief
    store.save_turn("k", {"t": 2}, expected_revision=1, brief=draft("# éé"))
    assert ref is not None
    assert [(i.id, i.version, i.latest, i.size) for i in store.brief_index()] == [
        (ref.id, 1, 2, len("# é".encode())), (ref.id, 2, 2, len("# éé".encode()))]


@pytest.mark.parametrize("bad", [0, -1, 2**63, 10**30])
def test_ids_out_of_range_are_simply_not_found(store: Store, bad: int) -> None:
    assert store.get_brief(bad) is None and store.get_brief(1, version=bad) is None
    assert store.brief_versions(bad) == []


# --- forgetting ----------------------------------------------------------------------------

def test_forget_by_age_keeps_a_brief_in_use_but_not_its_old_versions(store: Store, clock: Clock) -> None:
    ref = store.save_turn("k", {"t": 1}, expected_revision=0, user_id="u", brief=draft("# old")).brief
    clock.now += timedelta(days=40)
    store.save_turn("k", {"t": 2}, expected_revision=1, user_id="u", brief=draft("# new"))
    assert ref is not None
    assert store.forget(older_than=timedelta(days=30)) == 1  # version 1 only
    assert [r.version for r in store.brief_versions(ref.id)] == [2]
    latest = store.get_brief(ref.id)
    assert latest is not None and latest.markdown == "# new" and latest.versions == 2


def test_forget_by_user_erases_every_version(store: Store) -> None:
    ref = store.save_turn("k", {"t": 1}, expected_revision=0, user_id="u", brief=draft("# 1")).brief
    store.save_turn("k", {"t": 2}, expected_revision=1, user_id="u", brief=draft("# 2"))
    kept = store.save_turn("k2", {"t": 1}, expected_revision=0, user_id="v", brief=draft("# 1")).brief
    assert ref is not None and kept is not None
    assert store.forget(user_id="u") == 2  # the brief (with its versions) and the conversation
    assert store.get_brief(ref.id) is None and store.brief_versions(ref.id) == []
    assert [i.id for i in store.brief_index()] == [kept.id]


def test_identity_is_stable(store: Store) -> None:
    assert store.identity() == store.identity() and len(store.identity()) >= 16


def test_both_stores_implement_the_whole_protocol() -> None:
    """Every method of the contract exists on each implementation (a missing one fails here,
    not in production)."""
    import inspect

    from storage.pg_store import PostgresStore
    from storage.protocol import Store as Contract

    wanted = {name for name, _ in inspect.getmembers(Contract, inspect.isfunction) if not name.startswith("_")}
    for implementation in (SqliteStore, PostgresStore):
        assert wanted <= set(dir(implementation)), sorted(wanted - set(dir(implementation)))
        assert not getattr(implementation, "__abstractmethods__", None), implementation
    assert len(wanted) >= 25
