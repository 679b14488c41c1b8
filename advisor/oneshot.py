"""`python bot.py advise`: advice in one call, without a conversation.

Classifies the request, reads whatever capacity answers the free-text profile gives,
and applies the same rules the conversation would. Unknown answers take the cautious
value; the output says which ones were assumed and lists them in `missing`, so the
account manager knows what to ask.
"""

from __future__ import annotations

from typing import Any

from advisor.advice import next_question
from advisor.capacity import parse_capacity
from advisor.engine import ClassificationLike
from advisor.prompts import alternatives_line, commitment_line, score_line
from advisor.recommend import plan, plan_topics
from knowledge.models import KnowledgeBase


def advise(kb: KnowledgeBase, result: ClassificationLike, request: str, profile_text: str,
           lang: str | None = None) -> dict[str, Any]:
    """The contract's JSON object for `python bot.py advise --json`."""
    lang = lang or result.language
    found = parse_capacity(kb, profile_text) if profile_text else {}
    from_request = parse_capacity(kb, request)
    answers = {**{f: a.choice for f, a in from_request.items()}, **{f: a.choice for f, a in found.items()}}
    evidence = {**from_request, **found}
    topic_ids = tuple(t.id for t in result.topics if t.id in kb.topics)
    topics = [{"id": t.id, "level": t.level, "confidence": round(float(t.confidence), 4)}
              for t in result.topics if t.id in kb.topics]
    profile = {f: {"value": a, "label": kb.field(f).choice(a).label(lang), "evidence": evidence[f].evidence}
               for f, a in answers.items()}
    missing = [f.id for f in kb.capacity if f.id not in answers]
    out: dict[str, Any] = {"text": request, "language": lang, "topics": topics, "profile": profile,
                           "missing": missing, "recommendation": None, "plan": []}
    if result.ambiguous:
        out["ambiguous"] = list(result.ambiguous)
    if not topic_ids:
        out["message"] = kb.msg("out_of_scope", lang)
        return out
    the_plan = plan(kb, topic_ids, answers, lang)
    targets = plan_topics(kb, topic_ids)
    to_ask: list[str] = []
    while (field := next_question(kb, targets, answers, skipped=tuple(to_ask))) is not None:
        to_ask.append(field)
    out["ask_first"] = to_ask
    out["recommendation"] = the_plan["recommendations"][0]
    out["plan"] = the_plan["recommendations"]
    out["capacity_score"] = the_plan["capacity_score"]
    out["capacity_breakdown"] = the_plan["capacity_breakdown"]
    out["total_weekly_hours"] = the_plan["total_weekly_hours"]
    out["plan_warnings"] = the_plan["warnings"]
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
    lines.append(score_line(kb, lang, data["capacity_score"], data["capacity_breakdown"]))
    lines += [f"! {w}" for w in data["plan_warnings"]]
    if data["missing"]:
        questions = [kb.field(f).question(lang) for f in data.get("ask_first") or data["missing"]]
        lines += ["", kb.msg("brief_ask", lang) + (" :" if lang == "fr" else ":")] + [f"- {q}" for q in questions]
    return "\n".join(lines)
