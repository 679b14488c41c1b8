"""RolePlayService on SQLite: a restart resumes mid-interview, sessions are recorded once,
progress and the team view read them, failed scenarios replay, `forget` erases them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from knowledge import load_knowledge_base
from knowledge.models import KnowledgeBase
from storage import MIGRATIONS, SqliteStore
from tests.test_roleplay_engine import scripted
from training.roleplay import progress
from training.roleplay.scenario import draw_scenario
from training.roleplay.service import RolePlayService

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module", name="kb")
def kb_fixture() -> KnowledgeBase:
    return load_knowledge_base()


def service(kb: KnowledgeBase, store: SqliteStore, seed: int = 7) -> RolePlayService:
    return RolePlayService(kb, store, new_seed=lambda: seed, ctx=scripted)


def criteria(rating: str, **others: str) -> dict[str, str]:
    base = {c: rating for c in ("objective_first", "discovery", "no_leading", "verdict", "magic_thinking")}
    return {**base, **others}


def test_the_migration_adds_role_play_sessions_to_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for version, script in enumerate(MIGRATIONS[:2], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
    conn.execute("INSERT INTO settings (scope, key, value) VALUES ('global', 'lang', 'fr')")
    conn.close()
    with SqliteStore(str(path)) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.get_setting("global", "lang") == "fr"
        assert store.roleplay_sessions("u", "") == []


def test_a_restart_mid_role_play_resumes_at_the_same_point(kb: KnowledgeBase, tmp_path: Path) -> None:
    db = str(tmp_path / "pf.sqlite3")
    first = service(kb, SqliteStore(db))
    first.start("console:ana", user_id="ana", level=3, lang="fr")
    first.handle("console:ana", "[objective] Pourquoi?", user_id="ana")
    before = first.current("console:ana")
    first.store.close()  # type: ignore[attr-defined]

    again = service(kb, SqliteStore(db))  # a new process on the same file
    assert again.current("console:ana") == before and again.active("console:ana")
    assert again.owner("console:ana") == "ana"
    resumed = again.resume("console:ana")
    assert "Jeu de rôle repris" in resumed[0].text and resumed[1].data["line"] == before.transcript[-1][1]
    replies = again.handle("console:ana", "[budget] Le budget?", user_id="ana")
    assert replies[0].data["roleplay"] == "client" and again.current("console:ana").questions == 2


def test_a_finished_role_play_is_recorded_once_and_an_abandoned_one_not_at_all(kb: KnowledgeBase) -> None:
    store = SqliteStore(":memory:")
    svc = service(kb, store)
    svc.start("k", user_id="ana", level=1, lang="en")
    svc.handle("k", "[objective] Why?", user_id="ana")
    done = svc.handle("k", "> something", user_id="ana")
    assert done[-1].data["finished"]
    [row] = store.roleplay_sessions("ana", "")
    assert row["score"] == done[-1].data["score"] and row["criteria"]["objective_first"] == "good"
    assert row["scenario"]["id"] == svc.current("k").scenario.id  # type: ignore[union-attr]
    assert "No role-play under way" in svc.handle("k", "[budget] more?", user_id="ana")[0].text
    assert len(store.roleplay_sessions("ana", "")) == 1
    svc.start("k", user_id="ana", level=1, lang="en")
    svc.handle("k", "cancel", user_id="ana")
    assert len(store.roleplay_sessions("ana", "")) == 1


def test_progress_weighs_recent_sessions_and_suggests_a_level(kb: KnowledgeBase) -> None:
    store = SqliteStore(":memory:", clock=lambda: T0)
    svc = service(kb, store)
    assert svc.suggested_level("bea") == 1
    assert "Aucun jeu de rôle terminé" in svc.progress("bea", "", "fr").text
    old = draw_scenario(kb, seed=1, level=1, lang="fr").to_dict()
    new = draw_scenario(kb, seed=2, level=1, lang="fr").to_dict()
    store.record_roleplay(user_id="bea", guild_id="", scenario=old, score=20, criteria=criteria("poor"), at=T0)
    store.record_roleplay(user_id="bea", guild_id="", scenario=new, score=85,
                          criteria=criteria("good", magic_thinking="poor"), at=T0 + timedelta(days=1))
    store.record_roleplay(user_id="bea", guild_id="", scenario=new, score=90, criteria=criteria("good"),
                          at=T0 + timedelta(days=2))
    records = svc.records("bea", "")
    skills = progress.proficiency(records)
    assert skills["objective_first"] == pytest.approx((1 + 0.75) / (1 + 0.75 + 0.5625))  # recent count more
    assert skills["magic_thinking"] == pytest.approx(1 / (1 + 0.75 + 0.5625))
    assert svc.suggested_level("bea") == 1  # the last three at level 1 weigh (90 + .75 * 85 + .5625 * 20) / 2.31: 71
    reply = svc.progress("bea", "", "fr")
    assert "3 séance(s); dernières notes : 90, 85, 20." in reply.text
    assert "- L'objectif d'abord : solide (76 %)" in reply.text
    assert "- Nommer la pensée magique : en progrès (43 %)" in reply.text
    assert "Niveau suggéré pour la prochaine séance : 1." in reply.text
    assert "Scénarios à rejouer : 1" in reply.text
    store.record_roleplay(user_id="bea", guild_id="", scenario=new, score=95, criteria=criteria("good"),
                          at=T0 + timedelta(days=3))
    assert svc.suggested_level("bea") == 2  # now 95, 90, 85: up a level


def test_a_failed_scenario_is_replayed_exactly_until_it_is_passed(kb: KnowledgeBase) -> None:
    store = SqliteStore(":memory:")
    svc = service(kb, store)
    failed = draw_scenario(kb, seed=123, level=2, lang="en")
    store.record_roleplay(user_id="cy", guild_id="g", scenario=failed.to_dict(), score=35, criteria=criteria("poor"))
    replies = svc.replay("k", user_id="cy", guild_id="g", lang="en")
    assert "Replaying a failed scenario (score: 35/100)" in replies[0].text
    assert svc.current("k").scenario == failed  # type: ignore[union-attr]
    store.record_roleplay(user_id="cy", guild_id="g", scenario=failed.to_dict(), score=95, criteria=criteria("good"))
    assert "No failed scenario to replay" in svc.replay("k2", user_id="cy", guild_id="g", lang="en")[0].text
    gone = {**failed.to_dict(), "id": "rp-old", "sector": "a_sector_since_removed"}
    store.record_roleplay(user_id="cy", guild_id="g", scenario=gone, score=10, criteria=criteria("poor"))
    store.record_roleplay(user_id="cy", guild_id="g", scenario={"id": "rp-broken"}, score=5, criteria=criteria("poor"))
    assert "No failed scenario to replay" in svc.replay("k3", user_id="cy", guild_id="g", lang="en")[0].text


def test_levels_go_down_after_poor_sessions() -> None:
    now = T0
    records = [progress.SessionRecord("u", s, 3, criteria("poor"), {"id": f"x{i}"}, now)
               for i, s in enumerate((30, 40))]
    assert progress.next_level(records) == 2
    steady = [progress.SessionRecord("u", 65, 2, criteria("fair"), {"id": "y"}, now)]
    assert progress.next_level(steady) == 2
    assert [progress.tier(v) for v in (0.1, 0.5, 0.8, 0.95)] == ["novice", "developing", "solid", "mastered"]


def test_the_team_view_for_trainers(kb: KnowledgeBase) -> None:
    store = SqliteStore(":memory:", clock=lambda: T0)
    svc = service(kb, store)
    assert "Nobody has finished a role-play here yet." in svc.team("g", "en").text
    scenario = draw_scenario(kb, seed=5, level=1, lang="en").to_dict()
    store.record_roleplay(user_id="ana", guild_id="g", scenario=scenario, score=90,
                          criteria=criteria("good", verdict="poor"), at=T0)
    store.record_roleplay(user_id="bo", guild_id="g", scenario=scenario, score=30, criteria=criteria("poor"),
                          at=T0 + timedelta(hours=1))
    store.record_roleplay(user_id="zed", guild_id="other", scenario=scenario, score=99, criteria=criteria("good"))
    reply = svc.team("g", "en", display=lambda u: f"<@{u}>")
    assert reply.text.splitlines() == [
        "- <@bo>: 1 session(s), recent score 30/100, weakest: Discovery (the right questions, follow-ups, checks) "
        "(needs work), suggested level 1",
        "- <@ana>: 1 session(s), recent score 90/100, weakest: The right verdict (needs work), suggested level 2",
    ]


def test_forgetting_a_user_erases_their_sessions_but_age_alone_does_not(kb: KnowledgeBase) -> None:
    store = SqliteStore(":memory:", clock=lambda: T0 + timedelta(days=400))
    scenario = draw_scenario(kb, seed=5, level=1, lang="en").to_dict()
    for user in ("ana", "bo"):
        store.record_roleplay(user_id=user, guild_id="g", scenario=scenario, score=50, criteria=criteria("fair"), at=T0)
    store.forget(older_than=timedelta(days=30))
    assert len(store.roleplay_sessions("ana", "g")) == 1
    store.forget(user_id="ana")
    assert store.roleplay_sessions("ana", "g") == [] and len(store.roleplay_sessions("bo", "g")) == 1


def test_a_base_without_role_play_says_so(kb_path: Path) -> None:
    svc = RolePlayService(load_knowledge_base(kb_path), SqliteStore(":memory:"))
    [reply] = svc.start("k", user_id="u", lang="en")
    assert reply.kind == "error" and "Role-play is not available" in reply.text


def test_an_engine_failure_answers_briefly_and_keeps_the_session(kb: KnowledgeBase) -> None:
    def broken(kb_: KnowledgeBase):  # noqa: ANN202
        ctx = scripted(kb_)

        def recognise(text: str, lang: str):  # noqa: ANN202
            raise RuntimeError("boom")
        return type(ctx)(kb_, recognise)

    svc = RolePlayService(kb, SqliteStore(":memory:"), new_seed=lambda: 1, ctx=broken)
    svc.start("k", user_id="u", lang="fr")
    before = svc.current("k")
    [reply] = svc.handle("k", "Quel budget?", user_id="u")
    assert reply.kind == "error" and "boom" not in reply.text and svc.current("k") == before
