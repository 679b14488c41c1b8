"""The one service both transports drive: load a conversation, step it, save it.

The engine is pure; this is where its output meets storage. Every turn is saved before
the replies go out, so killing the process mid-interview loses nothing: the next message
(or the console's restart) resumes from the stored state. An engine failure answers
briefly and leaves the stored state untouched.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Callable, Protocol

from advisor import prompts
from advisor.engine import ClassificationLike, EngineContext, new_state, step
from advisor.replies import Reply
from advisor.state import ConversationState
from knowledge.models import KnowledgeBase

log = logging.getLogger(__name__)


class Classifier(Protocol):
    def classify(self, text: str) -> ClassificationLike: ...


class ConversationStore(Protocol):
    def load_conversation(self, key: str) -> dict[str, Any] | None: ...
    def save_conversation(self, key: str, state: dict[str, Any], *, user_id: str = "", guild_id: str = "") -> None: ...
    def save_brief(self, *, key: str, user_id: str, guild_id: str, lang: str, request: str,
                   markdown: str, data: dict[str, Any]) -> int: ...
    def add_gap(self, *, text: str, lang: str, candidates: list[tuple[str, float]], reason: str,
                user_id: str = "", guild_id: str = "") -> None: ...


class AdvisorService:
    """Conversations keyed by a string (console user, Discord thread), persisted at every turn."""

    def __init__(self, kb: KnowledgeBase, classifier: Classifier, store: ConversationStore,
                 default_lang: str = "fr", on_error: Callable[[BaseException], None] | None = None) -> None:
        self.kb = kb
        self.classifier = classifier
        self.store = store
        self.default_lang = default_lang
        self._on_error = on_error

    def swap(self, kb: KnowledgeBase, classifier: Classifier) -> None:
        """Put a freshly validated knowledge base (and its classifier) in service."""
        self.kb, self.classifier = kb, classifier

    # --- reading ------------------------------------------------------------------------

    def current(self, key: str) -> ConversationState | None:
        record = self.store.load_conversation(key)
        if not record:
            return None
        try:
            state = ConversationState.from_dict(record)
        except (TypeError, ValueError, KeyError):
            log.warning("unreadable conversation %s: starting afresh", key)
            return None
        if state.stage not in ("request", "clarify", "objective", "capacity", "done"):
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
        previous = self.current(key)
        fresh = replace(new_state(lang or self.default_lang, lang_locked=lang is not None),
                        turn=previous.turn if previous else 0)
        return self._run(key, fresh, request, user_id=user_id, guild_id=guild_id, owner=user_id)

    def handle(self, key: str, text: str, *, user_id: str = "", guild_id: str = "",
               lang: str | None = None) -> list[Reply]:
        """One user message in the conversation `key`."""
        record = self.store.load_conversation(key) or {}
        state = self.current(key) or new_state(lang or self.default_lang, lang_locked=lang is not None)
        owner = str(record.get("_owner") or user_id)
        return self._run(key, state, text, user_id=user_id, guild_id=guild_id, owner=owner,
                         last_brief=record.get("_last_brief"))

    def _run(self, key: str, state: ConversationState, text: str, *, user_id: str, guild_id: str,
             owner: str, last_brief: Any = None) -> list[Reply]:
        ctx = EngineContext(self.kb, self.classifier.classify)
        try:
            new, replies = step(ctx, state, text)
        except Exception as exc:  # the user gets a short answer; the trace goes to the log
            log.exception("engine failure in %s", key)
            if self._on_error:
                self._on_error(exc)
            return [Reply("error", self.kb.msg("internal_error", state.lang))]
        replies, last_brief = self._keep(key, state, new, replies, user_id, guild_id, last_brief)
        record = {**new.to_dict(), "_owner": owner, "_last_brief": last_brief}
        self.store.save_conversation(key, record, user_id=user_id, guild_id=guild_id)
        return replies

    def _keep(self, key: str, old: ConversationState, new: ConversationState, replies: list[Reply],
              user_id: str, guild_id: str, last_brief: Any) -> tuple[list[Reply], Any]:
        """Store briefs and knowledge gaps the turn produced; give briefs their id."""
        kept = []
        for reply in replies:
            gap = reply.data.get("gap")
            if gap and gap.get("low_confidence"):
                self.store.add_gap(text=gap["text"], lang=gap["lang"], candidates=gap["candidates"],
                                   reason=gap["reason"] or "", user_id=user_id, guild_id=guild_id)
            if reply.kind == "brief":
                if old.stage == "done" and new.stage == "done" and last_brief:
                    brief_id = last_brief
                else:
                    brief_id = self.store.save_brief(key=key, user_id=user_id, guild_id=guild_id,
                                                     lang=new.lang, request=new.request,
                                                     markdown=reply.text, data=reply.data)
                last_brief = brief_id
                reply = replace(reply, data={**reply.data, "brief_id": brief_id})
            kept.append(reply)
        return kept, last_brief
