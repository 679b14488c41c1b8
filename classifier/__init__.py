"""Text -> topics of the knowledge base (see docs/ARCHITECTURE.md, "classifier").

    from classifier import load_classifier
    clf = load_classifier(kb)            # fitted, cached by kb.content_hash
    clf.classify("on veut un blogue")    # Classification(language="fr", topics=(...), ...)
"""

from .cache import load_classifier
from .language import detect_language
from .model import OUT_OF_SCOPE, TopicClassifier
from .result import Classification, TopicScore

__all__ = [
    "OUT_OF_SCOPE",
    "Classification",
    "TopicClassifier",
    "TopicScore",
    "detect_language",
    "load_classifier",
]
