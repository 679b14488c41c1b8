"""`bot.py migrate`, `bot.py export`, `bot.py import FILE` as an agency runs them: a console
intake on SQLite, moved to PostgreSQL, where `bot.py briefs` shows the same brief; faults
are one sentence and exit 2.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from storage import MIGRATIONS
from storage.transfer import FORMAT
from tests.cli_helpers import run_main
from tests.pg_support import fresh_url

INTAKE = "on veut un blogue\nje ne sais pas\n" + "1\n" * 8 + "brief\n"


@pytest.fixture(autouse=True)
def classifier_cache(shipped_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped base's model, already fitted once for the whole test session."""
    monkeypatch.setenv("PLAN_FIRST_CACHE", str(shipped_cache))


def test_an_intake_moves_from_sqlite_to_postgresql(capsys, monkeypatch, tmp_path: Path) -> None:
    db = str(tmp_path / "agency.sqlite3")
    said = run_main(capsys, monkeypatch, "--console", "--session", "ana", "--lang", "fr", "--db", db,
                    "--briefs", str(tmp_path / "b"), stdin=INTAKE)
    assert said.code == 0
    listing = run_main(capsys, monkeypatch, "briefs", "--db", db)
    assert listing.code == 0 and "on veut un blogue" in listing.out

    exported = run_main(capsys, monkeypatch, "export", "--db", db, "--lang", "en")
    assert exported.code == 0 and "row(s) exported" in exported.err
    lines = exported.out.splitlines()
    assert json.loads(lines[0])["format"] == FORMAT and json.loads(lines[-1])["end"] is True
    dump = tmp_path / "dump.jsonl"
    dump.write_text(exported.out, encoding="utf-8")

    url = fresh_url()
    migrated = run_main(capsys, monkeypatch, "migrate", "--db", url, "--lang", "en")
    assert migrated.code == 0 and f"schema created at version {len(MIGRATIONS)}" in migrated.out
    imported = run_main(capsys, monkeypatch, "import", str(dump), "--db", url, "--lang", "en")
    assert imported.code == 0 and "row(s) imported" in imported.out, imported.said

    moved = run_main(capsys, monkeypatch, "briefs", "--db", url)
    assert moved.code == 0 and moved.out == listing.out
    brief_id = listing.out.split("\n")[1].split()[0]
    assert run_main(capsys, monkeypatch, "briefs", brief_id, "--db", url).out == \
        run_main(capsys, monkeypatch, "briefs", brief_id, "--db", db).out
    again = run_main(capsys, monkeypatch, "export", "--db", url)
    assert [line for line in again.out.splitlines()[1:] if '"key": "id"' not in line] == \
        [line for line in lines[1:] if '"key": "id"' not in line]

    twice = run_main(capsys, monkeypatch, "import", str(dump), "--db", url, "--lang", "en")
    assert twice.code == 2 and "not empty" in twice.err and "Traceback" not in twice.said
    # and the console carries on with the same conversation on PostgreSQL
    resumed = run_main(capsys, monkeypatch, "--console", "--session", "ana", "--lang", "fr", "--db", url,
                       "--briefs", str(tmp_path / "pg-briefs"), stdin="aide\n")
    assert resumed.code == 0 and "Traceback" not in resumed.said


def test_migrate_says_from_which_version_to_which(capsys, monkeypatch, tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(db)
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    first = run_main(capsys, monkeypatch, "migrate", "--db", str(db), "--lang", "en")
    assert first.code == 0 and f"from version 2 to version {len(MIGRATIONS)}" in first.out
    second = run_main(capsys, monkeypatch, "migrate", "--db", str(db), "--lang", "fr")
    assert second.code == 0 and f"déjà au schéma {len(MIGRATIONS)}" in second.out


@pytest.mark.parametrize(("argv", "expected"), [
    (["migrate", "--db", "{tmp}/typo.sqlite3"], "No database at"),
    (["export", "--db", "{tmp}/typo.sqlite3"], "No database at"),
    (["import", "{tmp}/missing.jsonl", "--db", "{tmp}/new.sqlite3"], "Cannot read"),
    (["import", "{tmp}/notes.txt", "--db", "{tmp}/new.sqlite3"], "is not a Plan First export"),
    (["import", "{tmp}/latin1.jsonl", "--db", "{tmp}/new.sqlite3"], "line 2: not UTF-8"),
    (["migrate", "--db", "postgresql://ana:s3cret@127.0.0.1:1/planfirst"], "Cannot reach the PostgreSQL database"),
])
def test_operation_faults_are_one_sentence_and_exit_2(capsys, monkeypatch, tmp_path: Path, argv: list[str],
                                                      expected: str) -> None:
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    (tmp_path / "latin1.jsonl").write_bytes(
        b'{"format": "plan-first-export", "version": 1, "schema": 4}\n{"table": "gaps", "row": "caf\xe9"}\n')
    said = run_main(capsys, monkeypatch, *[a.replace("{tmp}", str(tmp_path)) for a in argv], "--lang", "en")
    assert said.code == 2 and expected in said.err, said.said
    assert "Traceback" not in said.said and "s3cret" not in said.said
    assert not (tmp_path / "typo.sqlite3").exists()


def test_import_reads_standard_input(capsys, monkeypatch, tmp_path: Path) -> None:
    source = str(tmp_path / "a.sqlite3")
    run_main(capsys, monkeypatch, "--console", "--session", "bo", "--lang", "en", "--db", source,
             "--briefs", str(tmp_path / "b"), stdin="we want a blog\n")
    dump = run_main(capsys, monkeypatch, "export", "--db", source).out
    loaded = run_main(capsys, monkeypatch, "import", "-", "--db", str(tmp_path / "b.sqlite3"), "--lang", "en",
                      stdin=dump)
    assert loaded.code == 0 and "conversations 1" in loaded.out


def test_a_password_in_the_url_is_never_printed(capsys, monkeypatch, tmp_path: Path) -> None:
    """The console's banner and its "show this brief again" command name the database without it."""
    url = re.sub(r"://([^@/:]+)@", r"://\1:s3cret@", fresh_url(), count=1)
    assert "s3cret" in url
    said = run_main(capsys, monkeypatch, "--console", "--session", "ana", "--lang", "fr", "--db", url,
                    "--briefs", str(tmp_path / "b"), stdin=INTAKE)
    assert said.code == 0 and "briefs" in said.out and "s3cret" not in said.said
    again = re.search(r"bot\.py briefs (\d+) --db (\S+)", said.out)
    assert again is not None
    shown = run_main(capsys, monkeypatch, "briefs", again.group(1), "--db", again.group(2).strip("'\""))
    assert shown.code == 0 and shown.out.startswith("# ")
