"""Driving `bot.py` as a user would, in-process (fast) or as a real process (when the fault
needs one: a file-size limit, a read-only file for a root user, bytes that are not UTF-8).

`bot.main(argv)` in-process is the real command: the same parsing, runtime and output;
only the process boundary is missing, so tests use a subprocess where that boundary matters.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


@dataclass
class Run:
    code: int
    out: str
    err: str
    raw_out: bytes = b""
    """Standard output as bytes (subprocesses only): to check it is valid UTF-8."""

    @property
    def said(self) -> str:
        return self.out + self.err


def run_main(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "",
             env: dict[str, str] | None = None) -> Run:
    """`python bot.py ARGV` in this process, with piped `stdin` and extra environment.

    The knowledge base is loaded once per folder for the whole session (it is the same
    immutable value every time; loading and validating it has tests of its own)."""
    import bot
    import runtime

    monkeypatch.setattr(runtime, "load_knowledge_base", _cached_kb)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8"))
    capsys.readouterr()
    code = bot.main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


_KBS: dict[str | None, object] = {}


def _cached_kb(path: str | Path | None = None) -> object:
    from knowledge import load_knowledge_base

    key = None if path is None else str(path)
    if key not in _KBS:
        _KBS[key] = load_knowledge_base(path)  # only a base that loads is kept
    return _KBS[key]


def without_root_powers() -> None:
    """In a child process: a root user stops bypassing file permissions (as in a container
    running as root, the permission faults a normal user meets become testable)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_bot(args: Sequence[str | bytes], *, tmp: Path, cache: str, stdin: str = "", env: dict[str, str] | None = None,
            preexec: Callable[[], None] | None = None) -> Run:
    """`python bot.py ARGS` as a real process (arguments may be bytes: not UTF-8)."""
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "XDG_CACHE_HOME": cache,
            "PLANFIRST_DB": str(tmp / "cli.sqlite3"), "PLAN_FIRST_READER_CACHE": os.environ["PLAN_FIRST_READER_CACHE"],
            "PLAN_FIRST_EMBEDDINGS": os.environ.get("PLAN_FIRST_EMBEDDINGS", "off")}
    done = subprocess.run([sys.executable, "bot.py", *args], input=stdin.encode("utf-8"), capture_output=True,
                          cwd=ROOT, env={**base, **(env or {})}, timeout=120, check=False, preexec_fn=preexec)
    return Run(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"),
               done.stdout)


_DRIVER = r"""
import contextlib, io, json, sys, traceback
import bot
results = []
for argv, stdin in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = bot.main(argv)
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            code = -1
            err.write(traceback.format_exc())
    results.append({"code": code, "out": out.getvalue(), "err": err.getvalue()})
sys.__stdout__.write(json.dumps(results))
"""


def run_bots(runs: Sequence[tuple[Sequence[str], str]], *, tmp: Path, cache: str, env: dict[str, str] | None = None,
             preexec: Callable[[], None] | None = None) -> list[Run]:
    """Several `bot.py` commands (argv, stdin) run one after the other by `bot.main` in ONE real
    process (for faults that need a process of their own, at the cost of one start-up)."""
    import json

    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "XDG_CACHE_HOME": cache,
            "PLANFIRST_DB": str(tmp / "cli.sqlite3"), "PLAN_FIRST_READER_CACHE": os.environ["PLAN_FIRST_READER_CACHE"],
            "PLAN_FIRST_EMBEDDINGS": os.environ.get("PLAN_FIRST_EMBEDDINGS", "off")}
    done = subprocess.run([sys.executable, "-c", _DRIVER, json.dumps([[list(a), i] for a, i in runs])],
                          capture_output=True, cwd=ROOT, env={**base, **(env or {})}, timeout=120, check=False,
                          preexec_fn=preexec)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return [Run(r["code"], r["out"], r["err"]) for r in json.loads(done.stdout)]


def dump(db: Path) -> list[str]:
    """Every committed row of a database, to show that a failed command wrote nothing."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def no_traceback(run: Run) -> bool:
    return "Traceback" not in run.said
