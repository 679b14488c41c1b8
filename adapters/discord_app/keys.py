"""Conversation keys and the compact form they take inside a `custom_id`.

The engine keys a Discord conversation by where it happens: `discord:<thread or channel
id>`, or `discord:dm:<user id>` in direct messages. A button must carry its key (plus the
turn and the answer) in at most 100 characters, so the key is written without its
`discord:` prefix: `1234...` or `dm.1234...`.
"""

from __future__ import annotations

from typing import Any

import discord

PREFIX = "discord:"
KEY_PATTERN = r"(?:dm\.)?\d{1,20}"


def key_for(channel: Any, user: discord.abc.User) -> str:
    """The conversation key for a message or click in `channel` by `user`."""
    if isinstance(channel, discord.DMChannel) or getattr(channel, "guild", None) is None:
        return f"{PREFIX}dm:{user.id}"
    return f"{PREFIX}{channel.id}"


def compact(key: str) -> str:
    """`discord:dm:42` -> `dm.42`; `discord:42` -> `42`."""
    return key.removeprefix(PREFIX).replace(":", ".")


def expand(short: str) -> str:
    """The inverse of `compact`."""
    return PREFIX + short.replace(".", ":")
