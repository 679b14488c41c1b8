"""The topic classifier: a scikit-learn estimator over normalised text.

Features (one ``FeatureUnion``): TF-IDF of word 1-2 grams and TF-IDF of ``char_wb`` 2-5
grams (typos, missing accents, French/English stems), on ``knowledge.text.normalise``d
text. Classifier: logistic regression, one binary model per topic plus one for the
explicit out-of-scope class (one-vs-rest: a request can score high on several topics).
Then the alias boost: a topic named outright, even misspelt (``fuzzy.AliasMatcher``:
"referencemnt", "blogue"), has its probability moved ``alias_boost * similarity`` of
the way to 1. (Alias similarities as learned features were tried first: cross-validated
primary accuracy fell from 0.75 to 0.70; a fixed boost generalises better.)

The decision rules (thresholds, ambiguity) are in ``decision.py``, shared with the served
model (``serving.py``), which the bot runs without scikit-learn.

The thresholds' defaults come from cross-validation on the knowledge base's own
examples (``python -m classifier tune``), never from the evaluation sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.validation import check_is_fitted

from knowledge.text import normalise

from .decision import OUT_OF_SCOPE, DecisionRules
from .fuzzy import AliasMatcher


class TopicClassifier(DecisionRules, BaseEstimator):
    """Multi-label topic classifier with an out-of-scope class and a fallback.

    ``fit(X, Y, aliases=..., levels=...)``: ``X`` texts, ``Y`` one sequence of topic ids
    per text (empty = out of scope); ``aliases`` maps a topic id to the names it goes by,
    ``levels`` a topic id to ``objective``/``tactic``.

    Defaults of ``alias_boost``, ``min_confidence``, ``secondary_threshold`` and ``min_gap``:
    the values ``python -m classifier tune`` (5 folds, seed 0) chose on the shipped knowledge
    base's 2,353 requests; rerun it after large changes to the examples. The other
    parameters were compared on the same cross-validation (C 3/10/30/100, char 1-4/2-5/3-6,
    word 1-1/1-2/1-3, class weights): all within 0.01 of the defaults except
    ``class_weight=None`` (0.08 worse on out-of-scope F1).
    """

    def __init__(
        self,
        *,
        min_confidence: float = 0.05,
        secondary_threshold: float = 0.45,
        min_gap: float = 0.1,
        max_topics: int = 3,
        n_candidates: int = 3,
        C: float = 10.0,
        class_weight: str | None = "balanced",
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (2, 5),
        alias_boost: float = 0.25,
        alias_cutoff: float = 88.0,
    ) -> None:
        self.min_confidence = min_confidence
        self.secondary_threshold = secondary_threshold
        self.min_gap = min_gap
        self.max_topics = max_topics
        self.n_candidates = n_candidates
        self.C = C
        self.class_weight = class_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.alias_boost = alias_boost
        self.alias_cutoff = alias_cutoff

    # -- fitting ---------------------------------------------------------------------

    def fit(
        self,
        X: Sequence[str],
        Y: Sequence[Sequence[str]],
        *,
        aliases: Mapping[str, Sequence[str]] | None = None,
        levels: Mapping[str, str] | None = None,
    ) -> TopicClassifier:
        if len(X) != len(Y):
            raise ValueError(f"X has {len(X)} texts but Y has {len(Y)} label sets")
        topics = sorted({t for labels in Y for t in labels} | set(aliases or ()) | set(levels or ()))
        if OUT_OF_SCOPE in topics:
            raise ValueError(f"{OUT_OF_SCOPE!r} is reserved for the out-of-scope class")
        self.topics_ = tuple(topics)
        self.classes_ = np.asarray([*topics, OUT_OF_SCOPE], dtype=object)
        self.levels_ = {t: (levels or {}).get(t, "tactic") for t in topics}
        targets = [tuple(labels) or (OUT_OF_SCOPE,) for labels in Y]
        binarizer = MultiLabelBinarizer(classes=list(self.classes_))
        y = binarizer.fit_transform(targets)
        missing = [str(c) for c, n in zip(self.classes_, y.sum(axis=0), strict=True) if n == 0]
        if missing:
            raise ValueError(f"no training example for: {', '.join(missing)}")
        features = FeatureUnion([
            ("words", TfidfVectorizer(lowercase=False, ngram_range=self.word_ngrams,
                                      sublinear_tf=True)),
            ("chars", TfidfVectorizer(lowercase=False, analyzer="char_wb",
                                      ngram_range=self.char_ngrams, sublinear_tf=True, min_df=2)),
        ])
        model = OneVsRestClassifier(LogisticRegression(
            C=self.C, class_weight=self.class_weight, solver="liblinear", dual=True, random_state=0))
        self.pipeline_ = Pipeline([("features", features), ("model", model)])
        self.pipeline_.fit([normalise(x) for x in X], y)
        self._stack()
        self.aliases_ = AliasMatcher(aliases or {}, topics, score_cutoff=self.alias_cutoff)
        return self

    def _stack(self) -> None:
        """The fast path for one request: the pipeline's own steps, without the per-call
        validation of one ``predict_proba`` per class (5 ms -> about 1 ms a request)."""
        features, model = self.pipeline_.named_steps.values()
        self.vectorizers_ = tuple(v for _, v in features.transformer_list)
        self.coef_ = np.vstack([e.coef_ for e in model.estimators_]).T.copy()
        self.intercept_ = np.concatenate([e.intercept_ for e in model.estimators_])

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()  # the stacked copy is rebuilt on load, not pickled
        return {k: v for k, v in state.items() if k not in ("vectorizers_", "coef_", "intercept_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if "pipeline_" in state:
            self._stack()

    # -- scoring ---------------------------------------------------------------------

    def _check_fitted(self) -> None:
        check_is_fitted(self, "pipeline_")

    def raw_scores(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """For normalised texts: the pipeline's probabilities (one column per class of
        ``classes_``) and the alias similarities (one column per topic)."""
        self._check_fitted()
        if not docs:
            return np.zeros((0, len(self.classes_))), np.zeros((0, len(self.topics_)))
        features = sp.hstack([v.transform(docs) for v in self.vectorizers_], format="csr")
        probs = expit(features @ self.coef_ + self.intercept_)  # = pipeline_.predict_proba
        return probs, np.vstack([self.aliases_.scores(d) for d in docs])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags
