"""Schema of situation.yaml: the client's situation, warnings that depend on it, magic thinking.

- `fields`: like capacity.yaml's, with `kind: situation` (the market, B2B or B2C, a regulated
  profession...: asked when it changes the advice, not scored) or `kind: request` (what the
  request itself asked for, such as a cadence: read from the request only, never asked).
- `warnings`: `{when, topics?, text, sources?}` added to the advice of a matching profile.
- `magic_objectives`: patterns of answers to "what is it for?" that name no business result,
  and the message that names the magic thinking.

The checks that need every field, the objectives and the topics (names in `when`, `topics`)
run in `validate.py` once every file is parsed.
"""

from __future__ import annotations

from typing import Any

from .models import MagicObjectives, SituationWarning, Text
from .reader import Doc
from .schema import get, parse_when
from .schema_capacity import _field, _patterns


def parse_situation(doc: Doc, raw: Any) -> tuple[list[tuple[int, Any]], list[tuple[int, SituationWarning]],
                                                 MagicObjectives | None]:
    """(fields with their index, warnings with their index, magic objectives)."""
    data = doc.mapping(raw, "", ("fields",), ("warnings", "magic_objectives"))
    fields = []
    for i, item in enumerate(get(data, "", "fields", doc.seq) or ()):
        field = _field(doc, item, f"fields[{i}]")
        if field is not None:
            if field.kind == "capacity":
                doc.error(f"fields[{i}].kind", "situation.yaml holds situation and request fields "
                          "(kind: situation or request); capacity fields go in capacity.yaml")
                continue
            fields.append((i, field))
    warnings = []
    for i, item in enumerate(get(data, "", "warnings", doc.seq) or () if data and "warnings" in data else ()):
        path = f"warnings[{i}]"
        entry = doc.mapping(item, path, ("when", "text"), ("topics", "sources"))
        when = get(entry, path, "when", _when, doc)
        text: Text | None = get(entry, path, "text", doc.text)
        topics = get(entry, path, "topics", doc.strings, ids=True) if entry and "topics" in entry else ()
        sources = get(entry, path, "sources", doc.sources) if entry and "sources" in entry else ()
        if when is not None and text is not None and topics is not None and sources is not None:
            warnings.append((i, SituationWarning(when, topics, text, sources)))
    magic = None
    if data is not None and "magic_objectives" in data:
        entry = doc.mapping(data["magic_objectives"], "magic_objectives", ("patterns", "message"))
        patterns = get(entry, "magic_objectives", "patterns", _patterns, doc)
        message = get(entry, "magic_objectives", "message", doc.text)
        if patterns is not None and message is not None:
            magic = MagicObjectives(patterns, message)
    return fields, warnings, magic


def _when(raw: Any, path: str, doc: Doc) -> dict[str, tuple[str, ...]] | None:
    """A rule's `when`, which a warning may not leave empty (it would be added to every advice)."""
    out = parse_when(raw, path, doc)
    if out == {}:
        doc.error(path, "a situation warning names at least one condition")
    return out or None
