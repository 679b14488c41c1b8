"""Typed reading of one YAML document, collecting problems instead of raising.

`Doc` walks the raw `LineDict`/`LineList` tree of one file. Each reader checks a type,
records the line of every dotted path it visits (`rules[2].when.producer`), and on a fault
adds a `Problem` and returns None, so parsing carries on and every fault gets reported.
Cross-file checks later ask `doc.where(path)` for the line of anything read here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from .errors import Problem
from .models import LANGS, Hours, Source, Text
from .yaml_lines import LineDict, LineList

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_MESSAGE = 300
"""A problem's message is cut here: it may quote the file, and a quote is an excerpt."""
MAX_FIELD = 120


def escaped(text: str) -> str:
    """Control characters as visible escapes: a quoted file cannot act on a terminal or a chat."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def shorten(text: str, limit: int = 200) -> str:
    """At most `limit` characters: the start and the end, joined by "…"."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-half:]


def excerpt(value: object, limit: int = 60) -> str:
    """A value from the file, as quoted in a message: escaped and short."""
    return shorten(escaped(str(value)), limit)


def join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path[: path.rindex(".")] if "." in path else ""


def kind(value: object) -> str:
    """The YAML name of a value's type, for messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Doc:
    """The problems and line index of one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {"": 1}

    def where(self, path: str) -> int:
        while path not in self.lines:
            path = parent(path)
        return self.lines[path]

    def error(self, path: str, message: str, line: int | None = None) -> None:
        """Record a problem; field and message are escaped and cut (they may quote the file)."""
        at = self.where(path) if line is None else line
        self.problems.append(Problem(self.file, at, shorten(escaped(path), MAX_FIELD),
                                     shorten(escaped(message), MAX_MESSAGE)))

    def _wrong(self, path: str, expected: str, value: object) -> None:
        self.error(path, f"wrong type: expected {expected}, got {kind(value)}")

    # containers ---------------------------------------------------------------
    def dict_of(self, value: Any, path: str) -> LineDict | None:
        """A mapping with free keys (ids, languages); records each key's line."""
        if not isinstance(value, LineDict):
            self._wrong(path, "a mapping", value)
            return None
        for key, line in value.lines.items():
            self.lines[join(path, key)] = line
        return value

    def mapping(self, value: Any, path: str, required: Iterable[str], optional: Iterable[str] = ()) -> LineDict | None:
        """A mapping with a fixed set of keys: unknown keys and missing required keys are errors."""
        data = self.dict_of(value, path)
        if data is None:
            return None
        required, optional = tuple(required), tuple(optional)
        allowed = required + optional
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(allowed)}"
                self.error(join(path, key), f"unknown key '{excerpt(key)}' ({hint})")
        for key in required:
            if key not in data:
                self.error(path, f"missing required key '{key}'")
        return data

    def seq(self, value: Any, path: str, min_len: int = 0, what: str = "items") -> LineList | None:
        if not isinstance(value, LineList):
            self._wrong(path, "a list", value)
            return None
        for i, line in enumerate(value.lines):
            self.lines[f"{path}[{i}]"] = line
        if len(value) < min_len:
            self.error(path, f"too few {what}: {len(value)}, at least {min_len} needed")
        return value

    # scalars ------------------------------------------------------------------
    def string(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str):
            self._wrong(path, "a string", value)
            return None
        if not value.strip():
            self.error(path, "empty string")
            return None
        return value

    def ident(self, value: Any, path: str) -> str | None:
        text = self.string(value, path)
        if text is not None and not ID_PATTERN.match(text):
            self.error(path, f"'{excerpt(text)}' is not a snake_case ASCII id")
            return None
        return text

    def number(self, value: Any, path: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._wrong(path, "a number", value)
            return None
        return float(value)

    def boolean(self, value: Any, path: str) -> bool | None:
        if not isinstance(value, bool):
            self._wrong(path, "true or false", value)
            return None
        return value

    def choice(self, value: Any, path: str, allowed: tuple[str, ...], what: str) -> str | None:
        text = self.string(value, path)
        if text is not None and text not in allowed:
            self.error(path, f"invalid {what} '{excerpt(text)}' (expected one of: {', '.join(allowed)})")
            return None
        return text

    # composites ---------------------------------------------------------------
    def strings(self, value: Any, path: str, min_len: int = 0, what: str = "items",
                ids: bool = False) -> tuple[str, ...] | None:
        items = self.seq(value, path, min_len, what)
        if items is None:
            return None
        read = self.ident if ids else self.string
        out = [read(item, f"{path}[{i}]") for i, item in enumerate(items)]
        return tuple(s for s in out if s is not None)

    def text(self, value: Any, path: str) -> Text | None:
        """A bilingual text: both `fr` and `en`, non-empty."""
        data = self.dict_of(value, path)
        if data is None:
            return None
        for key in data:
            if key not in LANGS:
                self.error(join(path, key), f"unknown key '{key}' (a bilingual text has only fr and en)")
        ok = True
        for lang in LANGS:
            if lang not in data:
                self.error(path, f"missing translation '{lang}'")
                ok = False
            elif not isinstance(data[lang], str) or not data[lang].strip():
                got = kind(data[lang])
                self.error(join(path, lang), f"missing translation '{lang}': expected non-empty text, got {got}")
                ok = False
        return Text(fr=data["fr"], en=data["en"]) if ok else None

    def texts(self, value: Any, path: str, min_len: int = 0, what: str = "items") -> tuple[Text, ...] | None:
        items = self.seq(value, path, min_len, what)
        if items is None:
            return None
        out = [self.text(item, f"{path}[{i}]") for i, item in enumerate(items)]
        return tuple(t for t in out if t is not None)

    def per_lang(self, value: Any, path: str, min_len: int = 0,
                 what: str = "items") -> dict[str, tuple[str, ...]] | None:
        """`{fr: [...], en: [...]}`, each list with at least `min_len` strings."""
        data = self.mapping(value, path, LANGS)
        if data is None:
            return None
        out = {lang: self.strings(data[lang], join(path, lang), min_len, what) for lang in LANGS if lang in data}
        return {lang: items for lang, items in out.items() if items is not None}

    def hours(self, value: Any, path: str) -> Hours | None:
        """A number of weekly hours, or `[low, high]` with 0 <= low <= high."""
        if isinstance(value, LineList):
            if len(value) != 2:
                self.error(path, f"expected a number or [low, high], got a list of {len(value)}")
                return None
            low, high = (self.number(v, path) for v in value)
            if low is None or high is None:
                return None
            if not 0 <= low <= high:
                self.error(path, f"expected 0 <= low <= high, got [{low:g}, {high:g}]")
                return None
            return (low, high)
        number = self.number(value, path)
        if number is not None and number < 0:
            self.error(path, f"hours cannot be negative: {number:g}")
            return None
        return number

    def sources(self, value: Any, path: str) -> tuple[Source, ...] | None:
        items = self.seq(value, path)
        if items is None:
            return None
        out: list[Source] = []
        for i, item in enumerate(items):
            at = f"{path}[{i}]"
            data = self.mapping(item, at, ("title", "url"), ("figure",))
            if data is None or "title" not in data or "url" not in data:
                continue
            title, url = self.string(data["title"], join(at, "title")), self.string(data["url"], join(at, "url"))
            figure = self.text(data["figure"], join(at, "figure")) if "figure" in data else None
            if title is not None and url is not None:
                out.append(Source(title=title, url=url, figure=figure))
        return tuple(out)
