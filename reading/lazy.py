"""A capacity reader loaded when first needed, or in the background while the program starts.

The same idea as `classifier.lazy.LazyClassifier`: `bot.py briefs`, `gaps` and `forget` never
read capacity, so they must not import scikit-learn or load the models; the console loads
them behind its banner, and the very first fit (which embeds the knowledge base's reading
examples once) is announced with how long it usually takes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.models import KnowledgeBase

if TYPE_CHECKING:
    from .reader import CapacityReader, Readings

OnFit = Callable[[int], None]
FIRST_FIT_SECONDS = 240
"""What a first fit took on this project's 2-core machine (2026-11-30): about a minute of
fitting and cross-validation, and up to three to embed the examples with multilingual-e5."""
REFIT_SECONDS = 90
"""A refit after editing the examples: the embeddings of unchanged examples are kept."""


class LazyReader:
    """``read`` like the reader; the models are loaded (or fitted) on first use."""

    def __init__(self, kb: KnowledgeBase, *, cache_dir: str | Path | None = None, on_fit: OnFit | None = None) -> None:
        self.kb = kb
        self.cache_dir = cache_dir
        self.on_fit = on_fit
        self._reader: CapacityReader | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def needs_fit(self) -> bool:
        """True when loading will fit (no cached model for this base): worth telling the user."""
        from .cache import is_cached

        return self._reader is None and not is_cached(self.kb, self.cache_dir)

    def fit_estimate(self) -> int:
        from .cache import has_embeddings_cache

        return REFIT_SECONDS if has_embeddings_cache(self.cache_dir) else FIRST_FIT_SECONDS

    def preload(self) -> None:
        """Start loading in a background thread (no-op once loaded or started). Not a daemon: a
        program that ends first waits for it, because the embedding engine aborts the process
        when it is torn down mid-call (seen: "terminate called without an active exception")."""
        if self._reader is None and self._thread is None:
            self._thread = threading.Thread(target=self._load_quietly, name="reader-load", daemon=False)
            self._thread.start()

    def _load_quietly(self) -> None:
        try:
            self.get()
        except BaseException as exc:  # noqa: BLE001 -- kept and raised again where the reader is used
            self._error = exc

    def get(self) -> CapacityReader:
        """The reader, loading it now if needed (waits for a background load under way)."""
        from . import load_reader

        with self._lock:
            if self._reader is None:
                if self._error is not None:
                    error, self._error = self._error, None
                    raise error
                self._reader = load_reader(self.kb, self.cache_dir, on_fit=self.on_fit)
            return self._reader

    def read(self, text: str, pending: str | None = None, request: bool = False) -> Readings:
        return self.get().read(text, pending, request)
