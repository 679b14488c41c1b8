"""Sharding: `bot.py run --shards N --shard-ids ...` builds an AutoShardedBot that runs only its
shards; state lives only in the shared store, so after a restart under another shard layout
(another process, another machine) the conversation goes on. A health line says at start
which store, schema, knowledge base and shards a process serves. Discord is simulated
(simcord), never reached.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.cli_support import shard_plan
from adapters.discord_app import launch
from adapters.discord_app.bot import ShardedPlanFirstBot, create_bot
from adapters.discord_app.cooldown import Cooldown
from runtime import build_runtime
from tests.cli_helpers import run_main
from tests.discord_harness import (  # noqa: F401 - fixtures
    buttons,
    fake_runtime_fixture,
    last_with_components,
    no_network_fixture,
    selects,
    world,
)
from tests.pg_support import fresh_url


@pytest.fixture(autouse=True)
def classifier_cache(shipped_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAN_FIRST_CACHE", str(shipped_cache))


def sharded(runtime: Any, count: int, ids: tuple[int, ...] | None) -> Any:
    return create_bot(runtime, shards=(count, ids), cooldown=Cooldown(capacity=1000, rate=1000))


@pytest.mark.parametrize(("count", "ids", "expected"), [
    (None, None, None),
    ("4", None, (4, None)),
    ("4", "1", (4, (1,))),
    ("8", "0,2-4", (8, (0, 2, 3, 4))),
    (" 2 ", "0 , 1", (2, (0, 1))),
])
def test_shard_options_are_read(count: str | None, ids: str | None, expected: Any) -> None:
    assert shard_plan(count, ids) == expected


@pytest.mark.parametrize(("argv", "expected"), [
    (["run", "--shard-ids", "1"], "goes with --shards N"),
    (["run", "--shards", "0"], "not a number of shards between 1 and"),
    (["run", "--shards", "two"], "not a number of shards"),
    (["run", "--shards", "4", "--shard-ids", "0,4"], "distinct numbers from 0 to 3"),
    (["run", "--shards", "4", "--shard-ids", "1,1"], "distinct numbers from 0 to 3"),
    (["run", "--shards", "4", "--shard-ids", "3-1"], "distinct numbers from 0 to 3"),
    (["run", "--shards", "4", "--shard-ids", "-1"], "distinct numbers from 0 to 3"),
])
def test_bad_shard_options_are_one_sentence_before_anything_loads(capsys, monkeypatch, argv: list[str],
                                                                  expected: str) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    said = run_main(capsys, monkeypatch, *argv, "--lang", "en")
    assert said.code == 2 and expected in said.err and "Traceback" not in said.said


def test_the_bot_runs_the_shards_it_was_given(fake_runtime) -> None:
    bot = sharded(fake_runtime, 4, (1, 3))
    assert isinstance(bot, ShardedPlanFirstBot) and isinstance(bot, discord.AutoShardedClient)
    assert (bot.shard_count, bot.shard_ids) == (4, [1, 3])
    assert bot.allowed_mentions is not None and bot.allowed_mentions.to_dict() == {"parse": []}
    every = sharded(fake_runtime, 2, None)
    assert (every.shard_count, every.shard_ids) == (2, None)
    assert not isinstance(create_bot(fake_runtime), discord.AutoShardedClient)  # no --shards: as before


def test_the_health_line_names_store_schema_knowledge_base_and_shards(fake_runtime, monkeypatch, caplog) -> None:
    started: list[Any] = []

    async def serve(bot: Any, token: str) -> None:
        started.append(bot)

    monkeypatch.setattr(launch, "_serve", serve)
    caplog.set_level(logging.INFO, logger="plan_first.discord")
    code = launch.run_discord(fake_runtime, shards=(4, (1, 2)), environ={"DISCORD_TOKEN": "t"}, env_file=None)
    assert code == 0 and started and (started[0].shard_count, started[0].shard_ids) == (4, [1, 2])
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("health:")]
    store = fake_runtime.store
    assert f"store=sqlite {store.path} schema={store.schema_version}" in line
    assert f"kb={fake_runtime.kb.content_hash[:16]}" in line and "shards=1,2 of 4" in line
    launch.run_discord(fake_runtime, environ={"DISCORD_TOKEN": "t"}, env_file=None)
    assert "shards=single connection" in caplog.records[-1].getMessage()


async def answer(w: Any, question: Any) -> Any:
    """Click the first choice of `question` (a button, or a select menu's first option)."""
    if selects(question):
        [menu] = selects(question)
        return await w.alice.select(question, [menu.options[0].value], custom_id=menu.custom_id)
    return await w.alice.click(question, custom_id=buttons(question)[0].custom_id)


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_another_process_with_other_shards_carries_on_the_conversation(tmp_path: Path, kind: str) -> None:
    """Process A runs both shards of 2; it stops; process B, with its own runtime on the same
    store and only the server's shard of 3, answers the question A had asked (a process
    given another shard never sees the click)."""
    db = fresh_url() if kind == "postgresql" else str(tmp_path / "shared.sqlite3")
    first = build_runtime(db_path=db)
    async with world(first, bot=sharded(first, 2, None)) as w:
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        [thread] = w.channel.threads
        key = f"discord:{thread.id}"
        await w.alice.send(thread, "awareness")
        pending = last_with_components(thread)
        turn = first.advisor.turn(key)
        assert turn >= 2

        second = build_runtime(db_path=db)  # a new process: only the database is shared
        own = (w.guild.id >> 22) % 3  # Discord's rule: the shard that receives this server's events
        await w.env.restart_bot(sharded(second, 3, ((own + 1) % 3,)))
        assert not (await answer(w, pending)).acknowledged  # not its shard: the click never reaches it
        await w.env.restart_bot(sharded(second, 3, (own,)))
        assert second.advisor.turn(key) == turn
        result = await answer(w, pending)
        assert result.acknowledged and not result.ephemeral
        assert second.advisor.turn(key) == turn + 1
        await asyncio.sleep(0)
    first.store.close()
    second.store.close()
