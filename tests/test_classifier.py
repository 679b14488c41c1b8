"""The classifier on a tiny synthetic knowledge base: decisions, odd inputs, the
estimator contract, language detection, alias matching, caching and the metrics."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classifier import Classification, TopicClassifier, detect_language, load_classifier
from classifier.cache import cache_key
from classifier.evaluate import Case, metrics
from classifier.fuzzy import AliasMatcher
from classifier.training import fit_kb
from knowledge.models import Combo, Demands, KnowledgeBase, Text, Topic
from knowledge.text import MAX_CHARS

# -- a tiny synthetic knowledge base (plain frozen models, no YAML) ----------------------

_T = Text("x", "x")


def topic(id: str, level: str, aliases: dict[str, list[str]], examples: dict[str, list[str]]) -> Topic:
    return Topic(
        id=id, level=level, name=Text(id, id),  # type: ignore[arg-type]
        aliases={k: tuple(v) for k, v in aliases.items()},
        definition=_T, clients_mean=_T, related=(), demands=Demands(_T, _T, 1.0, _T, _T),
        warnings=(_T,), questions=(_T, _T), sources=(),
        examples={k: tuple(v) for k, v in examples.items()},
    )


BLOG = topic("blog", "tactic", {"fr": ["blogue", "blog", "carnet web"], "en": ["blog", "blogging"]}, {
    "fr": ["On veut écrire des articles chaque semaine", "Publier des billets sur nos recettes",
           "Un blogue pour partager nos conseils", "écrire des textes sur notre métier",
           "partager notre expertise dans des articles", "des chroniques régulières sur le site",
           "blog avec des articles de conseils", "rédiger des billets de fond chaque mois"],
    "en": ["We want to write articles every week", "post recipes and tips as articles",
           "a blog to share our advice", "write long posts about our trade",
           "share our expertise in written articles", "regular columns on our site",
           "publish thoughtful posts every month", "blogging about our projects"],
})
SEO = topic("seo", "tactic", {"fr": ["référencement", "seo", "référencement naturel"],
                              "en": ["seo", "search engine optimization"]}, {
    "fr": ["Être premier sur Google", "apparaître en haut des résultats de recherche",
           "on veut sortir en premier quand on cherche plombier", "monter dans les résultats Google",
           "nos concurrents sont devant nous dans Google", "que Google nous trouve",
           "améliorer notre position dans les moteurs de recherche", "être trouvé sur Google"],
    "en": ["rank first on Google", "show up at the top of search results",
           "we want to come up first when people search for a plumber", "climb in Google results",
           "competitors beat us on Google", "Google can't find us",
           "improve our search engine ranking", "get found on Google"],
})
NEWSLETTER = topic("newsletter", "tactic", {"fr": ["infolettre", "newsletter", "courriel"],
                                             "en": ["newsletter", "email marketing"]}, {
    "fr": ["envoyer un courriel mensuel à nos clients", "une lettre d'information par courriel",
           "écrire à nos abonnés chaque mois", "une infolettre avec nos promotions",
           "garder contact par courriel", "liste d'envoi de nos clients",
           "un envoi courriel hebdomadaire", "bulletin électronique pour nos membres"],
    "en": ["send a monthly email to our customers", "an email digest of our news",
           "write to our subscribers every month", "a newsletter with our deals",
           "keep in touch by email", "mailing list of our customers",
           "a weekly email blast", "electronic bulletin for our members"],
})
AWARENESS = topic("awareness", "objective", {"fr": ["notoriété", "visibilité"],
                                             "en": ["awareness", "visibility"]}, {
    "fr": ["Personne ne nous connaît", "on veut se faire connaître", "les gens ne savent pas qu'on existe",
           "on est des inconnus dans la région", "devenir plus connus", "qu'on parle de nous",
           "faire connaître notre nom", "plus de gens doivent savoir qu'on existe"],
    "en": ["Nobody knows us", "we want to get our name out", "people don't know we exist",
           "we are unknown in the region", "become better known", "get people talking about us",
           "make our name known", "more people should know we exist"],
})
OOS = {
    "fr": ["répare mon imprimante", "quelle heure est-il", "la recette du pouding chômeur",
           "mon ordinateur ne démarre plus", "combien de jours de vacances il me reste",
           "comment contester une contravention", "la météo de demain à Québec",
           "réserver une salle de réunion", "mon salaire est en retard", "brancher le projecteur"],
    "en": ["fix my printer", "what time is it", "a recipe for banana bread",
           "my computer won't start", "how many vacation days do I have left",
           "how to fight a parking ticket", "weather tomorrow in Toronto",
           "book a meeting room", "my paycheck is late", "plug in the projector"],
}
COMBOS = (
    Combo("un blogue et une infolettre", "fr", ("blog", "newsletter")),
    Combo("a blog and a newsletter", "en", ("blog", "newsletter")),
    Combo("des articles pour monter dans Google", "fr", ("blog", "seo")),
    Combo("articles to climb in Google", "en", ("blog", "seo")),
)


def make_kb(*topics: Topic, oos: dict[str, list[str]] | None = None, combos: tuple[Combo, ...] = COMBOS,
            content_hash: str = "synthetic-1") -> KnowledgeBase:
    topics = topics or (BLOG, SEO, NEWSLETTER, AWARENESS)
    ids = {t.id for t in topics}
    return KnowledgeBase(
        path="<synthetic>", topics={t.id: t for t in topics}, capacity=(), rules={},
        out_of_scope={k: tuple(v) for k, v in (OOS if oos is None else oos).items()},
        combos=tuple(c for c in combos if set(c.topics) <= ids),
        messages={}, commands={}, content_hash=content_hash,
    )


@pytest.fixture(scope="module")
def clf() -> TopicClassifier:
    return fit_kb(make_kb())


# -- each kind of request --------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("Un blogue pour notre boulangerie", ("blog",)),  # named outright
        ("referencemnt de notre site", ("seo",)),  # typo in the alias
        ("Google can't find our shop", ("seo",)),  # indirect
        ("on veut apparaitre en haut quand on cherche sur google", ("seo",)),  # no accents
        ("Personne nous connaît dans le quartier", ("awareness",)),  # objective
        ("people don't know our bakery exists", ("awareness",)),
    ],
)
def test_single_topic_requests(clf: TopicClassifier, text: str, expected: tuple[str, ...]) -> None:
    result = clf.classify(text)
    assert result.topic_ids == expected, result
    assert result.reason == ""
    assert result.topics[0].level == ("objective" if expected == ("awareness",) else "tactic")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("un blogue et une infolettre pour nos clients", {"blog", "newsletter"}),
        ("We need a blog and an email newsletter", {"blog", "newsletter"}),
    ],
)
def test_multi_topic_requests_return_each_topic_without_ambiguity(
    clf: TopicClassifier, text: str, expected: set[str]
) -> None:
    result = clf.classify(text)
    assert set(result.topic_ids) == expected
    assert result.ambiguous is None and result.reason == ""
    confidences = [t.confidence for t in result.topics]
    assert confidences == sorted(confidences, reverse=True)


@pytest.mark.parametrize("text", ["Répare mon imprimante SVP", "what's the weather in Toronto tomorrow"])
def test_out_of_scope_requests_get_no_topic(clf: TopicClassifier, text: str) -> None:
    result = clf.classify(text)
    assert result.topics == ()
    assert result.reason == "out_of_scope"
    assert result.out_of_scope > result.candidates[0].confidence


@pytest.mark.parametrize(
    "text",
    ["", "   \t ", "\x00\x01\x1b\x7f\x9b", "😀🎉🔥", "!!! ??? ...", "\ud800\udfff"],
)
def test_nothing_recognisable_is_empty_not_a_guess(clf: TopicClassifier, text: str) -> None:
    result = clf.classify(text)
    assert (result.topics, result.candidates, result.reason) == ((), (), "empty")
    assert result.language == "fr"


def test_huge_and_junk_inputs_are_answered_quickly(clf: TopicClassifier) -> None:
    huge = "blogue " * 20_000  # 140,000 characters, cut at MAX_CHARS
    assert len(huge) > MAX_CHARS
    assert clf.classify(huge).topic_ids == ("blog",)
    junk = bytes(range(256)).decode("latin-1") * 50
    result = clf.classify(junk)
    assert isinstance(result, Classification)
    assert all(0.0 <= t.confidence <= 1.0 for t in result.candidates)


def test_non_string_in_a_batch_counts_as_empty(clf: TopicClassifier) -> None:
    results = clf.classify_many(["un blogue", None, "SEO"])  # type: ignore[list-item]
    assert [r.topic_ids for r in results] == [("blog",), (), ("seo",)]
    assert results[1].reason == "empty"


# -- the decision rule (Rasa-style fallback) on hand-made score rows -----------------------

def _row(clf: TopicClassifier, oos: float, **scores: float) -> np.ndarray:
    return np.array([scores.get(t, 0.0) for t in clf.topics_] + [oos])


def test_decide_ambiguous_low_confidence_out_of_scope_and_multi(clf: TopicClassifier) -> None:
    c = clone(clf).set_params(min_confidence=0.3, secondary_threshold=0.5, min_gap=0.1)
    c.__dict__.update({k: v for k, v in clf.__dict__.items() if k.endswith("_")})
    close = c.decide(_row(c, 0.05, blog=0.45, seo=0.4))
    assert close.topic_ids == ("blog",) and close.ambiguous == ("blog", "seo")
    assert close.reason == "ambiguous"
    clear = c.decide(_row(c, 0.05, blog=0.7, seo=0.4))
    assert clear.topic_ids == ("blog",) and clear.ambiguous is None
    both = c.decide(_row(c, 0.05, blog=0.8, seo=0.75))
    assert both.topic_ids == ("blog", "seo") and both.ambiguous is None
    low = c.decide(_row(c, 0.05, blog=0.25))
    assert (low.topics, low.reason, low.candidates[0].id) == ((), "low_confidence", "blog")
    oos = c.decide(_row(c, 0.6, blog=0.55))
    assert (oos.topics, oos.reason) == ((), "out_of_scope")
    secondary_under_oos = c.decide(_row(c, 0.55, blog=0.9, seo=0.52))
    assert secondary_under_oos.topic_ids == ("blog",)


# -- estimator contract ----------------------------------------------------------------------

def test_estimator_contract() -> None:
    est = TopicClassifier(min_confidence=0.4, C=3.0)
    assert est.get_params()["min_confidence"] == 0.4
    assert not [k for k in vars(est) if k.endswith("_")]  # __init__ only stores params
    with pytest.raises(NotFittedError):
        est.classify("un blogue")
    with pytest.raises(NotFittedError):
        est.predict(["un blogue"])
    X = ["un blogue", "des articles", "seo", "google ranking", "fix my printer", "the weather"]
    Y = [("blog",), ("blog",), ("seo",), ("seo",), (), ()]
    assert est.fit(X, Y) is est
    assert est.topics_ == ("blog", "seo")
    assert list(est.classes_) == ["blog", "seo", "__out_of_scope__"]
    assert clone(est).get_params() == est.get_params()
    with pytest.raises(ValueError, match="no training example"):
        TopicClassifier().fit(["un blogue"], [("blog",)])  # no out-of-scope example
    with pytest.raises(ValueError, match="2 label sets"):
        TopicClassifier().fit(["a"], [("blog",), ()])


def test_single_topic_knowledge_base() -> None:
    clf = fit_kb(make_kb(BLOG, combos=()))
    assert clf.topics_ == ("blog",)
    assert clf.classify("on veut un blogue avec des articles").topic_ids == ("blog",)
    assert clf.classify(OOS["fr"][0]).topic_ids == ()


# -- language --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, lang",
    [
        ("On veut un site web pour notre boulangerie", "fr"),
        ("faut refaire le site + mettre un blogue", "fr"),
        ("Publier des articles de fond chaque mois", "fr"),
        ("We want a new website for our bakery", "en"),
        ("Can you take over our Facebook posting?", "en"),
        ("I don't know what to post", "en"),
        ("", "fr"),
        ("SEO", "fr"),  # unsure: French
        ("😀", "fr"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_classification_carries_the_language(clf: TopicClassifier) -> None:
    assert clf.classify("We need a blog").language == "en"
    assert clf.classify("Il nous faut un blogue").language == "fr"


# -- alias matcher ---------------------------------------------------------------------------

def test_alias_matcher_fuzzy_on_long_aliases_exact_on_short_ones() -> None:
    m = AliasMatcher({"seo": ["référencement", "SEO"], "video": ["vidéo"], "news": ["section nouvelles"]},
                     ["seo", "video", "news"])
    assert set(m.named("notre referencemnt")) == {"seo"}
    assert m.named("du seo svp") == {"seo": 1.0}
    assert m.named("des videos") == {"video": 1.0}  # plural of a short alias
    assert m.named("la page est vide") == {}  # one edit from "video" is another word
    assert m.named("ceo") == {}
    named = m.named("une sextion nouvelles sur le site")
    assert 0.5 <= named["news"] < 1.0
    assert m.named("") == {}


# -- cache -----------------------------------------------------------------------------------

def test_cache_round_trip_and_corrupt_file_is_refitted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    kb = make_kb(content_hash="cache-test")
    first = load_classifier(kb, cache_dir=tmp_path)
    files = list(tmp_path.glob("classifier-*.pickle"))
    assert len(files) == 1 and cache_key(kb, {}) in files[0].name
    again = load_classifier(kb, cache_dir=tmp_path)
    assert again.classify("un blogue").topics == first.classify("un blogue").topics
    files[0].write_bytes(b"not a pickle")
    refit = load_classifier(kb, cache_dir=tmp_path)
    assert refit.classify("un blogue").topic_ids == ("blog",)
    assert pickle.loads(files[0].read_bytes())["key"] == cache_key(kb, {})  # rewritten
    other = make_kb(content_hash="another-base")
    assert cache_key(other, {}) != cache_key(kb, {})
    assert cache_key(kb, {"C": 1.0}) != cache_key(kb, {})


def test_unwritable_cache_dir_still_gives_a_classifier(tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    clf = load_classifier(make_kb(content_hash="ro"), cache_dir=blocker / "sub")
    assert clf.classify("un blogue").topic_ids == ("blog",)


# -- metrics ---------------------------------------------------------------------------------

def test_metrics_on_a_hand_computed_case() -> None:
    cases = [
        Case("a", ("blog",), "single"),
        Case("b", ("blog", "seo"), "multi"),
        Case("c", (), "oos"),
        Case("d", (), "oos"),
        Case("e", ("seo",), "single"),
    ]
    preds = [("blog",), ("seo", "newsletter"), (), ("blog",), ()]
    m = metrics(cases, preds)
    # primary: a ok, b ok (seo is expected), c ok, d wrong, e wrong -> 3/5
    assert m["primary_accuracy"] == 0.6
    assert m["primary_accuracy_in_scope"] == round(2 / 3, 4)
    # pairs: tp = 1 (a) + 1 (b) = 2; fp = newsletter + blog(d) = 2; fn = blog(b) + seo(e) = 2
    assert m["topic_set"]["precision"] == 0.5 and m["topic_set"]["recall"] == 0.5
    assert m["topic_set"]["f1"] == 0.5
    # jaccard: 1, 1/3, 1, 0, 0 -> 0.4667; exact: a, c -> 0.4
    assert m["topic_set"]["mean_jaccard"] == round((1 + 1 / 3 + 1) / 5, 4)
    assert m["topic_set"]["exact"] == 0.4
    # out of scope: predicted empty for c (tp), e (fp); missed d (fn)
    assert m["out_of_scope"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert m["by_kind"]["oos"] == {"n": 2, "primary_accuracy": 0.5, "exact": 0.5, "mean_jaccard": 0.5}
    assert m["by_kind"]["single"]["primary_accuracy"] == 0.5
    pairs = {(c["expected"], c["predicted"]): c["count"] for c in m["confusions"]}
    assert pairs == {("blog", "newsletter"): 1, ("-", "blog"): 1, ("seo", "-"): 1}


def test_fast_path_equals_the_pipeline_and_survives_pickling(clf: TopicClassifier) -> None:
    docs = ["un blogue et une infolettre", "fix my printer", "referencemnt google"]
    probs, _ = clf.raw_scores(docs)
    np.testing.assert_allclose(probs, clf.pipeline_.predict_proba(docs), rtol=1e-12, atol=1e-12)
    data = pickle.dumps(clf)
    assert len(data) < len(pickle.dumps(clf.pipeline_)) + 100_000  # the stacked copy is not pickled
    again = pickle.loads(data)
    np.testing.assert_array_equal(again.scores(docs), clf.scores(docs))
