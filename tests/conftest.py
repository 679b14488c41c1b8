"""Shared test helpers: a small, valid knowledge base written to a temporary folder.

`make_kb(root)` writes a two-topic base (an objective, `awareness`, and a content-hungry
tactic, `blog`) that loads cleanly; tests break one file with `edit(...)` and check the
problem reported. Examples are generated (25 per language and topic, 75 out of scope), so
no large fixture is committed. Other packages' tests may use `kb_path` for a tiny real base.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

# The suite runs without sentence embeddings unless a test asks for them (monkeypatch):
# embedding the whole knowledge base with a real model at every run would make CI slow.
# Tests of the embedding stage use `classifier.embeddings.HashEmbedder`; one test uses the
# real model on a few sentences.
os.environ["PLAN_FIRST_EMBEDDINGS"] = "off"


@pytest.fixture(scope="session", autouse=True)
def private_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Models and embeddings the tests fit go to a folder of their own, not ~/.cache."""
    os.environ["PLAN_FIRST_CACHE"] = str(tmp_path_factory.mktemp("plan-first-cache"))
    # ...except the capacity reader's: fitting it embeds every reading example (minutes), so it is
    # kept across test sessions in a folder of its own, keyed by the examples and the code.
    os.environ.setdefault("PLAN_FIRST_READER_CACHE", str(Path.home() / ".cache" / "plan-first-tests"))


@pytest.fixture(scope="session", autouse=True)
def fitted_reader(private_cache_folder: None) -> None:
    """Fit (or load) the shipped base's capacity reader before any test runs a `bot.py` process:
    a first fit takes minutes (it embeds every reading example), longer than a subprocess waits."""
    from knowledge import load_knowledge_base
    from reading import load_reader

    load_reader(load_knowledge_base())

CAPACITY = """\
number_words:
  fr: {un: 1, deux: 2}
  en: {one: 1, two: 2}
fields:
  - id: producer
    weight: 40
    question: {fr: "Qui écrira?", en: "Who will write?"}
    why: {fr: "Il faut un auteur.", en: "It takes an author."}
    cautious: nobody
    choices:
      - id: nobody
        score: 0.0
        label: {fr: "Personne", en: "Nobody"}
        patterns:
          fr: ["^personne\\\\b"]
          en: ["^nobody\\\\b"]
      - id: owner
        score: 0.5
        label: {fr: "Moi", en: "Me"}
        patterns:
          fr: ["^moi\\\\b"]
          en: ["^me\\\\b"]
  - id: weekly_hours
    weight: 60
    question: {fr: "Combien d'heures?", en: "How many hours?"}
    why: {fr: "Un billet prend 3 heures.", en: "A post takes 3 hours."}
    cautious: h0
    choices:
      - id: h0
        score: 0.0
        hours: [0, 2]
        label: {fr: "Presque rien", en: "Almost none"}
        patterns:
          fr: ["\\\\bpas le temps\\\\b"]
          en: ["\\\\bno time\\\\b"]
      - id: h2_plus
        score: 1.0
        hours: [2, 1000]
        label: {fr: "Deux heures et plus", en: "Two hours or more"}
        patterns:
          fr: []
          en: []
"""

TOPIC = """\
id: {id}
level: {level}
{extra}name: {{fr: "Nom {id}", en: "Name {id}"}}
aliases:
  fr: [{id}]
  en: [{id}]
definition:
  fr: "Définition de {id}."
  en: "Definition of {id}."
clients_mean:
  fr: "Ce que les clients veulent dire."
  en: "What clients mean."
{links}
demands:
  content: {{fr: "Du contenu", en: "Content"}}
  skills: {{fr: "Écrire", en: "Writing"}}
  weekly_hours: [3, 4]
  budget: {{fr: "Peu", en: "Little"}}
  time_to_results: {{fr: "Des mois", en: "Months"}}
warnings:
  - {{fr: "Attention", en: "Beware"}}
questions:
  - {{fr: "Qui écrit?", en: "Who writes?"}}
  - {{fr: "Combien d'heures?", en: "How many hours?"}}
sources:
  - title: Survey
    url: https://example.com/survey
    figure: {{fr: "3 h", en: "3 h"}}
examples:
  fr:
{fr}
  en:
{en}
"""

RULE = """\
  - id: {id}
    when: {when}
    verdict: {verdict}
    title: {{fr: "Titre {id}", en: "Title {id}"}}
    tactics: [{tactics}]
    weekly_hours: {hours}
    rationale: {{fr: "Parce que.", en: "Because."}}
    alternatives: [{alternatives}]
"""


def _examples(words: str, count: int) -> str:
    return "\n".join(f'    - "{words} numéro {i}"' for i in range(count))


def topic_yaml(topic_id: str, level: str, links: Iterable[str], hungry: bool = False) -> str:
    key = "serves" if level == "tactic" else "served_by"
    return TOPIC.format(
        id=topic_id, level=level, extra="content_hungry: true\n" if hungry else "",
        links=f"{key}: [{', '.join(links)}]",
        fr=_examples(f"demande en français sur {topic_id}", 25),
        en=_examples(f"request in english about {topic_id}", 25))


def rule_yaml(rule_id: str, *, when: str = "{}", verdict: str = "instead", tactics: str = "blog",
              hours: str = "1", alternatives: str = "") -> str:
    return RULE.format(id=rule_id, when=when, verdict=verdict, tactics=tactics, hours=hours,
                       alternatives=alternatives)


def make_kb(root: Path, topics: Iterable[str] = ("awareness", "blog")) -> Path:
    """Write a valid knowledge base with the given topics (among awareness and blog) to `root`."""
    topics = tuple(topics)
    (root / "topics").mkdir(parents=True, exist_ok=True)
    (root / "advice").mkdir(exist_ok=True)
    (root / "capacity.yaml").write_text(CAPACITY, encoding="utf-8")
    blog_rules = (rule_yaml("blog_steady", when="{weekly_hours: [h2_plus], producer: [owner]}", verdict="as_asked",
                            hours="[3, 4]", alternatives="blog_light, blog_faq")
                  + rule_yaml("blog_light", when="{weekly_hours: [h2_plus]}", verdict="scaled_down",
                              alternatives="blog_steady, blog_faq")
                  + rule_yaml("blog_faq", alternatives="blog_steady, blog_light"))
    if "blog" in topics:
        links = ["awareness"] if "awareness" in topics else []
        (root / "topics" / "blog.yaml").write_text(topic_yaml("blog", "tactic", links, hungry=True), encoding="utf-8")
        (root / "advice" / "blog.yaml").write_text(f"topic: blog\nrules:\n{blog_rules}", encoding="utf-8")
    if "awareness" in topics:
        links = ["blog"] if "blog" in topics else []
        (root / "topics" / "awareness.yaml").write_text(topic_yaml("awareness", "objective", links), encoding="utf-8")
        rules = rule_yaml("awareness_plan", tactics="blog" if "blog" in topics else "",
                          alternatives="blog_light, blog_faq")
        (root / "advice" / "awareness.yaml").write_text(f"topic: awareness\nrules:\n{rules}", encoding="utf-8")
    oos_fr = "\n".join(f'    - "répare mon imprimante {i}"' for i in range(75))
    oos_en = "\n".join(f'    - "what time is it {i}"' for i in range(75))
    (root / "out_of_scope.yaml").write_text(f"examples:\n  fr:\n{oos_fr}\n  en:\n{oos_en}\n", encoding="utf-8")
    (root / "combos.yaml").write_text(
        'examples:\n  - {lang: fr, text: "un blogue pour se faire connaître", topics: [blog, awareness]}\n'
        if set(topics) >= {"blog", "awareness"} else "examples: []\n", encoding="utf-8")
    (root / "messages.yaml").write_text(
        'messages:\n  welcome: {fr: "Bonjour {name}!", en: "Hello {name}!"}\n'
        "commands:\n  help: {fr: [aide, \"?\"], en: [help, \"?\"]}\n  cancel: {fr: [annuler], en: [cancel, no]}\n",
        encoding="utf-8")
    return root


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` by `new` in a fixture file (it must be there: a silent no-op hides test bugs)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based line where the `nth` occurrence of `needle` (which may span lines) starts."""
    text, at = path.read_text(encoding="utf-8"), -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


@pytest.fixture
def kb_path(tmp_path: Path) -> Path:
    """A valid two-topic knowledge base in a temporary folder."""
    return make_kb(tmp_path / "kb")


@pytest.fixture(scope="session")
def cli_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One classifier cache for every `bot.py` subprocess of the test session: fit once, then load."""
    return str(tmp_path_factory.mktemp("classifier-cache"))


@pytest.fixture(scope="session")
def shipped_estimator():  # noqa: ANN201 - scikit-learn types imported lazily
    """The shipped knowledge base and the scikit-learn estimator fitted on it, once per session."""
    from classifier.training import fit_kb
    from knowledge import load_knowledge_base

    kb = load_knowledge_base()
    return kb, fit_kb(kb)


@pytest.fixture(scope="session")
def shipped_cache(shipped_estimator, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: ANN001
    """A classifier cache folder holding the served model of the shipped base (no refit needed)."""
    from classifier.cache import cache_key, cache_path, write_cache
    from classifier.serving import ServedClassifier

    kb, estimator = shipped_estimator
    folder = tmp_path_factory.mktemp("shipped-cache")
    write_cache(cache_path(cache_key(kb, {}), folder), cache_key(kb, {}), ServedClassifier.from_fitted(estimator))
    return folder
