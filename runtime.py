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
from reading.lazy import LazyReader
from storage.opening import is_url, open_store
from storage.sql_store import SqlStore
from training.roleplay.service import RolePlayService
from training.service import QuizService

log = logging.getLogger(__name__)
PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_DB = PROJECT_DIR / "data" / "planfirst.sqlite3"
DEFAULT_DB_TIMEOUT = 5.0


def default_db_path() -> str:
    """PLANFIRST_DB if set (a SQLite path or a postgresql:// URL), else data/planfirst.sqlite3
    in the project."""
    return os.environ.get("PLANFIRST_DB") or str(DEFAULT_DB)


def db_timeout() -> float:
    """Seconds a write waits for another program's lock: PLANFIRST_DB_TIMEOUT, else 5."""
    text = os.environ.get("PLANFIRST_DB_TIMEOUT", "")
    try:
        value = float(text) if text else DEFAULT_DB_TIMEOUT
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        log.warning("PLANFIRST_DB_TIMEOUT=%r is not a number of seconds (0-3600): using %g", text, DEFAULT_DB_TIMEOUT)
        return DEFAULT_DB_TIMEOUT
    return value


def briefs_folder(db_path: str, chosen: str | None = None) -> Path:
    """Where the console writes brief files: `chosen` (--briefs), else `<database>-briefs`
    next to the database, so two databases never share a folder (a database in memory gets
    a fresh temporary folder; a PostgreSQL database, `data/<server and database>-briefs`)."""
    from storage.brief_files import default_folder
    from storage.sqlite_open import in_memory

    if chosen:
        return Path(chosen)
    if is_url(db_path):
        from storage.opening import label

        name = "".join(c if c.isalnum() or c in "._-" else "_" for c in label(db_path).split("://", 1)[-1])
        return PROJECT_DIR / "data" / f"{name}-briefs"
    if in_memory(db_path):
        import tempfile

        return Path(tempfile.mkdtemp(prefix="planfirst-briefs-"))
    return default_folder(db_path)


@dataclass
class Runtime:
    """The knowledge base, its classifier, the store and the services built on them."""

    kb_path: str | None
    kb: KnowledgeBase
    classifier: LazyClassifier
    store: SqlStore
    advisor: AdvisorService
    quiz: QuizService
    roleplay: RolePlayService | None = None
    reader: LazyReader | None = None

    def reload(self) -> list[str]:
        """Reload and validate the knowledge base; on problems keep the old one and return them."""
        try:
            kb = load_knowledge_base(self.kb_path)
        except KnowledgeBaseError as exc:
            return [str(p) for p in exc.problems]
        classifier = LazyClassifier(kb, on_fit=self.classifier.on_fit)
        classifier.get()  # the new base is checked and its model ready before it goes live
        reader = LazyReader(kb)
        reader.get()
        self.kb, self.classifier, self.reader = kb, classifier, reader
        self.advisor.swap(kb, classifier, reader)
        self.quiz.swap(kb)
        if self.roleplay is not None:
            self.roleplay.swap(kb)
        log.info("knowledge base reloaded: %d topics", len(kb.topics))
        return []


def build_runtime(kb_path: str | None = None, db_path: str | None = None,
                  default_lang: str = "fr", *, read_only: bool = False) -> Runtime:
    """Load (and validate) the knowledge base, open the store (`read_only`: for commands that
    only read, so they work on a file they may not write); the classifier loads on first use.

    Raises KnowledgeBaseError when the base is invalid, StoreError when the database cannot be
    used: callers print it and exit 2.
    """
    kb = load_knowledge_base(kb_path)
    store = open_store(db_path or default_db_path(), read_only=read_only, busy_timeout=db_timeout())
    classifier = LazyClassifier(kb)
    reader = LazyReader(kb)
    advisor = AdvisorService(kb, classifier, store, reader=reader, default_lang=default_lang)
    return Runtime(kb_path, kb, classifier, store, advisor, QuizService(kb, store), RolePlayService(kb, store),
                   reader=reader)
