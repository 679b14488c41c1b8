"""Small readings around the conversation: contradictions between answers, pasted emails.

Kept apart from the engine so the state machine reads as moves: these answer yes/no
questions about text and answers, from the knowledge base's data.
"""

from __future__ import annotations

from collections.abc import Mapping

from advisor.commands import bare, match_command
from knowledge.models import KnowledgeBase

SIGN_OFFS = ("cordialement", "merci", "merci beaucoup", "bonne journee", "a bientot", "regards", "best regards",
             "thanks", "thank you", "cheers", "best", "sincerely", "salutations", "bien a vous")
"""Closing words of an email: with at most a name after them, the rest of the message is a signature."""
MAX_GREETING_WORDS = 4
"""A first line of a few words that starts with a greeting ("Bonjour Marie,") is a greeting."""


def contradiction_in(kb: KnowledgeBase, answers: Mapping[str, str]) -> tuple[str, ...] | None:
    """The two fields of the first contradiction of capacity.yaml the answers match, if any."""
    for contradiction in kb.contradictions:
        if all(answers.get(f) in choices for f, choices in contradiction.when.items()):
            return tuple(contradiction.when)
    return None


def contradiction_why(kb: KnowledgeBase, fields: tuple[str, ...], lang: str) -> str:
    for contradiction in kb.contradictions:
        if tuple(contradiction.when) == fields:
            return contradiction.why(lang)
    return ""


def strip_pleasantries(kb: KnowledgeBase, text: str) -> str:
    """A pasted email without its greeting line and its sign-off: what is left is the request."""
    lines = [line for line in text.splitlines() if line.strip()]
    while lines and _is_greeting(kb, lines[0]):
        lines.pop(0)
    for i, line in enumerate(lines):
        if i and bare(line) in SIGN_OFFS:
            lines = lines[:i]
            break
    return "\n".join(lines).strip()


def _is_greeting(kb: KnowledgeBase, line: str) -> bool:
    words = bare(line).split()
    if not words or len(words) > MAX_GREETING_WORDS:
        return False
    return match_command(kb, line) == "greeting" or match_command(kb, words[0]) == "greeting"
