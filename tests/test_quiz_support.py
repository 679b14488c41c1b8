"""A small, fully controlled knowledge base for the quiz tests (built as models, no YAML).

Five topics (two objectives, three tactics) whose examples are known to name an alias or
not, one combo per language, rules with distinct rationales per language, and the real
message catalogues (`messages.yaml`, `messages_quiz.yaml`), so the advisor's
`recommendation()` and the quiz speak as in production. Tests that need the shipped base
use `real_kb()`, which skips while the base under construction does not load.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from knowledge import KnowledgeBaseError, load_knowledge_base
from knowledge.models import CapacityField, Choice, Combo, Demands, KnowledgeBase, Rule, Text, Topic

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"


def _t(fr: str, en: str) -> Text:
    return Text(fr=fr, en=en)


def _messages() -> tuple[dict[str, Text], dict[str, dict[str, tuple[str, ...]]]]:
    messages: dict[str, Text] = {}
    commands: dict[str, dict[str, tuple[str, ...]]] = {}
    for path in sorted(KNOWLEDGE.glob("messages*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        messages.update({k: _t(str(v["fr"]), str(v["en"])) for k, v in raw.get("messages", {}).items()})
        for key, words in (raw.get("commands") or {}).items():
            commands[key] = {lang: tuple(str(w) for w in ws) for lang, ws in words.items()}
    return messages, commands


def _topic(tid: str, level: str, aliases: dict[str, list[str]], examples: dict[str, list[str]],
           related: tuple[str, ...] = ()) -> Topic:
    return Topic(
        id=tid, level=level, name=_t(f"Nom {tid}", f"Name {tid}"),  # type: ignore[arg-type]
        aliases={k: tuple(v) for k, v in aliases.items()},
        definition=_t(f"Définition FR de {tid}.", f"EN definition of {tid}."),
        clients_mean=_t(f"Ce que veulent dire les clients FR pour {tid}.", f"What clients mean EN by {tid}."),
        related=related, demands=Demands(_t("c", "c"), _t("s", "s"), 1.0, _t("b", "b"), _t("t", "t")),
        warnings=(_t("Attention", "Beware"),), questions=(_t("Q1", "Q1"), _t("Q2", "Q2")), sources=(),
        examples={k: tuple(v) for k, v in examples.items()},
        content_hungry=level == "tactic",
    )


def _rule(rid: str, topic: str, when: dict[str, tuple[str, ...]], verdict: str, alternatives: tuple[str, ...],
          tactics: tuple[str, ...] = ()) -> Rule:
    return Rule(id=rid, topic=topic, when=when, verdict=verdict,  # type: ignore[arg-type]
                title=_t(f"Titre {rid}", f"Title {rid}"), tactics=tactics, weekly_hours=(1.0, 2.0),
                rationale=_t(f"Justification FR de {rid}.", f"EN rationale for {rid}."), cadence=None,
                warnings=(), alternatives=alternatives, sources=())


BUZZ_FR = {"awareness": "On veut plus de notoriété", "retention": "Améliorer la fidélisation de nos clients",
           "blog": "On veut un blogue sur notre site", "newsletter": "Une infolettre chaque mois",
           "social_media": "Être sur les réseaux sociaux"}
INDIRECT_FR = {"awareness": "Personne ne nous connaît en ville", "retention": "Nos clients ne reviennent jamais",
               "blog": "Écrire des articles sur notre métier", "newsletter": "Écrire à nos abonnés par courriel",
               "social_media": "Publier des photos sur Instagram"}
BUZZ_EN = {"awareness": "We need more awareness", "retention": "Improve customer retention",
           "blog": "We want a blog on our site", "newsletter": "A monthly newsletter",
           "social_media": "Be on social media"}
INDIRECT_EN = {"awareness": "Nobody in town knows us", "retention": "Our customers never come back",
               "blog": "Write articles about our trade", "newsletter": "Email our subscribers",
               "social_media": "Post photos on Instagram"}
ALIASES = {"awareness": (["notoriété"], ["awareness"]), "retention": (["fidélisation"], ["retention"]),
           "blog": (["blogue", "blog"], ["blog"]), "newsletter": (["infolettre"], ["newsletter"]),
           "social_media": (["réseaux sociaux"], ["social media"])}
LEVELS = {"awareness": "objective", "retention": "objective", "blog": "tactic", "newsletter": "tactic",
          "social_media": "tactic"}
COMBOS = (Combo("Un blogue et une infolettre pour se faire connaître", "fr", ("awareness", "blog", "newsletter")),
          Combo("A blog and a newsletter so people know us", "en", ("awareness", "blog", "newsletter")))

CAPACITY = (
    CapacityField("producer", 40, _t("Qui écrira?", "Who will write?"), _t("w", "w"), "nobody", (
        Choice("nobody", _t("Personne", "Nobody"), 0.0, {}), Choice("owner", _t("Le patron", "The owner"), 0.5, {}),
        Choice("team", _t("Une équipe", "A team"), 1.0, {}))),
    CapacityField("weekly_hours", 60, _t("Combien d'heures?", "How many hours?"), _t("w", "w"), "h0", (
        Choice("h0", _t("Presque rien", "Almost none"), 0.0, {}, (0.0, 2.0)),
        Choice("h2_plus", _t("Deux heures et plus", "Two hours or more"), 1.0, {}, (2.0, 1000.0)))),
)


def _rules() -> dict[str, tuple[Rule, ...]]:
    busy = {"weekly_hours": ("h2_plus",), "producer": ("owner", "team")}
    return {
        "awareness": (_rule("awareness_content", "awareness", busy, "as_asked", ("blog_light", "newsletter_short")),
                      _rule("awareness_profile", "awareness", {}, "scaled_down", ("blog_faq", "social_one"))),
        "retention": (_rule("retention_plan", "retention", {}, "instead", ("newsletter_short", "blog_faq")),),
        "blog": (_rule("blog_steady", "blog", busy, "as_asked", ("newsletter_short", "social_one"), ("blog",)),
                 _rule("blog_light", "blog", {"weekly_hours": ("h2_plus",)}, "scaled_down",
                       ("newsletter_short", "social_one"), ("blog",)),
                 _rule("blog_faq", "blog", {}, "instead", ("newsletter_short", "social_one"), ("blog",))),
        "newsletter": (_rule("newsletter_monthly", "newsletter", busy, "as_asked", ("blog_light", "social_one")),
                       _rule("newsletter_short", "newsletter", {}, "scaled_down", ("blog_faq", "social_one"))),
        "social_media": (_rule("social_one", "social_media", {}, "scaled_down", ("blog_faq", "newsletter_short")),),
    }


def quiz_kb(*, combos: bool = True) -> KnowledgeBase:
    """The five-topic test base; `combos=False` drops the multi-topic examples."""
    messages, commands = _messages()
    topics = {}
    for tid in sorted(LEVELS):
        fr_alias, en_alias = ALIASES[tid]
        topics[tid] = _topic(tid, LEVELS[tid], {"fr": fr_alias, "en": en_alias},
                             {"fr": [BUZZ_FR[tid], INDIRECT_FR[tid]], "en": [BUZZ_EN[tid], INDIRECT_EN[tid]]})
    return KnowledgeBase(path="<quiz test>", topics=topics, capacity=CAPACITY, rules=_rules(), out_of_scope={},
                         combos=COMBOS if combos else (), messages=messages, commands=commands,
                         content_hash="c0ffee1234abcd")


def only_topics(kb: KnowledgeBase, keep: tuple[str, ...]) -> KnowledgeBase:
    """`kb` filtered down to `keep`: topics, their rules (alternatives that remain), combos naming only them.

    Like any base that passes validation, the result has no dangling reference.
    """
    kept = {r.id for t in keep for r in kb.rules[t]}
    rules = {t: tuple(replace(r, alternatives=tuple(a for a in r.alternatives if a in kept)) for r in kb.rules[t])
             for t in keep}
    return replace(kb, topics={t: kb.topics[t] for t in keep}, rules=rules,
                   combos=tuple(c for c in kb.combos if set(c.topics) <= set(keep)),
                   content_hash=kb.content_hash + "-" + "-".join(keep))


def real_kb() -> KnowledgeBase:
    """The shipped knowledge base; the test is skipped while it does not load yet."""
    try:
        return load_knowledge_base()
    except KnowledgeBaseError as exc:
        pytest.skip(f"shipped knowledge base does not load yet ({len(exc.problems)} problems)")
