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
from rapidfuzz import fuzz, process

from knowledge.models import Hours, KnowledgeBase, Topic
from knowledge.text import normalise

from .. import limits
from ..render import COLOUR, fit_embed
from ..translator import loc

if TYPE_CHECKING:
    from ..bot import PlanFirstBot

SUGGEST_CUTOFF = 60.0
"""WRatio score (0-100) below which a name is not suggested while typing."""
RESOLVE_CUTOFF = 75.0
"""Score needed to accept a typed term that was not picked from the suggestions."""


class TermIndex:
    """Normalised names and aliases -> topic id, rebuilt when the base is reloaded."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.terms: list[str] = []
        self.ids: list[str] = []
        for topic in kb.topics.values():
            for term in (topic.id.replace("_", " "), topic.name.fr, topic.name.en, *topic.all_aliases()):
                norm = normalise(term)
                if norm:
                    self.terms.append(norm)
                    self.ids.append(topic.id)

    def search(
        self, text: str, *, cutoff: float = SUGGEST_CUTOFF, limit: int = limits.AUTOCOMPLETE_CHOICES
    ) -> list[str]:
        """Topic ids that match `text`, best first, each once."""
        query = normalise(text)
        if not query:
            return sorted(self.kb.topics)[:limit]
        found: list[str] = []
        matches = process.extract(
            query, self.terms, scorer=fuzz.WRatio, processor=None, score_cutoff=cutoff, limit=None
        )
        for _, _, index in matches:
            topic_id = self.ids[index]
            if topic_id not in found:
                found.append(topic_id)
            if len(found) == limit:
                break
        return found

    def resolve(self, text: str) -> Topic | None:
        """The topic a typed term means: an id picked from autocomplete, else the best fuzzy match."""
        if text in self.kb.topics:
            return self.kb.topics[text]
        query = normalise(text)
        if not query:
            return None
        best = process.extractOne(query, self.terms, scorer=fuzz.WRatio, processor=None, score_cutoff=RESOLVE_CUTOFF)
        return self.kb.topics[self.ids[best[2]]] if best is not None else None


def hours_text(hours: Hours, bot: PlanFirstBot, lang: str) -> str:
    def fmt(value: float) -> str:
        return f"{value:g}".replace(".", ",") if lang == "fr" else f"{value:g}"

    if isinstance(hours, tuple):
        return bot.text("discord_hours_range", lang, low=fmt(hours[0]), high=fmt(hours[1]))
    return bot.text("discord_hours_single", lang, hours=fmt(hours))


def card(topic: Topic, kb: KnowledgeBase, bot: PlanFirstBot, lang: str) -> discord.Embed:
    """The topic's card: definition, what clients mean, what it demands, strategy or tactic."""
    t = bot.text
    embed = discord.Embed(
        title=limits.trim(topic.name(lang), limits.EMBED_TITLE),
        description=limits.trim(topic.definition(lang), limits.EMBED_DESCRIPTION),
        colour=COLOUR,
    )

    def add(name_key: str, value: str) -> None:
        embed.add_field(name=t(name_key, lang), value=limits.trim(value or "-", limits.EMBED_FIELD_VALUE), inline=False)

    add("discord_define_level", t(f"discord_define_level_{topic.level}", lang))
    add("discord_define_clients_mean", topic.clients_mean(lang))
    demands = topic.demands
    add("discord_define_content", demands.content(lang))
    add("discord_define_skills", demands.skills(lang))
    add("discord_define_hours", hours_text(demands.weekly_hours, bot, lang))
    add("discord_define_budget", demands.budget(lang))
    add("discord_define_time_to_results", demands.time_to_results(lang))
    related = [kb.topics[r].name(lang) for r in topic.related if r in kb.topics]
    if related:
        add(f"discord_define_related_{topic.level}", ", ".join(related))
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
            examples = ", ".join(index.kb.topics[i].name(lang) for i in sorted(index.kb.topics)[:5])
            term = limits.trim(limits.one_line(terme), 100)
            unknown = self.bot.text("discord_define_unknown", lang, term=term, examples=examples)
            await self.bot.refuse(interaction, unknown)
            return
        await interaction.response.send_message(embed=card(topic, index.kb, self.bot, lang))

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
