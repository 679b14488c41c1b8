"""The Discord layer's pure parts: limits, cooldown, custom_ids, the catalogue, the translator."""

from __future__ import annotations

import re
import string
from pathlib import Path

import discord
import pytest
from discord import app_commands

from adapters.discord_app import limits
from adapters.discord_app.catalogue import CATALOGUE_FILE, Catalogue, file_messages, lang_of
from adapters.discord_app.components import ChoiceButton, ChoiceSelect, button_id, choice_view
from adapters.discord_app.cooldown import Cooldown
from adapters.discord_app.keys import compact, expand
from adapters.discord_app.render import pack_embeds, render
from adapters.discord_app.translator import CatalogueTranslator
from advisor.replies import ChoiceOption, Reply
from knowledge import load_knowledge_base
from tests.discord_harness import no_network_fixture  # noqa: F401 - autouse fixture

PACKAGE = Path(__file__).resolve().parents[1] / "adapters" / "discord_app"


def test_split_text_keeps_every_chunk_under_the_limit_and_loses_nothing():
    text = "\n\n".join(f"Paragraphe {i}. " + "mot " * 150 for i in range(8)) + " " + "x" * 4500
    chunks = limits.split_text(text)
    assert all(0 < len(c) <= 2000 for c in chunks)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert limits.split_text("   ") == []


def test_trim_and_thread_names():
    assert limits.trim("abcdef", 4) == "abc…" and limits.trim("abc", 4) == "abc"
    assert limits.safe_thread_name("@everyone **SEO** <@123> pour\nnotre site", "Intake") == "SEO pour notre site"
    assert limits.safe_thread_name("@here <#42>", "Prise de besoin") == "Prise de besoin"
    assert len(limits.safe_thread_name("blogue " * 50, "x")) <= 90


def test_cooldown_is_a_token_bucket_per_user_with_an_injected_clock():
    now = [100.0]
    bucket = Cooldown(capacity=2, rate=0.5, clock=lambda: now[0])
    assert bucket.hit(1) == 0 and bucket.hit(1) == 0
    assert bucket.hit(1) == pytest.approx(2.0)
    assert bucket.should_warn(1) and not bucket.should_warn(1)  # warned once per stretch
    assert bucket.hit(2) == 0  # another user is not affected
    now[0] += 2.0
    assert bucket.hit(1) == 0


def test_keys_and_custom_ids_fit_in_100_characters_and_match_the_templates():
    key = "discord:12345678901234567890"
    assert expand(compact(key)) == key and expand(compact("discord:dm:42")) == "discord:dm:42"
    custom_id = button_id("discord:dm:12345678901234567890", 999999, "v" * 60)
    assert len(custom_id) <= 100
    assert re.fullmatch(ChoiceButton.__discord_ui_compiled_template__, custom_id)
    view = choice_view("discord:42", 3, (ChoiceOption("x" * 90, "Long"), ChoiceOption("y", "Y")), "…")
    ids = [item.item.custom_id for item in view.children]
    assert ids == ["pf:c:42:3:1", "pf:c:42:3:y"]  # a value too long for a custom_id travels as its number
    many = choice_view("discord:42", 3, tuple(ChoiceOption(f"v{i}", f"L{i}") for i in range(30)), "…")
    [select] = many.children
    assert isinstance(select, ChoiceSelect) and len(select.item.options) == 25


def test_render_puts_buttons_on_the_last_message_and_packs_embeds():
    reply = Reply("question", "q " * 1500, (ChoiceOption("a", "A"),))
    messages = render(reply, key="discord:1", turn=1, placeholder="…")
    assert len(messages) == 2 and "view" in messages[-1] and "view" not in messages[0]
    embeds = [discord.Embed(description="d" * 4000) for _ in range(3)]
    assert [len(group) for group in pack_embeds(embeds)] == [1, 1, 1]
    long_brief = render(Reply("brief", "# B\n" + "x" * 9000, data={"brief_id": 3}), key="k", turn=0, placeholder="")
    assert len(long_brief[0]["embeds"][0].description) == 4096 and long_brief[0]["file"].filename == "brief-3.md"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_the_code_uses_is_in_the_catalogue_in_both_languages():
    messages = file_messages(CATALOGUE_FILE)
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    used = set(re.findall(r'"(discord_[a-z_]+)"', source))
    assert used - set(messages) == set()
    for key, text in messages.items():
        assert text.fr.strip() and text.en.strip(), key
        assert _placeholders(text.fr) == _placeholders(text.en), key
        if key.endswith("_name"):
            assert re.fullmatch(r"[-_a-z0-9]{1,32}", text.fr) and re.fullmatch(r"[-_a-z0-9]{1,32}", text.en), key
        if key.startswith(("discord_cmd_", "discord_opt_")) and key.endswith("_desc"):
            assert len(text.fr) <= 100 and len(text.en) <= 100, key


def test_the_shipped_knowledge_base_carries_the_discord_messages():
    kb = load_knowledge_base()
    assert set(file_messages(CATALOGUE_FILE)) <= set(kb.messages)
    assert Catalogue(lambda: kb).text("discord_cooldown", "en", seconds=3) == "Easy! Try again in 3 s."


@pytest.mark.asyncio
async def test_the_translator_names_commands_in_french_and_english_only():
    translator = CatalogueTranslator(Catalogue())
    name = app_commands.locale_str("define", key="discord_cmd_define_name")
    context = app_commands.TranslationContext(app_commands.TranslationContextLocation.command_name, None)
    assert await translator.translate(name, discord.Locale.french, context) == "definir"
    assert await translator.translate(name, discord.Locale.british_english, context) == "define"
    assert await translator.translate(name, discord.Locale.german, context) is None
    assert await translator.translate(app_commands.locale_str("x"), discord.Locale.french, context) is None
    assert lang_of("fr-CA") == "fr" and lang_of(None) is None
