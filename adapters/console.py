"""The terminal transport: one line in, the engine's replies printed, briefs saved as files.

It only translates: lines become messages for the service, replies become text with
numbered choices. Piped input works the same as a person typing (one line = one
message) and the program ends cleanly at end of input. The conversation is stored at
every turn, so starting again after a kill resumes where it stopped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable, TextIO

from advisor.replies import Reply
from advisor.service import AdvisorService

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def plain(text: str) -> str:
    """Markdown bold is noise in a terminal."""
    return _BOLD.sub(r"\1", text)


class ConsoleRenderer:
    """Turns replies into terminal text; writes brief files."""

    def __init__(self, out: TextIO, briefs_dir: Path, msg: Callable[..., str]) -> None:
        self.out = out
        self.briefs_dir = briefs_dir
        self.msg = msg

    def show(self, replies: Iterable[Reply]) -> None:
        for reply in replies:
            if reply.kind == "brief":
                self._brief(reply)
                continue
            if reply.kind == "recommendation":
                self.out.write(f"\n=== {plain(reply.title)} ===\n")
            self.out.write(plain(reply.text) + "\n")
            for number, option in enumerate(reply.choices, start=1):
                self.out.write(f"  {number}. {option.label}\n")
            self.out.write("\n")
        self.out.flush()

    def _brief(self, reply: Reply) -> None:
        brief_id = reply.data.get("brief_id")
        self.briefs_dir.mkdir(parents=True, exist_ok=True)
        path = self.briefs_dir / f"brief-{brief_id or 'draft'}.md"
        path.write_text(reply.text, encoding="utf-8")
        lang = reply.data.get("lang", "fr")
        self.out.write(reply.text + "\n")
        self.out.write(self.msg("brief_saved", lang, brief_id=brief_id, path=path) + "\n\n")


def run_console(service: AdvisorService, lines: Iterable[str], out: TextIO, *, key: str, user_id: str,
                briefs_dir: Path, db_label: str, lang: str | None = None,
                prompt: Callable[[], None] | None = None) -> int:
    """Drive one conversation from `lines` until they run out; returns the exit code (0)."""
    renderer = ConsoleRenderer(out, briefs_dir, service.kb.msg)
    existing = service.current(key)
    shown_lang = lang or (existing.lang if existing else service.default_lang)
    out.write(service.kb.msg("console_intro", shown_lang, db=db_label, folder=briefs_dir) + "\n\n")
    if existing is not None and existing.stage != "request":
        renderer.show([Reply("text", service.kb.msg("console_resumed", shown_lang))])
        renderer.show(service.prompt(key))
    else:
        renderer.show([Reply("text", service.kb.msg("welcome", shown_lang))])
    if prompt:
        prompt()
    for line in lines:
        renderer.show(service.handle(key, line.rstrip("\r\n"), user_id=user_id, lang=lang))
        if prompt:
            prompt()
    final = service.current(key)
    out.write(service.kb.msg("goodbye", final.lang if final else shown_lang) + "\n")
    out.flush()
    return 0
