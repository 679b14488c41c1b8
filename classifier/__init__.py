"""Text -> topics of the knowledge base (see docs/ARCHITECTURE.md, "classifier").

    from classifier import load_classifier
    clf = load_classifier(kb)            # fitted once, then loaded from the cache
    clf.classify("on veut un blogue")    # Classification(language="fr", topics=(...), ...)

Importing this package imports neither numpy nor scikit-learn (commands that only read
the database must start at once): the names below are loaded on first use. The bot
answers with the served model (numpy only); scikit-learn is imported to fit a model, and
when ``TopicClassifier`` (the estimator) is asked for.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .language import detect_language
from .result import Classification, TopicScore

_LAZY = {
    "OUT_OF_SCOPE": ".decision",
    "LazyClassifier": ".lazy",
    "ServedClassifier": ".serving",
    "TopicClassifier": ".model",
    "load_classifier": ".cache",
}

__all__ = ["Classification", "TopicScore", "detect_language", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
