"""`python -m training.roleplay evaluate`: the figures, and `--errors` listing every miss."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from training.roleplay.__main__ import main


def _cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    rows = [
        {"lang": "fr", "text": "Quel budget mensuel avez-vous prévu?", "move": "budget"},
        {"lang": "fr", "text": "Quel budget mensuel avez-vous prévu?", "move": "greeting"},  # a sure miss
        {"lang": "en", "text": "What monthly budget have you planned?", "move": "budget"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_evaluate_prints_figures_without_errors_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--cases", str(_cases(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^fr: held-out 0\.\d{3} \(\d+\), fresh 0\.500 \(2\)", out, re.M)
    assert re.search(r"^en: held-out 0\.\d{3} \(\d+\), fresh 1\.000 \(1\)", out, re.M)
    assert "errors (" not in out


def test_evaluate_errors_lists_every_miss(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--cases", str(_cases(tmp_path)), "--errors"]) == 0
    out = capsys.readouterr().out
    fr, en = out.split("\nen: ")
    assert "    fresh errors (1):\n      greeting -> budget (" in fr
    assert "): Quel budget mensuel avez-vous prévu?" in fr
    assert "    fresh errors (0):" in en
    held = re.search(r"held-out errors \((\d+)\):\n((?:      .*\n)*)", fr)
    assert held is not None
    listed = held.group(2).splitlines()
    assert len(listed) == int(held.group(1))
    assert all(re.fullmatch(r"      \w+ -> \w+ \(\d\.\d\d\): .+", line) for line in listed)
    count = re.search(r"^fr: held-out (0\.\d{3}) \((\d+)\)", out, re.M)
    assert count is not None
    assert round((1 - float(count.group(1))) * int(count.group(2))) == len(listed)
