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

from advisor.advice import next_question, select_rule
from advisor.engine import ClassificationLike, ReadingsLike, is_magic_objective
from advisor.labels import choice_label, euros
from advisor.followup import contradiction_in
from advisor.prompts import alternatives_line, commitment_line, score_line
from advisor.recommend import plan, plan_topics
from knowledge.models import OBJECTIVE_KEY, KnowledgeBase


class ReaderLike(Protocol):
    """What `advise` needs of the free-text reader (reading.CapacityReader fits)."""

    def read(self, text: str, pending: str | None = None, request: bool = False) -> ReadingsLike: ...


def advise(kb: KnowledgeBase, result: ClassificationLike, reader: ReaderLike, request: str, profile_text: str,
           lang: str | None = None) -> dict[str, Any]:
    """The contract's JSON object for `python bot.py advise --json`."""
    lang = lang or result.language
    from_request = reader.read(request, None, True).answers
    found = reader.read(profile_text, None).answers if profile_text else {}
    readings = {**from_request, **found}
    answers = {f: r.choice for f, r in readings.items()}
    topic_ids = tuple(t.id for t in result.topics if t.id in kb.topics)
    topics = [{"id": t.id, "level": t.level, "confidence": round(float(t.confidence), 4)}
              for t in result.topics if t.id in kb.topics]
    objective = next((t.id for t in result.topics if t.id in kb.topics and kb.topic(t.id).level == "objective"
                      and not kb.topic(t.id).buzzword), None)
    if objective is None:
        objective = "none" if is_magic_objective(kb, request) else "unknown"
    profile = {f: {"value": a, "label": choice_label(kb, f, a, lang, euros(answers)), "evidence": readings[f].evidence}
               for f, a in answers.items()}
    missing = [f.id for f in kb.capacity if f.id not in answers]
    missing_situation = [f.id for f in kb.situation if f.kind == "situation" and f.id not in answers]
    answers = {**answers, OBJECTIVE_KEY: objective}
    out: dict[str, Any] = {"text": request, "language": lang, "topics": topics, "profile": profile,
                           "missing": missing, "missing_situation": missing_situation, "objective": objective,
                           "recommendation": None, "plan": []}
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
        rec["branches"] = branches(kb, rec["topic"], answers, missing + missing_situation, lang)
    out["ask_first"] = to_ask
    out["would_change"] = [
        {"field": f, "question": kb.field(f).question(lang),
         "branches": [b["id"] for rec in the_plan["recommendations"] for b in rec["branches"] if f in b["fields"]]}
        for f in to_ask if any(f in b["fields"] for rec in the_plan["recommendations"] for b in rec["branches"])]
    out["recommendation"] = the_plan["recommendations"][0]
    out["plan"] = the_plan["recommendations"]
    out["order"] = the_plan["order"]
    out["capacity_score"] = the_plan["capacity_score"]
    out["capacity_breakdown"] = the_plan["capacity_breakdown"]
    out["total_weekly_hours"] = the_plan["total_weekly_hours"]
    out["plan_warnings"] = the_plan["warnings"]
    return out


def branches(kb: KnowledgeBase, topic_id: str, answers: dict[str, str], missing: list[str],
             lang: str, limit: int = 3) -> list[dict[str, Any]]:
    """The other advice this topic would get, and on which missing answers: each rule that
    comes before the one given (the rules go from the most demanding down) and that no known
    answer rules out, with the missing answers it needs ("si qui produit : moi, heures : 4 à 8
    h et aisance : faisable : un blogue à rythme fixe")."""
    given = select_rule(kb, topic_id, answers)
    out: list[dict[str, Any]] = []
    for rule in kb.rules[topic_id]:
        if rule.id == given.id or len(out) >= limit:
            break
        if any(f in answers and answers[f] not in ok for f, ok in rule.when.items()):
            continue
        needs = {f: ok for f, ok in rule.when.items() if f not in answers}
        if not needs or any(f not in missing for f in needs):
            continue
        conditions = [kb.msg("branch_condition", lang, field=kb.msg(f"field_{f}", lang),
                             answers=" / ".join(kb.field(f).choice(c).label(lang) for c in ok))
                      for f, ok in needs.items()]
        verdict = kb.msg(f"verdict_{rule.verdict}", lang)
        out.append({"if": {f: list(ok) for f, ok in needs.items()}, "fields": list(needs),
                    "id": rule.id, "verdict": rule.verdict, "title": rule.title(lang), "verdict_label": verdict,
                    "text": kb.msg("branch_line", lang, conditions="; ".join(conditions), title=rule.title(lang),
                                   verdict=verdict)})
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
