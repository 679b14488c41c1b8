"""Runs one turn of an intake and posts the engine's replies: the only bridge to the engine.

`/triage`, messages (thread, mention, DM) and answer clicks all come through here, so
turns in one conversation are serialised (a lock per key) and every reply is rendered
the same way, in the conversation's one language (`language.py`). The engine is
synchronous and fast (SQLite, in-process classifier), so it is called directly from the
event loop.

Each Discord message costs a round trip (and counts against the channel's rate limit),
so the topic cards that open an intake are folded into one embed: into the `/triage`
announcement itself when there is one, else into one message before the question.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, cast

import discord
from discord.abc import Messageable

from advisor.replies import Reply
from knowledge.models import LANGS

from . import limits
from .components import answered_view
from .render import cards_embed, is_card, render

if TYPE_CHECKING:
    from .bot import PlanFirstBot


THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440
"""An intake thread archives itself after a day without messages."""
Header = Callable[[list[Reply]], Awaitable[None]]
"""Folds the opening topic cards into the message that announced the intake."""


class Conversations:
    def __init__(self, bot: PlanFirstBot) -> None:
        self.bot = bot
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def advisor(self) -> Any:
        return self.bot.runtime.advisor

    def owner(self, key: str) -> str | None:
        return self.advisor.owner(key)

    def language(self, key: str, guild: discord.Guild | None) -> str:
        """The conversation's language; the server's when there is no conversation yet."""
        return self.advisor.language(key) or self.bot.languages.for_guild(guild)

    async def start(
        self, channel: Messageable, key: str, request: str, *, user: discord.abc.User, guild: discord.Guild | None,
        lang: str, header: Header | None = None,
    ) -> None:
        """A new intake under `key` with `request`, in `lang` (replaces any conversation there)."""
        async with self._locks[key]:
            replies = self.advisor.start(key, request, user_id=str(user.id), guild_id=_gid(guild), lang=lang)
            await self.post(channel, key, replies, guild, header=header)

    async def start_in_thread(self, message: discord.Message, request: str, *, user: discord.abc.User,
                              guild: discord.Guild | None, lang: str, header: Header | None = None) -> bool:
        """Open a thread on `message` named after the request and start the intake there.

        False when the bot may not create threads: the caller then runs the intake in place.
        """
        name = limits.safe_thread_name(request, self.bot.text("discord_thread_fallback", lang))
        try:
            thread = await message.create_thread(name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except discord.Forbidden:
            return False
        await self.start(thread, f"discord:{thread.id}", request, user=user, guild=guild, lang=lang, header=header)
        return True

    async def say(
        self, channel: Messageable, key: str, text: str, *, user: discord.abc.User, guild: discord.Guild | None
    ) -> None:
        """One message from the user in the conversation under `key` (starts one if none)."""
        async with self._locks[key]:
            if self.advisor.owner(key) is None:
                lang = self.bot.languages.for_request(guild, text)
                replies = self.advisor.start(key, text, user_id=str(user.id), guild_id=_gid(guild), lang=lang)
            else:
                replies = self.advisor.handle(key, text, user_id=str(user.id), guild_id=_gid(guild), lang=None)
            await self.post(channel, key, replies, guild)

    async def choose(self, interaction: discord.Interaction[Any], key: str, turn: int, value: str, label: str) -> None:
        """A click on an answer button or select: checked, then sent as the user's message."""
        bot = self.bot
        lang = self.advisor.language(key) or bot.languages.for_interaction(interaction)
        if not await bot.allow(interaction):
            return
        async with self._locks[key]:
            owner = self.advisor.owner(key)
            if owner is None:
                await bot.refuse(interaction, bot.text("discord_stale_unknown", lang))
                return
            if owner != str(interaction.user.id) and not _is_moderator(interaction):
                await bot.refuse(interaction, bot.text("discord_not_owner", lang))
                return
            if self.advisor.turn(key) != turn:
                await bot.refuse(interaction, bot.text("discord_stale_turn", lang))
                return
            custom_id = str(cast(dict[str, Any], interaction.data or {}).get("custom_id", ""))
            if interaction.message is not None:
                await interaction.response.edit_message(view=answered_view(interaction.message, custom_id, value))
            else:
                await interaction.response.defer()
            # `turn`: if another process moved the conversation since the check above, the click
            # is refused by the service instead of answering a different question.
            replies = self.advisor.handle(key, value, user_id=owner, guild_id=_gid(interaction.guild), lang=None,
                                          turn=turn)
            channel = interaction.channel
            assert isinstance(channel, Messageable)
            await self.post(channel, key, replies, interaction.guild)

    async def post(
        self, channel: Messageable, key: str, replies: list[Reply], guild: discord.Guild | None,
        header: Header | None = None,
    ) -> None:
        """Every reply, in order; the opening cards folded; buttons carry the turn the engine is at now."""
        turn = self.advisor.turn(key)
        lang = self.language(key, guild)
        placeholder = self.bot.text("discord_select_placeholder", lang)
        count = next((i for i, reply in enumerate(replies) if not is_card(reply)), len(replies))
        cards, rest = replies[:count], replies[count:]
        if cards and header is not None:
            await header(cards)
        elif cards:
            await channel.send(embed=cards_embed(cards))
        for reply in rest:
            for message in render(self.discord_words(reply), key=key, turn=turn, placeholder=placeholder):
                await channel.send(**message)


    def discord_words(self, reply: Reply) -> Reply:
        """The engine's help names the console's words ("quiz"); Discord has its own commands."""
        kb = self.bot.runtime.kb
        for lang in LANGS:
            if reply.kind == "text" and "help" in kb.messages and reply.text == kb.msg("help", lang):
                return replace(reply, text=self.bot.text("discord_help", lang))
        return reply


def _gid(guild: discord.Guild | None) -> str:
    return str(guild.id) if guild is not None else ""


def _is_moderator(interaction: discord.Interaction[Any]) -> bool:
    """Someone who may manage messages in this channel may unblock anyone's intake."""
    return interaction.guild is not None and interaction.permissions.manage_messages
