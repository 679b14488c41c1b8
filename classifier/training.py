"""Training data from the knowledge base, and fitting a classifier on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from knowledge.models import LANGS, KnowledgeBase
from knowledge.text import normalise

from .decision import OUT_OF_SCOPE
from .model import TopicClassifier
from .stage import StageWeights, fit_stage

Source = Literal["example", "combo", "oos", "alias"]


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    """Topic ids; empty = out of scope."""
    source: Source
    lang: str


def examples(kb: KnowledgeBase) -> list[Example]:
    """Requests as clients write them: topic examples, combos, out-of-scope examples."""
    out = [
        Example(text, (topic.id,), "example", lang)
        for topic in kb.topics.values()
        for lang in LANGS
        for text in topic.examples.get(lang, ())
    ]
    out += [Example(c.text, tuple(c.topics), "combo", c.lang) for c in kb.combos]
    out += [
        Example(text, (), "oos", lang)
        for lang in LANGS
        for text in kb.out_of_scope.get(lang, ())
    ]
    return out


def name_examples(kb: KnowledgeBase) -> list[Example]:
    """Each topic's name and aliases as tiny requests ("blogue", "SEO"): a topic named
    outright is about that topic. Never held out when thresholds are cross-validated."""
    out = []
    for topic in kb.topics.values():
        for lang in LANGS:
            names = (topic.name(lang), *topic.aliases.get(lang, ()))
            out += [Example(name, (topic.id,), "alias", lang) for name in dict.fromkeys(names)]
    return out


def fit_examples(
    kb: KnowledgeBase, train: list[Example], **params: Any
) -> TopicClassifier:
    """Fit on `train` (plus the names and aliases), with the knowledge base's aliases."""
    data = training_texts(kb, train)
    return TopicClassifier(**params).fit(
        [e.text for e in data],
        [e.labels for e in data],
        aliases={t.id: t.all_aliases() for t in kb.topics.values()},
        levels={t.id: t.level for t in kb.topics.values()},
    )


def fit_kb(kb: KnowledgeBase, **params: Any) -> TopicClassifier:
    """A classifier fitted on everything the knowledge base holds."""
    return fit_examples(kb, examples(kb), **params)


def training_texts(kb: KnowledgeBase, train: list[Example] | None = None) -> list[Example]:
    """What a classifier is fitted on: `train` (default: every request) plus the names."""
    return (examples(kb) if train is None else train) + name_examples(kb)


def fit_stage_on(clf: TopicClassifier, data: list[Example], vectors: np.ndarray, *, weight: float) -> StageWeights:
    """The embedding stage over `clf`'s own TF-IDF features, on the texts `clf` was fitted
    on (`data`, as from ``training_texts``) and their embeddings (`vectors`, same order)."""
    features = clf.pipeline_.named_steps["features"].transform([normalise(e.text) for e in data])
    index = {c: i for i, c in enumerate(clf.classes_)}
    y = np.zeros((len(data), len(index)), dtype=np.int64)
    for row, e in enumerate(data):
        for label in e.labels or (OUT_OF_SCOPE,):
            y[row, index[label]] = 1
    return fit_stage(features, vectors, y, weight=weight, C=clf.C, class_weight=clf.class_weight)
