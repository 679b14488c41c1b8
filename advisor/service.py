"""The one service both transports drive: load a conversation, step it, save it.

The engine is pure; this is where its output meets storage. Every turn is saved before
the replies go out, so killing the process mid-interview loses nothing: the next message
(or the console's restart) resumes from the stored state. An engine failure answers
briefly and leaves the stored state untouched.

A turn is saved by compare-and-set, in one transaction with its knowledge gaps and its
brief version: if another process (a second console on the same session, a second bot)
saved the conversation after this turn loaded it, nothing is written and the message is
run again on the fresh state, and the user is told; after `MAX_ATTEMPTS` the user is told
the message was not saved. A button click names the turn it answers (`turn=`): if the
conversation moved on, the click is refused rather than applied to another question.

Briefs: the engine's brief reply may carry `data["intake"]` (an int, one per intake of the
conversation). The store keeps one brief per (conversation, intake) and a new version each
time its Markdown changes. Without an intake, each advice makes a new brief and "brief"
after the advice shows the last one again.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import replace
from typing import Any, Callable, Protocol, Sequence

from advisor import prompts
from advisor.engine import ClassificationLike, EngineContext, ReadingsLike, new_state, step
from advisor.replies import Reply
from advisor.state import STAGES, ConversationState
from knowledge.models import KnowledgeBase
from storage.errors import ConversationConflict
from storage.protocol import BriefDraft, BriefRef, GapDraft, SavedTurn, StoredConversation

log = logging.getLogger(__name__)


class Classifier(Protocol):
    def classify(self, text: str) -> ClassificationLike: ...


class Reader(Protocol):
    def read(self, text: str, pending: str | None = None, request: bool = False) -> ReadingsLike: ...


MAX_ATTEMPTS = 5
"""How many times a message is tried when another process keeps saving the conversation first."""
BACKOFF_SECONDS = 0.004
"""Up to this much (times the attempt) of random wait before trying again: two processes that
collided once should not collide again in lockstep."""


class ConversationStore(Protocol):
    def load_conversation(self, key: str) -> dict[str, Any] | None: ...
    def load_turn(self, key: str) -> StoredConversation | None: ...
    def save_turn(self, key: str, state: dict[str, Any], *, expected_revision: int, user_id: str = "",
                  guild_id: str = "", brief: BriefDraft | None = None,
                  gaps: Sequence[GapDraft] = ()) -> SavedTurn: ...
    def latest_brief(self, key: str) -> Any: ...


class AdvisorService:
    """Conversations keyed by a string (console user, Discord thread), persisted at every turn."""

    def __init__(self, kb: KnowledgeBase, classifier: Classifier, store: ConversationStore, *, reader: Reader,
                 default_lang: str = "fr", on_error: Callable[[BaseException], None] | None = None) -> None:
        self.kb = kb
        self.classifier = classifier
        self.reader = reader
        self.store = store
        self.default_lang = default_lang
        self._on_error = on_error

    def swap(self, kb: KnowledgeBase, classifier: Classifier, reader: Reader) -> None:
        """Put a freshly validated knowledge base (and its classifier and reader) in service."""
        self.kb, self.classifier, self.reader = kb, classifier, reader

    # --- reading ------------------------------------------------------------------------

    def current(self, key: str) -> ConversationState | None:
        return self._state(key, self.store.load_turn(key))

    def _state(self, key: str, stored: StoredConversation | None) -> ConversationState | None:
        """The stored state if it is usable with today's knowledge base, else None (start afresh)."""
        if stored is None or not stored.state:
            return None
        try:
            state = ConversationState.from_dict(stored.state)
        except (TypeError, ValueError, KeyError, AttributeError):
            log.warning("unreadable conversation %s: starting afresh", key)
            return None
        if state.stage not in STAGES or not isinstance(state.turn, int) or state.lang not in ("fr", "en"):
            log.warning("unreadable conversation %s: starting afresh", key)
            return None
        if any(t not in self.kb.topics for t in state.topic_ids()):
            return None  # the knowledge base changed under this conversation
        return state

    def turn(self, key: str) -> int:
        state = self.current(key)
        return state.turn if state else 0

    def language(self, key: str) -> str | None:
        """The conversation's language (transports word their own messages in it), if any."""
        state = self.current(key)
        return state.lang if state else None

    def owner(self, key: str) -> str | None:
        record = self.store.load_conversation(key)
        return str(record.get("_owner", "")) or None if record else None

    def prompt(self, key: str, lang: str | None = None) -> list[Reply]:
        """What the conversation is waiting for (used on resume)."""
        state = self.current(key) or new_state(lang or self.default_lang)
        return prompts.current_prompt(self.kb, state)

    # --- writing ------------------------------------------------------------------------

    def start(self, key: str, request: str, *, user_id: str = "", guild_id: str = "",
              lang: str | None = None) -> list[Reply]:
        """A new intake for `request`, replacing whatever conversation `key` had."""
        def fresh(stored: StoredConversation | None) -> tuple[ConversationState, str]:
            previous = self._state(key, stored)
            state = replace(new_state(lang or self.default_lang, lang_locked=lang is not None),
                            turn=previous.turn if previous else 0)
            return state, user_id
        return self._turn(key, request, fresh, user_id=user_id, guild_id=guild_id)

    def handle(self, key: str, text: str, *, user_id: str = "", guild_id: str = "",
               lang: str | None = None, turn: int | None = None) -> list[Reply]:
        """One user message in the conversation `key`; `turn`: the turn a button click answers."""
        def resume(stored: StoredConversation | None) -> tuple[ConversationState, str]:
            state = self._state(key, stored) or new_state(lang or self.default_lang, lang_locked=lang is not None)
            record = stored.state if stored and stored.state else {}
            return state, str(record.get("_owner") or user_id)
        return self._turn(key, text, resume, user_id=user_id, guild_id=guild_id, expected_turn=turn)

    def _turn(self, key: str, text: str,
              prepare: Callable[[StoredConversation | None], tuple[ConversationState, str]], *,
              user_id: str, guild_id: str, expected_turn: int | None = None) -> list[Reply]:
        """Load, step, save by compare-and-set; on a conflict run the message again on the fresh state."""
        state = new_state(self.default_lang)
        for attempt in range(MAX_ATTEMPTS):
            stored = self.store.load_turn(key)
            state, owner = prepare(stored)
            if expected_turn is not None and state.turn != expected_turn:
                return [Reply("error", self.kb.msg("turn_already_answered", state.lang))] + \
                    prompts.current_prompt(self.kb, state)
            ctx = EngineContext(self.kb, self.classifier.classify, self.reader.read)
            try:
                new, replies = step(ctx, state, text)
            except Exception as exc:  # the user gets a short answer; the trace goes to the log
                log.exception("engine failure in %s", key)
                if self._on_error:
                    self._on_error(exc)
                return [Reply("error", self.kb.msg("internal_error", state.lang))]
            draft, gaps, shown = self._outputs(key, state, new, replies)
            record = {**new.to_dict(), "_owner": owner}
            try:
                saved = self.store.save_turn(key, record, expected_revision=stored.revision if stored else 0,
                                             user_id=user_id, guild_id=guild_id, brief=draft, gaps=gaps)
            except ConversationConflict as conflict:
                log.info("conversation %s saved elsewhere meanwhile (%s): running the message again", key, conflict)
                time.sleep(random.uniform(0, BACKOFF_SECONDS * (attempt + 1)))
                continue
            replies = _with_brief(replies, saved.brief or shown)
            if attempt:
                replies = [Reply("text", self.kb.msg("conversation_changed_elsewhere", new.lang))] + replies
            return replies
        return [Reply("error", self.kb.msg("conversation_busy", state.lang))]

    def _outputs(self, key: str, old: ConversationState, new: ConversationState,
                 replies: list[Reply]) -> tuple[BriefDraft | None, list[GapDraft], BriefRef | None]:
        """The brief draft and knowledge gaps a turn produced, to save with it; or the brief a
        re-display shows again (no intake: "brief" after the advice reuses the last one)."""
        gaps: list[GapDraft] = []
        draft: BriefDraft | None = None
        shown: BriefRef | None = None
        for reply in replies:
            gap = reply.data.get("gap")
            if gap and gap.get("low_confidence"):
                gaps.append(GapDraft(text=gap["text"], lang=gap["lang"], candidates=gap["candidates"],
                                     reason=gap["reason"] or ""))
            if reply.kind != "brief" or draft is not None or shown is not None:
                continue
            intake = reply.data.get("intake")
            intake = intake if isinstance(intake, int) and not isinstance(intake, bool) else None
            if intake is None and old.stage == "done" and new.stage == "done":
                last = self.store.latest_brief(key)
                if last is not None:
                    shown = BriefRef(last.id, last.version, created=False)
                    continue
            draft = BriefDraft(lang=new.lang, request=new.request, markdown=reply.text, data=dict(reply.data),
                               intake=intake)
        return draft, gaps, shown


def _with_brief(replies: list[Reply], ref: BriefRef | None) -> list[Reply]:
    """Brief replies with the id and version they were saved under."""
    if ref is None:
        return replies
    return [replace(r, data={**r.data, "brief_id": ref.id, "brief_version": ref.version}) if r.kind == "brief" else r
            for r in replies]
