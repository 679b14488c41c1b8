"""The served model (numpy only) answers exactly as the scikit-learn pipeline it was copied
from, on every request of the shipped knowledge base, and loads without scikit-learn."""

from __future__ import annotations

import copy
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from classifier import fuzzy
from classifier.bench import _perturb
from classifier.model import TopicClassifier
from classifier.serving import ServedClassifier
from classifier.training import examples, name_examples
from knowledge.text import normalise

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fitted(shipped_estimator) -> tuple[TopicClassifier, ServedClassifier, list[str]]:  # noqa: ANN001
    kb, clf = shipped_estimator
    learnt = [e.text for e in examples(kb) + name_examples(kb)]
    rng = random.Random(3)  # and words it never saw: typos, odd input
    texts = learnt + [_perturb(t, rng) for t in rng.sample(learnt, 500)]
    texts += ["", "   ", "😀", "a", "x" * 30, "l'été  à\tQuébec", "SEO!!", "co-op d'achat", "e-mail"]
    return clf, ServedClassifier.from_fitted(clf, learn=learnt), texts


def test_probabilities_equal_the_pipeline_on_every_example_of_the_base(fitted) -> None:  # noqa: ANN001
    clf, served, texts = fitted
    docs = [normalise(t) for t in texts]
    expected = clf.pipeline_.predict_proba(docs)
    probs, sims = served.raw_scores(docs)
    np.testing.assert_allclose(probs, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(sims, clf.raw_scores(docs)[1])


def test_decisions_equal_the_estimators_on_every_example_of_the_base(fitted) -> None:  # noqa: ANN001
    clf, served, texts = fitted
    for mine, theirs in zip(served.classify_many(texts), clf.classify_many(texts), strict=True):
        assert (mine.language, mine.topic_ids, mine.reason, mine.ambiguous) == (
            theirs.language, theirs.topic_ids, theirs.reason, theirs.ambiguous)
        assert [c.id for c in mine.candidates] == [c.id for c in theirs.candidates]
        np.testing.assert_allclose([c.confidence for c in mine.candidates],
                                   [c.confidence for c in theirs.candidates], rtol=1e-9, atol=1e-12)
    assert served.thresholds == {k: clf.get_params()[k] for k in served.thresholds}


def test_serving_a_cached_model_does_not_import_scikit_learn(shipped_cache: Path) -> None:
    code = (
        "import sys\n"
        "from knowledge import load_knowledge_base\n"
        "from classifier import load_classifier\n"
        "clf = load_classifier(load_knowledge_base())\n"
        "assert clf.classify('on veut un blogue').primary == 'blog'\n"
        "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLAN_FIRST_CACHE": str(shipped_cache)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          check=True)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize("memo_size", [200_000, 50])
def test_remembered_alias_matches_equal_fresh_ones(fitted, memo_size, monkeypatch) -> None:  # noqa: ANN001
    """The matcher remembers each word n-gram's matches across requests (forgetting them all
    when full); a request must score the same whether its grams were seen before or not."""
    monkeypatch.setattr(fuzzy, "MEMO_GRAMS", memo_size)
    _, served, texts = fitted
    docs = [normalise(t) for t in texts]
    matcher = served.aliases_  # knows the base's words and pairs since it was fitted
    assert len(matcher.known) > 1000
    for d in docs:  # every other gram seen once
        matcher.scores(d)
    warm = np.vstack([matcher.scores(d) for d in docs])
    fresh = copy.copy(matcher)
    del fresh.known
    cold = []
    for d in docs:
        fresh._memo().clear()
        cold.append(fresh.scores(d))
    np.testing.assert_array_equal(warm, np.vstack(cold))
    assert warm.any()  # the base's own names are found
