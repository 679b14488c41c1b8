"""Command line: ``python -m classifier predict|evaluate|tune|bench`` (shared/contract.md).

Exit codes: 0 success; 2 bad usage, an unreadable cases file or an invalid knowledge
base (each problem printed as ``file:line: field: message``); never a traceback for a
user's mistake.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

USAGE_ERROR = 2


class UsageError(Exception):
    """A user's mistake: printed on standard error, exit code 2."""


def _json_line(obj: Any) -> str:
    line = json.dumps(obj, ensure_ascii=False)
    # json leaves these raw with ensure_ascii=False; str.splitlines() would break on them.
    for ch in ("\x85", "\u2028", "\u2029"):
        line = line.replace(ch, f"\\u{ord(ch):04x}")
    return line


def _load_kb(path: str | None) -> Any:
    from knowledge import KnowledgeBaseError, load_knowledge_base

    try:
        return load_knowledge_base(path)
    except KnowledgeBaseError as exc:
        problems = "\n".join(f"  {p}" for p in exc.problems)
        raise UsageError(f"invalid knowledge base {path or '(default)'}:\n{problems}") from exc


def _classifier(args: argparse.Namespace, kb: Any = None) -> Any:
    from .cache import load_classifier

    kb = kb if kb is not None else _load_kb(args.kb)

    def notice(seconds: int) -> None:  # the first fit: say what is happening, on stderr
        for lang in ("fr", "en"):
            print(kb.msg("classifier_fitting", lang, seconds=seconds), file=sys.stderr, flush=True)

    try:
        return load_classifier(kb, use_cache=not args.no_cache, on_fit=notice)
    except ValueError as exc:  # e.g. a topic without a single example
        raise UsageError(f"cannot train on knowledge base {kb.path}: {exc}") from exc


def cmd_predict(args: argparse.Namespace, stdout: TextIO) -> int:
    clf = _classifier(args)
    # Lines end at "\n" only (a "\r" inside a line is data); bad bytes become U+FFFD.
    lines: Iterable[str] = (
        [args.text] if args.text is not None
        else io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")
    )
    for raw in lines:
        text = raw.removesuffix("\n")
        text = text.removesuffix("\r")
        try:
            out = clf.classify(text).to_json(text)
        except Exception as exc:  # noqa: BLE001 -- one bad line must not stop the others
            print(f"classifier: internal error on a line: {exc!r}", file=sys.stderr)
            out = {"text": text, "language": "fr", "topics": [], "reason": "error"}
        stdout.write(_json_line(out) + "\n")
        stdout.flush()
    return 0


def cmd_evaluate(args: argparse.Namespace, stdout: TextIO) -> int:
    from .evaluate import CasesError, metrics, read_cases, report

    try:
        cases = read_cases(args.cases)
    except CasesError as exc:
        raise UsageError(str(exc)) from exc
    kb = _load_kb(args.kb)
    for case in cases:  # a typo in `expected` would silently count as a miss
        unknown = [t for t in case.expected if t not in kb.topics]
        if unknown:
            print(f"python -m classifier: warning: {args.cases}:{case.line}: unknown topic id(s) in expected: "
                  f"{', '.join(repr(t) for t in unknown)} (not in the knowledge base)", file=sys.stderr)
    clf = _classifier(args, kb)
    m = metrics(cases, clf.predict([c.text for c in cases]))
    fast = getattr(clf, "fast", None)  # the cascade's n-gram model: the gain stays visible
    if fast is None:
        stdout.write((json.dumps(m, ensure_ascii=False) if args.json else report(m)) + "\n")
        return 0
    alone = metrics(cases, fast.predict([c.text for c in cases]))
    paths = dict(clf.paths)
    if args.json:
        stdout.write(json.dumps({**m, "ngrams_only": alone, "paths": paths}, ensure_ascii=False) + "\n")
        return 0
    staged = paths.get("embeddings", 0) + paths.get("ngrams_only", 0)
    stdout.write(f"n-grams, then sentence embeddings ({clf.embedder_id}) for the unsure "
                 f"{staged} of {len(cases)} ({staged / max(len(cases), 1):.0%}; paths {paths}):\n"
                 + report(m) + "\n\nthe n-gram model alone, same cases:\n" + report(alone) + "\n")
    return 0


def cmd_tune(args: argparse.Namespace, stdout: TextIO) -> int:
    from .tune import cross_validate

    from .embeddings import get_embedder, unavailable_reason

    embedder = None if args.embeddings == "off" else get_embedder(args.embeddings)
    if args.embeddings != "off" and embedder is None:
        print(f"python -m classifier tune: no embeddings ({unavailable_reason(args.embeddings)}): "
              "n-gram model only", file=sys.stderr)
    result = cross_validate(_load_kb(args.kb), folds=args.folds, seed=args.seed, embedder=embedder)
    stdout.write((json.dumps(result) if args.json else result["report"]) + "\n")
    return 0


def cmd_bench(args: argparse.Namespace, stdout: TextIO) -> int:
    from .bench import run

    stdout.write(run(_load_kb(args.kb), scales=args.scales, requests=args.requests) + "\n")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m classifier", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--kb", metavar="PATH", help="knowledge base folder (default: knowledge/)")
    common.add_argument("--no-cache", action="store_true", help="fit instead of using the cache")
    pr = sub.add_parser("predict", parents=[common], help="classify requests from stdin, one per line")
    pr.add_argument("--text", help="classify this one request instead of reading stdin")
    ev = sub.add_parser("evaluate", parents=[common], help="metrics on labelled cases")
    ev.add_argument("cases", metavar="CASES.jsonl")
    ev.add_argument("--json", action="store_true", help="one JSON object instead of text")
    tu = sub.add_parser("tune", parents=[common],
                        help="cross-validate the thresholds on the knowledge base's examples")
    tu.add_argument("--folds", type=int, default=5)
    tu.add_argument("--seed", type=int, default=0)
    tu.add_argument("--json", action="store_true")
    tu.add_argument("--embeddings", metavar="MODEL", default=None,
                    help="embedding model for the stage: use, e5, or off (default: the configured one)")
    be = sub.add_parser("bench", parents=[common], help="fit/load time, latency, memory, scaling")
    be.add_argument("--scales", type=int, nargs="*", default=[1, 5, 10])
    be.add_argument("--requests", type=int, default=1000)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    args = parser().parse_args(argv)
    try:
        if args.command == "predict":
            return cmd_predict(args, sys.stdout)
        if args.command == "evaluate":
            return cmd_evaluate(args, sys.stdout)
        if args.command == "tune":
            return cmd_tune(args, sys.stdout)
        return cmd_bench(args, sys.stdout)
    except UsageError as exc:
        print(f"python -m classifier: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
