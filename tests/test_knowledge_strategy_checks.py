"""The validator's checks added for strategy (issue 10) and for the reader (issue 9), each on a
broken copy of the valid fixture: file, line, field and a precise message."""

from __future__ import annotations

from pathlib import Path

from conftest import edit, line_of
from test_knowledge_errors import assert_reported, problems_of

from knowledge import load_knowledge_base

RULES = "advice/blog.yaml"
FAQ_HOURS = ("weekly_hours: 1\n    rationale: {fr: \"Parce que.\", en: \"Because.\"}\n"
             "    alternatives: [blog_steady, blog_light]")

SITUATION = """\
fields:
  - id: asked_cadence
    kind: request
    weight: 0
    question: {fr: "Rythme?", en: "Cadence?"}
    why: {fr: "Parce que.", en: "Because."}
    cautious: unspecified
    choices:
      - {id: unspecified, score: 0, label: {fr: "Non dit", en: "Not said"}}
      - id: weekly
        score: 0
        label: {fr: "Chaque semaine", en: "Weekly"}
        patterns: {fr: ["chaque semaine"], en: ["weekly"]}
  - id: market
    kind: situation
    weight: 0
    question: {fr: "Où?", en: "Where?"}
    why: {fr: "Parce que.", en: "Because."}
    cautious: qc
    choices:
      - {id: qc, score: 0, label: {fr: "Québec", en: "Québec"}}
      - {id: fr, score: 0, label: {fr: "France", en: "France"}}
warnings:
  - when: {market: [fr]}
    topics: [blog]
    text: {fr: "Attention.", en: "Careful."}
"""
NAMES = """\
  field_asked_cadence: {fr: "Rythme demandé", en: "Cadence asked"}
  field_market: {fr: "Marché", en: "Market"}
  field_producer: {fr: "Qui", en: "Who"}
  field_weekly_hours: {fr: "Heures", en: "Hours"}
"""


def with_situation(kb: Path) -> Path:
    (kb / "situation.yaml").write_text(SITUATION, encoding="utf-8")
    edit(kb / "messages.yaml", "messages:\n", "messages:\n" + NAMES)
    return kb


def test_the_fixture_with_a_situation_file_is_valid(kb_path: Path) -> None:
    kb = load_knowledge_base(with_situation(kb_path))
    assert [f.id for f in kb.situation] == ["asked_cadence", "market"] and kb.situation_warnings


def test_a_rule_asking_more_hours_than_its_clients_have(kb_path: Path) -> None:
    edit(kb_path / RULES, FAQ_HOURS, FAQ_HOURS.replace("weekly_hours: 1", "weekly_hours: 2"))
    assert_reported(problems_of(kb_path), RULES, line_of(kb_path / RULES, "weekly_hours: 2"),
                    "rules[2].weekly_hours", "rule 'blog_faq' asks at least 2 h a week but accepts clients with 'h0'")


def test_an_unreachable_rule(kb_path: Path) -> None:
    edit(kb_path / RULES, "when: {weekly_hours: [h2_plus]}\n", "when: {weekly_hours: [h2_plus], producer: [owner]}\n")
    assert_reported(problems_of(kb_path), RULES, line_of(kb_path / RULES, "when:", 2), "rules[1].when",
                    "rule 'blog_light' is never reached: the earlier rule 'blog_steady' (rules[0]) accepts every")


def test_an_unknown_objective_in_a_condition(kb_path: Path) -> None:
    edit(kb_path / RULES, "when: {weekly_hours: [h2_plus]}\n", "when: {objective: [awarnes]}\n")
    assert_reported(problems_of(kb_path), RULES, line_of(kb_path / RULES, "[awarnes]"), "rules[1].when.objective[0]",
                    "unknown choice 'awarnes' for objective (known: awareness, unknown, none)")


def test_delivers_names_a_request_field(kb_path: Path) -> None:
    with_situation(kb_path)
    edit(kb_path / RULES, "    verdict: scaled_down\n", "    verdict: scaled_down\n    delivers: {market: fr}\n")
    assert_reported(problems_of(kb_path), RULES, line_of(kb_path / RULES, "delivers:"), "rules[1].delivers.market",
                    "'market' is not a request field (known: asked_cadence)")


def test_a_situation_warning_names_known_fields_and_topics(kb_path: Path) -> None:
    with_situation(kb_path)
    edit(kb_path / "situation.yaml", "when: {market: [fr]}\n    topics: [blog]",
         "when: {markt: [fr]}\n    topics: [blg]")
    problems = problems_of(kb_path)
    assert_reported(problems, "situation.yaml", line_of(kb_path / "situation.yaml", "markt"), "warnings[0].when.markt",
                    "unknown field 'markt'")
    assert_reported(problems, "situation.yaml", line_of(kb_path / "situation.yaml", "[blg]"), "warnings[0].topics[0]",
                    "unknown topic 'blg'")


def test_a_situation_field_must_not_count_in_the_score(kb_path: Path) -> None:
    with_situation(kb_path)
    edit(kb_path / "situation.yaml", "    kind: situation\n    weight: 0", "    kind: situation\n    weight: 5")
    assert_reported(problems_of(kb_path), "situation.yaml", line_of(kb_path / "situation.yaml", "weight: 5"),
                    "fields[1].weight", "a situation field does not count in the capacity score: its weight is 0")


def test_every_field_has_a_name(kb_path: Path) -> None:
    (kb_path / "situation.yaml").write_text(SITUATION.replace("id: market", "id: territory"), encoding="utf-8")
    problems = problems_of(kb_path)
    assert any(p.file == "situation.yaml" and "add messages.field_territory" in p.message for p in problems)


def test_a_contradiction_names_two_known_fields(kb_path: Path) -> None:
    path = kb_path / "capacity.yaml"
    path.write_text(path.read_text(encoding="utf-8") + (
        "contradictions:\n  - when: {producer: [nobody], weekly_hour: [h2_plus]}\n"
        "    why: {fr: \"Non.\", en: \"No.\"}\n"), encoding="utf-8")
    assert_reported(problems_of(kb_path), "capacity.yaml", line_of(path, "weekly_hour:"),
                    "contradictions[0].when.weekly_hour", "unknown capacity field 'weekly_hour'")


def test_reading_files_are_checked_against_the_fields(kb_path: Path) -> None:
    folder = kb_path / "reading"
    folder.mkdir()
    (folder / "producer.fr.yaml").write_text(
        "field: producer\nlang: fr\nexamples:\n  owner:\n    - {text: \"c'est moi\", also: {weekly_hours: h9}}\n",
        encoding="utf-8")
    (folder / "mixed.en.yaml").write_text(
        "lang: en\nexamples:\n  - text: \"me, an hour\"\n    labels: {produce: owner}\n", encoding="utf-8")
    problems = problems_of(kb_path)
    assert_reported(problems, "reading/producer.fr.yaml", 5, "examples.owner[0].also.weekly_hours",
                    "'h9' is not a choice of 'weekly_hours'")
    assert_reported(problems, "reading/producer.fr.yaml", 4, "examples.owner",
                    "too few examples for 'owner' in fr: 0, at least 30 needed")
    assert_reported(problems, "reading/mixed.en.yaml", 4, "examples[0].labels.produce",
                    "unknown capacity field 'produce'")
