"""Answer buttons and select menus that keep working after a restart.

They are `DynamicItem`s: discord.py matches a click's `custom_id` against the template,
rebuilds the item from it, and calls back, whether or not this process sent the message.
The `custom_id` carries the conversation key, the turn the question was asked at (so an
old button is recognised as stale) and the answer's value (which the engine accepts as
a typed message). Registered once, in the bot's `setup_hook`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from advisor.replies import ChoiceOption

from . import limits
from .keys import KEY_PATTERN, compact, expand

if TYPE_CHECKING:
    from .bot import PlanFirstBot

MAX_BUTTONS = 5


def button_id(key: str, turn: int, value: str) -> str:
    return f"pf:c:{compact(key)}:{turn}:{value}"


def select_id(key: str, turn: int) -> str:
    return f"pf:s:{compact(key)}:{turn}"


class ChoiceButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"pf:c:(?P<key>{KEY_PATTERN}):(?P<turn>\d{{1,9}}):(?P<value>.{{1,80}})",
):
    """One answer as a button."""

    def __init__(self, key: str, turn: int, value: str, label: str = "") -> None:
        custom_id = button_id(key, turn, value)
        super().__init__(
            discord.ui.Button(
                label=limits.trim(label or value, limits.BUTTON_LABEL),
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id,
            )
        )
        self.key, self.turn, self.value = key, turn, value

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ChoiceButton:
        label = getattr(item, "label", None) or ""
        return cls(expand(match["key"]), int(match["turn"]), match["value"], label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: PlanFirstBot = interaction.client
        label = self.item.label or self.value
        await bot.guarded(interaction, bot.conversations.choose(interaction, self.key, self.turn, self.value, label))


class ChoiceSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=rf"pf:s:(?P<key>{KEY_PATTERN}):(?P<turn>\d{{1,9}})",
):
    """More answers than buttons can hold, as a select menu."""

    def __init__(
        self,
        key: str,
        turn: int,
        options: list[discord.SelectOption] | None = None,
        placeholder: str | None = None,
    ) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=select_id(key, turn),
                options=options or [discord.SelectOption(label="-", value="-")],
                placeholder=placeholder,
                min_values=1,
                max_values=1,
            )
        )
        self.key, self.turn = key, turn

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ChoiceSelect:
        options = list(getattr(item, "options", []) or [])
        return cls(expand(match["key"]), int(match["turn"]), options, getattr(item, "placeholder", None))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: PlanFirstBot = interaction.client
        value = self.item.values[0]
        label = next((o.label for o in self.item.options if o.value == value), value)
        await bot.guarded(interaction, bot.conversations.choose(interaction, self.key, self.turn, value, label))


def choice_view(key: str, turn: int, choices: tuple[ChoiceOption, ...], placeholder: str) -> discord.ui.View:
    """Buttons for up to five answers, a select menu for more (the first 25)."""
    view = discord.ui.View(timeout=None)
    if len(choices) <= MAX_BUTTONS:
        for number, choice in enumerate(choices, start=1):
            value = choice.value
            if len(button_id(key, turn, value)) > limits.CUSTOM_ID or len(value) > 80 or not value:
                value = str(number)  # the engine also accepts the choice's number
            view.add_item(ChoiceButton(key, turn, value, choice.label))
        return view
    options: list[discord.SelectOption] = []
    seen: set[str] = set()
    for number, choice in enumerate(choices[: limits.SELECT_OPTIONS], start=1):
        value = choice.value if 0 < len(choice.value) <= limits.SELECT_OPTION_VALUE else str(number)
        if value in seen:
            continue
        seen.add(value)
        label = limits.trim(choice.label or value, limits.SELECT_OPTION_LABEL)
        options.append(discord.SelectOption(label=label, value=value))
    view.add_item(ChoiceSelect(key, turn, options, limits.trim(placeholder, limits.SELECT_PLACEHOLDER)))
    return view


def answered_view(message: discord.Message, custom_id: str, value: str | None = None) -> discord.ui.View:
    """The message's components, disabled, with the chosen answer highlighted.

    The returned view is stopped, so discord.py does not keep it in its view store:
    the dynamic items above stay the only thing that handles these ids.
    """
    view = discord.ui.View.from_message(message, timeout=None)
    for child in view.children:
        if isinstance(child, discord.ui.Button):
            if child.custom_id == custom_id:
                child.style = discord.ButtonStyle.success
            child.disabled = True
        elif isinstance(child, discord.ui.Select):
            for option in child.options:
                option.default = option.value == value
            child.disabled = True
    view.stop()
    return view
