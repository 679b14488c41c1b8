"""Benchmark: concurrent intakes in several processes on one shared store (not a test).

    python -m benchmarks.store_bench --store postgresql --pg URL [--workers 4] [--intakes 250]
    python -m benchmarks.store_bench --store sqlite [--workers 1] [--intakes 1000]

Each worker is a separate process (a bot process, or a shard) with its own runtime: the
shipped knowledge base, the classifier, the real `AdvisorService` and its own connection(s)
to the store. It runs `--intakes` conversations at once, their turns interleaved round-robin
as in a busy server: every turn loads the conversation, runs the engine and saves it back by
compare-and-set. Each intake is a scripted client (a real request, an objective, capacity
answers, "brief"...).

`--shared` is the share of intakes that two workers drive at the same time (the same
conversation reached through two processes: a double click, two shards after a re-sharding,
two consoles); their turns collide, and the compare-and-set makes one of them run again.

Printed: turns/s (all workers, from the moment all are ready), turn latency p50/p99 (one
`handle` call, retries included), conflicts retried, messages refused as busy after
MAX_ATTEMPTS (the user is told), and turns lost: for every conversation, messages that got
an answer minus turns stored. It must be 0.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ANSWERS = ("1", "2", "3", "je ne sais pas", "c'est moi le soir, une heure par semaine", "notre équipe marketing")
MESSAGES = 10


class CountingStore:
    """The store, counting the compare-and-set refusals the service then retries."""

    def __init__(self, store: Any) -> None:
        self.store, self.conflicts = store, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def save_turn(self, *args: Any, **kwargs: Any) -> Any:
        from storage import ConversationConflict

        try:
            return self.store.save_turn(*args, **kwargs)
        except ConversationConflict:
            self.conflicts += 1
            raise


def scripts(total: int, seed: int, requests: list[str]) -> dict[str, list[str]]:
    rng = random.Random(seed)
    return {f"bench:{i}": [rng.choice(requests), "1", *(rng.choice(ANSWERS) for _ in range(MESSAGES - 3)), "brief"]
            for i in range(total)}


def worker(index: int, keys: list[str], total: int, target: str, seed: int, ready: Any, go: Any,
           results: Any) -> None:
    from knowledge import load_knowledge_base
    from runtime import build_runtime

    runtime = build_runtime(db_path=target)
    model = runtime.classifier.get()  # loaded (and the embedding model too) before the clock starts
    if runtime.reader is not None:
        runtime.reader.get()  # the capacity reader too
    embedder = getattr(model, "embedder", None)
    if callable(embedder):
        embedder()
    counting = CountingStore(runtime.store)
    runtime.advisor.store = counting
    kb = load_knowledge_base()
    requests = [e for t in kb.topics.values() for e in t.examples.get("fr", ())]
    plan = scripts(total, seed, requests)
    busy = {kb.msg("conversation_busy", lang) for lang in ("fr", "en")}
    latencies: list[float] = []
    answered: dict[str, int] = dict.fromkeys(keys, 0)
    refused = 0
    ready.wait()
    go.wait()
    started = time.perf_counter()
    for turn in range(MESSAGES):
        for key in keys:
            t0 = time.perf_counter()
            replies = runtime.advisor.handle(key, plan[key][turn], user_id=key)
            latencies.append(time.perf_counter() - t0)
            if any(r.kind == "error" and r.text in busy for r in replies):
                refused += 1
            else:
                answered[key] += 1
    ended = time.perf_counter()
    runtime.store.close()
    results.put({"worker": index, "start": started, "end": ended, "latencies": latencies, "answered": answered,
                 "conflicts": counting.conflicts, "refused": refused})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--pg", default=os.environ.get("PLANFIRST_TEST_PG", ""),
                        help="PostgreSQL URL of an EMPTY database (default: $PLANFIRST_TEST_PG)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: 4 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--intakes", type=int, default=None,
                        help="concurrent intakes per worker (default: 250 x 4 workers, or 1000 in one)")
    parser.add_argument("--shared", type=float, default=0.1, help="share of intakes two workers drive at once")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    workers = args.workers or (4 if args.store == "postgresql" else 1)
    per_worker = args.intakes or (1000 // workers)
    if args.store == "postgresql":
        if not args.pg:
            parser.error("--pg URL (or PLANFIRST_TEST_PG) is needed for --store postgresql")
        target = args.pg
    else:
        target = str(Path(tempfile.mkdtemp(prefix="store-bench-")) / "bench.sqlite3")
    from storage import open_store

    load = os.getloadavg()[0]
    settings = ""
    with open_store(target) as store:  # schema ready before the workers race to it
        if store.load_turn("bench:0") is not None:
            parser.error(f"{store.path} already holds benchmark conversations: give an empty database")
        if args.store == "postgresql":
            shown = store._read("SELECT name, setting FROM pg_settings WHERE name IN "
                                "('fsync', 'synchronous_commit', 'server_version') ORDER BY name")
            settings = "; server " + ", ".join(f"{row['name']}={row['setting']}" for row in shown)
    total = workers * per_worker
    own = [[f"bench:{i}" for i in range(w, total, workers)] for w in range(workers)]
    shared = 0
    if workers > 1 and args.shared > 0:  # every n-th intake of a worker is also driven by the next one
        step = max(1, round(1 / args.shared))
        extras = [keys[::step] for keys in own]
        for w in range(workers):
            own[(w + 1) % workers] = sorted({*own[(w + 1) % workers], *extras[w]}, key=lambda k: int(k.split(":")[1]))
        shared = sum(len(extra) for extra in extras)
    ctx = mp.get_context("spawn")
    ready, go, results = ctx.Barrier(workers + 1), ctx.Barrier(workers + 1), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(w, own[w], total, target, args.seed, ready, go, results))
             for w in range(workers)]
    for proc in procs:
        proc.start()
    ready.wait()  # every worker has loaded its runtime
    go.wait()
    reports = [results.get(timeout=3600) for _ in procs]
    for proc in procs:
        proc.join()
    wall = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    latencies = [x * 1000 for r in reports for x in r["latencies"]]
    answered: dict[str, int] = {}
    for report in reports:
        for key, count in report["answered"].items():
            answered[key] = answered.get(key, 0) + count
    with open_store(target) as store:
        stored = {key: (store.load_conversation(key) or {}).get("turn", 0) for key in answered}
        briefs = len(store.list_briefs(limit=10**6))
    lost = sum(max(0, answered[k] - stored[k]) for k in answered)
    extra = sum(max(0, stored[k] - answered[k]) for k in answered)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.platform()}; load average before the run {load:.2f}")
    print(f"store: {args.store} ({store.path}{settings}); workers: {workers} x {per_worker} concurrent intakes "
          f"({shared} driven by two workers); {MESSAGES} messages each")
    print(f"turns: {len(latencies)} in {wall:.2f} s -> {len(latencies) / wall:.0f} turns/s")
    print(f"turn latency ms: p50 {percentile(latencies, 0.50):.2f}  p99 {percentile(latencies, 0.99):.2f}  "
          f"max {max(latencies):.2f}  mean {statistics.mean(latencies):.2f}")
    print(f"conflicts retried: {sum(r['conflicts'] for r in reports)}; refused as busy (user told): "
          f"{sum(r['refused'] for r in reports)}; briefs saved: {briefs}")
    print(f"turns lost: {lost}" + (f"; turns stored twice: {extra}" if extra else ""))
    return 1 if lost or extra else 0


if __name__ == "__main__":
    sys.exit(main())
