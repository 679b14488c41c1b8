"""kill -9 at every step of saving a brief (benchmarks/brief_faults.py): the database is never
damaged, a brief is never saved without its turn (or the turn without its brief), a brief
file is never half written, and a restart leaves every brief with its complete file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.brief_faults import POINTS, messages_to_brief, run_point
from knowledge import load_knowledge_base
from tests.advisor_helpers import ScriptedClassifier


@pytest.fixture(scope="module")
def setup():
    kb = load_knowledge_base()
    classifier = ScriptedClassifier(kb, {"on veut un blogue": ("blog",)})
    return kb, classifier, messages_to_brief(kb, classifier, "on veut un blogue")


@pytest.mark.parametrize("point", POINTS)
def test_a_kill_at_each_step_of_saving_a_brief_loses_and_damages_nothing(setup, point: str, tmp_path: Path) -> None:
    kb, classifier, messages = setup
    outcome = run_point(point, kb, classifier, messages, tmp_path)
    assert outcome.killed, outcome.line()
    assert outcome.problems == [], outcome.line()
    committed = POINTS.index(point) >= POINTS.index("committed")
    assert outcome.briefs_after_kill == (1 if committed else 0)
