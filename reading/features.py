"""What a field model sees of a clause.

- Quantities become placeholder words: "je peux y mettre 2-3 heures par semaine" is read as
  "je peux y mettre qtyhours"; the value is the quantity reader's job, so no bucket is learned
  from digits in the examples.
- Negation is marked on words: "i really don't enjoy it" -> "i really don't NOT_enjoy NOT_it",
  "j'aime pas écrire" -> "NOT_j'aime pas NOT_ecrire": "enjoy" and "NOT_enjoy" are different
  features (cross-validated, writing comfort 0.58 -> 0.61, horizon 0.70 -> 0.74).
- The clause's sentence embedding (``reading.embed``), when available, times a weight.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.models import KnowledgeBase
from knowledge.text import normalise

from .embed import Embedder
from .quantities import EVERY, Quantity, quantities

PLACEHOLDER = {"hours": "qtyhours", "count": "qtycount", "amount": "qtymoney", "build": "qtybuild",
               "months": "qtydelay"}
NOT_AN_ANSWER = {"clock": "qtyclock", "flow": "qtyflow", "one_off": "qtybuild", "past": "qtypast", "value": "qtyvalue"}
"""Quantities read but not taken as an answer keep a word that says why (a denied or someone
else's quantity keeps its kind's word: the words around it say the rest)."""
_NEGATIONS = {"pas", "jamais", "not", "no", "never", "aucun", "aucune", "ni", "rien", "nobody", "nothing", "none",
              "nope", "non", "sans", "without", "cant", "wont", "dont", "doesnt", "isnt", "arent", "wasnt", "didnt",
              "hardly", "barely", "guere", "ne", "n"}
_BEFORE_MARKED = {"pas", "jamais", "rien", "plus"}
"""French negation after the verb ("j'aime pas"): the word before is negated too."""
_TOKEN = re.compile(r"[\w'-]+|[,.;:!?]")
_BREAK = {",", ".", ";", ":", "!", "?", "mais", "but", "pis", "sauf"}


def placeholder(q: Quantity) -> str:
    return NOT_AN_ANSWER.get(q.why, PLACEHOLDER[q.kind])


def mask_quantities(norm: str, found: list[Quantity]) -> str:
    """`norm` with each quantity's span replaced by its placeholder word."""
    out, last = [], 0
    for q in sorted(found, key=lambda q: q.start):
        if q.start < last or q.kind == EVERY:  # "toutes les six semaines" stays words for the models
            continue
        out.append(norm[last:q.start])
        out.append(f" {placeholder(q)} ")
        last = q.end
    out.append(norm[last:])
    return " ".join("".join(out).split())


def masked(text: str, kb: KnowledgeBase) -> str:
    """A clause as the field models see it (before negation marking)."""
    norm = normalise(text)
    return mask_quantities(norm, quantities(norm, kb))


def negation_marked(text: str) -> str:
    """Words in a negation's scope (to the next comma, stop or "mais") get a NOT_ prefix."""
    out: list[str] = []
    negated = False
    for token in _TOKEN.findall(text):
        if token in _BREAK:
            negated = False
            out.append(token)
            continue
        bare = token.replace("'", "")
        if bare in _NEGATIONS or token.endswith("n't") or token.startswith("n'"):
            if token in _BEFORE_MARKED and out and out[-1] not in _BREAK and not out[-1].startswith("NOT_"):
                out[-1] = "NOT_" + out[-1]
            out.append(token)
            negated = True
            continue
        out.append("NOT_" + token if negated else token)
    return " ".join(out)


@dataclass
class FeatureSpace:
    """The shared vectorizers, and the embedding weight chosen when fitting."""

    words: TfidfVectorizer
    chars: TfidfVectorizer
    embed_weight: float = 0.0

    @classmethod
    def fit(cls, corpus: Sequence[str], embedder: Embedder | None) -> FeatureSpace:
        words = TfidfVectorizer(lowercase=False, ngram_range=(1, 3), sublinear_tf=True, token_pattern=r"\S+")
        chars = TfidfVectorizer(lowercase=False, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                min_df=2)
        words.fit([negation_marked(t) for t in corpus])
        chars.fit(corpus)
        return cls(words, chars)

    def matrix(self, masked_texts: Sequence[str], raw_texts: Sequence[str], embedder: Embedder | None) -> sp.csr_matrix:
        parts = [self.words.transform([negation_marked(t) for t in masked_texts]), self.chars.transform(masked_texts)]
        if self.embed_weight:
            if embedder is None:
                raise ValueError("this reader was fitted with sentence embeddings: pass the embedder")
            parts.append(sp.csr_matrix(self.embed_weight * embedder.encode(list(raw_texts))))
        return sp.hstack(parts, format="csr")
