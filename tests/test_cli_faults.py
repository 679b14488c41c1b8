"""Database and folder faults through the real commands: one sentence naming the file and
what to do, exit 2, never a traceback, nothing written.
"""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
from pathlib import Path

import pytest

from knowledge import load_knowledge_base
from storage import MIGRATIONS, SqliteStore
from tests.cli_helpers import Run, digest, dump, no_traceback, run_bot, run_bots, run_main, without_root_powers

INTAKE = "on veut un blogue\n1\n" + "je ne sais pas\n" * 8


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database with one finished intake and its brief, WAL folded in (a quiet file)."""
    path = tmp_path / "pf.sqlite3"
    with SqliteStore(str(path)) as store:
        store.save_turn("console:ana", {"stage": "capacity", "turn": 1, "lang": "fr"}, expected_revision=0,
                        user_id="ana")
        store.save_brief(key="console:ana", user_id="ana", guild_id="", lang="fr", request="un blogue",
                         markdown="# Brief\n", data={})
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def refused(run: Run, *fragments: str) -> None:
    assert run.code == 2, run
    assert no_traceback(run), run.err
    for fragment in fragments:
        assert fragment in run.err, (fragment, run.err)


def test_not_a_database(capsys, monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my meeting notes, not a database\n" * 100)
    before = digest(path)
    for argv in (["--console"], ["briefs"], ["gaps"], ["forget", "--user", "x"]):
        run = run_main(capsys, monkeypatch, *argv, "--db", str(path), "--lang", "en", stdin="un blogue\n")
        refused(run, str(path), "not a readable Plan First database")
        assert run.err.count("\n") == 1  # one line
    assert digest(path) == before


def test_a_database_from_a_newer_plan_first(capsys, monkeypatch, db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    before = dump(db)
    for argv in (["--console"], ["briefs"], ["gaps"]):
        run = run_main(capsys, monkeypatch, *argv, "--db", str(db), "--lang", "en", stdin="un blogue\n")
        refused(run, str(db), f"schema {len(MIGRATIONS) + 1}", f"schema {len(MIGRATIONS)}", "update Plan First")
    assert dump(db) == before


def test_truncated_and_damaged_files(capsys, monkeypatch, db: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    damaged = tmp_path / "damaged.sqlite3"
    shutil.copy(db, damaged)
    conn = sqlite3.connect(damaged)
    root, size = conn.execute("SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master "
                              "WHERE name = 'brief_versions'").fetchone()
    conn.close()
    with damaged.open("r+b") as file:  # garbage over the page that holds the briefs' text
        file.seek((root - 1) * size)
        file.write(b"\xff" * 64)
    for path in (truncated, damaged):
        for argv in (["--console"], ["briefs"]):
            run = run_main(capsys, monkeypatch, *argv, "--db", str(path), "--lang", "en", stdin="un blogue\n")
            refused(run, str(path), "damaged, truncated")


def test_db_path_that_is_a_folder_or_under_a_file(capsys, monkeypatch, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()
    refused(run_main(capsys, monkeypatch, "--console", "--db", str(folder), "--lang", "en"),
            str(folder), "is a folder")
    file = tmp_path / "file"
    file.write_text("x")
    for path in (file / "pf.sqlite3", file / "deeper" / "pf.sqlite3"):
        refused(run_main(capsys, monkeypatch, "--console", "--db", str(path), "--lang", "en"),
                str(path), "parent is a folder")
    assert file.read_text() == "x"


def test_a_lock_held_longer_than_the_busy_timeout(capsys, monkeypatch, db: Path) -> None:
    before = dump(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program in the middle of a long write
    try:
        run = run_main(capsys, monkeypatch, "--console", "--db", str(db), "--lang", "en", stdin="un blogue\n",
                       env={"PLANFIRST_DB_TIMEOUT": "0.2"})
        refused(run, str(db), "locked by another program for more than 0.2 s", "PLANFIRST_DB_TIMEOUT")
        forget = run_main(capsys, monkeypatch, "forget", "--user", "ana", "--db", str(db), "--lang", "en",
                          env={"PLANFIRST_DB_TIMEOUT": "0.2"})
        refused(forget, str(db), "locked")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert dump(db) == before


def test_a_stored_state_that_is_not_a_json_object_starts_afresh(capsys, monkeypatch, db: Path, caplog) -> None:
    for bad in ("{not json", "[1, 2, 3]", '"text"'):
        conn = sqlite3.connect(db)
        conn.execute("UPDATE conversations SET state = ?", (bad,))
        conn.commit()
        conn.close()
        run = run_main(capsys, monkeypatch, "--console", "--session", "ana", "--db", str(db), "--lang", "en",
                       stdin="on veut un blogue\n")
        assert run.code == 0 and no_traceback(run)
        assert "1. " in run.out  # the new intake went on
        with SqliteStore(str(db)) as store:
            state = store.load_conversation("console:ana")
        assert state is not None and state["request"] == "on veut un blogue"
    assert "starting afresh" in caplog.text


def test_briefs_folder_that_cannot_be_written(capsys, monkeypatch, db: Path, tmp_path: Path) -> None:
    file = tmp_path / "not-a-folder"
    file.write_text("x")
    before = dump(db)
    run = run_main(capsys, monkeypatch, "--console", "--db", str(db), "--briefs", str(file / "briefs"),
                   "--lang", "en", stdin=INTAKE)
    refused(run, str(file / "briefs"), "Cannot write to the briefs folder", "--briefs", "Nothing was written")
    assert dump(db) == before


# --- faults that need a real process ------------------------------------------------------

def test_read_only_database(db: Path, tmp_path: Path, cli_cache: str) -> None:
    """Reading commands open read-only and work; writing ones say so before the first turn."""
    frozen = tmp_path / "frozen" / "pf.sqlite3"  # and one in a folder nobody may write (no -shm possible)
    frozen.parent.mkdir()
    shutil.copy(db, frozen)
    for path in (db, frozen):
        path.chmod(0o444)
    frozen.parent.chmod(0o555)
    (tmp_path / "pf.sqlite3-briefs").mkdir()
    before = digest(db)
    console, forget, briefs, gaps, frozen_briefs = run_bots(
        [(["--console", "--lang", "en"], "un blogue\n"), (["forget", "--user", "ana", "--lang", "en"], ""),
         (["briefs", "--lang", "en"], ""), (["gaps", "--lang", "en"], ""),
         (["briefs", "1", "--db", str(frozen)], "")],
        tmp=tmp_path, cache=cli_cache, env={"PLANFIRST_DB": str(db)}, preexec=without_root_powers)
    assert frozen_briefs.code == 0 and frozen_briefs.out == "# Brief\n", frozen_briefs
    refused(console, str(db), "is read-only")
    assert "Hello" not in console.out  # refused before the conversation, not after the user typed
    refused(forget, str(db), "is read-only")
    for run in (briefs, gaps):
        assert run.code == 0 and no_traceback(run), run
    assert "un blogue" in briefs.out
    assert digest(db) == before


def test_folders_that_cannot_be_written(db: Path, tmp_path: Path, cli_cache: str) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    before = dump(db)
    new_db, briefs = run_bots(
        [(["--console", "--db", str(locked / "pf.sqlite3"), "--lang", "en"], ""),
         (["--console", "--db", str(db), "--briefs", str(locked), "--lang", "en"], INTAKE)],
        tmp=tmp_path, cache=cli_cache, preexec=without_root_powers)
    refused(new_db, str(locked / "pf.sqlite3"), "make that folder writable")
    refused(briefs, str(locked), "Cannot write to the briefs folder")
    assert os.listdir(locked) == [] and dump(db) == before


def test_disk_full_mid_conversation_loses_only_the_unsaved_message(capsys, monkeypatch, tmp_path: Path,
                                                                   cli_cache: str) -> None:
    db = tmp_path / "pf.sqlite3"
    SqliteStore(str(db)).close()

    def small_disk() -> None:  # writes past 60 kB fail, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    run = run_bot(["--console", "--session", "ana", "--lang", "en"], stdin=INTAKE * 3, tmp=tmp_path,
                  cache=cli_cache, env={"PLANFIRST_DB": str(db)}, preexec=small_disk)
    refused(run, str(db), "free space", "nothing was saved for the last message")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with SqliteStore(str(db)) as store:  # the turns answered before the disk filled are there
        state = store.load_conversation("console:ana")
    assert state is not None and state["turn"] >= 2
    again = run_main(capsys, monkeypatch, "--console", "--session", "ana", "--db", str(db), "--lang", "en")
    assert again.code == 0 and load_knowledge_base().msg("console_resumed", "en") in again.out
