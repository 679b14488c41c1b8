"""Plan First on Discord: slash commands, answer buttons and threads around the advisor.

The package only translates between Discord and the engine (`advisor.service`); see
docs/DISCORD.md for setting up the application and docs/ARCHITECTURE.md for the layers.

- `create_bot(runtime)` builds the bot (tests drive it offline with simcord).
- `launch.run_discord(runtime)` and `launch.sync_commands(runtime, guild_id)` are what
  `bot.py` calls; both return an exit code.
"""

from __future__ import annotations

from .bot import PlanFirstBot, create_bot
from .launch import load_token, run_discord, sync_commands, sync_tree

__all__ = ["PlanFirstBot", "create_bot", "load_token", "run_discord", "sync_commands", "sync_tree"]
