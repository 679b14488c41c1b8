"""Reading knowledge files that may be hostile: a base can arrive by `/kb reload`.

Only regular files inside the knowledge base folder (links followed, then checked), under
`MAX_FILE_BYTES`, are read; anything else is a problem reported with its path, never a hang
or a traceback:
- a FIFO named `x.yaml` would block every command forever; `/dev/zero` or `/dev/urandom`
  behind a link would be read until memory runs out: only regular files are opened (with
  O_NONBLOCK, checked with fstat on the opened file, so a swap after the check changes nothing);
- a link leaving the folder (to `/etc/shadow`...) is not read at all, so no error message
  can quote a line of it;
- link loops, dangling links, folders named `x.yaml`, names too long: said, per file.

`nesting_line` rejects deep nesting before YAML sees it: libyaml recurses once per level
(30,000 levels crash the process) and its scanner is quadratic in the flow depth (20,000
levels took 17-28 s). The estimate is cheap and only ever too high for real files.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 1_000_000
"""The largest knowledge file read (the biggest shipped one is under 40 kB)."""
MAX_DEPTH = 100
"""Nesting levels (indentation, dashes and brackets together) allowed in one file."""
_FLOW_OPEN, _FLOW_CLOSE = frozenset("[{"), frozenset("]}")
_FLOW_CHARS = _FLOW_OPEN | _FLOW_CLOSE


class Unreadable(Exception):
    """Why a knowledge file was not read (the message is for the file's problem)."""


def read_file(path: Path, root: Path) -> bytes:
    """The bytes of `path` if it is a regular file inside `root` (resolved) under the size limit."""
    try:
        resolved = path.resolve(strict=True)
        inside = resolved.is_relative_to(root.resolve(strict=True))
    except RuntimeError:  # Python < 3.13 reports a link loop this way
        raise Unreadable("a symbolic link loop: not read") from None
    except OSError as exc:
        raise Unreadable(_why(exc, path)) from None
    if not inside:
        raise Unreadable("a link to a file outside the knowledge base folder: not read")
    try:
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Unreadable(_why(exc, path)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("not a regular file (a pipe, a device or a socket): not read")
        if info.st_size > MAX_FILE_BYTES:
            raise Unreadable(f"file too large ({info.st_size:,} bytes; at most {MAX_FILE_BYTES:,}): not read")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise Unreadable(f"file too large (more than {MAX_FILE_BYTES:,} bytes): not read")
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(_why(exc, path)) from None
    finally:
        os.close(fd)


def _why(exc: OSError, path: Path) -> str:
    if path.is_symlink() and not os.path.exists(path):
        return "a broken symbolic link (its target does not exist)"
    return f"cannot read: {exc.strerror or type(exc).__name__}"


def nesting_line(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The first line where nesting may pass `limit` levels, or None.

    Per line: enclosing indentation levels + leading `- `/`? ` markers + open flow brackets
    (counted everywhere, comments and quotes included, so the estimate only errs high).
    """
    flow = 0
    indents: list[int] = []
    for number, line in enumerate(text.split("\n"), start=1):
        body = line.lstrip(" ")
        if body.strip() and not body.startswith("#"):
            indent = len(line) - len(body)
            while indents and indents[-1] >= indent:
                indents.pop()
            indents.append(indent)
            markers, rest = 0, body
            while rest[:2] in ("- ", "? ") or rest in ("-", "?"):
                markers += 1
                rest = rest[2:].lstrip(" ")
            if len(indents) + markers + flow > limit:
                return number
        if not _FLOW_CHARS.intersection(line):
            continue
        for char in line:
            if char in _FLOW_OPEN:
                flow += 1
                if len(indents) + flow > limit:
                    return number
            elif char in _FLOW_CLOSE and flow:
                flow -= 1
    return None
