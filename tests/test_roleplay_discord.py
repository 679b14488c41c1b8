"""/roleplay on Discord through real dispatch (simcord, tests/discord_harness.py).

The real command tree, the real role-play service and question recogniser on the shipped
base; a SQLite file, so a restart of the bot on the same file is checked too. The advisor
is the scripted FakeAdvisor: it must never hear the role-play's messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from adapters.discord_app.roleplay_cog import session_key
from knowledge import load_knowledge_base
from knowledge.models import KnowledgeBase
from storage.sqlite_store import SqliteStore
from tests.discord_harness import FakeAdvisor, World, buttons, no_network_fixture, world  # noqa: F401 - fixture
from training.roleplay.service import RolePlayService

pytestmark = pytest.mark.asyncio
KB = load_knowledge_base()


@dataclass
class RolePlayRuntime:
    kb: KnowledgeBase
    store: SqliteStore
    roleplay: RolePlayService
    advisor: Any = field(default_factory=FakeAdvisor)

    def reload(self) -> list[str]:
        return []


def runtime_on(path: Path, seed: int = 7) -> RolePlayRuntime:
    store = SqliteStore(str(path))
    return RolePlayRuntime(KB, store, RolePlayService(KB, store, new_seed=lambda: seed))


def thread_of(w: World) -> simcord.ChannelHandle:
    [thread] = w.channel.threads
    return thread


def with_buttons(thread: simcord.ChannelHandle, prefix: str) -> discord.Message:
    return [m for m in thread.history() if any(b.custom_id.startswith(prefix) for b in buttons(m))][-1]


async def test_roleplay_opens_a_private_thread_and_the_junior_plays_to_the_debrief(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime) as w:
        started = await w.alice.slash(w.channel, "roleplay", niveau=1)
        thread = thread_of(w)
        notice = started.response
        assert started.ephemeral and notice.ephemeral and thread.mention in notice.content
        assert w.bot.get_channel(thread.id).type is discord.ChannelType.private_thread
        assert w.alice.id in [m.id for m in w.bot.get_channel(thread.id).members]
        key = session_key(thread.id)
        state = runtime.roleplay.current(key)
        assert state is not None and state.scenario.level == 1 and runtime.roleplay.owner(key) == str(w.alice.id)
        intro, opening = thread.history()
        assert intro.content.startswith("🎭 **Jeu de rôle, niveau 1**")
        assert [b.label for b in buttons(intro)] == ["Proposer une recommandation"]
        assert opening.content == f"**Client** : {state.scenario.opening}"

        await w.alice.send(thread, "Bonjour! Qu'est-ce que vous voulez accomplir avec ça?")
        answer = thread.last_message
        assert answer.content.startswith("**Client** : ") and runtime.roleplay.current(key).questions == 1
        assert runtime.advisor.calls == []  # the advice cog left the role-play alone

        await w.alice.click(intro, custom_id=buttons(intro)[0].custom_id)
        options = with_buttons(thread, "pf:rp:")
        labels = [b.label for b in buttons(options)]
        assert len(labels) == len(KB.rules[state.scenario.topic]) and labels[0].startswith("1. ")
        click = await w.alice.click(options, custom_id=buttons(options)[0].custom_id)
        assert click.acknowledged and all(b.disabled for b in buttons(next(
            m for m in thread.history() if m.id == options.id)))
        debrief = next(m for m in thread.history() if m.embeds)
        embed = debrief.embeds[0]
        assert embed.title.startswith("Bilan de l'entrevue — ") and embed.title.endswith("/100")
        assert "L'objectif d'abord" in embed.description
        assert [f.name for f in embed.fields] == ["Le profil caché", "Ce qu'un senior aurait conseillé"]
        assert len(embed) <= 6000
        texts = [m.content for m in thread.history()]
        assert any(t.startswith("**Transcription**") for t in texts) and "/roleplay vue:progrès" in texts[-1]
        [row] = runtime.store.roleplay_sessions(str(w.alice.id), str(w.guild.id))
        assert f"{row['score']}/100" in embed.title
        assert all(len(body.get("content") or "") <= 2000 for body in w.sent())


async def test_only_the_junior_plays_and_old_buttons_are_refused(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime) as w:
        await w.alice.slash(w.channel, "roleplay", niveau=2)
        thread = thread_of(w)
        key = session_key(thread.id)
        intro = thread.history()[0]
        with pytest.raises(simcord.SetupError, match="not visible to this user"):
            await w.bob.click(intro, custom_id=buttons(intro)[0].custom_id)  # a private thread: bob cannot see it
        await w.bot.get_channel(thread.id).add_user(discord.Object(id=w.bob.id))  # a trainer invited to read along
        refused = await w.bob.click(intro, custom_id=buttons(intro)[0].custom_id)
        assert refused.ephemeral and "appartient à quelqu'un d'autre" in refused.response.content
        before = len(thread.history())
        await w.bob.send(thread, "Je regarde seulement, quel est votre budget?")
        assert len(thread.history()) == before + 1 and runtime.roleplay.current(key).questions == 0
        await w.alice.click(intro, custom_id=buttons(intro)[0].custom_id)
        options = with_buttons(thread, "pf:rp:")
        await w.alice.send(thread, "En fait, qui va écrire les textes?")  # back to questions: the options are stale
        stale = await w.alice.click(options, custom_id=buttons(options)[0].custom_id)
        assert stale.ephemeral and "ne correspond plus" in stale.response.content
        await w.alice.send(thread, "> Un blogue")
        gone = await w.alice.click(intro, custom_id=buttons(intro)[0].custom_id)
        assert gone.ephemeral and gone.response.content.startswith("Aucun jeu de rôle en cours.")


async def test_a_restart_mid_role_play_resumes_in_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    runtime = runtime_on(path)
    async with world(runtime, locale="en-US") as w:
        await w.alice.slash(w.channel, "roleplay", niveau=3)
        thread = thread_of(w)
        await w.alice.send(thread, "What do you want to achieve with it?")
        asked = runtime.roleplay.current(session_key(thread.id))
        assert asked is not None and asked.lang == "en"

        second = runtime_on(path)  # a new process: only the SQLite file is shared
        await w.env.restart_bot(__import__("tests.discord_harness", fromlist=["bot_for"]).bot_for(second))
        await w.alice.send(thread, "How many hours a week can you put into it?")
        resumed = second.roleplay.current(session_key(thread.id))
        assert resumed is not None and resumed.questions == 2 and resumed.scenario == asked.scenario
        assert thread.last_message.content.startswith("**Client**: ")
        assert second.advisor.calls == []


async def test_progress_and_team_views(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime, locale="en-US") as w:
        empty = await w.alice.slash(w.channel, "roleplay", vue="progress")
        assert empty.ephemeral and empty.response.embeds[0].description.startswith("No role-play finished yet.")
        await w.alice.slash(w.channel, "roleplay", niveau=1)
        await w.alice.send(thread_of(w), "> A blog")
        mine = await w.alice.slash(w.channel, "roleplay", vue="progress")
        [embed] = mine.response.embeds
        assert embed.title == "Your role-play progress" and "1 session(s)" in embed.description
        refused = await w.alice.slash(w.channel, "roleplay", vue="team")
        assert refused.ephemeral and "for people who can manage messages" in refused.response.content
        team = await w.mod.slash(w.channel, "roleplay", vue="team")
        assert team.ephemeral and team.response.embeds[0].description.startswith(f"- <@{w.alice.id}>: 1 session(s)")


async def test_replay_reopens_the_failed_scenario_in_a_new_thread(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime) as w:
        await w.alice.slash(w.channel, "roleplay", niveau=2)
        first = thread_of(w)
        failed = runtime.roleplay.current(session_key(first.id)).scenario
        await w.alice.send(first, "> Un truc au hasard")
        await w.alice.slash(w.channel, "roleplay", vue="replay")
        second = next(t for t in w.channel.threads if t.id != first.id)
        assert second.history()[0].content.startswith("🔁 On rejoue un scénario raté")
        assert runtime.roleplay.current(session_key(second.id)).scenario == failed


async def test_in_direct_messages_the_role_play_runs_in_place(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime) as w:
        started = await w.alice.user.slash("roleplay", niveau=1)
        assert not started.ephemeral and started.response.content == f"{w.alice.mention} starts a level 1 role-play."
        dm = w.alice.user.dm_channel
        await w.alice.user.send_dm("What is the goal of this project?")
        assert dm.last_message.content.startswith("**Client**")
        assert runtime.advisor.calls == []


async def test_the_command_is_synced_with_french_and_english_names(tmp_path: Path) -> None:
    runtime = runtime_on(tmp_path / "bot.db")
    async with world(runtime) as w:
        put = [r for r in w.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")][-1]
        command = next(c for c in put.json if c["name"] == "roleplay")
        options = {o["name"]: o for o in command["options"]}
        assert set(options) == {"niveau", "vue"}
        assert options["niveau"]["name_localizations"]["en-US"] == "level"
        assert options["niveau"]["min_value"] == 1 and options["niveau"]["max_value"] == 3
        assert options["vue"]["name_localizations"]["en-GB"] == "view"
        assert {c["value"] for c in options["vue"]["choices"]} == {"progress", "team", "replay"}
        assert "roleplay" in w.alice.available_commands(w.channel)
