"""A quiz as a frozen value: the scenario and its questions, already worded.

Questions carry their text (prompt, choices, explanation) rendered at generation time,
in the quiz's language. So a quiz saved to SQLite replays word for word in `/quiz revoir`
even after the knowledge base changed, and the engine needs nothing but the quiz itself
to check an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from advisor.replies import ChoiceOption

QUESTION_KINDS = ("level", "topic", "rule")
"""Strategy or tactic; which topic; which recommendation fits the profile."""
REQUEST_KINDS = ("buzzword", "indirect", "multi", "review")


@dataclass(frozen=True)
class Question:
    """One question, its right answer and the knowledge base's explanation."""

    kind: str
    topic: str
    """The topic the question is about: weak-topic statistics and the /define link."""
    prompt: str
    choices: tuple[ChoiceOption, ...]
    answer: str
    """The `value` of the right choice."""
    explanation: str
    scenario: str = ""
    """The scenario this question belongs to, shown again when a review jumps to it."""
    ref: tuple[str, int] = ("", 0)
    """(quiz id, question index) where the question was first asked: scores point here."""

    def answer_label(self) -> str:
        return next((c.label for c in self.choices if c.value == self.answer), self.answer)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "topic": self.topic, "prompt": self.prompt,
            "choices": [{"value": c.value, "label": c.label} for c in self.choices],
            "answer": self.answer, "explanation": self.explanation, "scenario": self.scenario,
            "ref": [self.ref[0], self.ref[1]],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        ref = data.get("ref") or ("", 0)
        return cls(
            kind=str(data["kind"]), topic=str(data["topic"]), prompt=str(data["prompt"]),
            choices=tuple(ChoiceOption(str(c["value"]), str(c["label"])) for c in data["choices"]),
            answer=str(data["answer"]), explanation=str(data["explanation"]),
            scenario=str(data.get("scenario", "")), ref=(str(ref[0]), int(ref[1])),
        )


@dataclass(frozen=True)
class Quiz:
    """A scenario (request + capacity profile) and its questions; JSON through to_dict/from_dict."""

    id: str
    seed: int
    level: int
    lang: str
    kind: str
    """buzzword | indirect | multi (how the request was drawn) | review (replayed questions)."""
    request: str
    topics: tuple[str, ...]
    """The request's topics, main one first."""
    profile: tuple[tuple[str, str], ...]
    """(capacity field id, choice id) for every field, in capacity.yaml order."""
    rule_topic: str
    """The topic whose rules question 3 is about (the plan's topic for this request)."""
    scenario: str
    questions: tuple[Question, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "seed": self.seed, "level": self.level, "lang": self.lang, "kind": self.kind,
            "request": self.request, "topics": list(self.topics),
            "profile": [[f, c] for f, c in self.profile], "rule_topic": self.rule_topic,
            "scenario": self.scenario, "questions": [q.to_dict() for q in self.questions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quiz:
        return cls(
            id=str(data["id"]), seed=int(data["seed"]), level=int(data["level"]), lang=str(data["lang"]),
            kind=str(data["kind"]), request=str(data["request"]), topics=tuple(str(t) for t in data["topics"]),
            profile=tuple((str(f), str(c)) for f, c in data["profile"]), rule_topic=str(data["rule_topic"]),
            scenario=str(data["scenario"]), questions=tuple(Question.from_dict(q) for q in data["questions"]),
        )

    def with_refs(self) -> Quiz:
        """This quiz with every question pointing at itself (id, index) and its scenario."""
        questions = tuple(replace(q, ref=(self.id, i), scenario=q.scenario or self.scenario)
                          for i, q in enumerate(self.questions))
        return replace(self, questions=questions)
