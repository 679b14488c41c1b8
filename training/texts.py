"""The quiz's strings, looked up by key in French or English.

They live in `knowledge/messages_quiz.yaml`, which the loader merges into `kb.messages`
(a base folder without it gets the shipped catalogue underneath), so `/kb reload`
refreshes them like every other text.
"""

from __future__ import annotations

from knowledge.models import KnowledgeBase


def msg(kb: KnowledgeBase, key: str, lang: str, **values: object) -> str:
    """A quiz message in `lang`."""
    return kb.msg(key, lang, **values)


def field_name(kb: KnowledgeBase, field_id: str, lang: str) -> str:
    """A capacity field's short name (`field_<id>` in messages.yaml)."""
    return kb.msg(f"field_{field_id}", lang)
