"""Which language the bot speaks, where. A conversation speaks one language.

- The server's language: what `/langue` stored (or the answer to the one-time question
  below); else the server's Discord locale when it was set. `en-US` is Discord's default
  for every new server, so it says nothing: it counts as not set.
- A conversation (an intake) takes the server's language when there is one, else the
  language of its request, and keeps it: the announcement, the topic cards, the
  questions, the placeholders and the refusals in its thread all follow it (the engine
  is told, so its questions agree). "english" or "français" typed in the thread switches
  the whole conversation.
- The first intake on a server without a language asks, once, which one to use
  (`ServerLanguageButton`); until someone with Manage Server answers, each intake follows
  its request.
- Outside conversations (`/define`, `/brief`, refusals): the server's language, else the
  person's own Discord language, else French.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from classifier.language import detect_language

from .catalogue import lang_of
from .ports import Store

if TYPE_CHECKING:
    from .bot import PlanFirstBot

SETTING = "lang"
ASKED = "lang_asked"
DEFAULT = "fr"
UNSET_LOCALE = "en-US"
"""Discord's preferred locale for every new server: not a choice anybody made."""


def scope(guild_id: int) -> str:
    return f"discord:guild:{guild_id}"


class Languages:
    def __init__(self, store: Store) -> None:
        self.store = store

    def chosen(self, guild: discord.Guild | None) -> str | None:
        """The language set with `/langue` (or the one-time question), if any."""
        if guild is None:
            return None
        value = self.store.get_setting(scope(guild.id), SETTING)
        return value if value in ("fr", "en") else None

    def choose(self, guild: discord.Guild, lang: str) -> None:
        self.store.set_setting(scope(guild.id), SETTING, lang)

    def of_server(self, guild: discord.Guild | None) -> str | None:
        """The server's language: chosen, else its Discord locale when someone set one."""
        if guild is None:
            return None
        locale = str(getattr(guild.preferred_locale, "value", guild.preferred_locale) or "")
        return self.chosen(guild) or (lang_of(locale) if locale != UNSET_LOCALE else None)

    def for_request(self, guild: discord.Guild | None, request: str) -> str:
        """A new conversation's language: the server's, else its request's."""
        return self.of_server(guild) or detect_language(request)

    def for_guild(self, guild: discord.Guild | None, user_locale: object = None) -> str:
        """Outside a conversation: the server's language, else the person's, else French."""
        return self.of_server(guild) or lang_of(user_locale) or DEFAULT

    def for_interaction(self, interaction: discord.Interaction[Any]) -> str:
        return self.for_guild(interaction.guild, interaction.locale)

    def ask_once(self, guild: discord.Guild | None) -> bool:
        """True the first time a server without a language is seen (the caller asks then)."""
        if guild is None or self.of_server(guild) is not None:
            return False
        if self.store.get_setting(scope(guild.id), ASKED):
            return False
        self.store.set_setting(scope(guild.id), ASKED, "1")
        return True


class ServerLanguageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"pf:lang:(?P<lang>fr|en)"):
    """One answer to "which language on this server?" (Manage Server only, like /langue)."""

    def __init__(self, lang: str) -> None:
        super().__init__(discord.ui.Button(label="Français" if lang == "fr" else "English",
                                           style=discord.ButtonStyle.primary, custom_id=f"pf:lang:{lang}"))
        self.lang = lang

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ServerLanguageButton:
        return cls(match["lang"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: PlanFirstBot = interaction.client
        await bot.guarded(interaction, self.answer(bot, interaction))

    async def answer(self, bot: PlanFirstBot, interaction: discord.Interaction[Any]) -> None:
        guild = interaction.guild
        if guild is None or not interaction.permissions.manage_guild:
            lang = bot.languages.for_interaction(interaction)
            await bot.refuse(interaction, bot.text("discord_language_not_allowed", lang))
            return
        bot.languages.choose(guild, self.lang)
        done = bot.text("discord_language_chosen", self.lang, user=interaction.user.mention)
        await interaction.response.edit_message(content=done, view=None)


def language_question(bot: PlanFirstBot) -> dict[str, Any]:
    """The one-time question, in both languages (nobody's language is known yet)."""
    view = discord.ui.View(timeout=None)
    for lang in ("fr", "en"):
        view.add_item(ServerLanguageButton(lang))
    text = f"{bot.text('discord_language_question', 'fr')}\n{bot.text('discord_language_question', 'en')}"
    return {"content": text, "view": view}
