"""Start-up: fit the classifier once per knowledge base, then load it from disk.

What is cached is the served model (``serving.ServedClassifier``: vocabularies, weights,
thresholds, alias matcher), so loading it needs numpy and rapidfuzz but not scikit-learn:
about a tenth of a second with the imports. Fitting (scikit-learn, imported only then)
takes a few seconds, once per knowledge base; ``on_fit`` is told beforehand, with how long
the last fit took here (or an estimate from the number of examples), so a program can say
what it is doing instead of showing a blank screen.

The file is keyed by the knowledge base's ``content_hash``, the classifier's parameters,
the code that fits and serves it (a hash of its modules and of ``normalise``) and
scikit-learn's version, so any change refits. A missing, unreadable, corrupt or foreign
file is refitted silently (and rewritten); a cache folder that cannot be written only
costs the fitting time. Only the ``KEEP`` most recent files are kept.

Folder: ``$PLAN_FIRST_CACHE`` if set, else ``$XDG_CACHE_HOME/plan-first`` (by default
``~/.cache/plan-first``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from knowledge import text
from knowledge.cache_files import cache_folder, write_pickle
from knowledge.models import KnowledgeBase

from .embeddings import chosen_model, get_embedder, model_id
from .serving import ServedClassifier
from .stage import CascadeClassifier

Classifier = ServedClassifier | CascadeClassifier
"""What ``load_classifier`` returns: both have ``classify`` and ``classify_many``."""

log = logging.getLogger(__name__)

KEEP = 4
"""Cached classifiers kept per folder (several knowledge bases may share one)."""
_FITTED_BY = ("model.py", "fuzzy.py", "training.py", "serving.py", "stage.py", "embeddings.py")
"""The modules whose code shapes a fitted classifier: any edit to them refits."""
FIT_TIMES = "fit-seconds.json"
"""Per cache folder: how long the last fits took, to tell the next one how long to wait."""
SECONDS_PER_EXAMPLE = 0.001
"""Estimate of fitting time when none was recorded (about 2.5 s for the shipped base's
2,400 requests on this project's machine, rounded up)."""
SECONDS_PER_EMBEDDING = {"use": 0.006, "e5": 0.05}
"""Embedding one text the first time (then it is cached), one core, rounded up."""

OnFit = Callable[[int], None]
"""Told, before a fit starts, how many seconds it usually takes."""


def _code_version() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in [*(here / name for name in _FITTED_BY), Path(text.__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _sklearn_version() -> str:
    """scikit-learn's version without importing it (importing it costs most of a second)."""
    from importlib import metadata

    try:
        return metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:
        return "absent"


def default_cache_dir() -> Path:
    return cache_folder("PLAN_FIRST_CACHE")


def cache_key(kb: KnowledgeBase, params: dict[str, Any], embeddings: str | None = None) -> str:
    """`embeddings`: the embedding model's id (``embeddings.model_id``), None for n-grams alone."""
    ident = repr((_code_version(), _sklearn_version(), kb.content_hash, sorted(params.items()), embeddings))
    return hashlib.sha256(ident.encode()).hexdigest()[:24]


def load_classifier(
    kb: KnowledgeBase, *, cache_dir: str | Path | None = None, use_cache: bool = True,
    on_fit: OnFit | None = None, embeddings: str | None | bool = True, **params: Any,
) -> Classifier:
    """A fitted classifier for `kb`, from the cache when it holds one for this base.

    `embeddings`: True (default) for the configured model (``embeddings.chosen_model``;
    n-grams alone when it is switched off or not installed), False for n-grams alone, or
    a model's name. With one, the result is a ``CascadeClassifier`` that loads the model
    when a request first needs it.
    """
    name = _embedding_model(embeddings)
    ident = model_id(name) if name else None
    if not use_cache or not kb.content_hash:
        return fit_served(kb, on_fit=on_fit, embedding_model=name if ident else None, **params)
    key = cache_key(kb, params, ident)
    path = cache_path(key, cache_dir)
    model = read_cache(path, key)
    if model is None:
        model = fit_served(kb, on_fit=on_fit, folder=path.parent, embedding_model=name if ident else None, **params)
        write_cache(path, key, model)
    return model


def _embedding_model(embeddings: str | None | bool) -> str | None:
    if embeddings is True:
        return chosen_model()
    return embeddings or None


def is_cached(kb: KnowledgeBase, *, cache_dir: str | Path | None = None, embeddings: str | None | bool = True,
              **params: Any) -> bool:
    """Whether `load_classifier(kb)` will load rather than fit (cheap: no unpickling)."""
    name = _embedding_model(embeddings)
    key = cache_key(kb, params, model_id(name) if name else None)
    return bool(kb.content_hash) and cache_path(key, cache_dir).is_file()


def fit_served(kb: KnowledgeBase, *, on_fit: OnFit | None = None, folder: Path | None = None,
               embedding_model: str | None = None, **params: Any) -> Classifier:
    """Fit with scikit-learn (imported here, not before) and keep only what serving needs;
    with `embedding_model`, embed the base (cached per text) and fit the stage too."""
    if on_fit is not None:
        on_fit(expected_fit_seconds(kb, folder, embedding_model))
    started = time.perf_counter()
    from .training import fit_kb, fit_stage_on, training_texts

    data = training_texts(kb)
    clf = fit_kb(kb, **params)
    served = ServedClassifier.from_fitted(clf, learn=[e.text for e in data])
    model: Classifier = served
    embedder = get_embedder(embedding_model) if embedding_model else None
    if embedder is not None:
        from .embeddings import embed_texts
        from .stage import CascadeClassifier, StageRules, stage_defaults

        defaults = stage_defaults(embedding_model or "")
        vectors = embed_texts([e.text for e in data], embedder=embedder)  # cached per text, default folder
        weights = fit_stage_on(clf, data, vectors, weight=defaults["weight"])
        model = CascadeClassifier(served, weights, StageRules(served, defaults["thresholds"]), defaults["margin"],
                                  embedding_model or "", embedder.id)
    _record_fit_time(folder, time.perf_counter() - started, (embedding_model if embedder else None) or "ngrams")
    return model


def expected_fit_seconds(kb: KnowledgeBase, folder: Path | None = None,
                         embedding_model: str | None = None) -> int:
    """The last such fit's duration in this cache folder (with or without embeddings),
    else an estimate from the base's size."""
    kind = embedding_model or "ngrams"
    try:
        recorded = float(json.loads((Path(folder or default_cache_dir()) / FIT_TIMES).read_text())[kind])
    except (OSError, ValueError, KeyError, TypeError):
        examples = sum(len(v) for t in kb.topics.values() for v in t.examples.values())
        examples += len(kb.combos) + sum(len(v) for v in kb.out_of_scope.values())
        recorded = examples * SECONDS_PER_EXAMPLE
        if embedding_model:  # embedding the base (the first time) and fitting the stage
            recorded += examples * (SECONDS_PER_EMBEDDING.get(embedding_model, 0.01) + 3 * SECONDS_PER_EXAMPLE)
    return max(1, math.ceil(recorded))


def _record_fit_time(folder: Path | None, seconds: float, kind: str) -> None:
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / FIT_TIMES
        try:
            times = json.loads(path.read_text())
            times = times if isinstance(times, dict) else {}
        except (OSError, ValueError):
            times = {}
        path.write_text(json.dumps({**times, kind: round(seconds, 2)}))
    except OSError as exc:
        log.info("fit time not recorded in %s (%s)", folder, exc)


def cache_path(key: str, cache_dir: str | Path | None = None) -> Path:
    return Path(cache_dir or default_cache_dir()) / f"classifier-{key}.pickle"


def read_cache(path: Path, key: str) -> Classifier | None:
    try:
        with path.open("rb") as f:
            payload = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 -- corrupt, truncated, another version: refit
        log.info("classifier cache %s unusable (%s): refitting", path, exc)
        return None
    if (
        isinstance(payload, dict)
        and payload.get("key") == key
        and isinstance(payload.get("model"), (ServedClassifier, CascadeClassifier))
    ):
        return payload["model"]
    log.info("classifier cache %s is not for this knowledge base: refitting", path)
    return None


def write_cache(path: Path, key: str, model: Classifier) -> None:
    try:
        write_pickle(path, {"key": key, "model": model}, keep=KEEP)
    except OSError as exc:
        log.info("classifier cache %s not written (%s)", path, exc)
