"""Two consoles on one conversation (the same --session, by default the OS user): every
message is either saved or the user is told it was not. Before compare-and-set, 214 of
400 turns were stored, exit 0, nothing said.

The same two real processes run on SQLite (one file) and on PostgreSQL (one server, two
connection pools: what two shards or two machines do). Without the compare-and-set
(`revision = ?` in SqlStore.save_turn) the PostgreSQL run loses turns silently too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import load_knowledge_base
from storage import open_store
from tests.pg_support import fresh_url
from tests.test_service_console import CACHE, ROOT, shared_classifier_cache  # noqa: F401 - fixture

MESSAGES = 60


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_two_consoles_on_one_session_lose_no_turn_silently(tmp_path: Path, kind: str) -> None:
    db = fresh_url() if kind == "postgresql" else str(tmp_path / "shared.sqlite3")
    env = {"PLANFIRST_DB": db, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": CACHE["dir"],
           "PLAN_FIRST_READER_CACHE": os.environ["PLAN_FIRST_READER_CACHE"],
           "PLAN_FIRST_EMBEDDINGS": os.environ.get("PLAN_FIRST_EMBEDDINGS", "off")}
    command = [sys.executable, "bot.py", "--console", "--session", "ana", "--lang", "en",
               "--briefs", str(tmp_path / "briefs")]
    open_store(db).close()  # both start on an existing database
    procs = [subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:  # both are up (the intro is printed after the store and folder are ready)
        assert proc.stdout is not None and proc.stdout.readline()
    lines = "help\n" * MESSAGES
    for proc in procs:  # then both type as fast as they can
        assert proc.stdin is not None
        proc.stdin.write(lines)
        proc.stdin.flush()
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and "Traceback" not in err, err
        outputs.append(out)
    kb = load_knowledge_base()
    told_unsaved = sum(out.count(kb.msg("conversation_busy", "en")) for out in outputs)
    retried = sum(out.count(kb.msg("conversation_changed_elsewhere", "en")) for out in outputs)
    with open_store(db) as store:
        state = store.load_conversation("console:ana")
    assert state is not None
    assert state["turn"] + told_unsaved == 2 * MESSAGES, (state["turn"], told_unsaved, retried)
    assert told_unsaved <= MESSAGES // 10
