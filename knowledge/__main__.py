"""`python -m knowledge validate [PATH]`: check a knowledge base folder.

Prints a one-line summary and exits 0, or prints every problem (`file:line: field: message`,
one per line, on stderr) and exits 2. Never a traceback for bad data.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .errors import KnowledgeBaseError
from .loader import load_knowledge_base
from .models import KnowledgeBase


def summary(kb: KnowledgeBase) -> str:
    examples = sum(len(texts) for topic in kb.topics.values() for texts in topic.examples.values())
    rules = sum(len(rules) for rules in kb.rules.values())
    out_of_scope = sum(len(texts) for texts in kb.out_of_scope.values())
    return (f"OK: {len(kb.topics)} topics ({len(kb.objectives())} objectives, {len(kb.tactics())} tactics), "
            f"{rules} rules, {examples} examples, {out_of_scope} out-of-scope examples")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description="Plan First knowledge base tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="load and validate a knowledge base folder")
    check.add_argument("path", nargs="?", default=None, help="knowledge base folder (default: the shipped one)")
    args = parser.parse_args(argv)
    try:
        kb = load_knowledge_base(args.path)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found.", file=sys.stderr)
        return 2
    print(summary(kb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
