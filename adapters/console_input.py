"""Reading the terminal: a paste is one message.

Someone pastes a client's email into the console: it arrives as several lines at once, and
read line by line each line became a message (the greeting was taken for a request, the
request lost). At a terminal, lines that arrive together (within PASTE_WINDOW of each other)
are one message. Piped input keeps the contract: one line, one message.
"""

from __future__ import annotations

import os
import select
from collections.abc import Iterator
from typing import TextIO

PASTE_WINDOW = 0.05
"""Seconds: a person types a line in far more; a paste delivers the next line at once."""


def messages(stream: TextIO, interactive: bool) -> Iterator[str]:
    """The messages typed on `stream`: a line each, or, at a terminal, a whole paste each."""
    if not interactive:
        yield from stream
        return
    fd = stream.fileno()
    while True:
        pending = os.read(fd, 65536)
        if not pending:
            return
        # read on while the line is unfinished, or while more arrives at once (a paste)
        while not pending.endswith(b"\n") or _more_coming(fd):
            more = os.read(fd, 65536)
            if not more:
                break
            pending += more
        lines = [line for line in pending.decode("utf-8", "replace").splitlines() if line.strip()]
        yield "\n".join(lines) + "\n"


def _more_coming(fd: int) -> bool:
    ready, _, _ = select.select([fd], [], [], PASTE_WINDOW)
    return bool(ready)
