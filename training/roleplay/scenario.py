"""A role-play scenario: the hidden client, drawn from the knowledge base, reproducibly.

Nothing about a client is written here. The tactic asked for and its vague opening come
from knowledge/roleplay/scenarios.yaml; the hidden objective is one the tactic serves (its
`serves` list) or none at all ("the competitor has one"); the sector, market and reach are
drawn from the same file; the capacity profile is a random answer to every capacity
question, and each situation.yaml field the topic's rules read besides (a build budget, how
often an app would be opened, animations or tools...) a random answer too, kept
coherent with the capacity answers (`DETAIL_NEEDS`: an intern is staff, not the owner). The
hidden profile holds every key the advice reads, the objective included, so the expected
answer is `select_rule` on exactly that profile. One `random.Random(seed)`, consumed in a
fixed order: the same seed, level, language and base give the same client, so a trainer can
hand a seed to a whole team.

Persona by level:
1. clear and cooperative: every answer straight away;
2. vague: about half of the deciding questions first get "ça dépend" / "on verra"; asking
   again (or "concrètement?") gets the real answer;
3. optimistic: one deciding answer is claimed better than the truth ("j'écrirai le soir"),
   a later remark betrays it, and only a reality check gets the truth. The claim is chosen
   so that believing it changes the advice: catching it matters.
A level-3 scenario whose profile leaves no such claim is redrawn, objective included (up to
`MAX_DRAWS`): a client with no objective gets the "no goal" advice whatever it claims.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from knowledge.models import OBJECTIVE_KEY, KnowledgeBase
from knowledge.roleplay_models import SITUATION_BLOCK

from .advice_port import rule_for, senior_questions, topic_fields

LEVELS = (1, 2, 3)
NONE_OBJECTIVE = "none"
NO_OBJECTIVE_CHANCE = {1: 0.2, 2: 0.3, 3: 0.5}
"""How often the client has no objective at all, by level (magic thinking grows with it)."""
MAX_DRAWS = 50
DETAIL_NEEDS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("producer_detail", "intern"): ("producer", ("staff", "team")),
    ("producer_detail", "relative"): ("producer", ("owner", "staff")),
    ("producer_detail", "volunteers"): ("producer", ("staff", "team")),
}
"""A situation answer that only fits some capacity answers: (field, choice) -> (other field,
the choices it needs). An intern, a relative or volunteers produce only where someone does."""


class RolePlayUnavailable(ValueError):
    """The base has no role-play data (no knowledge/roleplay/ folder)."""


@dataclass(frozen=True)
class Scenario:
    """The hidden client. JSON through to_dict/from_dict, so a session survives a restart."""

    id: str
    seed: int
    level: int
    lang: str
    topic: str
    opening: str
    objective: str
    """An objective topic id, or "none"."""
    sector: str
    clientele: str
    regulated: str
    """The order whose advertising rules apply (situation.yaml's `regulated` choices), or "none"."""
    reach: str
    market: str
    place: str
    profile: tuple[tuple[str, str], ...]
    """(key, value) for every key the advice reads: each capacity field (capacity.yaml order), the
    situation (regulated, market, clientele, reach), the situation.yaml fields the topic's
    rules read, and the objective last."""
    vague: tuple[str, ...] = ()
    """Level 2: fields answered "ça dépend" the first time."""
    claim: tuple[str, str] | None = None
    """Level 3: (field, claimed choice), better than the truth and changing the advice."""

    def values(self) -> dict[str, str]:
        """Every hidden key and its value: the capacity answers and the situation."""
        return {**dict(self.profile), "objective": self.objective, "sector": self.sector,
                "clientele": self.clientele, "regulated": self.regulated,
                "reach": self.reach, "market": self.market}

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "seed": self.seed, "level": self.level, "lang": self.lang, "topic": self.topic,
                "opening": self.opening, "objective": self.objective, "sector": self.sector,
                "clientele": self.clientele, "regulated": self.regulated, "reach": self.reach,
                "market": self.market, "place": self.place, "profile": [[f, c] for f, c in self.profile],
                "vague": list(self.vague), "claim": list(self.claim) if self.claim else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        claim = data.get("claim")
        situation = {"regulated": _regulated(data["regulated"]), "market": str(data["market"]),
                     "clientele": str(data["clientele"]), "reach": str(data["reach"]),
                     OBJECTIVE_KEY: str(data["objective"])}
        profile = [(str(f), str(c)) for f, c in data["profile"]]
        # a scenario stored before the profile held the situation and objective: completed from them
        profile += [(k, v) for k, v in situation.items() if k not in {f for f, _ in profile}]
        return cls(id=str(data["id"]), seed=int(data["seed"]), level=int(data["level"]), lang=str(data["lang"]),
                   topic=str(data["topic"]), opening=str(data["opening"]), objective=situation[OBJECTIVE_KEY],
                   sector=str(data["sector"]), clientele=situation["clientele"], regulated=situation["regulated"],
                   reach=situation["reach"], market=situation["market"], place=str(data["place"]),
                   profile=tuple(profile),
                   vague=tuple(str(f) for f in data.get("vague", ())),
                   claim=(str(claim[0]), str(claim[1])) if claim else None)


def draw_scenario(kb: KnowledgeBase, *, seed: int, level: int = 1, lang: str = "fr") -> Scenario:
    """The client for `seed` at persona `level` (1-3), speaking `lang`."""
    data = kb.roleplay
    if data is None or not data.topics:
        raise RolePlayUnavailable("this knowledge base has no role-play data (knowledge/roleplay/)")
    lang = "en" if lang == "en" else "fr"
    level = min(max(int(level), LEVELS[0]), LEVELS[-1])
    rng = random.Random(seed)
    topic = rng.choice(sorted(data.topics))
    opening = rng.choice(data.topics[topic].openings[lang])
    objectives = [o for o in kb.topic(topic).related if o in data.objectives]
    sector, market = rng.choice(data.sectors), rng.choice(data.markets)
    reach = rng.choice([r for r in data.reach if not sector.reach or r.id in sector.reach] or list(data.reach))
    place = rng.choice(market.places)
    suffix = f"-{kb.content_hash[:10]}" if kb.content_hash else ""
    base = Scenario(id=f"rp-{lang}-{level}-{seed}{suffix}", seed=seed, level=level, lang=lang, topic=topic,
                    opening=opening, objective=NONE_OBJECTIVE, sector=sector.id, clientele=sector.clientele,
                    regulated=sector.regulated, reach=reach.id, market=market.id, place=place, profile=())
    situation = (("regulated", sector.regulated), ("market", market.id), ("clientele", sector.clientele),
                 ("reach", reach.id))
    used = topic_fields(kb, topic)
    details = [f for f in kb.situation if f.kind == "situation" and f.id in used and f.id not in SITUATION_BLOCK]
    scenario = base
    for _ in range(MAX_DRAWS):
        no_objective = rng.random() < NO_OBJECTIVE_CHANCE[level]
        objective = NONE_OBJECTIVE if no_objective or not objectives else rng.choice(objectives)
        capacity = {f.id: rng.choice(f.choices).id for f in kb.capacity if f.choices}
        drawn = {f.id: rng.choice(_fitting(f.id, [c.id for c in f.choices], capacity)) for f in details if f.choices}
        profile = (*capacity.items(), *situation, *drawn.items(), (OBJECTIVE_KEY, objective))
        scenario = replace(base, objective=objective, profile=profile)
        deciding = [k for k in senior_questions(kb, topic, scenario.values()) if k in data.moves]
        if level == 2 and deciding:
            vague = tuple(sorted(rng.sample(deciding, max(1, (len(deciding) + 1) // 2)), key=deciding.index))
            return replace(scenario, vague=vague)
        if level == 3:
            claim = _claim(kb, scenario, deciding, rng)
            if claim is not None:
                return replace(scenario, claim=claim)
            continue
        if level == 2:
            continue
        return scenario
    return scenario


def _fitting(field_id: str, choices: list[str], capacity: dict[str, str]) -> list[str]:
    """The choices of a situation field that fit the capacity answers (`DETAIL_NEEDS`)."""
    fit = [c for c in choices if (need := DETAIL_NEEDS.get((field_id, c))) is None or capacity.get(need[0]) in need[1]]
    return fit or choices


def fits(kb: KnowledgeBase, scenario: Scenario) -> bool:
    """Whether a stored scenario can still be played on this base (a replay after the YAML changed:
    its tactic, situation, every capacity answer and every situation field its rules read must
    still exist)."""
    data = kb.roleplay
    if data is None or scenario.topic not in data.topics or scenario.topic not in kb.rules:
        return False
    situation_ok = (scenario.sector in {s.id for s in data.sectors} and scenario.market in {m.id for m in data.markets}
                    and scenario.reach in {r.id for r in data.reach}
                    and (scenario.objective == NONE_OBJECTIVE or scenario.objective in data.objectives))
    fields = {f.id: {c.id for c in f.choices} for f in kb.fields()}
    capacity = {f.id for f in kb.capacity}
    answers = {k: v for k, v in scenario.profile if k != OBJECTIVE_KEY}
    needed = capacity | {f for f in topic_fields(kb, scenario.topic) if f in fields}
    return (situation_ok and needed <= set(answers) and set(answers) <= set(fields)
            and all(c in fields[f] for f, c in answers.items()))


def _claim(kb: KnowledgeBase, scenario: Scenario, deciding: list[str], rng: random.Random) -> tuple[str, str] | None:
    """A better-than-true answer to a deciding field that would change the advice, if any."""
    data = kb.roleplay
    assert data is not None
    values = scenario.values()
    expected = rule_for(kb, scenario.topic, values).id
    options = []
    for field_id in deciding:
        if field_id not in data.slips:
            continue
        field = kb.field(field_id)
        truth = field.choice(values[field_id]).score
        for choice in field.choices:
            if choice.score > truth and rule_for(kb, scenario.topic, {**values, field_id: choice.id}).id != expected:
                options.append((field_id, choice.id))
    return rng.choice(options) if options else None


def _regulated(value: object) -> str:
    """A stored scenario's order; scenarios saved before orders were named said true or false."""
    if isinstance(value, bool):
        return "other_order" if value else "none"
    return str(value)
