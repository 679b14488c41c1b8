"""Start-up: the token from the environment or .env, clear messages without a traceback, sync."""

from __future__ import annotations

import io
from pathlib import Path

import discord
import pytest

from adapters.discord_app import launch
from adapters.discord_app.launch import load_token, parse_env_file, run_discord, sync_commands, sync_tree
from tests.discord_harness import bot_for, fake_runtime_fixture, no_network_fixture, world  # noqa: F401 - fixtures


def test_env_file_parser_handles_comments_quotes_and_export():
    text = '# a comment\n\nexport DISCORD_TOKEN="abc.def"\nOTHER = plain value # note\nBROKEN LINE\nQ=\'x y\'\n'
    assert parse_env_file(text) == {"DISCORD_TOKEN": "abc.def", "OTHER": "plain value", "Q": "x y"}


def test_token_comes_from_the_environment_first_then_the_env_file(tmp_path: Path):
    env_file = tmp_path / ".env"
    env_file.write_text("DISCORD_TOKEN=from-file\n", encoding="utf-8")
    assert load_token({"DISCORD_TOKEN": "from-env"}, env_file) == "from-env"
    assert load_token({}, env_file) == "from-file"
    assert load_token({"DISCORD_TOKEN": "  "}, tmp_path / "missing.env") is None


def test_without_a_token_the_bot_points_to_the_console_and_exits_2(fake_runtime, tmp_path: Path):
    err = io.StringIO()
    assert run_discord(fake_runtime, environ={}, env_file=tmp_path / "none", stderr=err) == 2
    message = err.getvalue()
    assert "DISCORD_TOKEN" in message and "python bot.py --console" in message
    assert "Traceback" not in message and "Aucun jeton Discord" in message and "No Discord token" in message
    assert sync_commands(fake_runtime, environ={}, env_file=None, stderr=io.StringIO()) == 2


def test_a_bad_token_gets_a_clear_message_not_a_traceback(fake_runtime, monkeypatch, capsys):
    async def refuse(self, token):  # noqa: ANN001 - what Discord's 401 becomes in discord.py
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", refuse)
    err = io.StringIO()
    assert run_discord(fake_runtime, environ={"DISCORD_TOKEN": "nope"}, env_file=None, stderr=err) == 2
    assert "Discord a refusé le jeton" in err.getvalue() and "Discord refused the token" in err.getvalue()
    assert "Traceback" not in err.getvalue() + capsys.readouterr().err


def test_a_missing_privileged_intent_is_explained(fake_runtime, monkeypatch):
    async def login(self, token):  # noqa: ANN001
        return None

    async def connect(self, *, reconnect=True):  # noqa: ANN001
        raise discord.PrivilegedIntentsRequired(None)

    monkeypatch.setattr(discord.Client, "login", login)
    monkeypatch.setattr(discord.Client, "connect", connect)
    err = io.StringIO()
    assert run_discord(fake_runtime, environ={"DISCORD_TOKEN": "t"}, env_file=None, stderr=err) == 2
    assert "Message Content Intent" in err.getvalue()


@pytest.mark.asyncio
async def test_sync_pushes_global_commands_or_one_servers(fake_runtime):
    async with world(fake_runtime) as w:
        before = len(w.env.http_requests)
        count = len(w.bot.tree.get_commands())
        assert count >= 5 and await sync_tree(w.bot, w.guild.id) == count
        [put] = [r for r in w.env.http_requests[before:] if r.method == "PUT"]
        assert put.path.endswith(f"/guilds/{w.guild.id}/commands")
        assert await sync_tree(w.bot, None) == count


def test_the_bot_is_built_with_safe_defaults(fake_runtime):
    bot = bot_for(fake_runtime)
    assert bot.allowed_mentions is not None and bot.allowed_mentions.to_dict() == {"parse": []}
    assert bot.intents.message_content and bot.intents.guilds and not bot.intents.members
    assert launch.EXIT_CONFIG == 2
