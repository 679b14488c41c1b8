"""QuizService on a real SQLite file: answers scored, state kept, scores and misses survive a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.models import KnowledgeBase
from storage.sqlite_store import SqliteStore
from tests.test_quiz_support import quiz_kb
from training import QuizService, make_quiz

GUILD = "g1"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return quiz_kb()


def service(kb: KnowledgeBase, path: Path) -> tuple[QuizService, SqliteStore]:
    store = SqliteStore(str(path))
    return QuizService(kb, store, new_seed=lambda: 1234), store


def play(svc: QuizService, kb: KnowledgeBase, key: str, user: str, *, seed: int, right: tuple[bool, bool, bool],
         lang: str = "fr", level: int = 1) -> list:
    """A whole quiz for `user`, right or wrong at each question; the last replies."""
    quiz = make_quiz(kb, seed=seed, level=level, lang=lang)
    svc.start(key, user_id=user, guild_id=GUILD, seed=seed, lang=lang, level=level)
    replies: list = []
    for question, ok in zip(quiz.questions, right, strict=True):
        value = question.answer if ok else next(c.value for c in question.choices if c.value != question.answer)
        replies = svc.handle(key, value, user_id=user, guild_id=GUILD)
    return replies


def test_a_full_quiz_through_the_service(kb: KnowledgeBase, tmp_path: Path) -> None:
    svc, store = service(kb, tmp_path / "bot.db")
    opening = svc.start("console:ana", user_id="ana", guild_id=GUILD, seed=5, lang="fr")
    quiz = make_quiz(kb, seed=5, lang="fr")
    assert opening[0].text == quiz.scenario and opening[-1].choices == quiz.questions[0].choices
    assert svc.active("console:ana") and svc.owner("console:ana") == "ana"
    assert store.load_quiz(quiz.id) == quiz.to_dict()
    replies = play(svc, kb, "console:ana", "ana", seed=5, right=(True, False, True))
    assert replies[-1].data == {"score": 2, "total": 3, "finished": True}
    assert not svc.active("console:ana") and svc.turn("console:ana") == 4  # restarted once, 3 answers
    assert store.quiz_leaderboard(GUILD) == [("ana", 2, 3)]
    asked = [q.topic for q in quiz.questions]
    assert store.weak_topics("ana", GUILD) == [(quiz.topics[0], 1, asked.count(quiz.topics[0]))]
    assert store.missed_questions("ana", GUILD) == [(quiz.id, 1)]
    after = svc.handle("console:ana", "1", user_id="ana", guild_id=GUILD)
    assert after[0].text == kb.messages["quiz_none"].fr


def test_seedless_start_uses_a_fresh_seed(kb: KnowledgeBase, tmp_path: Path) -> None:
    svc, _ = service(kb, tmp_path / "bot.db")
    opening = svc.start("k", user_id="u", lang="en", level=2)
    assert opening[0].text == make_quiz(kb, seed=1234, level=2, lang="en").scenario


def test_no_quiz_and_unreadable_state(kb: KnowledgeBase, tmp_path: Path) -> None:
    svc, store = service(kb, tmp_path / "bot.db")
    assert not svc.active("nobody") and svc.turn("nobody") == 0
    assert svc.handle("nobody", "1", user_id="u")[0].text == kb.messages["quiz_none"].fr
    store.save_conversation("quiz:broken", {"quiz": {"id": 1}})
    assert svc.current("broken") is None and not svc.active("broken")


def test_help_and_quit_are_not_scored(kb: KnowledgeBase, tmp_path: Path) -> None:
    svc, store = service(kb, tmp_path / "bot.db")
    svc.start("k", user_id="u", guild_id=GUILD, seed=3, lang="en")
    svc.handle("k", "help", user_id="u", guild_id=GUILD)
    svc.handle("k", "what?", user_id="u", guild_id=GUILD)
    assert store.quiz_leaderboard(GUILD) == []
    replies = svc.handle("k", "quit", user_id="u", guild_id=GUILD)
    assert replies[0].text.startswith("Quiz stopped: 0/0") and not svc.active("k")


def test_scores_and_an_unfinished_quiz_survive_a_restart(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.db"
    svc, store = service(kb, path)
    play(svc, kb, "discord:g1:ana", "ana", seed=1, right=(True, True, True))
    play(svc, kb, "discord:g1:bo", "bo", seed=2, right=(True, False, False))
    quiz = make_quiz(kb, seed=8, level=2, lang="en")
    svc.start("discord:g1:cy", user_id="cy", guild_id=GUILD, seed=8, level=2, lang="en")
    svc.handle("discord:g1:cy", quiz.questions[0].answer, user_id="cy", guild_id=GUILD)
    before = svc.scores(GUILD, "fr")
    store.close()

    again, store2 = service(kb, path)  # a new process: new store, new service
    assert again.scores(GUILD, "fr") == before
    assert again.active("discord:g1:cy") and again.turn("discord:g1:cy") == 1
    replies = again.handle("discord:g1:cy", quiz.questions[1].answer, user_id="cy", guild_id=GUILD)
    assert replies[0].data["correct"] is True and replies[-1].text.startswith("**Question 3/3**")
    replies = again.handle("discord:g1:cy", quiz.questions[2].answer, user_id="cy", guild_id=GUILD)
    assert replies[-1].data == {"score": 3, "total": 3, "finished": True}
    board = again.scores(GUILD, "en")
    assert [row["user_id"] for row in board.data["leaderboard"]] == ["ana", "cy", "bo"]
    assert store2.quiz_leaderboard(GUILD) == [("ana", 3, 3), ("cy", 3, 3), ("bo", 1, 3)]


def test_scores_show_the_leaderboard_and_weak_topics(kb: KnowledgeBase, tmp_path: Path) -> None:
    svc, _ = service(kb, tmp_path / "bot.db")
    empty = svc.scores(GUILD, "en")
    assert empty.text == kb.messages["quiz_scores_empty"].en and empty.data == {"leaderboard": []}
    play(svc, kb, "a", "ana", seed=1, right=(True, True, True))
    play(svc, kb, "b", "bo", seed=2, right=(False, False, True))
    quiz_b = make_quiz(kb, seed=2)
    reply = svc.scores(GUILD, "fr", display=lambda uid: f"<@{uid}>")
    lines = reply.text.splitlines()
    assert reply.title == "Classement du quiz"
    assert lines[0] == "1. <@ana> : 3/3 (100 %)"
    assert lines[1] == "2. <@bo> : 1/3 (33 %)"
    main = quiz_b.topics[0]
    asked = [q.topic for q in quiz_b.questions].count(main)
    assert lines[2] == f"   à retravailler : {kb.topic(main).name('fr')} (2/{asked} manquées)"
    assert len(lines) == 3  # ana has nothing to work on
    assert reply.data["leaderboard"][1]["weak"] == [{"topic": main, "missed": 2, "total": asked}]
    english = svc.scores(GUILD, "en")
    assert english.text.splitlines()[0] == "1. ana: 3/3 (100%)"
    assert "to work on" in english.text
    assert svc.scores("another-guild", "fr").data == {"leaderboard": []}


def test_review_replays_missed_questions_after_a_restart(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    svc, store = service(kb, path)
    assert svc.review("k", user_id="ana", guild_id=GUILD, lang="fr")[0].text == kb.messages["quiz_review_empty"].fr
    play(svc, kb, "k", "ana", seed=1, right=(False, True, False), lang="en")
    play(svc, kb, "k", "ana", seed=2, right=(True, False, True), lang="fr")
    first, second = make_quiz(kb, seed=1, lang="en"), make_quiz(kb, seed=2, lang="fr")
    store.close()

    svc, store = service(kb, path)
    replies = svc.review("k", user_id="ana", guild_id=GUILD, lang="fr")
    assert replies[0].text.startswith("🔁 Révision : 3 question(s)")
    # most recent miss first, each replayed as first asked, after its scenario
    assert replies[1].text == second.scenario and replies[2].text.endswith(second.questions[1].prompt)
    assert replies[2].text.startswith("**Question 1/3**")
    assert replies[2].choices == second.questions[1].choices
    replies = svc.handle("k", second.questions[1].answer, user_id="ana", guild_id=GUILD)
    assert replies[0].data["correct"] is True and second.questions[1].explanation in replies[0].text
    assert replies[1].text == first.scenario  # a new scenario: shown again
    assert replies[2].text.endswith(first.questions[2].prompt)
    svc.handle("k", first.questions[2].answer, user_id="ana", guild_id=GUILD)
    replies = svc.handle("k", "je ne sais pas", user_id="ana", guild_id=GUILD)
    assert replies[0].data["define"] == first.questions[0].topic
    assert replies[-1].data == {"score": 2, "total": 3, "finished": True}
    # answers go to the original questions: the ones now right are no longer missed
    assert store.missed_questions("ana", GUILD) == [(first.id, 0)]
    replies = svc.review("k", user_id="ana", guild_id=GUILD, lang="en")
    assert replies[0].text.startswith("🔁 Review: 1 missed question(s)")


def test_review_skips_quizzes_that_are_gone(kb: KnowledgeBase, tmp_path: Path) -> None:
    svc, store = service(kb, tmp_path / "bot.db")
    store.record_quiz_answer(user_id="u", guild_id=GUILD, quiz_id="deleted", question_index=0, topic_id="blog",
                             question_kind="level", correct=False)
    store.save_quiz("broken", {"id": "broken"})
    store.record_quiz_answer(user_id="u", guild_id=GUILD, quiz_id="broken", question_index=0, topic_id="blog",
                             question_kind="level", correct=False)
    assert svc.review("k", user_id="u", guild_id=GUILD)[0].text == kb.messages["quiz_review_empty"].fr
    assert not svc.active("k")


def test_a_new_quiz_continues_the_turn_counter(kb: KnowledgeBase, tmp_path: Path) -> None:
    """Buttons of a replaced quiz carry an older turn, so Discord calls them stale."""
    svc, _ = service(kb, tmp_path / "bot.db")
    svc.start("k", user_id="u", seed=1)
    svc.handle("k", "1", user_id="u")
    assert svc.turn("k") == 1
    svc.start("k", user_id="u", seed=2)
    assert svc.turn("k") == 2 and svc.current("k").index == 0
    svc.review("k", user_id="nobody-missed")  # nothing to review: the quiz under way is kept
    assert svc.turn("k") == 2 and svc.active("k")
