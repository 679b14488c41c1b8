"""Plan First's knowledge base: YAML in both languages, loaded into frozen models.

Entry point: `load_knowledge_base(path=None) -> KnowledgeBase`, which raises
`KnowledgeBaseError` (its `problems`: every `Problem(file, line, field, message)` found).
"""

from . import models
from .errors import KnowledgeBaseError, Problem
from .loader import load_knowledge_base
from .models import KnowledgeBase

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "Problem", "load_knowledge_base", "models"]
