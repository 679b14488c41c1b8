"""``python -m classifier bench``: start-up, single requests, batches, ``predict``, scaling.

Every figure comes from a fresh Python process pinned to one core (the machine's first
allowed core), so timings and peak RSS are the measured program's own:

- start-up with a warm cache: a new process imports, loads the knowledge base and the
  cached served model, and answers once (target under 1 s);
- single requests: ``classify`` called once per request, one after the other, on perturbed
  knowledge-base examples (a letter dropped or swapped every 25 characters, so most
  requests hold words the model never saw): p50, p99, and requests a second (targets:
  p99 under 1 ms, at least 2,000 a second), beside the batch figure (``classify_many``);
  and p50/p99 over ``eval/dev.jsonl``, requests written apart from the training examples;
- ``python -m classifier predict``: the same requests through the command, one line
  each, written all at once (streamed) and one at a time waiting for each answer
  (ping-pong); both count the process's start-up (target: at least 2,000 a second);
- ``bot.py briefs`` in a fresh process on a database holding briefs (target under 0.5 s);
- scaling: a scale of k clones every topic k-1 times under new ids (``blog_x2``...) with
  perturbed examples and aliases, and the combos and out-of-scope examples with them. The
  clones are near-copies of their originals, the hardest negatives there are, so fitting
  grows faster than the data: the default scales 1 5 10 take about 18 minutes;
  ``--scales 1`` about 30 s.
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
import threading
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

from knowledge.models import Combo, KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
START_UP = (
    "import time; t0 = time.perf_counter()\n"
    "import sys\n"
    "from knowledge import load_knowledge_base\n"
    "from classifier import load_classifier\n"
    "t1 = time.perf_counter(); kb = load_knowledge_base({kb!r}); t2 = time.perf_counter()\n"
    "clf = load_classifier(kb, cache_dir={cache!r}); clf.classify('un blogue')\n"
    "print(t1 - t0, t2 - t1, time.perf_counter() - t2, int('sklearn' in sys.modules))\n"
)
ONE_CORE = {**os.environ, **{v: "1" for v in (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}}
TARGETS = {"start_s": 1.0, "p99_ms": 1.0, "single_rps": 2000, "predict_rps": 2000, "briefs_s": 0.5}


def rss_mb() -> float:
    """This process's peak resident memory since it started (VmHWM: unlike ``ru_maxrss``,
    not inherited from the parent that forked it), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pin() -> None:
    """One core, as in production (the benchmark's children call this first)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


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


def requests_for(kb: KnowledgeBase, n: int, seed: int = 1) -> list[str]:
    """`n` perturbed requests drawn from the base's own examples."""
    from .training import examples

    rng = random.Random(seed)
    pool = [e.text for e in examples(kb)]
    return [_perturb(rng.choice(pool), rng) for _ in range(n)]


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


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(kb_path: str | None, k: int, requests: int) -> dict[str, Any]:
    """Run in the child process: every in-process figure for one scale."""
    from knowledge import load_knowledge_base

    from .cache import cache_key, cache_path, read_cache, write_cache
    from .serving import ServedClassifier
    from .training import fit_kb

    _pin()
    kb = scaled(load_knowledge_base(kb_path), k)
    texts = requests_for(kb, requests)
    out: dict[str, Any] = {"scale": k, "topics": len(kb.topics)}
    t = time.perf_counter()
    served = ServedClassifier.from_fitted(fit_kb(kb))
    out["fit_s"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as cache:
        key = cache_key(kb, {})
        path = cache_path(key, cache)
        write_cache(path, key, served)
        t = time.perf_counter()
        clf = read_cache(path, key)
        out["cache_load_s"] = time.perf_counter() - t
        out["cache_bytes"] = path.stat().st_size
    assert clf is not None
    clf.classify("warm up")
    lat, cpu = [], []
    for text in texts:
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        clf.classify(text)
        cpu.append((time.thread_time_ns() - c0) / 1e6)
        lat.append((time.perf_counter_ns() - t0) / 1e6)
    out["single_rps"] = len(lat) / (sum(lat) / 1000)
    out["single_cpu_rps"] = len(cpu) / (sum(cpu) / 1000)
    lat.sort()
    cpu.sort()
    out["p50_ms"], out["p99_ms"] = statistics.median(lat), percentile(lat, 0.99)
    out["cpu_p50_ms"], out["cpu_p99_ms"] = statistics.median(cpu), percentile(cpu, 0.99)
    dev = ROOT / "eval" / "dev.jsonl"
    if k == 1 and dev.is_file():  # requests written apart from the training examples
        lat = []
        for line in dev.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"] if line.strip() else ""
            t0 = time.perf_counter_ns()
            clf.classify(text)
            lat.append((time.perf_counter_ns() - t0) / 1e6)
        lat.sort()
        out["dev"] = {"n": len(lat), "p50_ms": statistics.median(lat), "p99_ms": percentile(lat, 0.99)}
    t = time.perf_counter()
    clf.classify_many(texts)
    out["batch_rps"] = len(texts) / (time.perf_counter() - t)
    tracemalloc.start()
    clf.classify_many(texts)
    out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    out["maxrss_mb"] = rss_mb()
    return out


def _warm_cache(kb: KnowledgeBase, cache: str) -> None:
    """Fit once with and without embeddings (the embeddings of the base are cached per text)."""
    from .cache import load_classifier

    load_classifier(kb, cache_dir=cache, embeddings=False)
    load_classifier(kb, cache_dir=cache)


def cascade(kb_path: str | None, cache: str) -> dict[str, Any]:
    """Run in a child process with ``PLAN_FIRST_EMBEDDINGS`` set: load (warm cache), memory,
    and the dev set's requests one at a time, timed per path (n-grams, embeddings)."""
    from knowledge import load_knowledge_base

    from .cache import load_classifier

    _pin()
    rss = rss_mb
    kb = load_knowledge_base(kb_path)
    out: dict[str, Any] = {"rss_start_mb": rss()}
    t = time.perf_counter()
    clf = load_classifier(kb, cache_dir=cache)
    out["load_s"], out["rss_loaded_mb"] = time.perf_counter() - t, rss()
    clf.classify("un blogue")
    embedder = getattr(clf, "embedder", None)
    if callable(embedder):
        t = time.perf_counter()
        found = embedder()
        out["embedder_load_s"], out["rss_embedder_mb"] = time.perf_counter() - t, rss()
        out["embedder"] = getattr(found, "id", None)
    dev = ROOT / "eval" / "dev.jsonl"
    texts = [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_path: dict[str, list[tuple[float, float]]] = {}
    for text in texts:
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        if hasattr(clf, "classify_path"):
            path = clf.classify_path(text)[1]
        else:
            clf.classify(text)
            path = "ngrams"
        by_path.setdefault(path, []).append(((time.perf_counter_ns() - t0) / 1e6, (time.thread_time_ns() - c0) / 1e6))

    def spread(pairs: list[tuple[float, float]]) -> dict[str, float]:
        wall, cpu = sorted(p[0] for p in pairs), sorted(p[1] for p in pairs)
        return {"p50_ms": statistics.median(wall), "p99_ms": percentile(wall, 0.99),
                "cpu_p50_ms": statistics.median(cpu), "cpu_p99_ms": percentile(cpu, 0.99)}

    every = [x for v in by_path.values() for x in v]
    out["n"] = len(every)
    out["whole"] = spread(every)
    out["paths"] = {p: {"share": len(v) / len(every), **spread(v)} for p, v in sorted(by_path.items())}
    out["rss_end_mb"] = rss()
    return out


def cascade_runs(kb_path: str | None, cache: str) -> dict[str, dict[str, Any]]:
    """With the configured embedding model, and without (``off``), each in a fresh process."""
    from .embeddings import chosen_model

    out = {}
    for model in dict.fromkeys([chosen_model() or "off", "off"]):
        env = {**ONE_CORE, "PLAN_FIRST_EMBEDDINGS": model}
        code = f"from classifier.bench import cascade; import json; print(json.dumps(cascade({kb_path!r}, {cache!r})))"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                              check=True)
        out[model] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def start_up(kb_path: str | None, cache: str, embeddings: str = "off") -> dict[str, float]:
    """A new process with a warm cache: import, load the base and the model, answer once."""
    code = START_UP.format(kb=kb_path, cache=cache)
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                              env={**ONE_CORE, "PLAN_FIRST_EMBEDDINGS": embeddings}, preexec_fn=_pin, cwd=ROOT)
        runs.append((time.perf_counter() - t, *map(float, done.stdout.split())))
    wall, imports, kb_s, clf_s, sklearn = sorted(runs)[len(runs) // 2]
    return {"wall": wall, "imports": imports, "kb": kb_s, "classifier": clf_s, "sklearn": sklearn}


def _predict_cmd(kb_path: str | None) -> list[str]:
    return [sys.executable, "-m", "classifier", "predict", *(["--kb", kb_path] if kb_path else [])]


def predict_rates(kb_path: str | None, cache: str, texts: list[str], embeddings: str = "off") -> dict[str, float]:
    """``python -m classifier predict`` pinned to one core, with a warm cache.

    Streamed: every line written at once (a writer thread), answers timed as they come:
    the first answer's delay (start-up) and the rate from the first answer to the last.
    Ping-pong: one line, wait for its answer, the next (request latency through the pipe).
    """
    env = {**ONE_CORE, "PLAN_FIRST_CACHE": cache, "PLAN_FIRST_EMBEDDINGS": embeddings}
    lines = [t.replace("\n", " ") + "\n" for t in texts]
    t0 = time.perf_counter()
    proc = subprocess.Popen(_predict_cmd(kb_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=env, preexec_fn=_pin, cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    stdin = proc.stdin

    def write() -> None:
        stdin.writelines(lines)
        stdin.close()

    writer = threading.Thread(target=write)
    writer.start()
    proc.stdout.readline()
    first = time.perf_counter()
    count = 1 + sum(1 for _ in proc.stdout)
    last = time.perf_counter()
    writer.join()
    proc.wait()
    assert count == len(texts)
    out = {"start_s": first - t0, "streamed_rps": (count - 1) / (last - first),
           "streamed_total_rps": count / (last - t0)}
    proc = subprocess.Popen(_predict_cmd(kb_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=env, preexec_fn=_pin, cwd=ROOT, bufsize=1)
    assert proc.stdin is not None and proc.stdout is not None
    lat = []
    for line in lines:
        t = time.perf_counter()
        proc.stdin.write(line)
        proc.stdin.flush()
        proc.stdout.readline()
        lat.append(time.perf_counter() - t)
    proc.stdin.close()
    proc.wait()
    steady = sorted(lat[1:])  # the first one waits for the start-up
    out["pingpong_rps"] = len(steady) / sum(steady)
    out["pingpong_p50_ms"], out["pingpong_p99_ms"] = 1000 * statistics.median(steady), 1000 * percentile(steady, 0.99)
    return out


def briefs_start() -> float:
    """Median wall time of ``bot.py briefs`` in a fresh process, on a database with briefs."""
    from storage.sqlite_store import SqliteStore

    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "bench.sqlite3")
        store = SqliteStore(db)
        for i in range(30):
            store.save_brief(key=f"console:{i}", user_id="bench", guild_id="", lang="fr",
                             request=f"on veut un blogue {i}", markdown="# Brief\n", data={})
        store.close()
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run([sys.executable, "bot.py", "briefs", "--db", db], check=True, capture_output=True,
                           env=ONE_CORE, preexec_fn=_pin, cwd=ROOT)
            runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def _mark(value: float, target: float, above: bool = False) -> str:
    ok = value >= target if above else value < target
    return f"{'met' if ok else 'MISSED'}: {'>=' if above else '<'} {target:,}"


def run(kb: KnowledgeBase, *, scales: list[int], requests: int) -> str:
    from .embeddings import chosen_model

    kb_path = kb.path
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = []
    for k in scales:
        cmd = [sys.executable, "-m", "classifier.bench", str(k), str(requests), kb_path]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=ONE_CORE, cwd=ROOT)
        rows.append(json.loads(done.stdout))
    with tempfile.TemporaryDirectory() as cache:
        _warm_cache(kb, cache)
        start = start_up(kb_path, cache)
        model = chosen_model()
        start_emb = start_up(kb_path, cache, model) if model else None
        cascades = cascade_runs(kb_path, cache)
        rates = predict_rates(kb_path, cache, requests_for(kb, max(requests, 5000), seed=2))
    briefs = briefs_start()
    base = next((r for r in rows if r["scale"] == 1), None)
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        (f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average {load_before:.1f} before and "
         f"{load_after:.1f} after (other programs share the cores: figures vary with it)"),
        "Targets on one core (issue 11, the n-gram model): " + ", ".join(f"{k} {v}" for k, v in TARGETS.items()),
        (f"start-up, new process, warm cache: {start['wall']:.2f} s wall ({_mark(start['wall'], 1.0)} s; "
         f"imports {start['imports']:.2f} s, knowledge base {start['kb']:.2f} s, cached classifier + first "
         f"answer {start['classifier']:.3f} s; scikit-learn imported: {'yes' if start['sklearn'] else 'no'})"),
    ]
    if start_emb:
        lines.append(f"start-up with embeddings ({model}), warm cache: {start_emb['wall']:.2f} s wall "
                     f"({_mark(start_emb['wall'], 1.5)} s; the embedding model loads when a request first needs it)")
    if base:
        lines.append(
            f"single requests, in process (1x): p50 {base['p50_ms']:.3f} ms, p99 {base['p99_ms']:.3f} ms "
            f"({_mark(base['p99_ms'], 1.0)} ms), {base['single_rps']:,.0f} req/s "
            f"({_mark(base['single_rps'], 2000, above=True)}); batch {base['batch_rps']:,.0f} req/s")
        lines.append(
            f"  the same, CPU time of the thread (what the code costs when it has the core): p50 "
            f"{base['cpu_p50_ms']:.3f} ms, p99 {base['cpu_p99_ms']:.3f} ms ({_mark(base['cpu_p99_ms'], 1.0)} ms), "
            f"{base['single_cpu_rps']:,.0f} req/s ({_mark(base['single_cpu_rps'], 2000, above=True)})")
        if "dev" in base:
            dev = base["dev"]
            lines.append(f"single requests over eval/dev.jsonl ({dev['n']} requests never trained on): "
                         f"p50 {dev['p50_ms']:.3f} ms, p99 {dev['p99_ms']:.3f} ms")
    lines += [
        (f"python -m classifier predict: first answer after {rates['start_s']:.2f} s, then streamed "
         f"{rates['streamed_rps']:,.0f} req/s ({_mark(rates['streamed_rps'], 2000, above=True)}; "
         f"{rates['streamed_total_rps']:,.0f} req/s counting the start-up); one at a time, waiting for each "
         f"answer: {rates['pingpong_rps']:,.0f} req/s ({_mark(rates['pingpong_rps'], 2000, above=True)}), "
         f"p50 {rates['pingpong_p50_ms']:.3f} ms, p99 {rates['pingpong_p99_ms']:.3f} ms"),
        f"bot.py briefs, fresh process: {briefs:.2f} s wall ({_mark(briefs, 0.5)} s)",
        f"{requests} single requests per scale (perturbed knowledge-base examples), one core",
        ("scale topics   fit s  cache load s  cache MB  p50 ms  p99 ms  single req/s  batch req/s"
         "  tracemalloc MB  maxrss MB"),
    ]
    for r in rows:
        lines.append(
            f"{r['scale']:>4}x {r['topics']:>6} {r['fit_s']:>7.2f} {r['cache_load_s']:>13.3f}"
            f" {r['cache_bytes'] / 2**20:>9.1f} {r['p50_ms']:>7.3f} {r['p99_ms']:>7.3f} {r['single_rps']:>13,.0f}"
            f" {r['batch_rps']:>12,.0f} {r['tracemalloc_peak_mb']:>15.1f} {r['maxrss_mb']:>10.0f}"
        )
    lines.append("tracemalloc: peak of Python allocations while classifying the batch;"
                 " maxrss: the whole scale's process, fitting included")
    lines += cascade_lines(cascades)
    return "\n".join(lines)


def cascade_lines(runs: dict[str, dict[str, Any]]) -> list[str]:
    """The cascade's figures (issue 15 targets: whole p50 < 10 ms, p99 < 250 ms over the dev set)."""
    lines = ["", "Cascade over eval/dev.jsonl, one request at a time, one core (targets: whole p50 < 10 ms, "
             "p99 < 250 ms; start-up with a warm cache < 1.5 s):"]
    for model, r in runs.items():
        title = "n-grams alone (PLAN_FIRST_EMBEDDINGS=off)" if model == "off" else f"with embeddings ({model})"
        lines.append(f"  {title}: model load {r['load_s']:.2f} s, peak RSS {r['rss_loaded_mb']:.0f} MB once loaded")
        if "embedder_load_s" in r:
            extra = r["rss_embedder_mb"] - r["rss_loaded_mb"]
            lines.append(f"    embedding model ({r['embedder']}) load {r['embedder_load_s']:.2f} s, "
                         f"RSS {r['rss_embedder_mb']:.0f} MB after (+{extra:.0f} MB)")
        if "rss_end_mb" in r:  # a memory-mapped model's pages come in as requests use them
            lines.append(f"    peak RSS after the requests: {r['rss_end_mb']:.0f} MB")
        whole = r["whole"]
        lines.append(f"    whole: {r['n']} requests, p50 {whole['p50_ms']:.2f} ms ({_mark(whole['p50_ms'], 10.0)} ms), "
                     f"p99 {whole['p99_ms']:.2f} ms ({_mark(whole['p99_ms'], 250.0)} ms); CPU p50 "
                     f"{whole['cpu_p50_ms']:.2f} ms, p99 {whole['cpu_p99_ms']:.2f} ms")
        for path, p in r["paths"].items():
            lines.append(f"    path {path:<12} {p['share']:>6.1%} of requests, p50 {p['p50_ms']:.2f} ms, "
                         f"p99 {p['p99_ms']:.2f} ms (CPU {p['cpu_p50_ms']:.2f} / {p['cpu_p99_ms']:.2f} ms)")
    return lines


if __name__ == "__main__":
    scale, n = int(sys.argv[1]), int(sys.argv[2])
    print(json.dumps(measure(sys.argv[3] if len(sys.argv) > 3 else None, scale, n)))
