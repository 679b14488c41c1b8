"""What the advisor says at each stage, built from the knowledge base's texts.

Kept apart from the engine so the state machine reads as moves and this module reads as
words. Every string comes from `knowledge/messages.yaml` or a topic card.
"""

from __future__ import annotations

from typing import Any, Mapping

from advisor.replies import ChoiceOption, Reply
from advisor.state import ConversationState
from knowledge.models import KnowledgeBase

DONT_KNOW = "idk"
MAX_OBJECTIVE_CHOICES = 6
CAPABILITY_EXAMPLES = ("website", "blog", "social_media", "seo", "newsletter", "cms")


def capabilities(kb: KnowledgeBase, lang: str) -> str:
    names = [kb.topic(t).name(lang) for t in CAPABILITY_EXAMPLES if t in kb.topics]
    if not names:
        names = [t.name(lang) for t in kb.tactics()[:6]] or [t.name(lang) for t in list(kb.topics.values())[:6]]
    return kb.msg("capabilities", lang, examples=", ".join(names))


def reframe(kb: KnowledgeBase, state: ConversationState) -> list[Reply]:
    """Two sentences per topic: what it is and what clients usually mean by it."""
    lang = state.lang
    replies = []
    for topic_id in state.topic_ids():
        topic = kb.topic(topic_id)
        if topic.level == "tactic":
            text = kb.msg("reframe_tactic", lang, name=topic.name(lang), definition=topic.definition(lang),
                          clients_mean=topic.clients_mean(lang))
        else:
            tactics = ", ".join(kb.topic(t).name(lang) for t in topic.related if t in kb.topics)
            text = kb.msg("reframe_objective", lang, name=topic.name(lang), definition=topic.definition(lang),
                          tactics=tactics or "—")
        replies.append(Reply("text", text, title=topic.name(lang), data={"topic": topic_id, "level": topic.level}))
    return replies


def clarify_options(kb: KnowledgeBase, state: ConversationState) -> tuple[ChoiceOption, ...]:
    lang = state.lang
    options = [ChoiceOption(t, kb.topic(t).name(lang)) for t in state.options]
    options.append(ChoiceOption("both", kb.msg("choice_both", lang)))
    options.append(ChoiceOption("none", kb.msg("choice_none", lang)))
    return tuple(options)


def objective_options(kb: KnowledgeBase, state: ConversationState) -> tuple[ChoiceOption, ...]:
    """The objectives the requested tactics can serve, then "I don't know"."""
    lang = state.lang
    served: list[str] = []
    for topic_id in state.topic_ids():
        served += [o for o in kb.topic(topic_id).related if o in kb.topics]
    served = list(dict.fromkeys(served)) or [t.id for t in kb.objectives()]
    served = served[:MAX_OBJECTIVE_CHOICES]
    options = [ChoiceOption(o, kb.topic(o).name(lang)) for o in served]
    options.append(ChoiceOption(DONT_KNOW, kb.msg("choice_dont_know", lang)))
    return tuple(options)


def capacity_options(kb: KnowledgeBase, field_id: str, lang: str) -> tuple[ChoiceOption, ...]:
    if not field_id:
        return ()
    field = kb.field(field_id)
    options = [ChoiceOption(c.id, c.label(lang)) for c in field.choices]
    options.append(ChoiceOption(DONT_KNOW, kb.msg("choice_dont_know", lang)))
    return tuple(options)


def objective_ack(kb: KnowledgeBase, state: ConversationState) -> str:
    if state.objective and state.objective in kb.topics:
        return kb.msg("objective_noted", state.lang, objective=kb.topic(state.objective).name(state.lang))
    return kb.msg("objective_unknown_noted", state.lang)


def answers_text(kb: KnowledgeBase, lang: str, answers: Mapping[str, str]) -> str:
    """Capacity answers quoted the way the client will recognise them."""
    return "; ".join(kb.msg("cite_answer", lang, field=kb.msg(f"field_{f}", lang),
                            answer=kb.field(f).choice(c).label(lang)) for f, c in answers.items())


def noted(kb: KnowledgeBase, lang: str, found: Mapping[str, str]) -> str:
    return kb.msg("noted", lang, answers=answers_text(kb, lang, found))


def current_prompt(kb: KnowledgeBase, state: ConversationState) -> list[Reply]:
    """The question the conversation is waiting on, asked again."""
    lang = state.lang
    if state.stage == "clarify":
        names = " / ".join(kb.topic(t).name(lang) for t in state.options)
        return [Reply("question", kb.msg("clarify_question", lang, options=names), clarify_options(kb, state))]
    if state.stage == "objective":
        names = ", ".join(kb.topic(t).name(lang) for t in state.topic_ids())
        return [Reply("question", kb.msg("objective_question", lang, tactics=names), objective_options(kb, state))]
    if state.stage == "capacity" and state.pending:
        field = kb.field(state.pending)
        text = f"{field.question(lang)}\n_{field.why(lang)}_"
        return [Reply("question", text, capacity_options(kb, field.id, lang), data={"field": field.id})]
    if state.stage == "done":
        return [Reply("text", kb.msg("after_advice", lang))]
    return [Reply("question", kb.msg("ask_request", lang))]


def commitment_line(kb: KnowledgeBase, lang: str, rec: Mapping[str, Any]) -> str:
    """"Client's commitment: 1–2 h a week · cadence", shared by the chat and `advise`."""
    cadence = f" · {rec['cadence']}" if rec["cadence"] else ""
    return kb.msg("weekly_commitment", lang, hours=rec["weekly_hours_text"]) + cadence


def alternatives_line(kb: KnowledgeBase, lang: str, rec: Mapping[str, Any], limit: int | None = None) -> str:
    alts = "; ".join(f"{a['title']} ({a['weekly_hours_text']} h)" for a in rec["alternatives"][:limit])
    return kb.msg("alternatives_line", lang, alternatives=alts)


def score_line(kb: KnowledgeBase, lang: str, score: int, breakdown: list[Mapping[str, Any]]) -> str:
    """The capacity score, saying how many of its answers were assumed."""
    assumed = sum(1 for line in breakdown if line["assumed"])
    return kb.msg("score_line", lang, score=score, assumed=assumed, total=len(breakdown))


def recommendation_reply(kb: KnowledgeBase, lang: str, rec: Mapping[str, Any], plan: Mapping[str, Any]) -> Reply:
    """The advice for one topic as text, with the contract's object in `data`."""
    lines = [f"**{rec['title']}** — {rec['verdict_label']}", commitment_line(kb, lang, rec),
             "", rec["rationale"], ""]
    lines += [f"⚠️ {w}" for w in rec["warnings"][:3]]
    if rec["alternatives"]:
        lines += ["", alternatives_line(kb, lang, rec, limit=2)]
    lines += ["", score_line(kb, lang, plan["capacity_score"], plan["capacity_breakdown"])]
    lines += [f"⚠️ {w}" for w in plan["warnings"]]
    if rec["sources"]:
        lines.append(kb.msg("sources_line", lang, sources=", ".join(s["title"] for s in rec["sources"][:3])))
    return Reply("recommendation", "\n".join(lines), title=rec["title"],
                 data={"recommendation": dict(rec), "capacity_score": plan["capacity_score"],
                       "capacity_breakdown": plan["capacity_breakdown"]})
