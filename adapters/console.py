"""The terminal transport: one line in, the engine's replies printed, briefs saved as files.

It only translates: lines become messages for the service, replies become text with
numbered choices. Piped input works the same as a person typing (one line = one
message) and the program ends cleanly at end of input. The conversation is stored at
every turn, so starting again after a kill resumes where it stopped.

Brief files are written by `storage.brief_files` after the service has committed the turn;
at start the folder is claimed for this database and missing or short files are rewritten
from it. Everything printed goes through `adapters.terminal.safe`: client text never
reaches the terminal with its control characters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable, TextIO

from advisor.commands import bare, match_command
from advisor.glossary import TermIndex, card_text, unknown_term
from advisor.replies import Reply
from advisor.service import AdvisorService
from storage.brief_files import BriefFileError, BriefFiles
from training.roleplay.service import RolePlayService
from training.service import QuizService

from .console_roleplay import RolePlayConsole
from .terminal import safe

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<!\w)_(.+?)_(?!\w)")


def plain(text: str) -> str:
    """Markdown emphasis is noise in a terminal."""
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))


class ConsoleRenderer:
    """Turns replies into terminal text; says where each brief's file is."""

    def __init__(self, out: TextIO, files: BriefFiles, msg: Callable[..., str],
                 briefs_command: str = "bot.py briefs {id}") -> None:
        self.out = out
        self.files = files
        self.msg = msg
        self.briefs_command = briefs_command

    def write(self, text: str) -> None:
        self.out.write(safe(text))

    def show(self, replies: Iterable[Reply]) -> None:
        for reply in replies:
            if reply.kind == "brief":
                self._brief(reply)
                continue
            if reply.kind == "recommendation":
                self.write(f"\n=== {plain(reply.title)} ===\n")
            self.write(plain(reply.text) + "\n")
            for number, option in enumerate(reply.choices, start=1):
                self.write(f"  {number}. {option.label}\n")
            self.write("\n")
        self.out.flush()

    def _brief(self, reply: Reply) -> None:
        """The brief was committed with its turn; now its file (the advice was just shown:
        the file holds the full brief, the screen says where it is)."""
        brief_id, version = reply.data.get("brief_id"), reply.data.get("brief_version", 1)
        lang = reply.data.get("lang", "fr")
        if not isinstance(brief_id, int):
            return
        try:
            path = self.files.write(brief_id)
        except BriefFileError as exc:
            self.write(self.msg("brief_file_failed", lang, brief_id=brief_id, path=exc.path, reason=exc.reason)
                       + "\n\n")
            return
        command = self.briefs_command.replace("{id}", str(brief_id))
        key = "brief_saved" if version == 1 else "brief_saved_version"
        self.write(self.msg(key, lang, brief_id=brief_id, version=version, path=path, command=command) + "\n\n")


class ConsoleRouter:
    """Sends each line to the advisor, or to the quiz while one is under way ("quiz", "quiz 2",
    "quiz revoir", "quiz scores"), or to the role-play ("jeu de rôle", see console_roleplay.py).
    All keep their state in the store, so all resume."""

    def __init__(self, advisor: AdvisorService, quiz: QuizService | None, key: str, user_id: str,
                 lang: str | None, roleplay: RolePlayService | None = None) -> None:
        self.advisor, self.quiz, self.key, self.user_id, self.lang = advisor, quiz, key, user_id, lang
        self.roleplay = (RolePlayConsole(roleplay, key=key, user_id=user_id, lang=lang, current_lang=self.current_lang)
                         if roleplay is not None else None)

    def current_lang(self) -> str:
        state = self.advisor.current(self.key)
        return self.lang or (state.lang if state else self.advisor.default_lang)

    def handle(self, line: str) -> list[Reply]:
        if self.roleplay is not None and (routed := self.roleplay.route(line)) is not None:
            return routed
        if self.quiz is not None:
            if self.quiz.active(self.key):
                return self._quiz_replies(self.quiz.handle(self.key, line, user_id=self.user_id))
            words = bare(line).split()
            if words and len(words) <= 2 and match_command(self.advisor.kb, words[0]) == "quiz":
                return self._quiz_command(words[1:])
        term = self._define_term(line)
        if term is not None:
            return self._card(term) + self._pending()
        return self.advisor.handle(self.key, line, user_id=self.user_id, lang=self.lang)

    def _pending(self) -> list[Reply]:
        """The intake's pending question, shown again after a card or a quiz in the middle of it:
        otherwise the next "2" answers a question the user no longer sees."""
        state = self.advisor.current(self.key)
        if state is None or state.stage in ("request", "done"):
            return []
        return self.advisor.prompt(self.key)

    def _define_term(self, line: str) -> str | None:
        """The term of "définir X" / "define X", if the line is such a request."""
        text = bare(line)
        for words in self.advisor.kb.commands.get("define", {}).values():
            for word in words:
                prefix = bare(word) + " "
                if text.startswith(prefix) and text[len(prefix):].strip():
                    return text[len(prefix):].strip()
        return None

    def _card(self, term: str) -> list[Reply]:
        kb, lang = self.advisor.kb, self.current_lang()
        topic = TermIndex(kb).resolve(term)
        if topic is None:
            return [Reply("text", unknown_term(kb, term, lang))]
        return [Reply("text", card_text(kb, topic, lang), title=topic.name(lang))]

    def _quiz_command(self, rest: list[str]) -> list[Reply]:
        assert self.quiz is not None
        lang = self.current_lang()
        if rest and rest[0] in ("scores", "score", "classement", "leaderboard"):
            return [self.quiz.scores("", lang)]
        if rest and rest[0] in ("revoir", "review", "erreurs", "mistakes"):
            return self._quiz_replies(self.quiz.review(self.key, user_id=self.user_id, lang=lang))
        level = int(rest[0]) if rest and rest[0].isdigit() else 1
        return self._quiz_replies(self.quiz.start(self.key, user_id=self.user_id, level=level, lang=lang))

    def _quiz_replies(self, replies: list[Reply]) -> list[Reply]:
        """Quiz replies, with the console's hints for a missed topic and for what comes next."""
        kb, lang = self.advisor.kb, self.current_lang()
        out = []
        for reply in replies:
            out.append(reply)
            topic = str(reply.data.get("define") or "")
            if topic in kb.topics:
                out.append(Reply("text", kb.msg("quiz_define_hint", lang, term=kb.topic(topic).name(lang))))
            if reply.data.get("finished"):
                out.append(Reply("text", kb.msg("quiz_again", lang)))
                out += self._pending()
        return out


def run_console(service: AdvisorService, lines: Iterable[str], out: TextIO, *, key: str, user_id: str,
                briefs_dir: Path, db_label: str, lang: str | None = None,
                prompt: Callable[[], None] | None = None, quiz: QuizService | None = None,
                roleplay: RolePlayService | None = None, briefs_command: str = "bot.py briefs {id}",
                warm_up: Callable[[list[str]], list[str]] | None = None) -> int:
    """Drive one conversation from `lines` until they run out; returns the exit code (0).

    `briefs_command`: how to show a brief again (`{id}` is its number), printed when one is
    saved. `warm_up(langs)`: called once the banner is out, to start loading what the first
    request needs; the lines it returns (say, the first fit's notice) are printed.

    Raises BriefFolderError (before anything is printed) when `briefs_dir` cannot hold this
    database's briefs, and StoreError when the database fails.
    """
    files = BriefFiles(briefs_dir, service.store)  # type: ignore[arg-type]
    files.claim()
    rewritten = files.sync()
    renderer = ConsoleRenderer(out, files, service.kb.msg, briefs_command)
    router = ConsoleRouter(service, quiz, key, user_id, lang, roleplay)
    existing = service.current(key)
    # Until the first request shows the language, greet in both (French first, the default).
    known = lang or (existing.lang if existing else None)
    greet_langs = [known] if known else ["fr", "en"]
    for greet_lang in greet_langs:
        renderer.write(service.kb.msg("console_intro", greet_lang, db=db_label, folder=briefs_dir) + "\n")
    if rewritten:
        renderer.write(service.kb.msg("briefs_rewritten", greet_langs[0], count=rewritten, folder=briefs_dir) + "\n")
    renderer.write("\n")
    if warm_up is not None:
        notices = warm_up(greet_langs)
        if notices:
            renderer.write("\n".join(notices) + "\n\n")
        out.flush()
    if existing is not None and existing.stage != "request":
        renderer.show([Reply("text", service.kb.msg("console_resumed", lang or existing.lang))])
        if lang is not None and lang != existing.lang:  # --lang given: the conversation switches to it
            word = service.kb.commands[f"lang_{lang}"][lang][0]
            renderer.show(service.handle(key, word, user_id=user_id))
        else:
            renderer.show(service.prompt(key))
    else:
        renderer.show([Reply("text", service.kb.msg("welcome", g)) for g in greet_langs])
    if router.roleplay is not None:
        renderer.show(router.roleplay.resume())
    if prompt:
        prompt()
    for line in lines:
        renderer.show(router.handle(line.rstrip("\r\n")))
        if prompt:
            prompt()
    final = service.current(key)
    renderer.write(service.kb.msg("goodbye", final.lang if final else (known or service.default_lang)) + "\n")
    out.flush()
    return 0
