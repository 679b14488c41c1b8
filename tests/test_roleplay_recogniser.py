"""The question recogniser: accuracy measured honestly, and how it splits and doubts.

Held-out split: every 5th example of each move and language in questions.yaml (the 5th,
10th, 15th...), the model fitted on the others. Nothing was tuned on it; it was measured
twice during development (see the README, "Role-play": the first figures, the second, what
changed in between). The target of issue 12 is 0.90 per language. The fresh set
(eval/roleplay_questions.jsonl, 114 questions a language; the last 6 of each of
the three situation moves were added with those moves) was written after the model was
frozen and never used to change anything; its floor, 0.80, was set before it was measured.
Figures are printed (`pytest -s`) so a run shows them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge import load_knowledge_base
from knowledge.models import KnowledgeBase
from training.roleplay import recogniser

ROOT = Path(__file__).resolve().parents[1]
FRESH = ROOT / "eval" / "roleplay_questions.jsonl"
HELD_OUT_FLOOR = 0.85
"""Below the 0.90 target, set after the second measurement (fr 0.894, en 0.908): a regression
guard, not a claim that the target is met. See the module docstring."""
FRESH_FLOOR = 0.80


@pytest.fixture(scope="module", name="kb")
def kb_fixture() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_held_out_accuracy_per_language(kb: KnowledgeBase, lang: str) -> None:
    result = recogniser.held_out(kb, lang)
    print(f"\nrole-play recogniser, held-out {lang}: {result.accuracy:.3f} on {result.total} questions; "
          f"most confused: {result.confusions[:5]}")
    assert result.total >= 150
    assert result.accuracy >= HELD_OUT_FLOOR


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_fresh_questions_written_after_the_model(kb: KnowledgeBase, lang: str) -> None:
    cases = [json.loads(line) for line in FRESH.read_text(encoding="utf-8").splitlines() if line.strip()]
    mine = [(c["text"], c["move"]) for c in cases if c["lang"] == lang]
    result = recogniser.on_cases(kb, lang, mine)
    print(f"\nrole-play recogniser, fresh {lang}: {result.accuracy:.3f} on {result.total} questions; "
          f"most confused: {result.confusions[:5]}")
    assert {m for _, m in mine} == set(kb.roleplay.moves)  # type: ignore[union-attr]
    assert result.accuracy >= FRESH_FLOOR


def test_a_message_is_split_into_its_questions(kb: KnowledgeBase) -> None:
    moves = [g.move for g in recogniser.recognise(
        kb, "Bonjour! Quel est votre objectif avec ce site? Et quel budget mensuel avez-vous prévu?", "fr")]
    assert moves == ["greeting", "objective", "budget"]
    again = recogniser.recognise(kb, "Who will write? And who would write the posts?", "en")
    assert [g.move for g in again] == ["producer"]  # the same move twice counts once


def test_filler_and_gibberish(kb: KnowledgeBase) -> None:
    assert [g.move for g in recogniser.recognise(kb, "Ok. What's your budget?", "en")] == ["budget"]
    assert recogniser.recognise(kb, "", "fr") == []
    assert recogniser.recognise(kb, "🙂🙂🙂", "fr") == []
    doubt = recogniser.recognise(kb, "xqzt vlorp kwaz", "en")
    assert len(doubt) == 1 and doubt[0].confidence < 0.5


def test_cues_are_a_feature_not_a_rule(kb: KnowledgeBase) -> None:
    """A cue word pulls towards its move, but the examples can outweigh it."""
    guess = recogniser.recognise(kb, "Vous avez vu la game de hockey hier?", "fr")
    assert [g.move for g in guess] == ["off_topic"]
    assert recogniser.recognise(kb, "Qui sont vos clients, en général?", "fr")[0].move == "situation"
