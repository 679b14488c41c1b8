"""The served classifier: the fitted model's vocabularies and weights, run with numpy alone.

scikit-learn fits the model (``model.TopicClassifier``); answering one request with it
costs about 5 ms, mostly per-call validation in the vectorisers, and importing it costs
most of a second. ``ServedClassifier.from_fitted`` copies what the fitted pipeline
learned (each TF-IDF vectoriser's vocabulary and idf, the logistic regressions' weights
and intercepts, the alias matcher, the thresholds) and recomputes the same features in
plain Python and numpy:

- word analyser: ``token_pattern`` tokens, then 1..n word n-grams joined by a space
  (``TfidfVectorizer(analyzer="word")`` with ``lowercase=False`` on normalised text);
- ``char_wb`` analyser: each whitespace-separated word padded with one space each side,
  every n-gram of each length (a word shorter than n counted once), as scikit-learn does;
- counts -> ``1 + log(count)`` (``sublinear_tf``) -> times idf -> L2 norm, per vectoriser;
- probability per class: ``expit(features . coef + intercept)`` (one-vs-rest).

``tests/test_classifier_serving.py`` checks the probabilities and the decisions against
the scikit-learn pipeline on every example of the shipped knowledge base.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.text import normalise

from .decision import DecisionRules
from .fuzzy import AliasMatcher

if TYPE_CHECKING:
    from .model import TopicClassifier

_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's, applied before char_wb n-grams
MEMO_WORDS = 50_000
"""Words whose ``char_wb`` columns are remembered (a few MB at most)."""
THRESHOLDS = ("alias_boost", "min_confidence", "secondary_threshold", "min_gap", "max_topics", "n_candidates")


@dataclass(frozen=True)
class Analyser:
    """One fitted TF-IDF vectoriser: how it cuts text, its vocabulary and its idf."""

    kind: str
    """``word`` or ``char_wb``."""
    ngrams: tuple[int, int]
    token_pattern: str
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int
    """Where this vectoriser's columns start in the stacked feature space."""
    known: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """``char_wb`` columns of every word of the training texts, computed once at fit time
    (requests are mostly made of these words); other words go to a bounded memo."""

    @classmethod
    def from_vectorizer(cls, vectorizer: Any, offset: int) -> Analyser:
        expected = {"lowercase": False, "sublinear_tf": True, "use_idf": True, "norm": "l2",
                    "preprocessor": None, "tokenizer": None, "stop_words": None, "strip_accents": None}
        wrong = {k: getattr(vectorizer, k) for k, v in expected.items() if getattr(vectorizer, k) != v}
        if wrong or vectorizer.analyzer not in ("word", "char_wb"):
            raise ValueError(f"cannot serve a vectoriser with {wrong or vectorizer.analyzer}")
        vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
        return cls(vectorizer.analyzer, tuple(vectorizer.ngram_range), vectorizer.token_pattern, vocabulary,
                   np.asarray(vectorizer.idf_, dtype=np.float64), offset)

    def grams(self, doc: str) -> list[str]:
        if self.kind == "word":
            low, high = self.ngrams
            tokens = re.findall(self.token_pattern, doc)
            out = list(tokens) if low == 1 else []
            for n in range(max(low, 2), min(high, len(tokens)) + 1):
                out += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
            return out
        return [g for word in _WHITE_SPACES.sub(" ", doc).split() for g in self.word_grams(word)]

    def word_grams(self, word: str) -> list[str]:
        """``char_wb`` n-grams of one word: padded with a space each side; a word no longer
        than n counts once, as a whole (and ends the longer sizes), as scikit-learn does."""
        w = f" {word} "
        size = len(w)
        out: list[str] = []
        for n in range(self.ngrams[0], self.ngrams[1] + 1):
            if n >= size:
                out.append(w)
                break
            out += [w[i : i + n] for i in range(size - n + 1)]
        return out

    def columns(self, doc: str) -> list[int]:
        """The vocabulary columns of the text's n-grams, once per occurrence.

        ``char_wb`` n-grams never cross a space, so they are looked up one word at a time
        and remembered per word (requests reuse the same few thousand words)."""
        get = self.vocabulary.get
        if self.kind == "word":
            return [j for j in map(get, self.grams(doc)) if j is not None]
        known, memo = self.known, self._memo
        out: list[int] = []
        for word in _WHITE_SPACES.sub(" ", doc).split():
            found = known.get(word)
            if found is None:
                found = memo.get(word)
            if found is None:
                found = self.word_columns(word)
                if len(memo) >= MEMO_WORDS:
                    memo.clear()
                memo[word] = found
            out += found
        return out

    def word_columns(self, word: str) -> tuple[int, ...]:
        get = self.vocabulary.get
        return tuple(j for j in map(get, self.word_grams(word)) if j is not None)

    def learn(self, docs: Sequence[str]) -> None:
        """Compute the columns of every word of `docs` once (at fit time, then pickled)."""
        if self.kind == "char_wb":
            words = {w for d in docs for w in _WHITE_SPACES.sub(" ", d).split()}
            self.known.update((w, self.word_columns(w)) for w in words)

    @property
    def _memo(self) -> dict[str, tuple[int, ...]]:
        memo = self.__dict__.get("_words")
        if memo is None:
            memo = {}
            object.__setattr__(self, "_words", memo)
        return memo

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_words"}  # a cache, not the model

    def features(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices (in the stacked space) and L2-normalised TF-IDF values."""
        counts = Counter(self.columns(doc))
        if not counts:
            return np.empty(0, dtype=np.intp), np.empty(0)
        index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = (np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) + 1.0) * self.idf[index]
        return index + self.offset, values / np.sqrt(values @ values)


class ServedClassifier(DecisionRules):
    """What ``load_classifier`` returns: the fitted model without scikit-learn."""

    def __init__(self, analysers: Sequence[Analyser], coef: np.ndarray, intercept: np.ndarray, *,
                 topics: tuple[str, ...], classes: Sequence[str], levels: dict[str, str],
                 aliases: AliasMatcher, thresholds: dict[str, Any]) -> None:
        self.analysers = tuple(analysers)
        self.coef_ = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        self.topics_ = topics
        self.classes_ = np.asarray(list(classes), dtype=object)
        self.levels_ = levels
        self.aliases_ = aliases
        for name in THRESHOLDS:
            setattr(self, name, thresholds[name])

    @classmethod
    def from_fitted(cls, clf: TopicClassifier, learn: Sequence[str] = ()) -> ServedClassifier:
        """Copy a fitted ``TopicClassifier``'s vocabularies, weights and thresholds; `learn`
        (the training texts) has its words' features and alias matches computed now."""
        clf._check_fitted()
        analysers, offset = [], 0
        for vectorizer in clf.vectorizers_:
            analysers.append(Analyser.from_vectorizer(vectorizer, offset))
            offset += len(vectorizer.vocabulary_)
        if offset != clf.coef_.shape[0]:
            raise ValueError(f"{offset} features but {clf.coef_.shape[0]} weights")
        served = cls(analysers, clf.coef_, clf.intercept_, topics=tuple(clf.topics_), classes=list(clf.classes_),
                     levels=dict(clf.levels_), aliases=copy.copy(clf.aliases_),
                     thresholds={name: getattr(clf, name) for name in THRESHOLDS})
        docs = [normalise(t) for t in learn]
        for analyser in served.analysers:
            analyser.learn(docs)
        served.aliases_.learn(docs)
        return served

    @property
    def thresholds(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in THRESHOLDS}

    def features(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """One normalised text's TF-IDF features: column indices and values (all vectorisers)."""
        parts = [a.features(doc) for a in self.analysers]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def logits(self, doc: str) -> np.ndarray:
        """``features . coef + intercept`` for one normalised text."""
        index, values = self.features(doc)
        return values @ self.coef_[index] + self.intercept_

    def raw_scores(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.classes_)
        if not docs:
            return np.zeros((0, n)), np.zeros((0, len(self.topics_)))
        logits = np.vstack([self.logits(d) for d in docs])
        probs = 1.0 / (1.0 + np.exp(-logits))
        return probs, np.vstack([self.aliases_.scores(d) for d in docs])
