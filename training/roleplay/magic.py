"""Did the junior name the magic thinking of *this* topic?

Each topic's magic thinking is in the knowledge base already: its `warnings` and what
clients usually mean (`clients_mean`). A junior's warnings (the sentences recognised as
`warn`) are compared with every topic's, in TF-IDF space (word and character n-grams on
normalised text, like the classifier): when the closest topic is the role-play's topic,
the junior named its magic thinking; a warning closer to another topic is a generic or
misplaced one. No keyword list, so a new topic's warnings count as soon as they are written.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from knowledge.models import KnowledgeBase
from knowledge.text import normalise

_CACHE: dict[tuple[str, str], tuple[tuple[str, ...], FeatureUnion, object]] = {}
_CACHE_SIZE = 8


def _index(kb: KnowledgeBase, lang: str) -> tuple[tuple[str, ...], FeatureUnion, object]:
    key = (kb.content_hash or str(id(kb.topics)), lang)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        ids = tuple(sorted(kb.topics))
        docs = [normalise(" ".join([*(w(lang) for w in kb.topics[t].warnings), kb.topics[t].clients_mean(lang),
                                    kb.topics[t].name(lang), *kb.topics[t].aliases.get(lang, ())])) for t in ids]
        vectorizer = FeatureUnion([
            ("words", TfidfVectorizer(lowercase=False, ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(lowercase=False, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)),
        ])
        matrix = vectorizer.fit_transform(docs)
        _CACHE[key] = (ids, vectorizer, matrix)
    return _CACHE[key]


def closest_topic(kb: KnowledgeBase, texts: Sequence[str], lang: str) -> str | None:
    """The topic whose warnings the junior's warning sentences are closest to (None without any)."""
    joined = normalise(" ".join(texts))
    if not any(ch.isalnum() for ch in joined):
        return None
    ids, vectorizer, matrix = _index(kb, lang)
    query = vectorizer.transform([joined])
    scores = np.asarray((matrix @ query.T).todense()).ravel()  # type: ignore[operator]
    return ids[int(scores.argmax())] if scores.max() > 0 else None


def rate(kb: KnowledgeBase, topic_id: str, texts: Sequence[str], lang: str) -> str:
    """good: the warnings name this topic's magic thinking; fair: a warning, about something
    else; poor: no warning at all."""
    if not texts:
        return "poor"
    return "good" if closest_topic(kb, texts, lang) == topic_id else "fair"
