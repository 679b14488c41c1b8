"""`/langue fr|en`: the server's language for the bot (Manage Server only).

`default_permissions` hides the command from members without Manage Server, and the
check enforces it even if an admin grants the command to others in the server settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from ..translator import loc

if TYPE_CHECKING:
    from ..bot import PlanFirstBot


class LanguageCog(commands.Cog):
    def __init__(self, bot: PlanFirstBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=loc("langue", "discord_cmd_langue_name"),
        description=loc("La langue de Plan First sur ce serveur", "discord_cmd_langue_desc"),
    )
    @app_commands.rename(langue=loc("langue", "discord_opt_langue_name"))
    @app_commands.describe(langue=loc("fr ou en", "discord_opt_langue_desc"))
    @app_commands.choices(
        langue=[
            app_commands.Choice(name="Français", value="fr"),
            app_commands.Choice(name="English", value="en"),
        ]
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def langue(self, interaction: discord.Interaction[PlanFirstBot], langue: Literal["fr", "en"]) -> None:
        assert interaction.guild is not None
        self.bot.languages.choose(interaction.guild, langue)
        await interaction.response.send_message(self.bot.text("discord_langue_set", langue))
