"""PyYAML loading that remembers where every key and list item came from.

PyYAML drops source positions once it builds Python objects; error messages that say
`topics/blog.yaml:42: examples.fr[3]` need them. Mappings load as `LineDict` (with
`lines[key]`, the 1-based line of each key) and sequences as `LineList` (with `lines[i]`,
the line of each item). Two deliberate departures from plain `safe_load`:
- a key repeated in one mapping is an error (PyYAML silently keeps the last one, so a
  copy-pasted rule would quietly lose its twin);
- only `true`/`false` are booleans (YAML 1.2): English `no`, `on`, `off`, `yes` stay words,
  because command words such as `en: [no, cancel]` are data, not booleans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, SequenceNode

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"


class LineDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each of its keys."""

    line: int = 0
    lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that knows its own line and the line of each of its items."""

    line: int = 0
    lines: list[int]


class LineLoader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader (C-accelerated when available) building LineDict and LineList."""


LineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
LineLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _construct_mapping(loader: Any, node: MappingNode) -> Iterator[LineDict]:
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=False)
        try:
            hash(key)
        except TypeError:
            raise ConstructorError("while constructing a mapping", node.start_mark,
                                   "found an unhashable key", key_node.start_mark) from None
        if key in data:
            raise ConstructorError("while constructing a mapping", node.start_mark,
                                   f"found duplicate key {key!r}", key_node.start_mark)
        data[key] = loader.construct_object(value_node, deep=False)
        data.lines[key] = key_node.start_mark.line + 1


def _construct_sequence(loader: Any, node: SequenceNode) -> Iterator[LineList]:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.lines = [child.start_mark.line + 1 for child in node.value]
    yield data
    data.extend(loader.construct_object(child, deep=False) for child in node.value)


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_yaml(text: str) -> Any:
    """Parse one YAML document; raises `yaml.YAMLError` (with a mark) on bad syntax."""
    return yaml.load(text, Loader=LineLoader)
