"""Scoring one-shot advice against a strategist's verdicts (JSON lines: lang, request, profile,
expected_topic, expected_verdict, why).

A line is right when the plan's entry for the expected topic carries the expected verdict
(`as_asked`, `scaled_down` or `instead`), through the same `advise` the command line runs:
the request is classified, the profile read by the free-text reader, the rules applied. Run:

    python -m advisor.verdicts eval/advice-sample.jsonl [--quiet]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from classifier.evaluate import CasesError, json_objects

Advise = Callable[[str, str, str], dict[str, Any]]
"""(request, profile text, language) -> the `advise --json` object."""


@dataclass(frozen=True)
class VerdictMiss:
    line: int
    topic: str
    expected: str
    got: str | None
    rule: str | None


@dataclass
class VerdictScore:
    lines: int = 0
    right: int = 0
    misses: list[VerdictMiss] = field(default_factory=list)


def score_verdicts(advise: Advise, path: str | Path) -> VerdictScore:
    score = VerdictScore()
    for number, case in json_objects(path):
        out = advise(case["request"], case["profile"], case["lang"])
        entry = next((r for r in out.get("plan", []) if r["topic"] == case["expected_topic"]), None)
        got = entry["verdict"] if entry else None
        score.lines += 1
        if got == case["expected_verdict"]:
            score.right += 1
        else:
            score.misses.append(VerdictMiss(number, case["expected_topic"], case["expected_verdict"], got,
                                            entry["id"] if entry else None))
    return score


def advise_with_shipped_models(kb_path: str | None = None) -> Advise:
    """The command line's `advise`, with the knowledge base, classifier and reader loaded once."""
    from advisor.oneshot import advise
    from classifier import load_classifier
    from knowledge import load_knowledge_base
    from reading import load_reader

    kb = load_knowledge_base(kb_path)
    classifier, reader = load_classifier(kb), load_reader(kb)
    return lambda request, profile, lang: advise(kb, classifier.classify(request), reader, request, profile, lang)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m advisor.verdicts")
    parser.add_argument("cases", help="JSON lines with request, profile, expected_topic, expected_verdict")
    parser.add_argument("--kb", help="knowledge base folder")
    parser.add_argument("--quiet", action="store_true", help="only the total")
    args = parser.parse_args(argv)
    try:
        score = score_verdicts(advise_with_shipped_models(args.kb), args.cases)
    except CasesError as exc:  # an unreadable file or line: named, no traceback
        print(f"python -m advisor.verdicts: error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        for m in score.misses:
            print(f"line {m.line}: {m.topic} expected {m.expected}, got {m.got} ({m.rule or 'no entry'})")
    print(f"verdicts right: {score.right}/{score.lines}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
