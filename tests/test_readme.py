"""The README's commands work exactly as written, and it points only inside the project.

Each command of the "Using it" table is run with `--help` (the same program, module and
sub-command, with this test's Python standing for `.venv/bin/python`): a renamed
sub-command or a broken import shows up here, not in a newcomer's terminal.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def table_commands() -> list[list[str]]:
    """(program, sub-command) of every `.venv/bin/python ...` in the "Using it" table."""
    section = README.split("## Using it", 1)[1].split("\n## ", 1)[0]
    found: dict[tuple[str, ...], None] = {}
    for command in re.findall(r"`(\.venv/bin/python [^`]+)`", section):
        words = command.replace("\\|", "|").split()[1:]
        program = words[:2] if words[0] == "-m" else words[:1]
        rest = [w for w in words[len(program):] if re.fullmatch(r"[a-z]+", w)][:1]
        found[tuple(program + rest)] = None
    for sub in ("evaluate", "tune", "bench"):  # written after `predict` in the same cell
        if f"`{sub}" in section:
            found[("-m", "classifier", sub)] = None
    return [list(c) for c in found]


def test_the_table_lists_every_command() -> None:
    commands = {" ".join(c) for c in table_commands()}
    assert {"bot.py", "bot.py advise", "bot.py briefs", "bot.py gaps", "bot.py forget", "bot.py run",
            "bot.py sync", "-m knowledge validate", "-m classifier predict", "-m classifier evaluate",
            "-m classifier bench"} <= commands


@pytest.mark.parametrize("command", table_commands(), ids=" ".join)
def test_each_command_of_the_readme_answers_help(command: list[str]) -> None:
    done = subprocess.run([sys.executable, *command, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:") and "Traceback" not in done.stderr


def test_the_quick_start_keeps_its_two_lines() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"```sh\n(.+?)\n```", quick) == [
        "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/python bot.py --console",
        "python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt && .venv/bin/python -m pytest -q",
    ]


def test_links_point_inside_the_project_and_exist() -> None:
    assert "../shared" not in README
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), target
    assert "--session" in README and "docs/CONTRACTS.md" in README
