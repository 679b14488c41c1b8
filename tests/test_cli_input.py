"""Hostile arguments and hostile stored text through the real commands: numbers that overflow,
bytes that are not UTF-8, escape sequences a client typed, Markdown that would come alive.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from adapters.discord_app import launch
from storage import SqliteStore
from tests.cli_helpers import no_traceback, run_bot, run_main

INTAKE_ANSWERS = "1\n" + "je ne sais pas\n" * 8
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31m\x9b31m"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "pf.sqlite3"


def intake(capsys, monkeypatch, db: Path, request: str, session: str = "ana", *extra: str):
    run = run_main(capsys, monkeypatch, "--console", "--session", session, "--db", str(db), *extra,
                   stdin=f"{request}\n{INTAKE_ANSWERS}")
    assert run.code == 0, run.err
    return run


# --- numbers --------------------------------------------------------------------------------

def test_numbers_too_big_for_the_database_or_the_calendar(capsys, monkeypatch, db: Path) -> None:
    intake(capsys, monkeypatch, db, "on veut un blogue")
    for argv, said in ((["briefs", "9223372036854775808"], "between 1 and 9223372036854775807"),
                       (["briefs", "1", "--version", "99999999999999999999999"], "--version"),
                       (["briefs", "-1"], "whole number"),
                       (["briefs", "1" * 5000], "whole number"),
                       (["briefs", "--version", "2"], "--version goes with a brief number"),
                       (["briefs", "2"], "Brief 2 not found"),
                       (["briefs", "1", "--version", "2"], "Brief 1 has no version 2 (versions kept: 1)"),
                       (["forget", "--older-than", "800000d"], "reaches before the calendar starts"),
                       (["forget", "--older-than", "99999999999d"], "reaches before the calendar starts")):
        run = run_main(capsys, monkeypatch, *argv, "--db", str(db), "--lang", "en")
        assert run.code == 2 and no_traceback(run) and said in run.err, (argv, run)
    with SqliteStore(str(db)) as store:
        assert len(store.list_briefs()) == 1  # nothing was erased by the refused forget


# --- bytes ----------------------------------------------------------------------------------

def test_session_and_user_that_are_not_utf8_are_refused(capsys, monkeypatch, db: Path) -> None:
    intake(capsys, monkeypatch, db, "on veut un blogue")
    undecodable = b"ana\xff".decode("utf-8", "surrogateescape")  # what Python makes of such bytes in argv
    for argv in (["--console", "--session", undecodable], ["forget", "--user", undecodable]):
        run = run_main(capsys, monkeypatch, *argv, "--db", str(db), "--lang", "en", stdin="un blogue\n")
        assert run.code == 2 and no_traceback(run), run
        assert "must be valid UTF-8 text" in run.err and "ana\\xff" in run.err
    with SqliteStore(str(db)) as store:
        assert len(store.list_briefs()) == 1


def test_advise_output_is_valid_utf8_json_whatever_bytes_the_request_has(tmp_path: Path, cli_cache: str) -> None:
    run = run_bot(["advise", b"on veut un blogue \xff\xfe caf\xe9", "--profile", b"personne \xc3", "--json"],
                  tmp=tmp_path, cache=cli_cache)
    assert run.code == 0 and no_traceback(run), run.err
    data = json.loads(run.raw_out.decode("utf-8"))  # strictly: invalid UTF-8 raises here
    assert data["topics"][0]["id"] == "blog"


def test_env_file_that_is_not_utf8(capsys, monkeypatch, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"DISCORD_TOKEN=abc\xe9def\n")
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setattr(launch.load_token, "__defaults__", (None, env_file))
    run = run_main(capsys, monkeypatch, "run", "--lang", "en")
    assert run.code == 2 and no_traceback(run), run
    assert str(env_file) in run.err and "not UTF-8" in run.err and "save it as UTF-8" in run.err


# --- text that must stay text ----------------------------------------------------------------

def test_stored_escape_sequences_never_reach_the_terminal(capsys, monkeypatch, db: Path) -> None:
    intake(capsys, monkeypatch, db, f"on veut un blogue {ESCAPES}")
    with SqliteStore(str(db)) as store:  # a brief whose Markdown holds them (saved before quotes were inert)
        store.save_brief(key="old", user_id="ana", guild_id="", lang="fr", request=f"vieux {ESCAPES}",
                         markdown=f"# Brief\n> vieux {ESCAPES} pwned\n", data={})
    run = run_main(capsys, monkeypatch, "--console", "--session", "bob", "--db", str(db),
                   stdin=f"mon imprimante {ESCAPES} est brisée\nun truc {ESCAPES} web\n")
    assert "\x1b" not in run.out
    with SqliteStore(str(db)) as store:  # kept as typed: the client's words are evidence
        assert ESCAPES in store.list_briefs()[1].request
        assert any(ESCAPES in gap.text for gap in store.list_gaps())
    for argv in (["briefs"], ["briefs", "1"], ["briefs", "2"], ["gaps"]):
        run = run_main(capsys, monkeypatch, *argv, "--db", str(db))
        assert run.code == 0, run.err
        assert "pwned" in run.out or argv == ["gaps"]
        for control in ("\x1b", "\x07", "\x9b"):
            assert control not in run.out, (argv, run.out)


def live_markup(markdown: str) -> list[str]:
    """Characters that would start HTML, a link, an image or code: those not backslash-escaped
    (CommonMark shows an escaped punctuation character as itself)."""
    found, escaped = [], False
    for char in markdown:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "<[]`&":
            found.append(char)
    return found


def test_the_briefs_quoted_request_is_inert(capsys, monkeypatch, db: Path) -> None:
    payload = ("on veut un blogue <script>alert(1)</script> [clic](javascript:alert(1)) "
               "<img src=x onerror=alert(1)> ![x](javascript:alert(2)) <javascript:alert(3)> `code` &lt;b&gt;")
    intake(capsys, monkeypatch, db, payload)
    run = run_main(capsys, monkeypatch, "briefs", "1", "--db", str(db))
    quote = "\n".join(line.removeprefix("> ") for line in run.out.splitlines() if line.startswith("> "))
    assert re.sub(r"\\(.)", r"\1", quote) == payload  # shown exactly as typed...
    assert live_markup(quote) == []                    # ...with nothing a Markdown viewer would run
    file = (db.parent / "pf.sqlite3-briefs" / "brief-1.md").read_text(encoding="utf-8")
    assert quote in file
