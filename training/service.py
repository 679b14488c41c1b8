"""QuizService: quizzes, answers and scores, kept in the store at every turn.

The engine is pure; this is where it meets SQLite. Quiz definitions go to
`save_quiz` (so `/quiz revoir` can replay a missed question word for word), the quiz in
progress to `save_conversation("quiz:" + key)`, every answer to `record_quiz_answer`.
So scores, missed questions and an unfinished quiz all survive a restart. The console
and the Discord cog drive this same class.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any, Protocol

from advisor.replies import Reply
from knowledge.models import KnowledgeBase

from .quiz import Question, Quiz
from .quiz_engine import QuizState, begin, quiz_step
from .scenarios import make_quiz
from .sessions import Sessions, SessionViews
from .texts import msg

log = logging.getLogger(__name__)

KEY_PREFIX = "quiz:"
REVIEW_LIMIT = 10
LEADERBOARD_LIMIT = 10
WEAK_LIMIT = 3


class QuizStore(Protocol):
    def load_conversation(self, key: str) -> dict[str, Any] | None: ...
    def save_conversation(self, key: str, state: dict[str, Any], *, user_id: str = "", guild_id: str = "") -> None: ...
    def save_quiz(self, quiz_id: str, data: dict[str, Any]) -> None: ...
    def load_quiz(self, quiz_id: str) -> dict[str, Any] | None: ...
    def record_quiz_answer(self, *, user_id: str, guild_id: str, quiz_id: str, question_index: int,
                           topic_id: str, question_kind: str, correct: bool, at: Any = None) -> None: ...
    def quiz_leaderboard(self, guild_id: str, limit: int = 10) -> list[tuple[str, int, int]]: ...
    def weak_topics(self, user_id: str, guild_id: str, limit: int = 5) -> list[tuple[str, int, int]]: ...
    def missed_questions(self, user_id: str, guild_id: str, limit: int = 20) -> list[tuple[str, int]]: ...


class QuizService(SessionViews[QuizState]):
    """Quizzes keyed by a string (console user, Discord user in a server), persisted at every turn."""

    def __init__(self, kb: KnowledgeBase, store: QuizStore, *,
                 new_seed: Callable[[], int] = lambda: secrets.randbelow(1_000_000_000)) -> None:
        self.kb = kb
        self.store = store
        self.sessions = Sessions(store, KEY_PREFIX, QuizState.from_dict, "quiz")
        self._new_seed = new_seed

    def swap(self, kb: KnowledgeBase) -> None:
        """Use a freshly reloaded base for new quizzes (quizzes under way keep their wording)."""
        self.kb = kb

    # --- playing (reading: `SessionViews` gives current, active, turn, owner) -------------

    def start(self, key: str, *, user_id: str, guild_id: str = "", level: int = 1, seed: int | None = None,
              lang: str = "fr") -> list[Reply]:
        """A new quiz for `key`, replacing any quiz it had; the scenario and the first question."""
        quiz = make_quiz(self.kb, seed=self._new_seed() if seed is None else seed, level=level, lang=lang)
        self.store.save_quiz(quiz.id, quiz.to_dict())
        state, replies = begin(self.kb, quiz, turn=self._next_turn(key))
        self._save(key, state, owner=user_id, user_id=user_id, guild_id=guild_id)
        return replies

    def handle(self, key: str, text: str, *, user_id: str, guild_id: str = "") -> list[Reply]:
        """One answer (or command) in the quiz `key`; each answer is scored for `user_id`."""
        state = self.current(key)
        if state is None or state.finished:
            lang = state.lang if state else "fr"
            return [Reply("text", msg(self.kb, "quiz_none", lang))]
        try:
            new, replies = quiz_step(self.kb, state, text)
        except Exception:  # the learner gets a short answer; the trace goes to the log
            log.exception("quiz engine failure in %s", key)
            return [Reply("error", self.kb.msg("internal_error", state.lang))]
        for index in range(len(state.results), len(new.results)):
            self._record(state.quiz.questions[index], new.results[index], user_id=user_id, guild_id=guild_id)
        self._save(key, new, owner=self.owner(key) or user_id, user_id=user_id, guild_id=guild_id)
        return replies

    def review(self, key: str, *, user_id: str, guild_id: str = "", lang: str = "fr") -> list[Reply]:
        """Replay the learner's missed questions (as first asked) as a new quiz under `key`."""
        questions = self._missed(user_id, guild_id)
        if not questions:
            return [Reply("text", msg(self.kb, "quiz_review_empty", lang))]
        review = Quiz(id=f"review-{user_id}", seed=0, level=0, lang=lang, kind="review", request="", topics=(),
                      profile=(), rule_topic="", scenario="", questions=tuple(questions))
        intro = Reply("text", msg(self.kb, "quiz_review_intro", lang, count=len(questions)))
        state, replies = begin(self.kb, review, intro=intro, turn=self._next_turn(key))
        self._save(key, state, owner=user_id, user_id=user_id, guild_id=guild_id)
        return replies

    # --- scores -------------------------------------------------------------------------

    def scores(self, guild_id: str, lang: str = "fr", *, display: Callable[[str], str] | None = None) -> Reply:
        """The server's leaderboard and each person's weak topics; `display` names a user id."""
        rows = self.store.quiz_leaderboard(guild_id, limit=LEADERBOARD_LIMIT)
        title = msg(self.kb, "quiz_scores_title", lang)
        if not rows:
            return Reply("text", msg(self.kb, "quiz_scores_empty", lang), title=title, data={"leaderboard": []})
        name = display or (lambda user_id: user_id)
        lines: list[str] = []
        board: list[dict[str, Any]] = []
        for rank, (user_id, correct, total) in enumerate(rows, start=1):
            percent = round(100 * correct / total) if total else 0
            lines.append(msg(self.kb, "quiz_scores_line", lang, rank=rank, user=name(user_id), correct=correct,
                             total=total, percent=percent))
            weak = [(t, missed, seen) for t, missed, seen in self.store.weak_topics(user_id, guild_id, limit=WEAK_LIMIT)
                    if missed]
            if weak:
                items = ", ".join(msg(self.kb, "quiz_weak_item", lang, name=self._topic_name(t, lang), missed=missed,
                                      total=seen) for t, missed, seen in weak)
                lines.append(msg(self.kb, "quiz_scores_weak", lang, topics=items))
            board.append({"user_id": user_id, "correct": correct, "total": total,
                          "weak": [{"topic": t, "missed": m, "total": s} for t, m, s in weak]})
        return Reply("text", "\n".join(lines), title=title, data={"leaderboard": board})

    # --- helpers ------------------------------------------------------------------------

    def _save(self, key: str, state: QuizState, *, owner: str, user_id: str, guild_id: str) -> None:
        """The state plus who started it (Discord lets only them answer)."""
        self.sessions.save(key, state, owner=owner, user_id=user_id, guild_id=guild_id)

    def _next_turn(self, key: str) -> int:
        """One past the replaced quiz's turn: its buttons become stale."""
        previous = self.current(key)
        return previous.turn + 1 if previous else 0

    def _record(self, question: Question, correct: bool, *, user_id: str, guild_id: str) -> None:
        quiz_id, index = question.ref
        self.store.record_quiz_answer(user_id=user_id, guild_id=guild_id, quiz_id=quiz_id, question_index=index,
                                      topic_id=question.topic, question_kind=question.kind, correct=correct)

    def _missed(self, user_id: str, guild_id: str) -> list[Question]:
        """Missed questions from saved quizzes, each once, skipping quizzes that are gone or unreadable."""
        quizzes: dict[str, Quiz | None] = {}
        found: list[Question] = []
        seen: set[tuple[str, int]] = set()
        for quiz_id, index in self.store.missed_questions(user_id, guild_id, limit=2 * REVIEW_LIMIT):
            if (quiz_id, index) in seen or len(found) >= REVIEW_LIMIT:
                continue
            seen.add((quiz_id, index))
            if quiz_id not in quizzes:
                quizzes[quiz_id] = self._load_quiz(quiz_id)
            quiz = quizzes[quiz_id]
            if quiz is not None and 0 <= index < len(quiz.questions):
                found.append(quiz.questions[index])
        return found

    def _load_quiz(self, quiz_id: str) -> Quiz | None:
        data = self.store.load_quiz(quiz_id)
        if not data:
            return None
        try:
            return Quiz.from_dict(data)
        except (TypeError, ValueError, KeyError, IndexError):
            log.warning("unreadable saved quiz %s: skipped in review", quiz_id)
            return None

    def _topic_name(self, topic_id: str, lang: str) -> str:
        topic = self.kb.topics.get(topic_id)
        return topic.name(lang) if topic else topic_id
