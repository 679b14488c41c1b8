"""The one place where the role-play meets the advice rules.

The right answer of a role-play is what the advisor would recommend for the hidden profile:
the same `advisor.advice` code that advises real intakes, never a copy. Every call to that
API is in this module, and the profile handed to it is built by one function,
`advice_profile`. When the rules learn to condition on the client's objective and situation
(sector, B2B/B2C, reach, market, regulated profession), adapting the role-play is a change
here only:
- if the new API reads extra keys from the answers (`answers["objective"]`...), nothing to do:
  `advice_profile` already passes them, under the keys of `SITUATION_KEYS`;
- if it takes a separate argument (`select_rule(kb, topic, answers, situation)`), split the
  mapping `advice_profile` returns into the two and update the three calls below.
`KEY_MOVE` says which junior move reveals each key, so a question the rules come to need
(an objective, a market) is scored by the debrief as soon as the rules use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from advisor.advice import next_question, select_rule
from advisor.recommend import recommendation
from knowledge.models import KnowledgeBase, Rule

SITUATION_KEYS = ("objective", "sector", "clientele", "regulated", "reach", "market")
"""Hidden keys besides the capacity fields; "objective" is an objective topic id or "none"."""
SITUATION_MOVE = "situation"


def key_move(key: str) -> str:
    """The junior move that reveals `key`: "objective", "situation", or the capacity field itself."""
    if key == "objective":
        return "objective"
    return SITUATION_MOVE if key in SITUATION_KEYS else key


def move_keys(kb: KnowledgeBase, move: str) -> tuple[str, ...]:
    """The keys a move reveals (none for leading, warn, off_topic...)."""
    if move == "objective":
        return ("objective",)
    if move == SITUATION_MOVE:
        return SITUATION_KEYS[1:]
    return (move,) if any(f.id == move for f in kb.capacity) else ()


def advice_profile(values: Mapping[str, str], known: Iterable[str] | None = None) -> dict[str, str]:
    """THE profile given to the advice API: the hidden values (capacity answers and situation),
    restricted to the `known` keys when given (what a junior found out), all of them otherwise.

    Today's rules read the capacity fields only and complete unknown ones with their cautious
    value; the situation keys ride along so that rules conditioning on them work unchanged.
    """
    keys = set(values) if known is None else set(known)
    return {key: value for key, value in values.items() if key in keys}


def rule_for(kb: KnowledgeBase, topic_id: str, values: Mapping[str, str],
             known: Iterable[str] | None = None) -> Rule:
    """The rule the advice gives for these values (or what the junior knew of them)."""
    return select_rule(kb, topic_id, advice_profile(values, known))


def senior_questions(kb: KnowledgeBase, topic_id: str, values: Mapping[str, str],
                     known: Iterable[str] = ()) -> list[str]:
    """The keys a senior still has to ask, in the advisor's own order, once `known` is known.

    From nothing: every question that decides the advice for this client. From what a junior
    asked: the questions they missed. Each step asks the advisor's `next_question` (the
    unanswered key that can still change the rule, most decisive first) and learns its true
    value, until no unanswered key can change the outcome.
    """
    asked = list(dict.fromkeys(known))
    missing: list[str] = []
    while True:
        key = next_question(kb, (topic_id,), advice_profile(values, asked))
        if key is None or key in asked:
            return missing
        missing.append(key)
        asked.append(key)


def senior_advice(kb: KnowledgeBase, topic_id: str, values: Mapping[str, str], lang: str) -> dict[str, Any]:
    """The advisor's full recommendation for the hidden profile (title, verdict, rationale...)."""
    return recommendation(kb, topic_id, advice_profile(values), lang)
