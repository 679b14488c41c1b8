"""Where the fitted models are cached, and how a cache file is written.

The classifier's cache, the reader's and the sentence embeddings' share one folder and one way
to write: a temporary file in the same folder, renamed over the old one, so a process reading
the cache never sees half a pickle and a failed write leaves nothing behind.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any


def cache_folder(*variables: str) -> Path:
    """The first of these environment variables that is set, else `$XDG_CACHE_HOME/plan-first`
    (by default `~/.cache/plan-first`)."""
    for name in variables:
        if value := os.environ.get(name):
            return Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "plan-first"


def write_pickle(path: Path, payload: Any, keep: int | None = None) -> None:
    """Write `payload` to `path` atomically; with `keep`, then delete all but the `keep` most
    recent files of the same kind (same name before the first "-", same suffix) in that folder.
    Raises OSError when the folder cannot be written (the caller decides what that costs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = path.name.split("-", 1)[0]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{kind}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    if keep is not None:
        old = sorted(path.parent.glob(f"{kind}-*{path.suffix}"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-keep]:
            stale.unlink(missing_ok=True)
