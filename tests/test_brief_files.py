"""Brief files belong to their database: one folder each, written after the commit, kept in
step at every start, and `forget` only ever touches its own database's files.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import storage.brief_files as brief_files
from storage import BriefDraft, SqliteStore
from storage.brief_files import MARKER, BriefFiles
from tests.cli_helpers import no_traceback, run_main

INTAKE = "1\n" + "je ne sais pas\n" * 8


def intake(capsys, monkeypatch, db: Path, request: str, session: str = "ana", *extra: str):
    run = run_main(capsys, monkeypatch, "--console", "--session", session, "--db", str(db), "--lang", "fr",
                   *extra, stdin=f"{request}\n{INTAKE}")
    assert run.code == 0 and no_traceback(run), run.err
    return run


def test_two_databases_never_share_a_folder_and_forget_only_touches_its_own(capsys, monkeypatch, tmp_path):
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    intake(capsys, monkeypatch, a, "on veut un blogue pour le client A")
    intake(capsys, monkeypatch, b, "on veut un blogue pour le client B", "bob")
    a_file, b_file = tmp_path / "a.sqlite3-briefs" / "brief-1.md", tmp_path / "b.sqlite3-briefs" / "brief-1.md"
    assert "client A" in a_file.read_text(encoding="utf-8") and "client B" in b_file.read_text(encoding="utf-8")
    run = run_main(capsys, monkeypatch, "forget", "--user", "bob", "--db", str(b), "--lang", "en")
    assert run.code == 0 and "brief file(s) deleted" in run.out
    assert not b_file.exists() and "client A" in a_file.read_text(encoding="utf-8")
    # even pointed at A's folder, B's forget deletes nothing there
    intake(capsys, monkeypatch, b, "on veut un blogue pour le client B", "bob")
    run = run_main(capsys, monkeypatch, "forget", "--user", "bob", "--db", str(b), "--briefs", str(a_file.parent))
    assert run.code == 0 and a_file.exists()


def test_a_folder_of_another_database_is_refused(capsys, monkeypatch, tmp_path):
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    intake(capsys, monkeypatch, a, "on veut un blogue", "ana", "--briefs", str(tmp_path / "shared"))
    before = (tmp_path / "shared" / "brief-1.md").read_bytes()
    run = run_main(capsys, monkeypatch, "--console", "--db", str(b), "--briefs", str(tmp_path / "shared"),
                   "--lang", "en", stdin="on veut un blogue\n" + INTAKE)
    assert run.code == 2 and no_traceback(run)
    assert str(tmp_path / "shared") in run.err and "holds another database's briefs" in run.err and str(a) in run.err
    assert (tmp_path / "shared" / "brief-1.md").read_bytes() == before


def test_an_unmarked_folder_is_adopted_only_if_its_files_are_this_databases(capsys, monkeypatch, tmp_path):
    db, folder = tmp_path / "pf.sqlite3", tmp_path / "pf.sqlite3-briefs"
    intake(capsys, monkeypatch, db, "on veut un blogue")
    (folder / MARKER).unlink()  # as left by a version without markers
    run = run_main(capsys, monkeypatch, "--console", "--db", str(db), "--lang", "en")
    assert run.code == 0 and (folder / MARKER).exists()  # its own files: adopted
    (folder / MARKER).unlink()
    (folder / "brief-1.md").write_text("# someone else's brief\n", encoding="utf-8")
    run = run_main(capsys, monkeypatch, "--console", "--db", str(db), "--lang", "en")
    assert run.code == 2 and "brief-1.md" in run.err and "do not come from this database" in run.err
    assert (folder / "brief-1.md").read_text(encoding="utf-8") == "# someone else's brief\n"


def test_missing_short_and_stale_files_are_put_right_at_the_next_start(capsys, monkeypatch, tmp_path):
    db, folder = tmp_path / "pf.sqlite3", tmp_path / "pf.sqlite3-briefs"
    intake(capsys, monkeypatch, db, "on veut un blogue")
    intake(capsys, monkeypatch, db, "on veut un blogue", "bob")
    full = {name: (folder / name).read_bytes() for name in ("brief-1.md", "brief-2.md")}
    (folder / "brief-1.md").unlink()
    (folder / "brief-2.md").write_bytes(full["brief-2.md"][:100])
    (folder / "brief-9.md").write_text("# forgotten\n")
    (folder / ".brief-2.md.123.tmp").write_bytes(b"half")
    run = run_main(capsys, monkeypatch, "--console", "--db", str(db), "--lang", "en")
    assert run.code == 0 and "2 brief file(s) rewritten" in run.out
    assert {name: (folder / name).read_bytes() for name in full} == full
    assert sorted(os.listdir(folder)) == [MARKER, "brief-1.md", "brief-2.md"]


def test_every_version_of_a_brief_has_a_file_and_the_cli_shows_them(capsys, monkeypatch, tmp_path):
    db, folder = tmp_path / "pf.sqlite3", tmp_path / "pf.sqlite3-briefs"
    with SqliteStore(str(db)) as store:
        for n, markdown in enumerate(("# v1\n", "# v2\n", "# v3\n")):
            store.save_turn("k", {"turn": n}, expected_revision=n, user_id="ana",
                            brief=BriefDraft(lang="fr", request="un blogue", markdown=markdown, intake=1))
        files = BriefFiles(folder, store)
        files.claim()
        assert files.write(1) == folder / "brief-1.md"
    assert {name: (folder / name).read_text() for name in sorted(os.listdir(folder)) if name != MARKER} == {
        "brief-1.md": "# v3\n", "brief-1.v1.md": "# v1\n", "brief-1.v2.md": "# v2\n", "brief-1.v3.md": "# v3\n"}
    listing = run_main(capsys, monkeypatch, "briefs", "--db", str(db), "--lang", "en")
    assert "un blogue  (3 versions)" in listing.out
    assert run_main(capsys, monkeypatch, "briefs", "1", "--db", str(db)).out == "# v3\n"
    assert run_main(capsys, monkeypatch, "briefs", "1", "--version", "1", "--db", str(db)).out == "# v1\n"


def test_a_file_that_cannot_be_written_is_said_and_rewritten_at_the_next_start(capsys, monkeypatch, tmp_path):
    db, folder = tmp_path / "pf.sqlite3", tmp_path / "pf.sqlite3-briefs"
    real = brief_files.write_atomic

    def full_disk(path: Path, data: bytes) -> None:
        if path.name.startswith("brief-"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)

    monkeypatch.setattr(brief_files, "write_atomic", full_disk)
    run = run_main(capsys, monkeypatch, "--console", "--db", str(db), "--lang", "en",
                   stdin="on veut un blogue\n" + INTAKE)
    assert run.code == 0 and no_traceback(run)
    assert "Brief no. 1 is saved in the database, but the file" in run.out and "No space left" in run.out
    assert not (folder / "brief-1.md").exists()
    monkeypatch.setattr(brief_files, "write_atomic", real)
    run = run_main(capsys, monkeypatch, "--console", "--db", str(db), "--lang", "en")
    assert "1 brief file(s) rewritten" in run.out and (folder / "brief-1.md").exists()


@pytest.mark.parametrize("bad", ["", "x"])
def test_a_marker_without_a_store_line_is_not_ownership(tmp_path, bad):
    store = SqliteStore(":memory:")
    (tmp_path / MARKER).write_text(bad)
    files = BriefFiles(tmp_path, store)
    assert files.owner() is None and files.prune() == 0
