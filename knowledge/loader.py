"""Reading the knowledge base folder: files -> per-file parsers -> cross checks -> KnowledgeBase.

Every problem in every file is collected before anything is raised, so one run of
`python -m knowledge validate` lists all there is to fix. Bad bytes (not UTF-8, binary junk)
and bad YAML are problems like any other, never tracebacks. Hostile files (pipes, devices,
links out of the folder, huge or absurdly nested files) are refused before parsing: see
`knowledge.files`.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import KnowledgeBaseError, Problem
from .files import MAX_DEPTH, Unreadable, nesting_line, read_file
from .models import KnowledgeBase, Text, Topic
from .reader import Doc, kind, shorten
from .roleplay_schema import parse_roleplay, roleplay_files
from .schema import (
    parse_advice,
    parse_combos,
    parse_messages,
    parse_out_of_scope,
    parse_topic,
)
from .schema_capacity import check_implied, parse_capacity
from .schema_situation import parse_situation
from .schema_reading import ReadingFile, check_reading, parse_reading
from .validate import AdviceFile, Parsed, validate
from .yaml_lines import load_yaml

DEFAULT_PATH = Path(__file__).resolve().parent
REQUIRED_FILES = ("capacity.yaml", "out_of_scope.yaml", "messages.yaml")
OPTIONAL_FILES = ("combos.yaml", "situation.yaml")
EXTRA_MESSAGES = "messages_*.yaml"
"""More catalogues (messages_discord.yaml, messages_quiz.yaml...) merged into messages.yaml's."""


def load_knowledge_base(path: str | Path | None = None) -> KnowledgeBase:
    """Load and validate the base in `path` (default: this package's folder).

    Raises KnowledgeBaseError listing every problem found, in file order.
    """
    root = Path(path) if path is not None else DEFAULT_PATH
    try:
        if not root.is_dir():
            raise KnowledgeBaseError([Problem(shorten(str(root)), 0, "", "knowledge base folder not found")])
        problems: list[Problem] = []
        files = _list_files(root, problems)
    except OSError as exc:
        raise KnowledgeBaseError([Problem(shorten(str(root)), 0, "",
                                          f"cannot read the knowledge base folder: {exc.strerror or exc}")]) from None
    docs: dict[str, tuple[Doc, Any]] = {}
    digest = hashlib.sha256()
    for name in sorted(files):
        doc = Doc(name)
        try:
            data = read_file(files[name], root)
        except Unreadable as exc:
            doc.error("", str(exc), 0)
            docs[name] = (doc, None)
            continue
        digest.update(name.encode() + b"\0" + data + b"\0")
        docs[name] = (doc, _parse_bytes(doc, data))
    kb = _build(root, docs)
    for doc, _ in docs.values():
        problems.extend(doc.problems)
    if problems or kb is None:
        raise KnowledgeBaseError(sorted(set(problems), key=_order))
    return KnowledgeBase(**{**kb, "content_hash": digest.hexdigest()})


def _order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line, problem.field, problem.message)


def _list_files(root: Path, problems: list[Problem]) -> dict[str, Path]:
    """Relative name (`topics/blog.yaml`) -> path, for every file the base is made of."""
    files: dict[str, Path] = {}
    for folder, what in (("topics", "topic"), ("advice", "advice")):
        found = sorted((root / folder).glob("*.yaml")) if (root / folder).is_dir() else []
        if not found:
            problems.append(Problem(f"{folder}/", 0, "", f"no {what} files ({folder}/<id>.yaml)"))
        files.update({f"{folder}/{p.name}": p for p in found})
        for stray in sorted((root / folder).glob("*.yml")) if (root / folder).is_dir() else []:
            problems.append(Problem(f"{folder}/{stray.name}", 0, "", "ignored: knowledge files end in .yaml"))
    if (root / "reading").is_dir():
        files.update({f"reading/{p.name}": p for p in sorted((root / "reading").glob("*.yaml"))})
    files.update({p.name: p for p in sorted(root.glob(EXTRA_MESSAGES))})
    files.update(roleplay_files(root, problems))
    for name in REQUIRED_FILES + OPTIONAL_FILES:
        if os.path.lexists(root / name):  # whatever it is: reading it says what is wrong with it
            files[name] = root / name
        elif name in REQUIRED_FILES:
            problems.append(Problem(name, 0, "", "required file is missing"))
    return files


def _parse_bytes(doc: Doc, data: bytes) -> Any:
    """The YAML tree of one file, or None after recording why it cannot be read."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = f"0x{data[exc.start]:02x}"
        doc.error("", f"not UTF-8 text (byte {byte} at offset {exc.start}); save the file as UTF-8", line)
        return None
    deep = nesting_line(text)
    if deep is not None:
        doc.error("", f"nested more than {MAX_DEPTH} levels deep: not parsed (a knowledge file never needs that)", deep)
        return None
    try:
        tree = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else text.count("\n", 0, getattr(exc, "position", 0)) + 1
        what = " ".join(str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part)
        doc.error("", f"YAML syntax error: {what or str(exc).splitlines()[0]}", line)
        return None
    if not isinstance(tree, dict):
        doc.error("", f"expected a mapping at the top of the file, got {kind(tree)}")
        return None
    return tree


def _build(root: Path, docs: dict[str, tuple[Doc, Any]]) -> dict[str, Any] | None:
    """Run every parser, then the cross checks; the KnowledgeBase fields, or None if unusable."""
    topic_stems = {Path(n).stem for n in docs if n.startswith("topics/")}
    advice_stems = {Path(n).stem for n in docs if n.startswith("advice/")}
    parsed = Parsed(topic_ids=set(topic_stems))
    reading_files: list[ReadingFile] = []
    for name, (doc, tree) in docs.items():
        stem = Path(name).stem
        if tree is None:
            continue
        if name.startswith("topics/"):
            _add_topic(parsed, doc, parse_topic(doc, tree, stem))
        elif name.startswith("advice/"):
            topic, rules, count = parse_advice(doc, tree, stem)
            parsed.advice.append(AdviceFile(doc, topic, rules, count))
        elif name.startswith("reading/"):
            reading_files.append(parse_reading(doc, tree, name))
    for stem in sorted(advice_stems - topic_stems):
        docs[f"advice/{stem}.yaml"][0].error("", f"no topic file topics/{stem}.yaml for this advice")
    for stem in sorted(topic_stems - advice_stems):
        docs[f"topics/{stem}.yaml"][0].error("", f"no advice file advice/{stem}.yaml for this topic")
    number_words: dict[str, dict[str, float]] = {}
    contradictions: tuple[Any, ...] = ()
    if (entry := docs.get("capacity.yaml")) and entry[1] is not None:
        fields, number_words, contradictions = parse_capacity(entry[0], entry[1])
        parsed.capacity = None if entry[0].problems else fields
    situation_warnings: tuple[Any, ...] = ()
    magic = None
    if (entry := docs.get("situation.yaml")) and entry[1] is not None and parsed.capacity is not None:
        extra, warnings, magic = parse_situation(entry[0], entry[1])
        taken = {f.id for f in parsed.capacity}
        for i, field in extra:
            if field.id in taken:
                entry[0].error(f"fields[{i}].id", f"field id '{field.id}' is also a field of capacity.yaml")
        parsed.capacity = parsed.capacity + tuple(f for _, f in extra if f.id not in taken)
        check_implied(entry[0], extra, parsed.capacity)
        parsed.situation = (entry[0], warnings)
        situation_warnings = tuple(w for _, w in warnings)
    if (entry := docs.get("out_of_scope.yaml")) and entry[1] is not None:
        oos = parse_out_of_scope(entry[0], entry[1])
        parsed.out_of_scope = (entry[0], oos) if oos else None
    if (entry := docs.get("combos.yaml")) and entry[1] is not None:
        parsed.combos = (entry[0], parse_combos(entry[0], entry[1]))
    messages, commands = _messages(docs)
    if root.resolve() != DEFAULT_PATH:
        # The application's own strings (engine, console, Discord, quiz) stay available to a base
        # that only brings topics; a base's own messages override them.
        builtin_messages, builtin_commands = _builtin_catalogue()
        messages, commands = {**builtin_messages, **messages}, {**builtin_commands, **commands}
    validate(parsed)
    roleplay = parse_roleplay(docs, {t: tp for t, (tp, _) in parsed.topics.items()},
                              {a.topic for a in parsed.advice if a.topic}, parsed.capacity)
    if parsed.capacity is None or parsed.out_of_scope is None:
        return None
    reading = check_reading(reading_files, parsed.capacity)
    for field in parsed.capacity:  # every field is named in the advice and the brief
        if f"field_{field.id}" not in messages:
            doc = docs["situation.yaml"][0] if field.kind != "capacity" and "situation.yaml" in docs \
                else docs["capacity.yaml"][0]
            doc.error("", f"field '{field.id}' has no name: add messages.field_{field.id} (fr and en) to messages.yaml")
    return {
        "path": str(root.resolve()),
        "topics": {tid: topic for tid, (topic, _) in sorted(parsed.topics.items())},
        "capacity": tuple(f for f in parsed.capacity if f.kind == "capacity"),
        "situation": tuple(f for f in parsed.capacity if f.kind != "capacity"),
        "rules": {a.topic: tuple(r for _, r in a.rules)
                  for a in sorted(parsed.advice, key=lambda a: a.doc.file) if a.topic},
        "out_of_scope": parsed.out_of_scope[1],
        "combos": tuple(c for _, c in parsed.combos[1]) if parsed.combos else (),
        "messages": messages,
        "commands": commands,
        "number_words": number_words,
        "reading": reading,
        "contradictions": contradictions,
        "situation_warnings": situation_warnings,
        "magic_objectives": magic,
        "roleplay": roleplay,
    }


def _add_topic(parsed: Parsed, doc: Doc, topic: Topic | None) -> None:
    if topic is None:
        return
    if topic.id in parsed.topics:
        other = parsed.topics[topic.id][1].file
        doc.error("id", f"duplicate topic id '{topic.id}' (also in {other})")
        return
    parsed.topics[topic.id] = (topic, doc)
    parsed.topic_ids.add(topic.id)


@lru_cache(maxsize=1)
def _builtin_catalogue() -> tuple[dict[str, Text], dict[str, dict[str, tuple[str, ...]]]]:
    """The shipped messages*.yaml (validated with the shipped base; problems ignored here)."""
    docs = {}
    for path in sorted(DEFAULT_PATH.glob("messages*.yaml")):
        doc = Doc(path.name)
        docs[path.name] = (doc, _parse_bytes(doc, path.read_bytes()))
    return _messages(docs)


def _messages(docs: dict[str, tuple[Doc, Any]]) -> tuple[dict[str, Text], dict[str, dict[str, tuple[str, ...]]]]:
    """messages.yaml merged with every messages_*.yaml; a key defined twice is an error."""
    from .placeholders import check_messages  # here: `python -m knowledge.placeholders` imports this module

    messages: dict[str, Text] = {}
    commands: dict[str, dict[str, tuple[str, ...]]] = {}
    owner: dict[tuple[str, str], str] = {}
    names = ["messages.yaml"] + sorted(n for n in docs if n.startswith("messages_"))
    for name in names:
        doc, tree = docs.get(name, (None, None))
        if doc is None or tree is None:
            continue
        found = parse_messages(doc, tree, main=name == "messages.yaml")
        check_messages(doc, found[0])  # placeholders the code really supplies (knowledge/placeholders.py)
        for section, merged, items in (("messages", messages, found[0]), ("commands", commands, found[1])):
            for key, value in items.items():
                if (section, key) in owner:
                    doc.error(f"{section}.{key}", f"'{key}' is already defined in {owner[section, key]}")
                    continue
                owner[section, key] = name
                merged[key] = value  # type: ignore[assignment]
    return messages, commands
