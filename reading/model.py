"""Which field a clause answers, and with which choice.

Two kinds of logistic regression, on the same features:

- the **router** (one yes/no model per field): does the clause answer this field. Trained on
  every reading example: a clause answers its file's field (unless it is one of that field's
  ``nothing`` traps) and the fields its ``also`` names; every out-of-scope request answers
  none. Yes/no per field rather than one softmax over fields, because a clause can answer
  two ("personne ici n'a le temps": who, and how many hours): a softmax split it in two and
  lost both (measured: 45-47 of 60 sample lines either way, the split being the commonest miss).
- one **choice** model per field (multinomial over its choices and ``unsure``): which answer,
  given that the clause answers this field. Trained on the field's positive clauses only, so
  the many clauses about other things cannot drown its forty-odd examples per choice.

In free text a field is read from a clause when the router gives it at least the field's
routing threshold and the choice model's best choice reaches its choice threshold. Answering
the field's own question, the router is set aside (the client is answering it) and ``unsure``
counts as "I don't know".

Features (``reading.features``): TF-IDF word 1-3 grams on negation-marked clauses, TF-IDF
``char_wb`` 2-5 grams, and the clause's multilingual sentence embedding times EMBED_WEIGHT.

Thresholds come from 5-fold cross-validation when the model is fitted (`choose_thresholds`):
a reading is accepted only where, out of fold, accepting costs less than asking. A wrong value
costs ``WRONG_COST`` questions: it silently flips the advice, the worst failure the bot can
have, while a question asked costs the client a few seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from knowledge.models import READING_NOTHING, READING_UNSURE, KnowledgeBase

from .embed import Embedder
from .features import FeatureSpace, masked

WRONG_COST = 3.0
"""A wrong reading costs this many questions (see the module docstring)."""
THRESHOLD_GRID = tuple(round(float(x), 3) for x in np.arange(0.30, 0.951, 0.025))
ROUTE_GRID = tuple(round(float(x), 3) for x in np.arange(0.05, 0.901, 0.05))
ANSWER_ROUTE_GRID = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3)
EMBED_WEIGHT = 2.0
"""How much the sentence embedding counts beside the n-grams. Chosen by 5-fold cross-validation
of the choice models (`python -m reading weights`); fixed here rather than re-chosen at every
fit, which tripled fitting time."""
EMBED_WEIGHTS = (1.0, 2.0, 3.0)
FOLDS = 5
C = 100.0
"""Inverse regularisation of every regression here. Chosen by the same 5-fold cross-validation
cost the thresholds minimise, summed over fields and both modes (2026-11-30, on the shipped
examples): C=3: 5616, 10: 5343, 30: 5248, 100: 5220, 300: 5264."""


@dataclass(frozen=True)
class Clause:
    """A training clause: what the model sees (masked), the client's words (raw), its labels."""

    masked: str
    raw: str
    labels: Mapping[str, str] = field(default_factory=dict)
    """Field id -> choice, ``unsure`` or ``nothing`` (fields not named say nothing)."""

    def answers(self, field_id: str) -> bool:
        return self.labels.get(field_id, READING_NOTHING) != READING_NOTHING

    def label(self, field_id: str) -> str:
        return self.labels.get(field_id, READING_NOTHING)


def training_clauses(kb: KnowledgeBase) -> list[Clause]:
    """Every reading example (merged by masked text) and every out-of-scope request."""
    labels: dict[str, dict[str, str]] = {}
    raw_of: dict[str, str] = {}
    for field_id, examples in kb.reading.items():
        for example in examples:
            key = masked(example.text, kb)
            if not _has_words(key):
                continue  # "2-3 h" alone: the quantity reader's job, no words to learn from
            raw_of.setdefault(key, example.text)
            merged = labels.setdefault(key, {})
            merged.setdefault(example.field or field_id, example.label)
            for other, choice in example.also.items():
                merged[other] = choice
    for lang in kb.out_of_scope.values():
        for text in lang:
            key = masked(text, kb)
            if key not in labels:
                raw_of[key] = text
                labels[key] = {}
    return [Clause(key, raw_of[key], labels[key]) for key in sorted(labels)]


def _has_words(masked_text: str) -> bool:
    return any(word.isalpha() and not word.startswith("qty") for word in masked_text.split())


@dataclass
class ChoiceModel:
    classes: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray

    def probabilities(self, X: sp.csr_matrix) -> np.ndarray:
        return _softmax(np.asarray(X @ self.coef.T) + self.intercept)


@dataclass
class FieldModel:
    """A fitted field: its choice model and thresholds."""

    choice: ChoiceModel
    threshold: float
    """Free text: accept a choice whose probability reaches this..."""
    route_threshold: float
    """...in a clause the router gives this field at least this much."""
    answer_threshold: float
    """An answer to this field's own question: accept a choice whose probability reaches this..."""
    answer_route_threshold: float
    """...in a clause the router gives this field at least this much (far lower than in free
    text: the client is answering; but "il fait beau à Québec" answers nothing)."""
    cv_figures: Mapping[str, float]

    @property
    def classes(self) -> tuple[str, ...]:
        return self.choice.classes


@dataclass
class ReaderModel:
    """The feature space, the router and one FieldModel per field."""

    space: FeatureSpace
    router: Router
    fields: dict[str, FieldModel]

    def route(self, X: sp.csr_matrix) -> dict[str, np.ndarray]:
        """Field id -> the router's probability per row."""
        probs = self.router.probabilities(X)
        return {c: probs[:, i] for i, c in enumerate(self.router.fields)}


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _regression() -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", max_iter=2000)


@dataclass
class Router:
    """One yes/no model per field (a clause may answer several: "personne ici n'a le temps")."""

    fields: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray

    def probabilities(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-(np.asarray(X @ self.coef.T) + self.intercept))))


def _fit_router(X: sp.csr_matrix, clauses: Sequence[Clause], rows: np.ndarray, fields: Sequence[str]) -> Router:
    coef, intercept = [], []
    for f in fields:
        target = np.asarray([int(clauses[i].answers(f)) for i in rows])
        model = LogisticRegression(C=C, class_weight="balanced", solver="liblinear").fit(X[rows], target)
        coef.append(model.coef_.ravel())
        intercept.append(float(model.intercept_[0]))
    return Router(tuple(fields), np.vstack(coef), np.asarray(intercept))


def _fit_choice(X: sp.csr_matrix, clauses: Sequence[Clause], rows: np.ndarray, field_id: str) -> ChoiceModel:
    keep = [i for i in rows if clauses[i].answers(field_id)]
    model = _regression().fit(X[keep], [clauses[i].label(field_id) for i in keep])
    return ChoiceModel(tuple(str(c) for c in model.classes_), model.coef_.copy(), model.intercept_.copy())


def fit(kb: KnowledgeBase, embedder: Embedder | None, *, folds: int = FOLDS, seed: int = 0) -> ReaderModel:
    """Fit the router and every field's choice model; choose the thresholds by CV."""
    clauses = training_clauses(kb)
    fields = tuple(f.id for f in kb.capacity if f.id in kb.reading)
    space = FeatureSpace.fit([c.masked for c in clauses], embedder)
    if embedder is not None:
        embedder.encode([c.raw for c in clauses])
        embedder.save()
    space.embed_weight = EMBED_WEIGHT if embedder else 0.0
    with threadpool_limits(1):  # many small fits: threaded BLAS only adds contention (8x CPU here)
        X = space.matrix([c.masked for c in clauses], [c.raw for c in clauses], embedder)
        every = np.arange(len(clauses))
        router = _fit_router(X, clauses, every, fields)
        choice = {f: _fit_choice(X, clauses, every, f) for f in fields}
        route_oof, choice_oof = _out_of_fold(X, clauses, fields, folds, seed)
        models = {}
        for f in fields:
            cf = {f"choice_{k}": v for k, v in _choice_only(choice_oof[f], clauses, f).items()}
            models[f] = _field_model(kb, f, choice[f], route_oof[f], choice_oof[f], clauses, cf)
    return ReaderModel(space, router, models)


def _out_of_fold(X: sp.csr_matrix, clauses: Sequence[Clause], fields: Sequence[str], folds: int,
                 seed: int) -> tuple[dict[str, np.ndarray], dict[str, tuple[tuple[str, ...], np.ndarray]]]:
    """Out-of-fold router probability per field, and choice probabilities per field."""
    strata = [next((f for f in fields if c.answers(f)), READING_NOTHING) for c in clauses]
    route = {f: np.zeros(len(clauses)) for f in fields}
    classes = {f: tuple(sorted({c.label(f) for c in clauses if c.answers(f)})) for f in fields}
    choice = {f: np.zeros((len(clauses), len(classes[f]))) for f in fields}
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, strata):
        router = _fit_router(X, clauses, train, fields)
        probs = router.probabilities(X[test])
        for f in fields:
            route[f][test] = probs[:, router.fields.index(f)]
            model = _fit_choice(X, clauses, train, f)
            cols = [classes[f].index(c) for c in model.classes]
            choice[f][np.ix_(test, cols)] = model.probabilities(X[test])
    return route, {f: (classes[f], choice[f]) for f in fields}


def _field_model(kb: KnowledgeBase, field_id: str, choice: ChoiceModel, route: np.ndarray,
                 oof: tuple[tuple[str, ...], np.ndarray], clauses: Sequence[Clause],
                 extra: Mapping[str, float]) -> FieldModel:
    choices = tuple(c.id for c in kb.field(field_id).choices)
    classes, probs = oof
    truth = np.asarray([c.label(field_id) for c in clauses])
    (threshold, route_threshold), free = choose_thresholds(route, probs, truth, classes, choices, answer=False)
    # answering its question: the field's own clauses (answers, dodges, its traps) and the
    # out-of-scope requests, not the other fields' answers (those are read as free text)
    own = np.asarray([field_id in c.labels or not c.labels for c in clauses])
    (answer_threshold, answer_route), answer = choose_thresholds(route[own], probs[own], truth[own], classes, choices,
                                                                 answer=True)
    figures = {**{f"free_{k}": v for k, v in free.items()}, **{f"answer_{k}": v for k, v in answer.items()}, **extra}
    return FieldModel(choice, threshold, route_threshold, answer_threshold, answer_route, figures)


def _choice_only(oof: tuple[tuple[str, ...], np.ndarray], clauses: Sequence[Clause], field_id: str) -> dict[str, float]:
    classes, probs = oof
    rows = [i for i, c in enumerate(clauses) if c.answers(field_id)]
    predicted = [classes[int(np.argmax(probs[i]))] for i in rows]
    right = sum(p == clauses[i].label(field_id) for p, i in zip(predicted, rows, strict=True))
    return {"accuracy": right / len(rows) if rows else 0.0}


def decide(route: float, row: np.ndarray, classes: Sequence[str], choices: Sequence[str], threshold: float,
           route_threshold: float, answering: bool) -> tuple[str | None, float]:
    """The label one clause gives a field: a choice (its probability at or above `threshold`, in
    a clause routed to the field with at least `route_threshold`), ``unsure`` when answering the
    field's question, or None; with the choice's probability."""
    best = int(np.argmax(row))
    label, p = classes[best], float(row[best])
    if route < route_threshold:
        return None, p
    if label in choices:
        return (label, p) if p >= threshold else (None, p)
    if label == READING_UNSURE and answering:
        return label, p
    return None, p


def choose_thresholds(route: np.ndarray, probs: np.ndarray, truth: np.ndarray, classes: Sequence[str],
                      choices: Sequence[str], answer: bool) -> tuple[tuple[float, float], dict[str, float]]:
    """(choice threshold, routing threshold) on the grids with the lowest cost out of fold, and
    the figures there. When answering, a dodge is an acceptable reading ("I don't know") and the
    routing grid goes lower (the client is answering this question)."""
    rows = np.arange(len(truth))
    best_col = np.argmax(probs[rows], axis=1)
    label = np.asarray(classes)[best_col]
    p = probs[rows, best_col]
    routed = route[rows]
    is_choice = np.isin(label, choices)
    truth_is_choice = np.isin(truth, choices)
    dodged = (label == READING_UNSURE) if answer else np.zeros(len(rows), dtype=bool)
    best: tuple[float, tuple[float, float], dict[str, float]] | None = None
    for r in ANSWER_ROUTE_GRID if answer else ROUTE_GRID:
        for t in THRESHOLD_GRID:
            accepted = is_choice & (p >= t) & (routed >= r) | dodged & (routed >= r)
            right = int(np.sum(accepted & (label == truth)))
            wrong = int(np.sum(accepted & (label != truth)))
            asked = int(np.sum(~accepted & truth_is_choice))
            cost = WRONG_COST * wrong + asked
            if best is None or cost < best[0]:
                best = (cost, (t, r), {"right": right, "wrong": wrong, "asked": asked, "rows": len(rows),
                                        "threshold": t, "route": r})
    assert best is not None
    return best[1], best[2]


def compare_embed_weights(kb: KnowledgeBase, embedder: Embedder, folds: int = FOLDS,
                          seed: int = 0) -> dict[float, float]:
    """Mean out-of-fold choice accuracy over fields for each of EMBED_WEIGHTS and none (to
    re-derive EMBED_WEIGHT after large changes to the examples)."""
    clauses = training_clauses(kb)
    fields = tuple(f.id for f in kb.capacity if f.id in kb.reading)
    space = FeatureSpace.fit([c.masked for c in clauses], embedder)
    out = {}
    with threadpool_limits(1):
        for weight in (0.0, *EMBED_WEIGHTS):
            space.embed_weight = weight
            X = space.matrix([c.masked for c in clauses], [c.raw for c in clauses], embedder)
            accuracy = []
            for f in fields:
                rows = np.asarray([i for i, c in enumerate(clauses) if c.answers(f)])
                y = np.asarray([clauses[i].label(f) for i in rows])
                predicted = np.empty(len(rows), dtype=object)
                for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(rows, y):
                    predicted[test] = _regression().fit(X[rows[train]], y[train]).predict(X[rows[test]])
                accuracy.append(float(np.mean(predicted == y)))
            out[weight] = float(np.mean(accuracy))
    return out
