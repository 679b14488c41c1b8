"""Role-play test helpers: a small valid roleplay/ folder for conftest's base, and scripted interviews.

`write_roleplay(root)` adds knowledge/roleplay/*.yaml to the two-topic base of conftest
(capacity fields producer and weekly_hours; tactic blog, objective awareness), generated
the way conftest generates examples, so each schema check can break one line of it.

`perfect(reveal, lang)` and `careless(kb, reveal, lang)` are the interviews of the
acceptance test. The perfect one asks in words of its own (`ASK`, written apart from
knowledge/roleplay/questions.yaml, which a test checks): the objective, the situation,
every deciding question (following up a vague answer, challenging the level-3 claim), names
the topic's magic thinking and proposes the rule's title.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from knowledge.models import KnowledgeBase
from training.roleplay.rubric import quote

MOVES = ("objective", "situation", "meaning", "leading", "challenge", "warn", "off_topic", "greeting",
         "producer", "weekly_hours")


def _lines(words: str, count: int = 2, indent: int = 8) -> str:
    pad = " " * indent
    return "\n".join(f'{pad}- "{words} {i}"' for i in range(count))


def _per_lang(words: str, count: int = 2, indent: int = 6) -> str:
    pad = " " * indent
    return (f"{pad}fr:\n{_lines(words + ' fr', count, indent + 2)}\n"
            f"{pad}en:\n{_lines(words + ' en', count, indent + 2)}")


PERSONA = ("vague", "hedge", "admit", "confirm", "agree", "acknowledge", "deny", "neutral", "unclear", "greeting",
           "repeat", "closing", "hurry")


def client_yaml() -> str:
    persona = "\n".join(f"  {key}:\n{_per_lang('persona ' + key, 2, 4)}" for key in PERSONA)
    answers = "\n".join(f"  {field}:\n" + "\n".join(f"    {choice}:\n{_per_lang(f'{field} {choice}', 2, 6)}"
                                                      for choice in choices)
                        for field, choices in (("producer", ("nobody", "owner")), ("weekly_hours", ("h0", "h2_plus"))))
    optimistic = (f"  producer:\n    owner:\n{_per_lang('claim owner', 1, 6)}\n"
                  f"  weekly_hours:\n    h2_plus:\n{_per_lang('claim hours', 1, 6)}")
    slips = f"  producer:\n{_per_lang('slip producer', 2, 4)}\n  weekly_hours:\n{_per_lang('slip hours', 2, 4)}"
    return f"persona:\n{persona}\nanswers:\n{answers}\noptimistic:\n{optimistic}\nslips:\n{slips}\n"


def scenarios_yaml() -> str:
    return f"""topics:
  blog:
    openings:
{_per_lang('on veut un blogue', 2, 6)}
    meaning:
{_per_lang('un blogue c est', 2, 6)}
objectives:
  none:
{_per_lang('le concurrent en a un', 2, 4)}
  awareness:
{_per_lang('se faire connaitre', 2, 4)}
sectors:
  - id: bakery
    name: {{fr: "une boulangerie", en: "a bakery"}}
    clientele: b2c
    regulated: none
    reach: [local]
    lines:
{_per_lang('une boulangerie', 2, 6)}
markets:
  - id: quebec
    name: {{fr: "Québec", en: "Quebec"}}
    places: [Laval, Sherbrooke]
    across: {{fr: "partout au Québec", en: "across Quebec"}}
reach:
  - id: local
    name: {{fr: "locale", en: "local"}}
    lines:
      fr:
        - "On est à {{place}}."
        - "Nos clients sont près de {{place}}."
      en:
        - "We're in {{place}}."
        - "Our customers are near {{place}}."
"""


def questions_yaml(count: int = 20) -> str:
    examples = "\n".join(f"  {move}:\n    fr:\n{_lines(f'question fr sur {move} numero', count, 6)}\n"
                         f"    en:\n{_lines(f'question en about {move} number', count, 6)}" for move in MOVES)
    return f'examples:\n{examples}\ncues:\n  producer:\n    fr: [qui, "qui va*"]\n    en: [who]\n'


def write_roleplay(root: Path) -> Path:
    folder = root / "roleplay"
    folder.mkdir(exist_ok=True)
    (folder / "client.yaml").write_text(client_yaml(), encoding="utf-8")
    (folder / "scenarios.yaml").write_text(scenarios_yaml(), encoding="utf-8")
    (folder / "questions.yaml").write_text(questions_yaml(), encoding="utf-8")
    return root


# --- scripted interviews ------------------------------------------------------------------

ASK = {
    "fr": {"objective": "Avant tout, quel résultat voulez-vous obtenir pour l'entreprise avec ce projet?",
           "situation": "Pouvez-vous me décrire votre entreprise et vos clients?",
           "producer": "Chez vous, qui se chargerait concrètement de produire le contenu?",
           "weekly_hours": "Combien d'heures par semaine pourriez-vous y consacrer toute l'année?",
           "change_frequency": "À quel rythme vos informations et vos offres changent-elles?",
           "writing_comfort": "Écrire, c'est agréable pour vous ou plutôt pénible?",
           "budget": "Quel budget mensuel pouvez-vous garder après le lancement?",
           "audience": "Avez-vous déjà un public : une liste de clients, des abonnés?",
           "horizon": "D'ici combien de temps vous faut-il des résultats?",
           "responder": "Quand un client vous écrira, qui lui répondra, et en combien de temps?",
           "interactive_kind": "Par interactif, vous voulez dire des animations ou des outils pour vos clients?",
           "use_frequency": "Vos clients se serviraient de l'application combien de fois, en général?",
           "build_budget": "Combien pouvez-vous consacrer à la construction, une seule fois?",
           "challenge": "Êtes-vous certain que c'est réaliste, concrètement?",
           "warn": "Je vous préviens : {warning}"},
    "en": {"objective": "First of all, what result do you want this project to bring the business?",
           "situation": "Could you describe your business and your customers?",
           "producer": "On your side, who would actually produce the content?",
           "weekly_hours": "How many hours a week could you devote to it all year round?",
           "change_frequency": "How often do your information and offers change?",
           "writing_comfort": "Is writing enjoyable for you, or rather a chore?",
           "budget": "What monthly budget can you keep after launch?",
           "audience": "Do you already have an audience: a customer list, subscribers?",
           "horizon": "How soon do you need results?",
           "responder": "When a customer writes to you, who will answer, and how fast?",
           "interactive_kind": "By interactive, do you mean animations or tools for your customers?",
           "use_frequency": "How many times would your customers use the app, usually?",
           "build_budget": "How much can you put into building it, one time?",
           "challenge": "Are you sure that's realistic, concretely?",
           "warn": "Fair warning: {warning}"},
}


def perfect(reveal: dict[str, Any], lang: str) -> list[str]:
    """Objective first, the situation, every deciding question (dug into when vague or too good),
    the magic thinking named, the rule's own answer proposed."""
    scenario, ask = reveal["scenario"], ASK[lang]
    lines = [ask["objective"], ask["situation"]]
    claim = scenario["claim"]["field"] if scenario["claim"] else None
    for key in reveal["deciding"]:
        if key in ask:
            lines.append(ask[key])
        if key in scenario["vague"] or key == claim:
            lines.append(ask["challenge"])
    lines.append(ask["warn"].format(warning=quote(reveal["magic_thinking"][0])))
    return lines + ["> " + reveal["expected"]["title"]]


def careless(kb: KnowledgeBase, reveal: dict[str, Any], lang: str) -> list[str]:
    """Proposes the tool asked for, at once."""
    return ["> " + kb.topic(reveal["scenario"]["topic"]).name(lang)]
