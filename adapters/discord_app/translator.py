"""Command names, descriptions and options in French and English.

Every `locale_str` in the cogs carries `key=` pointing into the message catalogue; the
default text (what clients with another locale see) is the French one (Plan First is French first). Discord stores
the translations when commands are synced, so a changed name needs `python bot.py sync`.
"""

from __future__ import annotations

import discord
from discord import app_commands

from .catalogue import Catalogue, lang_of


class CatalogueTranslator(app_commands.Translator):
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        lang = lang_of(locale)
        if not key or lang is None:
            return None
        try:
            return self.catalogue.text(key, lang)
        except KeyError:
            return None


def loc(default: str, key: str) -> app_commands.locale_str:
    """A translatable command string: English `default`, catalogue `key`."""
    return app_commands.locale_str(default, key=key)
