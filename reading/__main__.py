"""`python -m reading`: the reader's cross-validated figures, and its score on a labelled file.

    python -m reading cv                      # per field: threshold, right / wrong / asked out of fold
    python -m reading evaluate CASES.jsonl    # lines {"text", "expected": {field: choice|"unknown"}}
    python -m reading read "TEXT" [--pending FIELD]

`evaluate` counts a line right when every expected field reads exactly as expected
("unknown": must stay unread) and prints each miss.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reading")
    parser.add_argument("--kb", help="knowledge base folder")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("cv", help="cross-validated thresholds and figures per field")
    sub.add_parser("weights", help="compare embedding weights by cross-validation (slow)")
    evaluate = sub.add_parser("evaluate", help="score a labelled JSONL file")
    evaluate.add_argument("cases")
    evaluate.add_argument("--quiet", action="store_true", help="only the totals")
    read = sub.add_parser("read", help="read one text")
    read.add_argument("text")
    read.add_argument("--pending", help="the field whose question the text answers")
    args = parser.parse_args(argv)

    from knowledge import KnowledgeBaseError, load_knowledge_base

    try:
        kb = load_knowledge_base(args.kb)
    except KnowledgeBaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    from . import load_reader

    reader = load_reader(kb)
    if args.command == "cv":
        if reader.model is None:
            print("no reading examples in this knowledge base")
            return 0
        for field_id, fm in reader.model.fields.items():
            f = fm.cv_figures
            print(f"{field_id:18} choice acc {f['choice_accuracy']:.3f}  free: t={f['free_threshold']:.3f} "
                  f"route>={f['free_route']:.2f} right {f['free_right']:.0f} wrong "
                  f"{f['free_wrong']:.0f} asked {f['free_asked']:.0f} / {f['free_rows']:.0f}   answer: "
                  f"t={f['answer_threshold']:.3f} right {f['answer_right']:.0f} wrong {f['answer_wrong']:.0f} "
                  f"asked {f['answer_asked']:.0f} / {f['answer_rows']:.0f}")
        return 0
    if args.command == "weights":
        from .model import compare_embed_weights

        if reader.embedder is None:
            print("no sentence embeddings installed: nothing to compare")
            return 0
        for weight, accuracy in compare_embed_weights(kb, reader.embedder).items():
            print(f"embedding weight {weight:g}: mean choice accuracy {accuracy:.3f}")
        return 0
    if args.command == "read":
        found = reader.read(args.text, args.pending)
        out = {f: {"choice": r.choice, "confidence": round(r.confidence, 3), "evidence": r.evidence,
                   "source": r.source} for f, r in found.answers.items()}
        print(json.dumps({"answers": out, "unsure": sorted(found.unsure)}, ensure_ascii=False, indent=2))
        return 0
    return _evaluate(reader, args.cases, args.quiet)


def _evaluate(reader: object, path: str, quiet: bool) -> int:
    from classifier.evaluate import CasesError

    from .reader import CapacityReader
    from .scoring import score_file

    assert isinstance(reader, CapacityReader)
    try:
        score = score_file(reader, path)
    except CasesError as exc:  # an unreadable file or line: named, no traceback
        print(f"python -m reading: error: {exc}", file=sys.stderr)
        return 2
    if not quiet:
        for miss in score.misses:
            print(f"line {miss.line}: {miss.text[:100]}\n    " + "\n    ".join(miss.fields))
    print(f"lines read right: {score.lines_right}/{score.lines}; "
          f"fields read right: {score.fields_right}/{score.fields}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
