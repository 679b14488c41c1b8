"""Offline Discord for the bot's tests: simcord, a network guard, and a scripted advisor.

simcord (pinned in requirements-dev.txt) runs discord.py's real ConnectionState, command
tree and view store against an in-memory Discord, so these tests send real interaction
payloads through real dispatch: slash commands with options, autocomplete, clicks routed
by `custom_id`, thread creation, files, and a restart of the bot on the same storage.

`FakeAdvisor` has the `AdvisorService` API with replies the test chooses (a 5,000-character
text, seven choices...), for the edge cases; the full intakes use the real runtime.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from adapters.discord_app import PlanFirstBot, create_bot
from adapters.discord_app.cooldown import Cooldown
from advisor.replies import ChoiceOption, Reply
from knowledge import load_knowledge_base
from knowledge.models import KnowledgeBase
from storage.sqlite_store import SqliteStore


@pytest.fixture(autouse=True, name="no_network")
def no_network_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test: Discord is simulated, never reached."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    async def refuse_async(*args: Any, **kwargs: Any) -> Any:
        refuse(*args)

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(asyncio.BaseEventLoop, "create_connection", refuse_async)


CHOICES = (ChoiceOption("awareness", "Se faire connaître"), ChoiceOption("leads", "Plus de clients"),
           ChoiceOption("idk", "Je ne sais pas"))
MANY = tuple(ChoiceOption(f"v{i}", f"Option {i}") for i in range(1, 8))


def default_script(advisor: FakeAdvisor, key: str, text: str) -> list[Reply]:
    """start/handle replies: words in the text pick an edge case."""
    if "long" in text:
        return [Reply("text", ("Phrase assez longue pour remplir. " * 160).strip())]
    if "many" in text:
        return [Reply("question", "Laquelle?", MANY)]
    if "boom" in text:
        raise RuntimeError("engine exploded")
    if text == "brief":
        return [Reply("recommendation", "Un blogue léger. " * 400, title="Recommandation"),
                Reply("brief", "# Brief\n\nDemande: test\n", data={"brief_id": 7}, title="Brief")]
    return [Reply("text", f"Reçu: {text}"), Reply("question", "Quel objectif?", CHOICES)]


@dataclass
class FakeAdvisor:
    """The `AdvisorService` API; `memory` outlives a bot restart like SQLite does."""

    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    script: Callable[[FakeAdvisor, str, str], list[Reply]] = default_script
    calls: list[tuple[str, str, str, str | None]] = field(default_factory=list)

    def start(
        self, key: str, request: str, *, user_id: str, guild_id: str = "", lang: str | None = None
    ) -> list[Reply]:
        previous = self.memory.get(key, {}).get("turn", 0)
        self.memory[key] = {"owner": user_id, "turn": previous + 1, "lang": lang}
        self.calls.append(("start", key, request, lang))
        return self.script(self, key, request)

    def handle(
        self, key: str, text: str, *, user_id: str, guild_id: str = "", lang: str | None = None,
        turn: int | None = None,
    ) -> list[Reply]:
        state = self.memory.setdefault(key, {"owner": user_id, "turn": 0})
        if turn is not None and turn != state["turn"]:
            return [Reply("error", "stale")]
        state["turn"] += 1
        self.calls.append(("handle", key, text, lang))
        return self.script(self, key, text)

    def turn(self, key: str) -> int:
        return self.memory.get(key, {}).get("turn", 0)

    def owner(self, key: str) -> str | None:
        return self.memory.get(key, {}).get("owner")

    def language(self, key: str) -> str | None:
        return self.memory.get(key, {}).get("lang")

    def prompt(self, key: str, lang: str | None = None) -> list[Reply]:
        return [Reply("question", "Quel objectif?", CHOICES)]


@dataclass
class FakeRuntime:
    kb: KnowledgeBase
    store: SqliteStore
    advisor: Any
    problems: list[str] = field(default_factory=list)
    reloads: int = 0

    def reload(self) -> list[str]:
        self.reloads += 1
        return list(self.problems)


@pytest.fixture(name="fake_runtime")
def fake_runtime_fixture(kb_path: Path, tmp_path: Path) -> FakeRuntime:
    """The small valid base from conftest, a SQLite file, and the scripted advisor."""
    return FakeRuntime(load_knowledge_base(kb_path), SqliteStore(str(tmp_path / "bot.sqlite3")), FakeAdvisor())


@dataclass
class World:
    """A server with a channel, the intake's owner, another member and a moderator."""

    env: simcord.Env
    bot: PlanFirstBot
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor
    bob: simcord.MemberActor
    mod: simcord.MemberActor
    admin: simcord.MemberActor

    def sent(self) -> list[dict[str, Any]]:
        """JSON bodies of every message-creating request the bot made (sends, replies, follow-ups)."""
        return [r.json for r in self.env.http_requests
                if r.method in ("POST", "PATCH") and isinstance(r.json, dict)
                and any(k in r.json for k in ("content", "embeds", "data"))]


def bot_for(runtime: Any, clock: Callable[[], float] | None = None) -> PlanFirstBot:
    """A bot whose cooldown never gets in the way unless a test wants it to."""
    cooldown = Cooldown(capacity=1000, rate=1000) if clock is None else Cooldown(clock=clock)
    return create_bot(runtime, cooldown=cooldown)


@asynccontextmanager
async def world(runtime: Any, *, locale: str = "fr", bot: PlanFirstBot | None = None) -> AsyncIterator[World]:
    """The bot logged in to a simulated Discord, commands synced, one server set up."""
    bot = bot or bot_for(runtime)
    async with simcord.run(bot) as env:
        await bot.tree.sync()
        guild = env.create_guild("Agence", preferred_locale=locale)
        channel = guild.create_text_channel("intake")
        mods = guild.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
        admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
        yield World(
            env, bot, guild, channel,
            guild.add_member(env.create_user("alice")),
            guild.add_member(env.create_user("bob")),
            guild.add_member(env.create_user("mod"), roles=[mods]),
            guild.add_member(env.create_user("admin"), roles=[admins]),
        )


def buttons(message: discord.Message) -> list[discord.Button]:
    return [c for row in message.components for c in getattr(row, "children", []) if isinstance(c, discord.Button)]


def selects(message: discord.Message) -> list[discord.SelectMenu]:
    return [c for row in message.components for c in getattr(row, "children", []) if isinstance(c, discord.SelectMenu)]


def last_with_components(channel: simcord.ChannelHandle) -> discord.Message:
    return [m for m in channel.history() if m.components][-1]
