"""``python -m classifier bench``: fit and load times, latency, throughput, memory, scaling.

Each scale runs in a fresh Python process (``python -m classifier.bench SCALE REQUESTS
[KB]``), pinned to one core, so its timings and peak RSS are its own. A scale of k clones
every topic k-1 times under new ids (``blog_x2``...) with perturbed examples and aliases
(a letter dropped or swapped here and there), and the combos and out-of-scope examples
with them. The clones are near-copies of their originals, the hardest negatives there
are, so fitting grows faster than the data (one-vs-rest: topics x texts, and more
iterations): the default scales 1 5 10 take about 18 minutes; ``--scales 1`` about 10 s.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from typing import Any

from knowledge.models import Combo, KnowledgeBase

START_UP = (
    "import time; t0 = time.perf_counter()\n"
    "from knowledge import load_knowledge_base\n"
    "from classifier import load_classifier\n"
    "t1 = time.perf_counter(); kb = load_knowledge_base({kb!r}); t2 = time.perf_counter()\n"
    "clf = load_classifier(kb, cache_dir={cache!r}); clf.classify('un blogue')\n"
    "print(t1 - t0, t2 - t1, time.perf_counter() - t2)\n"
)


ONE_CORE = {**os.environ, **{v: "1" for v in (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}}


def _perturb(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 25)):
        if len(chars) < 4:
            break
        i = rng.randrange(len(chars) - 1)
        if rng.random() < 0.5:
            del chars[i]
        else:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def scaled(kb: KnowledgeBase, k: int, seed: int = 0) -> KnowledgeBase:
    """`kb` with k times as many topics, combos and out-of-scope examples."""
    if k <= 1:
        return kb
    rng = random.Random(seed)
    topics = dict(kb.topics)
    combos = list(kb.combos)
    oos = {lang: list(texts) for lang, texts in kb.out_of_scope.items()}
    for copy in range(2, k + 1):
        suffix = f"_x{copy}"
        def new_id(topic_id: str, suffix: str = suffix) -> str:
            return topic_id + suffix
        for t in kb.topics.values():
            topics[new_id(t.id)] = replace(
                t, id=new_id(t.id),
                aliases={lang: tuple(_perturb(a, rng) for a in v) for lang, v in t.aliases.items()},
                examples={lang: tuple(_perturb(e, rng) for e in v) for lang, v in t.examples.items()},
            )
        combos += [Combo(_perturb(c.text, rng), c.lang, tuple(map(new_id, c.topics))) for c in kb.combos]
        for lang, texts in kb.out_of_scope.items():
            oos[lang] += [_perturb(x, rng) for x in texts]
    return replace(kb, topics=topics, combos=tuple(combos),
                   out_of_scope={lang: tuple(v) for lang, v in oos.items()},
                   content_hash=f"{kb.content_hash}:x{k}")


def measure(kb_path: str | None, k: int, requests: int) -> dict[str, Any]:
    """Run in the child process: every figure for one scale."""
    from knowledge import load_knowledge_base

    from .cache import cache_key, cache_path, load_classifier, write_cache
    from .training import examples, fit_kb

    if hasattr(os, "sched_setaffinity"):  # one core, as in production
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    kb = scaled(load_knowledge_base(kb_path), k)
    rng = random.Random(1)
    pool = [e.text for e in examples(kb)]
    texts = [_perturb(rng.choice(pool), rng) for _ in range(requests)]
    out: dict[str, Any] = {"scale": k, "topics": len(kb.topics), "training_texts": len(pool)}
    t = time.perf_counter()
    clf = fit_kb(kb)
    out["fit_s"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as cache:
        path = cache_path(cache_key(kb, {}), cache)
        write_cache(path, cache_key(kb, {}), clf)
        t = time.perf_counter()
        clf = load_classifier(kb, cache_dir=cache)
        out["cache_load_s"] = time.perf_counter() - t
        out["cache_bytes"] = path.stat().st_size
    clf.classify("warm up")
    lat = []
    for text in texts:
        t0 = time.perf_counter_ns()
        clf.classify(text)
        lat.append((time.perf_counter_ns() - t0) / 1e6)
    lat.sort()
    out["p50_ms"] = statistics.median(lat)
    out["p99_ms"] = lat[min(len(lat) - 1, int(0.99 * len(lat)))]
    t = time.perf_counter()
    clf.classify_many(texts)
    out["batch_rps"] = len(texts) / (time.perf_counter() - t)
    tracemalloc.start()
    clf.classify_many(texts)
    out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def start_up(kb_path: str | None) -> tuple[float, list[float]]:
    """Seconds for a new process to import, load the base, load the cached classifier and
    answer once (cache warmed by a first run): the wall time, and its three parts."""
    with tempfile.TemporaryDirectory() as cache:
        code = START_UP.format(kb=kb_path, cache=cache)
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=ONE_CORE)
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                              env=ONE_CORE)
        wall = time.perf_counter() - t
    return wall, [float(x) for x in done.stdout.split()]


def run(kb: KnowledgeBase, *, scales: list[int], requests: int) -> str:
    kb_path = kb.path
    rows = []
    for k in scales:
        cmd = [sys.executable, "-m", "classifier.bench", str(k), str(requests), kb_path]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=ONE_CORE)
        rows.append(json.loads(done.stdout))
    wall, (imports, kb_s, clf_s) = start_up(kb_path)
    lines = [
        (f"start-up, new process, warm cache: {wall:.2f} s wall (imports {imports:.2f} s, "
         f"knowledge base {kb_s:.2f} s, cached classifier + first answer {clf_s:.3f} s)"),
        f"{requests} single requests per scale (perturbed knowledge-base examples), one core",
        ("scale topics texts   fit s  cache load s  cache MB  p50 ms  p99 ms   batch req/s"
         "  tracemalloc MB  maxrss MB"),
    ]
    for r in rows:
        lines.append(
            f"{r['scale']:>4}x {r['topics']:>6} {r['training_texts']:>6} {r['fit_s']:>7.2f}"
            f" {r['cache_load_s']:>12.3f} {r['cache_bytes'] / 2**20:>9.1f} {r['p50_ms']:>7.2f}"
            f" {r['p99_ms']:>7.2f} {r['batch_rps']:>13.0f} {r['tracemalloc_peak_mb']:>15.1f}"
            f" {r['maxrss_mb']:>10.0f}"
        )
    lines.append("tracemalloc: peak of Python allocations while classifying the batch;"
                 " maxrss: the whole scale's process, fitting included")
    return "\n".join(lines)


if __name__ == "__main__":
    scale, n = int(sys.argv[1]), int(sys.argv[2])
    print(json.dumps(measure(sys.argv[3] if len(sys.argv) > 3 else None, scale, n)))
