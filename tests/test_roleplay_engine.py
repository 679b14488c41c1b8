"""The role-play engine, its scenarios, the client's persona and the rubric, on the shipped base.

The recogniser is scripted here ("[budget] Quel budget?" is a budget question), so these
tests check what the engine does with a move, whatever the model makes of a wording; the
model itself is tested in test_roleplay_recogniser.py and end to end in
test_roleplay_acceptance.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from advisor.advice import next_question, select_rule
from advisor.recommend import recommendation
from knowledge import load_knowledge_base
from knowledge.models import KnowledgeBase
from knowledge.text import normalise
from training.roleplay import advice_port
from training.roleplay.engine import HURRY_AFTER, RolePlayContext, begin, options, step
from training.roleplay.moves import MoveGuess, field_moves
from training.roleplay.rubric import judge
from training.roleplay.scenario import Scenario, draw_scenario
from training.roleplay.state import RolePlayState

_TAGGED = re.compile(r"\[(\w+)\]\s*([^\[]*)")


@pytest.fixture(scope="module", name="kb")
def kb_fixture() -> KnowledgeBase:
    return load_knowledge_base()


def scripted(kb: KnowledgeBase) -> RolePlayContext:
    """"[objective] Pourquoi? [budget] Et le budget?" -> two moves; untagged text is unclear."""
    def recognise(text: str, lang: str) -> list[MoveGuess]:
        return [MoveGuess(body.strip(), move, 1.0) for move, body in _TAGGED.findall(text)]
    return RolePlayContext(kb, recognise)


def first_seed(kb: KnowledgeBase, level: int, lang: str, test: Callable[[Scenario], bool]) -> Scenario:
    for seed in range(500):
        scenario = draw_scenario(kb, seed=seed, level=level, lang=lang)
        if test(scenario):
            return scenario
    raise AssertionError("no scenario with that property in 500 seeds")


def play(kb: KnowledgeBase, scenario: Scenario, *lines: str) -> tuple[RolePlayState, list[str]]:
    ctx = scripted(kb)
    state, replies = begin(kb, scenario)
    said = [r.data.get("line", "") for r in replies]
    for line in lines:
        state, replies = step(ctx, state, line)
        said += [r.data.get("line", r.text) for r in replies]
    return state, said


def lines_of(kb: KnowledgeBase, field: str, choice: str, lang: str) -> tuple[str, ...]:
    assert kb.roleplay is not None
    return kb.roleplay.answers[field][choice][lang]


def contains_one(text: str, candidates: tuple[str, ...]) -> bool:
    """`text` includes one of `candidates` (a line may follow a lead-in, its first letter lowered)."""
    return any(normalise(c) in normalise(text) for c in candidates)


# --- scenarios ----------------------------------------------------------------------------

def test_a_seed_draws_the_same_client_and_seeds_differ(kb: KnowledgeBase) -> None:
    one = draw_scenario(kb, seed=42, level=2, lang="fr")
    assert one == draw_scenario(kb, seed=42, level=2, lang="fr")
    assert Scenario.from_dict(json.loads(json.dumps(one.to_dict()))) == one
    others = {draw_scenario(kb, seed=s, level=2, lang="fr").to_dict()["profile"].__repr__() for s in range(10)}
    assert len(others) > 5


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_scenarios_are_drawn_from_the_base_with_the_persona_of_their_level(kb: KnowledgeBase, lang: str) -> None:
    data = kb.roleplay
    assert data is not None
    for seed in range(30):
        for level in (1, 2, 3):
            s = draw_scenario(kb, seed=seed, level=level, lang=lang)
            values = s.values()
            deciding = advice_port.senior_questions(kb, s.topic, values)
            assert s.opening in data.topics[s.topic].openings[lang]
            assert s.objective == "none" or s.objective in kb.topic(s.topic).related
            sector = data.sector(s.sector)
            assert not sector.reach or s.reach in sector.reach
            assert s.place in data.market(s.market).places
            if level == 1:
                assert not s.vague and s.claim is None
            if level == 2:
                assert s.vague and set(s.vague) <= set(deciding) and s.claim is None
            if level == 3 and s.claim is not None:
                field, claimed = s.claim
                assert field in deciding
                assert kb.field(field).choice(claimed).score > kb.field(field).choice(values[field]).score
                better = advice_port.rule_for(kb, s.topic, {**values, field: claimed})
                assert better.id != advice_port.rule_for(kb, s.topic, values).id  # believing it changes the advice


# --- the client -------------------------------------------------------------------------

def test_the_client_answers_what_is_asked_in_its_own_words(kb: KnowledgeBase) -> None:
    scenario = draw_scenario(kb, seed=3, level=1, lang="fr")
    data = kb.roleplay
    assert data is not None
    profile = dict(scenario.profile)
    state, said = play(kb, scenario, "[objective] Pourquoi?", "[situation] Vous êtes qui?",
                       "[budget] Le budget?", "[meaning] C'est-à-dire?", "[greeting] Bonjour",
                       "[off_topic] Il fait beau", "rien de reconnaissable")
    assert said[1] == scenario.opening
    assert said[2] in data.objectives[scenario.objective]["fr"]
    assert scenario.place in said[3] and any(s in said[3] for s in data.sector(scenario.sector).lines["fr"])
    assert said[4] in lines_of(kb, "budget", profile["budget"], "fr")
    assert said[5] in data.topics[scenario.topic].meaning["fr"]
    assert said[6] in data.persona["greeting"]["fr"]
    assert said[7] in data.persona["neutral"]["fr"]
    assert said[8] in data.persona["unclear"]["fr"]
    replay, said_again = play(kb, scenario, "[objective] Pourquoi?", "[situation] Vous êtes qui?",
                              "[budget] Le budget?", "[meaning] C'est-à-dire?", "[greeting] Bonjour",
                              "[off_topic] Il fait beau", "rien de reconnaissable")
    assert said_again == said  # a session replays word for word


def test_a_second_question_on_the_same_field_is_answered_as_a_reminder(kb: KnowledgeBase) -> None:
    scenario = draw_scenario(kb, seed=3, level=1, lang="en")
    _, said = play(kb, scenario, "[budget] Budget?", "[budget] And the budget again?")
    assert said[3].split(":")[0] + ": " in kb.roleplay.persona["repeat"]["en"]  # type: ignore[union-attr]
    assert contains_one(said[3], lines_of(kb, "budget", dict(scenario.profile)["budget"], "en"))


def test_level_2_is_vague_first_and_answers_when_asked_again_or_challenged(kb: KnowledgeBase) -> None:
    scenario = first_seed(kb, 2, "fr", lambda s: len(s.vague) >= 2)
    data = kb.roleplay
    assert data is not None
    first, second = scenario.vague[:2]
    truth = dict(scenario.profile)
    state, said = play(kb, scenario, f"[{first}] ?", f"[{first}] Et concrètement?", f"[{second}] ?",
                       "[challenge] Précisément?")
    assert said[2] in data.persona["vague"]["fr"]
    assert contains_one(said[3], lines_of(kb, first, truth[first], "fr"))
    assert said[4] in data.persona["vague"]["fr"]
    assert contains_one(said[5], lines_of(kb, second, truth[second], "fr"))
    assert [e.outcome for e in state.events] == ["vague", "clarified", "vague", "clarified"]
    assert {first, second} <= set(judge(kb, state).learned)


def test_a_vague_answer_left_alone_is_a_missed_question(kb: KnowledgeBase) -> None:
    scenario = first_seed(kb, 2, "en", lambda s: len(s.vague) >= 1)
    field = scenario.vague[0]
    state, _ = play(kb, scenario, "[objective] Goal?", f"[{field}] ?", "> whatever")
    result = judge(kb, state)
    assert field in result.missed
    assert "you had to follow up" in next(j.why for j in result.criteria if j.id == "discovery")


def test_level_3_claims_then_slips_and_admits_when_challenged(kb: KnowledgeBase) -> None:
    scenario = first_seed(kb, 3, "fr", lambda s: s.claim is not None)
    assert scenario.claim is not None
    field, claimed = scenario.claim
    data = kb.roleplay
    assert data is not None
    other = "objective"
    state, said = play(kb, scenario, f"[{field}] ?", f"[{other}] Pourquoi?", "[challenge] Vraiment?")
    assert contains_one(said[2], data.optimistic.get(field, {}).get(claimed, {}).get("fr", ())
                        or lines_of(kb, field, claimed, "fr"))
    assert any(slip in said[3] for slip in data.slips[field]["fr"])  # the remark that betrays the claim
    assert any(said[4].startswith(a) for a in data.persona["admit"]["fr"])
    assert contains_one(said[4], lines_of(kb, field, dict(scenario.profile)[field], "fr"))
    assert judge(kb, state).rating("contradiction") == "good"

    unchallenged, _ = play(kb, scenario, f"[{field}] ?", "> rien")
    assert judge(kb, unchallenged).rating("contradiction") == "poor"
    reasked, _ = play(kb, scenario, f"[{field}] ?", f"[{field}] Vous disiez?", "> rien")
    assert judge(kb, reasked).rating("contradiction") == "fair"
    never, _ = play(kb, scenario, "> rien")
    result = judge(kb, never)
    assert result.rating("contradiction") == "poor"
    assert "vous n'avez pas demandé" in next(j.why for j in result.criteria if j.id == "contradiction")


def test_a_believed_claim_changes_what_the_junior_would_advise(kb: KnowledgeBase) -> None:
    scenario = first_seed(kb, 3, "en", lambda s: s.claim is not None)
    assert scenario.claim is not None
    field, claimed = scenario.claim
    # everything asked (the rules read the objective and the situation too): only the claim differs
    questions = ["[objective] ?", "[situation] ?", *(f"[{m}] ?" for m in sorted(field_moves(kb)))]
    believed, _ = play(kb, scenario, *questions, "> x")
    checked, _ = play(kb, scenario, *questions, "[challenge] Really?", "> x")
    expected = advice_port.rule_for(kb, scenario.topic, scenario.values())
    heard = advice_port.rule_for(kb, scenario.topic, {**scenario.values(), field: claimed})
    assert judge(kb, believed).known_rule.id == heard.id != expected.id
    assert judge(kb, checked).known_rule.id == expected.id


def test_leading_questions_get_a_yes_and_cost_points(kb: KnowledgeBase) -> None:
    scenario = draw_scenario(kb, seed=5, level=1, lang="en")
    data = kb.roleplay
    assert data is not None
    one, said = play(kb, scenario, "[leading] A blog would be perfect, right?", "> x")
    assert said[2] in data.persona["agree"]["en"]
    assert judge(kb, one).rating("no_leading") == "fair"
    two, _ = play(kb, scenario, "[leading] Right?", "[leading] Surely?", "> x")
    assert judge(kb, two).rating("no_leading") == "poor"
    assert "Surely" not in next(j.why for j in judge(kb, two).criteria if j.id == "no_leading")


def test_warnings_are_acknowledged_or_denied_by_level(kb: KnowledgeBase) -> None:
    data = kb.roleplay
    assert data is not None
    calm, said = play(kb, draw_scenario(kb, seed=1, level=1, lang="fr"), "[warn] Attention.")
    assert said[2] in data.persona["acknowledge"]["fr"]
    optimist = first_seed(kb, 3, "fr", lambda s: True)
    _, said = play(kb, optimist, "[warn] Attention.")
    assert said[2] in data.persona["deny"]["fr"]


# --- commands and proposals -------------------------------------------------------------

def test_commands_empty_and_long_messages(kb: KnowledgeBase) -> None:
    ctx = scripted(kb)
    scenario = draw_scenario(kb, seed=8, level=1, lang="fr")
    state, _ = begin(kb, scenario)
    state, replies = step(ctx, state, "   ")
    assert replies[0].kind == "error" and "Je n'ai reçu aucun texte" in replies[0].text
    state, replies = step(ctx, state, "aide")
    assert "Vous jouez l'intervenant" in replies[0].text
    state, replies = step(ctx, state, "[budget] " + "x" * 5000)
    assert replies[0].kind == "error" and "2000" in replies[0].text
    state, replies = step(ctx, state, "proposer")
    assert replies[0].kind == "question" and state.choosing
    assert {c.value for c in replies[0].choices} == {r.id for r in kb.rules[scenario.topic]}
    state, replies = step(ctx, state, "[objective] Au fait, pourquoi?")  # not a pick: back to questions
    assert not state.choosing and not state.finished
    state, replies = step(ctx, state, "annuler")
    assert state.finished and state.abandoned and "rien n'est compté" in replies[0].text
    state, replies = step(ctx, state, "[budget] encore?")
    assert "Aucun jeu de rôle en cours" in replies[0].text


def test_a_proposal_by_number_or_in_free_words(kb: KnowledgeBase) -> None:
    ctx = scripted(kb)
    scenario = draw_scenario(kb, seed=8, level=1, lang="en")
    choices = options(kb, scenario)
    state, _ = begin(kb, scenario)
    state, _ = step(ctx, state, "propose")
    done, replies = step(ctx, state, "2")
    assert done.finished and done.proposal == (choices[1].value, choices[1].label)
    assert replies[-1].data["debrief"]["result"]["proposed"]["id"] == choices[1].value
    state, _ = begin(kb, scenario)
    title = choices[0].label
    done, _ = step(ctx, state, "> " + title.split(",")[0].lower())
    assert done.proposal is not None and done.proposal[0] == choices[0].value
    done, replies = step(ctx, begin(kb, scenario)[0], "> a totally unrelated idea about pottery")
    assert done.proposal == ("", "a totally unrelated idea about pottery")
    assert replies[-1].data["debrief"]["result"]["criteria"]["verdict"] == "poor"


def test_the_state_round_trips_through_json_mid_interview(kb: KnowledgeBase) -> None:
    scenario = first_seed(kb, 3, "fr", lambda s: s.claim is not None)
    assert scenario.claim is not None
    state, _ = play(kb, scenario, "[objective] ?", f"[{scenario.claim[0]}] ?", "propose")
    again = RolePlayState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    ctx = scripted(kb)
    assert step(ctx, again, "[challenge] Vraiment?") == step(ctx, state, "[challenge] Vraiment?")


def test_the_client_asks_for_a_proposal_once_the_interview_drags(kb: KnowledgeBase) -> None:
    scenario = draw_scenario(kb, seed=2, level=1, lang="en")
    state, said = play(kb, scenario, *["[off_topic] Nice weather"] * HURRY_AFTER, "[off_topic] Again")
    hurry = kb.roleplay.persona["hurry"]["en"]  # type: ignore[union-attr]
    assert sum(1 for s in said if s in hurry) == 1 and state.hurried


# --- the rubric -------------------------------------------------------------------------

def test_objective_first_good_fair_poor(kb: KnowledgeBase) -> None:
    scenario = draw_scenario(kb, seed=4, level=1, lang="fr")
    first, _ = play(kb, scenario, "[situation] ?", "[objective] ?", "[budget] ?", "> x")
    late, _ = play(kb, scenario, "[budget] Le budget?", "[objective] ?", "> x")
    never, _ = play(kb, scenario, "[budget] ?", "> x")
    assert judge(kb, first).rating("objective_first") == "good"
    assert judge(kb, late).rating("objective_first") == "fair"
    assert "Le budget?" in next(j.why for j in judge(kb, late).criteria if j.id == "objective_first")
    result = judge(kb, never)
    assert result.rating("objective_first") == "poor"
    quoted = next(j.why for j in result.criteria if j.id == "objective_first")
    assert kb.topic(scenario.topic).clients_mean("fr").split(".")[0][:40] in quoted  # the base is quoted


def test_discovery_counts_what_the_advisor_would_still_have_to_ask(kb: KnowledgeBase) -> None:
    scenario = first_seed(kb, 1, "en", lambda s: len(advice_port.senior_questions(kb, s.topic, s.values())) >= 3)
    deciding = advice_port.senior_questions(kb, scenario.topic, scenario.values())
    complete, _ = play(kb, scenario, *[f"[{k}] ?" for k in deciding], "> x")
    assert judge(kb, complete).rating("discovery") == "good" and judge(kb, complete).missed == ()
    partial, _ = play(kb, scenario, f"[{deciding[0]}] ?", "> x")
    result = judge(kb, partial)
    assert result.missed == tuple(advice_port.senior_questions(kb, scenario.topic, scenario.values(), [deciding[0]]))
    assert result.rating("discovery") in ("fair", "poor") and kb.field(result.missed[0]).why("en") in next(
        j.why for j in result.criteria if j.id == "discovery")


def test_verdict_good_fair_poor(kb: KnowledgeBase) -> None:
    scenario = first_seed(kb, 1, "fr", lambda s: sum(
        1 for r in kb.rules[s.topic] if r.verdict == advice_port.rule_for(kb, s.topic, s.values()).verdict) >= 2)
    expected = advice_port.rule_for(kb, scenario.topic, scenario.values())
    same = next(r for r in kb.rules[scenario.topic] if r.verdict == expected.verdict and r.id != expected.id)
    other = next(r for r in kb.rules[scenario.topic] if r.verdict != expected.verdict)
    for rule, rating in ((expected, "good"), (same, "fair"), (other, "poor")):
        state, _ = play(kb, scenario, "> " + rule.title("fr"))
        assert judge(kb, state).rating("verdict") == rating, rule.id
    no_proposal, _ = play(kb, scenario, "[budget] ?")
    assert judge(kb, no_proposal).rating("verdict") == "poor"


def test_naming_this_topics_magic_thinking(kb: KnowledgeBase) -> None:
    scenario = draw_scenario(kb, seed=6, level=1, lang="en")
    topic = kb.topic(scenario.topic)
    other = next(t for t in kb.tactics() if t.id != topic.id)
    named, _ = play(kb, scenario, f"[warn] {topic.warnings[0]('en')}", "> x")
    elsewhere, _ = play(kb, scenario, f"[warn] {other.warnings[0]('en')}", "> x")
    silent, _ = play(kb, scenario, "> x")
    assert [judge(kb, s).rating("magic_thinking") for s in (named, elsewhere, silent)] == ["good", "fair", "poor"]


def test_the_score_is_the_weighted_mean_of_the_ratings(kb: KnowledgeBase) -> None:
    scenario = draw_scenario(kb, seed=6, level=1, lang="en")
    result = judge(kb, play(kb, scenario, "> x")[0])
    # objective poor, discovery poor, no leading good (10), verdict poor or better, magic poor; out of 90
    verdict = {"good": 20, "fair": 10, "poor": 0}[result.rating("verdict") or "poor"]
    assert result.score == round(100 * (10 + verdict) / 90)


# --- the one place where the advice is asked ---------------------------------------------

def test_the_expected_answer_is_the_advisors_own(kb: KnowledgeBase) -> None:
    for seed in range(10):
        s = draw_scenario(kb, seed=seed, level=1, lang="fr")
        profile = dict(s.profile)
        assert advice_port.rule_for(kb, s.topic, s.values()).id == select_rule(kb, s.topic, profile).id
        assert advice_port.senior_advice(kb, s.topic, s.values(), "fr")["id"] == recommendation(
            kb, s.topic, profile, "fr")["id"]
        asked: dict[str, str] = {}
        order = []
        while (key := next_question(kb, (s.topic,), asked)) is not None:
            order.append(key)
            asked[key] = profile[key]
        assert advice_port.senior_questions(kb, s.topic, s.values()) == order


def test_the_advice_profile_carries_the_objective_and_situation(kb: KnowledgeBase,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """When rules condition on the objective or the market, they already receive them."""
    seen: list[dict[str, str]] = []

    def spy(kb_: KnowledgeBase, topic: str, answers: dict[str, str]):  # noqa: ANN202
        seen.append(dict(answers))
        return select_rule(kb_, topic, answers)

    monkeypatch.setattr(advice_port, "select_rule", spy)
    scenario = draw_scenario(kb, seed=11, level=1, lang="en")
    advice_port.rule_for(kb, scenario.topic, scenario.values())
    assert {"objective", "sector", "clientele", "regulated", "reach", "market"} <= set(seen[0])
    assert seen[0]["objective"] == scenario.objective and seen[0]["market"] == scenario.market
    advice_port.rule_for(kb, scenario.topic, scenario.values(), known=["objective", "budget"])
    assert set(seen[1]) == {"objective", "budget"}
