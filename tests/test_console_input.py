"""A paste at a terminal is one message; piped input stays one line, one message (the contract)."""

from __future__ import annotations

import io
import os
import threading
import time

from adapters.console_input import messages


def test_lines_that_arrive_together_are_one_message() -> None:
    read, write = os.pipe()
    with os.fdopen(read, "r", encoding="utf-8") as stream:
        os.write(write, "Bonjour Marie,\n\nNotre resto aurait besoin d'un blogue.\nMerci,\nJean\n".encode())

        def later() -> None:
            time.sleep(0.3)  # a person typing the next message, well after the paste
            os.write(write, b"1\n")
            os.close(write)

        threading.Thread(target=later).start()
        got = list(messages(stream, interactive=True))
    assert got == ["Bonjour Marie,\nNotre resto aurait besoin d'un blogue.\nMerci,\nJean\n", "1\n"]


def test_piped_input_is_one_line_one_message() -> None:
    got = list(messages(io.StringIO("on veut un blogue\n1\n"), interactive=False))
    assert got == ["on veut un blogue\n", "1\n"]
