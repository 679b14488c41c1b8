"""Discord's size limits, and the helpers that keep every outgoing text inside them.

Discord rejects (HTTP 400) a message over 2,000 characters or an embed over its limits;
the library does not check. Every text the bot sends goes through `split_text` or `trim`
so a long brief or a pasted request can never make a send fail.
"""

from __future__ import annotations

import re
import unicodedata

CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FIELDS = 25
EMBED_FOOTER = 2048
EMBED_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
BUTTON_LABEL = 80
SELECT_OPTIONS = 25
SELECT_OPTION_LABEL = 100
SELECT_OPTION_VALUE = 100
SELECT_PLACEHOLDER = 150
CUSTOM_ID = 100
THREAD_NAME = 100
CHOICE_NAME = 100
AUTOCOMPLETE_CHOICES = 25

ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
_MENTION = re.compile(r"<(?:@[!&]?|#|/[^:>]*:)\d+>|@(?:everyone|here)\b")
_UNSAFE_NAME = re.compile(r"[@#*_~`|<>\[\]\\:/]+")


def trim(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def split_text(text: str, limit: int = CONTENT) -> list[str]:
    """`text` in chunks of at most `limit` characters, cut at paragraphs, lines or spaces.

    Cutting at a natural boundary keeps sentences whole when possible; a single word
    longer than the limit (a pasted URL, a flood of characters) is cut hard.
    """
    text = text.strip()
    if not text:
        return []
    chunks: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep)
            if cut > limit // 3:
                break
        if cut <= 0:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


def one_line(text: str) -> str:
    """Control characters and runs of whitespace collapsed to single spaces."""
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return _SPACES.sub(" ", text).strip()


def safe_thread_name(request: str, fallback: str, limit: int = 90) -> str:
    """A thread name from a request: one line, no mention or markdown characters, short.

    Thread names never ping, but `@everyone` or a wall of markdown in a channel's
    sidebar looks like a bug; an empty result falls back to a fixed name.
    """
    name = one_line(_UNSAFE_NAME.sub(" ", _MENTION.sub(" ", request)))
    name = _SPACES.sub(" ", name).strip(" -.,;")
    return trim(name, limit) if name else fallback
