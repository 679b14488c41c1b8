"""A classifier loaded when first needed, or in the background while the program starts.

Commands that only read the database (`bot.py briefs`, `gaps`, `forget`) never classify,
so they must not pay for loading (or, the first time, fitting) the model. The console
shows its banner at once and loads the model behind it; the first request waits for it
only if it is not ready yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.models import KnowledgeBase

from .result import Classification

if TYPE_CHECKING:  # numpy and the model are imported on first use, not with the runtime
    from .cache import Classifier

OnFit = Callable[[int], None]


class LazyClassifier:
    """``classify`` like the served model; the model itself is loaded on first use."""

    def __init__(self, kb: KnowledgeBase, *, cache_dir: str | Path | None = None, on_fit: OnFit | None = None,
                 **params: Any) -> None:
        self.kb = kb
        self.cache_dir = cache_dir
        self.on_fit = on_fit
        self.params = params
        self._model: Classifier | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def needs_fit(self) -> bool:
        """True when loading will fit (no cached model for this base): worth telling the user."""
        from .cache import is_cached

        return self._model is None and not is_cached(self.kb, cache_dir=self.cache_dir, **self.params)

    def fit_estimate(self) -> int:
        """Seconds a fit usually takes here (with the embedding model, if one is in use)."""
        from .cache import _embedding_model, default_cache_dir, expected_fit_seconds
        from .embeddings import model_id

        name = _embedding_model(self.params.get("embeddings", True))
        folder = Path(self.cache_dir) if self.cache_dir else default_cache_dir()
        return expected_fit_seconds(self.kb, folder, name if name and model_id(name) else None)

    def preload(self) -> None:
        """Start loading in a background thread (no-op once loaded or started)."""
        if self._model is None and self._thread is None:
            self._thread = threading.Thread(target=self._load_quietly, name="classifier-load", daemon=True)
            self._thread.start()

    def _load_quietly(self) -> None:
        try:
            model = self.get()
            embedder = getattr(model, "embedder", None)
            if callable(embedder):
                embedder()  # the embedding model too, so the first unsure request does not wait for it
        except BaseException as exc:  # noqa: BLE001 -- kept and raised again where the model is used
            self._error = exc

    def get(self) -> Classifier:
        """The model, loading it now if needed (waits for a background load under way)."""
        from .cache import load_classifier

        with self._lock:
            if self._model is None:
                if self._error is not None:
                    error, self._error = self._error, None
                    raise error
                self._model = load_classifier(self.kb, cache_dir=self.cache_dir, on_fit=self.on_fit, **self.params)
            return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def classify(self, text: str) -> Classification:
        return self.get().classify(text)

    def classify_many(self, texts: list[str]) -> list[Classification]:
        return self.get().classify_many(texts)
