"""Role-play in the console: `jeu de rôle [niveau]` / `roleplay [level]`, and what follows.

The router in `console.py` asks `route(line)` first: while a role-play is under way every line
is the junior's (the service decides what it is); otherwise a line starting with a role-play
word (`commands.roleplay` in messages_roleplay.yaml) is a role-play command, anything else is
not ours (None). After the word: a level (1-3), or a word from `rp_words_progress`,
`rp_words_replay`, `rp_words_team`. The session's language is the word's ("jeu de rôle" is
French, "roleplay" English) unless the console was started with --lang.
"""

from __future__ import annotations

from collections.abc import Callable

from advisor.commands import bare
from advisor.replies import Reply
from knowledge.text import normalise
from training.roleplay.service import RolePlayService


class RolePlayConsole:
    def __init__(self, service: RolePlayService, *, key: str, user_id: str, lang: str | None,
                 current_lang: Callable[[], str]) -> None:
        self.service, self.key, self.user_id, self.lang, self.current_lang = service, key, user_id, lang, current_lang

    def route(self, line: str) -> list[Reply] | None:
        if self.service.active(self.key):
            return self.service.handle(self.key, line, user_id=self.user_id)
        parsed = self.parse(line)
        if parsed is None:
            return None
        lang, rest = parsed
        kb = self.service.kb
        if rest and rest[0] in self.words("rp_words_progress"):
            return [titled(self.service.progress(self.user_id, "", lang))]
        if rest and rest[0] in self.words("rp_words_team"):
            return [titled(self.service.team("", lang))]
        if rest and rest[0] in self.words("rp_words_replay"):
            return self.service.replay(self.key, user_id=self.user_id, lang=lang)
        level = int(rest[0]) if rest and rest[0].isdigit() and 1 <= int(rest[0]) <= 3 else None
        if rest and level is None:
            return [Reply("error", kb.msg("rp_usage", lang))]
        return self.service.start(self.key, user_id=self.user_id, level=level, lang=lang)

    def resume(self) -> list[Reply]:
        """What to show at start-up when a role-play was under way (empty otherwise)."""
        return self.service.resume(self.key)

    def parse(self, line: str) -> tuple[str, list[str]] | None:
        """(language, the words after the role-play word), if the line starts with one."""
        text = bare(line)
        for lang, words in self.service.kb.commands.get("roleplay", {}).items():
            for word in sorted(words, key=len, reverse=True):
                key = bare(word)
                if text == key or text.startswith(key + " "):
                    rest = text[len(key):].split()
                    return (self.lang or lang), rest[:2]
        return None

    def words(self, key: str) -> set[str]:
        kb = self.service.kb
        return {normalise(w) for lang in ("fr", "en") for w in kb.msg(key, lang).split("|") if w.strip()}


def titled(reply: Reply) -> Reply:
    """The console prints text only: a view's title goes on its first line."""
    return Reply(reply.kind, f"{reply.title}\n{reply.text}", reply.choices, reply.data) if reply.title else reply
