"""The strategist's sample of intakes, through the same one-shot `advise` as the command line.

The floor is a regression guard below the figure measured when the rules were written from the
trade (see the README's Figures), not a target tuned to the sample: the acceptance sets are
larger and held out. A verdict flipped from `instead` to `as_asked` is the costly mistake (the
client is sold what they cannot sustain), so it is checked on its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.verdicts import advise_with_shipped_models, score_verdicts

SAMPLE = Path(__file__).resolve().parent.parent / "eval" / "advice-sample.jsonl"
FLOOR = 22


@pytest.fixture(scope="module")
def score():  # type: ignore[no-untyped-def]
    return score_verdicts(advise_with_shipped_models(), SAMPLE)


def test_the_strategists_verdicts_hold_on_the_sample(score) -> None:  # type: ignore[no-untyped-def]
    assert score.lines == 24
    assert score.right >= FLOOR, [m for m in score.misses]


def test_no_intake_the_strategist_turned_down_is_approved_as_asked(score) -> None:  # type: ignore[no-untyped-def]
    assert not [m for m in score.misses if m.expected == "instead" and m.got == "as_asked"]
