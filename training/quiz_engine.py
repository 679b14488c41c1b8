"""The quiz as a pure state machine: quiz_step(kb, state, message) -> (state, replies).

Like the advisor's engine: no I/O, a frozen state that round-trips through JSON (so an
unfinished quiz survives a restart), replies as data (`advisor.replies.Reply`) that the
console prints as numbered lists and Discord turns into buttons. The state holds the
whole quiz, so a step needs nothing from storage; the service records scores by
comparing the results before and after a step.

Stages are few: asking question `index`, or finished. "aide"/"help" explains and asks
again, "quitter"/"quit" (the base's `cancel` words) ends with the score so far, "je ne
sais pas" counts as a miss and shows the answer, anything unrecognised asks again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from advisor.commands import match_command, pick_choice
from advisor.replies import Reply
from knowledge.models import KnowledgeBase

from .quiz import Question, Quiz
from .texts import msg

PERFECT, GOOD = 1.0, 0.6


@dataclass(frozen=True)
class QuizState:
    """Where a learner is in a quiz; JSON through to_dict/from_dict."""

    quiz: Quiz
    index: int = 0
    """The question being asked (== len(quiz.questions) once all are answered)."""
    results: tuple[bool, ...] = ()
    """Right or wrong, per answered question, in order."""
    finished: bool = False
    turn: int = 0
    """Counts messages: Discord puts it in custom_ids to recognise stale buttons."""

    @property
    def lang(self) -> str:
        return self.quiz.lang

    @property
    def score(self) -> int:
        return sum(self.results)

    def current(self) -> Question | None:
        if self.finished or self.index >= len(self.quiz.questions):
            return None
        return self.quiz.questions[self.index]

    def to_dict(self) -> dict[str, Any]:
        return {"quiz": self.quiz.to_dict(), "index": self.index, "results": list(self.results),
                "finished": self.finished, "turn": self.turn}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuizState:
        return cls(quiz=Quiz.from_dict(data["quiz"]), index=int(data.get("index", 0)),
                   results=tuple(bool(r) for r in data.get("results", ())),
                   finished=bool(data.get("finished", False)), turn=int(data.get("turn", 0)))


def begin(kb: KnowledgeBase, quiz: Quiz, *, intro: Reply | None = None, turn: int = 0) -> tuple[QuizState, list[Reply]]:
    """A fresh state for `quiz` and its opening: the scenario, then the first question.

    `turn` continues the counter of the quiz this one replaces, so that quiz's buttons
    are recognised as stale instead of answering the new one.
    """
    state = QuizState(quiz=quiz, turn=turn)
    opening = [intro] if intro is not None else []
    if not quiz.questions:
        return replace(state, finished=True), opening + [_final(kb, state)]
    return state, opening + question_replies(kb, state, with_scenario=True)


def quiz_step(kb: KnowledgeBase, state: QuizState, message: str) -> tuple[QuizState, list[Reply]]:
    """One learner message in, the new state and the bot's replies out."""
    state = replace(state, turn=state.turn + 1)
    lang = state.lang
    question = state.current()
    if question is None:
        return replace(state, finished=True), [Reply("text", msg(kb, "quiz_none", lang))]
    text = (message or "").strip()
    command = match_command(kb, text) if text else None
    if command == "help":
        return state, [Reply("text", msg(kb, "quiz_help", lang))] + question_replies(kb, state)
    if command == "cancel":
        done = replace(state, finished=True)
        return done, [Reply("text", msg(kb, "quiz_quit", lang, score=done.score, answered=len(done.results)),
                            data={"score": done.score, "total": len(done.results), "finished": True})]
    if command == "dont_know":
        value: str | None = None
    else:
        picked = pick_choice(text, question.choices)
        if picked is None:
            return state, [Reply("error", msg(kb, "quiz_not_an_answer", lang))] + question_replies(kb, state)
        value = picked.value
    correct = value == question.answer
    answered = replace(state, index=state.index + 1, results=state.results + (correct,))
    replies = [_feedback(kb, state, question, value, correct)]
    if answered.current() is None:
        answered = replace(answered, finished=True)
        return answered, replies + [_final(kb, answered)]
    return answered, replies + question_replies(kb, answered, with_scenario=False)


def question_replies(kb: KnowledgeBase, state: QuizState, *, with_scenario: bool = True) -> list[Reply]:
    """The current question (after its scenario when asked, or when a review moves to another one)."""
    question = state.current()
    if question is None:
        return [Reply("text", msg(kb, "quiz_none", state.lang))]
    replies = []
    previous = state.quiz.questions[state.index - 1] if state.index > 0 else None
    moved_on = previous is not None and previous.scenario != question.scenario
    if question.scenario and ((with_scenario and state.index == 0) or moved_on):
        replies.append(Reply("text", question.scenario, title=msg(kb, "quiz_intro_title", state.lang),
                             data={"quiz_id": question.ref[0]}))
    header = msg(kb, "quiz_question_header", state.lang, number=state.index + 1, total=len(state.quiz.questions))
    replies.append(Reply("question", f"{header}\n{question.prompt}", question.choices,
                         data={"quiz_id": state.quiz.id, "question": state.index, "kind": question.kind}))
    return replies


def _feedback(kb: KnowledgeBase, state: QuizState, question: Question, value: str | None, correct: bool) -> Reply:
    """Right or wrong, the right answer, and the base's explanation; a miss links to the topic's card."""
    key = "quiz_correct" if correct else ("quiz_wrong" if value is not None else "quiz_skipped")
    text = msg(kb, key, state.lang, answer=question.answer_label()) + "\n" + question.explanation
    data: dict[str, Any] = {"correct": correct, "answer": question.answer, "given": value,
                            "question": state.index, "kind": question.kind, "quiz_id": state.quiz.id}
    if not correct:
        data["define"] = question.topic
    return Reply("text", text, data=data)


def _final(kb: KnowledgeBase, state: QuizState) -> Reply:
    total = len(state.quiz.questions)
    ratio = state.score / total if total else 0.0
    verdict = ("quiz_final_perfect" if ratio >= PERFECT
               else "quiz_final_good" if ratio >= GOOD else "quiz_final_practice")
    text = msg(kb, "quiz_final", state.lang, score=state.score, total=total) + " " + msg(kb, verdict, state.lang)
    return Reply("text", text, data={"score": state.score, "total": total, "finished": True})
