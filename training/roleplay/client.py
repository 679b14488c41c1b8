"""The client's sentences, drawn from knowledge/roleplay/*.yaml.

Each line is drawn by a `random.Random` seeded with the scenario's seed, the turn and what
is being said, so a session replays word for word (and resumes after a restart with the
same words) while two scenarios, or two turns, say things differently. Nothing is written
here: only which list a sentence comes from.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from knowledge.models import KnowledgeBase
from knowledge.roleplay_models import REVEALED_WITH, RolePlayData

from .scenario import Scenario


def _data(kb: KnowledgeBase) -> RolePlayData:
    if kb.roleplay is None:
        raise ValueError("no role-play data in this knowledge base")
    return kb.roleplay


def pick(lines: Sequence[str], scenario: Scenario, turn: int, salt: str) -> str:
    """One of `lines`, the same for the same scenario, turn and salt."""
    if not lines:
        return ""
    return random.Random(f"{scenario.id}:{turn}:{salt}").choice(list(lines))


def persona(kb: KnowledgeBase, scenario: Scenario, key: str, turn: int) -> str:
    """A generic line (vague, hedge, admit, agree...) in the scenario's language."""
    return pick(_data(kb).persona.get(key, {}).get(scenario.lang, ()), scenario, turn, key)


def answer(kb: KnowledgeBase, scenario: Scenario, field_id: str, turn: int, choice: str | None = None) -> str:
    """The plain answer to a field's question: the true choice unless `choice` is given. The
    truth goes on with what the client tells along with it (`told`: who exactly, what changes)."""
    chosen = choice or dict(scenario.profile)[field_id]
    line = _line(kb, scenario, field_id, chosen, turn)
    return line if choice else " ".join([line, *told(kb, scenario, field_id, turn)])


def told(kb: KnowledgeBase, scenario: Scenario, move: str, turn: int) -> list[str]:
    """The lines of the hidden situation fields that `move`'s answer tells too (REVEALED_WITH),
    for the fields this scenario has; a choice without lines (producer_detail `none`) adds nothing."""
    profile = dict(scenario.profile)
    out = []
    for key, by in REVEALED_WITH.items():
        if by == move and key in profile:
            lines = _data(kb).answers.get(key, {}).get(profile[key], {}).get(scenario.lang, ())
            if said := pick(lines, scenario, turn, f"{key}:{profile[key]}"):
                out.append(said)
    return out


def _line(kb: KnowledgeBase, scenario: Scenario, field_id: str, chosen: str, turn: int) -> str:
    lines = _data(kb).answers.get(field_id, {}).get(chosen, {}).get(scenario.lang, ())
    return pick(lines, scenario, turn, f"{field_id}:{chosen}") or kb.field(field_id).choice(chosen).label(scenario.lang)


def claim(kb: KnowledgeBase, scenario: Scenario, turn: int) -> str:
    """The level-3 optimistic claim (its own lines, else the claimed choice's plain answer)."""
    assert scenario.claim is not None
    field_id, chosen = scenario.claim
    lines = _data(kb).optimistic.get(field_id, {}).get(chosen, {}).get(scenario.lang, ())
    return pick(lines, scenario, turn, f"claim:{field_id}") or answer(kb, scenario, field_id, turn, chosen)


def slip(kb: KnowledgeBase, scenario: Scenario, turn: int) -> str:
    """The remark that betrays the claim."""
    assert scenario.claim is not None
    return pick(_data(kb).slips.get(scenario.claim[0], {}).get(scenario.lang, ()), scenario, turn, "slip")


def after(prefix: str, line: str) -> str:
    """`line` continued after a lead-in ("Bon, si je suis honnête : ", "Like I said: "), in lowercase
    unless it starts with "I" or an acronym."""
    if not prefix:
        return line
    first = line.split(" ", 1)[0].strip(",.;:!?")
    keep = not line or first in ("I", "I'm", "I'll", "I'd", "I've") or first[:2].isupper()
    return prefix + (line if keep else line[0].lower() + line[1:])


def objective(kb: KnowledgeBase, scenario: Scenario, turn: int) -> str:
    return pick(_data(kb).objectives.get(scenario.objective, {}).get(scenario.lang, ()), scenario, turn, "objective")


def situation(kb: KnowledgeBase, scenario: Scenario, turn: int) -> str:
    """The business (sector line), then where it sells (reach line with place and "across")."""
    data = _data(kb)
    sector = pick(data.sector(scenario.sector).lines[scenario.lang], scenario, turn, "sector")
    market = data.market(scenario.market)
    reach = pick(data.reach_of(scenario.reach).lines[scenario.lang], scenario, turn, "reach")
    return f"{sector} {reach.format(place=scenario.place, across=market.across(scenario.lang))}"


def meaning(kb: KnowledgeBase, scenario: Scenario, turn: int) -> str:
    return pick(_data(kb).topics[scenario.topic].meaning[scenario.lang], scenario, turn, "meaning")
