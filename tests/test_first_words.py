"""What a newcomer types, read as they meant it (issue 9, found trying the bot as a new user):
"yes" to a yes-or-no question, a goal the model is unsure of, an unclear reply to "a new
request?", a competitor named as the reason, a response time or a one-off sum that are not
hours or money a month. Real classifier and reader, through the pure engine."""

from __future__ import annotations

from dataclasses import replace

import pytest

from advisor.engine import EngineContext, is_magic_objective, new_state, step
from classifier import load_classifier
from knowledge import load_knowledge_base
from tests.advisor_helpers import reader_for


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="module")
def ctx(kb):
    return EngineContext(kb, load_classifier(kb).classify, reader_for(kb).read)


def run(ctx, lang, *messages):
    state, replies = new_state(lang, True), []
    for message in messages:
        state, replies = step(ctx, state, message)
    return state, " ".join(r.text for r in replies)


@pytest.mark.parametrize(("lang", "yes"), [("en", "yes"), ("en", "yep"), ("fr", "oui"), ("fr", "c'est ça")])
def test_yes_confirms_the_one_topic_the_bot_was_unsure_of(ctx, kb, lang, yes):
    state = new_state(lang, True)
    state = replace(state, stage="clarify", options=("seo",))
    state, replies = step(ctx, state, yes)
    assert state.stage != "clarify" and state.topic_ids() == ("seo",)
    assert kb.msg("not_an_answer", lang) not in " ".join(r.text for r in replies)


def test_no_to_the_one_topic_asks_for_more(ctx, kb):
    state = new_state("en", True)
    state = replace(state, stage="clarify", options=("seo",))
    state, _ = step(ctx, state, "nope")
    assert state.stage == "request" and not state.topic_ids()


def test_a_goal_the_model_is_unsure_of_is_said_back_and_asked(ctx, kb):
    goal = "pour mieux suivre ses représentants pis relancer les clients existants"
    state, text = run(ctx, "fr", "Il veut un CRM.", goal)
    assert state.stage == "objective" and state.objective is None
    assert "Je crois comprendre que l'objectif est" in text
    assert "nouvelle demande" not in text.lower()
    state, text = run(ctx, "fr", "Il veut un CRM.", goal, "oui")
    assert state.objective not in (None, "unknown") and state.stage != "objective"


def test_an_unclear_reply_to_a_new_request_offer_never_loops(ctx, kb):
    state, _ = run(ctx, "fr", "on veut un blogue", "1", "on veut une infolettre")
    assert state.stage == "confirm_new"
    state, text = run(ctx, "fr", "on veut un blogue", "1", "on veut une infolettre", "euh, comme vous voulez")
    assert state.stage != "confirm_new" and kb.msg("kept_going_unclear", "fr") in text


@pytest.mark.parametrize("reply", [
    "ben sa compétitrice est sur TikTok pis Instagram, elle veut pas être en reste",
    "the competitor down the street has Instagram and TikTok so they want the same",
])
def test_the_competitor_as_the_reason_is_magic_thinking(kb, reply):
    assert is_magic_objective(kb, reply)


@pytest.mark.parametrize(("text", "field", "absent_or_choice"), [
    ("c'est Marc le commercial qui répond aux demandes de devis, sous 48h", "weekly_hours", None),
    ("on a prévu 8k€ pour l'appli", "budget", None),
    ("on a prévu 8k€ pour l'appli", "build_budget", "medium"),
    ("Industrial manufacturer in Ohio, $1,000 a month", "market", "other"),
])
def test_numbers_land_in_the_question_they_answer(kb, text, field, absent_or_choice):
    assert reader_for(kb).read(text).choices().get(field) == absent_or_choice


def test_a_blog_to_keep_customers_becomes_a_newsletter_sized_to_the_capacity(kb):
    from advisor.advice import select_rule

    keen = {"objective": "retention", "producer": "owner", "weekly_hours": "h4_8", "writing_comfort": "comfortable",
            "audience": "established"}
    busy = {"objective": "retention", "producer": "nobody"}
    monthly, seasonal = select_rule(kb, "blog", keen), select_rule(kb, "blog", busy)
    assert monthly.verdict == seasonal.verdict == "instead" and "newsletter" in monthly.tactics
    assert monthly.id != seasonal.id and monthly.delivers.get("asked_cadence") == "monthly"


def test_capacity_said_with_the_objective_is_kept_and_the_objective_confirmed(ctx, kb):
    mixed = "more quote requests; the sales manager would do it, maybe 1 hour a week"
    state, text = run(ctx, "en", "They want a CRM.", mixed)
    assert state.stage == "objective" and state.objective is None
    assert state.answers.get("weekly_hours") == "h1" and "Noted" in text and "I understand the objective" in text
    state, _ = run(ctx, "en", "They want a CRM.", mixed, "yes")
    assert state.objective == "lead_generation" and state.answers.get("weekly_hours") == "h1"


def test_an_audience_given_as_the_objective_is_not_filed_as_one(ctx, kb):
    """Asked what social media is for, "they have about 3000 patients" is an audience; the bot
    notes it and asks whether retention is meant, instead of filing retention silently."""
    state, text = run(ctx, "en", "The dentist wants to be on social media.", "they have about 3000 patients")
    assert state.objective is None and state.answers.get("audience") == "established"
    assert "I understand the objective" in text


def test_an_answer_that_changes_nothing_says_so_in_a_line_and_still_versions_the_brief(ctx, kb):
    lines = ["On voudrait un blogue pour notre boutique de vélos à Sherbrooke",
             "pour se faire connaître dans la région",
             "C'est moi qui vais écrire, j'ai 5 heures par semaine", "c'est un plaisir, j'adore écrire"]
    state, replies = new_state("fr", True), []
    for line in lines:
        state, replies = step(ctx, state, line)
    assert state.stage == "done" and any(r.kind == "brief" for r in replies)
    state, replies = step(ctx, state, "on a comme 2000 abonnés sur Facebook")
    text = " ".join(r.text for r in replies)
    assert kb.msg("advice_unchanged", "fr") in text and any(r.kind == "brief" for r in replies)
    assert not any(r.kind == "recommendation" for r in replies)
    state, replies = step(ctx, state, "non, une heure par semaine")  # the blog no longer holds: asked or re-advised
    assert kb.msg("advice_unchanged", "fr") not in " ".join(r.text for r in replies)
    assert state.stage == "capacity" or any(r.kind == "recommendation" for r in replies)


def test_a_hedged_answer_is_said_back_as_undecided_not_taken_silently(ctx, kb):
    state, _ = run(ctx, "fr", "On voudrait un blogue", "pour se faire connaître")
    asked = state.pending
    assert state.stage == "capacity" and asked
    state, replies = step(ctx, state, "ben là, on verra, ça dépend")
    text = " ".join(r.text for r in replies)
    assert asked in state.unknown  # a dodge: the cautious value, and the bot says so
    assert kb.msg(f"field_{asked}", "fr") + " pas encore décidé" in text


@pytest.mark.parametrize(("text", "field", "choice"), [
    ("the owner I guess, she's pretty busy", "weekly_hours", None),  # busy is little time, never 8 hours
    ("they have like 800 people on their mailing list", "audience", "small"),
])
def test_vague_answers_are_not_read_backwards(kb, text, field, choice):
    assert reader_for(kb).read(text).choices().get(field) == choice
