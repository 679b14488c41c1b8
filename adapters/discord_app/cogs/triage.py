"""`/triage demande:<text>`: start an intake, in its own thread when in a server channel.

A thread keeps the interview (several questions and answers) out of the channel and
gives the conversation its key (`discord:<thread id>`). In a thread, a DM, or a channel
where the bot may not create threads, the intake runs where it was asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from advisor.replies import Reply

from .. import limits
from ..keys import key_for
from ..language import language_question
from ..render import COLOUR, add_cards
from ..translator import loc

if TYPE_CHECKING:
    from ..bot import PlanFirstBot

MAX_REQUEST = 1500


def quote(text: str) -> str:
    """The request as a Markdown quote, short enough to leave room around it."""
    return "\n".join(f"> {line}" for line in limits.trim(text, MAX_REQUEST).splitlines() or [""])


class TriageCog(commands.Cog):
    def __init__(self, bot: PlanFirstBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=loc("triage", "discord_cmd_triage_name"),
        description=loc(
            "Lancer une prise de besoin à partir d'une demande client, dans son propre fil", "discord_cmd_triage_desc"
        ),
    )
    @app_commands.rename(demande=loc("demande", "discord_opt_demande_name"))
    @app_commands.describe(demande=loc("Ce que le client a demandé, dans ses mots", "discord_opt_demande_desc"))
    async def triage(self, interaction: discord.Interaction[PlanFirstBot], demande: str) -> None:
        bot = self.bot
        request = demande.strip()
        if not request:
            await bot.refuse(interaction, bot.text("discord_triage_empty", bot.languages.for_interaction(interaction)))
            return
        user, guild, channel = interaction.user, interaction.guild, interaction.channel
        lang = bot.languages.for_request(guild, request)
        announce = announcement(bot, lang, user.mention, request)

        async def fold_cards(cards: list[Reply]) -> None:  # the topic cards join the announcement
            await interaction.edit_original_response(embed=add_cards(announce.copy(), cards))

        if guild is not None and isinstance(channel, discord.TextChannel):
            await interaction.response.send_message(embed=announce)
            message = await interaction.original_response()
            started = await bot.conversations.start_in_thread(message, request, user=user, guild=guild, lang=lang,
                                                              header=fold_cards)
        else:
            key = key_for(channel, user)
            owner = bot.conversations.owner(key)
            if owner not in (None, str(user.id)) and not interaction.permissions.manage_messages:
                theirs = bot.conversations.language(key, guild)
                await bot.refuse(interaction, bot.text("discord_not_owner", theirs))  # someone else's thread
                return
            await interaction.response.send_message(embed=announce)
            started = False
        if not started:
            assert isinstance(channel, discord.abc.Messageable)
            await bot.conversations.start(channel, key_for(channel, user), request, user=user, guild=guild, lang=lang,
                                          header=fold_cards)
        if bot.languages.ask_once(guild):
            await interaction.followup.send(**language_question(bot))


def announcement(bot: PlanFirstBot, lang: str, user: str, request: str) -> discord.Embed:
    """The intake's one message in the channel: who asked what (the topic cards join it)."""
    return discord.Embed(title=bot.text("discord_triage_title", lang), colour=COLOUR,
                         description=bot.text("discord_triage_opened", lang, user=user, request=quote(request)))
