"""Choosing the decision thresholds, the embedding's weight and the cascade's margin by
cross-validation on the knowledge base itself.

The knowledge base's requests (topic examples, combos, out-of-scope examples) are split
into stratified folds; with an embedding model, an example and its translation are kept in
the same fold (``translation_groups``), else a held-out English example would be placed by
its French twin in the training folds and the embeddings' gain would look larger than it
is (README, "Embeddings"). For each fold a classifier is fitted on the others (plus every
topic's names and aliases) and scores the held-out requests. With an embedding model, the
embedding stage (``stage.py``) is fitted in the same folds, once per weight of
``WEIGHT_GRID``. On these out-of-fold scores:

- for the n-gram model, then for the stage at each weight: ``alias_boost``,
  ``min_confidence`` and ``secondary_threshold`` are chosen on a grid to maximise the
  mean of primary accuracy, topic-set micro F1 and out-of-scope F1 (the three headline
  metrics of ``evaluate``); ``min_gap``: the held-out in-scope requests with one accepted
  topic are binned by the gap between their two best topics (``GAP_GRID``); ``min_gap`` is
  the upper edge of the last bin, scanning up from 0, where the accepted topic is right
  less than half the time: under it, asking "which one?" beats guessing (Rasa's ambiguity
  threshold). The stage's weight is the one whose tuned objective is best;
- the cascade's ``margin``: requests whose n-gram decision is closer than it to flipping
  (``DecisionRules.uncertainty``) go to the stage. Candidates are the uncertainty's
  quantiles up to ``MAX_SHARE`` of the requests (so that the median request never waits
  for an embedding); the margin with the best objective wins, the smaller share on ties.

The evaluation sets (eval/*.jsonl and any sample kept outside the project) are never read here.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from knowledge.models import KnowledgeBase
from knowledge.text import normalise

from .decision import DecisionRules
from .embeddings import Embedder, embed_texts
from .evaluate import Case, metrics, report
from .model import TopicClassifier
from .stage import StageRules, stage_probs
from .training import Example, examples, fit_examples, fit_stage_on, training_texts

CONFIDENCE_GRID = [round(float(x), 2) for x in np.arange(0.05, 0.61, 0.05)]
SECONDARY_GRID = [round(float(x), 2) for x in np.arange(0.10, 0.91, 0.05)]
BOOST_GRID = [0.0, 0.25, 0.5, 0.75]
GAP_GRID = [0.0, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3]
WEIGHT_GRID = [0.5, 1.0, 2.0, 4.0, 8.0]
MAX_SHARE = 0.4
"""At most this share of the knowledge base's requests may go to the embedding stage: the
median request must stay on the n-gram path (under a millisecond) even on harder requests
than the examples, which are less often sure (the dev set sends more of them)."""
SHARE_GRID = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]


def translation_groups(data: list[Example], vectors: np.ndarray) -> np.ndarray:
    """A group id per example: an example whose nearest example (cosine of the embeddings)
    has the same labels and is in the other language is taken for its translation, and
    linked to it; linked examples form one group (mostly pairs: 79% of the shipped base's
    examples are linked, no group above 7). No threshold, so any embedding model will do."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    nearest = sims.argmax(axis=1)
    rows = [i for i, j in enumerate(nearest) if data[i].labels == data[j].labels and data[i].lang != data[j].lang]
    links = csr_matrix((np.ones(len(rows)), (rows, nearest[rows])), shape=sims.shape)
    return connected_components(links, directed=False)[1]


def out_of_fold_scores(
    kb: KnowledgeBase, *, folds: int = 5, seed: int = 0, embedder: Embedder | None = None,
    weights: list[float] | None = None, **params: Any
) -> tuple[list[Case], np.ndarray, np.ndarray, TopicClassifier, dict[float, np.ndarray]]:
    """Held-out cases, the n-gram model's probabilities and alias similarities, the last
    fold's classifier (to apply decision rules with other thresholds), and with an
    embedder the stage's held-out probabilities for each weight."""
    data = examples(kb)
    strata = [e.labels[0] if e.labels else "-" for e in data]
    probs = np.zeros((len(data), len(kb.topics) + 1))
    sims = np.zeros((len(data), len(kb.topics)))
    staged = {w: np.zeros_like(probs) for w in (weights or WEIGHT_GRID)} if embedder else {}
    vectors: dict[str, np.ndarray] = {}
    if embedder is not None:
        texts = [e.text for e in training_texts(kb)]
        vectors = dict(zip(texts, embed_texts(texts, embedder=embedder), strict=True))
    if vectors:
        groups = translation_groups(data, np.vstack([vectors[e.text] for e in data]))
        splits = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(
            np.zeros(len(data)), strata, groups)
    else:
        splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(data)), strata)
    clf = None
    for train_idx, test_idx in splits:
        train = [data[i] for i in train_idx]
        clf = fit_examples(kb, train, **params)
        docs = [normalise(data[i].text) for i in test_idx]
        probs[test_idx], sims[test_idx] = clf.raw_scores(docs)
        if staged:
            fitted_on = training_texts(kb, train)
            matrix = np.vstack([vectors[e.text] for e in fitted_on])
            held_features = clf.pipeline_.named_steps["features"].transform(docs)
            held_vectors = np.vstack([vectors[data[i].text] for i in test_idx])
            for weight in staged:
                stage = fit_stage_on(clf, fitted_on, matrix, weight=weight)
                staged[weight][test_idx] = stage_probs(stage, held_features, held_vectors)
    assert clf is not None
    cases = [Case(e.text, e.labels, e.source, e.lang) for e in data]
    return cases, probs, sims, clf, staged


def predictions(rules: DecisionRules, rows: np.ndarray) -> list[tuple[str, ...]]:
    """Accepted topic ids per row, best first (the decision rule, vectorised)."""
    mask = rules.accepted(rows)
    order = np.argsort(-rows[:, :-1], axis=1, kind="stable")
    return [tuple(rules.topics_[j] for j in order[i] if mask[i, j]) for i in range(len(rows))]


def objective(m: dict[str, Any]) -> float:
    return (m["primary_accuracy"] + m["topic_set"]["f1"] + m["out_of_scope"]["f1"]) / 3


def choose_thresholds(rules: Any, cases: list[Case], probs: np.ndarray,
                      sims: np.ndarray) -> tuple[float, dict[str, float]]:
    """Set the best thresholds on `rules` (estimator or stage rules); their objective."""
    best: tuple[float, dict[str, float]] | None = None
    for boost in BOOST_GRID:
        _set(rules, alias_boost=boost)
        rows = rules.combine(probs, sims)
        for conf in CONFIDENCE_GRID:
            for sec in SECONDARY_GRID:
                _set(rules, min_confidence=conf, secondary_threshold=sec)
                score = objective(metrics(cases, predictions(rules, rows)))
                if best is None or score > best[0] + 1e-9:
                    best = (score, {"alias_boost": boost, "min_confidence": conf, "secondary_threshold": sec})
    assert best is not None
    chosen = best[1]
    _set(rules, **chosen, min_gap=0.0)
    rows = rules.combine(probs, sims)
    gaps = []  # (gap between the two best topics, the one accepted topic is right)
    for case, d in zip(cases, (rules.decide(r) for r in rows), strict=True):
        if case.expected and len(d.topics) == 1 and len(d.candidates) > 1:
            gaps.append((d.candidates[0].confidence - d.candidates[1].confidence, d.topics[0].id in case.expected))
    chosen["min_gap"] = 0.0
    for low, high in itertools.pairwise(GAP_GRID):
        band = [ok for x, ok in gaps if low <= x < high]
        if band and sum(band) / len(band) >= 0.5:
            break
        chosen["min_gap"] = high
    _set(rules, **chosen)
    return best[0], chosen


def _set(rules: Any, **values: float) -> None:
    if hasattr(rules, "set_params"):
        rules.set_params(**values)
    else:
        for name, value in values.items():
            setattr(rules, name, value)


def decisions(rules: Any, rows: np.ndarray) -> list[tuple[str, ...]]:
    return [d.topic_ids for d in (rules.decide(r) for r in rows)]


def choose_margin(clf: TopicClassifier, stage: StageRules, cases: list[Case], fast_rows: np.ndarray,
                  stage_rows: np.ndarray) -> dict[str, Any]:
    """The cascade's margin on out-of-fold rows: best objective with at most MAX_SHARE staged."""
    uncertainty = clf.uncertainty(fast_rows)
    fast, slow = decisions(clf, fast_rows), decisions(stage, stage_rows)
    best: dict[str, Any] | None = None
    for share in [s for s in SHARE_GRID if s <= MAX_SHARE]:
        margin = float(np.quantile(uncertainty, share))
        staged = uncertainty < margin
        m = metrics(cases, [s if go else f for f, s, go in zip(fast, slow, staged, strict=True)])
        score = objective(m)
        if best is None or score > best["objective"] + 1e-9:
            best = {"margin": round(margin, 4), "share": float(staged.mean()), "objective": score, "metrics": m,
                    "predicted": [s if go else f for f, s, go in zip(fast, slow, staged, strict=True)]}
    assert best is not None
    return best


def goal_only(kb: KnowledgeBase, cases: list[Case], predicted: list[tuple[str, ...]]) -> float:
    """Primary accuracy on the examples of objective topics: goals stated without a tool."""
    hits = [bool(p) and p[0] in c.expected for c, p in zip(cases, predicted, strict=True)
            if c.kind == "example" and c.expected and kb.topics[c.expected[0]].level == "objective"]
    return round(sum(hits) / max(len(hits), 1), 4)


def _scored(kb: KnowledgeBase, cases: list[Case], predicted: list[tuple[str, ...]]) -> dict[str, Any]:
    """``metrics`` plus primary accuracy on goal-only requests."""
    return metrics(cases, predicted) | {"goal_only_primary_accuracy": goal_only(kb, cases, predicted)}


def cross_validate(kb: KnowledgeBase, *, folds: int = 5, seed: int = 0, embedder: Embedder | None = None,
                   **params: Any) -> dict[str, Any]:
    cases, probs, sims, clf, staged = out_of_fold_scores(kb, folds=folds, seed=seed, embedder=embedder, **params)
    shipped = {name: getattr(clf, name) for name in ("alias_boost", "min_confidence", "secondary_threshold", "min_gap")}
    score, chosen = choose_thresholds(clf, cases, probs, sims)
    m = _scored(kb, cases, decisions(clf, clf.combine(probs, sims)))
    text = (f"{folds}-fold cross-validation on {len(cases)} knowledge-base requests "
            f"(kind = source: example, combo, oos)\n"
            f"n-gram model: chosen {chosen} (objective {score:.3f}); goal-only examples (objective topics): "
            f"primary {m['goal_only_primary_accuracy']:.3f}\n" + report(m))
    result: dict[str, Any] = {"thresholds": chosen, "metrics": m, "report": text}
    if not staged or embedder is None:
        return result
    # The cascade is judged beside the n-gram model as it is served (its constructor's
    # thresholds), which is what it would replace, not beside thresholds nobody ships.
    _set(clf, **shipped)
    fast_rows = clf.combine(probs, sims)
    served = _scored(kb, cases, decisions(clf, fast_rows))
    score = objective(served)
    text += (f"\n\nn-gram model as served {shipped} (objective {score:.3f}; goal-only primary "
             f"{served['goal_only_primary_accuracy']:.3f}):\n" + report(served))
    result["served_ngrams"] = {"thresholds": shipped, "metrics": served}
    chosen = shipped
    by_weight = {}
    for weight, stage_probs_ in staged.items():
        rules = StageRules(clf, chosen)
        stage_score, stage_chosen = choose_thresholds(rules, cases, stage_probs_, sims)
        by_weight[weight] = (stage_score, stage_chosen, rules)
    weight = max(by_weight, key=lambda w: by_weight[w][0])
    stage_score, stage_chosen, rules = by_weight[weight]
    stage_rows = rules.combine(staged[weight], sims)
    stage_predicted = decisions(rules, stage_rows)
    stage_metrics = _scored(kb, cases, stage_predicted)
    cascade = choose_margin(clf, rules, cases, fast_rows, stage_rows)
    cascade["metrics"]["goal_only_primary_accuracy"] = goal_only(kb, cases, cascade.pop("predicted"))
    result["stage"] = {"embedder": embedder.id, "weight": weight, "thresholds": stage_chosen,
                       "objectives_by_weight": {w: round(v[0], 4) for w, v in by_weight.items()},
                       "metrics": stage_metrics}
    result["cascade"] = {k: v for k, v in cascade.items() if k != "metrics"} | {"metrics": cascade["metrics"]}
    result["report"] = (
        text + f"\n\nembedding stage ({embedder.id}): weight {weight} (objective by weight "
        f"{result['stage']['objectives_by_weight']}), thresholds {stage_chosen}\n"
        f"the stage alone, on every request (goal-only primary {stage_metrics['goal_only_primary_accuracy']:.3f}):\n"
        + report(stage_metrics)
        + f"\n\ncascade: margin {cascade['margin']} sends {cascade['share']:.0%} of the requests to the stage "
        f"(objective {cascade['objective']:.3f}, n-grams as served {score:.3f}; goal-only primary "
        f"{cascade['metrics']['goal_only_primary_accuracy']:.3f})\n" + report(cascade["metrics"])
    )
    return result
