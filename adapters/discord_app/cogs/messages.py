"""Plain messages: answers typed in an intake thread, mentions of the bot, and DMs.

- In a channel or thread that holds an intake, the owner's messages are answers (buttons
  are a shortcut, never the only way). Others may talk freely there; if they mention the
  bot they are told whose intake it is.
- A mention elsewhere starts an intake: in a thread opened on that message, or in place
  when already in a thread.
- In DMs every message goes to the conversation (`discord:dm:<user id>`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from ..keys import key_for
from ..language import language_question

if TYPE_CHECKING:
    from ..bot import PlanFirstBot


TYPED = (discord.MessageType.default, discord.MessageType.reply)
"""Messages people type (not joins, pins, thread-created notices...)."""


def strip_mention(content: str, bot_id: int) -> str:
    return re.sub(rf"<@!?{bot_id}>", " ", content).strip()


class MessageCog(commands.Cog):
    def __init__(self, bot: PlanFirstBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        bot = self.bot
        if message.author.bot or bot.user is None or message.type not in TYPED:
            return
        roleplay = bot.get_cog("RolePlayCog")
        if roleplay is not None and roleplay.claims(message.channel):  # type: ignore[attr-defined]
            return  # a role-play under way here: RolePlayCog answers
        mentioned = bot.user in message.mentions
        text = strip_mention(message.content, bot.user.id)
        channel, guild = message.channel, message.guild
        key = key_for(channel, message.author)
        owner = bot.conversations.owner(key)
        lang = bot.conversations.language(key, guild)
        if guild is not None and owner is not None and owner != str(message.author.id):
            if mentioned:
                await channel.send(bot.text("discord_not_owner", lang))
            return
        if guild is not None and owner is None and not mentioned:
            return
        if not text:
            if mentioned:
                await channel.send(bot.text("discord_mention_empty", lang))
            return
        if not await self._allowed(message, lang):
            return
        if owner is None and isinstance(channel, discord.TextChannel):
            request_lang = bot.languages.for_request(guild, text)
            started = await bot.conversations.start_in_thread(message, text, user=message.author, guild=guild,
                                                              lang=request_lang)
        else:
            started = False
        if not started:
            await bot.conversations.say(channel, key, text, user=message.author, guild=guild)
        if owner is None and bot.languages.ask_once(guild):
            await channel.send(**language_question(bot))

    async def _allowed(self, message: discord.Message, lang: str) -> bool:
        wait = self.bot.cooldown.hit(message.author.id)
        if not wait:
            return True
        if self.bot.cooldown.should_warn(message.author.id):
            await message.channel.send(self.bot.text("discord_cooldown", lang, seconds=max(1, round(wait))))
        return False
