"""Ask rather than assume, and nothing lost around the advice (issue 9, sections 2 and 3).

Transcripts through the pure engine with the real capacity reader and a scripted classifier
(the classifier's statistics are not the point here). Each test is one bullet of the issue,
driven with the kind of input a new user typed, asserting what the user sees.
"""

from __future__ import annotations

import pytest

from advisor.engine import EngineContext
from knowledge import load_knowledge_base
from tests.advisor_helpers import Guess, Scripted, Transcript

BLOG_FOR_LEADS = "on veut un blogue pour avoir plus de clients"
TABLE = {
    "on veut un blogue": ("blog",),
    "un blogue": ("blog",),
    "we want a blog": ("blog",),
    BLOG_FOR_LEADS: ("blog", "lead_generation"),
    "on veut une infolettre": ("newsletter",),
    "un blogue. Personne n'écrira, mais on a 10 heures par semaine.": ("blog",),
    BLOG_FOR_LEADS + ". Personne n'écrira, mais on a 10 heures par semaine.": ("blog", "lead_generation"),
    "Un site, un blogue, une infolettre et du référencement": ("website", "blog", "newsletter", "seo"),
}


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def talk(kb, *messages: str, lang: str = "fr") -> Transcript:
    t = Transcript(kb, TABLE, lang=lang)
    for message in messages:
        t.say(message)
    return t


def advise(t: Transcript, answer: str = "je ne sais pas") -> None:
    """Answer every question the same way until the advice comes."""
    for _ in range(40):  # more than any intake asks
        if t.state.stage == "done":
            return
        t.say(answer)
    raise AssertionError(f"no advice: stuck at {t.state.stage}: {t.text()}")


# --- section 2: ask rather than assume ------------------------------------------------------

def test_a_capacity_answer_is_restated_in_the_clients_words(kb):
    t = talk(kb, "on veut un blogue", "1")
    t.say("On est deux associés pis on a peut-être 2 heures par semaine.")
    text = t.text()
    assert kb.msg("noted_correct_me", "fr", answers="").split(":")[0] in text
    assert "2 heures par semaine" in text  # the evidence, quoted back
    assert t.state.answers.get("weekly_hours") == "h2_4"


def test_a_correction_replaces_the_misread_answer(kb):
    t = talk(kb, "on veut un blogue", "1", "On a peut-être 2 heures par semaine.")
    assert t.state.answers.get("weekly_hours") == "h2_4"
    t.say("non, 5 heures")
    assert t.state.answers.get("weekly_hours") == "h4_8"


def test_a_dodge_is_i_dont_know_and_the_advice_says_it_was_assumed(kb):
    t = talk(kb, "on veut un blogue", "1")
    t.say("on verra")  # the pending question is dodged: the cautious value, said as such
    assert t.state.unknown
    advise(t)
    rec = t.of_kind("recommendation")[0].data["recommendation"]
    assert any(kb.msg("assumed_because_dont_know", "fr", field="", answer="").split("(")[1].strip(")") in a
               for a in rec["assumptions"])


def test_an_unreadable_answer_is_asked_again_not_assumed(kb):
    t = talk(kb, "on veut un blogue", "1")
    pending = t.state.pending
    t.say("bof, on verra bien ce que ça donne avec le temps qui passe et la météo")
    assert t.state.pending == pending and pending not in t.state.answers


def test_a_situation_question_answered_in_words_is_an_answer(kb):
    t = talk(kb, "on veut un blogue", kb.topic("awareness").name("fr"))
    picked = {"producer": "staff", "weekly_hours": "h4_8", "writing_comfort": "comfortable"}  # choices, not words
    for _ in range(10):  # whatever is asked first, until who exactly would write
        if t.state.pending == "producer_detail":
            break
        t.say(picked.get(t.state.pending or "", "je ne sais pas"))
    assert t.state.pending == "producer_detail", "a blog written by someone asks who exactly"
    t.say("une stagiaire")
    assert t.state.answers["producer_detail"] == "intern"
    assert t.state.pending != "producer_detail" and kb.msg("not_an_answer", "fr") not in t.text()


def test_a_contradiction_is_pointed_out_and_asked(kb):
    t = talk(kb, BLOG_FOR_LEADS + ". Personne n'écrira, mais on a 10 heures par semaine.")
    assert t.state.stage == "contradiction"
    question = t.question()
    assert set(t.state.conflict) == {"producer", "weekly_hours"}
    assert "personne" in question.text.lower() or "nobody" in question.text.lower()
    t.say("2")  # the hours are right: "nobody" is dropped and asked again
    assert "producer" not in t.state.answers and t.state.answers["weekly_hours"] == "h8_plus"
    assert t.state.stage in ("capacity", "done")


def test_a_contradiction_can_be_settled_with_a_new_answer(kb):
    t = talk(kb, BLOG_FOR_LEADS + ". Personne n'écrira, mais on a 10 heures par semaine.")
    t.say("non, 2 heures par semaine")  # still nobody for two hours: still asked
    assert t.state.answers["weekly_hours"] == "h2_4" and t.state.stage == "contradiction"
    t.say("en fait, c'est moi qui vais écrire")
    assert t.state.answers["producer"] == "owner" and t.state.stage != "contradiction"


def test_one_shot_advice_gives_the_other_branch_and_lists_what_would_change_it(kb):
    from advisor.oneshot import advise as one_shot
    from tests.advisor_helpers import reader_for

    result = Scripted("fr", (Guess("blog", "tactic", 0.9),), (Guess("blog", "tactic", 0.9),))
    data = one_shot(kb, result, reader_for(kb), "on veut un blogue", "")
    assert data["would_change"], "a blog's verdict hangs on capacity: the JSON says which answers would change it"
    # what the text did not say: capacity answers, and the client's situation (who the writer is...)
    unsaid = set(data["missing"]) | set(data["missing_situation"])
    first = data["would_change"][0]
    assert first["field"] in unsaid and first["branches"]
    assert any(w["field"] in data["missing"] for w in data["would_change"]), "capacity is among what would change it"
    branches = data["recommendation"]["branches"]
    assert branches and all(b["id"] != data["recommendation"]["id"] for b in branches)
    assert all(set(b["if"]) <= unsaid for b in branches)
    assert any(b["verdict"] == "as_asked" for b in branches), "the branch where the blog is sustainable is shown"


# --- section 3: the conversation around the advice ------------------------------------------

def test_a_correction_after_the_advice_updates_the_same_intake_with_a_new_brief_version(kb):
    t = talk(kb, "on veut un blogue", "1")
    advise(t)
    intake = t.state.intake
    t.say("non, en fait on a 5 heures par semaine")
    assert t.state.intake == intake and t.state.answers["weekly_hours"] == "h4_8"
    # the advice again, or one line when it is the same advice: either way a new brief version
    assert kb.msg("advice_updated", "fr") in t.text() or kb.msg("advice_unchanged", "fr") in t.text()
    brief = t.of_kind("brief")
    assert brief and brief[0].data["intake"] == intake  # the service saves it as version 2 of the same brief


@pytest.mark.parametrize("reply", ["aucun", "rien", "quelques mois", "none"])
def test_a_stray_short_reply_after_the_advice_starts_nothing(kb, reply):
    t = talk(kb, "on veut un blogue", "1")
    advise(t)
    before = (t.state.intake, t.state.topic_ids(), dict(t.state.answers))
    t.say(reply)
    assert (t.state.intake, t.state.topic_ids(), dict(t.state.answers)) == before
    assert t.state.stage == "done" and kb.msg("after_advice_unclear", "fr") in t.text()
    assert not t.of_kind("brief")


def test_she_hates_writing_after_the_advice_updates_the_answer(kb):
    t = talk(kb, "we want a blog", "2", lang="en")
    advise(t, "I don't know")
    t.say("she hates writing")
    assert t.state.answers.get("writing_comfort") == "dislikes" and t.state.stage == "done"
    assert t.state.topic_ids() == ("blog",)


def test_a_clear_new_request_after_the_advice_asks_same_client_or_new(kb):
    t = talk(kb, "on veut un blogue", "1", "On a 2 heures par semaine.")
    advise(t)
    said = dict(t.state.answers)
    t.say("on veut une infolettre")
    assert t.state.stage == "confirm_new"
    assert [c.value for c in t.question().choices] == ["same_client", "new_client", "neither"]
    t.say("1")  # same client: capacity carried over, a new intake
    assert t.state.topic_ids() == ("newsletter",) and t.state.answers == said


def test_a_new_client_keeps_nothing_of_the_previous_one(kb):
    t = talk(kb, "on veut un blogue", "1", "On a 2 heures par semaine.")
    advise(t)
    t.say("on veut une infolettre")
    t.say("2")
    assert t.state.topic_ids() == ("newsletter",) and t.state.answers == {}
    t.say("nouveau client")
    assert t.state.stage == "request" and kb.msg("new_client_started", "fr") in t.text()


def test_neither_goes_back_to_the_advice(kb):
    t = talk(kb, "on veut un blogue", "1")
    advise(t)
    t.say("on veut une infolettre")
    t.say("3")
    assert t.state.stage == "done" and t.state.topic_ids() == ("blog",)


def test_a_new_request_while_a_question_is_pending_is_offered_never_silently_dropped(kb):
    t = talk(kb, "on veut un blogue", "1")
    assert t.state.stage == "capacity"
    t.say("on veut une infolettre")
    assert t.state.stage == "confirm_new" and "Infolettre" in t.question().text
    t.say("2")  # carry on
    assert t.state.stage == "capacity"
    t.say("on veut une infolettre")
    t.say("on veut une infolettre")  # typed again: the user means it
    assert t.state.topic_ids() == ("newsletter",)


def test_i_dont_know_at_which_topic_never_loops(kb):
    TABLE["un site qu'on peut modifier"] = ("?", "cms", "website")
    t = talk(kb, "un site qu'on peut modifier")
    assert t.state.stage == "clarify"
    t.say("je ne sais pas")
    assert t.state.stage != "clarify" and set(t.state.topic_ids()) == {"cms", "website"}
    assert kb.msg("clarify_dont_know", "fr") in t.text()


def test_an_unsure_reading_of_the_request_is_confirmed_before_starting(kb):
    t = Transcript(kb)
    weak = (Guess("community", "tactic", 0.53),)
    t.ctx = EngineContext(kb, lambda text: Scripted("fr", weak, weak), t.ctx.read)
    t.say("message 1")
    assert t.state.stage == "clarify" and t.state.topic_ids() == ()
    assert [c.value for c in t.question().choices] == ["community", "none"]
    t.say("2")
    assert t.state.stage == "request"


def test_four_topics_are_all_advised_in_a_stated_order(kb):
    t = talk(kb, "Un site, un blogue, une infolettre et du référencement", "1")
    advise(t)
    recs = [r.data["recommendation"]["topic"] for r in t.of_kind("recommendation")]
    assert sorted(recs) == ["blog", "newsletter", "seo", "website"]
    assert recs[0] == "website" and recs.index("seo") < recs.index("blog")
    assert kb.msg("plan_order", "fr", order="").split(":")[0] in t.text()


def test_brief_before_any_advice_says_why(kb):
    t = talk(kb, "on veut un blogue")
    t.say("brief")
    assert kb.msg("no_brief_yet", "fr") in t.text() and t.state.stage == "objective"
    assert t.of_kind("question")  # the pending question is shown again


def test_a_pasted_email_is_one_request_without_its_greeting_and_signature(kb):
    TABLE["Notre resto aurait besoin d'un blogue."] = ("blog",)
    t = talk(kb, "Bonjour Marie,\n\nNotre resto aurait besoin d'un blogue.\n\nMerci,\nJean")
    assert t.state.topic_ids() == ("blog",) and t.state.request == "Notre resto aurait besoin d'un blogue."
