"""Per-file schemas: raw YAML of a topic, advice, out-of-scope, combo or message file -> models.

Each parser reads one file through a `Doc`, reports every local fault (unknown or missing
key, wrong type, missing translation, invalid level or verdict, too few examples...) and
returns the model, or None when the file is too broken to build one. Checks that need
several files (references, duplicates across topics, fallbacks) live in `validate.py`.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any, TypeVar

from .models import LANGS, PLAN_STAGES, VERDICTS, Combo, Demands, Rule, Text, Topic
from .reader import Doc, join

MIN_EXAMPLES = 25
"""Training examples required per language and topic: fewer and the classifier guesses."""
MIN_OUT_OF_SCOPE = 75
"""Out-of-scope examples required per language (the classifier's "not mine" class)."""
LEVELS = ("objective", "tactic")
T = TypeVar("T")

TOPIC_REQUIRED = ("id", "level", "name", "aliases", "definition", "clients_mean", "demands",
                  "warnings", "questions", "examples")
TOPIC_OPTIONAL = ("content_hungry", "serves", "served_by", "sources", "plan_stage", "buzzword", "objective_notes")
DEMANDS_KEYS = ("content", "skills", "weekly_hours", "budget", "time_to_results")
RULE_REQUIRED = ("id", "when", "verdict", "title", "tactics", "weekly_hours", "rationale", "alternatives")
RULE_OPTIONAL = ("cadence", "warnings", "sources", "measure", "delivers")


def get(data: Any, path: str, key: str, read: Callable[..., T | None], *args: Any, **kwargs: Any) -> T | None:
    """Read `data[key]` with `read`, or None if absent (`Doc.mapping` already reported it)."""
    if not isinstance(data, dict) or key not in data:
        return None
    return read(data[key], join(path, key), *args, **kwargs)


def parse_topic(doc: Doc, raw: Any, stem: str) -> Topic | None:
    data = doc.mapping(raw, "", TOPIC_REQUIRED, TOPIC_OPTIONAL)
    if data is None:
        return None
    topic_id = get(data, "", "id", doc.ident)
    if topic_id is not None and topic_id != stem:
        doc.error("id", f"topic id '{topic_id}' does not match its file name '{stem}.yaml'")
    level = get(data, "", "level", doc.choice, LEVELS, "level")
    related = _related(doc, data, level)
    hungry = get(data, "", "content_hungry", doc.boolean)
    stage = get(data, "", "plan_stage", doc.choice, PLAN_STAGES, "plan stage") if "plan_stage" in data else "content"
    buzzword = get(data, "", "buzzword", doc.boolean)
    if buzzword and level == "tactic":
        doc.error("buzzword", "buzzword applies to objectives only (a tactic is always asked what it is for)")
    if hungry is not None and level == "objective":
        doc.error("content_hungry", "content_hungry applies to tactics only")
    demands = _demands(doc, data.get("demands")) if "demands" in data else None
    notes = _objective_notes(doc, data, level)
    parts = {
        "name": get(data, "", "name", doc.text),
        "aliases": get(data, "", "aliases", doc.per_lang, 1, "aliases"),
        "definition": get(data, "", "definition", doc.text),
        "clients_mean": get(data, "", "clients_mean", doc.text),
        "warnings": get(data, "", "warnings", doc.texts, 1, "warnings"),
        "questions": get(data, "", "questions", doc.texts, 2, "questions"),
        "examples": get(data, "", "examples", doc.per_lang, MIN_EXAMPLES, "examples"),
    }
    sources = get(data, "", "sources", doc.sources) if "sources" in data else ()
    if topic_id is None or level is None or related is None or demands is None or sources is None:
        return None
    if any(value is None for value in parts.values()) or notes is None:
        return None
    return Topic(id=topic_id, level=level, related=related, demands=demands, sources=sources,  # type: ignore[arg-type]
                 content_hungry=bool(hungry), plan_stage=stage or "content", buzzword=bool(buzzword),
                 objective_notes=notes, **parts)  # type: ignore[arg-type]


def _objective_notes(doc: Doc, data: dict[str, Any], level: str | None) -> dict[str, Text] | None:
    """Objective id -> how the tactic serves it; ids are checked against the objectives and
    against `serves` in `validate.py`. None when a note is broken."""
    if "objective_notes" not in data:
        return {}
    if level == "objective":
        doc.error("objective_notes", "objective_notes applies to tactics only (how a tactic serves each objective)")
        return {}
    raw = doc.dict_of(data["objective_notes"], "objective_notes")
    if raw is None:
        return None
    notes = {str(key): doc.text(value, join("objective_notes", key)) for key, value in raw.items()}
    if any(text is None for text in notes.values()):
        return None
    return {key: text for key, text in notes.items() if text is not None}


def _related(doc: Doc, data: dict[str, Any], level: str | None) -> tuple[str, ...] | None:
    """`serves` for a tactic, `served_by` for an objective."""
    if level is None:
        return None
    key, wrong = ("serves", "served_by") if level == "tactic" else ("served_by", "serves")
    if wrong in data:
        article = "an" if level == "objective" else "a"
        doc.error(wrong, f"{article} {level} lists its links in '{key}', not '{wrong}'")
    if key not in data:
        doc.error("", f"missing required key '{key}' (every {level} has one)")
        return None
    return get(data, "", key, doc.strings, ids=True)


def _demands(doc: Doc, raw: Any) -> Demands | None:
    data = doc.mapping(raw, "demands", DEMANDS_KEYS)
    if data is None:
        return None
    texts = {key: get(data, "demands", key, doc.text) for key in DEMANDS_KEYS if key != "weekly_hours"}
    hours = get(data, "demands", "weekly_hours", doc.hours)
    if hours is None or any(value is None for value in texts.values()):
        return None
    return Demands(weekly_hours=hours, **texts)  # type: ignore[arg-type]


def parse_advice(doc: Doc, raw: Any, stem: str) -> tuple[str | None, list[tuple[int, Rule]], int]:
    """The advice file's topic id, its valid rules with their index, and the count of rules."""
    data = doc.mapping(raw, "", ("topic", "rules"))
    if data is None:
        return None, [], 0
    topic = get(data, "", "topic", doc.ident)
    if topic is not None and topic != stem:
        doc.error("topic", f"advice topic '{topic}' does not match its file name '{stem}.yaml'")
    items = get(data, "", "rules", doc.seq, 1, "rules")
    rules: list[tuple[int, Rule]] = []
    for i, item in enumerate(items or ()):
        rule = parse_rule(doc, item, f"rules[{i}]", topic or stem)
        if rule is not None:
            rules.append((i, rule))
    return topic, rules, len(items or ())


def parse_rule(doc: Doc, raw: Any, path: str, topic: str) -> Rule | None:
    data = doc.mapping(raw, path, RULE_REQUIRED, RULE_OPTIONAL)
    if data is None:
        return None
    when = get(data, path, "when", parse_when, doc)
    parts = {
        "id": get(data, path, "id", doc.ident),
        "verdict": get(data, path, "verdict", doc.choice, VERDICTS, "verdict"),
        "title": get(data, path, "title", doc.text),
        "tactics": get(data, path, "tactics", doc.strings, ids=True),
        "weekly_hours": get(data, path, "weekly_hours", doc.hours),
        "rationale": get(data, path, "rationale", doc.text),
        "alternatives": get(data, path, "alternatives", doc.strings, 2, "alternatives", ids=True),
    }
    cadence = get(data, path, "cadence", doc.text)
    measure = get(data, path, "measure", doc.text) if "measure" in data else None
    delivers = get(data, path, "delivers", _delivers, doc) if "delivers" in data else {}
    warnings = get(data, path, "warnings", doc.texts) if "warnings" in data else ()
    sources = get(data, path, "sources", doc.sources) if "sources" in data else ()
    if when is None or warnings is None or sources is None or any(v is None for v in parts.values()):
        return None
    if "cadence" in data and cadence is None or "measure" in data and measure is None or delivers is None:
        return None
    return Rule(topic=topic, when=when, cadence=cadence, warnings=warnings, sources=sources,  # type: ignore[arg-type]
                measure=measure, delivers=delivers, **parts)  # type: ignore[arg-type]


def _delivers(raw: Any, path: str, doc: Doc) -> dict[str, str] | None:
    """Request field id -> the choice the rule delivers (checked against situation.yaml later)."""
    data = doc.dict_of(raw, path)
    if data is None:
        return None
    out = {str(k): doc.ident(v, join(path, k)) for k, v in data.items()}
    return {k: v for k, v in out.items() if v is not None} if all(out.values()) else None


def parse_when(raw: Any, path: str, doc: Doc) -> dict[str, tuple[str, ...]] | None:
    """Field id -> accepted choice ids (a rule's, a warning's or an implied value's conditions;
    names are checked against the fields once every file is read)."""
    data = doc.dict_of(raw, path)
    if data is None:
        return None
    out: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        choices = doc.strings(value, join(path, key), 1, "choices", ids=True)
        if choices is not None:
            out[str(key)] = choices
    return out if len(out) == len(data) else None


def parse_out_of_scope(doc: Doc, raw: Any) -> dict[str, tuple[str, ...]] | None:
    data = doc.mapping(raw, "", ("examples",))
    return get(data, "", "examples", doc.per_lang, MIN_OUT_OF_SCOPE, "examples")


def parse_combos(doc: Doc, raw: Any) -> list[tuple[int, Combo]]:
    """Multi-topic examples, each with its index (topic ids are checked later)."""
    data = doc.mapping(raw, "", ("examples",))
    items = get(data, "", "examples", doc.seq)
    combos: list[tuple[int, Combo]] = []
    for i, item in enumerate(items or ()):
        path = f"examples[{i}]"
        entry = doc.mapping(item, path, ("lang", "text", "topics"))
        lang = get(entry, path, "lang", doc.choice, LANGS, "language")
        text = get(entry, path, "text", doc.string)
        topics = get(entry, path, "topics", doc.strings, 2, "topics", ids=True)
        if lang is not None and text is not None and topics is not None:
            combos.append((i, Combo(text=text, lang=lang, topics=topics)))
    return combos


def parse_messages(doc: Doc, raw: Any,
                   main: bool = True) -> tuple[dict[str, Text], dict[str, dict[str, tuple[str, ...]]]]:
    """The message catalogue (same placeholders in fr and en) and the command words.

    `main` is messages.yaml, where `commands` is required; in the extra catalogues
    (messages_discord.yaml...) it is optional.
    """
    data = doc.mapping(raw, "", ("messages", "commands") if main else ("messages",), () if main else ("commands",))
    messages: dict[str, Text] = {}
    for key, value in (get(data, "", "messages", doc.dict_of) or {}).items():
        path = join("messages", key)
        text = doc.text(value, path)
        if text is not None and _same_placeholders(doc, path, text):
            messages[str(key)] = text
    commands: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, value in (get(data, "", "commands", doc.dict_of) or {}).items():
        words = doc.per_lang(value, join("commands", key), 1, "words")
        if words is not None and len(words) == len(LANGS):
            commands[str(key)] = words
    return messages, commands


def placeholders(text: str) -> set[str]:
    """Names of the `{placeholders}` of a format string; ValueError if it is malformed."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _same_placeholders(doc: Doc, path: str, text: Text) -> bool:
    found: dict[str, set[str]] = {}
    for lang in LANGS:
        try:
            found[lang] = placeholders(text(lang))
        except ValueError as exc:
            doc.error(join(path, lang), f"invalid placeholder syntax ({exc}); write {{{{ and }}}} for literal braces")
            return False
    if found["fr"] != found["en"]:
        fr, en = sorted(found["fr"]), sorted(found["en"])
        doc.error(path, f"placeholders differ between fr {fr} and en {en}")
        return False
    return True
