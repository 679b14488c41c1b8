"""One way to fail: answer the user briefly (ephemeral), log the traceback for us.

Used by the command tree's `on_error` and by every button and select callback (dynamic
items have no `on_error` of their own; discord.py would only log and leave the user with
"This interaction failed").
"""

from __future__ import annotations

import logging
from typing import Any, cast

import discord
from discord import app_commands

log = logging.getLogger("plan_first.discord")


def message_key(error: BaseException) -> str:
    """The catalogue key that explains `error` to a user."""
    if isinstance(error, (app_commands.MissingPermissions, app_commands.CheckFailure)) and not isinstance(
        error, app_commands.NoPrivateMessage
    ):
        return "discord_missing_permission"
    if isinstance(error, app_commands.NoPrivateMessage):
        return "discord_guild_only"
    return "discord_error"


async def send_ephemeral(interaction: discord.Interaction[Any], content: str) -> None:
    """Answer privately whether or not the interaction was already acknowledged."""
    allowed = discord.AllowedMentions.none()
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, allowed_mentions=allowed)
        else:
            await interaction.response.send_message(content, ephemeral=True, allowed_mentions=allowed)
    except discord.HTTPException:
        log.warning("could not tell the user about an error", exc_info=True)


def log_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Expected refusals are one line; anything else gets its traceback."""
    if isinstance(error, app_commands.CheckFailure):
        log.info("refused %s for user %s: %s", _what(interaction), interaction.user.id, error)
        return
    original = getattr(error, "original", None) or error
    log.error("error in %s for user %s", _what(interaction), interaction.user.id, exc_info=original)


def _what(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command
    if command is not None:
        return f"/{command.qualified_name}"
    custom_id = cast(dict[str, Any], interaction.data or {}).get("custom_id", "?")
    return f"component {custom_id}"
