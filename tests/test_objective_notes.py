"""Objective notes: how a tactic serves the client's objective, said with the advice.

The validator checks the notes (file, line and field, like every other fault); the advice adds
the note after "Objectif visé : X." when the winning rule does not itself depend on the
objective, in the chat reply and in the brief, and leaves rules that do depend on it alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import edit, line_of, rule_yaml, topic_yaml

from advisor.advice import select_rule
from advisor.brief import render_brief
from advisor.prompts import recommendation_reply
from advisor.recommend import plan, recommendation
from advisor.state import ConversationState
from knowledge import KnowledgeBaseError, Problem, load_knowledge_base
from knowledge.models import OBJECTIVE_KEY, KnowledgeBase

BLOG = "topics/blog.yaml"
NOTE = 'objective_notes:\n  {key}:\n    fr: "Comment le blogue sert."\n    en: "How the blog serves."\n'


def problems_of(kb: Path) -> list[Problem]:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(kb)
    return info.value.problems


def assert_reported(kb: Path, file: str, needle: str, field: str, message: str) -> None:
    problems = problems_of(kb)
    found = [p for p in problems if p.file == file and p.field == field and message in p.message]
    assert found, f"no {file}: {field}: ...{message}... in:\n" + "\n".join(map(str, problems))
    line = line_of(kb / file, needle)
    assert found[0].line == line, str(found[0])
    assert str(found[0]).startswith(f"{file}:{line}: {field}: ")


def add_note(kb: Path, key: str, note: str = NOTE) -> None:
    edit(kb / BLOG, "serves: [awareness]\n", "serves: [awareness]\n" + note.format(key=key))


def add_objective(kb: Path, topic_id: str) -> None:
    """A second objective in the fixture base, one the blog does not serve."""
    (kb / "topics" / f"{topic_id}.yaml").write_text(topic_yaml(topic_id, "objective", ["blog"]), encoding="utf-8")
    rules = rule_yaml(f"{topic_id}_plan", alternatives="blog_light, blog_faq")
    (kb / "advice" / f"{topic_id}.yaml").write_text(f"topic: {topic_id}\nrules:\n{rules}", encoding="utf-8")


# --- the validator -------------------------------------------------------------------------

def test_a_valid_note_is_loaded(kb_path: Path) -> None:
    add_note(kb_path, "awareness")
    blog = load_knowledge_base(kb_path).topic("blog")
    assert blog.objective_notes["awareness"]("fr") == "Comment le blogue sert."
    assert blog.objective_notes["awareness"]("en") == "How the blog serves."


def test_note_for_an_unknown_objective(kb_path: Path) -> None:
    add_note(kb_path, "awarenes")
    assert_reported(kb_path, BLOG, "  awarenes:", "objective_notes.awarenes",
                    "unknown objective 'awarenes' (known: awareness)")


def test_note_naming_a_tactic_is_an_unknown_objective(kb_path: Path) -> None:
    add_note(kb_path, "blog")
    assert_reported(kb_path, BLOG, "  blog:\n    fr", "objective_notes.blog", "unknown objective 'blog'")


def test_note_for_an_objective_the_tactic_does_not_serve(kb_path: Path) -> None:
    add_objective(kb_path, "retention")
    add_note(kb_path, "retention")
    assert_reported(kb_path, BLOG, "  retention:", "objective_notes.retention",
                    "'retention' is not an objective this tactic serves (serves: awareness)")


def test_note_without_english(kb_path: Path) -> None:
    add_note(kb_path, "awareness", 'objective_notes:\n  {key}:\n    fr: "Comment le blogue sert."\n')
    assert_reported(kb_path, BLOG, "  awareness:\n    fr", "objective_notes.awareness", "missing translation 'en'")


def test_note_with_empty_french(kb_path: Path) -> None:
    add_note(kb_path, "awareness", 'objective_notes:\n  {key}:\n    fr: ""\n    en: "How the blog serves."\n')
    assert_reported(kb_path, BLOG, 'fr: ""', "objective_notes.awareness.fr", "missing translation 'fr'")


def test_notes_must_be_a_mapping(kb_path: Path) -> None:
    add_note(kb_path, "awareness", "objective_notes: [awareness]\n")
    assert_reported(kb_path, BLOG, "objective_notes:", "objective_notes", "wrong type: expected a mapping")


def test_notes_on_an_objective(kb_path: Path) -> None:
    edit(kb_path / "topics/awareness.yaml", "served_by: [blog]\n",
         'served_by: [blog]\nobjective_notes:\n  awareness: {fr: "Non.", en: "No."}\n')
    assert_reported(kb_path, "topics/awareness.yaml", "objective_notes:", "objective_notes",
                    "objective_notes applies to tactics only")


# --- the shipped base ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def test_every_tactic_has_a_note_for_each_objective_it_serves(kb: KnowledgeBase) -> None:
    missing = [f"{t.id}: {o}" for t in kb.topics.values() if t.level == "tactic"
               for o in t.related if o not in t.objective_notes]
    assert not missing


# --- the advice ----------------------------------------------------------------------------

AWARE = {OBJECTIVE_KEY: "awareness", "producer": "owner", "weekly_hours": "h1"}
RETAIN = {OBJECTIVE_KEY: "retention"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_rule_blind_to_the_objective_gets_the_note(kb: KnowledgeBase, lang: str) -> None:
    rule = select_rule(kb, "blog", AWARE)
    assert OBJECTIVE_KEY not in rule.when, "the case needs a rule that does not depend on the objective"
    note = kb.topic("blog").objective_notes["awareness"](lang)
    prefix = kb.msg("because_objective", lang, objective=kb.topic("awareness").name(lang))
    rationale = recommendation(kb, "blog", AWARE, lang)["rationale"]
    assert rationale.startswith(f"{prefix} {note} {rule.rationale(lang)}")
    assert rationale.count(note) == 1


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_rule_that_depends_on_the_objective_gets_no_note(kb: KnowledgeBase, lang: str) -> None:
    rule = select_rule(kb, "blog", RETAIN)
    assert OBJECTIVE_KEY in rule.when and "retention" in rule.when[OBJECTIVE_KEY]
    prefix = kb.msg("because_objective", lang, objective=kb.topic("retention").name(lang))
    rationale = recommendation(kb, "blog", RETAIN, lang)["rationale"]
    assert rationale.startswith(f"{prefix} {rule.rationale(lang)}")
    assert kb.topic("blog").objective_notes["retention"](lang) not in rationale
    assert rationale.count(prefix) == 1


@pytest.mark.parametrize("objective", ["unknown", "none"])
def test_no_note_without_a_known_objective(kb: KnowledgeBase, objective: str) -> None:
    answers = {**AWARE, OBJECTIVE_KEY: objective}
    rationale = recommendation(kb, "blog", answers, "fr")["rationale"]
    assert not any(note("fr") in rationale for note in kb.topic("blog").objective_notes.values())


def test_no_note_for_an_objective_the_tactic_does_not_serve(kb: KnowledgeBase) -> None:
    assert "measurement" not in kb.topic("blog").related
    answers = {**AWARE, OBJECTIVE_KEY: "measurement"}
    rationale = recommendation(kb, "blog", answers, "fr")["rationale"]
    assert rationale == recommendation(kb, "blog", {**AWARE, OBJECTIVE_KEY: "unknown"}, "fr")["rationale"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_note_is_in_the_chat_reply_and_in_the_brief(kb: KnowledgeBase, lang: str) -> None:
    note = kb.topic("blog").objective_notes["awareness"](lang)
    the_plan = plan(kb, ("blog", "awareness"), AWARE, lang)
    rec = next(r for r in the_plan["recommendations"] if r["topic"] == "blog")
    assert note in recommendation_reply(kb, lang, rec, the_plan).text
    answers = {k: v for k, v in AWARE.items() if k != OBJECTIVE_KEY}
    state = ConversationState(lang=lang, request="un blogue pour se faire connaître",
                              topics=(("blog", 0.9), ("awareness", 0.8)), objective="awareness", answers=answers)
    assert note in render_brief(kb, state, the_plan)
