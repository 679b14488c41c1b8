"""One model per field, over clauses: does this clause answer the field, and with which choice.

Two stages per field, both logistic regressions on the same features:

- **relevance** (binary): the clause answers this field (a choice, or a dodge) or says
  nothing about it. Trained on every reading example: the field's own are positive (its
  ``nothing`` ones negative), another field's are negative unless their ``also`` answers this
  one; another field's ``unsure`` clauses are left out ("on verra" dodges whatever was asked);
  the out-of-scope requests are negative.
- **choice** (multinomial): which choice, or ``unsure``, given that it answers the field.
  Trained on the field's positives only, so the many "nothing" clauses cannot drown its
  forty-odd examples per choice.

In free text a choice's probability is relevance x choice; answering the field's own question,
relevance is set aside (the client is answering it) and ``unsure`` counts as "I don't know".

Features (``reading.features``): TF-IDF word 1-3 grams on negation-marked clauses ("don't
NOT_enjoy"), TF-IDF ``char_wb`` 2-5 grams, and the clause's multilingual sentence embedding
times a weight, the weight chosen by 5-fold cross-validation of the choice stage among
EMBED_WEIGHTS.

The acceptance thresholds come from 5-fold cross-validation when the model is fitted
(`choose_threshold`): a reading is accepted only where, out of fold, accepting costs less than
asking. A wrong value costs ``WRONG_COST`` questions: it silently flips the advice, the worst
failure the bot can have, while a question asked costs the client a few seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from knowledge.models import READING_NOTHING, READING_UNSURE, KnowledgeBase

from .embed import Embedder
from .features import FeatureSpace, masked

WRONG_COST = 3.0
"""A wrong reading costs this many questions (see the module docstring)."""
THRESHOLD_GRID = tuple(round(float(x), 3) for x in np.arange(0.30, 0.951, 0.025))
EMBED_WEIGHTS = (1.0, 2.0, 3.0)
FOLDS = 5
C_RELEVANCE = 10.0
C_CHOICE = 10.0


@dataclass(frozen=True)
class Clause:
    """A training clause: what the model sees (masked) and the client's words (raw)."""

    masked: str
    raw: str


@dataclass(frozen=True)
class FieldData:
    clauses: tuple[Clause, ...]
    labels: tuple[str, ...]


def training_data(kb: KnowledgeBase) -> dict[str, FieldData]:
    """Per field with examples: its clauses and their labels (see the module docstring)."""
    labelled: dict[str, dict[str, str]] = {}
    raw_of: dict[str, str] = {}
    for field_id, examples in kb.reading.items():
        for example in examples:
            key = masked(example.text, kb)
            raw_of.setdefault(key, example.text)
            labels = labelled.setdefault(key, {})
            labels.setdefault(field_id, example.label)
            for other, choice in example.also.items():
                labels.setdefault(other, choice)
    extra = {masked(t, kb): t for lang in kb.out_of_scope.values() for t in lang}
    out: dict[str, FieldData] = {}
    for field_id in kb.reading:
        clauses, labels = [], []
        for key, per_field in labelled.items():
            label = per_field.get(field_id)
            if label is None and READING_UNSURE in per_field.values():
                continue
            clauses.append(Clause(key, raw_of[key]))
            labels.append(label or READING_NOTHING)
        for key, raw in extra.items():
            if key not in labelled:
                clauses.append(Clause(key, raw))
                labels.append(READING_NOTHING)
        out[field_id] = FieldData(tuple(clauses), tuple(labels))
    return out


@dataclass
class FieldModel:
    """A fitted field: both stages' weights and the two thresholds."""

    classes: tuple[str, ...]
    """The choice stage's classes: the field's choices (those with examples) and ``unsure``."""
    choice_coef: np.ndarray
    choice_intercept: np.ndarray
    relevance_coef: np.ndarray
    relevance_intercept: float
    threshold: float
    """Free text: accept a choice whose relevance x choice probability reaches this."""
    answer_threshold: float
    """An answer to this field's own question: accept a choice whose probability reaches this."""
    cv_figures: Mapping[str, float]

    def probabilities(self, X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(relevance per row, choice probabilities per row and class)."""
        relevance = 1.0 / (1.0 + np.exp(-(np.asarray(X @ self.relevance_coef).ravel() + self.relevance_intercept)))
        return relevance, _softmax(np.asarray(X @ self.choice_coef.T) + self.choice_intercept)


@dataclass
class ReaderModel:
    """The feature space (shared) and one FieldModel per field."""

    space: FeatureSpace
    fields: dict[str, FieldModel]


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _relevance_model() -> LogisticRegression:
    return LogisticRegression(C=C_RELEVANCE, class_weight="balanced", solver="liblinear")


def _choice_model() -> LogisticRegression:
    return LogisticRegression(C=C_CHOICE, class_weight="balanced", max_iter=2000)


def fit(kb: KnowledgeBase, embedder: Embedder | None, *, folds: int = FOLDS, seed: int = 0) -> ReaderModel:
    """Fit every field's two stages; choose the embedding weight and the thresholds by CV."""
    data = training_data(kb)
    every = {c.masked: c for d in data.values() for c in d.clauses}
    space = FeatureSpace.fit([c.masked for c in every.values()], embedder)
    if embedder is not None:
        embedder.encode([c.raw for c in every.values()])
        embedder.save()
    space.embed_weight = _choose_embed_weight(space, embedder, data, folds, seed) if embedder else 0.0
    fields = {}
    for field_id, field_data in data.items():
        X = space.matrix([c.masked for c in field_data.clauses], [c.raw for c in field_data.clauses], embedder)
        choices = tuple(c.id for c in kb.field(field_id).choices)
        fields[field_id] = _fit_field(X, np.asarray(field_data.labels), choices, folds, seed)
    return ReaderModel(space, fields)


def _positives(y: np.ndarray) -> np.ndarray:
    return np.flatnonzero(y != READING_NOTHING)


def _choose_embed_weight(space: FeatureSpace, embedder: Embedder | None, data: Mapping[str, FieldData],
                         folds: int, seed: int) -> float:
    """The weight of EMBED_WEIGHTS with the best mean out-of-fold choice accuracy over fields."""
    scores = []
    for weight in EMBED_WEIGHTS:
        space.embed_weight = weight
        accuracy = []
        for field_data in data.values():
            y = np.asarray(field_data.labels)
            pos = _positives(y)
            X = space.matrix([field_data.clauses[i].masked for i in pos], [field_data.clauses[i].raw for i in pos],
                             embedder)
            predicted = np.empty(len(pos), dtype=object)
            for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y[pos]):
                predicted[test] = _choice_model().fit(X[train], y[pos][train]).predict(X[test])
            accuracy.append(float(np.mean(predicted == y[pos])))
        scores.append(float(np.mean(accuracy)))
    return EMBED_WEIGHTS[int(np.argmax(scores))]


def _fit_field(X: sp.csr_matrix, y: np.ndarray, choices: tuple[str, ...], folds: int, seed: int) -> FieldModel:
    pos = _positives(y)
    relevant = (y != READING_NOTHING).astype(int)
    relevance = _relevance_model().fit(X, relevant)
    choice = _choice_model().fit(X[pos], y[pos])
    classes = tuple(str(c) for c in choice.classes_)
    oof_rel = np.zeros(len(y))
    oof_choice = np.zeros((len(y), len(classes)))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
        oof_rel[test] = _relevance_model().fit(X[train], relevant[train]).predict_proba(X[test])[:, 1]
        train_pos = train[y[train] != READING_NOTHING]
        fold = _choice_model().fit(X[train_pos], y[train_pos])
        cols = [classes.index(str(c)) for c in fold.classes_]
        oof_choice[np.ix_(test, cols)] = fold.predict_proba(X[test])
    threshold, free = choose_threshold(oof_rel, oof_choice, y, classes, choices, answer=False)
    answer_threshold, answer = choose_threshold(oof_rel, oof_choice, y, classes, choices, answer=True)
    figures = {**{f"free_{k}": v for k, v in free.items()}, **{f"answer_{k}": v for k, v in answer.items()}}
    return FieldModel(classes, choice.coef_.copy(), choice.intercept_.copy(), relevance.coef_.ravel().copy(),
                      float(relevance.intercept_[0]), threshold, answer_threshold, figures)


def decide(relevance: float, row: np.ndarray, classes: Sequence[str], choices: Sequence[str], threshold: float,
           answer: bool) -> tuple[str | None, float]:
    """The label one clause gives: a choice (probability at or above the threshold), ``unsure``
    (answer mode only), or None; with its probability."""
    best = int(np.argmax(row))
    label = classes[best]
    p = float(row[best]) if answer else float(row[best]) * relevance
    if label in choices:
        return (label, p) if p >= threshold else (None, p)
    if label == READING_UNSURE and answer:
        return label, p
    return None, p


def choose_threshold(oof_rel: np.ndarray, oof_choice: np.ndarray, y: np.ndarray, classes: Sequence[str],
                     choices: Sequence[str], answer: bool) -> tuple[float, dict[str, float]]:
    """The threshold of THRESHOLD_GRID with the lowest cost out of fold, and its figures."""
    rows = [i for i, label in enumerate(y) if not answer or label != READING_NOTHING]
    best: tuple[float, float, dict[str, float]] | None = None
    for t in THRESHOLD_GRID:
        right = wrong = asked = 0
        for i in rows:
            label, _ = decide(float(oof_rel[i]), oof_choice[i], classes, choices, t, answer)
            truth = str(y[i])
            if label == truth:
                right += 1
            elif label in choices:
                wrong += 1
            elif truth in choices:
                asked += 1
        cost = WRONG_COST * wrong + asked
        figures = {"right": right, "wrong": wrong, "asked": asked, "rows": len(rows)}
        if best is None or cost < best[0]:
            best = (cost, t, figures)
    assert best is not None
    return best[1], {**best[2], "threshold": best[1]}
