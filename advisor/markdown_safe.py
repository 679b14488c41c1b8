"""Client text made inert inside Markdown: shown exactly as typed, never interpreted.

The brief quotes the client's request verbatim; a Markdown viewer (GitHub, an editor's
preview, Discord) must not turn it into live HTML (`<script>`, `<img onerror=...>`), a link
(`[clic](javascript:...)`, `<javascript:...>`), an image, emphasis, a heading or a list, and
a terminal must not run its escape sequences. Every character CommonMark could treat as
markup is backslash-escaped (which every Markdown renderer shows as the character itself),
line-start markers included, and control characters are removed.
"""

from __future__ import annotations

import re

from knowledge.text import strip_controls

_MARKUP = re.compile(r"([\\`*_~\[\]<>&|{}!])")
_LINE_START = re.compile(r"^(\s*)([#+=>-]|\d+[.)])")


def inert(line: str) -> str:
    """One line of client text, escaped so Markdown shows it as typed."""
    text = _MARKUP.sub(r"\\\1", strip_controls(line))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2)[0].isdigit()
                           else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)
