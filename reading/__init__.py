"""Reading capacity answers out of free text (quantities, clauses, one model per field).

    from reading import load_reader
    load_reader(kb).read("c'est moi, une heure par semaine").choices()
    # {"producer": "owner", "weekly_hours": "h1"}

See docs/READING.md for how it reads and how to write its examples.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.models import KnowledgeBase

from .reader import CapacityReader, Reading, Readings, range_choice

__all__ = ["CapacityReader", "Reading", "Readings", "load_reader", "range_choice"]


def load_reader(kb: KnowledgeBase, cache_dir: str | Path | None = None) -> CapacityReader:
    """A reader for `kb`, its models fitted or loaded from the cache."""
    from .cache import default_cache_dir, load_model
    from .embed import load_embedder

    folder = Path(cache_dir) if cache_dir else default_cache_dir()
    embedder = load_embedder(folder)
    return CapacityReader(kb, load_model(kb, embedder, folder), embedder)
