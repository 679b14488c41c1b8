"""`bot.py migrate`, `bot.py export`, `bot.py import FILE`: the store's operations.

They open the store named by `--db` / `PLANFIRST_DB` (a SQLite path or a `postgresql://`
URL) and nothing else: no knowledge base beyond the message catalogue, no classifier, so they
run in a blink on a server without the model cache.

- `migrate` upgrades the schema (opening a store does that; this says so, from which version
  to which) and exits: run it once before starting several bot processes on a new version.
- `export` writes every row as JSON lines on standard output (UTF-8 whatever the locale) and
  a one-line summary on standard error.
- `import FILE` (`-`: standard input) loads an export into an empty store, all or nothing.

Faults (a file that is not an export, a truncated one, a store that is not empty, a database
that cannot be opened) are one sentence and exit 2, via `cli_support.explain`.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from typing import IO, BinaryIO

from storage.opening import label, open_store
from storage.transfer import ImportProblem, export_rows, import_rows

Say = Callable[..., str]
"""A catalogue message in the command's language(s): say(key, **values)."""


def migrate(target: str, say: Say, *, busy_timeout: float) -> int:
    with open_store(target, busy_timeout=busy_timeout) as store:
        before, now = store.upgraded_from, store.schema_version
    where = label(target)
    if before == now:
        print(say("migrate_current", store=where, version=now))
    elif before == 0:
        print(say("migrate_created", store=where, version=now))
    else:
        print(say("migrate_done", store=where, old=before, new=now))
    return 0


def export(target: str, say: Say, *, busy_timeout: float) -> int:
    out = _utf8_stdout()
    try:
        with open_store(target, read_only=True, busy_timeout=busy_timeout) as store:
            counts = export_rows(store, out)
    finally:
        out.flush()
        if isinstance(out, io.TextIOWrapper) and out is not sys.stdout:
            out.detach()  # leave sys.stdout's buffer open
    print(say("export_done", rows=sum(counts.values()), tables=_tables(counts)), file=sys.stderr)
    return 0


def import_file(target: str, path: str, say: Say, *, busy_timeout: float) -> int:
    source = "-" if path == "-" else path
    try:
        stream: BinaryIO = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise ImportProblem("import_cannot_read", file=source, reason=exc.strerror or str(exc)) from exc
    try:
        with open_store(target, busy_timeout=busy_timeout) as store:
            counts = import_rows(store, _lines(stream, source), source=source)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    print(say("import_done", rows=sum(counts.values()), tables=_tables(counts), store=label(target)))
    return 0


def _lines(stream: BinaryIO, source: str) -> Iterator[str]:
    """The file's lines as text; a line that is not UTF-8 is named, not replaced."""
    for number, raw in enumerate(stream, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ImportProblem("import_not_utf8", file=source, line=number) from None


def _tables(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items() if count) or "-"


def _utf8_stdout() -> IO[str]:
    encoding = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "")
    if encoding == "utf8" or not hasattr(sys.stdout, "buffer"):
        return sys.stdout
    return io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=True)
