"""Builds Plan First's dependencies once, for every entry point (console, advise, Discord).

The classifier is a `LazyClassifier`: loaded (or fitted, the first time) when a request
is first classified, or sooner with `runtime.classifier.preload()`, so commands that only
read the database start at once. Tests build the same pieces with a `:memory:` store;
nothing here reaches the network.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from advisor.service import AdvisorService
from classifier.lazy import LazyClassifier
from knowledge import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from storage.sqlite_store import SqliteStore
from training.service import QuizService

log = logging.getLogger(__name__)
PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_DB = PROJECT_DIR / "data" / "planfirst.sqlite3"
DEFAULT_BRIEFS = PROJECT_DIR / "data" / "briefs"


def default_db_path() -> str:
    """PLANFIRST_DB if set, else data/planfirst.sqlite3 in the project."""
    return os.environ.get("PLANFIRST_DB") or str(DEFAULT_DB)


@dataclass
class Runtime:
    """The knowledge base, its classifier, the store and the services built on them."""

    kb_path: str | None
    kb: KnowledgeBase
    classifier: LazyClassifier
    store: SqliteStore
    advisor: AdvisorService
    quiz: QuizService

    def reload(self) -> list[str]:
        """Reload and validate the knowledge base; on problems keep the old one and return them."""
        try:
            kb = load_knowledge_base(self.kb_path)
        except KnowledgeBaseError as exc:
            return [str(p) for p in exc.problems]
        classifier = LazyClassifier(kb, on_fit=self.classifier.on_fit)
        classifier.get()  # the new base is checked and its model ready before it goes live
        self.kb, self.classifier = kb, classifier
        self.advisor.swap(kb, classifier)
        self.quiz.swap(kb)
        log.info("knowledge base reloaded: %d topics", len(kb.topics))
        return []


def build_runtime(kb_path: str | None = None, db_path: str | None = None,
                  default_lang: str = "fr") -> Runtime:
    """Load (and validate) the knowledge base, open the store; the classifier loads on first use.

    Raises KnowledgeBaseError when the base is invalid: callers print it and exit 2.
    """
    kb = load_knowledge_base(kb_path)
    classifier = LazyClassifier(kb)
    store = SqliteStore(db_path or default_db_path())
    advisor = AdvisorService(kb, classifier, store, default_lang=default_lang)
    return Runtime(kb_path, kb, classifier, store, advisor, QuizService(kb, store))
