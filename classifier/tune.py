"""Choosing the decision thresholds by cross-validation on the knowledge base itself.

The knowledge base's requests (topic examples, combos, out-of-scope examples) are split
into stratified folds; for each fold a classifier is fitted on the others (plus every
topic's names and aliases) and scores the held-out requests. On these out-of-fold
scores:

- ``min_confidence`` and ``secondary_threshold`` are chosen on a grid to maximise the
  mean of primary accuracy, topic-set micro F1 and out-of-scope F1 (the three headline
  metrics of ``evaluate``);
- ``min_gap`` is the largest gap on its grid under which the accepted best topic is
  right less than half the time, on the held-out in-scope requests: below it, asking
  "which one?" beats guessing (Rasa's ambiguity threshold).

The evaluation sets (eval/*.jsonl, shared/eval/sample.jsonl) are never read here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from knowledge.models import KnowledgeBase

from .evaluate import Case, metrics, report
from .training import examples, fit_examples

CONFIDENCE_GRID = [round(float(x), 2) for x in np.arange(0.05, 0.61, 0.05)]
SECONDARY_GRID = [round(float(x), 2) for x in np.arange(0.10, 0.91, 0.05)]
GAP_GRID = [0.0, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3]


def out_of_fold_scores(
    kb: KnowledgeBase, *, folds: int = 5, seed: int = 0, **params: Any
) -> tuple[list[Case], np.ndarray, Any]:
    data = examples(kb)
    strata = [e.labels[0] if e.labels else "-" for e in data]
    rows = np.zeros((len(data), len(kb.topics) + 1))
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    clf = None
    for train_idx, test_idx in split.split(np.zeros(len(data)), strata):
        clf = fit_examples(kb, [data[i] for i in train_idx], **params)
        rows[test_idx] = clf.scores([data[i].text for i in test_idx])
    cases = [Case(e.text, e.labels, e.source, e.lang) for e in data]
    return cases, rows, clf


def _objective(m: dict[str, Any]) -> float:
    return (m["primary_accuracy"] + m["topic_set"]["f1"] + m["out_of_scope"]["f1"]) / 3


def cross_validate(kb: KnowledgeBase, *, folds: int = 5, seed: int = 0, **params: Any) -> dict[str, Any]:
    cases, rows, clf = out_of_fold_scores(kb, folds=folds, seed=seed, **params)
    best: tuple[float, float, float] | None = None
    for conf in CONFIDENCE_GRID:
        for sec in SECONDARY_GRID:
            clf.set_params(min_confidence=conf, secondary_threshold=sec)
            score = _objective(metrics(cases, [clf.decide(r).topic_ids for r in rows]))
            if best is None or score > best[0] + 1e-9:
                best = (score, conf, sec)
    assert best is not None
    _, conf, sec = best
    clf.set_params(min_confidence=conf, secondary_threshold=sec, min_gap=0.0)
    decisions = [clf.decide(r) for r in rows]
    gaps = []  # (gap between the two best topics, best accepted topic is right)
    for case, d, row in zip(cases, decisions, rows):
        if case.expected and len(d.topics) == 1 and len(d.candidates) > 1:
            gaps.append((d.candidates[0].confidence - d.candidates[1].confidence,
                         d.topics[0].id in case.expected))
    gap = 0.0
    for g in GAP_GRID[1:]:
        below = [ok for x, ok in gaps if x < g]
        if below and sum(below) / len(below) < 0.5:
            gap = g
    clf.set_params(min_gap=gap)
    m = metrics(cases, [clf.decide(r).topic_ids for r in rows])
    chosen = {"min_confidence": conf, "secondary_threshold": sec, "min_gap": gap}
    text = (
        f"{folds}-fold cross-validation on {len(cases)} knowledge-base requests "
        f"(kind = source: example, combo, oos)\n"
        f"chosen thresholds: {chosen}\n" + report(m)
    )
    return {"thresholds": chosen, "metrics": m, "report": text}
