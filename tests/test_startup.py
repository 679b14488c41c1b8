"""Start-up as a newcomer meets it: what loads when, what the first fit says, the hints."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from conftest import make_kb

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None,
        python: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *python, "bot.py", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120, check=False)


def imported(stderr: str) -> set[str]:
    """Top-level packages a `-X importtime` run imported."""
    return {line.split("|")[-1].strip().split(".")[0] for line in stderr.splitlines()
            if line.startswith("import time:")}


def test_commands_that_do_not_classify_load_neither_the_model_nor_numpy(tmp_path: Path, shipped_cache: Path) -> None:
    db = str(tmp_path / "pf.sqlite3")
    env = {"PLAN_FIRST_CACHE": str(shipped_cache)}
    assert run("advise", "on veut un blogue", "--db", db, env=env).returncode == 0
    run("--console", "--db", db, stdin="mon imprimante est brisée depuis hier\n", env=env)  # one gap
    for command in (["briefs"], ["gaps"], ["forget", "--older-than", "30d"]):
        done = run(*command, "--db", db, env=env, python=("-X", "importtime"))
        assert done.returncode == 0, done.stderr
        heavy = imported(done.stderr) & {"sklearn", "scipy", "numpy", "rapidfuzz", "discord"}
        assert not heavy, (command, heavy)


def test_the_first_fit_is_announced_after_the_banner_and_only_once(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    env = {"PLAN_FIRST_CACHE": str(tmp_path / "empty-cache")}
    args = ("--console", "--kb", str(kb), "--db", str(tmp_path / "pf.sqlite3"), "--lang", "en")
    first = run(*args, stdin="request in english about blog numéro 99\n", env=env)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    banner, notice = out.index("Plan First — console"), out.index("training the classifier (usually about ")
    assert banner < notice < out.index("Name blog")  # banner first, then the notice, then the answer
    second = run(*args, stdin="request in english about blog numéro 98\n", env=env)
    assert "training the classifier" not in second.stdout and "Name blog" in second.stdout


def test_the_console_hint_shows_a_brief_again_with_the_same_database(tmp_path: Path, shipped_cache: Path) -> None:
    db = str(tmp_path / "my base.sqlite3")  # a space: the hint must quote it
    answers = ["on veut un blogue", "1"] + ["je ne sais pas"] * 8
    done = run("--console", "--db", db, "--briefs", str(tmp_path / "briefs"), stdin="\n".join(answers) + "\n",
               env={"PLAN_FIRST_CACHE": str(shipped_cache)})
    assert done.returncode == 0, done.stderr
    hint = next(line for line in done.stdout.splitlines() if "briefs" in line and "--db" in line)
    command = hint.split("« ", 1)[1].split(" »", 1)[0]
    words = shlex.split(command)
    assert words[words.index("--db") + 1] == db
    shown = subprocess.run(words, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert shown.returncode == 0, shown.stderr
    assert "on veut un blogue" in shown.stdout
