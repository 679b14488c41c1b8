"""Choosing the decision thresholds by cross-validation on the knowledge base itself.

The knowledge base's requests (topic examples, combos, out-of-scope examples) are split
into stratified folds; for each fold a classifier is fitted on the others (plus every
topic's names and aliases) and scores the held-out requests. On these out-of-fold
scores:

- ``alias_boost``, ``min_confidence`` and ``secondary_threshold`` are chosen on a grid to maximise the
  mean of primary accuracy, topic-set micro F1 and out-of-scope F1 (the three headline
  metrics of ``evaluate``);
- ``min_gap``: the held-out in-scope requests with one accepted topic are binned by the
  gap between their two best topics (``GAP_GRID``); ``min_gap`` is the upper edge of the
  last bin, scanning up from 0, where the accepted topic is right less than half the
  time: under it, asking "which one?" beats guessing (Rasa's ambiguity threshold).

The evaluation sets (eval/*.jsonl, shared/eval/sample.jsonl) are never read here.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from knowledge.models import KnowledgeBase
from knowledge.text import normalise

from .evaluate import Case, metrics, report
from .model import TopicClassifier
from .training import examples, fit_examples

CONFIDENCE_GRID = [round(float(x), 2) for x in np.arange(0.05, 0.61, 0.05)]
SECONDARY_GRID = [round(float(x), 2) for x in np.arange(0.10, 0.91, 0.05)]
BOOST_GRID = [0.0, 0.25, 0.5, 0.75]
GAP_GRID = [0.0, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3]


def out_of_fold_scores(
    kb: KnowledgeBase, *, folds: int = 5, seed: int = 0, **params: Any
) -> tuple[list[Case], np.ndarray, np.ndarray, TopicClassifier]:
    """Held-out cases, their model probabilities and alias similarities, and the last
    fold's classifier (to apply decision rules with other thresholds)."""
    data = examples(kb)
    strata = [e.labels[0] if e.labels else "-" for e in data]
    probs = np.zeros((len(data), len(kb.topics) + 1))
    sims = np.zeros((len(data), len(kb.topics)))
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    clf = None
    for train_idx, test_idx in split.split(np.zeros(len(data)), strata):
        clf = fit_examples(kb, [data[i] for i in train_idx], **params)
        probs[test_idx], sims[test_idx] = clf.raw_scores([normalise(data[i].text) for i in test_idx])
    assert clf is not None
    cases = [Case(e.text, e.labels, e.source, e.lang) for e in data]
    return cases, probs, sims, clf


def predictions(clf: TopicClassifier, rows: np.ndarray) -> list[tuple[str, ...]]:
    """Accepted topic ids per row, best first (the decision rule, vectorised)."""
    mask = clf.accepted(rows)
    order = np.argsort(-rows[:, :-1], axis=1, kind="stable")
    return [tuple(clf.topics_[j] for j in order[i] if mask[i, j]) for i in range(len(rows))]


def objective(m: dict[str, Any]) -> float:
    return (m["primary_accuracy"] + m["topic_set"]["f1"] + m["out_of_scope"]["f1"]) / 3


def cross_validate(kb: KnowledgeBase, *, folds: int = 5, seed: int = 0, **params: Any) -> dict[str, Any]:
    cases, probs, sims, clf = out_of_fold_scores(kb, folds=folds, seed=seed, **params)
    best: tuple[float, dict[str, float]] | None = None
    for boost in BOOST_GRID:
        clf.set_params(alias_boost=boost)
        rows = clf.combine(probs, sims)
        for conf in CONFIDENCE_GRID:
            for sec in SECONDARY_GRID:
                clf.set_params(min_confidence=conf, secondary_threshold=sec)
                score = objective(metrics(cases, predictions(clf, rows)))
                if best is None or score > best[0] + 1e-9:
                    best = (score, {"alias_boost": boost, "min_confidence": conf,
                                    "secondary_threshold": sec})
    assert best is not None
    chosen = best[1]
    clf.set_params(**chosen, min_gap=0.0)
    rows = clf.combine(probs, sims)
    decisions = [clf.decide(r) for r in rows]
    gaps = []  # (gap between the two best topics, the one accepted topic is right)
    for case, d in zip(cases, decisions, strict=True):
        if case.expected and len(d.topics) == 1 and len(d.candidates) > 1:
            gaps.append((d.candidates[0].confidence - d.candidates[1].confidence,
                         d.topics[0].id in case.expected))
    chosen["min_gap"] = 0.0
    for low, high in itertools.pairwise(GAP_GRID):
        band = [ok for x, ok in gaps if low <= x < high]
        if band and sum(band) / len(band) >= 0.5:
            break
        chosen["min_gap"] = high
    clf.set_params(**chosen)
    m = metrics(cases, [d.topic_ids for d in decisions])
    text = (
        f"{folds}-fold cross-validation on {len(cases)} knowledge-base requests "
        f"(kind = source: example, combo, oos)\n"
        f"chosen: {chosen} (objective {best[0]:.3f})\n" + report(m)
    )
    return {"thresholds": chosen, "metrics": m, "report": text}
