"""Recognising commands and choice picks in what the user typed.

Command words (aide/help, retour/back, ...) live in `knowledge/messages.yaml`, so an agency
can add "menu" or "reviens" without touching code. Matching is exact on normalised text:
a command is a whole message, never a word inside a request ("retour sur investissement"
must not go back a step).
"""

from __future__ import annotations

import re
from typing import Sequence

from advisor.replies import ChoiceOption
from knowledge.models import KnowledgeBase
from knowledge.text import normalise

_PUNCT = re.compile(r"[!?.…,;:()\[\]«»\"*_~`>#-]+")


def bare(text: str) -> str:
    """Normalised text without punctuation or markdown, for whole-message comparisons."""
    return " ".join(_PUNCT.sub(" ", normalise(text)).split())


YES_NO = ("yes", "no")
"""Catalogue entries that answer a yes-or-no question and are never commands on their own."""


def match_command(kb: KnowledgeBase, text: str) -> str | None:
    """The command id the whole message is, if it is one (also with a leading "/" or "!")."""
    found = match_command_lang(kb, text)
    return found[0] if found else None


def yes_or_no(kb: KnowledgeBase, text: str) -> str | None:
    """"yes" or "no" when the whole message says it ("oui", "yep", "c'est ça", "nope")."""
    raw, key = normalise(text).strip(), bare(text)
    for answer in YES_NO:
        words = [w for ws in kb.commands.get(answer, {}).values() for w in ws]
        if any(raw == normalise(w) or (key and key == bare(w)) for w in words):
            return answer
    return None


def after_no(kb: KnowledgeBase, text: str) -> str | None:
    """What follows a "no" that opens a longer answer ("no, not really, it's more about how
    people see us" -> "it's more about how people see us"); "" for a bare "no"; None when the
    message does not start with a no."""
    if yes_or_no(kb, text) == "no":
        return ""
    words = sorted((w for ws in kb.commands.get("no", {}).values() for w in ws), key=len, reverse=True)
    raw = normalise(text).strip()
    unsure = [normalise(w) for ws in kb.commands.get("dont_know", {}).values() for w in ws]
    if any(raw.startswith(w) for w in unsure):  # "no idea" is not a no
        return None
    for word in words:
        head = normalise(word)
        if raw.startswith(head) and re.match(r"[\s,;.!:-]", raw[len(head):len(head) + 1] or "x"):
            rest = text.strip()[len(head):].lstrip(" ,;.!:-")
            for again in words:  # "no, not really, ..."
                if normalise(rest).startswith(normalise(again)) and re.match(
                        r"[\s,;.!:-]|$", normalise(rest)[len(normalise(again)):len(normalise(again)) + 1]):
                    rest = rest[len(again):].lstrip(" ,;.!:-")
                    break
            return rest
    return None


def match_command_lang(kb: KnowledgeBase, text: str) -> tuple[str, str | None] | None:
    """The command and the language its word belongs to (None when both languages use it)."""
    raw = normalise(text).lstrip("/!").strip()
    key = bare(raw)
    for command, by_lang in kb.commands.items():
        if command in YES_NO:
            continue
        langs = [lang for lang, words in by_lang.items()
                 if any(raw == normalise(w) or (key and key == bare(w)) for w in words)]
        if langs:
            return command, langs[0] if len(langs) == 1 else None
    return None


def pick_choice(text: str, options: Sequence[ChoiceOption]) -> ChoiceOption | None:
    """The option a message picks: its number in the list, its value, or its label."""
    key = bare(text)
    if not key:
        return None
    if key.isdigit():
        index = int(key) - 1
        return options[index] if 0 <= index < len(options) else None
    for option in options:
        if key == bare(option.value) or key == bare(option.label):
            return option
    return None
