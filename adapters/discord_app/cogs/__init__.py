"""One cog per command (or listener); `COGS` is what the bot adds in `setup_hook`."""

from __future__ import annotations

from .briefs import BriefCog
from .define import DefineCog
from .kb import KnowledgeCog
from .language import LanguageCog
from .messages import MessageCog
from .triage import TriageCog
from ..quiz_cog import QuizCog
from ..roleplay_cog import RolePlayCog

COGS = (TriageCog, MessageCog, DefineCog, BriefCog, LanguageCog, KnowledgeCog, QuizCog, RolePlayCog)
