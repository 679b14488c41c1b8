"""The Discord bot: a `commands.Bot` built around a Plan First runtime.

Dependencies come in through the constructor (the runtime, and a clock for the
cooldown), never from globals, so `bot.py` builds them once and tests pass a runtime on
a temporary SQLite file. `setup_hook` adds the cogs, the persistent answer components
and the command translator; it does not sync commands (that is `python bot.py sync`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from . import errors
from .catalogue import Catalogue
from .components import ChoiceButton, ChoiceSelect
from .conversations import Conversations
from .cooldown import Cooldown
from .language import Languages, ServerLanguageButton
from .ports import Runtime
from .translator import CatalogueTranslator


def intents() -> discord.Intents:
    """Guilds and messages, plus message content so plain answers in a thread reach the engine.

    `message_content` is privileged: switch it on in the Developer Portal (docs/DISCORD.md).
    Members and presences are not needed.
    """
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    return wanted


class PlanFirstTree(app_commands.CommandTree["PlanFirstBot"]):
    """The command tree with the cooldown in front and one error handler behind."""

    async def interaction_check(self, interaction: discord.Interaction[PlanFirstBot], /) -> bool:
        if interaction.type is discord.InteractionType.autocomplete:
            return True  # typing is not an action; throttling it would only break the hints
        return await self.client.allow(interaction)

    async def on_error(
        self, interaction: discord.Interaction[PlanFirstBot], error: app_commands.AppCommandError, /
    ) -> None:
        await self.client.report(interaction, error)


class PlanFirstBot(commands.Bot):
    def __init__(
        self,
        runtime: Runtime,
        *,
        clock: Callable[[], float] = time.monotonic,
        cooldown: Cooldown | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=PlanFirstTree,
            help_command=None,
            **options,
        )
        self.runtime = runtime
        self.catalogue = Catalogue(lambda: self.runtime.kb)
        self.languages = Languages(runtime.store)
        self.cooldown = cooldown or Cooldown(clock=clock)
        self.conversations = Conversations(self)

    async def setup_hook(self) -> None:
        from .cogs import COGS

        for cog in COGS:
            await self.add_cog(cog(self))
        self.add_dynamic_items(ChoiceButton, ChoiceSelect, ServerLanguageButton)
        await self.tree.set_translator(CatalogueTranslator(self.catalogue))

    def text(self, key: str, lang: str, **values: object) -> str:
        return self.catalogue.text(key, lang, **values)

    async def allow(self, interaction: discord.Interaction[Any]) -> bool:
        """The per-user cooldown for interactions; answers the user when it says no."""
        wait = self.cooldown.hit(interaction.user.id)
        if not wait:
            return True
        lang = self.languages.for_interaction(interaction)
        await self.refuse(interaction, self.text("discord_cooldown", lang, seconds=max(1, round(wait))))
        return False

    async def refuse(self, interaction: discord.Interaction[Any], content: str) -> None:
        await errors.send_ephemeral(interaction, content)

    async def report(self, interaction: discord.Interaction[Any], error: BaseException) -> None:
        """Log `error` and tell the user in one short private sentence."""
        errors.log_error(interaction, error)
        lang = self.languages.for_interaction(interaction)
        await errors.send_ephemeral(interaction, self.text(errors.message_key(error), lang))

    async def guarded(self, interaction: discord.Interaction[Any], work: Awaitable[None]) -> None:
        """Run a component callback; any failure goes to `report` (components have no on_error)."""
        try:
            await work
        except Exception as exc:  # noqa: BLE001 - this is the handler of last resort
            await self.report(interaction, exc)

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: `MessageCog` handles messages (and nothing prints CommandNotFound)."""

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        errors.log.exception("error in event %s", event_method)


class ShardedPlanFirstBot(PlanFirstBot, commands.AutoShardedBot):
    """The same bot on Discord's sharding (`bot.py run --shards N [--shard-ids ...]`).

    Discord sends each server's events to shard (server id >> 22) % N; this process opens
    the shards it was given and nothing else. It keeps no conversation state of its own
    (every turn is loaded from and saved to the shared store by compare-and-set), so after a
    restart or a re-sharding any process can serve any conversation.
    """


ShardPlan = tuple[int, tuple[int, ...] | None]
"""(total shards, the ids this process runs or None for all): `cli_support.shard_plan`."""


def create_bot(runtime: Runtime, *, shards: ShardPlan | None = None, **kwargs: Any) -> PlanFirstBot:
    """The bot `bot.py` runs; `kwargs` go to `PlanFirstBot` (clock, cooldown). With `shards`,
    an AutoShardedBot running those shards; without, one gateway connection as before."""
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here: no warning about it
    if shards is None:
        return PlanFirstBot(runtime, **kwargs)
    count, ids = shards
    return ShardedPlanFirstBot(runtime, shard_count=count, shard_ids=list(ids) if ids is not None else None,
                               **kwargs)
