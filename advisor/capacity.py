"""Reading content-capacity answers out of free text.

Clients answer in sentences, not forms: "c'est moi qui écrirais le soir, peut-être une
heure par semaine, nos infos changent rarement" answers three questions at once. The
patterns and number words live in `knowledge/capacity.yaml`; this module only applies
them, plus one generic reader for amounts of hours ("2-3 h", "une heure par semaine").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.models import CapacityField, KnowledgeBase
from knowledge.text import normalise

HOURS_FIELD = "weekly_hours"

_NUM = r"\d+(?:[.,]\d+)?"
_UNIT = r"(?:h(?![a-z])|hres?\b|heures?\b|hours?\b|hrs?\b)"
_PERIOD = r"(?:\s*(?:par|/|a|per|each|every|chaque|une|la|de)\s*){1,2}(semaines?|sem\b|weeks?|wk|mois|months?|jours?|days?|soirs?|evenings?)"
_WEEKS_PER_MONTH = 4.3
_WORKDAYS = 5


@dataclass(frozen=True)
class ParsedAnswer:
    """One capacity answer found in text, with the words that gave it away."""

    field: str
    choice: str
    evidence: str


@lru_cache(maxsize=8)
def _hours_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    number = "|".join([_NUM] + [re.escape(w) for w in sorted(words, key=len, reverse=True)])
    return re.compile(
        rf"\b({number})(?:\s*(?:-|a|to|ou|or|à)\s*({number}))?\s*{_UNIT}(?:\s*(\d\d))?(?:{_PERIOD})?"
    )


def _to_number(token: str, words: dict[str, float]) -> float:
    if token in words:
        return float(words[token])
    return float(token.replace(",", "."))


def weekly_hours_in(text: str, kb: KnowledgeBase) -> tuple[float, str] | None:
    """The weekly hours a text states, and the words that said it, if any."""
    words: dict[str, float] = {}
    for lang_words in kb.number_words.values():
        words.update(lang_words)
    match = _hours_regex(tuple(sorted(words))).search(text)
    if match is None:
        return None
    low = _to_number(match.group(1), words)
    high = _to_number(match.group(2), words) if match.group(2) else low
    hours = (low + high) / 2
    if match.group(3):  # "1h30"
        hours += int(match.group(3)) / 60
    period = match.group(4) or ""
    if period.startswith(("mois", "month")):
        hours /= _WEEKS_PER_MONTH
    elif period.startswith(("jour", "day", "soir", "evening")):
        hours *= _WORKDAYS
    return hours, match.group(0).strip()


def hours_choice(field: CapacityField, hours: float) -> str | None:
    """The hour bucket of `field` that holds `hours` ([low, high))."""
    for choice in field.choices:
        if choice.hours is not None and choice.hours[0] <= hours < choice.hours[1]:
            return choice.id
    return None


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def match_field(field: CapacityField, norm_text: str) -> ParsedAnswer | None:
    """The first choice of `field` whose patterns match the normalised text."""
    for choice in field.choices:
        for patterns in choice.patterns.values():
            for pattern in patterns:
                found = _compiled(pattern).search(norm_text)
                if found:
                    return ParsedAnswer(field.id, choice.id, found.group(0).strip())
    return None


def parse_capacity(kb: KnowledgeBase, text: str) -> dict[str, ParsedAnswer]:
    """Every capacity answer the text gives, keyed by field id."""
    norm = normalise(text)
    found: dict[str, ParsedAnswer] = {}
    for field in kb.capacity:
        if field.id == HOURS_FIELD:
            stated = weekly_hours_in(norm, kb)
            if stated is not None:
                choice = hours_choice(field, stated[0])
                if choice is not None:
                    found[field.id] = ParsedAnswer(field.id, choice, stated[1])
                    continue
        answer = match_field(field, norm)
        if answer is not None:
            found[field.id] = answer
    return found
