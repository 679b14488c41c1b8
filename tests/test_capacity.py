"""Reading content capacity out of free text, on the shipped knowledge base.

Each phrase maps to exactly the answers expected: the fields listed AND no other field. A
capacity misread is worse than a question asked again, so phrases that must read nothing
(or only one field) are as important as the ones that must read something.
"""

from __future__ import annotations

import pytest

from advisor.capacity import counts_in, hours_in, match_field, money_in, parse_capacity, read_number
from knowledge import load_knowledge_base
from knowledge.models import KnowledgeBase
from knowledge.text import normalise

P, H, C, W, B, A, T = "producer", "weekly_hours", "change_frequency", "writing_comfort", "budget", "audience", "horizon"

CASES: dict[str, dict[str, str]] = {
    # --- the contract examples ------------------------------------------------------------
    "personne n'a le temps d'écrire, nos infos changent deux fois par année, petit budget":
        {P: "nobody", H: "h0", C: "yearly", B: "small"},
    "c'est moi qui écrirais le soir, peut-être une heure par semaine, nos infos changent rarement":
        {P: "owner", H: "h1", C: "yearly"},
    # --- 1. money, by amount (monthly) ----------------------------------------------------
    "budget de 300$ par mois": {B: "small"},
    "5 000 euros par an": {B: "small"},
    "about 300 dollars a month": {B: "small"},
    "on a 2000$/mois": {B: "large"},
    "$500/month budget": {B: "medium"},
    "on a un budget de 1 500 $ par mois pour la pub": {B: "medium"},
    "2k$ par mois": {B: "large"},
    "1,5 k$ par mois": {B: "medium"},
    "moins de 500$ par mois": {B: "small"},
    "entre 200 et 500$ par mois": {B: "small"},
    "we have a tight budget, maybe $200 a month": {B: "small"},
    "my budget is tight, around 150/month": {B: "small"},
    "notre budget est de 800 par mois": {B: "medium"},
    "on peut mettre 50$ par semaine en publicité": {B: "small"},
    "budget annuel de 6000$": {B: "medium"},
    "deux mille dollars par année": {B: "small"},
    "0$": {B: "none"},
    "environ 300 $": {B: "small"},
    "j'ai 2 heures par semaine et 300$ par mois": {H: "h2_4", B: "small"},
    # a bare sum in a text about building is the build budget, not a monthly one
    "Je veux un site web pour mon restaurant, on a un budget de 5000$": {},
    "3000$ et 2 employés": {B: "large"},
    # --- 2. spans read by a number reader feed no other field -----------------------------
    "10 heures par mois": {H: "h2_4"},
    "on sert 200 clients par semaine": {},
    "2 hours weekly": {H: "h2_4"},
    # --- 3. the most specific choice wins -------------------------------------------------
    "nos prix changent quelques fois par année": {C: "quarterly"},
    "our prices change a few times a year": {C: "quarterly"},
    "I hate writing but I'll do it myself": {P: "owner", W: "dislikes"},
    "I don't like writing": {W: "dislikes"},
    "I'm not a good writer": {W: "dislikes"},
    "je ne suis pas très à l'aise pour écrire": {W: "dislikes"},
    # --- 4. audience, by count ------------------------------------------------------------
    "on a une infolettre avec 3000 abonnés": {A: "established"},
    "5,000 Instagram followers": {A: "established"},
    "une liste de 800 clients": {A: "small"},
    "On a une page Facebook avec 1 200 abonnés et une petite infolettre": {A: "established"},
    "10k followers on instagram": {A: "established"},
    "on a moins de 100 abonnés": {A: "none"},
    "our mailing list has about 450 subscribers": {A: "small"},
    "on a une liste de 2 000": {A: "established"},
    # --- 5. horizon, hours, writing, producer, change frequency ---------------------------
    "on peut attendre un an": {T: "year_plus"},
    "d'ici un mois": {T: "weeks"},
    "by next month": {T: "weeks"},
    "in a year": {T: "year_plus"},
    "30 minutes par jour": {H: "h2_4"},
    "une demi-heure par semaine": {H: "h1"},
    "half an hour a week": {H: "h1"},
    "20 min par jour": {H: "h1"},
    "écrire c'est pas mon fort": {W: "dislikes"},
    "j'écris bien": {W: "comfortable"},
    "I write well": {W: "comfortable"},
    "writing isn't my thing": {W: "dislikes"},
    "ma femme va s'en occuper": {P: "owner"},
    "mon associé": {P: "owner"},
    "my partner will do it": {P: "owner"},
    "l'agence va écrire": {P: "agency"},
    "we'll pay a freelancer": {P: "agency"},
    "on va payer un pigiste pour écrire": {P: "agency"},
    "on va payer un pigiste pour écrire, personne chez nous n'a le temps": {P: "agency", H: "h0"},
    "on va payer un pigiste pour écrire, on a pas le temps": {P: "agency", H: "h0"},
    "Nobody here has time, we'll hire a freelancer": {P: "agency", H: "h0"},
    "nos infos changent jamais": {C: "yearly"},
    "never changes": {C: "yearly"},
    # --- 6. "a few hundred" is a small budget ---------------------------------------------
    "quelques centaines": {B: "small"},
    "a few hundred": {B: "small"},
    "quelques centaines de dollars par mois": {B: "small"},
    "quelques centaines d'abonnés": {A: "small"},
    # --- everyday phrasings, French (Québec and France) -----------------------------------
    "une personne à temps partiel": {P: "staff"},
    "personne ne nous connaît": {A: "none"},
    "Personne. On est juste deux et on est débordés.": {P: "nobody", H: "h0"},
    "Je peux y mettre 2-3 heures par semaine, pas plus": {H: "h2_4"},
    "On a une adjointe qui pourrait s'en occuper deux heures par semaine": {P: "staff", H: "h2_4"},
    "Notre coordonnatrice marketing s'en occupera, à temps plein": {P: "team", H: "h8_plus"},
    "Je travaille à temps plein ailleurs, donc peu de temps": {H: "h1"},
    "nos spéciaux changent chaque semaine": {C: "weekly"},
    "le menu change tous les jours": {C: "weekly"},
    "on n'est pas pressés, c'est à long terme": {T: "year_plus"},
    "on veut des résultats d'ici le mois prochain": {T: "weeks"},
    "c'est moi, mais je déteste écrire": {P: "owner", W: "dislikes"},
    "Vous pourriez écrire nos textes?": {P: "agency"},
    "on a une clientèle fidèle depuis 20 ans": {A: "established"},
    "on est une nouvelle entreprise, on part de zéro": {A: "none"},
    "on a pas de budget pour après": {B: "none"},
    "on a pas un dollar": {B: "none"},
    "pas plus d'une heure par semaine": {H: "h1"},
    "une heure et demie par semaine": {H: "h1"},
    "1h30 par semaine": {H: "h1"},
    "2 à 3 h/semaine": {H: "h2_4"},
    "une heure ou deux par semaine": {H: "h1"},
    "j'écris pas très bien": {W: "dislikes"},
    "mon chum va m'aider": {P: "owner"},
    "Un pigiste, probablement": {P: "agency"},
    "personne chez nous ne va écrire": {P: "nobody"},
    "c'est toujours pareil, ça bouge pas": {C: "yearly"},
    "on change nos promos aux trois mois": {C: "quarterly"},
    "une fois par mois, à peu près": {C: "monthly"},
    "dans six mois, idéalement avant l'été": {T: "months"},
    "je me débrouille en rédaction": {W: "okay"},
    # --- everyday phrasings, English ------------------------------------------------------
    "We're a small team, our office manager could take it on, maybe 4 hours a week": {P: "staff", H: "h4_8"},
    "Our prices change every month and we have about 2,000 newsletter subscribers":
        {C: "monthly", A: "established"},
    "We need results ASAP, money isn't an issue": {B: "large", T: "weeks"},
    "I can give it an hour or two a week, tops": {H: "h1"},
    "We just opened, nobody knows us yet": {A: "none"},
    "My assistant writes pretty well": {P: "staff", W: "comfortable"},
    "The owner would write in the evenings": {P: "owner"},
    "we don't have anyone to write": {P: "nobody"},
    "our info rarely changes, maybe once a year": {C: "yearly"},
    "under two hours a week": {H: "h1"},
    "I'd say 3 or 4 hours a week": {H: "h2_4"},
    "we update our menu every week, new dishes every day": {C: "weekly"},
    "seasonal changes mostly": {C: "quarterly"},
    "a couple hundred bucks a month": {B: "small"},
    "we're not in a hurry, this is a long-term thing": {T: "year_plus"},
    "writing comes naturally to me": {W: "comfortable"},
    "a freelancer will handle it, nobody in house has time": {P: "agency", H: "h0"},
    # --- must read nothing (or nothing more) ----------------------------------------------
    "no one will read a blog": {},
    "nobody reads blogs anymore": {},
    "personne ne lit les blogues": {},
    "ma fille pense que c'est une bonne idée": {},
    "my husband thinks we need a blog": {},
    "On ouvre 5 jours par semaine de 9h à 17h": {},
    "entre 9h et 17h30, 2 heures par semaine": {H: "h2_4"},
    "on est à 15 minutes du centre-ville": {},
    "ouvert 24h/24": {},
    "on a 12 employés": {},
    "we have 25 employees and 3 stores": {},
    "je veux publier 3 fois par semaine sur Instagram": {},
    "gros budget, on a 3 magasins": {B: "large"},
    "on a 2 heures, pas plus": {H: "h2_4"},
    "je peux écrire le soir vers 20h": {P: "owner"},
    "two thousand dollars a month": {B: "large"},
    "on a pas de clients pour l'instant, c'est pas urgent": {T: "year_plus"},
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("text", CASES.keys())
def test_phrase_reads_exactly_the_expected_answers(kb: KnowledgeBase, text: str) -> None:
    found = {f: a.choice for f, a in parse_capacity(kb, text).items()}
    assert found == CASES[text], {f: a.evidence for f, a in parse_capacity(kb, text).items()}


def test_every_expected_choice_exists(kb: KnowledgeBase) -> None:
    for expected in CASES.values():
        for field_id, choice_id in expected.items():
            kb.field(field_id).choice(choice_id)


def test_evidence_is_the_words_of_the_client(kb: KnowledgeBase) -> None:
    found = parse_capacity(kb, "Budget de 300 $ par mois, 10 heures par mois, nos infos changent rarement")
    assert found[B].evidence == "300 $ par mois"
    assert found[H].evidence == "10 heures par mois"
    assert found[C].evidence == "rarement"


@pytest.mark.parametrize(("token", "value"), [
    ("5 000", 5000), ("5,000", 5000), ("1,5", 1.5), ("2.5", 2.5), ("2k", 2000), ("1,5 k", 1500),
    ("deux mille", 2000), ("a thousand", 1000), ("trois cents", 300), ("deux mille cinq cents", 2500),
    ("1.500,5", 1500.5), ("12", 12),
])
def test_numbers(kb: KnowledgeBase, token: str, value: float) -> None:
    words = {w: v for lang in kb.number_words.values() for w, v in lang.items()}
    assert read_number(token, words) == pytest.approx(value)


@pytest.mark.parametrize(("text", "hours"), [
    ("une heure par semaine", 1), ("30 minutes par jour", 2.5), ("10 heures par mois", 10 / 4.3),
    ("1h30", 1.5), ("half an hour a week", 0.5), ("2-3 h", 2.5), ("une heure et demie", 1.5),
    ("an hour or two a week", 1.5),
])
def test_hours_reader(kb: KnowledgeBase, text: str, hours: float) -> None:
    found = hours_in(text, kb)
    assert found and found[0].value == pytest.approx(hours)


@pytest.mark.parametrize(("text", "monthly"), [
    ("300$ par mois", 300), ("5 000 euros par an", 5000 / 12), ("$2k/month", 2000), ("50 $ par semaine", 215),
    ("20 dollars a day", 600), ("2 000 $ CAD mensuellement", 2000),
])
def test_money_reader(kb: KnowledgeBase, text: str, monthly: float) -> None:
    found = money_in(text, kb)
    assert found and found[0].value == pytest.approx(monthly)


@pytest.mark.parametrize(("text", "count"), [
    ("3000 abonnés", 3000), ("5,000 instagram followers", 5000), ("une liste de 800 clients", 800),
    ("deux mille abonnes", 2000), ("1k followers", 1000),
])
def test_count_reader(kb: KnowledgeBase, text: str, count: float) -> None:
    found = counts_in(normalise(text), kb)
    assert found and found[0].value == pytest.approx(count)


def test_a_span_read_by_a_number_reader_is_read_once(kb: KnowledgeBase) -> None:
    """'par mois' in an amount of hours or money is not a change frequency."""
    for text in ("10 heures par mois", "300 $ par mois", "2 heures par semaine", "5 000 euros par an"):
        assert C not in parse_capacity(kb, text), text


def test_longest_match_wins_whatever_the_order_of_choices(kb: KnowledgeBase) -> None:
    field = kb.field(C)
    text = "nos prix changent quelques fois par annee"
    assert match_field(field, text).choice == "quarterly"
    reversed_field = type(field)(id=field.id, weight=field.weight, question=field.question, why=field.why,
                                 cautious=field.cautious, choices=tuple(reversed(field.choices)))
    assert match_field(reversed_field, text).choice == "quarterly"


def test_ranges_in_the_shipped_base_cover_without_gaps(kb: KnowledgeBase) -> None:
    for field_id, key in ((H, "hours"), (B, "amount"), (A, "count")):
        ranges = sorted(getattr(c, key) for c in kb.field(field_id).choices)
        assert ranges[0][0] == 0, field_id
        for (_, high), (low, _) in zip(ranges, ranges[1:], strict=False):
            assert high == low, field_id
