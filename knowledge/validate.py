"""Cross-file checks: what no single file can tell on its own.

References (serves, served_by, objective_notes, tactics, alternatives, combos, `when` fields and choices),
duplicates (topic ids, rule ids, examples shared by two topics or with out_of_scope), and the
rules of the trade: each advice file ends with a fallback (`when: {}`), and neither that
fallback nor the profile made of every field's cautious choice gets `as_asked` for a
content-hungry tactic. Problems are added to the `Doc` of the file at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .models import OBJECTIVE_KEY, OBJECTIVE_SPECIAL, CapacityField, Combo, Rule, SituationWarning, Topic
from .validate_rules import check_rule_numbers
from .reader import Doc
from .text import normalise


@dataclass
class AdviceFile:
    doc: Doc
    topic: str | None
    rules: list[tuple[int, Rule]]
    count: int


@dataclass
class Parsed:
    """Everything the per-file parsers produced, with the Doc to blame for each part."""

    topic_ids: set[str]
    """Every topic file's id (by file name), parsed or not: avoids cascades of "unknown topic"."""
    topics: dict[str, tuple[Topic, Doc]] = field(default_factory=dict)
    advice: list[AdviceFile] = field(default_factory=list)
    capacity: tuple[CapacityField, ...] | None = None
    """None when capacity.yaml is missing or broken: `when` checks are skipped then."""
    out_of_scope: tuple[Doc, dict[str, tuple[str, ...]]] | None = None
    combos: tuple[Doc, list[tuple[int, Combo]]] | None = None
    situation: tuple[Doc, list[tuple[int, SituationWarning]]] | None = None


def validate(parsed: Parsed) -> None:
    _check_links(parsed)
    _check_rules(parsed)
    _check_situation(parsed)
    _check_examples(parsed)
    if parsed.combos is not None:
        doc, combos = parsed.combos
        for i, combo in combos:
            for j, topic_id in enumerate(combo.topics):
                if topic_id not in parsed.topic_ids:
                    doc.error(f"examples[{i}].topics[{j}]", f"unknown topic '{topic_id}'")


def _check_ref(parsed: Parsed, doc: Doc, path: str, target: str, level: str) -> None:
    if target not in parsed.topic_ids:
        doc.error(path, f"unknown topic '{target}'")
    elif target in parsed.topics and parsed.topics[target][0].level != level:
        doc.error(path, f"'{target}' is not an {level}" if level == "objective" else f"'{target}' is not a {level}")


def _check_links(parsed: Parsed) -> None:
    for topic, doc in parsed.topics.values():
        key, level = ("serves", "objective") if topic.level == "tactic" else ("served_by", "tactic")
        for i, target in enumerate(topic.related):
            _check_ref(parsed, doc, f"{key}[{i}]", target, level)
        _check_objective_notes(parsed, topic, doc)


def _check_objective_notes(parsed: Parsed, topic: Topic, doc: Doc) -> None:
    """Each note names a known objective, and one this tactic `serves`."""
    objectives = sorted(t for t, (other, _) in parsed.topics.items() if other.level == "objective")
    for name in topic.objective_notes:
        path = f"objective_notes.{name}"
        if name not in objectives and not (name in parsed.topic_ids and name not in parsed.topics):
            doc.error(path, f"unknown objective '{name}' (known: {', '.join(objectives)})")
        elif name not in topic.related:
            doc.error(path, f"'{name}' is not an objective this tactic serves (serves: {', '.join(topic.related)}); "
                            "add it to serves or drop the note")


def _hungry(parsed: Parsed, rule: Rule) -> list[str]:
    """Content-hungry topics an `as_asked` verdict on this rule would commit the client to."""
    ids = dict.fromkeys((rule.topic, *rule.tactics))
    return [t for t in ids if t in parsed.topics and parsed.topics[t][0].content_hungry]


def _check_rules(parsed: Parsed) -> None:
    all_rules: dict[str, str] = {}
    for advice in parsed.advice:
        for i, rule in advice.rules:
            if rule.id in all_rules:
                advice.doc.error(f"rules[{i}].id", f"duplicate rule id '{rule.id}' (also in {all_rules[rule.id]})")
            else:
                all_rules[rule.id] = advice.doc.file
    fields = {f.id: f for f in parsed.capacity} if parsed.capacity is not None else None
    for advice in parsed.advice:
        doc = advice.doc
        for i, rule in advice.rules:
            path = f"rules[{i}]"
            for j, tactic in enumerate(rule.tactics):
                _check_ref(parsed, doc, f"{path}.tactics[{j}]", tactic, "tactic")
            for j, alt in enumerate(rule.alternatives):
                if alt == rule.id:
                    doc.error(f"{path}.alternatives[{j}]", "a rule cannot be its own alternative")
                elif alt not in all_rules:
                    doc.error(f"{path}.alternatives[{j}]", f"unknown rule '{alt}'")
            if fields is not None:
                _check_when(doc, f"{path}.when", rule.when, fields, parsed)
                _check_delivers(doc, f"{path}.delivers", rule, fields)
        _check_fallback(parsed, advice)
        if fields is not None:
            check_rule_numbers(advice.doc, advice.rules, fields)
        if parsed.capacity is not None:
            _check_cautious(parsed, advice, parsed.capacity)


def _check_when(doc: Doc, path: str, when: dict[str, tuple[str, ...]] | Any, fields: dict[str, CapacityField],
                parsed: Parsed) -> None:
    for name, choices in when.items():
        if name == OBJECTIVE_KEY:
            known = sorted(t for t, (topic, _) in parsed.topics.items() if topic.level == "objective")
            known += list(OBJECTIVE_SPECIAL)
        elif name not in fields:
            doc.error(f"{path}.{name}", f"unknown field '{name}' (known: {OBJECTIVE_KEY}, {', '.join(fields)})")
            continue
        else:
            known = [c.id for c in fields[name].choices]
        for j, choice in enumerate(choices):
            if choice not in known:
                doc.error(f"{path}.{name}[{j}]", f"unknown choice '{choice}' for {name} (known: {', '.join(known)})")


def _check_delivers(doc: Doc, path: str, rule: Rule, fields: dict[str, CapacityField]) -> None:
    for name, choice in rule.delivers.items():
        if name not in fields or fields[name].kind != "request":
            requests = [f for f, field in fields.items() if field.kind == "request"]
            doc.error(f"{path}.{name}", f"'{name}' is not a request field (known: {', '.join(requests) or 'none'})")
        elif choice not in {c.id for c in fields[name].choices}:
            doc.error(f"{path}.{name}", f"unknown choice '{choice}' for {name}")


def _check_situation(parsed: Parsed) -> None:
    if parsed.situation is None or parsed.capacity is None:
        return
    doc, warnings = parsed.situation
    fields = {f.id: f for f in parsed.capacity}
    for i, warning in warnings:
        _check_when(doc, f"warnings[{i}].when", warning.when, fields, parsed)
        for j, topic in enumerate(warning.topics):
            if topic not in parsed.topic_ids:
                doc.error(f"warnings[{i}].topics[{j}]", f"unknown topic '{topic}'")


def _check_fallback(parsed: Parsed, advice: AdviceFile) -> None:
    for i, rule in advice.rules:
        if not rule.when and i != advice.count - 1:
            advice.doc.error(f"rules[{i}].when",
                             "a fallback (`when: {}`) before the last rule: the rules after it are never reached")
    if not advice.rules or advice.rules[-1][0] != advice.count - 1:
        return  # the last rule is broken and already reported
    i, last = advice.rules[-1]
    if last.when:
        advice.doc.error(f"rules[{i}].when", f"the last rule '{last.id}' must be the fallback, with `when: {{}}`")
    elif last.verdict == "as_asked" and (hungry := _hungry(parsed, last)):
        advice.doc.error(f"rules[{i}].verdict", f"the fallback '{last.id}' cannot be as_asked: "
                         f"it relies on content-hungry {', '.join(hungry)} and a client we know nothing about")


def _check_cautious(parsed: Parsed, advice: AdviceFile, capacity: tuple[CapacityField, ...]) -> None:
    profile = {f.id: f.cautious for f in capacity}
    for i, rule in advice.rules:
        if all(profile.get(name) in choices for name, choices in rule.when.items()):
            if rule.when and rule.verdict == "as_asked" and (hungry := _hungry(parsed, rule)):
                described = ", ".join(f"{k}={v}" for k, v in profile.items())
                advice.doc.error(f"rules[{i}].when", f"the all-cautious profile ({described}) gets as_asked "
                                 f"from rule '{rule.id}' for content-hungry {', '.join(hungry)}")
            return


def _check_examples(parsed: Parsed) -> None:
    seen: dict[str, tuple[str, str, str]] = {}
    """normalised example -> (topic or out_of_scope, language, file and field) where it first appears."""
    sources: list[tuple[Doc, str, Mapping[str, tuple[str, ...]]]] = [
        (doc, topic.id, topic.examples) for topic, doc in sorted(parsed.topics.values(), key=lambda td: td[0].id)]
    if parsed.out_of_scope is not None:
        sources.append((parsed.out_of_scope[0], "out_of_scope", parsed.out_of_scope[1]))
    for doc, owner, examples in sources:
        for lang, texts in examples.items():
            for i, text in enumerate(texts):
                key, path = normalise(text), f"examples.{lang}[{i}]"
                if key not in seen:
                    seen[key] = (owner, lang, f"{doc.file} {path}")
                    continue
                first_owner, first_lang, where = seen[key]
                if first_owner != owner:
                    doc.error(path, f"example {text!r} is also in {first_owner} ({where}): "
                                    "an example may teach one topic only")
                elif first_lang == lang:
                    doc.error(path, f"duplicate example {text!r} (same as {where})")
