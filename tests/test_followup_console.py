"""Issue 9, section 3, through the console: what the user sees and what the store keeps.

Drives `run_console` with piped lines (the engine, the real reader, a scripted classifier)
and a real SQLite store; asserts on the printed text and the stored brief versions.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.console import run_console
from advisor.service import AdvisorService
from knowledge import load_knowledge_base
from storage import SqliteStore
from tests.advisor_helpers import ScriptedClassifier, reader_for
from training.service import QuizService

TABLE = {"on veut un blogue": ("blog",), "we want a blog": ("blog",), "on veut une infolettre": ("newsletter",)}
DONT_KNOW = ["je ne sais pas"] * 30
"""More than any intake asks (four topics ask a dozen questions, and rules keep gaining some): every
question is answered, and the lines left over after the advice only show the after-advice line again."""


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def console(kb, db: Path, lines: list[str], lang: str | None = None, quiz: bool = False) -> str:
    store = SqliteStore(str(db))
    service = AdvisorService(kb, ScriptedClassifier(kb, TABLE), store, reader=reader_for(kb))
    out = io.StringIO()
    run_console(service, [line + "\n" for line in lines], out, key="console:t", user_id="t",
                briefs_dir=db.parent / "briefs", db_label=str(db), lang=lang,
                quiz=QuizService(kb, store) if quiz else None)
    store.close()
    return out.getvalue()


def test_a_correction_after_the_advice_makes_a_second_version_of_the_same_brief(kb, tmp_path):
    db = tmp_path / "pf.sqlite3"
    shown = console(kb, db, ["on veut un blogue", "1", *DONT_KNOW, "non, on a 5 heures par semaine"])
    # the advice again, or one line when it is the same advice: either way a second version
    assert kb.msg("advice_updated", "fr") in shown or kb.msg("advice_unchanged", "fr") in shown
    with SqliteStore(str(db)) as store:
        [brief] = store.list_briefs(limit=10)
        versions = store.brief_versions(brief.id)
    assert [v.version for v in versions] == [1, 2]  # the first version is kept
    assert versions[0].markdown != versions[1].markdown
    assert (tmp_path / "briefs" / f"brief-{brief.id}.v1.md").read_text(encoding="utf-8") == versions[0].markdown


def test_a_new_request_for_the_same_client_is_a_new_brief_and_the_first_is_kept(kb, tmp_path):
    db = tmp_path / "pf.sqlite3"
    shown = console(kb, db, ["on veut un blogue", "1", *DONT_KNOW, "on veut une infolettre", "1", *DONT_KNOW])
    assert kb.msg("new_request_after_advice", "fr", topics="Infolettre").split("?")[0] in shown
    with SqliteStore(str(db)) as store:
        briefs = store.list_briefs(limit=10)
    assert len(briefs) == 2 and all(b.versions == 1 for b in briefs)


@pytest.mark.parametrize("stray", ["aucun", "rien", "quelques mois", "none"])
def test_a_stray_reply_after_the_advice_saves_no_brief_and_starts_nothing(kb, tmp_path, stray):
    db = tmp_path / "pf.sqlite3"
    shown = console(kb, db, ["on veut un blogue", "1", *DONT_KNOW, stray])
    assert kb.msg("after_advice_unclear", "fr") in shown.split(kb.msg("after_advice", "fr"))[-1]
    with SqliteStore(str(db)) as store:
        [brief] = store.list_briefs(limit=10)
    assert brief.versions == 1


def test_lang_en_switches_a_french_conversation_it_resumes(kb, tmp_path):
    db = tmp_path / "pf.sqlite3"
    console(kb, db, ["on veut un blogue"])
    shown = console(kb, db, [], lang="en")
    assert kb.msg("language_set", "en") in shown
    assert kb.msg("objective_question", "en", tactics="Blog") in shown  # the pending question, in English


def test_a_card_mid_intake_shows_the_pending_question_again(kb, tmp_path):
    db = tmp_path / "pf.sqlite3"
    shown = console(kb, db, ["on veut un blogue", "définir SEO"])
    after_card = shown.split(kb.topic("seo").name("fr"), 1)[1]
    assert kb.msg("objective_question", "fr", tactics="Blogue") in after_card


def test_a_quiz_mid_intake_shows_the_pending_question_again_when_it_ends(kb, tmp_path):
    shown = console(kb, tmp_path / "pf.sqlite3", ["on veut un blogue", "quiz", "1", "1", "1"], quiz=True)
    after_quiz = shown.split(kb.msg("quiz_again", "fr"), 1)[1]
    assert kb.msg("objective_question", "fr", tactics="Blogue") in after_quiz


def test_brief_before_any_advice_says_why_and_asks_again(kb, tmp_path):
    shown = console(kb, tmp_path / "pf.sqlite3", ["on veut un blogue", "brief"])
    after = shown.split(kb.msg("no_brief_yet", "fr"), 1)[1]
    assert kb.msg("objective_question", "fr", tactics="Blogue") in after


def test_four_topics_are_advised_in_a_stated_order(kb, tmp_path):
    TABLE["un site, un blogue, une infolettre et du référencement"] = ("website", "blog", "newsletter", "seo")
    shown = console(kb, tmp_path / "pf.sqlite3", ["un site, un blogue, une infolettre et du référencement", "1",
                                                  *DONT_KNOW])
    for topic in ("website", "blog", "newsletter", "seo"):
        assert kb.topic(topic).name("fr") in shown
    assert kb.msg("plan_order", "fr", order="").split(":")[0] in shown
