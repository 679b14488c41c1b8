"""Message placeholders are checked against what the code passes: a `{dbx}` typo or a
`{path.parent}` in a knowledge base is a validation problem, not a console crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import message_values
from knowledge.__main__ import main as knowledge_main
from knowledge.placeholders import scan
from knowledge.loader import DEFAULT_PATH
from tests.cli_helpers import no_traceback, run_main


def test_the_table_of_supplied_values_matches_the_code() -> None:
    exact, prefixes = scan()
    assert (exact, prefixes) == (message_values.SUPPLIED, message_values.PREFIXES), \
        "knowledge/message_values.py is out of date: run `python -m knowledge.placeholders`"


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(DEFAULT_PATH, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_placeholder_the_code_does_not_supply_is_refused(capsys, monkeypatch, kb_copy: Path, tmp_path: Path):
    messages = kb_copy / "messages.yaml"
    edit(messages, "Conversations et briefs enregistrés dans {db}.", "Conversations et briefs enregistrés dans {dbx}.")
    edit(messages, "Conversations and briefs saved in {db}.", "Conversations and briefs saved in {dbx}.")
    assert knowledge_main(["validate", str(kb_copy)]) == 2
    err = capsys.readouterr().err
    assert "messages.yaml:" in err and "messages.console_intro: placeholder(s) {dbx} not supplied by the code" in err
    assert "(it supplies: db, folder)" in err
    run = run_main(capsys, monkeypatch, "--console", "--kb", str(kb_copy), "--db", str(tmp_path / "pf.sqlite3"),
                   stdin="on veut un blogue\n")
    assert run.code == 2 and no_traceback(run) and "console_intro" in run.err


def test_placeholders_must_be_plain_names(capsys, kb_copy: Path) -> None:
    for lang_text in ("Brief enregistré (n° {brief_id}) : {path}", "Brief saved (no. {brief_id}): {path}"):
        edit(kb_copy / "messages.yaml", lang_text, lang_text.replace("{path}", "{path.parent}"))
    assert knowledge_main(["validate", str(kb_copy)]) == 2
    assert "messages.brief_saved.fr: placeholder {path.parent} is not a plain {name}" in capsys.readouterr().err
