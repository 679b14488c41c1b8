"""`bot.py roleplay --seed N --level 1|2|3 --lang fr|en [--reveal] [--json]`, on standard streams.

Standard input holds the junior's lines (one message a line; ">" starts the proposal). The
exchange and the debrief are printed as the console prints them; with `--json` the last line
of standard output is one JSON object (../shared/contract.md). `--reveal` reads nothing.
Nothing is stored. The logic is `training.roleplay.oneshot`; this module only reads and writes.
"""

from __future__ import annotations

import argparse
import secrets
from typing import TextIO

from advisor.replies import Reply
from knowledge import load_knowledge_base
from training.roleplay.oneshot import dumps, play, reveal, reveal_text
from training.roleplay.scenario import draw_scenario

from .console import plain

EXIT_USAGE = 2


def run_roleplay(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    """Exit code 0, or 2 when the base has no role-play data (KnowledgeBaseError is the caller's)."""
    kb = load_knowledge_base(args.kb)
    lang = args.lang or "fr"
    if kb.roleplay is None:
        err.write(f"{kb.msg('rp_unavailable', 'fr')}\n{kb.msg('rp_unavailable', 'en')}\n")
        return EXIT_USAGE
    seed = args.seed if args.seed is not None else secrets.randbelow(1_000_000_000)
    scenario = draw_scenario(kb, seed=seed, level=args.level, lang=lang)
    if args.reveal:
        data = reveal(kb, scenario)
        out.write((dumps(data) if args.json else reveal_text(kb, data)) + "\n")
        return 0
    debrief: Reply | None = None
    for reply in play(kb, scenario, stdin):
        _write(reply, out)
        if "debrief" in reply.data:
            debrief = reply
    if args.json and debrief is not None:
        out.write(dumps(debrief.data["debrief"]["result"]) + "\n")
    out.flush()
    return 0


def _write(reply: Reply, out: TextIO) -> None:
    if reply.data.get("debrief"):
        out.write(f"\n=== {plain(reply.title)} ===\n")
    out.write(plain(reply.text) + "\n")
    for number, option in enumerate(reply.choices, start=1):
        out.write(f"  {number}. {option.label}\n")
    if not reply.data.get("junior"):
        out.write("\n")
    out.flush()
