"""The debrief's rubric: observable behaviours, each good / fair / poor with one sentence of why.

Criteria (ids are stable: scripts and the progress view read them):
- objective_first: asked what the client wants to achieve before talking tools (a capacity
  question, a leading question, a warning or a proposal);
- discovery: obtained every answer that decides the advice for this client. "Decides" is the
  advisor's own notion (`advice_port.senior_questions`, from `advisor.advice.next_question`):
  from what the junior learned, the keys a senior would still have had to ask are missed;
- no_leading: asked no question that suggests its answer (the client agrees to anything);
- contradiction (level 3 only): checked the client's optimistic claim;
- verdict: proposed the rule the advice gives for the hidden profile (fair: right verdict,
  other solution);
- magic_thinking: warned about this topic's magic thinking (`magic.rate`).

Score: weighted mean of good (1), fair (0.5) and poor (0) over the criteria that apply,
out of 100. Weights, fixed before any scripted interview was scored: discovery 30 (the
skill intake is about), objective first 20, verdict 20, no leading 10, magic thinking 10,
contradiction 10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from knowledge.models import KnowledgeBase, Rule

from .advice_port import key_move, move_keys, rule_for, senior_questions
from .moves import field_moves
from .state import INFO_OUTCOMES, RolePlayState

CRITERIA = ("objective_first", "discovery", "no_leading", "contradiction", "verdict", "magic_thinking")
WEIGHTS = {"objective_first": 20, "discovery": 30, "no_leading": 10, "contradiction": 10, "verdict": 20,
           "magic_thinking": 10}
POINTS = {"good": 1.0, "fair": 0.5, "poor": 0.0}
TOOL_TALK = ("leading", "warn", "proposal")
"""Moves that talk about the tool (with the field questions: capacity, build budget...), for
"objective first"."""
_SENTENCE = re.compile(r"(?<=[.!?])\s")
QUOTE_LIMIT = 220


@dataclass(frozen=True)
class Judgement:
    id: str
    rating: str
    why: str


@dataclass(frozen=True)
class Result:
    criteria: tuple[Judgement, ...]
    score: int
    expected: Rule
    proposed: Rule | None
    learned: tuple[str, ...]
    """Keys whose true value the junior obtained (a claim counts: the question was asked)."""
    missed: tuple[str, ...]
    deciding: tuple[str, ...]
    """Every key that decides the advice for this client, in the order a senior asks."""
    known_rule: Rule
    """What the advice gives from what the junior heard (claims believed, gaps cautious)."""

    def rating(self, criterion: str) -> str | None:
        return next((j.rating for j in self.criteria if j.id == criterion), None)

    def to_json(self, kb: KnowledgeBase, state: RolePlayState) -> dict[str, Any]:
        """The contract's object (`bot.py roleplay --json`)."""
        scenario, lang = state.scenario, state.lang
        proposed: dict[str, Any] | None = None
        if state.proposal is not None:
            rule = self.proposed
            proposed = {"id": rule.id if rule else None, "verdict": rule.verdict if rule else None,
                        "title": rule.title(lang) if rule else None, "text": state.proposal[1]}
        return {
            "scenario": {"id": scenario.id, "topic": scenario.topic, "level": scenario.level, "lang": lang,
                         "seed": scenario.seed},
            "criteria": {j.id: j.rating for j in self.criteria},
            "reasons": {j.id: j.why for j in self.criteria},
            "score": self.score,
            "expected": {"id": self.expected.id, "verdict": self.expected.verdict, "title": self.expected.title(lang)},
            "proposed": proposed,
            "deciding": list(self.deciding),
            "missed": list(self.missed),
            "questions": state.questions,
        }


def judge(kb: KnowledgeBase, state: RolePlayState) -> Result:
    """Every criterion that applies to this session, and the score."""
    scenario = state.scenario
    values = scenario.values()
    learned = _learned(kb, state)
    heard = dict(values)
    if scenario.claim and state.claim_state == "made":
        heard[scenario.claim[0]] = scenario.claim[1]
    expected = rule_for(kb, scenario.topic, values)
    proposed = kb.rule(state.proposal[0]) if state.proposal and state.proposal[0] else None
    missed = tuple(senior_questions(kb, scenario.topic, values, learned))
    deciding = tuple(senior_questions(kb, scenario.topic, values))
    texts = _Texts(kb, state)
    criteria = [texts.objective_first(), texts.discovery(missed, deciding), texts.no_leading()]
    if scenario.claim:
        criteria.append(texts.contradiction())
    criteria += [texts.verdict(expected, proposed), texts.magic_thinking()]
    total = sum(WEIGHTS[j.id] for j in criteria)
    earned = sum(WEIGHTS[j.id] * POINTS[j.rating] for j in criteria)
    return Result(tuple(criteria), round(100 * earned / total), expected, proposed, learned, missed, deciding,
                  rule_for(kb, scenario.topic, heard, learned))


def _learned(kb: KnowledgeBase, state: RolePlayState) -> tuple[str, ...]:
    keys: list[str] = []
    for event in state.events:
        if event.outcome not in INFO_OUTCOMES:
            continue
        keys += move_keys(kb, event.field or event.move)
    return tuple(dict.fromkeys(keys))


def quote(text: str) -> str:
    """The first sentence of a knowledge-base text, short enough to quote."""
    first = _SENTENCE.split(text.strip(), maxsplit=1)[0]
    return first if len(first) <= QUOTE_LIMIT else first[: QUOTE_LIMIT - 1].rstrip() + "…"


class _Texts:
    """One judgement per criterion, with its sentence in the session's language."""

    def __init__(self, kb: KnowledgeBase, state: RolePlayState) -> None:
        self.kb, self.state, self.lang = kb, state, state.lang
        self.scenario = state.scenario
        self.topic = kb.topic(self.scenario.topic)
        self.fields = field_moves(kb)
        self.known = {f.id for f in kb.fields()}

    def msg(self, key: str, **values: object) -> str:
        return self.kb.msg(key, self.lang, **values)

    def key_name(self, key: str) -> str:
        """A field's own label (capacity or situation), else the move's ("Objectif", "Situation")."""
        return self.msg(f"field_{key}") if key in self.known else self.msg(f"rp_key_{key_move(key)}")

    def objective_first(self) -> Judgement:
        events = self.state.events
        asked = next((i for i, e in enumerate(events) if e.move == "objective"), None)
        tool = next((i for i, e in enumerate(events) if e.move in TOOL_TALK or e.move in self.fields), None)
        if asked is not None and (tool is None or asked < tool):
            return Judgement("objective_first", "good", self.msg("rp_why_objective_good", objective=self.objective()))
        if asked is not None:
            assert tool is not None
            return Judgement("objective_first", "fair", self.msg("rp_why_objective_fair", quote=events[tool].text))
        return Judgement("objective_first", "poor", self.msg("rp_why_objective_poor", topic=self.topic.name(self.lang),
                                                            clients_mean=quote(self.topic.clients_mean(self.lang))))

    def objective(self) -> str:
        objective = self.scenario.objective
        if objective in self.kb.topics:
            return self.kb.topic(objective).name(self.lang)
        return self.msg("rp_no_objective")

    def discovery(self, missed: tuple[str, ...], deciding: tuple[str, ...]) -> Judgement:
        if not missed:
            names = ", ".join(self.key_name(k) for k in deciding) or "—"
            return Judgement("discovery", "good", self.msg("rp_why_discovery_good", keys=names))
        rating = "fair" if len(missed) == 1 and len(deciding) > 1 else "poor"
        first = missed[0]
        why = self.kb.field(first).why(self.lang) if first in self.known else ""
        text = self.msg("rp_why_discovery_missed", keys=", ".join(self.key_name(k) for k in missed), why=why)
        if any(e.outcome == "vague" and e.field in missed for e in self.state.events):
            text += " " + self.msg("rp_why_discovery_vague")
        return Judgement("discovery", rating, text)

    def no_leading(self) -> Judgement:
        leading = [e.text for e in self.state.events if e.move == "leading"]
        if not leading:
            return Judgement("no_leading", "good", self.msg("rp_why_leading_good"))
        rating = "fair" if len(leading) == 1 else "poor"
        return Judgement("no_leading", rating, self.msg("rp_why_leading", count=len(leading), quote=leading[0]))

    def contradiction(self) -> Judgement:
        assert self.scenario.claim is not None
        field_id, claimed = self.scenario.claim
        field = self.kb.field(field_id)
        values = {"field": self.key_name(field_id), "claimed": field.choice(claimed).label(self.lang),
                  "truth": field.choice(dict(self.scenario.profile)[field_id]).label(self.lang)}
        events = self.state.events
        if self.state.claim_state == "admitted":
            return Judgement("contradiction", "good", self.msg("rp_why_contradiction_good", **values))
        if sum(1 for e in events if e.field == field_id and e.outcome in ("claimed", "repeat")) > 1:
            return Judgement("contradiction", "fair", self.msg("rp_why_contradiction_fair", **values))
        key = "rp_why_contradiction_poor" if self.state.claim_state == "made" else "rp_why_contradiction_unasked"
        return Judgement("contradiction", "poor", self.msg(key, **values))

    def verdict(self, expected: Rule, proposed: Rule | None) -> Judgement:
        values = {"title": expected.title(self.lang), "verdict": self.msg(f"verdict_{expected.verdict}")}
        if proposed is None:
            key = "rp_why_verdict_none" if self.state.proposal is None else "rp_why_verdict_unmatched"
            return Judgement("verdict", "poor", self.msg(key, **values))
        if proposed.id == expected.id:
            return Judgement("verdict", "good", self.msg("rp_why_verdict_good", **values))
        values |= {"proposed": proposed.title(self.lang), "proposed_verdict": self.msg(f"verdict_{proposed.verdict}")}
        rating = "fair" if proposed.verdict == expected.verdict else "poor"
        return Judgement("verdict", rating, self.msg(f"rp_why_verdict_{rating}", **values))

    def magic_thinking(self) -> Judgement:
        warnings = [e.text for e in self.state.events if e.move == "warn"]
        from . import magic  # scikit-learn: only when a debrief is written

        rating = magic.rate(self.kb, self.scenario.topic, warnings, self.lang)
        warning = quote(self.topic.warnings[0](self.lang)) if self.topic.warnings else ""
        return Judgement("magic_thinking", rating, self.msg(f"rp_why_magic_{rating}", topic=self.topic.name(self.lang),
                                                           warning=warning))
