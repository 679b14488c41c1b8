"""Plan First's entry point.

    python bot.py --console [--lang fr|en]        the conversation in a terminal
    python bot.py advise "REQUEST" [--profile TEXT] [--lang fr|en] [--json]
    python bot.py roleplay --seed N --level 1|2|3 [--lang fr|en] [--reveal] [--json]   a training role-play
    python bot.py gaps                            requests the bot could not place
    python bot.py forget --older-than 30d | --user ID
    python bot.py briefs [ID [--version N]]       list saved briefs, or print one (or an older version)
    python bot.py sync [--guild ID]               publish slash commands to Discord
    python bot.py [run] [--shards N [--shard-ids a,b,...]]   the Discord bot (needs DISCORD_TOKEN)
    python bot.py migrate | export | import FILE  upgrade the store, dump every row, load a dump

Exit codes: 0 success, 2 bad usage, invalid knowledge base or a database/folder fault (one
sentence naming the file and what to do; never a traceback for a user's mistake).
"""

from __future__ import annotations

import argparse
import functools
import getpass
import io
import json
import logging
import os
import shlex
import sys
from pathlib import Path
from typing import NoReturn, Sequence

EXIT_USAGE = 2
BACKGROUND_LOADERS = ("classifier-load", "embeddings-load", "reader-load")
"""Threads that load models behind the console's banner (`classifier/lazy.py`,
`classifier/stage.py`, `reading/lazy.py`)."""


def _common(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted before or after the sub-command (`bot.py advise X --kb K` works too)."""
    default = argparse.SUPPRESS if suppress else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("fr", "en"), default=default,
                        help="conversation language (default: detected, else fr)")
    common.add_argument("--kb", default=default, help="knowledge base folder (default: knowledge/)")
    common.add_argument("--db", default=default, help="SQLite file or postgresql:// URL "
                        "(default: $PLANFIRST_DB or data/planfirst.sqlite3)")
    common.add_argument("--briefs", default=default, help="folder for Markdown briefs (default: data/briefs)")
    return common


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description="Plan First: plans before tools.",
                                     parents=[_common(suppress=False)])
    parser.add_argument("--console", action="store_true", help="run the conversation in this terminal")
    parser.add_argument("--session", help="console conversation name (default: your user name)")
    sub = parser.add_subparsers(dest="command")
    common = [_common(suppress=True)]
    advise = sub.add_parser("advise", help="one-shot advice for a request", parents=common)
    advise.add_argument("request")
    advise.add_argument("--profile", default="", help="free text about the client's content capacity")
    advise.add_argument("--json", action="store_true")
    roleplay = sub.add_parser("roleplay", help="a role-play intake for training: the bot plays a client",
                              parents=common)
    roleplay.add_argument("--seed", type=int, help="which client (default: random)")
    roleplay.add_argument("--level", type=int, choices=(1, 2, 3), default=1, help="1 clear, 2 vague, 3 optimistic")
    roleplay.add_argument("--reveal", action="store_true", help="print the hidden scenario; read nothing")
    roleplay.add_argument("--json", action="store_true")
    sub.add_parser("gaps", help="list requests the bot could not place", parents=common)
    forget = sub.add_parser("forget", help="erase stored conversations", parents=common)
    forget.add_argument("--older-than", help="age such as 30d, 12h, 90m")
    forget.add_argument("--user", help="a user id")
    briefs = sub.add_parser("briefs", help="list saved briefs or print one", parents=common)
    briefs.add_argument("id", nargs="?")
    briefs.add_argument("--version", help="print this version of the brief instead of the latest")
    sync = sub.add_parser("sync", help="publish slash commands to Discord", parents=common)
    sync.add_argument("--guild", type=int, help="one server id (instant) instead of global")
    run = sub.add_parser("run", help="start the Discord bot", parents=common)
    run.add_argument("--shards", help="total number of shards (Discord's sharding; default: one connection)")
    run.add_argument("--shard-ids", help="the shards this process runs, e.g. 0,1 or 0-3 (default: all)")
    sub.add_parser("migrate", help="upgrade the store's schema and say from which version to which", parents=common)
    sub.add_parser("export", help="write every stored row as JSON lines on standard output", parents=common)
    load = sub.add_parser("import", help="load an export (JSON lines) into an empty store", parents=common)
    load.add_argument("file", help="the export file, or - for standard input")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _main(args)
    except Exception as exc:  # a database, folder, argument or .env fault: one sentence, exit 2
        from adapters.cli_support import explain

        found = explain(exc)
        if found is None:
            raise
        key, values = found
        print(_say(args, key, **values), file=sys.stderr)
        return EXIT_USAGE


def _main(args: argparse.Namespace) -> int:
    from adapters.cli_support import check_arguments
    from knowledge import KnowledgeBaseError

    check_arguments(args)  # UsageProblem before anything is loaded
    if args.command in ("migrate", "export", "import"):
        return _store_operation(args)

    discord_command = not args.console and args.command in (None, "run", "sync")
    if discord_command:
        from adapters.discord_app.launch import load_token, missing_token

        if load_token() is None:  # before loading anything: fail in a blink, point to --console
            return missing_token()
    if args.command in ("gaps", "forget", "briefs") and not _exists(_db_path(args)):
        print(_both("no_database", path=_db_path(args)), file=sys.stderr)  # a typo must not create a new base
        return EXIT_USAGE
    try:
        if args.command == "advise":
            return _advise(args)
        if args.command == "roleplay":
            return _roleplay(args)
        runtime = _runtime(args)
    except KnowledgeBaseError as exc:
        print("Invalid knowledge base / base de connaissances invalide:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _serve(args, runtime)
    finally:  # a PostgreSQL pool stops its threads before the interpreter does
        runtime.store.close()


def _serve(args: argparse.Namespace, runtime) -> int:  # noqa: ANN001
    """The command that needs the runtime: console, gaps, forget, briefs, sync or run."""
    if args.console:
        return _console(args, runtime)
    if args.command == "gaps":
        return _gaps(runtime, args.lang or "fr")
    if args.command == "forget":
        return _forget(runtime, args)
    if args.command == "briefs":
        return _briefs(runtime, args)
    from adapters.discord_app.launch import run_discord, sync_commands

    if args.command == "sync":
        return sync_commands(runtime, guild_id=args.guild)
    for notice in _embeddings_notices(runtime.kb, [args.lang] if args.lang else ["fr", "en"]):
        print(notice, file=sys.stderr)
    runtime.classifier.on_fit = _fitting_notice(runtime.kb, args.lang)
    model = runtime.classifier.get()  # before connecting: the first /triage must not wait for it
    if callable(getattr(model, "embedder", None)):
        model.embedder()
    if runtime.reader is not None:
        runtime.reader.on_fit = _reader_fitting_notice(runtime.kb, args.lang)
        runtime.reader.get()  # nor for the reader of capacity answers
    return run_discord(runtime, shards=args.checked_shards)


def _store_operation(args: argparse.Namespace) -> int:
    """`migrate`, `export`, `import FILE`: the store alone, no classifier."""
    from adapters import store_cli
    from runtime import db_timeout

    target = _db_path(args)
    if args.command != "import" and not _exists(target):
        print(_both("no_database", path=target), file=sys.stderr)  # a typo must not create a new base
        return EXIT_USAGE
    say = functools.partial(_say, args)
    if args.command == "migrate":
        return store_cli.migrate(target, say, busy_timeout=db_timeout())
    if args.command == "export":
        return store_cli.export(target, say, busy_timeout=db_timeout())
    return store_cli.import_file(target, args.file, say, busy_timeout=db_timeout())


def _db_path(args: argparse.Namespace) -> str:
    from runtime import default_db_path

    return args.db or default_db_path()


def _exists(target: str) -> bool:
    """A SQLite file that is there, or a PostgreSQL URL (the server says if the database exists)."""
    from storage.opening import is_url

    if is_url(target):
        return True
    try:
        return Path(target).is_file()
    except OSError:  # a name too long, a link loop: not a database file either
        return False


def _db_label(args: argparse.Namespace) -> str:
    from storage.opening import label

    return label(_db_path(args))


def _say(args: argparse.Namespace, key: str, **values: object) -> str:
    """A catalogue message in --lang, or in both languages when none was given."""
    if getattr(args, "lang", None):
        return _catalogue().msg(key, args.lang, **values)
    return _both(key, **values)


@functools.lru_cache(maxsize=1)
def _catalogue():  # noqa: ANN202 - imported lazily to keep --help fast
    from knowledge import load_knowledge_base

    return load_knowledge_base()


def _both(key: str, **values: object) -> str:
    """A catalogue message in French then English, for errors met before any language is known."""
    kb = _catalogue()
    return f"{kb.msg(key, 'fr', **values)}\n{kb.msg(key, 'en', **values)}"


def _briefs_dir(args: argparse.Namespace) -> Path:
    from runtime import briefs_folder

    return briefs_folder(_db_path(args), args.briefs)


def _runtime(args: argparse.Namespace):  # noqa: ANN202 - imported lazily to keep --help fast
    from runtime import build_runtime

    return build_runtime(args.kb, args.db, default_lang=args.lang or "fr",
                         read_only=args.command in ("gaps", "briefs") and not args.console)


def _console(args: argparse.Namespace, runtime) -> int:  # noqa: ANN001
    from adapters.console import run_console

    user = args.session or _user()
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    interactive = sys.stdin.isatty()
    prompt = (lambda: print("> ", end="", flush=True)) if interactive else None
    def warm_up(langs: list[str]) -> list[str]:
        """Load the classifier and the reader behind the banner; a first fit says what it is doing."""
        notices = _embeddings_notices(runtime.kb, langs)
        if runtime.classifier.needs_fit():
            seconds = runtime.classifier.fit_estimate()
            notices += [runtime.kb.msg("classifier_fitting", lang, seconds=seconds) for lang in langs]
        if runtime.reader is not None and runtime.reader.needs_fit():
            notices += [runtime.kb.msg("reader_fitting", lang, seconds=runtime.reader.fit_estimate())
                        for lang in langs]
        runtime.classifier.preload()
        if runtime.reader is not None and interactive:  # piped input reads it when first needed
            runtime.reader.preload()
        return notices

    try:
        from adapters.console_input import messages

        return run_console(runtime.advisor, messages(stdin, interactive), sys.stdout, key=f"console:{user}",
                           user_id=user,
                           briefs_dir=_briefs_dir(args), db_label=_db_label(args), lang=args.lang, prompt=prompt,
                           quiz=runtime.quiz, roleplay=getattr(runtime, "roleplay", None),
                           briefs_command=_again_command(args), warm_up=warm_up)
    except KeyboardInterrupt:  # Ctrl-C: every turn is already saved, so just leave
        print()
        return 0


def _again_command(args: argparse.Namespace) -> str:
    """The command that shows brief `{id}` again from this shell: this Python, this --db."""
    def shown(path: str) -> str:
        relative = os.path.relpath(path)
        return shlex.quote(relative if not relative.startswith("..") else path)

    from storage.opening import without_password

    words = [shown(sys.executable), shown(__file__), "briefs", "{id}"]
    if args.db:  # a password in a URL is never printed (PGPASSWORD or ~/.pgpass supply it)
        words += ["--db", shlex.quote(without_password(args.db))]
    return " ".join(words)


def _embeddings_notices(kb, langs: list[str]) -> list[str]:  # noqa: ANN001
    """Said at start when requests will be classified without sentence embeddings, and why."""
    from classifier.embeddings import unavailable_reason_cheap

    reason = unavailable_reason_cheap()
    return [kb.msg("embeddings_unavailable", lang, reason=reason) for lang in langs] if reason else []


def _reader_fitting_notice(kb, lang: str | None):  # noqa: ANN001, ANN202
    """`on_fit` for load_reader: say on stderr that the reader's first fit is under way."""
    def notice(seconds: int) -> None:
        for each in [lang] if lang else ["fr", "en"]:
            print(kb.msg("reader_fitting", each, seconds=seconds), file=sys.stderr, flush=True)
    return notice


def _fitting_notice(kb, lang: str | None):  # noqa: ANN001, ANN202
    """`on_fit` for load_classifier: say on stderr that the first fit is under way."""
    def notice(seconds: int) -> None:
        for each in [lang] if lang else ["fr", "en"]:
            print(kb.msg("classifier_fitting", each, seconds=seconds), file=sys.stderr, flush=True)
    return notice


def _advise(args: argparse.Namespace) -> int:
    from adapters.cli_support import free_text
    from advisor.oneshot import advise, render_text
    from classifier import load_classifier
    from knowledge import load_knowledge_base

    request, profile = free_text(args.request), free_text(args.profile)  # the output stays valid UTF-8
    if not request.strip():
        print(_both("empty_request"), file=sys.stderr)
        return EXIT_USAGE
    from reading import load_reader

    kb = load_knowledge_base(args.kb)
    result = load_classifier(kb, on_fit=_fitting_notice(kb, args.lang)).classify(request)
    data = advise(kb, result, load_reader(kb, on_fit=_reader_fitting_notice(kb, args.lang)), request, profile,
                  lang=args.lang)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(render_text(kb, data))
    return 0


def _roleplay(args: argparse.Namespace) -> int:
    from adapters.roleplay_cli import run_roleplay

    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    return run_roleplay(args, stdin, sys.stdout, sys.stderr)


def _gaps(runtime, lang: str) -> int:  # noqa: ANN001
    from adapters.terminal import safe

    kb = runtime.kb
    groups = runtime.store.gap_summary()
    if not groups:
        print(kb.msg("no_gaps", lang))
        return 0
    print(kb.msg("gaps_header", lang, total=sum(g.count for g in groups)))
    for group in groups:
        known = group.candidate in kb.topics
        topic = kb.topics[group.candidate].name(lang) if known else kb.msg("gaps_none_topic", lang)
        print(safe(kb.msg("gaps_group", lang, topic=topic, count=group.count,
                          last=f"{group.last_at:%Y-%m-%d %H:%M}")))
        for sample in group.samples:
            print(safe(f"    « {sample[:120]} »"))
    return 0


def _forget(runtime, args: argparse.Namespace) -> int:  # noqa: ANN001
    from storage.brief_files import BriefFiles

    lang = args.lang or "fr"
    count = runtime.store.forget(older_than=args.checked_age, user_id=args.user)
    print(runtime.kb.msg("forgot", lang, count=count))
    folder = _briefs_dir(args)
    removed = BriefFiles(folder, runtime.store).prune()  # only in this database's own folder
    if removed:
        print(runtime.kb.msg("forgot_files", lang, count=removed, folder=folder))
    return 0


def _briefs(runtime, args: argparse.Namespace) -> int:  # noqa: ANN001
    from adapters.cli_support import UsageProblem
    from adapters.terminal import safe

    store, kb, lang = runtime.store, runtime.kb, args.lang or "fr"
    brief_id, version = args.checked_id, args.checked_version
    if brief_id is None:
        records = store.list_briefs(limit=20)
        print(kb.msg("briefs_header" if records else "briefs_none", lang))
        for record in records:
            request = " ".join(record.request.split())
            versions = f"  ({kb.msg('briefs_versions', lang, count=record.versions)})" if record.versions > 1 else ""
            print(safe(f"{record.id:>5}  {record.created_at:%Y-%m-%d %H:%M}  {request[:70]}{versions}"))
        return 0
    record = store.get_brief(brief_id, version)
    if record is None:
        kept = [str(r.version) for r in store.brief_versions(brief_id)]
        if version is not None and kept:
            raise UsageProblem("brief_version_not_found", id=brief_id, version=version, versions=", ".join(kept))
        raise UsageProblem("brief_not_found", id=brief_id)
    print(safe(record.markdown), end="" if record.markdown.endswith("\n") else "\n")
    return 0


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user database in some containers
        return "local"


def leave(code: int) -> NoReturn:
    """Exit with `code`. When a background load is still running (someone quit during the
    first start's fit, or piped input ended first), wait for the non-daemon ones (they end by
    writing their cache), then end the process at once: tearing the interpreter down under a
    daemon thread that is inside the embedding engine or a fit aborts the process ("terminate
    called without an active exception", exit -6; seen in CI). Everything the conversation
    saved is already committed; an unfinished fit is only redone at the next start."""
    import threading

    busy = [t for t in threading.enumerate() if t.name in BACKGROUND_LOADERS and t.is_alive()]
    if not busy:
        sys.exit(code)
    for thread in busy:
        if not thread.daemon:
            thread.join()
    if not any(t.daemon and t.is_alive() for t in busy):
        sys.exit(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or the reader left
            pass
    os._exit(code)


if __name__ == "__main__":
    try:
        leave(main())
    except BrokenPipeError:  # `bot.py advise ... | head`: the reader left, nothing to report
        sys.stderr.close()
        sys.exit(0)
