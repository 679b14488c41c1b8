"""Every kind of knowledge-base fault, on a broken copy of a valid fixture.

Each case edits one fixture file and checks that a problem names the right file, line and
field with a precise message: the validator is only as useful as its error messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import edit, line_of

from knowledge import KnowledgeBaseError, Problem, load_knowledge_base

BLOG, BLOG_RULES = "topics/blog.yaml", "advice/blog.yaml"
AWARENESS, AWARENESS_RULES = "topics/awareness.yaml", "advice/awareness.yaml"


class Case(NamedTuple):
    file: str
    old: str
    new: str
    field: str
    message: str
    needle: str
    nth: int = 1
    at: str = ""
    """File the problem is reported in, when it is not the edited one."""


CASES = {
    "yaml syntax": Case(BLOG, '  fr: "Définition de blog."', '\tfr: "Définition de blog."', "",
                        "YAML syntax error", '\tfr: "Déf'),
    "duplicate yaml key": Case(BLOG, "level: tactic\n", "level: tactic\nlevel: objective\n", "",
                               "duplicate key 'level'", "level:", 2),
    "unknown key": Case(BLOG, "clients_mean:", "client_mean:", "client_mean",
                        "unknown key 'client_mean' (did you mean 'clients_mean'?)", "client_mean:"),
    "missing key at top": Case(BLOG, "clients_mean:", "client_mean:", "",
                               "missing required key 'clients_mean'", "id: blog"),
    "missing nested key": Case(BLOG, '  budget: {fr: "Peu", en: "Little"}\n', "", "demands",
                               "missing required key 'budget'", "demands:"),
    "missing rule key": Case(BLOG_RULES, "    verdict: as_asked\n", "", "rules[0]",
                             "missing required key 'verdict'", "- id: blog_steady"),
    "wrong type number": Case(BLOG, "  weekly_hours: [3, 4]", "  weekly_hours: lots", "demands.weekly_hours",
                              "wrong type: expected a number, got a string", "weekly_hours: lots"),
    "wrong type list": Case(BLOG, "aliases:\n  fr: [blog]", "aliases:\n  fr: blog", "aliases.fr",
                            "wrong type: expected a list, got a string", "fr: blog"),
    "bad hours range": Case(BLOG_RULES, "weekly_hours: [3, 4]", "weekly_hours: [4, 3]", "rules[0].weekly_hours",
                            "expected 0 <= low <= high, got [4, 3]", "weekly_hours: [4, 3]"),
    "missing translation": Case(BLOG, 'name: {fr: "Nom blog", en: "Name blog"}', 'name: {fr: "Nom blog"}', "name",
                                "missing translation 'en'", "name:"),
    "empty translation": Case(BLOG, 'en: "Definition of blog."', 'en: ""', "definition.en",
                              "missing translation 'en'", 'en: ""'),
    "invalid level": Case(BLOG, "level: tactic", "level: tactical", "level",
                          "invalid level 'tactical' (expected one of: objective, tactic)", "level:"),
    "invalid verdict": Case(BLOG_RULES, "verdict: scaled_down", "verdict: smaller", "rules[1].verdict",
                            "invalid verdict 'smaller' (expected one of: as_asked, scaled_down, instead)",
                            "verdict: smaller"),
    "topic id is not file name": Case(BLOG, "id: blog", "id: blogue", "id",
                                      "topic id 'blogue' does not match its file name 'blog.yaml'", "id: blogue"),
    "advice topic is not file name": Case(BLOG_RULES, "topic: blog", "topic: blogue", "topic",
                                          "advice topic 'blogue' does not match its file name 'blog.yaml'",
                                          "topic: blogue"),
    "content_hungry objective": Case(AWARENESS, "level: objective\n", "level: objective\ncontent_hungry: true\n",
                                     "content_hungry", "content_hungry applies to tactics only", "content_hungry"),
    "objective with serves": Case(AWARENESS, "served_by: [blog]", "serves: [blog]", "serves",
                                  "an objective lists its links in 'served_by', not 'serves'", "serves:"),
    "serves unknown topic": Case(BLOG, "serves: [awareness]", "serves: [awarenes]", "serves[0]",
                                 "unknown topic 'awarenes'", "serves:"),
    "serves a tactic": Case(BLOG, "serves: [awareness]", "serves: [blog]", "serves[0]",
                            "'blog' is not an objective", "serves:"),
    "served_by an objective": Case(AWARENESS, "served_by: [blog]", "served_by: [awareness]", "served_by[0]",
                                   "'awareness' is not a tactic", "served_by:"),
    "duplicate rule id": Case(AWARENESS_RULES, "id: awareness_plan", "id: blog_faq", "rules[2].id",
                              "duplicate rule id 'blog_faq' (also in advice/awareness.yaml)", "id: blog_faq",
                              at=BLOG_RULES),
    "unknown tactic": Case(BLOG_RULES, "tactics: [blog]", "tactics: [blogg]", "rules[0].tactics[0]",
                           "unknown topic 'blogg'", "tactics: [blogg]"),
    "tactic is an objective": Case(BLOG_RULES, "tactics: [blog]", "tactics: [awareness]", "rules[0].tactics[0]",
                                   "'awareness' is not a tactic", "tactics: [awareness]"),
    "unknown alternative": Case(BLOG_RULES, "alternatives: [blog_light, blog_faq]",
                                "alternatives: [blog_light, blog_faqq]", "rules[0].alternatives[1]",
                                "unknown rule 'blog_faqq'", "blog_faqq"),
    "own alternative": Case(BLOG_RULES, "alternatives: [blog_light, blog_faq]",
                            "alternatives: [blog_steady, blog_faq]", "rules[0].alternatives[0]",
                            "a rule cannot be its own alternative", "alternatives: [blog_steady"),
    "too few alternatives": Case(BLOG_RULES, "alternatives: [blog_light, blog_faq]", "alternatives: [blog_light]",
                                 "rules[0].alternatives", "too few alternatives: 1, at least 2 needed",
                                 "alternatives: [blog_light]"),
    "combo unknown topic": Case("combos.yaml", "topics: [blog, awareness]", "topics: [blog, awarness]",
                                "examples[0].topics[1]", "unknown topic 'awarness'", "awarness"),
    "combo single topic": Case("combos.yaml", "topics: [blog, awareness]", "topics: [blog]",
                               "examples[0].topics", "too few topics: 1, at least 2 needed", "topics: [blog]"),
    "when unknown field": Case(BLOG_RULES, "when: {weekly_hours: [h2_plus]}", "when: {weekly_hour: [h2_plus]}",
                               "rules[1].when.weekly_hour", "unknown field 'weekly_hour'", "weekly_hour:"),
    "when unknown choice": Case(BLOG_RULES, "when: {weekly_hours: [h2_plus]}", "when: {weekly_hours: [h3]}",
                                "rules[1].when.weekly_hours[0]",
                                "unknown choice 'h3' for weekly_hours (known: h0, h2_plus)", "[h3]"),
    "last rule not fallback": Case(AWARENESS_RULES, "when: {}", "when: {producer: [owner]}", "rules[0].when",
                                   "the last rule 'awareness_plan' must be the fallback, with `when: {}`",
                                   "when: {producer"),
    "fallback too early": Case(BLOG_RULES, "when: {weekly_hours: [h2_plus]}", "when: {}", "rules[1].when",
                               "the rules after it are never reached", "when: {}"),
    "fallback as_asked for content-hungry": Case(BLOG_RULES, "verdict: instead", "verdict: as_asked",
                                                 "rules[2].verdict", "the fallback 'blog_faq' cannot be as_asked: "
                                                 "it relies on content-hungry blog", "verdict: as_asked", 2),
    "cautious profile gets as_asked": Case(BLOG_RULES, "when: {weekly_hours: [h2_plus], producer: [owner]}",
                                           "when: {producer: [nobody, owner]}", "rules[0].when",
                                           "the all-cautious profile (producer=nobody, weekly_hours=h0) gets "
                                           "as_asked from rule 'blog_steady' for content-hungry blog", "[nobody"),
    "example shared by two topics": Case(AWARENESS, "demande en français sur awareness numéro 3",
                                         "Demande en francais sur BLOG numero 3", "examples.fr[3]",
                                         "is also in awareness (topics/awareness.yaml examples.fr[3])",
                                         'sur blog numéro 3"', at=BLOG),
    "example shared with out_of_scope": Case("out_of_scope.yaml", '"répare mon imprimante 5"',
                                             '"request in english about blog numéro 5"', "examples.fr[5]",
                                             "is also in blog", "about blog numéro 5"),
    "duplicate example": Case(BLOG, 'sur blog numéro 4"', 'sur blog numéro 5"', "examples.fr[5]",
                              "duplicate example", 'sur blog numéro 5"', 2),
    "too few examples": Case(BLOG, '    - "demande en français sur blog numéro 24"\n', "", "examples.fr",
                             "too few examples: 24, at least 25 needed", '  fr:\n    - "demande'),
    "weights not 100": Case("capacity.yaml", "weight: 40", "weight: 30", "fields",
                            "weights of the capacity fields add up to 90, not 100", "fields:"),
    "score outside [0, 1]": Case("capacity.yaml", "score: 0.5", "score: 1.5", "fields[0].choices[1].score",
                                 "score 1.5 is outside [0, 1]", "score: 1.5"),
    "regex does not compile": Case("capacity.yaml", "^moi", "^(moi", "fields[0].choices[1].patterns.fr[0]",
                                   "does not compile: missing ), unterminated subpattern", "^(moi"),
    "regex with accents": Case("capacity.yaml", "^moi", "^moï", "fields[0].choices[1].patterns.fr[0]",
                               "has accents, but it is matched on normalised text", "^moï"),
    "cautious choice unknown": Case("capacity.yaml", "cautious: nobody", "cautious: noone", "fields[0].cautious",
                                    "cautious choice 'noone' is not one of this field's choices", "noone"),
    "range that is a number": Case("capacity.yaml", "hours: [0, 2]", "amount: 300", "fields[1].choices[0].amount",
                                   "amount of a choice is a [low, high) range", "amount: 300"),
    "range upside down": Case("capacity.yaml", "hours: [0, 2]", "count: [100, 10]", "fields[1].choices[0].count",
                              "expected 0 <= low <= high, got [100, 10]", "count: [100, 10]"),
    "empty range": Case("capacity.yaml", "hours: [0, 2]", "amount: [2, 2]", "fields[1].choices[0].amount",
                        "amount range [2, 2) is empty", "amount: [2, 2]"),
    "overlapping ranges": Case("capacity.yaml", "hours: [2, 1000]", "hours: [1, 1000]", "fields[1].choices[1].hours",
                               "hours range [1, 1000) overlaps 'h0' [0, 2)", "hours: [1, 1000]"),
    "unknown choice key": Case("capacity.yaml", "hours: [0, 2]", "amounts: [0, 2]", "fields[1].choices[0].amounts",
                               "unknown key 'amounts' (did you mean 'amount'?)", "amounts:"),
    "placeholders differ": Case("messages.yaml", "Hello {name}!", "Hello {nom}!", "messages.welcome",
                                "placeholders differ between fr ['name'] and en ['nom']", "welcome:"),
    "malformed placeholder": Case("messages.yaml", "Hello {name}!", "Hello {name!", "messages.welcome.en",
                                  "invalid placeholder syntax", "welcome:"),
    "command without words": Case("messages.yaml", "en: [cancel, no]", "en: []", "commands.cancel.en",
                                  "too few words: 0, at least 1 needed", "cancel:"),
}


def problems_of(kb: Path) -> list[Problem]:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(kb)
    return info.value.problems


def assert_reported(problems: list[Problem], file: str, line: int, field: str, message: str) -> None:
    found = [p for p in problems if p.file == file and p.field == field and message in p.message]
    assert found, f"no {file}:{line}: {field}: ...{message}... in:\n" + "\n".join(map(str, problems))
    assert found[0].line == line, str(found[0])
    assert str(found[0]).startswith(f"{file}{f':{line}' if line else ''}: {field + ': ' if field else ''}")


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_fault_is_reported_with_file_line_and_field(kb_path: Path, case: Case) -> None:
    edit(kb_path / case.file, case.old, case.new)
    at = case.at or case.file
    assert_reported(problems_of(kb_path), at, line_of(kb_path / at, case.needle, case.nth), case.field, case.message)


def test_duplicate_topic_id(kb_path: Path) -> None:
    (kb_path / "topics" / "blog_copy.yaml").write_bytes((kb_path / "topics" / "blog.yaml").read_bytes())
    (kb_path / "advice" / "blog_copy.yaml").write_text("topic: blog_copy\nrules: []\n", encoding="utf-8")
    problems = problems_of(kb_path)
    assert_reported(problems, "topics/blog_copy.yaml", 1, "id", "duplicate topic id 'blog' (also in topics/blog.yaml)")
    assert_reported(problems, "topics/blog_copy.yaml", 1, "id", "does not match its file name 'blog_copy.yaml'")


def test_advice_without_topic_file(kb_path: Path) -> None:
    (kb_path / "advice" / "podcast.yaml").write_text((kb_path / "advice" / "blog.yaml").read_text(encoding="utf-8")
                                                     .replace("topic: blog", "topic: podcast"), encoding="utf-8")
    assert_reported(problems_of(kb_path), "advice/podcast.yaml", 1, "",
                    "no topic file topics/podcast.yaml for this advice")


def test_topic_without_advice_file(kb_path: Path) -> None:
    (kb_path / "advice" / "awareness.yaml").unlink()
    assert_reported(problems_of(kb_path), AWARENESS, 1, "", "no advice file advice/awareness.yaml for this topic")


def test_file_that_is_not_utf8(kb_path: Path) -> None:
    path = kb_path / "topics" / "blog.yaml"
    path.write_bytes(path.read_bytes().replace("Définition".encode(), "Définition".encode("latin-1")))
    assert_reported(problems_of(kb_path), BLOG, line_of_bytes(path, b"D\xe9finition"), "", "not UTF-8 text (byte 0xe9")


def line_of_bytes(path: Path, needle: bytes) -> int:
    data = path.read_bytes()
    return data.count(b"\n", 0, data.index(needle)) + 1


def test_top_level_must_be_a_mapping(kb_path: Path) -> None:
    (kb_path / "messages.yaml").write_text("- welcome\n", encoding="utf-8")
    assert_reported(problems_of(kb_path), "messages.yaml", 1, "",
                    "expected a mapping at the top of the file, got a list")


def test_every_problem_is_collected_before_raising(kb_path: Path) -> None:
    edit(kb_path / "topics" / "blog.yaml", "level: tactic", "level: tactical")
    edit(kb_path / "capacity.yaml", "score: 0.5", "score: 1.5")
    edit(kb_path / "messages.yaml", "Hello {name}!", "Hello {nom}!")
    files = {p.file for p in problems_of(kb_path)}
    assert {"topics/blog.yaml", "capacity.yaml", "messages.yaml"} <= files


def test_yml_file_is_not_silently_ignored(kb_path: Path) -> None:
    (kb_path / "topics" / "seo.yml").write_text("id: seo\n", encoding="utf-8")
    assert_reported(problems_of(kb_path), "topics/seo.yml", 0, "", "ignored: knowledge files end in .yaml")


def test_extra_catalogues_merge_and_clash(kb_path: Path) -> None:
    (kb_path / "messages_quiz.yaml").write_text(
        'messages:\n  quiz_extra: {fr: "Quiz {n}", en: "Quiz {n}"}\n  welcome: {fr: "Salut", en: "Hi"}\n',
        encoding="utf-8")
    assert_reported(problems_of(kb_path), "messages_quiz.yaml", 3, "messages.welcome",
                    "'welcome' is already defined in messages.yaml")
    edit(kb_path / "messages_quiz.yaml", '  welcome: {fr: "Salut", en: "Hi"}\n', "")
    kb = load_knowledge_base(kb_path)
    assert kb.msg("quiz_extra", "en", n=3) == "Quiz 3" and "welcome" in kb.messages
