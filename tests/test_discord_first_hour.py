"""What a new agency meets in its first hour on Discord, through the real command tree.

/define's suggestions for two or three letters, one language per conversation (and the
server's language asked once), Discord's own help words, /triage as one message plus the
question, and `run`/`sync` without a network.
"""

from __future__ import annotations

import asyncio
import io
import socket
from pathlib import Path

import discord
import pytest

from adapters.discord_app.launch import run_discord, sync_commands
from advisor.glossary import clean
from knowledge import load_knowledge_base
from runtime import build_runtime
from storage.sqlite_store import SqliteStore
from tests.discord_harness import (  # noqa: F401 - fixtures
    FakeAdvisor,
    FakeRuntime,
    buttons,
    fake_runtime_fixture,
    last_with_components,
    no_network_fixture,
    world,
)

QUESTION = "Quelle langue pour Plan First sur ce serveur?"


@pytest.fixture
def shipped(tmp_path: Path) -> FakeRuntime:
    """The shipped knowledge base (its 26 topics and their aliases), the scripted advisor."""
    return FakeRuntime(load_knowledge_base(), SqliteStore(str(tmp_path / "bot.sqlite3")), FakeAdvisor())


@pytest.fixture
def real(tmp_path: Path, shipped_cache: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """The real runtime (engine, classifier from the session's cache, SQLite)."""
    monkeypatch.setenv("PLAN_FIRST_CACHE", str(shipped_cache))
    return build_runtime(db_path=str(tmp_path / "real.sqlite3"))


# --- /define: short inputs ---------------------------------------------------------------

@pytest.mark.parametrize(("typed", "first"), [
    ("se", "seo"), ("sep", "seo"), ("seo", "seo"), ("bl", "blog"), ("blgo", "blog"), ("inf", "newsletter"),
    ("vid", "video"), ("pod", "podcast"), ("referencemnt", "seo"), ("réseaux", "social_media"),
])
async def test_define_suggests_what_starts_with_the_letters_first(shipped, typed: str, first: str):
    async with world(shipped) as w:
        choices = await w.alice.autocomplete(w.channel, "define", "terme", typed)
        assert choices and choices[0]["value"] == first, [c["value"] for c in choices]
        assert len(choices) < 25
        if len(typed) == 2:  # two letters: only topics with a name or alias starting with them
            for choice in choices:
                topic = shipped.kb.topics[choice["value"]]
                names = (topic.name.fr, topic.name.en, *topic.all_aliases())
                assert any(clean(n).startswith(typed) for n in names), (typed, choice)


@pytest.mark.parametrize("typed", ["zz", "qxw", "zzqxw", "sm", "xkcd"])
async def test_define_suggests_nothing_for_nonsense(shipped, typed: str):
    async with world(shipped) as w:
        assert await w.alice.autocomplete(w.channel, "define", "terme", typed) == []


# --- one language per conversation -------------------------------------------------------

async def test_an_unset_server_locale_asks_once_and_the_intake_follows_its_request(fake_runtime):
    async with world(fake_runtime, locale="en-US") as w:  # Discord's default: nobody chose it
        opened = await w.alice.slash(w.channel, "triage", demande="on veut un blogue pour notre boulangerie")
        assert opened.response.embeds[0].title == "Prise de besoin"  # the request's language, not en-US
        assert fake_runtime.advisor.calls[-1][3] == "fr"  # and the engine is told the same
        [asked] = [f for f in opened.followups if QUESTION in f.content]
        assert not asked.ephemeral and "Which language should Plan First use" in asked.content
        again = await w.alice.slash(w.channel, "triage", demande="we want a newsletter for our shop")
        assert again.response.embeds[0].title == "Client intake"
        assert fake_runtime.advisor.calls[-1][3] == "en"
        assert not [f for f in again.followups if QUESTION in f.content]  # asked once only
        question = next(m for m in w.channel.history() if QUESTION in m.content)
        refused = await w.bob.click(question, custom_id="pf:lang:fr")  # in Bob's own language (en-US)
        assert refused.ephemeral and "Manage Server" in refused.response.content
        chosen = await w.admin.click(question, custom_id="pf:lang:fr")
        assert not chosen.ephemeral
        assert w.bot.languages.chosen(w.bot.get_guild(w.guild.id)) == "fr"
        third = await w.alice.slash(w.channel, "triage", demande="we need a podcast")
        assert third.response.embeds[0].title == "Prise de besoin"
        assert fake_runtime.advisor.calls[-1][3] == "fr"  # the server's language now wins


async def test_a_french_server_speaks_french_even_to_an_english_request(fake_runtime):
    async with world(fake_runtime, locale="fr") as w:
        opened = await w.alice.slash(w.channel, "triage", demande="we want a newsletter")
        assert opened.response.embeds[0].title == "Prise de besoin"
        assert fake_runtime.advisor.calls[-1][3] == "fr"
        assert not [f for f in opened.followups if QUESTION in f.content]  # the locale was set: nothing to ask


async def test_the_whole_conversation_wears_its_language_and_english_switches_it(real):
    kb = real.kb
    async with world(real, locale="en-US") as w:
        await w.alice.slash(w.channel, "triage", demande="nos clients ne reviennent jamais après un achat")
        [thread] = w.channel.threads
        key = f"discord:{thread.id}"
        assert real.advisor.language(key) == "fr"
        [announce] = [m for m in w.channel.history() if m.embeds and m.embeds[0].fields]
        assert announce.embeds[0].title == "Prise de besoin"
        assert all(f.name in {t.name("fr") for t in kb.topics.values()} for f in announce.embeds[0].fields)
        await w.bob.send(thread, f"{w.bot.user.mention} je peux aider?")
        assert thread.last_message.content.startswith("Seule la personne")
        await w.alice.send(thread, "english")
        assert real.advisor.language(key) == "en"
        await w.bob.send(thread, f"{w.bot.user.mention} can I help?")
        assert thread.last_message.content.startswith("Only the person who started this intake")


# --- Discord's own words -----------------------------------------------------------------

async def test_help_in_a_thread_names_discord_commands_not_console_words(real):
    async with world(real) as w:
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        [thread] = w.channel.threads
        await w.alice.send(thread, "aide")
        help_text = next(m.content for m in thread.history() if "/quiz jouer" in m.content)
        assert "« quiz »" not in help_text and "/triage" in help_text and "/definir" in help_text
        assert last_with_components(thread).content  # and the pending question again
    assert "« quiz »" in real.kb.msg("help", "fr")  # the console keeps its own word


# --- /triage: one message, then the question --------------------------------------------

async def test_triage_is_one_message_with_the_cards_then_the_question(real):
    kb = real.kb
    async with world(real) as w:
        opened = await w.alice.slash(w.channel, "triage", demande="un site web avec un blogue et une infolettre")
        [thread] = w.channel.threads
        in_channel = [m for m in w.channel.history()
                      if m.author.id == w.bot.user.id and m.type is not discord.MessageType.thread_created]
        assert len(in_channel) == 1 and opened.followups == []
        [embed] = in_channel[0].embeds
        names = [f.name for f in embed.fields]
        assert len(names) >= 2 and set(names) <= {t.name("fr") for t in kb.topics.values()}
        first = thread.history()[0]
        assert first.components, "the first message in the thread is the question"


async def test_a_mention_folds_the_cards_into_one_message_before_the_question(real):
    async with world(real) as w:
        await w.alice.send(w.channel, f"{w.bot.user.mention} un blogue et une infolettre")
        [thread] = w.channel.threads
        cards, question = thread.history()[:2]
        assert len(cards.embeds) == 1 and len(cards.embeds[0].fields) >= 2 and not cards.content
        assert question.components


# --- no network --------------------------------------------------------------------------

def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS fails, as on a machine without network."""
    async def no_dns(self, host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", no_dns)


def test_run_and_sync_offline_say_so_in_one_line_and_exit_1(fake_runtime, monkeypatch, capsys):
    _offline(monkeypatch)
    for command in (run_discord, sync_commands):
        err = io.StringIO()
        assert command(fake_runtime, environ={"DISCORD_TOKEN": "a.b.c"}, env_file=None, stderr=err) == 1
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and "Impossible de joindre Discord" in lines[0] and "Could not reach Discord" in lines[0]
        assert "Traceback" not in err.getvalue() + capsys.readouterr().err
