"""Benchmark: many concurrent advisor conversations through the service, with SQLite persistence.

    python -m benchmarks.engine_bench [--conversations 1000] [--threads 1] [--db PATH]

Each simulated conversation opens with a real request drawn from the knowledge base's
examples, picks an objective, then answers capacity questions (a choice number, free
text, or "je ne sais pas") until the advice and brief come. Turns of all conversations
are interleaved, as in a busy Discord server, so every turn loads its state from SQLite
and saves it back. Prints turns/s and the latency distribution of a turn. Not part of
the test suite: figures go in the README.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from runtime import build_runtime

ANSWERS = ("1", "2", "3", "je ne sais pas", "c'est moi le soir, une heure par semaine", "notre équipe marketing")


def script_for(rng: random.Random, requests: list[str]) -> list[str]:
    return [rng.choice(requests), "1"] + [rng.choice(ANSWERS) for _ in range(8)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--db", help="SQLite file (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    db = args.db or str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    started = time.perf_counter()
    runtime = build_runtime(db_path=db)
    print(f"start-up (knowledge base + classifier + store): {time.perf_counter() - started:.2f} s")
    rng = random.Random(args.seed)
    requests = [e for t in runtime.kb.topics.values() for e in t.examples.get("fr", ())]
    scripts = {f"bench:{i}": script_for(rng, requests) for i in range(args.conversations)}
    latencies: list[float] = []
    lock = threading.Lock()

    def run(keys: list[str]) -> None:
        local: list[float] = []
        for turn in range(max(len(s) for s in scripts.values())):
            for key in keys:
                state = runtime.advisor.current(key)
                if state is not None and state.stage == "done":
                    continue
                message = scripts[key][turn]
                t0 = time.perf_counter()
                runtime.advisor.handle(key, message, user_id=key)
                local.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(local)

    keys = list(scripts)
    chunks = [keys[i::args.threads] for i in range(args.threads)]
    wall = time.perf_counter()
    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    done = sum(1 for k in keys if (s := runtime.advisor.current(k)) and s.stage == "done")
    ms = [x * 1000 for x in latencies]
    print(f"conversations: {args.conversations} ({done} reached the advice), threads: {args.threads}")
    print(f"turns: {len(ms)} in {wall:.2f} s -> {len(ms) / wall:.0f} turns/s")
    print(f"turn latency ms: p50 {percentile(ms, 0.50):.2f}  p90 {percentile(ms, 0.90):.2f}  "
          f"p99 {percentile(ms, 0.99):.2f}  max {max(ms):.2f}  mean {statistics.mean(ms):.2f}")
    print(f"briefs saved: {len(runtime.store.list_briefs(limit=100000))}; database: {db}")


if __name__ == "__main__":
    main()
