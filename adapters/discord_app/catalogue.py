"""Every user-facing Discord string, looked up by key in French or English.

The strings live in `knowledge/messages_discord.yaml`, which the knowledge-base loader
merges into `kb.messages`, so `/kb reload` refreshes them too. The file is also read
directly here, as a fallback, because two paths need text before or without a loaded
base: start-up errors (no token) and a base that failed to load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.models import KnowledgeBase, Text

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "messages_discord.yaml"


@lru_cache(maxsize=4)
def file_messages(path: Path = CATALOGUE_FILE) -> Mapping[str, Text]:
    """The Discord catalogue file as `Text`s (read once per path)."""
    with path.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    return {key: Text(fr=str(v["fr"]), en=str(v["en"])) for key, v in raw["messages"].items()}


def lang_of(locale: object) -> str | None:
    """'fr' or 'en' for a Discord locale ('fr', 'en-US', Locale.british_english...), else None."""
    value = str(getattr(locale, "value", locale) or "").lower()
    if value.startswith("fr"):
        return "fr"
    if value.startswith("en"):
        return "en"
    return None


class Catalogue:
    """Looks a key up in the live knowledge base, then in the catalogue file."""

    def __init__(self, kb: Callable[[], KnowledgeBase | None] = lambda: None) -> None:
        self._kb = kb

    def text(self, key: str, lang: str, **values: object) -> str:
        kb = self._kb()
        entry = kb.messages.get(key) if kb is not None else None
        if entry is None:
            entry = file_messages()[key]
        template = entry(lang)
        return template.format(**values) if values else template

    def both(self, key: str, **values: object) -> str:
        """French, then English: for the console, where no locale is known yet."""
        return f"{self.text(key, 'fr', **values)}\n{self.text(key, 'en', **values)}"
