"""Fit the reader's models once per knowledge base, then load them from disk.

Fitting (with the cross-validation that chooses the thresholds) takes seconds; loading the
pickle a fraction of that. The file is keyed by the knowledge base's content hash, the code
of this package and of `normalise`, and scikit-learn's version, so any change refits. A
missing, corrupt or foreign file is refitted; an unwritable folder only costs the fitting.
Same folder as the classifier's cache (`$PLAN_FIRST_CACHE`, else ~/.cache/plan-first).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable
from pathlib import Path

import sklearn

from knowledge import text
from knowledge.cache_files import cache_folder, write_pickle
from knowledge.models import KnowledgeBase

from .embed import Embedder
from .model import ReaderModel, fit

log = logging.getLogger(__name__)
KEEP = 4


def default_cache_dir() -> Path:
    """PLAN_FIRST_READER_CACHE, else PLAN_FIRST_CACHE, else ~/.cache/plan-first (the classifier's)."""
    return cache_folder("PLAN_FIRST_READER_CACHE", "PLAN_FIRST_CACHE")


def _code_version() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")) + [Path(text.__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def data_hash(kb: KnowledgeBase) -> str:
    """A hash of what the models are fitted on: the reading examples, the capacity fields'
    choices and ranges, the number words and the out-of-scope requests. Editing a message or an
    advice rule does not refit the reader."""
    fields = [(f.id, [(c.id, c.hours, c.amount, c.count, c.build) for c in f.choices]) for f in kb.fields()]
    reading = {f: [(e.text, e.lang, e.label, sorted(e.also.items()), e.field) for e in items]
               for f, items in sorted(kb.reading.items())}
    number_words = {lang: sorted(words.items()) for lang, words in sorted(kb.number_words.items())}
    oos = {lang: list(items) for lang, items in sorted(kb.out_of_scope.items())}
    return hashlib.sha256(repr((fields, reading, number_words, oos)).encode()).hexdigest()


def _key(kb: KnowledgeBase, embedder_name: str) -> str:
    ident = (_code_version(), sklearn.__version__, data_hash(kb), embedder_name)
    return hashlib.sha256(repr(ident).encode()).hexdigest()[:24]


def _path(key: str, cache_dir: str | Path | None) -> Path:
    return Path(cache_dir or default_cache_dir()) / f"reader-{key}.pickle"


def is_cached(kb: KnowledgeBase, cache_dir: str | Path | None = None) -> bool:
    """Whether a fitted reader for `kb` (with the embeddings this machine has) is on disk."""
    from .embed import embedder_name

    return not kb.reading or _path(_key(kb, embedder_name()), cache_dir).is_file()


def has_embeddings_cache(cache_dir: str | Path | None = None) -> bool:
    return any(Path(cache_dir or default_cache_dir()).glob("embeddings-*.pickle"))


def load_model(kb: KnowledgeBase, embedder: Embedder | None, cache_dir: str | Path | None = None,
               on_fit: Callable[[int], None] | None = None) -> ReaderModel | None:
    """The fitted models of `kb`'s reading examples (None when it has none)."""
    if not kb.reading:
        return None
    key = _key(kb, embedder.name if embedder else "no-embeddings")
    path = _path(key, cache_dir)
    try:
        with path.open("rb") as f:
            payload = pickle.load(f)
        if isinstance(payload, dict) and payload.get("key") == key and isinstance(payload.get("model"), ReaderModel):
            return payload["model"]
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 -- corrupt, truncated, another version: refit
        log.info("reader cache %s unusable (%s): refitting", path, exc)
    if on_fit is not None:
        from .lazy import FIRST_FIT_SECONDS, REFIT_SECONDS

        on_fit(REFIT_SECONDS if has_embeddings_cache(cache_dir) else FIRST_FIT_SECONDS)
    else:
        log.info("fitting the reader's models for this knowledge base (once per base)")
    model = fit(kb, embedder)
    _write(path, key, model)
    return model


def _write(path: Path, key: str, model: ReaderModel) -> None:
    try:
        write_pickle(path, {"key": key, "model": model}, keep=KEEP)
    except OSError as exc:
        log.info("reader cache %s not written (%s)", path, exc)
