"""The debrief, as text and as data: the rubric, the hidden profile, a senior's advice, the transcript.

`debrief_reply` is the engine's last reply. Its text is what the console prints; its
`data["debrief"]` holds the contract's JSON (`result`) and each section separately
(`sections`), so Discord builds an embed without parsing prose.
"""

from __future__ import annotations

from typing import Any

from advisor.replies import Reply
from knowledge.models import OBJECTIVE_KEY, KnowledgeBase
from knowledge.roleplay_models import SITUATION_BLOCK

from .advice_port import senior_advice
from .rubric import Result, judge
from .state import RolePlayState

ICONS = {"good": "✅", "fair": "➖", "poor": "❌"}


def debrief(kb: KnowledgeBase, state: RolePlayState) -> tuple[Result, dict[str, str]]:
    """The judged result and the debrief's sections, in the session's language."""
    result = judge(kb, state)
    lang = state.lang
    criteria = "\n".join(kb.msg("rp_criterion_line", lang, icon=ICONS[j.rating], name=kb.msg(f"rp_crit_{j.id}", lang),
                                rating=kb.msg(f"rp_rating_{j.rating}", lang), why=j.why) for j in result.criteria)
    advice = senior_advice(kb, state.scenario.topic, state.scenario.values(), lang)
    senior = kb.msg("rp_senior", lang, title=advice["title"], verdict=advice["verdict_label"],
                    rationale=advice["rationale"])
    if result.known_rule.id != result.expected.id:
        senior += "\n" + kb.msg("rp_known_rule", lang, title=result.known_rule.title(lang))
    return result, {"score": kb.msg("rp_score", lang, score=result.score), "criteria": criteria,
                    "hidden": hidden_profile(kb, state, result), "senior": senior, "transcript": transcript(kb, state)}


def debrief_reply(kb: KnowledgeBase, state: RolePlayState) -> Reply:
    result, sections = debrief(kb, state)
    lang = state.lang
    text = "\n\n".join([
        sections["score"], sections["criteria"],
        kb.msg("rp_hidden_title", lang) + "\n" + sections["hidden"],
        kb.msg("rp_senior_title", lang) + "\n" + sections["senior"],
        kb.msg("rp_transcript_title", lang) + "\n" + sections["transcript"],
        kb.msg("rp_again", lang),
    ])
    data: dict[str, Any] = {"debrief": {"result": result.to_json(kb, state), "sections": sections},
                            "finished": True, "score": result.score}
    return Reply("text", text, title=kb.msg("rp_debrief_title", lang), data=data)


def hidden_profile(kb: KnowledgeBase, state: RolePlayState, result: Result) -> str:
    """The client as drawn: objective, situation, every capacity answer and the situation fields the
    topic's rules read (deciding ones marked: the objective when the expected rule reads it)."""
    scenario, lang = state.scenario, state.lang
    data = kb.roleplay
    assert data is not None
    objective = (kb.topic(scenario.objective).name(lang) if scenario.objective in kb.topics
                 else kb.msg("rp_no_objective", lang))
    sector = data.sector(scenario.sector)
    marked = kb.msg("rp_deciding_mark", lang)
    lines = [kb.msg("rp_hidden_objective", lang, objective=objective,
                    mark=marked if OBJECTIVE_KEY in result.expected.when else ""),
             kb.msg("rp_hidden_situation", lang, sector=sector.name(lang),
                    clientele=kb.msg(f"rp_clientele_{scenario.clientele}", lang),
                    regulated=kb.msg("rp_regulated", lang) if scenario.regulated != "none" else "",
                    reach=data.reach_of(scenario.reach).name(lang), market=data.market(scenario.market).name(lang),
                    place=scenario.place, mark=marked if set(SITUATION_BLOCK) & set(result.deciding) else "")]
    for field_id, choice in scenario.profile:
        if field_id == OBJECTIVE_KEY or field_id in SITUATION_BLOCK:
            continue  # said above
        field = kb.field(field_id)
        mark = marked if field_id in result.deciding else ""
        line = kb.msg("rp_hidden_field", lang, field=kb.msg(f"field_{field_id}", lang),
                      answer=field.choice(choice).label(lang), mark=mark)
        if scenario.claim and scenario.claim[0] == field_id:
            line += " " + kb.msg("rp_claim_note", lang, claimed=field.choice(scenario.claim[1]).label(lang))
        if field_id in scenario.vague:
            line += " " + kb.msg("rp_vague_note", lang)
        lines.append(line)
    return "\n".join(lines)


def transcript(kb: KnowledgeBase, state: RolePlayState) -> str:
    lang = state.lang
    return "\n".join(kb.msg(f"rp_transcript_{speaker}", lang, text=text) for speaker, text in state.transcript)
