"""Engine replies turned into Discord messages.

One `Reply` may become several messages (a long text is split at 2,000 characters; a
long recommendation becomes several embeds). Choices become buttons or a select menu on
the last message; a brief comes as an embed plus its Markdown file. The result is a list
of keyword arguments for `Messageable.send`, built fresh for each send because a
`discord.File` can be read only once.
"""

from __future__ import annotations

import io
from typing import Any

import discord

from advisor.replies import Reply

from . import limits
from .components import choice_view

COLOUR = discord.Colour(0x2F6FDB)
Outgoing = dict[str, Any]


def embeds_for(title: str, text: str) -> list[discord.Embed]:
    """`text` as one or more embeds (4,096 characters each), the first one titled."""
    chunks = limits.split_text(text, limits.EMBED_DESCRIPTION) or [""]
    embeds = [discord.Embed(description=chunk or None, colour=COLOUR) for chunk in chunks]
    if title:
        embeds[0].title = limits.trim(limits.one_line(title), limits.EMBED_TITLE)
    return embeds


def pack_embeds(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds grouped into messages of at most 10 embeds and 6,000 characters."""
    groups: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        if not groups or len(groups[-1]) >= limits.EMBEDS_PER_MESSAGE or size + len(embed) > limits.EMBED_TOTAL:
            groups.append([])
            size = 0
        groups[-1].append(embed)
        size += len(embed)
    return groups


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Trim the description so the whole embed stays under 6,000 characters."""
    excess = len(embed) - limits.EMBED_TOTAL
    if excess > 0 and embed.description:
        embed.description = limits.trim(embed.description, max(len(embed.description) - excess, 1))
    return embed


def is_card(reply: Reply) -> bool:
    """A topic card: the engine's reframing of one topic ("**Blogue** est une tactique...")."""
    return reply.kind == "text" and bool(reply.title) and "topic" in reply.data and not reply.choices


def add_cards(embed: discord.Embed, cards: list[Reply]) -> discord.Embed:
    """One field per topic card (Discord shows at most 25), the whole kept under 6,000 characters."""
    for card in cards[: limits.EMBED_FIELDS]:
        embed.add_field(name=limits.trim(limits.one_line(card.title), limits.EMBED_FIELD_NAME),
                        value=limits.trim(card.text, limits.EMBED_FIELD_VALUE), inline=False)
    while len(embed) > limits.EMBED_TOTAL and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


def cards_embed(cards: list[Reply]) -> discord.Embed:
    """The topic cards that open an intake, folded into one embed."""
    return add_cards(discord.Embed(colour=COLOUR), cards)


def brief_file(markdown: str, brief_id: object) -> discord.File:
    name = f"brief-{brief_id}.md" if brief_id not in (None, "") else "brief.md"
    return discord.File(io.BytesIO(markdown.encode("utf-8")), filename=name)


def render(reply: Reply, *, key: str, turn: int, placeholder: str) -> list[Outgoing]:
    """The messages that show `reply`; buttons (if any) go on the last one."""
    messages: list[Outgoing]
    if reply.kind == "recommendation":
        messages = [{"embeds": group} for group in pack_embeds(embeds_for(reply.title, reply.text))]
    elif reply.kind == "brief":
        title = reply.title or "Brief"
        embed = discord.Embed(
            title=limits.trim(limits.one_line(title), limits.EMBED_TITLE),
            description=limits.trim(reply.text, limits.EMBED_DESCRIPTION),
            colour=COLOUR,
        )
        messages = [{"embeds": [embed], "file": brief_file(reply.text, reply.data.get("brief_id"))}]
    else:
        text = reply.text if reply.kind != "error" else f"⚠️ {reply.text}"
        messages = [{"content": chunk} for chunk in limits.split_text(text)]
    if reply.choices:
        if not messages:
            messages = [{}]
        messages[-1]["view"] = choice_view(key, turn, reply.choices, placeholder)
    return [m for m in messages if m]
