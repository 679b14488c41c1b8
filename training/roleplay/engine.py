"""The role-play as a pure state machine: step(ctx, state, message) -> (state, replies).

Like the advisor's engine: no I/O, a frozen state that round-trips through JSON (an
unfinished role-play survives a restart), replies as data (`advisor.replies.Reply`). The
console prints them; Discord posts them in the role-play's private thread.

A message is one of:
- a command: "aide"/"help", "annuler"/"cancel" (abandon, nothing scored), "proposer"/
  "propose" (the topic's rule titles as numbered options);
- a proposal: a line starting with ">" (free text matched to the rule titles), or a pick
  among the options once they are shown; it ends the interview with the debrief;
- anything else: questions. Each sentence is recognised as a move and the client answers
  it in character (see `client.py` and the persona levels in `scenario.py`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from advisor.commands import match_command, pick_choice
from advisor.replies import ChoiceOption, Reply
from knowledge.models import KnowledgeBase
from knowledge.text import normalise

from . import client
from .debrief import debrief_reply
from .moves import UNCLEAR, MoveGuess, field_moves
from .scenario import Scenario
from .state import INFO_OUTCOMES, Event, RolePlayState

MAX_MESSAGE_CHARS = 2000
"""Longer messages are cut (and the junior told): no question needs more."""
HURRY_AFTER = 25
"""After this many messages the client asks for a proposal (once): an intake has an end."""
PROPOSE_COMMAND = "rp_propose"
MATCH_CUTOFF = 55.0
"""A free-text proposal scoring under this against every rule title is left unmatched."""
Recognise = Callable[[str, str], Sequence[MoveGuess]]


@dataclass(frozen=True)
class RolePlayContext:
    kb: KnowledgeBase
    recognise: Recognise


def context(kb: KnowledgeBase) -> RolePlayContext:
    """The production context: the base and its question recogniser."""
    def recognise(text: str, lang: str) -> Sequence[MoveGuess]:
        from .recogniser import recognise as model  # scikit-learn: only once a question comes

        return model(kb, text, lang)

    return RolePlayContext(kb, recognise)


def begin(kb: KnowledgeBase, scenario: Scenario, *, turn: int = 0) -> tuple[RolePlayState, list[Reply]]:
    """A fresh session and its opening: the instructions, then the client's vague request."""
    state = RolePlayState(scenario=scenario, turn=turn, transcript=(("client", scenario.opening),))
    lang = scenario.lang
    intro = kb.msg("rp_intro", lang, level=scenario.level, persona=kb.msg(f"rp_persona_{scenario.level}", lang))
    return state, [Reply("text", intro, title=kb.msg("rp_intro_title", lang), data={"roleplay": "intro"}),
                   _client_reply(kb, lang, scenario.opening)]


def step(ctx: RolePlayContext, state: RolePlayState, message: str) -> tuple[RolePlayState, list[Reply]]:
    """One junior message in, the new state and the replies out."""
    kb, lang = ctx.kb, state.lang
    state = replace(state, turn=state.turn + 1)
    if state.finished:
        return state, [Reply("text", kb.msg("rp_none", lang))]
    text = (message or "").strip()
    notes: list[Reply] = []
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS]
        notes.append(Reply("error", kb.msg("rp_too_long", lang, limit=MAX_MESSAGE_CHARS)))
    if not text.strip("> \t"):
        if text.startswith(">"):
            return _show_options(kb, state)
        return state, [Reply("error", kb.msg("rp_empty", lang))]
    command = match_command(kb, text)
    if command == "help":
        return state, [Reply("text", kb.msg("rp_help", lang))]
    if command == "cancel":
        return replace(state, finished=True, abandoned=True), [Reply("text", kb.msg("rp_abandoned", lang),
                                                                     data={"finished": True, "abandoned": True})]
    if command == PROPOSE_COMMAND:
        return _show_options(kb, state)
    if text.startswith(">"):
        return _propose(kb, state, text.lstrip("> \t"))
    if state.choosing:
        picked = pick_choice(text, options(kb, state.scenario))
        if picked is not None:
            return _propose(kb, state, picked.label, picked.value)
        state = replace(state, choosing=False)  # not a pick: the junior went back to questions
    new, replies = _questions(ctx, state, text)
    return new, notes + replies


def options(kb: KnowledgeBase, scenario: Scenario) -> tuple[ChoiceOption, ...]:
    """The topic's rule titles, in an order drawn from the seed (the YAML order would hint)."""
    rules = list(kb.rules.get(scenario.topic, ()))
    random.Random(f"{scenario.id}:options").shuffle(rules)
    return tuple(ChoiceOption(r.id, r.title(scenario.lang)) for r in rules)


def match_proposal(kb: KnowledgeBase, scenario: Scenario, text: str) -> str:
    """The rule id a free-text proposal names (number, id, title, or the closest title), or ""."""
    choices = options(kb, scenario)
    picked = pick_choice(text, choices)
    if picked is not None:
        return picked.value
    words = normalise(text)
    from rapidfuzz import fuzz

    scored = [(0.6 * fuzz.token_set_ratio(words, normalise(c.label)) + 0.4 * fuzz.token_sort_ratio(
        words, normalise(c.label)), c.value) for c in choices]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= MATCH_CUTOFF else ""


# --- questions --------------------------------------------------------------------------

def _questions(ctx: RolePlayContext, state: RolePlayState, text: str) -> tuple[RolePlayState, list[Reply]]:
    kb, scenario = ctx.kb, state.scenario
    guesses = list(ctx.recognise(text, state.lang)) or [MoveGuess(text, UNCLEAR, 0.0)]
    lines: list[str] = []
    for guess in guesses:
        state, line = _answer(kb, state, guess)
        lines.append(line)
    if state.claim_state == "made" and not state.slip_said and any(
            e.outcome in INFO_OUTCOMES and e.field != _claim_field(scenario) for e in state.events[-len(guesses):]):
        lines.append(client.slip(kb, scenario, state.turn))
        state = replace(state, slip_said=True)
    said = " ".join(line for line in lines if line)
    state = replace(state, transcript=state.transcript + (("junior", text), ("client", said)))
    replies = [_client_reply(kb, state.lang, said)]
    if state.questions >= HURRY_AFTER and not state.hurried:
        hurry = client.persona(kb, scenario, "hurry", state.turn)
        state = replace(state, hurried=True, transcript=state.transcript + (("client", hurry),))
        replies.append(_client_reply(kb, state.lang, hurry))
    return state, replies


def _answer(kb: KnowledgeBase, state: RolePlayState, guess: MoveGuess) -> tuple[RolePlayState, str]:
    """The client's line for one move, and the state with its event recorded."""
    scenario, turn, move = state.scenario, state.turn, guess.move

    def done(outcome: str, line: str, field: str = "", **changes: object) -> tuple[RolePlayState, str]:
        event = Event(move, guess.text, outcome, field)
        return replace(state, events=state.events + (event,), **changes), line  # type: ignore[arg-type]

    if move in field_moves(kb):
        if move not in dict(scenario.profile):  # a field this tactic's advice never reads
            return done("neutral", client.persona(kb, scenario, "neutral", turn))
        return _field_answer(kb, state, guess)
    if move == "objective":
        repeat = _asked(state, "objective")
        return done("repeat" if repeat else "answered", client.after(_repeat(kb, state, repeat),
                                                                      client.objective(kb, scenario, turn)))
    if move == "situation":
        repeat = _asked(state, "situation")
        return done("repeat" if repeat else "answered", client.after(_repeat(kb, state, repeat),
                                                                      client.situation(kb, scenario, turn)))
    if move == "meaning":
        return done("answered", client.meaning(kb, scenario, turn))
    if move == "challenge":
        return _challenge(kb, state, guess)
    if move == "leading":
        return done("agreed", client.persona(kb, scenario, "agree", turn))
    if move == "warn":
        key = "deny" if scenario.level == 3 else "acknowledge"
        return done(key, client.persona(kb, scenario, key, turn))
    if move == "greeting":
        return done("greeted", client.persona(kb, scenario, "greeting", turn))
    if move == "off_topic":
        return done("neutral", client.persona(kb, scenario, "neutral", turn))
    return done("unclear", client.persona(kb, scenario, "unclear", turn))


def _field_answer(kb: KnowledgeBase, state: RolePlayState, guess: MoveGuess) -> tuple[RolePlayState, str]:
    scenario, turn, field = state.scenario, state.turn, guess.move
    repeat = any(e.field == field and e.outcome in INFO_OUTCOMES for e in state.events)
    if field == _claim_field(scenario) and state.claim_state != "admitted":
        line = client.after(_repeat(kb, state, repeat), client.claim(kb, scenario, turn))
        state = replace(state, claim_state="made")
        outcome = "claimed"
    elif field in scenario.vague and field not in state.clarified:
        if any(e.field == field and e.outcome == "vague" for e in state.events):
            line = client.after(client.persona(kb, scenario, "hedge", turn), client.answer(kb, scenario, field, turn))
            state = replace(state, clarified=state.clarified + (field,), vague_pending="")
            outcome = "clarified"
        else:
            line = client.persona(kb, scenario, "vague", turn)
            state = replace(state, vague_pending=field)
            outcome = "vague"
    else:
        line = client.after(_repeat(kb, state, repeat), client.answer(kb, scenario, field, turn))
        outcome = "repeat" if repeat else "answered"
    return replace(state, events=state.events + (Event(field, guess.text, outcome, field),)), line


def _challenge(kb: KnowledgeBase, state: RolePlayState, guess: MoveGuess) -> tuple[RolePlayState, str]:
    """A reality check: it uncovers a claim (level 3), or the last vague answer (level 2)."""
    scenario, turn = state.scenario, state.turn
    if state.claim_state == "made":
        field = _claim_field(scenario)
        line = client.persona(kb, scenario, "admit", turn) + " " + client.answer(kb, scenario, field, turn)
        event = Event("challenge", guess.text, "admitted", field)
        return replace(state, events=state.events + (event,), claim_state="admitted"), line
    if state.vague_pending:
        field = state.vague_pending
        line = client.after(client.persona(kb, scenario, "hedge", turn), client.answer(kb, scenario, field, turn))
        event = Event("challenge", guess.text, "clarified", field)
        return replace(state, events=state.events + (event,), vague_pending="",
                       clarified=state.clarified + (field,)), line
    event = Event("challenge", guess.text, "confirmed")
    return replace(state, events=state.events + (event,)), client.persona(kb, scenario, "confirm", turn)


def _asked(state: RolePlayState, move: str) -> bool:
    return any(e.move == move and e.outcome in INFO_OUTCOMES for e in state.events)


def _repeat(kb: KnowledgeBase, state: RolePlayState, repeat: bool) -> str:
    return client.persona(kb, state.scenario, "repeat", state.turn) if repeat else ""


def _claim_field(scenario: Scenario) -> str:
    return scenario.claim[0] if scenario.claim else ""


# --- proposal ---------------------------------------------------------------------------

def _show_options(kb: KnowledgeBase, state: RolePlayState) -> tuple[RolePlayState, list[Reply]]:
    prompt = kb.msg("rp_options", state.lang)
    return replace(state, choosing=True), [Reply("question", prompt, options(kb, state.scenario),
                                                 data={"roleplay": "options"})]


def _propose(kb: KnowledgeBase, state: RolePlayState, text: str,
             rule_id: str | None = None) -> tuple[RolePlayState, list[Reply]]:
    """The interview ends: the proposal is matched, the client closes, the debrief follows."""
    scenario, lang = state.scenario, state.lang
    matched = rule_id if rule_id is not None else match_proposal(kb, scenario, text)
    closing = client.persona(kb, scenario, "closing", state.turn)
    event = Event("proposal", text, "matched" if matched else "unmatched")
    done = replace(state, events=state.events + (event,), proposal=(matched, text), finished=True, choosing=False,
                   transcript=state.transcript + (("junior", "> " + text), ("client", closing)))
    title = kb.rule(matched).title(lang) if matched else ""
    note = kb.msg("rp_proposed", lang, title=title) if matched else kb.msg("rp_proposed_unmatched", lang)
    return done, [Reply("text", note), _client_reply(kb, lang, closing), debrief_reply(kb, done)]


def _client_reply(kb: KnowledgeBase, lang: str, line: str) -> Reply:
    return Reply("text", kb.msg("rp_client_says", lang, line=line), data={"roleplay": "client", "line": line})
