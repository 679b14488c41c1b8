"""Which language the bot speaks, where.

- A server's language is what `/langue` stored; until then, the server's Discord locale
  (`guild.preferred_locale`); if that is neither French nor English, the user's locale.
- In direct messages, the user's locale.
- The engine gets a language only when the server chose one explicitly; otherwise it
  detects the language of the request itself (a Discord server's locale is `en-US` by
  default, which says little about the agency's clients).
"""

from __future__ import annotations

from typing import Any

import discord

from .catalogue import lang_of
from .ports import Store

SETTING = "lang"
DEFAULT = "fr"


def scope(guild_id: int) -> str:
    return f"discord:guild:{guild_id}"


class Languages:
    def __init__(self, store: Store) -> None:
        self.store = store

    def chosen(self, guild: discord.Guild | None) -> str | None:
        """The language set with `/langue`, if any."""
        if guild is None:
            return None
        value = self.store.get_setting(scope(guild.id), SETTING)
        return value if value in ("fr", "en") else None

    def choose(self, guild: discord.Guild, lang: str) -> None:
        self.store.set_setting(scope(guild.id), SETTING, lang)

    def for_guild(self, guild: discord.Guild | None, user_locale: object = None) -> str:
        return (
            self.chosen(guild)
            or (lang_of(guild.preferred_locale) if guild is not None else None)
            or lang_of(user_locale)
            or DEFAULT
        )

    def for_interaction(self, interaction: discord.Interaction[Any]) -> str:
        return self.for_guild(interaction.guild, interaction.locale)
