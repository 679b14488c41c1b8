"""The classifier on the shipped knowledge base, one request of each kind.

The requests are written here (never taken from eval/ or the shared sample) and name
what a client would say; the knowledge base's own examples are not repeated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import TopicClassifier, load_classifier
from knowledge import load_knowledge_base


@pytest.fixture(scope="module")
def clf(shipped_cache: Path) -> TopicClassifier:
    return load_classifier(load_knowledge_base(), cache_dir=shipped_cache)


@pytest.mark.parametrize(
    "kind, text, primary",
    [
        ("indirect", "Personne dans le quartier ne sait que notre boulangerie existe.", "awareness"),
        ("indirect", "Our site looks like it was built in 2005, we need a fresh one.", "website"),
        ("typo", "on veut un blogg pour partager nos recettes", "blog"),
        ("typo", "referencemnt de notre site sur google", "seo"),
        ("typo", "une infolette mensuelle pour nos abonnés", "newsletter"),
        ("objective", "On veut fidéliser nos clients actuels, qu'ils reviennent plus souvent.", "retention"),
        ("objective", "We have no idea which of our ads actually bring in customers.", "measurement"),
        ("indirect", "nos clients laissent des mauvais avis sur google", "reputation"),
    ],
)
def test_primary_topic(clf: TopicClassifier, kind: str, text: str, primary: str) -> None:
    result = clf.classify(text)
    assert result.primary == primary, (kind, result)
    assert result.topics[0].level == clf.levels_[primary]


@pytest.mark.parametrize(
    "text, topics",
    [
        ("Un site vitrine avec un blogue et une infolettre", {"website", "blog", "newsletter"}),
        ("Google Ads campaign plus a CRM to track every contact", {"paid_ads", "crm"}),
        ("un balado et une chaîne YouTube", {"podcast", "video"}),
    ],
)
def test_multi_topic(clf: TopicClassifier, text: str, topics: set[str]) -> None:
    result = clf.classify(text)
    assert set(result.topic_ids) == topics
    assert result.ambiguous is None


@pytest.mark.parametrize(
    "text",
    ["Répare mon imprimante svp", "What time is it in Tokyo right now?", "c'est quoi la recette de la tourtière"],
)
def test_out_of_scope(clf: TopicClassifier, text: str) -> None:
    result = clf.classify(text)
    assert result.topics == () and result.reason == "out_of_scope"
    assert len(result.candidates) == 3  # still logged as a knowledge gap


def test_every_topic_is_reachable_by_its_own_name(clf: TopicClassifier) -> None:
    kb = load_knowledge_base()
    for topic in kb.topics.values():
        for lang in ("fr", "en"):
            assert clf.classify(topic.name(lang)).primary == topic.id, (topic.id, lang)
