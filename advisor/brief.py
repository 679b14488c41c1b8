"""The intake brief: a Markdown page the account manager brings to the client meeting.

It keeps the client's words verbatim (so nobody reinterprets them later), separates
strategy from tactics, shows which capacity answers were said and which were assumed,
and ends with the questions still worth asking in the room.
"""

from __future__ import annotations

from typing import Any, Mapping

from advisor.advice import format_number
from advisor.markdown_safe import inert
from advisor.state import ConversationState
from knowledge.models import KnowledgeBase

MAX_QUESTIONS = 8


def _quote(text: str) -> str:
    """The request as a Markdown blockquote, every line quoted, nothing interpreted."""
    safe = text.replace("\r", "").strip() or "—"
    return "\n".join("> " + inert(line) for line in safe.split("\n"))


def _cell(text: str, lang: str) -> str:
    """The client's words in a table cell: one line, quoted, pipes and Markdown made inert."""
    words = inert(" ".join(text.split())[:140]).replace("|", "\\|")
    if not words:
        return "—"
    return f"« {words} »" if lang == "fr" else f"“{words}”"


def meeting_questions(kb: KnowledgeBase, state: ConversationState, lang: str) -> list[str]:
    """Capacity questions still unanswered, then each topic's own questions."""
    questions = [kb.field(f).question(lang) for f in
                 [f.id for f in kb.capacity] if f not in state.answers]
    for topic_id in state.topic_ids():
        questions += [q(lang) for q in kb.topic(topic_id).questions]
    return list(dict.fromkeys(questions))[:MAX_QUESTIONS]


def render_brief(kb: KnowledgeBase, state: ConversationState, plan: Mapping[str, Any]) -> str:
    lang = state.lang
    m = lambda key, **v: kb.msg(key, lang, **v)  # noqa: E731 - local shorthand
    colon = " :" if lang == "fr" else ":"
    out = [f"# {m('brief_title')}", "", f"## {m('brief_request')}", _quote(state.request), ""]
    out += [f"## {m('brief_topics')}", ""]
    for topic_id, confidence in state.topics:
        topic = kb.topic(topic_id)
        out.append(f"- **{topic.name(lang)}**{colon} {m('level_' + topic.level)}, "
                   f"{m('confidence')} {format_number(confidence, lang, 2)}")
    objective = state.objective
    objective_text = kb.topic(objective).name(lang) if objective and objective in kb.topics \
        else m("objective_none_noted") if objective == "none" else m("objective_unknown")
    out += ["", f"## {m('brief_objective')}", objective_text, ""]
    situation = [f for f in kb.situation if f.kind == "situation" and f.id in state.answers]
    if situation:
        out += [f"## {m('brief_situation')}", ""]
        for field in situation:
            label = field.choice(state.answers[field.id]).label(lang)
            words = state.evidence.get(field.id, "")
            out.append(f"- **{m('field_' + field.id)}**{colon} {label}" + (f" ({_cell(words, lang)})" if words else ""))
        out.append("")
    out += [f"## {m('brief_capacity')} ({plan['capacity_score']}/100)", "",
            f"| {m('brief_question')} | {m('brief_answer')} | {m('brief_words')} | {m('brief_points')} |",
            "|---|---|---|---|"]
    for line in plan["capacity_breakdown"]:
        if line["assumed"]:
            why = m("assumed_dont_know") if line["field"] in state.unknown else m("assumed")
            answer = f"{line['answer']} *({why})*"
        else:
            answer = line["answer"]
        words = _cell(state.evidence.get(line["field"], ""), lang)
        out.append(f"| {line['question']} | {answer} | {words} | {format_number(line['points'], lang)}/"
                   f"{format_number(line['weight'], lang)} |")
    if plan.get("order_text"):
        out += ["", plan["order_text"]]
    for rec in plan["recommendations"]:
        out += ["", f"## {m('brief_recommendation')}{colon} {rec['title']}", "",
                f"- **{m('verdict')}**{colon} {rec['verdict_label']}",
                f"- **{m('weekly_hours')}**{colon} {rec['weekly_hours_text']} h"]
        if rec["cadence"]:
            out.append(f"- **{m('cadence')}**{colon} {rec['cadence']}")
        if rec.get("measure"):
            out.append(f"- **{m('brief_measure')}**{colon} {rec['measure']}")
        out += ["", rec["rationale"], "", f"**{m('warnings')}**", ""]
        out += [f"- {w}" for w in rec["warnings"]]
        out += ["", f"**{m('alternatives')}**", ""]
        out += [f"- {a['title']} ({a['weekly_hours_text']} h)" for a in rec["alternatives"]]
        if rec["sources"]:
            out += ["", f"**{m('sources')}**", ""]
            out += [f"- [{s['title']}]({s['url']})" for s in rec["sources"]]
    for warning in plan["warnings"]:
        out += ["", f"> ⚠️ {warning}"]
    out += ["", f"## {m('brief_ask')}", ""]
    out += [f"- {q}" for q in meeting_questions(kb, state, lang)]
    return "\n".join(out) + "\n"
