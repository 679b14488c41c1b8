"""The advisor conversation as a pure state machine: step(ctx, state, message) -> (state, replies).

No I/O, no Discord, no terminal, no SQLite: the console and the Discord bot drive this
same function, and tests drive it with plain strings. Moves between stages follow the
table in `advisor.state.TRANSITIONS`; everything said comes from the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Protocol, Sequence

from advisor import prompts
from advisor.advice import next_question
from advisor.brief import render_brief
from advisor.capacity import hours_choice, parse_capacity
from advisor.commands import bare, match_command, match_command_lang, pick_choice
from advisor.recommend import plan, plan_topics
from advisor.replies import Reply
from advisor.state import ConversationState
from knowledge.models import KnowledgeBase

MAX_MESSAGE_CHARS = 4000
"""Longer messages are cut here (and the user is told): no request needs more."""
MAX_TOPICS = 4
GAP_CONFIDENCE = 0.5
"""An accepted topic under this confidence still goes to the knowledge-gap report."""
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


@dataclass(frozen=True)
class EngineContext:
    kb: KnowledgeBase
    classify: Callable[[str], ClassificationLike]


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
    found = match_command_lang(ctx.kb, text)
    command = found[0] if found else None
    word_lang = found[1] if found and command not in ("lang_fr", "lang_en") else None
    if word_lang and not state.lang_locked and state.stage == "request":
        state = replace(state, lang=word_lang)  # "hello" before any request: answer in English
    if command == "dont_know" and state.stage in ("capacity", "objective"):
        text, command = DONT_KNOW, None
    if command is not None:
        new, replies = _command(ctx, state, command)
        return new, notes + replies
    handler = _HANDLERS[state.stage]
    new, replies = handler(ctx, state, text)
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
    if command in ("restart", "cancel"):
        fresh = replace(new_state(state.lang, state.lang_locked), turn=state.turn,
                        history=(state.history + (state.snapshot(),))[-5:], last_move=(state.stage, command))
        key = "restarted" if command == "restart" else "cancelled"
        return fresh, [Reply("text", kb.msg(key, state.lang))] + prompts.current_prompt(kb, fresh)
    if command == "back":
        if not state.history:
            return state, [Reply("text", kb.msg("nothing_to_undo", state.lang))] + prompts.current_prompt(kb, state)
        previous = ConversationState.from_dict({**state.history[-1], "history": list(state.history[:-1])})
        previous = replace(previous, turn=state.turn, lang=state.lang, lang_locked=state.lang_locked,
                           last_move=(state.stage, "back"))
        return previous, [Reply("text", kb.msg("went_back", state.lang))] + prompts.current_prompt(kb, previous)
    if command == "brief" and state.stage == "done":
        return state.moved("show_brief"), _advice_replies(ctx, state)
    if command == "greeting":
        prompt = prompts.current_prompt(kb, state) if state.stage != "request" else []
        return state, [Reply("text", kb.msg("greeting", state.lang))] + prompt
    if command == "thanks":
        prompt = prompts.current_prompt(kb, state) if state.stage not in ("request", "done") else []
        return state, [Reply("text", kb.msg("thanks", state.lang))] + prompt
    if command == "dont_know" and state.stage == "request":
        return state, _tell_me_more(kb, state.lang)
    return state, prompts.current_prompt(kb, state)


# --- stages ---------------------------------------------------------------------------

def _on_request(ctx: EngineContext, state: ConversationState, text: str,
                carried: dict[str, str] | None = None, unknown: tuple[str, ...] = ()) -> Turn:
    kb = ctx.kb
    result = ctx.classify(text)
    lang = state.lang if state.lang_locked else result.language
    base = replace(new_state(lang, state.lang_locked), turn=state.turn, history=state.history, request=text,
                   last_move=state.last_move)
    gap = _gap(result, text, lang)
    if result.ambiguous and len(result.topics) < 2:
        options = tuple(t for t in result.ambiguous if t in kb.topics)
        new = base.moved("ambiguous", options=options, answers=_capacity_in(kb, text))
        return new, [Reply("text", kb.msg("hesitating", lang), data={"gap": gap})] + prompts.current_prompt(kb, new)
    topics = tuple((t.id, round(float(t.confidence), 3)) for t in result.topics if t.id in kb.topics)[:MAX_TOPICS]
    if not topics:
        new = base.moved("out_of_scope", request="")
        why = "unreadable" if result.reason == "empty" else "out_of_scope"
        return new, [Reply("text", kb.msg(why, lang), data={"gap": gap}), Reply("text", prompts.capabilities(kb, lang))]
    started = replace(base, topics=topics, answers={**(carried or {}), **_capacity_in(kb, text)}, unknown=unknown)
    replies = prompts.reframe(kb, started)
    if carried:
        replies.append(Reply("text", kb.msg("capacity_carried_over", lang,
                                            answers=prompts.answers_text(kb, lang, carried))))
    if gap["low_confidence"]:
        replies[0] = replace(replies[0], data={**replies[0].data, "gap": gap})
    return _advance(ctx, started, replies, prefix="")


def _on_clarify(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    kb = ctx.kb
    options = prompts.clarify_options(kb, state)
    picked = pick_choice(text, options)
    if picked is None:
        return _unclear(kb, state, text)
    if picked.value == "none":
        new = state.moved("none_chosen", options=(), request="")
        return new, _tell_me_more(kb, state.lang)
    chosen = state.options if picked.value == "both" else (picked.value,)
    with_topics = replace(state, topics=tuple((t, 1.0) for t in chosen), options=())
    return _advance(ctx, with_topics, prompts.reframe(kb, with_topics), prefix="chosen_")


def _on_objective(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    kb = ctx.kb
    options = prompts.objective_options(kb, state)
    picked = pick_choice(text, options)
    objective = picked.value if picked else _objective_in(ctx, text, options)
    if objective is None:
        answers = _capacity_in(kb, text)
        if not answers:
            return _unclear(kb, state, text)
        new = replace(state.moved("unclear"), answers={**state.answers, **answers})
        return new, [Reply("text", kb.msg("answer_noted_objective", state.lang))] + prompts.current_prompt(kb, new)
    objective = None if objective == DONT_KNOW else objective
    chosen = replace(state, objective=objective or "unknown")
    return _advance(ctx, chosen, [Reply("text", prompts.objective_ack(kb, chosen))], prefix="objective_")


def _on_capacity(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    kb = ctx.kb
    field_id = state.pending or ""
    options = prompts.capacity_options(kb, field_id, state.lang)
    picked = pick_choice(text, options)
    answers = dict(state.answers)
    unknown = state.unknown
    found = _capacity_in(kb, text)
    if picked is None and field_id == "weekly_hours" and bare(text).replace(",", ".").replace(".", "", 1).isdigit():
        bucket = hours_choice(kb.field(field_id), float(bare(text).replace(",", ".")))
        found = {**found, field_id: bucket} if bucket else found
    if picked is not None and picked.value == DONT_KNOW:
        unknown = tuple(dict.fromkeys(unknown + (field_id,)))
    elif picked is not None:
        answers[field_id] = picked.value
    elif found:
        answers.update(found)
    else:
        return _unclear(kb, state, text)
    replies = [Reply("text", prompts.noted(kb, state.lang, found if picked is None else {}))] if picked is None else []
    return _advance(ctx, replace(state, answers=answers, unknown=unknown), replies, prefix="")


def _on_done(ctx: EngineContext, state: ConversationState, text: str) -> Turn:
    """A new request after the advice: same client, so the capacity answers carry over."""
    return _on_request(ctx, state.moved("new_request"), text, carried=state.answers, unknown=state.unknown)


_HANDLERS = {"request": _on_request, "clarify": _on_clarify, "objective": _on_objective,
             "capacity": _on_capacity, "done": _on_done}


# --- moving forward -------------------------------------------------------------------

def _advance(ctx: EngineContext, state: ConversationState, replies: list[Reply], prefix: str) -> Turn:
    """Ask what is still needed (objective, then decisive capacity questions) or advise."""
    kb = ctx.kb
    ids = state.topic_ids()
    if state.objective is None:
        objectives = [t for t in ids if kb.topic(t).level == "objective"]
        if objectives:
            state = replace(state, objective=objectives[0])
        elif prefix != "objective_":
            new = state.moved("tactic_needs_objective" if prefix == "" else "chosen_needs_objective")
            return new, replies + prompts.current_prompt(kb, new)
    field_id = next_question(kb, plan_topics(kb, ids), state.answers, skipped=state.unknown)
    if field_id is None:
        event = {"": "settled", "chosen_": "chosen_settled", "objective_": "objective_settled"}[prefix]
        if state.stage == "capacity":
            event = "settled"
        new = state.moved(event, pending=None)
        return new, replies + _advice_replies(ctx, new)
    if state.stage == "capacity":
        event = "answered"
    else:
        event = {"": "needs_capacity", "chosen_": "chosen_needs_capacity", "objective_": "objective_chosen"}[prefix]
    new = state.moved(event, pending=field_id)
    return new, replies + prompts.current_prompt(kb, new)


def _advice_replies(ctx: EngineContext, state: ConversationState) -> list[Reply]:
    kb = ctx.kb
    the_plan = plan(kb, state.topic_ids(), state.answers, state.lang)
    replies = [prompts.recommendation_reply(kb, state.lang, rec, the_plan) for rec in the_plan["recommendations"]]
    markdown = render_brief(kb, state, the_plan)
    replies.append(Reply("brief", markdown, title=kb.msg("brief_title", state.lang),
                         data={"plan": the_plan, "request": state.request, "lang": state.lang}))
    replies.append(Reply("text", kb.msg("after_advice", state.lang)))
    return replies


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


def _capacity_in(kb: KnowledgeBase, text: str) -> dict[str, str]:
    return {f: a.choice for f, a in parse_capacity(kb, text).items()}


def _objective_in(ctx: EngineContext, text: str, options: Sequence[Any]) -> str | None:
    """An objective named in free text ("pour avoir plus de clients") among the offered ones."""
    offered = {o.value for o in options}
    if DONT_KNOW in offered and match_command(ctx.kb, text) == "dont_know":
        return DONT_KNOW
    result = ctx.classify(text)
    for guess in result.topics:
        if guess.id in offered:
            return guess.id
    return None


def _gap(result: ClassificationLike, text: str, lang: str) -> dict[str, Any]:
    """What to keep for the knowledge-gap report (the service decides whether to store it)."""
    candidates = [(c.id, round(float(c.confidence), 3)) for c in result.candidates][:3]
    weak = bool(result.topics) and float(result.topics[0].confidence) < GAP_CONFIDENCE
    low = (not result.topics or bool(result.ambiguous) or weak) and len(bare(text).split()) >= GAP_MIN_WORDS
    return {"text": text, "lang": lang, "candidates": candidates, "reason": result.reason,
            "low_confidence": low}
