"""Fuzzy alias matching: is a topic named outright, even misspelt?

Each topic's aliases (``blogue``, ``référencement``, ``newsletter``...) are compared with
the request's word n-grams of the same length. Long aliases are matched with
``rapidfuzz.fuzz.ratio`` (so ``referencemnt`` and ``boutik en ligne`` still count);
short ones (``seo``, ``crm``, ``blog``, ``video``) only exactly, plural ``s`` allowed,
because one edit on four letters makes another word (``video``/``vide``).

Texts and aliases are passed through ``knowledge.text.normalise`` once, before
matching: rapidfuzz gets ``processor=None`` on purpose, the work is already done and
must not be repeated for every pair.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.text import normalise

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)?")
MAX_WORDS = 400
"""Only the first words are matched: a request names its topics early."""
LEARN_WORDS = 2
"""Word n-grams of the training texts matched at fit time: single words and pairs."""
MEMO_GRAMS = 200_000
"""Word n-grams whose matches are remembered (cleared when full: a few tens of MB at most)."""


def tokens(normalised: str) -> list[str]:
    return _TOKEN.findall(normalised)[:MAX_WORDS]


class AliasMatcher:
    """Best alias similarity per topic, in [0, 1] (0 = not named)."""

    def __init__(
        self,
        aliases: Mapping[str, Sequence[str]],
        labels: Sequence[str],
        *,
        score_cutoff: float = 88.0,
        min_fuzzy_len: int = 6,
    ) -> None:
        self.labels = list(labels)
        self.score_cutoff = score_cutoff
        index = {label: i for i, label in enumerate(self.labels)}
        exact: dict[str, set[int]] = defaultdict(set)
        fuzzy: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for label, names in aliases.items():
            if label not in index:
                continue
            for name in names:
                words = tokens(normalise(name))
                if not words:
                    continue
                alias = " ".join(words)
                exact[alias].add(index[label])
                if len(alias) >= min_fuzzy_len:
                    fuzzy[len(words)][alias].add(index[label])
        self._exact = {alias: sorted(ids) for alias, ids in exact.items()}
        self._max_words = max((len(a.split()) for a in self._exact), default=0)
        self._fuzzy = {
            n: (list(by_alias), [sorted(ids) for ids in by_alias.values()])
            for n, by_alias in fuzzy.items()
        }

    def scores(self, normalised: str) -> np.ndarray:
        out = np.zeros(len(self.labels), dtype=np.float64)
        words = tokens(normalised)
        memo, learnt = self._memo(), self.__dict__.get("known", {})
        for n in range(1, min(self._max_words, len(words)) + 1):
            grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
            known = [m if (m := learnt.get(g)) is not None else memo.get(g) for g in grams]
            new = list(dict.fromkeys(g for g, k in zip(grams, known, strict=True) if k is None))
            fresh = dict(zip(new, self._match(n, new), strict=True)) if new else {}
            if len(memo) + len(fresh) > MEMO_GRAMS:
                memo.clear()
            memo.update(fresh)
            for gram, matches in zip(grams, known, strict=True):
                for i, sim in fresh[gram] if matches is None else matches:
                    if sim > out[i]:
                        out[i] = sim
        return out

    def _match(self, n: int, grams: list[str]) -> list[tuple[tuple[int, float], ...]]:
        """For each gram of `n` words: the (topic, similarity) pairs it names (most: none)."""
        hits: dict[int, dict[int, float]] = {}
        exact = self._exact
        for k, gram in enumerate(grams):
            ids = exact.get(gram)
            if ids is None and n == 1 and gram.endswith("s"):
                ids = exact.get(gram[:-1])
            if ids:
                hits[k] = dict.fromkeys(ids, 1.0)
        if n in self._fuzzy:
            names, ids_of = self._fuzzy[n]
            sims = process.cdist(
                grams, names, scorer=fuzz.ratio, score_cutoff=self.score_cutoff,
                processor=None, dtype=np.float32, workers=1,
            )
            pairs = zip(*(a.tolist() for a in np.nonzero(sims)), strict=True) if sims.any() else ()  # often none
            for row, col in pairs:
                # score_cutoff -> 0.5, a perfect match -> 1.0
                sim = 0.5 + 0.5 * (float(sims[row, col]) - self.score_cutoff) / (100.0 - self.score_cutoff)
                found = hits.setdefault(row, {})
                for i in ids_of[col]:
                    found[i] = max(found.get(i, 0.0), sim)
        out: list[tuple[tuple[int, float], ...]] = [()] * len(grams)
        for k, found in hits.items():
            out[k] = tuple(found.items())
        return out

    def learn(self, docs: list[str], max_words: int = LEARN_WORDS) -> None:
        """Compute once (at fit time, then pickled) the matches of every word n-gram of `docs`
        up to `max_words` words: the longer ones are rarely repeated from one request to the next."""
        known: dict[str, tuple[tuple[int, float], ...]] = self.__dict__.setdefault("known", {})
        for n in range(1, max_words + 1):
            grams = {" ".join(w[i : i + n]) for w in map(tokens, docs) for i in range(len(w) - n + 1)}
            new = sorted(grams - known.keys())
            known.update(zip(new, self._match(n, new), strict=True))

    def _memo(self) -> dict[str, tuple[tuple[int, float], ...]]:
        """What each gram already seen names: requests reuse the same words and phrases."""
        memo = self.__dict__.get("_grams")
        if memo is None:
            memo = self.__dict__["_grams"] = {}
        return memo

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_grams"}  # a cache, not the model

    def named(self, normalised: str) -> dict[str, float]:
        """Topics named in the text, with their similarity (for debugging and tests)."""
        s = self.scores(normalised)
        return {self.labels[i]: float(s[i]) for i in np.flatnonzero(s)}
