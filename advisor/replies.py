"""What the engine says, as data.

Replies are not strings formatted for one screen: the console prints choices as a
numbered list, Discord turns them into buttons or a select menu, and tests assert on
fields instead of parsing prose. Every text is already in the conversation's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ReplyKind = Literal["text", "question", "recommendation", "brief", "error"]


@dataclass(frozen=True)
class ChoiceOption:
    """One answer a user can pick. Sending `value` as a message picks it."""

    value: str
    label: str


@dataclass(frozen=True)
class Reply:
    """One message from the bot.

    kind:
      text            plain information (reframing, help, acknowledgements)
      question        a question; `choices` may be empty (free text expected)
      recommendation  the advice; `data` holds the contract's recommendation object
      brief           the intake brief; `text` is its Markdown, `data["brief_id"]` its id once saved
      error           bad input explained (empty, too long...); nothing was lost
    """

    kind: ReplyKind
    text: str
    choices: tuple[ChoiceOption, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    title: str = ""
