"""Turning the winning rules into advice a client can read, tied to their own answers.

The rule says what fits a kind of profile; this module says why it fits *this* client
("you said nobody will write, about an hour a week"), which answers were assumed
because the client did not know, and whether the whole plan fits the hours they have.
"""

from __future__ import annotations

from typing import Any, Mapping

from advisor.advice import (
    capacity_score,
    effective_profile,
    format_hours,
    hours_high,
    hours_json,
    hours_low,
    implied_answers,
    select_rule,
)
from advisor.labels import choice_label, euros
from knowledge.models import OBJECTIVE_KEY, PLAN_STAGES, KnowledgeBase, Rule, SituationWarning

MAX_PLAN_TOPICS = 6
"""Every tactic named gets its advice (the issue that set this found a fourth one dropped)."""


def answer_label(kb: KnowledgeBase, field_id: str, choice_id: str, lang: str,
                 answers: Mapping[str, str] | None = None) -> str:
    return choice_label(kb, field_id, choice_id, lang, euros(answers or {}))


def cited_fields(kb: KnowledgeBase, topic_id: str, answers: Mapping[str, str]) -> list[str]:
    """The fields that decided: those the winning rule checks, and those that ruled out each
    rule before it (the reasons the client did not get a more ambitious answer). A rule that a
    known answer already rules out is cited by that answer alone: the cautious values it would
    also have failed on decided nothing, and citing them would say "assumed" for no reason."""
    profile = effective_profile(kb, answers)
    winner = select_rule(kb, topic_id, answers)
    decisive = set(winner.when)
    for rule in kb.rules[topic_id]:
        if rule.id == winner.id:
            break
        failed = {f for f, accepted in rule.when.items() if profile.get(f) not in accepted}
        known = {f for f in failed if f in answers}
        decisive |= known or failed
    return [f.id for f in kb.fields() if f.id in decisive and f.kind != "request"]


def because(kb: KnowledgeBase, topic_id: str, answers: Mapping[str, str],
            lang: str, unknown: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """The client's answers that decided (quoted), and the cautious values that were assumed
    (saying which ones the client did not know, as opposed to never said)."""
    said, assumed = [], []
    profile = effective_profile(kb, answers)
    implied = implied_answers(kb, answers)
    for field_id in cited_fields(kb, topic_id, answers):
        name = kb.msg(f"field_{field_id}", lang)
        label = answer_label(kb, field_id, profile[field_id], lang, answers)
        if field_id in answers:
            said.append(kb.msg("cite_answer", lang, field=name, answer=label))
        elif field_id in implied:  # not the cautious value: what the other answers imply
            assumed.append(kb.msg("cite_implied", lang, field=name, answer=label))
        elif field_id in unknown:
            assumed.append(kb.msg("assumed_because_dont_know", lang, field=name, answer=label))
        else:
            assumed.append(kb.msg("cite_assumed", lang, field=name, answer=label))
    return said, assumed


def alternative_summary(kb: KnowledgeBase, rule_id: str, lang: str) -> dict[str, Any]:
    alt = kb.rule(rule_id)
    return {"id": alt.id, "topic": alt.topic, "title": alt.title(lang), "verdict": alt.verdict,
            "weekly_hours": hours_json(alt.weekly_hours),
            "weekly_hours_text": format_hours(alt.weekly_hours, lang)}


def recommendation(kb: KnowledgeBase, topic_id: str, answers: Mapping[str, str],
                   lang: str, unknown: tuple[str, ...] = ()) -> dict[str, Any]:
    """The contract's recommendation object for one topic."""
    rule: Rule = select_rule(kb, topic_id, answers)
    topic = kb.topic(topic_id)
    said, assumed = because(kb, topic_id, answers, lang, unknown)
    rationale = rule.rationale(lang)
    objective = answers.get(OBJECTIVE_KEY)
    if objective in kb.topics:
        # A rule that depends on the objective speaks to it; any other gets the tactic's note on it.
        note = None if OBJECTIVE_KEY in rule.when else topic.objective_notes.get(str(objective))
        if OBJECTIVE_KEY in rule.when or note is not None:
            prefix = kb.msg("because_objective", lang, objective=kb.topic(str(objective)).name(lang))
            rationale = " ".join(part for part in (prefix, note(lang) if note else "", rationale) if part)
    verdict, shortfall = delivered_verdict(kb, rule, answers, lang)
    if shortfall:
        rationale += " " + shortfall
    if said:
        rationale += " " + kb.msg("because_you_said", lang, answers="; ".join(said))
    if assumed:
        rationale += " " + kb.msg("because_assumed", lang, answers="; ".join(assumed))
    matching = situation_warnings(kb, topic_id, answers)
    warnings = [w.text(lang) for w in matching] + [w(lang) for w in rule.warnings] + [w(lang) for w in topic.warnings]
    extra_sources = tuple(s for w in matching for s in w.sources)
    sources = {s.url: {"title": s.title, "url": s.url} for s in rule.sources + extra_sources + topic.sources}
    return {
        "id": rule.id,
        "topic": topic_id,
        "topic_name": topic.name(lang),
        "title": rule.title(lang),
        "verdict": verdict,
        "verdict_label": kb.msg(f"verdict_{verdict}", lang),
        "measure": rule.measure(lang) if rule.measure else "",
        "rationale": rationale,
        "because": said,
        "assumptions": assumed,
        "tactics": list(rule.tactics),
        "weekly_hours": hours_json(rule.weekly_hours),
        "weekly_hours_text": format_hours(rule.weekly_hours, lang),
        "cadence": rule.cadence(lang) if rule.cadence else "",
        "warnings": list(dict.fromkeys(warnings)),
        "alternatives": [alternative_summary(kb, a, lang) for a in rule.alternatives],
        "sources": list(sources.values()),
    }


def situation_warnings(kb: KnowledgeBase, topic_id: str, answers: Mapping[str, str]) -> list[SituationWarning]:
    """The situation.yaml warnings whose conditions the (cautiously completed) profile meets."""
    profile = effective_profile(kb, answers)
    return [w for w in kb.situation_warnings if (not w.topics or topic_id in w.topics)
            and all(profile.get(f) in ok for f, ok in w.when.items())]


def delivered_verdict(kb: KnowledgeBase, rule: Rule, answers: Mapping[str, str], lang: str) -> tuple[str, str]:
    """The verdict, downgraded from "as asked" when the request asked for more than the rule
    delivers (a weekly cadence asked, a monthly one given), with the sentence that says so."""
    for field_id, delivered in rule.delivers.items():
        asked = answers.get(field_id)
        field = kb.field(field_id)
        order = [c.id for c in field.choices]
        if asked in order and delivered in order and order.index(asked) > order.index(delivered):
            note = kb.msg("asked_more", lang, asked=field.choice(asked).label(lang).lower(),
                          delivered=field.choice(delivered).label(lang).lower())
            return ("scaled_down" if rule.verdict == "as_asked" else rule.verdict), note
    return rule.verdict, ""


def plan_topics(kb: KnowledgeBase, topic_ids: tuple[str, ...]) -> tuple[str, ...]:
    """What to advise on, in the order to take it: the tactics asked for (foundations first,
    then being found, content, amplification, tools: `plan_stage`), or the objectives when no
    tactic was named. A buzzword filed as an objective ("être partout") is a request for tools
    and is advised beside them."""
    tactics = [t for t in topic_ids if kb.topic(t).level == "tactic" and t in kb.rules]
    tactics += [t for t in topic_ids if kb.topic(t).buzzword and t in kb.rules and tactics]
    if tactics:
        rank = {stage: i for i, stage in enumerate(PLAN_STAGES)}
        tactics.sort(key=lambda t: rank.get(kb.topic(t).plan_stage, len(rank)))
        return tuple(tactics[:MAX_PLAN_TOPICS])
    return tuple(t for t in topic_ids if t in kb.rules)[:MAX_PLAN_TOPICS]


def order_text(kb: KnowledgeBase, topic_ids: tuple[str, ...], lang: str) -> str:
    """"Ordre proposé : 1. Site web (les fondations), 2. ..." for a plan of several tactics."""
    if len(topic_ids) < 2:
        return ""
    items = [kb.msg("plan_order_item", lang, n=i, topic=kb.topic(t).name(lang),
                    stage=kb.msg(f"plan_stage_{kb.topic(t).plan_stage}", lang))
             for i, t in enumerate(topic_ids, start=1)]
    return kb.msg("plan_order", lang, order=", ".join(items))


def plan(kb: KnowledgeBase, topic_ids: tuple[str, ...], answers: Mapping[str, str],
         lang: str, unknown: tuple[str, ...] = ()) -> dict[str, Any]:
    """One plan for the whole request: each topic's advice, in order, the total hours, the score."""
    targets = plan_topics(kb, topic_ids)
    recs = [recommendation(kb, t, answers, lang, unknown) for t in targets]
    low = sum(hours_low(_hours(r)) for r in recs)
    high = sum(hours_high(_hours(r)) for r in recs)
    score, lines = capacity_score(kb, answers)
    warnings: list[str] = []
    hours_answer = answers.get("weekly_hours")
    if hours_answer and len(recs) > 1:
        choice = kb.field("weekly_hours").choice(hours_answer)
        if choice.hours is not None and low > choice.hours[1]:
            warnings.append(kb.msg("plan_over_capacity", lang, need=format_hours((low, high), lang),
                                   have=choice.label(lang), first=recs[0]["title"]))
    return {
        "recommendations": recs,
        "order": list(targets),
        "order_text": order_text(kb, targets, lang),
        "total_weekly_hours": [round(low, 2), round(high, 2)],
        "capacity_score": score,
        "capacity_breakdown": [
            {"field": line.field, "question": kb.msg(f"field_{line.field}", lang),
             "answer": answer_label(kb, line.field, line.choice, lang, answers), "choice": line.choice,
             "points": line.points, "weight": line.weight, "assumed": line.assumed}
            for line in lines if line.weight
        ],
        "warnings": warnings,
    }


def _hours(rec: Mapping[str, Any]) -> float | tuple[float, float]:
    value = rec["weekly_hours"]
    return (float(value[0]), float(value[1])) if isinstance(value, list) else float(value)
