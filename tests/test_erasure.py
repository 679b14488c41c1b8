"""`forget --user` erases for real: no trace of the erased text in the database file or its
write-ahead log, even while another program (a running bot) holds the database open.
Before: 30 occurrences of a marker were left in the -wal file after `forget`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage import SqliteStore
from tests.cli_helpers import run_main

MARKER = "ZQXSECRETCLIENT"


def traces(db: Path) -> dict[str, int]:
    """How many times the marker's bytes appear in each of the database's files."""
    found = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db}{suffix}")
        found[path.name] = path.read_bytes().count(MARKER.encode()) if path.exists() else 0
    return found


def test_forget_user_leaves_no_trace_in_the_files_while_a_bot_holds_the_database(capsys, monkeypatch,
                                                                                  tmp_path: Path) -> None:
    db = tmp_path / "pf.sqlite3"
    intake = (f"on veut un blogue pour {MARKER}\n1\n" + "je ne sais pas\n" * 8
              + f"mon imprimante {MARKER} est brisée\n")
    for session in ("ana", "bob"):
        text = intake if session == "ana" else intake.replace(MARKER, "autre client")
        run = run_main(capsys, monkeypatch, "--console", "--session", session, "--db", str(db), stdin=text)
        assert run.code == 0, run.err
    bot = sqlite3.connect(db)  # a running bot: its own connection, open the whole time
    assert bot.execute("SELECT count(*) FROM briefs").fetchone()[0] == 2
    assert sum(traces(db).values()) > 0  # the marker was really written

    run = run_main(capsys, monkeypatch, "forget", "--user", "ana", "--db", str(db), "--lang", "en")
    assert run.code == 0, run.err

    assert traces(db) == {"pf.sqlite3": 0, "pf.sqlite3-wal": 0, "pf.sqlite3-shm": 0}
    assert bot.execute("SELECT count(*) FROM briefs").fetchone()[0] == 1  # bob's brief stays
    assert bot.execute("SELECT count(*) FROM conversations WHERE user_id = 'ana'").fetchone()[0] == 0
    bot.close()
    with SqliteStore(str(db)) as store:
        assert [b.user_id for b in store.list_briefs()] == ["bob"]
