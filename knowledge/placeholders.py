"""Message placeholders checked against what the code supplies.

A catalogue message is formatted with the values its caller passes (`kb.msg("brief_saved",
lang, brief_id=..., path=...)`). A template asking for a value nobody passes (`{dbx}`) made
the console crash with a KeyError at the worst moment; a template with `{path.parent}` or
`{0}` is worse. The validator now refuses both:
- every placeholder is a plain `{name}` (no attribute, index, conversion or format spec);
- a message may only use the names every call site of its key passes, as recorded in
  `knowledge/message_values.py`. (A call that passes no values at all shows the template as
  written, braces included, and never formats it: such calls do not count.)

That table is generated from the code by `python -m knowledge.placeholders` (an AST scan of
the calls `msg(...)`, `text(...)`, `both(...)`, `m(...)`, `_both(...)` and `_say(...)` whose
key is a string literal, an f-string or `"prefix_" + x`, or a conditional between two
literals); tests/test_placeholders.py fails when the table and the code disagree, with the
command to run. Keys the scan cannot see (computed elsewhere) are not checked.
"""

from __future__ import annotations

import ast
import string
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from .models import LANGS, Text
from .reader import Doc, excerpt, join

PROJECT = Path(__file__).resolve().parent.parent
SCANNED = ("advisor", "adapters", "training", "bot.py", "runtime.py")
CALLS = frozenset({"msg", "text", "both", "_both", "_say", "m"})
TABLE = Path(__file__).with_name("message_values.py")


def check_messages(doc: Doc, messages: Mapping[str, Text]) -> None:
    """Report, in `doc`, placeholders that are not plain names or that the code never supplies."""
    from .message_values import PREFIXES, SUPPLIED

    for key, text in messages.items():
        path = join("messages", key)
        names: set[str] = set()
        for lang in LANGS:
            try:
                fields = list(string.Formatter().parse(text(lang)))
            except ValueError:
                continue  # malformed braces: reported by the schema
            for _, name, spec, conversion in fields:
                if name is None:
                    continue
                if not name.isidentifier() or spec or conversion:
                    shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
                    doc.error(join(path, lang), f"placeholder {{{excerpt(shown)}}} is not a plain {{name}}")
                    continue
                names.add(name)
        allowed = SUPPLIED.get(key)
        if allowed is None:
            prefix = max((p for p in PREFIXES if key.startswith(p)), key=len, default=None)
            allowed = PREFIXES.get(prefix) if prefix is not None else None
        missing = sorted(names - allowed) if allowed is not None else []
        if missing:
            supplied = ", ".join(sorted(allowed or ())) or "nothing"
            doc.error(path, f"placeholder(s) {', '.join('{' + n + '}' for n in missing)} not supplied by the code "
                            f"for '{key}' (it supplies: {supplied})")


# --- the scan that builds message_values.py ---------------------------------------------------

def _sources() -> Iterator[Path]:
    for name in SCANNED:
        path = PROJECT / name
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _keys(node: ast.expr) -> tuple[list[str], list[str]]:
    """(exact keys, key prefixes) a key expression can take; empty when it cannot be told."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value], []
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return [], [str(node.values[0].value)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Constant) \
            and isinstance(node.left.value, str):
        return [], [node.left.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _keys(node.body), _keys(node.orelse)
        return body[0] + orelse[0], body[1] + orelse[1]
    return [], []


def scan() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(key -> names every call passes, prefix -> names) from the project's source."""
    exact: dict[str, frozenset[str]] = {}
    prefixes: dict[str, frozenset[str]] = {}
    for source in _sources():
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), str(source))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name not in CALLS or not node.keywords or any(k.arg is None for k in node.keywords):
                continue  # not a catalogue call; no values (the template is shown as written); `**values`
            passed = frozenset(k.arg for k in node.keywords if k.arg is not None)
            for arg in node.args[:2]:
                keys, starts = _keys(arg)
                if keys or starts:
                    for key in keys:
                        exact[key] = exact[key] & passed if key in exact else passed
                    for start in starts:
                        prefixes[start] = prefixes[start] & passed if start in prefixes else passed
                    break
    return exact, prefixes


def render(exact: Mapping[str, frozenset[str]], prefixes: Mapping[str, frozenset[str]]) -> str:
    def table(items: Mapping[str, frozenset[str]]) -> str:
        return "\n".join(f"    {key!r}: frozenset({sorted(values)!r})," for key, values in sorted(items.items()))

    return ('"""What the code passes to each catalogue message: generated by `python -m knowledge.placeholders`\n'
            '(do not edit; tests/test_placeholders.py says when it is out of date)."""\n\n'
            f"SUPPLIED: dict[str, frozenset[str]] = {{\n{table(exact)}\n}}\n\n"
            f"PREFIXES: dict[str, frozenset[str]] = {{\n{table(prefixes)}\n}}\n")


if __name__ == "__main__":
    TABLE.write_text(render(*scan()), encoding="utf-8")
    print(f"wrote {TABLE}", file=sys.stderr)
