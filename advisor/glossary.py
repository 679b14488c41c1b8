"""Topic cards: finding a term the way people type it, and what its card says.

Shared by Discord's `/define` (autocomplete and embed), the console's "définir X" and the
quiz's "see the card" hints, so a term resolves to the same topic everywhere. Names and
aliases of both languages are matched fuzzily on normalised text (rapidfuzz, explicit
cutoffs: nonsense gets no suggestion rather than a random one). Suggestions rank names
that start with what is typed before typos, so two or three letters ("se", "sep") bring
the topic people mean first, not 25 names that merely contain those letters.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from advisor.advice import format_hours
from knowledge.models import Hours, KnowledgeBase, Topic
from knowledge.text import normalise

TYPO_CUTOFF = 75.0
"""``fuzz.ratio`` (0-100) a typed word needs with a name (or the same length of its start)
to be offered as a typo: one slip in four letters ("sepo"), two in eight ("referencemnt")."""
SHORT_TYPO_CUTOFF = 66.0
"""For three letters, one substituted letter ("sep" for "seo") is still a typo; two are not."""
RESOLVE_CUTOFF = 75.0
"""Score (``fuzz.WRatio``) needed to accept a typed term that matches no name's start."""
DEFAULT_LIMIT = 25
_WORDS = re.compile(r"[a-z0-9]+")


def clean(text: str) -> str:
    """Normalised words only: "Blog!" and "blog" are the same term."""
    return " ".join(_WORDS.findall(normalise(text)))


class TermIndex:
    """Normalised names and aliases -> topic id, rebuilt when the base is reloaded."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.terms: list[str] = []
        self.ids: list[str] = []
        self.alias: list[bool] = []
        """False for the topic's own names (id, French and English), True for its aliases."""
        for topic in kb.topics.values():
            names = (topic.id.replace("_", " "), topic.name.fr, topic.name.en)
            for number, term in enumerate((*names, *topic.all_aliases())):
                norm = clean(term)
                if norm:
                    self.terms.append(norm)
                    self.ids.append(topic.id)
                    self.alias.append(number >= len(names))

    def rank(self, query: str, term: str, alias: bool = False) -> tuple[int, float] | None:
        """How well `term` answers what was typed, lower first; None: not at all.

        0 the whole name; 1 the name starts with it; 2 one of the name's later words does
        (from three letters up: two letters start too many words); 3 a typo of the name or
        of its start (from three letters up). Within a rank, a topic's own names before its
        aliases (some aliases are common misspellings), shorter names first ("se": SEO
        before "service client"), then closer typos.
        """
        if term == query:
            return (0, 0.0)
        if term.startswith(query):
            return (1, alias * 1000 + len(term))
        if len(query) >= 3 and any(word.startswith(query) for word in term.split()[1:]):
            return (2, alias * 1000 + len(term))
        if len(query) < 3:
            return None
        score = fuzz.ratio(query, term)
        if len(query) >= 4:
            score = max(score, fuzz.ratio(query, term[: len(query)]))
        cutoff = SHORT_TYPO_CUTOFF if len(query) == 3 else TYPO_CUTOFF
        return (3, -score) if score >= cutoff else None

    def search(self, text: str, *, limit: int = DEFAULT_LIMIT) -> list[str]:
        """Topic ids for what is being typed, best first, each once; nothing for nonsense."""
        query = clean(text)
        if not query:
            return sorted(self.kb.topics, key=lambda t: self.kb.topics[t].name.fr)[:limit]
        best: dict[str, tuple[int, float, str]] = {}
        for term, topic_id, alias in zip(self.terms, self.ids, self.alias, strict=True):
            found = self.rank(query, term, alias)
            if found is not None and (topic_id not in best or (*found, term) < best[topic_id]):
                best[topic_id] = (*found, term)
        return sorted(best, key=lambda t: best[t])[:limit]

    def resolve(self, text: str) -> Topic | None:
        """The topic a typed term means: an id picked from autocomplete, else the first
        suggestion, else the best fuzzy match of the whole text (a sentence naming it)."""
        if text in self.kb.topics:
            return self.kb.topics[text]
        query = clean(text)
        if not query:
            return None
        found = self.search(text, limit=1)
        if found:
            return self.kb.topics[found[0]]
        if len(query) < 4:  # two or three unknown letters name nothing
            return None
        best = process.extractOne(query, self.terms, scorer=fuzz.WRatio, processor=None,
                                  score_cutoff=RESOLVE_CUTOFF)
        return self.kb.topics[self.ids[best[2]]] if best is not None else None


def hours_text(kb: KnowledgeBase, hours: Hours, lang: str) -> str:
    if isinstance(hours, tuple):
        return kb.msg("card_hours_range", lang, low=format_hours(hours[0], lang), high=format_hours(hours[1], lang))
    return kb.msg("card_hours_single", lang, hours=format_hours(hours, lang))


def card_fields(kb: KnowledgeBase, topic: Topic, lang: str) -> list[tuple[str, str]]:
    """The card as (label, text) pairs: strategy or tactic, what clients mean, what it demands."""
    demands = topic.demands
    fields = [
        (kb.msg("card_level", lang), kb.msg(f"card_level_{topic.level}", lang)),
        (kb.msg("card_clients_mean", lang), topic.clients_mean(lang)),
        (kb.msg("card_content", lang), demands.content(lang)),
        (kb.msg("card_skills", lang), demands.skills(lang)),
        (kb.msg("card_hours", lang), hours_text(kb, demands.weekly_hours, lang)),
        (kb.msg("card_budget", lang), demands.budget(lang)),
        (kb.msg("card_time_to_results", lang), demands.time_to_results(lang)),
    ]
    related = [kb.topics[r].name(lang) for r in topic.related if r in kb.topics]
    if related:
        fields.append((kb.msg(f"card_related_{topic.level}", lang), ", ".join(related)))
    return fields


def card_text(kb: KnowledgeBase, topic: Topic, lang: str) -> str:
    """The card as Markdown text, for transports without embeds."""
    lines = [f"**{topic.name(lang)}**", topic.definition(lang), ""]
    colon = " :" if lang == "fr" else ":"
    lines += [f"**{label}**{colon} {text}" for label, text in card_fields(kb, topic, lang)]
    return "\n".join(lines)


def unknown_term(kb: KnowledgeBase, term: str, lang: str) -> str:
    examples = ", ".join(kb.topics[i].name(lang) for i in sorted(kb.topics)[:5])
    return kb.msg("define_unknown", lang, term=term, examples=examples)
