"""RolePlayService: role-plays kept in the store at every turn, scores recorded, progress shown.

The engine is pure; this is where it meets storage, through `RolePlayStore` (a protocol of
this package's own: the SQLite store implements it with `storage/roleplay_store.py`, and a
future PostgreSQL store only needs the same methods). The session under way is saved as a
conversation under "roleplay:<key>" after every message, so a restart resumes mid-interview;
a finished session is recorded once with its score and criteria. The console and the
Discord cog drive this same class.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any, Protocol

from advisor.replies import Reply
from knowledge.models import KnowledgeBase

from ..sessions import Sessions, SessionViews
from . import progress
from .engine import RolePlayContext, begin, context, step
from .rubric import judge
from .scenario import RolePlayUnavailable, Scenario, draw_scenario, fits
from .state import RolePlayState

log = logging.getLogger(__name__)

KEY_PREFIX = "roleplay:"
HISTORY = 50


class RolePlayStore(Protocol):
    def load_conversation(self, key: str) -> dict[str, Any] | None: ...
    def save_conversation(self, key: str, state: dict[str, Any], *, user_id: str = "", guild_id: str = "") -> None: ...
    def record_roleplay(self, *, user_id: str, guild_id: str, scenario: dict[str, Any], score: int,
                        criteria: dict[str, str], at: Any = None) -> None: ...
    def roleplay_sessions(self, user_id: str, guild_id: str, limit: int = 50) -> list[dict[str, Any]]: ...
    def roleplay_users(self, guild_id: str) -> list[str]: ...


class RolePlayService(SessionViews[RolePlayState]):
    """Role-plays keyed by a string (console user, Discord thread), persisted at every turn."""

    def __init__(self, kb: KnowledgeBase, store: RolePlayStore, *,
                 new_seed: Callable[[], int] = lambda: secrets.randbelow(1_000_000_000),
                 ctx: Callable[[KnowledgeBase], RolePlayContext] = context) -> None:
        self.store = store
        self.sessions = Sessions(store, KEY_PREFIX, RolePlayState.from_dict, "role-play")
        self._new_seed = new_seed
        self._make_ctx = ctx
        self.swap(kb)

    def swap(self, kb: KnowledgeBase) -> None:
        """Use a freshly reloaded base (sessions under way keep their scenario)."""
        self.kb = kb
        self.ctx = self._make_ctx(kb)

    @property
    def available(self) -> bool:
        return self.kb.roleplay is not None

    # --- playing (reading: `SessionViews` gives current, active, turn, owner) -------------

    def start(self, key: str, *, user_id: str, guild_id: str = "", level: int | None = None, lang: str = "fr",
              seed: int | None = None, scenario: Scenario | None = None, intro: Reply | None = None) -> list[Reply]:
        """A new role-play under `key` (replacing any); `level` None plays the suggested level."""
        if not self.available:
            return [Reply("error", self.kb.msg("rp_unavailable", lang))]
        if scenario is None:
            level = level if level is not None else self.suggested_level(user_id, guild_id)
            try:
                scenario = draw_scenario(self.kb, seed=self._new_seed() if seed is None else seed, level=level,
                                         lang=lang)
            except RolePlayUnavailable:
                return [Reply("error", self.kb.msg("rp_unavailable", lang))]
        previous = self.current(key)
        state, replies = begin(self.kb, scenario, turn=previous.turn + 1 if previous else 0)
        self._save(key, state, owner=user_id, guild_id=guild_id)
        return ([intro] if intro else []) + replies

    def handle(self, key: str, text: str, *, user_id: str, guild_id: str = "") -> list[Reply]:
        """One junior message in the role-play `key`; a finished one is recorded for its owner."""
        state = self.current(key)
        if state is None or state.finished:
            lang = state.lang if state else "fr"
            return [Reply("text", self.kb.msg("rp_none", lang))]
        try:
            new, replies = step(self.ctx, state, text)
        except Exception:  # the junior gets a short answer; the trace goes to the log
            log.exception("role-play engine failure in %s", key)
            return [Reply("error", self.kb.msg("internal_error", state.lang))]
        owner = self.owner(key) or user_id
        if new.finished and not new.abandoned:
            result = judge(self.kb, new)
            self.store.record_roleplay(user_id=owner, guild_id=guild_id, scenario=new.scenario.to_dict(),
                                       score=result.score, criteria={j.id: j.rating for j in result.criteria})
        self._save(key, new, owner=owner, guild_id=guild_id)
        return replies

    def resume(self, key: str) -> list[Reply]:
        """After a restart: where the role-play stands (the client's last words)."""
        state = self.current(key)
        if state is None or state.finished:
            return []
        last = next((text for speaker, text in reversed(state.transcript) if speaker == "client"), "")
        return [Reply("text", self.kb.msg("rp_resumed", state.lang)),
                Reply("text", self.kb.msg("rp_client_says", state.lang, line=last),
                      data={"roleplay": "client", "line": last})]

    def replay(self, key: str, *, user_id: str, guild_id: str = "", lang: str = "fr") -> list[Reply]:
        """The most recent failed scenario, played again exactly as drawn."""
        for record in progress.to_replay(self.records(user_id, guild_id)):
            try:
                scenario = Scenario.from_dict(dict(record.scenario))
            except (TypeError, ValueError, KeyError, IndexError):
                log.warning("unreadable stored scenario %s: not replayed", record.scenario_id)
                continue
            if not fits(self.kb, scenario):
                log.info("stored scenario %s no longer fits the knowledge base: not replayed", record.scenario_id)
                continue
            intro = Reply("text", self.kb.msg("rp_replay_intro", scenario.lang, score=record.score))
            return self.start(key, user_id=user_id, guild_id=guild_id, scenario=scenario, intro=intro)
        return [Reply("text", self.kb.msg("rp_replay_none", lang))]

    # --- progress -----------------------------------------------------------------------

    def records(self, user_id: str, guild_id: str) -> list[progress.SessionRecord]:
        rows = self.store.roleplay_sessions(user_id, guild_id, limit=HISTORY)
        return [progress.SessionRecord(str(r["user_id"]), int(r["score"]), int(r["level"]), dict(r["criteria"]),
                                       dict(r["scenario"]), r["created_at"]) for r in rows]

    def suggested_level(self, user_id: str, guild_id: str = "") -> int:
        return progress.next_level(self.records(user_id, guild_id))

    def progress(self, user_id: str, guild_id: str = "", lang: str = "fr") -> Reply:
        """Proficiency per skill in words, recent scores, the suggested level, what to replay."""
        kb, records = self.kb, self.records(user_id, guild_id)
        title = kb.msg("rp_progress_title", lang)
        if not records:
            return Reply("text", kb.msg("rp_progress_empty", lang), title=title, data={"progress": None})
        skills = progress.proficiency(records)
        lines = [kb.msg("rp_progress_sessions", lang, count=len(records),
                        scores=", ".join(str(r.score) for r in records[:5]))]
        for skill, value in skills.items():
            if value is not None:
                lines.append(kb.msg("rp_progress_skill", lang, skill=kb.msg(f"rp_skill_{skill}", lang),
                                    tier=kb.msg(f"rp_tier_{progress.tier(value)}", lang), percent=round(100 * value)))
        level = progress.next_level(records)
        replay = progress.to_replay(records)
        lines.append(kb.msg("rp_progress_next", lang, level=level))
        if replay:
            lines.append(kb.msg("rp_progress_failed", lang, count=len(replay)))
        lines.append(kb.msg("rp_progress_note", lang))
        data = {"progress": {"skills": skills, "level": level, "to_replay": len(replay), "sessions": len(records)}}
        return Reply("text", "\n".join(lines), title=title, data=data)

    def team(self, guild_id: str = "", lang: str = "fr", *, display: Callable[[str], str] | None = None) -> Reply:
        """For whoever trains the juniors: each person's sessions, recent score, weakest skill, level."""
        kb = self.kb
        title = kb.msg("rp_team_title", lang)
        users = self.store.roleplay_users(guild_id)
        if not users:
            return Reply("text", kb.msg("rp_team_empty", lang), title=title, data={"team": []})
        name = display or (lambda user_id: user_id)
        lines, team = [], []
        for user_id in users:
            records = self.records(user_id, guild_id)
            weak = progress.weakest(records)
            skill, value = weak if weak else ("discovery", 0.0)
            score, level = progress.weighted_score(records), progress.next_level(records)
            lines.append(kb.msg("rp_team_line", lang, user=name(user_id), count=len(records), score=score,
                                skill=kb.msg(f"rp_skill_{skill}", lang),
                                tier=kb.msg(f"rp_tier_{progress.tier(value)}", lang), level=level))
            team.append({"user_id": user_id, "sessions": len(records), "score": score, "weakest": skill,
                         "level": level})
        return Reply("text", "\n".join(lines), title=title, data={"team": team})

    # --- helpers ------------------------------------------------------------------------

    def _save(self, key: str, state: RolePlayState, *, owner: str, guild_id: str) -> None:
        self.sessions.save(key, state, owner=owner, user_id=owner, guild_id=guild_id)
