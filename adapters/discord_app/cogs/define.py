"""`/define terme:<text>`: the knowledge base's card for a marketing term.

Autocomplete fuzzy-matches what is typed against every topic's names and aliases (both
languages), normalised the one project way (`knowledge.text.normalise`), with an
explicit cutoff so nonsense gets no suggestion rather than a random one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from advisor.glossary import TermIndex, card_fields, unknown_term
from knowledge.models import KnowledgeBase, Topic

from .. import limits
from ..render import COLOUR, fit_embed
from ..translator import loc

if TYPE_CHECKING:
    from ..bot import PlanFirstBot

def card(topic: Topic, kb: KnowledgeBase, lang: str) -> discord.Embed:
    """The topic's card as an embed (its fields come from advisor.glossary)."""
    embed = discord.Embed(
        title=limits.trim(topic.name(lang), limits.EMBED_TITLE),
        description=limits.trim(topic.definition(lang), limits.EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    for label, value in card_fields(kb, topic, lang):
        embed.add_field(name=limits.trim(label, limits.EMBED_FIELD_NAME),
                        value=limits.trim(value or "-", limits.EMBED_FIELD_VALUE), inline=False)
    return fit_embed(embed)


class DefineCog(commands.Cog):
    def __init__(self, bot: PlanFirstBot) -> None:
        self.bot = bot
        self._index: TermIndex | None = None

    def index(self) -> TermIndex:
        kb = self.bot.runtime.kb
        if self._index is None or self._index.kb is not kb:
            self._index = TermIndex(kb)
        return self._index

    @app_commands.command(
        name=loc("define", "discord_cmd_define_name"),
        description=loc("Ce qu'un terme de marketing veut dire, et ce qu'il demande", "discord_cmd_define_desc"),
    )
    @app_commands.rename(terme=loc("terme", "discord_opt_terme_name"))
    @app_commands.describe(terme=loc("Un terme comme SEO, blogue, infolettre", "discord_opt_terme_desc"))
    async def define(self, interaction: discord.Interaction[PlanFirstBot], terme: str) -> None:
        lang = self.bot.languages.for_interaction(interaction)
        index = self.index()
        topic = index.resolve(terme)
        if topic is None:
            term = limits.trim(limits.one_line(terme), 100)
            await self.bot.refuse(interaction, unknown_term(index.kb, term, lang))
            return
        await interaction.response.send_message(embed=card(topic, index.kb, lang))

    @define.autocomplete("terme")
    async def define_autocomplete(
        self, interaction: discord.Interaction[PlanFirstBot], current: str
    ) -> list[app_commands.Choice[str]]:
        lang = self.bot.languages.for_interaction(interaction)
        index = self.index()
        return [
            app_commands.Choice(name=limits.trim(index.kb.topics[i].name(lang), limits.CHOICE_NAME), value=i)
            for i in index.search(current)
        ]
