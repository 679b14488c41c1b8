"""Schema of capacity.yaml: the content-capacity questions, their choices and patterns.

Besides types, it checks what makes the capacity score and the free-text parser sound:
unique field and choice ids, a `cautious` choice that exists, scores in [0, 1], weights that
add up to 100, patterns that compile and can match normalised (accent-free) text, and
`hours` / `amount` / `count` ranges that are [low, high) and do not overlap within a field.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from .models import FIELD_KINDS, LANGS, CapacityField, Choice, Contradiction, Implied
from .reader import Doc, join
from .schema import get, parse_when
from .text import strip_accents

FIELD_KEYS = ("id", "weight", "question", "why", "cautious", "choices")
FIELD_OPTIONAL = ("kind", "implied")
WEIGHT_TOTAL = 100.0


def parse_capacity(doc: Doc, raw: Any) -> tuple[tuple[CapacityField, ...], dict[str, dict[str, float]],
                                                tuple[Contradiction, ...]]:
    """The capacity fields in asking order, the spelled-out number words per language, and the
    pairs of answers that contradict each other."""
    data = doc.mapping(raw, "", ("number_words", "fields"), ("contradictions",))
    number_words = get(data, "", "number_words", _number_words, doc) or {}
    items = get(data, "", "fields", doc.seq, 1, "fields")
    fields: list[CapacityField] = []
    seen: set[str] = set()
    for i, item in enumerate(items or ()):
        field = _field(doc, item, f"fields[{i}]")
        if field is None:
            continue
        if field.id in seen:
            doc.error(f"fields[{i}].id", f"duplicate capacity field id '{field.id}'")
            continue
        seen.add(field.id)
        fields.append(field)
    if items is not None and len(fields) == len(items):
        total = sum(f.weight for f in fields if f.kind == "capacity")
        if abs(total - WEIGHT_TOTAL) > 1e-6:
            doc.error("fields", f"weights of the capacity fields add up to {total:g}, not {WEIGHT_TOTAL:g}")
        # only when every field parsed: a broken field would make each mention of it "unknown"
        check_implied(doc, list(enumerate(fields)), fields)
    contradictions = _contradictions(doc, data.get("contradictions") if data else None, fields) \
        if data is not None and "contradictions" in data else ()
    return tuple(fields), number_words, contradictions


def check_implied(doc: Doc, checked: Any, fields: Any) -> None:
    """Each implied value's `when` (of the `(index, field)` pairs checked) names another known
    field and its choices."""
    by_id = {f.id: f for f in fields}
    for i, f in checked:
        for j, implied in enumerate(f.implied):
            for name, choices in implied.when.items():
                at = f"fields[{i}].implied[{j}].when.{name}"
                if name not in by_id or name == f.id:
                    doc.error(at, f"unknown field '{name}' (an implied value depends on another known field)")
                    continue
                known = {c.id for c in by_id[name].choices}
                for k, choice in enumerate(choices):
                    if choice not in known:
                        doc.error(f"{at}[{k}]",
                                  f"unknown choice '{choice}' for {name} (known: {', '.join(sorted(known))})")


def _contradictions(doc: Doc, raw: Any, fields: list[CapacityField]) -> tuple[Contradiction, ...]:
    """Each `{when: {field: [choices], field: [choices]}, why: {fr, en}}`: two known fields and choices."""
    items = doc.seq(raw, "contradictions")
    by_id = {f.id: f for f in fields}
    out = []
    for i, item in enumerate(items or ()):
        path = f"contradictions[{i}]"
        entry = doc.mapping(item, path, ("when", "why"))
        why = get(entry, path, "why", doc.text)
        when: dict[str, tuple[str, ...]] = {}
        for key, value in (get(entry, path, "when", doc.dict_of) or {}).items():
            at = join(join(path, "when"), key)
            choices = doc.strings(value, at, 1, "choices", ids=True)
            if key not in by_id:
                doc.error(at, f"unknown capacity field '{key}'")
            elif choices is not None:
                bad = [c for c in choices if c not in {ch.id for ch in by_id[key].choices}]
                if bad:
                    doc.error(at, f"not a choice of '{key}': {', '.join(bad)}")
                else:
                    when[str(key)] = choices
        if entry is not None and "when" in entry and len(entry["when"] or {}) != 2:
            doc.error(join(path, "when"), "a contradiction names exactly two fields")
        elif len(when) == 2 and why is not None:
            out.append(Contradiction(when, why))
    return tuple(out)


def _number_words(raw: Any, path: str, doc: Doc) -> dict[str, dict[str, float]] | None:
    data = doc.mapping(raw, path, LANGS)
    if data is None:
        return None
    out: dict[str, dict[str, float]] = {}
    for lang in LANGS:
        words: dict[Any, Any] = get(data, path, lang, doc.dict_of) or {}
        out[lang] = {}
        for word, value in words.items():
            number = doc.number(value, join(join(path, lang), word))
            if number is not None:
                out[lang][str(word)] = number
    return out


def _field(doc: Doc, raw: Any, path: str) -> CapacityField | None:
    data = doc.mapping(raw, path, FIELD_KEYS, FIELD_OPTIONAL)
    if data is None:
        return None
    field_id = get(data, path, "id", doc.ident)
    kind = get(data, path, "kind", doc.choice, FIELD_KINDS, "field kind") if "kind" in data else "capacity"
    weight = get(data, path, "weight", doc.number)
    if weight is not None and weight < 0:
        doc.error(join(path, "weight"), f"weight cannot be negative: {weight:g}")
    question, why = get(data, path, "question", doc.text), get(data, path, "why", doc.text)
    cautious = get(data, path, "cautious", doc.ident)
    items = get(data, path, "choices", doc.seq, 2, "choices")
    choices: list[Choice] = []
    for i, item in enumerate(items or ()):
        at = f"{path}.choices[{i}]"
        choice = _choice(doc, item, at)
        if choice is not None and any(c.id == choice.id for c in choices):
            doc.error(join(at, "id"), f"duplicate choice id '{choice.id}'")
        elif choice is not None:
            choices.append(choice)
    if items is None or len(choices) != len(items) or not _check_ranges(doc, path, choices):
        return None
    if cautious is not None and cautious not in {c.id for c in choices}:
        doc.error(join(path, "cautious"), f"cautious choice '{cautious}' is not one of this field's choices "
                  f"({', '.join(c.id for c in choices)})")
        return None
    implied = _implied(doc, data.get("implied"), join(path, "implied"), {c.id for c in choices})
    if None in (field_id, weight, question, why, cautious, implied):
        return None
    if kind != "capacity" and weight:
        doc.error(join(path, "weight"), f"a {kind} field does not count in the capacity score: its weight is 0")
    return CapacityField(id=field_id, weight=weight, question=question, why=why,  # type: ignore[arg-type]
                         cautious=cautious, choices=tuple(choices), kind=kind or "capacity",  # type: ignore[arg-type]
                         implied=implied or ())


def _implied(doc: Doc, raw: Any, path: str, choice_ids: set[str]) -> tuple[Implied, ...] | None:
    """`implied: [{when: {field: [choices]}, value: choice}]`; the `when` fields and their
    choices are checked against the other fields once every file is read (`check_implied`)."""
    if raw is None:
        return ()
    items = doc.seq(raw, path, 1, "implied values")
    if items is None:
        return None
    out: list[Implied] = []
    for i, item in enumerate(items):
        at = f"{path}[{i}]"
        data = doc.mapping(item, at, ("when", "value"), ())
        if data is None:
            return None
        value = get(data, at, "value", doc.ident)
        if value is not None and value not in choice_ids:
            doc.error(join(at, "value"), f"implied choice '{value}' is not one of this field's choices "
                      f"({', '.join(sorted(choice_ids))})")
            return None
        when = get(data, at, "when", parse_when, doc)
        if when == {}:
            doc.error(join(at, "when"), "an implied value names at least one condition")
        if value is None or not when:
            return None
        out.append(Implied(when=when, value=value))
    return tuple(out)


RANGE_KEYS = ("hours", "amount", "count", "build", "months", "every_days")
"""Optional [low, high) ranges of a choice, read by the parser's generic number readers:
weekly hours, money a month, audience size, money to build, months until results, days
between two changes."""


def _choice(doc: Doc, raw: Any, path: str) -> Choice | None:
    data = doc.mapping(raw, path, ("id", "score", "label"), ("patterns",) + RANGE_KEYS)
    if data is None:
        return None
    choice_id = get(data, path, "id", doc.ident)
    score = get(data, path, "score", doc.number)
    if score is not None and not 0.0 <= score <= 1.0:
        doc.error(join(path, "score"), f"score {score:g} is outside [0, 1]")
        score = None
    label = get(data, path, "label", doc.text)
    patterns = get(data, path, "patterns", _patterns, doc) if "patterns" in data else {}
    ranges: dict[str, tuple[float, float] | None] = {}
    ok = True
    for key in RANGE_KEYS:
        if key not in data:
            continue
        bounds = get(data, path, key, doc.hours)
        if bounds is not None and not isinstance(bounds, tuple):
            doc.error(join(path, key), f"{key} of a choice is a [low, high) range")
            bounds = None
        elif bounds is not None and bounds[0] == bounds[1]:
            doc.error(join(path, key), f"{key} range [{bounds[0]:g}, {bounds[1]:g}) is empty")
            bounds = None
        ok = ok and bounds is not None
        ranges[key] = bounds
    if None in (choice_id, score, label, patterns) or not ok:
        return None
    return Choice(id=choice_id, score=score, label=label, patterns=patterns, **ranges)  # type: ignore[arg-type]


def _check_ranges(doc: Doc, path: str, choices: list[Choice]) -> bool:
    """The ranges of one key, across a field's choices, must not overlap: a number maps to one choice."""
    ok = True
    index = {c.id: i for i, c in enumerate(choices)}
    for key in RANGE_KEYS:
        ranged = sorted((c for c in choices if getattr(c, key) is not None), key=lambda c: getattr(c, key))
        for prev, cur in pairwise(ranged):
            (p_low, p_high), (c_low, c_high) = getattr(prev, key), getattr(cur, key)
            if c_low < p_high:
                doc.error(join(f"{path}.choices[{index[cur.id]}]", key),
                          f"{key} range [{c_low:g}, {c_high:g}) overlaps '{prev.id}' [{p_low:g}, {p_high:g})")
                ok = False
    return ok


def _patterns(raw: Any, path: str, doc: Doc) -> dict[str, tuple[str, ...]] | None:
    """Regexes per language; each must compile and contain no accent (text is normalised first)."""
    data = doc.mapping(raw, path, LANGS)
    if data is None:
        return None
    out: dict[str, tuple[str, ...]] = {}
    ok = True
    for lang in LANGS:
        items = get(data, path, lang, doc.strings)
        if items is None:
            ok = False
            continue
        for i, pattern in enumerate(items):
            at = f"{join(path, lang)}[{i}]"
            try:
                re.compile(pattern)
            except re.error as exc:
                doc.error(at, f"regex {pattern!r} does not compile: {exc}")
                ok = False
                continue
            if strip_accents(pattern) != pattern:
                doc.error(at, f"regex {pattern!r} has accents, but it is matched on normalised text "
                          f"(accents removed): write {strip_accents(pattern)!r}")
                ok = False
        out[lang] = items
    return out if ok else None
