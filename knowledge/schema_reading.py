"""Schema of knowledge/reading/<field>.<lang>.yaml: labelled clauses for the free-text reader.

Each file holds one field's examples in one language: a mapping from a choice id (or
`unsure`, or `nothing`) to clauses, each a string or `{text, also}` where `also` gives the
clause's answers to other fields. The checks that need capacity.yaml (the field, its choices,
the `also` fields) run in `check_reading` once both are parsed, so every fault names this
file, its line and its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .models import LANGS, READING_SPECIAL, CapacityField, ReadingExample
from .reader import Doc, join
from .schema import get
from .text import normalise

MIN_PER_CHOICE = 30
"""Examples required per choice and language: the issue that asked for the reader set it, and
fewer leave the cross-validated threshold resting on a handful of clauses."""
MIN_NOTHING = 20
"""`nothing` examples required per file: the traps that share words with the field."""


@dataclass
class ReadingFile:
    """One parsed reading file, with the Doc to blame."""

    doc: Doc
    field: str | None
    lang: str | None
    examples: list[tuple[str, ReadingExample]]
    """(dotted path, example) in file order."""


MIXED = "mixed"
"""`mixed.<lang>.yaml`: answers of several clauses, each labelled with every field it answers."""


def parse_mixed(doc: Doc, raw: Any, name: str) -> ReadingFile:
    """A mixed file: `lang`, and `examples`, each `{text, labels: {field: choice}}`. Each example
    is kept under its first labelled field, the others in `also` (fields not named: nothing)."""
    data = doc.mapping(raw, "", ("lang", "examples"))
    lang = get(data, "", "lang", doc.choice, LANGS, "language")
    stem = name.rsplit("/", 1)[-1].removesuffix(".yaml")
    if lang is not None and stem != f"{MIXED}.{lang}":
        doc.error("", f"a mixed reading file is named mixed.<lang>.yaml: expected mixed.{lang}.yaml")
    examples: list[tuple[str, ReadingExample]] = []
    for i, item in enumerate(get(data, "", "examples", doc.seq) or ()):
        at = f"examples[{i}]"
        entry = doc.mapping(item, at, ("text", "labels"))
        text = get(entry, at, "text", doc.string)
        labels: dict[str, str] = {}
        for key, value in (get(entry, at, "labels", doc.dict_of) or {}).items():
            choice = doc.ident(value, join(join(at, "labels"), key))
            if choice is not None:
                labels[str(key)] = choice
        if text is None or not labels:
            if text is not None:
                doc.error(join(at, "labels"), "a mixed example names at least one field it answers")
            continue
        first, *rest = labels.items()
        examples.append((at, ReadingExample(text, lang or "fr", first[1], dict(rest), first[0])))
    return ReadingFile(doc, MIXED, lang, examples)


def parse_reading(doc: Doc, raw: Any, name: str) -> ReadingFile:
    """`name` is the file name (`producer.fr.yaml`): it must agree with `field` and `lang`."""
    if name.rsplit("/", 1)[-1].startswith(MIXED + "."):
        return parse_mixed(doc, raw, name)
    data = doc.mapping(raw, "", ("field", "lang", "examples"))
    field_id = get(data, "", "field", doc.ident)
    lang = get(data, "", "lang", doc.choice, LANGS, "language")
    stem = name.rsplit("/", 1)[-1].removesuffix(".yaml")
    expected = f"{field_id}.{lang}"
    if field_id is not None and lang is not None and stem != expected:
        doc.error("", f"a reading file is named <field>.<lang>.yaml: expected {expected}.yaml, not {stem}.yaml")
    groups: dict[Any, Any] = get(data, "", "examples", doc.dict_of) or {}
    examples: list[tuple[str, ReadingExample]] = []
    for label, items in groups.items():
        path = join("examples", label)
        seq = doc.seq(items, path)
        for i, item in enumerate(seq or ()):
            at = f"{path}[{i}]"
            example = _example(doc, item, at, str(label), lang or "fr")
            if example is not None:
                examples.append((at, example))
    return ReadingFile(doc, field_id, lang, examples)


def _example(doc: Doc, item: Any, path: str, label: str, lang: str) -> ReadingExample | None:
    if isinstance(item, str):
        text = doc.string(item, path)
        return ReadingExample(text, lang, label) if text is not None else None
    entry = doc.mapping(item, path, ("text",), ("also",))
    if entry is None:
        return None
    text = get(entry, path, "text", doc.string)
    also: dict[str, str] = {}
    for key, value in (get(entry, path, "also", doc.dict_of) or {}).items():
        choice = doc.ident(value, join(join(path, "also"), key))
        if choice is not None:
            also[str(key)] = choice
    return ReadingExample(text, lang, label, also) if text is not None else None


def check_reading(files: list[ReadingFile], fields: tuple[CapacityField, ...]) -> dict[str, tuple[ReadingExample, ...]]:
    """Cross-check the reading files against capacity.yaml; the valid examples per field."""
    by_id: Mapping[str, CapacityField] = {f.id: f for f in fields}
    out: dict[str, list[ReadingExample]] = {}
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for file in files:
        doc = file.doc
        if file.field is None or file.lang is None:
            continue
        if file.field == MIXED:
            _check_mixed(file, by_id, seen, out)
            continue
        field = by_id.get(file.field)
        if field is None:
            doc.error("field", f"unknown capacity field '{file.field}' (capacity.yaml has: {', '.join(by_id)})")
            continue
        allowed = tuple(c.id for c in field.choices) + READING_SPECIAL
        counts: dict[str, int] = {}
        for path, example in file.examples:
            if example.label not in allowed:
                doc.error(path.rsplit("[", 1)[0], f"'{example.label}' is not a choice of '{field.id}' "
                          f"(expected one of: {', '.join(allowed)})")
                continue
            if not _check_also(doc, path, example, by_id, field.id):
                continue
            key = (field.id, normalise(example.text))
            if key in seen and seen[key][0] != example.label:
                doc.error(path, f"the same clause is labelled '{seen[key][0]}' in {seen[key][1]} "
                          f"and '{example.label}' here")
                continue
            seen[key] = (example.label, doc.file)
            counts[example.label] = counts.get(example.label, 0) + 1
            out.setdefault(field.id, []).append(example)
        for choice in allowed:
            need = MIN_NOTHING if choice == "nothing" else MIN_PER_CHOICE if choice not in READING_SPECIAL else 0
            if counts.get(choice, 0) < need:
                doc.error(join("examples", choice), f"too few examples for '{choice}' in {file.lang}: "
                          f"{counts.get(choice, 0)}, at least {need} needed")
    return {field_id: tuple(items) for field_id, items in out.items()}


def _check_mixed(file: ReadingFile, fields: Mapping[str, CapacityField], seen: dict[tuple[str, str], tuple[str, str]],
                 out: dict[str, list[ReadingExample]]) -> None:
    for path, example in file.examples:
        labels = {example.field: example.label, **example.also}
        ok = True
        for field_id, choice in labels.items():
            at = join(join(path, "labels"), field_id)
            if field_id not in fields:
                file.doc.error(at, f"unknown capacity field '{field_id}'")
                ok = False
            elif choice not in {c.id for c in fields[field_id].choices} | set(READING_SPECIAL):
                file.doc.error(at, f"'{choice}' is not a choice of '{field_id}' (nor unsure or nothing)")
                ok = False
        if ok:
            out.setdefault(example.field, []).append(example)


def _check_also(doc: Doc, path: str, example: ReadingExample, fields: Mapping[str, CapacityField],
                own: str) -> bool:
    ok = True
    for other, choice in example.also.items():
        at = join(join(path, "also"), other)
        if other == own:
            doc.error(at, f"'also' names the file's own field '{own}': the label already says it")
            ok = False
        elif other not in fields:
            doc.error(at, f"unknown capacity field '{other}'")
            ok = False
        elif choice not in {c.id for c in fields[other].choices} | set(READING_SPECIAL):
            doc.error(at, f"'{choice}' is not a choice of '{other}' (nor unsure or nothing)")
            ok = False
    return ok
