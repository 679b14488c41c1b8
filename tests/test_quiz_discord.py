"""/quiz on Discord through real dispatch (simcord, tests/discord_harness.py).

The quiz base is the controlled one of test_quiz_support; the store is a SQLite file, so a
restart of the bot on the same file can be checked. Until `QuizCog` is in `cogs.COGS`,
these tests add it to the bot themselves (the same thing the registration will do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from adapters.discord_app.cogs import COGS
from adapters.discord_app.quiz_cog import QuizCog, answer_id, define_id
from knowledge.models import KnowledgeBase
from storage.sqlite_store import SqliteStore
from tests.discord_harness import (  # noqa: F401 - fixtures
    FakeAdvisor,
    World,
    bot_for,
    buttons,
    no_network_fixture,
    world,
)
from tests.test_quiz_support import quiz_kb
from training import Quiz

pytestmark = pytest.mark.asyncio


@dataclass
class QuizRuntime:
    """What the bot needs: the base, the store, an advisor (unused here)."""

    kb: KnowledgeBase
    store: SqliteStore
    advisor: Any = field(default_factory=FakeAdvisor)

    def reload(self) -> list[str]:
        return []


def runtime_on(path: Path) -> QuizRuntime:
    return QuizRuntime(quiz_kb(), SqliteStore(str(path)))


async def quiz_bot(runtime: QuizRuntime):  # noqa: ANN201
    bot = bot_for(runtime)
    if QuizCog not in COGS:
        await bot.add_cog(QuizCog(bot))
    return bot


def current_quiz(w: World, runtime: QuizRuntime, member) -> Quiz:  # noqa: ANN001
    cog = w.bot.get_cog("QuizCog")
    state = cog.service().current(f"discord:{w.guild.id}:{member.id}")
    assert state is not None
    return state.quiz


def latest_question(w: World):  # noqa: ANN201
    return [m for m in w.channel.history() if any(b.custom_id.startswith("pf:q:") for b in buttons(m))][-1]


def fresh(w: World, message):  # noqa: ANN001, ANN201
    """The message as it is now (after edits)."""
    return next(m for m in w.channel.history() if m.id == message.id)


def button_for(message, value: str):  # noqa: ANN001, ANN201
    return next(b for b in buttons(message) if b.custom_id.rsplit(":", 1)[1] == value)


async def test_a_full_quiz_in_french_with_buttons(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime, bot=await quiz_bot(runtime)) as w:
        started = await w.alice.slash(w.channel, "quiz jouer", niveau=2)
        assert started.response is not None and "lance un quiz de niveau 2" in started.response.content
        quiz = current_quiz(w, runtime, w.alice)
        assert quiz.level == 2 and quiz.lang == "fr" and quiz.kind == "indirect"
        scenario, question = started.followups
        assert scenario.content == quiz.scenario
        assert [b.label for b in buttons(question.message)] == ["Stratégie : un objectif", "Tactique : un outil"]
        assert buttons(question.message)[0].custom_id == answer_id(w.alice.id, 0, "objective")
        for index, q in enumerate(quiz.questions):
            message = latest_question(w)
            click = await w.alice.click(message, custom_id=button_for(message, q.answer).custom_id)
            assert click.acknowledged and not click.ephemeral
            assert all(b.disabled for b in buttons(fresh(w, message)))
            feedback = click.followups[0]
            assert feedback.content.startswith("✅ Bonne réponse") and q.explanation in feedback.content
            assert not buttons(feedback.message)  # no card link after a right answer
            if index < 2:
                assert click.followups[-1].content.startswith(f"**Question {index + 2}/3**")
        final = click.followups[-1]
        assert final.content.startswith("🏁 Score : 3/3") and "/quiz revoir" in final.content
        assert runtime.store.quiz_leaderboard(str(w.guild.id)) == [(str(w.alice.id), 3, 3)]


async def test_a_quiz_in_english_wrong_answers_link_to_the_card(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime, locale="en-US", bot=await quiz_bot(runtime)) as w:
        await w.alice.slash(w.channel, "quiz jouer", niveau=1)  # canonical names; Discord shows "play"
        quiz = current_quiz(w, runtime, w.alice)
        assert quiz.lang == "en" and quiz.kind == "buzzword"
        first = latest_question(w)
        for q in quiz.questions:
            message = latest_question(w)
            wrong = next(c.value for c in q.choices if c.value != q.answer)
            click = await w.alice.click(message, custom_id=button_for(message, wrong).custom_id)
            feedback = click.followups[0]
            assert feedback.content.startswith("❌ Not quite.") and q.explanation in feedback.content
            [card_button] = buttons(feedback.message)
            assert card_button.custom_id == define_id(q.topic)
            assert card_button.label == f"Card: {runtime.kb.topic(q.topic).name('en')}"
        assert click.followups[-1].content.startswith("🏁 Score: 0/3")

        shown = await w.bob.click(feedback.message, custom_id=card_button.custom_id)  # anyone may read the card
        assert shown.ephemeral
        [embed] = shown.response.embeds
        topic = runtime.kb.topic(quiz.questions[-1].topic)
        assert embed.title == topic.name("en") and embed.description == topic.definition("en")
        assert all(b.disabled for b in buttons(fresh(w, first)))


async def test_only_the_owner_answers_and_old_buttons_are_stale(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime, bot=await quiz_bot(runtime)) as w:
        await w.alice.slash(w.channel, "quiz jouer")
        quiz = current_quiz(w, runtime, w.alice)
        question = latest_question(w)
        refused = await w.bob.click(question, custom_id=buttons(question)[0].custom_id)
        assert refused.ephemeral and "appartient à quelqu'un d'autre" in refused.response.content
        await w.alice.click(question, custom_id=button_for(question, quiz.questions[0].answer).custom_id)
        assert all(b.disabled for b in buttons(fresh(w, question)))  # answered: no second click
        assert runtime.store.quiz_leaderboard(str(w.guild.id)) == [(str(w.alice.id), 1, 1)]

        old = latest_question(w)  # question 2, left unanswered: a new quiz replaces this one
        await w.alice.slash(w.channel, "quiz jouer", niveau=3)
        replaced = await w.alice.click(old, custom_id=buttons(old)[0].custom_id)
        assert replaced.ephemeral and "déjà passée" in replaced.response.content
        new = latest_question(w)
        runtime.store.delete_conversation(f"quiz:discord:{w.guild.id}:{w.alice.id}")  # erased (`bot.py forget`)
        gone = await w.alice.click(new, custom_id=buttons(new)[0].custom_id)
        assert gone.ephemeral and gone.response.content == "Aucun quiz en cours. Lancez-en un avec /quiz jouer."
        assert runtime.store.quiz_leaderboard(str(w.guild.id)) == [(str(w.alice.id), 1, 1)]


async def test_scores_and_review_and_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    runtime = runtime_on(path)
    async with world(runtime, bot=await quiz_bot(runtime)) as w:
        await w.alice.slash(w.channel, "quiz jouer")
        quiz = current_quiz(w, runtime, w.alice)
        misses = []
        for q in quiz.questions:
            message = latest_question(w)
            value = q.answer if q.kind != "topic" else next(c.value for c in q.choices if c.value != q.answer)
            if q.kind == "topic":
                misses.append(q)
            await w.alice.click(message, custom_id=button_for(message, value).custom_id)
        await w.bob.slash(w.channel, "quiz jouer", niveau=3)
        pending = latest_question(w)  # bob's first question, asked just before the "crash"

        second = runtime_on(path)  # a new process: only the SQLite file is shared
        await w.env.restart_bot(await quiz_bot(second))

        board = await w.bob.slash(w.channel, "quiz scores")
        [embed] = board.response.embeds
        assert embed.title == "Classement du quiz"
        lines = embed.description.splitlines()
        assert lines[0] == f"1. <@{w.alice.id}> : 2/3 (67 %)"
        assert lines[1].startswith("   à retravailler : " + second.kb.topic(misses[0].topic).name("fr"))

        bob_quiz = current_quiz(w, second, w.bob)
        resumed = await w.bob.click(pending, custom_id=button_for(pending, bob_quiz.questions[0].answer).custom_id)
        assert resumed.followups[0].content.startswith("✅ Bonne réponse")

        review = await w.alice.slash(w.channel, "quiz revoir")
        assert review.response.content.endswith("revoit ses questions manquées.")
        intro, scenario, question = (m.content for m in review.followups)
        assert intro.startswith("🔁 Révision : 1 question(s)")
        assert scenario == quiz.scenario and question.endswith(misses[0].prompt)
        message = latest_question(w)
        done = await w.alice.click(message, custom_id=button_for(message, misses[0].answer).custom_id)
        assert done.followups[-1].content.startswith("🏁 Score : 1/1")
        assert second.store.missed_questions(str(w.alice.id), str(w.guild.id)) == []


async def test_in_direct_messages_scores_are_private(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime, bot=await quiz_bot(runtime)) as w:
        dm = w.alice.user.dm_channel
        await w.alice.user.slash("quiz jouer")
        state = w.bot.get_cog("QuizCog").service().current(f"discord:dm:{w.alice.id}")
        assert state is not None
        question = [m for m in dm.history() if buttons(m)][-1]
        await w.alice.user.click(question, custom_id=button_for(question, state.quiz.questions[0].answer).custom_id)
        assert runtime.store.quiz_leaderboard(f"dm:{w.alice.id}") == [(str(w.alice.id), 1, 1)]
        mine = await w.alice.user.slash("quiz scores")  # a DM speaks the user's locale (en-US here)
        assert mine.response.embeds[0].description == f"1. <@{w.alice.id}>: 1/1 (100%)"
        board = await w.bob.user.slash("quiz scores")  # bob's DMs: alice's results are not his to see
        assert board.response.embeds[0].description == "Nobody has answered a quiz here yet."


async def test_quiz_commands_are_synced_with_french_and_english_names(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime, bot=await quiz_bot(runtime)) as w:
        put = [r for r in w.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")][-1]
        quiz = next(c for c in put.json if c["name"] == "quiz")
        subs = {o["name"]: o for o in quiz["options"]}
        assert set(subs) == {"jouer", "scores", "revoir"}
        assert subs["jouer"]["name_localizations"]["en-US"] == "play"
        assert subs["revoir"]["name_localizations"]["en-GB"] == "review"
        assert subs["jouer"]["options"][0]["name_localizations"]["en-US"] == "level"
        assert subs["jouer"]["options"][0]["min_value"] == 1 and subs["jouer"]["options"][0]["max_value"] == 3
        assert set(w.alice.available_commands(w.channel)) >= {"quiz jouer", "quiz scores", "quiz revoir"}
