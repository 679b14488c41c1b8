"""What the advisor says at each stage, built from the knowledge base's texts.

Kept apart from the engine so the state machine reads as moves and this module reads as
words. Every string comes from `knowledge/messages.yaml` or a topic card.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

from advisor.commands import bare
from advisor.labels import choice_label, euros
from advisor.followup import contradiction_why
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
    """Two close readings: each, both, neither. One unsure reading: yes, or something else."""
    lang = state.lang
    if len(state.options) == 1:
        return (ChoiceOption(state.options[0], kb.msg("choice_yes_that", lang)),
                ChoiceOption("none", kb.msg("choice_no_else", lang)))
    options = [ChoiceOption(t, kb.topic(t).name(lang)) for t in state.options]
    options.append(ChoiceOption("both", kb.msg("choice_both", lang)))
    options.append(ChoiceOption("none", kb.msg("choice_none", lang)))
    return tuple(options)


def contradiction_options(kb: KnowledgeBase, state: ConversationState) -> tuple[ChoiceOption, ...]:
    """Keep one of the two clashing answers (the other is dropped and asked again if it matters)."""
    lang = state.lang
    options = []
    for field_id in state.conflict:
        label = kb.field(field_id).choice(state.answers[field_id]).label(lang)
        options.append(ChoiceOption(field_id, kb.msg("contradiction_keep", lang,
                                                     field=kb.msg(f"field_{field_id}", lang), answer=label)))
    options.append(ChoiceOption(DONT_KNOW, kb.msg("choice_dont_know", lang)))
    return tuple(options)


def confirm_new_options(kb: KnowledgeBase, state: ConversationState) -> tuple[ChoiceOption, ...]:
    """After the advice: same client, new client, neither. Mid-intake: start over, or carry on."""
    lang = state.lang
    if state.advised:
        return (ChoiceOption("same_client", kb.msg("choice_same_client", lang)),
                ChoiceOption("new_client", kb.msg("choice_new_client", lang)),
                ChoiceOption("neither", kb.msg("choice_neither_new", lang)))
    return (ChoiceOption("restart_with_it", kb.msg("choice_restart_with_it", lang)),
            ChoiceOption("keep", kb.msg("choice_keep_going", lang)))


def objective_options(kb: KnowledgeBase, state: ConversationState) -> tuple[ChoiceOption, ...]:
    """The objectives the requested tactics can serve, the most served first, then "I don't know".

    A buzzword objective ("être partout") is read through the tactics it names, so the choices
    are what those tactics serve, not every objective cut alphabetically."""
    lang = state.lang
    tactics: list[str] = []
    for topic_id in state.topic_ids():
        topic = kb.topic(topic_id)
        if topic.level == "tactic":
            tactics.append(topic_id)
        elif topic.buzzword:
            tactics += [t for t in topic.related if t in kb.topics and kb.topic(t).level == "tactic"]
    served: list[str] = []
    for tactic in dict.fromkeys(tactics):
        served += [o for o in kb.topic(tactic).related if o in kb.topics and kb.topic(o).level == "objective"]
    votes = Counter(o for o in served if not kb.topic(o).buzzword)
    first = {o: i for i, o in enumerate(dict.fromkeys(served))}
    ranked = sorted(votes, key=lambda o: (-votes[o], first[o])) or \
        [t.id for t in kb.objectives() if not t.buzzword]
    served = ranked[:MAX_OBJECTIVE_CHOICES]
    options = [ChoiceOption(o, kb.topic(o).name(lang)) for o in served]
    options.append(ChoiceOption(DONT_KNOW, kb.msg("choice_dont_know", lang)))
    return tuple(options)


def capacity_options(kb: KnowledgeBase, field_id: str, lang: str, in_euros: bool = False) -> tuple[ChoiceOption, ...]:
    if not field_id:
        return ()
    field = kb.field(field_id)
    options = [ChoiceOption(c.id, choice_label(kb, field_id, c.id, lang, in_euros)) for c in field.choices]
    options.append(ChoiceOption(DONT_KNOW, kb.msg("choice_dont_know", lang)))
    return tuple(options)


def objective_ack(kb: KnowledgeBase, state: ConversationState) -> str:
    if state.objective and state.objective in kb.topics:
        return kb.msg("objective_noted", state.lang, objective=kb.topic(state.objective).name(state.lang))
    if state.objective == "none":
        return kb.msg("objective_none_noted", state.lang)
    return kb.msg("objective_unknown_noted", state.lang)


def objective_outside(kb: KnowledgeBase, state: ConversationState, objective: str) -> str:
    """The client names an objective the requested tools rarely serve: say so, and what would."""
    lang = state.lang
    tools = ", ".join(kb.topic(t).name(lang) for t in state.topic_ids() if kb.topic(t).level == "tactic")
    better = [t for t in kb.topic(objective).related if t in kb.topics][:4]
    return kb.msg("objective_outside", lang, objective=kb.topic(objective).name(lang), tools=tools or "—",
                  better=", ".join(kb.topic(t).name(lang) for t in better) or "—")


def answers_text(kb: KnowledgeBase, lang: str, answers: Mapping[str, str]) -> str:
    """Capacity answers quoted the way the client will recognise them."""
    return "; ".join(kb.msg("cite_answer", lang, field=kb.msg(f"field_{f}", lang),
                            answer=kb.field(f).choice(c).label(lang)) for f, c in answers.items())


def noted(kb: KnowledgeBase, lang: str, found: Mapping[str, str], evidence: Mapping[str, str],
          correct_me: bool = False) -> str:
    """"Noté : qui produit : moi (« mon associé pis moi »); ...": what was understood, in the
    client's words too, so a misreading is seen; `correct_me` adds how to correct it."""
    parts = []
    for field_id, choice in found.items():
        name = kb.msg(f"field_{field_id}", lang)
        label = kb.field(field_id).choice(choice).label(lang)
        words = " ".join((evidence.get(field_id) or "").split())
        if words and bare(words) != bare(label):
            parts.append(kb.msg("noted_answer_words", lang, field=name, answer=label, words=words[:120]))
        else:
            parts.append(kb.msg("noted_answer", lang, field=name, answer=label))
    return kb.msg("noted_correct_me" if correct_me else "noted", lang, answers="; ".join(parts))


def current_prompt(kb: KnowledgeBase, state: ConversationState, offered: tuple[str, ...] = ()) -> list[Reply]:
    """The question the conversation is waiting on, asked again. `offered`: the topics of a new
    request being offered (stage confirm_new), when the engine has just classified it."""
    lang = state.lang
    if state.stage == "clarify":
        names = " / ".join(kb.topic(t).name(lang) for t in state.options)
        key = "confirm_topic_question" if len(state.options) == 1 else "clarify_question"
        return [Reply("question", kb.msg(key, lang, options=names), clarify_options(kb, state))]
    if state.stage == "contradiction":
        why = contradiction_why(kb, state.conflict, lang)
        return [Reply("question", kb.msg("contradiction_question", lang, why=why), contradiction_options(kb, state))]
    if state.stage == "confirm_new":
        names = ", ".join(kb.topic(t).name(lang) for t in offered) or f"« {state.pending_request[:80]} »"
        key = "new_request_after_advice" if state.advised else "new_request_mid_intake"
        return [Reply("question", kb.msg(key, lang, topics=names), confirm_new_options(kb, state))]
    if state.stage == "objective":
        names = ", ".join(kb.topic(t).name(lang) for t in state.topic_ids())
        return [Reply("question", kb.msg("objective_question", lang, tactics=names), objective_options(kb, state))]
    if state.stage == "capacity" and state.pending:
        field = kb.field(state.pending)
        text = f"{field.question(lang)}\n_{field.why(lang)}_"
        return [Reply("question", text, capacity_options(kb, field.id, lang, euros(state.answers)),
                      data={"field": field.id})]
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
    lines = [f"**{rec['title']}** — {rec['verdict_label']}", commitment_line(kb, lang, rec)]
    if rec.get("measure"):
        lines.append(kb.msg("measure_line", lang, measure=rec["measure"]))
    lines += ["", rec["rationale"], ""]
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
