"""Legacy reading by regular expressions, for a knowledge base that brings no examples.

The shipped base reads every field with its model (`reading.model`); a small or custom base
(tests, an agency's own) may only give `patterns` per choice in capacity.yaml. Then the most
specific choice (the longest match, first listed on a tie) is taken, as before the models.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.models import CapacityField, Choice


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _longest(choice: Choice, text: str) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    for patterns in choice.patterns.values():
        for pattern in patterns:
            for found in _compiled(pattern).finditer(text):
                if best is None or found.end() - found.start() > best[1] - best[0]:
                    best = (found.start(), found.end())
    return best


def match_field(field: CapacityField, norm_text: str) -> tuple[str, int, int] | None:
    """(choice id, start, end) of the most specific matching choice of `field`, if any."""
    best: tuple[int, Choice, tuple[int, int]] | None = None
    for choice in field.choices:
        span = _longest(choice, norm_text)
        if span is not None and (best is None or span[1] - span[0] > best[0]):
            best = (span[1] - span[0], choice, span)
    if best is None:
        return None
    return best[1].id, best[2][0], best[2][1]
