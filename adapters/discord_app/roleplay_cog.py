"""`/roleplay [niveau] [vue]`: the bot plays a client in a private thread; the debrief as an embed.

- `/roleplay` (or `/roleplay niveau:2`) opens a private thread in the channel, adds the junior,
  and the client's opening appears there. The junior types questions as plain messages in
  the thread; "> ..." or the "Proposer" button ends the interview; the options are buttons.
  Where the bot cannot open a private thread (DMs, inside a thread, no permission), the
  role-play runs where it was asked.
- `/roleplay vue:progrès` shows one's progress (privately); `vue:rejouer` replays a failed
  scenario in a new thread; `vue:équipe` shows the team to trainers (those who may manage
  messages).
The session is keyed by its channel (`discord:rp:<thread id>`) and saved at every message,
so a restart resumes it; buttons are `DynamicItem`s for the same reason. Scores count per
server (per person in DMs), like the quiz's. Only the junior who started it plays; the
advice cog (`MessageCog`) leaves a channel with a role-play under way to this cog.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from advisor.replies import Reply
from training.roleplay.service import RolePlayService

from . import limits
from .components import answered_view
from .render import COLOUR
from .translator import loc

if TYPE_CHECKING:
    from .bot import PlanFirstBot

CHOICE_TEMPLATE = r"pf:rp:(?P<chan>\d{1,20}):(?P<turn>\d{1,9}):(?P<value>[a-z0-9_]{1,60})"
PROPOSE_TEMPLATE = r"pf:rpp:(?P<chan>\d{1,20})"
TYPED = (discord.MessageType.default, discord.MessageType.reply)
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440
BUTTONS_PER_ROW = 5


def session_key(channel_id: int | str) -> str:
    return f"discord:rp:{channel_id}"


def scope(guild: discord.Guild | None, user_id: int | str) -> str:
    """Where scores count: the server, or the person alone in DMs."""
    return str(guild.id) if guild is not None else f"dm:{user_id}"


def _cog(interaction: discord.Interaction[Any]) -> RolePlayCog:
    cog = interaction.client.get_cog(RolePlayCog.__cog_name__)  # type: ignore[attr-defined]
    assert isinstance(cog, RolePlayCog)
    return cog


class RolePlayChoiceButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CHOICE_TEMPLATE):
    """One proposal among the topic's rule titles."""

    def __init__(self, channel_id: int | str, turn: int, value: str, label: str = "", row: int | None = None) -> None:
        super().__init__(discord.ui.Button(label=limits.trim(label or value, limits.BUTTON_LABEL),
                                           style=discord.ButtonStyle.secondary,
                                           custom_id=f"pf:rp:{channel_id}:{turn}:{value}", row=row))
        self.channel_id, self.turn, self.value = str(channel_id), turn, value

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> RolePlayChoiceButton:
        return cls(match["chan"], int(match["turn"]), match["value"], getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        await cog.bot.guarded(interaction, cog.click(interaction, self.channel_id, self.value, self.turn))


class RolePlayProposeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PROPOSE_TEMPLATE):
    """Under the opening: shows the options (the same as typing "proposer")."""

    def __init__(self, channel_id: int | str, label: str = "") -> None:
        super().__init__(discord.ui.Button(label=limits.trim(label or "…", limits.BUTTON_LABEL),
                                           style=discord.ButtonStyle.primary, emoji="📝",
                                           custom_id=f"pf:rpp:{channel_id}"))
        self.channel_id = str(channel_id)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> RolePlayProposeButton:
        return cls(match["chan"], getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        await cog.bot.guarded(interaction, cog.click(interaction, self.channel_id, None, None))


class RolePlayCog(commands.Cog):
    def __init__(self, bot: PlanFirstBot) -> None:
        self.bot = bot
        self._own: RolePlayService | None = None
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RolePlayChoiceButton, RolePlayProposeButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RolePlayChoiceButton, RolePlayProposeButton)

    def service(self) -> RolePlayService:
        """The runtime's RolePlayService if it has one, else ours, always on the live base."""
        runtime = self.bot.runtime
        shared = getattr(runtime, "roleplay", None)
        if isinstance(shared, RolePlayService):
            return shared
        if self._own is None:
            self._own = RolePlayService(runtime.kb, runtime.store)  # type: ignore[arg-type]
        if self._own.kb is not runtime.kb:
            self._own.swap(runtime.kb)
        return self._own

    def text(self, key: str, lang: str, **values: object) -> str:
        return self.bot.runtime.kb.msg(key, lang, **values)

    def claims(self, channel: Any) -> bool:
        """Whether messages in `channel` belong to a role-play under way (MessageCog asks)."""
        return channel is not None and self.service().active(session_key(channel.id))

    # --- the command ---------------------------------------------------------------------

    @app_commands.command(name=loc("roleplay", "rp_discord_cmd_name"),
                          description=loc("S'entraîner à la prise de besoin : le bot joue un client, dans un fil privé",
                                          "rp_discord_cmd_desc"))
    @app_commands.rename(niveau=loc("niveau", "rp_discord_opt_niveau_name"), vue=loc("vue", "rp_discord_opt_vue_name"))
    @app_commands.describe(
        niveau=loc("1 : client clair, 2 : vague, 3 : optimiste avec une contradiction (par défaut : le niveau suggéré)",
                   "rp_discord_opt_niveau_desc"),
        vue=loc("Au lieu de jouer : votre progression, l'équipe, ou rejouer un scénario raté",
                "rp_discord_opt_vue_desc"))
    @app_commands.choices(vue=[
        app_commands.Choice(name=loc("progrès", "rp_discord_view_progress"), value="progress"),
        app_commands.Choice(name=loc("équipe", "rp_discord_view_team"), value="team"),
        app_commands.Choice(name=loc("rejouer", "rp_discord_view_replay"), value="replay"),
    ])
    async def roleplay(self, interaction: discord.Interaction[PlanFirstBot],
                       niveau: app_commands.Range[int, 1, 3] | None = None,
                       vue: app_commands.Choice[str] | None = None) -> None:
        lang = self.bot.languages.for_interaction(interaction)
        user, guild = interaction.user, interaction.guild
        service = self.service()
        if not service.available:
            await self.bot.refuse(interaction, self.text("rp_unavailable", lang))
            return
        view = vue.value if vue is not None else ""
        if view == "progress":
            await self.send_view(interaction, service.progress(str(user.id), scope(guild, user.id), lang))
            return
        if view == "team":
            if guild is not None and not interaction.permissions.manage_messages:
                await self.bot.refuse(interaction, self.text("rp_discord_team_forbidden", lang))
                return
            await self.send_view(interaction, service.team(scope(guild, user.id), lang,
                                                           display=lambda user_id: f"<@{user_id}>"))
            return
        level = niveau if niveau is not None else service.suggested_level(str(user.id), scope(guild, user.id))
        channel = await self.open_channel(interaction, level, lang)
        key = session_key(channel.id)
        async with self._locks[key]:
            if view == "replay":
                replies = service.replay(key, user_id=str(user.id), guild_id=scope(guild, user.id), lang=lang)
            else:
                replies = service.start(key, user_id=str(user.id), guild_id=scope(guild, user.id), level=level,
                                        lang=lang)
            await self.post(channel, key, replies, lang)

    async def open_channel(self, interaction: discord.Interaction[Any], level: int, lang: str) -> Any:
        """A private thread for the junior, or the channel itself when none can be opened.

        `invitable=True`: with False, only moderators may add members, so the bot would need
        Manage Threads just to add the junior; this way Create Private Threads and Send Messages
        in Threads suffice, and the junior may invite a trainer to read along.
        """
        user, channel = interaction.user, interaction.channel
        if isinstance(channel, discord.TextChannel):
            await interaction.response.defer(ephemeral=True, thinking=True)
            try:
                thread = await channel.create_thread(name=self.text("rp_discord_thread_name", lang, level=level),
                                                     type=discord.ChannelType.private_thread, invitable=True,
                                                     auto_archive_duration=THREAD_ARCHIVE_MINUTES)
                await thread.add_user(user)
            except discord.Forbidden:
                await interaction.followup.send(self.text("rp_discord_started_here", lang, user=user.mention,
                                                          level=level), ephemeral=True)
                return channel
            await interaction.followup.send(self.text("rp_discord_opened", lang, user=user.mention,
                                                      thread=thread.mention), ephemeral=True)
            return thread
        await interaction.response.send_message(self.text("rp_discord_started_here", lang, user=user.mention,
                                                          level=level))
        assert isinstance(channel, discord.abc.Messageable)
        return channel

    async def send_view(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        embed = discord.Embed(title=limits.trim(reply.title, limits.EMBED_TITLE),
                              description=limits.trim(reply.text, limits.EMBED_DESCRIPTION), colour=COLOUR)
        await interaction.response.send_message(embed=embed, ephemeral=True,
                                                allowed_mentions=discord.AllowedMentions.none())

    # --- messages and clicks -------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """The junior's questions, typed in the role-play's channel."""
        bot = self.bot
        if message.author.bot or bot.user is None or message.type not in TYPED or not self.claims(message.channel):
            return
        key = session_key(message.channel.id)
        service = self.service()
        if service.owner(key) != str(message.author.id):
            return  # a trainer reading along, or anyone else: the client answers its junior only
        text = re.sub(rf"<@!?{bot.user.id}>", " ", message.content).strip()
        if not text:
            return
        if bot.cooldown.hit(message.author.id):
            return
        lang = bot.languages.for_guild(message.guild)
        async with self._locks[key]:
            replies = service.handle(key, text, user_id=str(message.author.id),
                                     guild_id=scope(message.guild, message.author.id))
            await self.post(message.channel, key, replies, lang)  # type: ignore[arg-type]

    async def click(self, interaction: discord.Interaction[Any], channel_id: str, value: str | None,
                    turn: int | None) -> None:
        """An option (value) or the propose button (None): only the junior, only while it is current."""
        bot = self.bot
        lang = bot.languages.for_interaction(interaction)
        if not await bot.allow(interaction):
            return
        key = session_key(channel_id)
        service = self.service()
        async with self._locks[key]:
            if not service.active(key):
                await bot.refuse(interaction, self.text("rp_none", lang))
                return
            if service.owner(key) != str(interaction.user.id):
                await bot.refuse(interaction, self.text("rp_discord_not_yours", lang))
                return
            if turn is not None and service.turn(key) != turn:
                await bot.refuse(interaction, self.text("rp_discord_stale", lang))
                return
            custom_id = str(dict(interaction.data or {}).get("custom_id", ""))
            if value is not None and interaction.message is not None:
                await interaction.response.edit_message(view=answered_view(interaction.message, custom_id))
            else:
                await interaction.response.defer()
            state = service.current(key)
            message = value if value is not None else self._propose_word(state.lang if state else lang)
            replies = service.handle(key, message, user_id=str(interaction.user.id),
                                     guild_id=scope(interaction.guild, interaction.user.id))
            channel = interaction.channel
            assert isinstance(channel, discord.abc.Messageable)
            await self.post(channel, key, replies, lang)

    def _propose_word(self, lang: str) -> str:
        words = self.bot.runtime.kb.commands.get("rp_propose", {}).get(lang, ())
        return words[0] if words else "propose"

    # --- output --------------------------------------------------------------------------

    async def post(self, channel: Any, key: str, replies: list[Reply], lang: str) -> None:
        state = self.service().current(key)
        turn, lang = (state.turn, state.lang) if state else (0, lang)
        channel_id = key.rsplit(":", 1)[1]
        for reply in replies:
            for message in self.render(reply, channel_id, turn, lang):
                await channel.send(**message, allowed_mentions=discord.AllowedMentions.none())

    def render(self, reply: Reply, channel_id: str, turn: int, lang: str) -> list[dict[str, Any]]:
        """A reply as messages: the debrief as an embed (then its transcript), options as buttons."""
        debrief = reply.data.get("debrief")
        if debrief:
            return self.debrief_messages(reply, debrief["sections"], lang)
        text = reply.text if reply.kind != "error" else f"⚠️ {reply.text}"
        messages: list[dict[str, Any]] = [{"content": chunk} for chunk in limits.split_text(text)] or [{}]
        if reply.choices:
            view = discord.ui.View(timeout=None)
            for number, option in enumerate(reply.choices[: BUTTONS_PER_ROW * 5]):
                view.add_item(RolePlayChoiceButton(channel_id, turn, option.value, f"{number + 1}. {option.label}",
                                                   row=number // BUTTONS_PER_ROW))
            messages[-1]["view"] = view
        elif reply.data.get("roleplay") == "intro":
            view = discord.ui.View(timeout=None)
            view.add_item(RolePlayProposeButton(channel_id, self.text("rp_discord_propose_button", lang)))
            messages[-1]["view"] = view
        return [m for m in messages if m]

    def debrief_messages(self, reply: Reply, sections: dict[str, str], lang: str) -> list[dict[str, Any]]:
        """One embed (score, criteria, hidden profile, a senior's advice), then the transcript as text."""
        title = f"{reply.title} — {reply.data.get('score', 0)}/100"
        room = limits.EMBED_TOTAL - limits.EMBED_TITLE - 2 * (limits.EMBED_FIELD_NAME + limits.EMBED_FIELD_VALUE)
        embed = discord.Embed(title=limits.trim(title, limits.EMBED_TITLE),
                              description=limits.trim(sections["criteria"], min(room, limits.EMBED_DESCRIPTION)),
                              colour=COLOUR)
        for key, value in (("rp_hidden_title", sections["hidden"]), ("rp_senior_title", sections["senior"])):
            embed.add_field(name=limits.trim(self.text(key, lang).strip("*"), limits.EMBED_FIELD_NAME),
                            value=limits.trim(value, limits.EMBED_FIELD_VALUE), inline=False)
        transcript = self.text("rp_transcript_title", lang) + "\n" + sections["transcript"]
        return [{"embed": embed}] + [{"content": chunk} for chunk in limits.split_text(transcript)] + [
            {"content": self.text("rp_discord_again", lang)}]
