"""Start-up for `python bot.py [run]` (Discord) and `python bot.py sync [--guild ID]`.

- The token comes from `DISCORD_TOKEN` in the environment, else from a `.env` file
  (a tiny parser: no new dependency). Without one, a message points to `--console`.
- A bad token or a privileged intent not switched on gives a clear sentence, not a
  traceback. Exit code 2 for all three (configuration to fix), 0 otherwise.
- Discord out of reach (no network, DNS failure, timeout): one line saying so, exit
  code 1 (nothing to fix in the configuration; try again later).
- Commands are synced only on demand: syncing at every start hits Discord's rate limits
  and is needed only when commands or their translations change.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

import aiohttp
import discord

from ..cli_support import EnvFileError
from .bot import ShardPlan, create_bot
from .catalogue import Catalogue
from .ports import Runtime

ENV_FILE = Path(__file__).resolve().parents[2] / ".env"
TOKEN_VAR = "DISCORD_TOKEN"
EXIT_CONFIG = 2
EXIT_UNREACHABLE = 1
UNREACHABLE = (aiohttp.ClientConnectionError, OSError, asyncio.TimeoutError, discord.GatewayNotFound)
"""What discord.py raises when Discord cannot be reached (DNS, refused, reset, timed out)."""

log = logging.getLogger("plan_first.discord")


def parse_env_file(text: str) -> dict[str, str]:
    """`KEY=value` lines; `#` comments, blank lines and `export ` prefixes ignored; quotes stripped."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[name.strip()] = value
    return values


def load_token(environ: Mapping[str, str] | None = None, env_file: Path | None = ENV_FILE) -> str | None:
    """The bot token: the environment first, then the `.env` file; None when neither has one.

    Raises EnvFileError when `.env` is there but unreadable or not UTF-8.
    """
    environ = os.environ if environ is None else environ
    token = environ.get(TOKEN_VAR, "").strip()
    if not token and env_file is not None and env_file.is_file():
        try:
            data = env_file.read_bytes()
            text = data.decode("utf-8")
        except OSError as exc:
            raise EnvFileError(env_file, exc.strerror or type(exc).__name__) from exc
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise EnvFileError(env_file, f"not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line}") from exc
        token = parse_env_file(text).get(TOKEN_VAR, "").strip()
    return token or None


def _say(key: str, stream: TextIO, **values: object) -> None:
    print(Catalogue().both(key, **values), file=stream)


def unreachable(error: BaseException, stream: TextIO) -> int:
    """One line, both languages, and the reason: Discord could not be reached."""
    catalogue = Catalogue()
    reason = " ".join(str(error).split())[:160] or type(error).__name__
    text = f"{catalogue.text('discord_unreachable', 'fr')} / {catalogue.text('discord_unreachable', 'en')}"
    print(f"{text} ({reason})", file=stream)
    return EXIT_UNREACHABLE


def missing_token(stderr: TextIO | None = None) -> int:
    """Say there is no token (and how to try Plan First without one); the exit code."""
    _say("discord_no_token", stderr or sys.stderr)
    return EXIT_CONFIG


async def _serve(bot: discord.Client, token: str) -> None:
    async with bot:
        await bot.start(token)


def health_line(runtime: Runtime, shards: ShardPlan | None) -> str:
    """What this process serves, in one log line at start: which store (kind, where, schema
    version), which knowledge base (content hash), which shards. Several processes on one
    database should show the same store, schema and hash, and disjoint shards."""
    store, kb = runtime.store, runtime.kb
    kind = getattr(store, "kind", type(store).__name__)
    where = getattr(store, "path", "?")
    schema = getattr(store, "schema_version", "?")
    kb_hash = (getattr(kb, "content_hash", "") or "?")[:16]
    if shards is None:
        served = "single connection (not sharded)"
    else:
        count, ids = shards
        served = f"{','.join(map(str, ids)) if ids is not None else 'all'} of {count}"
    return (f"health: store={kind} {where} schema={schema} kb={kb_hash} topics={len(kb.topics)} "
            f"shards={served} pid={os.getpid()}")


def run_discord(
    runtime: Runtime,
    *,
    shards: ShardPlan | None = None,
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = ENV_FILE,
    stderr: TextIO | None = None,
) -> int:
    """Run the bot until stopped (all shards, or those of `shards`); returns the process exit code."""
    stderr = stderr or sys.stderr
    token = load_token(environ, env_file)
    if token is None:
        _say("discord_no_token", stderr)
        return EXIT_CONFIG
    for name in ("discord", "plan_first"):  # connected, reconnects, our refusals: worth seeing
        logging.getLogger(name).setLevel(logging.INFO)
    logging.getLogger("discord.client").setLevel(logging.WARNING)  # not "logging in using static token"
    log.info(health_line(runtime, shards))
    bot = create_bot(runtime, shards=shards)
    try:
        asyncio.run(_serve(bot, token))
    except discord.LoginFailure:
        _say("discord_bad_token", stderr)
        return EXIT_CONFIG
    except discord.PrivilegedIntentsRequired:
        _say("discord_intents_required", stderr)
        return EXIT_CONFIG
    except UNREACHABLE as exc:
        return unreachable(exc, stderr)
    except KeyboardInterrupt:
        pass
    return 0


async def sync_tree(bot: discord.Client, guild_id: int | None) -> int:
    """Push the command tree (with translations) to Discord; returns how many were synced.

    With a guild id the commands are copied to that server only, where they appear at
    once (handy to try changes); without, they are global (may take up to an hour).
    """
    tree = bot.tree  # type: ignore[attr-defined]
    if guild_id is None:
        return len(await tree.sync())
    guild = discord.Object(id=guild_id)
    tree.copy_global_to(guild=guild)
    return len(await tree.sync(guild=guild))


async def _login_and_sync(bot: discord.Client, token: str, guild_id: int | None) -> int:
    async with bot:
        await bot.login(token)  # runs setup_hook (cogs, translator); no gateway connection
        return await sync_tree(bot, guild_id)


def sync_commands(
    runtime: Runtime,
    guild_id: int | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = ENV_FILE,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """`python bot.py sync [--guild ID]`; returns the process exit code."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    token = load_token(environ, env_file)
    if token is None:
        _say("discord_no_token", stderr)
        return EXIT_CONFIG
    bot = create_bot(runtime)
    try:
        count = asyncio.run(_login_and_sync(bot, token, guild_id))
    except discord.LoginFailure:
        _say("discord_bad_token", stderr)
        return EXIT_CONFIG
    except UNREACHABLE as exc:
        return unreachable(exc, stderr)
    where = str(guild_id) if guild_id is not None else "global"
    _say("discord_synced", stdout, count=count, where=where)
    return 0
