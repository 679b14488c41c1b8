"""Metrics over labelled cases (the format of eval/sample.jsonl).

Definitions (an out-of-scope case expects the empty set):

- ``primary_accuracy``: over all cases; an in-scope case is right when the first
  predicted topic is one of the expected ones, an out-of-scope case when nothing is
  predicted. ``primary_accuracy_in_scope``: the same over in-scope cases only.
- ``topic_set``: micro precision/recall/F1 over (case, topic id) pairs (an
  out-of-scope case can only add false positives), ``mean_jaccard`` (|P∩E|/|P∪E|, 1 when
  both are empty) and ``exact`` (predicted set == expected set).
- ``out_of_scope``: precision/recall/F1 of "predicted nothing" for "expected nothing".
- ``by_kind``: per ``kind``, the number of cases, primary accuracy, exact-set accuracy
  and mean Jaccard.
- ``confusions``: for each case whose set is wrong, every (expected but missed,
  predicted but wrong) pair, ``-`` standing for "nothing"; most frequent first.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NONE = "-"
MAX_LINE_BYTES = 1_000_000
"""A case longer than this is not a request (and `/dev/zero` has no end of line)."""


class CasesError(ValueError):
    """An unreadable or malformed cases file; the message names the file and line."""


@dataclass(frozen=True)
class Case:
    text: str
    expected: tuple[str, ...]
    kind: str = ""
    lang: str = ""
    id: str = ""
    line: int = 0


def _lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """(number, text) of each line, read a bounded line at a time (never the whole of a device)."""
    try:
        with open(path, "rb") as file:
            for n in itertools.count(1):
                raw = file.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    return
                if len(raw) > MAX_LINE_BYTES:
                    raise CasesError(f"{path}:{n}: line longer than {MAX_LINE_BYTES:,} bytes: not a case")
                try:
                    yield n, raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise CasesError(f"{path}:{n}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise CasesError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def json_objects(path: str | Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line of a JSON-lines file, read a bounded
    line at a time; an unreadable file or line raises ``CasesError`` naming the file and line.
    The labelled sets of every scorer (topics, capacity phrasings, verdicts) go through it."""
    for n, line in _lines(path):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except RecursionError as exc:
            raise CasesError(f"{path}:{n}: JSON nested too deeply") from exc
        except ValueError as exc:
            raise CasesError(f"{path}:{n}: {exc}") from exc


def read_cases(path: str | Path) -> list[Case]:
    cases = []
    for n, obj in json_objects(path):
        try:
            if not isinstance(obj, dict):
                raise TypeError("each line must be a JSON object with `text` and `expected`")
            text, expected = obj["text"], obj["expected"]
            if not isinstance(text, str) or not isinstance(expected, list) or not all(
                isinstance(t, str) for t in expected
            ):
                raise TypeError("`text` must be a string and `expected` a list of topic ids")
        except (KeyError, TypeError) as exc:
            detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise CasesError(f"{path}:{n}: {detail}") from exc
        cases.append(Case(text, tuple(expected), str(obj.get("kind", "")),
                          str(obj.get("lang", "")), str(obj.get("id", n)), line=n))
    if not cases:
        raise CasesError(f"{path}: no cases")
    return cases


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _jaccard(pred: set[str], exp: set[str]) -> float:
    return 1.0 if not pred and not exp else len(pred & exp) / len(pred | exp)


def _mean(xs: Sequence[float]) -> float:
    return round(sum(xs) / len(xs), 4) if xs else 0.0


def _primary_ok(pred: Sequence[str], exp: Sequence[str]) -> bool:
    return not pred if not exp else bool(pred) and pred[0] in exp


def metrics(cases: Sequence[Case], predictions: Sequence[Sequence[str]]) -> dict[str, Any]:
    """All metrics for `predictions` (topic ids per case, best first)."""
    if len(cases) != len(predictions):
        raise ValueError("one prediction per case")
    tp = fp = fn = 0
    oos = Counter[str]()
    kinds: dict[str, list[tuple[bool, bool, float]]] = defaultdict(list)
    confusions = Counter[tuple[str, str]]()
    primary, primary_in, jaccards, exact = [], [], [], []
    for case, pred_list in zip(cases, predictions, strict=True):
        pred, exp = set(pred_list), set(case.expected)
        tp, fp, fn = tp + len(pred & exp), fp + len(pred - exp), fn + len(exp - pred)
        ok = _primary_ok(pred_list, case.expected)
        primary.append(ok)
        if exp:
            primary_in.append(ok)
        jac = _jaccard(pred, exp)
        jaccards.append(jac)
        exact.append(pred == exp)
        kinds[case.kind or NONE].append((ok, pred == exp, jac))
        oos[("t" if not pred else "f") + ("p" if not exp else "n")] += 1
        if pred != exp:
            missed, wrong = sorted(exp - pred) or [NONE], sorted(pred - exp) or [NONE]
            confusions.update((m, w) for m in missed for w in wrong)
    return {
        "cases": len(cases),
        "primary_accuracy": _mean(primary),
        "primary_accuracy_in_scope": _mean(primary_in),
        "topic_set": {**_prf(tp, fp, fn), "mean_jaccard": _mean(jaccards), "exact": _mean(exact)},
        "out_of_scope": {**_prf(oos["tp"], oos["tn"], oos["fp"]), "support": oos["tp"] + oos["fp"]},
        "by_kind": {
            kind: {"n": len(rows), "primary_accuracy": _mean([r[0] for r in rows]),
                   "exact": _mean([r[1] for r in rows]), "mean_jaccard": _mean([r[2] for r in rows])}
            for kind, rows in sorted(kinds.items())
        },
        "confusions": [
            {"expected": e, "predicted": p, "count": n} for (e, p), n in confusions.most_common(10)
        ],
    }


def report(m: dict[str, Any]) -> str:
    """`metrics` as text for a person."""
    ts, oos = m["topic_set"], m["out_of_scope"]
    lines = [
        f"cases: {m['cases']}",
        (f"primary topic accuracy: {m['primary_accuracy']:.3f} "
         f"(in scope only: {m['primary_accuracy_in_scope']:.3f})"),
        (f"topic-set F1 (micro over topic ids): {ts['f1']:.3f} "
         f"(P {ts['precision']:.3f}, R {ts['recall']:.3f}); "
         f"mean per-case Jaccard: {ts['mean_jaccard']:.3f}; exact set: {ts['exact']:.3f}"),
        (f"out of scope: precision {oos['precision']:.3f}, recall {oos['recall']:.3f}, "
         f"F1 {oos['f1']:.3f} ({oos['support']} cases)"),
        "by kind:       n  primary  exact  jaccard",
    ]
    for kind, k in m["by_kind"].items():
        lines.append(f"  {kind:<10} {k['n']:>4}  {k['primary_accuracy']:.3f}    "
                     f"{k['exact']:.3f}  {k['mean_jaccard']:.3f}")
    lines.append("most frequent confusions (expected but missed -> predicted but wrong; - = none):")
    lines += [f"  {c['expected']} -> {c['predicted']}: {c['count']}" for c in m["confusions"]]
    if not m["confusions"]:
        lines.append("  none")
    return "\n".join(lines)
