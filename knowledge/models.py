"""Typed, immutable models of the knowledge base.

Every other package (classifier, advisor, adapters, training) reads the knowledge
base through these classes only, never through raw YAML. They are frozen so a
loaded base can be shared between conversations and threads without copies, and
swapped whole on `/kb reload`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .roleplay_models import RolePlayData

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
Level = Literal["objective", "tactic"]
Verdict = Literal["as_asked", "scaled_down", "instead"]
VERDICTS: tuple[Verdict, ...] = ("as_asked", "scaled_down", "instead")
PLAN_STAGES = ("foundation", "findability", "content", "amplification", "systems")
"""A plan of several tactics takes them in this order: the site before what sends people to it,
being found before producing more, content before paying to spread it, tools last."""

Hours = float | tuple[float, float]
"""A weekly commitment: one number of hours, or a (low, high) range."""


@dataclass(frozen=True)
class Text:
    """A user-facing string in both languages."""

    fr: str
    en: str

    def __call__(self, lang: str) -> str:
        """The string in `lang`, French for anything that is not English."""
        return self.en if lang == "en" else self.fr


@dataclass(frozen=True)
class Source:
    """Where a figure used in advice comes from (see shared/domain.md)."""

    title: str
    url: str
    figure: Text | None = None


@dataclass(frozen=True)
class Demands:
    """What a topic asks of the client: content, skills, time, money, patience."""

    content: Text
    skills: Text
    weekly_hours: Hours
    budget: Text
    time_to_results: Text


@dataclass(frozen=True)
class Topic:
    """One strategy objective or one tactic, with its card and training examples."""

    id: str
    level: Level
    name: Text
    aliases: Mapping[str, tuple[str, ...]]
    definition: Text
    clients_mean: Text
    related: tuple[str, ...]
    """For a tactic, the objectives it can serve; for an objective, the tactics that can serve it."""
    demands: Demands
    warnings: tuple[Text, ...]
    questions: tuple[Text, ...]
    sources: tuple[Source, ...]
    examples: Mapping[str, tuple[str, ...]]
    content_hungry: bool = False
    """A tactic that needs a steady flow of new content to be worth anything."""
    plan_stage: str = "content"
    """Where a tactic comes in a plan of several: PLAN_STAGES, in order."""
    buzzword: bool = False
    """An objective that is really a buzzword ("être partout"): what it is for is still asked."""
    objective_notes: Mapping[str, Text] = field(default_factory=dict)
    """Tactics only: objective id (one the tactic serves) -> how this tactic serves that objective
    in practice, what to do so it does, and where it falls short. Said with the advice when the
    winning rule does not itself depend on the objective."""

    def all_aliases(self) -> tuple[str, ...]:
        return tuple(a for lang in LANGS for a in self.aliases.get(lang, ()))


@dataclass(frozen=True)
class Choice:
    """One possible answer to a capacity question."""

    id: str
    label: Text
    score: float
    """Contribution to the content-capacity score, 0 (none) to 1 (plenty)."""
    patterns: Mapping[str, tuple[str, ...]]
    """Regular expressions, per language, matched on normalised text (lowercase, no accents)."""
    hours: tuple[float, float] | None = None
    """For hour buckets: [low, high) weekly hours that map a number in free text to this choice."""
    amount: tuple[float, float] | None = None
    """For budget buckets: [low, high) money a month that maps a sum in free text to this choice."""
    count: tuple[float, float] | None = None
    """For audience buckets: [low, high) people (subscribers, customers...) that map a count to this choice."""
    build: tuple[float, float] | None = None
    """For build-budget buckets: [low, high) money spent once (a site, an app) that maps a sum to this choice."""
    months: tuple[float, float] | None = None
    """For horizon buckets: [low, high) months until results are needed ("d'ici six mois")."""
    every_days: tuple[float, float] | None = None
    """For change-frequency buckets: [low, high) days between two changes ("toutes les six semaines")."""


@dataclass(frozen=True)
class Implied:
    """A value an unknown field takes because of other answers, instead of its cautious value.

    "I have four hours a week" says someone will do it, even if nobody was named: assuming
    "nobody" would contradict the client. The conversation still asks; only the assumption
    (and the one-shot advice, which cannot ask) changes."""

    when: Mapping[str, tuple[str, ...]]
    value: str


@dataclass(frozen=True)
class CapacityField:
    """One content-capacity question (who writes, hours a week, ...)."""

    id: str
    weight: float
    question: Text
    why: Text
    cautious: str
    """Choice id assumed when the answer is unknown or "I don't know"."""
    choices: tuple[Choice, ...]
    kind: str = "capacity"
    """FIELD_KINDS: `capacity` (asked when decisive, counts in the capacity score), `situation` (the
    client's situation: asked when decisive, not scored) or `request` (what the request itself
    asked for, such as a cadence: read from the request only, never asked)."""
    implied: tuple[Implied, ...] = ()
    """Tried in order before `cautious` when the answer is unknown; the first whose `when` the
    known answers meet gives the value."""

    def choice(self, choice_id: str) -> Choice:
        for c in self.choices:
            if c.id == choice_id:
                return c
        raise KeyError(f"{self.id}: no choice {choice_id!r}")


@dataclass(frozen=True)
class ReadingExample:
    """One labelled clause for the free-text reader (knowledge/reading/<field>.<lang>.yaml).

    `label` is a choice id of the field, or `unsure` (the client dodges) or `nothing` (the
    clause is about something else); `also` gives the clause's answers to other fields."""

    text: str
    lang: str
    label: str
    also: Mapping[str, str] = field(default_factory=dict)
    field: str = ""
    """The field `label` is for (set for examples of a mixed file; else the file's field)."""


READING_UNSURE = "unsure"
READING_NOTHING = "nothing"
READING_SPECIAL = (READING_UNSURE, READING_NOTHING)
"""Labels of the reader that are not choices: the field stays unknown."""


FIELD_KINDS = ("capacity", "situation", "request")
OBJECTIVE_KEY = "objective"
"""A rule's `when` may condition on the client's objective: an objective topic id, or one of
OBJECTIVE_SPECIAL."""
OBJECTIVE_SPECIAL = ("unknown", "none")
"""`unknown`: not said (or "je ne sais pas"); `none`: no business objective, only magic thinking
("pour faire comme le concurrent")."""


@dataclass(frozen=True)
class SituationWarning:
    """A warning added to the advice when the client's profile matches `when` (and, if `topics`
    is given, only for those topics): legal notes by market, professional orders, B2B..."""

    when: Mapping[str, tuple[str, ...]]
    topics: tuple[str, ...]
    text: Text
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class MagicObjectives:
    """Answers to "what is it for?" that name no business result ("pour faire comme le
    concurrent", "pour faire moderne"): the conversation names the magic thinking."""

    patterns: Mapping[str, tuple[str, ...]]
    message: Text


@dataclass(frozen=True)
class Contradiction:
    """Two capacity answers that cannot both be right ("nobody" and "10 hours a week"): the
    conversation points it out and asks which one holds instead of advising on both."""

    when: Mapping[str, tuple[str, ...]]
    """Exactly two fields, each with the choices that clash with the other's."""
    why: Text


@dataclass(frozen=True)
class Rule:
    """One piece of advice: when the profile matches `when`, recommend this."""

    id: str
    topic: str
    when: Mapping[str, tuple[str, ...]]
    """Capacity field id -> accepted choice ids; every listed field must match. Empty = fallback."""
    verdict: Verdict
    title: Text
    tactics: tuple[str, ...]
    weekly_hours: Hours
    rationale: Text
    cadence: Text | None
    warnings: tuple[Text, ...]
    alternatives: tuple[str, ...]
    """Rule ids (any topic) offered as alternatives."""
    sources: tuple[Source, ...]
    measure: Text | None = None
    """What to measure to know it works, and when to judge it."""
    delivers: Mapping[str, str] = field(default_factory=dict)
    """Request field id -> the choice this rule delivers (a cadence, a number of platforms): an
    `as_asked` verdict becomes `scaled_down` when the request asked for more."""


@dataclass(frozen=True)
class Combo:
    """A labelled multi-topic training example (several topics in one request)."""

    text: str
    lang: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole validated base. Built only by `knowledge.loader.load_knowledge_base`."""

    path: str
    topics: Mapping[str, Topic]
    capacity: tuple[CapacityField, ...]
    rules: Mapping[str, tuple[Rule, ...]]
    """Topic id -> its rules, in evaluation order (the last one is the fallback)."""
    out_of_scope: Mapping[str, tuple[str, ...]]
    combos: tuple[Combo, ...]
    messages: Mapping[str, Text]
    commands: Mapping[str, Mapping[str, tuple[str, ...]]]
    """Command id (help, back, ...) -> language -> words that trigger it."""
    number_words: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    reading: Mapping[str, tuple[ReadingExample, ...]] = field(default_factory=dict)
    contradictions: tuple[Contradiction, ...] = ()
    situation: tuple[CapacityField, ...] = ()
    """situation.yaml's fields (kind situation or request): read and asked like capacity, not scored."""
    situation_warnings: tuple[SituationWarning, ...] = ()
    magic_objectives: MagicObjectives | None = None
    """Capacity field id -> its labelled examples for the free-text reader (may be empty)."""
    content_hash: str = ""
    roleplay: RolePlayData | None = None
    """The role-play client and junior questions (knowledge/roleplay/), None without that folder."""

    def topic(self, topic_id: str) -> Topic:
        return self.topics[topic_id]

    def field(self, field_id: str) -> CapacityField:
        for f in self.fields():
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    def fields(self) -> tuple[CapacityField, ...]:
        """Every field a rule may depend on: capacity, then situation and request."""
        return self.capacity + self.situation

    def rule(self, rule_id: str) -> Rule:
        for rules in self.rules.values():
            for r in rules:
                if r.id == rule_id:
                    return r
        raise KeyError(rule_id)

    def msg(self, key: str, lang: str, **values: object) -> str:
        """A catalogue message in `lang`, with `{placeholders}` filled."""
        text = self.messages[key](lang)
        return text.format(**values) if values else text

    def objectives(self) -> tuple[Topic, ...]:
        return tuple(t for t in self.topics.values() if t.level == "objective")

    def tactics(self) -> tuple[Topic, ...]:
        return tuple(t for t in self.topics.values() if t.level == "tactic")
