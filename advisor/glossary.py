"""Topic cards: finding a term the way people type it, and what its card says.

Shared by Discord's `/define` (autocomplete and embed), the console's "définir X" and the
quiz's "see the card" hints, so a term resolves to the same topic everywhere. Names and
aliases of both languages are matched fuzzily on normalised text (rapidfuzz, explicit
cutoffs: nonsense gets no suggestion rather than a random one).
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from advisor.advice import format_hours
from knowledge.models import Hours, KnowledgeBase, Topic
from knowledge.text import normalise

SUGGEST_CUTOFF = 60.0
"""WRatio score (0-100) below which a name is not suggested while typing."""
RESOLVE_CUTOFF = 75.0
"""Score needed to accept a typed term that was not picked from the suggestions."""
DEFAULT_LIMIT = 25


class TermIndex:
    """Normalised names and aliases -> topic id, rebuilt when the base is reloaded."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.terms: list[str] = []
        self.ids: list[str] = []
        for topic in kb.topics.values():
            for term in (topic.id.replace("_", " "), topic.name.fr, topic.name.en, *topic.all_aliases()):
                norm = normalise(term)
                if norm:
                    self.terms.append(norm)
                    self.ids.append(topic.id)

    def search(self, text: str, *, cutoff: float = SUGGEST_CUTOFF, limit: int = DEFAULT_LIMIT) -> list[str]:
        """Topic ids that match `text`, best first, each once."""
        query = normalise(text)
        if not query:
            return sorted(self.kb.topics)[:limit]
        found: list[str] = []
        matches = process.extract(query, self.terms, scorer=fuzz.WRatio, processor=None, score_cutoff=cutoff,
                                  limit=None)
        for _, _, index in matches:
            topic_id = self.ids[index]
            if topic_id not in found:
                found.append(topic_id)
            if len(found) == limit:
                break
        return found

    def resolve(self, text: str) -> Topic | None:
        """The topic a typed term means: an id picked from autocomplete, else the best fuzzy match."""
        if text in self.kb.topics:
            return self.kb.topics[text]
        query = normalise(text)
        if not query:
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
