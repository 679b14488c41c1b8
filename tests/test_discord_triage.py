"""/triage, answer buttons and selects, free text, mentions and DMs, through real dispatch.

The advisor is scripted (tests/discord_harness.py) so each test picks its edge case; the
full intakes with the real engine are in test_discord_intake.py.
"""

from __future__ import annotations

import pytest

from adapters.discord_app.components import button_id, select_id
from tests.discord_harness import (  # noqa: F401 - fixtures
    buttons,
    fake_runtime_fixture,
    last_with_components,
    no_network_fixture,
    selects,
    world,
)

pytestmark = pytest.mark.asyncio


async def test_triage_opens_a_thread_named_after_the_request_and_asks_with_buttons(fake_runtime):
    async with world(fake_runtime) as w:
        result = await w.alice.slash(w.channel, "triage", demande="On veut un blogue\npour l'été")
        assert result.response is not None and not result.ephemeral
        [announce] = result.response.embeds  # one message in the channel: who asked what
        assert announce.title == "Prise de besoin" and "On veut un blogue" in announce.description
        [thread] = w.channel.threads
        assert thread.name == "On veut un blogue pour l'été"
        key = f"discord:{thread.id}"
        assert fake_runtime.advisor.calls[0] == ("start", key, "On veut un blogue\npour l'été", "fr")
        assert fake_runtime.advisor.owner(key) == str(w.alice.id)
        contents = [m.content for m in thread.history()]
        assert contents[0] == "Reçu: On veut un blogue\npour l'été"
        question = last_with_components(thread)
        assert question.content == "Quel objectif?"
        assert [b.label for b in buttons(question)] == ["Se faire connaître", "Plus de clients", "Je ne sais pas"]
        assert buttons(question)[0].custom_id == button_id(key, 1, "awareness") == f"pf:c:{thread.id}:1:awareness"


async def test_a_button_click_is_routed_by_custom_id_to_the_engine(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        [thread] = w.channel.threads
        question = last_with_components(thread)
        click = await w.alice.click(question, custom_id=buttons(question)[1].custom_id)
        assert click.acknowledged and not click.ephemeral
        assert fake_runtime.advisor.calls[-1] == ("handle", f"discord:{thread.id}", "leads", None)
        answered = thread.history()[1]
        assert all(b.disabled for b in buttons(answered))
        assert buttons(answered)[1].style.name == "success"
        assert thread.history()[-2].content == "Reçu: leads"
        assert buttons(last_with_components(thread))[0].custom_id.endswith(":2:awareness")


async def test_more_than_five_choices_become_a_select_and_the_pick_is_routed(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.slash(w.channel, "triage", demande="many options")
        [thread] = w.channel.threads
        question = last_with_components(thread)
        [menu] = selects(question)
        assert menu.custom_id == select_id(f"discord:{thread.id}", 1)
        assert [o.value for o in menu.options] == [f"v{i}" for i in range(1, 8)]
        assert menu.placeholder == "Choisissez une réponse…"
        await w.alice.select(question, ["v6"], custom_id=menu.custom_id)
        assert fake_runtime.advisor.calls[-1][2] == "v6"
        assert selects(thread.history()[0])[0].disabled


async def test_someone_else_cannot_answer_the_intake_but_a_moderator_can(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        [thread] = w.channel.threads
        question = last_with_components(thread)
        refused = await w.bob.click(question, custom_id=buttons(question)[0].custom_id)
        assert refused.ephemeral and "Seule la personne qui a lancé" in refused.response.content
        assert len(fake_runtime.advisor.calls) == 1
        allowed = await w.mod.click(question, custom_id=buttons(question)[0].custom_id)
        assert not allowed.ephemeral
        assert fake_runtime.advisor.calls[-1][2] == "awareness"


async def test_an_answered_question_is_stale_and_says_so(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        [thread] = w.channel.threads
        first = last_with_components(thread)
        await w.alice.send(thread, "plus de clients, surtout")  # answered by text instead
        assert fake_runtime.advisor.calls[-1][2] == "plus de clients, surtout"
        stale = await w.alice.click(first, custom_id=buttons(first)[0].custom_id)
        assert stale.ephemeral and "déjà eu sa réponse" in stale.response.content
        assert len(fake_runtime.advisor.calls) == 2


async def test_other_peoples_messages_in_the_thread_are_left_alone(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        [thread] = w.channel.threads
        before = len(thread.history())
        await w.bob.send(thread, "je regarde juste")
        assert len(fake_runtime.advisor.calls) == 1 and len(thread.history()) == before + 1
        await w.bob.send(thread, f"{w.bot.user.mention} je peux répondre?")
        assert "Seule la personne" in thread.last_message.content
        assert len(fake_runtime.advisor.calls) == 1


async def test_a_long_reply_is_split_under_2000_characters(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.slash(w.channel, "triage", demande="long please")
        [thread] = w.channel.threads
        texts = [m.content for m in thread.history()]
        assert len(texts) >= 3
        assert all(0 < len(t) <= 2000 for t in texts)
        assert sum(len(t) for t in texts) >= 5000
        assert all(len(body.get("content") or "") <= 2000 for body in w.sent())


async def test_a_request_with_everyone_is_echoed_without_pinging(fake_runtime):
    async with world(fake_runtime) as w:
        result = await w.alice.slash(w.channel, "triage", demande="@everyone on veut un blogue <@&123> @here")
        assert "@everyone" in result.response.embeds[0].description
        [thread] = w.channel.threads
        assert "everyone" not in thread.name and "@" not in thread.name
        assert thread.history()[0].content.startswith("Reçu: @everyone")
        bodies = [b.get("data", b) for b in w.sent()]
        with_text = [b for b in bodies if "content" in b or "embeds" in b]
        assert len(with_text) >= 3  # the slash response, the echo in the thread, the question
        assert all(b["allowed_mentions"] == {"parse": []} for b in with_text)


async def test_a_recommendation_is_an_embed_and_a_brief_comes_with_its_markdown_file(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        [thread] = w.channel.threads
        await w.alice.send(thread, "brief")
        messages = thread.history()
        recommendation = [m for m in messages if m.embeds and m.embeds[0].title == "Recommandation"][0]
        assert all(len(e.description or "") <= 4096 for e in recommendation.embeds)
        [brief] = [m for m in messages if m.attachments]
        assert brief.attachments[0].filename == "brief-7.md"
        assert brief.embeds[0].title == "Brief"
        assert await brief.attachments[0].read() == "# Brief\n\nDemande: test\n".encode()


async def test_mentioning_the_bot_in_a_channel_opens_an_intake_thread(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.send(w.channel, f"{w.bot.user.mention} on veut une infolettre")
        [thread] = w.channel.threads
        assert fake_runtime.advisor.calls == [("start", f"discord:{thread.id}", "on veut une infolettre", "fr")]
        assert thread.history()[0].content == "Reçu: on veut une infolettre"


async def test_a_bare_mention_explains_what_to_write(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.send(w.channel, w.bot.user.mention)
        assert "Écrivez la demande du client" in w.channel.last_message.content
        assert fake_runtime.advisor.calls == []


async def test_direct_messages_run_an_intake_keyed_by_the_user(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.send_dm("we want a blog")
        await w.alice.send_dm("leads")
        key = f"discord:dm:{w.alice.id}"
        calls = [c[:3] for c in fake_runtime.advisor.calls]
        assert calls == [("start", key, "we want a blog"), ("handle", key, "leads")]
        assert "Reçu: leads" in [m.content for m in w.alice.user.dm_channel.history()]


async def test_an_engine_failure_gets_a_short_private_answer_and_a_logged_traceback(fake_runtime, caplog):
    import simcord

    async with world(fake_runtime) as w:
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        [thread] = w.channel.threads
        fake_runtime.advisor.script = lambda advisor, key, text: (_ for _ in ()).throw(RuntimeError("boom"))
        question = last_with_components(thread)
        with caplog.at_level("ERROR", logger="plan_first.discord"):
            result = await w.alice.click(question, custom_id=buttons(question)[0].custom_id)
        assert any(f.ephemeral and "quelque chose a mal tourné" in f.content for f in result.followups)
        assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)
        result = await w.alice.slash(w.channel, "triage", demande="encore")
        simcord.assert_error(w.env, RuntimeError, contains="boom")


async def test_the_cooldown_slows_a_flood_and_recovers_with_time(fake_runtime):
    from tests.discord_harness import bot_for

    now = [0.0]
    bot = bot_for(fake_runtime, clock=lambda: now[0])
    async with world(fake_runtime, bot=bot) as w:
        for i in range(5):
            result = await w.alice.slash(w.channel, "define", terme="blog")
            assert not result.ephemeral, i
        slowed = await w.alice.slash(w.channel, "define", terme="blog")
        assert slowed.ephemeral and "Réessayez dans 2 s" in slowed.response.content
        other = await w.bob.slash(w.channel, "define", terme="blog")
        assert not other.ephemeral
        now[0] += 2.0
        again = await w.alice.slash(w.channel, "define", terme="blog")
        assert not again.ephemeral



async def test_triage_in_a_direct_message_runs_in_place(fake_runtime):
    async with world(fake_runtime) as w:
        result = await w.alice.user.slash("triage", demande="on veut un site")
        assert result.response is not None
        key = f"discord:dm:{w.alice.id}"
        assert fake_runtime.advisor.calls == [("start", key, "on veut un site", "fr")]  # the request's language
        question = [m for m in w.alice.user.dm_channel.history() if m.components][-1]
        await w.alice.user.click(question, custom_id=buttons(question)[0].custom_id)
        assert fake_runtime.advisor.calls[-1][:3] == ("handle", key, "awareness")


async def test_triage_inside_someone_elses_intake_thread_is_refused(fake_runtime):
    async with world(fake_runtime) as w:
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        [thread] = w.channel.threads
        refused = await w.bob.slash(thread, "triage", demande="autre chose")
        assert refused.ephemeral and "Seule la personne" in refused.response.content
        restarted = await w.alice.slash(thread, "triage", demande="finalement une infolettre")
        assert not restarted.ephemeral
        assert fake_runtime.advisor.calls[-1] == ("start", f"discord:{thread.id}", "finalement une infolettre", "fr")
