"""Applying the knowledge base's advice rules to a client's capacity profile.

No advice lives here: the rules, their order and their wording are YAML. This module
answers three questions about them:
- which rule fits a profile (the first whose `when` matches; unknown answers take the
  field's cautious value, and the advice says so);
- which unanswered questions could still change the outcome, most decisive first;
- what the content-capacity score (0-100) is, field by field.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Mapping

from knowledge.models import Hours, KnowledgeBase, Rule


@dataclass(frozen=True)
class ScoreLine:
    field: str
    choice: str
    weight: float
    points: float
    assumed: bool


def implied_answers(kb: KnowledgeBase, answers: Mapping[str, str]) -> dict[str, str]:
    """Unknown fields whose value the known answers imply (capacity.yaml `implied`): "I have
    four hours a week" implies someone will do it, whoever was not named."""
    out: dict[str, str] = {}
    for f in kb.fields():
        if f.id in answers:
            continue
        for implied in f.implied:
            if all(answers.get(name) in accepted for name, accepted in implied.when.items()):
                out[f.id] = implied.value
                break
    return out


def effective_profile(kb: KnowledgeBase, answers: Mapping[str, str]) -> dict[str, str]:
    """The answers given, completed with what they imply, then with each field's cautious value."""
    implied = implied_answers(kb, answers)
    return {**answers, **{f.id: answers.get(f.id, implied.get(f.id, f.cautious)) for f in kb.fields()}}


def rule_matches(rule: Rule, profile: Mapping[str, str]) -> bool:
    return all(profile.get(field) in accepted for field, accepted in rule.when.items())


def rests_on_evidence(kb: KnowledgeBase, rule: Rule, answers: Mapping[str, str]) -> bool:
    """An `as_asked` verdict needs the client's word (or what it implies) for every capacity
    field it checks: a cautious value may scale advice down, never approve what was asked."""
    if rule.verdict != "as_asked":
        return True
    known = {**implied_answers(kb, answers), **answers}
    capacity = {f.id for f in kb.capacity if f.kind == "capacity"}
    return all(name in known for name in rule.when if name in capacity)


def select_rule(kb: KnowledgeBase, topic_id: str, answers: Mapping[str, str]) -> Rule:
    """The first rule of the topic that fits the (cautiously completed) profile."""
    profile = effective_profile(kb, answers)
    for rule in kb.rules[topic_id]:
        if rule_matches(rule, profile) and rests_on_evidence(kb, rule, answers):
            return rule
    return kb.rules[topic_id][-1]


def open_fields(kb: KnowledgeBase, topic_id: str, answers: Mapping[str, str]) -> Counter[str]:
    """Unanswered fields that can still change which rule wins, with how many rules hang on each.

    Walk the rules in order: a rule contradicted by a known answer is out; the first rule
    whose conditions are all known and met settles the matter; every rule before it that is
    still possible depends on its unknown fields, so those fields are worth asking.
    """
    needed: Counter[str] = Counter()
    for rule in kb.rules[topic_id]:
        unknown = [f for f in rule.when if f not in answers]
        if any(f in answers and answers[f] not in ok for f, ok in rule.when.items()):
            continue
        if not unknown:
            break
        needed.update(unknown)
    return needed


def next_question(kb: KnowledgeBase, topic_ids: tuple[str, ...], answers: Mapping[str, str],
                  skipped: tuple[str, ...] = ()) -> str | None:
    """The unanswered field that settles the advice fastest, or None when it is settled."""
    needed: Counter[str] = Counter()
    for topic_id in topic_ids:
        needed.update(open_fields(kb, topic_id, answers))
    order = {f.id: i for i, f in enumerate(kb.fields())}
    # not the objective either: asked before; a situation the answers already imply (a
    # marketing team is no intern) is not asked, a capacity answer always is
    implied = implied_answers(kb, answers)
    askable = {f.id for f in kb.fields() if f.kind != "request" and (f.kind == "capacity" or f.id not in implied)}
    candidates = [f for f in needed if f not in skipped and f in askable]
    if not candidates:
        return None
    return min(candidates, key=lambda f: (-needed[f], order.get(f, 99)))


def capacity_score(kb: KnowledgeBase, answers: Mapping[str, str]) -> tuple[int, tuple[ScoreLine, ...]]:
    """Content-capacity score out of 100, and the points each field brings."""
    lines = []
    for field in kb.capacity:
        choice_id = answers.get(field.id, field.cautious)
        points = field.weight * field.choice(choice_id).score
        lines.append(ScoreLine(field.id, choice_id, field.weight, round(points, 1), field.id not in answers))
    total = sum(line.points for line in lines)
    return round(total), tuple(lines)


def hours_high(hours: Hours) -> float:
    return float(hours[1]) if isinstance(hours, tuple) else float(hours)


def hours_low(hours: Hours) -> float:
    return float(hours[0]) if isinstance(hours, tuple) else float(hours)


def hours_json(hours: Hours) -> float | list[float]:
    return [float(hours[0]), float(hours[1])] if isinstance(hours, tuple) else float(hours)


def format_number(value: float, lang: str, digits: int | None = None) -> str:
    """1.5 -> "1.5" in English, "1,5" in French (OQLF); `digits` fixes the decimals."""
    text = f"{value:.{digits}f}" if digits is not None else f"{value:g}"
    return text.replace(".", ",") if lang == "fr" else text


def format_hours(hours: Hours, lang: str = "en") -> str:
    """A weekly commitment as text: "1,5" or "1–3" (French), "1.5" or "1–3" (English)."""
    if isinstance(hours, tuple):
        if hours[0] == hours[1]:
            return format_number(hours[0], lang)
        return f"{format_number(hours[0], lang)}–{format_number(hours[1], lang)}"
    return format_number(hours, lang)
