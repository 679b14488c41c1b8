"""Reading content-capacity answers out of free text.

Clients answer in sentences, not forms: "c'est moi qui écrirais le soir, peut-être une
heure par semaine, nos infos changent rarement" answers three questions at once.

Two kinds of reading, in this order:

1. Generic quantity readers, here because they are about numbers, not words: hours
   ("2-3 h", "une demi-heure par jour", "1h30"), money ("300 $ par mois", "5 000 euros
   par an", "$2k/month") and audience counts ("3000 abonnés", "5,000 Instagram
   followers"). Each maps its value to the choice whose `hours`, `amount` (monthly) or
   `count` range `[low, high)` in `knowledge/capacity.yaml` holds it. The span each one
   reads is *consumed*: masked before step 2, so "10 heures par mois" cannot also say the
   information changes monthly.
2. The regex patterns of `knowledge/capacity.yaml`, on what is left. When several choices
   of one field match, the most specific one (the longest match) wins; on a tie, the one
   listed first.

Spelled-out numbers ("deux", "mille", "half") come from the YAML `number_words`; a word
worth 100 or more multiplies what comes before it ("deux mille" = 2000).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from knowledge.models import CapacityField, Choice, KnowledgeBase
from knowledge.text import normalise

HOURS_FIELD = "weekly_hours"
"""The field the engine reads a bare number for ("3"); every field with `hours` ranges gets the hours reader."""

_WEEKS_PER_MONTH = 4.3
_WORKDAYS = 5
_DAYS_PER_MONTH = 30
_MONTHS_PER_YEAR = 12
_JUST_UNDER = 1 - 1e-9
"""'moins de 500 $' / 'under 2 hours': just below the stated number, so bounds stay [low, high)."""
_MASK = "|"
"""What a consumed span is replaced with: same length (so evidence can be cut from the
original text), and no letters, so no word pattern can match across or inside it."""

# --- number formats ---------------------------------------------------------------------
# "5 000", "5,000", "5.000" (thousands), "1,5" / "1.5" (decimals), then an optional
# "k" or a spelled multiplier ("2 mille", "5 thousand").
_DIGITS = r"\d{1,3}(?:[ ,.]\d{3}){1,4}(?![\d])(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_COMPARE_BELOW = (r"moins d'|moins de|less than|fewer than|under|pas plus d'|pas plus de|not more than|au plus"
                  r"|at most|max(?:imum)?|jusqu'a|up to")
_RANGE_SEP = r"-|a|to|ou|or|et|and"

# --- units and periods --------------------------------------------------------------------
_HOUR_UNIT = r"h(?![a-z])|hres?\b|heures?\b|hours?\b|hrs?\b"
_MINUTE_UNIT = r"min(?:ute)?s?\b|mn\b"
_HALF_MORE = r"\s+(?:et|and)\s+(?:demie?|a half)\b"
_CURRENCY_BEFORE = r"\$|€|(?:us|ca|c)\$|(?:cad|usd|eur)\b"
_CURRENCY_AFTER = (r"(?:\$|€|dollars?\b|euros?\b|piastres?\b|piasses?\b|balles\b|bucks\b|cad\b|usd\b|eur\b)"
                   r"(?:\s*(?:cad|can|us|usd|canadiens?|americains?)\b)?")
_PERIOD_WORDS = {
    "week": r"semaines?|sem\b|weeks?\b|wk\b|fins? de semaine|weekends?",
    "month": r"mois\b|months?\b|mo\b|mth\b",
    "year": r"annees?\b|ans?\b|years?\b|yr\b",
    # "le soir", "in the evening", "dans la journée" say when, not how often: not a period
    "day": r"jours?\b|(?<!la )journees?\b|days?\b|(?<!le )soirs?\b|(?<!la )soirees?\b|(?<!the )evenings?\b"
           r"|(?<!the )nights?\b",
}
_PERIOD_ADVERBS = {
    "week": r"hebdo(?:madaire(?:ment)?)?\b|weekly\b",
    "month": r"mensuel(?:le)?(?:ment)?\b|monthly\b",
    "year": r"annuel(?:le)?(?:ment)?\b|annually\b|yearly\b",
    "day": r"quotidien(?:nement)?\b|daily\b",
}
_PERIOD_LINK = (r"par|/|a|au|per|each|every|chaque|une fois par|fois par|once (?:a|per|every)|une?|la|le|de|dans"
                r"|tous les|toutes les|in|the")


def _period_regex() -> str:
    words = "|".join(f"(?P<p_{k}>{v})" for k, v in _PERIOD_WORDS.items())
    adverbs = "|".join(f"(?P<a_{k}>{v})" for k, v in _PERIOD_ADVERBS.items())
    return rf"(?:\s*(?:(?:{_PERIOD_LINK})\s*){{1,2}}(?:{words})|\s*(?:{adverbs}))"


_PERIOD = _period_regex()
_PERIOD_BEFORE = {
    "year": re.compile(r"\b(?:annuel\w*|annual\w*|yearly|par an(?:nee)?|per year|a year)\b[^,.;!?]{0,25}$"),
    "month": re.compile(r"\b(?:mensuel\w*|monthly|par mois|per month|a month)\b[^,.;!?]{0,25}$"),
    "week": re.compile(r"\b(?:hebdo\w*|weekly|par semaine|per week|a week)\b[^,.;!?]{0,25}$"),
}
_BUDGET_CUE = re.compile(r"\bbudget\b(?P<gap>[^.;!?\d]{0,30})$")
"""A number with no currency still counts as money right after the word 'budget' ("budget de
800 par mois"); past a comma, only with a period ("budget serré, environ 150/mois")."""
_ONE_OFF = re.compile(r"\b(?:site|website|site web|boutique|refonte|redesign|lancement|launch|construction|construire"
                      r"|batir|build|projet|project|total|global|initial|de depart|one[- ]?time|one[- ]?off|une fois"
                      r"|upfront|up front|d'un coup)\b")
"""An amount with no period, in a text that talks of building or totals, is a one-off build
budget ("un site web, budget de 5000 $"), not a monthly one."""
_CLOCK_BEFORE = re.compile(r"(?:\b(?:vers|des|avant|apres|jusqu'a|at|around|from|until|till)"
                           r"|(?<!\bon )(?<!\bil )(?<!elle )(?<!\bqui )(?<!\bca )(?<!\by )\ba)\s*$")
_CLOCK_RANGE_AFTER = re.compile(r"\s*(?:a|-|to|et|and|au|jusqu'a)\s*\d{1,2}\s*(?:h\b|h\d\d|heures?\b)(?:\s*\d\d)?"
                                r"|\s*(?:/|sur)\s*24\b")
"""Clock times are not durations: "de 9 h à 17 h", "vers 20 h", "24 h sur 24", "à 15 minutes d'ici"."""

_COUNT_NOUNS = (r"abonne(?:e)?s?|followers?|subscribers?|clients?|clientes?|customers?|contacts?|courriels?|e-?mails?"
                r"|adresses?|membres?|members?|fans?|likes?|j'aime|inscrits?|lecteurs?|lectrices?|readers?"
                r"|patients?|patientes?|eleves?|etudiants?|students?|visiteurs?|visitors?|visites?|visits?")
_COUNT_FILLER = r"(?:\s+(?!(?:et|and|ou|or|de|des|du|en|sur|in|on|of|a|par|per)\b)[a-z][a-z'-]*)?"
_LIST_WORDS = r"liste|list|infolettre|newsletter|mailing list|base de donnees|database"


@dataclass(frozen=True)
class ParsedAnswer:
    """One capacity answer found in text, with the words that gave it away."""

    field: str
    choice: str
    evidence: str


@dataclass(frozen=True)
class Quantity:
    """A number a generic reader found: its value, normalised, and where it was said."""

    value: float | None
    """Hours a week, money a month or a head count; None when the span is consumed but says
    nothing usable for a field (a flow like '200 clients par semaine', a one-off budget)."""
    start: int
    end: int


# --- numbers ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Numbers:
    """The number grammar of one knowledge base: digits plus its spelled-out words."""

    words: Mapping[str, float]
    regex: str
    """One number (no groups): digits with an optional scale, or spelled-out words."""
    scaled: str
    """Like `regex` but without lone small words ("un", "a", "deux"): for money and head
    counts, where "un client" or "pas un dollar" is not a quantity worth reading."""


@lru_cache(maxsize=8)
def _numbers(items: tuple[tuple[str, float], ...]) -> _Numbers:
    words = dict(items)
    small = sorted((w for w, v in words.items() if v < 100), key=len, reverse=True)
    scales = sorted((w for w, v in words.items() if v >= 100), key=len, reverse=True)
    small_re = "|".join(re.escape(w) for w in small) or r"(?!x)x"
    scale_re = "|".join(re.escape(w) for w in scales) or r"(?!x)x"
    # one reading per string (each word is either small or a scale), at most 8 words: no
    # backtracking blow-up on "deux mille deux mille ..."
    # after a scale, no "a"/"un"/"demi" (worth 1 or less): "two thousand a month" is 2000
    tail = "|".join(re.escape(w) for w in small if words[w] >= 2) or r"(?!x)x"
    big = rf"(?:(?:{small_re})\s+)?(?:{scale_re})\b(?:\s+(?:{tail}|{scale_re})\b){{0,6}}"
    digits = rf"(?:{_DIGITS})(?:\s*k\b|\s+(?:{scale_re})\b)?"
    return _Numbers(words, rf"(?:{digits}|{big}|(?:{small_re})\b)", rf"(?:{digits}|{big})")


def number_words(kb: KnowledgeBase) -> dict[str, float]:
    """Every spelled-out number of the base, both languages together."""
    words: dict[str, float] = {}
    for lang_words in kb.number_words.values():
        words.update(lang_words)
    return words


def _number_grammar(kb: KnowledgeBase) -> _Numbers:
    return _numbers(tuple(sorted(number_words(kb).items())))


def read_number(token: str, words: Mapping[str, float]) -> float:
    """The value of one number as matched by the grammar: '5 000', '1,5', '2k', 'deux mille'."""
    token = token.strip()
    digits = re.match(_DIGITS, token)
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
    total = current = 0.0
    for word in token.split():
        number = words.get(word, 0.0)
        if number >= 1000:
            total += (current or 1.0) * number
            current = 0.0
        elif number >= 100:
            current = (current or 1.0) * number
        else:
            current += number
    return total + current


def _period_of(match: re.Match[str]) -> str | None:
    for name, value in match.groupdict().items():
        if value and name.startswith(("p_", "a_")):
            return name[2:]
    return None


def _amount(match: re.Match[str], words: Mapping[str, float]) -> float:
    low = read_number(match.group("low"), words)
    high = read_number(match.group("high"), words) if match.group("high") else low
    value = (low + high) / 2
    if match.group("below"):
        value *= _JUST_UNDER
    return value


# --- the three generic readers ------------------------------------------------------------

@lru_cache(maxsize=8)
def _hours_regex(number: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?:(?P<below>{_COMPARE_BELOW})\s*)?\b(?P<low>{number})(?:\s*(?:{_RANGE_SEP})\s*(?P<high>{number}))?"
        rf"(?:\s+(?:an?|une?))?\s*-?\s*(?:(?P<hours>{_HOUR_UNIT})|(?P<minutes>{_MINUTE_UNIT}))"
        rf"(?:\s*(?P<mins>\d\d)\b(?:\s*(?:min|mn)\b)?)?(?P<half>{_HALF_MORE})?"
        rf"(?:\s+(?:ou|or)\s+(?P<alt>{number}))?(?:{_PERIOD})?"
    )


def hours_in(text: str, kb: KnowledgeBase) -> list[Quantity]:
    """Every amount of time the text states, in hours a week ('1h30', 'une demi-heure par jour')."""
    grammar = _number_grammar(kb)
    out: list[Quantity] = []
    for m in _hours_regex(grammar.regex).finditer(text):
        if out and m.start() < out[-1].end:  # the second half of a clock range already read
            continue
        hours = _amount(m, grammar.words)
        if m.group("minutes"):
            hours /= 60
        if m.group("mins"):
            hours += int(m.group("mins")) / 60
        if m.group("half"):
            hours += 0.5
        if m.group("alt"):  # "une heure ou deux": halfway between, in the same unit
            hours = (hours + read_number(m.group("alt"), grammar.words) / (60 if m.group("minutes") else 1)) / 2
        period = _period_of(m)  # none: a week, as the question asks
        if period == "month":
            hours /= _WEEKS_PER_MONTH
        elif period == "year":
            hours /= _WEEKS_PER_MONTH * _MONTHS_PER_YEAR
        elif period == "day":
            hours *= _WORKDAYS
        clock = _CLOCK_RANGE_AFTER.match(text, m.end())
        if clock:
            out.append(Quantity(None, m.start(), clock.end()))
        elif period is None and _CLOCK_BEFORE.search(text, 0, m.start()):
            out.append(Quantity(None, m.start(), m.end()))
        else:
            out.append(Quantity(hours, m.start(), m.end()))
    return out


@lru_cache(maxsize=8)
def _money_regex(number: str) -> re.Pattern[str]:
    def one(pre: str, num: str, post: str) -> str:
        return (rf"(?:(?P<{pre}>{_CURRENCY_BEFORE})\s*)?(?P<{num}>{number})"
                rf"(?:\s*(?P<{post}>{_CURRENCY_AFTER}))?")
    # a range's second number carries the currency when the first one did after it
    # ("200 $ à 500 $", "200 à 500 $", "$200-500"); otherwise "3000 $ et 2" is no range
    return re.compile(
        rf"(?:(?P<below>{_COMPARE_BELOW})\s*)?(?:(?:entre|between)\s+)?{one('pre', 'low', 'post')}"
        rf"(?:\s*(?:{_RANGE_SEP})\s*{one('pre2', 'high', 'post2')}(?(post)(?(post2)|(?!))|))?(?:{_PERIOD})?"
    )


def money_in(text: str, kb: KnowledgeBase) -> list[Quantity]:
    """Every sum of money the text states, per month ('300 $ par mois', '5 000 euros par an')."""
    grammar = _number_grammar(kb)
    out = []
    for m in _money_regex(grammar.scaled).finditer(text):
        has_currency = any(m.group(g) for g in ("pre", "post", "pre2", "post2"))
        before = text[max(0, m.start() - 40):m.start()]
        cue = None if has_currency else _BUDGET_CUE.search(before)
        if not has_currency and (cue is None or "," in cue.group("gap") and _period_of(m) is None):
            continue
        value = _amount(m, grammar.words)
        period = _period_of(m) or next((p for p, said in _PERIOD_BEFORE.items() if said.search(before)), None)
        end = m.end()
        if period is None:
            if _ONE_OFF.search(text):
                out.append(Quantity(None, m.start(), end))
                continue
            period = "month"
        value *= {"month": 1.0, "year": 1 / _MONTHS_PER_YEAR, "week": _WEEKS_PER_MONTH,
                  "day": float(_DAYS_PER_MONTH)}[period]
        out.append(Quantity(value, m.start(), end))
    return out


@lru_cache(maxsize=8)
def _count_regex(number: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?:(?P<below>{_COMPARE_BELOW})\s*)?\b(?P<low>{number})(?:\s*(?:{_RANGE_SEP})\s*(?P<high>{number}))?"
        rf"{_COUNT_FILLER}\s+(?:{_COUNT_NOUNS})\b(?:{_PERIOD})?"
        rf"|\b(?:{_LIST_WORDS})\b(?:\s+[^\s,.;!?]+){{0,2}}?\s+(?:de|d'|of|avec|with)\s*"
        rf"(?:(?P<below2>{_COMPARE_BELOW}|plus de|over|more than)\s*)?(?P<low2>{number})"
        r"(?=\s*(?:[,.;!?)]|$|\s+(?:et|and|mais|but)\b))"
    )


def counts_in(text: str, kb: KnowledgeBase) -> list[Quantity]:
    """Every audience size the text states ('3000 abonnés', 'une liste de 800 clients')."""
    grammar = _number_grammar(kb)
    out = []
    for m in _count_regex(grammar.scaled).finditer(text):
        if m.group("low2"):
            value = read_number(m.group("low2"), grammar.words)
            below = m.group("below2") or ""
            if below and below not in ("plus de", "over", "more than"):
                value *= _JUST_UNDER
            out.append(Quantity(value, m.start(), m.end()))
            continue
        flow = _period_of(m) is not None  # "200 clients par semaine": traffic, not an audience
        out.append(Quantity(None if flow else _amount(m, grammar.words), m.start(), m.end()))
    return out


Reader = Callable[[str, KnowledgeBase], list[Quantity]]
READERS: tuple[tuple[str, Reader], ...] = (("hours", hours_in), ("count", counts_in), ("amount", money_in))
"""Choice key -> reader, in reading order: a span read by one is masked for the next."""


# --- choices ------------------------------------------------------------------------------

def range_choice(field: CapacityField, key: str, value: float) -> str | None:
    """The choice of `field` whose `key` range ([low, high)) holds `value`."""
    for choice in field.choices:
        bounds: tuple[float, float] | None = getattr(choice, key)
        if bounds is not None and bounds[0] <= value < bounds[1]:
            return choice.id
    return None


def hours_choice(field: CapacityField, hours: float) -> str | None:
    """The hour bucket of `field` that holds `hours` ([low, high))."""
    return range_choice(field, "hours", hours)


def weekly_hours_in(text: str, kb: KnowledgeBase) -> tuple[float, str] | None:
    """The weekly hours a (normalised) text states first, and the words that said it, if any."""
    found = hours_in(text, kb)
    if not found or found[0].value is None:
        return None
    return found[0].value, text[found[0].start:found[0].end].strip()


def _mask(text: str, spans: list[Quantity]) -> str:
    chars = list(text)
    for q in spans:
        chars[q.start:q.end] = _MASK * (q.end - q.start)
    return "".join(chars)


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


def match_field(field: CapacityField, norm_text: str, original: str | None = None) -> ParsedAnswer | None:
    """The most specific choice of `field` whose patterns match: longest match, then first listed.

    `original` is the unmasked text the evidence is cut from (same length as `norm_text`)."""
    best: tuple[int, Choice, tuple[int, int]] | None = None
    for choice in field.choices:
        span = _longest(choice, norm_text)
        if span is not None and (best is None or span[1] - span[0] > best[0]):
            best = (span[1] - span[0], choice, span)
    if best is None:
        return None
    start, end = best[2]
    return ParsedAnswer(field.id, best[1].id, (original or norm_text)[start:end].strip())


def parse_capacity(kb: KnowledgeBase, text: str) -> dict[str, ParsedAnswer]:
    """Every capacity answer the text gives, keyed by field id."""
    norm = normalise(text)
    masked = norm
    read: dict[str, list[Quantity]] = {}
    for key, reader in READERS:
        read[key] = reader(masked, kb)
        masked = _mask(masked, read[key])
    found: dict[str, ParsedAnswer] = {}
    for field in kb.capacity:
        answer = _read_quantity(field, read, norm)
        if answer is None:
            answer = match_field(field, masked, norm)
        if answer is not None:
            found[field.id] = answer
    return found


def _read_quantity(field: CapacityField, read: dict[str, list[Quantity]], norm: str) -> ParsedAnswer | None:
    for key, _reader in READERS:
        if not any(getattr(c, key) is not None for c in field.choices):
            continue
        for q in read[key]:
            choice = range_choice(field, key, q.value) if q.value is not None else None
            if choice is not None:
                return ParsedAnswer(field.id, choice, norm[q.start:q.end].strip())
    return None
