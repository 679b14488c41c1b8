"""The service (persistence, briefs, gaps) and the console, driven as a user would."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.console import run_console
from advisor.service import AdvisorService
from knowledge import load_knowledge_base
from storage.sqlite_store import SqliteStore
from tests.advisor_helpers import ScriptedClassifier, reader_for

ROOT = Path(__file__).resolve().parent.parent
TABLE = {"on veut un blogue": ("blog",), "mon imprimante est brisée": ()}


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def service(kb, db: str) -> AdvisorService:
    return AdvisorService(kb, ScriptedClassifier(kb, TABLE), SqliteStore(db), reader=reader_for(kb))


def test_restart_mid_interview_resumes_at_the_same_question(kb, tmp_path):
    db = str(tmp_path / "pf.sqlite3")
    first = service(kb, db)
    first.handle("k", "on veut un blogue", user_id="u1")
    first.handle("k", "1", user_id="u1")
    pending = first.current("k").pending
    assert pending
    first.store.close()
    again = service(kb, db)                     # a new process on the same file
    state = again.current("k")
    assert state.stage == "capacity" and state.pending == pending
    assert again.prompt("k")[0].data["field"] == pending
    assert again.owner("k") == "u1"
    replies = again.handle("k", "je ne sais pas", user_id="u1")
    assert again.current("k").pending != pending or any(r.kind == "recommendation" for r in replies)


def test_briefs_are_saved_once_and_retrievable(kb):
    svc = service(kb, ":memory:")
    svc.handle("k", "on veut un blogue")
    replies = svc.handle("k", "1")
    for _ in range(10):
        if svc.current("k").stage == "done":
            break
        replies = svc.handle("k", "1")
    brief = [r for r in replies if r.kind == "brief"][0]
    brief_id = brief.data["brief_id"]
    assert svc.store.get_brief(brief_id).markdown == brief.text
    again = [r for r in svc.handle("k", "brief") if r.kind == "brief"][0]
    assert again.data["brief_id"] == brief_id
    assert len(svc.store.list_briefs(limit=10)) == 1


def test_out_of_scope_requests_become_knowledge_gaps(kb):
    svc = service(kb, ":memory:")
    svc.handle("k", "mon imprimante est brisée")
    gaps = svc.store.list_gaps()
    assert [g.text for g in gaps] == ["mon imprimante est brisée"]


def test_engine_failure_answers_briefly_and_keeps_the_state(kb):
    class Broken:
        def classify(self, text):
            raise RuntimeError("boom")
    svc = AdvisorService(kb, Broken(), SqliteStore(":memory:"), reader=reader_for(kb))
    replies = svc.handle("k", "on veut un blogue")
    assert replies[0].kind == "error" and "boom" not in replies[0].text
    assert svc.current("k") is None


def test_console_prints_numbered_choices_and_saves_the_brief(kb, tmp_path):
    svc = service(kb, ":memory:")
    out = io.StringIO()
    lines = ["on veut un blogue"] + ["1"] * 10
    code = run_console(svc, lines, out, key="console:t", user_id="t", briefs_dir=tmp_path,
                       db_label=":memory:")
    text = out.getvalue()
    assert code == 0
    assert "  1. " in text and "  2. " in text
    files = list(tmp_path.glob("brief-*.md"))
    assert len(files) == 1 and "on veut un blogue" in files[0].read_text(encoding="utf-8")
    assert kb.msg("goodbye", "fr") in text


CACHE: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def shared_classifier_cache(shipped_cache):
    """One classifier cache for every subprocess of this module, already holding the model."""
    CACHE["dir"] = str(shipped_cache)


def run_bot(*args: str, stdin: str = "", tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {"PLANFIRST_DB": str(tmp / "cli.sqlite3"), "PATH": "/usr/bin:/bin", "HOME": str(tmp),
           "PLAN_FIRST_CACHE": CACHE["dir"], "PLAN_FIRST_EMBEDDINGS": "off",
           "PLAN_FIRST_READER_CACHE": os.environ["PLAN_FIRST_READER_CACHE"]}
    return subprocess.run([sys.executable, "bot.py", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120, check=False)


def test_console_piped_end_to_end_with_the_real_classifier(tmp_path):
    messages = "\n".join(["on veut un blogue", "1", "je ne sais pas", "je ne sais pas", "je ne sais pas",
                          "je ne sais pas", "je ne sais pas", "je ne sais pas", "je ne sais pas"])
    done = run_bot("--console", "--briefs", str(tmp_path / "briefs"), stdin=messages + "\n", tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "1. " in done.stdout
    assert list((tmp_path / "briefs").glob("brief-*.md"))


def test_console_odd_input_loses_nothing(tmp_path):
    odd = ["", "   ", "🎉🎉🎉", "@everyone **gras** `code`", "\x00\x01\x02binaire", "x" * 100_000]
    done = run_bot("--console", "--lang", "en", stdin="\n".join(odd) + "\n", tmp=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "received no text" in done.stdout


def test_console_resumes_after_a_kill(tmp_path):
    first = run_bot("--console", stdin="on veut un blogue\n1\n", tmp=tmp_path)
    assert first.returncode == 0
    second = run_bot("--console", stdin="", tmp=tmp_path)
    assert "reprend" in second.stdout


def test_advise_json_contract(tmp_path):
    done = run_bot("advise", "on veut un blogue", "--profile",
                   "personne n'a le temps d'écrire, nos infos changent deux fois par année, petit budget",
                   "--json", tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["topics"][0]["id"] == "blog"
    assert data["profile"]["producer"]["value"] == "nobody"
    assert data["profile"]["weekly_hours"]["value"] == "h0"
    assert data["profile"]["change_frequency"]["value"] == "yearly"
    assert data["profile"]["budget"]["value"] == "small"
    assert "writing_comfort" in data["missing"]
    rec = data["recommendation"]
    assert rec["verdict"] in ("scaled_down", "instead")
    for key in ("id", "title", "rationale", "tactics", "weekly_hours", "warnings", "alternatives", "sources"):
        assert key in rec
    assert len(rec["alternatives"]) >= 2


def test_advise_same_request_different_capacity_different_verdicts(tmp_path):
    weak = run_bot("advise", "on veut un blogue", "--profile", "personne, pas le temps, on déteste écrire",
                   "--json", tmp=tmp_path)
    strong = run_bot("advise", "on veut un blogue", "--profile",
                     "notre équipe marketing, 10 heures par semaine, on adore écrire, gros budget",
                     "--json", tmp=tmp_path)
    weak_rec = json.loads(weak.stdout)["recommendation"]
    strong_rec = json.loads(strong.stdout)["recommendation"]
    assert weak_rec["verdict"] != strong_rec["verdict"]
    assert strong_rec["verdict"] == "as_asked"
    assert "Personne" in weak_rec["rationale"]
    assert "équipe" in strong_rec["rationale"].lower()


def test_invalid_knowledge_base_exits_2_with_file_line_field(tmp_path):
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / "capacity.yaml").write_text("fields: [\n", encoding="utf-8")
    done = run_bot("advise", "un blogue", "--kb", str(kb_dir), tmp=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "capacity.yaml:" in done.stderr


def test_missing_token_points_to_the_console(tmp_path):
    done = run_bot("run", tmp=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--console" in done.stderr + done.stdout


def test_gaps_and_forget_commands(tmp_path):
    run_bot("advise", "x", tmp=tmp_path)
    run_bot("--console", stdin="mon imprimante ne marche plus\n", tmp=tmp_path)
    gaps = run_bot("gaps", tmp=tmp_path)
    assert gaps.returncode == 0 and "imprimante" in gaps.stdout
    forget = run_bot("forget", "--older-than", "0d", tmp=tmp_path)
    assert forget.returncode == 0
    bad = run_bot("forget", tmp=tmp_path)
    assert bad.returncode == 2
