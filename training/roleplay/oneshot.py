"""One role-play from a list of lines, and the hidden scenario revealed: `bot.py roleplay`'s core.

`play` runs the junior's lines (one message each, blank ones skipped) against the client and
yields every reply as it comes; a line starting with ">" is the proposal and ends the
interview (later lines are ignored). The last reply is always the debrief, whose
`data["debrief"]["result"]` is the contract's JSON: end of input without a proposal, or an
abandon, still gets one (the verdict is then "poor"). `reveal` describes the hidden
scenario, so tests and trainers can script a perfect or a careless interview. No I/O and
nothing stored: the command line (`adapters/roleplay_cli.py`) prints.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from advisor.replies import Reply
from knowledge.models import KnowledgeBase

from .advice_port import key_move, rule_for, senior_questions
from .debrief import debrief_reply
from .engine import begin, context, options, step
from .scenario import Scenario


def reveal(kb: KnowledgeBase, scenario: Scenario) -> dict[str, Any]:
    """The hidden scenario, the rule the advice gives for it and the questions that decide it."""
    lang, values = scenario.lang, scenario.values()
    expected = rule_for(kb, scenario.topic, values)
    deciding = senior_questions(kb, scenario.topic, values)
    topic = kb.topic(scenario.topic)
    claim = None
    if scenario.claim:
        field, claimed = scenario.claim
        claim = {"field": field, "claimed": claimed, "truth": values[field]}
    return {
        "scenario": {**scenario.to_dict(), "topic_name": topic.name(lang), "profile": dict(scenario.profile),
                     "claim": claim},
        "expected": {"id": expected.id, "verdict": expected.verdict, "title": expected.title(lang)},
        "deciding": deciding,
        "deciding_moves": list(dict.fromkeys(key_move(k) for k in deciding)),
        "rules": [{"id": o.value, "title": o.label, "verdict": kb.rule(o.value).verdict}
                  for o in options(kb, scenario)],
        "magic_thinking": [w(lang) for w in topic.warnings],
    }


def play(kb: KnowledgeBase, scenario: Scenario, lines: Iterable[str]) -> Iterator[Reply]:
    """The opening, then for each line the junior's words (data `junior`) and the client's replies;
    the debrief last."""
    ctx = context(kb)
    state, replies = begin(kb, scenario)
    yield from replies
    debrief: Reply | None = None
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        yield Reply("text", kb.msg("rp_transcript_junior", scenario.lang, text=line), data={"junior": line})
        state, replies = step(ctx, state, line)
        for reply in replies:
            if "debrief" in reply.data:
                debrief = reply
            else:
                yield reply
        if state.finished:
            break
    yield debrief or debrief_reply(kb, state)


def reveal_text(kb: KnowledgeBase, data: dict[str, Any]) -> str:
    scenario, expected = data["scenario"], data["expected"]
    lines = [f"{scenario['id']}: {scenario['topic_name']} ({scenario['topic']}), level {scenario['level']}",
             f"opening: {scenario['opening']}", f"objective: {scenario['objective']}",
             f"situation: {scenario['sector']}, {scenario['clientele']}, regulated={scenario['regulated']}, "
             f"{scenario['reach']}, {scenario['market']} ({scenario['place']})"]
    lines += [f"{field}: {choice}" for field, choice in scenario["profile"].items()]
    if scenario["vague"]:
        lines.append(f"vague at first: {', '.join(scenario['vague'])}")
    if scenario["claim"]:
        claim = scenario["claim"]
        lines.append(f"claim: {claim['field']} = {claim['claimed']} (truth: {claim['truth']})")
    lines.append(f"deciding: {', '.join(data['deciding'])}")
    lines.append(f"expected: {expected['id']} ({expected['verdict']}): {expected['title']}")
    return "\n".join(lines)


def dumps(data: dict[str, Any]) -> str:
    """One line of JSON (the contract reads the last line)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
