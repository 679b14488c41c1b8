"""Fault injection: kill -9 the console at each step of saving a brief, then check the
database and the files, restart, and check again.

    python -m benchmarks.brief_faults [--keep DIR]

For each kill point a forked child runs a real console conversation (`adapters.console.
run_console` on a SQLite file and a briefs folder) up to its last message, arms the kill,
sends the message that produces the brief, and is killed with SIGKILL at that point:

    begin            the turn's transaction has just begun
    conversation     the conversation row is updated (compare-and-set), nothing else yet
    brief_row        the brief row is inserted
    brief_version    the brief's version row is inserted
    commit           just before COMMIT
    committed        just after COMMIT, before any file is written
    file_write       half of the brief's bytes are written to disk
    before_rename    the file is fully written under its temporary name
    after_rename     the file is in place

Then, in this process:
1. before any restart: the database passes `PRAGMA integrity_check`; it holds no brief, or
   exactly one with the conversation at the advice (never a brief without its turn, never a
   turn without its brief); every `brief-N.md` present is complete (equal to the database);
2. restart (the console's start with no input): every brief has its complete file, no
   temporary file is left;
3. if the conversation is not at the advice, the user retypes the message they got no answer
   to: in every case, exactly one brief for the intake, with its file.

Prints one line per kill point; exits 1 if any check failed. tests/test_brief_faults.py
runs every point with a scripted classifier (a fraction of a second each).
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POINTS = ("begin", "conversation", "brief_row", "brief_version", "commit", "committed", "file_write",
          "before_rename", "after_rename")
KEY = "console:faults"


@dataclass
class Outcome:
    point: str
    killed: bool
    briefs_after_kill: int
    problems: list[str]

    def line(self) -> str:
        status = "ok" if not self.problems else "FAILED: " + "; ".join(self.problems)
        how = "killed" if self.killed else "NOT KILLED"
        return f"{self.point:<14} {how:<10} briefs after the kill: {self.briefs_after_kill}   {status}"


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _KillingConnection:
    """A sqlite3 connection that kills the process at one step of the armed turn."""

    def __init__(self, conn: sqlite3.Connection, point: str) -> None:
        self._conn, self._point, self._in_turn = conn, point, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def execute(self, sql: str, params: Any = ()) -> Any:
        head = " ".join(sql.split()[:3]).upper()
        if head.startswith("COMMIT") and self._in_turn and self._point == "commit":
            _kill()
        result = self._conn.execute(sql, params)
        if head.startswith("BEGIN"):
            self._in_turn = True
            if self._point == "begin":
                _kill()
        elif self._in_turn and (
            (self._point == "conversation" and head.startswith("UPDATE CONVERSATIONS"))
            or (self._point == "brief_row" and head.startswith("INSERT INTO BRIEFS"))
            or (self._point == "brief_version" and head.startswith("INSERT INTO BRIEF_VERSIONS"))
            or (self._point == "committed" and head.startswith("COMMIT"))):
            _kill()
        return result


def _arm(point: str, store: Any, folder: Path) -> None:
    """Install the kill for `point` (in the child only)."""
    if point in ("begin", "conversation", "brief_row", "brief_version", "commit", "committed"):
        store._conn = _KillingConnection(store._conn, point)
        return
    real_write, real_replace = os.write, os.replace
    inside = str(folder.resolve())

    def write(fd: int, data: Any) -> int:
        target = os.readlink(f"/proc/self/fd/{fd}")
        if point == "file_write" and target.startswith(inside) and Path(target).name.startswith((".brief-", "brief-")):
            real_write(fd, bytes(data)[: max(1, len(data) // 2)])
            os.fsync(fd)
            _kill()
        return real_write(fd, data)

    def replace(src: Any, dst: Any) -> None:
        brief = Path(dst).name.startswith("brief-")
        if point == "before_rename" and brief:
            _kill()
        real_replace(src, dst)
        if point == "after_rename" and brief:
            _kill()

    os.write, os.replace = write, replace  # type: ignore[assignment]


def _service(kb: Any, classifier: Any, db: Path) -> Any:
    from advisor.service import AdvisorService
    from reading import load_reader
    from storage import SqliteStore

    return AdvisorService(kb, classifier, SqliteStore(str(db)), reader=load_reader(kb))


def _console(service: Any, lines: Any, folder: Path) -> str:
    from adapters.console import run_console

    out = io.StringIO()
    run_console(service, lines, out, key=KEY, user_id="u", briefs_dir=folder, db_label="faults", lang="fr")
    return out.getvalue()


def messages_to_brief(kb: Any, classifier: Any, request: str) -> list[str]:
    """The messages of one intake, the last one producing the brief (found by a dry run)."""
    from advisor.service import AdvisorService
    from reading import load_reader
    from storage import SqliteStore

    service = AdvisorService(kb, classifier, SqliteStore(":memory:"), reader=load_reader(kb))
    sent = [request]
    replies = service.handle(KEY, request, user_id="u")
    for answer in ["1"] + ["je ne sais pas"] * 10:
        if any(r.kind == "brief" for r in replies):
            return sent
        sent.append(answer)
        replies = service.handle(KEY, answer, user_id="u")
    raise RuntimeError("the dry run never reached the brief")


def run_point(point: str, kb: Any, classifier: Any, messages: list[str], workdir: Path) -> Outcome:
    db, folder = workdir / f"{point}.sqlite3", workdir / f"{point}-briefs"

    def lines() -> Iterator[str]:
        yield from messages[:-1]
        _arm(point, service.store, folder)
        yield messages[-1]

    sys.stdout.flush()
    child = os.fork()
    if child == 0:  # the child: run the console, be killed (or exit 0 if the point is never reached)
        code = 0
        try:
            service = _service(kb, classifier, db)
            _console(service, lines(), folder)
        except BaseException:  # noqa: BLE001 - report by exit code, never return into the parent's code
            code = 3
        os._exit(code)
    _, status = os.waitpid(child, 0)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    problems = [] if killed else [f"the child was not killed (status {status})"]
    problems += _check_after_kill(db, folder, len(messages))
    briefs = _brief_count(db)
    service = _service(kb, classifier, db)
    _console(service, [], folder)  # restart
    problems += [f"after restart: {p}" for p in _check_files(service.store, folder, temp_allowed=False)]
    state = service.current(KEY)
    if state is None or state.stage != "done":
        _console(service, [messages[-1]], folder)  # the user retypes the message they got no answer to
    final = service.store.list_briefs(limit=100)
    if len(final) != 1:
        problems.append(f"after recovery: {len(final)} briefs for one intake")
    problems += [f"after recovery: {p}" for p in _check_files(service.store, folder, temp_allowed=False)]
    service.store.close()
    return Outcome(point, killed, briefs, problems)


def _brief_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM briefs").fetchone()[0])
    finally:
        conn.close()


def _check_after_kill(db: Path, folder: Path, turns: int) -> list[str]:
    import json

    from storage import SqliteStore

    problems = []
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            problems.append(f"integrity_check: {check}")
        briefs = int(conn.execute("SELECT count(*) FROM briefs").fetchone()[0])
        versions = int(conn.execute("SELECT count(*) FROM brief_versions").fetchone()[0])
        row = conn.execute("SELECT state FROM conversations WHERE key = ?", (KEY,)).fetchone()
    finally:
        conn.close()
    state = json.loads(row[0]) if row else {}
    if briefs > 1 or versions != briefs:
        problems.append(f"{briefs} brief rows and {versions} versions for one intake")
    at_advice = state.get("stage") == "done" and state.get("turn") == turns
    if briefs == 1 and not at_advice:
        problems.append("a brief is saved but its turn is not")
    if briefs == 0 and state.get("turn") != turns - 1:
        problems.append(f"no brief, yet the conversation is at turn {state.get('turn')} (expected {turns - 1})")
    with SqliteStore(str(db)) as store:
        problems += _check_files(store, folder, temp_allowed=True, missing_allowed=True)
    return problems


def _check_files(store: Any, folder: Path, *, temp_allowed: bool, missing_allowed: bool = False) -> list[str]:
    from storage.brief_files import NAME, TEMP, BriefFiles

    problems = []
    files = BriefFiles(folder, store)
    names = os.listdir(folder) if folder.is_dir() else []
    for name in names:
        if TEMP.match(name) and not temp_allowed:
            problems.append(f"temporary file left: {name}")
        match = NAME.match(name)
        if match:
            record = store.get_brief(int(match.group(1)), int(match.group(2)) if match.group(2) else None)
            if record is None:
                problems.append(f"{name} has no brief in the database")
            elif (folder / name).read_bytes() != record.markdown.encode("utf-8"):
                problems.append(f"{name} is not the brief's text ({(folder / name).stat().st_size} bytes)")
    for brief in store.list_briefs(limit=100):
        if files.path(brief.id).name not in names and not missing_allowed:
            problems.append(f"brief {brief.id} has no file")
    return problems


def run_all(kb: Any, classifier: Any, workdir: Path, points: tuple[str, ...] = POINTS,
            request: str = "on veut un blogue") -> list[Outcome]:
    messages = messages_to_brief(kb, classifier, request)
    return [run_point(point, kb, classifier, messages, workdir) for point in points]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="work in this folder and keep the databases and files")
    args = parser.parse_args()
    from classifier import load_classifier
    from knowledge import load_knowledge_base

    kb = load_knowledge_base()
    classifier = load_classifier(kb)
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="brief-faults-"))
    workdir.mkdir(parents=True, exist_ok=True)
    outcomes = run_all(kb, classifier, workdir)
    for outcome in outcomes:
        print(outcome.line())
    failed = [o for o in outcomes if o.problems or not o.killed]
    print(f"{len(outcomes) - len(failed)} of {len(outcomes)} kill points recovered cleanly; files in {workdir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
