"""Whole intakes with the real runtime (shipped knowledge base, classifier, SQLite file).

From `/triage` to the brief's Markdown file in the thread, in French and in English; then a
restart of the bot on the same SQLite file, where a button sent before the restart still
answers and an outdated one is told so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime import Runtime, build_runtime
from tests.discord_harness import (  # noqa: F401 - fixtures
    World,
    bot_for,
    buttons,
    last_with_components,
    no_network_fixture,
    selects,
    world,
)

pytestmark = pytest.mark.asyncio


@pytest.fixture(autouse=True)
def classifier_cache(shipped_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped base's model, already fitted once for the whole test session."""
    monkeypatch.setenv("PLAN_FIRST_CACHE", str(shipped_cache))


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "planfirst.sqlite3")


@pytest.fixture
def runtime(db: str) -> Runtime:
    return build_runtime(db_path=db)


async def answer(w: World, thread, pick) -> None:  # noqa: ANN001
    """Answer the latest question with a click (button or select), using pick(values) -> value."""
    question = last_with_components(thread)
    if selects(question):
        [menu] = selects(question)
        value = pick([o.value for o in menu.options])
        result = await w.alice.select(question, [value], custom_id=menu.custom_id)
    else:
        by_value = {b.custom_id.rsplit(":", 1)[1]: b for b in buttons(question)}
        value = pick(list(by_value))
        result = await w.alice.click(question, custom_id=by_value[value].custom_id)
    assert result.acknowledged and not result.ephemeral, result.followups


async def finish(w: World, thread) -> list:  # noqa: ANN001
    """Click the first answer of each capacity question until the brief arrives."""
    for _ in range(10):
        if any(m.attachments for m in thread.history()):
            break
        await answer(w, thread, lambda values: values[0])
    return thread.history()


@pytest.mark.parametrize(
    ("locale", "request_text", "lang"),
    [("fr", "on veut un blogue", "fr"), ("en-US", "we want a blog for our bakery", "en")],
)
async def test_a_full_intake_in_a_thread_from_triage_to_the_brief_file(runtime, locale, request_text, lang):
    kb = runtime.kb
    async with world(runtime, locale=locale) as w:
        opened = await w.alice.slash(w.channel, "triage", demande=request_text)
        assert not opened.ephemeral
        [thread] = w.channel.threads
        key = f"discord:{thread.id}"
        # one message in the channel: the request, with the topic's card folded in, in one language
        [announce] = [m for m in w.channel.history() if m.embeds and m.embeds[0].fields]
        [embed] = announce.embeds
        assert embed.title == kb.msg("discord_triage_title", lang) and request_text in embed.description
        assert [f.name for f in embed.fields] == [kb.topic("blog").name(lang)]
        assert kb.topic("blog").definition(lang)[:40] in embed.fields[0].value
        # and in the thread, the question straight away
        objective = thread.history()[0]
        assert objective.components and objective.content == last_with_components(thread).content
        assert {b.custom_id.rsplit(":", 1)[1] for b in buttons(objective)} >= {"awareness", "idk"}
        await answer(w, thread, lambda values: "awareness")
        if lang == "fr":  # free text works as well as the buttons, at any step
            await w.alice.send(thread, "je ne sais pas")
        messages = await finish(w, thread)
        [brief] = [m for m in messages if m.attachments]
        record = runtime.store.list_briefs(guild_id=str(w.guild.id))[0]
        assert brief.attachments[0].filename == f"brief-{record.id}.md"
        markdown = (await brief.attachments[0].read()).decode()
        assert markdown == record.markdown and request_text in markdown
        assert markdown.startswith("# " + kb.msg("brief_title", lang))
        assert brief.embeds[0].title
        recommendation = [m for m in messages if m.embeds and not m.attachments]
        assert recommendation and all(len(e.description or "") <= 4096 for e in recommendation[0].embeds)
        assert record.user_id == str(w.alice.id) and record.key == key
        assert all(len(m.content) <= 2000 for m in messages)
        listing = await w.alice.slash(w.channel, "brief")
        assert f"`{record.id}`" in listing.response.embeds[0].description


async def test_buttons_survive_a_restart_and_stale_ones_say_so(db):
    first_runtime = build_runtime(db_path=db)
    async with world(first_runtime) as w:
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        [thread] = w.channel.threads
        key = f"discord:{thread.id}"
        objective = last_with_components(thread)
        await w.alice.send(thread, "awareness")  # answered in writing: its buttons stay clickable
        pending = last_with_components(thread)  # the question asked just before the "crash"
        assert pending.id != objective.id
        turn = first_runtime.advisor.turn(key)

        second_runtime = build_runtime(db_path=db)  # a new process: only the SQLite file is shared
        await w.env.restart_bot(bot_for(second_runtime))
        assert second_runtime.advisor.turn(key) == turn

        stale = await w.alice.click(objective, custom_id=buttons(objective)[1].custom_id)
        assert stale.ephemeral and "déjà eu sa réponse" in stale.response.content

        refused = await w.bob.send(thread, "je réponds à sa place")  # not the owner: ignored
        assert refused is not None and second_runtime.advisor.turn(key) == turn

        if selects(pending):
            [menu] = selects(pending)
            result = await w.alice.select(pending, [menu.options[0].value], custom_id=menu.custom_id)
        else:
            result = await w.alice.click(pending, custom_id=buttons(pending)[0].custom_id)
        assert result.acknowledged and not result.ephemeral
        assert second_runtime.advisor.turn(key) == turn + 1

        second_runtime.store.delete_conversation(key)  # erased (`bot.py forget`)
        gone = await w.alice.click(objective, custom_id=buttons(objective)[0].custom_id)
        assert gone.ephemeral and "Je ne retrouve plus cette prise de besoin" in gone.response.content
