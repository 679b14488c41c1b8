"""The message catalogue's typography (knowledge/messages*.yaml), in each language.

French follows the catalogue's own Québec style: a space before ":" (regular or
non-breaking), none before "?", "!" or ";", and a space inside « guillemets ». English
has no space before any of them. Placeholders (`{name}`), URLs, clock times and Discord
option syntax (`/brief numero:<numéro>`) are not punctuation and are left alone.
"""

from __future__ import annotations

import re

import pytest

from knowledge import load_knowledge_base

SPACES = " \u00a0\u202f"
_NOT_PUNCTUATION = re.compile(r"\{[^{}]*\}|https?://\S+|\d:\d|`[^`]*`")


def prose(text: str) -> str:
    """The text with placeholders, URLs, clock times and code spans blanked out."""
    return _NOT_PUNCTUATION.sub(lambda m: "x" * len(m.group()), text)


def french_problems(text: str) -> list[str]:
    t = prose(text)
    found = []
    for m in re.finditer(r":(?=\s|$|»|\")", t):
        if m.start() == 0 or t[m.start() - 1] not in SPACES:
            found.append(f"no space before ':' in …{t[max(0, m.start() - 20):m.start() + 1]}")
    for m in re.finditer(r"[ \u00a0\u202f][?!;]", t):
        found.append(f"space before '{m.group()[-1]}' (Québec style) in …{t[max(0, m.start() - 20):m.end()]}")
    for m in re.finditer(r"«(?![ \u00a0\u202f])|(?<![ \u00a0\u202f])»", t):
        found.append(f"no space inside « » in …{t[max(0, m.start() - 20):m.end() + 5]}")
    return found


def english_problems(text: str) -> list[str]:
    t = prose(text)
    return [f"space before '{m.group()[-1]}' in …{t[max(0, m.start() - 20):m.end()]}"
            for m in re.finditer(r"[ \u00a0\u202f][:?!;](?=\s|$)", t)]


@pytest.fixture(scope="module")
def messages():  # noqa: ANN201
    return load_knowledge_base().messages


def test_french_typography_of_every_message(messages) -> None:  # noqa: ANN001
    problems = [f"{key}: {p}" for key, text in sorted(messages.items()) for p in french_problems(text("fr"))]
    assert not problems, "\n".join(problems)


def test_english_typography_of_every_message(messages) -> None:  # noqa: ANN001
    problems = [f"{key}: {p}" for key, text in sorted(messages.items()) for p in english_problems(text("en"))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text, ok", [
    ("Noté : {answers}.", True), ("Noté: {answers}.", False), ("Quoi?", True), ("Quoi ?", False),
    ("Doucement! Réessayez", True), ("« aide »", True), ("«aide»", False), ("heure {h:02d} à 10:30", True),
    ("voir https://example.com/a", True), ("Afficher : /brief numero:<numéro>", True),
    ("lance une prise de besoin:\n> blogue", False),
])
def test_the_french_check_itself(text: str, ok: bool) -> None:
    assert (not french_problems(text)) is ok, french_problems(text)
