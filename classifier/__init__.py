"""Text -> topics of the knowledge base (see docs/ARCHITECTURE.md, "classifier").

    from classifier import load_classifier
    clf = load_classifier(kb)            # fitted once, then loaded from the cache
    clf.classify("on veut un blogue")    # Classification(language="fr", topics=(...), ...)

Importing this package does not import scikit-learn: the bot answers with the served
model (numpy only); scikit-learn is imported when a model is fitted, and when
``TopicClassifier`` (the estimator) is asked for.
"""

from __future__ import annotations

from typing import Any

from .cache import load_classifier
from .decision import OUT_OF_SCOPE
from .language import detect_language
from .result import Classification, TopicScore
from .serving import ServedClassifier

__all__ = [
    "OUT_OF_SCOPE",
    "Classification",
    "ServedClassifier",
    "TopicClassifier",
    "TopicScore",
    "detect_language",
    "load_classifier",
]


def __getattr__(name: str) -> Any:
    if name == "TopicClassifier":  # the scikit-learn estimator: imported on demand
        from .model import TopicClassifier

        return TopicClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
