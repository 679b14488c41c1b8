"""Choice labels as the client should read them: in euros for a client in France.

The capacity labels are written once, in dollars ("Petit (moins de 500 $ par mois)"); the
thresholds are the same in either currency (the choices are about scale, not exchange rates),
so a France client sees the same label with "€".
"""

from __future__ import annotations

from collections.abc import Mapping

from knowledge.models import KnowledgeBase

MONEY_RANGES = ("amount", "build")


def euros(answers: Mapping[str, str]) -> bool:
    """The client is in France (said, or read from a sum in euros)."""
    return answers.get("market") == "fr"


def choice_label(kb: KnowledgeBase, field_id: str, choice_id: str, lang: str, in_euros: bool = False) -> str:
    field = kb.field(field_id)
    choice = field.choice(choice_id)
    label = choice.label(lang)
    if in_euros and any(getattr(c, key) is not None for c in field.choices for key in MONEY_RANGES):
        label = label.replace("$", "€")
    return label
