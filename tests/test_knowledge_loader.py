"""Loading a valid base: models built, content hash, single-topic base, command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import edit, make_kb

from knowledge import KnowledgeBaseError, Problem, load_knowledge_base
from knowledge.__main__ import main
from knowledge.models import Rule, Text


def test_valid_base_loads_into_models(kb_path: Path) -> None:
    kb = load_knowledge_base(kb_path)
    assert [t.id for t in kb.objectives()] == ["awareness"]
    blog = kb.topic("blog")
    assert blog.level == "tactic" and blog.content_hungry and blog.related == ("awareness",)
    assert kb.topic("awareness").related == ("blog",)
    assert blog.name == Text(fr="Nom blog", en="Name blog")
    assert len(blog.examples["fr"]) == 25 and blog.demands.weekly_hours == (3.0, 4.0)
    assert blog.sources[0].figure == Text(fr="3 h", en="3 h")
    assert [r.id for r in kb.rules["blog"]] == ["blog_steady", "blog_light", "blog_faq"]
    steady = kb.rule("blog_steady")
    assert isinstance(steady, Rule) and steady.topic == "blog"
    assert steady.when == {"weekly_hours": ("h2_plus",), "producer": ("owner",)}
    assert kb.rules["blog"][-1].when == {}
    assert [f.id for f in kb.capacity] == ["producer", "weekly_hours"]
    assert kb.field("weekly_hours").choice("h0").hours == (0.0, 2.0)
    assert kb.msg("welcome", "en", name="Ana") == "Hello Ana!"
    assert kb.commands["cancel"]["en"] == ("cancel", "no")  # `no` stays a word, not a boolean
    assert kb.number_words["en"]["two"] == 2
    assert len(kb.out_of_scope["fr"]) == 75
    assert kb.combos[0].topics == ("blog", "awareness")


def test_single_topic_base_loads(tmp_path: Path) -> None:
    kb = load_knowledge_base(make_kb(tmp_path, topics=("blog",)))
    assert list(kb.topics) == ["blog"] and kb.combos == ()


def test_combos_file_is_optional(kb_path: Path) -> None:
    (kb_path / "combos.yaml").unlink()
    assert load_knowledge_base(kb_path).combos == ()


def test_content_hash_follows_the_bytes(kb_path: Path) -> None:
    before = load_knowledge_base(kb_path).content_hash
    assert load_knowledge_base(kb_path).content_hash == before
    edit(kb_path / "topics" / "blog.yaml", "Attention", "Prudence")
    assert load_knowledge_base(kb_path).content_hash != before


def test_problem_reads_like_a_compiler_error() -> None:
    assert str(Problem("topics/blog.yaml", 12, "examples.fr[3]", "empty string")) == \
        "topics/blog.yaml:12: examples.fr[3]: empty string"
    assert str(Problem("messages.yaml", 0, "", "required file is missing")) == "messages.yaml: required file is missing"
    error = KnowledgeBaseError([Problem("a.yaml", 1, "x", "bad")])
    assert "a.yaml:1: x: bad" in str(error)


def test_cli_validate_ok(kb_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(kb_path)]) == 0
    assert capsys.readouterr().out.strip() == \
        "OK: 2 topics (1 objectives, 1 tactics), 4 rules, 100 examples, 150 out-of-scope examples"


def test_cli_validate_lists_problems_on_stderr(kb_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(kb_path / "topics" / "blog.yaml", "level: tactic", "level: tactical")
    edit(kb_path / "capacity.yaml", "weight: 40", "weight: 30")
    assert main(["validate", str(kb_path)]) == 2
    err = capsys.readouterr().err
    assert "topics/blog.yaml:2: level: invalid level 'tactical'" in err
    assert "capacity.yaml:4: fields: weights of the capacity fields add up to 90, not 100" in err


@pytest.mark.parametrize("junk", [b"\xff\xfe\x00\x01binary", b"\x00\x01\x02\x03", b"- just\n- a list\n", b""])
def test_cli_never_tracebacks_on_junk(kb_path: Path, junk: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    (kb_path / "topics" / "blog.yaml").write_bytes(junk)
    assert main(["validate", str(kb_path)]) == 2
    assert "topics/blog.yaml" in capsys.readouterr().err


def test_cli_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    assert "knowledge base folder not found" in capsys.readouterr().err


def test_empty_folder_lists_missing_files(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(tmp_path)
    text = str(info.value)
    for needle in ("topics/: no topic files", "advice/: no advice files", "capacity.yaml: required file is missing",
                   "messages.yaml: required file is missing", "out_of_scope.yaml: required file is missing"):
        assert needle in text
