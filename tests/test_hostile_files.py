"""Hostile files through the real commands: knowledge bases (`python -m knowledge validate`,
which `/kb reload` shares) and `python -m classifier evaluate` case files. Each is a problem
named with its path, in well under a second: never a hang, a crash, a traceback or a leak.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import make_kb

from classifier.__main__ import main as classifier_main
from knowledge.__main__ import main as knowledge_main


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAN_FIRST_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


def validate(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, str, float]:
    start = time.perf_counter()
    code = knowledge_main(["validate", str(root)])
    err = capsys.readouterr().err
    return code, err, time.perf_counter() - start


@pytest.mark.parametrize("text", [
    "examples: " + "[" * 30_000 + "]" * 30_000 + "\n",               # flow: crashed libyaml at 30,000
    "examples:\n" + "- " * 30_000 + "x\n",                           # compact block sequences
    "examples:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 1200)),  # indentation
])
def test_absurdly_nested_yaml_is_refused_before_parsing(capsys, tmp_path: Path, text: str) -> None:
    root = make_kb(tmp_path / "kb")
    (root / "combos.yaml").write_text(text, encoding="utf-8")
    code, err, seconds = validate(capsys, root)
    assert code == 2 and "Traceback" not in err
    assert "combos.yaml:" in err and "nested more than 100 levels deep" in err
    assert seconds < 5


def test_files_that_are_not_regular_files_inside_the_folder(capsys, tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    outside = tmp_path / "shadow"
    outside.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\n", encoding="utf-8")
    (root / "combos.yaml").unlink()
    (root / "combos.yaml").symlink_to(outside)
    os.mkfifo(root / "topics" / "pipe.yaml")
    (root / "topics" / "zero.yaml").symlink_to("/dev/zero")
    (root / "topics" / "loop1.yaml").symlink_to("loop2.yaml")
    (root / "topics" / "loop2.yaml").symlink_to("loop1.yaml")
    (root / "topics" / "dangling.yaml").symlink_to("missing.yaml")
    (root / "advice" / "folder.yaml").mkdir()
    (root / "advice" / "huge.yaml").write_bytes(b"# " + b"x" * 1_100_000 + b"\n")
    code, err, seconds = validate(capsys, root)
    assert code == 2 and "Traceback" not in err and seconds < 5
    for expected in ("combos.yaml: a link to a file outside the knowledge base folder: not read",
                     "topics/pipe.yaml: not a regular file",
                     "topics/zero.yaml: a link to a file outside the knowledge base folder",
                     "topics/loop1.yaml: a symbolic link loop", "topics/loop2.yaml: a symbolic link loop",
                     "topics/dangling.yaml: a broken symbolic link",
                     "advice/folder.yaml: a folder, not a file",
                     "advice/huge.yaml: file too large"):
        assert expected in err, (expected, err)
    assert "SECRETHASH" not in err and "root:" not in err


def test_a_device_inside_the_folder_is_not_read_either(capsys, tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    (root / "dev").mkdir()
    target = root / "dev" / "zero.yaml"
    try:
        os.mknod(target, 0o600 | 0o020000, os.makedev(1, 5))  # a character device, as /dev/zero
    except PermissionError:
        pytest.skip("creating a device needs privileges")
    (root / "topics" / "zero.yaml").symlink_to(target)
    code, err, seconds = validate(capsys, root)
    assert code == 2 and "topics/zero.yaml: not a regular file" in err and seconds < 5


def test_a_path_too_long_is_a_problem_not_a_traceback(capsys, tmp_path: Path) -> None:
    code, err, _ = validate(capsys, tmp_path / ("x" * 5000))
    assert code == 2 and "Traceback" not in err and "File name too long" in err
    assert len(err.splitlines()[0]) < 400


def test_quoted_file_content_is_short_and_escaped(capsys, tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    key = "\\e]0;pwned\\a" + "k" * 1000  # YAML escapes for ESC and BEL, in a key the file quotes
    (root / "combos.yaml").write_text(f'examples: []\n"{key}": 1\n', encoding="utf-8")
    code, err, _ = validate(capsys, root)
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "\\x1b]0;pwned" in err
    assert max(len(line) for line in err.splitlines()) < 500


# --- python -m classifier evaluate ------------------------------------------------------------

def test_evaluate_refuses_deep_and_endless_case_files(capsys, tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    for path, said in ((deep, f"{deep}:1: JSON nested too deeply"),
                       (Path("/dev/zero"), "/dev/zero:1: line longer than 1,000,000 bytes")):
        start = time.perf_counter()
        assert classifier_main(["evaluate", str(path), "--kb", str(kb)]) == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err and time.perf_counter() - start < 10


def test_evaluate_warns_about_unknown_topic_ids_with_their_line(capsys, tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"text": "un blogue", "expected": ["blog"]}\n\n'
                     '{"text": "un blogue", "expected": ["blogg", "blog"]}\n', encoding="utf-8")
    assert classifier_main(["evaluate", str(cases), "--kb", str(kb)]) == 0
    captured = capsys.readouterr()
    assert f"warning: {cases}:3: unknown topic id(s) in expected: 'blogg'" in captured.err
    assert "cases: 2" in captured.out


def test_the_reading_and_verdict_scorers_name_a_broken_line(tmp_path: Path) -> None:
    """Both scorers read their sets through `classifier.evaluate.json_objects`: blank lines
    skipped, a broken line named with its number rather than a bare JSON traceback."""
    from types import SimpleNamespace

    from advisor.verdicts import score_verdicts
    from classifier.evaluate import CasesError
    from reading.scoring import score_file

    phrasings = tmp_path / "capacity.jsonl"
    phrasings.write_text('{"text": "2 h", "expected": {"weekly_hours": "h2_4"}}\n\n{"text": \n', encoding="utf-8")
    reader = SimpleNamespace(read=lambda text: SimpleNamespace(choices=lambda: {"weekly_hours": "h2_4"}))
    with pytest.raises(CasesError, match=rf"{phrasings}:3: "):
        score_file(reader, phrasings)  # type: ignore[arg-type]
    phrasings.write_text('{"text": "2 h", "expected": {"weekly_hours": "h2_4"}}\n\n', encoding="utf-8")
    assert (score_file(reader, phrasings).lines, score_file(reader, phrasings).lines_right) == (1, 1)  # type: ignore[arg-type]

    intakes = tmp_path / "advice.jsonl"
    good = ('{"lang": "fr", "request": "un blogue", "profile": "", "expected_topic": "blog", '
            '"expected_verdict": "instead"}')
    intakes.write_text(f"{good}\n[1, \n", encoding="utf-8")

    def advise(request: str, profile: str, lang: str) -> dict:
        return {"plan": [{"topic": "blog", "verdict": "instead", "id": "blog_fallback"}]}

    with pytest.raises(CasesError, match=rf"{intakes}:2: "):
        score_verdicts(advise, intakes)
    intakes.write_text(f"{good}\n", encoding="utf-8")
    assert (score_verdicts(advise, intakes).lines, score_verdicts(advise, intakes).right) == (1, 1)
