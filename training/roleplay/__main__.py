"""`python -m training.roleplay evaluate [--cases eval/roleplay_questions.jsonl] [--kb PATH] [--errors]`.

Prints the question recogniser's accuracy per language on the held-out split (every 5th
YAML example), on a labelled file of fresh questions (JSON lines: lang, text, move), and the
fit time and per-message latency of the production model; `--errors` lists every miss
(expected -> predicted, confidence, the question). Exit 2 on bad usage or an invalid
knowledge base; never a traceback for a user's mistake.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from knowledge import KnowledgeBaseError, load_knowledge_base

from . import recogniser


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.roleplay")
    sub = parser.add_subparsers(dest="command", required=True)
    evaluate = sub.add_parser("evaluate", help="the question recogniser's accuracy and speed")
    evaluate.add_argument("--cases", default="eval/roleplay_questions.jsonl", help="fresh labelled questions")
    evaluate.add_argument("--kb", default=None, help="knowledge base folder")
    evaluate.add_argument("--errors", action="store_true",
                          help="list every held-out and fresh miss (expected -> predicted, confidence, question)")
    args = parser.parse_args(argv)
    try:
        kb = load_knowledge_base(args.kb)
    except KnowledgeBaseError as exc:
        print("\n".join(str(p) for p in exc.problems), file=sys.stderr)
        return 2
    if kb.roleplay is None:
        print("no role-play data in this knowledge base (knowledge/roleplay/)", file=sys.stderr)
        return 2
    path = Path(args.cases)
    try:
        cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        print(f"{path}: cannot read the cases ({exc})", file=sys.stderr)
        return 2
    for lang in ("fr", "en"):
        held = recogniser.held_out(kb, lang)
        start = time.perf_counter()
        recogniser.fit([(t, m) for t, m, _ in recogniser.examples(kb, lang)], recogniser.cues(kb, lang))
        fit = time.perf_counter() - start
        mine = [(str(c["text"]), str(c["move"])) for c in cases if c.get("lang") == lang]
        fresh = recogniser.on_cases(kb, lang, mine)
        start = time.perf_counter()
        for text, _ in mine:
            recogniser.recognise(kb, text, lang)
        per = (time.perf_counter() - start) / max(len(mine), 1) * 1000
        print(f"{lang}: held-out {held.accuracy:.3f} ({held.total}), fresh {fresh.accuracy:.3f} ({fresh.total}), "
              f"fit {fit:.2f} s, {per:.2f} ms a message")
        print(f"    most confused (held-out): {', '.join(f'{e}->{p} x{n}' for e, p, n in held.confusions[:6])}")
        if args.errors:
            for name, result in (("held-out", held), ("fresh", fresh)):
                print(f"    {name} errors ({len(result.errors)}):")
                for text, expected, predicted, conf in sorted(result.errors, key=lambda e: (e[1], e[2])):
                    print(f"      {expected} -> {predicted} ({conf:.2f}): {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
