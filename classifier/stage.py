"""The second stage: n-grams and a sentence embedding together, for the requests the
n-gram model is unsure of.

The n-gram model (``ServedClassifier``) answers every request in well under a
millisecond. Requests that state a goal without naming a tool ("we keep losing customers
after the first order") share few words with the examples; an embedding places them by
meaning. The stage is a second one-vs-rest logistic regression over the same TF-IDF
features plus the request's embedding scaled by ``weight`` (fitted on the same examples),
with its own decision thresholds. ``CascadeClassifier`` sends a request to it only when the
n-gram decision is close to flipping (``DecisionRules.uncertainty`` under ``margin``):
confident requests never pay for the embedding. The weight, the stage's thresholds and the
margin come from cross-validation on the knowledge base (``python -m classifier tune``).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.text import normalise

from .decision import DecisionRules, recognisable
from .embeddings import Embedder
from .language import detect_language
from .result import Classification
from .serving import THRESHOLDS, ServedClassifier

if TYPE_CHECKING:
    import scipy.sparse as sp

MAX_ITER = 1000
"""liblinear's iterations: the dense embedding columns need more than its default 100 to
converge (scikit-learn warned on about one fit in ten)."""
PATHS = ("empty", "ngrams", "embeddings", "ngrams_only")
"""How a request was answered: nothing to read; the n-gram model was sure; the stage;
the stage was needed but no embedding model is available."""


@dataclass
class StageWeights:
    """The stage's regression: ``expit(tfidf . coef_ngram + embedding . coef_embedding + intercept)``."""

    coef_ngram: np.ndarray
    coef_embedding: np.ndarray
    """Already multiplied by the embedding's weight."""
    intercept: np.ndarray
    weight: float
    model: Any = field(default=None, repr=False, compare=False)
    """The scikit-learn model itself, kept only when asked (``keep_model``: tests)."""


def fit_stage(features: sp.spmatrix, embeddings: np.ndarray, y: np.ndarray, *, weight: float, C: float,
              class_weight: str | None, keep_model: bool = False) -> StageWeights:
    """One-vs-rest logistic regressions over ``[features | weight * embeddings]`` (scikit-learn)."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    X = sp.hstack([features, sp.csr_matrix(weight * np.asarray(embeddings, dtype=np.float64))], format="csr")
    model = OneVsRestClassifier(LogisticRegression(C=C, class_weight=class_weight, solver="liblinear", dual=True,
                                                   max_iter=MAX_ITER, random_state=0))
    model.fit(X, y)
    coef = np.vstack([e.coef_ for e in model.estimators_]).T
    n = features.shape[1]
    return StageWeights(np.ascontiguousarray(coef[:n]), np.ascontiguousarray(coef[n:] * weight),
                        np.concatenate([e.intercept_ for e in model.estimators_]), weight,
                        model if keep_model else None)


def stage_probs(weights: StageWeights, features: sp.spmatrix, embeddings: np.ndarray) -> np.ndarray:
    """The stage's probabilities for many rows (tuning and tests)."""
    logits = np.asarray(features @ weights.coef_ngram) + embeddings @ weights.coef_embedding + weights.intercept
    return 1.0 / (1.0 + np.exp(-logits))


class StageRules(DecisionRules):
    """The decision rules with the stage's own thresholds, over the same topics."""

    def __init__(self, base: DecisionRules, thresholds: dict[str, Any]) -> None:
        self.topics_, self.classes_, self.levels_ = base.topics_, base.classes_, base.levels_
        for name in THRESHOLDS:
            setattr(self, name, thresholds[name] if name in thresholds else getattr(base, name))

    @property
    def thresholds(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in THRESHOLDS}


STAGE_DEFAULTS: dict[str, dict[str, Any]] = {
    # python -m classifier tune --embeddings use, 2026-11-30 23:44: 5 folds (an example and its
    # translation in the same fold), seed 0, 2,934 requests, beside the n-grams as served
    "use": {"weight": 1.0, "margin": 0.1461,
            "thresholds": {"alias_boost": 0.25, "min_confidence": 0.05, "secondary_threshold": 0.6, "min_gap": 0.05}},
    # python -m classifier tune --embeddings e5, 2026-11-30 23:46: the same protocol
    "e5": {"weight": 2.0, "margin": 0.1447,
           "thresholds": {"alias_boost": 0.25, "min_confidence": 0.05, "secondary_threshold": 0.5, "min_gap": 0.0}},
    "hash": {"weight": 1.0, "margin": 0.2, "thresholds": {}},  # the tests' stand-in: the n-gram thresholds
}
"""Per embedding model: the stage's weight, thresholds and the cascade's margin, as
``python -m classifier tune`` chose them on the shipped knowledge base (README, "Embeddings")."""


def stage_defaults(model: str) -> dict[str, Any]:
    return STAGE_DEFAULTS.get(model, STAGE_DEFAULTS["hash"])


class CascadeClassifier:
    """What ``load_classifier`` returns when an embedding model was available at fit time.

    The embedding model is loaded when a request first needs it (or sooner, in the
    background, with ``preload``): start-up and confident requests never wait for it. If
    it cannot be loaded (package gone, another version), unsure requests are answered by
    the n-gram model alone (path ``ngrams_only``) and ``embeddings_problem`` says why.
    """

    def __init__(self, fast: ServedClassifier, weights: StageWeights, rules: StageRules, margin: float,
                 embedder_name: str, embedder_id: str) -> None:
        self.fast, self.weights, self.rules, self.margin = fast, weights, rules, margin
        self.embedder_name, self.embedder_id = embedder_name, embedder_id
        self._init_runtime()

    def _init_runtime(self) -> None:
        self.paths: Counter[str] = Counter()
        """How many requests took each path (``PATHS``), for the benchmark and the logs."""
        self._embedder: Embedder | None = None
        self._tried = False
        self._lock = threading.Lock()
        self.embeddings_problem: str | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: self.__dict__[k] for k in ("fast", "weights", "rules", "margin", "embedder_name", "embedder_id")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_runtime()

    def embedder(self) -> Embedder | None:
        """The embedding model the stage was fitted with, loaded once; None if unavailable."""
        with self._lock:
            if not self._tried:
                self._tried = True
                from .embeddings import get_embedder, unavailable_reason

                found = get_embedder(self.embedder_name)
                if found is None:
                    self.embeddings_problem = unavailable_reason(self.embedder_name) or "unavailable"
                elif found.id != self.embedder_id:
                    self.embeddings_problem = f"fitted with {self.embedder_id}, installed: {found.id}"
                else:
                    self._embedder = found
            return self._embedder

    def preload(self) -> None:
        """Load the embedding model in a background thread (the first unsure request waits less)."""
        threading.Thread(target=self.embedder, name="embeddings-load", daemon=True).start()

    @property
    def topics_(self) -> tuple[str, ...]:
        return self.fast.topics_

    @property
    def levels_(self) -> dict[str, str]:
        return dict(self.fast.levels_)

    def classify(self, text: str) -> Classification:
        return self._one(text if isinstance(text, str) else "")[0]

    def predict(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        return [c.topic_ids for c in self.classify_many(texts)]

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        return [self._one(t if isinstance(t, str) else "")[0] for t in texts]

    def classify_path(self, text: str) -> tuple[Classification, str]:
        """The classification and the path it took (``PATHS``)."""
        return self._one(text if isinstance(text, str) else "")

    def _one(self, text: str) -> tuple[Classification, str]:
        doc = normalise(text)
        language = detect_language(text, doc)
        if not recognisable(doc):
            self.paths["empty"] += 1
            return Classification(language, (), reason="empty"), "empty"
        fast = self.fast
        index, values = fast.features(doc)
        sims = fast.aliases_.scores(doc)[None, :]
        probs = 1.0 / (1.0 + np.exp(-(values @ fast.coef_[index] + fast.intercept_)))
        row = fast.combine(probs[None, :], sims)
        if fast.uncertainty(row)[0] >= self.margin:
            self.paths["ngrams"] += 1
            return fast.decide(row[0], language), "ngrams"
        embedder = self.embedder()
        if embedder is None:
            self.paths["ngrams_only"] += 1
            return fast.decide(row[0], language), "ngrams_only"
        embedding = embedder.embed([text])[0]
        w = self.weights
        logits = values @ w.coef_ngram[index] + embedding @ w.coef_embedding + w.intercept
        row = self.rules.combine((1.0 / (1.0 + np.exp(-logits)))[None, :], sims)
        self.paths["embeddings"] += 1
        return self.rules.decide(row[0], language), "embeddings"
