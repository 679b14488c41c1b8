"""`/brief [id] [version]`: the server's recent intake briefs, or one of them (its latest
version, or an earlier one: a corrected brief keeps every version) as embed + Markdown file.

A brief is only shown in the server it was made in (or, in DMs, to the person who made
it): briefs hold client information and must not leak between agencies sharing the bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from .. import limits
from ..render import COLOUR, brief_file
from ..translator import loc

if TYPE_CHECKING:
    from ..bot import PlanFirstBot

LIST_LIMIT = 10


def visible(record: Any, interaction: discord.Interaction[Any]) -> bool:
    if interaction.guild is not None:
        return str(record.guild_id) == str(interaction.guild.id)
    return not record.guild_id and str(record.user_id) == str(interaction.user.id)


def short(request: str) -> str:
    return limits.trim(limits.one_line(request), 80)


def when(record: Any) -> str:
    created = record.created_at
    return created.strftime("%Y-%m-%d") if hasattr(created, "strftime") else str(created)[:10]


class BriefCog(commands.Cog):
    def __init__(self, bot: PlanFirstBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=loc("brief", "discord_cmd_brief_name"),
        description=loc("Les derniers briefs de ce serveur, ou l'un d'eux", "discord_cmd_brief_desc"),
    )
    @app_commands.rename(numero=loc("id", "discord_opt_brief_id_name"),
                         version=loc("version", "discord_opt_brief_version_name"))
    @app_commands.describe(
        numero=loc("Le numéro du brief, tel que /brief le liste", "discord_opt_brief_id_desc"),
        version=loc("Une version antérieure du brief (par défaut : la plus récente)", "discord_opt_brief_version_desc"),
    )
    async def brief(self, interaction: discord.Interaction[PlanFirstBot], numero: int | None = None,
                    version: int | None = None) -> None:
        if numero is None:
            await self.show_list(interaction)
        else:
            await self.show_one(interaction, numero, version)

    async def show_list(self, interaction: discord.Interaction[PlanFirstBot]) -> None:
        bot, lang = self.bot, self.bot.languages.for_interaction(interaction)
        if interaction.guild is not None:
            found = bot.runtime.store.list_briefs(guild_id=str(interaction.guild.id), limit=LIST_LIMIT)
        else:
            found = bot.runtime.store.list_briefs(guild_id="", user_id=str(interaction.user.id), limit=LIST_LIMIT)
        records = [r for r in found if visible(r, interaction)]
        if not records:
            await bot.refuse(interaction, bot.text("discord_brief_none", lang))
            return
        lines = [
            bot.text("discord_brief_line_versions" if r.versions > 1 else "discord_brief_line", lang, id=r.id,
                     date=when(r), request=short(r.request), versions=r.versions)
            for r in records[:LIST_LIMIT]
        ]
        embed = discord.Embed(
            title=bot.text("discord_brief_list_title", lang),
            description=limits.trim("\n".join(lines), limits.EMBED_DESCRIPTION),
            colour=COLOUR,
        )
        embed.set_footer(text=bot.text("discord_brief_list_footer", lang))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def show_one(self, interaction: discord.Interaction[PlanFirstBot], number: int,
                       version: int | None = None) -> None:
        bot, lang = self.bot, self.bot.languages.for_interaction(interaction)
        store = bot.runtime.store
        latest = store.get_brief(number)
        if latest is None or not visible(latest, interaction):
            await bot.refuse(interaction, bot.text("discord_brief_not_found", lang, id=number))
            return
        record = store.get_brief(number, version) if version is not None else latest
        if record is None:
            kept = ", ".join(str(r.version) for r in store.brief_versions(number))
            await bot.refuse(interaction, bot.text("discord_brief_version_not_found", lang, id=number,
                                                   version=version, versions=kept))
            return
        if record.versions > 1:
            title = bot.text("discord_brief_title_version", lang, id=record.id, version=record.version,
                             versions=record.versions, date=when(record))
        else:
            title = bot.text("discord_brief_title", lang, id=record.id, date=when(record))
        embed = discord.Embed(
            title=limits.trim(title, limits.EMBED_TITLE),
            description=limits.trim(record.markdown, limits.EMBED_DESCRIPTION),
            colour=COLOUR,
        )
        name = record.id if record.version == record.versions else f"{record.id}.v{record.version}"
        await interaction.response.send_message(embed=embed, file=brief_file(record.markdown, name))
