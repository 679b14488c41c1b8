"""The advisor conversation as a pure state machine: step(ctx, state, message) -> (state, replies).

No I/O, no Discord, no terminal, no SQLite: the console and the Discord bot drive this
same function, and tests drive it with plain strings. Moves between stages follow the
table in `advisor.state.TRANSITIONS`; everything said comes from the knowledge base.

Where it would otherwise guess, it asks: a request it places with little confidence is
confirmed, a decisive answer it cannot read is asked (only "je ne sais pas" lets a cautious
value in), two answers that contradict each other are pointed out, and a new request in the
middle of an intake or after the advice is confirmed before anything is dropped. What it
read is restated ("Noté : ...") so a misreading is seen and corrected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Protocol, Sequence

from advisor import prompts
from advisor.advice import next_question
from advisor.brief import render_brief
from advisor.commands import after_no, bare, match_command, match_command_lang, pick_choice, yes_or_no
from advisor.followup import contradiction_in, strip_pleasantries
from advisor.labels import euros
from advisor.recommend import plan, plan_topics
from advisor.replies import Reply
from advisor.state import ConversationState
from knowledge.models import OBJECTIVE_KEY, KnowledgeBase
from knowledge.text import normalise

MAX_MESSAGE_CHARS = 4000
"""Longer messages are cut here (and the user is told): no request needs more."""
MAX_TOPICS = 6
"""Every topic a request names is kept (the plan says in which order to take them)."""
OBJECTIVE_GUESS_CANDIDATES = 3
"""How deep in the classifier's ranking an answer to "what is it for?" is looked for an
objective to ask about (the candidates it reports)."""
OBJECTIVE_GUESS_FLOOR = 0.2
"""...and how confident the candidate must be. Measured on eval/dev.jsonl (never trained on):
5 of its 72 out-of-scope requests have an objective candidate at 0.2 or more (none at 0.3),
and 107 of its 118 requests about an objective do. A guess only asks, it never files."""
GAP_CONFIDENCE = 0.5
"""An accepted topic under this confidence still goes to the knowledge-gap report."""
CONFIRM_BELOW = 0.6
"""A single topic placed under this confidence is confirmed before an intake starts on it
("message 1" must not start one). Out of fold on the knowledge base's requests, the best
topic is right 70% of the time between 0.5 and 0.6 and 80% from 0.6 (2026-11-30)."""
NEW_REQUEST_CONFIDENCE = 0.8
"""A message that is not an answer is taken for a new request (and offered as one) only when
the classifier places it at least this surely; otherwise it is just not understood."""
GAP_MIN_WORDS = 2
"""One-word messages ("ok", "test") are not requests the knowledge base lacks."""
DONT_KNOW = prompts.DONT_KNOW
Turn = tuple[ConversationState, list[Reply]]
"""What a step returns: the new state and the replies."""


class TopicGuess(Protocol):
    """What the engine needs of one classifier guess (classifier.TopicScore fits)."""

    @property
    def id(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def confidence(self) -> float: ...


class ClassificationLike(Protocol):
    """What the engine needs of a classification (classifier.Classification fits)."""

    @property
    def language(self) -> str: ...
    @property
    def topics(self) -> Sequence[TopicGuess]: ...
    @property
    def candidates(self) -> Sequence[TopicGuess]: ...
    @property
    def ambiguous(self) -> tuple[str, str] | None: ...
    @property
    def reason(self) -> str: ...


class ReadingLike(Protocol):
    @property
    def choice(self) -> str: ...
    @property
    def evidence(self) -> str: ...


class ReadingsLike(Protocol):
    """What the engine needs of the free-text reader's output (reading.Readings fits)."""

    @property
    def answers(self) -> Any: ...
    @property
    def unsure(self) -> Any: ...


@dataclass(frozen=True)
class EngineContext:
    kb: KnowledgeBase
    classify: Callable[[str], ClassificationLike]
    read: Callable[..., ReadingsLike]
    """The capacity reader: (text, field of the pending question or None, is the request) -> readings."""


def new_state(lang: str = "fr", lang_locked: bool = False) -> ConversationState:
    return ConversationState(lang=lang, lang_locked=lang_locked)


def step(ctx: EngineContext, state: ConversationState, message: str) -> Turn:
    """One user message in, the new state and the bot's replies out."""
    state = replace(state, turn=state.turn + 1)
    text = (message or "").strip()
    notes: list[Reply] = []
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS]
        notes.append(Reply("error", ctx.kb.msg("too_long", state.lang, limit=MAX_MESSAGE_CHARS)))
    if not text:
        return state, [Reply("error", ctx.kb.msg("empty", state.lang))] + prompts.current_prompt(ctx.kb, state)
    if "\n" in text:  # a pasted email: its greeting and sign-off are not the request
        text = strip_pleasantries(ctx.kb, text) or text
    found = match_command_lang(ctx.kb, text)
    command = found[0] if found else None
    word_lang = found[1] if found and command not in ("lang_fr", "lang_en") else None
    if word_lang and not state.lang_locked and state.stage == "request":
        state = replace(state, lang=word_lang)  # "hello" before any request: answer in English
    if command == "dont_know" and state.stage in ("capacity", "objective", "clarify", "contradiction", "confirm_new"):
        text, command = DONT_KNOW, None
    if command is not None:
        new, replies = _command(ctx, state, command)
        return new, notes + replies
    new, replies = _HANDLERS[state.stage](ctx, state, text)
    return new, notes + replies


# --- commands -------------------------------------------------------------------------

def _command(ctx: EngineContext, state: ConversationState, command: str) -> Turn:
    kb = ctx.kb
    if command in ("lang_fr", "lang_en"):
        lang = command[-2:]
        new = replace(state.moved("language"), lang=lang, lang_locked=True)
        return new, [Reply("text", kb.msg("language_set", lang))] + prompts.current_prompt(kb, new)
    if command == "help":
        return state.moved("help"), [Reply("text", kb.msg("help", state.lang))] + prompts.current_prompt(kb, state)
    if command in ("restart", "cancel", "new_client"):
        fresh = replace(new_state(state.lang, state.lang_locked), turn=state.turn, intake=state.intake,
                        history=(state.history + (state.snapshot(),))[-5:], last_move=(state.stage, command))
        key = {"restart": "restarted", "cancel": "cancelled", "new_client": "new_client_started"}[command]
        return fresh, [Reply("text", kb.msg(key, state.lang))] + prompts.current_prompt(kb, fresh)
    if command == "back":
        if not state.history:
            return state, [Reply("text", kb.msg("nothing_to_undo", state.lang))] + prompts.current_prompt(kb, state)
        previous = _previous(state, "back")
        return previous, [Reply("text", kb.msg("went_back", state.lang))] + prompts.current_prompt(kb, previous)
    if command == "brief":
        if state.stage == "done":
            return state.moved("show_brief"), _advice_replies(ctx, state)
        return state.moved("no_brief_yet"), [Reply("text", kb.msg("no_brief_yet", state.lang))] + \
            prompts.current_prompt(kb, state)
    if command == "greeting":
        prompt = prompts.current_prompt(kb, state) if state.stage != "request" else []
        return state, [Reply("text", kb.msg("greeting", state.lang))] + prompt
    if command == "thanks":
        prompt = prompts.current_prompt(kb, state) if state.stage not in ("request", "done") else []
        return state, [Reply("text", kb.msg("thanks", state.lang))] + prompt
    if command == "dont_know" and state.stage == "request":
        return state, _tell_me_more(kb, state.lang)
    return state, prompts.current_prompt(kb, state)


def _before_offer(state: ConversationState) -> ConversationState:
    """The state the conversation was in before a new request was offered (stage confirm_new)."""
    depth = next(i for i in range(len(state.history) - 1, -1, -1) if state.history[i]["stage"] != "confirm_new")
    trimmed = replace(state, history=state.history[:depth + 1])
    previous = _previous(trimmed, "kept")
    return replace(previous, last_move=(state.stage, f"kept_{previous.stage}"))


def _previous(state: ConversationState, event: str) -> ConversationState:
    """The state before the last move, keeping this turn's counter and language."""
    previous = ConversationState.from_dict({**state.history[-1], "history": list(state.history[:-1])})
    return replace(previous, turn=state.turn, lang=state.lang, lang_locked=state.lang_locked,
                   last_move=(state.stage, event))


# --- stages ---------------------------------------------------------------------------

def _on_request(ctx: EngineContext, state: ConversationState, text: str,
                carried: dict[str, str] | None = None, carried_evidence: dict[str, str] | None = None,
                unknown: tuple[str, ...] = ()) -> Turn:
    kb = ctx.kb
    result = ctx.classify(text)
    lang = state.lang if state.lang_locked else result.language
    base = replace(new_state(lang, state.lang_locked), turn=state.turn, history=state.history, request=text,
                   last_move=state.last_move, intake=state.intake + 1)
    gap = _gap(result, text, lang)
    topics = tuple((t.id, round(float(t.confidence), 3)) for t in result.topics if t.id in kb.topics)[:MAX_TOPICS]
    readings = ctx.read(text, None, True)
    answers = {**(carried or {}), **_choices(readings)}
    evidence = {**(carried_evidence or {}), **_evidence(readings)}
    if result.ambiguous and len(result.topics) < 2:
        options = tuple(t for t in result.ambiguous if t in kb.topics)
        new = base.moved("ambiguous", options=options, answers=answers, evidence=evidence, unknown=unknown)
        return new, [Reply("text", kb.msg("hesitating", lang), data={"gap": gap})] + prompts.current_prompt(kb, new)
    if not topics:
        new = base.moved("out_of_scope", request="", intake=state.intake)
        why = "unreadable" if result.reason == "empty" else "out_of_scope"
        return new, [Reply("text", kb.msg(why, lang), data={"gap": gap}), Reply("text", prompts.capabilities(kb, lang))]
    if len(topics) == 1 and topics[0][1] < CONFIRM_BELOW:
        # placed, but barely: say what was understood and ask, rather than start on a guess
        new = base.moved("ambiguous", options=(topics[0][0],), answers=answers, evidence=evidence, unknown=unknown)
        return new, _with_gap(prompts.current_prompt(kb, new), gap)
    started = replace(base, topics=topics, answers=answers, evidence=evidence, unknown=unknown)
    replies = prompts.reframe(kb, started)
    if carried:
        replies.append(Reply("text", kb.msg("capacity_carried_over", lang,
                                            answers=prompts.answers_text(kb, lang, carried))))
    # capacity read in the request is restated now; the situation ("bakery": B2C) is cited with the
    # advice when it decides it, so the first thing a thread shows stays the question
    read_here = {f: c for f, c in _choices(readings).items() if kb.field(f).kind == "capacity"}
    if read_here:
        replies.append(Reply("text", prompts.noted(kb, lang, read_here, _evidence(readings), correct_me=True)))
    if gap["low_confidence"]:
        replies[0] = replace(replies[0], data={**replies[0].data, "gap": gap})
    return _advance(ctx, started, replies, prefix="")


def _with_gap(replies: list[Reply], gap: dict[str, Any]) -> list[Reply]:
    """The first reply carries the knowledge-gap record (the service stores it)."""
    return [replace(replies[0], data={**replies[0].data, "gap": gap})] + replies[1:] if replies else replies


def _on_clarify(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    kb = ctx.kb
    options = prompts.clarify_options(kb, state)
    picked = pick_choice(text, options)
    if picked is None and len(state.options) == 1:  # "Is that right?" answered "oui" / "nope"
        answer = yes_or_no(kb, text)
        picked = options[0] if answer == "yes" else options[-1] if answer == "no" else None
    replies: list[Reply] = []
    if text == DONT_KNOW:  # never loop on "I don't know": keep every reading offered
        picked = next((o for o in options if o.value in ("both",) + state.options), None)
        replies.append(Reply("text", kb.msg("clarify_dont_know", state.lang)))
    if picked is None:
        return _unclear(kb, state, text)
    if picked.value == "none":
        new = state.moved("none_chosen", options=(), request="")
        return new, _tell_me_more(kb, state.lang)
    chosen = state.options if picked.value == "both" or text == DONT_KNOW else (picked.value,)
    with_topics = replace(state, topics=tuple((t, 1.0) for t in chosen), options=())
    return _advance(ctx, with_topics, replies + prompts.reframe(kb, with_topics), prefix="chosen_")


def _on_objective(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    kb = ctx.kb
    options = prompts.objective_options(kb, state)
    picked = pick_choice(text, options)
    if picked is None and state.options and yes_or_no(kb, text) == "yes":  # "oui" to "Je crois comprendre : X"
        guessed = state.options[0]
        chosen = replace(state, objective=guessed, options=())
        served = {o.value for o in prompts.objective_options(kb, replace(state, options=()))}
        note = prompts.objective_ack(kb, chosen) if guessed in served else \
            prompts.objective_outside(kb, chosen, guessed)
        return _advance(ctx, chosen, [Reply("text", note)], prefix="objective_")
    rest = after_no(kb, text) if picked is None and state.options else None
    if rest is not None:  # "non" / "no, it's more about how people see us": the guess is dropped
        cleared = replace(state, options=())
        if rest:
            return _on_objective(ctx, cleared, rest)
        new = cleared.moved("unclear")
        return new, [Reply("text", kb.msg("objective_guess_dropped", state.lang))] + prompts.current_prompt(kb, new)
    if picked is None and is_magic_objective(kb, text):
        if state.magic_named:  # named once already: no business objective, and the advice says so
            chosen = replace(state, objective="none", options=())
            return _advance(ctx, chosen, [Reply("text", prompts.objective_ack(kb, chosen))], prefix="objective_")
        new = replace(state.moved("unclear"), magic_named=True)
        return new, [Reply("text", kb.magic_objectives.message(state.lang))] + prompts.current_prompt(kb, new)  # type: ignore[union-attr]
    objective = picked.value if picked else _objective_in(ctx, text, options)
    if objective is None:
        other = _objective_elsewhere(ctx, text, options)
        if other is not None:  # an objective this tool rarely serves: say so, and what would
            chosen = replace(state, objective=other, options=())
            note = prompts.objective_outside(kb, chosen, other)
            return _advance(ctx, chosen, [Reply("text", note)], prefix="objective_")
        readings = ctx.read(text, None)
        answers = _choices(readings)
        guess = _objective_guess(ctx, text)
        if guess is not None and not answers:
            # asked what it is for, the client answered with a goal the model is not sure of:
            # say what was understood and ask, rather than file it or take it for a new request
            new = replace(state.moved("unclear"), options=(guess,))
            note = kb.msg("objective_guess", state.lang, objective=kb.topic(guess).name(state.lang))
            return new, [Reply("text", note)] + prompts.current_prompt(kb, new)
        if not answers:
            return _new_request_or_unclear(ctx, state, text)
        new = replace(state.moved("unclear"), answers={**state.answers, **answers},
                      evidence={**state.evidence, **_evidence(readings)})
        return new, [Reply("text", prompts.noted(kb, state.lang, answers, _evidence(readings), correct_me=True)),
                     Reply("text", kb.msg("answer_noted_objective", state.lang))] + prompts.current_prompt(kb, new)
    objective = None if objective == DONT_KNOW else objective
    chosen = replace(state, objective=objective or "unknown", options=())
    replies = [Reply("text", prompts.objective_ack(kb, chosen))]
    if picked is None and objective:
        readings = ctx.read(text, None)
        if answers := _choices(readings):
            kept = replace(state, answers={**state.answers, **answers},
                           evidence={**state.evidence, **_evidence(readings)},
                           unknown=tuple(f for f in state.unknown if f not in answers))
            noted = Reply("text", prompts.noted(kb, state.lang, answers, _evidence(readings), correct_me=True))
            if any(kb.field(f).kind == "capacity" for f in answers):
                # a free answer that also speaks of capacity ("ils ont 3000 patients") may be no
                # goal at all: keep what it said, and ask whether the objective understood is meant
                new = replace(kept.moved("unclear"), options=(objective,))
                guess = kb.msg("objective_guess", state.lang, objective=kb.topic(objective).name(state.lang))
                return new, [noted, Reply("text", guess)] + prompts.current_prompt(kb, new)
            chosen = replace(kept, objective=objective, options=())  # "pour le quartier": context, kept
            replies.append(noted)
    return _advance(ctx, chosen, replies, prefix="objective_")


def _on_capacity(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    kb = ctx.kb
    field_id = state.pending or ""
    options = prompts.capacity_options(kb, field_id, state.lang, euros(state.answers))
    picked = pick_choice(text, options)
    answers, evidence, unknown = dict(state.answers), dict(state.evidence), state.unknown
    if picked is not None and picked.value == DONT_KNOW or text == DONT_KNOW:
        unknown = tuple(dict.fromkeys(unknown + (field_id,)))
        new = replace(state, unknown=unknown)
        return _after_answers(ctx, new, [])
    if picked is not None:
        answers[field_id] = picked.value
        evidence.pop(field_id, None)
        new = replace(state, answers=answers, evidence=evidence, unknown=_known(unknown, field_id),
                      firm=_with(state.firm, (field_id,)))
        noted = prompts.noted(kb, state.lang, {field_id: picked.value}, {})
        return _after_answers(ctx, new, [Reply("text", noted)])
    readings = ctx.read(text, field_id)
    read = _choices(readings)
    if field_id not in read and field_id in readings.unsure:  # "on verra", "ça dépend": the client does not know
        new = replace(state, unknown=tuple(dict.fromkeys(unknown + (field_id,))))
        words = " ".join(readings.unsure[field_id].evidence.split())[:120]
        said = kb.msg("noted_unsure", state.lang, field=kb.msg(f"field_{field_id}", state.lang), words=words)
        return _after_answers(ctx, new, [Reply("text", said)])
    if field_id not in read and not any(kb.field(f).kind == "capacity" for f in read):
        # nothing about capacity nor the question asked (at most a word of the situation, "à
        # Québec"): not an answer; what it said of the situation is kept, and the question asked
        # again. A situation question ("une stagiaire, un proche?") is answered by its own words.
        situation = replace(state, answers={**state.answers, **read},
                            evidence={**state.evidence, **_evidence(readings)})
        return _new_request_or_unclear(ctx, situation, text)
    read, kept = _keep_earlier(state, readings, read, field_id)
    answers.update(read)
    for f in read:
        evidence[f] = _evidence(readings).get(f, "")
    firm = [f for f in read if f == field_id or getattr(readings.answers[f], "source", "") in ("quantity", "number")]
    new = replace(state, answers=answers, evidence=evidence, unknown=tuple(f for f in unknown if f not in read),
                  firm=_with(state.firm, firm))
    replies = [Reply("text", prompts.noted(kb, state.lang, read, _evidence(readings), correct_me=True))] if read else []
    if kept:
        earlier = "; ".join(kb.msg("noted_answer", state.lang, field=kb.msg(f"field_{f}", state.lang),
                                   answer=kb.field(f).choice(state.answers[f]).label(state.lang)) for f in kept)
        replies.append(Reply("text", kb.msg("kept_earlier_answer", state.lang, answers=earlier)))
    return _after_answers(ctx, new, replies)


def _keep_earlier(state: ConversationState, readings: ReadingsLike, read: dict[str, str],
                  asked: str) -> tuple[dict[str, str], list[str]]:
    """An answer to one question may also say something of another; a model's guess at a field
    already answered firmly (``ConversationState.firm``: "des familles du quartier", said of the
    clientele, read as "a few hundred" after "quelques milliers de patients") does not overwrite
    the client's earlier word. The bot says which answers it kept, so the client can correct
    them. Numbers and the question asked are taken as said ("finalement, 5 heures" corrects),
    and an earlier guess said in passing gives way to a later one."""
    kept = [f for f, choice in read.items()
            if f != asked and f in state.firm and state.answers.get(f, choice) != choice
            and getattr(readings.answers[f], "source", "") == "model"]
    return {f: c for f, c in read.items() if f not in kept}, kept


def _with(fields: tuple[str, ...], more: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fields + tuple(more)))


def _known(unknown: tuple[str, ...], field_id: str) -> tuple[str, ...]:
    return tuple(f for f in unknown if f != field_id)


def _after_answers(ctx: EngineContext, state: ConversationState, replies: list[Reply],
                   before: ConversationState | None = None) -> Turn:
    """New answers are in: point out a contradiction, or carry on (ask or advise). `before`:
    the state the advice was given in, to say so when the new answers change nothing."""
    clash = contradiction_in(ctx.kb, state.answers)
    if clash is not None:
        new = state.moved("contradiction", conflict=clash, pending=None)
        return new, replies + prompts.current_prompt(ctx.kb, new)
    if state.stage == "done" or state.advised and state.stage != "capacity":
        return _readvise(ctx, state, replies, before)
    return _advance(ctx, state, replies, prefix="")


def _on_contradiction(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    kb = ctx.kb
    options = prompts.contradiction_options(kb, state)
    picked = pick_choice(text, options)
    if picked is None and text != DONT_KNOW:
        readings = ctx.read(text, None)
        read = {f: c for f, c in _choices(readings).items() if f in state.conflict}
        if len(read) == 1:  # "non, 5 heures": the new answer settles it
            field_id, choice = next(iter(read.items()))
            answers = {**state.answers, field_id: choice}
            new = replace(state, answers=answers, evidence={**state.evidence, **_evidence(readings)}, conflict=())
            return _resolved(ctx, new, [Reply("text", prompts.noted(kb, state.lang, read, _evidence(readings)))])
        return _unclear(kb, state, text)
    if text == DONT_KNOW:  # keep neither: both become unknown, the cautious values are assumed
        answers = {f: c for f, c in state.answers.items() if f not in state.conflict}
        unknown = tuple(dict.fromkeys(state.unknown + state.conflict))
        return _resolved(ctx, replace(state, answers=answers, unknown=unknown, conflict=()), [])
    assert picked is not None
    kept = picked.value
    dropped = [f for f in state.conflict if f != kept]
    answers = {f: c for f, c in state.answers.items() if f not in dropped}
    label = kb.field(kept).choice(state.answers[kept]).label(state.lang)
    new = replace(state, answers=answers, evidence={f: e for f, e in state.evidence.items() if f not in dropped},
                  conflict=())
    return _resolved(ctx, new, [Reply("text", kb.msg("contradiction_resolved", state.lang, kept=label))])


def _resolved(ctx: EngineContext, state: ConversationState, replies: list[Reply]) -> Turn:
    if contradiction_in(ctx.kb, state.answers) is not None:
        return _after_answers(ctx, replace(state, stage="capacity"), replies)
    field_id = next_question(ctx.kb, plan_topics(ctx.kb, state.topic_ids()), profile_of(state), skipped=state.unknown)
    if field_id is None:
        new = state.moved("resolved_settled", pending=None, advised=True)
        return new, replies + _advice_replies(ctx, new, updated=state.advised)
    new = state.moved("resolved", pending=field_id)
    return new, replies + prompts.current_prompt(ctx.kb, new)


def _on_confirm_new(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    kb = ctx.kb
    options = prompts.confirm_new_options(kb, state)
    picked = pick_choice(text, options)
    if picked is None and bare(text) == bare(state.pending_request):
        picked = options[0]  # the same request again: the user insists
    if picked is None and text == DONT_KNOW:
        picked = options[-1]
    if picked is None:  # never loop on this question: carry on with the intake under way
        kept = _before_offer(state)
        return kept, [Reply("text", kb.msg("kept_going_unclear", state.lang))] + prompts.current_prompt(kb, kept)
    request = state.pending_request
    if picked.value in ("keep", "neither"):
        kept = _before_offer(state)
        return kept, [Reply("text", kb.msg("kept_going", state.lang))] + prompts.current_prompt(kb, kept)
    fresh = replace(state.moved("confirmed"), pending_request="", topics=(), objective=None, pending=None,
                    options=(), advised=False, conflict=())
    if picked.value == "new_client":
        fresh = replace(fresh, answers={}, evidence={}, unknown=())
        return _on_request(ctx, fresh, request)
    return _on_request(ctx, fresh, request, carried=state.answers, carried_evidence=state.evidence,
                       unknown=state.unknown)


def _on_done(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    """After the advice: an answer or a correction updates this intake (a new brief version);
    a clear new request asks whether it is the same client; anything else is not understood."""
    kb = ctx.kb
    readings = ctx.read(text, None)
    read = _choices(readings)
    if read:
        answers = {**state.answers, **read}
        new = replace(state, answers=answers, evidence={**state.evidence, **_evidence(readings)},
                      unknown=tuple(f for f in state.unknown if f not in read))
        noted = Reply("text", prompts.noted(kb, state.lang, read, _evidence(readings), correct_me=True))
        return _after_answers(ctx, new, [noted], before=state)
    return _new_request_or_unclear(ctx, state, text)


def _new_request_or_unclear(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    """A message that is not an answer: a clear new request is offered as one; else it is unclear."""
    kb = ctx.kb
    result = ctx.classify(text)
    topics = [t for t in result.topics if t.id in kb.topics]
    if topics and float(topics[0].confidence) >= NEW_REQUEST_CONFIDENCE and not result.ambiguous:
        new = state.moved("new_request_offered", pending_request=text)
        return new, prompts.current_prompt(kb, new, offered=tuple(t.id for t in topics[:MAX_TOPICS]))
    if state.stage == "done":
        return state.moved("unclear"), [Reply("text", kb.msg("after_advice_unclear", state.lang))]
    return _unclear(kb, state, text)


_HANDLERS = {"request": _on_request, "clarify": _on_clarify, "objective": _on_objective,
             "capacity": _on_capacity, "contradiction": _on_contradiction, "confirm_new": _on_confirm_new,
             "done": _on_done}


# --- moving forward -------------------------------------------------------------------

def _advance(ctx: EngineContext, state: ConversationState, replies: list[Reply], prefix: str) -> Turn:
    """Ask what is still needed (objective, then decisive capacity questions) or advise."""
    kb = ctx.kb
    ids = state.topic_ids()
    if state.objective is None:
        # a buzzword objective ("être partout") is no answer to "what is it for?": still asked
        objectives = [t for t in ids if kb.topic(t).level == "objective" and not kb.topic(t).buzzword]
        if objectives:
            state = replace(state, objective=objectives[0])
        elif prefix != "objective_":
            new = state.moved("tactic_needs_objective" if prefix == "" else "chosen_needs_objective")
            return new, replies + prompts.current_prompt(kb, new)
    clash = contradiction_in(kb, state.answers)
    if clash is not None and state.stage in ("request", "objective", "capacity"):
        new = state.moved("contradiction", conflict=clash, pending=None)
        return new, replies + prompts.current_prompt(kb, new)
    field_id = next_question(kb, plan_topics(kb, ids), profile_of(state), skipped=state.unknown)
    if field_id is None:
        event = {"": "settled", "chosen_": "chosen_settled", "objective_": "objective_settled"}[prefix]
        if state.stage == "capacity":
            event = "settled"
        new = state.moved(event, pending=None, advised=True)
        return new, replies + _advice_replies(ctx, new)
    if state.stage == "capacity":
        event = "answered"
    else:
        event = {"": "needs_capacity", "chosen_": "chosen_needs_capacity", "objective_": "objective_chosen"}[prefix]
    new = state.moved(event, pending=field_id)
    return new, replies + prompts.current_prompt(kb, new)


def _readvise(ctx: EngineContext, state: ConversationState, replies: list[Reply],
              before: ConversationState | None = None) -> Turn:
    """A correction after the advice: ask what it makes decisive, or give the advice again (or,
    when the same advice comes out, say so in a line instead of printing it all again)."""
    field_id = next_question(ctx.kb, plan_topics(ctx.kb, state.topic_ids()), profile_of(state), skipped=state.unknown)
    if field_id is not None:
        new = state.moved("correction_needs_capacity", pending=field_id)
        return new, replies + prompts.current_prompt(ctx.kb, new)
    new = state.moved("corrected", pending=None)
    if before is not None and _verdicts(ctx, before) == _verdicts(ctx, new):
        return new, replies + _advice_replies(ctx, new, unchanged=True)
    return new, replies + _advice_replies(ctx, new, updated=True)


def _verdicts(ctx: EngineContext, state: ConversationState) -> tuple[tuple[str, str, str], ...]:
    """What the advice recommends, topic by topic: the rule and its verdict."""
    the_plan = plan(ctx.kb, state.topic_ids(), profile_of(state), state.lang, unknown=state.unknown)
    return tuple((rec["topic"], rec["id"], rec["verdict"]) for rec in the_plan["recommendations"])


def _advice_replies(ctx: EngineContext, state: ConversationState, updated: bool = False,
                    unchanged: bool = False) -> list[Reply]:
    kb = ctx.kb
    the_plan = plan(kb, state.topic_ids(), profile_of(state), state.lang, unknown=state.unknown)
    if unchanged:  # the same advice: one line, and the brief's new version
        titles = "; ".join(rec["title"] for rec in the_plan["recommendations"])
        replies = [Reply("text", kb.msg("advice_unchanged", state.lang) + " " +
                         kb.msg("advice_still", state.lang, titles=titles))]
    else:
        replies = [Reply("text", kb.msg("advice_updated", state.lang))] if updated else []
        replies += [prompts.recommendation_reply(kb, state.lang, rec, the_plan) for rec in the_plan["recommendations"]]
        if the_plan.get("order_text"):
            replies.append(Reply("text", the_plan["order_text"]))
    markdown = render_brief(kb, state, the_plan)
    replies.append(Reply("brief", markdown, title=kb.msg("brief_title", state.lang),
                         data={"plan": the_plan, "request": state.request, "lang": state.lang,
                               "intake": state.intake}))
    replies.append(Reply("text", kb.msg("after_advice", state.lang)))
    return replies


def profile_of(state: ConversationState) -> dict[str, str]:
    """What the advice rules read: the answers, and the objective ("unknown" when not said)."""
    return {**state.answers, OBJECTIVE_KEY: state.objective or "unknown"}


def _tell_me_more(kb: KnowledgeBase, lang: str) -> list[Reply]:
    return [Reply("text", kb.msg("tell_me_more", lang)), Reply("text", prompts.capabilities(kb, lang))]


def _unclear(kb: KnowledgeBase, state: ConversationState, text: str = "") -> Turn:
    """Not an answer to the pending question: say so and ask it again, nothing lost."""
    asked = prompts.current_prompt(kb, state)
    count = len(asked[-1].choices) if asked else 0
    key = bare(text)
    if key.isdigit() and count:
        note = kb.msg("choice_out_of_range", state.lang, number=key, count=count)
    else:
        note = kb.msg("not_an_answer", state.lang)
    return state.moved("unclear"), [Reply("text", note)] + asked


def _choices(readings: ReadingsLike) -> dict[str, str]:
    return {f: r.choice for f, r in readings.answers.items()}


def _evidence(readings: ReadingsLike) -> dict[str, str]:
    return {f: r.evidence for f, r in readings.answers.items() if r.evidence}


def _objective_in(ctx: EngineContext, text: str, options: Sequence[Any]) -> str | None:
    """An objective named in free text ("pour avoir plus de clients") among the offered ones,
    placed surely enough to be filed without asking (``CONFIRM_BELOW``, as for a request)."""
    offered = {o.value for o in options}
    if DONT_KNOW in offered and (text == DONT_KNOW or match_command(ctx.kb, text) == "dont_know"):
        return DONT_KNOW
    result = ctx.classify(text)
    for guess in result.topics:
        if guess.id in offered:
            return guess.id if float(guess.confidence) >= CONFIRM_BELOW else None
    return None


def _objective_guess(ctx: EngineContext, text: str) -> str | None:
    """The objective among the classifier's few best candidates, when none was accepted: worth
    asking about ("Je crois comprendre : Fidélisation"), never worth filing silently."""
    result = ctx.classify(text)
    if result.reason in ("out_of_scope", "empty"):
        return None
    for guess in result.candidates[:OBJECTIVE_GUESS_CANDIDATES]:
        topic = ctx.kb.topics.get(guess.id)
        if topic is not None and topic.level == "objective" and not topic.buzzword \
                and float(guess.confidence) >= OBJECTIVE_GUESS_FLOOR:
            return guess.id
    return None


def _objective_elsewhere(ctx: EngineContext, text: str, options: Sequence[Any]) -> str | None:
    """An objective named in free text that the requested tools do not serve. It changes the
    advice most (the tool is then questioned), so it is filed without asking only when placed
    as surely as a new request (``NEW_REQUEST_CONFIDENCE``): "so that things go better for
    them" was filed as retention at 0.72; now it is asked about."""
    offered = {o.value for o in options}
    for guess in ctx.classify(text).topics:
        topic = ctx.kb.topics.get(guess.id)
        if topic is not None and topic.level == "objective" and guess.id not in offered and not topic.buzzword:
            return guess.id if float(guess.confidence) >= NEW_REQUEST_CONFIDENCE else None
    return None


def is_magic_objective(kb: KnowledgeBase, text: str) -> bool:
    """"Pour faire comme le concurrent", "to look modern": a reason that names no business result."""
    magic = kb.magic_objectives
    if magic is None:
        return False
    norm = normalise(text)
    return any(re.search(p, norm) for patterns in magic.patterns.values() for p in patterns)


def _gap(result: ClassificationLike, text: str, lang: str) -> dict[str, Any]:
    """What to keep for the knowledge-gap report (the service decides whether to store it)."""
    candidates = [(c.id, round(float(c.confidence), 3)) for c in result.candidates][:3]
    weak = bool(result.topics) and float(result.topics[0].confidence) < GAP_CONFIDENCE
    low = (not result.topics or bool(result.ambiguous) or weak) and len(bare(text).split()) >= GAP_MIN_WORDS
    return {"text": text, "lang": lang, "candidates": candidates, "reason": result.reason,
            "low_confidence": low}
