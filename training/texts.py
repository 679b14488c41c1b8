"""The quiz's strings, looked up by key in French or English.

They live in `knowledge/messages_quiz.yaml`. The loader is meant to merge every
`messages*.yaml` into `kb.messages` (so `/kb reload` refreshes them); until it does, and
for a base folder without that file (test fixtures), the file is read directly here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.models import KnowledgeBase, Text

QUIZ_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "messages_quiz.yaml"


@lru_cache(maxsize=4)
def file_messages(path: Path = QUIZ_FILE) -> Mapping[str, Text]:
    """The quiz catalogue file as `Text`s (read once per path)."""
    with path.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    return {str(k): Text(fr=str(v["fr"]), en=str(v["en"])) for k, v in raw.get("messages", {}).items()}


def msg(kb: KnowledgeBase, key: str, lang: str, **values: object) -> str:
    """A quiz message in `lang`, from the live base first, then from the catalogue file."""
    entry = kb.messages.get(key) or file_messages().get(key)
    if entry is None:
        raise KeyError(f"no message {key!r} in the knowledge base or {QUIZ_FILE.name}")
    template = entry(lang)
    return template.format(**values) if values else template


def field_name(kb: KnowledgeBase, field_id: str, lang: str) -> str:
    """A capacity field's short name (`field_<id>` in messages.yaml), else its question."""
    entry = kb.messages.get(f"field_{field_id}")
    return entry(lang) if entry is not None else kb.field(field_id).question(lang)
