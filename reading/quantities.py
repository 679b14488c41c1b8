"""Quantities in free text: hours a week, money a month, head counts.

Three generic readers, run on normalised text in this order (a span one of them reads is not
read again by the next): time ("2-3 h", "1h30", "une demi-heure par jour", "une demi-journée
par mois", "a day a week"), head counts ("3 000 abonnés", "1 200 donateurs", "une centaine de
membres", "on doit en avoir 300") and money ("300 $ par mois", "5k par mois", "1500 a month",
"900 € HT par mois", "budget de 800"). Each converts to one unit: hours a week, people, money
a month (with the currency said, so a France client sees euros). A sum with no period in a
sentence about building ("35 000 $ pour bâtir le site") is a build budget (BUILD), not money a
month.

A quantity that is read but is not the client's answer keeps its span with `value=None` and
a reason: a clock time ("de 9 h à 17 h"), a flow ("200 clients par semaine"), a denied amount
("on n'a pas 10 000 abonnés") or
someone else's ("le concurrent a 10 000 abonnés").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from knowledge.models import KnowledgeBase

from .numbers import (
    COMPARE_BELOW,
    DAYS_PER_MONTH,
    JUST_UNDER,
    MONTHS_PER_YEAR,
    PERIOD,
    PERIOD_BEFORE,
    RANGE_SEP,
    WEEKS_PER_MONTH,
    WORKDAYS,
    Numbers,
    grammar,
    period_of,
    period_regex,
    read_number,
)

HOURS, COUNT, AMOUNT, BUILD, DELAY, EVERY = "hours", "count", "amount", "build", "months", "every_days"
"""Kinds of quantity, named after the choice ranges of capacity.yaml they map to."""

_HOUR_UNIT = r"h(?![a-z])|hres?\b|heures?\b|hours?\b|hrs?\b"
_MINUTE_UNIT = r"min(?:ute)?s?\b|mn\b"
_HALF_MORE = r"\s+(?:et|and)\s+(?:demie?|a half)\b"
_DAY_UNITS = {
    # hours in one such stretch of time: a working day, half of one, an evening
    7.0: r"journees?|jours?|days?|full days?",
    3.5: r"demi-journees?|demi journees?|half[- ]days?|avant-midis?|apres-midis?|matinees?|mornings?|afternoons?",
    2.5: r"soirs?|soirees?|evenings?|nights?",
}
_CURRENCY_BEFORE = r"(?P<cb>\$|€|(?:us|ca|c)\$|(?:cad|usd|eur)\b)"
_CURRENCY_AFTER = (r"(?P<ca>\$|€|dollars?\b|euros?\b|piastres?\b|piasses?\b|balles\b|bucks\b|cad\b|usd\b|eur\b)"
                   r"(?:\s*(?:cad|can|us|usd|canadiens?|americains?)\b)?(?:\s*(?:ht|ttc|hors taxes?|plus taxes?)\b)?")
_EURO = ("€", "euro", "eur", "balles")
_BUDGET_CUE = re.compile(r"\bbudget\b(?P<gap>[^.;!?\d]{0,30})$")
"""A number with no currency still counts as money right after the word 'budget' ("budget de
800 par mois"); past a comma, only with a period ("budget serré, environ 150/mois")."""
_ONE_OFF = re.compile(r"\b(?:site|website|site web|boutique|refonte|redesign|lancement|launch|construction|construire"
                      r"|batir|build|projet|project|total|global|initial|de depart|one[- ]?time|one[- ]?off|une fois"
                      r"|upfront|up front|d'un coup|application|app|developpement|development|mise en place"
                      r"|installation|implantation|setup|set-up|set up|configuration|demarrage|start-up cost|appli"
                      r"|subvention|grant)\b")
"""An amount with no period, in a sentence about building or totals, is a one-off build
budget ("un site web, budget de 5000 $"), not a monthly one."""
_CLOCK_BEFORE = re.compile(r"(?:\b(?:vers|des|avant|apres|jusqu'a|at|around|from|until|till)"
                           r"|(?<!\bon )(?<!\bil )(?<!elle )(?<!\bqui )(?<!\bca )(?<!\by )\ba)\s*$")
_WORTH_BEFORE = re.compile(r"\b(?:worth|vaut|valent|rapporte|rapportent|brings in|bring in|revenue|chiffre d'affaires"
                           r"|panier moyen|average (?:order|sale|ticket|basket)|vente moyenne|coute|costs?)"
                           r"(?: \S+){0,3}\s*$")
"""'An opening is worth $350', 'un client rapporte 2 000 $': what a sale brings in, not a budget."""
_WITHIN_BEFORE = re.compile(r"\b(?:sous|dans les|d'ici|en dedans de|within|in under)\s*$")
"""'repond aux demandes sous 48h', 'answers within 24 hours': a response time, not hours of work."""
_CLOCK_RANGE_AFTER = re.compile(r"\s*(?:a|-|to|et|and|au|jusqu'a)\s*\d{1,2}\s*(?:h\b|h\d\d|heures?\b)(?:\s*\d\d)?"
                                r"|\s*(?:/|sur)\s*24\b")
"""Clock times are not durations: "de 9 h à 17 h", "vers 20 h", "24 h sur 24", "à 15 minutes d'ici"."""
_OPENING = re.compile(r"\b(?:ouvre|ouvert|ouverte|ouverts|ouvertes|ouvrons|open|opened|ferme|closed|fermons)\b[^,.;]*$")
_CLOCK_RANGE_NEAR = re.compile(r"\s*(?:,\s*)?(?:de|from|des|entre|between)?\s*[|]+")
""""On ouvre 5 jours par semaine de 9 h à 17 h": opening days (clock times follow, read already)."""
_DENIED = re.compile(r"(?:\bpas|\bjamais|\bnot|\bno|\bnever|n't|\baucune?)(?:\s+[^\s,.;:!?]+){0,2}\s*$")
"""A negation just before a quantity: "on n'a pas 10 000 abonnés", "we don't have 10,000"."""
_OTHERS = re.compile(r"\b(?:concurrents?|competiteurs?|competitors?|competition|rivals?"
                     r"|l'autre (?:boutique|magasin))\b")
"""A sentence about a competitor: its counts and sums are not the client's."""
_COUNT_NOUNS = (r"abonne(?:e)?s?|followers?|subscribers?|clients?|clientes?|customers?|contacts?|courriels?|e-?mails?"
                r"|adresses?|membres?|members?|fans?|likes?|j'aime|inscrits?|lecteurs?|lectrices?|readers?"
                r"|patients?|patientes?|eleves?|etudiants?|students?|visiteurs?|visitors?|visites?|visits?"
                r"|donateurs?|donatrices?|donors?|citoyens?|citoyennes?|citizens?|residents?|habitants?|adherents?"
                r"|participants?|auditeurs?|auditrices?|listeners?|viewers?|spectateurs?|regulars?|habitues?"
                r"|benevoles?|volunteers?|parents?|familles?|families|acheteurs?|buyers?|users?|utilisateurs?"
                r"|personnes(?= (?:qui )?(?:nous )?(?:suivent|lisent|recoivent|ouvrent|sont abonnees)"
                r"| (?:sur|dans) (?:la|notre|leur|ma|sa|nos|leurs) (?:liste|infolettre|fichier))"
                r"|people(?= (?:who )?(?:follow|read|get|open|subscribe)"
                r"| (?:on|in) (?:the|our|their|my|his|her) (?:mailing |email |e-mail )?(?:list|newsletter|database))")
_COUNT_FILLER = r"(?:\s+(?!(?:et|and|ou|or|de|des|du|en|sur|in|on|of|a|par|per)\b)[a-z][a-z'-]*)?"
_LIST_WORDS = r"liste|list|infolettre|newsletter|mailing list|base de donnees|database|fichier"
_ANAPHORA = re.compile(r"\b(?:en (?:a|ai|avons|ont|avoir|compte|comptons|aurait|aurais|rejoint|rejoignons)"
                       r"|we(?:'ve| have| got)|i(?:'ve| have))\b(?:\s+(?:environ|a peu pres|genre|peut-etre|autour de"
                       r"|about|around|maybe|roughly|like))?\s+(?P<low>\d[\d ,.]*\d|\d)\b"
                       r"(?!\s*(?:h\b|heures?|hours?|\$|€|%"
                       r"|k\b|min|ans?\b|years?|mois|months?|jours?|days?|semaines?|weeks?))")
""""On doit en avoir 300", "we have about 300": a bare count that refers back to an audience
named earlier in the text (only read when one is)."""
_FRACTION_WORD = (r"(?:(?P<word>la moitie|un quart|le quart|un tiers|le tiers|a quarter|one quarter|half|a third"
                  r"|one third)|(?P<pct>\d{1,2}) ?%)")
_FRACTION = re.compile(rf"\b{_FRACTION_WORD}(?: (?:de (?:ca|ce temps|ces heures|cela)|of (?:that|it|those hours|this"
                       r"|her time|his time|their time))|(?= (?:la-dessus|pour (?:ca|le contenu|les publications)"
                       r"|on content|to content|for content|to this|on this)))"
                       r"|\ben (?:mettre|consacrer|donner|passer) (?:environ |a peu pres )?"
                       r"(?P<word2>la moitie|le quart|le tiers"
                       r"|un quart|un tiers)")
_FRACTION_BEFORE = re.compile(rf"\b{_FRACTION_WORD} (?:of|de|d') [^.;!?]{{0,30}}$")
""""half of my assistant's 20 hours": the share comes before the hours."""
_FRACTIONS = {"la moitie": 0.5, "half": 0.5, "un quart": 0.25, "le quart": 0.25, "a quarter": 0.25,
              "one quarter": 0.25, "un tiers": 1 / 3, "le tiers": 1 / 3, "a third": 1 / 3, "one third": 1 / 3}
""""20 hours a week, and about a quarter of that could go to content": 5 hours, not 20."""


@dataclass(frozen=True)
class Quantity:
    """A number a generic reader found, converted, and where it was said (normalised text)."""

    kind: str
    """HOURS (a week), COUNT (people), AMOUNT (money a month), BUILD (money spent once, to build),
    DELAY (months until results are needed) or EVERY (days between two changes)."""
    value: float | None
    """None when the span is read but is not the client's answer (see `why`)."""
    start: int
    end: int
    currency: str = ""
    """'$' or '€' for money, when said."""
    why: str = ""
    """Why `value` is None: clock, flow, one_off, value (what a sale is worth), denied, others."""


def quantities(text: str, kb: KnowledgeBase) -> list[Quantity]:
    """Every quantity of a normalised text, each span read once, in reading order."""
    numbers = grammar(kb)
    found: list[Quantity] = []
    masked = text
    for reader in (_hours, _counts, _money, _delays, _periods):
        read = reader(masked, numbers)
        found += read
        masked = _mask(masked, read)
    found = [_judged(text, q) for q in found]
    return sorted(found, key=lambda q: q.start)


def _mask(text: str, spans: list[Quantity]) -> str:
    """Consumed spans become '|': same length, no letters or digits for the next reader."""
    chars = list(text)
    for q in spans:
        chars[q.start:q.end] = "|" * (q.end - q.start)
    return "".join(chars)


def _clause_before(text: str, start: int) -> str:
    """What the clause says before position `start` (up to 40 characters)."""
    before = text[max(0, start - 40):start]
    cut = max(before.rfind(c) for c in ",.;:!?")
    before = before[cut + 1:]
    for word in (" mais ", " but ", " pis ", " sauf que "):
        if word in before:
            before = before[before.rindex(word) + len(word):]
    return before


def _clause_of(text: str, start: int, end: int) -> str:
    """The clause around [start, end): between commas, stops, "mais" and "but"."""
    left = max(text.rfind(c, 0, start) for c in ",.;:!?")
    rights = [i for i in (text.find(c, end) for c in ",.;:!?") if i >= 0]
    clause = text[left + 1:min(rights) if rights else len(text)]
    for word in (" mais ", " but "):
        head = clause[:start - left - 1]
        if word in head:
            clause = clause[head.rindex(word) + len(word):]
    return clause


def _sentence_of(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".;!?")
    rights = [i for i in (text.find(c, end) for c in ".;!?") if i >= 0]
    return text[left + 1:min(rights) if rights else len(text)]


def _judged(text: str, q: Quantity) -> Quantity:
    """A quantity denied, or someone else's, is read but is not the client's answer."""
    if q.value is None:
        return q
    if _DENIED.search(_clause_before(text, q.start)):
        return replace(q, value=None, why="denied")
    if q.kind in (COUNT, AMOUNT) and _OTHERS.search(_clause_of(text, q.start, q.end)):
        return replace(q, value=None, why="others")
    return q


def _amount(match: re.Match[str], words: dict[str, float] | object) -> float:
    low = read_number(match.group("low"), words)  # type: ignore[arg-type]
    high = read_number(match.group("high"), words) if match.groupdict().get("high") else low  # type: ignore[arg-type]
    value = (low + high) / 2
    if match.groupdict().get("below"):
        value *= JUST_UNDER
    return value


# --- time ---------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _hours_regex(number: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?:(?P<below>{COMPARE_BELOW})\s*)?\b(?P<low>{number})(?:\s*(?:{RANGE_SEP})\s*(?P<high>{number}))?"
        rf"(?:\s+(?:an?|une?))?\s*-?\s*(?:(?P<hours>{_HOUR_UNIT})|(?P<minutes>{_MINUTE_UNIT}))"
        rf"(?:\s*(?P<mins>\d\d)\b(?:\s*(?:min|mn)\b)?)?(?P<half>{_HALF_MORE})?"
        rf"(?:\s+(?:ou|or)\s+(?P<alt>{number}))?(?:{PERIOD})?"
    )


@lru_cache(maxsize=8)
def _days_regex(number: str) -> re.Pattern[str]:
    """"une journée par semaine", "half a day a month", "un soir par semaine": the period is required
    (without it, "deux jours" is a deadline, not a commitment)."""
    units = "|".join(f"(?P<u{i}>{unit})" for i, unit in enumerate(_DAY_UNITS.values()))
    return re.compile(
        rf"(?:(?P<below>{COMPARE_BELOW})\s*)?\b(?P<low>{number})(?:\s*(?:{RANGE_SEP})\s*(?P<high>{number}))?"
        rf"(?:\s+(?:an?|une?|de|d'))?\s*(?:{units})\b{period_regex(('week', 'month', 'year'))}"
    )


def _per_week(hours: float, period: str | None) -> float:
    if period == "month":
        return hours / WEEKS_PER_MONTH
    if period == "year":
        return hours / (WEEKS_PER_MONTH * MONTHS_PER_YEAR)
    if period == "day":
        return hours * WORKDAYS
    return hours  # none: a week, as the question asks


def _hours(text: str, numbers: Numbers) -> list[Quantity]:
    out: list[Quantity] = []
    for m in _hours_regex(numbers.regex).finditer(text):
        if out and m.start() < out[-1].end:  # the second half of a clock range already read
            continue
        hours = _amount(m, numbers.words)
        if m.group("minutes"):
            hours /= 60
        if m.group("mins"):
            hours += int(m.group("mins")) / 60
        if m.group("half"):
            hours += 0.5
        if m.group("alt"):  # "une heure ou deux": halfway between, in the same unit
            hours = (hours + read_number(m.group("alt"), numbers.words) / (60 if m.group("minutes") else 1)) / 2
        period = period_of(m)
        clock = _CLOCK_RANGE_AFTER.match(text, m.end())
        if clock:
            out.append(Quantity(HOURS, None, m.start(), clock.end(), why="clock"))
        elif period is None and (_CLOCK_BEFORE.search(text, 0, m.start()) or _WITHIN_BEFORE.search(text, 0, m.start())):
            out.append(Quantity(HOURS, None, m.start(), m.end(), why="clock"))
        else:
            out.append(_shared(text, Quantity(HOURS, _per_week(hours, period), m.start(), m.end())))
    masked = _mask(text, out)
    for m in _days_regex(numbers.regex).finditer(masked):
        if _OPENING.search(text, max(0, m.start() - 25), m.start()) or _CLOCK_RANGE_NEAR.match(masked, m.end()):
            out.append(Quantity(HOURS, None, m.start(), m.end(), why="clock"))  # opening days, not work
            continue
        per_unit = next(h for i, h in enumerate(_DAY_UNITS) if m.group(f"u{i}"))
        value = _per_week(_amount(m, numbers.words) * per_unit, period_of(m))
        out.append(_shared(text, Quantity(HOURS, value, m.start(), m.end())))
    return sorted(out, key=lambda q: q.start)


def _shared(text: str, q: Quantity) -> Quantity:
    """Hours of which only a share goes to the content ("a quarter of that", "la moitié de")."""
    shared = _with_fraction(text, q)
    return shared if shared is not q else _with_fraction_before(text, q)


def _with_fraction(text: str, q: Quantity) -> Quantity:
    """"20 h par semaine, dont le quart pour le contenu": the share of the hours, spanning both."""
    sentence_end = min([i for i in (text.find(c, q.end) for c in ".;!?") if i >= 0] or [len(text)])
    found = _FRACTION.search(text, q.end, sentence_end)
    if found is None or q.value is None:
        return q
    word = found.group("word") or found.group("word2")
    share = int(found.group("pct")) / 100 if found.group("pct") else _FRACTIONS[word]
    return replace(q, value=q.value * share, end=found.end())


def _with_fraction_before(text: str, q: Quantity) -> Quantity:
    found = _FRACTION_BEFORE.search(text, max(0, q.start - 60), q.start)
    if found is None or q.value is None:
        return q
    share = int(found.group("pct")) / 100 if found.group("pct") else _FRACTIONS[found.group("word")]
    return replace(q, value=q.value * share, start=found.start())


# --- head counts --------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _count_regex(number: str, approx: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?:(?P<below>{COMPARE_BELOW})\s*)?\b(?P<low>{number})(?:\s*(?:{RANGE_SEP})\s*(?P<high>{number}))?"
        rf"{_COUNT_FILLER}\s+(?:{_COUNT_NOUNS})\b(?:{PERIOD})?"
        rf"|\b(?P<low3>{approx})\s+(?:de |d')(?:{_COUNT_NOUNS})\b"
        rf"|\b(?:{_LIST_WORDS})\b(?:\s+[^\s,.;!?]+){{0,2}}?\s+(?:de|d'|of|avec|with|a|at|rejoint|reaches)\s*"
        rf"(?:(?P<below2>{COMPARE_BELOW}|plus de|over|more than)\s*)?(?P<low2>{number})"
        r"(?=\s*(?:[,.;!?)]|$|\s+(?:et|and|mais|but|personnes|people|noms|names)\b))"
    )


def _counts(text: str, numbers: Numbers) -> list[Quantity]:
    out: list[Quantity] = []
    for m in _count_regex(numbers.scaled, numbers.approx).finditer(text):
        if m.group("low2") or m.group("low3"):
            value = read_number(m.group("low2") or m.group("low3"), numbers.words)
            below = m.group("below2") or ""
            if below and below not in ("plus de", "over", "more than"):
                value *= JUST_UNDER
            out.append(Quantity(COUNT, value, m.start(), m.end()))
            continue
        if period_of(m) is not None:  # "200 clients par semaine": traffic, not an audience
            out.append(Quantity(COUNT, None, m.start(), m.end(), why="flow"))
        else:
            out.append(Quantity(COUNT, _amount(m, numbers.words), m.start(), m.end()))
    if out or re.search(rf"\b(?:{_COUNT_NOUNS})\b", text):
        masked = _mask(text, out)
        for m in _ANAPHORA.finditer(masked):
            out.append(Quantity(COUNT, read_number(m.group("low"), numbers.words), m.start("low"), m.end("low")))
    return sorted(out, key=lambda q: q.start)


# --- money --------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _money_regex(number: str) -> re.Pattern[str]:
    def one(n: int) -> str:
        cb, ca = _CURRENCY_BEFORE.replace("cb>", f"cb{n}>"), _CURRENCY_AFTER.replace("ca>", f"ca{n}>")
        return rf"(?:{cb}\s*)?(?P<{'low' if n == 1 else 'high'}>{number})(?:\s*{ca})?"
    # a range's second number carries the currency when the first one did after it
    # ("200 $ à 500 $", "200 à 500 $", "$200-500"); otherwise "3000 $ et 2" is no range
    return re.compile(
        rf"(?:(?P<below>{COMPARE_BELOW})\s*)?(?:(?:entre|between)\s+)?{one(1)}"
        rf"(?:\s*(?:{RANGE_SEP})\s*{one(2)}(?(ca1)(?(ca2)|(?!))|))?(?:{PERIOD})?"
    )


def _currency(m: re.Match[str]) -> str:
    said = " ".join(m.group(g) or "" for g in ("cb1", "ca1", "cb2", "ca2"))
    if not said.strip():
        return ""
    return "€" if any(mark in said for mark in _EURO) else "$"


def _money(text: str, numbers: Numbers) -> list[Quantity]:
    out = []
    for m in _money_regex(numbers.scaled).finditer(text):
        currency = _currency(m)
        period = period_of(m)
        before = text[max(0, m.start() - 40):m.start()]
        value = _amount(m, numbers.words)
        k_suffix = bool(re.search(r"\d\s*k\b", m.group("low")))
        cue = _BUDGET_CUE.search(before)
        if not currency and not k_suffix and not (period and value >= 100):
            if cue is None or "," in cue.group("gap") and period is None:
                continue
        if period is None and _WORTH_BEFORE.search(before):
            out.append(Quantity(AMOUNT, None, m.start(), m.end(), currency, why="value"))
            continue
        period = period or next((p for p, said in PERIOD_BEFORE.items() if said.search(before)), None)
        if period is None:
            if _ONE_OFF.search(_sentence_of(text, m.start(), m.end())):
                out.append(Quantity(BUILD, value, m.start(), m.end(), currency))  # spent once, to build
                continue
            period = "month"
        value *= {"month": 1.0, "year": 1 / MONTHS_PER_YEAR, "week": WEEKS_PER_MONTH,
                  "day": float(DAYS_PER_MONTH)}[period]
        out.append(Quantity(AMOUNT, value, m.start(), m.end(), currency))
    return out


# --- delays -------------------------------------------------------------------------------

_MONTHS_IN = {"week": 12 / 52, "month": 1.0, "year": 12.0}
_DELAY_UNITS = {"week": r"semaines?|weeks?", "month": r"mois|months?", "year": r"ans\b|an\b|annees?|years?"}
_FEW = {2.0: r"a couple of|couple of|une couple de", 3.0: r"quelques|a few|few|plusieurs|several"}
_PAST = re.compile(r"\b(?:depuis|il y a|ago|for the past|over the past|the last|les derniers|dernieres?|passees?"
                   r"|double|triple|grandi|grew|doubled|tripled|went from|since)\b")
"""A delay in a clause about the past ("on a doublé en deux ans") is history, not the horizon."""


def _how_many(number: str, units: dict[str, str]) -> tuple[str, str]:
    """Regex parts shared by the delay and period readers: "a few" / "une couple de" / a number
    or a range (groups ``f0``.., ``low``, ``high``), and the units (one group per unit key)."""
    few = "|".join(f"(?P<f{i}>{words})" for i, words in enumerate(_FEW.values()))
    count = rf"(?:{few}|(?P<low>{number})(?:\s*(?:{RANGE_SEP})\s*(?P<high>{number}))?)"
    return count, "|".join(f"(?P<{key}>{unit})" for key, unit in units.items())


def _few_or_amount(m: re.Match[str], groups: dict[str, str], numbers: Numbers) -> float | None:
    """The count a ``_how_many`` match says: "a few" is 3, "a couple" 2, a range its middle;
    None when neither part matched (a reader's own alternative did)."""
    few = next((n for i, n in enumerate(_FEW) if f"f{i}" in groups), None)
    if few is not None:
        return few
    return _amount(m, numbers.words) if "low" in groups else None


@lru_cache(maxsize=8)
def _delay_regex(number: str) -> re.Pattern[str]:
    """"d'ici six mois", "dans un an", "within 3 months", "over the next two years", "les six
    prochains mois": a preposition of time, a number (or "quelques", "a few") and a unit."""
    count, units = _how_many(number, _DELAY_UNITS)
    return re.compile(
        rf"\b(?:d'ici(?: a)?|dans|en|sous|avant|sur|within|in|over|inside of|by)\s+"
        rf"(?:(?:les|the)\s+)?(?:(?:prochaine?s?|next)\s+)?"
        rf"{count}\s+(?:(?:prochaine?s?)\s+)?(?:{units})"
        rf"|\b(?:les|the)\s+(?:(?P<low2>{number})\s+prochaine?s?\s+(?:{units.replace('?P<', '?P<n_')})"
        rf"|next\s+(?P<low3>{number})\s+(?:{units.replace('?P<', '?P<x_')}))"
    )


def _delays(text: str, numbers: Numbers) -> list[Quantity]:
    """Months until results are needed, for the horizon question."""
    out = []
    for m in _delay_regex(numbers.regex).finditer(text):
        groups = {k: v for k, v in m.groupdict().items() if v}
        unit = next(u for u in _MONTHS_IN if u in groups or f"n_{u}" in groups or f"x_{u}" in groups)
        count = _few_or_amount(m, groups, numbers)
        if count is None:
            count = read_number(groups.get("low2") or groups["low3"], numbers.words)
        past = _PAST.search(_clause_of(text, m.start(), m.end()))
        value = None if past else count * _MONTHS_IN[unit]
        out.append(Quantity(DELAY, value, m.start(), m.end(), why="past" if past else ""))
    return out


_DAYS_IN = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
_PERIOD_UNITS = {"day": r"jours?|days?", "week": r"semaines?|weeks?", "month": r"mois|months?",
                 "year": r"ans\b|annees?|years?"}
_CADENCE = re.compile(r"\b(?:publi\w*|post\w*|envoi\w*|envoy\w*|send\w*|sent|ecri\w*|writ\w*|blogu\w*|film\w*"
                      r"|tourn\w*|shoot\w*|infolettres?|newsletters?|courriels?|e-?mails?|videos?|episodes?"
                      r"|billets?|articles?|capsules?)\b")
"""A period in a clause about producing content ("on publie aux deux semaines") is a cadence,
not how often the client's information changes."""


@lru_cache(maxsize=8)
def _period_regex(number: str) -> re.Pattern[str]:
    """"toutes les six semaines", "aux trois mois", "tous les 15 jours", "every other week",
    "every 2-3 months", "every couple of weeks": a number (or "a few") of units between two
    occurrences. Without a number ("chaque semaine") the field's model reads it."""
    count, units = _how_many(number, _PERIOD_UNITS)
    return re.compile(rf"\b(?:(?:a )?(?:toutes les|tous les)|aux|every)\s+(?:(?P<other>other)|{count})\s+(?:{units})")


def _periods(text: str, numbers: Numbers) -> list[Quantity]:
    """Days between two changes, for the change-frequency question."""
    out = []
    for m in _period_regex(numbers.regex).finditer(text):
        groups = {k: v for k, v in m.groupdict().items() if v}
        unit = next(u for u in _DAYS_IN if u in groups)
        count = 2.0 if "other" in groups else _few_or_amount(m, groups, numbers) or 0.0
        cadence = _CADENCE.search(_clause_of(text, m.start(), m.end()))
        value = None if cadence or count <= 0 else count * _DAYS_IN[unit]
        out.append(Quantity(EVERY, value, m.start(), m.end(), why="cadence" if cadence else ""))
    return out
