"""The decision rules, shared by the fitting estimator and the served model.

Both `model.TopicClassifier` (scikit-learn, used to fit and to tune) and
`serving.ServedClassifier` (numpy only, what the bot runs) produce the same score rows:
one probability per topic, then the out-of-scope class. Everything after that (the alias
boost, the thresholds, ambiguity) lives here once, so the two can only differ in how the
probabilities are computed, and a test checks that they do not.

Decision (Rasa's FallbackClassifier, extended to several topics):

1. nothing recognisable (no letter or digit)             -> ``[]``, reason ``empty``;
2. the out-of-scope score beats the best topic           -> ``[]``, ``out_of_scope``;
3. the best topic is under ``min_confidence``            -> ``[]``, ``low_confidence``;
4. otherwise the best topic is accepted, and every other topic whose score reaches
   ``secondary_threshold`` and beats out-of-scope (a multi-topic request);
5. if no second topic was accepted but the runner-up is within ``min_gap`` of the best,
   ``ambiguous=(best, runner_up)``, reason ``ambiguous``: the conversation asks which.

No scikit-learn import here: the bot loads this module to answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from knowledge.text import normalise

from .language import detect_language
from .result import Classification, Reason, TopicScore

OUT_OF_SCOPE = "__out_of_scope__"
"""The label of the explicit "not about marketing" class (empty label set in ``fit``)."""


def recognisable(doc: str) -> bool:
    """A normalised text with at least one letter or digit (else: reason ``empty``)."""
    return any(ch.isalnum() for ch in doc)


class DecisionRules:
    """Scores -> `Classification`. Subclasses provide ``raw_scores`` and the attributes
    ``topics_``, ``classes_``, ``levels_`` and the thresholds."""

    topics_: tuple[str, ...]
    classes_: Any
    levels_: Mapping[str, str]
    alias_boost: float
    min_confidence: float
    secondary_threshold: float
    min_gap: float
    max_topics: int
    n_candidates: int

    def raw_scores(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """For normalised texts: the model's probabilities (one column per class of
        ``classes_``) and the alias similarities (one column per topic)."""
        raise NotImplementedError

    def _check_fitted(self) -> None:
        """Raise if there is nothing to classify with (the estimator before ``fit``)."""

    def combine(self, probs: np.ndarray, sims: np.ndarray) -> np.ndarray:
        """A topic named outright moves ``alias_boost * similarity`` of the way to 1."""
        out = probs.copy()
        n = len(self.topics_)
        out[:, :n] += self.alias_boost * sims * (1.0 - probs[:, :n])
        return out

    def scores(self, texts: Sequence[str], *, normalised: bool = False) -> np.ndarray:
        """One row per text, one column per class (``classes_``: topics, then out of scope)."""
        docs = list(texts) if normalised else [normalise(t) for t in texts]
        return self.combine(*self.raw_scores(docs))

    def predict(self, X: Sequence[str]) -> list[tuple[str, ...]]:
        """Accepted topic ids per text, best first (``()`` = out of scope)."""
        return [c.topic_ids for c in self.classify_many(X)]

    def classify(self, text: str) -> Classification:
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        self._check_fitted()
        texts = [t if isinstance(t, str) else "" for t in texts]
        docs = [normalise(t) for t in texts]
        useful = [i for i, d in enumerate(docs) if recognisable(d)]
        rows = self.scores([docs[i] for i in useful], normalised=True)
        row_of = dict(zip(useful, rows, strict=True))
        out = []
        for i, text in enumerate(texts):
            language = detect_language(text, docs[i])
            row = row_of.get(i)
            out.append(
                Classification(language, (), reason="empty") if row is None
                else self.decide(row, language)
            )
        return out

    def accepted(self, rows: np.ndarray) -> np.ndarray:
        """Rules 2-4 for many rows of ``scores`` at once: a boolean mask over topics."""
        topics, oos = rows[:, :-1], rows[:, -1:]
        rank = np.argsort(np.argsort(-topics, axis=1, kind="stable"), axis=1, kind="stable")
        best = topics.max(axis=1, initial=0.0)[:, None]
        keep = (best > oos) & (best >= self.min_confidence)
        secondary = (topics >= self.secondary_threshold) & (topics > oos) & (rank < self.max_topics)
        return keep & ((rank == 0) | secondary)

    def uncertainty(self, rows: np.ndarray) -> np.ndarray:
        """Per row of ``scores``: how far the decision is from flipping (0 = on the edge).

        The smallest change of one score that would change what ``accepted`` and
        ``decide`` return: accepting the best topic or not (against out of scope and
        ``min_confidence``), accepting each runner-up as a second topic or not (against
        ``secondary_threshold`` and out of scope), and, with one topic, asking which of
        the two best (``min_gap``). The cascade sends rows under its margin to the stage.
        """
        topics, oos = rows[:, :-1], rows[:, -1]
        ranked = -np.sort(-topics, axis=1)
        best = ranked[:, 0] if topics.shape[1] else np.zeros(len(rows))

        def edge(*gaps: np.ndarray) -> np.ndarray:
            """All gaps positive: passes, by the smallest; else fails, by the largest shortfall."""
            stacked = np.vstack(gaps)
            passes = (stacked > 0).all(axis=0)
            return np.where(passes, stacked.min(axis=0), np.where(stacked < 0, -stacked, 0.0).max(axis=0))

        accepted = (best > oos) & (best >= self.min_confidence)
        margin = edge(best - oos, best - self.min_confidence + 1e-12)
        seconds = np.zeros(len(rows), dtype=np.int64)
        for rank in range(1, min(self.max_topics, topics.shape[1])):
            runner = ranked[:, rank]
            kept = (runner >= self.secondary_threshold) & (runner > oos)
            flip = edge(runner - self.secondary_threshold + 1e-12, runner - oos)
            margin = np.where(accepted, np.minimum(margin, flip), margin)
            seconds = seconds + (accepted & kept)
        if topics.shape[1] > 1:
            gap = np.abs(best - ranked[:, 1] - self.min_gap)
            margin = np.where(accepted & (seconds == 0), np.minimum(margin, gap), margin)
        return margin

    def decide(self, row: np.ndarray, language: str = "fr") -> Classification:
        """Apply the thresholds to one row of ``scores``."""
        n = len(self.topics_)
        oos = float(row[n])
        order = np.argsort(-row[:n], kind="stable")[: max(self.n_candidates, self.max_topics, 2)]
        ranked = [self._score(int(i), row[i]) for i in order]  # only the best can be accepted
        candidates = tuple(ranked[: self.n_candidates])
        mask = self.accepted(row[None, :])[0]
        accepted = tuple(t for i, t in zip(order, ranked, strict=True) if mask[i])
        if not accepted:
            reason: Reason = "out_of_scope" if not ranked or oos >= ranked[0].confidence else "low_confidence"
            return Classification(language, (), candidates, None, reason, oos)
        if len(accepted) == 1 and len(ranked) > 1 and ranked[0].confidence - ranked[1].confidence < self.min_gap:
            pair = (ranked[0].id, ranked[1].id)
            return Classification(language, accepted, candidates, pair, "ambiguous", oos)
        return Classification(language, accepted, candidates, None, "", oos)

    def _score(self, i: int, confidence: float) -> TopicScore:
        topic = self.topics_[i]
        return TopicScore(topic, self.levels_[topic], float(min(max(confidence, 0.0), 1.0)))
