"""The shipped knowledge base: every file loads cleanly, and every required topic is there."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from knowledge import KnowledgeBaseError, Problem, load_knowledge_base
from knowledge.loader import DEFAULT_PATH
from knowledge.yaml_lines import load_yaml

REQUIRED_OBJECTIVES = ("awareness", "lead_generation", "retention", "reputation", "customer_service",
                       "brand_value", "measurement", "omnipresence")
REQUIRED_TACTICS = ("website", "cms", "blog", "news_module", "interactive_site", "seo", "paid_ads",
                    "social_media", "newsletter", "crm", "webcast", "video", "podcast", "mobile_app",
                    "ecommerce", "chatbot", "community", "influencers")
SHIPPED = sorted(p.relative_to(DEFAULT_PATH).as_posix() for p in DEFAULT_PATH.rglob("*.yaml"))


@cache
def shipped_problems() -> tuple[Problem, ...]:
    try:
        load_knowledge_base()
    except KnowledgeBaseError as exc:
        return tuple(exc.problems)
    return ()


def test_required_topic_ids_are_listed_once() -> None:
    assert len(set(REQUIRED_OBJECTIVES + REQUIRED_TACTICS)) == 26


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_file_is_valid_yaml_mapping(name: str) -> None:
    tree = load_yaml((DEFAULT_PATH / name).read_text(encoding="utf-8"))
    assert isinstance(tree, dict)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_file_has_no_problem(name: str) -> None:
    problems = [str(p) for p in shipped_problems() if p.file == name]
    assert not problems, "\n".join(problems)


def test_shipped_base_loads() -> None:
    kb = load_knowledge_base()
    assert Path(kb.path) == DEFAULT_PATH
    assert len(kb.content_hash) == 64
    assert set(kb.rules) == set(kb.topics)
    assert kb.number_words["fr"]["deux"] == 2


def test_shipped_base_has_every_required_topic() -> None:
    kb = load_knowledge_base()
    assert {t.id for t in kb.objectives()} >= set(REQUIRED_OBJECTIVES)
    assert {t.id for t in kb.tactics()} >= set(REQUIRED_TACTICS)
