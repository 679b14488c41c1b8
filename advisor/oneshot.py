"""`python bot.py advise`: advice in one call, without a conversation.

Classifies the request, reads whatever capacity answers the request and the free-text profile
give, and applies the same rules the conversation would. A one-shot call cannot ask, so an
unknown answer takes the cautious value, the output says which ones were assumed, lists them
in `missing`, and, where a missing answer would change the verdict, gives the other branch
("si quelqu'un peut y consacrer 2 à 4 heures par semaine : ...") and lists that question in
`would_change`.
"""

from __future__ import annotations

from typing import Any, Protocol

from advisor.advice import effective_profile, next_question, select_rule
from advisor.engine import ClassificationLike, ReadingsLike
from advisor.followup import contradiction_in
from advisor.prompts import alternatives_line, commitment_line, score_line
from advisor.recommend import plan, plan_topics
from knowledge.models import KnowledgeBase


class ReaderLike(Protocol):
    """What `advise` needs of the free-text reader (reading.CapacityReader fits)."""

    def read(self, text: str, pending: str | None = None) -> ReadingsLike: ...


def advise(kb: KnowledgeBase, result: ClassificationLike, reader: ReaderLike, request: str, profile_text: str,
           lang: str | None = None) -> dict[str, Any]:
    """The contract's JSON object for `python bot.py advise --json`."""
    lang = lang or result.language
    from_request = reader.read(request, None).answers
    found = reader.read(profile_text, None).answers if profile_text else {}
    readings = {**from_request, **found}
    answers = {f: r.choice for f, r in readings.items()}
    topic_ids = tuple(t.id for t in result.topics if t.id in kb.topics)
    topics = [{"id": t.id, "level": t.level, "confidence": round(float(t.confidence), 4)}
              for t in result.topics if t.id in kb.topics]
    profile = {f: {"value": a, "label": kb.field(f).choice(a).label(lang), "evidence": readings[f].evidence}
               for f, a in answers.items()}
    missing = [f.id for f in kb.capacity if f.id not in answers]
    out: dict[str, Any] = {"text": request, "language": lang, "topics": topics, "profile": profile,
                           "missing": missing, "recommendation": None, "plan": []}
    if result.ambiguous:
        out["ambiguous"] = list(result.ambiguous)
    clash = contradiction_in(kb, answers)
    if clash:
        out["contradiction"] = list(clash)
    if not topic_ids:
        out["message"] = kb.msg("out_of_scope", lang)
        return out
    the_plan = plan(kb, topic_ids, answers, lang)
    targets = plan_topics(kb, topic_ids)
    to_ask: list[str] = []
    while (field := next_question(kb, targets, answers, skipped=tuple(to_ask))) is not None:
        to_ask.append(field)
    for rec in the_plan["recommendations"]:
        rec["branches"] = branches(kb, rec["topic"], answers, to_ask, lang)
    out["ask_first"] = to_ask
    out["would_change"] = [
        {"field": f, "question": kb.field(f).question(lang),
         "branches": [b for rec in the_plan["recommendations"] for b in rec["branches"] if b["field"] == f]}
        for f in to_ask if any(b["field"] == f for rec in the_plan["recommendations"] for b in rec["branches"])]
    out["recommendation"] = the_plan["recommendations"][0]
    out["plan"] = the_plan["recommendations"]
    out["order"] = the_plan["order"]
    out["capacity_score"] = the_plan["capacity_score"]
    out["capacity_breakdown"] = the_plan["capacity_breakdown"]
    out["total_weekly_hours"] = the_plan["total_weekly_hours"]
    out["plan_warnings"] = the_plan["warnings"]
    return out


def branches(kb: KnowledgeBase, topic_id: str, answers: dict[str, str], missing: list[str],
             lang: str) -> list[dict[str, Any]]:
    """For each missing answer, the other answers that would change this topic's advice, and
    what the advice would then be (the first such answer per resulting rule)."""
    assumed = select_rule(kb, topic_id, answers)
    profile = effective_profile(kb, answers)
    out = []
    for field_id in missing:
        seen = {assumed.id}
        for choice in kb.field(field_id).choices:
            if choice.id == profile[field_id]:
                continue
            rule = select_rule(kb, topic_id, {**answers, field_id: choice.id})
            if rule.id in seen:
                continue
            seen.add(rule.id)
            out.append({"field": field_id, "if": choice.id, "if_label": choice.label(lang),
                        "id": rule.id, "verdict": rule.verdict, "title": rule.title(lang),
                        "verdict_label": kb.msg(f"verdict_{rule.verdict}", lang),
                        "text": kb.msg("branch_line", lang, field=kb.msg(f"field_{field_id}", lang),
                                       answer=choice.label(lang), title=rule.title(lang),
                                       verdict=kb.msg(f"verdict_{rule.verdict}", lang))})
    return out


def render_text(kb: KnowledgeBase, data: dict[str, Any]) -> str:
    """The same advice for a person reading a terminal."""
    lang = data["language"]
    if data["recommendation"] is None:
        return data.get("message", "")
    lines = []
    for rec in data["plan"]:
        lines += [f"== {rec['topic_name']}: {rec['title']} ({rec['verdict_label']})",
                  commitment_line(kb, lang, rec), "", rec["rationale"], ""]
        lines += [f"! {w}" for w in rec["warnings"]]
        lines += ["", alternatives_line(kb, lang, rec), ""]
        if rec.get("branches"):
            lines += [kb.msg("branches_header", lang)] + [f"  - {b['text']}" for b in rec["branches"]] + [""]
    lines.append(score_line(kb, lang, data["capacity_score"], data["capacity_breakdown"]))
    lines += [f"! {w}" for w in data["plan_warnings"]]
    if data["missing"]:
        questions = [kb.field(f).question(lang) for f in data.get("ask_first") or data["missing"]]
        lines += ["", kb.msg("brief_ask", lang) + (" :" if lang == "fr" else ":")] + [f"- {q}" for q in questions]
    return "\n".join(lines)
