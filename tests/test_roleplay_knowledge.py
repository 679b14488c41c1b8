"""knowledge/roleplay/*.yaml: the shipped data loads, and every check names file, line and field.

Each case breaks one line of the small role-play folder (tests/roleplay_support.py) added to
conftest's base, like test_knowledge_errors does for the rest of the base.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import edit, line_of, make_kb

from knowledge import load_knowledge_base
from knowledge.roleplay_models import FIXED_MOVES, REVEALED_WITH, SITUATION_BLOCK
from knowledge.text import normalise
from tests.roleplay_support import ASK, write_roleplay
from tests.test_knowledge_errors import Case, assert_reported, problems_of

ROOT = Path(__file__).resolve().parents[1]
CLIENT, SCENARIOS, QUESTIONS = "roleplay/client.yaml", "roleplay/scenarios.yaml", "roleplay/questions.yaml"


OWNER_BLOCK = ('    owner:\n      fr:\n        - "producer owner fr 0"\n        - "producer owner fr 1"\n'
               '      en:\n        - "producer owner en 0"\n        - "producer owner en 1"\n')
HURRY_BLOCK = ('  hurry:\n    fr:\n      - "persona hurry fr 0"\n      - "persona hurry fr 1"\n'
               '    en:\n      - "persona hurry en 0"\n      - "persona hurry en 1"\n')

CASES = {
    "answers lack a choice": Case(CLIENT, OWNER_BLOCK, "", "answers.producer",
                                  "no phrasings for choice 'owner' (every choice of producer needs some)",
                                  "  producer:\n    nobody:"),
    "answers name an unknown choice": Case(CLIENT, "    nobody:", "    noone:", "answers.producer.noone",
                                           "unknown choice 'noone' for producer (known: nobody, owner)", "noone:"),
    "answers name an unknown field": Case(CLIENT, "answers:\n  producer:", "answers:\n  produce:", "answers.produce",
                                          "unknown capacity field 'produce' (known: producer, weekly_hours)",
                                          "produce:"),
    "answers miss a capacity field": Case(CLIENT, "answers:\n  producer:", "answers:\n  produce:", "answers",
                                          "no phrasings for capacity field 'producer' (add answers.producer.<choice>",
                                          "answers:"),
    "too few client lines": Case(CLIENT, '      - "persona vague fr 1"\n', "", "persona.vague.fr",
                                 "too few lines: 1, at least 2 needed", 'fr:\n      - "persona vague fr 0"'),
    "persona key missing": Case(CLIENT, HURRY_BLOCK, "", "persona", "missing required key 'hurry'", "persona:"),
    "slips miss a field": Case(CLIENT, "slips:\n  producer:", "slips:\n  producers:", "slips",
                               "no slips for capacity field 'producer'", "slips:"),
    "optimistic unknown choice": Case(CLIENT, "optimistic:\n  producer:\n    owner:",
                                      "optimistic:\n  producer:\n    boss:", "optimistic.producer.boss",
                                      "unknown choice 'boss' for producer", "boss:"),
    "unknown topic": Case(SCENARIOS, "topics:\n  blog:", "topics:\n  blogg:", "topics.blogg",
                          "unknown topic 'blogg'", "blogg:"),
    "topic is not a tactic": Case(SCENARIOS, "topics:\n  blog:", "topics:\n  awareness:", "topics.awareness",
                                  "'awareness' is not a tactic: a role-play client asks for a tool",
                                  "  awareness:\n    openings:"),
    "objective is a tactic": Case(SCENARIOS, '  awareness:\n    fr:\n      - "se faire',
                                  '  blog:\n    fr:\n      - "se faire', "objectives.blog",
                                  "'blog' is not an objective of the base (nor 'none')",
                                  '  blog:\n    fr:\n      - "se'),
    "no client without objective": Case(SCENARIOS, "objectives:\n  none:", "objectives:\n  nothing:", "objectives",
                                        "missing 'none': the client with no objective", "objectives:"),
    "bad clientele": Case(SCENARIOS, "clientele: b2c", "clientele: b2x", "sectors[0].clientele",
                          "invalid clientele 'b2x' (expected one of: b2b, b2c)", "clientele: b2x"),
    "sector reach unknown": Case(SCENARIOS, "reach: [local]", "reach: [regional]", "sectors[0].reach[0]",
                                 "unknown reach 'regional' (known: local)", "reach: [regional]"),
    "reach placeholder unknown": Case(SCENARIOS, '"On est à {place}."', '"On est à {city}."', "reach[0].lines.fr[0]",
                                      "unknown placeholder {city} (allowed: place, across)", '"On est à {city}."'),
    "too few question examples": Case(QUESTIONS, '      - "question en about weekly_hours number 19"\n', "",
                                      "examples.weekly_hours.en", "too few examples: 19, at least 20 needed",
                                      'en:\n      - "question en about weekly_hours number 0"'),
    "unknown move": Case(QUESTIONS, "  greeting:\n    fr:", "  greetings:\n    fr:", "examples.greetings",
                         "unknown move 'greetings'", "greetings:"),
    "move without examples": Case(QUESTIONS, "  greeting:\n    fr:", "  greetings:\n    fr:", "examples",
                                  "no examples for move 'greeting'", "examples:"),
    "capacity field without examples": Case(QUESTIONS, "  weekly_hours:\n    fr:", "  weekly_hourz:\n    fr:",
                                            "examples", "no examples for capacity field 'weekly_hours' (add "
                                            "examples.weekly_hours.fr and .en, 20 each)", "examples:"),
    "example teaches two moves": Case(QUESTIONS, '"question fr sur leading numero 3"',
                                      '"Question FR sur objective numéro 3"', "examples.leading.fr[3]",
                                      "is also examples.objective.fr[3]: an example may teach one move only",
                                      '"Question FR sur objective'),
    "cue not normalised": Case(QUESTIONS, 'fr: [qui, "qui va*"]', 'fr: [Qui, "qui va*"]', "cues.producer.fr[0]",
                               "must be written normalised", "fr: [Qui"),
    "cue for an unknown move": Case(QUESTIONS, "cues:\n  producer:", "cues:\n  produce:", "cues.produce",
                                    "unknown move 'produce'", "produce:"),
}


@pytest.fixture(name="rp_kb")
def rp_kb_fixture(kb_path: Path) -> Path:
    return write_roleplay(kb_path)


def test_the_fixture_base_loads_with_its_role_play(rp_kb: Path) -> None:
    kb = load_knowledge_base(rp_kb)
    assert kb.roleplay is not None
    assert kb.roleplay.moves == FIXED_MOVES + ("producer", "weekly_hours")
    assert kb.roleplay.sectors[0].reach == ("local",)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_role_play_fault_is_reported_with_file_line_and_field(rp_kb: Path, case: Case) -> None:
    edit(rp_kb / case.file, case.old, case.new)
    assert_reported(problems_of(rp_kb), case.file, line_of(rp_kb / case.file, case.needle, case.nth), case.field,
                    case.message)


def test_a_missing_or_unknown_role_play_file(rp_kb: Path) -> None:
    (rp_kb / QUESTIONS).unlink()
    (rp_kb / "roleplay" / "extra.yaml").write_text("a: 1\n", encoding="utf-8")
    problems = problems_of(rp_kb)
    assert_reported(problems, QUESTIONS, 0, "", "required role-play file is missing")
    assert_reported(problems, "roleplay/extra.yaml", 1, "", "unknown role-play file (expected one of: client.yaml")


def test_a_base_without_role_play_folder_loads_without_role_play(kb_path: Path) -> None:
    assert load_knowledge_base(kb_path).roleplay is None


def test_a_new_capacity_field_needs_only_new_lines_in_the_role_play_yaml(tmp_path: Path) -> None:
    """The lead adds a capacity question: validation lists exactly what to write, then it loads."""
    root = write_roleplay(make_kb(tmp_path / "kb"))
    edit(root / "capacity.yaml", "weight: 60", "weight: 50")
    (root / "capacity.yaml").write_text((root / "capacity.yaml").read_text(encoding="utf-8") + """\
  - id: responder
    weight: 10
    question: {fr: "Qui répond aux demandes?", en: "Who answers requests?"}
    why: {fr: "Une demande sans réponse coûte un client.", en: "An unanswered request loses a customer."}
    cautious: nobody_answers
    choices:
      - id: nobody_answers
        score: 0.0
        label: {fr: "Personne", en: "Nobody"}
        patterns: {fr: [], en: []}
      - id: someone_answers
        score: 1.0
        label: {fr: "Quelqu'un", en: "Someone"}
        patterns: {fr: [], en: []}
""", encoding="utf-8")
    problems = problems_of(root)
    assert_reported(problems, CLIENT, line_of(root / CLIENT, "answers:"), "answers",
                    "no phrasings for capacity field 'responder'")
    assert_reported(problems, CLIENT, line_of(root / CLIENT, "slips:"), "slips",
                    "no slips for capacity field 'responder'")
    assert_reported(problems, QUESTIONS, line_of(root / QUESTIONS, "examples:"), "examples",
                    "no examples for capacity field 'responder'")
    client = (root / CLIENT).read_text(encoding="utf-8")
    answers = ('  responder:\n    nobody_answers:\n      fr: ["personne 0", "personne 1"]\n'
               '      en: ["nobody 0", "nobody 1"]\n    someone_answers:\n'
               '      fr: ["ma fille 0", "ma fille 1"]\n      en: ["my daughter 0", "my daughter 1"]\n')
    client = client.replace("optimistic:\n", answers + "optimistic:\n").replace(
        "slips:\n", "slips:\n  responder:\n    fr: [\"le telephone sonne\", \"la boite deborde\"]\n"
                    "    en: [\"the phone rings\", \"the inbox overflows\"]\n")
    (root / CLIENT).write_text(client, encoding="utf-8")
    examples = "\n".join(f'      - "qui repond {i}"' for i in range(20))
    examples_en = "\n".join(f'      - "who answers {i}"' for i in range(20))
    questions = (root / QUESTIONS).read_text(encoding="utf-8").replace(
        "cues:\n", f"  responder:\n    fr:\n{examples}\n    en:\n{examples_en}\ncues:\n")
    (root / QUESTIONS).write_text(questions, encoding="utf-8")
    kb = load_knowledge_base(root)
    assert kb.roleplay is not None and kb.roleplay.moves[-1] == "responder"


def test_the_shipped_role_play_covers_every_tactic_and_every_capacity_field() -> None:
    kb = load_knowledge_base()
    data = kb.roleplay
    assert data is not None
    assert set(data.topics) == {t.id for t in kb.tactics() if t.id in kb.rules}
    # the situation fields the rules read: told by `situation`, told with another answer, or moves of their own
    situation = [f for f in kb.situation if f.kind == "situation" and f.id not in SITUATION_BLOCK]
    alone = tuple(f.id for f in situation if f.id not in REVEALED_WITH)
    assert data.moves == FIXED_MOVES + tuple(f.id for f in kb.capacity) + alone
    for move in data.moves:
        assert min(len(data.questions[move]["fr"]), len(data.questions[move]["en"])) >= 20, move
    for field in kb.capacity:
        assert set(data.answers[field.id]) == {c.id for c in field.choices}
    for field in situation:
        assert set(data.answers[field.id]) == {c.id for c in field.choices} - (
            {"none"} if field.id in REVEALED_WITH else set()), field.id
    objectives_served = {o for t in data.topics for o in kb.topic(t).related}
    assert objectives_served <= set(data.objectives) and "none" in data.objectives


def test_the_acceptance_script_asks_in_words_of_its_own() -> None:
    """The perfect interview's questions are not copies of the recogniser's training examples."""
    data = load_knowledge_base().roleplay
    assert data is not None
    taught = {(lang, normalise(t)) for by_lang in data.questions.values() for lang, texts in by_lang.items()
              for t in texts}
    assert not [(lang, t) for lang, asks in ASK.items() for t in asks.values() if (lang, normalise(t)) in taught]


def test_knowledge_validate_names_a_role_play_fault_and_exits_2(rp_kb: Path) -> None:
    edit(rp_kb / SCENARIOS, "clientele: b2c", "clientele: b2x")
    done = subprocess.run([sys.executable, "-m", "knowledge", "validate", str(rp_kb)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    line = line_of(rp_kb / SCENARIOS, "clientele: b2x")
    assert done.returncode == 2
    assert f"roleplay/scenarios.yaml:{line}: sectors[0].clientele: invalid clientele 'b2x'" in done.stderr
    assert "Traceback" not in done.stderr
