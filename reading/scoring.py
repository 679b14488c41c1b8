"""Scoring the reader against labelled phrasings (JSON lines: text, expected {field: choice}).

A line reads right when every expected field is read as expected; a field left unread counts
as "unknown" (the conversation would ask), so a cautious miss and a wrong reading both count
against the line, as a strategist would count them. Fields read but not expected are not
scored: the labels say what the line must give, not all it may give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from classifier.evaluate import json_objects

from .reader import CapacityReader


@dataclass(frozen=True)
class Miss:
    line: int
    text: str
    fields: tuple[str, ...]
    """"field: expected X, read Y" for each field read otherwise."""


@dataclass
class Score:
    lines: int = 0
    lines_right: int = 0
    fields: int = 0
    fields_right: int = 0
    misses: list[Miss] = field(default_factory=list)


def score_file(reader: CapacityReader, path: str | Path) -> Score:
    score = Score()
    for number, case in json_objects(path):
        got = reader.read(case["text"]).choices()
        wrong = tuple(f"{k}: expected {v}, read {got.get(k, 'unknown')}" for k, v in case["expected"].items()
                      if got.get(k, "unknown") != v)
        score.lines += 1
        score.lines_right += not wrong
        score.fields += len(case["expected"])
        score.fields_right += len(case["expected"]) - len(wrong)
        if wrong:
            score.misses.append(Miss(number, case["text"], wrong))
    return score
