"""Start-up: fit the classifier once per knowledge base, then load it from disk.

Fitting takes about a second; loading a pickle a tenth of that. The file is keyed by the
knowledge base's ``content_hash``, the classifier's parameters and the versions of this
code and of scikit-learn, so any change refits. A missing, unreadable, corrupt or
foreign file is refitted silently (and rewritten); a cache folder that cannot be written
only costs the fitting time.

Folder: ``$PLAN_FIRST_CACHE`` if set, else ``$XDG_CACHE_HOME/plan-first`` (by default
``~/.cache/plan-first``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import sklearn

from knowledge.models import KnowledgeBase

from .model import TopicClassifier
from .training import fit_kb

log = logging.getLogger(__name__)

CACHE_VERSION = "1"
"""Bump when the model's code changes in a way its parameters do not show."""


def default_cache_dir() -> Path:
    if env := os.environ.get("PLAN_FIRST_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "plan-first"


def cache_key(kb: KnowledgeBase, params: dict[str, Any]) -> str:
    ident = repr((CACHE_VERSION, sklearn.__version__, kb.content_hash, sorted(params.items())))
    return hashlib.sha256(ident.encode()).hexdigest()[:24]


def load_classifier(
    kb: KnowledgeBase, *, cache_dir: str | Path | None = None, use_cache: bool = True,
    **params: Any,
) -> TopicClassifier:
    """A fitted classifier for `kb`, from the cache when it holds one for this base."""
    if not use_cache or not kb.content_hash:
        return fit_kb(kb, **params)
    key = cache_key(kb, params)
    path = Path(cache_dir or default_cache_dir()) / f"classifier-{key}.pickle"
    model = _read(path, key)
    if model is None:
        model = fit_kb(kb, **params)
        _write(path, key, model)
    return model


def _read(path: Path, key: str) -> TopicClassifier | None:
    try:
        with path.open("rb") as f:
            payload = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 -- corrupt, truncated, another version: refit
        log.info("classifier cache %s unusable (%s): refitting", path, exc)
        return None
    if (
        isinstance(payload, dict)
        and payload.get("key") == key
        and isinstance(payload.get("model"), TopicClassifier)
    ):
        return payload["model"]
    log.info("classifier cache %s is not for this knowledge base: refitting", path)
    return None


def _write(path: Path, key: str, model: TopicClassifier) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".classifier-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump({"key": key, "model": model}, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        log.info("classifier cache %s not written (%s)", path, exc)
