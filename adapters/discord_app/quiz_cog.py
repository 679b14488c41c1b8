"""`/quiz jouer [niveau]`, `/quiz scores`, `/quiz revoir`: training juniors on Discord.

Discord cannot make `/quiz` both a command and a group, so playing is `/quiz jouer`.
A quiz belongs to one person in one server (key `discord:<guild id>:<user id>`, or
`discord:dm:<user id>`); answers are buttons whose `custom_id` carries the owner, the
turn and the answer's value. They are `DynamicItem`s, like the advisor's, so a quiz
started before a restart still answers afterwards, and an old button is told it is
stale. A wrong answer comes with a button that opens the topic's `/define` card
(privately). Scores are per server; in DMs each person is their own scope, so nobody
sees anyone else's DM results.

Registered by adding `QuizCog` to `cogs.COGS`; the cog registers its buttons itself.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from advisor.replies import ChoiceOption, Reply
from training.service import QuizService
from training.texts import msg

from . import limits
from .components import answered_view
from .render import COLOUR
from .translator import loc

if TYPE_CHECKING:
    from .bot import PlanFirstBot

BUTTONS_PER_ROW = 5
ANSWER_TEMPLATE = r"pf:q:(?P<user>\d{1,20}):(?P<turn>\d{1,9}):(?P<value>.{1,80})"
DEFINE_TEMPLATE = r"pf:qd:(?P<topic>[a-z0-9_]{1,90})"


def answer_id(user_id: int | str, turn: int, value: str) -> str:
    return f"pf:q:{user_id}:{turn}:{value}"


def define_id(topic_id: str) -> str:
    return f"pf:qd:{topic_id}"


def scope(guild: discord.Guild | None, user_id: int | str) -> str:
    """Where scores count: the server, or the person alone in DMs."""
    return str(guild.id) if guild is not None else f"dm:{user_id}"


def quiz_key(guild: discord.Guild | None, user_id: int | str) -> str:
    return f"discord:{guild.id}:{user_id}" if guild is not None else f"discord:dm:{user_id}"


class QuizAnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ANSWER_TEMPLATE):
    """One answer to a quiz question."""

    def __init__(self, user_id: int | str, turn: int, value: str, label: str = "", row: int | None = None) -> None:
        super().__init__(discord.ui.Button(label=limits.trim(label or value, limits.BUTTON_LABEL),
                                           style=discord.ButtonStyle.secondary,
                                           custom_id=answer_id(user_id, turn, value), row=row))
        self.user_id, self.turn, self.value = str(user_id), turn, value

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> QuizAnswerButton:
        return cls(match["user"], int(match["turn"]), match["value"], getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: PlanFirstBot = interaction.client
        cog = bot.get_cog(QuizCog.__cog_name__)
        assert isinstance(cog, QuizCog)
        await bot.guarded(interaction, cog.answer(interaction, self.user_id, self.turn, self.value))


class QuizDefineButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=DEFINE_TEMPLATE):
    """After a miss: the topic's /define card, shown to whoever clicks, privately."""

    def __init__(self, topic_id: str, label: str = "") -> None:
        super().__init__(discord.ui.Button(label=limits.trim(label or topic_id, limits.BUTTON_LABEL),
                                           style=discord.ButtonStyle.primary, emoji="📖",
                                           custom_id=define_id(topic_id)))
        self.topic_id = topic_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> QuizDefineButton:
        return cls(match["topic"], getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: PlanFirstBot = interaction.client
        cog = bot.get_cog(QuizCog.__cog_name__)
        assert isinstance(cog, QuizCog)
        await bot.guarded(interaction, cog.define(interaction, self.topic_id))


class QuizCog(commands.Cog):
    quiz = app_commands.Group(
        name=loc("quiz", "quiz_discord_cmd_name"),
        description=loc("S'entraîner à remettre la stratégie avant la tactique", "quiz_discord_cmd_desc"),
    )

    def __init__(self, bot: PlanFirstBot) -> None:
        self.bot = bot
        self._own: QuizService | None = None
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(QuizAnswerButton, QuizDefineButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(QuizAnswerButton, QuizDefineButton)

    # --- plumbing ------------------------------------------------------------------------

    def service(self) -> QuizService:
        """The runtime's QuizService if it has one, else ours, always on the live base (after /kb reload too)."""
        runtime = self.bot.runtime
        shared = getattr(runtime, "quiz", None)
        if isinstance(shared, QuizService):
            return shared
        if self._own is None:
            self._own = QuizService(runtime.kb, runtime.store)  # type: ignore[arg-type]
        if self._own.kb is not runtime.kb:
            self._own.swap(runtime.kb)
        return self._own

    def text(self, key: str, lang: str, **values: object) -> str:
        return msg(self.bot.runtime.kb, key, lang, **values)

    # --- commands ------------------------------------------------------------------------

    @quiz.command(
        name=loc("jouer", "quiz_discord_cmd_play_name"),
        description=loc("Un scénario client tiré de la base, trois questions", "quiz_discord_cmd_play_desc"),
    )
    @app_commands.rename(niveau=loc("niveau", "quiz_discord_opt_niveau_name"))
    @app_commands.describe(niveau=loc("1 : demandes à la mode, 2 : indirectes, 3 : plusieurs sujets",
                                      "quiz_discord_opt_niveau_desc"))
    async def play(self, interaction: discord.Interaction[PlanFirstBot],
                   niveau: app_commands.Range[int, 1, 3] = 1) -> None:
        lang = self.bot.languages.for_interaction(interaction)
        user, guild = interaction.user, interaction.guild
        key = quiz_key(guild, user.id)
        announce = self.text("quiz_discord_started", lang, user=user.mention, level=niveau)
        await interaction.response.send_message(announce)
        async with self._locks[key]:
            replies = self.service().start(key, user_id=str(user.id), guild_id=scope(guild, user.id), level=niveau,
                                           lang=lang)
            await self.post(interaction, key, user.id, replies, lang)

    @quiz.command(
        name=loc("scores", "quiz_discord_cmd_scores_name"),
        description=loc("Le classement du serveur et les sujets à retravailler", "quiz_discord_cmd_scores_desc"),
    )
    async def scores(self, interaction: discord.Interaction[PlanFirstBot]) -> None:
        lang = self.bot.languages.for_interaction(interaction)
        reply = self.service().scores(scope(interaction.guild, interaction.user.id), lang,
                                      display=lambda user_id: f"<@{user_id}>")
        embed = discord.Embed(title=limits.trim(reply.title, limits.EMBED_TITLE),
                              description=limits.trim(reply.text, limits.EMBED_DESCRIPTION), colour=COLOUR)
        await interaction.response.send_message(embed=embed, allowed_mentions=discord.AllowedMentions.none())

    @quiz.command(
        name=loc("revoir", "quiz_discord_cmd_revoir_name"),
        description=loc("Rejouer les questions que vous avez manquées", "quiz_discord_cmd_revoir_desc"),
    )
    async def review(self, interaction: discord.Interaction[PlanFirstBot]) -> None:
        lang = self.bot.languages.for_interaction(interaction)
        user, guild = interaction.user, interaction.guild
        key = quiz_key(guild, user.id)
        await interaction.response.send_message(self.text("quiz_discord_review_started", lang, user=user.mention))
        async with self._locks[key]:
            replies = self.service().review(key, user_id=str(user.id), guild_id=scope(guild, user.id), lang=lang)
            await self.post(interaction, key, user.id, replies, lang)

    # --- buttons -------------------------------------------------------------------------

    async def answer(self, interaction: discord.Interaction[Any], user_id: str, turn: int, value: str) -> None:
        """A click on an answer: only its owner's, only on the current question."""
        bot = self.bot
        lang = bot.languages.for_interaction(interaction)
        if not await bot.allow(interaction):
            return
        if str(interaction.user.id) != user_id:
            await bot.refuse(interaction, self.text("quiz_discord_not_yours", lang))
            return
        key = quiz_key(interaction.guild, user_id)
        async with self._locks[key]:
            service = self.service()
            if not service.active(key):
                await bot.refuse(interaction, self.text("quiz_discord_none", lang))
                return
            if service.turn(key) != turn:
                await bot.refuse(interaction, self.text("quiz_discord_stale", lang))
                return
            data: dict[str, Any] = dict(interaction.data or {})
            custom_id = str(data.get("custom_id", ""))
            if interaction.message is not None:
                await interaction.response.edit_message(view=answered_view(interaction.message, custom_id))
            else:
                await interaction.response.defer()
            replies = service.handle(key, value, user_id=user_id, guild_id=scope(interaction.guild, user_id))
            await self.post(interaction, key, int(user_id), replies, lang)

    async def define(self, interaction: discord.Interaction[Any], topic_id: str) -> None:
        from .cogs.define import card  # here, not at the top: cogs/__init__ imports this module

        lang = self.bot.languages.for_interaction(interaction)
        kb = self.bot.runtime.kb
        topic = kb.topics.get(topic_id)
        if topic is None:
            await self.bot.refuse(interaction, self.text("quiz_discord_stale", lang))
            return
        await interaction.response.send_message(embed=card(topic, kb, lang), ephemeral=True)

    # --- output --------------------------------------------------------------------------

    async def post(self, interaction: discord.Interaction[Any], key: str, user_id: int, replies: list[Reply],
                   lang: str) -> None:
        """Every reply as follow-ups (they work even where the bot may not post on its own)."""
        turn = self.service().turn(key)
        for reply in replies:
            for message in self.render(reply, user_id, turn, lang):
                await interaction.followup.send(**message, allowed_mentions=discord.AllowedMentions.none())

    def render(self, reply: Reply, user_id: int, turn: int, lang: str) -> list[dict[str, Any]]:
        """A reply as messages under 2,000 characters; buttons on the last one."""
        text = reply.text if reply.kind != "error" else f"⚠️ {reply.text}"
        if reply.data.get("finished"):
            text += "\n" + self.text("quiz_discord_again", lang)
        messages: list[dict[str, Any]] = [{"content": chunk} for chunk in limits.split_text(text)] or [{}]
        view = self.view_for(reply, user_id, turn, lang)
        if view is not None:
            messages[-1]["view"] = view
        return [m for m in messages if m]

    def view_for(self, reply: Reply, user_id: int, turn: int, lang: str) -> discord.ui.View | None:
        if reply.choices:
            return answer_view(user_id, turn, reply.choices)
        topic_id = reply.data.get("define")
        topic = self.bot.runtime.kb.topics.get(topic_id) if topic_id else None
        if topic is None:
            return None
        view = discord.ui.View(timeout=None)
        view.add_item(QuizDefineButton(topic.id, self.text("quiz_discord_define_button", lang, name=topic.name(lang))))
        return view


def answer_view(user_id: int | str, turn: int, choices: tuple[ChoiceOption, ...]) -> discord.ui.View:
    """One button per answer (a quiz question has at most four); a too-long value goes by its number."""
    view = discord.ui.View(timeout=None)
    for number, choice in enumerate(choices[: BUTTONS_PER_ROW * 5], start=1):
        value = choice.value
        if not value or len(value) > 80 or len(answer_id(user_id, turn, value)) > limits.CUSTOM_ID:
            value = str(number)  # the engine also accepts the choice's number
        view.add_item(QuizAnswerButton(user_id, turn, value, choice.label, row=(number - 1) // BUTTONS_PER_ROW))
    return view
