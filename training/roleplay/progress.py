"""A junior's progress from their finished role-plays: skills, tiers, next level, what to replay.

Pure functions over session records (`SessionRecord`, newest first), so the same numbers
show in the console, on Discord and in tests.
- Proficiency per skill: the mean of its criteria (good 1, fair 0.5, poor 0), each session
  weighted `DECAY ** age` (the newest counts 1, the one before 0.75...), over the last
  `WINDOW` sessions: recent sessions count more, as in sales-coaching products.
- Tiers in words: under 0.4 "needs work", under 0.7 "developing", under 0.9 "solid",
  else "mastered".
- Next level: from the sessions at the latest level (up to three): a weighted score of 80
  or more moves up, under 50 moves down, otherwise stay.
- To replay: scenarios scored under `PASS` and not passed since.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .rubric import POINTS

SKILLS: dict[str, tuple[str, ...]] = {
    "discovery": ("discovery", "no_leading", "contradiction"),
    "objective_first": ("objective_first",),
    "verdict": ("verdict",),
    "magic_thinking": ("magic_thinking",),
}
DECAY = 0.75
WINDOW = 20
PASS = 60
UP, DOWN = 80, 50
LEVEL_WINDOW = 3
TIERS = ((0.4, "novice"), (0.7, "developing"), (0.9, "solid"), (1.01, "mastered"))


@dataclass(frozen=True)
class SessionRecord:
    """One finished role-play, as stored."""

    user_id: str
    score: int
    level: int
    criteria: Mapping[str, str]
    scenario: Mapping[str, Any]
    created_at: datetime

    @property
    def scenario_id(self) -> str:
        return str(self.scenario.get("id", ""))


def _weights(count: int) -> list[float]:
    return [DECAY ** age for age in range(count)]


def proficiency(records: Sequence[SessionRecord]) -> dict[str, float | None]:
    """Skill -> recency-weighted proficiency in [0, 1] (None: never assessed)."""
    recent = list(records[:WINDOW])
    out: dict[str, float | None] = {}
    for skill, criteria in SKILLS.items():
        total = weight = 0.0
        for record, w in zip(recent, _weights(len(recent)), strict=True):
            ratings = [POINTS[record.criteria[c]] for c in criteria if record.criteria.get(c) in POINTS]
            if ratings:
                total += w * sum(ratings) / len(ratings)
                weight += w
        out[skill] = total / weight if weight else None
    return out


def tier(value: float) -> str:
    return next(name for limit, name in TIERS if value < limit)


def weighted_score(records: Sequence[SessionRecord]) -> int:
    recent = list(records[:WINDOW])
    weights = _weights(len(recent))
    return round(sum(r.score * w for r, w in zip(recent, weights, strict=True)) / sum(weights)) if recent else 0


def next_level(records: Sequence[SessionRecord]) -> int:
    """The level to play next (1 for a newcomer)."""
    if not records:
        return 1
    level = records[0].level
    same = [r for r in records if r.level == level][:LEVEL_WINDOW]
    score = weighted_score(same)
    if score >= UP:
        return min(level + 1, 3)
    if score < DOWN:
        return max(level - 1, 1)
    return level


def to_replay(records: Sequence[SessionRecord]) -> list[SessionRecord]:
    """Failed scenarios (newest failure first) not passed in a later session."""
    passed: set[str] = set()
    failed: dict[str, SessionRecord] = {}
    for record in records:  # newest first: a later pass is seen before the failure
        if record.score >= PASS:
            passed.add(record.scenario_id)
        elif record.scenario_id not in passed and record.scenario_id not in failed:
            failed[record.scenario_id] = record
    return list(failed.values())


def weakest(records: Sequence[SessionRecord]) -> tuple[str, float] | None:
    """The skill with the lowest proficiency, for the team view."""
    assessed = [(skill, value) for skill, value in proficiency(records).items() if value is not None]
    return min(assessed, key=lambda item: item[1]) if assessed else None
