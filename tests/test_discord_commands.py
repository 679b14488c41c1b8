"""/define (with autocomplete), /brief, /langue and /kb reload through the real command tree."""

from __future__ import annotations

import pytest
import simcord
from discord import app_commands

from tests.discord_harness import fake_runtime_fixture, no_network_fixture, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.asyncio


async def test_define_autocomplete_suggests_topics_from_names_and_misspelt_aliases(fake_runtime):
    async with world(fake_runtime) as w:
        assert await w.alice.autocomplete(w.channel, "define", "terme", "blgo") == [
            {"name": "Nom blog", "value": "blog"}]
        everything = await w.alice.autocomplete(w.channel, "define", "terme", "")
        assert {c["value"] for c in everything} == {"awareness", "blog"}
        assert await w.alice.autocomplete(w.channel, "define", "terme", "zzqxw") == []


async def test_define_shows_the_card_in_the_servers_language(fake_runtime):
    async with world(fake_runtime) as w:
        result = await w.alice.slash(w.channel, "define", terme="blog")
        [card] = result.response.embeds
        assert card.title == "Nom blog" and card.description == "Définition de blog."
        fields = {f.name: f.value for f in card.fields}
        assert fields["Ce que les clients veulent souvent dire"] == "Ce que les clients veulent dire."
        assert fields["Stratégie ou tactique"].startswith("Tactique")
        assert fields["Temps du client"] == "3 à 4 h par semaine"
        assert fields["Objectifs que cette tactique peut servir"] == "Nom awareness"
    async with world(fake_runtime, locale="en-US") as w:
        result = await w.alice.slash(w.channel, "define", terme="Blog!")  # typed, not picked: fuzzy match
        [card] = result.response.embeds
        assert card.title == "Name blog"
        assert {f.name for f in card.fields} >= {"What clients usually mean", "Strategy or tactic", "Client's time"}


async def test_define_an_unknown_term_answers_privately_with_examples(fake_runtime):
    async with world(fake_runtime) as w:
        result = await w.alice.slash(w.channel, "define", terme="@everyone imprimante")
        assert result.ephemeral
        assert "Je ne connais pas « @everyone imprimante »" in result.response.content
        assert "Nom blog" in result.response.content


async def test_brief_lists_this_servers_briefs_and_posts_one_with_its_file(fake_runtime):
    async with world(fake_runtime) as w:
        store, gid = fake_runtime.store, str(w.guild.id)
        mine = store.save_brief(key="discord:1", user_id="1", guild_id=gid, lang="fr",
                                request="on veut un blogue", markdown="# Brief\n\nBlogue", data={})
        theirs = store.save_brief(key="discord:2", user_id="2", guild_id="999", lang="fr",
                                  request="secret d'une autre agence", markdown="# Autre", data={})
        listing = await w.alice.slash(w.channel, "brief")
        assert listing.ephemeral
        [embed] = listing.response.embeds
        assert f"`{mine}`" in embed.description and "on veut un blogue" in embed.description
        assert "secret" not in embed.description
        shown = await w.alice.slash(w.channel, "brief", id=mine)
        assert not shown.ephemeral
        assert shown.response.embeds[0].description == "# Brief\n\nBlogue"
        [attachment] = shown.response.attachments
        assert attachment.filename == f"brief-{mine}.md"
        hidden = await w.alice.slash(w.channel, "brief", id=theirs)
        assert hidden.ephemeral and f"Aucun brief n° {theirs}" in hidden.response.content


async def test_brief_with_nothing_yet_says_how_to_make_one(fake_runtime):
    async with world(fake_runtime) as w:
        result = await w.alice.slash(w.channel, "brief")
        assert result.ephemeral and "/triage" in result.response.content


async def test_langue_needs_manage_server_and_then_switches_the_servers_language(fake_runtime):
    async with world(fake_runtime) as w:
        assert "langue" not in w.bob.available_commands(w.channel)  # hidden by default permissions
        langue = next(c for c in await w.bot.tree.fetch_commands() if c.name == "langue")
        w.guild.set_command_permissions(langue, {w.bob: True})  # an admin shows it to Bob
        refused = await w.bob.slash(w.channel, "langue", langue="en")
        assert refused.ephemeral and "Gérer le serveur" in refused.response.content
        simcord.assert_error(w.env, app_commands.MissingPermissions)
        done = await w.admin.slash(w.channel, "langue", langue="en")
        assert done.response.content == "Noted: I answer in English on this server."
        card = await w.alice.slash(w.channel, "define", terme="blog")
        assert card.response.embeds[0].title == "Name blog"
        await w.alice.slash(w.channel, "triage", demande="on veut un blogue")
        assert fake_runtime.advisor.calls[-1][3] == "en"  # the engine is told, not left to detect


async def test_kb_reload_reports_success_or_the_problems_and_keeps_the_old_base(fake_runtime):
    async with world(fake_runtime) as w:
        ok = await w.admin.slash(w.channel, "kb reload")
        assert ok.ephemeral
        assert ok.response.content == "Base de connaissances rechargée et valide : 2 sujets."
        fake_runtime.problems = [f"topics/blog.yaml:{i}: name: required field missing " + "x" * 200 for i in range(40)]
        failed = await w.admin.slash(w.channel, "kb reload")
        text = failed.response.content
        assert failed.ephemeral and len(text) <= 2000
        assert text.startswith("La nouvelle base a 40 problème(s); l'ancienne reste en service.")
        assert "topics/blog.yaml:0: name" in text and text.endswith(")\n```")
        shown = text.count("topics/blog.yaml:")
        assert 5 <= shown < 40 and f"(+{40 - shown})" in text
        assert fake_runtime.reloads == 2
        assert "kb reload" not in w.alice.available_commands(w.channel)


async def test_commands_are_synced_with_french_and_english_names(fake_runtime):
    async with world(fake_runtime) as w:
        put = [r for r in w.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")][-1]
        by_name = {c["name"]: c for c in put.json}
        assert set(by_name) >= {"triage", "define", "brief", "langue", "kb"}
        assert by_name["define"]["name_localizations"]["fr"] == "definir"
        assert by_name["define"]["name_localizations"]["en-US"] == "define"
        assert by_name["langue"]["name_localizations"]["en-GB"] == "language"
        assert by_name["triage"]["options"][0]["name_localizations"]["en-US"] == "request"
        assert by_name["kb"]["options"][0]["name_localizations"]["fr"] == "recharger"
        assert all(len(c["description"]) <= 100 for c in put.json)


async def test_brief_shows_the_latest_version_and_any_earlier_one(fake_runtime):
    from storage import BriefDraft

    async with world(fake_runtime) as w:
        store, gid = fake_runtime.store, str(w.guild.id)
        for n, text in enumerate(("# Brief v1", "# Brief v2")):
            saved = store.save_turn("discord:5", {"turn": n}, expected_revision=n, user_id="1", guild_id=gid,
                                    brief=BriefDraft(lang="fr", request="un blogue", markdown=text, intake=1))
        number = saved.brief.id
        listing = await w.alice.slash(w.channel, "brief")
        assert f"`{number}`" in listing.response.embeds[0].description
        assert "2 versions" in listing.response.embeds[0].description
        latest = await w.alice.slash(w.channel, "brief", id=number)
        assert latest.response.embeds[0].description == "# Brief v2"
        assert "version 2 sur 2" in latest.response.embeds[0].title
        assert latest.response.attachments[0].filename == f"brief-{number}.md"
        first = await w.alice.slash(w.channel, "brief", id=number, version=1)
        assert first.response.embeds[0].description == "# Brief v1"
        assert first.response.attachments[0].filename == f"brief-{number}.v1.md"
        missing = await w.alice.slash(w.channel, "brief", id=number, version=7)
        assert missing.ephemeral and "pas de version 7 (versions conservées : 1, 2)" in missing.response.content
