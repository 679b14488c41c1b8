"""The free-text reader: a client's words in, capacity answers with their evidence out.

    reader = load_reader(kb)
    reader.read("on est deux associés, mettons une heure par semaine").answers
    # {"producer": Reading(choice="owner", evidence="on est deux associés", ...),
    #  "weekly_hours": Reading(choice="h1", evidence="une heure par semaine", ...)}

How (see docs/READING.md): quantities first (their value decides the hours, money and audience
fields, through the choices' ranges), then each clause through each field's model. Given the
field of the question being answered (`pending`), that field is read in answer mode: "aucun"
answers the budget question, a bare "500" is money, and a dodge ("on verra") comes back in
`unsure`, which the conversation takes as "I don't know".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from knowledge.models import READING_UNSURE, CapacityField, KnowledgeBase
from knowledge.text import normalise

from .clauses import clauses, sentences
from .features import mask_quantities
from .embed import Embedder
from .model import ReaderModel, decide
from .numbers import grammar, read_number
from .patterns import match_field
from .quantities import AMOUNT, BUILD, COUNT, DELAY, EVERY, HOURS, Quantity, quantities
from .textmap import normalise_with_map, original_span

RANGE_OF = {HOURS: "hours", COUNT: "count", AMOUNT: "amount", BUILD: "build", DELAY: "months", EVERY: "every_days"}
NOT_THIS_ANSWER = {AMOUNT: BUILD}
"""A clause whose sum is a build budget says nothing about the budget a month."""
SHORT_ANSWER_WORDS = 2
""""moi", "personne", "aucun": a short answer to a question answers that question only (the same
words would answer "who writes" and "who answers requests" alike); with no question pending,
such a fragment says which field it answers no more than which choice, so only its quantities
are read ("5 heures" is hours wherever it is said)."""
"""Quantity kind -> the Choice attribute holding its [low, high) ranges."""
_BARE = re.compile(r"^(?:environ|about|around|genre|mettons|maybe|peut-etre|~|a peu pres|approx\w*)?\s*(?P<n>.+?)"
                   r"\s*(?:\$|€|h|heures?|hours?|max|tops|maximum)?$")


@dataclass(frozen=True)
class Reading:
    """One field read from text: the choice, how sure, and the client's own words."""

    field: str
    choice: str
    confidence: float
    evidence: str
    source: str
    """quantity | model | pattern | number"""
    currency: str = ""


@dataclass(frozen=True)
class Readings:
    answers: Mapping[str, Reading] = field(default_factory=dict)
    unsure: Mapping[str, Reading] = field(default_factory=dict)
    """Fields the client dodged ("on verra") when answering their question."""
    currency: str = ""
    """'€' or '$' when an amount said it."""

    def choices(self) -> dict[str, str]:
        return {f: r.choice for f, r in self.answers.items()}


def range_choice(field_: CapacityField, key: str, value: float) -> str | None:
    """The choice of `field_` whose `key` range ([low, high)) holds `value`."""
    for choice in field_.choices:
        bounds: tuple[float, float] | None = getattr(choice, key)
        if bounds is not None and bounds[0] <= value < bounds[1]:
            return choice.id
    return None


def _ranged_kind(field_: CapacityField) -> str | None:
    for kind, key in RANGE_OF.items():
        if any(getattr(c, key) is not None for c in field_.choices):
            return kind
    return None


class CapacityReader:
    """Reads capacity answers out of free text for one knowledge base (see module docstring)."""

    def __init__(self, kb: KnowledgeBase, model: ReaderModel | None, embedder: Embedder | None = None) -> None:
        self.kb = kb
        self.model = model
        self.embedder = embedder

    def read(self, text: str, pending: str | None = None, request: bool = False) -> Readings:
        """What `text` answers; `pending`: the field whose question it answers; `request`: the
        text is the client's request (only then are `request` fields, such as an asked cadence,
        read)."""
        text = text or ""
        norm, origin = normalise_with_map(text)
        if not any(ch.isalnum() for ch in norm):
            return Readings()
        found = quantities(norm, self.kb)
        candidates: dict[str, list[tuple[int, Reading]]] = {}
        unsure: dict[str, Reading] = {}
        self._from_quantities(text, norm, origin, found, candidates)
        if pending is not None:
            self._bare_number(norm, pending, text, candidates)
        spans = self._clause_spans(text, origin, asked=pending is not None)
        short = len(norm.split()) <= SHORT_ANSWER_WORDS
        if not short or pending is not None:
            self._from_models(spans, norm, found, pending, candidates, unsure, pending if short else None,
                              (text, origin))
        self._drop_ambiguous_fragments(candidates, spans, pending)
        answers = {f: self._best(f, items) for f, items in candidates.items()}
        for field_id in list(unsure):
            if field_id in answers:
                del unsure[field_id]
        if not request:
            for field_ in self.kb.situation:
                if field_.kind == "request":
                    answers.pop(field_.id, None)
        currency = next((q.currency for q in found if q.currency), "")
        order = {f.id: i for i, f in enumerate(self.kb.fields())}
        return Readings(dict(sorted(answers.items(), key=lambda kv: order.get(kv[0], 99))), unsure, currency)

    # --- sources ------------------------------------------------------------------------

    def _from_quantities(self, text: str, norm: str, origin: list[int], found: list[Quantity],
                         out: dict[str, list[tuple[int, Reading]]]) -> None:
        for q in found:
            if q.value is None:
                continue
            for field_ in self.kb.fields():
                if _ranged_kind(field_) != q.kind:
                    continue
                choice = range_choice(field_, RANGE_OF[q.kind], q.value)
                if choice is not None:
                    evidence = original_span(text, origin, q.start, q.end)
                    reading = Reading(field_.id, choice, 1.0, evidence, "quantity", q.currency)
                    out.setdefault(field_.id, []).append((q.start, reading))

    def _bare_number(self, norm: str, pending: str, text: str, out: dict[str, list[tuple[int, Reading]]]) -> None:
        """"3" to the hours question is 3 hours; "500" to the budget question is 500 a month."""
        field_ = self._field(pending)
        kind = _ranged_kind(field_) if field_ else None
        m = _BARE.match(norm)
        if field_ is None or kind in (None, EVERY) or m is None or pending in out:
            return  # a bare "3" to "how often does it change?" says no unit: three what?
        numbers = grammar(self.kb)
        token = m.group("n").strip()
        if not re.fullmatch(numbers.regex, token):
            return
        value = read_number(token, numbers.words)
        choice = range_choice(field_, RANGE_OF[kind], value)
        if choice is not None:
            out.setdefault(pending, []).append((0, Reading(pending, choice, 1.0, text.strip(), "number")))

    def _clause_spans(self, text: str, origin: list[int], asked: bool = False) -> list[tuple[int, int, str]]:
        """Each clause, and each sentence of several clauses, as (start, end) in normalised text
        with the client's words. Both views: a clause is read without its neighbours' noise, a
        sentence with their context ("We just hired a part-time employee, 20 hours a week")."""
        views = clauses(text)
        seen = {(c.start, c.end) for c in views}
        for extra in sentences(text):
            if (extra.start, extra.end) not in seen and extra.text:
                seen.add((extra.start, extra.end))
                views.append(extra)
        spans = []
        for piece in views:
            if piece.question and not asked:
                continue  # "Si elle écrit bien?" asks; the answer is in what follows
            idx = [i for i, o in enumerate(origin) if piece.start <= o < piece.end]
            if idx:
                spans.append((idx[0], idx[-1] + 1, piece.text))
        return spans

    def _from_models(self, spans: list[tuple[int, int, str]], norm: str, found: list[Quantity], pending: str | None,
                     out: dict[str, list[tuple[int, Reading]]], unsure: dict[str, Reading],
                     only: str | None = None, source: tuple[str, list[int]] | None = None) -> None:
        modelled = set(self.model.fields) if self.model else set()
        clause_texts = []
        for a, b, _ in spans:
            inside = [Quantity(q.kind, q.value, q.start - a, q.end - a, q.currency, q.why)
                      for q in found if a <= q.start and q.end <= b]
            clause_texts.append(mask_quantities(norm[a:b], inside))
        if self.model and clause_texts:
            X = self.model.space.matrix(clause_texts, [words for _, _, words in spans], self.embedder)
            routes = self.model.route(X)
            for field_id, fm in self.model.fields.items():
                if only is not None and field_id != only:
                    continue
                kind = _ranged_kind(self.kb.field(field_id))
                choices = tuple(c.id for c in self.kb.field(field_id).choices)
                answer = field_id == pending
                rows = fm.choice.probabilities(X)
                route = routes.get(field_id, np.zeros(len(spans)))
                threshold = fm.answer_threshold if answer else fm.threshold
                needed = fm.answer_route_threshold if answer else fm.route_threshold
                for (a, b, words), routed, row in zip(spans, route, rows, strict=True):
                    if kind is not None and any(a <= q.start < b and (q.kind == kind and q.value is None
                                                                     or q.kind == NOT_THIS_ANSWER.get(kind))
                                                for q in found):
                        continue  # "35 000 $ pour bâtir le site": the amount said is not this answer
                    label, p = decide(float(routed), row, fm.classes, choices, threshold, needed, answer)
                    if label == READING_UNSURE:
                        unsure.setdefault(field_id, Reading(field_id, label, p, words, "model"))
                    elif label is not None:
                        out.setdefault(field_id, []).append((a, Reading(field_id, label, p, words, "model")))
        for field_ in self.kb.fields():
            if field_.id in modelled or not any(c.patterns for c in field_.choices):
                continue
            # situation words are read whole ("800 €" says France); capacity patterns skip what
            # the number readers read ("10 heures par mois" says nothing of how often things change)
            hit = match_field(field_, norm if field_.kind != "capacity" else _masked_for_patterns(norm, found))
            if hit is not None:
                choice, start, end = hit
                # the client's own words (accents and case kept), as the brief quotes them
                words = original_span(source[0], source[1], start, end) if source else norm[start:end]
                reading = Reading(field_.id, choice, 1.0, words, "pattern")
                out.setdefault(field_.id, []).append((start, reading))

    # --- choosing -------------------------------------------------------------------------

    @staticmethod
    def _drop_ambiguous_fragments(candidates: dict[str, list[tuple[int, Reading]]], spans: list[tuple[int, int, str]],
                                  pending: str | None) -> None:
        """A fragment of one or two words read for several fields in free text ("Personne." for who
        writes and who answers) says which field no more than a bare "aucun": read for none."""
        short = {a for a, _b, words in spans if len(words.split()) <= SHORT_ANSWER_WORDS}
        for start in short:
            fields = [f for f, items in candidates.items() if f != pending
                      and any(at == start and r.source == "model" for at, r in items)]
            if len(fields) > 1:
                for f in fields:
                    candidates[f] = [(at, r) for at, r in candidates[f] if not (at == start and r.source == "model")]
        for f in [f for f, items in candidates.items() if not items]:
            del candidates[f]

    def _best(self, field_id: str, items: list[tuple[int, Reading]]) -> Reading:
        """Quantities beat models; the largest audience counts; otherwise the last said wins
        ("une heure... non, deux heures"), and among model readings the surest."""
        quantity = [r for _, r in items if r.source in ("quantity", "number")]
        if quantity:
            field_ = self._field(field_id)
            if field_ is not None and _ranged_kind(field_) == COUNT:
                order = [c.id for c in field_.choices]
                return max(quantity, key=lambda r: order.index(r.choice))
            return quantity[-1]
        return max((r for _, r in items), key=lambda r: r.confidence)

    def _field(self, field_id: str) -> CapacityField | None:
        return next((f for f in self.kb.fields() if f.id == field_id), None)


def _masked_for_patterns(norm: str, found: list[Quantity]) -> str:
    """Quantity spans blanked (same length, no letters) so a pattern cannot read them again."""
    chars = list(norm)
    for q in found:
        chars[q.start:q.end] = "|" * (q.end - q.start)
    return "".join(chars)


def normalised(text: str) -> str:
    return normalise(text)
