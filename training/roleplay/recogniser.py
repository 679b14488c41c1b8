"""What a junior's question asks: the role-play's question recogniser.

The classifier's machinery on a smaller problem: TF-IDF of word 1-2-grams and of
`char_wb` 2-5-grams on `knowledge.text.normalise`d text (typos, missing accents, Québec and
France spellings), and one logistic regression per move (one-vs-rest, liblinear), exactly as
`classifier/model.py` builds its topic model, with its defaults (C=10, balanced classes).
One addition: a cue feature per move (does the question use one of the move's cue words
from questions.yaml: "budget", "heures", "qui"...). Juniors ask in endlessly varied ways
and each move has only a few dozen examples; the cues carry the vocabulary the examples
cannot all show. Measured on the training part only, by cross-validation: 0.58 accuracy
without cues, 0.82 with them (before more examples were written). None of these choices
was made on the held-out examples (`held_out`).

Training data: `knowledge/roleplay/questions.yaml`, plus each field move's own question
from capacity.yaml (or situation.yaml, for the situation fields asked on their own). One
model per language (a session has one language). A message may ask several things
("Bonjour! Qui écrirait?"): it is split into sentences, each recognised. A sentence
under `MIN_CONFIDENCE` is `unclear`: the client asks to rephrase.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from knowledge.models import KnowledgeBase
from knowledge.text import normalise

from .moves import UNCLEAR, MoveGuess

MIN_CONFIDENCE = 0.2
"""Below this, the best move is not trusted (16 moves: a uniform guess is about 0.06)."""
HELD_OUT_EVERY = 5
"""The held-out split: every 5th example of each move and language (indices 4, 9, 14...)."""
_SENTENCE_END = re.compile(r"(?<=[?!.;])\s+|\n+")
_CACHE: dict[tuple[str, str], Pipeline] = {}
_CACHE_SIZE = 8


class CueFeatures(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """One column per move: the square root of how many of its cue words a (normalised) text uses;
    and one for "no question mark" (warnings, greetings and small talk are statements)."""

    def __init__(self, cues: Mapping[str, Sequence[str]] | None = None) -> None:
        self.cues = cues

    def fit(self, X: Sequence[str], y: object = None) -> CueFeatures:
        cues = self.cues or {}
        self.moves_ = tuple(sorted(cues))
        self.patterns_ = tuple(_cue_pattern(cues[move]) for move in self.moves_)
        return self

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        rows = [[len(p.findall(x)) ** 0.5 for p in self.patterns_] + [float("?" not in x)] for x in X]
        return sp.csr_matrix(np.asarray(rows, dtype=float).reshape(len(rows), len(self.patterns_) + 1))


def _cue_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """Whole words or phrases; a trailing * makes a stem ("invest*": "investir", "investissement")."""
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) + r"(?!\w)" for w in words if w.strip("*")]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")") if parts else re.compile(r"(?!x)x")


def make_pipeline(cues: Mapping[str, Sequence[str]] | None = None) -> Pipeline:
    """A fresh, unfitted pipeline: the topic classifier's features and model, plus the cue feature."""
    features = FeatureUnion([
        ("words", TfidfVectorizer(lowercase=False, ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(lowercase=False, analyzer="char_wb", ngram_range=(2, 5),
                                  sublinear_tf=True, min_df=2)),
        ("cues", CueFeatures(cues)),
    ])
    model = OneVsRestClassifier(LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear",
                                                   dual=True, max_iter=1000))
    return Pipeline([("features", features), ("model", model)])


def cues(kb: KnowledgeBase, lang: str) -> dict[str, tuple[str, ...]]:
    """Move -> its cue words in `lang`."""
    data = kb.roleplay
    return {move: tuple(by_lang.get(lang, ())) for move, by_lang in data.cues.items()} if data else {}


def examples(kb: KnowledgeBase, lang: str) -> list[tuple[str, str, int]]:
    """(text, move, index in its YAML list) for `lang`; a field's own question has index -1."""
    data = kb.roleplay
    if data is None:
        return []
    out = [(text, move, i) for move in data.moves for i, text in enumerate(data.questions.get(move, {}).get(lang, ()))]
    out += [(field.question(lang), field.id, -1) for field in kb.fields() if field.id in data.moves]
    return out


def fit(samples: Sequence[tuple[str, str]], cue_words: Mapping[str, Sequence[str]] | None = None) -> Pipeline:
    """A pipeline fitted on (text, move) pairs."""
    pipeline = make_pipeline(cue_words)
    pipeline.fit([normalise(text) for text, _ in samples], [move for _, move in samples])
    return pipeline


def pipeline_for(kb: KnowledgeBase, lang: str) -> Pipeline:
    """The fitted model for this base and language (fitted once per process: well under a second)."""
    key = (kb.content_hash or str(id(kb.roleplay)), lang)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = fit([(text, move) for text, move, _ in examples(kb, lang)], cues(kb, lang))
    return _CACHE[key]


def sentences(text: str) -> list[str]:
    """The sentences of a message that hold at least one letter or digit."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if any(ch.isalnum() for ch in s)]


def classify(pipeline: Pipeline, texts: Sequence[str]) -> list[tuple[str, float]]:
    """(best move or `unclear`, its probability) for each text."""
    if not texts:
        return []
    probs = pipeline.predict_proba([normalise(t) for t in texts])
    classes = pipeline.classes_
    out = []
    for row in probs:
        best = int(row.argmax())
        move = str(classes[best]) if row[best] >= MIN_CONFIDENCE else UNCLEAR
        out.append((move, float(row[best])))
    return out


def recognise(kb: KnowledgeBase, text: str, lang: str) -> list[MoveGuess]:
    """The moves of one junior message, in order; a move asked twice in one message counts once.

    In a message of several sentences, a one-word statement ("Ok.", "Bon.", "Parfait!") is
    filler, not a question, and is dropped, unless it is a greeting ("Bonjour!").
    """
    parts = sentences(text)
    guesses = [MoveGuess(part, move, conf) for part, (move, conf) in zip(parts, classify(pipeline_for(kb, lang), parts),
                                                                          strict=True)]
    if len(guesses) > 1:
        guesses = [g for g in guesses if not _filler(g)] or guesses[:1]
    seen: set[str] = set()
    out = []
    for guess in guesses:
        if guess.move == UNCLEAR or guess.move not in seen:
            seen.add(guess.move)
            out.append(guess)
    return out


def _filler(guess: MoveGuess) -> bool:
    return len(guess.text.split()) == 1 and "?" not in guess.text and guess.move != "greeting"


@dataclass(frozen=True)
class Evaluation:
    lang: str
    accuracy: float
    total: int
    confusions: tuple[tuple[str, str, int], ...]
    """(expected, predicted, count), most frequent first."""
    errors: tuple[tuple[str, str, str, float], ...] = ()
    """(text, expected, predicted, confidence) of each miss, in test order."""


def held_out(kb: KnowledgeBase, lang: str, every: int = HELD_OUT_EVERY) -> Evaluation:
    """Accuracy on every `every`-th YAML example of each move, the model fitted on the others."""
    data = examples(kb, lang)
    train = [(t, m) for t, m, i in data if i % every != every - 1]
    test = [(t, m) for t, m, i in data if i % every == every - 1]
    return _score(lang, fit(train, cues(kb, lang)), test)


def cross_validated(kb: KnowledgeBase, lang: str, folds: int = 5) -> Evaluation:
    """Accuracy over `folds` folds (example i in fold i % folds), every example tested once."""
    data = examples(kb, lang)
    right, total, confusions = 0, 0, Counter[tuple[str, str]]()
    errors: list[tuple[str, str, str, float]] = []
    for fold in range(folds):
        train = [(t, m) for t, m, i in data if i < 0 or i % folds != fold]
        test = [(t, m) for t, m, i in data if i >= 0 and i % folds == fold]
        result = _score(lang, fit(train, cues(kb, lang)), test)
        right += round(result.accuracy * result.total)
        total += result.total
        confusions.update({(e, p): n for e, p, n in result.confusions})
        errors.extend(result.errors)
    return Evaluation(lang, right / total if total else 0.0, total,
                      tuple((e, p, n) for (e, p), n in confusions.most_common()), tuple(errors))


def _score(lang: str, pipeline: Pipeline, test: Sequence[tuple[str, str]]) -> Evaluation:
    predicted = classify(pipeline, [t for t, _ in test])
    errors = tuple((t, m, p, conf) for (t, m), (p, conf) in zip(test, predicted, strict=True) if p != m)
    confusions = Counter((m, p) for _, m, p, _ in errors)
    right = len(test) - len(errors)
    return Evaluation(lang, right / len(test) if test else 0.0, len(test),
                      tuple((e, p, n) for (e, p), n in confusions.most_common()), errors)


def on_cases(kb: KnowledgeBase, lang: str, cases: Sequence[tuple[str, str]]) -> Evaluation:
    """Accuracy of the production model (fitted on every example) on labelled (text, move) cases."""
    return _score(lang, pipeline_for(kb, lang), cases)
