"""Quiz scenarios drawn from the knowledge base, reproducibly.

Nothing about a scenario is written here: the client's request is one of the base's own
training examples (or a labelled multi-topic combo), the profile is a random answer to
each capacity question, the right recommendation is whatever the advice rules say for
that profile, and every explanation is the base's text. All randomness goes through one
`random.Random(seed)`, consumed in a fixed order, so the same seed and the same base give
the same quiz (trainers can hand a seed to a whole team).

Difficulty: level 1 is a buzzword request (an example naming one of the topic's aliases),
level 2 an indirect one (no alias), level 3 a multi-topic combo. Each level falls back to
the next easiest kind the base can provide, and says which kind it drew.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from functools import lru_cache

from advisor.advice import select_rule
from advisor.recommend import plan_topics, recommendation
from advisor.replies import ChoiceOption
from knowledge.models import KnowledgeBase, Rule, Topic
from knowledge.text import normalise

from .quiz import Question, Quiz
from .texts import field_name, msg

LEVELS = (1, 2, 3)
MAX_DISTRACTORS = 3


class QuizError(ValueError):
    """The base cannot give any scenario (no topic, or no example in the language)."""


def make_quiz(kb: KnowledgeBase, *, seed: int, level: int = 1, lang: str = "fr") -> Quiz:
    """A three-question quiz for `seed`, at difficulty `level` (1-3), in `lang`."""
    lang = "en" if lang == "en" else "fr"
    level = min(max(int(level), LEVELS[0]), LEVELS[-1])
    rng = random.Random(seed)
    request, topics, kind = draw_request(kb, rng, level, lang)
    profile = tuple((f.id, rng.choice(f.choices).id) for f in kb.capacity if f.choices)
    main = topics[0]
    rule_topic = _rule_topic(kb, topics)
    profile_text = _profile_text(kb, profile, lang)
    scenario = msg(kb, "quiz_intro", lang, level=level, kind=msg(kb, f"quiz_kind_{kind}", lang),
                   request=request, profile=profile_text)
    questions = (
        _level_question(kb, main, multi=kind == "multi", lang=lang),
        _topic_question(kb, rng, topics, lang),
        _rule_question(kb, rng, rule_topic, dict(profile), profile_text, lang),
    )
    suffix = f"-{kb.content_hash[:10]}" if kb.content_hash else ""
    quiz = Quiz(id=f"{lang}-{level}-{seed}{suffix}", seed=seed, level=level, lang=lang, kind=kind,
                request=request, topics=topics, profile=profile, rule_topic=rule_topic,
                scenario=scenario, questions=questions)
    return quiz.with_refs()


# --- the request --------------------------------------------------------------------------

def draw_request(kb: KnowledgeBase, rng: random.Random, level: int, lang: str) -> tuple[str, tuple[str, ...], str]:
    """(request text, its topics with the main one first, kind drawn)."""
    if level >= 3:
        combos = [c for c in kb.combos
                  if c.lang == lang and c.topics and all(t in kb.topics for t in c.topics)]
        if combos:
            combo = rng.choice(combos)
            return combo.text, tuple(dict.fromkeys(combo.topics)), "multi"
    order = ("indirect", "buzzword") if level >= 2 else ("buzzword", "indirect")
    for kind in order:
        pools = {tid: pool for tid in sorted(kb.topics) if (pool := _examples(kb.topics[tid], lang, kind))}
        if pools:
            topic_id = rng.choice(sorted(pools))
            return rng.choice(pools[topic_id]), (topic_id,), kind
    raise QuizError(f"no topic has an example in {lang!r}: cannot make a quiz")


def names_alias(topic: Topic, text: str) -> bool:
    """True if `text` names the topic by one of its aliases (any language, whole words)."""
    return _alias_pattern(topic.all_aliases()).search(normalise(text)) is not None


@lru_cache(maxsize=256)
def _alias_pattern(aliases: tuple[str, ...]) -> re.Pattern[str]:
    """One regex per topic: a quiz scans every example of the base, so this must be cheap."""
    keys = sorted({k for a in aliases if (k := normalise(a))}, key=len, reverse=True)
    if not keys:
        return re.compile(r"(?!x)x")  # matches nothing
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")


def _examples(topic: Topic, lang: str, kind: str) -> list[str]:
    buzzword = kind == "buzzword"
    return [e for e in topic.examples.get(lang, ()) if names_alias(topic, e) == buzzword]


def _rule_topic(kb: KnowledgeBase, topics: tuple[str, ...]) -> str:
    """The topic whose advice fits the request: the main tactic, else the plan's first topic."""
    main = topics[0]
    if kb.topic(main).level == "tactic" and main in kb.rules:
        return main
    planned = plan_topics(kb, topics)
    return planned[0] if planned else main


def _profile_text(kb: KnowledgeBase, profile: Sequence[tuple[str, str]], lang: str) -> str:
    return "\n".join(msg(kb, "quiz_profile_line", lang, field=field_name(kb, f, lang),
                         answer=kb.field(f).choice(c).label(lang)) for f, c in profile)


# --- the three questions ----------------------------------------------------------------

def _level_question(kb: KnowledgeBase, topic_id: str, *, multi: bool, lang: str) -> Question:
    topic = kb.topic(topic_id)
    choices = (ChoiceOption("objective", msg(kb, "quiz_choice_objective", lang)),
               ChoiceOption("tactic", msg(kb, "quiz_choice_tactic", lang)))
    # The topic is not named here: question 2 asks which topic it is.
    key = "quiz_explain_level_multi" if multi else "quiz_explain_level"
    level = msg(kb, f"quiz_level_{topic.level}", lang)
    explanation = msg(kb, key, lang, level=level, definition=topic.definition(lang))
    prompt = msg(kb, "quiz_q_level_multi" if multi else "quiz_q_level", lang)
    return Question("level", topic_id, prompt, choices, topic.level, explanation)


def _topic_question(kb: KnowledgeBase, rng: random.Random, topics: tuple[str, ...], lang: str) -> Question:
    """The main topic among up to three topics the request is not about."""
    main = kb.topic(topics[0])
    others = [t for t in sorted(kb.topics) if t not in topics]
    options = [main.id] + rng.sample(others, min(MAX_DISTRACTORS, len(others)))
    rng.shuffle(options)
    choices = tuple(ChoiceOption(t, kb.topic(t).name(lang)) for t in options)
    explanation = msg(kb, "quiz_explain_topic", lang, name=main.name(lang), definition=main.definition(lang),
                      clients_mean=main.clients_mean(lang))
    if len(topics) > 1:
        names = ", ".join(kb.topic(t).name(lang) for t in topics[1:])
        explanation += "\n" + msg(kb, "quiz_explain_others", lang, topics=names)
    prompt = msg(kb, "quiz_q_topic_multi" if len(topics) > 1 else "quiz_q_topic", lang)
    return Question("topic", main.id, prompt, choices, main.id, explanation)


def _rule_question(kb: KnowledgeBase, rng: random.Random, topic_id: str, answers: dict[str, str],
                   profile_text: str, lang: str) -> Question:
    """The rule the advice picks for this profile, among other real rules."""
    right = select_rule(kb, topic_id, answers)
    same = [r for r in kb.rules[topic_id] if r.id != right.id]
    rng.shuffle(same)
    alternatives = [r for r in (_rule_or_none(kb, a) for a in right.alternatives) if r is not None]
    rng.shuffle(alternatives)
    options: list[Rule] = [right]
    for rule in same + alternatives:
        if len(options) > MAX_DISTRACTORS:
            break
        if all(rule.id != o.id and rule.title(lang) != o.title(lang) for o in options):
            options.append(rule)
    rng.shuffle(options)
    choices = tuple(ChoiceOption(r.id, r.title(lang)) for r in options)
    rec = recommendation(kb, topic_id, answers, lang)
    explanation = msg(kb, "quiz_explain_rule", lang, title=rec["title"], verdict=rec["verdict_label"],
                      rationale=rec["rationale"])
    prompt = msg(kb, "quiz_q_rule", lang, topic=kb.topic(topic_id).name(lang), profile=profile_text)
    return Question("rule", topic_id, prompt, choices, right.id, explanation)


def _rule_or_none(kb: KnowledgeBase, rule_id: str) -> Rule | None:
    """An alternative rule, or None when a filtered base no longer has it."""
    try:
        return kb.rule(rule_id)
    except KeyError:
        return None
