"""`/kb reload`: reload and validate the knowledge base without a restart (Manage Server).

`runtime.reload()` swaps the base only when the new one is valid; otherwise it returns
the problems (`file:line: field: message`) and the old base stays in service, so a typo
in a YAML file never takes the bot down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from .. import limits
from ..translator import loc

if TYPE_CHECKING:
    from ..bot import PlanFirstBot

LINE = 300
"""A problem line is cut here: the file, line and field come first, so they survive."""
FENCE = "`" * 3


def problems_block(problems: list[str], room: int) -> str:
    """As many whole problems as fit in `room` characters, in a code block, then how many more."""
    shown: list[str] = []
    used = len(FENCE) * 2 + 2 + len("… (+0000)\n")
    for problem in problems:
        line = limits.trim(limits.one_line(problem), LINE).replace(FENCE, "'" * 3)
        if used + len(line) + 1 > room:
            break
        shown.append(line)
        used += len(line) + 1
    if len(shown) < len(problems):
        shown.append(f"… (+{len(problems) - len(shown)})")
    return FENCE + "\n" + "\n".join(shown) + "\n" + FENCE


class KnowledgeCog(commands.Cog):
    kb = app_commands.Group(
        name=loc("kb", "discord_cmd_kb_name"),
        description=loc("La base de connaissances", "discord_cmd_kb_desc"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: PlanFirstBot) -> None:
        self.bot = bot

    @kb.command(
        name=loc("reload", "discord_cmd_kb_reload_name"),
        description=loc(
            "Recharger et vérifier la base de connaissances; une base fautive n'est pas utilisée",
            "discord_cmd_kb_reload_desc",
        ),
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reload(self, interaction: discord.Interaction[PlanFirstBot]) -> None:
        bot, lang = self.bot, self.bot.languages.for_interaction(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        problems = bot.runtime.reload()
        if not problems:
            done = bot.text("discord_kb_reloaded", lang, topics=len(bot.runtime.kb.topics))
            await interaction.followup.send(done, ephemeral=True)
            return
        head = bot.text("discord_kb_reload_failed", lang, count=len(problems))
        content = f"{head}\n{problems_block(problems, limits.CONTENT - len(head) - 1)}"
        await interaction.followup.send(limits.trim(content, limits.CONTENT), ephemeral=True)
