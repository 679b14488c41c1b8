"""`python -m classifier predict|evaluate` as shared/contract.md describes them, on the
small YAML knowledge base of conftest.py (topics `awareness` and `blog`)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import edit, make_kb

from classifier.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_kb(tmp_path_factory.mktemp("cli") / "kb")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAN_FIRST_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


def test_predict_answers_every_odd_line_with_one_json_line(kb: Path) -> None:
    lines = [
        "demande en français sur blog numéro 3",
        "",
        "   ",
        "x" * 100_000,
        "avec\x00des\x01caractères\x1bde contrôle\x7f et un \r retour chariot",
        "😀🎉🔥",
        "\u2028séparateur\u2029unicode\x85",
        "what time is it 12",
    ]
    data = "\n".join(lines).encode("utf-8") + b"\n" + b"\xff\xfe junk \xc3\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "classifier", "predict", "--kb", str(kb)],
        input=data, capture_output=True, cwd=ROOT, env=env, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode("utf-8").split("\n")
    assert out[-1] == ""  # every line ends with "\n"
    rows = [json.loads(line) for line in out[:-1]]
    assert len(rows) == len(lines) + 1
    assert [r["text"] for r in rows[:-1]] == lines
    assert rows[-1]["text"] == "\ufffd\ufffd junk \ufffd"
    for row in rows:
        assert row["language"] in ("fr", "en")
        for t in row["topics"]:
            assert set(t) == {"id", "level", "confidence"} and 0 <= t["confidence"] <= 1
    assert [t["id"] for t in rows[0]["topics"]] == ["blog"]
    assert rows[0]["topics"][0]["level"] == "tactic"
    for i in (1, 2, 5):
        assert rows[i]["topics"] == [] and rows[i]["reason"] == "empty"
    assert rows[-2]["topics"] == [] and rows[-2]["language"] == "en"
    assert len(done.stdout.decode("utf-8").splitlines()) == len(rows)  # U+2028 etc. escaped


def test_predict_text_option(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", "--kb", str(kb), "--text", "request in english about awareness numéro 7"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert [(t["id"], t["level"]) for t in row["topics"]] == [("awareness", "objective")]


def test_evaluate_prints_the_metrics_in_text_and_json(
    kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(json.dumps(c) for c in [
            {"text": "demande en français sur blog numéro 1", "expected": ["blog"], "kind": "single"},
            {"text": "what time is it 3", "expected": [], "kind": "oos"},
        ]) + "\n", encoding="utf-8")
    assert main(["evaluate", str(cases), "--kb", str(kb), "--json"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["cases"] == 2 and m["primary_accuracy"] == 1.0
    assert set(m["by_kind"]) == {"single", "oos"}
    assert main(["evaluate", str(cases), "--kb", str(kb)]) == 0
    text = capsys.readouterr().out
    for label in ("primary topic accuracy", "topic-set F1", "out of scope: precision", "by kind",
                  "confusions"):
        assert label in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["evaluate", "/no/such/file.jsonl"], "cannot read"),
        (["predict", "--kb", "/no/such/folder", "--text", "x"], "knowledge base folder not found"),
    ],
)
def test_user_mistakes_exit_2_with_a_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_malformed_cases_file_names_the_line(kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "bad.jsonl"
    cases.write_text('{"text": "a", "expected": []}\n{"text": "b"}\n', encoding="utf-8")
    assert main(["evaluate", str(cases), "--kb", str(kb)]) == 2
    assert f"{cases}:2: missing field 'expected'" in capsys.readouterr().err


def test_invalid_knowledge_base_prints_its_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb(tmp_path / "broken")
    edit(root / "topics" / "blog.yaml", "level: tactic", "level: tactique")
    assert main(["predict", "--kb", str(root), "--text", "x"]) == 2
    err = capsys.readouterr().err
    assert "invalid knowledge base" in err and "blog.yaml:" in err and "level" in err


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["predikt"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_stdin_is_read_line_by_line(kb: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    raw = io.BytesIO("what time is it 1\r\ndemande en français sur blog numéro 2".encode())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(raw, encoding="utf-8"))
    assert main(["predict", "--kb", str(kb)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in rows] == ["what time is it 1", "demande en français sur blog numéro 2"]
    assert [[t["id"] for t in r["topics"]] for r in rows] == [[], ["blog"]]
