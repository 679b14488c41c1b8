"""Numbers, units and periods in normalised text: the grammar the quantity readers share.

"5 000", "5,000", "1,5", "2k", "deux mille", "une couple", "une centaine": one regex per
knowledge base (spelled-out numbers come from capacity.yaml's `number_words`), one function
that reads the value back. Periods ("par mois", "a week", "chaque matin", "hebdo") are named
groups of one regex so a reader knows how to convert what it found to a week or a month.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from knowledge.models import KnowledgeBase

WEEKS_PER_MONTH = 4.3
WORKDAYS = 5
DAYS_PER_MONTH = 30
MONTHS_PER_YEAR = 12
JUST_UNDER = 1 - 1e-9
"""'moins de 500 $' / 'under 2 hours': just below the stated number, so bounds stay [low, high)."""

# "5 000", "5,000", "5.000" (thousands), "1,5" / "1.5" (decimals)
DIGITS = r"\d{1,3}(?:[ ,.]\d{3}){1,4}(?![\d])(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
COMPARE_BELOW = (r"moins d'|moins de|less than|fewer than|under|pas plus d'|pas plus de|pas plus que|not more than"
                 r"|no more than|au plus|at most|max(?:imum)?|jusqu'a|up to|tops")
RANGE_SEP = r"-|a|to|ou|or|et|and"

PERIOD_WORDS = {
    "week": r"semaines?|sem\b|weeks?\b|wk\b|fins? de semaine|weekends?",
    "month": r"mois\b|months?\b|mo\b|mth\b",
    "year": r"annees?\b|ans?\b|years?\b|yr\b",
    # "le soir", "in the evening", "dans la journée" say when, not how often: not a period
    "day": r"jours?\b|(?<!la )journees?\b|days?\b|(?<!le )soirs?\b|(?<!la )soirees?\b|(?<!the )evenings?\b"
           r"|(?<!the )nights?\b|(?<!le )matins?\b|(?<!the )mornings?\b",
}
PERIOD_ADVERBS = {
    "week": r"hebdo(?:madaire(?:ment)?)?\b|weekly\b",
    "month": r"mensuel(?:le)?(?:ment)?\b|monthly\b",
    "year": r"annuel(?:le)?(?:ment)?\b|annually\b|yearly\b",
    "day": r"quotidien(?:nement)?\b|daily\b",
}
PERIOD_LINK = (r"par|/|a|au|per|each|every|chaque|une fois par|fois par|once (?:a|per|every)|une?|la|le|de|dans"
               r"|tous les|toutes les|in|the")


def period_regex(kinds: tuple[str, ...] = ("week", "month", "year", "day")) -> str:
    """A period after a quantity, as named groups p_<kind> (a noun) or a_<kind> (an adverb)."""
    words = "|".join(f"(?P<p_{k}>{v})" for k, v in PERIOD_WORDS.items() if k in kinds)
    adverbs = "|".join(f"(?P<a_{k}>{v})" for k, v in PERIOD_ADVERBS.items() if k in kinds)
    return rf"(?:\s*(?:(?:{PERIOD_LINK})\s*){{1,2}}(?:{words})|\s*(?:{adverbs}))"


PERIOD = period_regex()
PERIOD_BEFORE = {
    "year": re.compile(r"\b(?:annuel\w*|annual\w*|yearly|par an(?:nee)?|per year|a year)\b[^,.;!?]{0,25}$"),
    "month": re.compile(r"\b(?:mensuel\w*|monthly|par mois|per month|a month)\b[^,.;!?]{0,25}$"),
    "week": re.compile(r"\b(?:hebdo\w*|weekly|par semaine|per week|a week)\b[^,.;!?]{0,25}$"),
}


def period_of(match: re.Match[str]) -> str | None:
    """The period a match's named groups found, if any ('week', 'month', 'year', 'day')."""
    for name, value in match.groupdict().items():
        if value and name.startswith(("p_", "a_")):
            return name[2:]
    return None


@dataclass(frozen=True)
class Numbers:
    """The number grammar of one knowledge base: digits plus its spelled-out words."""

    words: Mapping[str, float]
    regex: str
    """One number (no groups): digits with an optional scale, or spelled-out words."""
    scaled: str
    """Like `regex` but without lone small words ("un", "a", "deux"): for money and head
    counts, where "un client" or "pas un dollar" is not a quantity worth reading."""
    approx: str
    """Approximate French counts that take "de"/"d'" before their noun: "une centaine d'abonnés"."""


@lru_cache(maxsize=8)
def _numbers(items: tuple[tuple[str, float], ...]) -> Numbers:
    words = dict(items)
    small = sorted((w for w, v in words.items() if v < 100 and not w.endswith("aine")), key=len, reverse=True)
    scales = sorted((w for w, v in words.items() if v >= 100 and not w.endswith(("aine", "aines", "ier", "iers"))),
                    key=len, reverse=True)
    approx = sorted((w for w in words if w.endswith(("aine", "aines", "ier", "iers"))), key=len, reverse=True)
    small_re = "|".join(re.escape(w) for w in small) or r"(?!x)x"
    scale_re = "|".join(re.escape(w) for w in scales) or r"(?!x)x"
    approx_re = "|".join(re.escape(w) for w in approx) or r"(?!x)x"
    # one reading per string (each word is either small or a scale), at most 8 words: no
    # backtracking blow-up on "deux mille deux mille ..."
    # after a scale, no "a"/"un"/"demi" (worth 1 or less): "two thousand a month" is 2000
    tail = "|".join(re.escape(w) for w in small if words[w] >= 2) or r"(?!x)x"
    big = rf"(?:(?:{small_re})\s+)?(?:{scale_re})\b(?:\s+(?:{tail}|{scale_re})\b){{0,6}}"
    digits = rf"(?:{DIGITS})(?:\s*k\b|\s+(?:{scale_re})\b)?"
    near = rf"(?:(?:une?|des|quelques|plusieurs|\d+)\s+)?(?:{approx_re})\b"
    return Numbers(words, rf"(?:{digits}|{big}|(?:{small_re})\b)", rf"(?:{digits}|{big})", near)


def number_words(kb: KnowledgeBase) -> dict[str, float]:
    """Every spelled-out number of the base, both languages together."""
    words: dict[str, float] = {}
    for lang_words in kb.number_words.values():
        words.update(lang_words)
    return words


def grammar(kb: KnowledgeBase) -> Numbers:
    return _numbers(tuple(sorted(number_words(kb).items())))


def read_number(token: str, words: Mapping[str, float]) -> float:
    """The value of one number as matched by the grammar: '5 000', '1,5', '2k', 'deux mille',
    'une centaine', 'quelques milliers'."""
    token = token.strip()
    digits = re.match(DIGITS, token)
    if digits:
        grouped = re.fullmatch(r"(\d{1,3}(?:[ ,.]\d{3})+)(?:[.,](\d+))?", digits.group(0))
        if grouped:  # "5 000", "5,000", "1.500,5"
            value = float(re.sub(r"\D", "", grouped.group(1)) + "." + (grouped.group(2) or "0"))
        else:  # "300", "1,5", "2.5"
            value = float(digits.group(0).replace(",", "."))
        rest = token[digits.end():].strip()
        if rest == "k":
            value *= 1000
        elif rest in words:
            value *= words[rest]
        return value
    parts = token.split()
    if parts and parts[-1] in words and parts[-1].endswith(("aine", "aines", "ier", "iers")):
        several = {"des": 2.0, "quelques": 3.0, "plusieurs": 3.0}.get(parts[0], 1.0) if len(parts) > 1 else 1.0
        return several * words[parts[-1]]
    total = current = 0.0
    for word in parts:
        number = words.get(word, 0.0)
        if number >= 1000:
            total += (current or 1.0) * number
            current = 0.0
        elif number >= 100:
            current = (current or 1.0) * number
        else:
            current += number
    return total + current
