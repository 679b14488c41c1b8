"""Start-up: fit the classifier once per knowledge base, then load it from disk.

Fitting takes one to two seconds; loading the pickle about a tenth of that. The file is
keyed by the knowledge base's ``content_hash``, the classifier's parameters, the code that
fits it (a hash of its modules and of ``normalise``) and scikit-learn's version, so any
change refits. A missing, unreadable, corrupt or foreign file is refitted silently (and
rewritten); a cache folder that cannot be written only costs the fitting time. Only the
``KEEP`` most recent files are kept.

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

from knowledge import text
from knowledge.models import KnowledgeBase

from .model import TopicClassifier
from .training import fit_kb

log = logging.getLogger(__name__)

KEEP = 4
"""Cached classifiers kept per folder (several knowledge bases may share one)."""
_FITTED_BY = ("model.py", "fuzzy.py", "training.py")
"""The modules whose code shapes a fitted classifier: any edit to them refits."""


def _code_version() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in [*(here / name for name in _FITTED_BY), Path(text.__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_cache_dir() -> Path:
    if env := os.environ.get("PLAN_FIRST_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "plan-first"


def cache_key(kb: KnowledgeBase, params: dict[str, Any]) -> str:
    ident = repr((_code_version(), sklearn.__version__, kb.content_hash, sorted(params.items())))
    return hashlib.sha256(ident.encode()).hexdigest()[:24]


def load_classifier(
    kb: KnowledgeBase, *, cache_dir: str | Path | None = None, use_cache: bool = True,
    **params: Any,
) -> TopicClassifier:
    """A fitted classifier for `kb`, from the cache when it holds one for this base."""
    if not use_cache or not kb.content_hash:
        return fit_kb(kb, **params)
    key = cache_key(kb, params)
    path = cache_path(key, cache_dir)
    model = read_cache(path, key)
    if model is None:
        model = fit_kb(kb, **params)
        write_cache(path, key, model)
    return model


def cache_path(key: str, cache_dir: str | Path | None = None) -> Path:
    return Path(cache_dir or default_cache_dir()) / f"classifier-{key}.pickle"


def read_cache(path: Path, key: str) -> TopicClassifier | None:
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


def write_cache(path: Path, key: str, model: TopicClassifier) -> None:
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
        old = sorted(path.parent.glob("classifier-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-KEEP]:
            stale.unlink(missing_ok=True)
    except OSError as exc:
        log.info("classifier cache %s not written (%s)", path, exc)
