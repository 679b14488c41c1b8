"""Runs one turn of an intake and posts the engine's replies: the only bridge to the engine.

`/triage`, messages (thread, mention, DM) and answer clicks all come through here, so
turns in one conversation are serialised (a lock per key) and every reply is rendered
the same way. The engine is synchronous and fast (SQLite, in-process classifier), so
it is called directly from the event loop.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Literal, cast

import discord
from discord.abc import Messageable

from advisor.replies import Reply

from . import limits
from .components import answered_view
from .render import render

if TYPE_CHECKING:
    from .bot import PlanFirstBot


THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440
"""An intake thread archives itself after a day without messages."""


class Conversations:
    def __init__(self, bot: PlanFirstBot) -> None:
        self.bot = bot
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def advisor(self) -> Any:
        return self.bot.runtime.advisor

    def owner(self, key: str) -> str | None:
        return self.advisor.owner(key)

    async def start(
        self, channel: Messageable, key: str, request: str, *, user: discord.abc.User, guild: discord.Guild | None
    ) -> None:
        """A new intake under `key` with `request` (replaces any conversation there)."""
        async with self._locks[key]:
            replies = self.advisor.start(
                key, request, user_id=str(user.id), guild_id=_gid(guild), lang=self.bot.languages.chosen(guild)
            )
            await self.post(channel, key, replies, guild)

    async def start_in_thread(self, message: discord.Message, request: str, *, user: discord.abc.User,
                              guild: discord.Guild | None, lang: str) -> bool:
        """Open a thread on `message` named after the request and start the intake there.

        False when the bot may not create threads: the caller then runs the intake in place.
        """
        name = limits.safe_thread_name(request, self.bot.text("discord_thread_fallback", lang))
        try:
            thread = await message.create_thread(name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except discord.Forbidden:
            return False
        await self.start(thread, f"discord:{thread.id}", request, user=user, guild=guild)
        return True

    async def say(
        self, channel: Messageable, key: str, text: str, *, user: discord.abc.User, guild: discord.Guild | None
    ) -> None:
        """One message from the user in the conversation under `key` (starts one if none)."""
        async with self._locks[key]:
            kwargs = {"user_id": str(user.id), "guild_id": _gid(guild), "lang": None}
            if self.advisor.owner(key) is None:
                kwargs["lang"] = self.bot.languages.chosen(guild)
                replies = self.advisor.start(key, text, **kwargs)
            else:
                replies = self.advisor.handle(key, text, **kwargs)
            await self.post(channel, key, replies, guild)

    async def choose(self, interaction: discord.Interaction[Any], key: str, turn: int, value: str, label: str) -> None:
        """A click on an answer button or select: checked, then sent as the user's message."""
        bot = self.bot
        lang = bot.languages.for_interaction(interaction)
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
        self, channel: Messageable, key: str, replies: list[Reply], guild: discord.Guild | None
    ) -> None:
        """Every reply, in order; buttons carry the turn the engine is at now."""
        turn = self.advisor.turn(key)
        lang = self.bot.languages.for_guild(guild)
        placeholder = self.bot.text("discord_select_placeholder", lang)
        for reply in replies:
            for message in render(reply, key=key, turn=turn, placeholder=placeholder):
                await channel.send(**message)


def _gid(guild: discord.Guild | None) -> str:
    return str(guild.id) if guild is not None else ""


def _is_moderator(interaction: discord.Interaction[Any]) -> bool:
    """Someone who may manage messages in this channel may unblock anyone's intake."""
    return interaction.guild is not None and interaction.permissions.manage_messages
