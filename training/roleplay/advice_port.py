"""The one place where the role-play meets the advice rules.

The right answer of a role-play is what the advisor would recommend for the hidden profile:
the same `advisor.advice` code that advises real intakes, never a copy. Every call to that
API is in this module, and the profile handed to it is built by one function,
`advice_profile`. The rules read the capacity answers, the client's `objective` (an objective
topic id or "none") and situation.yaml's fields (regulated, market, clientele, reach, and the
topic's own: build_budget, use_frequency, interactive_kind...), all from one mapping: the
scenario's hidden profile carries every key its topic's rules read (`topic_fields`).

Which junior move reveals which key (`key_move`, `move_keys`) is decided here too, so a key
the rules come to need is scored by the debrief as soon as the rules use it: the objective
by the `objective` move; regulated, market, clientele and reach by `situation`; the
situation fields told with another answer by that move (`REVEALED_WITH`: who exactly
produces with `producer`, what changes with `change_frequency`); every other field (a build
budget, how often an app would be opened, animations or tools) by the move of the same name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from advisor.advice import next_question, select_rule
from advisor.recommend import recommendation
from knowledge.models import OBJECTIVE_KEY, KnowledgeBase, Rule
from knowledge.roleplay_models import REVEALED_WITH, SITUATION_BLOCK

SITUATION_KEYS = ("objective", "sector", "clientele", "regulated", "reach", "market")
"""Hidden keys drawn with the scenario's sector, market and reach, and its objective (an
objective topic id or "none")."""
SITUATION_MOVE = "situation"


def key_move(key: str) -> str:
    """The junior move that reveals `key`: "objective", "situation", another move that tells it
    (REVEALED_WITH), or the field itself."""
    if key == OBJECTIVE_KEY:
        return OBJECTIVE_KEY
    if key in SITUATION_KEYS or key in SITUATION_BLOCK:
        return SITUATION_MOVE
    return REVEALED_WITH.get(key, key)


def move_keys(kb: KnowledgeBase, move: str) -> tuple[str, ...]:
    """The keys a move reveals (none for leading, warn, off_topic...)."""
    if move == OBJECTIVE_KEY:
        return (OBJECTIVE_KEY,)
    if move == SITUATION_MOVE:
        return SITUATION_KEYS[1:]
    told = tuple(k for k, by in REVEALED_WITH.items() if by == move)
    own = (move,) if any(f.id == move for f in kb.fields()) else ()
    return own + told


def topic_fields(kb: KnowledgeBase, topic_id: str) -> set[str]:
    """The fields (and the objective) some rule of the topic reads."""
    return {key for rule in kb.rules.get(topic_id, ()) for key in rule.when}


def advice_profile(values: Mapping[str, str], known: Iterable[str] | None = None) -> dict[str, str]:
    """THE profile given to the advice API: the hidden values (capacity answers, objective and
    situation), restricted to the `known` keys when given (what a junior found out), all of them
    otherwise. The rules complete an unknown field with its cautious value; an unknown objective
    stays absent, so no rule conditioned on an objective applies (as with "unknown" in the
    advisor: no rule accepts it) while `next_question` still counts those rules as possible."""
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
