"""Cheap, deterministic language guess: French or English.

Counts function words of each language in the normalised text, plus French accents
and elisions (``l'``, ``qu'``) in the raw text and English contractions (``don't``).
French wins ties: the agency works mostly in French, and a request we cannot place
(empty, emoji, a lone brand name) is answered in French.
"""

from __future__ import annotations

import re

from knowledge.text import MAX_CHARS, normalise

# Function words that are frequent in one language and rare in the other (after
# normalise(): lowercase, no accents). Words shared by both ("on", "a", "me", "son",
# "site", "page") are left out on purpose.
_FR = frozenset(
    """
    le la les un une des du de et est sont pas ne plus que qui quoi pour avec dans sur au
    aux ce cet cette ces mon ma mes ton ta tes notre nos votre vos leur leurs je tu il elle
    ils elles nous vous y en ou mais donc car comme tres aussi faut veut veux voudrait
    voudrais aimerait aimerais peut peux etre avoir fait faire quand comment pourquoi
    combien tout tous toute toutes rien personne chez sans entre apres avant depuis encore
    deja bien mieux moins autre autres meme memes quel quelle quels quelles ca cela ceci
    voici avons avez ont sommes etes suis sera serait bonjour merci oui non pis chu icitte
    pantoute nouveau nouvelle nouveaux entreprise
    """.split()
)
_EN = frozenset(
    """
    the and is are was were be been to of for with in at by from this that these those we
    our ours you your i my it its they their them he she his her what which who how why
    when where there here have has had do does did not no yes can could would should will
    want need needs like just about more most some any all every into out up get got make us
    than then but so also very too new customers business hi hello thanks please let lets
    don doesn didn isn aren
    """.split()
)
_ACCENTS = re.compile(r"[éèêëàâçùûüîïôœÉÈÊÀÇ]")
_ELISION = re.compile(r"\b(?:l|d|j|qu|c|n|s|m|t|jusqu|lorsqu|puisqu)'[a-z]", re.IGNORECASE)
_CONTRACTION = re.compile(r"[a-z](?:'s|n't|'re|'ve|'ll|'m|'d)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")
_SCAN = 2_000
"""Only the first characters are looked at: a language shows in a sentence or two."""


def detect_language(text: str, normalised: str | None = None) -> str:
    """``"fr"`` or ``"en"``; French when unsure. `normalised`: ``normalise(text)`` when the
    caller has it already (used only for texts short enough to be read whole)."""
    raw = text[: min(_SCAN, MAX_CHARS)]
    doc = normalised if normalised is not None and len(text) <= len(raw) else normalise(raw)
    words = _WORD.findall(doc)
    fr = sum(w in _FR for w in words)
    en = sum(w in _EN for w in words)
    fr += min(len(_ACCENTS.findall(raw)), 3) + len(_ELISION.findall(raw))
    en += len(_CONTRACTION.findall(raw))
    return "en" if en > fr else "fr"
