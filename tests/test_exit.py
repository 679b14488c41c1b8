"""Leaving while a model still loads in the background: no abort, nothing half-written.

Tearing the interpreter down under a daemon thread that is inside native code (the embedding
engine, a fit) can abort the process ("terminate called without an active exception", exit
-6, seen in CI when a console quit during the classifier's background fit). `bot.leave`
waits for the loaders that write a cache (non-daemon) and ends the process at once past the
others, with its output flushed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DRIVER = """
import atexit, sys, threading, time
sys.path.insert(0, {root!r})
import bot
atexit.register(lambda: sys.stderr.write("torn down"))  # the teardown that aborts under native code
threading.Thread(target=time.sleep, args=(60,), name="classifier-load", daemon=True).start()
def write_cache():
    time.sleep(0.5)
    open({marker!r}, "w").write("cache")
threading.Thread(target=write_cache, name="reader-load", daemon=False).start()
print("À bientôt!", end="")  # buffered: must still reach the terminal
bot.leave(3)
"""


def test_leaving_during_a_background_load_waits_for_caches_and_not_for_the_rest(tmp_path: Path) -> None:
    marker = tmp_path / "reader.pickle"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", DRIVER.format(root=str(ROOT), marker=str(marker))],
                          capture_output=True, text=True, timeout=50, check=False)
    assert done.returncode == 3, done.stderr
    assert done.stdout == "À bientôt!" and done.stderr == ""  # flushed, and no teardown
    assert marker.read_text() == "cache"  # the non-daemon loader finished its write
    assert time.monotonic() - started < 30  # the daemon one (60 s) was not waited for


def test_leaving_with_nothing_loading_is_an_ordinary_exit() -> None:
    code = (f"import atexit, sys; sys.path.insert(0, {str(ROOT)!r}); import bot; "
            "atexit.register(lambda: sys.stderr.write('torn down')); print('ok'); bot.leave(0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "torn down")
