"""Role-play in the console, driven with piped lines as a user would: French, English, resume."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.console import run_console
from advisor.service import AdvisorService
from knowledge import load_knowledge_base
from knowledge.models import KnowledgeBase
from storage.sqlite_store import SqliteStore
from tests.advisor_helpers import ScriptedClassifier, reader_for
from training.roleplay.service import RolePlayService

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", name="kb")
def kb_fixture() -> KnowledgeBase:
    return load_knowledge_base()


def console(kb: KnowledgeBase, db: str, lines: list[str], tmp_path: Path, lang: str | None = None,
            seed: int = 11) -> str:
    store = SqliteStore(db)
    advisor = AdvisorService(kb, ScriptedClassifier(kb, {"on veut un blogue": ("blog",)}), store, reader=reader_for(kb))
    roleplay = RolePlayService(kb, store, new_seed=lambda: seed)
    out = io.StringIO()
    assert run_console(advisor, lines, out, key="console:ana", user_id="ana", briefs_dir=tmp_path, db_label=db,
                       lang=lang, roleplay=roleplay) == 0
    store.close()
    return out.getvalue()


def test_a_french_role_play_from_start_to_debrief_then_back_to_advice(kb: KnowledgeBase, tmp_path: Path) -> None:
    text = console(kb, str(tmp_path / "a.db"), [
        "jeu de rôle 1", "Bonjour!", "Qu'est-ce que vous voulez accomplir avec ça?", "Parlez-moi de votre entreprise.",
        "Qui va écrire les textes?", "proposer", "1", "jeu de rôle progrès", "on veut un blogue"], tmp_path)
    assert "Jeu de rôle, niveau 1 (client clair et coopératif)" in text
    assert text.count("Client : ") >= 5 and "**" not in text  # markdown stripped for the terminal
    assert "et vos propres mots.\n  1. " in text
    assert "Bilan : " in text and "Le profil caché" in text and "Transcription" in text
    assert "Votre progression en jeu de rôle\n1 séance(s)" in text
    after = text.split("Votre progression en jeu de rôle")[1]
    assert "Je ne sais pas" in after and text.rstrip().endswith("À bientôt!")  # back to the advisor


def test_an_english_role_play_follows_the_word_used(kb: KnowledgeBase, tmp_path: Path) -> None:
    text = console(kb, str(tmp_path / "b.db"), ["roleplay 2", "What's the goal here?", "cancel", "roleplay seven"],
                   tmp_path)
    assert "Role-play, level 2 (a vague client" in text and "Client: " in text
    assert "Role-play abandoned: nothing is scored." in text
    assert 'Usage: "roleplay" (suggested level), "roleplay 1"' in text


def test_a_restarted_console_resumes_the_role_play(kb: KnowledgeBase, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    first = console(kb, db, ["jeu de rôle 3", "Quel est votre objectif?"], tmp_path)
    last_line = [line for line in first.splitlines() if line.startswith("Client : ")][-1]
    again = console(kb, db, ["Quel budget avez-vous?"], tmp_path)
    assert "Jeu de rôle repris là où vous l'aviez laissé." in again and last_line in again
    assert again.count("Client : ") == 2  # the reminder, then the answer about the budget


def test_bot_console_routes_role_play_words(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLANFIRST_DB": str(tmp_path / "pf.sqlite3"),
           "PLAN_FIRST_CACHE": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "bot.py", "--console", "--briefs", str(tmp_path / "briefs")],
                          input="jeu de rôle 2\nBonjour, quel est le but du projet?\njeu de rôle équipe\nannuler\n"
                                "jeu de rôle équipe\n",
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert "Jeu de rôle, niveau 2" in done.stdout and "Client : " in done.stdout
    assert "L'équipe en jeu de rôle\nPersonne n'a encore terminé de jeu de rôle ici." in done.stdout
